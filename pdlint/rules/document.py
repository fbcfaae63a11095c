"""POL rules: what the written policy must say, checked offline before anything is compared live.

POL001–POL004 are found while the files are read, and declared where they are found
(``pdlint.policy.problems``). Every rule here is a pure function of the ``Policy`` and points at
the line of the value it objects to.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from zoneinfo import available_timezones

from pdlint.findings import Finding, Location, Resource, Severity, counted
from pdlint.policy.model import (
    DEFAULT_EXERCISE_EVERY,
    EscalationPolicy,
    Hours,
    Policy,
    Schedule,
    Service,
    Sourced,
    format_duration,
)
from pdlint.rule import Context, Mode, rule
from pdlint.zones import zone_named


@rule("POL010", "sla-order", title="More severe incidents are answered sooner",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.LINT)
def check_sla_order(context: Context) -> Iterator[Finding]:
    """Severities are listed most severe first, and each must have a strictly shorter response
    SLA than the next one: otherwise responders are asked to answer a minor incident as fast as,
    or faster than, a major one. ``next_business_day`` ranks after every fixed duration."""
    policy = context.policy
    for higher, lower in zip(policy.severities, policy.severities[1:], strict=False):
        if lower.response_sla.value.order_key <= higher.response_sla.value.order_key:
            yield check_sla_order.finding(
                f"response_sla of {lower.id} ({lower.response_sla.value}) must be longer than "
                f"that of the more severe {higher.id} ({higher.response_sla.value}, "
                f"{higher.response_sla.location})",
                lower.resource, expected=f"longer than {higher.response_sla.value}",
                actual=str(lower.response_sla.value), location=lower.response_sla.location)


@rule("POL011", "high-urgency-channels", title="High urgency pages by phone or SMS",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.LINT)
def check_high_urgency_channels(context: Context) -> Iterator[Finding]:
    """A high-urgency incident must wake somebody up: push notifications and email are silenced
    at night and are missed. High-urgency severities must list phone or sms among their
    channels."""
    policy = context.policy
    for severity in policy.severities:
        channels = severity.channels.value
        if severity.urgency.value == "high" and not {"phone", "sms"} & set(channels):
            yield check_high_urgency_channels.finding(
                f"{severity.id} is high urgency but notifies only by {', '.join(channels)}; "
                "add phone or sms", severity.resource, expected="phone or sms",
                actual=list(channels), location=severity.channels.location)


@rule("POL012", "business-hours-urgency", title="Business-hours-only severities are low urgency",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.LINT)
def check_business_hours_urgency(context: Context) -> Iterator[Finding]:
    """A severity handled only during business hours must not page at night: with high urgency,
    PagerDuty would page responders around the clock, contradicting the policy and training
    people to ignore pages."""
    policy = context.policy
    for severity in policy.severities:
        if severity.business_hours_only.value and severity.urgency.value == "high":
            yield check_business_hours_urgency.finding(
                f"{severity.id} is handled only in business hours (line "
                f"{severity.business_hours_only.location.line}) but is high urgency; make it low",
                severity.resource, expected="low", actual="high",
                location=severity.urgency.location)


@rule("POL013", "postmortem-deadline", title="High-urgency severities have a postmortem deadline",
      severity=Severity.ERROR, criterion="CC7.5", mode=Mode.LINT)
def check_postmortem_deadline(context: Context) -> Iterator[Finding]:
    """Incidents serious enough to page people at once are the ones whose lessons must be
    learned: every high-urgency severity states how soon after resolution its postmortem is due
    (postmortem_within). Low severities may have one too."""
    policy = context.policy
    for severity in policy.severities:
        if severity.urgency.value == "high" and severity.postmortem_within is None:
            yield check_postmortem_deadline.finding(
                f"{severity.id} is high urgency but has no postmortem_within deadline",
                severity.resource, expected="a postmortem_within duration", actual=None,
                location=severity.location)


@rule("POL014", "postmortem-record", title="Postmortem deadlines say where postmortems are kept",
      severity=Severity.ERROR, criterion="CC7.5", mode=Mode.LINT)
def check_postmortem_record(context: Context) -> Iterator[Finding]:
    """A postmortem deadline can only be evidenced if the policy says where postmortems are
    recorded (a postmortems section), and a register file it names must exist."""
    policy = context.policy
    deadlines = [severity for severity in policy.severities if severity.postmortem_within]
    record = policy.postmortems
    if deadlines and record is None:
        first = deadlines[0]
        assert first.postmortem_within is not None
        yield check_postmortem_record.finding(
            "postmortem deadlines are documented but not where postmortems are recorded; add a "
            "postmortems section", first.resource, expected="a postmortems section", actual=None,
            location=first.postmortem_within.location)
    if record is not None and record.register is not None and not record.register.value.is_file():
        yield check_postmortem_record.finding(
            f"the postmortem register {record.register.value.as_posix()} does not exist",
            Resource("postmortems"), expected=record.register.value.as_posix(),
            actual=None, location=record.register.location)


@rule("POL015", "priority-mapping", title="Each severity maps to its own PagerDuty priority",
      severity=Severity.ERROR, criterion="CC7.3", mode=Mode.LINT)
def check_priority_mapping(context: Context) -> Iterator[Finding]:
    """Incidents are classified in PagerDuty by priority; when two severities map to the same
    priority, an incident's severity — and so its response SLA — cannot be told from PagerDuty."""
    policy = context.policy
    first_with: dict[str, Sourced[str]] = {}
    for severity in policy.severities:
        priority = severity.pagerduty_priority
        if priority is None:
            continue
        earlier = first_with.setdefault(priority.value, priority)
        if earlier is not priority:
            yield check_priority_mapping.finding(
                f"{severity.id} maps to PagerDuty priority {priority.value}, already used at "
                f"{earlier.location}", severity.resource, expected="a priority of its own",
                actual=priority.value, location=priority.location)


