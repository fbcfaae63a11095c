"""Coverage of documented schedules over the audit period, and why a schedule cannot be
measured."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from evidence_cases import POLICY, utc

from pdlint.coverage import Interval
from pdlint.evidence.coverage import measure_schedule
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState, Window
from pdlint.policy import load_policy


def span(start: str, end: str) -> Interval:
    return Interval(utc(start), utc(end))


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
    coverage = measure_schedule(managers, parse_account(state),
                                span("2026-03-02T00:00", "2026-03-09T00:00"),
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
    (state_of(live_schedule("Platform - Primary", []),
              window=Window(utc("2026-03-08T23:59:52"), utc("2026-03-15T00:00"))),
     "overlaps the period for 8 s only: coverage is not measured over less than 1h"),
])
def test_schedules_that_cannot_be_measured_say_why(state: LiveState, problem: str) -> None:
    policy = load_policy([POLICY]).policy
    assert policy is not None
    primary = policy.schedule("Platform - Primary")
    assert primary is not None
    coverage = measure_schedule(primary, parse_account(state),
                                span("2026-03-02T00:00", "2026-03-09T00:00"),
                                policy.organisation.business_hours)
    assert coverage.result is None
    assert coverage.problem is not None and problem in coverage.problem


WEEKDAYS = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]


@pytest.mark.parametrize(("live_zone", "gaps", "problem"), [
    pytest.param("Eastern Time (US & Canada)", [], None, id="rails-name-of-new-york"),
    pytest.param("Central Time (US & Canada)",
                 [span(f"{day}T22:00", f"{day}T23:00") for day in WEEKDAYS], None,
                 id="rails-name-of-chicago-an-hour-later"),
    pytest.param("Mars/Olympus", None, "time zone 'Mars/Olympus' is not one pdlint knows",
                 id="unknown"),
])
def test_an_undocumented_zone_is_the_schedule_s_own(live_zone: str, gaps: list[Interval] | None,
                                                     problem: str | None) -> None:
    policy = load_policy([POLICY]).policy
    assert policy is not None
    managers = policy.schedule("Engineering Managers")
    assert managers is not None
    live = {**live_schedule("Engineering Managers",
                            [(f"{day}T14:00", f"{day}T22:00") for day in WEEKDAYS]),
            "time_zone": live_zone}
    coverage = measure_schedule(replace(managers, time_zone=None), parse_account(state_of(live)),
                                span("2026-03-02T00:00", "2026-03-09T00:00"),
                                policy.organisation.business_hours)
    assert coverage.time_zone == live_zone
    assert coverage.problem == problem
    assert (None if coverage.result is None else list(coverage.result.gaps)) == gaps


@pytest.mark.parametrize(("window", "note"), [
    pytest.param(Window(utc("2026-03-02T00:00"), utc("2026-03-09T00:00")), None, id="whole"),
    pytest.param(Window(utc("2026-03-05T00:00"), utc("2026-03-20T00:00")),
                 "measured over 2026-03-05T00:00:00Z to 2026-03-09T00:00:00Z only: the schedules "
                 "were rendered over 2026-03-05T00:00:00Z to 2026-03-20T00:00:00Z",
                 id="rendered-from-within"),
    pytest.param(Window(utc("2026-03-08T23:00"), utc("2026-03-20T00:00")),
                 "measured over 2026-03-08T23:00:00Z to 2026-03-09T00:00:00Z only: the schedules "
                 "were rendered over 2026-03-08T23:00:00Z to 2026-03-20T00:00:00Z",
                 id="an-hour-is-measured"),
])
def test_coverage_over_part_of_the_period_says_over_what(window: Window, note: str | None,
                                                         ) -> None:
    policy = load_policy([POLICY]).policy
    assert policy is not None
    primary = policy.schedule("Platform - Primary")
    assert primary is not None
    on_call = [("2026-03-01T00:00", "2026-03-21T00:00")]
    state = state_of(live_schedule("Platform - Primary", on_call), window=window)
    coverage = measure_schedule(primary, parse_account(state),
                                span("2026-03-02T00:00", "2026-03-09T00:00"),
                                policy.organisation.business_hours)
    assert coverage.result is not None and coverage.result.share == 1.0
    assert coverage.note == note
