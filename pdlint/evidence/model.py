"""What the evidence package says, as frozen values: the renderers (HTML, Markdown, JSON) read
these and nothing else, so every figure is computed once, in one place.

Times are aware UTC datetimes; durations are seconds (floats) so that they go into CSV and JSON
unchanged and an auditor can recompute them.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from pdlint.coverage import Interval
from pdlint.evidence.coverage import ScheduleCoverage
from pdlint.evidence.paging import ServicePaging
from pdlint.findings import Boundary, Location, Skipped
from pdlint.pagerduty.records import IncidentRecord
from pdlint.pagerduty.state import format_utc
from pdlint.policy.model import ActionStatus, format_duration

if TYPE_CHECKING:
    from pdlint.evidence.history import HistorySection


@functools.lru_cache(maxsize=1 << 16)
def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, whole seconds (None stays None): the one time format of the
    package, whatever fraction of a second the API gave (audit records carry microseconds).

    Kept: the package writes each stretch's times in four files, and the services that page
    alike share their times (a year of 5,000 services writes 1.3 million times); a time found
    here costs no call of Python at all. Times written once each go through ``iso_once``."""
    return iso_once(moment)


def iso_once(moment: datetime | None) -> str | None:
    """``iso`` without its memory, for the register's times: each incident's are its own (four
    or five of 10^5 incidents), so keeping them would only cost a miss each and push out the
    times that recur."""
    return None if moment is None else format_utc(moment, "seconds")


def whole(seconds: float | None) -> int | float | None:
    """Seconds as the package writes them: an integer when whole (``540``, not ``540.0``), else
    to the millisecond."""
    if seconds is None:
        return None
    return int(seconds) if float(seconds).is_integer() else round(seconds, 3)


class Response(str, enum.Enum):
    """How an incident fared against its documented response SLA."""

    WITHIN = "within"
    BREACHED = "breached"
    PENDING = "pending"
    """Not acknowledged yet, and its deadline had not passed when the package was made."""
    NOT_JUDGED = "not_judged"
    """PagerDuty did not return the time judged by: no outcome is claimed either way."""


class PostmortemStatus(str, enum.Enum):
    """Where an incident that needs a postmortem stands against its deadline."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"
    """No postmortem yet, but not yet due (or the incident is not resolved)."""
    NOT_JUDGED = "not_judged"
    """Not looked for (the token may not read where it is recorded, or the policy does not say
    where): no outcome is claimed either way."""

    @property
    def is_exception(self) -> bool:
        return self in (PostmortemStatus.LATE, PostmortemStatus.MISSING)


class CommunicationStatus(str, enum.Enum):
    """Whether those the policy names were told in time."""

    WITHIN = "within"
    LATE = "late"
    """A responder request made after the deadline."""
    MISSING = "missing"
    """No responder request, or no status-update subscriber, and the deadline has passed."""
    PENDING = "pending"
    NOT_JUDGED = "not_judged"
    """The token may not read the incident or its subscribers."""

    @property
    def is_exception(self) -> bool:
        return self in (CommunicationStatus.LATE, CommunicationStatus.MISSING)


@dataclass(frozen=True)
class CommunicationCheck:
    status: CommunicationStatus
    deadline: datetime
    responders_requested_at: datetime | None
    """The first responder request; None when none was made or none is required."""
    subscribers: int | None
    """Status-update subscribers (the API gives no time they subscribed); None when not
    required or not read."""


@dataclass(frozen=True)
class CommunicationCompliance:
    """Communication figures of one severity that documents ``notify_within``."""

    severity: str
    notify_within: str
    notify: tuple[str, ...]
    location: Location
    required: int
    within: int
    late: int
    missing: int
    pending: int
    not_judged: int
    exceptions: tuple[AssessedIncident, ...]


@dataclass(frozen=True)
class PostmortemRecord:
    """A postmortem found where the policy says they are recorded."""

    reference: str
    recorded_at: datetime


@dataclass(frozen=True)
class RegisterRow:
    """A row of the postmortem register, and where it is written (file and line)."""

    incident: str
    """The incident as the row names it: a PagerDuty id, or a number without its ``#``."""
    postmortem: PostmortemRecord
    location: Location


