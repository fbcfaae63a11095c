"""Schedule rendering: who is on call when, from layers, restrictions and overrides.

The model follows PagerDuty's documented behaviour:

* a layer's turn ``k`` starts at ``rotation_virtual_start + k × rotation_turn_length_seconds`` and
  belongs to ``users[k mod n]``; the arithmetic is done in the schedule's local wall-clock time,
  so a weekly hand-off at Monday 09:00 stays at 09:00 across a daylight-saving change (that week
  is an hour shorter or longer);
* restrictions (daily, or weekly from a weekday) are local times; outside them the layer is
  silent, and the user whose turn it is stays the same;
* a layer is on call only between its ``start`` and ``end``;
* later layers take precedence over earlier ones, overrides over every layer;
* the final schedule leaves gaps out; coverage is the covered share of the window, in percent.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pdlint.sim.account import (
    Override,
    Restriction,
    Schedule,
    ScheduleLayer,
    ShiftEvent,
    V3Schedule,
)

WEEK = timedelta(days=7)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Entry:
    """One stretch of on-call time: ``[start, end)`` belongs to ``user_id``."""

    start: datetime
    end: datetime
    user_id: str


@dataclass(frozen=True)
class RenderedSchedule:
    """What ``GET /schedules/{id}`` renders for a window: each layer, the overrides, the final."""

    layers: tuple[tuple[Entry, ...], ...]
    overrides: tuple[Entry, ...]
    final: tuple[Entry, ...]


def render_schedule(
    schedule: Schedule, since: datetime, until: datetime, *, overflow: bool = False
) -> RenderedSchedule:
    """Render ``schedule`` over ``[since, until)``.

    Entries are clipped to the window unless ``overflow``, in which case an entry that crosses a
    bound is returned whole, as the API does with ``overflow=true``.
    """
    zone = schedule.zone
    since, until = since.astimezone(timezone.utc), until.astimezone(timezone.utc)
    pad = _overflow_pad(schedule) if overflow else timedelta(0)
    wide_since, wide_until = since - pad, until + pad
    layers = tuple(
        render_layer(layer, zone, wide_since, wide_until) for layer in schedule.layers
    )
    overrides = render_overrides(schedule.overrides, wide_since, wide_until)
    final: list[Entry] = []
    for layer_entries in layers:
        final = overlay(final, layer_entries)
    final = _merge_neighbours(overlay(final, overrides))

    def in_window(entries: Sequence[Entry]) -> tuple[Entry, ...]:
        if overflow:
            return tuple(entry for entry in entries if entry.end > since and entry.start < until)
        return clip(entries, since, until)

    return RenderedSchedule(
        layers=tuple(in_window(entries) for entries in layers),
        overrides=in_window(overrides),
        final=in_window(final),
    )


def render_layer(
    layer: ScheduleLayer, zone: ZoneInfo, since: datetime, until: datetime
) -> tuple[Entry, ...]:
    """The layer's own entries in ``[since, until)``, adjacent turns of one user merged."""
    start = max(since, layer.start).astimezone(timezone.utc)
    end = (until if layer.end is None else min(until, layer.end)).astimezone(timezone.utc)
    if start >= end or not layer.user_ids:
        return ()
    if layer.restrictions:
        allowed = clip(_restriction_intervals(layer.restrictions, zone, start, end), start, end)
    else:
        allowed = (Entry(start, end, ""),)
    entries: list[Entry] = []
    rotation = _Rotation(layer, zone)
    for interval in allowed:
        entries.extend(rotation.split(interval.start, interval.end))
    return tuple(_merge_neighbours(entries))


def render_overrides(
    overrides: Iterable[Override], since: datetime, until: datetime
) -> tuple[Entry, ...]:
    """Overrides in the window; where two overlap, the one starting later wins."""
    entries: list[Entry] = []
    for override in sorted(overrides, key=lambda override: override.start):
        if override.end > since and override.start < until:
            entries = overlay(entries, [Entry(override.start.astimezone(timezone.utc),
                                              override.end.astimezone(timezone.utc),
                                              override.user_id)])
    return clip(entries, since, until)


