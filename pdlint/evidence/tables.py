"""The figures as data: ``evidence.json`` and the small CSV tables beside the register.

Every renderer (this module, ``summary`` and ``html``) reads the same ``Evidence``; the spelling
of durations for people (``human_duration``) is defined here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from pdlint.evidence.changes import NOT_READ, not_known_note
from pdlint.evidence.coverage import ScheduleCoverage
from pdlint.evidence.drift import drift_scope
from pdlint.evidence.history import (
    NO_RUN,
    HistorySection,
    history_entry,
    history_rows,
    monitored_share,
)
from pdlint.evidence.model import (
    ActionRecord,
    AssessedIncident,
    ChangeSummary,
    CommunicationCompliance,
    ConfigurationChange,
    CorrectiveActionSummary,
    Evidence,
    ExerciseRecord,
    PolicyProvenance,
    PostmortemCompliance,
    RegisterRow,
    ResolutionCompliance,
    SeverityCompliance,
    TrainingSummary,
    TrendRow,
    iso,
    whole,
)
from pdlint.evidence.package import PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION
from pdlint.evidence.paging import ServicePaging
from pdlint.findings import counted
from pdlint.policy.model import ActionStatus
from pdlint.report.tabular import csv_text
from pdlint.rules.registry import DRIFT_RULE_IDS

NOT_MEASURED = "not measured"
"""What a figure reads when nothing was measured: a 0 there would claim a clean result."""
NAMED_IN_HEADLINE = 10
"""Incidents without a documented severity named beside the count; evidence.json names more."""
ROW_LIMIT = 500
"""Rows a list shows in ``index.html`` and ``summary.md``; the CSV or JSON files hold them all."""
INCIDENT_COLUMNS = ("id", "number", "title", "service", "priority", "created_at", "severity")
SLA_COLUMNS = ("severity", "name", "response_sla", "documented_at", "incidents", "within",
               "breached", "pending", "share_within", "acknowledged",
               "median_seconds_to_acknowledge", "p90_seconds_to_acknowledge", "not_judged")
BREACH_COLUMNS = (*INCIDENT_COLUMNS, "ack_deadline", "ack_deadline_local", "acknowledged_at",
                  "seconds_to_acknowledge", "seconds_late")
RESOLUTION_COLUMNS = ("severity", "name", "resolve_within", "documented_at", "incidents",
                      "within", "breached", "pending", "share_within", "resolved",
                      "median_seconds_to_resolve", "p90_seconds_to_resolve", "not_judged")
RESOLUTION_BREACH_COLUMNS = (*INCIDENT_COLUMNS, "resolve_deadline", "resolved_at",
                             "seconds_to_resolve", "seconds_late")
ACTION_COLUMNS = ("incident", "action", "owner", "due", "closed_on", "status", "documented_at")
ACTIONS_BY_INCIDENT_COLUMNS = ("incident", "incident_id", "open", "overdue", "closed_late",
                               "closed_on_time")
TRAINING_COLUMNS = ("name", "email", "on_call", "course", "completed", "valid_until", "current",
                    "documented_at")
COMMUNICATION_COLUMNS = ("severity", "notify_within", "notify", "documented_at", "required",
                         "within", "late", "missing", "pending", "not_judged")
COMMUNICATION_EXCEPTION_COLUMNS = (*INCIDENT_COLUMNS, "status", "deadline",
                                   "responders_requested_at", "subscribers")
TREND_COLUMNS = ("month", "severity", "incidents", "acknowledged_within",
                 "acknowledgement_decided", "share_acknowledged_within", "resolved_within",
                 "resolution_decided", "share_resolved_within")
POSTMORTEM_COLUMNS = ("severity", "within", "documented_at", "required", "on_time", "late",
                      "missing", "pending", "not_judged")
POSTMORTEM_EXCEPTION_COLUMNS = (*INCIDENT_COLUMNS, "resolved_at", "status", "due_at",
                                "postmortem", "recorded_at")
PAGING_COLUMNS = ("service", "service_id", "severity", "first_call_within", "documented_at",
                  "required_seconds", "met_seconds", "not_read_seconds", "met_share",
                  "uncalled_stretches", "uncalled_seconds", "problem", "note")
COVERAGE_COLUMNS = ("schedule", "schedule_id", "requirement", "time_zone", "time_zone_source",
                    "documented_at",
                    "required_seconds", "covered_seconds", "covered_share", "problem", "note")


def human_duration(seconds: float | None) -> str:
    """``754`` -> ``"12m 34s"``; ``None`` -> ``"—"``. Whole seconds; days past 24 hours."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes:02d}m"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def share_text(share: float | None) -> str:
    """A share as a percentage with one decimal, never rounded up to 100 (or down to 0)."""
    if share is None:
        return "—"
    percent = share * 100
    text = f"{percent:.1f}%"
    if text == "100.0%" and share < 1:
        return "99.9%"
    if text == "0.0%" and share > 0:
        return "0.1%"
    return text


