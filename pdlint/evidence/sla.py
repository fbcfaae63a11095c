"""SLA compliance per documented severity: deadlines, outcomes, and acknowledgement percentiles.

How incidents are counted (docs/evidence.md states the same for the auditor):

- An incident's severity is the documented severity whose ``pagerduty_priority`` is the
  incident's PagerDuty priority; incidents of any other priority are in the register but not in
  these figures.
- Its deadline is its creation time plus the documented ``response_sla``, or for
  ``next_business_day`` the end of the first business day after the day it was created, on the
  organisation's business hours and time zone.
- Acknowledged at or before the deadline: within. Acknowledged after it: breached. Never
  acknowledged: breached once the deadline has passed when the package is made (even if the
  incident was resolved without an acknowledgement), pending before that.
- The share within SLA is within / (within + breached): pending incidents have no outcome yet.
- Median and p90 time to acknowledge are taken over the acknowledged incidents, nearest-rank.

Resolution is judged the same way, for the severities that document ``resolve_within``: the
deadline is the creation time plus it, resolved at or before it is within, after it breached,
and an incident still open past it is breached too (pending before it).

An incident whose acknowledgement (or resolution) time PagerDuty did not return is not judged
against that deadline: counted apart, in neither the share nor the durations, and how many of
the severity's incidents were acknowledged (or resolved) is then not known (None).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pdlint.evidence.model import (
    AssessedIncident,
    ResolutionCompliance,
    Response,
    SeverityCompliance,
)
from pdlint.pagerduty.records import IncidentRecord
from pdlint.policy.model import Hours, IncidentSeverity, format_duration


def severities_by_priority(severities: Iterable[IncidentSeverity]) -> dict[str, IncidentSeverity]:
    """Each documented PagerDuty priority name to its severity (the first one, if repeated)."""
    found: dict[str, IncidentSeverity] = {}
    for severity in severities:
        if severity.pagerduty_priority is not None:
            found.setdefault(severity.pagerduty_priority.value, severity)
    return found


def response_deadline(
    record: IncidentRecord, severity: IncidentSeverity, business_hours: Hours,
) -> datetime:
    """When ``record`` had to be acknowledged at the latest under ``severity``'s SLA."""
    return severity.response_sla.value.deadline(record.created_at, business_hours)


def judge_response(record: IncidentRecord, deadline: datetime, as_of: datetime) -> Response:
    """Within, breached or pending, as the module docstring defines them; not judged when
    PagerDuty did not return when it was acknowledged."""
    if "acknowledged_at" in record.unread:
        return Response.NOT_JUDGED
    return _judge(record.acknowledged_at, deadline, as_of)


def resolution_deadline(record: IncidentRecord, severity: IncidentSeverity) -> datetime | None:
    """When ``record`` had to be resolved at the latest; None without ``resolve_within``."""
    within = severity.resolve_within
    return None if within is None else record.created_at + within.value


def judge_resolution(record: IncidentRecord, deadline: datetime, as_of: datetime,
                     contained_at: datetime | None = None) -> Response:
    """Resolved (or contained, when the policy says how containment is recorded) in time
    (within), late or still open past the deadline (breached), or open before it (pending);
    not judged when PagerDuty did not return when it was resolved, unless contained in time."""
    if "resolved_at" in record.unread and (contained_at is None or contained_at > deadline):
        return Response.NOT_JUDGED
    done = [moment for moment in (contained_at, record.resolved_at) if moment is not None]
    return _judge(min(done, default=None), deadline, as_of)


def _judge(done_at: datetime | None, deadline: datetime, as_of: datetime) -> Response:
    if done_at is not None:
        return Response.WITHIN if done_at <= deadline else Response.BREACHED
    return Response.BREACHED if as_of > deadline else Response.PENDING


def percentile(values: Sequence[float], percent: int) -> float | None:
    """Nearest-rank percentile: the value at position ceil(percent/100 × n) in ascending order.

    Always one of ``values`` (no interpolation), so an auditor can find it in the register.
    """
    if not values:
        return None
    if not 0 < percent <= 100:
        raise ValueError(f"percent must be in (0, 100], not {percent}")
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)  # integer ceiling: no float rounding at the edges
    return ordered[rank - 1]


