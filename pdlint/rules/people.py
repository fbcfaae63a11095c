"""USR rules: the people PagerDuty pages, and whether a page reaches them.

People are not documented one by one: the policy names services, their escalation policies and
the schedules those page. The rule follows that chain in the live account, from each documented
service to everyone its escalation policy can page, and reads each person's notification rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from pdlint.coverage import Interval
from pdlint.findings import Finding, Resource, Severity
from pdlint.policy.model import Policy, Service
from pdlint.rules.rule import Mode, rule
from pdlint.rules.schedules import active_layers, layer_user_ids, rendered_window
from pdlint.rules.services import service_pairs

if TYPE_CHECKING:
    from pdlint.pagerduty.state import LiveState

NEEDED = ("services", "escalation_policies", "schedules", "users")
PAGING_METHODS = ("phone_contact_method", "sms_contact_method")
_HIGH = ("high", "severity_based")
NAMES_LISTED = 5
"""Services and escalation policies named in a finding; the rest are counted."""


@rule("USR400", "unreachable-responder",
      title="Everyone on call for a high-urgency service can be phoned or texted at once",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT)
def check_unreachable_responder(policy: Policy, state: LiveState,
                                today: date) -> Iterator[Finding]:
    """A high-urgency incident must wake the person it pages: push notifications and email are
    silenced at night and go unnoticed. Everyone who can be paged for a documented service that
    raises high-urgency incidents (high, support-hours or severity-based urgency, as documented
    or as configured) needs a high-urgency notification rule that phones or texts them at once
    (``start_delay_in_minutes`` 0, a phone or SMS contact method that is not disabled or
    blocked). "Paged" means a user targeted by the service's live escalation policy, or a
    member of a layer in force, or a person in the rendered final schedule (overrides), of a
    schedule it targets. One finding per person, naming the services and policies concerned (the
    first five of each), at the first of those services; the person adds the rule in their
    notification settings. Not checked when the services, escalation policies, schedules or users
    could not be read."""
    if any(state.skip_reason(kind) is not None for kind in NEEDED):
        return
    window = rendered_window(state)
    paged_for: dict[str, list[tuple[Service, str]]] = {}
    pageable: dict[str, list[str]] = {}  # by escalation policy id: many services share one
    schedule_people: dict[str, list[str]] = {}
    for pair in service_pairs(policy, state):
        documented, live = pair.documented, pair.live
        if (documented is None or live is None or live.get("status") == "disabled"
                or not _raises_high_urgency(documented, live)):
            continue
        escalation = state.by_id("escalation_policies",
                                 str((live.get("escalation_policy") or {}).get("id")))
        if escalation is None:
            continue
        if escalation["id"] not in pageable:
            pageable[escalation["id"]] = _pageable_users(escalation, state, window,
                                                         schedule_people)
        for user_id in pageable[escalation["id"]]:
            paged_for.setdefault(user_id, []).append((documented, str(escalation.get("name"))))
    for user_id, concerns in paged_for.items():
        user = state.by_id("users", user_id)
        if user is None or "notification_rules" not in user:
            continue
        immediate = _high_urgency_rules(user)
        if any(kind in PAGING_METHODS and usable and delay == 0
               for kind, delay, usable in immediate):
            continue
        services = sorted({service.name for service, _ in concerns})
        policies = sorted({name for _, name in concerns})
        described = [f"{_method_word(kind)} after {delay} min" + ("" if usable else " (disabled)")
                     for kind, delay, usable in immediate]
        yield check_unreachable_responder.finding(
            f"{user.get('name')} ({user.get('email')}) can be paged for high-urgency "
            f"service{'s' if len(services) > 1 else ''} {_listed(services)} (escalation "
            f"polic{'ies' if len(policies) > 1 else 'y'} {_listed(policies)}) but no "
            f"high-urgency notification rule phones or texts them at once; high-urgency rules: "
            f"{', '.join(described) or 'none'}",
            Resource("user", name=user.get("name"), id=user_id),
            expected="phone or sms after 0 min", actual=described,
            location=concerns[0][0].location)


def _listed(names: list[str]) -> str:
    """Names joined, the first ``NAMES_LISTED`` of them when there are more."""
    rest = len(names) - NAMES_LISTED
    return ", ".join(names[:NAMES_LISTED]) + (f" and {rest} more" if rest > 0 else "")


def _raises_high_urgency(documented: Service, live: Mapping[str, Any]) -> bool:
    """Whether the service can open high-urgency incidents, as documented or as configured."""
    if documented.urgency is not None and documented.urgency.value != "low":
        return True
    rule_data = live.get("incident_urgency_rule") or {}
    if rule_data.get("type") == "use_support_hours":
        return any((rule_data.get(side) or {}).get("urgency") in _HIGH
                   for side in ("during_support_hours", "outside_support_hours"))
    return (rule_data.get("urgency") or "high") in _HIGH


def _pageable_users(escalation: Mapping[str, Any], state: LiveState, window: Interval,
                    schedule_people: dict[str, list[str]]) -> list[str]:
    """Everyone the escalation policy can page: its user targets, and the people of each
    layer-based schedule it targets (``schedule_people`` keeps them by schedule id, as policies
    share schedules). Shift-based schedules are not read."""
    found: dict[str, None] = {}
    for escalation_rule in escalation.get("escalation_rules") or []:
        for target in escalation_rule.get("targets") or []:
            kind, target_id = target.get("type"), str(target.get("id"))
            if kind in ("user", "user_reference"):
                found.setdefault(target_id)
            elif kind in ("schedule", "schedule_reference"):
                if target_id not in schedule_people:
                    schedule = state.by_id("schedules", target_id)
                    schedule_people[target_id] = ([] if schedule is None
                                                  else _schedule_people(schedule, window))
                found.update(dict.fromkeys(schedule_people[target_id]))
    return list(found)


def _schedule_people(schedule: Mapping[str, Any], window: Interval) -> list[str]:
    """The members of the schedule's layers in force and the people rendered in its final
    schedule (overrides bring in people outside the layers)."""
    found = dict.fromkeys(layer_user_ids(active_layers(schedule, window)))
    final = schedule.get("final_schedule") or {}
    for entry in final.get("rendered_schedule_entries") or []:
        on_call = (entry.get("user") or {}).get("id")
        if on_call:
            found.setdefault(str(on_call))
    return list(found)


def _high_urgency_rules(user: Mapping[str, Any]) -> list[tuple[str, int, bool]]:
    """(contact method type, delay in minutes, usable) of each high-urgency notification rule,
    soonest first. A rule's contact method may be a reference: its type is then read from the
    user's contact methods, and ``_reference`` is dropped. Usable: not disabled, not blocked."""
    methods = {method.get("id"): method for method in user.get("contact_methods") or []}
    found = []
    for notification in user.get("notification_rules") or []:
        if notification.get("urgency") != "high":
            continue
        method = notification.get("contact_method") or {}
        method = {**method, **methods.get(method.get("id"), {})}
        kind = str(method.get("type", "")).removesuffix("_reference")
        delay = notification.get("start_delay_in_minutes")
        usable = method.get("enabled") is not False and method.get("blacklisted") is not True
        found.append((kind, delay if isinstance(delay, int) else 0, usable))
    return sorted(found, key=lambda item: (item[1], item[0]))


def _method_word(kind: str) -> str:
    """``phone_contact_method`` -> ``phone``; ``push_notification_contact_method`` -> ``push``."""
    word = kind.removesuffix("_contact_method")
    return "push" if word == "push_notification" else word
