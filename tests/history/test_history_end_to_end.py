"""The issue's "done when", from the command line: a daily `pdlint drift --record` over a week
in which the simulated account is changed between runs, then `pdlint evidence --history` and
`pdlint history`.

Each day the simulator serves the account as changed so far; `pdlint snapshot` reads it over
HTTP, and the snapshot is dated to the simulated day's 06:00 (its ``fetched_at``, the only thing
a test cannot wait for); `pdlint drift --snapshot --record` then records that day's run. The
audit records the simulator serves to the evidence run are the changes made:

- 3 Nov 02:00, Alice Nguyen: "Production - Platform" rule 3 back to 10 minutes, fixing the
  demo's EP103 drift. Runs of 1 and 2 Nov saw it; the run of 3 Nov does not: resolved 3 Nov
  06:00, closed by that change.
- 3 Nov 22:00, Ben Okafor: "Checkout API" loses its acknowledgement timeout (SVC304): first
  seen at the run of 4 Nov 06:00, opened by that change.
- 5 Nov 12:00, Alice Nguyen: the timeout is back. There is no run on 5 Nov; the run of 6 Nov no
  longer sees it: resolved 6 Nov 06:00, closed by that change.

Period 1 Nov 00:00 to 8 Nov 00:00 (7 days), cadence 1 day (the example policy, with
``drift_check_every: 1d`` added to its organisation), runs at
06:00 on 1, 2, 3, 4, 6 and 7 Nov: one monitoring gap, 4 Nov 06:00 to 6 Nov 06:00 (2 days), so
5 of 7 days monitored, 71.4 %.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from history_cases import PROJECT, record_run_of
from pdlint_process import run_pdlint

from pdlint.sim import Account, SimServer, demo_account
from pdlint.sim.account import AuditChange, AuditRecord

TOKEN = "history-e2e-token"
History = tuple[Path, SimServer, dict[int, Account]]
DAYS = (1, 2, 3, 4, 6, 7)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


def fix_escalation(account: Account) -> Account:
    policies = []
    for policy in account.escalation_policies:
        if policy.name == "Production - Platform":
            rules = list(policy.rules)
            rules[2] = replace(rules[2], escalation_delay_in_minutes=10)
            policy = replace(policy, rules=tuple(rules))
        policies.append(policy)
    return replace(account, escalation_policies=tuple(policies))


def checkout_timeout(account: Account, seconds: int | None) -> Account:
    return replace(account, services=tuple(
        replace(service, acknowledgement_timeout=seconds) if service.name == "Checkout API"
        else service for service in account.services))


def record(account: Account, when: datetime, actor: str, kind: str, name: str,
           change: AuditChange) -> AuditRecord:
    objects = {"escalation_policies": account.escalation_policies,
               "services": account.services}[kind]
    [target] = [item.id for item in objects if item.name == name]
    user = next(user.id for user in account.users if user.name.startswith(actor))
    return AuditRecord(f"AE2E{when:%d%H}", when, "update", user, kind,  # type: ignore[arg-type]
                       target, name, (change,))


def accounts() -> dict[int, Account]:
    """The account as each day's run reads it, and as the evidence run reads it (day 8)."""
    base = demo_account(at(1, 0))
    owner, lead = base.users[0].name.split()[0], base.users[1].name.split()[0]
    fixed = record(base, at(3, 2), owner, "escalation_policies", "Production - Platform",
                   AuditChange("escalation_rules[2].escalation_delay_in_minutes", "20", "10"))
    broken = record(base, at(3, 22), lead, "services", "Checkout API",
                    AuditChange("acknowledgement_timeout", "1800", None))
    mended = record(base, at(5, 12), owner, "services", "Checkout API",
                    AuditChange("acknowledgement_timeout", None, "1800"))
    day3 = fix_escalation(base)
    day4 = checkout_timeout(day3, None)
    day6 = checkout_timeout(day4, 1800)
    final = replace(day6, now=at(8, 0),
                    audit_records=(mended, broken, fixed, *base.audit_records))
    return {1: base, 2: base, 3: day3, 4: day4, 6: day6, 7: day6, 8: final}


