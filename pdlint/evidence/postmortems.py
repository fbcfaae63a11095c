"""Postmortem compliance: find each required postmortem where the policy says they are recorded.

PagerDuty's REST API has no incident-postmortem endpoint, so the policy's ``postmortems`` block
names the place, and the deadline runs from the incident's resolution:

- ``incident_note``: the earliest note on the incident whose text matches ``link_pattern``
  (``GET /incidents/{id}/notes``, one request per incident that needs a postmortem);
- ``custom_field``: the earliest change of the custom incident field ``field`` to a non-empty
  value, read from the incident's log entries, whose ``custom_field_value_change_log_entry``
  records each change as ``Updated <field> to <value>`` (``GET /incidents/{id}/log_entries``);
- ``register``: a CSV file kept beside the policy, with columns ``incident`` (the PagerDuty id
  or number), ``postmortem`` (a link or reference) and ``completed_at`` (ISO 8601 date-time, or
  a date meaning the end of that day in the organisation's time zone); read once, no requests.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pdlint.concurrency import all_or_cancel
from pdlint.errors import PdlintError
from pdlint.evidence.model import (
    AssessedIncident,
    PostmortemCheck,
    PostmortemCompliance,
    PostmortemRecord,
    PostmortemStatus,
    RegisterRow,
)
from pdlint.findings import Location
from pdlint.pagerduty.model import ModelError
from pdlint.pagerduty.records import (
    IncidentNote,
    IncidentRecord,
    LogEntry,
    NotReturned,
    read_incident_log,
    read_notes,
)
from pdlint.policy.model import IncidentSeverity, Postmortems

if TYPE_CHECKING:
    from pdlint.pagerduty.client import PagerDutyClient

REGISTER_COLUMNS = ("incident", "postmortem", "completed_at")
_CHANGESET = re.compile(r"^Updated (?P<field>.+?) to (?P<value>.*)$", re.DOTALL)
_EMPTY_VALUES = frozenset({"", "null", "[]", '""'})


class PostmortemRegisterError(PdlintError):
    """The postmortem register CSV cannot be read; the message names the file and line."""


def judge_postmortem(
    record: IncidentRecord, within: timedelta, found: PostmortemRecord | None, as_of: datetime,
) -> PostmortemCheck:
    """On time, late, missing or pending: the deadline is the resolution time plus ``within``.

    An unresolved incident is not yet due; a postmortem recorded before the resolution is on time.
    One whose resolution time PagerDuty did not return is not judged.
    """
    if "resolved_at" in record.unread:
        return not_judged(record, within)
    due = postmortem_due(record, within)
    if due is None:
        return PostmortemCheck(
            PostmortemStatus.ON_TIME if found else PostmortemStatus.PENDING, None, found)
    if found is not None:
        status = PostmortemStatus.ON_TIME if found.recorded_at <= due else PostmortemStatus.LATE
    else:
        status = PostmortemStatus.MISSING if as_of > due else PostmortemStatus.PENDING
    return PostmortemCheck(status, due, found)


def not_judged(record: IncidentRecord, within: timedelta) -> PostmortemCheck:
    """The check of an incident whose postmortem could not be looked for: its deadline, and no
    outcome either way."""
    return PostmortemCheck(PostmortemStatus.NOT_JUDGED, postmortem_due(record, within), None)


def postmortem_due(record: IncidentRecord, within: timedelta) -> datetime | None:
    """The resolution time plus ``within``; None while the incident is unresolved."""
    return None if record.resolved_at is None else record.resolved_at + within


def find_in_notes(notes: Iterable[IncidentNote], pattern: re.Pattern[str],
                  ) -> PostmortemRecord | NotReturned | None:
    """The earliest note whose content holds a link matching ``pattern``; the link is the
    reference. A note whose text PagerDuty did not return (``content``, which the spec
    requires) may be the one: the mark is then not read (``NotReturned``), never missing. A
    matching note PagerDuty gave no time is a ``ModelError``: whether it was on time cannot be
    told, and it is not missing either."""
    found: PostmortemRecord | None = None
    for note in notes:
        if note.content is None:
            return NotReturned(f"{note.where}.content")
        match = pattern.search(note.content)
        if match is None:
            continue
        if note.created_at is None:
            raise ModelError(f"{note.where}: created_at is absent")
        candidate = PostmortemRecord(match.group(0), note.created_at)
        if found is None or candidate.recorded_at < found.recorded_at:
            found = candidate
    return found


def find_in_log_entries(entries: Iterable[LogEntry], field_name: str,
                        ) -> PostmortemRecord | NotReturned | None:
    """The earliest change of custom field ``field_name`` to a non-empty value. A change entry
    PagerDuty returned without its ``changeset`` may be the one: the mark is then not read
    (``NotReturned``), never missing."""
    found: PostmortemRecord | None = None
    for entry in entries:
        if entry.type != "custom_field_value_change_log_entry":
            continue
        if entry.changeset is None:
            return NotReturned(f"log entry {entry.id or '(no id)'}: changeset")
        for change in entry.changeset:
            match = _CHANGESET.match(change)
            if (match is None or match["field"] != field_name
                    or match["value"].strip() in _EMPTY_VALUES):
                continue
            if entry.created_at is None:
                raise ModelError(f"a log entry changing {field_name}: created_at is absent")
            candidate = PostmortemRecord(match["value"].strip(), entry.created_at)
            if found is None or candidate.recorded_at < found.recorded_at:
                found = candidate
    return found


async def find_recorded(client: PagerDutyClient, record: IncidentRecord,
                        pattern: re.Pattern[str] | None, field_name: str | None,
                        ) -> PostmortemRecord | NotReturned | None:
    """The earliest mark on the incident by the policy's convention: a note matching
    ``pattern``, else a change of the custom field ``field_name`` (postmortems and
    containment alike); ``NotReturned`` when a note's text, or a change entry's changeset, was
    not returned."""
    if pattern is not None:
        return find_in_notes(await read_notes(client, record.id), pattern)
    if field_name is not None:
        return find_in_log_entries(await read_incident_log(client, record.id), field_name)
    return None


@dataclass(frozen=True)
class PostmortemRegister:
    """The external register: its rows as written, and the earliest postmortem by incident id
    and by number."""

    path: Path
    rows: tuple[RegisterRow, ...]
    entries: Mapping[str, PostmortemRecord]

    @staticmethod
    def keys(record: IncidentRecord) -> tuple[str, ...]:
        """How a row may name the incident: its id, or its number."""
        return (record.id,) if record.number is None else (record.id, str(record.number))

    def lookup(self, record: IncidentRecord) -> PostmortemRecord | None:
        return next((self.entries[key] for key in self.keys(record) if key in self.entries),
                    None)


def load_register(path: Path, zone: ZoneInfo) -> PostmortemRegister:
    """Read the register CSV; ``PostmortemRegisterError`` names the file and line of a bad row.

    An incident listed twice keeps its earliest postmortem.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            missing = [column for column in REGISTER_COLUMNS
                       if column not in (reader.fieldnames or ())]
            if missing:
                raise PostmortemRegisterError(
                    f"{path}:1: the postmortem register needs the columns "
                    f"{', '.join(REGISTER_COLUMNS)}; missing: {', '.join(missing)}")
            rows: list[RegisterRow] = []
            entries: dict[str, PostmortemRecord] = {}
            for row in reader:
                line = reader.line_num
                incident = (row.get("incident") or "").strip().removeprefix("#")
                reference = (row.get("postmortem") or "").strip()
                if not incident or not reference:
                    raise PostmortemRegisterError(
                        f"{path}:{line}: incident and postmortem must not be empty")
                recorded_at = _completed_at((row.get("completed_at") or "").strip(), zone,
                                            f"{path}:{line}")
                found = PostmortemRecord(reference, recorded_at)
                rows.append(RegisterRow(incident, found, Location(str(path), line)))
                earlier = entries.get(incident)
                if earlier is None or recorded_at < earlier.recorded_at:
                    entries[incident] = found
    except FileNotFoundError:
        raise PostmortemRegisterError(f"{path}: the postmortem register does not exist") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise PostmortemRegisterError(f"{path}: cannot read the postmortem register: {reason}"
                                      ) from None
    return PostmortemRegister(path, tuple(rows), entries)


