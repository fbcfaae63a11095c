"""On-call coverage of each documented schedule over the audit period, or why it could not be
measured. The interval arithmetic lives in ``pdlint.coverage``, shared with the drift rule that
reports coverage gaps (SCH201), so that the evidence and the drift check agree on every gap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pdlint.coverage import (
    CoverageResult,
    Interval,
    measure_coverage,
    rendered_entries,
    required_time,
    schedule_zone,
)
from pdlint.findings import Location
from pdlint.pagerduty.state import LiveState, format_utc
from pdlint.policy.model import Hours, Schedule


@dataclass(frozen=True)
class ScheduleCoverage:
    """One documented schedule's coverage over the period, or why it could not be measured."""

    schedule: str
    requirement: str | None
    time_zone: str | None
    location: Location
    schedule_id: str | None
    measured: Interval | None
    """The part of the period the rendered schedule spans (all of it on a live run)."""
    result: CoverageResult | None
    problem: str | None = None


def measure_schedule(schedule: Schedule, state: LiveState, period: Interval,
                     business_hours: Hours) -> ScheduleCoverage:
    """Coverage of a documented schedule by the account's final schedule, rendered over the
    state's window (clipped to ``period``)."""
    requirement = schedule.coverage.value if schedule.coverage else None
    unmeasured = ScheduleCoverage(
        schedule.name, requirement, schedule.time_zone.value if schedule.time_zone else None,
        schedule.location, None, None, None)
    if requirement is None:
        return replace(unmeasured, problem="the policy documents no coverage requirement")
    reason = state.skip_reason("schedules")
    if reason is not None:
        return replace(unmeasured, problem=f"schedules could not be read: {reason}")
    live = (state.by_id("schedules", schedule.id.value) if schedule.id else None) or (
        state.by_name("schedules", schedule.name))
    if live is None:
        shift_based = (state.by_id("schedules_v3", schedule.id.value) if schedule.id else None
                       ) or state.by_name("schedules_v3", schedule.name)
        return replace(unmeasured, problem=(
            "a shift-based (v3) schedule, whose final schedule pdlint does not read"
            if shift_based else "no schedule of this name in the account"))
    zone_name, zone = schedule_zone(unmeasured.time_zone, live, business_hours)
    unmeasured = replace(unmeasured, time_zone=zone_name, schedule_id=live.get("id"))
    if zone is None:
        return replace(unmeasured, problem=f"time zone {zone_name!r} is not one pdlint knows")
    start, end = max(period.start, state.window.since), min(period.end, state.window.until)
    if start >= end:
        return replace(unmeasured, problem=(
            f"the schedules were rendered over {format_utc(state.window.since)} to "
            f"{format_utc(state.window.until)}, outside the period"))
    if not isinstance(live.get("final_schedule"), dict):
        return replace(unmeasured, problem="the account returned no rendered final schedule")
    try:
        on_call = rendered_entries(live["final_schedule"])
    except ValueError as error:
        return replace(unmeasured, problem=f"final_schedule: {error}")
    measured = Interval(start, end)
    result = measure_coverage(required_time(requirement, measured, zone, business_hours),
                              on_call)
    return replace(unmeasured, measured=measured, result=result)