@dataclass(frozen=True)
class Figure:
    """One headline figure, as ``summary.md`` writes it (label: value (detail)) and
    ``index.html`` shows it (a card with the id ``headline-<key>``)."""

    key: str
    label: str
    value: str
    detail: str = ""
    bad: bool = False


def headline(evidence: Evidence) -> tuple[Figure, ...]:
    """The headline figures; one that was not measured reads ``NOT_MEASURED``, never 0. With a
    scope, the first says what the figures cover, and what was left outside."""
    figures = [] if evidence.scope is None else [Figure(
        "scope", "scope of the figures", evidence.scope.boundary.described(),
        f"outside it, not counted: {evidence.scope.outside_text()}")]
    figures += [Figure("incidents", "incidents in the period", NOT_MEASURED)
               if evidence.incidents is None else
               Figure("incidents", "incidents in the period", str(evidence.incidents),
                      "; ".join(incident_notes(evidence)),
                      bad=bool(evidence.open_incidents or evidence.impossible_times))]
    if evidence.incidents is None:
        skipped = {item.rule for item in evidence.skipped}
        figures += [Figure("sla", "acknowledged within the documented SLA", NOT_MEASURED),
                    Figure("breaches", "SLA breaches", NOT_MEASURED)]
        figures += [Figure(section, label, NOT_MEASURED) for section, label in (
            ("resolution", "resolved within the documented time"),
            ("communication", "communication late or missing")) if section in skipped]
    else:
        within, breached, share = overall_sla(evidence)
        pending = sum(item.pending for item in evidence.sla)
        unjudged = sum(item.not_judged for item in evidence.sla)
        of = sum(item.incidents for item in evidence.sla)
        unknown = evidence.incidents_severity_unread or 0
        judged = bool(within + breached + pending) or not (unjudged or unknown)
        figures += [
            judged_figure(Figure("sla", "acknowledged within the documented SLA",
                                 share_text(share), f"{within} of {within + breached}",
                                 bad=bool(breached)), unjudged, of, unknown, judged=judged),
            judged_figure(Figure("breaches", "SLA breaches", str(breached), bad=bool(breached)),
                          unjudged, of, unknown, judged=judged)]
        if evidence.resolution:
            resolved = sum(item.within for item in evidence.resolution)
            late = sum(item.breached for item in evidence.resolution)
            unjudged = sum(item.not_judged for item in evidence.resolution)
            open_ = sum(item.pending for item in evidence.resolution)
            figures.append(judged_figure(Figure(
                "resolution", "resolved within the documented time",
                share_text(resolved / (resolved + late) if resolved + late else None),
                f"{resolved} of {resolved + late}", bad=bool(late)), unjudged,
                sum(item.incidents for item in evidence.resolution), unknown,
                judged=bool(resolved + late + open_) or not (unjudged or unknown)))
    if evidence.incidents is not None and evidence.communication:
        exceptions = sum(item.late + item.missing for item in evidence.communication)
        unjudged = sum(item.not_judged for item in evidence.communication)
        required = sum(item.required for item in evidence.communication)
        figures.append(judged_figure(
            Figure("communication", "communication late or missing", str(exceptions),
                   bad=bool(exceptions)), unjudged, required,
            evidence.incidents_severity_unread or 0,
            judged=required > unjudged or not (required or evidence.incidents_severity_unread)))
    figures += [_postmortem_figure(evidence), _coverage_figure(evidence)]
    figures += _programme_figures(evidence)
    changes = evidence.changes
    figures.append(Figure("changes", "configuration changes", NOT_MEASURED) if changes is None
                   else Figure("changes", "configuration changes", str(changes.total),
                               f"{changes.documented} to documented objects"
                               + not_known_note(changes)
                               + (f"; none available before {iso(changes.unavailable.end)}"
                                  if changes.unavailable else "")))
    if evidence.drift is not None:
        figures.append(Figure("drift", "drift findings", str(evidence.drift.findings),
                              drift_scope(evidence.drift), bad=bool(evidence.drift.findings)))
    if evidence.history is not None:
        figures.append(_monitoring_figure(evidence.history))
    return tuple(figures)


def _programme_figures(evidence: Evidence) -> list[Figure]:
    """Overdue corrective actions, exercises held in the period, people on call untrained:
    each only when the policy documents that part of the programme."""
    figures = []
    actions = evidence.corrective_actions
    if actions is not None:
        counts = action_counts(actions.actions)
        figures.append(Figure(
            "actions", "corrective actions overdue", str(counts[ActionStatus.OVERDUE.value]),
            f"{counts[ActionStatus.OPEN.value]} open, {counts[ActionStatus.CLOSED_LATE.value]} "
            f"closed late, {counts[ActionStatus.CLOSED_ON_TIME.value]} on time; on "
            f"{actions.as_of}", bad=bool(counts[ActionStatus.OVERDUE.value])))
    if evidence.exercises:
        held = [item for item in evidence.exercises if item.in_period]
        figures.append(Figure("exercises", "tabletop exercises in the period", str(len(held)),
                              f"last on {evidence.exercises[0].held_on}", bad=not held))
    training = evidence.training
    if training is not None:
        untrained = sum(not person.current for person in training.people)
        figures.append(Figure(
            "training", "on call without current training", str(untrained),
            f"of {len(training.people)} on call; on {training.as_of}", bad=bool(untrained)))
    elif any(skip.rule == "training" for skip in evidence.skipped):
        figures.append(Figure("training", "on call without current training", NOT_MEASURED))
    return figures


