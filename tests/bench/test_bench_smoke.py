"""The benchmark harness runs end to end: ``bench/run.py --quick`` on tiny accounts, so that a
change that breaks the bench fails here rather than on the next enterprise-scale run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import Settings, decoding_seconds, floor_seconds, machine
from pdlint.sim import RequestRecord

ROOT = Path(__file__).resolve().parents[2]


def test_the_quick_bench_measures_every_row_and_pdlint_sends_the_fewest_requests(
        tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--skip-venvs",
         "--output", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads((tmp_path / "results.json").read_text())["rows"]}
    assert list(rows) == ["snapshot-enterprise", "drift-snapshot-enterprise",
                          "rules-cpu-enterprise", "history-enterprise",
                          "history-section-enterprise", "evidence-enterprise-10k",
                          "evidence-enterprise", "evidence-memory", "evidence-paging-memory",
                          "shared-key-enterprise",
                          "policy-load-enterprise", "lint-example"]
    fetched = [rows[name] for name in ("snapshot-enterprise", "evidence-enterprise-10k",
                                       "evidence-enterprise")]
    assert [(row["exit_code"], row["requests"]) for row in fetched] == [
        (0, row["minimum"]) for row in fetched]
    assert all(row["wall_seconds"] > 0 and row["peak_rss_mib"] > 0 for row in fetched)
    assert "decoding the answers, CPU s" in rows["evidence-enterprise-10k"]["figures"]
    assert "CPU ÷ decoding" in rows["evidence-enterprise"]["figures"]  # its target is CPU
    assert rows["rules-cpu-enterprise"]["figures"]["findings"] > 0
    assert (rows["shared-key-enterprise"]["rate_limited"], rows["shared-key-enterprise"][
        "figures"]["wall s of each run"][1] > 0) == (0, True)
    assert rows["policy-load-enterprise"]["figures"]["services"] == 40
    history = rows["history-section-enterprise"]["figures"]
    assert (history["runs"], history["gaps"]) == (29, 1)  # 30 days, no run on the 30th
    assert "| `evidence-memory`" in (tmp_path / "results.md").read_text()


@pytest.mark.parametrize(("requests", "latency_ms", "floor"), [
    (183, 80, 1.83),     # 23 round trips of 8 requests in flight; the budget does not bind
    (1_010, 80, 10.1),   # the budget floor, (1,010 − 900) ÷ 16 = 6.9 s, is the shorter
    (2_500, 80, 100.0),  # (2,500 − 900) ÷ 16 = 100 s, longer than 2,500 ÷ 8 × 0.08 = 25 s
    (7, 0, 0.0),
])
def test_the_floor_is_the_longer_of_latency_and_budget(requests: int, latency_ms: int,
                                                        floor: float) -> None:
    assert floor_seconds(requests, latency_ms) == pytest.approx(floor)


def test_the_machine_facts_name_the_commit_measured_and_the_repeats(tmp_path: Path) -> None:
    """The docs say which figures are older than the code by the commit each run names."""
    described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    facts = machine(Settings(quick=True, latency_ms=0, skip_venvs=True, only=frozenset(),
                             output=tmp_path, repeats=3))
    assert (facts["commit"], facts["repeats"]) == (described, 3)


def test_the_cpu_floor_decodes_every_answer_sent_and_nothing_else() -> None:
    """An answer that is not JSON fails the decoding: each answer sent is decoded; a request
    answered with nothing (a dropped connection, a 204) has nothing to decode."""
    records = [RequestRecord("GET", "/teams", {}, 200, b'{"teams": []}'),
               RequestRecord("GET", "/teams", {}, None)]
    decoding_seconds(records)  # the empty answer is not decoded: no error
    with pytest.raises(json.JSONDecodeError):
        decoding_seconds([*records, RequestRecord("GET", "/teams", {}, 200, b"<html>")])
