"""The paging path over a window, hand-computed: overrides, notification delays, several targets
at one level, round-robin levels, loops, empty levels, layer restrictions as the simulator
renders them, support-hours urgency, a daylight-saving week, overlays (what maintenance windows
and orchestration lay over the urgency rule), and what was not read.

The accounts, people and window are ``paging_cases``'.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from paging_cases import (
    ANN,
    BOB,
    CAT,
    DEE,
    END,
    LEE,
    PEOPLE,
    ROTA,
    SATURDAY,
    START,
    SUN,
    account_of,
    at,
    calls,
    person,
    rota,
    sun,
)
from rules.rule_cases import (
    Json,
    constant_urgency,
    contact_method,
    entry,
    escalation_rule,
    ref,
    support_hours,
    support_hours_urgency,
    user,
)

from pdlint.coverage import Interval
from pdlint.paging.explain import level_words
from pdlint.paging.path import (
    NOBODY,
    Gate,
    Outcome,
    Overlay,
    Paths,
    Reach,
    Step,
    UnknownOverlay,
    Verdict,
    escalated,
    judged,
    not_read,
    path_at,
)
from pdlint.sim.account import Restriction, ScheduleLayer
from pdlint.sim.account import Schedule as SimSchedule
from pdlint.sim.render import render_schedule


def test_an_override_puts_in_someone_who_phones_late() -> None:
    """Cat overrides Ann on Saturday 00:00-08:00 and is phoned after 15 minutes; Lee, level 2,
    is phoned 10 minutes after the trigger, so those eight hours get their first call at 10."""
    paths, web = account_of(
        rules=[escalation_rule(10, ROTA), escalation_rule(10, LEE)],
        schedules=[rota(entry(START, SATURDAY, ANN), entry(SATURDAY, at(7, 8), CAT),
                        entry(at(7, 8), END, ANN))])
    assert calls(paths, web) == [(START, SATURDAY, 0), (SATURDAY, at(7, 8), 10),
                                 (at(7, 8), END, 0)]


def test_the_level_engaged_later_reads_who_is_on_call_then() -> None:
    """Level 1 is Lee; level 2, after 10 minutes, the rota, where Cat takes over on Saturday
    00:00: triggers from Friday 23:50 find Cat at level 2, which changes nothing for the call
    (Lee at 0) but is what the later level sees."""
    paths, web = account_of(
        rules=[escalation_rule(10, LEE), escalation_rule(10, ROTA)],
        schedules=[rota(entry(START, SATURDAY, ANN), entry(SATURDAY, END, CAT))])
    step = paths.escalation("PE00001", "high")
    assert step.at(at(6, 23, 49)).notice == 0
    level_two = paths.level(paths.account.escalation_policies.by_id("PE00001"), 1, "high")
    assert level_two.at(at(6, 23, 59)) == Reach(0, 0)
    assert level_two.at(SATURDAY) == Reach(15, 0)
    assert calls(paths, web) == [(START, END, 0)]


@pytest.mark.parametrize(("dee", "expected"), [
    pytest.param(PEOPLE["dee"], 3, id="sms-after-3-before-phone-after-7"),
    pytest.param(person(DEE, ("high", "sms", 3), ("high", "phone", 7)) | {"contact_methods": [
        contact_method("PM50", "phone", "5550100"),
        contact_method("PM51", "sms", "5550100") | {"enabled": False}]}, 7,
                 id="a-disabled-sms-method-leaves-the-phone-after-7"),
    pytest.param(person(DEE, ("high", "push_notification", 0), ("low", "phone", 0)), None,
                 id="push-for-high-phone-for-low-only"),
])
def test_notification_delays_and_methods(dee: Json, expected: int | None) -> None:
    paths, web = account_of(rules=[escalation_rule(30, DEE)], people={"dee": dee})
    assert calls(paths, web) == [(START, END, expected)]


def test_several_targets_at_one_level_are_paged_at_once() -> None:
    """Cat (phone after 15) and Dee (SMS after 3) on one level: the first call is Dee's."""
    paths, web = account_of(rules=[escalation_rule(30, CAT, DEE)])
    assert calls(paths, web) == [(START, END, 3)]


