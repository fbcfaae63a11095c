"""SCH rules on a small policy against live schedules shaped as ``GET /schedules`` lists them
(layers and final schedule rendered over the window), and on the demo account.

Each case changes one live schedule of an account that otherwise matches the policy, runs one
rule, and asserts its exact findings: (rule, resource name, expected, actual, line of case.yaml).
The window is two weeks from Monday 2026-03-02 12:00 UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rule_cases import (
    EXAMPLE_POLICY,
    TODAY,
    WINDOW,
    Json,
    context_of,
    entry,
    live_state,
    ref,
    schedule,
    schedule_layer,
    summary,
    user,
)

from pdlint.coverage import Interval
from pdlint.findings import Severity
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState, format_utc
from pdlint.policy import load_policy
from pdlint.policy.model import Policy
from pdlint.rule import Rule
from pdlint.rules import schedules as schedule_rules
from pdlint.rules.engine import drift
from pdlint.rules.schedules import (
    check_coverage_gap,
    check_inactive_participant,
    check_missing,
    check_rotation,
)

DOCUMENTED = """\
schedules:
  - name: Primary
    time_zone: Europe/London
    coverage: 24x7
    rotation_length: 7d
    min_participants: 3
  - name: Office
    coverage: business_hours
  - name: Pinned
    id: PC00009
    coverage: 24x7
    min_participants: 1
"""
"""Primary's values are on lines 4-6, Office's coverage on line 8, Pinned's on lines 11-12."""

ANN, BOB, CAT, DAN, EVE = (ref("user", f"PU0000{number}", name) for number, name in enumerate(
    ("Ann Archer", "Bob Baker", "Cat Cole", "Dan Dunn", "Eve Ellis"), start=1))
USERS = [user(person["id"], person["summary"], f"{person['summary'].split()[0].lower()}@ex.com")
         for person in (ANN, BOB, CAT, DAN)]
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
END = WINDOW.until


def without_key(obj: Json, key: str) -> Json:
    """``obj`` as PagerDuty returns it without ``key``."""
    return {name: value for name, value in obj.items() if name != key}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def covering(*spans: tuple[str, str], who: Json = ANN) -> list[Json]:
    """Rendered entries over ``spans`` (UTC, minutes), all on call by ``who``."""
    return [entry(utc(start), utc(end), who) for start, end in spans]


WHOLE_WINDOW = [entry(WINDOW.since, WINDOW.until, ANN)]
# Office hours Monday-Friday 09:00-17:00 in New York (EST until 8 March, EDT after).
NEW_YORK_OFFICE = covering(*[(f"2026-03-{day:02d}T14:00", f"2026-03-{day:02d}T22:00")
                             for day in (2, 3, 4, 5, 6)],
                           *[(f"2026-03-{day:02d}T13:00", f"2026-03-{day:02d}T21:00")
                             for day in (9, 10, 11, 12, 13)])


def primary(*, layers: Sequence[Json] | None = None,
            final: Sequence[Json] = WHOLE_WINDOW, **changes: Any) -> Json:
    layer = schedule_layer("PL00001", [ANN, BOB, CAT], start=EPOCH)
    return schedule("PC00001", "Primary", **{"layers": [layer] if layers is None else layers,
                                             "final_entries": final, **changes})


def office(*, final: Sequence[Json] = NEW_YORK_OFFICE, **changes: Any) -> Json:
    layer = schedule_layer("PL00002", [DAN], start=EPOCH, turn=timedelta(days=1))
    return schedule("PC00002", "Office", **{"time_zone": "America/New_York", "layers": [layer],
                                            "final_entries": final, **changes})


def pinned(**changes: Any) -> Json:
    layer = schedule_layer("PL00003", [DAN], start=EPOCH)
    return schedule("PC00009", "Pinned", **{"layers": [layer], "final_entries": WHOLE_WINDOW,
                                            **changes})


