"""RSP700: each severity's documented response automation against the incident workflows and
their triggers, shaped as ``GET /incident_workflows?include[]=steps`` and
``GET /incident_workflows/triggers`` list them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rule_cases import (
    Json,
    context_of,
    findings_of,
    live_state,
    rule_messages,
    run_rule,
    service,
)

from pdlint.policy.model import Policy, runs_action
from pdlint.rules.response import check_response_automation

DOCUMENTED = """\
severities:
  - id: P1
    name: Critical
    response_sla: 5m
    urgency: high
    channels: [phone]
    business_hours_only: false
    postmortem_within: 48h
    pagerduty_priority: P1
    response_automation:
      workflow: Major incident
      actions:
        - add-responders
        - pagerduty.com:incident-workflows:add-conference-bridge
  - id: P2
    name: High
    response_sla: 15m
    urgency: high
    channels: [phone]
    business_hours_only: false
    postmortem_within: 7d
    response_automation:
      workflow: Major incident
      services: [Web]
      actions: [pagerduty.com:incident-workflows:add-responders:2]
services:
  - name: Web
  - name: Admin
"""

WEB, ADMIN = service("PS00001", "Web"), service("PS00002", "Admin")
RESPONDERS = "pagerduty.com:incident-workflows:add-responders:2"
BRIDGE = "pagerduty.com:incident-workflows:add-conference-bridge:5"


def workflow(*actions: str, enabled: bool = True, name: str = "Major incident",
             inner: tuple[str, ...] = ()) -> Json:
    steps = [{"id": f"PQ{index}", "type": "step", "name": f"Step {index}",
              "action_configuration": {"action_id": action, "inputs": []}}
             for index, action in enumerate(actions)]
    if inner:
        steps.append({"id": "PQIN", "type": "step", "name": "Inner", "action_configuration": {
            "action_id": "pagerduty.com:incident-workflows:run-steps:1",
            "inline_steps_inputs": [{"name": "Steps", "value": {"steps": [
                {"name": "Inner step", "action_configuration": {"action_id": action}}
                for action in inner]}}]}})
    return {"id": "PF00001", "type": "incident_workflow", "name": name, "is_enabled": enabled,
            "steps": steps}


def trigger(condition: str | None = "incident.priority matches 'P1'", *services: Json,
            kind: str = "conditional", trigger_id: str = "T1") -> Json:
    body: Json = {"id": trigger_id, "type": "workflow_trigger", "trigger_type": kind,
                  "workflow": {"id": "PF00001", "type": "workflow_reference",
                               "name": "Major incident"},
                  "services": [{"id": obj["id"], "type": "service", "summary": obj["name"]}
                               for obj in services],
                  "is_subscribed_to_all_services": not services}
    if condition is not None:
        body["condition"] = condition
    return body


BOTH = "incident.priority matches any('P1', 'P2')"


@pytest.fixture
def policy(make_policy: Callable[..., Policy]) -> Policy:
    return make_policy(DOCUMENTED, without=("severities",))


@pytest.mark.parametrize(("workflows", "triggers", "expected"), [
    pytest.param([workflow(RESPONDERS, BRIDGE)], [trigger(BOTH)], [], id="as-documented"),
    pytest.param([workflow(RESPONDERS, inner=(BRIDGE,))], [trigger(BOTH)], [],
                 id="an-inner-step-counts"),
    pytest.param([workflow(RESPONDERS, BRIDGE)], [trigger(None)], [], id="every-incident"),
    pytest.param([workflow(RESPONDERS)], [trigger(BOTH)],
                 [("RSP700", "Major incident", "pagerduty.com:incident-workflows:"
                   "add-conference-bridge", 14)], id="lacking-an-action"),
    pytest.param([workflow(RESPONDERS, BRIDGE, enabled=False)], [trigger(BOTH)],
                 [("RSP700", "Major incident", "enabled", 11),
                  ("RSP700", "Major incident", "enabled", 23)], id="disabled"),
    pytest.param([workflow(RESPONDERS, BRIDGE)], [trigger()],
                 [("RSP700", "Major incident", "triggered on P2", 22)], id="not-on-p2"),
    pytest.param([workflow(RESPONDERS, BRIDGE)],
                 [trigger(BOTH, WEB), trigger(BOTH, kind="manual", trigger_id="T2")],
                 [("RSP700", "Major incident", "Admin", 10)], id="not-on-one-service"),
    pytest.param([workflow(RESPONDERS, BRIDGE, name="Other")], [],
                 [("RSP700", "Admin", "Major incident", 11),
                  ("RSP700", "Web", "Major incident", 11),
                  ("RSP700", "Web", "Major incident", 23)], id="no-such-workflow"),
    pytest.param([], [trigger(BOTH)],
                 [("RSP700", "Major incident", "enabled", 11),
                  ("RSP700", "Major incident", "enabled", 23)],
                 id="a-workflow-the-key-cannot-list-is-named-not-missing"),
    pytest.param([], [trigger()],
                 [("RSP700", "Major incident", "enabled", 11),
                  ("RSP700", "Major incident", "enabled", 23),
                  ("RSP700", "Major incident", "triggered on P2", 22)],
                 id="a-workflow-the-key-cannot-list-still-has-its-triggers-checked"),
])
def test_response_automation(policy: Policy, workflows: list[Json], triggers: list[Json],
                             expected: list[tuple[Any, ...]]) -> None:
    state = live_state(services=[WEB, ADMIN], incident_workflows=workflows,
                       workflow_triggers=triggers)
    assert [(rule, name, wanted, line) for rule, name, wanted, _, line
            in run_rule(check_response_automation, policy, state)] == expected


def test_a_workflow_the_key_cannot_list_is_a_warning_naming_it(policy: Policy) -> None:
    state = live_state(services=[WEB, ADMIN], workflow_triggers=[trigger(BOTH)])
    found = list(check_response_automation.check(context_of(policy, state)))
    assert {(finding.severity.value, finding.resource.id, finding.message)
            for finding in found} == {(
        "warning", "PF00001", "not checked whether it is enabled and runs the documented "
        "actions: incident workflow PF00001 is named by a trigger but is not in the workflows "
        "this key reads")}


def test_the_messages_name_the_severity_the_action_and_the_service(policy: Policy) -> None:
    state = live_state(services=[WEB, ADMIN], incident_workflows=[workflow(RESPONDERS)],
                       workflow_triggers=[trigger("incident.priority matches 'P1'", WEB)])
    assert rule_messages(check_response_automation, policy, state) == [
        "has no step running pagerduty.com:incident-workflows:add-conference-bridge, "
        "documented for P1 incidents",
        "no trigger starts it on P2 incidents (a conditional trigger on incident.priority)",
        "not triggered on P1 incidents of service 'Admin'"]


@pytest.mark.parametrize("skipped", ["incident_workflows", "workflow_triggers"])
def test_workflows_not_read_are_not_judged(policy: Policy, skipped: str) -> None:
    state = live_state(services=[WEB, ADMIN], skipped=[skipped])
    assert run_rule(check_response_automation, policy, state) == []


@pytest.mark.parametrize(("written", "action_id", "runs"), [
    ("add-responders", RESPONDERS, True),
    ("pagerduty.com:incident-workflows:add-responders", RESPONDERS, True),
    (RESPONDERS, RESPONDERS, True),
    ("pagerduty.com:incident-workflows:add-responders:1", RESPONDERS, False),
    ("responders", RESPONDERS, False),
    ("incident-workflows:add-responders", RESPONDERS, False),
])
def test_an_action_is_named_by_its_id_or_its_last_part(written: str, action_id: str,
                                                        runs: bool) -> None:
    assert runs_action(written, action_id) is runs


@pytest.mark.parametrize("all_services", [
    pytest.param(None, id="nor-whether-all"), pytest.param(False, id="not-all")])
def test_a_trigger_that_does_not_say_which_services_is_not_checked_never_missing(
        policy: Policy, all_services: bool | None) -> None:
    """Its services not returned, whether it covers a service is not known: not checked,
    never "not triggered", nor passed."""
    unsaid = trigger(BOTH)
    del unsaid["services"], unsaid["is_subscribed_to_all_services"]
    if all_services is not None:
        unsaid["is_subscribed_to_all_services"] = all_services
    state = live_state(services=[WEB, ADMIN], incident_workflows=[workflow(RESPONDERS, BRIDGE)],
                       workflow_triggers=[unsaid])
    findings = findings_of(check_response_automation, policy, state)
    assert findings and all(finding.not_checked == "PagerDuty returned a trigger of incident "
                            "workflow 'Major incident' without its services"
                            for finding in findings)
    assert {finding.message.split("incidents of service ")[1] for finding in findings} == {
        "'Web': PagerDuty did not say which services its triggers cover",
        "'Admin': PagerDuty did not say which services its triggers cover"}
