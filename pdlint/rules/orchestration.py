"""SVC311, SVC313: what decides whether an alert reaches a documented service and pages anyone.

A service's event orchestration can suppress, suspend or drop its alerts, or set a priority or
severity that lowers their urgency; a global orchestration's router decides which service an
event reaches at all; and a monitoring tool reaches a service only through an integration or a
route. These rules read the orchestrations PagerDuty returned (``Account.service_orchestrations``,
``Account.routers``); when they could not be read the report lists the collection as skipped,
and the rules hold back rather than call anything missing.

A router rule carries a detection source when its label or one of its conditions names the
source (compared without regard to case): PagerDuty routes by conditions on the event, and a
rule meant for a tool's events says so in its label or its conditions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pdlint.findings import Finding
from pdlint.findings import Severity as FindingSeverity
from pdlint.pagerduty.model import (
    Account,
    EventOrchestration,
    OrchestrationRule,
    ServiceOrchestration,
)
from pdlint.pagerduty.model import Service as LiveService
from pdlint.policy.model import IncidentSeverity, Policy, Service, Sourced
from pdlint.rule import Context, Mode, returned_without, rule
from pdlint.rules.matching import both_sides, live_resource
from pdlint.rules.services import service_pairs


@dataclass(frozen=True)
class RouteOfSource:
    """A router rule that names a detection source, and the service it sends events to."""

    orchestration: str
    rule: OrchestrationRule
    service_id: str | None


def orchestration_of(account: Account, live: LiveService) -> ServiceOrchestration | None:
    """The service's orchestration, when read and active (its rules act on its events)."""
    found = account.service_orchestrations.get(live.id)
    return found if found is not None and found.applies else None


def allowed(documented: Service, orchestration_rule: OrchestrationRule) -> bool:
    """Whether the policy accepts what the rule does to the service's pages."""
    return any(name.value == orchestration_rule.name
               for name in documented.allowed_orchestration_rules or ())


def downgrade(policy: Policy, account: Account, documented: Service, live: LiveService,
              orchestration_rule: OrchestrationRule) -> str | None:
    """How the rule lowers the urgency of a service documented as high urgency, against the
    severity matrix: a priority whose documented severity is low urgency, or, on a
    ``severity_based`` service, a severity PagerDuty opens at low urgency; None if it does not."""
    if documented.urgency is None or documented.urgency.value != "high":
        return None
    actions = orchestration_rule.actions
    priority = account.priorities.by_id(actions.priority_id)
    severity = _severity_of(policy, priority.name if priority else None)
    if priority is not None and severity is not None and severity.urgency.value == "low":
        return (f"sets priority {priority.name} (severity {severity.id}, documented low "
                "urgency)")
    if actions.urgency == "low" and live.urgency_rule is not None and (
            live.urgency_rule.urgency == "severity_based"):
        return (f"sets severity {actions.severity}, which this severity-based service pages "
                "at low urgency")
    return None


def _severity_of(policy: Policy, priority_name: str | None) -> IncidentSeverity | None:
    if priority_name is None:
        return None
    return next((severity for severity in policy.severities
                 if severity.pagerduty_priority is not None
                 and severity.pagerduty_priority.value == priority_name), None)


def routes_of_source(account: Account, source: str) -> list[RouteOfSource]:
    """The router rules, in every global orchestration read, that name ``source``."""
    wanted = source.casefold()
    found = []
    for orchestration in account.event_orchestrations:
        router = account.routers.get(orchestration.id)
        for router_rule in router.rules if router is not None else ():
            if router_rule.disabled or router_rule.is_catch_all:
                continue
            texts = (router_rule.label or "", *router_rule.conditions)
            if any(wanted in text.casefold() for text in texts):
                found.append(RouteOfSource(_named(orchestration), router_rule,
                                           router_rule.actions.route_to))
    return found


def _named(orchestration: EventOrchestration) -> str:
    return orchestration.name or orchestration.id


def routers_read(account: Account) -> bool:
    return account.event_orchestrations.read and account.skip_reason(
        "orchestration_routers") is None


@rule("SVC311", "event-orchestration",
      title="Event orchestration lets a documented service's alerts page as documented",
      severity=FindingSeverity.ERROR, criterion="CC7.3", mode=Mode.DRIFT,
      reads=("services", "service_orchestrations", "priorities"))
