"""PATH rules: the paging path, every piece of the account together.

EP, SCH, SVC and USR rules check each object alone; the combination can still fail while each
passes (an override puts in someone who is phoned late, support hours make nights low urgency,
level 1 has nobody on call while level 2 comes after the SLA). The path is worked out by
``pdlint.paging`` over the window the schedules were rendered for, and judged by
``paging.judge``, as the evidence package judges it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from pdlint.collector import collector_paused
from pdlint.coverage import total
from pdlint.findings import Finding, Severity, counted
from pdlint.pagerduty.model import Service as LiveService
from pdlint.pagerduty.state import format_utc
from pdlint.paging.explain import path_summary, reach_words
from pdlint.paging.judge import (
    Judged,
    deadline,
    judged_service,
    overlays_of,
    paged_severities,
    paths_of,
    unread_collection,
)
from pdlint.paging.path import Paths, Verdict, path_at
from pdlint.policy.model import IncidentSeverity, Service, format_duration
from pdlint.rule import Context, Mode, rule
from pdlint.rules.matching import both_sides, live_resource
from pdlint.rules.schedules import (
    GAPS_LISTED,
    rendered_window,
    uncovered_words,
    weekly_gap_groups,
    when_words,
)
from pdlint.rules.services import service_pairs
from pdlint.zones import zone_named

FAILING = (Verdict.LATE, Verdict.NEVER, Verdict.NO_INCIDENT)

_stretch_time = functools.lru_cache(maxsize=1 << 14)(format_utc)
"""``format_utc`` of a listed stretch's start or end: a year of the enterprise account's findings
lists ~220,000 of them, a few thousand distinct (the services that page alike share their
stretches, and shifts hand over at the same hours), each written once."""


@rule("PATH600", "paging-path",
      title="Every documented service phones someone within the SLA, at every moment",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services", "escalation_policies", "schedules", "schedules_v3", "users",
             "maintenance_windows", "service_orchestrations"))
def check_paging_path(context: Context) -> Iterator[Finding]:
    """Had an incident of a documented high-urgency severity been triggered on a documented
    service at any moment of the checked window, someone must have been phoned or texted within the
    severity's ``first_page_within``, else its ``response_sla``. The path follows what PagerDuty
    does: whether an incident is created (a disabled service creates none, nor does one in a
    maintenance window, nor an alert its event orchestration suppresses or drops), when (an alert
    the orchestration suspends triggers later), its urgency (the urgency rule, support hours, the
    alert's severity, which the orchestration can set, as it can page another escalation policy
    instead of the service's; its time conditions are placed in the week, its conditions on the
    event's fields are named as what may happen, never guessed), and for each escalation level in
    order, loops included, who is on call when the level is engaged (the rendered final schedule,
    overrides included, a shift-based schedule's computed shifts, or the user targeted; on a
    round-robin level, any one of its targets, so the latest of them counts) and their notification
    rules for that urgency, with their delays. A low-urgency incident does not escalate. A service
    documented as ``support_hours`` must page so during its documented support hours; one documented
    as ``low`` urgency is not checked. Each failing stretch is a finding in the organisation's time
    zone (one finding for a stretch that recurs every week at the same local time, the first ten per
    service and severity, then one counting the rest), with the path at its start: which level, who,
    which rule at which minute. Stretches the key could not read (a service returned without
    its status, a schedule not rendered, notification rules or a person's contact methods not
    readable, the hours of a maintenance window PagerDuty returned
    without its services, which may hold any service: only those hours, the rest judged as
    usual; after the last level of an escalation policy returned without ``num_loops``, whether
    it starts again), and those where a shift-based schedule has several people on
    call at once (the path follows one person a schedule), are reported as not checked, never as
    paged or not paged; when a collection the path is made of (services, escalation policies,
    schedules, users, maintenance windows, service orchestrations) could not be read, the run
    reports it skipped and this rule adds nothing. A trigger is judged when its whole deadline lies
    in the rendered window."""
    policy = context.policy
    account = context.live
    severities = policy.severities
    zone_name = policy.organisation.time_zone.value
    zone = zone_named(zone_name)
    if zone is None or not severities or unread_collection(account) is not None:
        return
    found: list[Finding] = []
    with collector_paused():
        paths = paths_of(account)
        window = rendered_window(account)
        for documented, live in both_sides(service_pairs(policy, account)):
            for severity in paged_severities(severities, documented):
                judged = judged_service(paths, documented, live, severity, window, zone)
                found += _findings(paths, documented, live, severity, judged.unmet, zone,
                                   zone_name)
    yield from found


def _findings(paths: Paths, documented: Service, live: LiveService, severity: IncidentSeverity,
              stretches: Sequence[Judged], zone: ZoneInfo, zone_name: str) -> Iterator[Finding]:
    written = deadline(severity)
    assert written is not None
    sla = written.written or format_duration(written.value)
    resource = live_resource(documented, live)
    expected = f"{severity.id}: phone or SMS within {sla}"
    by_path: dict[tuple[Verdict, object], list[Judged]] = {}
    # Equal outcomes are mostly one object: its list found by identity, its (nested) hash
    # computed once for each object.
    by_object: dict[tuple[Verdict, int], list[Judged]] = {}
    for stretch in stretches:
        if stretch.verdict in FAILING:
            key = (stretch.verdict, id(stretch.outcome))
            alike = by_object.get(key)
            if alike is None:
                alike = by_object[key] = by_path.setdefault((stretch.verdict, stretch.outcome), [])
            alike.append(stretch)
    groups: list[list[Judged]] = []
    for failing in by_path.values():
        groups += weekly_gap_groups(failing, zone)
    groups.sort(key=lambda group: group[0].start)
    for group in groups[:GAPS_LISTED]:
        found = path_at(paths, live, severity.urgency.value, group[0].start,
                        overlays_of(live, paths))
        answer = reach_words(found)
        yield check_paging_path.finding(
            f"{severity.id} {when_words(group, zone, zone_name)} ({uncovered_words(group)}): "
            f"{answer}, documented within {sla}; the path: {path_summary(found)}",
            resource, expected=expected,
            actual={"severity": severity.id, "answer": answer,
                    "intervals": [{"start": _stretch_time(each.start),
                                   "end": _stretch_time(each.end)} for each in group]},
            location=written.location)
    rest = [stretch for group in groups[GAPS_LISTED:] for stretch in group]
    if rest:
        rest.sort(key=lambda stretch: (stretch.start, stretch.end))  # as Interval orders
        yield check_paging_path.finding(
            f"{severity.id}: and {counted(len(rest), 'more stretch', 'more stretches')} without a "
            f"phone or SMS call within {sla} from {format_utc(rest[0].start)} to "
            f"{format_utc(rest[-1].end)}, {format_duration(total(rest))} in all",
            resource, expected=expected,
            actual={"severity": severity.id, "more_stretches": len(rest),
                    "start": format_utc(rest[0].start), "end": format_utc(rest[-1].end)},
            location=written.location)
    unread = [stretch for stretch in stretches if stretch.verdict is Verdict.NOT_READ]
    if unread:
        why = sorted({_unread_why(stretch) for stretch in unread})
        yield check_paging_path.not_checked(
            f"{severity.id}: paging path not checked for "
            f"{format_duration(total(unread))} from "
            f"{format_utc(unread[0].start)} to {format_utc(unread[-1].end)}: "
            f"{'; '.join(why)}",
            resource, why="; ".join(why), expected=expected, actual=None,
            location=written.location)



def _unread_why(stretch: Judged) -> str:
    outcome = stretch.outcome
    assert outcome is not None, "a stretch not read is not met"
    return (outcome.reach.why if outcome.reach is not None else outcome.gate.why) or ""
