"""Gathering the evidence of one audit period: read the account, judge each incident against the
policy as it streams past, and write the streamed files into the package as it goes.

The account is read concurrently (configuration, incidents, audit records) through one client,
whose rate limiter keeps the whole run under PagerDuty's limit. What cannot be read for lack of
permission becomes a skipped section with the reason, never a silent pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pdlint.coverage import Interval
from pdlint.evidence.changes import (
    ChangeLog,
    audit_records,
    audit_records_kept_from,
    change_from_record,
    changed_in_scope,
    documented_in,
)
from pdlint.evidence.communication import CommunicationTally, Told, judge_communication, read_told
from pdlint.evidence.coverage import ScheduleCoverage, measure_schedule
from pdlint.evidence.model import (
    AssessedIncident,
    ChangeSummary,
    CommunicationCompliance,
    CorrectiveActionSummary,
    PostmortemCompliance,
    PostmortemRecord,
    RegisterRow,
    ResolutionCompliance,
    SeverityCompliance,
    TrendRow,
    iso,
)
from pdlint.evidence.package import EvidencePackage, policy_copy_names, policy_sources
from pdlint.evidence.postmortems import (
    PostmortemFinder,
    PostmortemTally,
    find_recorded,
    judge_postmortem,
    not_judged,
)
from pdlint.evidence.programme import CorrectiveActionTally
from pdlint.evidence.register import (
    ANALYTICS,
    SOURCE_NAMES,
    RegisterWriter,
    open_incident_source,
)
from pdlint.evidence.sla import (
    ResolutionTally,
    SlaTally,
    judge_resolution,
    judge_response,
    resolution_deadline,
    response_deadline,
    severities_by_priority,
)
from pdlint.evidence.trend import TrendTally
from pdlint.findings import Report, Skipped, counted
from pdlint.pagerduty.model import Account, MaintenanceWindow
from pdlint.pagerduty.records import IncidentRecord, NotReturned, parse_maintenance_window
from pdlint.policy.model import Containment, IncidentSeverity, Policy, Scope
from pdlint.rules.registry import DRIFT_RULE_IDS
from pdlint.rules.scope import scope_reach

if TYPE_CHECKING:
    from pdlint.pagerduty.client import PagerDutyClient
    from pdlint.pagerduty.fetch import Progress


BATCH = 500
"""Incidents judged together: their postmortem look-ups run concurrently, then they are written."""
NAMED_WITHOUT_SEVERITY = 100
"""Incidents without a documented severity named in the package (all are in the register)."""
UNREAD_LISTED = 5
"""Incidents named when their postmortems could not be looked for; the rest are counted."""
MIN_LOG_HORIZON = timedelta(days=14)
"""How long after the period acknowledgements are looked for when reading log entries."""

INCIDENT_SECTIONS = ("incidents", "sla", "resolution", "communication", "postmortems")
"""The sections measured from the incidents: each not measured when those are not read."""
SECTIONS = (*INCIDENT_SECTIONS, "changes", "coverage", "drift", "history", "paging", "training")
"""The sections of a package, as a skipped entry names them."""
ASKED_BY_A_SEVERITY: dict[str, Callable[[IncidentSeverity], object]] = {
    "resolution": lambda severity: severity.resolve_within,
    "communication": lambda severity: severity.notify}
"""Incident sections a policy asks for only where a severity documents this setting."""
SNAPSHOT_REASON = ("a snapshot holds the account's configuration only; incidents and audit "
                   "records are read from the live account")


@dataclass(frozen=True)
class IncidentFigures:
    """What the incident stream yielded: the register's source and the judged figures."""

    source: str | None
    source_note: str | None
    incidents: int | None
    without_severity: int | None
    sla: tuple[SeverityCompliance, ...]
    postmortems: tuple[PostmortemCompliance, ...]
    postmortem_source: str | None
    unmatched_register_rows: tuple[RegisterRow, ...] | None
    resolution: tuple[ResolutionCompliance, ...] = ()
    corrective_actions: CorrectiveActionSummary | None = None
    open_incidents: int | None = None
    impossible_times: int | None = None
    without_severity_named: tuple[str, ...] = ()
    """The first ``NAMED_WITHOUT_SEVERITY`` incidents without a documented severity, ``#n``."""
    trend: tuple[TrendRow, ...] | None = None
    communication: tuple[CommunicationCompliance, ...] = ()
    outside_scope: int | None = None
    """Incidents of services outside the policy's scope, left out of every figure; None
    without a scope, or when the incidents were not read."""
    severity_unread: int | None = None
    """Incidents whose priority PagerDuty did not return: their severity is not known, so no
    figure by severity judges them (and they are not "without a documented severity")."""


