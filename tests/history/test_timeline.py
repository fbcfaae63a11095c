"""The figures of a drift history, computed by hand from history_cases.RUNS (runs at 06:00 UTC,
none on 4 November, the run of 5 November incomplete; cadence one day; period 1 to 11
November):

- F1 (EP103, error) seen 31 Oct to 2 Nov, gone at the run of 3 Nov: open 3.0 days; first seen
  at the first run, so nothing says when it began (no previous run).
- F2 (SVC302, error) first seen by the incomplete run of 5 Nov, whose previous complete run is
  3 Nov; gone at 8 Nov: 3.0 days.
- F3 (USR400, warning) seen 3 Nov; the incomplete run of 5 Nov could not read users, so its
  absence there closes nothing; open at the end: 11 Nov 00:00 - 3 Nov 06:00 = 7.75 days, 7.8.
- F4 (SCH201, error, waived) in every run: open, counts in no error day.
- F5 (EP101, error) seen 9 Nov only, gone 10 Nov: 1.0 day; previous run 8 Nov.
- Monitoring gap: no complete run from 3 Nov 06:00 to 6 Nov 06:00 (3 days > 1 day); the
  period is 10 days, so 7 days, 70.0 %, were monitored.
- Days with an open error (F1, F2, F5): 1-3 Nov, 5-8 Nov, 9-10 Nov: nine days.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from history_cases import API, F1, F3, SINCE, UNTIL, report, utc, write_history

from pdlint.history.folder import Run, Stream, read_history, run_of
from pdlint.history.timeline import Gap, Timeline, drift_spans, timeline

STREAM = Stream(API, "acme", "policy")


@pytest.fixture
def line(tmp_path: Path) -> Timeline:
    runs = read_history(write_history(tmp_path)).streams()[STREAM]
    return timeline(STREAM, runs, SINCE, UNTIL, timedelta(days=1))


def test_each_drift_opens_at_its_first_run_and_closes_at_the_first_complete_run_without_it(
        line: Timeline) -> None:
    spans = [(drift.finding.rule, drift.first_seen, drift.last_seen, drift.resolved_at,
              drift.absent_at, drift.seen, line.days_open(drift)) for drift in line.drifts]
    assert spans == [
        ("EP103", utc("2026-10-31T06:00"), utc("2026-11-02T06:00"), utc("2026-11-03T06:00"),
         None, 3, 3.0),
        ("SCH201", utc("2026-10-31T06:00"), utc("2026-11-10T06:00"), None, None, 10, 10.8),
        ("USR400", utc("2026-11-03T06:00"), utc("2026-11-10T06:00"), None,
         utc("2026-11-02T06:00"), 6, 7.8),
        ("SVC302", utc("2026-11-05T06:00"), utc("2026-11-07T06:00"), utc("2026-11-08T06:00"),
         utc("2026-11-03T06:00"), 3, 3.0),
        ("EP101", utc("2026-11-09T06:00"), utc("2026-11-09T06:00"), utc("2026-11-10T06:00"),
         utc("2026-11-08T06:00"), 1, 1.0),
    ]


def test_the_runs_of_the_period_and_the_monitoring_gaps(line: Timeline) -> None:
    assert [run.checked_at.day for run in line.runs] == [1, 2, 3, 5, 6, 7, 8, 9, 10]
    assert [run.complete for run in line.runs].count(False) == 1
    assert line.gaps == (Gap(utc("2026-11-03T06:00"), utc("2026-11-06T06:00")),)
    assert line.monitored == timedelta(days=7)


def test_the_days_with_an_open_error(line: Timeline) -> None:
    assert line.error_days() == tuple(date(2026, 11, day) for day in (1, 2, 3, 5, 6, 7, 8, 9, 10))


def test_the_period_s_edges_count_as_runs_when_none_came_before(tmp_path: Path) -> None:
    """From 1 Nov with no run before: 00:00 to the first run at 06:00 is no gap at a 1-day
    cadence, and is one at 5 hours; the last run (10 Nov 06:00) to the end (11 Nov) is 18
    hours."""
    runs = read_history(write_history(tmp_path)).streams()[STREAM]
    later = [run for run in runs if run.checked_at >= SINCE]
    assert timeline(STREAM, later, SINCE, UNTIL, timedelta(days=1)).gaps == (
        Gap(utc("2026-11-03T06:00"), utc("2026-11-06T06:00")),)
    assert timeline(STREAM, later, SINCE, UNTIL, timedelta(hours=5)).gaps == (
        Gap(SINCE, utc("2026-11-01T06:00")),
        *(Gap(utc(f"2026-11-{day:02d}T06:00"), utc(f"2026-11-{day + 1:02d}T06:00"))
          for day in (1, 2)),
        Gap(utc("2026-11-03T06:00"), utc("2026-11-06T06:00")),
        *(Gap(utc(f"2026-11-{day:02d}T06:00"), utc(f"2026-11-{day + 1:02d}T06:00"))
          for day in (6, 7, 8, 9)),
        Gap(utc("2026-11-10T06:00"), UNTIL))


def test_without_a_cadence_gaps_are_not_measured(tmp_path: Path) -> None:
    runs = read_history(write_history(tmp_path)).streams()[STREAM]
    line = timeline(STREAM, runs, SINCE, UNTIL, None)
    assert (line.gaps, line.monitored) == (None, None)


def test_a_run_that_did_not_run_the_rule_does_not_close_its_drift(tmp_path: Path) -> None:
    """`--skip-rule USR400` on 6 Nov onwards: USR400's drift is no longer judged, so it stays
    open from 3 Nov, last seen 3 Nov."""
    runs = read_history(write_history(tmp_path)).streams()[STREAM]
    without_users = [run if run.checked_at < utc("2026-11-04T00:00") else
                     type(run)(**{**run.__dict__, "rules": run.rules - {"USR400"},
                                  "findings": tuple(finding for finding in run.findings
                                                    if finding.rule != "USR400")})
                     for run in runs]
    line = timeline(STREAM, without_users, SINCE, UNTIL, timedelta(days=1))
    [users] = [drift for drift in line.drifts if drift.finding.rule == "USR400"]
    assert (users.last_seen, users.resolved_at) == (utc("2026-11-03T06:00"), None)


def test_a_drift_gone_and_back_is_two_spans_each_counting_its_own_runs() -> None:
    """F1 seen 1-3 Nov, gone 4 Nov, back 5-6 Nov with another message, then gone 7 Nov; F3
    seen throughout (its message, the last run's)."""
    days = {1: (F1, F3), 2: (F1, F3), 3: (F1, F3), 4: (F3,), 5: (F1, F3), 6: (F1, F3), 7: (F3,)}
    runs = []
    for day, findings in days.items():
        document = report(f"2026-11-{day:02d}T06:00:00Z", findings)
        for finding in document["findings"]:
            if day >= 5 and finding["rule"] == "EP103":
                finding["message"] = "Production differs again"
        runs.append(run_of(f"{day}.json", document, {}))
    spans = [(drift.finding.rule, drift.finding.message, drift.first_seen.day,
              drift.last_seen.day, drift.resolved_at and drift.resolved_at.day,
              drift.absent_at and drift.absent_at.day, drift.seen)
             for drift in drift_spans(runs)]
    assert spans == [("EP103", "Production differs", 1, 3, 4, None, 3),
                     ("USR400", "Pavel Novak differs", 1, 7, None, None, 7),
                     ("EP103", "Production differs again", 5, 6, 7, 4, 2)]


NOT_CHECKED = ("EP103", "escalation_policy", "PEP1", "Production", "warning", False)
"""F1's key, in a finding that reports a check not made (marked below)."""
NOT_CHECKED_WAIVED = (*NOT_CHECKED[:5], True)


def marked_run(day: int, findings: tuple[tuple[Any, ...], ...], *, incomplete: bool = False,
               ) -> Run:
    """The run of 6:00 on ``day`` November; its warnings of EP103 report a check not made."""
    document = report(f"2026-11-{day:02d}T06:00:00Z", findings, incomplete=incomplete)
    for finding in document["findings"]:
        if finding["rule"] == "EP103" and finding["severity"] == "warning":
            finding["not_checked"] = "escalation policy PEP1 returned without escalation rules"
    return run_of(f"{day}.json", document, {})


@pytest.mark.parametrize(("runs", "spans"), [
    pytest.param({1: ((F3,), False), 2: ((NOT_CHECKED, F3), True),
                  3: ((NOT_CHECKED, F3), True), 4: ((F1, F3), False)},
                 [("USR400", 1, 4, None, None, 4), ("EP103", 4, 4, None, 1, 1)],
                 id="opens-no-drift"),
    pytest.param({1: ((F1,), False), 2: ((NOT_CHECKED_WAIVED,), False), 3: ((F1,), False),
                  4: ((), False)},
                 [("EP103", 1, 3, 4, None, 2)], id="closes-none-in-a-complete-run"),
    pytest.param({1: ((), False), 2: ((NOT_CHECKED_WAIVED,), False), 3: ((F1,), False)},
                 [("EP103", 3, 3, None, 1, 1)], id="is-no-previous-run-of-its-key"),
    pytest.param({1: ((), False), 2: ((NOT_CHECKED, F1), True)},
                 [("EP103", 2, 2, None, 1, 1)], id="a-key-also-checked-is-seen"),
])
def test_a_finding_of_a_check_not_made_neither_opens_nor_closes_its_drift(
        runs: dict[int, tuple[tuple[tuple[Any, ...], ...], bool]],
        spans: list[tuple[Any, ...]]) -> None:
    """For its key, the run is one that did not look: (rule, first seen, last seen, resolved,
    previous run, runs seen), by day."""
    drifts = drift_spans([marked_run(day, findings, incomplete=incomplete)
                          for day, (findings, incomplete) in runs.items()])
    assert [(drift.finding.rule, drift.first_seen.day, drift.last_seen.day,
             drift.resolved_at and drift.resolved_at.day,
             drift.absent_at and drift.absent_at.day, drift.seen) for drift in drifts] == spans
    assert not any(drift.finding.not_checked for drift in drifts)


def test_without_a_run_in_the_period_its_drifts_are_not_measured(tmp_path: Path) -> None:
    """Runs before the period leave drifts open (SCH201, USR400), but no run of the period
    looked: not none, not measured."""
    runs = read_history(write_history(tmp_path)).streams()[STREAM]
    later = timeline(STREAM, runs, utc("2026-11-20T00:00"), utc("2026-11-30T00:00"),
                     timedelta(days=1))
    assert (later.runs, later.drifts, later.error_days()) == ((), None, None)
    assert later.gaps == (Gap(utc("2026-11-20T00:00"), utc("2026-11-30T00:00")),)