def state_of(*schedules: Json, users: Sequence[Json] = USERS, skipped: Sequence[str] = (),
             schedules_v3: Sequence[Json] = ()) -> LiveState:
    """The account with ``schedules`` replacing the ones of the same id."""
    replaced = {obj["id"] for obj in schedules}
    chosen = [*schedules, *(obj for obj in (primary(), office(), pinned())
                            if obj["id"] not in replaced)]
    return live_state(schedules=chosen, users=users, skipped=skipped, schedules_v3=schedules_v3)


def without(schedule_id: str, **options: Any) -> LiveState:
    return live_state(schedules=[obj for obj in (primary(), office(), pinned())
                                 if obj["id"] != schedule_id], users=USERS, **options)


def run(check: Rule, policy: Policy, state: LiveState) -> list[tuple[Any, ...]]:
    return sorted((summary(finding) for finding in check.check(context_of(policy, state))),
                  key=repr)


def messages(check: Rule, policy: Policy, state: LiveState) -> list[str]:
    return [finding.message for finding in check.check(context_of(policy, state))]


@pytest.fixture
def policy(make_policy: Callable[[str], Policy]) -> Policy:
    return make_policy(DOCUMENTED)


SCHEDULE_RULES = [value for value in vars(schedule_rules).values() if isinstance(value, Rule)]


def test_the_matching_account_is_clean(policy: Policy) -> None:
    assert len(SCHEDULE_RULES) == 4
    assert [summary(finding) for check in SCHEDULE_RULES
            for finding in check.check(context_of(policy, state_of()))] == []  # type: ignore[misc]


@pytest.mark.parametrize("check", SCHEDULE_RULES, ids=lambda check: check.id)
def test_unread_schedules_report_nothing(policy: Policy, check: Rule) -> None:
    """Schedules that were not fetched are neither missing nor drifted: the run says skipped."""
    assert run(check, policy, live_state(users=USERS, skipped=["schedules"])) == []


# -- SCH200 missing / undocumented -----------------------------------------------------------

V3_PINNED = {"id": "PC00009", "type": "schedule_v3_reference", "summary": "Pinned",
             "self": "https://api.pagerduty.com/v3/schedules/PC00009", "html_url": None}


@pytest.mark.parametrize(("state", "expected", "message"), [
    pytest.param(without("PC00001"), [("SCH200", "Primary", "Primary", None, 2)],
                 "schedule 'Primary' is documented but not in PagerDuty", id="missing"),
    pytest.param(state_of({**primary(), "name": "Primery"}),
                 [("SCH200", "Primary", "Primary", "Primery", 2)], None,
                 id="renamed-by-similarity"),
    pytest.param(state_of({**pinned(), "name": "Night shift"}),
                 [("SCH200", "Pinned", "Pinned", "Night shift", 9)], None,
                 id="renamed-pinned-id"),
    pytest.param(state_of(schedule("PC00005", "Weekend")),
                 [("SCH200", "Weekend", None, "Weekend", None)],
                 "schedule 'Weekend' (PC00005) is in PagerDuty but not documented",
                 id="undocumented"),
    pytest.param(without("PC00009", schedules_v3=[V3_PINNED]), [], None,
                 id="documented-shift-based"),
    pytest.param(without("PC00001", schedules_v3=[{**V3_PINNED, "id": "PC00007",
                                                    "summary": "Rota"}]),
                 [("SCH200", "Primary", "Primary", None, 2),
                  ("SCH200", "Rota", None, "Rota", None)], None, id="undocumented-shift-based"),
    pytest.param(without("PC00001", skipped=["schedules_v3"]), [], None,
                 id="shift-based-not-read-nothing-missing"),
])
def test_missing(policy: Policy, state: LiveState, expected: list[tuple[Any, ...]],
                 message: str | None) -> None:
    assert run(check_missing, policy, state) == expected
    if message is not None:
        assert messages(check_missing, policy, state) == [message]