def coverage_percentage(entries: Iterable[Entry], since: datetime, until: datetime) -> float:
    """The share of ``[since, until)`` covered by (non-overlapping) entries, in percent."""
    window = (until - since).total_seconds()
    if window <= 0:
        return 0.0
    covered = sum(
        (min(entry.end, until) - max(entry.start, since)).total_seconds()
        for entry in entries
        if entry.end > since and entry.start < until
    )
    return round(100 * covered / window, 2)


def overlay(base: Sequence[Entry], top: Sequence[Entry]) -> list[Entry]:
    """``top`` painted over ``base`` (both sorted, each without overlaps): top wins where both."""
    if not top:
        return list(base)
    top_starts = [entry.start for entry in top]
    result: list[Entry] = list(top)
    for entry in base:
        cursor = entry.start
        first = max(bisect.bisect_right(top_starts, entry.start) - 1, 0)
        for covering in top[first:]:
            if covering.start >= entry.end:
                break
            if covering.end <= cursor:
                continue
            if covering.start > cursor:
                result.append(Entry(cursor, covering.start, entry.user_id))
            cursor = max(cursor, covering.end)
        if cursor < entry.end:
            result.append(Entry(cursor, entry.end, entry.user_id))
    result.sort(key=lambda entry: entry.start)
    return result


def clip(entries: Iterable[Entry], since: datetime, until: datetime) -> tuple[Entry, ...]:
    return tuple(
        Entry(max(entry.start, since), min(entry.end, until), entry.user_id)
        for entry in entries
        if entry.end > since and entry.start < until
    )


class _Rotation:
    """Turn arithmetic of one layer in local wall-clock time."""

    def __init__(self, layer: ScheduleLayer, zone: ZoneInfo) -> None:
        self.zone = zone
        self.users = layer.user_ids
        self.turn = timedelta(seconds=layer.rotation_turn_length_seconds)
        self.origin = _wall(layer.rotation_virtual_start, zone)

    def boundary(self, turn_index: int) -> datetime:
        return _localise(self.origin + turn_index * self.turn, self.zone)

    def turn_at(self, moment: datetime) -> int:
        index = (_wall(moment, self.zone) - self.origin) // self.turn
        # Ambiguous wall-clock hours (autumn) can put the estimate one turn off; settle it exactly.
        while self.boundary(index) > moment:
            index -= 1
        while self.boundary(index + 1) <= moment:
            index += 1
        return index

    def split(self, start: datetime, end: datetime) -> Iterable[Entry]:
        index = self.turn_at(start)
        cursor = start
        while cursor < end:
            turn_end = min(self.boundary(index + 1), end)
            if turn_end > cursor:
                yield Entry(cursor, turn_end, self.users[index % len(self.users)])
                cursor = turn_end
            index += 1


def _restriction_intervals(
    restrictions: Iterable[Restriction], zone: ZoneInfo, since: datetime, until: datetime
) -> list[Entry]:
    """The union of the restrictions' occurrences that touch ``[since, until)``, sorted."""
    first_day = _wall(since, zone).date() - WEEK
    last_day = _wall(until, zone).date() + DAY
    occurrences: list[tuple[datetime, datetime]] = []
    for restriction in restrictions:
        length = timedelta(seconds=restriction.duration_seconds)
        day = first_day
        while day <= last_day:
            if (restriction.kind == "daily_restriction"
                    or day.isoweekday() == restriction.start_day_of_week):
                wall_start = datetime.combine(day, restriction.start_time_of_day)
                start = _localise(wall_start, zone)
                end = _localise(wall_start + length, zone)
                if end > since and start < until:
                    occurrences.append((start, end))
            day += DAY
    occurrences.sort()
    merged: list[Entry] = []
    for start, end in occurrences:
        if merged and start <= merged[-1].end:
            if end > merged[-1].end:
                merged[-1] = Entry(merged[-1].start, end, "")
        else:
            merged.append(Entry(start, end, ""))
    return merged


