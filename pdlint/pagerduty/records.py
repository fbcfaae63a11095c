"""The account's period data as typed, frozen records, parsed once from the API's JSON as it
streams in: incidents (from analytics and from ``GET /incidents``), log entries, incident notes,
audit records, the subscribers of an incident's status updates, and the maintenance windows
that ended before the account was read. The evidence package reads
these records, never the wire JSON.

As in ``model.py`` (whose field reader this shares): a value PagerDuty did not return is
``None``, never an empty value that reads as "none", and a value of the wrong type is a
``ModelError`` naming the object and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple

from pdlint.pagerduty.model import (
    MaintenanceWindow,
    Reference,
    _described,
    _Fields,
    _maintenance_window,
    _reference,
)

if TYPE_CHECKING:
    from pdlint.pagerduty.client import PagerDutyClient


def _fields(kind: str, data: Any) -> _Fields:
    return _Fields(data, _described(kind, data))


# -- incidents --------------------------------------------------------------------------------

class IncidentRecord(NamedTuple):
    """One incident of the period, from either source, as the register and the evidence's
    judgements need it: parsed straight into this, with nothing copied after (a year is a
    hundred thousand of them).

    ``acknowledged_at`` and ``responders`` are analytics' own figures; an incident from
    ``GET /incidents`` has them from the log (``LogIndex`` in the evidence), so until then they
    are None (not read) and its ``assignees`` are those of the incident.

    A named tuple: as immutable as a frozen dataclass, and made in less than half the CPU.
    """

    id: str
    number: int | None
    title: str | None
    service: str | None
    """The name of its service as PagerDuty shows it."""
    priority: str | None
    urgency: str | None
    status: str | None
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    responders: tuple[str, ...] | None = ()
    """Assigned, then acknowledging users' names, each once; None when PagerDuty did not say."""
    service_id: str | None = None
    """None when the source does not name it (``service`` is the name it shows)."""
    unread: tuple[str, ...] = ()
    """Which of ``acknowledged_at``, ``resolved_at`` and ``priority`` PagerDuty did not return
    (analytics, or ``GET /incidents`` and its log): None there is then not read, never "not
    acknowledged", "open" or "no priority", which a null it returned says; what is judged by
    them is not judged."""
    assignees: tuple[str, ...] | None = None
    """The names of the users the incident is assigned to (``GET /incidents``)."""

    @property
    def seconds_to_acknowledge(self) -> float | None:
        """None when not acknowledged, or acknowledged before it was created (``problem``)."""
        if self.acknowledged_at is None or self.acknowledged_at < self.created_at:
            return None
        return (self.acknowledged_at - self.created_at).total_seconds()

    @property
    def seconds_to_resolve(self) -> float | None:
        """None when not resolved, or resolved before it was created (``problem``)."""
        if self.resolved_at is None or self.resolved_at < self.created_at:
            return None
        return (self.resolved_at - self.created_at).total_seconds()

    @property
    def problem(self) -> str | None:
        """Times the account gives that cannot be: a duration from them would be negative, so
        it is flagged instead of printed."""
        created, acknowledged, resolved = self.created_at, self.acknowledged_at, self.resolved_at
        if ((acknowledged is None or acknowledged >= created)
                and (resolved is None or resolved >= created)):
            return None  # nearly every incident: asked of each, for the register and the tally
        impossible = [f"{what} before it was created" for what, at in (
            ("acknowledged", self.acknowledged_at), ("resolved", self.resolved_at))
            if at is not None and at < self.created_at]
        return "; ".join(impossible) or None

    @property
    def label(self) -> str:
        """How an auditor refers to it: ``#42`` (or the id when there is no number)."""
        return f"#{self.number}" if self.number is not None else self.id


ANALYTICS_KEYS = (("seconds_to_first_ack", "acknowledged_at"), ("resolved_at", "resolved_at"),
                  ("priority_name", "priority"))
"""The keys of an ``AnalyticsRawIncident`` the evidence judges by (none is required by the
spec), and the ``IncidentRecord`` field each gives."""
_ALL_JUDGED_BY = frozenset(key for key, _ in ANALYTICS_KEYS)
_ANALYTICS_TEXTS = ("id", "description", "service_name", "service_id", "priority_name",
                    "urgency", "status")


