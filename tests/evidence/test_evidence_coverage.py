"""Interval arithmetic and schedule coverage, on tables of small cases."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from evidence_cases import POLICY, utc

from pdlint.evidence.coverage import (
    Interval,
    measure_coverage,
    measure_schedule,
    merge,
    rendered_entries,
    subtract,
    weekly_hours,
)
from pdlint.pagerduty.state import LiveState, Window
from pdlint.policy import load_policy

NEW_YORK = ZoneInfo("America/New_York")


def span(start: str, end: str) -> Interval:
    return Interval(utc(start), utc(end))


@pytest.mark.parametrize(("pieces", "merged"), [
    ([], []),
    ([("2026-01-01T00:00", "2026-01-01T01:00")], [("2026-01-01T00:00", "2026-01-01T01:00")]),
    # touching shifts join; overlapping ones too; an empty one vanishes
    ([("2026-01-01T01:00", "2026-01-01T02:00"), ("2026-01-01T00:00", "2026-01-01T01:00")],
     [("2026-01-01T00:00", "2026-01-01T02:00")]),
    ([("2026-01-01T00:00", "2026-01-01T03:00"), ("2026-01-01T01:00", "2026-01-01T02:00"),
      ("2026-01-01T05:00", "2026-01-01T05:00")], [("2026-01-01T00:00", "2026-01-01T03:00")]),
    ([("2026-01-01T00:00", "2026-01-01T01:00"), ("2026-01-01T02:00", "2026-01-01T03:00")],
     [("2026-01-01T00:00", "2026-01-01T01:00"), ("2026-01-01T02:00", "2026-01-01T03:00")]),
])
def test_merge(pieces: list[tuple[str, str]], merged: list[tuple[str, str]]) -> None:
    assert merge(span(*piece) for piece in pieces) == [span(*piece) for piece in merged]


@pytest.mark.parametrize(("required", "covered", "gaps"), [
    ([("2026-01-01T00:00", "2026-01-02T00:00")], [], [("2026-01-01T00:00", "2026-01-02T00:00")]),
    ([("2026-01-01T00:00", "2026-01-02T00:00")], [("2025-12-31T00:00", "2026-01-03T00:00")], []),
    # a hole in the middle, and uncovered ends
    ([("2026-01-01T00:00", "2026-01-02T00:00")],
     [("2026-01-01T02:00", "2026-01-01T10:00"), ("2026-01-01T12:00", "2026-01-01T20:00")],
     [("2026-01-01T00:00", "2026-01-01T02:00"), ("2026-01-01T10:00", "2026-01-01T12:00"),
      ("2026-01-01T20:00", "2026-01-02T00:00")]),
    # one shift covering two required windows and the night between them
    ([("2026-01-01T09:00", "2026-01-01T17:00"), ("2026-01-02T09:00", "2026-01-02T17:00")],
     [("2026-01-01T12:00", "2026-01-02T12:00")],
     [("2026-01-01T09:00", "2026-01-01T12:00"), ("2026-01-02T12:00", "2026-01-02T17:00")]),
])
def test_subtract(required: list[tuple[str, str]], covered: list[tuple[str, str]],
                  gaps: list[tuple[str, str]]) -> None:
    assert subtract(merge(span(*item) for item in required),
                    merge(span(*item) for item in covered)) == [span(*gap) for gap in gaps]


def test_weekly_hours_keep_wall_clock_hours_across_daylight_saving() -> None:
    # New York moves to daylight time on Sunday 2026-03-08.
    period = span("2026-03-06T00:00", "2026-03-10T00:00")
    windows = weekly_hours(period, NEW_YORK, (1, 2, 3, 4, 5), time(9), time(17))
    assert windows == [span("2026-03-06T14:00", "2026-03-06T22:00"),  # Friday, EST
                       span("2026-03-09T13:00", "2026-03-09T21:00")]  # Monday, EDT


def test_weekly_hours_are_clipped_to_the_period() -> None:
    period = span("2026-03-02T15:00", "2026-03-02T16:00")
    assert weekly_hours(period, NEW_YORK, (1,), time(9), time(17)) == [period]


def test_coverage_share_and_gaps() -> None:
    result = measure_coverage([span("2026-01-01T00:00", "2026-01-02T00:00")],
                              [span("2026-01-01T00:00", "2026-01-01T18:00")])
    assert result.share == 0.75
    assert result.gaps == (span("2026-01-01T18:00", "2026-01-02T00:00"),)
    assert measure_coverage([], []).share is None


def test_rendered_entries_name_a_broken_entry() -> None:
    entries = {"rendered_schedule_entries": [
        {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T08:00:00-05:00"},
        {"start": "2026-01-01T00:00:00Z"}]}
    with pytest.raises(ValueError, match=r"rendered_schedule_entries\[1\]"):
        rendered_entries(entries)
    assert rendered_entries({"rendered_schedule_entries": entries[
        "rendered_schedule_entries"][:1]}) == [span("2026-01-01T00:00", "2026-01-01T13:00")]


def live_schedule(name: str, entries: list[tuple[str, str]]) -> dict[str, object]:
    return {"id": "PSCHED1", "name": name, "time_zone": "America/New_York",
            "final_schedule": {"rendered_schedule_entries": [
                {"start": start + ":00Z", "end": end + ":00Z", "user": {"id": "PU1"}}
                for start, end in entries]}}


def state_of(*schedules: dict[str, object], window: Window | None = None) -> LiveState:
    return LiveState(api_url="http://127.0.0.1",
                     fetched_at=datetime(2026, 3, 2, tzinfo=timezone.utc),
                     window=window or Window(utc("2026-03-02T00:00"), utc("2026-03-09T00:00")),
                     objects={"schedules": schedules})


def test_business_hours_requirement_ignores_nights_and_weekends() -> None:
    policy = load_policy([POLICY]).policy
    assert policy is not None
    managers = policy.schedule("Engineering Managers")
    assert managers is not None
    # On call only Monday–Friday 09:00–17:00 New York (14:00–22:00Z), but not Wednesday.
    days = ["2026-03-02", "2026-03-03", "2026-03-05", "2026-03-06"]
    state = state_of(live_schedule("Engineering Managers",
                                   [(f"{day}T14:00", f"{day}T22:00") for day in days]))
    coverage = measure_schedule(managers, state, span("2026-03-02T00:00", "2026-03-09T00:00"),
                                policy.organisation.business_hours)
    assert coverage.result is not None
    assert coverage.result.required == timedelta(hours=40)
    assert coverage.result.gaps == (span("2026-03-04T14:00", "2026-03-04T22:00"),)
    assert coverage.result.share == pytest.approx(32 / 40)


@pytest.mark.parametrize(("state", "problem"), [
    (state_of(), "no schedule of this name in the account"),
    (state_of(live_schedule("Platform - Primary", []),
              window=Window(utc("2026-04-01T00:00"), utc("2026-04-02T00:00"))),
     "outside the period"),
    (state_of({"id": "PSCHED1", "name": "Platform - Primary", "time_zone": "UTC"}),
     "no rendered final schedule"),
])
def test_schedules_that_cannot_be_measured_say_why(state: LiveState, problem: str) -> None:
    policy = load_policy([POLICY]).policy
    assert policy is not None
    primary = policy.schedule("Platform - Primary")
    assert primary is not None
    coverage = measure_schedule(primary, state, span("2026-03-02T00:00", "2026-03-09T00:00"),
                                policy.organisation.business_hours)
    assert coverage.result is None
    assert coverage.problem is not None and problem in coverage.problem
