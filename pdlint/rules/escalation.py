"""EP rules: PagerDuty's escalation policies against the documented ones.

Documented and live policies are paired by ``matching.pair_objects`` (pinned id, exact name,
then rename), as every family pairs its objects. EP100 and EP101 report what is on one side
only; the other rules compare the pairs. Findings point at the documenting line: the value's
own line when the finding is about one value.

The document states when each level is engaged, counted from the trigger; PagerDuty stores the
wait of each rule before the next one (``escalation_delay_in_minutes``). EP103 converts with
``EscalationPolicy.escalation_delays()`` and states both forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import NamedTuple

from pdlint.findings import Finding, Location, Resource, Severity, counted
from pdlint.pagerduty.model import Account, EscalationTarget, TargetKind
from pdlint.pagerduty.model import EscalationPolicy as LivePolicy
from pdlint.pagerduty.model import EscalationRule as LiveRule
from pdlint.policy.model import EscalationPolicy, Policy, Target, whole_minutes
from pdlint.rule import Context, Mode, Rule, returned_without, rule
from pdlint.rules.matching import (
    Pair,
    both_sides,
    live_resource,
    missing_or_renamed,
    pair_objects,
    remembered,
)


@remembered
def escalation_pairs(policy: Policy, account: Account,
                     ) -> tuple[Pair[EscalationPolicy, LivePolicy], ...]:
    """Documented and live escalation policies paired; empty when the list could not be read,
    so that nothing is reported missing that was never fetched."""
    if not account.escalation_policies.read:
        return ()
    return tuple(pair_objects(policy.escalation_policies, account.escalation_policies))


def _same_levels(policy: Policy, account: Account) -> Iterator[
        tuple[EscalationPolicy, LivePolicy]]:
    """Matched policies with as many live rules as documented levels: the pairs that can be
    compared level by level (EP102 reports the others, and each of those rules the policies
    PagerDuty returned without their rules, ``_without_rules``)."""
    for documented, live in both_sides(escalation_pairs(policy, account)):
        if live.rules is not None and len(live.rules) == len(documented.levels):
            yield documented, live


def _without_rules(check: Rule, what: str, policy: Policy, account: Account,
                   ) -> Iterator[tuple[EscalationPolicy, Finding]]:
    """A finding of ``check`` that ``what`` is not checked for each matched policy PagerDuty
    returned without its escalation rules (the spec requires them): never "no rule", never
    passed, whichever of the rules that need them runs."""
    for documented, live in both_sides(escalation_pairs(policy, account)):
        if live.rules is None:
            yield documented, check.not_checked(
                f"{what} not checked: {returned_without('its escalation rules', 'policy')}",
                live_resource(documented, live),
                why=returned_without("its escalation rules", "escalation policy", live.name),
                location=documented.location)


def _without_targets(check: Rule, number: int, documented: EscalationPolicy, live: LivePolicy,
                     location: Location | None) -> Finding:
    """A finding of ``check`` that level ``number`` is not checked: PagerDuty returned its rule
    without its targets (the spec requires them), never "no target"."""
    return check.not_checked(
        f"level {number} not checked: PagerDuty returned its escalation rule without its "
        "targets", live_resource(documented, live),
        why=returned_without("its targets", f"level {number} of escalation policy", live.name),
        location=location)


class _LiveTarget(NamedTuple):
    """A live escalation target keyed as the policy writes targets."""

    kind: str
    """``schedule`` or ``user``."""
    key: str
    """The schedule's name, or the user's email casefolded."""
    id: str | None


@rule("EP100", "missing", title="Documented escalation policies exist in PagerDuty",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("escalation_policies",))
def check_missing(context: Context) -> Iterator[Finding]:
    """Every escalation policy the document describes must exist in PagerDuty under the name
    written (or the pinned id): services documented on a policy that does not exist page
    someone else, or nobody. A live policy whose name is close to a documented one that has no
    exact match is reported once, as a rename: correct the name in the policy or in PagerDuty,
    or pin the id."""
    for pair in escalation_pairs(context.policy, context.live):
        finding = missing_or_renamed(check_missing, pair)
        if finding is not None:
            yield finding


@rule("EP101", "undocumented", title="Every live escalation policy is documented",
      severity=Severity.WARNING, criterion="CC8.1", mode=Mode.DRIFT,
      reads=("escalation_policies",))
def check_undocumented(context: Context) -> Iterator[Finding]:
    """An escalation policy configured in PagerDuty but described nowhere in the policy is
    outside the reviewed incident-response process: nobody has agreed who it pages or when.
    Document it (or delete it from PagerDuty). A warning: the services using it are reported
    by the service rules."""
    for pair in escalation_pairs(context.policy, context.live):
        live = pair.live
        if pair.documented is None and live is not None:
            yield check_undocumented.finding(
                "in PagerDuty but not documented",
                Resource("escalation_policy", name=live.name, id=live.id),
                expected=None, actual=live.name)


@rule("EP102", "level-count", title="Escalation policies have the documented levels",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("escalation_policies",))
def check_level_count(context: Context) -> Iterator[Finding]:
    """Each documented level is one escalation rule in PagerDuty. A missing rule means an
    unacknowledged incident never reaches the people the policy promises; an extra one pages
    people the policy does not name. When the counts differ, the level-by-level rules (EP103,
    EP104) do not compare the policy: which level was added or removed cannot be told. A policy
    PagerDuty returned without its escalation rules is reported as not checked (not "no
    rule"), and the level-by-level rules do not compare it."""
    for documented, unread in _without_rules(check_level_count, "levels", context.policy,
                                             context.live):
        yield replace(unread, expected=len(documented.levels))
    for documented, live in both_sides(escalation_pairs(context.policy, context.live)):
        if live.rules is None:
            continue
        count = len(live.rules)
        wanted = len(documented.levels)
        if count != wanted:
            yield check_level_count.finding(
                f"has {counted(count, 'escalation rule')}, documented "
                f"{counted(wanted, 'level')}", live_resource(documented, live),
                expected=wanted, actual=count, location=documented.location)


@rule("EP103", "escalation-delay", title="Levels are engaged when the policy says",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("escalation_policies",))
def check_escalation_delay(context: Context) -> Iterator[Finding]:
    """The document says when each level is paged, counted from the trigger ("level 3 after 20
    minutes"); PagerDuty stores the wait of each rule before the next one. Rule i must wait
    level i+1's time minus level i's, and the last rule the time until the escalation repeats
    (``repeat_after``, when written) minus the last level's. A longer wait leaves an incident
    unanswered past the promised time. The message states both forms, e.g. "level 3 engaged
    after 30 min, documented 20 min: rule 2 delay is 20, expected 10"; fix the rule's delay. A
    rule PagerDuty returned without its delay (the spec requires it, a whole number) is
    reported as not checked, never as on time, as is a policy returned without its escalation
    rules; the later levels' rules are still compared, without the moment they are engaged,
    which that delay decides."""
    for _, unread in _without_rules(check_escalation_delay, "delays", context.policy,
                                    context.live):
        yield unread
    for documented, live in _same_levels(context.policy, context.live):
        live_delays = [live_rule.delay_minutes for live_rule in live.rules or ()]
        for index, wanted in enumerate(documented.escalation_delays()):
            actual = live_delays[index]
            number = index + 1
            if wanted is None or actual == wanted.value:
                continue
            if actual is None:
                part = "its escalation_delay_in_minutes"
                yield check_escalation_delay.not_checked(
                    f"rule {number} delay not checked: {returned_without(part, 'rule')}",
                    live_resource(documented, live),
                    why=returned_without(part, f"level {number} of escalation policy",
                                         live.name),
                    expected=wanted.value, actual=None, location=wanted.location)
                continue
            yield check_escalation_delay.finding(
                f"{_engaged(documented, live_delays[:number])}: rule {number} delay is "
                f"{actual}, expected {wanted.value}", live_resource(documented, live),
                expected=wanted.value, actual=actual, location=wanted.location)


def _engaged(documented: EscalationPolicy, delays: list[int | None]) -> str:
    """When the level after the rules of ``delays`` is engaged (or the escalation repeats),
    live and documented: ``level 3 engaged after 30 min, documented 20 min``; the live moment
    is not known when a rule before it was returned without its delay."""
    number = len(delays)
    if number < len(documented.levels):
        moment = f"level {number + 1} engaged after"
        written = whole_minutes(documented.levels[number].engaged_after.value)
    else:
        moment = "repeats after"
        assert documented.repeat_after is not None
        written = whole_minutes(documented.repeat_after.value)
    known = [delay for delay in delays if delay is not None]
    live = (f"{sum(known)} min" if len(known) == number
            else "a time not known (a rule's delay was not returned)")
    return f"{moment} {live}, documented {written} min"


@rule("EP104", "level-targets", title="Each level pages the documented schedules and people",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("escalation_policies", "users"))
def check_level_targets(context: Context) -> Iterator[Finding]:
    """Each level must page exactly the schedules (by name) and users (by login email) the
    policy lists for it, in any order: a missing target is a responder the policy relies on who
    is never paged, an extra one is someone paged without being named. A user the user list
    does not hold (a restricted-access or team-scoped key sees such targets) is named by id, and
    matches a target the policy writes as ``user_id``; a schedule the schedule lists do not hold
    matches one written as ``schedule_id``. Not checked when the user list could not be read:
    the emails of the users paged are unknown; a level PagerDuty returned without its targets,
    or a policy without its escalation rules, is reported as not checked (not "no target")."""
    account = context.live
    if not account.users.read:
        return
    for _, unread in _without_rules(check_level_targets, "targets", context.policy, account):
        yield unread
    for documented, live in _same_levels(context.policy, account):
        for level, live_rule in zip(documented.levels, live.rules or (), strict=True):
            if live_rule.targets is None:
                yield replace(_without_targets(check_level_targets, level.number, documented,
                                               live, level.location),
                              expected=[target.name for target in level.targets])
                continue
            live_targets = [_live_target(target, account) for target in live_rule.targets]
            wanted = {_documented_key(target, live_targets) for target in level.targets}
            found = {(target.kind, target.key) for target in live_targets}
            if wanted == found:
                continue
            missing, extra = sorted(wanted - found), sorted(found - wanted)
            parts = ([f"not paging {_labels(missing)}"] if missing else []) + (
                [f"also paging {_labels(extra)}"] if extra else [])
            yield check_level_targets.finding(
                f"level {level.number} is {' and '.join(parts)}", live_resource(documented, live),
                expected=_labels_list(wanted), actual=_labels_list(found),
                location=level.location)


def _live_target(target: EscalationTarget, account: Account) -> _LiveTarget:
    """A schedule is named by the schedule list, else by the reference's summary (which holds
    the name); a user's email needs the user list."""
    if target.is_schedule:
        return _LiveTarget("schedule", str(account.schedule_named(target) or target.id),
                           target.id)
    found = account.users.by_id(target.id)
    email = found.email if found is not None else None
    return _LiveTarget("user", email.casefold() if email else _unseen(str(target.id)),
                       target.id)


def _unseen(user_id: str) -> str:
    """How a user the user list does not hold is named: by id, and why there is no email."""
    return f"{user_id} (not in the user list this token reads)"


def _documented_key(target: Target, live_targets: list[_LiveTarget]) -> tuple[str, str]:
    """A documented target keyed as the live ones; a schedule pinned by id takes the name of
    the live target with that id, so that a renamed schedule still matches, and a user written
    by id (``user_id``) matches the live user of that id, listed or not."""
    if target.kind == "user":
        return "user", target.name.casefold()
    if target.kind == "user_id":
        return "user", next((live.key for live in live_targets
                             if live.kind == "user" and live.id == target.name),
                            _unseen(target.name))
    if target.kind == "schedule_id":
        return "schedule", next((live.key for live in live_targets
                                 if live.kind == "schedule" and live.id == target.name),
                                target.name)
    schedule = target.schedule
    pinned = schedule.id.value if schedule is not None and schedule.id is not None else None
    renamed = next((live.key for live in live_targets
                    if live.kind == "schedule" and pinned is not None and live.id == pinned), None)
    return "schedule", renamed or target.name


def _labels_list(targets: set[tuple[str, str]]) -> list[str]:
    return [f"{kind} {key}" for kind, key in sorted(targets)]


def _labels(targets: list[tuple[str, str]]) -> str:
    return ", ".join(f"{kind} '{key}'" for kind, key in targets)


@rule("EP105", "loops-and-handoff", title="Repeats and hand-off notifications are as documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("escalation_policies",))
def check_loops_and_handoff(context: Context) -> Iterator[Finding]:
    """How many times an unanswered escalation starts again (``num_loops``) and when on-call
    hand-off notifications are sent (``always`` or ``if_has_services``) must be as the policy
    says: fewer loops stop paging while an incident is still unacknowledged, and without
    hand-off notifications people start a shift without being told. Only values the policy
    writes are compared. A policy PagerDuty returned without the value (the spec does not
    require either field) is reported as not checked, never as PagerDuty's default for a new
    policy."""
    for documented, live in both_sides(escalation_pairs(context.policy, context.live)):
        loops, handoff = documented.loops, documented.handoff_notifications
        live_loops, live_handoff = live.num_loops, live.handoff_notifications
        if loops is not None and live_loops is None:
            yield _loops_or_handoff_unread("repeats", "num_loops", documented, live,
                                           loops.value, loops.location)
        elif loops is not None and live_loops is not None and live_loops != loops.value:
            yield check_loops_and_handoff.finding(
                f"repeats {counted(live_loops, 'time')} (num_loops), "
                f"documented {loops.value}", live_resource(documented, live),
                expected=loops.value, actual=live_loops, location=loops.location)
        if handoff is not None and live_handoff is None:
            yield _loops_or_handoff_unread("on-call hand-off notifications",
                                           "on_call_handoff_notifications", documented, live,
                                           handoff.value, handoff.location)
        elif handoff is not None and live_handoff != handoff.value:
            yield check_loops_and_handoff.finding(
                f"sends on-call hand-off notifications '{live_handoff}', documented "
                f"'{handoff.value}'", live_resource(documented, live),
                expected=handoff.value, actual=live_handoff, location=handoff.location)


def _loops_or_handoff_unread(what: str, field: str, documented: EscalationPolicy,
                             live: LivePolicy, written: object, location: Location | None,
                             ) -> Finding:
    """EP105's finding that ``what`` is not checked: PagerDuty returned the policy without
    ``field``, which the spec does not require."""
    return check_loops_and_handoff.not_checked(
        f"{what} not checked: {returned_without(f'its {field}', 'policy')}",
        live_resource(documented, live),
        why=returned_without(f"its {field}", "escalation policy", live.name),
        expected=written, actual=None, location=location)


@rule("EP106", "single-responder", title="No level rests on one person alone",
      severity=Severity.WARNING, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("escalation_policies",))
def check_single_responder(context: Context) -> Iterator[Finding]:
    """A level whose only target is one user, with no schedule, depends on that person being
    reachable at every hour, including holidays and sick days; nobody takes over when they are
    away. Page a schedule, or add a second person. Reported on the live configuration, at the
    documented level (at the policy when the level counts differ). A policy PagerDuty returned
    without its escalation rules, or a level without its targets, is reported as not
    checked."""
    for _, unread in _without_rules(check_single_responder, "levels", context.policy,
                                    context.live):
        yield unread
    for documented, live in both_sides(escalation_pairs(context.policy, context.live)):
        if live.rules is None:
            continue
        same_levels = len(live.rules) == len(documented.levels)
        for index, live_rule in enumerate(live.rules):
            level = documented.levels[index] if same_levels else None
            if live_rule.targets is None:
                yield _without_targets(check_single_responder, index + 1, documented, live,
                                       level.location if level else documented.location)
                continue
            only = _single_person(live_rule)
            if only is None:
                continue
            person = only.summary or only.id
            yield check_single_responder.finding(
                f"level {index + 1} pages only one person ({person}) and no schedule",
                live_resource(documented, live),
                expected="a schedule or several people", actual=[f"user {person}"],
                location=level.location if level else documented.location)


def _single_person(live_rule: LiveRule) -> EscalationTarget | None:
    """The one user who is the rule's only target; None otherwise, or when its targets were
    not returned (``check_single_responder`` reports them not checked)."""
    targets = live_rule.targets
    if targets is None or len(targets) != 1 or targets[0].kind is not TargetKind.USER:
        return None
    return targets[0]
