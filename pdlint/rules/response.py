"""RSP rules: the response automation each severity documents, against the account's incident
workflows and what triggers them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pdlint.findings import Finding, Resource, Severity
from pdlint.pagerduty.model import Account, IncidentWorkflow, WorkflowTrigger
from pdlint.pagerduty.model import Service as LiveService
from pdlint.policy.model import (
    IncidentSeverity,
    Policy,
    ResponseAutomation,
    Service,
    runs_action,
)
from pdlint.rule import Context, Mode, rule
from pdlint.rules.matching import both_sides
from pdlint.rules.services import service_pairs

_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def names_priority(trigger: WorkflowTrigger, priority: str) -> bool:
    """Whether an automatic trigger starts its workflow on incidents of ``priority``: no
    condition (every new incident), or a condition on ``incident.priority`` that quotes the
    priority's name (``incident.priority matches 'P1'``)."""
    if not trigger.automatic:
        return False
    condition = (trigger.condition or "").strip()
    if not condition:
        return True
    return "incident.priority" in condition and any(
        priority in match.groups() for match in _QUOTED.finditer(condition))


def workflow_named(account: Account, name: str) -> IncidentWorkflow | None:
    """The workflow of this name, an enabled one first (PagerDuty allows duplicates)."""
    named = [workflow for workflow in account.incident_workflows if workflow.name == name]
    return next((workflow for workflow in named if workflow.is_enabled),
                named[0] if named else None)


@rule("RSP700", "response-automation",
      title="Each severity's incidents start the documented incident workflow",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services", "incident_workflows", "workflow_triggers"))
def check_response_automation(context: Context) -> Iterator[Finding]:
    """The first minutes of a major incident are spent on the same chores: bringing in the
    on-call manager, opening a conference bridge, telling the incidents channel. The policy may
    require an incident workflow to do them by itself (``response_automation``): the workflow
    must exist, be enabled, contain each documented action, and have a conditional trigger for
    the severity's priority on each documented service it applies to. Reported at the
    workflow, or at the service when no workflow of that name exists. A workflow a trigger
    names that the workflow listing does not hold (a key that cannot see it) is a warning naming
    it by id: whether it is enabled and what it runs are not checked, its triggers are. Not
    checked when the workflows or their triggers could not be read (the run says so); a
    workflow listed without its steps has its actions reported as not checked, as has a
    service the triggers do not say whether they cover (never passed)."""
    policy = context.policy
    account = context.live
    if not (account.incident_workflows.read and account.workflow_triggers.read):
        return
    for severity in policy.severities:
        automation = severity.response_automation
        if automation is not None:
            yield from _judged(severity, automation, policy, account)


def _judged(severity: IncidentSeverity, automation: ResponseAutomation, policy: Policy,
            account: Account) -> Iterator[Finding]:
    wanted = automation.workflow
    services = _services_in_scope(automation, policy, account)
    workflow = workflow_named(account, wanted.value)
    unseen = None if workflow is not None else _unlisted_workflow(account, wanted.value)
    if workflow is None and unseen is None:
        for _, live in services:
            yield check_response_automation.finding(
                f"no incident workflow '{wanted.value}' exists to run on {severity.id} incidents "
                f"of this service", Resource("service", name=live.name, id=live.id),
                expected=wanted.value, actual=None, location=wanted.location)
        return
    workflow_id = workflow.id if workflow is not None else str(unseen)
    resource = Resource("incident_workflow", name=wanted.value, id=workflow_id)
    if workflow is None:
        yield check_response_automation.not_checked(
            f"not checked whether it is enabled and runs the documented actions: incident "
            f"workflow {workflow_id} is named by a trigger but is not in the workflows this key "
            "reads", resource,
            why=f"incident workflow {workflow_id} is not in the workflows this key reads",
            expected="enabled", actual=None, location=wanted.location)
    elif not workflow.is_enabled:
        yield check_response_automation.finding(
            f"disabled, so it runs on no {severity.id} incident", resource,
            expected="enabled", actual="disabled", location=wanted.location)
    actions = workflow.action_ids() if workflow is not None else None
    if workflow is not None and actions is None and automation.actions:
        yield check_response_automation.not_checked(
            "actions not checked: PagerDuty listed the workflow without its steps", resource,
            why=f"PagerDuty listed incident workflow '{wanted.value}' without its steps",
            expected=[action.value for action in automation.actions], actual=None,
            location=automation.actions[0].location)
    if actions is not None:
        for action in automation.actions:
            if not any(runs_action(action.value, action_id) for action_id in actions):
                yield check_response_automation.finding(
                    f"has no step running {action.value}, documented for {severity.id} "
                    "incidents", resource, expected=action.value, actual=list(actions),
                    location=action.location)
    triggers = [trigger for trigger in account.workflow_triggers
                if trigger.workflow is not None and trigger.workflow.id == workflow_id
                and names_priority(trigger, severity.priority_name)]
    if not triggers:
        yield check_response_automation.finding(
            f"no trigger starts it on {severity.priority_name} incidents (a conditional "
            f"trigger on incident.priority)", resource,
            expected=f"triggered on {severity.priority_name}", actual=None,
            location=automation.location)
        return
    for documented, live in services:
        covered = [trigger.covers(live.id) for trigger in triggers]
        if True not in covered and None in covered:
            yield check_response_automation.not_checked(
                f"not checked whether it is triggered on {severity.priority_name} incidents of "
                f"service '{live.name}': PagerDuty did not say which services its triggers "
                "cover", resource, why=f"PagerDuty returned a trigger of incident workflow "
                f"'{wanted.value}' without its services", expected=documented.name,
                actual=None, location=automation.location)
        elif True not in covered:
            yield check_response_automation.finding(
                f"not triggered on {severity.priority_name} incidents of service '{live.name}'",
                resource, expected=documented.name, actual=None,
                location=automation.location)


def _unlisted_workflow(account: Account, name: str) -> str | None:
    """The id of a workflow of this name that a trigger names but the workflow listing does
    not hold (a key that cannot see it): it exists, unseen."""
    return next((trigger.workflow.id for trigger in account.workflow_triggers
                 if trigger.workflow is not None and trigger.workflow.summary == name
                 and trigger.workflow.id is not None
                 and account.incident_workflows.by_id(trigger.workflow.id) is None), None)


def _services_in_scope(automation: ResponseAutomation, policy: Policy, account: Account
                       ) -> list[tuple[Service, LiveService]]:
    """The documented services (those named, else all) paired with their live services; the
    enabled ones, which open incidents."""
    named = None if automation.services is None else {
        entry.value for entry in automation.services}
    return [(documented, live) for documented, live in both_sides(service_pairs(policy, account))
            if not live.disabled and (named is None or documented.name in named)]