def test_loops_and_an_empty_level() -> None:
    """Level 1 is the rota, empty on Saturday 00:00-08:00; level 2 (after 10 minutes) has no
    target; the policy loops once, 15 minutes after the trigger. A trigger in the last 15
    minutes of the gap finds Ann again when the loop comes back to level 1."""
    paths, web = account_of(
        rules=[escalation_rule(10, ROTA), {"id": "PR2", "escalation_delay_in_minutes": 5,
                                           "targets": []}],
        num_loops=1,
        schedules=[rota(entry(START, SATURDAY, ANN), entry(at(7, 8), END, ANN))])
    assert calls(paths, web) == [(START, SATURDAY, 0), (SATURDAY, at(7, 7, 45), None),
                                 (at(7, 7, 45), at(7, 8), 15), (at(7, 8), END, 0)]
    outcome = paths.service(web, "high", Interval(START, END)).at(at(7, 1))
    assert judged(outcome, 5) is Verdict.NEVER


@pytest.mark.parametrize(("num_loops", "in_the_gap"), [
    pytest.param(0, None, id="no-repeat"),
    pytest.param(None, (None, 10, "PagerDuty returned escalation policy 'Main' without its "
                                  "num_loops: whether it repeats is not known"),
                 id="repeats-not-returned"),
])
def test_without_loops_the_gap_is_never_called(num_loops: int | None, in_the_gap: Any) -> None:
    """Without a repeat nobody is called in the gap; when PagerDuty did not say whether the
    policy repeats (no ``num_loops``), what follows its last level is not known, never "no
    repeat": not read from minute 10, when it would start again."""
    paths, web = account_of(
        rules=[escalation_rule(10, ROTA)], num_loops=num_loops,
        schedules=[rota(entry(START, SATURDAY, ANN), entry(at(7, 8), END, ANN))])
    assert calls(paths, web) == [(START, SATURDAY, 0), (SATURDAY, at(7, 8), in_the_gap),
                                 (at(7, 8), END, 0)]


def test_support_hours_make_nights_low_urgency_which_does_not_escalate() -> None:
    """Support hours Monday-Friday 09:00-17:00 London (UTC in March, before the clocks change on
    the 29th), high during and low outside. Ann has push only for low urgency and Lee, level 2,
    is never engaged by a low-urgency incident: outside support hours nobody is phoned."""
    paths, web = account_of(rules=[escalation_rule(10, ROTA), escalation_rule(10, LEE)],
                            schedules=[rota(entry(START, END, ANN))],
                            urgency_rule=support_hours_urgency(), hours=support_hours())
    during = "high urgency during support hours (09:00-17:00 Europe/London)"
    found = calls(paths, web)
    assert found[:3] == [(START, at(2, 17), 0), (at(2, 17), at(3, 9), None),
                         (at(3, 9), at(3, 17), 0)]
    # Friday 17:00 to Monday 09:00 is one low-urgency stretch.
    assert (at(6, 17), at(9, 9), None) in found
    # 11 stretches of support hours (ten working days, and Monday the 16th until noon), 10
    # between them.
    assert len(found) == 21
    gate = paths.gates(web, "high", Interval(START, END)).at(at(4, 10))
    assert gate == Gate("high", during)


def test_support_hours_across_the_daylight_saving_change() -> None:
    """New York moves to summer time on Sunday 2026-03-08: 09:00 is 14:00 UTC on Friday the 6th
    and 13:00 UTC on Monday the 9th; the support hours keep their wall-clock times."""
    paths, web = account_of(rules=[escalation_rule(10, LEE)],
                            urgency_rule=support_hours_urgency(),
                            hours=support_hours(time_zone="America/New_York"))
    gates = paths.gates(web, "high", Interval(START, END))
    highs = [stretch for stretch, gate in gates.stretches(Interval(START, END))
             if gate.urgency == "high"]
    assert Interval(at(6, 14), at(6, 22)) in highs
    assert Interval(at(9, 13), at(9, 21)) in highs


