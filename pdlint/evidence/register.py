"""The incident register: every incident of the period, read from the best source the token may
use, and streamed to ``incidents.csv`` and ``incidents.json`` one row at a time.

Sources, in order of preference:

1. ``POST /analytics/raw/incidents`` (cursor pagination, 1,000 incidents a page): one request
   per thousand incidents, with acknowledgement and resolution times already computed.
2. When analytics is not permitted (403, or 402 for a plan without it): ``GET /incidents`` over
   the period (in spans of at most 180 days, PagerDuty's cap is six months) joined with
   ``GET /log_entries`` from the start of the period to ``horizon`` after its end, for the first
   acknowledgement and the responders. This keeps one small record per incident (its first
   acknowledgement and responders' names) while the incidents stream past.
"""

from __future__ import annotations

import json
import operator
from bisect import bisect_left
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Sequence,
)
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from json.encoder import encode_basestring
from typing import IO, TYPE_CHECKING, Any

from pdlint.evidence.model import AssessedIncident, iso_once, whole
from pdlint.pagerduty.model import Reference
from pdlint.pagerduty.records import (
    IncidentRecord,
    LogEntry,
    parse_analytics_incident,
    parse_incident,
    parse_log_entry,
)
from pdlint.report.tabular import csv_rows

if TYPE_CHECKING:
    from pdlint.pagerduty.client import PagerDutyClient

ANALYTICS = "analytics"
INCIDENTS_AND_LOG_ENTRIES = "incidents_and_log_entries"
SOURCE_NAMES = {
    ANALYTICS: "POST /analytics/raw/incidents",
    INCIDENTS_AND_LOG_ENTRIES: "GET /incidents joined with GET /log_entries",
}
INCIDENT_QUERY_SPAN = timedelta(days=180)
ANALYTICS_PAGE_SIZE = 1000
ANALYTICS_TIME_ZONE = "Etc/UTC"
"""Analytics write times in the request's ``time_zone``, without an offset: pdlint asks for UTC."""

REGISTER_COLUMNS = (
    "id", "number", "title", "service", "priority", "severity", "urgency", "status",
    "created_at", "acknowledged_at", "resolved_at", "seconds_to_acknowledge",
    "seconds_to_resolve", "responders", "ack_deadline", "sla", "postmortem",
    "postmortem_recorded_at", "postmortem_due_at", "postmortem_status", "resolve_deadline",
    "resolution", "ack_deadline_local", "problem", "communication", "contained_at",
)

ReadCounter = Callable[[int], None]
"""Told how many incidents have been read so far."""


@dataclass
class _Activity:
    """What the log says about one incident: its first acknowledgement and who responded."""

    acknowledged_at: datetime | None = None
    responders: dict[str, None] = field(default_factory=dict)
    doubt_from: datetime | None = None
    """The earliest entry on it that may be an acknowledgement but cannot be read as one (its
    ``type``, or an acknowledgement's ``created_at``, not returned); ``_ANY_TIME`` when that
    entry's time was not returned either."""


RESPONSE_ENTRIES = ("acknowledge_log_entry", "assign_log_entry", "escalate_log_entry")
"""The log entries that say who responded to an incident, and when it was acknowledged."""
ACKNOWLEDGEMENT = "acknowledge_log_entry"
_ANY_TIME = datetime.min.replace(tzinfo=timezone.utc)
"""An entry's time not returned: it may have been at any moment."""