@rule("POL020", "escalation-order", title="Escalation levels follow each other in time",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.LINT)
def check_escalation_order(context: Context) -> Iterator[Finding]:
    """Level times are counted from the trigger and must strictly increase: level 1 is paged at
    once, each later level after the previous one. A level's acknowledge_within must end before
    the next level is engaged (or the escalation repeats), repeat_after comes after the last
    level, and an escalation that loops says when it repeats. Otherwise PagerDuty cannot be
    configured as written."""
    policy = context.policy
    for escalation in policy.escalation_policies:
        yield from _escalation_order(escalation)


def _escalation_order(escalation: EscalationPolicy) -> Iterator[Finding]:
    first = escalation.levels[0]
    if first.engaged_after.value:
        yield check_escalation_order.finding(
            f"level 1 is paged when the incident is triggered; engaged_after "
            f"{format_duration(first.engaged_after.value)} cannot be configured",
            escalation.resource, expected="0m", actual=format_duration(first.engaged_after.value),
            location=first.engaged_after.location)
    for earlier, later in zip(escalation.levels, escalation.levels[1:], strict=False):
        if later.engaged_after.value <= earlier.engaged_after.value:
            yield check_escalation_order.finding(
                f"level {later.number} is engaged after "
                f"{format_duration(later.engaged_after.value)}, not later than level "
                f"{earlier.number} ({format_duration(earlier.engaged_after.value)})",
                escalation.resource,
                expected=f"later than {format_duration(earlier.engaged_after.value)}",
                actual=format_duration(later.engaged_after.value),
                location=later.engaged_after.location)
    next_times: list[Sourced[timedelta] | None] = [
        level.engaged_after for level in escalation.levels[1:]]
    next_times.append(escalation.repeat_after)
    for level, next_time in zip(escalation.levels, next_times, strict=False):
        if level.acknowledge_within is None or next_time is None:
            continue
        window = next_time.value - level.engaged_after.value
        if level.acknowledge_within.value > window:
            follows = (f"level {level.number + 1} is engaged"
                       if level.number < len(escalation.levels) else "the escalation repeats")
            yield check_escalation_order.finding(
                f"level {level.number} must acknowledge within "
                f"{format_duration(level.acknowledge_within.value)}, but {follows} only "
                f"{format_duration(window)} later", escalation.resource,
                expected=f"at most {format_duration(window)}",
                actual=format_duration(level.acknowledge_within.value),
                location=level.acknowledge_within.location)
    yield from _repeat_order(escalation)