def test_undocumented_schedules_are_warnings(policy: Policy) -> None:
    state = state_of(schedule("PC00005", "Weekend"), {**primary(), "name": "Primery"})
    severities = {finding.resource.name: finding.severity
                  for finding in check_missing.check(context_of(policy, state))}
    assert severities == {"Weekend": Severity.WARNING, "Primary": Severity.ERROR}


# -- SCH201 coverage-gap ---------------------------------------------------------------------

SATURDAY_GAP = covering(("2026-03-02T12:00", "2026-03-07T00:00"),
                        ("2026-03-07T08:00", "2026-03-16T12:00"))
HOURLY_GAPS = covering(*[(f"2026-03-03T{hour:02d}:00", f"2026-03-03T{hour:02d}:30")
                         for hour in range(13)], ("2026-03-03T13:00", "2026-03-16T12:00"))
"""Covered only on the hour for half an hour on 3 March until 13:00: 13 gaps, and the day
before the first shift uncovered."""


def gap(line: int, *spans: tuple[str, str], name: str = "Office") -> tuple[Any, ...]:
    """An SCH201 finding of the gaps ``spans`` (one gap, or one recurring weekly)."""
    return ("SCH201", name, "business_hours" if name == "Office" else "24x7",
            [{"start": f"{start}:00Z", "end": f"{end}:00Z"} for start, end in spans], line)


@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(primary(final=SATURDAY_GAP)),
                 [gap(4, ("2026-03-07T00:00", "2026-03-07T08:00"), name="Primary")],
                 id="one-gap"),
    pytest.param(state_of(primary(final=covering(("2026-03-02T12:00", "2026-03-09T00:00"),
                                                 ("2026-03-09T00:00", "2026-03-16T12:00"),
                                                 who=BOB))), [], id="hand-over-leaves-no-gap"),
    pytest.param(state_of(office(final=NEW_YORK_OFFICE[1:])),
                 [gap(8, ("2026-03-02T14:00", "2026-03-02T22:00"))],
                 id="business-hours-in-the-live-time-zone"),
    pytest.param(state_of(office(time_zone="Eastern Time (US & Canada)")), [],
                 id="business-hours-in-a-rails-time-zone"),
    pytest.param(state_of(office(time_zone="Eastern Time (US & Canada)",
                                 final=NEW_YORK_OFFICE[1:])),
                 [gap(8, ("2026-03-02T14:00", "2026-03-02T22:00"))],
                 id="gap-in-a-rails-time-zone"),
    pytest.param(state_of(office(time_zone="Central Time (US & Canada)")),
                 [gap(8, (f"2026-03-{day:02d}T22:00", f"2026-03-{day:02d}T23:00"),
                      (f"2026-03-{day + 7:02d}T21:00", f"2026-03-{day + 7:02d}T22:00"))
                  for day in (2, 3, 4, 5, 6)],
                 id="business-hours-an-hour-later-in-rails-central-time"),
    pytest.param(state_of(office(time_zone="America/Chicago")),
                 # 16:00-17:00 Chicago every weekday: one finding per weekday, each twice,
                 # at 22:00Z before and 21:00Z after the US change to summer time.
                 [gap(8, (f"2026-03-{day:02d}T22:00", f"2026-03-{day:02d}T23:00"),
                      (f"2026-03-{day + 7:02d}T21:00", f"2026-03-{day + 7:02d}T22:00"))
                  for day in (2, 3, 4, 5, 6)],
                 id="business-hours-an-hour-later-in-chicago"),
])
def test_coverage_gap(policy: Policy, state: LiveState, expected: list[tuple[Any, ...]]) -> None:
    assert run(check_coverage_gap, policy, state) == sorted(expected, key=repr)