class LogIndex:
    """First acknowledgement and responders per incident, built from account-wide log entries.

    The spec's ``LogEntry`` requires no field, and a first acknowledgement the log does not
    tell is not read (``unread``), never "not acknowledged": an incident's acknowledgement is
    not read when an entry on it that may be an acknowledgement (one of no ``type``, or an
    acknowledgement without ``created_at``) may have come before its first known one; and when
    an entry that may be an acknowledgement names no incident (``untied``), for every incident
    it may have acknowledged: one created by then, neither acknowledged nor resolved before it
    (every incident, when its time is not returned either).
    """

    def __init__(self) -> None:
        self._activity: dict[str, _Activity] = {}
        self.untied: list[str] = []
        """The entries that may be acknowledgements naming no incident: their ids."""
        self._untied_times: list[datetime] = []
        self._untied_untimed = False
        self._sorted = True

    def add(self, entry: LogEntry) -> None:
        maybe_acknowledgement = entry.type is None or entry.type == ACKNOWLEDGEMENT
        if entry.incident_id is None:
            if maybe_acknowledgement:
                self.untied.append(entry.id or "one without an id")
                if entry.created_at is None:
                    self._untied_untimed = True
                else:
                    self._untied_times.append(entry.created_at)
                    self._sorted = False
            return
        if maybe_acknowledgement and (entry.type is None or entry.created_at is None):
            doubt = entry.created_at or _ANY_TIME
            activity = self._activity.setdefault(entry.incident_id, _Activity())
            if activity.doubt_from is None or doubt < activity.doubt_from:
                activity.doubt_from = doubt
        if entry.type not in RESPONSE_ENTRIES:
            return
        activity = self._activity.setdefault(entry.incident_id, _Activity())
        if entry.type == ACKNOWLEDGEMENT:
            at = entry.created_at
            if at is not None and (activity.acknowledged_at is None
                                   or at < activity.acknowledged_at):
                activity.acknowledged_at = at
            people: tuple[Reference | None, ...] = (entry.agent,)
        else:
            people = entry.assignees or ()
        for person in people:
            if (person is not None and (person.type or "").startswith("user")
                    and person.summary is not None):
                activity.responders.setdefault(person.summary)

    def _doubted(self, incident: IncidentRecord, activity: _Activity) -> bool:
        """Whether an entry that cannot be read as an acknowledgement may be its first one."""
        acknowledged = activity.acknowledged_at
        if activity.doubt_from is not None and (acknowledged is None
                                                or activity.doubt_from < acknowledged):
            return True
        if self._untied_untimed:
            return True
        if not self._sorted:
            self._untied_times.sort()
            self._sorted = True
        after = bisect_left(self._untied_times, incident.created_at)
        if after == len(self._untied_times):
            return False
        first = self._untied_times[after]  # the earliest it may have acknowledged
        return ((acknowledged is None or first < acknowledged)
                and (incident.resolved_at is None or first <= incident.resolved_at))

    def record(self, incident: IncidentRecord) -> IncidentRecord:
        """An incident of ``GET /incidents`` completed from the log. Its responders are not
        read (None, never "nobody") when the log names none and PagerDuty returned the
        incident without its assignments; its acknowledgement is not read when the log does
        not tell it (above)."""
        activity = self._activity.get(incident.id, _Activity())
        responders = (None if incident.assignees is None and not activity.responders
                      else tuple(dict.fromkeys((*activity.responders,
                                                *(incident.assignees or ())))))
        if self._doubted(incident, activity):
            return incident._replace(acknowledged_at=None, responders=responders,
                                     unread=(*incident.unread, "acknowledged_at"))
        return incident._replace(acknowledged_at=activity.acknowledged_at,
                                 responders=responders)


@dataclass(frozen=True)
class IncidentSource:
    """Where the register came from, and its records as they stream in."""

    name: str
    note: str | None
    records: AsyncIterator[IncidentRecord]
    untied: list[str] = field(default_factory=list)
    """The log entries that may be acknowledgements but name no incident (their ids), once
    the log is read (``LogIndex.untied``)."""


async def analytics_records(
    client: PagerDutyClient, since: datetime, until: datetime, counter: ReadCounter,
) -> AsyncGenerator[IncidentRecord, None]:
    read = 0
    async for raw in client.iter_analytics_incidents(
            {"created_at_start": since, "created_at_end": until},
            page_size=ANALYTICS_PAGE_SIZE, order="asc", time_zone=ANALYTICS_TIME_ZONE):
        read += 1
        counter(read)
        yield parse_analytics_incident(raw, timezone.utc)


async def rest_records(
    client: PagerDutyClient, since: datetime, until: datetime,
    log_until: Callable[[], Awaitable[datetime]], counter: ReadCounter, untied: list[str],
) -> AsyncIterator[IncidentRecord]:
    index = LogIndex()
    async for entry in client.iter_windowed("/log_entries", "log_entries", since,
                                            max(await log_until(), until),
                                            {"is_overview": False}):
        index.add(parse_log_entry(entry))
    untied.extend(index.untied)
    read = 0
    async for incident in client.iter_windowed("/incidents", "incidents", since, until,
                                               {"time_zone": "UTC"},
                                               max_span=INCIDENT_QUERY_SPAN):
        read += 1
        counter(read)
        yield index.record(parse_incident(incident))


async def open_incident_source(
    client: PagerDutyClient, since: datetime, until: datetime,
    log_until: Callable[[], Awaitable[datetime]], counter: ReadCounter,
) -> IncidentSource:
    """Analytics when permitted, else incidents and log entries; the answer says which.

    ``log_until`` (how far past the period acknowledgements are looked for in the log) is
    asked only for the second source: it depends on the policy, which analytics need not wait for.

    Only a refusal of the very first analytics request falls back: a refusal later would mean
    half a register from one source, and is raised.
    """
    from pdlint.pagerduty.errors import PermissionDenied

    analytics = analytics_records(client, since, until, counter)
    try:
        first = await anext(analytics)
    except PermissionDenied as denied:
        await analytics.aclose()
        untied: list[str] = []
        return IncidentSource(
            INCIDENTS_AND_LOG_ENTRIES,
            f"analytics not permitted ({denied}); read from incidents and log entries instead",
            rest_records(client, since, until, log_until, counter, untied), untied)
    except StopAsyncIteration:
        return IncidentSource(ANALYTICS, None, analytics)  # exhausted: yields nothing more

    async def chained() -> AsyncIterator[IncidentRecord]:
        yield first
        async for record in analytics:
            yield record

    return IncidentSource(ANALYTICS, None, chained())


