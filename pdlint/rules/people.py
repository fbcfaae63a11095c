"""USR rules: the people PagerDuty pages, and whether a page reaches them.

People are not documented one by one: the policy names services, their escalation policies and
the schedules those page. The rule follows that chain in the live account, from each documented
service to everyone its escalation policy can page, and reads each person's notification rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from pdlint.findings import Finding, Resource, Severity
from pdlint.pagerduty.model import (
    Account,
    ContactMethod,
    EscalationPolicy,
    EscalationTarget,
    NotificationRule,
    Reference,
    Schedule,
    TargetKind,
    User,
)
from pdlint.policy.model import Service
from pdlint.rule import Context, Mode, rule
from pdlint.rules.services import service_pairs

PAGING_METHODS = ("phone_contact_method", "sms_contact_method")
NAMES_LISTED = 5
"""Services and escalation policies named in a finding; the rest are counted."""


@rule("USR400", "unreachable-responder",
      title="Everyone on call for a high-urgency service can be phoned or texted at once",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services", "escalation_policies", "schedules", "schedules_v3", "users"))
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
    notification settings. What the key cannot see is named, not passed over: an escalation
    policy, schedule or person the lists read do not hold (a restricted-access or team-scoped
    key), a person listed without notification rules (or, when no rule phones or texts them at
    once, with a rule returned without its start delay, urgency, contact method or type that
    may do so, or listed without contact methods or without the one a rule names, so whether a
    rule's method is enabled and not blocked is not known), a schedule returned
    without layers (or their users) or rendering, an escalation policy returned without its
    rules or a level's targets, or a target of a type pdlint does not read is a warning naming
    it by id, and the services and policies that reach it: whether those pages wake anyone is
    not checked. Not checked at all when the services, escalation policies, schedules or users
    could not be read."""
    account = context.live
    if not all(collection.read for collection in (
            account.services, account.escalation_policies, account.schedules, account.users)):
        return
    paged_for: dict[str, list[tuple[Service, str | None]]] = {}
    unseen_for: dict[Resource, tuple[str, list[tuple[Service, str | None]]]] = {}
    reached: dict[str, _Reached] = {}  # by escalation policy id: many services share one
    schedules: dict[str, _Reached] = {}
    names: dict[str, str | None] = {}  # by user id, as the references name them
    for pair in service_pairs(context.policy, account):
        documented, live = pair.documented, pair.live
        if (documented is None or live is None or live.disabled
                or not (_documented_high(documented) or (
                    live.urgency_rule is not None and live.urgency_rule.raises_high()))):
            continue
        reference = live.escalation_policy
        escalation = account.escalation_policies.by_id(reference.id if reference else None)
        if escalation is None:
            unseen, why = _unseen_policy(reference)
            unseen_for.setdefault(unseen, (why, []))[1].append((documented, None))
            continue
        if escalation.id not in reached:
            reached[escalation.id] = _reached_by(escalation, account, schedules)
        people, unseen_targets = reached[escalation.id]
        for user_id, name in people.items():
            names.setdefault(user_id, name)
            paged_for.setdefault(user_id, []).append((documented, str(escalation.name)))
        for unseen, why in unseen_targets.items():
            unseen_for.setdefault(unseen, (why, []))[1].append(
                (documented, str(escalation.name)))
    for user_id, concerns in paged_for.items():
        user = account.users.by_id(user_id)
        if user is None or user.notification_rules is None:
            resource = Resource("user", name=user.name if user else names[user_id], id=user_id)
            unseen_for.setdefault(resource, (
                "is not in the user list this key reads" if user is None else
                "was listed without notification rules (not readable with this key)",
                []))[1].extend(concerns)
            continue
        maybe_high = _high_urgency_rules(user)
        if any(not rule.missing and rule.start_delay_minutes == 0
               and _may_phone(rule.contact_method) for rule in maybe_high):
            continue
        unread = next((rule for rule in maybe_high if rule.missing
                       and rule.start_delay_minutes in (None, 0)
                       and (rule.contact_method is None or _may_phone(rule.contact_method))),
                      None)
        if unread is not None:
            unseen_for.setdefault(Resource("user", name=user.name, id=user_id), (
                "was listed with a notification rule not read: PagerDuty did not return "
                f"{' and '.join(unread.missing)}", []))[1].extend(concerns)
            continue
        services = _concerned(concerns)
        described = [_described(rule) for rule in maybe_high]
        yield check_unreachable_responder.finding(
            f"{user.name or user_id} ({user.email or 'email not read'}) can be paged for "
            f"high-urgency {services} but no "
            f"high-urgency notification rule phones or texts them at once; high-urgency rules: "
            f"{', '.join(described) or 'none'}",
            Resource("user", name=user.name, id=user_id),
            expected="phone or sms after 0 min", actual=described,
            location=concerns[0][0].location)
    for resource, (why, concerns) in unseen_for.items():
        services = _concerned(concerns)
        yield check_unreachable_responder.not_checked(
            f"not checked: {_named(resource)} {why}, so whether high-urgency {services} "
            "phones or texts someone through it at once is not known",
            resource, why=f"{_named(resource)} {why}", expected="phone or sms after 0 min",
            actual=None, location=concerns[0][0].location)


_Reached = tuple[dict[str, str | None], dict[Resource, str]]
"""The people an escalation policy or schedule pages (user id: the name a reference gives),
and what it reaches that pdlint cannot see, with why."""


def _unseen_policy(reference: Reference | None) -> tuple[Resource, str]:
    if reference is None or reference.id is None:
        return Resource("escalation_policy"), "is not named by the service"
    return (Resource("escalation_policy", name=reference.summary, id=reference.id),
            "is not in the escalation policy list this key reads")