def test_a_gap_is_told_in_utc_and_local_time(policy: Policy) -> None:
    state = state_of(office(final=NEW_YORK_OFFICE[:-1]))
    assert messages(check_coverage_gap, policy, state) == [
        "nobody is on call from 2026-03-13T13:00:00Z to 2026-03-13T21:00:00Z (Friday "
        "2026-03-13T09:00:00-04:00 to Friday 2026-03-13T17:00:00-04:00 America/New_York): 8h "
        "uncovered in the documented business_hours coverage"]


def test_a_gap_is_told_in_the_time_zone_pagerduty_names(policy: Policy) -> None:
    state = state_of(office(time_zone="Eastern Time (US & Canada)", final=NEW_YORK_OFFICE[:-1]))
    assert messages(check_coverage_gap, policy, state) == [
        "nobody is on call from 2026-03-13T13:00:00Z to 2026-03-13T21:00:00Z (Friday "
        "2026-03-13T09:00:00-04:00 to Friday 2026-03-13T17:00:00-04:00 Eastern Time (US & "
        "Canada)): 8h uncovered in the documented business_hours coverage"]


def test_a_weekly_gap_is_told_once(policy: Policy) -> None:
    state = state_of(office(time_zone="America/Chicago"))
    assert messages(check_coverage_gap, policy, state)[0] == (
        "nobody is on call on Mondays 16:00-17:00 America/Chicago, 2 times in the checked "
        "window (2026-03-02, 2026-03-09): 1h each time, 2h in all uncovered in the documented "
        "business_hours coverage")


def test_many_gaps_are_counted_after_the_tenth(policy: Policy) -> None:
    state = state_of(primary(final=HOURLY_GAPS))
    found = list(check_coverage_gap.check(context_of(policy, state)))
    assert [finding.actual for finding in found[:2]] == [
        [{"start": "2026-03-02T12:00:00Z", "end": "2026-03-03T00:00:00Z"}],
        [{"start": "2026-03-03T00:30:00Z", "end": "2026-03-03T01:00:00Z"}]]
    assert len(found) == 11
    assert found[-1].actual == {"more_gaps": 4, "start": "2026-03-03T09:30:00Z",
                                "end": "2026-03-03T13:00:00Z"}
    assert found[-1].message == (
        "and 4 more gaps from 2026-03-03T09:30:00Z to 2026-03-03T13:00:00Z, 2h in all, in the "
        "documented 24x7 coverage")


@pytest.mark.parametrize(("state", "reason"), [
    pytest.param(state_of({**primary(), "final_schedule": None}),
                 "PagerDuty returned no rendered final schedule", id="not-rendered"),
    pytest.param(state_of(primary(final=[{"start": "soon", "end": "later"}])),
                 "its final schedule cannot be read: rendered_schedule_entries[0].start is "
                 "'soon', not an ISO 8601 time with a time zone", id="unreadable-entry"),
    pytest.param(state_of(office(time_zone="Eastern Standard Time")),
                 "its time zone 'Eastern Standard Time' is not one pdlint knows",
                 id="unknown-time-zone"),
    pytest.param(without("PC00009", schedules_v3=[V3_PINNED]),
                 "PagerDuty returned no rendered final schedule", id="shift-based-listed-only"),
])
def test_coverage_that_cannot_be_checked_is_a_warning(policy: Policy, state: LiveState,
                                                      reason: str) -> None:
    [finding] = check_coverage_gap.check(context_of(policy, state))
    assert finding.message == f"coverage not checked: {reason}"
    assert finding.severity is Severity.WARNING


# -- SCH202 rotation -------------------------------------------------------------------------

ENDED = schedule_layer("PL00004", [EVE], start=EPOCH, end=EPOCH + timedelta(days=7),
                       turn=timedelta(days=1))
LATER = schedule_layer("PL00005", [DAN], start=END + timedelta(days=1), turn=timedelta(days=1))