@dataclass(frozen=True)
class PostmortemCheck:
    status: PostmortemStatus
    due_at: datetime | None
    """Resolution time plus the documented deadline; None while unresolved."""
    found: PostmortemRecord | None


class AssessedIncident(NamedTuple):
    """An incident with its documented severity and what the policy asked of it.

    A named tuple, as ``IncidentRecord`` is: one is made for each incident of the period."""

    record: IncidentRecord
    severity: str | None
    """The documented severity whose ``pagerduty_priority`` is the incident's priority."""
    ack_deadline: datetime | None
    response: Response | None
    postmortem: PostmortemCheck | None
    """None when the severity requires no postmortem (or there is no severity)."""
    resolve_deadline: datetime | None = None
    """Creation time plus the severity's ``resolve_within``; None when it documents none."""
    resolution: Response | None = None
    """Resolved by ``resolve_deadline`` (within), after it or still open past it (breached),
    or open before it (pending); None when the severity documents no ``resolve_within``."""
    ack_deadline_local: str | None = None
    """A next-business-day deadline in the organisation's time zone (ISO 8601 with its offset),
    as the policy states it: 17:00 New York is 21:00Z or 22:00Z by the season."""
    communication: CommunicationCheck | None = None
    """None when the severity documents no ``notify_within``."""
    contained_at: datetime | None = None
    """When the policy's containment convention marks it contained (None: not marked, or no
    convention)."""


@dataclass(frozen=True)
class SeverityCompliance:
    """SLA figures of one documented severity over the period."""

    severity: str
    name: str
    response_sla: str
    location: Location
    incidents: int
    within: int
    breached: int
    pending: int
    acknowledged: int | None
    """None when PagerDuty did not return the acknowledgement time of some (``not_judged``)."""
    median_seconds_to_acknowledge: float | None
    p90_seconds_to_acknowledge: float | None
    breaches: tuple[AssessedIncident, ...]
    not_judged: int = 0
    """Incidents whose time judged by PagerDuty did not return."""

    @property
    def share_within(self) -> float | None:
        """Within SLA over the incidents whose outcome is known (pending ones are left out)."""
        decided = self.within + self.breached
        return self.within / decided if decided else None


@dataclass(frozen=True)
class ResolutionCompliance:
    """Resolution figures of one severity that documents ``resolve_within``."""

    severity: str
    name: str
    resolve_within: str
    """As the policy writes it (``4h``)."""
    location: Location
    incidents: int
    within: int
    breached: int
    pending: int
    resolved: int | None
    """None when PagerDuty did not return the resolution time of some (``not_judged``)."""
    median_seconds_to_resolve: float | None
    p90_seconds_to_resolve: float | None
    breaches: tuple[AssessedIncident, ...]
    not_judged: int = 0
    """Incidents whose time judged by PagerDuty did not return."""
    measured_to: str = "resolution"
    """``resolution``, or ``containment or resolution`` with a containment convention."""

    @property
    def share_within(self) -> float | None:
        """Resolved in time over the incidents whose outcome is known (pending left out)."""
        decided = self.within + self.breached
        return self.within / decided if decided else None


@dataclass(frozen=True)
class TrendRow:
    """One month and one severity of the trend."""

    month: str
    """``YYYY-MM`` in the organisation's time zone."""
    severity: str
    incidents: int
    acknowledged_within: int | None
    acknowledgement_decided: int | None
    """Within or breached: the incidents whose acknowledgement outcome is known. None (with
    ``acknowledged_within``) on the row of the incidents whose priority was not read."""
    resolved_within: int | None
    resolution_decided: int | None
    """None when the severity documents no ``resolve_within``."""

    @property
    def share_acknowledged_within(self) -> float | None:
        decided = self.acknowledgement_decided
        return (self.acknowledged_within or 0) / decided if decided else None

    @property
    def share_resolved_within(self) -> float | None:
        decided = self.resolution_decided
        return (self.resolved_within or 0) / decided if decided else None


@dataclass(frozen=True)
class PostmortemCompliance:
    """Postmortem figures of one severity that requires them."""

    severity: str
    within: timedelta
    location: Location
    required: int
    on_time: int
    late: int
    missing: int
    pending: int
    not_judged: int
    """Incidents counted in ``required`` whose postmortem could not be looked for (the token
    may not read where it is recorded): no outcome is claimed for them either way."""
    exceptions: tuple[AssessedIncident, ...]
    written: str | None = None
    """``within`` as the policy writes it (``48h``)."""

    @property
    def within_text(self) -> str:
        """The deadline as the policy line it is documented at says it."""
        return self.written or format_duration(self.within)