def test_severity_based_urgency_takes_the_severity_s_own() -> None:
    paths, web = account_of(rules=[escalation_rule(10, ROTA), escalation_rule(10, LEE)],
                            schedules=[rota(entry(START, END, CAT))],
                            urgency_rule=constant_urgency("severity_based"))
    assert calls(paths, web, "high") == [(START, END, 10)]
    assert calls(paths, web, "low") == [(START, END, None)]


def test_a_disabled_service_creates_no_incident() -> None:
    paths, web = account_of(rules=[escalation_rule(10, LEE)], status="disabled")
    assert calls(paths, web) == [(START, END, "the service is disabled")]


def test_overlays_lay_intervals_over_the_urgency_rule_later_ones_winning() -> None:
    """What a maintenance window or an orchestration rule brings is an overlay: no incident in
    one interval, low urgency in another, the later overlay winning where both hold."""
    paths, web = account_of(rules=[escalation_rule(10, LEE)])
    quiet = Overlay((Interval(at(3), at(3, 6)),), Gate(None, "maintenance window 'Upgrade'"))
    lowered = Overlay((Interval(at(3, 4), at(3, 8)),), Gate("low", "low urgency, set by "
                                                                   "orchestration rule 'x'"))
    assert calls(paths, web, overlays=[quiet, lowered]) == [
        (START, at(3), 0), (at(3), at(3, 4), "maintenance window 'Upgrade'"),
        (at(3, 4), at(3, 8), None), (at(3, 8), END, 0)]


UNKNOWN = Gate(None, "maintenance window 'Drill' may hold the service", read=False)


@pytest.mark.parametrize(("beneath", "expected"), [
    pytest.param(Gate("high", "high urgency"), UNKNOWN, id="an-incident"),
    pytest.param(Gate("low", "low urgency"), UNKNOWN, id="a-low-urgency-incident"),
    pytest.param(Gate(None, "urgency not read", read=False), UNKNOWN, id="not-read"),
    pytest.param(Gate(None, "the service is disabled"), Gate(None, "the service is disabled"),
                 id="no-incident-either-way"),
])
def test_an_overlay_that_may_hold_is_not_read_unless_no_incident_comes_anyway(
        beneath: Gate, expected: Gate) -> None:
    """A window returned without its services may hold the service: not read, never 'no
    incident' nor the gate beneath, unless that gate creates no incident anyway."""
    assert UnknownOverlay((Interval(START, END),), UNKNOWN).over(beneath) == expected


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"people": {"cat": user(CAT["id"], "Cat Cole", "cat@ex.com") | {
        "notification_rules": None}}},
        [(START, SATURDAY, 0), (SATURDAY, END, (10, 0, "the notification rules of Cat Cole "
                                                       "could not be read with this key"))],
        id="notification-rules-not-readable"),
    pytest.param({"schedules": [rota(entry(START, SATURDAY, ANN), entry(SATURDAY, END, CAT))
                                | {"final_schedule": None}]},
                 [(START, END, (10, 0, "PagerDuty returned no rendered final schedule for "
                                       "'Rota'"))], id="schedule-not-rendered"),
    pytest.param({"skipped": ["users"]},
                 [(START, END, (None, 0, "the users could not be read (403 Forbidden: the "
                                         "token may not read users)"))], id="users-skipped"),
])
def test_absent_is_not_empty(changes: dict[str, Any], expected: list[Any]) -> None:
    """What the key could not read makes the path not read from the minute it matters, never
    "nobody paged"; Lee, level 2 after 10 minutes, is phoned all the same."""
    arguments: dict[str, Any] = {
        "rules": [escalation_rule(10, ROTA), escalation_rule(10, LEE)],
        "schedules": [rota(entry(START, SATURDAY, ANN), entry(SATURDAY, END, CAT))]}
    arguments.update(changes)
    paths, web = account_of(**arguments)
    assert calls(paths, web) == expected


