"""Time a schedule must cover, time someone was on call, and the gaps between: pure interval
arithmetic shared by the drift rule that reports coverage gaps (SCH201), the evidence package's
coverage section and ``pdlint init``, so that all three agree on what a gap is.

Intervals are half-open, ``[start, end)``, and kept in UTC: a shift ending at 09:00 and the next
starting at 09:00 leave no gap. Nothing here reads the network or the clock.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

from pdlint.pagerduty.model import RenderedSchedule
from pdlint.policy.model import Hours
from pdlint.zones import live_zone, zone_named


@dataclass(frozen=True, order=True)
class Interval:
    """``[start, end)`` between two aware datetimes (kept in UTC)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        # Most intervals are made from times already in UTC (a year of shifts is ~10^6 of them).
        if self.start.tzinfo is not timezone.utc:
            object.__setattr__(self, "start", self.start.astimezone(timezone.utc))
        if self.end.tzinfo is not timezone.utc:
            object.__setattr__(self, "end", self.end.astimezone(timezone.utc))
        if self.end < self.start:
            raise ValueError(f"interval ends ({self.end}) before it starts ({self.start})")

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals``: sorted, disjoint, non-touching; empty ones dropped."""
    return merge_spans((interval.start, interval.end) for interval in intervals)


def merge_spans(spans: Iterable[tuple[datetime, datetime]]) -> list[Interval]:
    """``merge`` of ``(start, end)`` pairs: the shifts of a rendered schedule are merged from
    their times, an interval made only for each part of the union (a year of shifts is ~10^6,
    their union ~10^3). Pairs sort and compare in C, intervals in Python."""
    merged: list[Interval] = []
    start = end = None
    for span_start, span_end in sorted(spans):
        if span_start == span_end:
            continue
        if end is not None and span_start <= end:
            end = max(end, span_end)
            continue
        if start is not None and end is not None:
            merged.append(Interval(start, end))
        start, end = span_start, span_end
    if start is not None and end is not None:
        merged.append(Interval(start, end))
    return merged


def subtract(required: Sequence[Interval], covered: Sequence[Interval]) -> list[Interval]:
    """The parts of ``required`` that ``covered`` leaves open; both must be ``merge``d already."""
    if not covered:  # most services have no maintenance to excuse from a year of hours
        return list(required)
    gaps: list[Interval] = []
    index = 0
    for need in required:
        cursor = need.start
        while index < len(covered) and covered[index].end <= cursor:
            index += 1
        probe = index
        while probe < len(covered) and covered[probe].start < need.end:
            if covered[probe].start > cursor:
                gaps.append(Interval(cursor, covered[probe].start))
            cursor = max(cursor, covered[probe].end)
            probe += 1
        if cursor < need.end:
            gaps.append(Interval(cursor, need.end))
    return gaps


class Span(Protocol):
    """Anything that lasts from ``start`` to ``end``: an ``Interval`` (in UTC), or a stretch of
    the paging path judged (``paging.judge.Judged``, its times with the fixed offset PagerDuty
    wrote), which carries its times itself rather than an ``Interval`` made for each of a
    year's ~240,000."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


def total(spans: Iterable[Span]) -> timedelta:
    return sum((span.end - span.start for span in spans), timedelta(0))


def weekly_hours(
    period: Interval, zone: ZoneInfo, days: Iterable[int], start: time, end: time,
) -> list[Interval]:
    """The parts of ``period`` inside a weekly window, e.g. Monday–Friday 09:00–17:00 in ``zone``.

    ``days`` are ISO weekdays (1 = Monday). Local times are placed on each calendar date in
    ``zone``, so a window keeps its wall-clock hours across daylight-saving changes.
    """
    wanted = set(days)
    local_day = period.start.astimezone(zone).date() - timedelta(days=1)
    last_day = period.end.astimezone(zone).date()
    windows: list[Interval] = []
    while local_day <= last_day:
        if local_day.isoweekday() in wanted:
            opens = datetime.combine(local_day, start, tzinfo=zone)
            closes = datetime.combine(local_day + timedelta(days=1 if end <= start else 0), end,
                                      tzinfo=zone)
            clipped_start, clipped_end = max(opens, period.start), min(closes, period.end)
            if clipped_start < clipped_end:
                windows.append(Interval(clipped_start, clipped_end))
        local_day += timedelta(days=1)
    return merge(windows)


@dataclass(frozen=True)
class CoverageResult:
    """How much of the required time was covered, and each gap (sorted, disjoint)."""

    required: timedelta
    covered: timedelta
    gaps: tuple[Interval, ...]

    @property
    def share(self) -> float | None:
        """Covered share of the required time in [0, 1]; None when nothing was required."""
        if not self.required:
            return None
        return self.covered / self.required


def measure_coverage(required: Iterable[Interval], on_call: Iterable[Interval]) -> CoverageResult:
    """Coverage of ``required`` time by ``on_call`` shifts (anyone on call counts as covered)."""
    return _covered(merge(required), merge(on_call))


def measure_rendered(required: Iterable[Interval], rendered: RenderedSchedule) -> CoverageResult:
    """Coverage of ``required`` time by a rendered schedule's shifts, merged once however many
    measures ask (``on_call``)."""
    return _covered(merge(required), on_call(rendered))


def _covered(needed: Sequence[Interval], on_call: Sequence[Interval]) -> CoverageResult:
    gaps = subtract(needed, on_call)
    required_time = total(needed)
    return CoverageResult(required_time, required_time - total(gaps), tuple(gaps))


_ON_CALL: dict[int, tuple[Interval, ...]] = {}
"""``on_call`` of each rendered schedule alive, by identity (a schedule's shifts are a tuple of
~10^3 to hash): SCH201, the evidence's coverage section and ``pdlint init`` measure the same
schedules, and a year of them is ~10^6 shifts to sort and merge."""


def on_call(rendered: RenderedSchedule) -> tuple[Interval, ...]:
    """The time someone is on call in a rendered schedule: its shifts merged (``merge``),
    computed once per schedule and forgotten with it."""
    key = id(rendered)
    merged = _ON_CALL.get(key)
    if merged is None:
        merged = _ON_CALL[key] = tuple(merge_spans((shift.start, shift.end)
                                                   for shift in rendered.shifts))
        weakref.finalize(rendered, _ON_CALL.pop, key, None)
    return merged


def required_time(requirement: str, measured: Interval, zone: ZoneInfo,
                  business_hours: Hours) -> list[Interval]:
    """The time a schedule must be covered: all of it (24x7), or the organisation's business
    days and hours placed in the schedule's time zone."""
    if requirement == "24x7":
        return [measured]
    return weekly_hours(measured, zone, business_hours.days_of_week,
                        business_hours.start.value, business_hours.end.value)


def schedule_zone(documented: str | None, live: str | None,
                  business_hours: Hours) -> tuple[str, ZoneInfo | None]:
    """The time zone a schedule's coverage is counted in, by name, and the zone (None when
    pdlint does not know it): the documented one (an IANA name, as the policy writes zones),
    else PagerDuty's (an IANA or a Rails name), else the organisation's."""
    if documented:
        return documented, zone_named(documented)
    if live:
        return live, live_zone(live)
    return business_hours.time_zone.value, business_hours.zone
