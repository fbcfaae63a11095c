"""USR400 on a small policy against live users shaped as ``GET /users`` lists them with their
contact methods and notification rules, and on the demo account.

Web is high urgency and escalates through a schedule (Ann and Bob in its layer, Cat on call by an
override) and then Lee directly; Quiet is low urgency and pages Sam, who has push only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import pytest
from paging.paging_cases import person
from rule_cases import (
    EXAMPLE_POLICY,
    TODAY,
    WINDOW,
    Json,
    constant_urgency,
    context_of,
    entry,
    escalation_policy,
    escalation_rule,
    live_state,
    ref,
    schedule,
    schedule_layer,
    service,
    summary,
    support_hours_urgency,
)

from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState
from pdlint.policy import load_policy
from pdlint.policy.model import Policy
from pdlint.rules.engine import drift
from pdlint.rules.people import check_unreachable_responder

DOCUMENTED = """\
escalation_policies:
  - name: Main
    services: [Web]
    levels:
      - targets: [{schedule: Rota}]
      - engaged_after: 10m
        targets: [{user: lee@ex.com}]
  - name: Calm
    services: [Quiet]
    levels:
      - targets: [{user: sam@ex.com}]
schedules:
  - name: Rota
services:
  - name: Web
    urgency: high
  - name: Quiet
    urgency: low
"""
"""Web is defined on line 15, Quiet on line 17."""

ANN, BOB, CAT, LEE, SAM = (ref("user", f"PU0000{number}", name) for number, name in enumerate(
    ("Ann Archer", "Bob Baker", "Cat Cole", "Lee Lead", "Sam Stone"), start=1))
ROTA = ref("schedule", "PC00001", "Rota")
MAIN = ref("escalation_policy", "PE00001", "Main")
CALM = ref("escalation_policy", "PE00002", "Calm")
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


PHONE_AT_ONCE = ("high", "phone", 0)
PUSH_AT_ONCE = ("high", "push_notification", 0)


def left_out(user: Json, field: str) -> Json:
    """``user`` with ``field`` taken out of each of their notification rules."""
    return {**user, "notification_rules": [
        {key: value for key, value in rule.items() if key != field}
        for rule in user["notification_rules"]]}


def users(**changed: Json) -> list[Json]:
    """Everyone reachable by phone at once, but Sam (push only); ``changed`` by first name."""
    everyone = {"ann": person(ANN, PHONE_AT_ONCE), "bob": person(BOB, PHONE_AT_ONCE),
                "cat": person(CAT, PHONE_AT_ONCE), "lee": person(LEE, PHONE_AT_ONCE),
                "sam": person(SAM, PUSH_AT_ONCE)}
    return list({**everyone, **changed}.values())


def state_of(*, people: Sequence[Json] | None = None, web: Json | None = None,
             quiet: Json | None = None, skipped: Sequence[str] = (),
             main: Sequence[Json] | None = None, rota: Json | None = None) -> LiveState:
    """Web on Main (Rota, then Lee), Quiet on Calm (Sam); ``main`` replaces Main's rules."""
    rota = rota or schedule("PC00001", "Rota", layers=[schedule_layer("PL00001", [ANN, BOB],
                                                                      start=EPOCH)],
                            final_entries=[entry(WINDOW.since, WINDOW.until, ANN),
                                           entry(WINDOW.since, WINDOW.until, CAT)])
    return live_state(
        escalation_policies=[
            escalation_policy("PE00001", "Main", main or [escalation_rule(10, ROTA),
                                                          escalation_rule(10, LEE)]),
            escalation_policy("PE00002", "Calm", [escalation_rule(30, SAM)])],
        schedules=[rota], users=users() if people is None else people,
        services=[web or service("PS00001", "Web", escalation_policy=MAIN),
                  quiet or service("PS00002", "Quiet", escalation_policy=CALM,
                                   urgency_rule=constant_urgency("low"))],
        skipped=skipped)


def run(policy: Policy, state: LiveState) -> list[tuple[Any, ...]]:
    return sorted(summary(finding) for finding in
                  check_unreachable_responder.check(context_of(policy, state)))


@pytest.fixture
def policy(make_policy: Callable[[str], Policy]) -> Policy:
    return make_policy(DOCUMENTED)


def unreachable(name: str, actual: list[str], line: int = 15) -> tuple[Any, ...]:
    return ("USR400", name, "phone or sms after 0 min", actual, line)