@dataclass
class StreamTally:
    """What the headline says of the incidents beyond their SLA figures, counted as they pass:
    how many are still open, how many carry impossible times, and which have no severity."""

    open: int = 0
    impossible: int = 0
    without_severity: list[str] = field(default_factory=list)
    trend: TrendTally | None = None
    communication: CommunicationTally = field(default_factory=lambda: CommunicationTally(()))
    untold: list[str] = field(default_factory=list)
    """Incidents whose communication the token may not read, ``#n (reason)``."""
    uncontained: list[str] = field(default_factory=list)
    """Incidents whose containment the token may not read or PagerDuty did not return,
    ``#n (reason)``."""
    outside_scope: int = 0
    """Incidents of services outside the policy's scope, not counted in any figure."""
    not_returned: dict[str, list[str]] = field(default_factory=dict)
    """Per field of ``NOT_RETURNED``, the incidents PagerDuty returned without it."""


NOT_READ = IncidentFigures(None, None, None, None, (), (), None, None)
"""The figures when the incidents were not read: nothing measured, no count claimed."""


def assess_incident(
    record: IncidentRecord, severity: IncidentSeverity | None, policy: Policy, as_of: datetime,
    found: PostmortemRecord | None, *, postmortems_checked: bool = True, told: Told | None = None,
    contained_at: datetime | None = None,
) -> AssessedIncident:
    """The incident judged against its documented severity (nothing to judge without one).

    ``postmortems_checked`` is False when its postmortem could not be looked for (the policy
    does not say where postmortems are recorded, or the token may not read there): a
    postmortem the severity requires is then ``not_judged``, no outcome claimed either way.
    """
    if severity is None:
        return AssessedIncident(record, None, None, None, None)
    deadline = response_deadline(record, severity, policy.organisation.business_hours)
    within = severity.postmortem_within
    postmortem = (None if within is None
                  else judge_postmortem(record, within.value, found, as_of) if postmortems_checked
                  else not_judged(record, within.value))
    resolve_by = resolution_deadline(record, severity)
    hours = policy.organisation.business_hours
    return AssessedIncident(record, severity.id, deadline,
                            judge_response(record, deadline, as_of), postmortem, resolve_by,
                            None if resolve_by is None else judge_resolution(
                                record, resolve_by, as_of, contained_at),
                            deadline.astimezone(hours.zone).isoformat()
                            if severity.response_sla.value.next_business_day else None,
                            None if severity.notify_within is None or severity.notify is None
                            else judge_communication(record, severity.notify_within.value,
                                                     severity.notify.value, told, as_of),
                            contained_at)


def log_horizon(policy: Policy) -> timedelta:
    """Long enough after the period for any documented SLA to have run out."""
    longest = max((severity.response_sla.value.within or timedelta(0)
                   for severity in policy.severities), default=timedelta(0))
    return max(MIN_LOG_HORIZON, longest + timedelta(days=1))


