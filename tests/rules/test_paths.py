"""PATH600 on small policies against live objects shaped as the list endpoints return them: the
combination fails while each object matches (an override puts in someone phoned late), the
deadline is ``first_page_within`` when written, support-hours services are held to their
documented hours, and what the key could not read is a warning, never a pass.

The window is two weeks from Monday 2026-03-02 12:00 UTC; the organisation's zone is London
(UTC in March). Web pages the rota, then Lee after 10 minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from paging.paging_cases import (
    ANN,
    CAT,
    END,
    LEE,
    MAIN,
    PEOPLE,
    ROTA,
    START,
    WEB,
    at,
    maintenance,
    rota,
)
from rule_cases import (
    Json,
    constant_urgency,
    entry,
    escalation_policy,
    escalation_rule,
    findings_of,
    live_state,
    orchestration_rule,
    ref,
    service,
    service_orchestration,
    support_hours,
    support_hours_urgency,
)

from pdlint.coverage import Interval
from pdlint.findings import Severity, Skipped
from pdlint.memo import once_per_run
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState
from pdlint.paging.judge import judged_service, paged_severities, paths_of
from pdlint.paging.path import Verdict
from pdlint.policy.model import Policy
from pdlint.rules.matching import both_sides
from pdlint.rules.paths import check_paging_path
from pdlint.rules.services import service_pairs

DOCUMENTED = """\
escalation_policies:
  - name: Main
    services: [Web]
    levels:
      - targets: [{schedule: Rota}]
      - engaged_after: 10m
        targets: [{user: lee@ex.com}]
schedules:
  - name: Rota
services:
  - name: Web
    urgency: URGENCY
    HOURS
"""
SUPPORT_HOURS = """support_hours:
      time_zone: Europe/London
      days: [monday, tuesday, wednesday, thursday, friday]
      start: "09:00"
      end: "17:00"
"""
SEVERITIES = """\
severities:
  - id: SEV1
    name: Critical
    response_sla: 15m
    first_page_within: 12m
    urgency: high
    channels: [phone]
    business_hours_only: false
    postmortem_within: 48h
"""


SATURDAY_OVERRIDES = [entry(START, at(7), ANN), entry(at(7), at(7, 8), CAT),
                      entry(at(7, 8), at(14), ANN), entry(at(14), at(14, 8), CAT),
                      entry(at(14, 8), END, ANN)]


def state_of(*, entries: Sequence[Json] = SATURDAY_OVERRIDES, urgency_rule: Json | None = None,
             hours: Json | None = None, people: Sequence[Json] = tuple(PEOPLE.values()),
             final_schedule: bool = True) -> LiveState:
    rendered = rota(*entries)
    if not final_schedule:
        rendered["final_schedule"] = None
    return live_state(
        escalation_policies=[escalation_policy("PE00001", "Main", [escalation_rule(10, ROTA),
                                                                   escalation_rule(10, LEE)])],
        schedules=[rendered], users=list(people),
        services=[service("PS00001", "Web", escalation_policy=MAIN, urgency_rule=urgency_rule,
                          hours=hours)])


@pytest.fixture
def documented(make_policy: Callable[..., Policy]) -> Callable[..., Policy]:
    def make(urgency: str = "high", hours: str = "", severities: str | None = None) -> Policy:
        fragment = DOCUMENTED.replace("URGENCY", urgency).replace("HOURS", hours)
        if severities is None:
            return make_policy(fragment)
        return make_policy(fragment + severities, without=("severities",))
    return make


def shown(policy: Policy, state: LiveState) -> list[tuple[Any, ...]]:
    return [(finding.severity, finding.message, finding.actual and finding.actual.get(
                 "intervals"), finding.location.line if finding.location else None)
            for finding in findings_of(check_paging_path, policy, state)]


def test_an_override_that_phones_late_every_saturday_is_one_finding(
        documented: Callable[..., Policy]) -> None:
    """Cat, who is phoned after 15 minutes, overrides Ann on both Saturdays 00:00-08:00: the
    first call is Lee's, at minute 10, later than the 5 minutes SEV1 allows."""
    [finding] = findings_of(check_paging_path, documented(), state_of())
    assert finding.message == (
        "SEV1 on Saturdays 00:00-08:00 Europe/London, 2 times in the checked window "
        "(2026-03-07, 2026-03-14) (8h each time, 16h in all): first phone or SMS call at minute "
        "10 (level 2, Lee Lead), documented within 5m; the path: high urgency; level 1 at "
        "minute 0: schedule 'Rota': Cat Cole, push after 0 min, phone after 15 min -> phoned or "
        "texted at minute 15; level 2 at minute 10: user 'Lee Lead': phone after 0 min -> "
        "phoned or texted at minute 10")
    assert (finding.severity, finding.resource.name, finding.expected) == (
        Severity.ERROR, "Web", "SEV1: phone or SMS within 5m")
    assert finding.actual["intervals"] == [
        {"start": "2026-03-07T00:00:00Z", "end": "2026-03-07T08:00:00Z"},
        {"start": "2026-03-14T00:00:00Z", "end": "2026-03-14T08:00:00Z"}]
    assert finding.location is not None and finding.location.path.endswith("severities.yaml")