def _merge_neighbours(entries: Iterable[Entry]) -> list[Entry]:
    merged: list[Entry] = []
    for entry in entries:
        if merged and merged[-1].user_id == entry.user_id and merged[-1].end == entry.start:
            merged[-1] = Entry(merged[-1].start, entry.end, entry.user_id)
        else:
            merged.append(entry)
    return merged


def _overflow_pad(schedule: Schedule) -> timedelta:
    """How far past the window a whole shift may reach: the longest turn, at least a week."""
    longest = max(
        (layer.rotation_turn_length_seconds for layer in schedule.layers), default=0
    )
    return max(timedelta(seconds=longest), WEEK)


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock reading of an aware moment."""
    return moment.astimezone(zone).replace(tzinfo=None)


def _localise(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC moment of a local wall-clock reading (a skipped hour resolves forward).

    Entries are kept in UTC because Python compares and subtracts two datetimes of the same
    zone by their wall-clock readings, which is wrong across a daylight-saving change.
    """
    return wall.replace(tzinfo=zone).astimezone(timezone.utc)


@dataclass(frozen=True)
class Assignment:
    """A computed shift of a shift-based schedule: ``user_id`` None is an empty member (a gap
    the final schedule shows); ``rotation_id`` says where it came from."""

    start: datetime
    end: datetime
    user_id: str | None
    rotation_id: str | None


def render_shift_based(schedule: V3Schedule, since: datetime, until: datetime, *,
                       overflow: bool = False) -> list[Assignment]:
    """The computed shift assignments of ``schedule`` over ``[since, until)``, gaps as empty
    members, clipped to the window unless ``overflow``. Shifts repeat in local wall-clock time,
    as layers hand over (a daily 09:00 shift stays at 09:00 across a daylight-saving change)."""
    zone = schedule.zone
    since, until = since.astimezone(timezone.utc), until.astimezone(timezone.utc)
    shifts: list[Assignment] = []
    for rotation_id, events in schedule.rotations:
        for event in events:
            shifts.extend(_event_shifts(event, rotation_id, zone, since, until))
    shifts.sort(key=lambda shift: (shift.start, shift.user_id or ""))
    found: list[Assignment] = []
    cursor = since
    for shift in shifts:
        if shift.start > cursor:
            found.append(Assignment(cursor, shift.start, None, None))
        found.append(shift if overflow else Assignment(
            max(shift.start, since), min(shift.end, until), shift.user_id, shift.rotation_id))
        cursor = max(cursor, shift.end)
    if cursor < until:
        found.append(Assignment(cursor, until, None, None))
    return found


def _event_shifts(event: ShiftEvent, rotation_id: str, zone: ZoneInfo, since: datetime,
                  until: datetime) -> list[Assignment]:
    first = event.start.astimezone(zone).replace(tzinfo=None)
    length = event.end - event.start
    effective_until = event.effective_until or until
    found: list[Assignment] = []
    number = max(0, (since - event.start - length) // event.period)
    while True:
        start = (first + number * event.period).replace(tzinfo=zone).astimezone(timezone.utc)
        if start >= until or start >= effective_until:
            return found
        end = start + length
        if end > since:
            members = (event.member_ids if not event.rotating else (event.member_ids[
                (number // event.shifts_per_member) % len(event.member_ids)],))
            found.extend(Assignment(start, end, member, rotation_id) for member in members)
        number += 1


def shift_coverage(assignments: Iterable[Assignment], since: datetime, until: datetime) -> float:
    """The share of the window someone is on call, in percent (overlaps counted once)."""
    return coverage_percentage([Entry(shift.start, shift.end, "")
                                for shift in _merged(assignments)], since, until)


def _merged(assignments: Iterable[Assignment]) -> list[Assignment]:
    merged: list[Assignment] = []
    for shift in sorted((shift for shift in assignments if shift.user_id is not None),
                        key=lambda shift: shift.start):
        if merged and shift.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Assignment(last.start, max(last.end, shift.end), last.user_id, None)
        else:
            merged.append(shift)
    return merged
