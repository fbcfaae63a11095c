"""The accounts the bench serves, and the fewest requests the API allows for reading each.

The minimum is computed from the account's own sizes and PagerDuty's page limits, independently
of how pdlint pages: it is what any client must send to read the same data.

* configuration: one request per 100 objects of each classic collection (escalation policies,
  schedules rendered with ``include[]``, services, users with ``include[]`` of their contact
  methods and notification rules, teams, priorities), at least one each; one per 1,000
  shift-based schedules (``/v3/schedules``) and one for each, read whole (rotations and
  computed shifts: the listing gives references only); one per 100 maintenance windows under
  way and one per 100 to come, at least one each (the spec defines no single filter for both:
  ``open`` is listed without a meaning); one per 100 incident workflows (with their steps) and
  one per 100 of their triggers (cursor pages), at least one each; one per 100 Alert Grouping
  Settings (pages by the ``after`` cursor; the spec gives no maximum, the simulator serves
  100), at least one; one per 100 global event
  orchestrations and one for each one's router, one for the event orchestration of each
  service whose orchestration is checked (PagerDuty lists them nowhere: every service not
  disabled for a snapshot, the documented ones not disabled for a policy's drift or evidence)
  and one for the active status of each that has a rule or a catch-all action; for a policy
  scoped to some teams, the teams' services by ``team_ids[]``, one ``total`` request counting
  the account's, and one for each documented service outside them, looked for by name;
* maintenance windows ended before the evidence reads the account: one per 100 of every
  service's (``filter=past``; the API narrows the listing by no time), at least one;
* incidents: one ``POST /analytics/raw/incidents`` per 1,000 incidents of the period;
* audit records: a request covers at most 31 days and returns at most 100 records, so at least
  ``max(ceil(days / 31), ceil(records / 100))``;
* postmortems recorded as incident notes: one ``GET /incidents/{id}/notes`` per incident whose
  severity requires a postmortem (the API lists notes per incident only);
* communication: for each incident whose severity names who must be told (``notify``), one
  ``GET /incidents/{id}`` for its responder requests and one
  ``GET /incidents/{id}/status_updates/subscribers`` for its subscribers, each only when
  asked (the subscribers have no listing; the responder requests are counted per incident as
  pdlint reads them, see docs/benchmarks.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pdlint.sim import Account
from pdlint.sim.account import Service

CLASSIC_PAGE = 100
V3_SCHEDULES_PAGE = 1000
ANALYTICS_PAGE = 1000
AUDIT_PAGE = 100
AUDIT_SPAN = timedelta(days=31)


def pages(count: int, size: int) -> int:
    """Requests to list ``count`` objects ``size`` at a time; an empty list still costs one."""
    return max(1, math.ceil(count / size))


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime

    def days(self) -> float:
        return (self.until - self.since) / timedelta(days=1)


@dataclass(frozen=True)
class Documented:
    """What a policy asks of the read beyond the listings: the services it documents (by name
    and pinned id), whose orchestrations are read, and the team ids of its scope (None: no
    scope); and, for the evidence, how many requests each incident of a priority (by name)
    costs to tell whether those the policy names were told."""

    names: frozenset[str]
    ids: frozenset[str] = frozenset()
    team_ids: frozenset[str] | None = None
    told: Mapping[str, int] = field(default_factory=dict)

    def hold(self, service: Service) -> bool:
        return service.id in self.ids or service.name in self.names


def configuration_requests(account: Account, documented: Documented | None = None) -> int:
    """The fewest requests that read what ``pdlint snapshot`` reads (``documented`` None: every
    service's orchestration), or ``pdlint drift`` for a policy that documents ``documented``.

    With a scope (``pdlint init --team`` drafts one), the teams' services are listed by
    ``team_ids[]``, one ``total`` request counts the account's services (the report says how
    many are outside), each documented service the teams do not hold is looked for by name, and
    the other collections are read whole: in a generated account the escalation policies the
    teams' services use, the schedules those page and the people on them belong to any team;
    listed by team they would be missed, and read one by one they cost a request each, far more
    than their listings."""
    classic = (account.escalation_policies, account.schedules, account.users,
               account.teams, account.priorities, account.incident_workflows,
               account.workflow_triggers, account.alert_grouping_settings)
    windows = [window.state(account.now) for window in account.maintenance_windows]
    team_ids = documented.team_ids if documented is not None else None
    if team_ids is None:
        read = list(account.services)
        services = pages(len(read), CLASSIC_PAGE)
    else:
        theirs = [service for service in account.services if team_ids & set(service.team_ids)]
        held = {service.name for service in theirs}
        elsewhere = [name for name in sorted(documented.names if documented else ())
                     if name not in held]
        read = theirs + [service for service in account.services if service.name in elsewhere]
        services = pages(len(theirs), CLASSIC_PAGE) + 1 + len(elsewhere)
    orchestrated = [service.orchestration for service in read if service.status != "disabled"
                    and (documented is None or documented.hold(service))]
    return (sum(pages(len(objects), CLASSIC_PAGE) for objects in classic) + services
            + pages(len(account.v3_schedules), V3_SCHEDULES_PAGE) + len(account.v3_schedules)
            + sum(pages(windows.count(state), CLASSIC_PAGE) for state in ("ongoing", "future"))
            + pages(len(account.event_orchestrations), CLASSIC_PAGE)
            + len(account.event_orchestrations) + len(orchestrated)
            + sum(orchestration.acts for orchestration in orchestrated))


def incidents_in(account: Account, period: Period) -> range:
    return account.incidents.created_between(period.since, period.until)


def per_incident(account: Account, period: Period, requests: Mapping[str, int]) -> int:
    """The requests of the period's incidents, ``requests`` of each by its priority's name."""
    names = {priority.id: priority.name for priority in account.priorities}
    return sum(requests.get(names.get(account.incidents[index].priority_id or "", ""), 0)
               for index in incidents_in(account, period))


def postmortems_due(account: Account, period: Period, priorities: frozenset[str]) -> int:
    """Incidents of the period whose priority (by name) maps to a severity with a postmortem."""
    return per_incident(account, period, dict.fromkeys(priorities, 1))


def evidence_requests(account: Account, period: Period, documented: Documented, *,
                      note_priorities: frozenset[str]) -> dict[str, int]:
    """The fewest requests of ``pdlint evidence`` over ``period`` for a policy that documents
    ``documented``, by purpose.

    ``note_priorities`` names the priorities whose incidents need a postmortem looked up in
    their notes (empty when the policy keeps postmortems in a register file).
    """
    audit = sum(1 for record in account.audit_records
                if period.since <= record.execution_time < period.until)
    return {
        "configuration": configuration_requests(account, documented),
        "ended maintenance windows": pages(sum(
            1 for window in account.maintenance_windows if window.state(account.now) == "past"),
            CLASSIC_PAGE),
        "incidents": pages(len(incidents_in(account, period)), ANALYTICS_PAGE),
        "audit records": max(math.ceil(period.days() / AUDIT_SPAN.days),
                             math.ceil(audit / AUDIT_PAGE)),
        "postmortem notes": (postmortems_due(account, period, note_priorities)
                             if note_priorities else 0),
        "communication": per_incident(account, period, documented.told),
    }