@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(), [], id="everyone-reachable-quiet-is-low"),
    pytest.param(state_of(people=users(bob=person(BOB, PUSH_AT_ONCE))),
                 [unreachable("Bob Baker", ["push after 0 min"])], id="layer-member-push-only"),
    pytest.param(state_of(people=users(bob=person(BOB, ("high", "sms", 5), PUSH_AT_ONCE))),
                 [unreachable("Bob Baker", ["push after 0 min", "sms after 5 min"])],
                 id="sms-only-after-a-delay"),
    pytest.param(state_of(people=users(bob=person(BOB, ("low", "phone", 0)))),
                 [unreachable("Bob Baker", [])], id="phone-for-low-urgency-only"),
    pytest.param(state_of(people=users(bob=person(BOB, PHONE_AT_ONCE, enabled=False))),
                 [unreachable("Bob Baker", ["phone after 0 min (disabled)"])],
                 id="phone-disabled"),
    pytest.param(state_of(people=users(bob=person(BOB, PHONE_AT_ONCE, blacklisted=True))),
                 [unreachable("Bob Baker", ["phone after 0 min (disabled)"])],
                 id="phone-blocked"),
    pytest.param(state_of(people=users(cat=person(CAT, PUSH_AT_ONCE))),
                 [unreachable("Cat Cole", ["push after 0 min"])], id="on-call-by-override"),
    pytest.param(state_of(people=users(lee=person(LEE, PUSH_AT_ONCE))),
                 [unreachable("Lee Lead", ["push after 0 min"])], id="targeted-directly"),
    pytest.param(state_of(people=users(bob=person(BOB, PUSH_AT_ONCE)),
                          web=service("PS00001", "Web", escalation_policy=MAIN,
                                      status="disabled")), [], id="disabled-service"),
    pytest.param(state_of(quiet=service("PS00002", "Quiet", escalation_policy=CALM)),
                 [unreachable("Sam Stone", ["push after 0 min"], 17)],
                 id="documented-low-but-configured-high"),
    pytest.param(state_of(quiet=service("PS00002", "Quiet", escalation_policy=CALM,
                                        urgency_rule=support_hours_urgency("low", "high"))),
                 [unreachable("Sam Stone", ["push after 0 min"], 17)],
                 id="configured-high-outside-support-hours"),
    pytest.param(state_of(quiet=service("PS00002", "Quiet", escalation_policy=CALM,
                                        urgency_rule=constant_urgency("severity_based"))),
                 [unreachable("Sam Stone", ["push after 0 min"], 17)],
                 id="configured-severity-based"),
    pytest.param(state_of(people=users(bob=left_out(person(BOB, ("high", "phone", 5)),
                                                    "contact_method"))),
                 [unreachable("Bob Baker", ["a contact method not read after 5 min"])],
                 id="method-not-read-after-a-delay"),
    pytest.param(state_of(people=users(bob=left_out(person(BOB, ("high", "phone", 5)),
                                                    "urgency"))),
                 [unreachable("Bob Baker", ["phone after 5 min (urgency not read)"])],
                 id="urgency-not-read-after-a-delay"),
    pytest.param(state_of(people=users(bob=person(BOB, PUSH_AT_ONCE)), skipped=["users"]), [],
                 id="users-not-read"),
    pytest.param(state_of(people=users(bob=person(BOB, PUSH_AT_ONCE)), skipped=["schedules"]),
                 [], id="schedules-not-read"),
])
def test_unreachable_responder(policy: Policy, state: LiveState,
                               expected: list[tuple[Any, ...]]) -> None:
    assert run(policy, state) == expected


def without(*names: str) -> list[Json]:
    """Everyone but the people of these first names: a key that cannot list them."""
    return [person for person in users() if person["name"].split()[0].lower() not in names]


def not_checked(resource: tuple[str, str | None, str | None], message: str,
                line: int = 15) -> tuple[Any, ...]:
    return ("USR400", "warning", resource, message, line)


def warnings(policy: Policy, state: LiveState) -> list[tuple[Any, ...]]:
    return sorted(("USR400", finding.severity.value, (
        finding.resource.type, finding.resource.name, finding.resource.id), finding.message,
        finding.location.line if finding.location else None)
        for finding in check_unreachable_responder.check(context_of(policy, state)))