async def judge_incidents(
    records: AsyncIterator[IncidentRecord],
    policy: Policy,
    as_of: datetime,
    writer: RegisterWriter,
    finder: PostmortemFinder | None,
    client: PagerDutyClient | None,
    progress: Progress,
    unread: list[str],
    actions: CorrectiveActionTally | None = None,
    tally: StreamTally | None = None,
    in_scope: Callable[[IncidentRecord], bool] | None = None,
) -> tuple[int, int, SlaTally, PostmortemTally, ResolutionTally]:
    """Judge and write each incident; returns (incidents, without severity, tallies).

    An incident ``in_scope`` refuses (one of a service outside the policy's scope) is counted
    in ``tally.outside_scope`` and neither judged nor written; the postmortem and corrective
    action registers still see it, so that their rows naming it are not taken for strays.

    Postmortems are looked up only for incidents whose severity requires one, a batch at a time;
    every incident is shown to ``finder`` and ``actions``, so that register rows naming none
    can be listed.
    An incident where the token may not look (403 on its notes) is added to ``unread`` and its
    postmortem left unjudged, rather than losing the register with it.
    """
    by_priority = severities_by_priority(policy.severities)
    sla, postmortems = SlaTally(policy.severities), PostmortemTally(policy.severities)
    resolution = ResolutionTally(policy.severities)
    counts = {"incidents": 0, "without_severity": 0, "postmortems": 0}
    tally = tally if tally is not None else StreamTally()

    async def flush(batch: list[IncidentRecord]) -> None:
        severities = [by_priority.get(record.priority or "") for record in batch]
        due = [index for index, severity in enumerate(severities)
               if severity is not None and severity.postmortem_within is not None]
        found: list[PostmortemRecord | None] = [None] * len(batch)
        checked = [finder is not None] * len(batch)
        counts["postmortems"] += len(due)
        for record in batch:
            if finder is not None:
                finder.saw(record)
            if actions is not None:
                actions.saw(record)
        if finder is not None and due:
            lookups = await finder.find_each(client, [batch[index] for index in due])
            for index, outcome in zip(due, lookups, strict=True):
                if isinstance(outcome, str):
                    checked[index] = False
                    unread.append(f"{batch[index].label} ({outcome})")
                elif isinstance(outcome, NotReturned):
                    checked[index] = False
                    tally.not_returned.setdefault("postmortem_mark", []).append(
                        batch[index].label)
                else:
                    found[index] = outcome
            progress("postmortems", counts["postmortems"])
        told = await _told(client, batch, severities, tally.untold, tally.not_returned)
        contained = await _contained(client, batch, severities, policy.containment,
                                     tally.uncontained)
        assessed = [assess_incident(record, severity, policy, as_of, postmortem,
                                    postmortems_checked=is_checked, told=told_of,
                                    contained_at=contained_at)
                    for record, severity, postmortem, is_checked, told_of, contained_at
                    in zip(batch, severities, found, checked, told, contained, strict=True)]
        writer.write(assessed)
        for incident in assessed:
            sla.add(incident)
            postmortems.add(incident)
            resolution.add(incident)
            tally.communication.add(incident)
            if tally.trend is not None:
                tally.trend.add(incident)
        counts["incidents"] += len(batch)
        for record, severity in zip(batch, severities, strict=True):
            for name in record.unread:
                tally.not_returned.setdefault(name, []).append(record.label)
            if severity is None and "priority" not in record.unread:
                counts["without_severity"] += 1
                if len(tally.without_severity) < NAMED_WITHOUT_SEVERITY:
                    tally.without_severity.append(record.label)
            tally.open += record.resolved_at is None and "resolved_at" not in record.unread
            tally.impossible += record.problem is not None
        batch.clear()

    batch: list[IncidentRecord] = []
    async for record in records:
        if in_scope is not None and not in_scope(record):
            tally.outside_scope += 1
            for register in (finder, actions):
                if register is not None:
                    register.saw(record)
            continue
        batch.append(record)
        if len(batch) >= BATCH:
            await flush(batch)
    await flush(batch)
    return counts["incidents"], counts["without_severity"], sla, postmortems, resolution


async def _told(client: PagerDutyClient | None, batch: list[IncidentRecord],
                severities: list[IncidentSeverity | None], untold: list[str],
                not_returned: dict[str, list[str]]) -> list[Told | None]:
    """What the account says of each incident's communication, for those whose severity
    documents ``notify_within`` (None for the others, and where the token may not look:
    ``untold`` names them). An incident PagerDuty returned without a part asked for
    (``Told.unread``) is named in ``not_returned`` under that part."""
    from pdlint.pagerduty.errors import PermissionDenied

    wanted = {index: severity.notify.value for index, severity in enumerate(severities)
              if severity is not None and severity.notify is not None}
    told: list[Told | None] = [None] * len(batch)
    if client is None or not wanted:
        return told

    async def read(index: int) -> Told | str:
        try:
            return await read_told(client, batch[index], wanted[index])
        except PermissionDenied as denied:
            return str(denied)

    for index, outcome in zip(wanted, await asyncio.gather(*map(read, wanted)), strict=True):
        if isinstance(outcome, str):
            untold.append(f"{batch[index].label} ({outcome})")
            continue
        told[index] = outcome
        for name in outcome.unread(wanted[index]):
            not_returned.setdefault(name, []).append(batch[index].label)
    return told