@dataclass
class _SeverityTally:
    """Outcomes of one severity against one deadline, and the durations to the event judged."""

    incidents: int = 0
    within: int = 0
    breached: int = 0
    pending: int = 0
    not_judged: int = 0
    seconds: array[float] = field(default_factory=lambda: array("d"))
    breaches: list[AssessedIncident] = field(default_factory=list)

    def add(self, incident: AssessedIncident, outcome: Response, seconds: float | None) -> None:
        self.incidents += 1
        if seconds is not None:
            self.seconds.append(seconds)
        if outcome is Response.WITHIN:
            self.within += 1
        elif outcome is Response.BREACHED:
            self.breached += 1
            self.breaches.append(incident)
        elif outcome is Response.NOT_JUDGED:
            self.not_judged += 1
        else:
            self.pending += 1

    def counted(self) -> int | None:
        """How many were acknowledged (or resolved): None when PagerDuty did not return the
        time of some (``not_judged``), as whether those were is then not known. The durations
        are over the times it returned either way."""
        return None if self.not_judged else len(self.seconds)

    def sorted_breaches(self) -> tuple[AssessedIncident, ...]:
        return tuple(sorted(self.breaches, key=lambda breach: breach.record.created_at))


class SlaTally:
    """Counts incidents per severity as they stream past; keeps only acknowledgement durations
    (8 bytes each) and the breaches, never the incidents themselves."""

    def __init__(self, severities: Sequence[IncidentSeverity]) -> None:
        self._severities = tuple(severities)
        self._tallies: Mapping[str, _SeverityTally] = {
            severity.id: _SeverityTally() for severity in self._severities}

    def add(self, incident: AssessedIncident) -> None:
        if incident.severity is None or incident.response is None:
            return
        self._tallies[incident.severity].add(incident, incident.response,
                                             incident.record.seconds_to_acknowledge)

    def results(self) -> tuple[SeverityCompliance, ...]:
        """One entry per documented severity, in the policy's order (most severe first)."""
        return tuple(
            SeverityCompliance(
                severity=severity.id,
                name=severity.name.value,
                response_sla=severity.response_sla.written or str(severity.response_sla.value),
                location=severity.response_sla.location,
                incidents=tally.incidents,
                within=tally.within,
                breached=tally.breached,
                pending=tally.pending,
                acknowledged=tally.counted(),
                median_seconds_to_acknowledge=percentile(tally.seconds, 50),
                p90_seconds_to_acknowledge=percentile(tally.seconds, 90),
                breaches=tally.sorted_breaches(),
                not_judged=tally.not_judged,
            )
            for severity in self._severities
            for tally in (self._tallies[severity.id],)
        )


class ResolutionTally:
    """Counts resolution outcomes per severity that documents ``resolve_within``, as the
    incidents stream past (like ``SlaTally``, keeping durations and breaches only)."""

    def __init__(self, severities: Sequence[IncidentSeverity]) -> None:
        self._severities = tuple(severity for severity in severities
                                 if severity.resolve_within is not None)
        self._tallies = {severity.id: _SeverityTally() for severity in self._severities}

    def add(self, incident: AssessedIncident) -> None:
        if incident.severity not in self._tallies or incident.resolution is None:
            return
        self._tallies[incident.severity].add(incident, incident.resolution,
                                             incident.record.seconds_to_resolve)

    def results(self) -> tuple[ResolutionCompliance, ...]:
        """One entry per severity documenting ``resolve_within``, in the policy's order."""
        results = []
        for severity in self._severities:
            tally, within = self._tallies[severity.id], severity.resolve_within
            assert within is not None
            results.append(ResolutionCompliance(
                severity=severity.id, name=severity.name.value,
                resolve_within=within.written or format_duration(within.value),
                location=within.location,
                incidents=tally.incidents, within=tally.within, breached=tally.breached,
                pending=tally.pending, resolved=tally.counted(),
                median_seconds_to_resolve=percentile(tally.seconds, 50),
                p90_seconds_to_resolve=percentile(tally.seconds, 90),
                breaches=tally.sorted_breaches(), not_judged=tally.not_judged))
        return tuple(results)
