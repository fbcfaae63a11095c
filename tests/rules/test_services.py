"""SVC rules on a small policy against live services shaped as ``GET /services`` lists them.

Each case changes one live service of an account that otherwise matches the policy, runs one
rule, and asserts its exact findings: (rule, resource name, expected, actual, line of case.yaml).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest
from rule_cases import (
    Json,
    constant_urgency,
    context_of,
    escalation_policy,
    escalation_rule,
    live_state,
    ref,
    rule_messages,
    run_rule,
    service,
    summary,
    support_hours,
    support_hours_urgency,
    team,
)

from pdlint.pagerduty.state import LiveState
from pdlint.policy.model import Policy
from pdlint.rule import Rule
from pdlint.rules import services as service_rules
from pdlint.rules.scope import check_team
from pdlint.rules.services import (
    check_disabled,
    check_escalation_policy,
    check_missing,
    check_no_integration,
    check_support_hours,
    check_timeouts,
    check_urgency_rule,
)

DOCUMENTED = """\
tiers:
  tier-1:
    urgency: high
    acknowledgement_timeout: 30m
    auto_resolve_timeout: 4h
    requires_integration: true
teams:
  - name: Platform
  - name: Security
    id: PT00002
escalation_policies:
  - name: Main
    services: [Web]
    levels:
      - targets: [{user: lead@example.com}]
  - name: Other
    levels:
      - targets: [{user: lead@example.com}]
services:
  - name: Web
    tier: tier-1
    team: Platform
  - name: Admin
    escalation_policy: Other
    team: Security
    urgency: support_hours
    acknowledgement_timeout: disabled
    support_hours:
      time_zone: Europe/London
      days: [monday, tuesday, wednesday, thursday, friday]
      start: "09:00"
      end: "17:00"
  - name: Batch
    escalation_policy: Other
    urgency: severity_based