WEB_ON_MAIN = "high-urgency service Web (escalation policy Main)"
THROUGH_IT = "phones or texts someone through it at once is not known"
GONE = ref("escalation_policy", "PE00009", "Gone")
HIDDEN = ref("schedule", "PC00009", "Hidden")
V3 = {"id": "PV00009", "type": "schedule_v3_reference", "summary": "Follow the sun"}
BRIDGE = {"id": "PX00009", "type": "webhook_reference", "summary": "Bridge"}


@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(people=without("lee")), [not_checked(
        ("user", "Lee Lead", "PU00004"),
        "not checked: user PU00004 ('Lee Lead') is not in the user list this key reads, so "
        f"whether {WEB_ON_MAIN} {THROUGH_IT}")], id="targeted-user-not-listed"),
    pytest.param(state_of(people=without("bob")), [not_checked(
        ("user", "Bob Baker", "PU00002"),
        "not checked: user PU00002 ('Bob Baker') is not in the user list this key reads, so "
        f"whether {WEB_ON_MAIN} {THROUGH_IT}")], id="layer-member-not-listed"),
    pytest.param(state_of(people=without("cat")), [not_checked(
        ("user", None, "PU00003"),
        "not checked: user PU00003 is not in the user list this key reads, so "
        f"whether {WEB_ON_MAIN} {THROUGH_IT}")], id="final-schedule-user-not-listed"),
    pytest.param(state_of(people=users(lee={**person(LEE), "notification_rules": None})),
                 [not_checked(("user", "Lee Lead", "PU00004"),
                  "not checked: user PU00004 ('Lee Lead') was listed without notification rules "
                  f"(not readable with this key), so whether {WEB_ON_MAIN} {THROUGH_IT}")],
                 id="notification-rules-not-returned"),
    pytest.param(state_of(web=service("PS00001", "Web", escalation_policy=GONE)), [not_checked(
        ("escalation_policy", "Gone", "PE00009"),
        "not checked: escalation policy PE00009 ('Gone') is not in the escalation policy list "
        f"this key reads, so whether high-urgency service Web {THROUGH_IT}")],
                 id="service-policy-not-listed"),
    pytest.param(state_of(main=[escalation_rule(10, HIDDEN)]), [not_checked(
        ("schedule", "Hidden", "PC00009"),
        "not checked: schedule PC00009 ('Hidden') is not in the schedule list this key reads, "
        f"so whether {WEB_ON_MAIN} {THROUGH_IT}")], id="schedule-target-not-listed"),
    pytest.param(state_of(main=[escalation_rule(10, V3)]), [not_checked(
        ("schedule", "Follow the sun", "PV00009"),
        "not checked: schedule PV00009 ('Follow the sun') is not in the shift-based schedule "
        f"list this key reads, so whether {WEB_ON_MAIN} {THROUGH_IT}")],
                 id="shift-based-target-not-listed"),
    pytest.param(state_of(main=[escalation_rule(10, V3)], skipped=["schedules_v3"]),
                 [not_checked(("schedule", "Follow the sun", "PV00009"),
                  "not checked: schedule PV00009 ('Follow the sun') could not be read (403 "
                  "Forbidden: the token may not read schedules_v3), so whether "
                  f"{WEB_ON_MAIN} {THROUGH_IT}")], id="shift-based-schedules-not-read"),
    pytest.param(state_of(rota={key: value for key, value in schedule("PC00001", "Rota").items()
                                if key not in ("schedule_layers", "final_schedule")}),
                 [not_checked(("schedule", "Rota", "PC00001"),
                  "not checked: schedule PC00001 ('Rota') was returned without its layers or "
                  f"its rendering, so whether {WEB_ON_MAIN} {THROUGH_IT}")],
                 id="schedule-without-layers-or-rendering"),
    pytest.param(state_of(main=[escalation_rule(10, BRIDGE, LEE)]), [not_checked(
        ("webhook_reference", "Bridge", "PX00009"),
        "not checked: webhook reference PX00009 ('Bridge') is a target pdlint does not read, "
        f"so whether {WEB_ON_MAIN} {THROUGH_IT}")], id="target-of-another-type"),
    pytest.param(state_of(people=without("sam")), [], id="low-urgency-service-not-checked"),
    *(pytest.param(state_of(people=users(lee=left_out(person(LEE, PHONE_AT_ONCE), field))),
                   [not_checked(("user", "Lee Lead", "PU00004"),
                                "not checked: user PU00004 ('Lee Lead') was listed with a "
                                f"notification rule not read: PagerDuty did not return {field}, so "
                                f"whether "
                                f"{WEB_ON_MAIN} {THROUGH_IT}")], id=f"rule-without-{field}")
      for field in ("start_delay_in_minutes", "urgency", "contact_method", "type")),
    pytest.param(state_of(people=users(lee={**person(LEE, PHONE_AT_ONCE), "contact_methods": []})),
                 [not_checked(("user", "Lee Lead", "PU00004"),
                  "not checked: user PU00004 ('Lee Lead') was listed with a notification rule not "
                  "read: PagerDuty did not return the rule's contact method among the user's "
                  f"contact_methods, so whether {WEB_ON_MAIN} {THROUGH_IT}")],
                 id="rule-method-not-among-contact-methods"),
])
def test_what_the_key_cannot_see_is_named_not_passed_over(
        policy: Policy, state: LiveState, expected: list[tuple[Any, ...]]) -> None:
    assert warnings(policy, state) == expected