def check_event_orchestration(context: Context) -> Iterator[Finding]:
    """An event orchestration rule runs before any incident exists: a rule (or the catch-all)
    that suppresses, suspends or drops a documented service's alerts, or turns them into
    resolves, keeps them from paging anyone; one that sets a priority the severity matrix
    documents as low urgency, or a low severity on a severity-based service, pages a service
    documented as high urgency at low urgency; and a global router that sends a documented
    detection source's events to another service takes them away from the team that answers
    them. Each rule is named by its set, label and conditions as written; the policy accepts a
    rule by naming it in the service's ``allowed_orchestration_rules``. A priority a rule sets
    that the priority list does not hold is a warning naming it by id: whether it lowers the
    urgency is not checked. Not checked for an orchestration that is not active (the service
    still runs legacy event rules) or that could not be read: when the collection was skipped
    the run reports it; an orchestration the read did not ask for (a renamed service, which the
    read cannot pair before the rules do; a snapshot or state read for another policy) is a
    warning that the service was not checked. A detection source routed to another service, on a
    service PagerDuty returned without its integrations (one of which may bring the source's
    alerts), is reported as not checked."""
    policy = context.policy
    account = context.live
    for documented, live in both_sides(service_pairs(policy, account)):
        if account.skip_reason("service_orchestrations") is None and not (
                account.orchestration_read(live)):
            why = _why_not_read(documented, live)
            yield check_event_orchestration.not_checked(
                f"event orchestration not checked: {why}", live_resource(documented, live),
                why=f"the event orchestration of service '{live.name}' was {why}",
                expected="the orchestration read", actual=None, location=documented.location)
        orchestration = orchestration_of(account, live)
        for orchestration_rule in orchestration.rules if orchestration else ():
            if orchestration_rule.disabled or allowed(documented, orchestration_rule):
                continue
            held = orchestration_rule.actions.holds_back()
            if held is not None:
                yield check_event_orchestration.finding(
                    f"event orchestration {orchestration_rule.described()} {held}, so those "
                    "alerts page nobody", live_resource(documented, live),
                    expected="alerts page the escalation policy", actual=orchestration_rule.name,
                    location=documented.location)
            lowered = downgrade(policy, account, documented, live, orchestration_rule)
            if lowered is not None and documented.urgency is not None:
                yield check_event_orchestration.finding(
                    f"event orchestration {orchestration_rule.described()} {lowered}; the "
                    "service is documented as high urgency", live_resource(documented, live),
                    expected="high", actual=orchestration_rule.name,
                    location=documented.urgency.location)
            unseen = _unseen_priority(account, documented, orchestration_rule)
            if unseen is not None and documented.urgency is not None:
                yield check_event_orchestration.not_checked(
                    f"not checked whether event orchestration {orchestration_rule.described()} "
                    f"lowers the urgency: it sets priority {unseen}, which is not in the "
                    "priorities this key reads", live_resource(documented, live),
                    why=f"priority {unseen} is not in the priorities this key reads",
                    expected="high", actual=orchestration_rule.name,
                    location=documented.urgency.location)
        if routers_read(account):
            yield from _routed_elsewhere(account, documented, live)


def _why_not_read(documented: Service, live: LiveService) -> str:
    if live.name != documented.name:
        return ("not read: a run reads the orchestrations of the documented services it finds "
                f"by pinned id or by name, and this one is renamed; document its live name or "
                f"pin its id ({live.id})")
    return "not in the state checked (a snapshot or read that did not ask for it)"


def _unseen_priority(account: Account, documented: Service,
                     orchestration_rule: OrchestrationRule) -> str | None:
    """The id of the priority the rule sets on a service documented as high urgency, when the
    priorities were read but do not hold it: whether it lowers the urgency cannot be told."""
    priority_id = orchestration_rule.actions.priority_id
    if (documented.urgency is None or documented.urgency.value != "high" or priority_id is None
            or not account.priorities.read):
        return None
    return None if account.priorities.by_id(priority_id) is not None else priority_id


def _routed_elsewhere(account: Account, documented: Service,
                      live: LiveService) -> Iterator[Finding]:
    for source in documented.detection_sources or ():
        if _integrated(live, source):
            continue
        routes = routes_of_source(account, source.value)
        if routes and not any(route.service_id == live.id for route in routes):
            route = routes[0]
            target = account.services.by_id(route.service_id)
            where = (f"service '{target.name}'" if target is not None and target.name
                     else f"'{route.service_id}'")
            routed = (f"global orchestration '{route.orchestration}' {route.rule.described()} "
                      f"routes {source.value} events to {where}")
            if live.integrations is None:
                yield check_event_orchestration.not_checked(
                    f"{source.value} routing not checked: {routed}, and "
                    f"{returned_without('its integrations', 'service')}",
                    live_resource(documented, live),
                    why=returned_without("its integrations", "service", live.name),
                    expected=documented.name, actual=None, location=source.location)
            else:
                yield check_event_orchestration.finding(
                    f"{routed}, not to this service", live_resource(documented, live),
                    expected=documented.name, actual=route.service_id,
                    location=source.location)


def _integrated(live: LiveService, source: Sourced[str]) -> bool:
    return any(integration.named(source.value) for integration in live.integrations or ())


@rule("SVC313", "detection-sources",
      title="Each documented monitoring tool reaches its service",
      severity=FindingSeverity.ERROR, criterion="CC7.2", mode=Mode.DRIFT,
      reads=("services", "event_orchestrations", "orchestration_routers"))
def check_detection_sources(context: Context) -> Iterator[Finding]:
    """The policy names the monitoring tools whose alerts must reach each service (its
    ``detection_sources``: PagerDuty's vendor names, such as Datadog or Amazon GuardDuty, or
    the integrations' names). A source with neither an integration of that vendor or name on
    the service nor a global orchestration route naming it detects nothing the service's
    responders will hear of: the failure it watches for goes unnoticed. A source routed to
    another service is SVC311's. A service PagerDuty returned without its integrations is
    reported as not checked (not "no integration"); a source without an integration is not
    called missing while the routers could not be read."""
    policy = context.policy
    account = context.live
    for documented, live in both_sides(service_pairs(policy, account)):
        if documented.detection_sources is None:
            continue
        if live.integrations is None:
            yield check_detection_sources.not_returned(
                "detection sources", "its integrations", live_resource(documented, live),
                name=live.name, expected=[source.value for source in documented.detection_sources],
                actual=None, location=documented.location)
            continue
        for source in documented.detection_sources:
            if _integrated(live, source):
                continue
            if not routers_read(account) or routes_of_source(account, source.value):
                continue
            yield check_detection_sources.finding(
                f"no integration or orchestration route brings {source.value} alerts to it",
                live_resource(documented, live), expected=source.value,
                actual=sorted({integration.vendor or integration.name or "?"
                               for integration in live.integrations}),
                location=source.location)