def parse_analytics_incident(raw: Any, naive_zone: tzinfo) -> IncidentRecord:
    """An ``AnalyticsRawIncident``; a time without an offset is in ``naive_zone``, the zone the
    request named."""
    fields = _fields("analytics incident", raw)
    created_at = fields.required("created_at", fields.time("created_at", naive_zone))
    seconds_to_ack = fields.number("seconds_to_first_ack")
    assigned, acknowledged = (fields.texts("assigned_user_names"),
                              fields.texts("acknowledged_user_names"))
    id_, title, service, service_id, priority, urgency, status = fields.texts_at(
        _ANALYTICS_TEXTS)
    return IncidentRecord(
        id=fields.required("id", id_),
        number=fields.integer("incident_number"),
        title=title,
        service=service,
        service_id=service_id,
        priority=priority,
        urgency=urgency,
        status=status,
        created_at=created_at,
        acknowledged_at=(None if seconds_to_ack is None
                         else created_at + timedelta(seconds=seconds_to_ack)),
        resolved_at=fields.time("resolved_at", naive_zone),
        responders=(None if assigned is None and acknowledged is None
                    else tuple(dict.fromkeys((*(assigned or ()), *(acknowledged or ()))))),
        unread=() if fields.data.keys() >= _ALL_JUDGED_BY
        else tuple(name for key, name in ANALYTICS_KEYS if not fields.has(key)),
    )


def parse_incident(raw: Any) -> IncidentRecord:
    """An ``Incident`` of ``GET /incidents``. The spec requires none of its fields: without
    ``resolved_at`` (null when it is not resolved) or ``priority`` (null when it has none), or
    with a priority that names itself neither by ``name`` nor ``summary``, that field is not
    read (``unread``), never "open" or "no priority"."""
    fields = _fields("incident", raw)
    service, priority = fields.nested("service"), fields.nested("priority")
    priority_name = (priority.text("name") or priority.text("summary")) if priority else None
    assignments = fields.items("assignments")
    assignees = None if assignments is None else tuple(
        name for assignment in assignments
        for assignee in (assignment.nested("assignee"),) if assignee is not None
        for name in (assignee.text("summary"),) if name is not None)
    return IncidentRecord(
        id=fields.required("id", fields.text("id")),
        number=fields.integer("incident_number"),
        title=fields.text("title"),
        service=(service.text("summary") or service.text("name")) if service else None,
        service_id=service.text("id") if service else None,
        priority=priority_name,
        urgency=fields.text("urgency"),
        status=fields.text("status"),
        created_at=fields.required("created_at", fields.time("created_at")),
        acknowledged_at=None,
        resolved_at=fields.time("resolved_at"),
        responders=None,
        assignees=assignees,
        unread=tuple(name for name, returned in (
            ("resolved_at", fields.has("resolved_at")),
            ("priority", fields.has("priority")
             and (priority is None or priority_name is not None)),
        ) if not returned),
    )


class NotReturned(NamedTuple):
    """Part of an answer PagerDuty did not return where an empty value would read as "none"
    (an incident's responder requests, a note's text, a custom field change's changeset): not
    read, never nothing. ``what`` names it, for the report."""

    what: str


def first_responder_request(raw: Any) -> datetime | NotReturned | None:
    """The earliest ``requested_at`` of an ``Incident``'s ``responder_requests``; None when it
    has none (an empty list). ``NotReturned`` when PagerDuty did not say: the list absent
    (returned only where the account has the responder requests feature) or null, or a request
    without ``requested_at`` (which may be the earliest; the spec requires none of its keys)."""
    fields = _fields("incident", raw)
    requests = fields.items("responder_requests")
    if requests is None:
        return NotReturned(f"{fields.where}: responder_requests")
    times = [request.time("requested_at") for request in requests]
    if None in times:
        index = times.index(None)
        return NotReturned(f"{fields.where}: responder_requests[{index}].requested_at")
    return min((moment for moment in times if moment is not None), default=None)


# -- log entries and notes --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LogEntry:
    """A log entry: its type, the incident it is about, when, who did it, whom it assigned,
    (a custom field's change) the changes written ``Updated <field> to <value>``, and its id."""

    type: str | None
    incident_id: str | None
    created_at: datetime | None
    agent: Reference | None
    assignees: tuple[Reference, ...] | None
    changeset: tuple[str, ...] | None
    id: str | None = None


