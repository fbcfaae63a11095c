"""The trend over the period: per calendar month (in the organisation's time zone) and per
documented severity, the incidents created, and the shares acknowledged within the response
SLA and resolved within ``resolve_within``, counted exactly as the period's figures are
(pending incidents left out of each share)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from pdlint.coverage import Interval
from pdlint.evidence.changes import NOT_READ
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


_INCIDENTS, _ACK_WITHIN, _ACK_DECIDED, _RESOLVE_WITHIN, _RESOLVE_DECIDED = range(5)
"""Where a cell of the trend keeps each of its counts."""


class TrendTally:
    """Counts per (month, severity) as incidents stream past: five integers a cell, kept in a
    list (a year is 10^5 incidents, each counted in up to five of them)."""

    def __init__(self, severities: tuple[str, ...], period: Interval, zone: ZoneInfo) -> None:
        self._severities, self._zone = severities, zone
        self._months = months_of(period, zone)
        self._cells: dict[tuple[int, int, str], list[int]] = {}
        self._unread: dict[tuple[int, int], int] = {}
        """Incidents per month whose priority PagerDuty did not return (severity unknown)."""

    def add(self, incident: AssessedIncident) -> None:
        severity = incident.severity
        local = incident.record.created_at.astimezone(self._zone)
        if severity is None:
            if "priority" in incident.record.unread:
                month = (local.year, local.month)
                self._unread[month] = self._unread.get(month, 0) + 1
            return
        key = (local.year, local.month, severity)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = [0] * 5
        cell[_INCIDENTS] += 1
        for outcome, within, decided in (
                (incident.response, _ACK_WITHIN, _ACK_DECIDED),
                (incident.resolution, _RESOLVE_WITHIN, _RESOLVE_DECIDED)):
            if outcome is Response.WITHIN:
                cell[within] += 1
                cell[decided] += 1
            elif outcome is Response.BREACHED:
                cell[decided] += 1

    def results(self, documents_resolution: frozenset[str]) -> tuple[TrendRow, ...]:
        """A row for every month of the period and every documented severity, zero or not;
        the resolution figures are None for a severity without ``resolve_within``. When
        PagerDuty did not return the priority of some incidents, each month also has a row of
        severity ``not read`` counting those, judged by nothing (its figures None): the rows of
        the documented severities do not hold them."""
        rows = []
        for month in self._months:
            year, number = map(int, month.split("-"))
            for severity in self._severities:
                cell = self._cells.get((year, number, severity), [0] * 5)
                resolves = severity in documents_resolution
                rows.append(TrendRow(
                    month=month, severity=severity, incidents=cell[_INCIDENTS],
                    acknowledged_within=cell[_ACK_WITHIN],
                    acknowledgement_decided=cell[_ACK_DECIDED],
                    resolved_within=cell[_RESOLVE_WITHIN] if resolves else None,
                    resolution_decided=cell[_RESOLVE_DECIDED] if resolves else None))
            if self._unread:
                rows.append(TrendRow(month=month, severity=NOT_READ,
                                     incidents=self._unread.get((year, number), 0),
                                     acknowledged_within=None, acknowledgement_decided=None,
                                     resolved_within=None, resolution_decided=None))
        return tuple(rows)
