"""What the runs of one account and policy say over a period: the runs, the intervals longer
than the documented cadence without a complete run (monitoring gaps), each drift from the run
that first saw it to the run that first did not, and the days an error was open.

Every time is a run's ``checked_at``: a drift is known to be open from the first run that saw
it, and known to be gone at the first later complete run that ran its rule and did not see it.
Between two runs nothing is known, which is why the runs' cadence is part of the evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from operator import attrgetter

from pdlint.findings import Severity
from pdlint.history.folder import RecordedFinding, Run, Stream

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Gap:
    """An interval of the period longer than the cadence without a complete run."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Drift:
    """One finding (by key) from the run that first saw it to the run that first did not."""

    finding: RecordedFinding
    """The finding as the last run that saw it recorded it."""
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    """The first later complete run that ran the rule without the finding; None while open."""
    absent_at: datetime | None
    """The last complete run before ``first_seen`` that ran the rule without the finding (the
    drift began after it); None when no run before saw the account without it."""
    seen: int
    """How many runs saw it."""

    def open_until(self, end: datetime) -> datetime:
        return self.resolved_at or end

    @property
    def counts(self) -> bool:
        """Whether it is an error nobody accepted: what makes a day a day with an open error."""
        return self.finding.severity is Severity.ERROR and not self.finding.waived


@dataclass(frozen=True)
class Timeline:
    """The history of one stream over ``[since, until)``."""

    stream: Stream
    since: datetime
    until: datetime
    cadence: timedelta | None
    """The documented cadence; None when the policy documents none."""
    runs: tuple[Run, ...]
    """The runs in the period, complete or not."""
    gaps: tuple[Gap, ...] | None
    """None when there is no cadence to measure gaps by."""
    drifts: tuple[Drift, ...] | None
    """Every drift open at some time of the period, by first seen; None when no run of the
    period looked at the account: what was open then is not known, not none."""

    @property
    def monitored(self) -> timedelta | None:
        """The part of the period not in a monitoring gap; None when gaps are not measured."""
        if self.gaps is None:
            return None
        return self.until - self.since - sum((gap.length for gap in self.gaps), timedelta())

    def error_days(self) -> tuple[date, ...] | None:
        """The days (UTC) of the period with at least one error, not waived, open; None when
        the drifts were not measured."""
        if self.drifts is None:
            return None
        days: set[date] = set()
        for drift in self.drifts:
            if drift.counts:
                start = max(drift.first_seen, self.since)
                end = min(drift.open_until(self.until), self.until)
                day = start.date()
                while datetime.combine(day, datetime.min.time(), start.tzinfo) < end:
                    days.add(day)
                    day += DAY
        return tuple(sorted(days))

    def days_open(self, drift: Drift) -> float:
        """From first seen to resolved (or the end of the period), in days to one decimal."""
        return round((drift.open_until(self.until) - drift.first_seen) / DAY, 1)


def timeline(stream: Stream, runs: Sequence[Run], since: datetime, until: datetime,
             cadence: timedelta | None) -> Timeline:
    """The timeline of ``runs`` (one stream's, in time order) over ``[since, until)``. Runs
    before the period tell when a drift open in it began; runs after it are not looked at.
    Without a run in the period, its drifts are not measured."""
    before_end = [run for run in runs if run.checked_at < until]
    in_period = tuple(run for run in before_end if run.checked_at >= since)
    drifts = tuple(drift for drift in drift_spans(before_end)
                   if drift.first_seen < until and drift.open_until(until) > since
                   ) if in_period else None
    gaps = None if cadence is None else tuple(_gaps(before_end, since, until, cadence))
    return Timeline(stream, since, until, cadence, in_period, gaps, drifts)


def _gaps(runs: Sequence[Run], since: datetime, until: datetime,
          cadence: timedelta) -> Iterator[Gap]:
    """Every interval between consecutive complete runs (the period's start and end count as
    runs when no complete run came before) longer than ``cadence``, within the period."""
    times = [run.checked_at for run in runs if run.complete]
    earlier = [moment for moment in times if moment <= since]
    points = [earlier[-1] if earlier else since,
              *(moment for moment in times if moment > since), until]
    for start, end in pairwise(points):
        if end - start > cadence:
            yield Gap(max(start, since), end)


@dataclass(frozen=True)
class _Open:
    """A drift open: its rule, when first seen, the run before (``Drift.absent_at``), and how
    many runs had seen its key before it opened."""

    rule: str
    first_seen: datetime
    absent_at: datetime | None
    seen_before: int


_KEY = attrgetter("key")


def drift_spans(runs: Sequence[Run]) -> list[Drift]:
    """Each finding key's spans, open to closed, over ``runs``: a key closed and seen again
    later opens a new span. A run that skipped checks, or did not run the finding's rule,
    neither sees a drift gone nor saw the account without it; nor does a run, for a key whose
    findings report a check not made (``Run.not_checked``): they open no drift.

    A run's findings are mostly the last run's: what each run changes is found by set
    operations, and the latest finding, last sighting and number of sightings of every key
    are kept up to date in bulk, so that a year of runs of thousands of findings each is
    followed in a fraction of a second."""
    opened: dict[str, _Open] = {}
    latest: dict[str, RecordedFinding] = {}  # key -> the finding as the last run that saw it
    last_seen: dict[str, datetime] = {}
    sightings: Counter[str] = Counter()  # key -> how many runs saw it
    judged_at: dict[str, datetime] = {}  # rule -> the last complete run that ran it
    # key -> the last complete run that could not check it, and the key's previous run then
    blind: dict[str, tuple[datetime, datetime | None]] = {}
    done: list[Drift] = []

    def previous_run(key: str, rule: str) -> datetime | None:
        """The last complete run that ran ``rule`` and checked ``key`` without seeing it."""
        judged = judged_at.get(rule)
        unseen = blind.get(key)
        return unseen[1] if unseen and judged and judged <= unseen[0] else judged

    def drift(key: str, span: _Open, resolved_at: datetime | None) -> Drift:
        return Drift(latest[key], span.first_seen, last_seen[key], resolved_at, span.absent_at,
                     sightings[key] - span.seen_before)

    for run in runs:
        present = dict(zip(map(_KEY, run.findings), run.findings, strict=True))
        unchecked = set(map(_KEY, run.not_checked))
        if run.complete:
            for key in opened.keys() - present.keys() - unchecked:
                if opened[key].rule in run.rules:
                    done.append(drift(key, opened.pop(key), run.checked_at))
            for finding in run.not_checked:
                blind[finding.key] = (run.checked_at,
                                      previous_run(finding.key, finding.rule))
        for key in present.keys() - opened.keys():
            rule = present[key].rule
            opened[key] = _Open(rule, run.checked_at, previous_run(key, rule), sightings[key])
        latest.update(present)
        last_seen.update(dict.fromkeys(present, run.checked_at))
        sightings.update(present.keys())
        if run.complete:
            judged_at.update(dict.fromkeys(run.rules, run.checked_at))
    done.extend(drift(key, span, None) for key, span in opened.items())
    return sorted(done, key=lambda drift: (drift.first_seen, drift.finding.key))