@dataclass(frozen=True)
class FieldValues:
    """A changed field with its value before and after, as the audit record carries them."""

    name: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        return f"{self.name}: {self.before if self.before is not None else '—'} -> " \
               f"{self.after if self.after is not None else '—'}"


@dataclass(frozen=True)
class ConfigurationChange:
    """One audit record: who changed what, when, and whether the policy documents the object."""

    id: str
    at: datetime
    actor: str
    action: str
    resource_type: str
    resource_id: str | None
    resource_name: str | None
    documented: bool | None
    """None when whether the policy documents the object cannot be told (``documented_in``)."""
    fields: tuple[str, ...] | None
    """The fields and references changed; None when PagerDuty returned the record without its
    details (not read, never none)."""
    values: tuple[FieldValues, ...] | None = ()
    """The fields whose before or after value the record carries (PagerDuty MAY give them);
    None when the details were not returned."""


@dataclass(frozen=True)
class ChangeSummary:
    """The change log in figures; every change is in ``changes.csv``."""

    total: int
    documented: int
    by_type: tuple[tuple[str, int], ...]
    by_action: tuple[tuple[str, int], ...]
    documented_changes: tuple[ConfigurationChange, ...]
    """The changes to documented objects, newest first, at most ``shown_limit``."""
    shown_limit: int
    documented_unknown: int = 0
    """Changes whose object cannot be told documented or not (counted in ``total`` only)."""
    unavailable: Interval | None = None
    """The start of the period PagerDuty no longer keeps audit records for: not read, and not
    "no changes" either."""
    every_change: tuple[ConfigurationChange, ...] = ()
    """Every change read, newest first: the drift history finds in it the change that opened
    or closed a drift."""
    outside_scope: int | None = None
    """Changes to objects outside the policy's scope, left out; None without a scope."""


@dataclass(frozen=True)
class ScopeSummary:
    """What the package's figures cover: the policy's scope, and what was left outside it."""

    boundary: Boundary
    """The scope, and the configuration objects outside it (from the drift run)."""
    incidents_outside: int | None
    """Incidents of services outside the scope; None when the incidents were not read."""
    changes_outside: int | None
    """Changes to objects outside the scope; None when the change log was not read."""

    def outside_text(self) -> str:
        """``2 services, 1 team, 12 incidents, configuration changes not known``."""
        return self.boundary.outside_text(("incident", self.incidents_outside),
                                          ("configuration change", self.changes_outside))

    def to_dict(self) -> dict[str, Any]:
        return {**self.boundary.to_dict(), "out_of_scope": {
            **dict(self.boundary.outside), "incidents": self.incidents_outside,
            "changes": self.changes_outside}}


@dataclass(frozen=True)
class DriftSummary:
    findings: int
    by_severity: tuple[tuple[str, int], ...]
    not_checked: int
    """Of the findings counted, those reporting a check that could not be made (their rules are
    among the ``skipped``)."""
    skipped: int
    files: tuple[str, ...]
    read_at: datetime
    """When the configuration the report judges was read (the snapshot's time with one)."""
    rendered: Interval
    """The window the schedules were rendered over: the span of the coverage rule (SCH201)."""


@dataclass(frozen=True)
class ActionRecord:
    """A corrective action of the register (or an exercise's action item) and where it stands
    on the day judged."""

    incident: str | None
    """How the register names the incident: ``#42`` or a PagerDuty id; None for an exercise's."""
    action: str
    owner: str
    due: date
    closed_on: date | None
    status: ActionStatus
    location: Location
    """Its register row, or its line in the policy (the package's copies)."""


@dataclass(frozen=True)
class IncidentActions:
    """The corrective actions of one incident of the period, by status."""

    incident: str
    """``#42`` (its id when it has no number)."""
    incident_id: str
    open: int
    overdue: int
    closed_late: int
    closed_on_time: int


