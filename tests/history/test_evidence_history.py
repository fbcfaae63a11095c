"""The continuous-compliance section of the evidence package, from the hand-made history of
history_cases (figures in test_timeline.py) and hand-made audit records: which change opened
and which closed each drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from history_cases import API, DAILY, SINCE, UNTIL, report, utc, write_history

from pdlint.coverage import Interval
from pdlint.evidence.history import (
    HISTORY_CSV,
    RUNS_CSV,
    history_entry,
    history_rows,
    history_section,
)
from pdlint.evidence.model import ChangeSummary, ConfigurationChange
from pdlint.findings import Location
from pdlint.history.folder import Stream, read_history

STREAM = Stream(API, "acme", "policy")


def change(id_: str, at: str, kind: str, object_id: str, actor: str) -> ConfigurationChange:
    return ConfigurationChange(id_, utc(at), actor, "update", kind, object_id, None, True, ())


CHANGES = (
    # PSV1 (F2): one change before the run that last saw it clean (3 Nov), one between that run
    # and the run that first saw the drift (5 Nov): the second opened it. One between its last
    # sighting (7 Nov) and the run that saw it gone (8 Nov) closed it.
    change("R0", "2026-11-02T12:00", "services", "PSV1", "Ann"),
    change("R1", "2026-11-04T12:00", "services", "PSV1", "Dana"),
    change("R2", "2026-11-07T18:00", "services", "PSV1", "Eve"),
    # PEP1 (F1): seen at the first run, so no change can be said to open it; closed 2 Nov 20:00.
    change("R3", "2026-11-02T20:00", "escalation_policies", "PEP1", "Sam"),
    # PEP2 (F5): opened between 8 Nov 06:00 and 9 Nov 06:00, twice; the later one counts.
    change("R4", "2026-11-08T09:00", "escalation_policies", "PEP2", "Kim"),
    change("R5", "2026-11-08T20:00", "escalation_policies", "PEP2", "Lee"),
    # Another object's change in the same window changes nothing.
    change("R6", "2026-11-09T12:00", "escalation_policies", "PEP9", "Max"),
)


def summary(changes: tuple[ConfigurationChange, ...]) -> ChangeSummary:
    return ChangeSummary(total=len(changes), documented=len(changes), by_type=(), by_action=(),
                         documented_changes=changes, shown_limit=200, every_change=changes)


@pytest.fixture
def entry(tmp_path: Path) -> dict[str, Any]:
    history = read_history(write_history(tmp_path / "history"))
    section, skipped = history_section(history, STREAM, Interval(SINCE, UNTIL),
                                       DAILY, Location("policy/org.yaml", 7, 3),
                                       summary(CHANGES))
    assert skipped == []
    return history_entry(section)


def opened_and_closed(entry: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(finding["rule"], finding["opened_by"] and finding["opened_by"]["id"],
             finding["closed_by"] and finding["closed_by"]["id"])
            for finding in entry["findings"]]


def test_the_audit_record_that_opened_and_closed_each_drift(entry: dict[str, Any]) -> None:
    assert opened_and_closed(entry) == [("EP103", None, "R3"), ("SCH201", None, None),
                                        ("USR400", None, None), ("SVC302", "R1", "R2"),
                                        ("EP101", "R5", None)]
    svc = entry["findings"][3]
    assert svc["opened_by"] == {"id": "R1", "at": "2026-11-04T12:00:00Z", "actor": "Dana",
                                "action": "update", "fields": []}
    assert (svc["previous_run"], svc["first_seen"], svc["last_seen"], svc["resolved_at"],
            svc["days_open"]) == ("2026-11-03T06:00:00Z", "2026-11-05T06:00:00Z",
                                  "2026-11-07T06:00:00Z", "2026-11-08T06:00:00Z", 3.0)


def test_evidence_json_history(entry: dict[str, Any]) -> None:
    assert entry["cadence"] == "1d"
    assert entry["cadence_documented_at"] == "policy/org.yaml:7:3"
    assert [run["checked_at"][8:10] for run in entry["runs"]] == [
        "01", "02", "03", "05", "06", "07", "08", "09", "10"]
    assert entry["runs"][3] == {
        "file": "20261105T060000Z.json", "checked_at": "2026-11-05T06:00:00Z",
        "complete": False, "error": 1, "warning": 0, "info": 0, "waived": 1, "not_checked": 0,
        "skipped": [{"rule": "users", "reason": "HTTP 403"}]}
    assert entry["monitoring_gaps"] == [{"start": "2026-11-03T06:00:00Z",
                                         "end": "2026-11-06T06:00:00Z", "seconds": 259_200}]
    assert (entry["monitored_seconds"], entry["measured_seconds"]) == (604_800, 864_000)
    assert entry["monitored_share"] == 0.7
    assert entry["error_days"] == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-05",
                                   "2026-11-06", "2026-11-07", "2026-11-08", "2026-11-09",
                                   "2026-11-10"]
    assert [finding["days_open"] for finding in entry["findings"]] == [3.0, 10.8, 7.8, 3.0, 1.0]
    assert entry["changes_read"] is True
    assert (entry["other_histories"], entry["skipped_files"]) == ([], [])


def test_without_the_change_log_nothing_is_attributed_and_it_says_so(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path))
    section, _ = history_section(history, STREAM, Interval(SINCE, UNTIL), DAILY,
                                 None, None)
    entry = history_entry(section)
    assert entry["changes_read"] is False
    assert all(finding["opened_by"] is None and finding["closed_by"] is None
               for finding in entry["findings"])


def test_the_csv_files(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path))
    section, _ = history_section(history, STREAM, Interval(SINCE, UNTIL), DAILY,
                                 None, summary(CHANGES))
    tables = history_rows(section)
    columns, rows = tables[HISTORY_CSV]
    svc = dict(zip(columns, rows[3], strict=True))
    assert svc == {
        "rule": "SVC302", "severity": "error", "waived": "no", "resource_type": "service",
        "resource_id": "PSV1", "resource_name": "Payments API",
        "message": "Payments API differs", "previous_run": "2026-11-03T06:00:00Z",
        "first_seen": "2026-11-05T06:00:00Z", "last_seen": "2026-11-07T06:00:00Z",
        "resolved_at": "2026-11-08T06:00:00Z", "days_open": 3.0,
        "opened_at": "2026-11-04T12:00:00Z", "opened_by": "Dana", "opened_change": "R1",
        "closed_at": "2026-11-07T18:00:00Z", "closed_by": "Eve", "closed_change": "R2"}
    columns, rows = tables[RUNS_CSV]
    assert len(rows) == 9
    assert dict(zip(columns, rows[3], strict=True)) == {
        "file": "20261105T060000Z.json", "checked_at": "2026-11-05T06:00:00Z",
        "complete": "no", "error": 1, "warning": 0, "info": 0, "waived": 1, "not_checked": 0,
        "skipped": "users: HTTP 403"}


def test_skipped_files_other_histories_and_a_missing_cadence_are_in_the_skipped_list(
        tmp_path: Path) -> None:
    folder = write_history(tmp_path)
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    (folder / "globex.json").write_text(
        json.dumps(report("2026-11-02T06:00:00Z", (), subdomain="globex")),
        encoding="utf-8")
    history = read_history(folder)
    section, skipped = history_section(history, Stream(API, "initech", "policy"),
                                       Interval(SINCE, UNTIL), None, None, None)
    assert [(skip.rule, skip.reason) for skip in skipped] == [
        ("history", f"1 file of {folder} skipped, not drift reports (counted in nothing): "
                    "notes.txt (not JSON (line 1, column 1: Expecting value))"),
        ("history", f"no drift run of initech ({API}) against policy in the period is recorded "
                    f"in {folder} (it holds acme ({API}) against policy: 10 runs; globex ({API}) "
                    "against policy: 1 run, kept apart)"),
        ("history", "monitoring gaps not measured: the policy documents no "
                    "organisation.drift_check_every"),
    ]
    assert history_entry(section)["other_histories"] == [
        {"account": {"api_url": API, "subdomain": "acme"}, "policy_path": "policy", "runs": 10},
        {"account": {"api_url": API, "subdomain": "globex"}, "policy_path": "policy",
         "runs": 1}]