def test_a_rule_naming_its_contact_method_by_reference_is_read_from_the_user(
        policy: Policy) -> None:
    bob = person(BOB, PHONE_AT_ONCE)
    method = bob["notification_rules"][0]["contact_method"]
    bob["notification_rules"][0]["contact_method"] = {
        "id": method["id"], "type": "phone_contact_method_reference", "summary": "Mobile"}
    assert run(policy, state_of(people=users(bob=bob))) == []
    bob["contact_methods"][0]["enabled"] = False
    assert run(policy, state_of(people=users(bob=bob))) == [
        unreachable("Bob Baker", ["phone after 0 min (disabled)"])]


def test_a_person_listed_without_email_is_named_not_none(policy: Policy) -> None:
    lee = {**person(LEE, PUSH_AT_ONCE), "email": None}
    [finding] = check_unreachable_responder.check(context_of(policy, state_of(
        people=users(lee=lee))))
    assert finding.message.startswith("Lee Lead (email not read) can be paged for high-urgency "
                                      "service Web (escalation policy Main)")


def test_one_finding_per_person_names_every_service_and_policy(policy: Policy) -> None:
    state = state_of(people=users(lee=person(LEE, PUSH_AT_ONCE)),
                     quiet=service("PS00002", "Quiet", escalation_policy=MAIN))
    [finding] = check_unreachable_responder.check(context_of(policy, state))
    assert finding.message == (
        "Lee Lead (lee@ex.com) can be paged for high-urgency services Quiet, Web (escalation "
        "policy Main) but no high-urgency notification rule phones or texts them at once; "
        "high-urgency rules: push after 0 min")
    assert (finding.resource.type, finding.resource.id) == ("user", "PU00004")


def test_a_person_paged_for_many_services_is_one_finding_naming_the_first_five(
        make_policy: Callable[[str], Policy]) -> None:
    names = [f"Api {number}" for number in range(1, 8)]
    documented = make_policy(
        DOCUMENTED.replace("services: [Web]", f"services: [Web, {', '.join(names)}]")
        + "".join(f"  - name: {name}\n" for name in names))
    state = state_of(people=users(lee=person(LEE, PUSH_AT_ONCE)))
    state = live_state(escalation_policies=state.escalation_policies, schedules=state.schedules,
                       users=state.users, services=[*state.services, *(
                           service(f"PS0010{index}", name, escalation_policy=MAIN)
                           for index, name in enumerate(names))])
    [finding] = check_unreachable_responder.check(context_of(documented, state))
    assert finding.message.startswith(
        "Lee Lead (lee@ex.com) can be paged for high-urgency services Api 1, Api 2, Api 3, "
        "Api 4, Api 5 and 3 more (escalation policy Main) but no high-urgency")


def test_demo_drift_of_people_rule(demo_state: LiveState) -> None:
    """Pavel Novak, of the Security on-call rotation, is notified by push only."""
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None
    report = drift(loaded.policy, parse_account(demo_state), TODAY, [check_unreachable_responder])
    assert [(finding.rule, finding.resource.name, finding.resource.id, finding.actual)
            for finding in report.findings] == [
        ("USR400", "Pavel Novak", "PU0000F", ["push after 0 min"])]
    assert "Security Monitoring, Web Application Firewall" in report.findings[0].message