def _concerned(concerns: list[tuple[Service, str | None]]) -> str:
    """``services A, B (escalation policy P)``: the services and policies a finding names
    (None: a policy not seen), the first ``NAMES_LISTED`` of each."""
    services = sorted({service.name for service, _ in concerns})
    policies = sorted({name for _, name in concerns if name is not None})
    words = f"service{'s' if len(services) > 1 else ''} {_listed(services)}"
    if policies:
        words += (f" (escalation polic{'ies' if len(policies) > 1 else 'y'} "
                  f"{_listed(policies)})")
    return words


def _named(resource: Resource) -> str:
    """``user PABC123 ('Ann Archer')``: an object the key may not see, by id first."""
    kind = resource.type.replace("_", " ")
    if resource.id is None:
        return f"the {kind}"
    return f"{kind} {resource.id}" + (f" ('{resource.name}')" if resource.name else "")


def _listed(names: list[str]) -> str:
    """Names joined, the first ``NAMES_LISTED`` of them when there are more."""
    rest = len(names) - NAMES_LISTED
    return ", ".join(names[:NAMES_LISTED]) + (f" and {rest} more" if rest > 0 else "")


def _documented_high(documented: Service) -> bool:
    """Whether the service is documented to open high-urgency incidents."""
    return documented.urgency is not None and documented.urgency.value != "low"


def _reached_by(escalation: EscalationPolicy, account: Account,
                schedules: dict[str, _Reached]) -> _Reached:
    """Everyone the escalation policy can page: its user targets, and the people of each
    schedule, layer-based or shift-based, it targets (``schedules`` keeps them by schedule id,
    as policies share schedules); and the targets pdlint cannot see into."""
    found: dict[str, str | None] = {}
    unseen: dict[Resource, str] = {}
    if escalation.rules is None:
        unseen[Resource("escalation_policy", name=escalation.name, id=escalation.id)] = (
            "was returned without its escalation rules")
    for number, escalation_rule in enumerate(escalation.rules or (), start=1):
        if escalation_rule.targets is None:
            unseen[Resource("escalation_policy", name=escalation.name, id=escalation.id)] = (
                f"was returned with level {number} without its targets")
        for target in escalation_rule.targets or ():
            target_id = str(target.id)
            if target.kind is TargetKind.USER:
                found.setdefault(target_id, target.summary)
            elif target.is_schedule:
                if target_id not in schedules:
                    schedules[target_id] = _schedule_reach(target, account)
                people, hidden = schedules[target_id]
                for user_id, name in people.items():
                    found.setdefault(user_id, name)
                unseen.update(hidden)
            else:
                unseen[Resource(target.type or "target", name=target.summary,
                                id=target.id)] = "is a target pdlint does not read"
    return found, unseen


def _schedule_reach(target: EscalationTarget, account: Account) -> _Reached:
    """The people a schedule target puts on call, or why they cannot be told."""
    schedule = account.schedule_of(target)
    resource = Resource("schedule", name=account.schedule_named(target), id=target.id)
    if schedule is None:
        shift_based = target.kind is TargetKind.SHIFT_BASED_SCHEDULE
        listing = account.shift_based_schedules if shift_based else account.schedules
        return {}, {resource: f"is not in the {'shift-based ' if shift_based else ''}schedule "
                              "list this key reads" if listing.read
                    else f"could not be read ({listing.skip_reason})"}
    if schedule.final_schedule is None and schedule.layers is None:
        return {}, {resource: "was returned without its layers or its rendering"}
    if schedule.final_schedule is None and any(
            layer.members is None for layer in schedule.layers_in_force(account.window)):
        return {}, {resource: "was returned without its rendering, and a layer in force "
                              "without its users"}
    return _schedule_people(schedule, account), {}


def _schedule_people(schedule: Schedule, account: Account) -> dict[str, str | None]:
    """The members of the schedule's layers in force and the people rendered in its final
    schedule (overrides bring in people outside the layers), with the names the layers give."""
    found: dict[str, str | None] = {}
    for layer in schedule.layers_in_force(account.window):
        for member in layer.members or ():  # the rendering names who is on call
            if member.id:
                found.setdefault(member.id, member.summary)
    final = schedule.final_schedule
    for shift in final.shifts if final is not None else ():
        if shift.user_id:
            found.setdefault(shift.user_id, None)
    return found


def _high_urgency_rules(user: User) -> list[NotificationRule]:
    """The notification rules that are, or may be (urgency not returned), for high urgency,
    soonest first; those whose delay PagerDuty did not return (the spec requires it) last: not
    read, never "at once"."""
    found = [rule for rule in user.notification_rules or () if rule.urgency in (None, "high")]
    return sorted(found, key=lambda rule: (
        rule.start_delay_minutes is None, rule.start_delay_minutes or 0,
        "" if rule.contact_method is None else rule.contact_method.kind))


def _may_phone(method: ContactMethod | None) -> bool:
    return method is not None and method.kind in PAGING_METHODS and method.usable


def _described(rule: NotificationRule) -> str:
    """``phone after 0 min``, with what of it was not read or makes it unusable."""
    method = rule.contact_method
    return (f"{'a contact method not read' if method is None else _method_word(method.kind)}"
            " after " + ("a delay not read" if rule.start_delay_minutes is None
                         else f"{rule.start_delay_minutes} min")
            + ("" if method is None or method.usable else " (disabled)")
            + (" (urgency not read)" if rule.urgency is None else ""))


def _method_word(kind: str) -> str:
    """``phone_contact_method`` -> ``phone``; ``push_notification_contact_method`` -> ``push``."""
    word = kind.removesuffix("_contact_method")
    return "push" if word == "push_notification" else word
