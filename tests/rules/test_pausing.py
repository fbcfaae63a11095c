"""SVC312 (auto-pause incident notifications) and SVC314 (alert grouping) on services shaped as
``GET /services?include[]=auto_pause_notifications_parameters`` lists them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rule_cases import (
    Json,
    constant_urgency,
    findings_of,
    live_state,
    rule_messages,
    run_rule,
    service,
    summary,
)

from pdlint.policy.model import Policy
from pdlint.rules.services import check_alert_grouping, check_auto_pause

DOCUMENTED = """\
tiers:
  tier-1:
    urgency: high
    auto_pause_notifications: 5m
    alert_grouping: intelligent
services:
  - name: Web
    tier: tier-1
  - name: Admin
    urgency: high
  - name: Batch
    urgency: low
  - name: Quiet
    auto_pause_notifications: disabled
"""


def paused(service_id: str, name: str, timeout: int | None, recommended: int | None = 300,
           **changes: Any) -> Json:
    """A service; ``timeout`` None is auto-pause off."""
    body = service(service_id, name, **changes)
    body["auto_pause_notifications_parameters"] = {
        "enabled": timeout is not None, "timeout": timeout or 0,
        **({} if recommended is None else {"recommended_timeout": recommended})}
    body["alert_grouping_parameters"] = {"type": "intelligent"}
    return body


def account(**timeouts: int | None) -> list[Json]:
    names = {"Web": "PS00001", "Admin": "PS00002", "Batch": "PS00003", "Quiet": "PS00004"}
    return [paused(service_id, name, timeouts.get(name),
                   urgency_rule=constant_urgency("low") if name == "Batch" else None)
            for name, service_id in names.items()]


@pytest.fixture
def policy(make_policy: Callable[[str], Policy]) -> Policy:
    return make_policy(DOCUMENTED)


@pytest.mark.parametrize(("timeouts", "expected"), [
    pytest.param({}, [], id="none-paused"),
    pytest.param({"Web": 300}, [], id="within-the-tier-allowance"),
    pytest.param({"Web": 0}, [], id="recommended-within"),
    pytest.param({"Web": 600}, [("SVC312", "Web", "5m", "10m", 4)], id="longer"),
    pytest.param({"Admin": 120}, [("SVC312", "Admin", "disabled", "2m", 10)],
                 id="high-urgency-not-allowed"),
    pytest.param({"Batch": 900}, [], id="low-urgency-may"),
    pytest.param({"Quiet": 120}, [("SVC312", "Quiet", "disabled", "2m", 14)],
                 id="documented-disabled"),
])
def test_auto_pause(policy: Policy, timeouts: dict[str, int | None],
                    expected: list[tuple[Any, ...]]) -> None:
    state = live_state(services=account(**timeouts))
    assert run_rule(check_auto_pause, policy, state) == expected


def test_a_pause_on_a_service_returned_without_its_urgency_rule_is_not_checked(
        make_policy: Callable[[str], Policy]) -> None:
    """Whether a service that documents no urgency pages at high urgency is PagerDuty's to say:
    not said, its pause is not checked (marked so: the run is incomplete), not judged as on a
    high-urgency service."""
    loose = paused("PS00005", "Loose", 120)
    del loose["incident_urgency_rule"]
    assert [(finding.message, finding.not_checked) for finding in findings_of(
        check_auto_pause, make_policy("services:\n  - name: Loose\n"),
        live_state(services=[loose]))] == [
        ("auto-pause not checked: it auto-pauses notifications for 2m, and PagerDuty returned the "
         "service without its urgency rule (whether it pages at high urgency)",
         "PagerDuty returned service 'Loose' without its urgency rule")]


def test_a_pause_pagerduty_does_not_state_is_not_within_any_allowance(policy: Policy) -> None:
    web = paused("PS00001", "Web", 0, recommended=None)
    state = live_state(services=[web])
    assert rule_messages(check_auto_pause, policy, state) == [
        "auto-pauses notifications for a time PagerDuty does not state before paging: longer "
        "than the 5m allowed"]


@pytest.mark.parametrize(("name", "expected"), [
    pytest.param("Admin", [("SVC312", "Admin", None, None, 9)], id="high-urgency"),
    pytest.param("Quiet", [("SVC312", "Quiet", None, None, 14)], id="documented-disabled"),
    pytest.param("Batch", [], id="low-urgency-may-pause-anyway"),
])
def test_auto_pause_not_returned_is_not_checked(policy: Policy, name: str,
                                                expected: list[tuple[Any, ...]]) -> None:
    """A listing without the settings says nothing about auto-pause: not "off", reported as
    not checked wherever the check applies, marked so (the run is incomplete)."""
    [live] = [body for body in account() if body["name"] == name]
    del live["auto_pause_notifications_parameters"]
    found = findings_of(check_auto_pause, policy, live_state(services=[live]))
    assert [summary(finding) for finding in found] == expected
    assert [finding.not_checked for finding in found] == [
        f"PagerDuty returned service '{name}' without its auto-pause settings"] * len(expected)


SETTING = "PAGS001"
BY_HOST = {"id": SETTING, "name": "By host", "type": "content_based",
           "config": {"time_window": 900, "aggregate": "all", "fields": ["component"]},
           "services": [{"id": "PS00001", "type": "service_reference", "summary": "Web"}]}
REFERENCE = {"id": SETTING, "type": "alert_grouping_setting_reference"}


@pytest.mark.parametrize(("grouping", "settings", "skipped", "expected"), [
    pytest.param({"type": "intelligent"}, [], [], [], id="as-documented"),
    pytest.param({"type": None}, [], [], [("SVC314", "Web", "intelligent", "none", 5)],
                 id="none"),
    pytest.param({"type": "time", "config": {"timeout": 0}}, [], [],
                 [("SVC314", "Web", "intelligent", "time", 5)], id="time"),
    pytest.param(REFERENCE, [BY_HOST], [], [("SVC314", "Web", "intelligent", "content_based", 5)],
                 id="kept-in-a-setting"),
    pytest.param(REFERENCE, [{**BY_HOST, "type": "intelligent"}], [], [],
                 id="kept-in-a-setting-as-documented"),
    pytest.param({"type": "intelligent"}, [{**BY_HOST, "type": "time"}], [],
                 [("SVC314", "Web", "intelligent", "time", 5)],
                 id="a-setting-listing-the-service-wins"),
    pytest.param(REFERENCE, [], [], [("SVC314", "Web", "intelligent", None, 5)],
                 id="a-setting-the-key-cannot-see"),
    pytest.param(REFERENCE, [], ["alert_grouping_settings"], [], id="settings-not-read"),
    pytest.param(None, [], [], [("SVC314", "Web", "intelligent", None, 5)], id="not-returned"),
])
def test_alert_grouping(policy: Policy, grouping: Json | None, settings: list[Json],
                        skipped: list[str], expected: list[tuple[Any, ...]]) -> None:
    web = paused("PS00001", "Web", None)
    if grouping is None:
        del web["alert_grouping_parameters"]
    else:
        web["alert_grouping_parameters"] = grouping
    state = live_state(services=[web], alert_grouping_settings=settings, skipped=skipped)
    assert run_rule(check_alert_grouping, policy, state) == expected


@pytest.mark.parametrize(("settings", "message"), [
    pytest.param([BY_HOST], "alert grouping is content_based (Alert Grouping Setting 'By host', "
                 "PAGS001), documented intelligent", id="named-with-its-setting"),
    pytest.param([], "alert grouping not checked: it is kept in Alert Grouping Setting PAGS001, "
                 "which is not in the settings this key reads", id="a-setting-not-seen"),
])
def test_alert_grouping_names_the_setting(policy: Policy, settings: list[Json],
                                          message: str) -> None:
    web = paused("PS00001", "Web", None)
    web["alert_grouping_parameters"] = REFERENCE
    state = live_state(services=[web], alert_grouping_settings=settings)
    assert rule_messages(check_alert_grouping, policy, state) == [message]