def action_counts(actions: Iterable[ActionRecord]) -> dict[str, int]:
    """Actions by status, every status present (0 when none)."""
    counts = dict.fromkeys((status.value for status in ActionStatus), 0)
    for action in actions:
        counts[action.status.value] += 1
    return counts


def action_entry(action: ActionRecord) -> dict[str, Any]:
    return {"incident": action.incident, "action": action.action, "owner": action.owner,
            "due": action.due.isoformat(),
            "closed_on": action.closed_on.isoformat() if action.closed_on else None,
            "status": action.status.value, "documented_at": str(action.location)}


def _corrective_actions(summary: CorrectiveActionSummary) -> dict[str, Any]:
    return {"register": summary.register, "as_of": summary.as_of.isoformat(),
            "counts": action_counts(summary.actions),
            "by_incident": None if summary.by_incident is None else [
                {"incident": item.incident, "incident_id": item.incident_id, "open": item.open,
                 "overdue": item.overdue, "closed_late": item.closed_late,
                 "closed_on_time": item.closed_on_time} for item in summary.by_incident],
            "not_of_the_period": None if summary.unmatched is None else [
                action_entry(action) for action in summary.unmatched],
            "actions": [action_entry(action) for action in summary.actions]}


def exercise_entry(exercise: ExerciseRecord) -> dict[str, Any]:
    return {"date": exercise.held_on.isoformat(), "scenario": exercise.scenario,
            "participants": list(exercise.participants), "findings": list(exercise.findings),
            "actions": [action_entry(action) for action in exercise.actions],
            "in_period": exercise.in_period, "documented_at": str(exercise.location)}


def training_entry(summary: TrainingSummary) -> dict[str, Any]:
    return {"valid_for": summary.valid_for, "documented_at": str(summary.location),
            "as_of": summary.as_of.isoformat(), "on_call": len(summary.people),
            "without_current_training": sum(not person.current for person in summary.people),
            "people": [{
                "name": person.name, "email": person.email, "on_call": list(person.on_call),
                "course": person.course,
                "completed": person.completed.isoformat() if person.completed else None,
                "valid_until": person.valid_until.isoformat() if person.valid_until else None,
                "current": person.current,
                "documented_at": str(person.location) if person.location else None}
                for person in summary.people]}


def action_counts_text(actions: Iterable[ActionRecord]) -> str:
    counts = action_counts(actions)
    return (f"{counts['open']} open, {counts['overdue']} overdue, {counts['closed_late']} "
            f"closed late, {counts['closed_on_time']} closed on time")


def training_text(summary: TrainingSummary) -> str:
    """What the training section says first: the rule, the day, the figures."""
    untrained = sum(not person.current for person in summary.people)
    return (f"A completion counts for {summary.valid_for} (documented at {summary.location}); "
            f"judged on {summary.as_of}, the last day measured: {len(summary.people)} "
            f"person(s) on call in the period, {untrained} without current training")


def incident_notes(evidence: Evidence) -> list[str]:
    """What the incident count needs beside it: where the incidents come from, how many are
    still open, which have no documented severity (and so are in no SLA figure), and how many
    carry times that cannot be."""
    notes = [f"from {evidence.incident_source}"] if evidence.incident_source else []
    if evidence.open_incidents:
        notes.append(f"{evidence.open_incidents} still open")
    if evidence.incidents_without_severity:
        named = evidence.incidents_without_severity_named
        more = evidence.incidents_without_severity - len(named)
        notes.append(f"{evidence.incidents_without_severity} without a documented severity, in "
                     f"no SLA figure: {', '.join(named[:NAMED_IN_HEADLINE])}"
                     + (f" and {more + len(named[NAMED_IN_HEADLINE:])} more"
                        if more + len(named[NAMED_IN_HEADLINE:]) > 0 else ""))
    if evidence.incidents_severity_unread:
        notes.append(f"{evidence.incidents_severity_unread} whose priority was not read, so of "
                     "unknown severity")
    if evidence.impossible_times:
        notes.append(f"{evidence.impossible_times} with impossible times (resolved or "
                     "acknowledged before created; the register's problem column), their "
                     "durations left out")
    return notes


def communication_exception(incident: AssessedIncident) -> dict[str, Any]:
    check = incident.communication
    return {**incident_summary(incident), "severity": incident.severity,
            "status": check.status.value if check else None,
            "deadline": iso(check.deadline) if check else None,
            "responders_requested_at": iso(check.responders_requested_at) if check else None,
            "subscribers": check.subscribers if check else None}


