"""PRG rules: the incident-response programme around the configuration — tabletop exercises,
training, corrective actions — held to the live account (what the policy alone must say of them,
POL040–POL041, is checked with the document's rules, in ``document.py``).

A policy without a ``training``, ``exercises`` or ``corrective_actions`` section asks nothing of
them, and these rules say nothing: the programme is documented when the compliance lead writes
it, not required of every policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from pdlint.findings import Finding, Resource, Severity
from pdlint.pagerduty.model import Account, Schedule, TargetKind
from pdlint.pagerduty.model import EscalationPolicy as LivePolicy
from pdlint.pagerduty.state import Window
from pdlint.policy.model import (
    ActionStatus,
    Policy,
    Training,
)
from pdlint.rule import Context, Mode, returned_without, rule
from pdlint.rules.escalation import escalation_pairs
from pdlint.rules.matching import both_sides
from pdlint.rules.schedules import schedule_pairs

PLACES_LISTED = 5
"""Places a person is on call named in a PRG800 finding; the rest are counted."""


@rule("PRG800", "untrained-on-call", title="Everyone on call is trained in incident response",
      severity=Severity.ERROR, criterion="CC1.4", mode=Mode.DRIFT,
      reads=("escalation_policies", "schedules", "users"))
def check_untrained_on_call(context: Context) -> Iterator[Finding]:
    """Responders must know their role before they are paged. When the policy keeps a training
    record, everyone on call during the checked window in a documented schedule (its rendered
    final schedule, overrides included), or targeted by a documented escalation policy
    (directly, or through a schedule it pages), needs a record whose completion plus valid_for
    is today or later. One finding per person, naming where they are on call (the first five
    places). What the key cannot see is a warning naming it: a person on call the user list
    does not hold or lists without their email (training records name people by email, which
    is then not known), or a schedule a documented policy pages that the schedule lists do not
    hold (who it puts on call is not known), or returned without a rendered final schedule it
    can read, or a documented escalation policy PagerDuty returned without its rules or a
    level's targets. Not checked when the schedules, escalation
    policies or users could not be read."""
    policy, account, today = context.policy, context.live, context.today
    training = policy.training
    if training is None or not all(collection.read for collection in (
            account.schedules, account.escalation_policies, account.users)):
        return
    for (schedule_id, name), places in _unseen_schedules(policy, account).items():
        yield check_untrained_on_call.not_checked(
            f"training not checked for whoever schedule {schedule_id}"
            f"{f' ({name})' if name else ''} puts on call, in {_listed(places)}: it is not in "
            "the schedule lists this key reads", Resource("schedule", name=name, id=schedule_id),
            why=f"schedule {schedule_id} is not in the schedule lists this key reads",
            expected="trained people on call", actual=None, location=training.location)
    for schedule, unread in _unrendered_schedules(policy, account):
        yield check_untrained_on_call.not_checked(
            f"training not checked for whoever schedule '{schedule.name}' puts on call: "
            f"{unread}", Resource("schedule", name=schedule.name, id=schedule.id),
            why=f"schedule '{schedule.name}': {unread}", expected="trained people on call",
            actual=None, location=training.location)
    for live_policy, unread in _unread_levels(policy, account):
        yield check_untrained_on_call.not_checked(
            f"training not checked for whoever escalation policy '{live_policy.name}' pages: "
            f"PagerDuty returned it without {unread}",
            Resource("escalation_policy", name=live_policy.name, id=live_policy.id),
            why=returned_without(unread, "escalation policy", live_policy.name),
            expected="trained people on call", actual=None, location=training.location)
    for user_id, places in on_call_people(policy, account).items():
        user = account.users.by_id(user_id)
        if user is None:
            yield check_untrained_on_call.not_checked(
                f"training not checked for user {user_id}, on call in {_listed(places)}: they "
                "are not in the user list this key reads, so the email their training record "
                "would name is not known", Resource("user", id=user_id),
                why=f"user {user_id} is not in the user list this key reads",
                expected="a current training record", actual=None, location=training.location)
            continue
        name = str(user.name or user_id)
        email = user.email
        if not email:
            yield check_untrained_on_call.not_checked(
                f"training not checked for {name}, on call in {_listed(places)}: PagerDuty "
                "listed them without their email, which their training record would name",
                Resource("user", name=name, id=user_id),
                why=f"PagerDuty listed user {user_id} without their email",
                expected="a current training record", actual=None, location=training.location)
            continue
        if training.current(email, today) is not None:
            continue
        yield check_untrained_on_call.finding(
            f"{name} ({email}) is on call in {_listed(places)} without "
            f"current incident-response training: {_training_state(training, email)}",
            Resource("user", name=name, id=user_id),
            expected=f"training completed on or after {today - training.valid_for.value}",
            actual=_latest_day(training, email), location=training.location)


def on_call_people(policy: Policy, account: Account) -> dict[str, list[str]]:
    """Each person (by user id) on call during the rendered window in a documented schedule or
    paged by a documented escalation policy, with where, in the policy's order."""
    window = account.window
    places: dict[str, list[str]] = {}

    def add(user_id: str, place: str) -> None:
        found = places.setdefault(user_id, [])
        if place not in found:
            found.append(place)

    for documented, live in both_sides(schedule_pairs(policy, account)):
        if isinstance(live, Schedule):
            for user_id in _rendered_people(live, window):
                add(user_id, f"schedule {documented.name}")
    for documented_policy, live_policy in both_sides(escalation_pairs(policy, account)):
        for number, escalation_rule in enumerate(live_policy.rules or (), start=1):
            where = f"escalation policy {documented_policy.name} level {number}"
            for target in escalation_rule.targets or ():  # _unread_levels names the others
                target_id = str(target.id)
                if target.kind is TargetKind.USER:
                    add(target_id, where)
                elif target.is_schedule:
                    schedule = account.schedule_of(target)
                    for user_id in _rendered_people(schedule, window):
                        add(user_id, f"{where} (schedule {schedule.name if schedule else None})")
    return places