def register_row(incident: AssessedIncident) -> tuple[Any, ...]:
    """The register's row of one incident, as JSON values in ``REGISTER_COLUMNS`` order (the
    CSV writes the same): a tuple, as a year's register is 10^5 rows and a dict a row cost
    more than writing it."""
    record, postmortem = incident.record, incident.postmortem
    found = postmortem.found if postmortem else None
    return (
        record.id,
        record.number,
        record.title,
        record.service,
        record.priority,
        incident.severity,
        record.urgency,
        record.status,
        iso_once(record.created_at),
        iso_once(record.acknowledged_at),
        iso_once(record.resolved_at),
        whole(record.seconds_to_acknowledge),
        whole(record.seconds_to_resolve),
        None if record.responders is None else list(record.responders),
        iso_once(incident.ack_deadline),
        incident.response.value if incident.response else None,
        found.reference if found else None,
        iso_once(found.recorded_at) if found else None,
        iso_once(postmortem.due_at) if postmortem else None,
        postmortem.status.value if postmortem else None,
        iso_once(incident.resolve_deadline),
        incident.resolution.value if incident.resolution else None,
        incident.ack_deadline_local,
        record.problem,
        incident.communication.status.value if incident.communication else None,
        iso_once(incident.contained_at),
    )


def _placed_after(columns: Sequence[str], moved: str, anchor: str) -> tuple[str, ...]:
    """``columns`` with ``moved`` taken out and put back right after ``anchor``."""
    rest = [column for column in columns if column != moved]
    at = rest.index(anchor) + 1
    return (*rest[:at], moved, *rest[at:])


JSON_KEYS = _placed_after(REGISTER_COLUMNS, "ack_deadline_local", "ack_deadline")
"""The keys of a row of ``incidents.json``: the CSV's columns, in the order the package has
always written them (``ack_deadline_local`` beside ``ack_deadline``)."""
_JSON_ORDER = operator.itemgetter(*map(REGISTER_COLUMNS.index, JSON_KEYS))
"""A row's values in ``JSON_KEYS`` order."""
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
"""``json.dumps(value, ensure_ascii=False)``."""
_JSON_OBJECT = "{" + ", ".join(f"{_ENCODE(key)}: %s" for key in JSON_KEYS) + "}"
"""A row's JSON object with its keys written once, for its values' JSON texts."""


def _json_list(texts: list[str]) -> str:
    return "[" + ", ".join(map(encode_basestring, texts)) + "]"


_JSON_TEXT: dict[type, Callable[[Any], str]] = {
    int: int.__repr__, float: float.__repr__, list: _json_list}
"""The JSON text of a row's numbers and lists, as ``json.dumps`` writes them (its C string
encoder writes text; None is ``null``)."""


def register_json(row: Sequence[Any]) -> str:
    """``json.dumps(dict(zip(JSON_KEYS, ...)), ensure_ascii=False)`` of a row, made without the
    dict and without encoding its keys again for every row (half the CPU)."""
    return _JSON_OBJECT % tuple([
        encode_basestring(value) if type(value) is str else "null" if value is None
        else _JSON_TEXT.get(type(value), _ENCODE)(value) for value in _JSON_ORDER(row)])


class RegisterWriter:
    """Writes the register to an open CSV and an open JSON array stream, a batch of rows at a
    time (a write per batch, not per row: a year's register is 10^5 rows)."""

    def __init__(self, csv_stream: IO[str], json_stream: IO[str]) -> None:
        self._csv = csv_stream
        self._json = json_stream
        self._csv.write(csv_rows((REGISTER_COLUMNS,)))
        self._json.write("[")
        self.rows = 0

    def write(self, incidents: Sequence[AssessedIncident]) -> None:
        if not incidents:
            return
        rows = [register_row(incident) for incident in incidents]
        self._csv.write(csv_rows(rows))
        self._json.write(("," if self.rows else "") + "\n "
                         + ",\n ".join(map(register_json, rows)))
        self.rows += len(rows)

    def close(self) -> None:
        self._json.write("\n]\n" if self.rows else "]\n")
