"""The paging path over the audit period: for each documented service and each high-urgency
severity it takes, the share of the time it had to page in which someone was phoned or texted
within the deadline, and the stretches without. Judged by ``pdlint.paging.judge``, as the drift
rule PATH600 judges it, so that the package and the drift check agree on every stretch.

Memory does not grow with the services beyond their rows: each service keeps its totals and at
most ``STRETCHES_KEPT`` stretches; the paths shared by many services (escalation policies,
schedules, people) are worked out once, and a service's own path is kept only among the most
recently used (``paging.path.SERVICE_PATHS_KEPT``). ``bench/paging_memory.py`` measures it
(docs/benchmarks.md). In ``pdlint evidence`` the drift report's PATH600 judges each service
first, and hands its judgement (totals and the stretches not met) on to this section
(``paging.judge.judged_service``, inside ``memo.once_per_run``): between the two, those
are held for every service.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pdlint.collector import collector_paused
from pdlint.coverage import Interval, total
from pdlint.evidence.coverage import MIN_MEASURED
from pdlint.findings import Location, Skipped, counted
from pdlint.pagerduty.model import Account, Collection, MaintenanceWindow
from pdlint.pagerduty.state import format_utc
from pdlint.paging.explain import outcome_words
from pdlint.paging.judge import (
    deadline,
    judged_service,
    paged_severities,
    paths_of,
    unread_collection,
)
from pdlint.paging.path import Verdict
from pdlint.policy.model import Policy, format_duration
from pdlint.rules.matching import both_sides
from pdlint.rules.services import service_pairs

STRETCHES_KEPT = 200
"""Stretches without a timely call kept per service and severity (all are counted and timed):
a weekly hole over a year is 52."""


@dataclass(frozen=True)
class Uncalled:
    """A stretch of the period in which no one would have been phoned or texted in time, or, in
    ``ServicePaging.unread``, one in which whether someone would is not known (``not read``)."""

    interval: Interval
    verdict: Verdict
    why: str


@dataclass(frozen=True)
class ServicePaging:
    """One documented service and severity over the period: how long it had to page, how long
    a call came in time, how long pdlint could not tell, and the stretches without a timely
    call (the first ``STRETCHES_KEPT``; ``uncalled_count`` and ``uncalled_time`` count all)."""

    service: str
    service_id: str | None
    severity: str
    within: str
    """The deadline for the first call, as the policy writes it."""
    location: Location
    measured: Interval | None = None
    required: timedelta | None = None
    met: timedelta | None = None
    not_read: timedelta | None = None
    uncalled: tuple[Uncalled, ...] = ()
    uncalled_count: int | None = None
    uncalled_time: timedelta | None = None
    """Both None when not measured: not worked out, or none of the time required was read."""
    unread: tuple[Uncalled, ...] = ()
    """The stretches not read (the first ``STRETCHES_KEPT``; ``not_read`` times all): neither
    called nor uncalled."""
    problem: str | None = None
    note: str | None = None
    """What the figures leave out, when they do: the maintenance windows that had ended when
    the account was read, when they could not be read (or a snapshot holds none)."""

    @property
    def share(self) -> float | None:
        """The share of the time read in which a call came in time; None when none was read."""
        if self.required is None or self.met is None or self.not_read is None:
            return None
        read = self.required - self.not_read
        return self.met / read if read else None


def paging_section(policy: Policy, account: Account, period: Interval, read_at: datetime,
                   ended: tuple[MaintenanceWindow, ...] | Skipped | None,
                   ) -> tuple[ServicePaging, ...]:
    """Each documented service's paging path over ``period``; ``read_at`` is when the package
    says the account was read (the run's time, or the snapshot's), so that the same answers give
    the same package. ``ended`` holds the maintenance windows that had ended by then
    (``collect.ended_maintenance``: the account holds those under way and to come), why they
    could not be read, or None when they were not asked for (a snapshot holds none)."""
    with collector_paused():
        return tuple(_measured(policy, with_ended(account, ended), period,
                               _ended_note(ended, read_at) if period.start < read_at else None))


def with_ended(account: Account, ended: tuple[MaintenanceWindow, ...] | Skipped | None,
               ) -> Account:
    """The account with the maintenance windows that had ended when it was read beside those
    under way and to come, each once: the package judges the period with them, its paging
    section and its drift report (PATH600, SVC310) alike. The account itself when there are
    none to add, so that both judge the same account (``memo.once_per_run``)."""
    if not isinstance(ended, tuple) or not account.maintenance_windows.read:
        return account
    known = {window.id for window in account.maintenance_windows}
    added = tuple(window for window in ended if window.id not in known)
    if not added:
        return account
    return replace(account, maintenance_windows=Collection(
        (*account.maintenance_windows, *added)))


def _ended_note(ended: tuple[MaintenanceWindow, ...] | Skipped | None,
                read_at: datetime) -> str | None:
    """What the figures leave out of the maintenance windows that had ended at ``read_at``."""
    if isinstance(ended, tuple):
        return None
    before = f"maintenance windows that ended before {format_utc(read_at)}"
    if ended is None:
        return (f"{before}, when the snapshot was taken, are not in it (a snapshot holds those "
                "under way and to come): the paging figures leave them out")
    return (f"{before}, when the account was read, could not be read ({ended.reason}): the "
            "paging figures leave them out")


def paging_skip(rows: Sequence[ServicePaging]) -> list[Skipped]:
    """The paging section as skipped, in part or in whole, when rows are not measured (not
    worked out, or none of their time read) or its figures leave out maintenance windows that
    were not read (not read, never none): its rows say which."""
    unmeasured = [row for row in rows if row.uncalled_count is None]
    reasons = [f"{counted(len(unmeasured), 'row')} of {len(rows)} not measured "
               f"({_unmeasured_why(unmeasured[0])})"] if unmeasured else []
    reasons += [row.note for row in rows if row.note][:1]
    return [Skipped("paging", "; ".join(reasons))] if reasons else []


def _unmeasured_why(row: ServicePaging) -> str:
    why = row.problem or (row.unread[0].why if row.unread else "none of its time was read")
    return f"{row.service} {row.severity}: {why}"


def _measured(policy: Policy, account: Account, period: Interval,
              note: str | None) -> Iterator[ServicePaging]:
    window = account.window
    start, end = max(period.start, window.since), min(period.end, window.until)
    rendered = (f"the schedules were rendered over {format_utc(window.since)} to "
                f"{format_utc(window.until)}")
    problem = unread_collection(account) or (
        f"{rendered}, which overlaps the period for less than {format_duration(MIN_MEASURED)}"
        if end - start < MIN_MEASURED else None)
    paths = paths_of(account)
    zone = policy.organisation.business_hours.zone
    for documented, live in both_sides(service_pairs(policy, account)):
        for severity in paged_severities(policy.severities, documented):
            written = deadline(severity)
            assert written is not None, "paged_severities keeps severities with a deadline"
            row = ServicePaging(documented.name, live.id, severity.id,
                                written.written or format_duration(written.value),
                                written.location)
            if problem is not None:
                yield replace(row, problem=problem)
                continue
            judged = judged_service(paths, documented, live, severity, Interval(start, end),
                                    zone)
            uncalled = [stretch for stretch in judged.unmet
                        if stretch.verdict is not Verdict.NOT_READ]
            unread = [stretch for stretch in judged.unmet if stretch.verdict is Verdict.NOT_READ]
            measured = not judged.required or judged.not_read < judged.required
            yield replace(
                row, measured=judged.measured, required=judged.required, met=judged.met,
                not_read=judged.not_read, note=note,
                uncalled=tuple(Uncalled(stretch.interval, stretch.verdict,
                                        outcome_words(stretch.outcome))
                               for stretch in uncalled[:STRETCHES_KEPT] if stretch.outcome),
                uncalled_count=len(uncalled) if measured else None,
                uncalled_time=total(uncalled) if measured else None,
                unread=tuple(Uncalled(stretch.interval, stretch.verdict,
                                      outcome_words(stretch.outcome))
                             for stretch in unread[:STRETCHES_KEPT] if stretch.outcome))
