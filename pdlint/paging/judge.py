"""The paging path held to the policy: which documented severities a service takes and when, the
deadline for their first phone or SMS call, and each stretch of a window judged against it.
Shared by the drift rule (PATH600) and the evidence package, so that both judge alike.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import compress, repeat
from operator import is_not, itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pdlint.coverage import Interval, merge, subtract, total, weekly_hours
from pdlint.memo import Memo, once
from pdlint.pagerduty.model import Account, MaintenanceWindow
from pdlint.pagerduty.model import Service as LiveService
from pdlint.pagerduty.state import format_utc
from pdlint.paging.orchestration import orchestration_overlays
from pdlint.paging.path import Gate, Outcome, Overlay, Paths, UnknownOverlay, Verdict
from pdlint.policy.model import IncidentSeverity, Service, Sourced, whole_minutes


def paged_severities(policy_severities: Sequence[IncidentSeverity],
                     documented: Service) -> list[IncidentSeverity]:
    """The high-urgency severities with a deadline for the first call that the service takes:
    all of them, unless the service is documented as low urgency."""
    if documented.urgency is not None and documented.urgency.value == "low":
        return []
    return [severity for severity in policy_severities
            if severity.urgency.value == "high" and deadline(severity) is not None]


def deadline(severity: IncidentSeverity) -> Sourced[timedelta] | None:
    """How soon someone must be phoned or texted: ``first_page_within``, else the response SLA
    when it is a duration."""
    if severity.first_page_within is not None:
        return severity.first_page_within
    sla = severity.response_sla
    if sla.value.within is None:
        return None
    return Sourced(sla.value.within, sla.location, sla.written)


def required_time(documented: Service, window: Interval) -> Sequence[Interval]:
    """When the service must page for a high-urgency severity, sorted and disjoint: always, or
    during its documented support hours when it is documented as ``support_hours`` (outside
    them the policy itself makes its incidents low urgency)."""
    hours = documented.support_hours
    if documented.urgency is None or documented.urgency.value != "support_hours" or hours is None:
        return [window]
    return _weekly_hours(window, hours.zone, hours.days_of_week, hours.start.value,
                         hours.end.value)


@functools.lru_cache(maxsize=16)
def _weekly_hours(window: Interval, zone: ZoneInfo, days: tuple[int, ...], opens: time,
                  closes: time) -> tuple[Interval, ...]:
    """``weekly_hours``, kept for the few support hours a policy documents: every service
    documented with the same ones asks again, once for each severity it takes."""
    return tuple(weekly_hours(window, zone, days, opens, closes))


class Judged(NamedTuple):
    """A stretch of the checked time, ``start`` to ``end``, the path of a trigger in it, and
    the verdict. A named tuple with its times in it, not a frozen dataclass holding an
    ``Interval``: as immutable, and made in less CPU (a year of the enterprise account is
    ~240,000 stretches not met; ``coverage.Span`` measures and groups them as they are)."""

    start: datetime
    end: datetime
    verdict: Verdict
    outcome: Outcome | None
    """None when the deadline is met."""

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


def allowed_maintenance(documented: Service, live: LiveService, paths: Paths,
                        organisation_zone: ZoneInfo) -> list[Interval]:
    """The service's maintenance windows the policy allows (``maintenance_windows``, as SVC310
    judges them): no incident is created then, and the policy accepts it."""
    allowed = documented.maintenance_windows
    if allowed is None:
        return []
    return [Interval(window.start, window.end)
            for window in paths.maintenance_windows(live.id) or ()
            if allowed.allows(window.start, window.end, organisation_zone)]


@dataclass(frozen=True)
class JudgedService:
    """A service and severity judged over a window: the part judged, how long it had to page,
    how long a call came in time, how long pdlint could not tell, and the stretches not met
    (neighbours with the same verdict and outcome as one), in time order."""

    measured: Interval
    required: timedelta
    met: timedelta
    not_read: timedelta
    unmet: tuple[Judged, ...]


def paths_of(account: Account) -> Paths:
    """The paths of ``account``, one for a run (``memo.once_per_run``): the evidence judges
    every documented service for its drift report (PATH600) and for its paging section, on the
    same account over the same window."""
    return once(Paths, (account,), lambda: Paths(account))


def judged_service(paths: Paths, documented: Service, live: LiveService,
                   severity: IncidentSeverity, window: Interval,
                   organisation_zone: ZoneInfo) -> JudgedService:
    """The service judged for ``severity`` over ``window`` (``_judged``), the maintenance the
    policy allows (judged in ``organisation_zone``) excused. Inside ``memo.once_per_run`` a
    judgement is kept until it is asked for again, by the same inputs, then handed on and
    forgotten: the memory holds the judgements between the two that ask, not all of them
    twice. The memo is the judgements', not the paths' (``Paths`` works out the account, never
    the policy), one for each ``Paths`` of a run."""
    excused = allowed_maintenance(documented, live, paths, organisation_zone)
    memo: Memo[tuple[Any, ...], JudgedService] = once(judged_service, (paths,), Memo)
    return memo.handed_on(
        (documented.name, live.id, severity.id, window, tuple(excused)),
        lambda: _judged(paths, documented, live, severity, window, excused))


def _judged(paths: Paths, documented: Service, live: LiveService, severity: IncidentSeverity,
            window: Interval, excused: Sequence[Interval]) -> JudgedService:
    """The time the service must page for ``severity`` (less ``excused``: the maintenance the
    policy allows), judged. Only the triggers whose whole deadline lies inside ``window`` (the
    rendered one) are judged: what comes after the rendering ends is not known. Most of a year
    is met: the met stretches are passed over, the met time counted as the time required less
    the stretches not met, and a stretch not met joins the one before when nothing lies between
    them and they have the same verdict and outcome."""
    written = deadline(severity)
    assert written is not None, "paged_severities keeps severities with a deadline"
    checked = Interval(window.start, max(window.start, window.end - written.value))
    # The path over the whole window, whatever the deadline: severities of one urgency share it.
    verdicts = paths.judgements(live, severity.urgency.value, window,
                                whole_minutes(written.value), overlays_of(live, paths))
    breaks, values = verdicts.breaks, verdicts.values
    needs = subtract(required_time(documented, checked), merge(excused))
    unmet: list[Judged] = []
    for need in needs:
        # The stretches of the need: cut at each break inside it, each with its value.
        first = bisect.bisect_right(breaks, need.start)
        last = bisect.bisect_left(breaks, need.end, first)
        inner = breaks[first:last]
        judgements = values[first:last + 1]
        # About half the stretches are met: passed over in C, not looked at here.
        for start, end, (verdict, outcome) in compress(
                zip((need.start, *inner), (*inner, need.end), judgements, strict=True),
                map(is_not, map(itemgetter(0), judgements), repeat(Verdict.MET))):
            before = unmet[-1] if unmet else None
            if (before is not None and before.end == start
                    and before.verdict is verdict and before.outcome == outcome):
                unmet[-1] = Judged(before.start, end, verdict, outcome)
            else:
                unmet.append(Judged(start, end, verdict, outcome))
    required = total(needs)
    met = required - total(unmet)  # the needs are cut into stretches, met or not, exactly
    unread = total(stretch for stretch in unmet if stretch.verdict is Verdict.NOT_READ)
    return JudgedService(checked, required, met, unread, tuple(unmet))


PAGING_COLLECTIONS = ("services", "escalation_policies", "schedules", "users",
                      "maintenance_windows", "service_orchestrations")
"""What the path is made of: when one of them could not be read, the run reports it skipped
and the path is not worked out (a partial read never adds a finding)."""


def unread_collection(account: Account) -> str | None:
    """Why the path cannot be worked out at all (a collection it needs was not read), or None."""
    for name in PAGING_COLLECTIONS:
        collection = getattr(account, name)
        reason = (collection.skip_reason if hasattr(collection, "skip_reason")
                  else account.skip_reason(name))
        if reason is not None:
            return f"the {name.replace('_', ' ')} could not be read ({reason})"
    return None


def overlays_of(live: LiveService, paths: Paths) -> tuple[Overlay, ...]:
    """What lies over the service's urgency rule, each a set of intervals: its event
    orchestration (alerts suppressed or suspended, their severity set, when its time conditions
    hold; ``paging.orchestration``), then its maintenance windows (no incident is created
    inside one, whatever the orchestration does). An orchestration the read did not ask for
    (``Account.orchestration_read``: a run reads the documented services') makes the gate not
    read, never "no orchestration", as maintenance windows not read make it, never "no
    window"; a window returned without its services makes it not read in its own hours only
    (``path.UnknownOverlay``), under the windows that list the service."""
    found = paths.overlays.get(live.id)
    if found is None:
        found = paths.overlays[live.id] = _overlays(live, paths)
    return found


def _overlays(live: LiveService, paths: Paths) -> tuple[Overlay, ...]:
    account = paths.account
    orchestration = account.service_orchestrations.get(live.id)
    rendered = Interval(account.window.since, account.window.until)
    policies = account.escalation_policies

    def policy_named(policy_id: str) -> str:
        policy = policies.by_id(policy_id)
        return (f"escalation policy '{policy.name}'" if policy is not None and policy.name
                else f"escalation policy {policy_id}")

    orchestrated = (
        (Overlay((rendered,), Gate(None, "its event orchestration was not read", read=False)),)
        if not account.orchestration_read(live)
        else () if orchestration is None
        else orchestration_overlays(orchestration, rendered, policy_named))
    windows = paths.maintenance_windows(live.id)
    if windows is None:
        return (*orchestrated, Overlay((rendered,), Gate(
            None, account.maintenance_unread or "", read=False)))
    # A window returned without its services may hold this one, in its own hours only; one
    # that lists it holds it, whatever another may do.
    return (*orchestrated, *(
        UnknownOverlay((Interval(window.start, window.end),), Gate(
            None, f"PagerDuty returned {_window_words(window)} without its services: whether "
                  "it holds this service is not known", read=False))
        for window in account.maintenance_unlisted), *(
        Overlay((Interval(window.start, window.end),), Gate(None, _window_words(window)))
        for window in windows))


def _window_words(window: MaintenanceWindow) -> str:
    return (f"maintenance window '{window.name or window.id}' from {format_utc(window.start)} "
            f"to {format_utc(window.end)}")