def _communication(item: CommunicationCompliance, *, listed: bool = True) -> dict[str, Any]:
    """``listed``: with its exceptions, as evidence.json lists them (communication.csv's row
    leaves them out)."""
    return {"severity": item.severity, "notify_within": item.notify_within,
            "notify": list(item.notify), "documented_at": str(item.location),
            "required": item.required, "within": item.within, "late": item.late,
            "missing": item.missing, "pending": item.pending, "not_judged": item.not_judged,
            "exceptions": [communication_exception(incident) for incident in item.exceptions]
            if listed else None}


def trend_cell(within: int | None, decided: int | None) -> str:
    """A share of the trend with what it is of; "—" where nothing was judged (a severity
    without ``resolve_within``, or the incidents whose priority was not read)."""
    if decided is None:
        return "—"
    return f"{share_text((within or 0) / decided if decided else None)} ({within} of {decided})"


def severity_unread_rows(evidence: Evidence, columns: Sequence[str]) -> list[dict[str, Any]]:
    """The last row of a per-severity CSV table when PagerDuty did not return the priority of
    some incidents: severity ``not read``, their number as ``incidents`` (where the table has
    it) and ``not_judged``, every other cell empty. Without it the documented severities' rows
    would read as all the incidents, 0 where the incidents were of a severity not known."""
    unread = evidence.incidents_severity_unread
    if not unread:
        return []
    row: dict[str, Any] = dict.fromkeys(columns)
    row.update(severity=NOT_READ, not_judged=unread)
    if "incidents" in columns:
        row["incidents"] = unread
    return [row]


def severity_unread_note(evidence: Evidence) -> str | None:
    """What ``summary.md`` and ``index.html`` say under a table per severity of the incidents
    whose priority was not read (the CSV file's ``not read`` row)."""
    unread = evidence.incidents_severity_unread
    if not unread:
        return None
    return (f"Not in the rows above: {counted(unread, 'incident')} whose priority was not read, "
            "so of unknown severity, not judged")


def trend_entry(row: TrendRow) -> dict[str, Any]:
    return {"month": row.month, "severity": row.severity, "incidents": row.incidents,
            "acknowledged_within": row.acknowledged_within,
            "acknowledgement_decided": row.acknowledgement_decided,
            "share_acknowledged_within": row.share_acknowledged_within,
            "resolved_within": row.resolved_within, "resolution_decided": row.resolution_decided,
            "share_resolved_within": row.share_resolved_within}


def _monitoring_figure(section: HistorySection) -> Figure:
    """How much of the period the drift check watched, with its runs and error days."""
    line = section.timeline
    runs = counted(len(line.runs), "drift run")
    days = line.error_days()
    detail = (f"{runs}; days with an open error {NOT_MEASURED}: {NO_RUN}" if days is None
              else f"{runs}; {counted(len(days), 'day')} with an open error")
    if line.gaps is None:
        return Figure("monitored", "of the period monitored by the drift check", NOT_MEASURED,
                      detail)
    return Figure("monitored", "of the period monitored by the drift check",
                  share_text(monitored_share(section)),
                  f"{detail}; {counted(len(line.gaps), 'monitoring gap')}",
                  bad=bool(line.gaps))


def postmortems_judged(evidence: Evidence) -> bool:
    """Whether the missing or late postmortems were measured: the incidents were read, the
    policy says where postmortems are, and at least one required postmortem could be looked
    for (or none was required, of incidents whose severity is known)."""
    if evidence.incidents is None or evidence.postmortem_source is None:
        return False
    required = sum(item.required for item in evidence.postmortems)
    if not required:
        return not evidence.incidents_severity_unread
    return required > sum(item.not_judged for item in evidence.postmortems)


def judged_figure(figure: Figure, not_judged: int, of: int, unknown: int = 0, *,
                  judged: bool) -> Figure:
    """``figure`` over the incidents that could be judged: those that could not (``not_judged``
    of ``of``; ``unknown`` whose severity PagerDuty did not say) are counted beside it, and
    when none could be judged it is not measured, never a 0 that would read as clean."""
    detail = "; ".join(text for text in (
        figure.detail if judged else "",
        f"{not_judged} of {of} not judged" if not_judged else "",
        f"{unknown} of unknown severity, not judged" if unknown else "") if text)
    if not judged:
        return Figure(figure.key, figure.label, NOT_MEASURED, detail)
    return replace(figure, detail=detail)


def _postmortem_figure(evidence: Evidence) -> Figure:
    """Missing or late postmortems among those judged; those whose place the token could not
    read are counted apart, and when none could be judged the figure is not measured."""
    exceptions = sum(item.missing + item.late for item in evidence.postmortems)
    return judged_figure(
        Figure("postmortems", "postmortems missing or late", str(exceptions),
               bad=bool(exceptions)),
        sum(item.not_judged for item in evidence.postmortems),
        sum(item.required for item in evidence.postmortems),
        evidence.incidents_severity_unread or 0, judged=postmortems_judged(evidence))