@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(primary(layers=[schedule_layer("PL00001", [ANN, BOB, CAT],
                                                         start=EPOCH, turn=timedelta(days=1))])),
                 [("SCH202", "Primary", "7d", "1d", 5)], id="turn-length"),
    pytest.param(state_of(primary(layers=[schedule_layer("PL00001", [ANN, BOB, CAT], start=EPOCH,
                                                         turn=timedelta(seconds=3601))])),
                 [("SCH202", "Primary", "7d", "3601s", 5)], id="turn-not-whole-minutes"),
    pytest.param(state_of(primary(layers=[schedule_layer("PL00001", [ANN, BOB, ANN],
                                                         start=EPOCH)])),
                 [("SCH202", "Primary", 3, 2, 6)], id="too-few-people"),
    pytest.param(state_of(primary(layers=[schedule_layer("PL00001", [ANN, BOB], start=EPOCH),
                                          schedule_layer("PL00002", [CAT], start=EPOCH)])),
                 [], id="people-counted-over-layers"),
    pytest.param(state_of(primary(layers=[schedule_layer("PL00001", [ANN, BOB, CAT],
                                                         start=EPOCH), ENDED, LATER])),
                 [], id="layers-not-in-force-not-compared"),
    pytest.param(state_of(primary(layers=[schedule_layer("PL00001", [ANN, BOB], start=EPOCH),
                                          ENDED])),
                 [("SCH202", "Primary", 3, 2, 6)], id="ended-layer-people-not-counted"),
])
def test_rotation(policy: Policy, state: LiveState, expected: list[tuple[Any, ...]]) -> None:
    assert run(check_rotation, policy, state) == expected


def test_rotation_messages(policy: Policy) -> None:
    state = state_of(primary(layers=[schedule_layer("PL00001", [ANN], start=EPOCH,
                                                    turn=timedelta(hours=12))]))
    assert messages(check_rotation, policy, state) == [
        "layer 'Layer PL00001' hands over every 12h, documented 7d",
        "1 person takes turns in the layers in force, documented at least 3"]


def test_rotation_of_a_shift_based_schedule_listed_only_is_not_checked(policy: Policy) -> None:
    """Absent is not empty: a schedule whose rotations were not read has no people "0"."""
    [finding] = check_rotation.check(
        context_of(policy, without("PC00009", schedules_v3=[V3_PINNED])))
    assert (finding.severity, finding.location and finding.location.line, finding.message) == (
        Severity.WARNING, 12,
        "rotation not checked: PagerDuty returned the schedule without its layers or rotations")


def v3_read(*events: Json,
            shifts: Sequence[tuple[datetime, datetime, str | None]] = ()) -> Json:
    """The shift-based schedule "Pinned" as ``GET /v3/schedules/{id}?include[]=final_schedule``
    answers: one rotation of ``events``, and the computed ``shifts`` (None: an empty member)."""
    return {**V3_PINNED, "type": "schedule_v3", "name": "Pinned", "time_zone": "UTC",
            "rotations": [{"id": "R1", "type": "schedule_rotation", "events": list(events)}],
            "final_schedule": {"type": "final_schedule", "rendered_coverage_percentage": 0,
                               "computed_shift_assignments": [{
                                   "type": "computed_shift_assignment",
                                   "start_time": format_utc(start), "end_time": format_utc(end),
                                   "member": ({"type": "empty_member"} if user is None else
                                              {"type": "user_member", "user_id": user}),
                                   "source": {"type": "schedule_rotation", "rotation_id": "R1"}}
                                   for start, end, user in shifts]}}


