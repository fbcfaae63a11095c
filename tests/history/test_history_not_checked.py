"""Checks not made in the drift history, from the command line: two daily runs read the demo
account while PagerDuty returns its maintenance windows without their services, so PATH600 and
SVC310 report checks they could not make (findings marked not checked); the third run reads
the windows whole. A finding of a check not made is no drift: it neither opens one nor closes
one, and `pdlint history` lists it apart. SVC310's real error about the Web Application
Firewall's long window is first seen by the third run, the first that could check it.

Then an evidence period in which no run was recorded: nothing was measured, never "no drift".
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from history_cases import PROJECT, record_run_of
from pdlint_process import run_pdlint

from pdlint.sim import Fault, Faults, SimServer, demo_account

TOKEN = "history-not-checked-token"
WINDOWS_WITHOUT_SERVICES = Faults(scripted=(Fault("omit_field", "/maintenance_windows",
                                                  field="services"),))
ACCEPTED = ("--accept-skip", "PATH600", "--accept-skip", "SVC310")
Recorded = tuple[Path, SimServer]


def at(day: int, hour: int = 6) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    folder = tmp_path_factory.mktemp("not-checked")
    shutil.copytree(PROJECT / "policy", folder / "policy")
    with SimServer(demo_account(at(1)), token=TOKEN) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        for day in (1, 2, 3):
            server.serve(demo_account(at(day)))
            server.faults = WINDOWS_WITHOUT_SERVICES if day < 3 else Faults()
            record_run_of(folder, env, at(day), *ACCEPTED)
        server.serve(demo_account(at(30, 0)))
        yield folder, server


def copied(folder: Path, name: str, days: tuple[int, ...], *, records: bool = True) -> Path:
    """Some days' runs of the history in a folder of their own, with or without records."""
    (folder / name).mkdir()
    for day in days:
        for path in (folder / "history").glob(f"202611{day:02d}T*"):
            if records or not path.name.endswith(".record"):
                shutil.copy(path, folder / name / path.name)
    return folder / name


def test_pdlint_history_lists_checks_not_made_apart_from_the_drifts(recorded: Recorded,
                                                                    ) -> None:
    folder, _ = recorded
    outputs = []
    for name, records in (("two-days", True), ("two-days-reports", False)):
        result = run_pdlint("history", str(copied(folder, name, (1, 2), records=records)),
                            *ACCEPTED)
        assert (result.returncode, result.stderr) == (1, "")
        outputs.append(result.stdout.replace(name, "DIR"))
    assert outputs[0] == outputs[1]  # the same from the records as from the reports
    drifts, unchecked = outputs[0].split(" not checked at that run (neither a drift nor its "
                                         "end):\n")
    assert "not checked" not in drifts  # no drift of a check not made
    drifts, count = drifts.rsplit("\n", 1)
    lines = unchecked.splitlines()
    assert count == f"{len(lines)} findings" and len(lines) > 5
    assert all(line.split()[:2] in (["warning", "PATH600"], ["warning", "SVC310"])
               and line.endswith("(not checked)") and "(since" not in line for line in lines)


def test_a_check_made_at_last_opens_its_drift_there(recorded: Recorded) -> None:
    folder, _ = recorded
    result = run_pdlint("history", str(folder / "history"))
    assert (result.returncode, result.stderr) == (1, "")
    assert "not checked" not in result.stdout  # the last run checked everything
    [firewall] = [line for line in result.stdout.splitlines() if " SVC310 " in line]
    assert firewall.startswith("     0h  error   SVC310  service 'Web Application Firewall'")
    assert firewall.endswith("(since 2026-11-03T06:00:00Z)")  # not the run that could not


def evidence(folder: Path, server: SimServer, since: str, until: str, *accepted: str,
             ) -> tuple[Any, Path]:
    env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
    output = folder / f"evidence-{since}"
    result = run_pdlint("evidence", "--policy", "policy", "--since", since, "--until", until,
                        "--history", str(folder / "history"), "-o", str(output), "--force",
                        "--quiet", *accepted, env=env, cwd=folder)
    return result, output


def test_the_evidence_follows_no_drift_of_a_check_not_made(recorded: Recorded) -> None:
    folder, server = recorded
    result, output = evidence(folder, server, "2026-11-01", "2026-11-04",
                              "--accept-skip", "history")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(
        (output / "drift-history.csv").read_text(encoding="utf-8"))))
    assert rows and not [row for row in rows if "not checked" in row["message"]]
    [firewall] = [row for row in rows if row["rule"] == "SVC310"]
    assert (firewall["resource_name"], firewall["severity"], firewall["first_seen"],
            firewall["previous_run"]) == ("Web Application Firewall", "error",
                                          "2026-11-03T06:00:00Z", "")
    runs = list(csv.DictReader(io.StringIO(
        (output / "drift-runs.csv").read_text(encoding="utf-8"))))
    assert [(run["complete"], int(run["not_checked"]) > 0) for run in runs] == [
        ("no", True), ("no", True), ("yes", False)]
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "| SVC310 | error | service 'Web Application Firewall'" in summary
    assert "| SVC310 | warning |" not in summary and "| PATH600 | warning |" not in summary


def test_a_period_without_a_run_measures_no_drift_and_is_incomplete(recorded: Recorded,
                                                                    ) -> None:
    """Drifts the runs before it left open say nothing of the period: not measured, not 0."""
    folder, server = recorded
    result, output = evidence(folder, server, "2026-11-10", "2026-11-20")
    assert result.returncode == 2
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    history = document["history"]
    assert (history["runs"], history["findings"], history["error_days"]) == ([], None, None)
    assert document["complete"] is False
    assert any(skip["section"] == "history" and skip["reason"].startswith("no drift run of ")
               for skip in document["skipped"])
    assert not (output / "drift-history.csv").exists()
    not_measured = "not measured: no drift run recorded in the period"
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert f"Drifts and days with an open error: {not_measured}." in summary
    assert f"(0 drift runs; days with an open error {not_measured})" in summary
    assert "open error (UTC)" not in summary and "No drift was open" not in summary
    page = (output / "index.html").read_text(encoding="utf-8")
    assert '<span id="history-error-days">not measured</span>: no drift run recorded' in page
    assert "No drift was open" not in page and 'href="drift-history.csv"' not in page