def _completed_at(text: str, zone: ZoneInfo, where: str) -> datetime:
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time(23, 59, 59), tzinfo=zone)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PostmortemRegisterError(
            f"{where}: completed_at {text!r} is not an ISO 8601 date or date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class PostmortemFinder:
    """Looks up an incident's postmortem where the policy says they are recorded.

    ``copies`` maps the policy's files (the register among them) to their copies in the
    package: the report names the register by the copy an auditor holds.
    """

    def __init__(self, postmortems: Postmortems, zone: ZoneInfo,
                 copies: Mapping[str, str]) -> None:
        self.recorded_as = postmortems.recorded_as.value
        self._pattern = postmortems.link_regex()
        self._field = postmortems.field.value if postmortems.field else None
        register = postmortems.register_in_use
        self._register = load_register(register, zone) if register is not None else None
        path = str(self._register.path) if self._register else "?"
        self._register_name = copies.get(path, path)
        self._named: set[str] = set()

    @property
    def description(self) -> str:
        """Where postmortems are looked for, in words for the report."""
        if self.recorded_as == "incident_note":
            pattern = self._pattern.pattern if self._pattern else ""
            return f"incident notes with a link matching {pattern}"
        if self.recorded_as == "custom_field":
            return f"the custom incident field {self._field}"
        return f"the register {self._register_name}"

    def saw(self, record: IncidentRecord) -> None:
        """Note an incident of the period, whatever its severity: the register's rows that name
        none are listed apart. Only keys the register holds are kept, however many incidents."""
        if self._register is not None:
            self._named.update(key for key in self._register.keys(record)
                               if key in self._register.entries)

    def unmatched_rows(self) -> tuple[RegisterRow, ...] | None:
        """The register's rows naming no incident seen, located in the package's copy; None
        when postmortems are not recorded in a register."""
        if self._register is None:
            return None
        return tuple(replace(row, location=replace(row.location, path=self._register_name))
                     for row in self._register.rows if row.incident not in self._named)

    async def find_each(self, client: PagerDutyClient | None, records: Sequence[IncidentRecord],
                        ) -> list[PostmortemRecord | NotReturned | str | None]:
        """Each incident's postmortem, or None; the refusal, as text, where the token may not
        look; ``NotReturned`` where PagerDuty did not return what may hold it. ``client`` is
        needed except for a register, which answers at once, without a task for each incident
        (a year has 10^4 postmortems due); the account is read concurrently."""
        if self._register is not None:
            return [self._register.lookup(record) for record in records]
        if client is None:
            raise ValueError("reading notes or log entries needs a client")
        return await all_or_cancel(self._read(client, record) for record in records)

    async def _read(self, client: PagerDutyClient, record: IncidentRecord,
                    ) -> PostmortemRecord | NotReturned | str | None:
        from pdlint.pagerduty.errors import PermissionDenied

        try:
            return await find_recorded(
                client, record, self._pattern if self.recorded_as == "incident_note" else None,
                self._field if self.recorded_as == "custom_field" else None)
        except PermissionDenied as denied:
            return str(denied)


@dataclass
class _Tally:
    required: int = 0
    counts: Counter[PostmortemStatus] = field(default_factory=Counter)
    exceptions: list[AssessedIncident] = field(default_factory=list)


class PostmortemTally:
    """Counts postmortem outcomes per severity as incidents stream past; keeps the exceptions."""

    def __init__(self, severities: Sequence[IncidentSeverity]) -> None:
        self._severities = tuple(severity for severity in severities
                                 if severity.postmortem_within is not None)
        self._tallies = {severity.id: _Tally() for severity in self._severities}

    def add(self, incident: AssessedIncident) -> None:
        """Count ``incident`` if its severity requires a postmortem, by its outcome (which may
        be that it was not judged)."""
        if incident.severity not in self._tallies or incident.postmortem is None:
            return
        tally = self._tallies[incident.severity]
        tally.required += 1
        tally.counts[incident.postmortem.status] += 1
        if incident.postmortem.status.is_exception:
            tally.exceptions.append(incident)

    def results(self) -> tuple[PostmortemCompliance, ...]:
        results = []
        for severity in self._severities:
            tally, within = self._tallies[severity.id], severity.postmortem_within
            assert within is not None
            results.append(PostmortemCompliance(
                severity=severity.id, within=within.value, location=within.location,
                written=within.written,
                required=tally.required, on_time=tally.counts[PostmortemStatus.ON_TIME],
                late=tally.counts[PostmortemStatus.LATE],
                missing=tally.counts[PostmortemStatus.MISSING],
                pending=tally.counts[PostmortemStatus.PENDING],
                not_judged=tally.counts[PostmortemStatus.NOT_JUDGED],
                exceptions=tuple(sorted(tally.exceptions,
                                        key=lambda incident: incident.record.created_at))))
        return tuple(results)