@pytest.mark.parametrize(("target", "skipped", "why"), [
    pytest.param(ref("schedule", "PC00009", "Hidden Rota"), (),
                 "schedule 'Hidden Rota' is not among the schedules this key can read",
                 id="a-schedule-not-listed"),
    pytest.param({"id": "PV00009", "type": "schedule_v3_reference", "summary": "Sun"}, (),
                 "shift-based schedule 'Sun' is not among those this key can read",
                 id="a-shift-based-schedule-not-listed"),
    pytest.param({"id": "PV00009", "type": "schedule_v3_reference", "summary": "Sun"},
                 ("schedules_v3",), "the shift-based schedules could not be read (403 "
                 "Forbidden: the token may not read schedules_v3)",
                 id="shift-based-schedules-not-read"),
    pytest.param(ref("user", "PU00009", "Gone Person"), (),
                 "user PU00009 is not among the users this key can read",
                 id="a-user-not-listed"),
    pytest.param({"id": "PX00009", "type": "webhook_reference", "summary": "Bridge"}, (),
                 "a target of type 'webhook_reference' (PX00009), which pdlint does not read",
                 id="a-target-of-another-type"),
])
def test_what_the_key_cannot_see_is_named(target: Json, skipped: tuple[str, ...],
                                          why: str) -> None:
    """Level 1 pages something the key cannot follow: not read, named, from the trigger on;
    Lee, level 2 after 10 minutes, is phoned all the same."""
    paths, web = account_of(rules=[escalation_rule(10, target), escalation_rule(10, LEE)],
                            skipped=skipped)
    assert calls(paths, web) == [(START, END, (10, 0, why))]


@pytest.mark.parametrize(("shifts", "expected"), [
    pytest.param([(START, SATURDAY, ANN), (SATURDAY, END, CAT)],
                 [(START, SATURDAY, 0), (SATURDAY, END, 10)], id="hand-over"),
    pytest.param([(START, at(3), ANN), (at(4), END, ANN)],
                 [(START, at(3), 0), (at(3), at(4), 10), (at(4), END, 0)], id="a-gap"),
    pytest.param([(START, END, ANN), (at(3), at(4), BOB)],
                 [(START, at(3), 0),
                  (at(3), at(4), (10, 0, "'Sun' has several people on call at once, and the "
                                         "path follows one person a schedule")),
                  (at(4), END, 0)], id="two-on-call-at-once"),
    pytest.param([(START, at(4), ANN), (at(3), END, ANN)], [(START, END, 0)],
                 id="the-same-person-twice"),
])
def test_a_shift_based_schedule_pages_whom_its_computed_shifts_name(
        shifts: list[tuple[datetime, datetime, Json]], expected: list[Any]) -> None:
    """Level 1 is the shift-based schedule Sun, level 2 Lee after 10 minutes: Ann is phoned at
    once, Cat only after 15 minutes (so Lee's call at 10 comes first), nobody in a gap; two
    people on at once are named, not guessed between."""
    paths, web = account_of(rules=[escalation_rule(10, SUN), escalation_rule(10, LEE)],
                            shift_based=[sun(*shifts)])
    assert calls(paths, web) == expected


def test_the_end_of_the_rendered_window_is_not_read_for_later_levels() -> None:
    """Level 2 (the rota, after 10 minutes) of a trigger in the window's last 10 minutes is
    engaged after the rendering ends: not read there, since level 1 (Cat) phones at 15."""
    paths, web = account_of(rules=[escalation_rule(10, CAT), escalation_rule(10, ROTA)],
                            schedules=[rota(entry(START, END, ANN))])
    assert calls(paths, web) == [
        (START, END - timedelta(minutes=10), 10),
        (END - timedelta(minutes=10), END,
         (15, 10, "'Rota' was rendered from 2026-03-02 12:00 UTC to 2026-03-16 12:00 UTC only"))]


@pytest.mark.parametrize(("reach", "verdict"), [
    (Reach(5, 0), Verdict.MET),
    (Reach(6, 0), Verdict.LATE),
    (Reach(None, 0), Verdict.NEVER),
    (Reach(None, None, 10, "x"), Verdict.LATE),
    (Reach(20, None, 5, "x"), Verdict.NOT_READ),
    (Reach(3, None, 0, "x"), Verdict.MET),
])
def test_a_path_judged_against_five_minutes(reach: Reach, verdict: Verdict) -> None:
    assert judged(Outcome(Gate("high", "high urgency"), reach), 5) is verdict


