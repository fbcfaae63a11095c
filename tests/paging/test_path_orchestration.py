"""Event orchestration over the paging path, hand-computed: a rule that suppresses all week, a
time condition that lowers the urgency at night across New York's daylight-saving week, the
catch-all, a suspended alert, an inactive orchestration, rules on the event's fields (named,
never guessed), nested sets, and a maintenance window over an orchestration.

The accounts, people and window are ``paging_cases``'. Web pages Lee (phoned at once for high
urgency, nothing for low) unless said otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from paging_cases import CAT, END, LEE, START, WEB, account_of, at, calls, maintenance
from rules.rule_cases import (
    Json,
    constant_urgency,
    escalation_policy,
    escalation_rule,
    orchestration_rule,
    service_orchestration,
)

from pdlint.coverage import Interval
from pdlint.paging.explain import path_json, path_text
from pdlint.paging.judge import overlays_of
from pdlint.paging.orchestration import Match, matching, parsed
from pdlint.paging.path import Paths, Verdict, judged, path_at

NIGHTS = "now in Mon,Tue,Wed,Thu,Fri,Sat,Sun 20:00:00 to 08:00:00 America/New_York"
"""Every night from 20:00 to 08:00 New York time: 01:00-13:00 UTC before the clocks change on
Sunday 2026-03-08, 00:00-12:00 UTC after (the night of the change runs 01:00-12:00 UTC)."""


def web_with(*rules: Json, catch_all: Json | None = None, active: bool | None = True,
             urgency: str | None = None, sets: dict[str, list[Json]] | None = None,
             windows: tuple[Json, ...] = ()) -> tuple[Paths, Any]:
    return account_of(
        rules=[escalation_rule(10, LEE)],
        urgency_rule=None if urgency is None else constant_urgency(urgency),
        orchestrations=[service_orchestration("PS00001", list(rules), catch_all, active,
                                              sets=sets)], windows=windows,
        policies=[escalation_policy("PE00002", "Weekend", [escalation_rule(30, CAT)])])


def orchestrated(paths: Paths, web: Any, urgency: str = "high") -> list[Any]:
    return calls(paths, web, urgency, overlays_of(web, paths))


def test_a_rule_that_suppresses_every_alert_all_week() -> None:
    paths, web = web_with(orchestration_rule("Mute", {"suppress": True}))
    assert orchestrated(paths, web) == [(START, END, "event orchestration rule 'Mute' of set "
                                                     "'start' (when always) suppresses the alert")]


def test_the_catch_all_takes_the_alerts_no_rule_matches() -> None:
    """A rule on the event's fields that only sets a priority changes nothing the path follows;
    the alert the path follows matches no rule, and the catch-all suppresses it."""
    paths, web = web_with(orchestration_rule("Critical is P1", {"priority": "PPRI1"},
                                             "event.severity matches 'critical'"),
                          catch_all={"suppress": True})
    assert orchestrated(paths, web) == [
        (START, END, "event orchestration the catch-all (events no rule matches) suppresses "
                     "the alert")]


def test_a_rule_on_the_event_s_fields_may_act_and_is_named_not_counted() -> None:
    """Lee is still phoned at once: whether an alert mentions 'ping' is not known, so the rule
    is named in the path's words and does not fail it."""
    paths, web = web_with(orchestration_rule("Mute pings", {"suppress": True},
                                             "event.summary matches part 'ping'"))
    assert orchestrated(paths, web) == [(START, END, 0)]
    found = path_at(paths, web, "high", at(3), overlays_of(web, paths))
    assert found.gate.why == (
        "high urgency; event orchestration rule 'Mute pings' of set 'start' (when "
        "event.summary matches part 'ping') may apply: it suppresses the alert if the alert "
        "matches, which the path cannot know (a condition on the event)")


def test_an_inactive_orchestration_does_nothing() -> None:
    """Not active: the service's events meet its legacy event rules, not these."""
    paths, web = web_with(orchestration_rule("Mute", {"suppress": True}), active=False)
    assert orchestrated(paths, web) == [(START, END, 0)]


@pytest.mark.parametrize(("orchestrations", "expected"), [
    pytest.param(None, [(START, END, 0)], id="read-without-rules"),
    pytest.param([], [(START, END, "its event orchestration was not read")], id="not-read"),
])
def test_an_orchestration_not_read_makes_the_path_not_read(
        orchestrations: list[Json] | None, expected: list[Any]) -> None:
    """A run reads the documented services' orchestrations: one it did not read (a renamed
    service, a snapshot without it) leaves the gate not read, never "no orchestration"."""
    paths, web = account_of(rules=[escalation_rule(10, LEE)], orchestrations=orchestrations)
    assert orchestrated(paths, web) == expected
    found = path_at(paths, web, "high", at(3), overlays_of(web, paths))
    assert found.gate.read is (orchestrations is None)