def _coverage_figure(evidence: Evidence) -> Figure:
    """Gaps over the schedules whose coverage was measured, saying how many of the schedules
    with a requirement that is; not measured when none was. Measured over only some, it is
    marked bad whatever it counts, as ``judged_figure`` counts the unjudged beside a figure:
    a 0 over part of the schedules is not a clean result (the section is skipped)."""
    label = "on-call coverage gaps"
    required = [item for item in evidence.coverage if item.requirement is not None]
    measured = [item.result for item in required if item.result is not None]
    part = (f"{len(measured)} of {len(required)} schedules measured"
            if len(measured) < len(required) else "")
    if not measured:
        return Figure("gaps", label, NOT_MEASURED, part)
    gaps = [gap for result in measured for gap in result.gaps]
    length = sum((gap.length for gap in gaps), timedelta(0))
    return Figure("gaps", label, str(len(gaps)), "; ".join(
        text for text in (human_duration(length.total_seconds()), part) if text),
        bad=bool(gaps or part))


def unavailable_changes(changes: ChangeSummary) -> str | None:
    """What the change log says of the part of the period PagerDuty no longer keeps."""
    if changes.unavailable is None:
        return None
    return (f"PagerDuty no longer keeps audit records for {iso(changes.unavailable.start)} to "
            f"{iso(changes.unavailable.end)} (it keeps them 12 months): changes in that part of "
            "the period are not available, which is not the same as none")


def overall_sla(evidence: Evidence) -> tuple[int, int, float | None]:
    """(within, breached, share within) over every documented severity."""
    within = sum(item.within for item in evidence.sla)
    breached = sum(item.breached for item in evidence.sla)
    return within, breached, (within / (within + breached) if within + breached else None)


SKIP_KINDS = ("section", "drift rule")
"""What a skip of the package names: a section of it, or a drift rule whose findings report
checks it could not make."""


@dataclass(frozen=True)
class SkippedPart:
    """One part of the package skipped, named once with every reason it was skipped for."""

    name: str
    kind: str
    """One of ``SKIP_KINDS``."""
    reasons: tuple[str, ...]

    @property
    def line(self) -> str:
        """``history (section): reason; other reason``."""
        return f"{self.name} ({self.kind}): {'; '.join(self.reasons)}"


def skipped_parts(evidence: Evidence) -> list[SkippedPart]:
    """The parts of the package skipped, each once, in the order first skipped: one part can be
    skipped for several reasons (drift, for users and for priorities)."""
    reasons: dict[str, dict[str, None]] = {}
    for skip in evidence.skipped:
        reasons.setdefault(skip.rule, {})[skip.reason] = None
    return [SkippedPart(name, "drift rule" if name in DRIFT_RULE_IDS else "section", tuple(why))
            for name, why in reasons.items()]


def incomplete_text(evidence: Evidence) -> str:
    """The banner of an incomplete package, counting the parts skipped by their kind, not the
    entries (``skipped_parts``): ``Incomplete: 1 section and 1 drift rule skipped``."""
    kinds = [part.kind for part in skipped_parts(evidence)]
    counts = [counted(kinds.count(kind), kind) for kind in SKIP_KINDS if kind in kinds]
    return (f"Incomplete: {', '.join(counts[:-1])}{' and ' if len(counts) > 1 else ''}"
            f"{counts[-1]} skipped")


def skip_reason(evidence: Evidence, section: str) -> str | None:
    """Why ``section`` was skipped (the first reason given), or None if it was not."""
    return next((skip.reason for skip in evidence.skipped if skip.rule == section), None)


def incident_summary(incident: AssessedIncident) -> dict[str, Any]:
    record = incident.record
    return {"id": record.id, "number": record.number, "title": record.title,
            "service": record.service, "priority": record.priority,
            "created_at": iso(record.created_at)}


def breach_entry(incident: AssessedIncident) -> dict[str, Any]:
    record = incident.record
    late = (None if record.acknowledged_at is None or incident.ack_deadline is None
            else whole((record.acknowledged_at - incident.ack_deadline).total_seconds()))
    return {**incident_summary(incident), "severity": incident.severity,
            "ack_deadline": iso(incident.ack_deadline),
            "acknowledged_at": iso(record.acknowledged_at),
            "ack_deadline_local": incident.ack_deadline_local,
            "seconds_to_acknowledge": whole(record.seconds_to_acknowledge),
            "seconds_late": late}