"""
"""Web takes tier-1's values (lines 3-6) and Main's services entry (line 13)."""

MAIN = ref("escalation_policy", "PE00001", "Main")
OTHER = ref("escalation_policy", "PE00002", "Other")
PLATFORM = ref("team", "PT00001", "Platform")
SECURITY = ref("team", "PT00002", "Security")
LEAD = ref("user", "PU00001", "Lee Lead")

POLICIES = [escalation_policy("PE00001", "Main", [escalation_rule(30, LEAD)]),
            escalation_policy("PE00002", "Other", [escalation_rule(30, LEAD)])]
TEAMS = [team("PT00001", "Platform"), team("PT00002", "Security")]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]


def web(**changes: Any) -> Json:
    return service("PS00001", "Web", **{"escalation_policy": MAIN, "teams": [PLATFORM],
                                        **changes})


def admin(**changes: Any) -> Json:
    return service("PS00002", "Admin", **{
        "escalation_policy": OTHER, "teams": [SECURITY], "urgency_rule": support_hours_urgency(),
        "hours": support_hours(), "acknowledgement_timeout": None, **changes})


def batch(**changes: Any) -> Json:
    return service("PS00003", "Batch", **{
        "escalation_policy": OTHER, "urgency_rule": constant_urgency("severity_based"),
        **changes})


def state_of(*services: Json, policies: Sequence[Json] = POLICIES,
             teams: Sequence[Json] = TEAMS, skipped: Sequence[str] = ()) -> LiveState:
    """The account with ``services`` replacing the matching ones of Web, Admin and Batch."""
    by_name = {obj["name"]: obj for obj in (web(), admin(), batch())}
    named = {obj["name"] for obj in services}
    chosen = [*services, *(obj for name, obj in by_name.items() if name not in named)]
    return live_state(services=chosen, escalation_policies=policies, teams=teams,
                      skipped=skipped)


@pytest.fixture
def policy(make_policy: Callable[[str], Policy]) -> Policy:
    return make_policy(DOCUMENTED)


SERVICE_RULES = [*(value for value in vars(service_rules).values() if isinstance(value, Rule)),
                 check_team]
"""The SVC rules, SVC307 with them though it is declared beside SCP100, which speaks over it."""


def test_the_matching_account_is_clean(policy: Policy) -> None:
    assert len(SERVICE_RULES) == 11
    assert [summary(finding) for check in SERVICE_RULES
            for finding in check.check(context_of(policy, state_of()))] == []  # type: ignore[misc]


@pytest.mark.parametrize("check", SERVICE_RULES, ids=lambda check: check.id)
def test_unread_services_report_nothing(policy: Policy, check: Rule) -> None:
    """Services that were not fetched are neither missing nor drifted: the run says skipped."""
    state = live_state(escalation_policies=POLICIES, teams=TEAMS, skipped=["services"])
    assert run_rule(check, policy, state) == []


# -- SVC300 missing / undocumented -----------------------------------------------------------

def unmatched(name: str) -> Callable[[], LiveState]:
    """The account without the live service ``name``."""
    return lambda: live_state(services=[obj for obj in (web(), admin(), batch())
                                        if obj["name"] != name],
                              escalation_policies=POLICIES, teams=TEAMS)


@pytest.mark.parametrize(("state", "expected", "message"), [
    pytest.param(unmatched("Web")(), [("SVC300", "Web", "Web", None, 20)],
                 "documented, but PagerDuty has no service named 'Web'", id="missing"),
    pytest.param(live_state(services=[web(), {**admin(), "name": "Admins"}, batch()],
                            escalation_policies=POLICIES, teams=TEAMS),
                 [("SVC300", "Admin", "Admin", "Admins", 23)], None, id="renamed"),
    pytest.param(state_of(service("PS00009", "Legacy", escalation_policy=MAIN)),
                 [("SVC300", "Legacy", None, "Legacy", 12)],
                 "in PagerDuty on escalation policy 'Main' but not documented",
                 id="undocumented-at-its-documented-policy"),
    pytest.param(state_of(service("PS00009", "Legacy", escalation_policy=ref(
        "escalation_policy", "PE00009", "Stray"))), [("SVC300", "Legacy", None, "Legacy", None)],
                 "in PagerDuty but not documented", id="undocumented-on-an-undocumented-policy"),
    pytest.param(state_of(service("PS00009", "Legacy", escalation_policy=MAIN),
                          skipped=["escalation_policies"]),
                 [("SVC300", "Legacy", None, "Legacy", 12)],
                 "in PagerDuty on escalation policy 'Main' but not documented",
                 id="undocumented-the-same-when-policies-not-read"),
    pytest.param(state_of(service("PS00009", "Legacy", status="disabled")), [], None,
                 id="undocumented-but-disabled"),
])
def test_missing(policy: Policy, state: LiveState, expected: list[tuple[Any, ...]],
                 message: str | None) -> None:
    assert run_rule(check_missing, policy, state) == expected
    if message is not None:
        assert rule_messages(check_missing, policy, state) == [message]


# -- SVC301 escalation-policy ----------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(web(escalation_policy=OTHER)),
                 [("SVC301", "Web", "Main", "Other", 13)], id="other-policy"),
    pytest.param(state_of(admin(escalation_policy=MAIN)),
                 [("SVC301", "Admin", "Other", "Main", 24)], id="own-escalation-policy-key"),
    pytest.param(state_of(web(escalation_policy=ref("escalation_policy", "PE00001", "Mains")),
                          policies=[escalation_policy("PE00001", "Mains",
                                                      [escalation_rule(30, LEAD)]), POLICIES[1]]),
                 [], id="renamed-policy-same-id"),
    pytest.param(state_of(web(escalation_policy=OTHER), skipped=["escalation_policies"]),
                 [], id="policies-not-read-not-compared"),
    pytest.param(state_of(policies=POLICIES[1:]), [], id="documented-policy-absent-by-name"),
    pytest.param(state_of({key: value for key, value in web().items()
                           if key != "escalation_policy"}), [("SVC301", "Web", "Main", None, 13)],
                 id="its-escalation-policy-not-returned"),
])
def test_escalation_policy(policy: Policy, state: LiveState,
                           expected: list[tuple[Any, ...]]) -> None:
    assert run_rule(check_escalation_policy, policy, state) == expected


# -- SVC302 urgency-rule ---------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected", "message"), [
    pytest.param(state_of(web(urgency_rule=constant_urgency("low"))),
                 [("SVC302", "Web", "high", "low", 3)],
                 "urgency is always low, documented always high", id="low-not-high"),
    pytest.param(state_of(web(urgency_rule=constant_urgency("severity_based"))),
                 [("SVC302", "Web", "high", "severity_based", 3)],
                 "urgency is set by each alert's severity, documented always high",
                 id="severity-based-not-high"),
    pytest.param(state_of(admin(urgency_rule=constant_urgency("high"))),
                 [("SVC302", "Admin", "support_hours", "high", 26)],
                 "urgency is always high, documented high during support hours and low outside",
                 id="constant-not-support-hours"),
    pytest.param(state_of(admin(urgency_rule=support_hours_urgency("low", "high"))),
                 [("SVC302", "Admin", "support_hours", "support_hours (low during, high outside)",
                   26)],
                 "urgency is low during support hours and high outside, documented high during "
                 "support hours and low outside", id="support-hours-inverted"),
    pytest.param(state_of(batch(urgency_rule=support_hours_urgency())),
                 [("SVC302", "Batch", "severity_based", "support_hours", 35)],
                 "urgency is high during support hours and low outside, documented set by each "
                 "alert's severity", id="severity-based-documented"),
    pytest.param(state_of(web(urgency_rule={"type": "constant"})), [], None,
                 id="urgency-left-out-is-high"),
])
def test_urgency_rule(policy: Policy, state: LiveState, expected: list[tuple[Any, ...]],
                      message: str) -> None:
    assert run_rule(check_urgency_rule, policy, state) == expected
    if message is not None:
        assert rule_messages(check_urgency_rule, policy, state) == [message]


# -- SVC303 support-hours --------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(admin(hours=support_hours(days=(5, 4, 3, 2, 1)))), [],
                 id="day-order-does-not-matter"),
    pytest.param(state_of(admin(hours=support_hours(days=(1, 2, 3, 4)))),
                 [("SVC303", "Admin", WEEKDAYS, WEEKDAYS[:4], 30)], id="days"),
    pytest.param(state_of(admin(hours=support_hours(start="08:30:00"))),
                 [("SVC303", "Admin", "09:00", "08:30", 31)], id="start"),
    pytest.param(state_of(admin(hours=support_hours(end="18:00:00"))),
                 [("SVC303", "Admin", "17:00", "18:00", 32)], id="end"),
    pytest.param(state_of(admin(hours=support_hours(time_zone="America/New_York"))),
                 [("SVC303", "Admin", "Europe/London", "America/New_York", 29)], id="time-zone"),
    pytest.param(state_of(admin(hours=support_hours(time_zone="London"))), [],
                 id="rails-name-of-the-documented-zone"),
    pytest.param(state_of(admin(hours=support_hours(time_zone="Edinburgh"))), [],
                 id="rails-name-of-another-city-in-it"),
    pytest.param(state_of(admin(hours=support_hours(time_zone="Europe/Dublin"))), [],
                 id="another-zone-keeping-the-same-clock"),
    pytest.param(state_of(admin(hours=support_hours(time_zone="Eastern Time (US & Canada)"))),
                 [("SVC303", "Admin", "Europe/London", "Eastern Time (US & Canada)", 29)],
                 id="rails-name-of-another-zone"),
    pytest.param(state_of(admin(hours=support_hours(time_zone="UTC"))),
                 [("SVC303", "Admin", "Europe/London", "UTC", 29)],
                 id="same-in-winter-not-in-summer"),
    pytest.param(state_of(admin(hours=support_hours(time_zone="Greenwich Mean Time"))),
                 [("SVC303", "Admin", "Europe/London", "Greenwich Mean Time", 29)],
                 id="unknown-zone"),
    pytest.param(state_of(admin(hours=None)),
                 [("SVC303", "Admin", {"days": WEEKDAYS, "start": "09:00", "end": "17:00",
                                       "time_zone": "Europe/London"}, None, 28)],
                 id="none-configured"),
    pytest.param(state_of(web(hours=support_hours(days=(6,)))), [],
                 id="undocumented-hours-not-compared"),
])
def test_support_hours(policy: Policy, state: LiveState,
                       expected: list[tuple[Any, ...]]) -> None:
    assert run_rule(check_support_hours, policy, state) == expected


@pytest.mark.parametrize(("fetched", "expected"), [
    pytest.param(datetime(1995, 6, 1, tzinfo=timezone.utc),
                 [("SVC303", "Admin", "Europe/London", "Lisbon", 29)],
                 id="1995-lisbon-kept-central-european-time"),
    pytest.param(datetime(2026, 6, 1, tzinfo=timezone.utc), [],
                 id="2026-lisbon-keeps-london-clock"),
])
def test_support_hours_zones_are_compared_in_the_year_they_were_read(
        policy: Policy, fetched: datetime, expected: list[tuple[Any, ...]]) -> None:
    state = replace(state_of(admin(hours=support_hours(time_zone="Lisbon"))), fetched_at=fetched)
    assert run_rule(check_support_hours, policy, state) == expected


def test_support_hours_message(policy: Policy) -> None:
    state = state_of(admin(hours=support_hours(days=(1, 2, 3, 4), start="08:00:00")))
    assert rule_messages(check_support_hours, policy, state) == [
        "support hours days is monday, tuesday, wednesday, thursday, documented monday, "
        "tuesday, wednesday, thursday, friday",
        "support hours start is 08:00, documented 09:00"]


# -- SVC304 timeouts -------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected", "message"), [
    pytest.param(state_of(web(acknowledgement_timeout=None)),
                 [("SVC304", "Web", "30m", "disabled", 4)],
                 "acknowledgement timeout is disabled, documented 30m", id="ack-disabled"),
    pytest.param(state_of(web(acknowledgement_timeout=0)),
                 [("SVC304", "Web", "30m", "disabled", 4)], None, id="zero-is-disabled"),
    pytest.param(state_of(web(acknowledgement_timeout=1830)),
                 [("SVC304", "Web", "30m", "1830s", 4)], None, id="seconds-kept"),
    pytest.param(state_of(web(auto_resolve_timeout=3600)),
                 [("SVC304", "Web", "4h", "1h", 5)],
                 "auto-resolve timeout is 1h, documented 4h", id="auto-resolve"),
    pytest.param(state_of(admin(acknowledgement_timeout=1800)),
                 [("SVC304", "Admin", "disabled", "30m", 27)],
                 "acknowledgement timeout is 30m, documented disabled", id="documented-disabled"),
    pytest.param(state_of(admin(auto_resolve_timeout=None), batch(acknowledgement_timeout=60)),
                 [], None, id="undocumented-not-compared"),
])
def test_timeouts(policy: Policy, state: LiveState, expected: list[tuple[Any, ...]],
                  message: str | None) -> None:
    assert run_rule(check_timeouts, policy, state) == expected
    if message is not None:
        assert rule_messages(check_timeouts, policy, state) == [message]


# -- SVC305 disabled, SVC306 no-integration --------------------------------------------------

@pytest.mark.parametrize(("check", "state", "expected"), [
    pytest.param(check_disabled, state_of(web(status="disabled")),
                 [("SVC305", "Web", "enabled", "disabled", 20)], id="disabled"),
    pytest.param(check_disabled, state_of(web(status="critical"), admin(status="maintenance")),
                 [], id="incident-status-and-maintenance-are-enabled"),
    pytest.param(check_missing, state_of(web(status="disabled")), [],
                 id="disabled-is-not-missing"),
    pytest.param(check_no_integration, state_of(web(integrations=[])),
                 [("SVC306", "Web", "at least one integration", 0, 6)], id="no-integration"),
    pytest.param(check_no_integration, state_of(admin(integrations=[])), [],
                 id="integration-not-required"),
])
def test_disabled_and_integrations(policy: Policy, check: Rule, state: LiveState,
                                   expected: list[tuple[Any, ...]]) -> None:
    assert run_rule(check, policy, state) == expected


# -- SVC307 team -----------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected", "message"), [
    pytest.param(state_of(web(teams=[])), [("SVC307", "Web", "Platform", [], 22)],
                 "belongs to no team, documented 'Platform'", id="no-team"),
    pytest.param(state_of(web(teams=[SECURITY])),
                 [("SVC307", "Web", "Platform", ["Security"], 22)],
                 "belongs to team 'Security', documented 'Platform'", id="other-team"),
    pytest.param(state_of(web(teams=[SECURITY, PLATFORM])), [], None, id="one-of-several"),
    pytest.param(state_of(admin(teams=[ref("team", "PT00002", "SecOps")]),
                          teams=[TEAMS[0], team("PT00002", "SecOps")]), [], None,
                 id="pinned-team-renamed"),
    pytest.param(state_of(web(teams=[SECURITY]), skipped=["teams"]), [], None,
                 id="teams-not-read"),
    pytest.param(state_of({key: value for key, value in web().items() if key != "teams"}),
                 [("SVC307", "Web", "Platform", None, 22)],
                 "team not checked: PagerDuty returned the service without its teams",
                 id="its-teams-not-returned"),
])
def test_team(policy: Policy, state: LiveState, expected: list[tuple[Any, ...]],
              message: str | None) -> None:
    assert run_rule(check_team, policy, state) == expected
    if message is not None:
        assert rule_messages(check_team, policy, state) == [message]
