"""Continuous compliance: the drift history of the account and policy the evidence is about,
over the measured period (``pdlint evidence --history DIR``).

The runs recorded by ``pdlint drift --record`` say when each drift was first and last seen and
when a later complete run first saw it gone; the period's audit records, where one shows a
change to the drift's object between the run before and the run that saw it, say who made the
change and when. The documented cadence (``organisation.drift_check_every``) makes every longer
interval without a complete run a monitoring gap. docs/evidence.md explains every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pdlint.coverage import Interval
from pdlint.evidence.model import ChangeSummary, ConfigurationChange, iso
from pdlint.findings import Location, Resource, Skipped, counted
from pdlint.history.folder import History, Stream, Unreadable
from pdlint.history.timeline import Drift, Timeline, timeline
from pdlint.policy.model import Sourced, format_duration

HISTORY_CSV = "drift-history.csv"
RUNS_CSV = "drift-runs.csv"
HISTORY_COLUMNS = ("rule", "severity", "waived", "resource_type", "resource_id",
                   "resource_name", "message", "previous_run", "first_seen", "last_seen",
                   "resolved_at", "days_open", "opened_at", "opened_by", "opened_change",
                   "closed_at", "closed_by", "closed_change")
RUN_COLUMNS = ("file", "checked_at", "complete", "error", "warning", "info", "waived",
               "not_checked", "skipped")

NO_RUN = "no drift run recorded in the period"
"""Why the drifts of the period and its days with an open error are not measured."""

AUDIT_TYPES = {"escalation_policy": "escalation_policies", "schedule": "schedules",
               "service": "services", "user": "users", "team": "teams"}
"""A finding's resource type -> the Audit Trail's root resource type of the same object."""


@dataclass(frozen=True)
class TrackedDrift:
    """A drift of the period and the audit records that opened and closed it, where found."""

    drift: Drift
    days_open: float
    opened_by: ConfigurationChange | None
    closed_by: ConfigurationChange | None


@dataclass(frozen=True)
class HistorySection:
    """What ``evidence.json`` holds under ``history``."""

    folder: str
    stream: Stream
    cadence: str | None
    """The documented cadence as the policy writes it; None when not documented."""
    cadence_at: Location | None
    timeline: Timeline
    drifts: tuple[TrackedDrift, ...] | None
    """None when not measured (``Timeline.drifts``)."""
    changes_read: bool
    others: tuple[tuple[Stream, int], ...]
    """The other accounts and policies recorded in the folder, kept apart: (stream, runs)."""
    unreadable: tuple[Unreadable, ...]


def history_section(history: History, stream: Stream, measured: Interval,
                    cadence: Sourced[timedelta] | None, cadence_at: Location | None,
                    changes: ChangeSummary | None) -> tuple[HistorySection, list[Skipped]]:
    """The section for ``stream`` over the measured period, and what of it was skipped."""
    streams = history.streams()
    runs = streams.get(stream, ())
    line = timeline(stream, runs, measured.start, measured.end,
                    cadence.value if cadence else None)
    every_change = changes.every_change if changes is not None else ()
    found = _ChangeIndex(every_change)
    drifts = None if line.drifts is None else tuple(TrackedDrift(
        drift, line.days_open(drift),
        found.latest(drift.finding.resource, drift.absent_at, drift.first_seen),
        found.latest(drift.finding.resource, drift.last_seen, drift.resolved_at))
        for drift in line.drifts)
    others = tuple((other, len(other_runs)) for other, other_runs in streams.items()
                   if other != stream)
    written = (cadence.written or format_duration(cadence.value)) if cadence else None
    section = HistorySection(str(history.folder), stream, written, cadence_at, line, drifts,
                             changes is not None, others, history.unreadable)
    return section, list(_skips(section))


def _skips(section: HistorySection) -> Iterable[Skipped]:
    folder = section.folder
    if section.unreadable:
        names = "; ".join(f"{item.name} ({item.reason})" for item in section.unreadable)
        yield Skipped("history", f"{counted(len(section.unreadable), 'file')} of {folder} "
                                 f"skipped, not drift reports (counted in nothing): {names}")
    if not section.timeline.runs:
        others = "; ".join(f"{stream}: {counted(count, 'run')}"
                           for stream, count in section.others)
        yield Skipped("history", f"no drift run of {section.stream} in the period is recorded "
                                 f"in {folder}" + (f" (it holds {others}, kept apart)"
                                                   if others else ""))
    if section.timeline.gaps is None:
        yield Skipped("history", "monitoring gaps not measured: the policy documents no "
                                 "organisation.drift_check_every")


class _ChangeIndex:
    """The changes of each audited object, by id and by name, for finding the one that opened
    or closed a drift."""

    def __init__(self, changes: Sequence[ConfigurationChange]) -> None:
        self._by_id: dict[tuple[str, str], list[ConfigurationChange]] = {}
        self._by_name: dict[tuple[str, str], list[ConfigurationChange]] = {}
        for change in changes:
            if change.resource_id:
                self._by_id.setdefault((change.resource_type, change.resource_id),
                                       []).append(change)
            if change.resource_name:
                self._by_name.setdefault((change.resource_type, change.resource_name),
                                         []).append(change)

    def latest(self, resource: Resource, after: datetime | None,
               until: datetime | None) -> ConfigurationChange | None:
        """The latest change to ``resource`` after ``after`` and at or before ``until``; None
        without both ends (the drift began before the first run, or is not resolved)."""
        kind = AUDIT_TYPES.get(resource.type)
        if kind is None or after is None or until is None:
            return None
        changes = (self._by_id.get((kind, resource.id), []) if resource.id
                   else self._by_name.get((kind, resource.name or ""), []))
        within = [change for change in changes if after < change.at <= until]
        return max(within, key=lambda change: (change.at, change.id), default=None)


def monitored_share(section: HistorySection) -> float | None:
    """The part of the measured period not in a monitoring gap, 0 to 1; None when not
    measured."""
    monitored = section.timeline.monitored
    length = section.timeline.until - section.timeline.since
    return None if monitored is None or not length else monitored / length


def _change_entry(change: ConfigurationChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {"id": change.id, "at": iso(change.at), "actor": change.actor,
            "action": change.action,
            "fields": None if change.fields is None else list(change.fields)}


def history_entry(section: HistorySection) -> dict[str, Any]:
    """``evidence.json``'s ``history``."""
    line = section.timeline
    gaps = line.gaps
    days = line.error_days()
    return {
        "folder": section.folder,
        "account": {"api_url": section.stream.api_url, "subdomain": section.stream.subdomain},
        "policy_path": section.stream.policy_path,
        "cadence": section.cadence,
        "cadence_documented_at": str(section.cadence_at) if section.cadence_at else None,
        "runs": [{"file": run.name, "checked_at": iso(run.checked_at), "complete": run.complete,
                  **run.counts._asdict(), "skipped": [skip.to_dict() for skip in run.skipped]}
                 for run in line.runs],
        "monitoring_gaps": None if gaps is None else [
            {"start": iso(gap.start), "end": iso(gap.end),
             "seconds": int(gap.length.total_seconds())} for gap in gaps],
        "monitored_seconds": (None if line.monitored is None
                              else int(line.monitored.total_seconds())),
        "measured_seconds": int((line.until - line.since).total_seconds()),
        "monitored_share": monitored_share(section),
        "findings": None if section.drifts is None else [_drift_entry(tracked)
                                                         for tracked in section.drifts],
        "error_days": None if days is None else [day.isoformat() for day in days],
        "changes_read": section.changes_read,
        "other_histories": [{"account": {"api_url": stream.api_url,
                                         "subdomain": stream.subdomain},
                             "policy_path": stream.policy_path, "runs": count}
                            for stream, count in section.others],
        "skipped_files": [{"file": item.name, "reason": item.reason}
                          for item in section.unreadable],
    }


