"""Communication per severity: within ``notify_within`` of the trigger, were those the policy
names told?

- ``responders``: a responder request was made on the incident by the deadline: the earliest
  ``requested_at`` of the incident's ``responder_requests`` (``GET /incidents/{id}``).
- ``subscribers``: someone is subscribed to the incident's status updates
  (``GET /incidents/{id}/status_updates/subscribers``). The API gives no time of subscription,
  so this part says that they were told, not when.

An incident is within when every part holds, late when a responder request came after the
deadline, missing when a part has nothing once the deadline has passed, pending before it. A
part PagerDuty did not return (``responder_requests`` absent or null, a request without
``requested_at``, an answer with neither ``total`` nor ``subscribers``) is not read, never
"nobody was told": the incident is not judged.
PagerDuty's status updates themselves can be posted but not listed through the REST API, so
they are not a part (docs/pagerduty-api-notes.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pdlint.evidence.model import (
    AssessedIncident,
    CommunicationCheck,
    CommunicationCompliance,
    CommunicationStatus,
)
from pdlint.pagerduty.records import (
    IncidentRecord,
    NotReturned,
    read_first_responder_request,
    read_subscriber_count,
)
from pdlint.policy.model import IncidentSeverity, format_duration

if TYPE_CHECKING:
    from pdlint.pagerduty.client import PagerDutyClient


@dataclass(frozen=True)
class Told:
    """What the account says of one incident: its first responder request, its subscribers."""

    responders_requested_at: datetime | NotReturned | None
    """None when not asked for, or when none was requested; ``NotReturned`` when PagerDuty did
    not say."""
    subscribers: int | None
    """None when not asked for, or when PagerDuty did not say."""

    def unread(self, notify: Sequence[str]) -> tuple[str, ...]:
        """The parts ``notify`` asks for that PagerDuty did not return: ``responder_requests``,
        ``subscribers``."""
        return tuple(name for part, name, missing in (
            ("responders", "responder_requests",
             isinstance(self.responders_requested_at, NotReturned)),
            ("subscribers", "subscribers", self.subscribers is None))
            if missing and part in notify)

    @property
    def requested_at(self) -> datetime | None:
        """The first responder request, None when none was made or it was not read."""
        at = self.responders_requested_at
        return None if isinstance(at, NotReturned) else at


async def read_told(client: PagerDutyClient, record: IncidentRecord,
                    notify: Sequence[str]) -> Told:
    """The parts ``notify`` asks for, one request each; PermissionDenied propagates."""
    return Told(
        await read_first_responder_request(client, record.id) if "responders" in notify
        else None,
        await read_subscriber_count(client, record.id) if "subscribers" in notify else None)


def judge_communication(record: IncidentRecord, within: timedelta, notify: Sequence[str],
                        told: Told | None, as_of: datetime) -> CommunicationCheck:
    """Within, late, missing or pending, as the module docstring says; not judged without
    ``told`` (the token may not read it), nor when PagerDuty did not return a part ``notify``
    asks for (``Told.unread``)."""
    deadline = record.created_at + within
    if told is None or told.unread(notify):
        return CommunicationCheck(CommunicationStatus.NOT_JUDGED, deadline,
                                  told.requested_at if told else None,
                                  told.subscribers if told else None)
    due = as_of > deadline
    parts = []
    if "responders" in notify:
        at = told.requested_at
        parts.append(CommunicationStatus.WITHIN if at is not None and at <= deadline
                     else CommunicationStatus.LATE if at is not None
                     else CommunicationStatus.MISSING if due else CommunicationStatus.PENDING)
    if "subscribers" in notify:
        parts.append(CommunicationStatus.WITHIN if told.subscribers
                     else CommunicationStatus.MISSING if due else CommunicationStatus.PENDING)
    worst = next((status for status in (CommunicationStatus.MISSING, CommunicationStatus.LATE,
                                        CommunicationStatus.PENDING) if status in parts),
                 CommunicationStatus.WITHIN)
    return CommunicationCheck(worst, deadline, told.requested_at, told.subscribers)


@dataclass
class _Tally:
    counts: Counter[CommunicationStatus] = field(default_factory=Counter)
    exceptions: list[AssessedIncident] = field(default_factory=list)


class CommunicationTally:
    """Counts communication outcomes per severity documenting ``notify_within``."""

    def __init__(self, severities: Sequence[IncidentSeverity]) -> None:
        self._severities = tuple(severity for severity in severities
                                 if severity.notify_within is not None)
        self._tallies = {severity.id: _Tally() for severity in self._severities}

    def add(self, incident: AssessedIncident) -> None:
        if incident.severity not in self._tallies or incident.communication is None:
            return
        tally = self._tallies[incident.severity]
        tally.counts[incident.communication.status] += 1
        if incident.communication.status.is_exception:
            tally.exceptions.append(incident)

    def results(self) -> tuple[CommunicationCompliance, ...]:
        results = []
        for severity in self._severities:
            tally, within = self._tallies[severity.id], severity.notify_within
            assert within is not None and severity.notify is not None
            counts = tally.counts
            results.append(CommunicationCompliance(
                severity=severity.id, notify_within=within.written or format_duration(
                    within.value), notify=tuple(severity.notify.value),
                location=within.location, required=sum(counts.values()),
                within=counts[CommunicationStatus.WITHIN], late=counts[CommunicationStatus.LATE],
                missing=counts[CommunicationStatus.MISSING],
                pending=counts[CommunicationStatus.PENDING],
                not_judged=counts[CommunicationStatus.NOT_JUDGED],
                exceptions=tuple(sorted(tally.exceptions,
                                        key=lambda incident: incident.record.created_at))))
        return tuple(results)