@dataclass(frozen=True)
class CorrectiveActionSummary:
    """The corrective action register judged on ``as_of``."""

    register: str
    """The package's copy of the register."""
    as_of: date
    actions: tuple[ActionRecord, ...]
    by_incident: tuple[IncidentActions, ...] | None
    """The incidents of the period that have actions, in register order; None when the
    incidents were not read."""
    unmatched: tuple[ActionRecord, ...] | None
    """Actions naming no incident of the period; None when the incidents were not read."""


@dataclass(frozen=True)
class ExerciseRecord:
    """A documented tabletop exercise, its action items judged on the package's day."""

    held_on: date
    scenario: str
    participants: tuple[str, ...]
    findings: tuple[str, ...]
    actions: tuple[ActionRecord, ...]
    in_period: bool
    location: Location


@dataclass(frozen=True)
class PersonTraining:
    """Someone on call during the period, and their latest training record."""

    name: str
    email: str | None
    on_call: tuple[str, ...]
    """Where: ``schedule X``, ``escalation policy Y level 2``..."""
    course: str | None
    completed: date | None
    valid_until: date | None
    current: bool
    """A record valid on the day judged."""
    location: Location | None
    """The record's line in the package's copy of the policy."""


@dataclass(frozen=True)
class TrainingSummary:
    valid_for: str
    location: Location
    as_of: date
    people: tuple[PersonTraining, ...]


@dataclass(frozen=True)
class PolicyProvenance:
    """Which policy the evidence was checked against."""

    files: tuple[str, ...]
    """The policy files as the run was given them (the user's paths)."""
    copies: tuple[str, ...]
    """Where each of ``files`` is copied in the package, in the same order: the paths the
    package's references (``documented_at``, drift locations) use."""
    git_commit: str | None
    git_modified: bool | None
    """Whether the policy files differ from ``git_commit`` (None when not in a git repository)."""


@dataclass(frozen=True)
class Evidence:
    """Everything the package reports about one audit period."""

    organisation: str
    period: Interval
    """The audit period as asked for."""
    measured: Interval
    """The part of ``period`` measured: all of it, or up to the run when it ends after it."""
    generated_at: datetime
    pdlint_version: str
    api_url: str | None
    incident_source: str | None
    incident_source_note: str | None
    incidents: int | None
    """None when the incidents were not read (a snapshot, or a refusal): not measured."""
    incidents_without_severity: int | None
    incidents_without_severity_named: tuple[str, ...]
    """The first of them, ``#n`` (all are in the register)."""
    open_incidents: int | None
    """Incidents of the period not resolved at the time of the run."""
    impossible_times: int | None
    """Incidents whose times cannot be (resolved or acknowledged before created)."""
    sla: tuple[SeverityCompliance, ...]
    postmortems: tuple[PostmortemCompliance, ...]
    postmortem_source: str | None
    unmatched_register_rows: tuple[RegisterRow, ...] | None
    """Rows of the postmortem register naming no incident of the period, in the package's copy
    of the register; None when postmortems are not recorded in a register or the incidents were
    not read."""
    coverage: tuple[ScheduleCoverage, ...]
    changes: ChangeSummary | None
    drift: DriftSummary | None
    policy: PolicyProvenance
    skipped: tuple[Skipped, ...]
    files: tuple[str, ...]
    resolution: tuple[ResolutionCompliance, ...] = ()
    """One entry per severity documenting ``resolve_within``; empty when the incidents were not
    read."""
    corrective_actions: CorrectiveActionSummary | None = None
    """None when the policy names no corrective action register."""
    exercises: tuple[ExerciseRecord, ...] = ()
    training: TrainingSummary | None = None
    trend: tuple[TrendRow, ...] | None = None
    """Per month and severity; None when the incidents were not read."""
    communication: tuple[CommunicationCompliance, ...] = ()
    """None when the policy keeps no training record, or the on-call people could not be read
    (the skipped list then says why)."""
    history: HistorySection | None = None
    """The continuous-compliance section (``--history``); None when no history was given."""
    paging: tuple[ServicePaging, ...] = ()
    """The paging path of each documented service and high-urgency severity it takes."""
    scope: ScopeSummary | None = None
    """None when the policy covers the whole account."""
    incidents_severity_unread: int | None = None
    """Incidents whose priority PagerDuty did not return, so of no known severity: not judged
    by any figure by severity (None when the incidents were not read)."""