def v3_event(rule: str, members: Sequence[str], shifts_per_member: int | None = 1) -> Json:
    """An event of ``members``: rotating (``shifts_per_member``) or all at once (None)."""
    strategy: Json = {"type": "every_member_assignment_strategy" if shifts_per_member is None
                      else "rotating_member_assignment_strategy",
                      "members": [{"type": "user_member", "user_id": user} for user in members]}
    if shifts_per_member is not None:
        strategy["shifts_per_member"] = shifts_per_member
    return {"id": "E1", "type": "schedule_event", "name": "On call",
            "start_time": {"date_time": format_utc(EPOCH), "time_zone": "UTC"},
            "end_time": {"date_time": format_utc(EPOCH + timedelta(days=1)), "time_zone": "UTC"},
            "effective_since": format_utc(EPOCH), "effective_until": None,
            "recurrence": [rule], "assignment_strategy": strategy}


ROTATING = v3_event("RRULE:FREQ=WEEKLY", ["PU00001"])
UNREAD_RULE = ("its recurrence 'RRULE:FREQ=MONTHLY' is not one pdlint reads (a FREQ of HOURLY, "
               "DAILY or WEEKLY, an INTERVAL of 1 or more)")


@pytest.mark.parametrize(("event", "turn", "unread"), [
    pytest.param(v3_event("RRULE:FREQ=WEEKLY;INTERVAL=1", ["PU00001"]), timedelta(days=7), None,
                 id="weekly"),
    pytest.param(v3_event("RRULE:FREQ=DAILY", ["PU00001"], 7), timedelta(days=7), None,
                 id="seven-daily-shifts-a-turn"),
    pytest.param(v3_event("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", ["PU00001"], 5),
                 timedelta(days=7), None, id="five-weekdays-a-turn"),
    pytest.param(v3_event("RRULE:FREQ=WEEKLY;INTERVAL=2", ["PU00001"]), timedelta(days=14), None,
                 id="fortnightly"),
    pytest.param(v3_event("RRULE:FREQ=WEEKLY", ["PU00001"], None), None, None,
                 id="all-at-once-hands-over-never"),
    pytest.param(v3_event("RRULE:FREQ=MONTHLY", ["PU00001"]), None, UNREAD_RULE,
                 id="unread-rule"),
    pytest.param({**ROTATING, "recurrence": ["EXDATE:20260309T090000Z"]}, None,
                 "PagerDuty returned it without an RRULE in its recurrence", id="no-rule"),
    pytest.param({**ROTATING, "assignment_strategy": without_key(
        ROTATING["assignment_strategy"], "shifts_per_member")}, None,
        "PagerDuty returned it without its shifts_per_member", id="no-shifts-per-member"),
])
def test_each_event_of_a_shift_based_rotation_is_a_layer(event: Json, turn: timedelta | None,
                                                         unread: str | None) -> None:
    """It hands over every ``shifts_per_member`` repetitions of its RRULE; when what the spec
    requires for that is missing or not readable, its turn is not read (never one shift)."""
    [schedule_read] = parse_account(live_state(schedules_v3=[v3_read(event)])
                                    ).shift_based_schedules
    [layer] = schedule_read.layers_in_force(WINDOW)
    assert (layer.turn_seconds, layer.turn_unread, [member.id for member in layer.members]) == (
        None if turn is None else int(turn.total_seconds()), unread, ["PU00001"])


@pytest.mark.parametrize(("event", "expected"), [
    pytest.param(ROTATING, [], id="as-documented"),
    pytest.param(v3_event("RRULE:FREQ=DAILY", ["PU00001"]),
                 [(Severity.ERROR, "layer 'On call' hands over every 1d, documented 7d", None)],
                 id="shorter"),
    pytest.param(v3_event("RRULE:FREQ=WEEKLY", ["PU00001"], None), [], id="all-at-once"),
    pytest.param(v3_event("RRULE:FREQ=MONTHLY", ["PU00001"]),
                 [(Severity.WARNING, f"layer 'On call' not checked: {UNREAD_RULE}",
                   f"layer 'On call' of schedule 'Pinned': {UNREAD_RULE}")], id="unread-rule"),
])
def test_the_turn_of_a_shift_based_event_not_read_is_not_checked(
        make_policy: Callable[[str], Policy], event: Json,
        expected: list[tuple[Severity, str, str | None]]) -> None:
    """Pinned documented with a rotation length: an event whose RRULE pdlint cannot read is
    not compared with it, and says so, never passed."""
    policy = make_policy(DOCUMENTED.replace("    min_participants: 1\n",
                                            "    min_participants: 1\n    rotation_length: 7d\n"))
    found = check_rotation.check(context_of(policy, without("PC00009",
                                                            schedules_v3=[v3_read(event)])))
    assert [(finding.severity, finding.message, finding.not_checked)
            for finding in found] == expected