def test_first_page_within_is_the_deadline_when_written(
        documented: Callable[..., Policy]) -> None:
    """With ``first_page_within: 12m`` Lee's call at minute 10 is in time."""
    assert shown(documented(severities=SEVERITIES), state_of()) == []
    assert shown(documented(severities=SEVERITIES.replace("12m", "9m")), state_of()) != []


def test_nights_of_low_urgency_fail_a_service_documented_high(
        documented: Callable[..., Policy]) -> None:
    """Support-hours urgency in PagerDuty (high 09:00-17:00 on weekdays, low outside) on a
    service documented as high urgency: low-urgency incidents page Ann by her high rules only
    if they are high, so nobody is phoned at night; documented as support_hours, it is held to
    its support hours only, and passes."""
    live = state_of(entries=[entry(START, END, ANN)], urgency_rule=support_hours_urgency(),
                    hours=support_hours())
    findings = findings_of(check_paging_path, documented(), live)
    assert sorted(finding.message.split(",")[0] for finding in findings) == [
        f"SEV1 on {day}s 17:00-09:00 Europe/London"
        for day in ("Friday", "Monday", "Thursday", "Tuesday", "Wednesday")]
    assert "2 times in the checked window (2026-03-06, 2026-03-13) (2d16h each time" in min(
        finding.message for finding in findings)
    assert all("nobody is ever phoned or texted" in finding.message for finding in findings)
    assert shown(documented("support_hours", SUPPORT_HOURS), live) == []


def test_a_service_documented_as_low_urgency_is_not_checked(
        documented: Callable[..., Policy]) -> None:
    live = state_of(entries=[entry(START, END, ANN)], urgency_rule=constant_urgency("low"))
    assert shown(documented("low"), live) == []
    [finding] = findings_of(check_paging_path, documented(), live)
    assert finding.message.startswith(
        "SEV1 from 2026-03-02T12:00:00Z to 2026-03-16T11:55:00Z")
    assert "nobody is ever phoned or texted" in finding.message


def test_a_schedule_not_rendered_is_not_checked_never_passed(
        documented: Callable[..., Policy]) -> None:
    """Without the rendered rota, level 1 is not read; Lee's call at minute 10 comes after the
    deadline, so whether someone is phoned within 5 minutes is not known. The finding is at the
    deadline's line (SEV1's response_sla)."""
    assert shown(documented(), state_of(final_schedule=False)) == [(
        Severity.WARNING, "SEV1: paging path not checked for 13d23h55m from "
        "2026-03-02T12:00:00Z to 2026-03-16T11:55:00Z: PagerDuty returned no rendered final "
        "schedule for 'Rota'", None, 4)]


def test_a_service_listed_without_its_escalation_policy_is_not_checked_never_none(
        documented: Callable[..., Policy]) -> None:
    """PagerDuty did not return Web's escalation policy: who would be paged is not read, and
    the warning says so instead of naming an escalation policy 'None'."""
    live = state_of()
    [web] = live.objects["services"]
    live = replace(live, objects={**live.objects, "services": [
        {key: value for key, value in web.items() if key != "escalation_policy"}]})
    assert shown(documented(), live) == [(
        Severity.WARNING, "SEV1: paging path not checked for 13d23h55m from "
        "2026-03-02T12:00:00Z to 2026-03-16T11:55:00Z: PagerDuty did not return the service's "
        "escalation policy", None, 4)]