def _repeat_order(escalation: EscalationPolicy) -> Iterator[Finding]:
    last, repeat, loops = escalation.levels[-1], escalation.repeat_after, escalation.loops
    if repeat is not None and repeat.value <= last.engaged_after.value:
        yield check_escalation_order.finding(
            f"repeat_after {format_duration(repeat.value)} is not after the last level "
            f"(level {last.number}, {format_duration(last.engaged_after.value)})",
            escalation.resource,
            expected=f"later than {format_duration(last.engaged_after.value)}",
            actual=format_duration(repeat.value), location=repeat.location)
    if repeat is not None and loops is not None and loops.value == 0:
        yield check_escalation_order.finding(
            f"repeat_after {format_duration(repeat.value)} is written but loops is 0, so the "
            "escalation never repeats", escalation.resource, expected="loops of 1 or more",
            actual=0, location=loops.location)
    if repeat is None and loops is not None and loops.value > 0:
        yield check_escalation_order.finding(
            f"the escalation repeats {counted(loops.value, 'time')} but "
            "repeat_after does not say when", escalation.resource,
            expected="a repeat_after duration", actual=None, location=loops.location)


@rule("POL021", "escalation-min-levels", title="Escalation policies have the levels tiers require",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.LINT)
def check_escalation_min_levels(context: Context) -> Iterator[Finding]:
    """A tier (or a service) may require a minimum number of escalation levels, so that an
    unanswered incident of an important service always reaches someone with more authority.
    The escalation policy covering each such service must have at least that many levels."""
    policy = context.policy
    for escalation in policy.escalation_policies:
        required: dict[int, list[Service]] = {}
        for service in policy.services_covered_by(escalation):
            minimum = service.min_escalation_levels
            if minimum is not None and minimum.value > len(escalation.levels):
                required.setdefault(minimum.value, []).append(service)
        if required:
            most = max(required)
            services = required[most]
            source = services[0].min_escalation_levels
            assert source is not None
            names = ", ".join(service.name for service in services)
            yield check_escalation_min_levels.finding(
                f"has {counted(len(escalation.levels), 'level')}, fewer than the {most} required "
                f"({source.location}) for {names}",
                escalation.resource, expected=most, actual=len(escalation.levels),
                location=escalation.location)


@rule("POL022", "dangling-reference", title="Every name used is defined",
      severity=Severity.ERROR, criterion="CC5.3", mode=Mode.LINT)
def check_dangling_references(context: Context) -> Iterator[Finding]:
    """A schedule, service, tier, escalation policy or team named somewhere must be defined in
    the policy (teams only when the policy lists its teams), and a waiver must name a drift rule
    that exists. A misspelt name silently removes a responder or a requirement."""
    policy = context.policy
    schedules = [schedule.name for schedule in policy.schedules]
    services = [service.name for service in policy.services]
    for escalation in policy.escalation_policies:
        for level in escalation.levels:
            for target in level.targets:
                if target.kind == "schedule" and target.schedule is None:
                    yield _dangling("schedule", target.name, target.location, schedules,
                                    escalation)
        for entry in escalation.services:
            if policy.service(entry.value) is None:
                yield _dangling("service", entry.value, entry.location, services, escalation)
    tiers = [tier.name for tier in policy.tiers]
    policies = [escalation.name for escalation in policy.escalation_policies]
    for service in policy.services:
        if service.tier is not None and service.tier.target is None:
            yield _dangling("tier", service.tier.name, service.tier.location, tiers, service)
        chosen = service.escalation_policy
        if chosen is not None and chosen.target is None:
            yield _dangling("escalation policy", chosen.name, chosen.location, policies, service)
    if policy.teams:
        yield from _dangling_teams(policy)
    yield from _dangling_waiver_rules(policy, context.catalogue)