async def _contained(client: PagerDutyClient | None, batch: list[IncidentRecord],
                     severities: list[IncidentSeverity | None], containment: Containment | None,
                     unread: list[str]) -> list[datetime | None]:
    """When each incident of a severity documenting ``resolve_within`` was marked contained, by
    the policy's convention (None for the others, where none is marked, and where the token may
    not look or PagerDuty did not return a note's text: ``unread`` names them)."""
    from pdlint.pagerduty.errors import PermissionDenied

    wanted = [index for index, severity in enumerate(severities)
              if severity is not None and severity.resolve_within is not None]
    contained: list[datetime | None] = [None] * len(batch)
    if client is None or containment is None or not wanted:
        return contained
    pattern, field_name = containment.note_regex(), containment.field

    async def read(record: IncidentRecord) -> PostmortemRecord | NotReturned | str | None:
        try:
            return await find_recorded(client, record, pattern,
                                       field_name.value if field_name else "")
        except PermissionDenied as denied:
            return str(denied)

    outcomes = await asyncio.gather(*(read(batch[index]) for index in wanted))
    for index, outcome in zip(wanted, outcomes, strict=True):
        if isinstance(outcome, str):
            unread.append(f"{batch[index].label} ({outcome})")
        elif isinstance(outcome, NotReturned):
            unread.append(f"{batch[index].label} (PagerDuty did not return {outcome.what})")
        elif outcome is not None:
            contained[index] = outcome.recorded_at
    return contained


async def incident_section(
    client: PagerDutyClient, policy: asyncio.Future[Policy], period: Interval, as_of: datetime,
    package: EvidencePackage, progress: Progress, skipped: list[Skipped],
    account: Awaitable[Account],
) -> IncidentFigures:
    """The register, SLA and postmortem figures, with the incidents streamed to the package.

    The incidents are asked for before ``policy`` (a future) is ready: reading them does not
    need it, judging them does, and their cursor chain is the longest one of the run. With a
    scope, judging waits for the parsed ``account`` too, which says what the scope covers.
    """
    from pdlint.pagerduty.errors import PermissionDenied

    async def log_until() -> datetime:
        return min(as_of, period.end + log_horizon(await policy))

    try:
        source = await open_incident_source(client, period.start, period.end, log_until,
                                            lambda count: progress("incidents", count))
        judged = await policy
        finder = _postmortem_finder(judged, skipped)
        actions = corrective_action_tally(judged, as_of)
        stream = StreamTally(communication=CommunicationTally(judged.severities),
                             trend=TrendTally(
            tuple(severity.id for severity in judged.severities), period,
            judged.organisation.business_hours.zone))
        live = await account if judged.scope is not None else None
        if live is not None and not live.services.read:
            reason = scope_unknown(live)
            skipped.extend(Skipped(section, reason) for section in INCIDENT_SECTIONS)
            return NOT_READ
        in_scope = (None if judged.scope is None or live is None
                    else services_in_scope(judged.scope, live))
        with package.open("incidents.csv") as csv_stream, \
                package.open("incidents.json") as json_stream:
            writer = RegisterWriter(csv_stream, json_stream)
            unread: list[str] = []
            incidents, without_severity, sla, postmortems, resolution = await judge_incidents(
                source.records, judged, as_of, writer, finder, client, progress, unread, actions,
                stream, in_scope)
            writer.close()
    except PermissionDenied as denied:
        package.discard("incidents.csv")
        package.discard("incidents.json")
        reason = f"the incidents could not be read ({denied})"
        skipped.extend(Skipped(section, reason) for section in INCIDENT_SECTIONS)
        return NOT_READ
    if stream.uncontained:
        skipped.append(Skipped("resolution", (
            f"where containment is recorded was not read (the token may not read it, or "
            f"PagerDuty did not return it) for {counted(len(stream.uncontained), 'incident')}, "
            f"judged by their resolution alone: {_first_listed(stream.uncontained)}")))
    if stream.untold:
        skipped.append(Skipped("communication", (
            f"the token may not read the responder requests or status-update subscribers of "
            f"{counted(len(stream.untold), 'incident')}, whose communication is therefore not "
            f"judged: {_first_listed(stream.untold)}")))
    skipped.extend(not_returned_skips(stream.not_returned, source.name))
    if source.untied:
        skipped.append(untied_skip(source.untied))
    if unread and finder is not None:
        skipped.append(Skipped("postmortems", (
            f"the token may not read {finder.description} for "
            f"{counted(len(unread), 'incident')}, whose postmortems are therefore not judged: "
            f"{_first_listed(unread)}")))
    return IncidentFigures(
        source=SOURCE_NAMES[source.name], source_note=source.note, incidents=incidents,
        without_severity=without_severity, sla=sla.results(),
        postmortems=postmortems.results() if finder is not None else (),
        postmortem_source=finder.description if finder is not None else None,
        unmatched_register_rows=finder.unmatched_rows() if finder is not None else None,
        resolution=tuple(replace(item, measured_to="containment or resolution")
                         for item in resolution.results()) if judged.containment
        else resolution.results(), open_incidents=stream.open,
        communication=stream.communication.results(),
        impossible_times=stream.impossible,
        without_severity_named=tuple(stream.without_severity),
        trend=stream.trend.results(frozenset(
            severity.id for severity in judged.severities if severity.resolve_within))
        if stream.trend else None,
        corrective_actions=actions.summary(incidents_read=True) if actions else None,
        outside_scope=None if judged.scope is None else stream.outside_scope,
        severity_unread=len(stream.not_returned.get("priority", ())))


