"""USR rules: the people PagerDuty pages, and whether a page reaches them.

People are not documented one by one: the policy names services, their escalation policies and
the schedules those page. The rule follows that chain in the live account, from each documented
service to everyone its escalation policy can page, and reads each person's notification rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from pdlint.findings import Finding, Resource, Severity
from pdlint.pagerduty.model import Account, EscalationPolicy, Schedule, TargetKind, User
from pdlint.policy.model import Service
from pdlint.rule import Context, Mode, rule
from pdlint.rules.services import service_pairs

PAGING_METHODS = ("phone_contact_method", "sms_contact_method")
NAMES_LISTED = 5
"""Services and escalation policies named in a finding; the rest are counted."""


@rule("USR400", "unreachable-responder",
      title="Everyone on call for a high-urgency service can be phoned or texted at once",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT)
def check_unreachable_responder(context: Context) -> Iterator[Finding]:
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
    account = context.live
    if not all(collection.read for collection in (
            account.services, account.escalation_policies, account.schedules, account.users)):
        return
    paged_for: dict[str, list[tuple[Service, str]]] = {}
    pageable: dict[str, list[str]] = {}  # by escalation policy id: many services share one
    schedule_people: dict[str, list[str]] = {}
    for pair in service_pairs(context.policy, account):
        documented, live = pair.documented, pair.live
        if (documented is None or live is None or live.disabled
                or not (_documented_high(documented) or live.urgency_rule.raises_high())):
            continue
        reference = live.escalation_policy
        escalation = account.escalation_policies.by_id(
            str(reference.id if reference else None))
        if escalation is None:
            continue
        if escalation.id not in pageable:
            pageable[escalation.id] = _pageable_users(escalation, account, schedule_people)
        for user_id in pageable[escalation.id]:
            paged_for.setdefault(user_id, []).append((documented, str(escalation.name)))
    for user_id, concerns in paged_for.items():
        user = account.users.by_id(user_id)
        if user is None or user.notification_rules is None:
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
            f"{user.name} ({user.email}) can be paged for high-urgency "
            f"service{'s' if len(services) > 1 else ''} {_listed(services)} (escalation "
            f"polic{'ies' if len(policies) > 1 else 'y'} {_listed(policies)}) but no "
            f"high-urgency notification rule phones or texts them at once; high-urgency rules: "
            f"{', '.join(described) or 'none'}",
            Resource("user", name=user.name, id=user_id),
            expected="phone or sms after 0 min", actual=described,
            location=concerns[0][0].location)


def _listed(names: list[str]) -> str:
    """Names joined, the first ``NAMES_LISTED`` of them when there are more."""
    rest = len(names) - NAMES_LISTED
    return ", ".join(names[:NAMES_LISTED]) + (f" and {rest} more" if rest > 0 else "")


def _documented_high(documented: Service) -> bool:
    """Whether the service is documented to open high-urgency incidents."""
    return documented.urgency is not None and documented.urgency.value != "low"


def _pageable_users(escalation: EscalationPolicy, account: Account,
                    schedule_people: dict[str, list[str]]) -> list[str]:
    """Everyone the escalation policy can page: its user targets, and the people of each
    schedule, layer-based or shift-based, it targets (``schedule_people`` keeps them by
    schedule id, as policies share schedules)."""
    found: dict[str, None] = {}
    for escalation_rule in escalation.rules:
        for target in escalation_rule.targets:
            target_id = str(target.id)
            if target.kind is TargetKind.USER:
                found.setdefault(target_id)
            elif target.is_schedule:
                if target_id not in schedule_people:
                    schedule = account.schedule_of(target)
                    schedule_people[target_id] = ([] if schedule is None
                                                  else _schedule_people(schedule, account))
                found.update(dict.fromkeys(schedule_people[target_id]))
    return list(found)


def _schedule_people(schedule: Schedule, account: Account) -> list[str]:
    """The members of the schedule's layers in force and the people rendered in its final
    schedule (overrides bring in people outside the layers)."""
    found = dict.fromkeys(schedule.members_in_force(account.window))
    final = schedule.final_schedule
    for shift in final.shifts if final is not None else ():
        if shift.user_id:
            found.setdefault(shift.user_id)
    return list(found)


def _high_urgency_rules(user: User) -> list[tuple[str, int, bool]]:
    """(contact method type, delay in minutes, usable) of each high-urgency notification rule,
    soonest first."""
    found = [(rule.contact_method.kind, rule.start_delay_minutes or 0, rule.contact_method.usable)
             for rule in user.notification_rules or () if rule.urgency == "high"]
    return sorted(found, key=lambda item: (item[1], item[0]))


def _method_word(kind: str) -> str:
    """``phone_contact_method`` -> ``phone``; ``push_notification_contact_method`` -> ``push``."""
    word = kind.removesuffix("_contact_method")
    return "push" if word == "push_notification" else word