def resolution_breach_entry(incident: AssessedIncident) -> dict[str, Any]:
    """An incident resolved after its deadline, or still open past it (``resolved_at`` null)."""
    record = incident.record
    done = min((moment for moment in (incident.contained_at, record.resolved_at) if moment),
               default=None)
    late = (None if done is None or incident.resolve_deadline is None
            else whole((done - incident.resolve_deadline).total_seconds()))
    return {**incident_summary(incident), "severity": incident.severity,
            "resolve_deadline": iso(incident.resolve_deadline),
            "resolved_at": iso(record.resolved_at), "contained_at": iso(incident.contained_at),
            "seconds_to_resolve": whole(record.seconds_to_resolve), "seconds_late": late}


def _resolution(item: ResolutionCompliance, *, listed: bool = True) -> dict[str, Any]:
    """``listed``: with its breaches (resolution.csv's row leaves them out)."""
    return {"severity": item.severity, "name": item.name, "resolve_within": item.resolve_within,
            "measured_to": item.measured_to,
            "documented_at": str(item.location), "incidents": item.incidents,
            "within": item.within, "breached": item.breached, "pending": item.pending,
            "share_within": item.share_within, "resolved": item.resolved,
            "median_seconds_to_resolve": whole(item.median_seconds_to_resolve),
            "p90_seconds_to_resolve": whole(item.p90_seconds_to_resolve),
            "not_judged": item.not_judged,
            "breaches": [resolution_breach_entry(breach) for breach in item.breaches]
            if listed else None}


def postmortem_entry(incident: AssessedIncident) -> dict[str, Any]:
    check = incident.postmortem
    found = check.found if check else None
    return {**incident_summary(incident), "severity": incident.severity,
            "resolved_at": iso(incident.record.resolved_at),
            "status": check.status.value if check else None,
            "due_at": iso(check.due_at) if check else None,
            "postmortem": found.reference if found else None,
            "recorded_at": iso(found.recorded_at) if found else None}


def _sla(item: SeverityCompliance, *, listed: bool = True) -> dict[str, Any]:
    """``listed``: with its breaches (sla.csv's row leaves them out)."""
    return {"severity": item.severity, "name": item.name, "response_sla": item.response_sla,
            "documented_at": str(item.location), "incidents": item.incidents,
            "within": item.within, "breached": item.breached, "pending": item.pending,
            "share_within": item.share_within, "acknowledged": item.acknowledged,
            "median_seconds_to_acknowledge": whole(item.median_seconds_to_acknowledge),
            "p90_seconds_to_acknowledge": whole(item.p90_seconds_to_acknowledge),
            "not_judged": item.not_judged,
            "breaches": [breach_entry(breach) for breach in item.breaches] if listed else None}


def _postmortems(item: PostmortemCompliance, *, listed: bool = True) -> dict[str, Any]:
    """``listed``: with its exceptions (postmortems.csv's row leaves them out)."""
    return {"severity": item.severity, "within": item.within_text,
            "documented_at": str(item.location), "required": item.required,
            "on_time": item.on_time, "late": item.late, "missing": item.missing,
            "pending": item.pending, "not_judged": item.not_judged,
            "exceptions": [postmortem_entry(incident) for incident in item.exceptions]
            if listed else None}


UNMATCHED_COLUMNS = ("register_row", "incident", "postmortem", "completed_at")


def register_row_entry(row: RegisterRow) -> dict[str, Any]:
    return {"register_row": str(row.location), "incident": row.incident,
            "postmortem": row.postmortem.reference,
            "completed_at": iso(row.postmortem.recorded_at)}


def unmatched_rows_text(rows: Sequence[RegisterRow]) -> str:
    """What the postmortem section says of register rows naming no incident of the period."""
    return (f"{len(rows)} row(s) of the register match no incident of the period (an unknown id "
            "or number, or an incident of another period); they count in no figure")


def _coverage(item: ScheduleCoverage) -> dict[str, Any]:
    result = item.result
    return {
        "schedule": item.schedule, "schedule_id": item.schedule_id,
        "requirement": item.requirement, "time_zone": item.time_zone,
        "time_zone_source": item.time_zone_source,
        "documented_at": str(item.location),
        "measured": None if item.measured is None else {
            "since": iso(item.measured.start), "until": iso(item.measured.end)},
        "required_seconds": whole(result.required.total_seconds()) if result else None,
        "covered_seconds": whole(result.covered.total_seconds()) if result else None,
        "covered_share": result.share if result else None,
        "gaps": [] if result is None else [
            {"start": iso(gap.start), "end": iso(gap.end),
             "seconds": whole(gap.length.total_seconds())}
            for gap in result.gaps],
        "problem": item.problem,
        "note": item.note,
    }


def _seconds(delta: timedelta | None) -> int | float | None:
    return None if delta is None else whole(delta.total_seconds())