NOT_RETURNED = {
    "acknowledged_at": ("their acknowledgement time (seconds_to_first_ack)", ("sla",)),
    "resolved_at": ("their resolution time (resolved_at)", ("resolution", "postmortems")),
    "priority": ("their priority (priority_name), so their severity is not known",
                 ("sla", "resolution", "communication", "postmortems")),
    "responder_requests": ("their responder requests (responder_requests, which PagerDuty "
                           "returns only where the account has the responder requests feature, "
                           "or a request's requested_at)", ("communication",)),
    "subscribers": ("the subscribers of their status updates (neither total nor subscribers)",
                    ("communication",)),
    "postmortem_mark": ("what may record the postmortem (a note's content, or the changeset of "
                        "a custom field's log entry)", ("postmortems",)),
}
"""Per field an incident may come without (of its analytics row, ``IncidentRecord.unread``;
of what is read for it: ``Told.unread``, a note's ``content``): what was not returned, and the
parts it judges."""
NOT_RETURNED_BY_INCIDENTS = {
    "acknowledged_at": "a log telling their first acknowledgement (an entry on them that may be "
                       "one came without its type or created_at, or one naming no incident may "
                       "be theirs)",
    "resolved_at": "their resolution time (resolved_at)",
    "priority": "their priority (priority, or its name), so their severity is not known",
}
"""What was not returned when the incidents are read from ``GET /incidents`` and the log, where
it is said otherwise than of analytics."""


def not_returned_skips(not_returned: Mapping[str, Sequence[str]],
                       source: str = ANALYTICS) -> list[Skipped]:
    """The parts whose figures leave out incidents PagerDuty returned without a field they are
    judged by: those are not judged, so the part is incomplete, never clean."""
    skips = []
    for name, labels in not_returned.items():
        if not labels:
            continue
        what, parts = NOT_RETURNED[name]
        if source != ANALYTICS:
            what = NOT_RETURNED_BY_INCIDENTS.get(name, what)
        skips += [Skipped(part, f"PagerDuty returned {counted(len(labels), 'incident')} "
                                f"without {what}: not judged here ({_first_listed(labels)})")
                  for part in parts]
    return skips