def policy_checked_daily(project: Path) -> None:
    """The example policy in ``project``/policy, documenting a daily drift check."""
    shutil.copytree(PROJECT / "policy", project / "policy")
    organisation = project / "policy" / "organisation.yaml"
    text = organisation.read_text(encoding="utf-8")
    organisation.write_text(text.replace('    end: "17:00"\n', '    end: "17:00"\n'
                                         "  drift_check_every: 1d\n", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    folder = tmp_path_factory.mktemp("e2e")
    policy_checked_daily(folder)
    days = accounts()
    with SimServer(days[1], token=TOKEN) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        for day in DAYS:
            server.serve(days[day])
            record_run_of(folder, env, at(day, 6))
        server.serve(days[8])
        yield folder, server, days


def evidence(folder: Path, server: SimServer, history: str = "history",
             ) -> tuple[Any, dict[str, Any]]:
    """`pdlint evidence --history` of the first week of November, and its evidence.json."""
    env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
    output = folder / f"evidence-{history}"
    result = run_pdlint("evidence", "--policy", "policy", "--since", "2026-11-01", "--until",
                        "2026-11-07", "--history", str(folder / history), "-o", str(output),
                        "--force", "--quiet", env=env, cwd=folder)
    written = output / "evidence.json"
    document = json.loads(written.read_text(encoding="utf-8")) if written.exists() else {}
    return result, document


def test_one_report_a_run_named_by_its_time_with_its_record(history: History) -> None:
    folder, _, _ = history
    assert sorted(path.name for path in (folder / "history").iterdir()) == sorted(
        f"202611{day:02d}T060000Z.json{record}" for day in DAYS for record in ("", ".record"))


def test_the_same_evidence_and_summary_from_the_reports_alone(history: History) -> None:
    """A folder kept before history records existed: its reports alone say the same."""
    folder, server, _ = history
    shutil.copytree(folder / "history", folder / "reports",
                    ignore=shutil.ignore_patterns("*.record"))
    with_records, without = evidence(folder, server)[1], evidence(folder, server, "reports")[1]
    assert with_records["history"]["findings"]  # not the same nothing
    assert {**with_records["history"], "folder": None} == {**without["history"], "folder": None}
    summaries = [run_pdlint("history", str(folder / name)) for name in ("history", "reports")]
    assert [result.returncode for result in summaries] == [1, 1]
    assert (summaries[0].stdout.replace(str(folder / "history"), "DIR")
            == summaries[1].stdout.replace(str(folder / "reports"), "DIR"))


def test_the_evidence_states_when_each_drift_opened_and_closed_and_who_changed_it(
        history: History) -> None:
    folder, server, _ = history
    result, document = evidence(folder, server)
    assert result.returncode == 0, result.stderr
    section = document["history"]
    by_rule = {(finding["rule"], finding["resource"]["name"]): finding
               for finding in section["findings"]}

    fixed = by_rule[("EP103", "Production - Platform")]
    assert (fixed["first_seen"], fixed["last_seen"], fixed["resolved_at"]) == (
        "2026-11-01T06:00:00Z", "2026-11-02T06:00:00Z", "2026-11-03T06:00:00Z")
    assert fixed["opened_by"] is None  # open since before the first run
    assert (fixed["closed_by"]["at"], fixed["closed_by"]["actor"]) == (
        "2026-11-03T02:00:00Z", "Alice Nguyen")
    assert fixed["days_open"] == 2.0

    came_and_went = by_rule[("SVC304", "Checkout API")]
    assert (came_and_went["previous_run"], came_and_went["first_seen"],
            came_and_went["last_seen"], came_and_went["resolved_at"]) == (
        "2026-11-03T06:00:00Z", "2026-11-04T06:00:00Z", "2026-11-04T06:00:00Z",
        "2026-11-06T06:00:00Z")
    assert (came_and_went["opened_by"]["at"], came_and_went["opened_by"]["actor"]) == (
        "2026-11-03T22:00:00Z", "Ben Okafor")
    assert (came_and_went["closed_by"]["at"], came_and_went["closed_by"]["actor"]) == (
        "2026-11-05T12:00:00Z", "Alice Nguyen")
    assert came_and_went["days_open"] == 2.0

    still_open = by_rule[("SVC302", "Payments API")]  # the demo's drift nobody fixed
    assert (still_open["first_seen"], still_open["resolved_at"]) == (
        "2026-11-01T06:00:00Z", None)
    assert still_open["days_open"] == 6.8  # 1 Nov 06:00 to 8 Nov 00:00

    assert [run["checked_at"] for run in section["runs"]] == [
        f"2026-11-{day:02d}T06:00:00Z" for day in DAYS]
    assert section["monitoring_gaps"] == [{"start": "2026-11-04T06:00:00Z",
                                           "end": "2026-11-06T06:00:00Z", "seconds": 172_800}]
    assert (section["monitored_seconds"], section["measured_seconds"]) == (432_000, 604_800)
    assert section["monitored_share"] == 432_000 / 604_800
    assert (section["skipped_files"], document["complete"]) == ([], True)


def test_a_file_that_is_not_a_report_is_named_and_leaves_the_package_incomplete(
        history: History) -> None:
    folder, server, _ = history
    shutil.copytree(folder / "history", folder / "with-notes")
    (folder / "with-notes" / "notes.txt").write_text("not a report\n", encoding="utf-8")
    _, document = evidence(folder, server, "with-notes")
    section = document["history"]
    assert section["skipped_files"] == [
        {"file": "notes.txt", "reason": "not JSON (line 1, column 1: Expecting value)"}]
    assert len(section["runs"]) == len(DAYS)  # counted in nothing
    assert [skip["reason"] for skip in document["skipped"] if skip["section"] == "history"] == [
        f"1 file of {folder / 'with-notes'} skipped, not drift reports (counted in nothing): "
        "notes.txt (not JSON (line 1, column 1: Expecting value))"]
    assert document["complete"] is False  # a skipped file is never passed


def test_the_package_shows_it_in_every_form(history: History) -> None:
    folder, server, _ = history
    result, _ = evidence(folder, server)
    assert result.returncode == 0, result.stderr
    output = folder / "evidence-history"
    rows = (output / "drift-history.csv").read_text(encoding="utf-8").splitlines()
    assert any(row.startswith("SVC304,error,no,service,") and
               ",2026-11-03T22:00:00Z,Ben Okafor," in row for row in rows)
    assert len((output / "drift-runs.csv").read_text(encoding="utf-8").splitlines()) == 1 + 6
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "Monitored 71.4% of the period: 1 interval longer than the documented cadence (1d)" \
        in summary
    drift = json.loads((output / "drift.json").read_text(encoding="utf-8"))
    evidence_document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert drift["checked_at"] == evidence_document["drift"]["configuration_read_at"]
    assert (drift["account"]["subdomain"], drift["policy"]["path"]) == ("acme", "policy")
    page = (output / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<span id="history-monitored">71\.4%</span>', page)
    assert 'id="history-timeline"' in page


def test_pdlint_history_lists_the_drifts_open_at_the_last_run(
        history: History) -> None:
    folder, _, _ = history
    result = run_pdlint("history", str(folder / "history"), "--format", "markdown")
    assert (result.returncode, result.stderr) == (1, "")  # errors are open
    assert "| 6d | 2026-11-01T06:00:00Z | error | SVC302 |" in result.stdout
    assert "SVC304 | service 'Checkout API'" not in result.stdout  # closed on 6 November