def paging_entry(item: ServicePaging, *, listed: bool = True) -> dict[str, Any]:
    """``listed``: with its uncalled stretches (paging.csv's row leaves them out: they are
    paging-uncalled.csv's rows)."""
    return {
        "service": item.service, "service_id": item.service_id, "severity": item.severity,
        "first_call_within": item.within, "documented_at": str(item.location),
        "measured": None if item.measured is None else {
            "since": iso(item.measured.start), "until": iso(item.measured.end)},
        "required_seconds": _seconds(item.required), "met_seconds": _seconds(item.met),
        "not_read_seconds": _seconds(item.not_read), "met_share": item.share,
        "uncalled_stretches": item.uncalled_count,
        "uncalled_seconds": _seconds(item.uncalled_time),
        "uncalled": [{"start": iso(stretch.interval.start), "end": iso(stretch.interval.end),
                      "verdict": stretch.verdict.value, "why": stretch.why}
                     for stretch in item.uncalled] if listed else None,
        "not_read": [{"start": iso(stretch.interval.start), "end": iso(stretch.interval.end),
                      "why": stretch.why} for stretch in item.unread] if listed else None,
        "problem": item.problem,
        "note": item.note,
    }


def change_entry(change: ConfigurationChange) -> dict[str, Any]:
    return {"id": change.id, "at": iso(change.at), "actor": change.actor,
            "action": change.action, "resource_type": change.resource_type,
            "resource_id": change.resource_id, "resource_name": change.resource_name,
            "documented": change.documented,
            "fields": None if change.fields is None else list(change.fields),
            "values": None if change.values is None else [
                {"field": values.name, "before": values.before, "after": values.after}
                for values in change.values]}


def _changes(summary: ChangeSummary) -> dict[str, Any]:
    return {"total": summary.total, "documented": summary.documented,
            "documented_not_known": summary.documented_unknown,
            "by_type": dict(summary.by_type), "by_action": dict(summary.by_action),
            "documented_changes": [change_entry(change)
                                   for change in summary.documented_changes],
            "documented_changes_shown_at_most": summary.shown_limit,
            "not_available": None if summary.unavailable is None else {
                "since": iso(summary.unavailable.start), "until": iso(summary.unavailable.end),
                "note": unavailable_changes(summary)}}


def period_note(evidence: Evidence) -> str | None:
    """What the package says when the period ends after the run; None when it does not."""
    if evidence.measured.end >= evidence.period.end:
        return None
    return f"the period ends after this run; measured up to {iso(evidence.measured.end)}"


def period_entry(evidence: Evidence) -> dict[str, Any]:
    """The period as ``evidence.json`` and ``manifest.json`` both state it, with how much of it
    was measured."""
    return {"since": iso(evidence.period.start), "until": iso(evidence.period.end),
            "measured_until": iso(evidence.measured.end), "note": period_note(evidence)}


def policy_entry(policy: PolicyProvenance) -> dict[str, Any]:
    """The policy's provenance as ``evidence.json`` and ``manifest.json`` both state it:
    ``files`` are the copies in the package, ``copied_from`` the files the run was given."""
    return {"files": list(policy.copies), "copied_from": list(policy.files),
            "git_commit": policy.git_commit, "git_modified": policy.git_modified}


def evidence_document(evidence: Evidence) -> dict[str, Any]:
    """``evidence.json``: every figure of the package, with where the policy documents it."""
    drift = evidence.drift
    return {
        "format": PACKAGE_FORMAT,
        "format_version": PACKAGE_FORMAT_VERSION,
        "organisation": evidence.organisation,
        "period": period_entry(evidence),
        "generated_at": iso(evidence.generated_at),
        "pdlint_version": evidence.pdlint_version,
        "api_url": evidence.api_url,
        "complete": not evidence.skipped,
        "skipped": [{"section": skip.rule, "reason": skip.reason} for skip in evidence.skipped],
        "policy": policy_entry(evidence.policy),
        "scope": None if evidence.scope is None else evidence.scope.to_dict(),
        "incidents": {"source": evidence.incident_source, "note": evidence.incident_source_note,
                      "count": evidence.incidents,
                      "without_documented_severity": evidence.incidents_without_severity,
                      "without_documented_severity_named": None if evidence.incidents is None
                      else list(evidence.incidents_without_severity_named),
                      "open": evidence.open_incidents,
                      "priority_not_read": evidence.incidents_severity_unread,
                      "impossible_times": evidence.impossible_times},
        "sla": [_sla(item) for item in evidence.sla],
        "resolution": None if evidence.incidents is None else [
            _resolution(item) for item in evidence.resolution],
        "trend": None if evidence.trend is None else [trend_entry(row) for row in evidence.trend],
        "communication": None if evidence.incidents is None else [
            _communication(item) for item in evidence.communication],
        "postmortems": {
            "recorded_in": evidence.postmortem_source,
            "severities": [_postmortems(item) for item in evidence.postmortems],
            "unmatched_register_rows": None if evidence.unmatched_register_rows is None else [
                register_row_entry(row) for row in evidence.unmatched_register_rows]},
        "coverage": [_coverage(item) for item in evidence.coverage],
        "paging": [paging_entry(item) for item in evidence.paging],
        "corrective_actions": None if evidence.corrective_actions is None else
        _corrective_actions(evidence.corrective_actions),
        "exercises": [exercise_entry(item) for item in evidence.exercises],
        "training": None if evidence.training is None else training_entry(evidence.training),
        "changes": None if evidence.changes is None else _changes(evidence.changes),
        "drift": None if drift is None else {
            "findings": drift.findings, "by_severity": dict(drift.by_severity),
            "not_checked": drift.not_checked, "skipped": drift.skipped, "files": list(drift.files),
            "configuration_read_at": iso(drift.read_at),
            "coverage_rendered": {"since": iso(drift.rendered.start),
                                  "until": iso(drift.rendered.end)}},
        "history": None if evidence.history is None else history_entry(evidence.history),
        "files": list(evidence.files),
    }