def untied_skip(untied: Sequence[str]) -> Skipped:
    """The SLA part when the log holds entries that may be acknowledgements but name no
    incident: which incident each acknowledged cannot be told, so the part is incomplete even
    where no incident of the period could have been theirs."""
    return Skipped("sla", (
        f"PagerDuty returned {counted(len(untied), 'log entry', 'log entries')} that may "
        f"acknowledge an incident without the incident it is about ({_first_listed(untied)}): "
        "every incident such an entry may have acknowledged (created by then, neither "
        "acknowledged nor resolved before it; every one when its created_at was not returned "
        "either) is not judged"))


def scope_unknown(account: Account) -> str:
    """Why nothing of the period can be told in or out of the scope: the services were not
    read (absent, not none: counting nothing would read as a quiet period)."""
    return (f"the services could not be read ({account.services.skip_reason}), so which of "
            "the period's incidents and changes are in the policy's scope cannot be told")


def services_in_scope(scope: Scope, account: Account) -> Callable[[IncidentRecord], bool]:
    """Whether an incident's service is in ``scope``: by the id the source gives, else by its
    name; an incident whose service neither names is kept (absent is not empty)."""
    reach = scope_reach(scope, account)
    names = frozenset(str(service.name) for service in account.services
                      if service.id in reach.services)

    def in_scope(record: IncidentRecord) -> bool:
        if record.service_id is not None:
            return record.service_id in reach.services
        return record.service is None or record.service in names

    return in_scope


def corrective_action_tally(policy: Policy, as_of: datetime) -> CorrectiveActionTally | None:
    """The register's actions judged on the day of ``as_of`` in the organisation's time zone,
    named by the package's copy of the register; None without a register."""
    if policy.corrective_actions is None:
        return None
    zone = policy.organisation.business_hours.zone
    register = str(policy.corrective_actions.register.value)
    return CorrectiveActionTally(policy.corrective_actions, as_of.astimezone(zone).date(), zone,
                                 policy_copy_names(policy_sources(policy)).get(register,
                                                                               register))


def _postmortem_finder(policy: Policy, skipped: list[Skipped]) -> PostmortemFinder | None:
    needed = [severity.id for severity in policy.severities
              if severity.postmortem_within is not None]
    if not needed:
        return None
    if policy.postmortems is None:
        skipped.append(Skipped("postmortems", (
            f"severities {', '.join(needed)} require postmortems, but the policy has no "
            "postmortems block saying where they are recorded")))
        return None
    return PostmortemFinder(policy.postmortems, policy.organisation.business_hours.zone,
                            policy_copy_names(policy_sources(policy)))


async def change_section(
    client: PagerDutyClient, policy: Policy, account: Awaitable[Account], period: Interval,
    as_of: datetime, package: EvidencePackage, progress: Progress, skipped: list[Skipped],
) -> ChangeSummary | None:
    """The change log, or None (and a skipped entry) when the Audit Trail may not be read.

    The part of the period PagerDuty no longer keeps records for at ``as_of`` is not read, and is
    a skipped entry naming it (None when that is the whole period). ``account`` is awaited first:
    whether a changed user is documented depends on their email.
    """
    from pdlint.pagerduty.errors import PermissionDenied

    kept_from = audit_records_kept_from(as_of)
    unavailable = (Interval(period.start, min(kept_from, period.end))
                   if period.start < kept_from else None)
    if unavailable is not None:
        skipped.append(Skipped("changes", (
            f"PagerDuty keeps audit records for 12 months: none are available for "
            f"{iso(unavailable.start)} to {iso(unavailable.end)}, so the changes of that part "
            "of the period cannot be listed")))
        if unavailable.end >= period.end:
            return None
    live = await account
    if policy.scope is not None and not live.services.read:
        skipped.append(Skipped("changes", scope_unknown(live)))
        return None
    documented = documented_in(policy, live)
    in_scope = None if policy.scope is None else changed_in_scope(
        scope_reach(policy.scope, live))
    try:
        with package.open("changes.csv") as stream:
            log = ChangeLog(stream, in_scope)
            async for record in audit_records(client, max(period.start, kept_from),
                                              period.end):
                log.add(change_from_record(record, documented))
                progress("audit records", log.total)
    except PermissionDenied as denied:
        package.discard("changes.csv")
        skipped.append(Skipped("changes", (
            f"the Audit Trail could not be read ({denied}); it needs an admin or account-owner "
            "token on a plan with Audit Trail")))
        return None
    return log.summary(unavailable)