def _dangling_teams(policy: Policy) -> Iterator[Finding]:
    teams = [team.name for team in policy.teams]
    owners: Iterable[Service | EscalationPolicy | Schedule] = (
        *policy.services, *policy.escalation_policies, *policy.schedules)
    for owner in owners:
        if owner.team is not None and owner.team.target is None:
            yield _dangling("team", owner.team.name, owner.team.location, teams, owner)


def _dangling_waiver_rules(policy: Policy, catalogue: Mapping[str, Mode]) -> Iterator[Finding]:
    drift_rules = sorted(rule_id for rule_id, mode in catalogue.items() if mode is Mode.DRIFT)
    for waiver in policy.waivers:
        rule_id = waiver.rule.value
        mode = catalogue.get(rule_id)
        if mode is Mode.LINT:
            yield check_dangling_references.finding(
                f"waiver names {rule_id}, a lint rule; waivers accept drift findings only",
                waiver.resource.value, expected="a drift rule id", actual=rule_id,
                location=waiver.rule.location)
        elif mode is None:
            hint = difflib.get_close_matches(rule_id, drift_rules, n=1)
            yield check_dangling_references.finding(
                f"waiver names rule {rule_id}, which does not exist"
                + (f"; did you mean {hint[0]}?" if hint else ""),
                waiver.resource.value, expected="a drift rule id", actual=rule_id,
                location=waiver.rule.location)


