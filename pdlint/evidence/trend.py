"""The trend over the period: per calendar month (in the organisation's time zone) and per
documented severity, the incidents created, and the shares acknowledged within the response
SLA and resolved within ``resolve_within``, counted exactly as the period's figures are
(pending incidents left out of each share)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from pdlint.coverage import Interval
from pdlint.evidence.model import AssessedIncident, Response, TrendRow


def months_of(period: Interval, zone: ZoneInfo) -> list[str]:
    """``YYYY-MM`` of every month the period touches, in ``zone``, in order."""
    first = period.start.astimezone(zone)
    last = (period.end - timedelta(microseconds=1)).astimezone(zone)  # the end is exclusive
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class TrendTally:
    """Counts per (month, severity) as incidents stream past: seven integers a cell."""

    def __init__(self, severities: tuple[str, ...], period: Interval, zone: ZoneInfo) -> None:
        self._severities, self._zone = severities, zone
        self._months = months_of(period, zone)
        self._counts: Counter[tuple[str, str, str]] = Counter()

    def add(self, incident: AssessedIncident) -> None:
        severity = incident.severity
        if severity is None:
            return
        local = incident.record.created_at.astimezone(self._zone)
        month = f"{local.year:04d}-{local.month:02d}"  # as months_of names it
        counts = self._counts
        counts[month, severity, "incidents"] += 1
        for outcome, within, decided in (
                (incident.response, "ack_within", "ack_decided"),
                (incident.resolution, "resolve_within", "resolve_decided")):
            if outcome is Response.WITHIN:
                counts[month, severity, within] += 1
            if outcome is Response.WITHIN or outcome is Response.BREACHED:
                counts[month, severity, decided] += 1

    def results(self, documents_resolution: frozenset[str]) -> tuple[TrendRow, ...]:
        """A row for every month of the period and every documented severity, zero or not;
        the resolution figures are None for a severity without ``resolve_within``."""
        rows = []
        for month in self._months:
            for severity in self._severities:
                count = {what: self._counts[(month, severity, what)] for what in (
                    "incidents", "ack_within", "ack_decided", "resolve_within",
                    "resolve_decided")}
                resolves = severity in documents_resolution
                rows.append(TrendRow(
                    month=month, severity=severity, incidents=count["incidents"],
                    acknowledged_within=count["ack_within"],
                    acknowledgement_decided=count["ack_decided"],
                    resolved_within=count["resolve_within"] if resolves else None,
                    resolution_decided=count["resolve_decided"] if resolves else None))
        return tuple(rows)