async def ended_maintenance(client: PagerDutyClient, period: Interval,
                            ) -> tuple[MaintenanceWindow, ...] | Skipped:
    """The maintenance windows that had ended when the account was read and overlap
    ``period``: those under way and to come are in the account. One listing
    (``filter=past``) of every service's windows, since the API narrows it by neither time
    nor anything a policy names in one request (``service_ids[]`` would take the documented
    services' ids, a request per few hundred); only those overlapping the period are kept.
    A listing the key or plan may not read is the paging section's skip: its figures then
    leave those windows out, said as not read, never as none."""
    from pdlint.pagerduty.errors import OffsetCeilingExceeded, PermissionDenied, ResponseError

    try:
        return tuple([window async for raw in client.iter_classic(
                          "/maintenance_windows", "maintenance_windows", {"filter": "past"})
                      for window in (parse_maintenance_window(raw),)
                      if window.overlaps(period.start, period.end)])
    except (PermissionDenied, OffsetCeilingExceeded, ResponseError) as error:
        if isinstance(error, ResponseError) and error.status != 404:
            raise
        return Skipped("paging", str(error))


def coverage_section(policy: Policy, account: Account, period: Interval,
                     ) -> tuple[ScheduleCoverage, ...]:
    return tuple(measure_schedule(schedule, account, period, policy.organisation.business_hours)
                 for schedule in policy.schedules)


def configuration_skips(report: Report) -> list[Skipped]:
    """The collections the account would not give (the drift report's skipped entries) as
    skipped parts of the package: the drift checks that need them did not run, and without
    schedules neither did the coverage, so the package is not complete. A drift rule with
    findings of checks it could not make is skipped under its own id, as in ``pdlint drift``."""
    skips = [skip if skip.rule in DRIFT_RULE_IDS else Skipped(
        "drift", f"{skip.rule} could not be read ({skip.reason}); the drift checks that need "
                 "them did not run") for skip in report.skipped]
    skips += [Skipped("coverage", f"schedules could not be read ({skip.reason})")
              for skip in report.skipped if skip.rule == "schedules"]
    return skips


def coverage_skips(coverage: tuple[ScheduleCoverage, ...], skipped: list[Skipped],
                   ) -> list[Skipped]:
    """The coverage section as skipped when the coverage of any schedule with a requirement
    was not measured (with none measured the headline reads "not measured"; with some, its
    gaps are those of the measured schedules only), naming each such schedule and why, unless
    ``skipped`` already has it (the schedules could not be read). Gaps counted over some of
    the schedules are not the coverage of all of them: skipped is never passed."""
    if any(skip.rule == "coverage" for skip in skipped):
        return []
    required = [item for item in coverage if item.requirement is not None]
    unmeasured = [item for item in required if item.result is None]
    if required and not unmeasured:
        return []
    reasons = "; ".join(f"{item.schedule}: {item.problem}" for item in unmeasured)
    if not required:
        return [Skipped("coverage", "the policy documents no schedule with a coverage "
                                    "requirement")]
    if len(unmeasured) == len(required):
        return [Skipped("coverage", f"no schedule's coverage could be measured ({reasons})")]
    return [Skipped("coverage", (
        f"the coverage of {len(unmeasured)} of {counted(len(required), 'schedule')} could not "
        f"be measured, so its gaps are not counted ({reasons})"))]


def not_asked(policy: Policy) -> frozenset[str]:
    """The sections ``policy`` asks nothing of: no severity documents a resolution time or
    whom to tell. Nothing of them would be measured, so they are never said to be skipped."""
    return frozenset(section for section, setting in ASKED_BY_A_SEVERITY.items()
                     if not any(map(setting, policy.severities)))


def snapshot_skips() -> list[Skipped]:
    return [Skipped(section, SNAPSHOT_REASON)
            for section in (*INCIDENT_SECTIONS, "changes")]


def _first_listed(names: Sequence[str]) -> str:
    """The first few names, and how many more there are."""
    more = f" and {len(names) - UNREAD_LISTED} more" if len(names) > UNREAD_LISTED else ""
    return f"{', '.join(names[:UNREAD_LISTED])}{more}"
