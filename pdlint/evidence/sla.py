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
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pdlint.evidence.model import AssessedIncident, IncidentRecord, Response, SeverityCompliance
from pdlint.policy.model import Hours, IncidentSeverity


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
    """Within, breached or pending, as the module docstring defines them."""
    if record.acknowledged_at is not None:
        return Response.WITHIN if record.acknowledged_at <= deadline else Response.BREACHED
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
    incidents: int = 0
    within: int = 0
    breached: int = 0
    pending: int = 0
    ack_seconds: array[float] = field(default_factory=lambda: array("d"))
    breaches: list[AssessedIncident] = field(default_factory=list)


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
        tally = self._tallies[incident.severity]
        tally.incidents += 1
        seconds = incident.record.seconds_to_acknowledge
        if seconds is not None:
            tally.ack_seconds.append(seconds)
        if incident.response is Response.WITHIN:
            tally.within += 1
        elif incident.response is Response.BREACHED:
            tally.breached += 1
            tally.breaches.append(incident)
        else:
            tally.pending += 1

    def results(self) -> tuple[SeverityCompliance, ...]:
        """One entry per documented severity, in the policy's order (most severe first)."""
        return tuple(
            SeverityCompliance(
                severity=severity.id,
                name=severity.name.value,
                response_sla=str(severity.response_sla.value),
                location=severity.response_sla.location,
                incidents=tally.incidents,
                within=tally.within,
                breached=tally.breached,
                pending=tally.pending,
                acknowledged=len(tally.ack_seconds),
                median_seconds_to_acknowledge=percentile(tally.ack_seconds, 50),
                p90_seconds_to_acknowledge=percentile(tally.ack_seconds, 90),
                breaches=tuple(sorted(tally.breaches,
                                      key=lambda breach: breach.record.created_at)),
            )
            for severity in self._severities
            for tally in (self._tallies[severity.id],)
        )