def with_windows(state: LiveState, *windows: Json, skipped: bool = False) -> LiveState:
    if skipped:
        return replace(state, skipped=(Skipped("maintenance_windows", "HTTP 403"),))
    return replace(state, objects={**state.objects, "maintenance_windows": windows})


def test_a_maintenance_window_creates_no_incident(documented: Callable[..., Policy]) -> None:
    """A window on Web on Tuesday 2026-03-03 02:00-04:00 (Ann on call, who is phoned at once
    otherwise): triggers then open no incident; another service's window changes nothing."""
    live = with_windows(state_of(entries=[entry(START, END, ANN)]),
                        maintenance("PW1", at(3, 2), at(3, 4), WEB),
                        maintenance("PW2", at(4, 2), at(4, 4),
                                    ref("service", "PS00009", "Other")))
    [finding] = findings_of(check_paging_path, documented(), live)
    assert finding.message.startswith(
        "SEV1 from 2026-03-03T02:00:00Z to 2026-03-03T04:00:00Z (Tuesday 2026-03-03T02:00:00+00:00"
        " to Tuesday 2026-03-03T04:00:00+00:00 Europe/London) (2h): no incident is created: "
        "maintenance window 'Database upgrade' from 2026-03-03T02:00:00Z to "
        "2026-03-03T04:00:00Z, documented within 5m")


def test_maintenance_windows_not_read_leave_the_path_unchecked(
        documented: Callable[..., Policy]) -> None:
    """The run reports the collection skipped; the rule adds nothing a complete read would
    not (it could be a window)."""
    assert findings_of(check_paging_path, documented(),
                       with_windows(state_of(), skipped=True)) == []


def test_maintenance_the_policy_allows_is_not_a_failure(
        documented: Callable[..., Policy]) -> None:
    """Web may be patched on Tuesdays 01:00-05:00 London for up to 3 hours: the window of
    02:00-04:00 is allowed (SVC310 says nothing of it), and no longer a stretch without a call;
    a 4-hour window in the same slot is not allowed, and is one."""
    allowing = documented(hours="""maintenance_windows:
      max_length: 3h
      allowed:
        - days: [tuesday]
          start: "01:00"
          end: "05:00"
""")
    live = state_of(entries=[entry(START, END, ANN)])
    assert findings_of(check_paging_path, allowing, with_windows(
        live, maintenance("PW1", at(3, 2), at(3, 4), WEB))) == []
    [finding] = findings_of(check_paging_path, allowing, with_windows(
        live, maintenance("PW1", at(3, 1), at(3, 5), WEB)))
    assert "(4h): no incident is created: maintenance window 'Database upgrade'" in (
        finding.message)