def test_the_path_at_a_moment_agrees_with_the_timeline() -> None:
    """``path_at`` lists level by level what the timeline says at every moment of it."""
    paths, web = account_of(
        rules=[escalation_rule(10, ROTA), escalation_rule(5, CAT, DEE)], num_loops=2,
        schedules=[rota(entry(START, SATURDAY, ANN), entry(at(7, 8), at(8), BOB),
                        entry(at(8, 6), END, CAT))],
        urgency_rule=support_hours_urgency(), hours=support_hours())
    step = paths.service(web, "high", Interval(START, END))
    moment = START
    while moment < END:
        found = path_at(paths, web, "high", moment)
        assert found.reach == step.at(moment).reach, moment
        moment += timedelta(minutes=37)
    saturday = path_at(paths, web, "high", at(7, 7, 55))
    assert saturday.gate.urgency == "low"
    assert [(level.engagement.offset, [target.person.name if target.person else None
                                       for target in level.targets])
            for level in saturday.levels] == [(0, [None])]


def round_robin(rule: Json, shape: str = "object") -> Json:
    """A rule whose ``escalation_rule_assignment_strategy`` is round robin, written as the API
    answers it (an object), as the spec's schema has it (text) or as its example (a list)."""
    strategy: Any = {"object": {"type": "round_robin"}, "text": "round_robin",
                     "list": [{"type": "round_robin"}]}[shape]
    return rule | {"escalation_rule_assignment_strategy": strategy}


@pytest.mark.parametrize("shape", ["object", "text", "list"])
def test_a_round_robin_level_is_judged_by_its_latest_target(shape: str) -> None:
    """Cat (phone after 15) and Dee (SMS after 3) on one round-robin level: either may be the
    one paged, so the first call is known only by minute 15 (Cat's); Lee, level 2 after 10
    minutes, is phoned at 10, which is then the first certain call."""
    paths, web = account_of(rules=[round_robin(escalation_rule(30, CAT, DEE), shape)])
    assert calls(paths, web) == [(START, END, 15)]
    paths, web = account_of(rules=[round_robin(escalation_rule(10, CAT, DEE), shape),
                                   escalation_rule(10, LEE)])
    assert calls(paths, web) == [(START, END, 10)]


def test_a_round_robin_level_with_a_target_that_never_calls_may_never_call() -> None:
    """Dee (SMS after 3) and the rota, empty on Saturday 00:00-08:00: round robin may pick the
    rota, so nobody is certain to be phoned then; Dee alone cannot be counted on. Assigned to
    everyone, Dee's SMS at minute 3 covers the gap."""
    rules = [escalation_rule(30, DEE, ROTA)]
    schedules = [rota(entry(START, SATURDAY, ANN), entry(at(7, 8), END, ANN))]
    paths, web = account_of(rules=[round_robin(rules[0])], schedules=schedules)
    assert calls(paths, web) == [(START, SATURDAY, 3), (SATURDAY, at(7, 8), None),
                                 (at(7, 8), END, 3)]
    found = path_at(paths, web, "high", at(7, 1))
    assert found.reach == Reach(None, None)
    assert level_words(found.levels[0]) == (
        "level 1 at minute 0 (round robin: one of these targets is paged, which one is not "
        "known in advance, so the path counts the latest): user 'Dee Dunn': sms after 3 min, "
        "phone after 7 min -> phoned or texted at minute 3; schedule 'Rota': nobody on call")
    paths, web = account_of(rules=rules, schedules=schedules)
    assert calls(paths, web) == [(START, SATURDAY, 0), (SATURDAY, at(7, 8), 3),
                                 (at(7, 8), END, 0)]


DAYTIME = Restriction("daily_restriction", time(9), 8 * 3600)