def test_a_disabled_rule_does_nothing() -> None:
    paths, web = web_with(orchestration_rule("Mute", {"suppress": True}, disabled=True))
    assert orchestrated(paths, web) == [(START, END, 0)]


def test_a_suspended_alert_triggers_its_incident_later() -> None:
    """The catch-all suspends alerts for 5 minutes (300 s): Lee is phoned at minute 5; 301 s is
    6 minutes, counted whole."""
    paths, web = web_with(catch_all={"suspend": 300})
    assert orchestrated(paths, web) == [(START, END, 5)]
    found = path_json(path_at(paths, web, "high", at(3), overlays_of(web, paths)))
    assert found["incident"] == {
        "created": True, "urgency": "high", "triggers_at_minute": 5,
        "why": "high urgency; the incident triggers at minute 5: event orchestration the "
               "catch-all (events no rule matches) suspends the alert for 300 s"}
    assert (found["levels"][0]["engaged_at_minute"], found["reach"]["first_call_minute"]) == (
        5, 5)
    paths, web = web_with(catch_all={"suspend": 301})
    assert orchestrated(paths, web) == [(START, END, 6)]


def test_nights_lowered_to_low_urgency_across_the_daylight_saving_week() -> None:
    """A severity-based service whose orchestration sets severity ``warning`` (low urgency)
    every night in New York: Lee has no low-urgency rule, so nobody is phoned at night. The
    nights keep their wall-clock hours when New York moves to summer time on Sunday the 8th."""
    paths, web = web_with(orchestration_rule("Quiet nights", {"severity": "warning"}, NIGHTS),
                          urgency="severity_based")
    found = orchestrated(paths, web)
    assert found[:4] == [(START, at(2, 13), None), (at(2, 13), at(3, 1), 0),
                         (at(3, 1), at(3, 13), None), (at(3, 13), at(4, 1), 0)]
    assert (at(7, 1), at(7, 13), None) in found  # Friday night to Saturday, EST
    assert (at(7, 13), at(8, 1), 0) in found
    assert (at(8, 1), at(8, 12), None) in found  # Saturday night: the clocks change, 11 h
    assert (at(8, 12), at(9, 0), 0) in found
    assert (at(9, 0), at(9, 12), None) in found  # Sunday night, EDT
    assert found[-1] == (at(16, 0), END, None)  # Sunday the 15th 20:00 EDT onwards
    assert len(found) == 29  # 15 nights, 14 days between them


def test_pdlint_paging_explains_the_orchestration_at_a_night_moment() -> None:
    """At 03:00 UTC on Tuesday the 10th (23:00 Monday in New York) the path names the rule that
    lowered the urgency, and Lee, whose high-urgency phone rule does not ring for it."""
    paths, web = web_with(orchestration_rule("Quiet nights", {"severity": "warning"}, NIGHTS),
                          urgency="severity_based")
    found = path_at(paths, web, "high", at(10, 3), overlays_of(web, paths))
    assert path_text(found) == (
        "Web (PS00001), triggered at 2026-03-10T03:00:00Z\n"
        "  incident: low urgency, set by the alert's severity warning from event orchestration "
        f"rule 'Quiet nights' of set 'start' (when {NIGHTS})\n"
        "  level 1 at minute 0: user 'Lee Lead': no notification rule -> never phoned or "
        "texted\n"
        "  => nobody is ever phoned or texted\n")


def test_a_severity_changes_nothing_on_a_service_of_constant_urgency() -> None:
    paths, web = web_with(orchestration_rule("Quiet nights", {"severity": "warning"}, NIGHTS))
    assert orchestrated(paths, web) == [(START, END, 0)]


def test_a_nested_set_s_rule_applies_after_the_rule_that_routes_to_it() -> None:
    """Weekends (London, UTC in March) go to the set 'weekend', where every alert is
    suppressed; on weekdays no rule of 'start' matches, and the catch-all does nothing."""
    paths, web = web_with(
        orchestration_rule("Weekends", {"route_to": "weekend"},
                           "now in Sat,Sun 00:00:00 to 23:59:59 Europe/London"),
        sets={"weekend": [orchestration_rule("Mute", {"suppress": True})]})
    found = orchestrated(paths, web)
    muted = ("event orchestration rule 'Mute' of set 'weekend' (when always) suppresses the "
             "alert")
    assert found == [(START, at(7), 0), (at(7), at(9), muted), (at(9), at(14), 0),
                     (at(14), at(16), muted), (at(16), END, 0)]