def _drift_entry(tracked: TrackedDrift) -> dict[str, Any]:
    drift = tracked.drift
    finding = drift.finding
    return {
        "key": finding.key.replace("\x1f", " "),
        "rule": finding.rule, "severity": finding.severity.value, "waived": finding.waived,
        "resource": finding.resource.to_dict(), "message": finding.message,
        "previous_run": iso(drift.absent_at), "first_seen": iso(drift.first_seen),
        "last_seen": iso(drift.last_seen), "resolved_at": iso(drift.resolved_at),
        "days_open": tracked.days_open, "runs_seen": drift.seen,
        "opened_by": _change_entry(tracked.opened_by),
        "closed_by": _change_entry(tracked.closed_by),
    }


def history_rows(section: HistorySection) -> dict[str, tuple[Sequence[str], list[list[Any]]]]:
    """The rows of ``drift-history.csv`` (each drift of the period; not written when not
    measured) and ``drift-runs.csv`` (each run of the period), with their columns."""
    runs = [[run.name, iso(run.checked_at), "yes" if run.complete else "no",
             *run.counts, "; ".join(f"{skip.rule}: {skip.reason}" for skip in run.skipped)]
            for run in section.timeline.runs]
    rows: dict[str, tuple[Sequence[str], list[list[Any]]]] = {RUNS_CSV: (RUN_COLUMNS, runs)}
    if section.drifts is not None:
        rows[HISTORY_CSV] = (HISTORY_COLUMNS, [_drift_row(tracked) for tracked in section.drifts])
    return rows


def _drift_row(tracked: TrackedDrift) -> list[Any]:
    drift, finding = tracked.drift, tracked.drift.finding
    return [finding.rule, finding.severity.value, "yes" if finding.waived else "no",
            finding.resource.type, finding.resource.id, finding.resource.name, finding.message,
            iso(drift.absent_at), iso(drift.first_seen), iso(drift.last_seen),
            iso(drift.resolved_at), tracked.days_open, *_change_cells(tracked.opened_by),
            *_change_cells(tracked.closed_by)]


def _change_cells(change: ConfigurationChange | None) -> list[str | None]:
    return [None, None, None] if change is None else [iso(change.at), change.actor, change.id]


def day_list(days: Sequence[date]) -> str:
    """Days as ranges: ``2026-11-03 to 2026-11-05, 2026-11-09``."""
    ranges: list[tuple[date, date]] = []
    for day in days:
        if ranges and day - ranges[-1][1] == timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ", ".join(start.isoformat() if start == end else f"{start} to {end}"
                     for start, end in ranges)