def rendered_rota(*layers: ScheduleLayer) -> Json:
    """Rota as the simulator renders it over the window (London time): its final schedule."""
    final = render_schedule(SimSchedule("PC00001", "Rota", "Europe/London", layers),
                            START, END).final
    people = {person["id"]: ref("user", person["id"], person["name"])
              for person in PEOPLE.values()}
    return rota(*(entry(shift.start, shift.end, people[shift.user_id]) for shift in final))


def daily(name: str, user_id: str, *restrictions: Restriction) -> ScheduleLayer:
    return ScheduleLayer(f"PL{name}", name, START, START, 24 * 3600, (user_id,), restrictions)


@pytest.mark.parametrize(("layers", "outside"), [
    pytest.param((daily("Nights", CAT["id"]), daily("Days", BOB["id"], DAYTIME)), 15,
                 id="outside-the-restriction-the-layer-beneath"),
    pytest.param((daily("Days", BOB["id"], DAYTIME),), None, id="outside-the-restriction-nobody"),
])
def test_a_restricted_layer_through_the_simulator_s_rendering(
        layers: tuple[ScheduleLayer, ...], outside: int | None) -> None:
    """Bob's layer is restricted to 09:00-17:00 every day (London, UTC in March) and lies over
    Cat's, on call around the clock: Bob (phoned at once) in the day, Cat (phoned after 15
    minutes) at night; without Cat's layer, nobody at night."""
    paths, web = account_of(rules=[escalation_rule(30, ROTA)], schedules=[rendered_rota(*layers)])
    found = calls(paths, web)
    days = [(at(day, 9), at(day, 17), 0) for day in range(3, 16)]
    nights = [(at(day, 17), at(day + 1, 9), outside) for day in range(2, 16)]
    assert found == [(START, at(2, 17), 0), *sorted(days + nights), (at(16, 9), END, 0)]


def test_a_service_path_dropped_from_the_memo_is_worked_out_again_alike(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the most recently used services' own paths are kept (so that memory does not grow
    with the services); one asked for again once dropped, and its verdicts, are the same as
    from paths that never dropped it."""
    monkeypatch.setattr("pdlint.paging.path.SERVICE_PATHS_KEPT", 2)
    account = dict(rules=[escalation_rule(10, ROTA), escalation_rule(10, LEE)],
                   schedules=[rota(entry(START, SATURDAY, ANN), entry(SATURDAY, at(7, 8), CAT),
                                   entry(at(7, 8), END, ANN))])
    paths, web = account_of(**account)
    # A service's path for each window; the last one holds Cat's Saturday night, when Lee,
    # level 2, is the first phoned, at minute 10: late for a deadline of 5.
    windows = [Interval(START, at(day)) for day in (5, 6, 7, 8)]

    def judged_in(paths: Paths) -> list[object]:
        return [paths.judgements(web, "high", window, 5).stretches(window)
                for window in windows]

    first = judged_in(paths)
    assert len(paths._judgements) == 2
    assert judged_in(paths) == first == judged_in(account_of(**account)[0])
    assert [[(stretch.start, stretch.end, verdict) for stretch, (verdict, _) in stretches]
            for stretches in first][3] == [
        (START, SATURDAY, Verdict.MET), (SATURDAY, at(7, 8), Verdict.LATE),
        (at(7, 8), at(8), Verdict.MET)]



def test_one_level_engaged_at_the_trigger_is_the_level_itself() -> None:
    """An escalation of one level at minute 0 with nothing beyond it (a low-urgency incident's)
    is the level's own step, which the general case reads alike: here with a later level that
    pages nobody, over a call at once, nobody, not read, a notice without a call, and a change
    a microsecond after the hour."""
    level = Step((at(3, 9), at(3, 17), at(4, 9), at(4, 9) + timedelta(microseconds=1)),
                 (Reach(0, 0), NOBODY, not_read("a shift names no user"), Reach(None, 2),
                  Reach(5, 5)))
    alone = escalated([(level, 0)], None)
    assert alone is level
    assert escalated([(level, 0), (Step.constant(NOBODY), 10)], None) == alone