def on_call_unread(policy: Policy, account: Account) -> list[str]:
    """Why who is on call is not known in full, one reason per schedule or escalation policy
    PagerDuty returned without what says it (``on_call_people`` leaves those out: not read,
    never nobody)."""
    levels: dict[str, list[str]] = {}
    for live_policy, unread in _unread_levels(policy, account):
        levels.setdefault(str(live_policy.name), []).append(unread)
    return ([f"schedule '{schedule.name}': {unread}"
             for schedule, unread in _unrendered_schedules(policy, account)]
            + [f"escalation policy '{name}': PagerDuty returned it without {', '.join(unread)}"
               for name, unread in levels.items()])


def _unseen_schedules(policy: Policy, account: Account) -> dict[tuple[str, str | None],
                                                                  list[str]]:
    """The schedules documented escalation policies page that the schedule lists do not hold,
    by (id, the reference's name), with where they are paged."""
    found: dict[tuple[str, str | None], list[str]] = {}
    for documented_policy, live_policy in both_sides(escalation_pairs(policy, account)):
        for number, escalation_rule in enumerate(live_policy.rules or (), start=1):
            for target in escalation_rule.targets or ():
                if target.is_schedule and account.schedule_of(target) is None and target.id:
                    found.setdefault((target.id, target.summary), []).append(
                        f"escalation policy {documented_policy.name} level {number}")
    return found


def _unrendered_schedules(policy: Policy, account: Account) -> Iterator[tuple[Schedule, str]]:
    """The documented schedules, and those documented escalation policies page, that PagerDuty
    returned without a rendered final schedule it can read, with why: who they put on call is
    not known (never "nobody")."""
    paged = (account.schedule_of(target)
             for _, live_policy in both_sides(escalation_pairs(policy, account))
             for escalation_rule in live_policy.rules or ()
             for target in escalation_rule.targets or ())
    documented = (live for _, live in both_sides(schedule_pairs(policy, account)))
    seen: set[str] = set()
    for schedule in (*documented, *paged):
        if schedule is None or schedule.id in seen:
            continue
        seen.add(schedule.id)
        final = schedule.final_schedule
        if final is None:
            yield schedule, "PagerDuty returned it without its rendered final schedule"
        elif final.problem is not None:
            yield schedule, f"its final schedule cannot be read: {final.problem}"