def _dangling(kind: str, name: str, location: Location, defined: list[str],
              owner: Service | EscalationPolicy | Schedule) -> Finding:
    hint = difflib.get_close_matches(name, defined, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
    return check_dangling_references.finding(
        f"{kind} '{name}' is not defined in the policy{suggestion}", owner.resource,
        expected=hint[0] if hint else None, actual=name, location=location)


@rule("POL023", "unused-definition", title="Every definition is used",
      severity=Severity.WARNING, criterion="CC7.4", mode=Mode.LINT)
def check_unused_definitions(context: Context) -> Iterator[Finding]:
    """A schedule no escalation level pages, a tier no service belongs to, a listed team nothing
    belongs to, or an escalation policy that covers no service is usually a leftover or a
    misspelt reference; a service no escalation policy covers means the policy does not say who
    answers its incidents."""
    policy = context.policy
    targeted = {target.name for escalation in policy.escalation_policies
                for level in escalation.levels for target in level.targets
                if target.kind == "schedule"}
    for schedule in policy.schedules:
        if schedule.name not in targeted:
            yield _unused(schedule.resource, "no escalation level pages it", schedule.location)
    used_tiers = {service.tier.name for service in policy.services if service.tier}
    for tier in policy.tiers:
        if tier.name not in used_tiers:
            yield _unused(tier.resource, "no service belongs to it", tier.location)
    owners: Iterable[Service | EscalationPolicy | Schedule] = (
        *policy.services, *policy.escalation_policies, *policy.schedules)
    used_teams = {owner.team.name for owner in owners if owner.team}
    for team in policy.teams:
        if team.name not in used_teams:
            yield _unused(team.resource, "nothing in the policy belongs to it", team.location)
    for escalation in policy.escalation_policies:
        if not escalation.services and not policy.services_covered_by(escalation):
            yield _unused(escalation.resource, "it covers no service", escalation.location)
    for service in policy.services:
        if service.escalation_policy is None:
            yield check_unused_definitions.finding(
                f"service '{service.name}' is covered by no escalation policy; list it under "
                "one policy's services", service.resource, expected="an escalation policy",
                actual=None, location=service.location)


def _unused(resource: Resource, why: str, location: Location) -> Finding:
    return check_unused_definitions.finding(
        f"{resource} is defined but unused: {why}", resource, location=location)


@rule("POL024", "single-escalation-policy", title="Each service has one escalation policy",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.LINT)
def check_single_escalation_policy(context: Context) -> Iterator[Finding]:
    """A PagerDuty service has exactly one escalation policy. A service listed by two escalation
    policies, or naming one while another lists it, leaves open who is paged."""
    policy = context.policy
    listings: dict[str, list[tuple[EscalationPolicy, Sourced[str]]]] = {}
    for escalation in policy.escalation_policies:
        for entry in escalation.services:
            listings.setdefault(entry.value, []).append((escalation, entry))
    for service in policy.services:
        chosen = service.escalation_policy
        if chosen is None:
            continue
        for escalation, entry in listings.get(service.name, []):
            if escalation.name != chosen.name:
                yield check_single_escalation_policy.finding(
                    f"service '{service.name}' is listed by escalation policy "
                    f"'{escalation.name}' but is covered by '{chosen.name}' ({chosen.location})",
                    service.resource, expected=chosen.name, actual=escalation.name,
                    location=entry.location)


@rule("POL025", "support-hours", title="Support-hours urgency has support hours",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.LINT)
def check_support_hours(context: Context) -> Iterator[Finding]:
    """A service whose urgency is support_hours is high urgency during its support hours and low
    outside them; without support hours (its own or its tier's) the policy does not say when
    responders are paged."""
    policy = context.policy
    for service in policy.services:
        urgency = service.urgency
        if urgency is not None and urgency.value == "support_hours" and not service.support_hours:
            yield check_support_hours.finding(
                f"service '{service.name}' has support_hours urgency but no support_hours",
                service.resource, expected="support_hours", actual=None,
                location=urgency.location)


@rule("POL026", "hours-range", title="Business and support hours end after they start",
      severity=Severity.ERROR, criterion="CC5.3", mode=Mode.LINT)
def check_hours_range(context: Context) -> Iterator[Finding]:
    """Business and support hours are one window per day; an end at or before the start (an
    overnight window, or swapped times) cannot be configured in PagerDuty."""
    policy = context.policy
    for hours, resource in _all_hours(policy):
        if hours.end.value <= hours.start.value:
            yield check_hours_range.finding(
                f"hours end at {hours.end.value:%H:%M}, not after they start at "
                f"{hours.start.value:%H:%M}", resource,
                expected=f"after {hours.start.value:%H:%M}", actual=f"{hours.end.value:%H:%M}",
                location=hours.end.location)


@rule("POL027", "first-responder-coverage",
      title="Round-the-clock services page a round-the-clock first level",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.LINT)
def check_first_responder_coverage(context: Context) -> Iterator[Finding]:
    """A service that is high urgency at all hours needs someone to page at all hours: when the
    first level of its escalation policy targets only schedules documented with business-hours
    coverage, incidents outside business hours wait for the next level."""
    policy = context.policy
    for service in policy.services:
        chosen = service.escalation_policy
        if (service.urgency is None or service.urgency.value != "high" or chosen is None
                or chosen.target is None):
            continue
        first = chosen.target.levels[0]
        if first.targets and all(
                target.schedule is not None and target.schedule.coverage is not None
                and target.schedule.coverage.value == "business_hours"
                for target in first.targets):
            yield check_first_responder_coverage.finding(
                f"service '{service.name}' is high urgency around the clock but level 1 of "
                f"'{chosen.name}' pages only business-hours schedules", chosen.target.resource,
                expected="24x7", actual="business_hours", location=first.location)


@rule("POL030", "timezone", title="Time zones are IANA names",
      severity=Severity.ERROR, criterion="CC5.3", mode=Mode.LINT)
def check_time_zones(context: Context) -> Iterator[Finding]:
    """Business hours, support hours and schedules are only meaningful in a known time zone.
    Every time zone must be an IANA name such as America/New_York; PagerDuty's display names
    such as "Eastern Time (US & Canada)" are not."""
    policy = context.policy
    written: dict[Location, tuple[Sourced[str], Resource]] = {}
    organisation = policy.organisation
    written[organisation.time_zone.location] = (organisation.time_zone, organisation.resource)
    for hours, resource in _all_hours(policy):
        written.setdefault(hours.time_zone.location, (hours.time_zone, resource))
    for schedule in policy.schedules:
        if schedule.time_zone is not None:
            written[schedule.time_zone.location] = (schedule.time_zone, schedule.resource)
    for time_zone, resource in written.values():
        if zone_named(time_zone.value) is None:
            hint = difflib.get_close_matches(time_zone.value, sorted(available_timezones()), n=1)
            yield check_time_zones.finding(
                f"'{time_zone.value}' is not an IANA time zone"
                + (f"; did you mean '{hint[0]}'?" if hint else ""),
                resource, expected=hint[0] if hint else None, actual=time_zone.value,
                location=time_zone.location)


def _all_hours(policy: Policy) -> Iterator[tuple[Hours, Resource]]:
    """Every hours window written in the policy, once (an inherited window is its tier's)."""
    seen: set[Location] = set()
    owners: list[tuple[Hours | None, Resource]] = [
        (policy.organisation.business_hours, policy.organisation.resource)]
    owners += [(tier.support_hours, tier.resource) for tier in policy.tiers]
    owners += [(service.support_hours, service.resource) for service in policy.services]
    for hours, resource in owners:
        if hours is not None and hours.location not in seen:
            seen.add(hours.location)
            yield hours, resource


@rule("POL040", "exercise-recency", title="The plan was practised recently",
      severity=Severity.WARNING, criterion="CC7.4", mode=Mode.LINT)
def check_exercise_recency(context: Context) -> Iterator[Finding]:
    """An incident-response plan nobody has practised is a plan nobody knows: auditors expect a
    tabletop exercise at least once a year. When the policy documents exercises (or says how
    often they are held, exercise_every, 12 months when not written), at least one must be
    dated within that time before the day lint runs, and none after it."""
    policy, today = context.policy, context.today
    if not policy.exercises and policy.exercise_every is None:
        return
    every = policy.exercise_every.value if policy.exercise_every else DEFAULT_EXERCISE_EVERY
    location = (policy.exercise_every.location if policy.exercise_every
                else policy.exercises[0].location)
    for exercise in policy.exercises:
        if exercise.date.value > today:
            yield check_exercise_recency.finding(
                f"the exercise '{exercise.scenario.value}' is dated {exercise.date.value}, after "
                "today: document an exercise once it is held", Resource("exercise",
                                                                       name=exercise.scenario.value),
                expected=f"on or before {today}", actual=str(exercise.date.value),
                location=exercise.date.location)
    earliest = every.earliest(today)
    held = [exercise.date.value for exercise in policy.exercises
            if exercise.date.value <= today]
    if not any(day >= earliest for day in held):
        last = max(held, default=None)
        yield check_exercise_recency.finding(
            f"no tabletop exercise since {earliest} (exercise_every {every}); "
            + (f"the last was on {last}" if last else "none is documented"),
            Resource("exercise"), expected=f"an exercise on or after {earliest}",
            actual=str(last) if last else None, location=location)


@rule("POL041", "corrective-action-register",
      title="The corrective action register is readable, row by row",
      severity=Severity.ERROR, criterion="CC7.5", mode=Mode.LINT)
def check_corrective_action_register(context: Context) -> Iterator[Finding]:
    """The register the policy names (corrective_actions.register) is evidence that corrective
    actions are followed up: it must exist, have the columns incident, action, owner, due and
    closed_at, and each row must name an incident, an action, an owner and a due date (a date;
    closed_at empty while open, else a date or date-time). A row that cannot be read would be
    left out of every figure, so each is reported at its file and line."""
    policy = context.policy
    if policy.corrective_actions is None:
        return
    for location, problem in policy.corrective_actions.problems:
        yield check_corrective_action_register.finding(
            problem, Resource("corrective_action"), location=location)