def test_inside_a_run_a_judgement_is_made_once_and_handed_on_once(
        documented: Callable[..., Policy]) -> None:
    """The evidence judges each service for PATH600 and again for its paging section: inside
    ``once_per_run`` the account's paths are one (another account has its own, and its own
    judgements), the second ask gets the first judgement, and the third a new one, equal (the
    memo forgets what it has handed on). Hand-computed: the 4-hour window on Tuesday
    01:00-05:00 is longer than the 3 hours allowed, so it is the one stretch not met of the two
    weeks judged (less the 5 minutes of the deadline at the end)."""
    policy = documented(hours="""maintenance_windows:
      max_length: 3h
      allowed:
        - days: [tuesday]
          start: "01:00"
          end: "05:00"
""")
    account = parse_account(with_windows(state_of(entries=[entry(START, END, ANN)]),
                                         maintenance("PW1", at(3, 1), at(3, 5), WEB)))
    [(web_documented, web)] = both_sides(service_pairs(policy, account))
    severity = paged_severities(policy.severities, web_documented)[0]
    window, zone = Interval(START, END), ZoneInfo("Europe/London")
    alone = judged_service(paths_of(account), web_documented, web, severity, window, zone)
    assert (alone.measured, alone.required, alone.met, alone.not_read) == (
        Interval(START, END - timedelta(minutes=5)), END - START - timedelta(minutes=5),
        END - START - timedelta(hours=4, minutes=5), timedelta(0))
    assert [(stretch.interval, stretch.verdict) for stretch in alone.unmet] == [
        (Interval(at(3, 1), at(3, 5)), Verdict.NO_INCIDENT)]
    # Another account, without the maintenance window: the same service, severity and window.
    other = parse_account(state_of(entries=[entry(START, END, ANN)]))
    [(_, other_web)] = both_sides(service_pairs(policy, other))
    with once_per_run():
        paths = paths_of(account)
        assert paths_of(account) is paths
        first = judged_service(paths, web_documented, web, severity, window, zone)
        other_paths = paths_of(other)
        assert other_paths is not paths  # each account its own, never the first one's answers
        assert judged_service(other_paths, web_documented, other_web, severity, window,
                              zone).unmet == ()
        assert judged_service(paths, web_documented, web, severity, window, zone) is first
        third = judged_service(paths, web_documented, web, severity, window, zone)
        assert third is not first and third == first == alone
        shorter = Interval(START, at(3, 3))
        assert judged_service(paths, web_documented, web, severity, shorter, zone).unmet[
            0].interval == Interval(at(3, 1), at(3, 2, 55))  # the deadline lies in the window
    assert paths_of(account) is not paths


def with_orchestration(state: LiveState, *rules: Json, skipped: bool = False) -> LiveState:
    if skipped:
        return replace(state, skipped=(Skipped("service_orchestrations", "HTTP 403"),))
    return replace(state, objects={**state.objects, "service_orchestrations": (
        service_orchestration("PS00001", list(rules)),)})


def test_an_orchestration_that_suppresses_weekend_nights_is_a_finding(
        documented: Callable[..., Policy]) -> None:
    """Every object matches the policy (Ann on call around the clock, phoned at once), but the
    orchestration suppresses Web's alerts on Saturdays 00:00-06:00 London: one weekly finding
    naming the rule; a rule on the event's fields changes nothing PATH600 counts."""
    live = state_of(entries=[entry(START, END, ANN)])
    saturdays = with_orchestration(live, orchestration_rule(
        "Quiet Saturdays", {"suppress": True}, "now in Sat 00:00:00 to 06:00:00 Europe/London"))
    [finding] = findings_of(check_paging_path, documented(), saturdays)
    assert finding.message == (
        "SEV1 on Saturdays 00:00-06:00 Europe/London, 2 times in the checked window "
        "(2026-03-07, 2026-03-14) (6h each time, 12h in all): no incident is created: event "
        "orchestration rule 'Quiet Saturdays' of set 'start' (when now in Sat 00:00:00 to "
        "06:00:00 Europe/London) suppresses the alert, documented within 5m; the path: event "
        "orchestration rule 'Quiet Saturdays' of set 'start' (when now in Sat 00:00:00 to "
        "06:00:00 Europe/London) suppresses the alert")
    pings = with_orchestration(live, orchestration_rule(
        "Mute pings", {"suppress": True}, "event.summary matches part 'ping'"))
    assert findings_of(check_paging_path, documented(), pings) == []


def test_orchestrations_not_read_leave_the_path_unchecked(
        documented: Callable[..., Policy]) -> None:
    """As with maintenance windows: the run reports the collection skipped."""
    assert findings_of(check_paging_path, documented(),
                       with_orchestration(state_of(), skipped=True)) == []


def test_an_orchestration_the_read_did_not_ask_for_is_not_checked_never_passed(
        documented: Callable[..., Policy]) -> None:
    """SVC311 warns that Web's orchestration was not read; the path is not checked either."""
    live = replace(state_of(), objects={**state_of().objects, "service_orchestrations": ()})
    assert shown(documented(), live) == [(
        Severity.WARNING, "SEV1: paging path not checked for 13d23h55m from "
        "2026-03-02T12:00:00Z to 2026-03-16T11:55:00Z: its event orchestration was not read",
        None, 4)]