def test_a_shift_based_rotation_without_people_is_one(policy: Policy) -> None:
    state = without("PC00009", schedules_v3=[v3_read(v3_event("RRULE:FREQ=WEEKLY", []))])
    assert run(check_rotation, policy, state) == [("SCH202", "Pinned", 1, 0, 12)]


def test_the_coverage_of_a_shift_based_schedule_is_its_computed_shifts(policy: Policy) -> None:
    """Empty members are gaps, measured like those of a layer-based final schedule."""
    start = WINDOW.since
    shifts = [(start, start + timedelta(days=6), "PU00001"),
              (start + timedelta(days=6), start + timedelta(days=6, hours=8), None),
              (start + timedelta(days=6, hours=8), WINDOW.until, "PU00002")]
    state = without("PC00009", schedules_v3=[v3_read(
        v3_event("RRULE:FREQ=WEEKLY", ["PU00001", "PU00002", "PU00003"]), shifts=shifts)])
    assert [finding.actual for finding in check_coverage_gap.check(context_of(policy, state))
            if finding.resource.name == "Pinned"] == [
        [{"start": format_utc(start + timedelta(days=6)),
          "end": format_utc(start + timedelta(days=6, hours=8))}]]


# -- SCH203 inactive-participant -------------------------------------------------------------

NO_INVITATION_SAID = without_key(USERS[0], "invitation_sent")

@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(users=USERS[1:]),
                 [("SCH203", "Primary", "an active user",
                   {"user": "Ann Archer", "id": "PU00001", "status": "not in the account"}, 2)],
                 id="deleted"),
    pytest.param(state_of(users=[{**USERS[0], "invitation_sent": True}, *USERS[1:]]),
                 [("SCH203", "Primary", "an active user",
                   {"user": "Ann Archer", "id": "PU00001", "status": "invitation pending"}, 2)],
                 id="invitation-pending"),
    pytest.param(state_of(primary(layers=[schedule_layer("PL00001", [ANN, BOB, CAT],
                                                         start=EPOCH), ENDED])), [],
                 id="only-in-an-ended-layer"),
    pytest.param(state_of(users=USERS[1:], skipped=["users"]), [], id="users-not-read"),
    pytest.param(state_of(users=[{**USERS[0], "invitation_sent": False}, *USERS[1:]]), [],
                 id="invitation-accepted"),
    pytest.param(state_of(users=[NO_INVITATION_SAID, *USERS[1:]]),
                 [("SCH203", "Primary", "an active user", None, 2)],
                 id="invitation-not-returned"),
    pytest.param(state_of(users=[without_key(user_read, "invitation_sent")
                                 for user_read in USERS[1:3]] + USERS[3:]),
                 [*[("SCH203", "Primary", "an active user", None, 2)] * 2,
                  ("SCH203", "Primary", "an active user",
                   {"user": "Ann Archer", "id": "PU00001", "status": "not in the account"}, 2)],
                 id="not-in-the-account-is-said-once"),
])
def test_inactive_participant(policy: Policy, state: LiveState,
                              expected: list[tuple[Any, ...]]) -> None:
    assert run(check_inactive_participant, policy, state) == expected