def _unread_levels(policy: Policy, account: Account) -> Iterator[tuple[LivePolicy, str]]:
    """The documented escalation policies PagerDuty returned without their rules, or with a
    level without its targets, with what was not returned: who they page is not known."""
    for _, live_policy in both_sides(escalation_pairs(policy, account)):
        if live_policy.rules is None:
            yield live_policy, "its escalation rules"
        for number, escalation_rule in enumerate(live_policy.rules or (), start=1):
            if escalation_rule.targets is None:
                yield live_policy, f"the targets of level {number}"


def _rendered_people(live: Schedule | None, window: Window) -> list[str]:
    """The people of the schedule's final schedule whose shifts overlap ``window`` (none when
    it was not rendered or cannot be read: ``_unrendered_schedules`` reports that)."""
    found: dict[str, None] = {}
    final = live.final_schedule if live is not None else None
    for shift in final.shifts if final is not None else ():
        if (shift.user_id and shift.start < window.until
                and shift.end > window.since):
            found.setdefault(shift.user_id)
    return list(found)


def _listed(places: list[str]) -> str:
    rest = len(places) - PLACES_LISTED
    return ", ".join(places[:PLACES_LISTED]) + (f" and {rest} more" if rest > 0 else "")


def _training_state(training: Training, email: str) -> str:
    latest = training.latest(email) if email else None
    if latest is None:
        return "no training record"
    return (f"the latest record ({latest.course.value}, completed {latest.completed.value}, "
            f"{latest.location}) was valid until {training.valid_until(latest)}")


def _latest_day(training: Training, email: str) -> str | None:
    latest = training.latest(email) if email else None
    return str(latest.completed.value) if latest else None


@rule("PRG801", "unknown-exercise-participant",
      title="Exercise participants are people in PagerDuty",
      severity=Severity.WARNING, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("users",))
def check_unknown_exercise_participant(context: Context) -> Iterator[Finding]:
    """A tabletop exercise is evidence that the responders practised the plan: each participant
    is named by their PagerDuty login email, and one that matches no user (compared without
    case) is a typo or someone who does not respond to incidents. Not checked when the users
    could not be read."""
    account = context.live
    if not account.users.read:
        return
    for exercise in context.policy.exercises:
        for participant in exercise.participants:
            if account.user_by_email(participant.value) is None:
                yield check_unknown_exercise_participant.finding(
                    f"{participant.value}, a participant of the exercise "
                    f"'{exercise.scenario.value}' on {exercise.date.value}, is no PagerDuty user",
                    Resource("user", name=participant.value),
                    expected="a PagerDuty user with this login email", actual=None,
                    location=participant.location)


@rule("PRG802", "overdue-corrective-action", title="Corrective actions are done by their due day",
      severity=Severity.ERROR, criterion="CC7.5", mode=Mode.DRIFT)
def check_overdue_corrective_action(context: Context) -> Iterator[Finding]:
    """Unresolved corrective actions from prior incidents are a common finding in SOC 2 Type II
    reports. Every action of the corrective action register, and every action item of a
    documented tabletop exercise, that is still open after its due day (in the organisation's
    time zone) is reported, naming the incident (or exercise) and the owner, at its row or
    line."""
    policy, today = context.policy, context.today
    if policy.corrective_actions is not None:
        zone = policy.organisation.business_hours.zone
        for action in policy.corrective_actions.actions:
            if action.status(today, zone) is ActionStatus.OVERDUE:
                incident = incident_label(action.incident)
                yield check_overdue_corrective_action.finding(
                    f"the corrective action '{action.action}' of incident {incident} "
                    f"(owner {action.owner}) was due on {action.due} and is still open",
                    Resource("corrective_action", name=f"{incident}: {action.action}"),
                    expected=f"closed by {action.due}", actual="open",
                    location=action.location)
    for exercise in policy.exercises:
        for item in exercise.actions:
            if item.status(today) is ActionStatus.OVERDUE:
                yield check_overdue_corrective_action.finding(
                    f"the action '{item.title.value}' of the exercise "
                    f"'{exercise.scenario.value}' on {exercise.date.value} (owner "
                    f"{item.owner.value}) was due on {item.due.value} and is still open",
                    Resource("corrective_action", name=item.title.value),
                    expected=f"closed by {item.due.value}", actual="open",
                    location=item.location)


def incident_label(named: str) -> str:
    """A register's incident as tables show it: ``#42`` for a number, else the id."""
    return f"#{named}" if named.isdigit() else named
