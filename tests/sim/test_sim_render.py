"""Schedule rendering against hand-computed on-call tables (New York local times)."""

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from pdlint.sim.account import Override, Restriction, Schedule, ScheduleLayer
from pdlint.sim.render import coverage_percentage, render_schedule

NY = ZoneInfo("America/New_York")
DAY = 24 * 3600
WEEK = 7 * DAY


def ny(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def layer(users: str, start: datetime, turn: int = WEEK, *restrictions: Restriction,
          end: datetime | None = None, virtual_start: datetime | None = None) -> ScheduleLayer:
    return ScheduleLayer("PLAYER1", "Layer", start, virtual_start or start, turn, tuple(users),
                         restrictions, end)


def schedule(*layers: ScheduleLayer, overrides: tuple[Override, ...] = ()) -> Schedule:
    return Schedule("PSCHED1", "Hand-computed", "America/New_York", layers, "", overrides)


Table = list[tuple[datetime, datetime, str]]

# (case, schedule, since, until, expected final schedule as (start, end, user) in NY time)
CASES: list[tuple[str, Schedule, datetime, datetime, Table]] = [
    ("weekly rotation, Monday 09:00 hand-offs",
     schedule(layer("ABC", ny(2, 2, 9))), ny(2, 2), ny(2, 24),
     [(ny(2, 2, 9), ny(2, 9, 9), "A"), (ny(2, 9, 9), ny(2, 16, 9), "B"),
      (ny(2, 16, 9), ny(2, 23, 9), "C"), (ny(2, 23, 9), ny(2, 24), "A")]),
    ("rotation that began long before the window (virtual start in the past)",
     schedule(layer("ABC", ny(1, 1), DAY, virtual_start=ny(1, 1, year=2025))),
     ny(2, 10), ny(2, 12),
     # 2025-01-01 to 2026-02-10 is 405 days; 405 mod 3 = 0, so A has the 10th.
     [(ny(2, 10), ny(2, 11), "A"), (ny(2, 11), ny(2, 12), "B")]),
    ("daily restriction 09:00-17:00 leaves nights uncovered",
     schedule(layer("AB", ny(2, 2, 9), DAY,
                    Restriction("daily_restriction", time(9), 8 * 3600))),
     ny(2, 2), ny(2, 4),
     [(ny(2, 2, 9), ny(2, 2, 17), "A"), (ny(2, 3, 9), ny(2, 3, 17), "B")]),
    ("weekly restriction across the week boundary: Friday 17:00 to Monday 09:00",
     schedule(layer("AB", ny(2, 2, 9), WEEK,
                    Restriction("weekly_restriction", time(17), 64 * 3600, 5))),
     ny(2, 2), ny(2, 17),
     [(ny(2, 6, 17), ny(2, 9, 9), "A"), (ny(2, 13, 17), ny(2, 16, 9), "B")]),
    ("daylight saving starts (8 March): the hand-off stays at 09:00 local, the week is 167 h",
     schedule(layer("AB", ny(2, 23, 9))), ny(3, 2, 9), ny(3, 16, 9),
     [(ny(3, 2, 9), ny(3, 9, 9), "B"), (ny(3, 9, 9), ny(3, 16, 9), "A")]),
    ("daylight saving ends (1 November): a daily 09:00 hand-off stays local",
     schedule(layer("AB", ny(10, 30, 9), DAY)), ny(10, 31, 9), ny(11, 2, 9),
     [(ny(10, 31, 9), ny(11, 1, 9), "B"), (ny(11, 1, 9), ny(11, 2, 9), "A")]),
    ("an override beats the layer, then the rotation resumes",
     schedule(layer("AB", ny(2, 2, 9)),
              overrides=(Override("POVER1", ny(2, 4, 12), ny(2, 5, 12), "X"),)),
     ny(2, 2, 9), ny(2, 9, 9),
     [(ny(2, 2, 9), ny(2, 4, 12), "A"), (ny(2, 4, 12), ny(2, 5, 12), "X"),
      (ny(2, 5, 12), ny(2, 9, 9), "A")]),
    ("a later layer (business hours) beats an earlier one (24x7)",
     schedule(layer("AB", ny(2, 2, 9)),
              layer("Z", ny(2, 2, 9), DAY, Restriction("daily_restriction", time(9), 8 * 3600))),
     ny(2, 2, 9), ny(2, 3, 9),
     [(ny(2, 2, 9), ny(2, 2, 17), "Z"), (ny(2, 2, 17), ny(2, 3, 9), "A")]),
    ("a layer with an end leaves the time after it uncovered",
     schedule(layer("AB", ny(2, 2, 9), end=ny(2, 5, 9))), ny(2, 2, 9), ny(2, 9, 9),
     [(ny(2, 2, 9), ny(2, 5, 9), "A")]),
    ("a layer that starts inside the window covers nothing before its start",
     schedule(layer("AB", ny(2, 4, 9))), ny(2, 2, 9), ny(2, 9, 9),
     [(ny(2, 4, 9), ny(2, 9, 9), "A")]),
]


@pytest.mark.parametrize(("schedule_", "since", "until", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_final_schedule_matches_the_hand_computed_table(
    schedule_: Schedule, since: datetime, until: datetime, expected: Table,
) -> None:
    final = render_schedule(schedule_, since, until).final
    assert [(entry.start, entry.end, entry.user_id) for entry in final] == expected


def test_the_dst_week_is_an_hour_shorter() -> None:
    final = render_schedule(schedule(layer("AB", ny(2, 23, 9))), ny(3, 2, 9), ny(3, 9, 9)).final
    assert [(entry.end - entry.start).total_seconds() / 3600 for entry in final] == [167]


@pytest.mark.parametrize(("schedule_", "since", "until", "percentage"), [
    (schedule(layer("AB", ny(2, 2, 9))), ny(2, 2, 9), ny(2, 9, 9), 100.0),
    (schedule(layer("AB", ny(2, 2, 9), DAY,
                    Restriction("daily_restriction", time(9), 8 * 3600))),
     ny(2, 2), ny(2, 9), 33.33),
    # Saturday 00:00-08:00 uncovered: 8 h of 168 h.
    (schedule(layer("AB", ny(2, 2, 9), WEEK,
                    Restriction("weekly_restriction", time(8), WEEK - 8 * 3600, 6))),
     ny(2, 2, 9), ny(2, 9, 9), 95.24),
    # The layer starts at 09:00: the 9 hours before it are uncovered as well.
    (schedule(layer("AB", ny(2, 2, 9), WEEK,
                    Restriction("weekly_restriction", time(8), WEEK - 8 * 3600, 6))),
     ny(2, 2), ny(2, 9), 89.88),
    (schedule(layer("AB", ny(3, 1))), ny(2, 1), ny(2, 8), 0.0),
])
def test_coverage_percentage(schedule_: Schedule, since: datetime, until: datetime,
                             percentage: float) -> None:
    final = render_schedule(schedule_, since, until).final
    assert coverage_percentage(final, since, until) == percentage


def test_overflow_returns_whole_shifts() -> None:
    rendered = render_schedule(schedule(layer("AB", ny(2, 2, 9), DAY)), ny(2, 3, 10),
                               ny(2, 3, 14), overflow=True)
    assert [(entry.start, entry.end, entry.user_id) for entry in rendered.final] == [
        (ny(2, 3, 9), ny(2, 4, 9), "B")]
    clipped = render_schedule(schedule(layer("AB", ny(2, 2, 9), DAY)), ny(2, 3, 10),
                              ny(2, 3, 14))
    assert [(entry.start, entry.end) for entry in clipped.final] == [(ny(2, 3, 10), ny(2, 3, 14))]


def test_layers_and_overrides_are_rendered_separately() -> None:
    rendered = render_schedule(
        schedule(layer("AB", ny(2, 2, 9)), layer("Z", ny(2, 2, 9), DAY,
                                                 Restriction("daily_restriction", time(9), 3600)),
                 overrides=(Override("POVER1", ny(2, 2, 12), ny(2, 2, 13), "X"),)),
        ny(2, 2, 9), ny(2, 2, 15))
    assert [[entry.user_id for entry in entries] for entries in rendered.layers] == [["A"], ["Z"]]
    assert [(entry.start, entry.user_id) for entry in rendered.overrides] == [(ny(2, 2, 12), "X")]
    assert [entry.user_id for entry in rendered.final] == ["Z", "A", "X", "A"]


def test_entries_are_utc_whatever_the_schedule_zone() -> None:
    rendered = render_schedule(
        schedule(layer("AB", ny(2, 2, 9), end=ny(2, 2, 20)),
                 overrides=(Override("POVER1", ny(2, 2, 10), ny(2, 2, 11), "X"),)),
        ny(2, 2), ny(2, 3))
    entries = [*rendered.final, *rendered.overrides, *rendered.layers[0]]
    assert {bound.tzinfo for entry in entries for bound in (entry.start, entry.end)} == {
        timezone.utc}
