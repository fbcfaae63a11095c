"""Interval arithmetic of coverage: merging shifts, subtracting them from the required time, and
weekly windows placed in a time zone; tables of small cases."""

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from pdlint.coverage import (
    Interval,
    measure_coverage,
    measure_rendered,
    merge,
    on_call,
    required_time,
    schedule_zone,
    subtract,
    weekly_hours,
)
from pdlint.findings import Location
from pdlint.pagerduty.model import RenderedSchedule, Shift
from pdlint.policy.model import Hours, Sourced

NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


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


HERE = Location("policy/organisation.yaml", 1)
MONDAY_TO_FRIDAY = Hours(days=Sourced(("monday", "tuesday", "wednesday", "thursday", "friday"),
                                      HERE),
                         start=Sourced(time(9), HERE), end=Sourced(time(17), HERE),
                         time_zone=Sourced("Europe/London", HERE), location=HERE)


@pytest.mark.parametrize(("requirement", "zone", "required"), [
    ("24x7", NEW_YORK, [("2026-03-06T12:00", "2026-03-09T12:00")]),
    # Friday afternoon and Monday morning, placed in the schedule's zone, not the organisation's
    ("business_hours", NEW_YORK, [("2026-03-06T14:00", "2026-03-06T22:00")]),
    ("business_hours", ZoneInfo("Europe/London"), [("2026-03-06T12:00", "2026-03-06T17:00"),
                                                   ("2026-03-09T09:00", "2026-03-09T12:00")]),
])
def test_required_time(requirement: str, zone: ZoneInfo, required: list[tuple[str, str]]) -> None:
    measured = span("2026-03-06T12:00", "2026-03-09T12:00")
    assert required_time(requirement, measured, zone, MONDAY_TO_FRIDAY) == [
        span(*item) for item in required]


@pytest.mark.parametrize(("documented", "live", "name", "zone"), [
    pytest.param("Asia/Tokyo", "America/New_York", "Asia/Tokyo", "Asia/Tokyo",
                 id="documented-first"),
    pytest.param("Eastern Time (US & Canada)", None, "Eastern Time (US & Canada)", None,
                 id="documented-rails-name-refused"),
    pytest.param(None, "Eastern Time (US & Canada)",
                 "Eastern Time (US & Canada)", "America/New_York", id="live-rails-name"),
    pytest.param(None, "America/Chicago", "America/Chicago", "America/Chicago",
                 id="live-iana-name"),
    pytest.param(None, "Mars/Olympus", "Mars/Olympus", None, id="live-unknown"),
    pytest.param(None, None, "Europe/London", "Europe/London",
                 id="else-the-organisation-s"),
])
def test_schedule_zone(documented: str | None, live: str | None, name: str,
                       zone: str | None) -> None:
    assert schedule_zone(documented, live, MONDAY_TO_FRIDAY) == (
        name, None if zone is None else ZoneInfo(zone))


def test_a_rendered_schedule_is_merged_once_for_every_measure() -> None:
    """SCH201, the evidence's coverage section and init measure the same schedules: the shifts
    are sorted and merged once, and every measure agrees with merging them afresh."""
    shifts = (Shift(utc("2026-01-01T08:00"), utc("2026-01-01T12:00"), "PU1"),
              Shift(utc("2026-01-01T00:00"), utc("2026-01-01T08:00"), "PU2"),
              Shift(utc("2026-01-01T14:00"), utc("2026-01-01T20:00"), None))
    rendered = RenderedSchedule(shifts)
    assert on_call(rendered) is on_call(rendered)
    assert on_call(rendered) == (span("2026-01-01T00:00", "2026-01-01T12:00"),
                                 span("2026-01-01T14:00", "2026-01-01T20:00"))
    day = [span("2026-01-01T00:00", "2026-01-02T00:00")]
    assert measure_rendered(day, rendered) == measure_coverage(
        day, [Interval(shift.start, shift.end) for shift in shifts])
    assert measure_rendered(day, RenderedSchedule(shifts)).covered.total_seconds() == 18 * 3600