def test_a_rule_that_pages_another_escalation_policy_on_saturdays() -> None:
    """On Saturdays (London) the orchestration pages Weekend, whose only level is Cat (phoned
    after 15 minutes), instead of Main (Lee, at once); a policy the key cannot read makes the
    path not read there."""
    saturdays = "now in Sat 00:00:00 to 23:59:59 Europe/London"
    paths, web = web_with(orchestration_rule("Weekend team", {"escalation_policy": "PE00002"},
                                             saturdays))
    assert orchestrated(paths, web) == [(START, at(7), 0), (at(7), at(8), 15), (at(8), at(14), 0),
                                        (at(14), at(15), 15), (at(15), END, 0)]
    found = path_at(paths, web, "high", at(7, 3), overlays_of(web, paths))
    assert found.gate.why == (
        "high urgency; escalation policy 'Weekend' is paged instead of the service's: event "
        f"orchestration rule 'Weekend team' of set 'start' (when {saturdays})")
    assert [target.name for level in found.levels for target in level.targets] == ["Cat Cole"]
    paths, web = web_with(orchestration_rule("Weekend team", {"escalation_policy": "PE00009"},
                                             saturdays))
    assert orchestrated(paths, web)[1] == (at(7), at(8), (None, 0, (
        "escalation policy PE00009 is not among those this key can read")))


def test_a_maintenance_window_lies_over_the_orchestration() -> None:
    """The orchestration suppresses alerts on Tuesdays 00:00-06:00 London; a maintenance window
    holds Web on Tuesday the 3rd 02:00-04:00: no incident throughout, and the window is what
    the path names while it lasts."""
    paths, web = web_with(
        orchestration_rule("Early Tuesdays", {"suppress": True},
                           "now in Tue 00:00:00 to 06:00:00 Europe/London"),
        windows=(maintenance("PW1", at(3, 2), at(3, 4), WEB),))
    early = ("event orchestration rule 'Early Tuesdays' of set 'start' (when now in Tue "
             "00:00:00 to 06:00:00 Europe/London) suppresses the alert")
    found = orchestrated(paths, web)
    assert found[:5] == [
        (START, at(3), 0), (at(3), at(3, 2), early),
        (at(3, 2), at(3, 4), "maintenance window 'Database upgrade' from 2026-03-03T02:00:00Z "
                             "to 2026-03-03T04:00:00Z"),
        (at(3, 4), at(3, 6), early), (at(3, 6), at(10), 0)]


@pytest.mark.parametrize(("expression", "on_tuesday_3am", "on_tuesday_noon"), [
    ("now in Tue 00:00:00 to 06:00:00 Europe/London", Match.YES, Match.NO),
    ("not (now in Tue 00:00:00 to 06:00:00 Europe/London)", Match.NO, Match.YES),
    ("event.severity matches 'info' and now in Tue 00:00:00 to 06:00:00 UTC",
     Match.MAYBE, Match.NO),
    ("event.severity matches 'info' or now in Tue 00:00:00 to 06:00:00 UTC",
     Match.YES, Match.MAYBE),
    ("event.summary does not match part 'and or not'", Match.MAYBE, Match.MAYBE),
    ("now in Tue 00:00:00 to 06:00:00 Mars/Olympus", Match.MAYBE, Match.MAYBE),
    ("now in Someday 00:00:00 to 06:00:00 UTC", Match.MAYBE, Match.MAYBE),
    ("(now in Tue 00:00:00 to 06:00:00 UTC", Match.MAYBE, Match.MAYBE),
])
def test_pcl_conditions_read_three_valued(expression: str, on_tuesday_3am: Match,
                                          on_tuesday_noon: Match) -> None:
    step = matching(parsed(expression), Interval(START, END))
    assert (step.at(at(3, 3)), step.at(at(3, 12))) == (on_tuesday_3am, on_tuesday_noon)


def test_a_maintenance_window_lies_over_an_orchestration_not_read() -> None:
    """The state holds no orchestration for Web (a read that did not ask for it): the path is
    not read, except inside a maintenance window, which opens no incident whatever the
    orchestration does."""
    paths, web = account_of(rules=[escalation_rule(10, LEE)], orchestrations=[],
                            windows=[maintenance("PW1", at(3, 2), at(3, 4), WEB)])
    found = calls(paths, web, overlays=overlays_of(web, paths))
    assert found[0] == (START, at(3, 2), "its event orchestration was not read")
    assert found[1][:2] == (at(3, 2), at(3, 4))
    assert found[2] == (at(3, 4), END, "its event orchestration was not read")
    assert judged(paths.service(web, "high", Interval(START, END), overlays_of(web, paths))
                  .at(at(5)), 5) is Verdict.NOT_READ
