"""The incident-response programme in the package: each incident's corrective actions, the
tabletop exercises, and the training of everyone on call during the period.

Each is judged on one day, stated in the package: corrective actions and exercise action items
on the day of the run (in the organisation's time zone), training on the last day measured, the
day the people on call in the period had to be trained by.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from pdlint.coverage import Interval
from pdlint.evidence.model import (
    ActionRecord,
    CorrectiveActionSummary,
    ExerciseRecord,
    IncidentActions,
    PersonTraining,
    TrainingSummary,
)
from pdlint.pagerduty.model import Account
from pdlint.pagerduty.records import IncidentRecord
from pdlint.policy.model import (
    ActionStatus,
    CorrectiveAction,
    CorrectiveActions,
    Exercise,
    Policy,
    Training,
    format_duration,
)
from pdlint.rules.programme import incident_label, on_call_people, on_call_unread

TRAINING_NEEDS = ("schedules", "escalation_policies", "users")


def action_record(action: CorrectiveAction, today: date, zone: ZoneInfo) -> ActionRecord:
    return ActionRecord(incident_label(action.incident), action.action, action.owner,
                        action.due, action.closed_on(zone), action.status(today, zone),
                        action.location)


class CorrectiveActionTally:
    """Matches the register's rows with the incidents of the period as they stream past (by id
    or number), keeping only the incidents the register names."""

    def __init__(self, actions: CorrectiveActions, today: date, zone: ZoneInfo,
                 register_name: str) -> None:
        self._records = tuple(replace(action_record(action, today, zone),
                                      location=replace(action.location, path=register_name))
                              for action in actions.actions)
        self._keys = {action.incident for action in actions.actions}
        self._incidents: dict[str, IncidentRecord] = {}
        self._today, self._register = today, register_name

    def saw(self, record: IncidentRecord) -> None:
        for key in (record.id,) if record.number is None else (record.id, str(record.number)):
            if key in self._keys:
                self._incidents.setdefault(key, record)

    def summary(self, incidents_read: bool) -> CorrectiveActionSummary:
        if not incidents_read:
            return CorrectiveActionSummary(self._register, self._today, self._records, None,
                                           None)
        by_incident: dict[str, list[ActionRecord]] = {}
        unmatched: list[ActionRecord] = []
        for record in self._records:
            key = (record.incident or "").removeprefix("#")
            incident = self._incidents.get(key)
            if incident is None:
                unmatched.append(record)
            else:
                by_incident.setdefault(incident.id, []).append(record)
        counts = []
        for incident_id, records in by_incident.items():
            incident = next(found for found in self._incidents.values()
                            if found.id == incident_id)
            statuses = [record.status for record in records]
            counts.append(IncidentActions(
                incident.label, incident_id, statuses.count(ActionStatus.OPEN),
                statuses.count(ActionStatus.OVERDUE), statuses.count(ActionStatus.CLOSED_LATE),
                statuses.count(ActionStatus.CLOSED_ON_TIME)))
        return CorrectiveActionSummary(self._register, self._today, self._records,
                                       tuple(counts), tuple(unmatched))


def exercise_records(exercises: tuple[Exercise, ...], today: date,
                     period: Interval, zone: ZoneInfo) -> tuple[ExerciseRecord, ...]:
    """The documented exercises, newest first, each saying whether it was held in the period."""
    first, last = period.start.astimezone(zone).date(), period.end.astimezone(zone).date()
    return tuple(ExerciseRecord(
        held_on=exercise.date.value, scenario=exercise.scenario.value,
        participants=tuple(person.value for person in exercise.participants),
        findings=tuple(finding.value for finding in exercise.findings),
        actions=tuple(ActionRecord(None, item.title.value, item.owner.value, item.due.value,
                                   item.closed.value if item.closed else None,
                                   item.status(today), item.location)
                      for item in exercise.actions),
        in_period=first <= exercise.date.value <= last, location=exercise.location)
        for exercise in sorted(exercises, key=lambda exercise: exercise.date.value,
                               reverse=True))


def training_summary(policy: Policy, training: Training, account: Account,
                     as_of: date) -> TrainingSummary:
    """Everyone on call in the rendered window (the period) in a documented schedule or paged
    by a documented escalation policy, as PRG800 finds them, with their latest record."""
    people = []
    for user_id, places in on_call_people(policy, account).items():
        user = account.users.by_id(user_id)
        email = (user.email if user else None) or None
        latest = training.latest(email) if email else None
        current = training.current(email, as_of) if email else None
        shown = current or latest
        people.append(PersonTraining(
            name=str((user.name if user else None) or user_id), email=email, on_call=tuple(places),
            course=shown.course.value if shown else None,
            completed=shown.completed.value if shown else None,
            valid_until=training.valid_until(shown) if shown else None,
            current=current is not None, location=shown.location if shown else None))
    return TrainingSummary(training.valid_for.written or format_duration(training.valid_for.value),
                           training.location, as_of,
                           tuple(sorted(people, key=lambda person: (person.current,
                                                                    person.name))))


def training_skip(policy: Policy, account: Account) -> str | None:
    """Why the people on call could not be read, or None: a collection not read, or a
    schedule or escalation policy returned without who it puts on call (the people it would
    name are then not counted, so the figure would claim fewer untrained than there may be)."""
    reasons = [f"{kind}: {reason}" for kind in TRAINING_NEEDS
               if (reason := account.skip_reason(kind)) is not None]
    unread = on_call_unread(policy, account)
    if unread:
        reasons.append(f"who is on call could not be read in full ({'; '.join(unread)})")
    return "; ".join(reasons) or None