def csv_tables(evidence: Evidence) -> dict[str, str]:
    """The small tables, by file name: figures per severity and schedule, and the exceptions.

    A table of something not measured is left out, so that an empty one always means measured
    and none; ``coverage.csv`` is always written, as its rows say why a schedule was not
    measured."""
    tables = {
        "coverage.csv": _csv_table(COVERAGE_COLUMNS,
                                   (_coverage(item) for item in evidence.coverage)),
    }
    if evidence.incidents is not None:
        tables["sla.csv"] = _csv_table(SLA_COLUMNS, (
            *(_sla(item, listed=False) for item in evidence.sla),
            *severity_unread_rows(evidence, SLA_COLUMNS)))
        tables["sla-breaches.csv"] = _csv_table(BREACH_COLUMNS, (
            breach_entry(breach) for item in evidence.sla for breach in item.breaches))
    if evidence.incidents is not None and evidence.resolution:
        tables["resolution.csv"] = _csv_table(RESOLUTION_COLUMNS, (
            *(_resolution(item, listed=False) for item in evidence.resolution),
            *severity_unread_rows(evidence, RESOLUTION_COLUMNS)))
        tables["resolution-breaches.csv"] = _csv_table(RESOLUTION_BREACH_COLUMNS, (
            resolution_breach_entry(breach) for item in evidence.resolution
            for breach in item.breaches))
    if any(item.result is not None for item in evidence.coverage):
        tables["coverage-gaps.csv"] = csv_text(
            ("schedule", "start", "end", "seconds"),
            [(item.schedule, iso(gap.start), iso(gap.end), whole(gap.length.total_seconds()))
             for item in evidence.coverage if item.result for gap in item.result.gaps])
    if evidence.paging:
        tables["paging.csv"] = _csv_table(PAGING_COLUMNS, (
            paging_entry(item, listed=False) for item in evidence.paging))
        tables["paging-uncalled.csv"] = csv_text(
            ("service", "severity", "start", "end", "seconds", "verdict", "why"),
            [(item.service, item.severity, iso(stretch.interval.start),
              iso(stretch.interval.end), whole(stretch.interval.length.total_seconds()),
              stretch.verdict.value, stretch.why)
             for item in evidence.paging for stretch in item.uncalled])
    if evidence.incidents is not None and evidence.communication:
        tables["communication.csv"] = _csv_table(COMMUNICATION_COLUMNS, (
            *(_communication(item, listed=False) for item in evidence.communication),
            *severity_unread_rows(evidence, COMMUNICATION_COLUMNS)))
        tables["communication-exceptions.csv"] = _csv_table(COMMUNICATION_EXCEPTION_COLUMNS, (
            communication_exception(incident) for item in evidence.communication
            for incident in item.exceptions))
    if evidence.trend is not None:
        tables["trend.csv"] = _csv_table(TREND_COLUMNS, map(trend_entry, evidence.trend))
    if evidence.corrective_actions is not None:
        tables["corrective-actions.csv"] = _csv_table(ACTION_COLUMNS, (
            action_entry(action) for action in evidence.corrective_actions.actions))
        if evidence.corrective_actions.by_incident is not None:
            tables["corrective-actions-by-incident.csv"] = _csv_table(
                ACTIONS_BY_INCIDENT_COLUMNS,
                _corrective_actions(evidence.corrective_actions)["by_incident"])
    if evidence.training is not None:
        tables["training.csv"] = _csv_table(TRAINING_COLUMNS,
                                        training_entry(evidence.training)["people"])
    if evidence.postmortem_source is not None:
        tables["postmortems.csv"] = _csv_table(
            POSTMORTEM_COLUMNS, (*(_postmortems(item, listed=False)
                                   for item in evidence.postmortems),
                                 *severity_unread_rows(evidence, POSTMORTEM_COLUMNS)))
    if postmortems_judged(evidence):
        tables["postmortem-exceptions.csv"] = _csv_table(POSTMORTEM_EXCEPTION_COLUMNS, (
            postmortem_entry(incident) for item in evidence.postmortems
            for incident in item.exceptions))
    if evidence.history is not None:
        for name, (columns, rows) in history_rows(evidence.history).items():
            tables[name] = csv_text(columns, rows)
    return tables


def _csv_table(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    return csv_text(columns, ([row[column] for column in columns] for row in rows))
