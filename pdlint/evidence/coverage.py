"""On-call coverage of each documented schedule over the audit period, or why it could not be
measured. The interval arithmetic lives in ``pdlint.coverage``, shared with the drift rule that
reports coverage gaps (SCH201), so that the evidence and the drift check agree on every gap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from pdlint.coverage import (
    CoverageResult,
    Interval,
    measure_rendered,
    required_time,
    schedule_zone,
)
from pdlint.findings import Location
from pdlint.pagerduty.model import Account
from pdlint.pagerduty.model import Schedule as LiveSchedule
from pdlint.pagerduty.state import format_utc
from pdlint.policy.model import Hours, Schedule, format_duration

MIN_MEASURED = timedelta(hours=1)
"""The least overlap of the period and the rendered window that coverage is measured over: a
shorter one (a snapshot taken near the period's end, whose rendering starts then) would report
a share over minutes as if it were the period's."""


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
    note: str | None = None
    """Why the figures cover less than the period, when they do (the rendered window is
    shorter): a share over part of it must not read as the period's."""
    time_zone_documented_at: Location | None = None
    """The policy line of ``time_zone`` (the schedule's, or the organisation's when neither the
    policy nor PagerDuty gives the schedule one); None when it is the schedule's in PagerDuty."""

    @property
    def time_zone_source(self) -> str | None:
        """Where ``time_zone`` comes from, in words: the zone is not always the policy's."""
        if self.time_zone is None:
            return None
        if self.time_zone_documented_at is None:
            return "the schedule's time zone in PagerDuty"
        return f"documented at {self.time_zone_documented_at}"


def _zone_documented_at(schedule: Schedule, live: LiveSchedule,
                        business_hours: Hours) -> Location | None:
    """The policy line ``schedule_zone`` took the zone from (the same order), or None for the
    schedule's own zone in PagerDuty."""
    if schedule.time_zone:
        return schedule.time_zone.location
    if live.time_zone:
        return None
    return business_hours.time_zone.location


def measure_schedule(schedule: Schedule, account: Account, period: Interval,
                     business_hours: Hours) -> ScheduleCoverage:
    """Coverage of a documented schedule by the account's final schedule, rendered over the
    state's window (clipped to ``period``)."""
    requirement = schedule.coverage.value if schedule.coverage else None
    unmeasured = ScheduleCoverage(
        schedule.name, requirement, schedule.time_zone.value if schedule.time_zone else None,
        schedule.location, None, None, None)
    if requirement is None:
        return replace(unmeasured, problem="the policy documents no coverage requirement")
    reason = account.schedules.skip_reason
    if reason is not None:
        return replace(unmeasured, problem=f"schedules could not be read: {reason}")
    pinned = schedule.id.value if schedule.id else None
    live: LiveSchedule | None = (account.schedules.by_id(pinned)
                                 or account.schedules.by_name(schedule.name)
                                 or account.shift_based_schedules.by_id(pinned)
                                 or account.shift_based_schedules.by_name(schedule.name))
    if live is None:
        return replace(unmeasured, problem="no schedule of this name in the account")
    zone_name, zone = schedule_zone(unmeasured.time_zone, live.time_zone, business_hours)
    unmeasured = replace(unmeasured, time_zone=zone_name, schedule_id=live.id,
                         time_zone_documented_at=_zone_documented_at(schedule, live,
                                                                     business_hours))
    if zone is None:
        return replace(unmeasured, problem=f"time zone {zone_name!r} is not one pdlint knows")
    window = account.window
    start, end = max(period.start, window.since), min(period.end, window.until)
    rendered = (f"the schedules were rendered over {format_utc(window.since)} to "
                f"{format_utc(window.until)}")
    if start >= end:
        return replace(unmeasured, problem=f"{rendered}, outside the period")
    if end - start < MIN_MEASURED:
        return replace(unmeasured, problem=(
            f"{rendered}, which overlaps the period for {(end - start).total_seconds():g} s "
            f"only: coverage is not measured over less than {format_duration(MIN_MEASURED)}"))
    final = live.final_schedule
    if final is None:
        return replace(unmeasured, problem="the account returned no rendered final schedule")
    if final.problem is not None:
        return replace(unmeasured, problem=f"final_schedule: {final.problem}")
    measured = Interval(start, end)
    result = measure_rendered(required_time(requirement, measured, zone, business_hours), final)
    note = (None if measured == period else
            f"measured over {format_utc(start)} to {format_utc(end)} only: {rendered}")
    return replace(unmeasured, measured=measured, result=result, note=note)