def test_a_person_returned_without_invitation_sent_is_not_checked(policy: Policy) -> None:
    """The spec does not require ``invitation_sent``: left out, it is not read, never taken as
    an accepted invitation."""
    [finding] = check_inactive_participant.check(context_of(policy, state_of(
        users=[NO_INVITATION_SAID, *USERS[1:]])))
    assert (finding.severity, finding.message, finding.not_checked) == (
        Severity.WARNING, "Ann Archer (PU00001) not checked: PagerDuty returned the user without "
                          "invitation_sent",
        "PagerDuty returned user 'Ann Archer' (PU00001) without invitation_sent")


def test_inactive_participant_message(policy: Policy) -> None:
    assert messages(check_inactive_participant, policy, state_of(users=USERS[1:])) == [
        "Ann Archer (PU00001) takes turns in a layer in force but is not in the user list this "
        "key reads (deleted, or hidden from this key)"]


# -- the demo account ------------------------------------------------------------------------

def test_demo_drifts_of_schedule_rules(demo_state: LiveState) -> None:
    """Platform - Primary has five people (six documented); Platform - Secondary leaves
    Saturdays 00:00-08:00 New York uncovered, twice in the two-week window: one finding."""
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None
    report = drift(loaded.policy, parse_account(demo_state), TODAY, SCHEDULE_RULES)
    assert report.skipped == ()
    assert [(finding.rule, finding.resource.name, finding.resource.id, finding.expected,
             finding.actual, finding.location and finding.location.line)
            for finding in report.findings] == [
        ("SCH202", "Platform - Primary", "PC00000", 6, 5, 11),
        ("SCH201", "Platform - Secondary", "PC00001", "24x7",
         [{"start": "2026-03-07T05:00:00Z", "end": "2026-03-07T13:00:00Z"},
          {"start": "2026-03-14T04:00:00Z", "end": "2026-03-14T12:00:00Z"}], 16),
    ]


# -- weekly gap groups -------------------------------------------------------------------------

def _weekly(first: datetime, weeks: int,
            length: timedelta = timedelta(hours=2)) -> list[Interval]:
    return [Interval(first + timedelta(weeks=week), first + timedelta(weeks=week) + length)
            for week in range(weeks)]


SUNDAY_1AM_UTC = datetime(2026, 3, 15, 1, 0, tzinfo=timezone.utc)
"""Two weeks before London's clocks go forward (2026-03-29): 01:00 UTC is 01:00, then 02:00."""


@pytest.mark.parametrize(("zone", "gaps", "expected"), [
    pytest.param("Europe/London", _weekly(SUNDAY_1AM_UTC, 4), [2, 2],
                 id="the-same-utc-time-is-another-local-slot-after-daylight-saving"),
    pytest.param("UTC", _weekly(SUNDAY_1AM_UTC, 4), [4],
                 id="the-same-moments-in-another-zone-are-one-slot"),
    pytest.param("Asia/Kolkata", _weekly(SUNDAY_1AM_UTC, 4), [4],
                 id="a-half-hour-zone-without-daylight-saving"),
    pytest.param("UTC", [*_weekly(SUNDAY_1AM_UTC, 2),
                         *_weekly(SUNDAY_1AM_UTC + timedelta(microseconds=1), 2)], [2, 2],
                 id="a-microsecond-later-is-another-slot"),
    pytest.param("UTC", [*_weekly(SUNDAY_1AM_UTC, 2),
                         *_weekly(SUNDAY_1AM_UTC, 2, timedelta(hours=3))], [2, 2],
                 id="another-length-is-another-group"),
])
def test_weekly_gap_groups_by_local_slot(zone: str, gaps: list[Interval],
                                         expected: list[int]) -> None:
    """Gaps are grouped by their start's local weekday and time and their length, in the zone
    asked: the local slot of a moment is kept for the moments met again, never across zones."""
    found = schedule_rules.weekly_gap_groups(gaps, ZoneInfo(zone))
    assert [len(group) for group in found] == expected
    assert sorted(gap for group in found for gap in group) == sorted(gaps)  # each gap once