def parse_log_entry(raw: Any) -> LogEntry:
    fields = _fields("log entry", raw)
    incident, agent = fields.nested("incident"), fields.nested("agent")

    return LogEntry(
        type=fields.text("type"),
        incident_id=incident.text("id") if incident else None,
        created_at=fields.time("created_at"),
        agent=_reference(agent) if agent else None,
        assignees=fields.each("assignees", _reference),
        changeset=fields.texts("changeset"),
        id=fields.text("id"),
    )


@dataclass(frozen=True, slots=True)
class IncidentNote:
    """A note on an incident: its text and when it was written (None: PagerDuty did not say;
    a text not returned is not an empty one)."""

    where: str
    content: str | None
    created_at: datetime | None


def parse_notes(answer: Any, incident_id: str) -> tuple[IncidentNote, ...]:
    """The notes of a ``GET /incidents/{id}/notes`` answer."""
    fields = _Fields(answer, f"the notes of incident {incident_id}")
    notes = fields.required("notes", fields.items("notes"))
    return tuple(IncidentNote(f"{note.where}: {note.path}", note.text("content"),
                              note.time("created_at")) for note in notes)


async def read_notes(client: PagerDutyClient, incident_id: str) -> tuple[IncidentNote, ...]:
    """The incident's notes (one request: the endpoint lists them all)."""
    return parse_notes(await client.get(f"/incidents/{incident_id}/notes"), incident_id)


async def read_incident_log(client: PagerDutyClient, incident_id: str,
                            ) -> tuple[LogEntry, ...]:
    """The incident's log entries."""
    return tuple([parse_log_entry(entry) async for entry in client.iter_classic(
        f"/incidents/{incident_id}/log_entries", "log_entries")])


async def read_first_responder_request(client: PagerDutyClient, incident_id: str,
                                       ) -> datetime | NotReturned | None:
    """When responders were first requested on the incident (``GET /incidents/{id}``), as
    ``first_responder_request`` says."""
    answer = _Fields(await client.get(f"/incidents/{incident_id}"), f"incident {incident_id}")
    return first_responder_request(answer.required("incident", answer.data.get("incident")))


def subscriber_count(answer: Any, incident_id: str) -> int | None:
    """How many are subscribed to the incident's status updates: the answer's ``total``, else
    the subscribers it lists; None when it gives neither."""
    fields = _Fields(answer, f"the subscribers of incident {incident_id}")
    total = fields.integer("total")
    return total if total is not None else fields.length("subscribers")


async def read_subscriber_count(client: PagerDutyClient, incident_id: str) -> int | None:
    """``subscriber_count`` of ``GET /incidents/{id}/status_updates/subscribers``."""
    return subscriber_count(
        await client.get(f"/incidents/{incident_id}/status_updates/subscribers"), incident_id)


# -- audit records ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FieldChange:
    """A field an audit record changed, with its values before and after where it gives them."""

    name: str
    before: str | None
    after: str | None
    valued: bool
    """Whether the record gives a value before or after (``before_value`` or ``value``)."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """An ``AuditRecord``: what was done (``action``) to which object (``root``), when, by whom,
    and the fields and references it changed."""

    id: str
    execution_time: datetime
    action: str
    root: Reference
    actors: tuple[Reference, ...] | None
    fields: tuple[FieldChange, ...] | None
    references: tuple[str | None, ...] | None
    """The names of the references changed."""


def _field_change(fields: _Fields) -> FieldChange:
    before, after = fields.data.get("before_value"), fields.data.get("value")
    return FieldChange(fields.text("name") or "", None if before is None else str(before),
                       None if after is None else str(after),
                       fields.has("before_value") or fields.has("value"))


def parse_audit_record(raw: Any) -> AuditRecord:
    fields = _fields("audit record", raw)
    root, details = fields.nested("root_resource"), fields.nested("details")
    return AuditRecord(
        id=fields.required("id", fields.text("id")),
        execution_time=fields.required("execution_time", fields.time("execution_time")),
        action=fields.required("action", fields.text("action")),
        root=_reference(fields.required("root_resource", root)),
        actors=fields.each("actors", _reference),
        fields=details.each("fields", _field_change) if details else None,
        references=details.each("references", lambda item: item.text("name"))
        if details else None,
    )


# -- maintenance windows ----------------------------------------------------------------------

def parse_maintenance_window(raw: Any) -> MaintenanceWindow:
    """A window of ``GET /maintenance_windows?filter=past``, read as the account model reads
    those under way and to come."""
    return _maintenance_window(_fields("maintenance window", raw))
