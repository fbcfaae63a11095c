"""SCH rules: PagerDuty's on-call schedules against the documented ones.

Documented and live schedules are paired by ``matching.pair_objects`` (pinned id, exact name,
then rename), as every family pairs its objects; shift-based (v3) schedules take part in the
pairing, so that a documented v3 schedule is not reported missing. SCH200 reports what is on one
side only; the other rules compare the pairs over the window the schedules were rendered for
(``account.window``). Coverage is measured with ``pdlint.coverage``, as the evidence package
measures it, so that both report the same gaps.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from datetime import datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from pdlint.coverage import (
    Interval,
    Span,
    measure_rendered,
    required_time,
    schedule_zone,
    total,
)
from pdlint.findings import Finding, Resource, Severity, counted
from pdlint.pagerduty.model import Account, LiveObject, RenderedSchedule
from pdlint.pagerduty.model import Schedule as LiveSchedule
from pdlint.pagerduty.state import format_utc
from pdlint.policy.model import Policy, Schedule, format_duration
from pdlint.rule import Context, Mode, returned_without, rule
from pdlint.rules.matching import Pair, pair_objects, remembered

S = TypeVar("S", bound=Span)

GAPS_LISTED = 10
"""Gaps reported one by one per schedule; the rest are counted in one last finding."""


@remembered
def schedule_pairs(policy: Policy, account: Account,
                   ) -> tuple[Pair[Schedule, LiveSchedule], ...]:
    """Documented schedules paired with the live ones, layer-based and shift-based; empty when
    the layer-based list could not be read, so that nothing is reported that was never fetched."""
    if not account.schedules.read:
        return ()
    live: list[LiveSchedule] = [*account.schedules, *account.shift_based_schedules]
    return tuple(pair_objects(policy.schedules, live))


def _matched(policy: Policy, account: Account) -> Iterator[tuple[Schedule, LiveSchedule]]:
    for pair in schedule_pairs(policy, account):
        if pair.documented is not None and pair.live is not None:
            yield pair.documented, pair.live


def _resource(documented: Schedule, live: LiveObject) -> Resource:
    return Resource("schedule", name=documented.name, id=live.id)


def rendered_window(account: Account) -> Interval:
    """The window the schedules were rendered over, which the rules check."""
    return Interval(account.window.since, account.window.until)


@rule("SCH200", "missing", title="Documented schedules exist, and live schedules are documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("schedules", "schedules_v3"))
def check_missing(context: Context) -> Iterator[Finding]:
    """Every documented schedule must exist in PagerDuty under the name written (or the pinned
    id): an escalation level that pages a schedule that does not exist pages nobody. A live name
    close to a documented one that has no exact match is reported once, as a rename: correct
    the name in the policy or in PagerDuty, or pin the id. A schedule in PagerDuty that the
    policy does not describe is reported as a warning: nobody has agreed the coverage and
    staffing it must have. Shift-based (v3) schedules count as schedules; when they could not be
    read, no documented schedule is reported missing (it may be one of them)."""
    shift_based_read = context.live.shift_based_schedules.read
    for pair in schedule_pairs(context.policy, context.live):
        documented, live = pair.documented, pair.live
        if documented is not None and live is None and shift_based_read:
            yield check_missing.finding(
                f"schedule '{documented.name}' is documented but not in PagerDuty",
                documented.resource, expected=documented.name, actual=None,
                location=documented.location)
        elif documented is not None and live is not None and pair.renamed:
            where = documented.location
            yield check_missing.finding(
                f"renamed: documented '{documented.name}' ({where.path}:{where.line}), "
                f"live '{live.name}'", _resource(documented, live),
                expected=documented.name, actual=live.name, location=where)
        elif documented is None and live is not None:
            yield check_missing.finding(
                f"schedule '{live.name}' ({live.id}) is in PagerDuty but not "
                "documented", Resource("schedule", name=live.name, id=live.id),
                expected=None, actual=live.name, severity=Severity.WARNING)


@rule("SCH201", "coverage-gap", title="Schedules cover the documented hours",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("schedules", "schedules_v3"))
def check_coverage_gap(context: Context) -> Iterator[Finding]:
    """A schedule documented as ``24x7`` must have someone on call at every moment, and one
    documented as ``business_hours`` during the organisation's business days and hours, placed
    in the schedule's time zone (the documented one, else PagerDuty's, whether it names it the
    IANA way or the Rails way: "Eastern Time (US & Canada)"). The final schedule as
    PagerDuty renders it over the checked window (layers, restrictions and overrides together)
    is compared with that requirement; each gap is one finding, with its start and end in UTC
    and in the schedule's time zone, and a gap that recurs every week at the same local time is
    one finding listing its dates (the first ten per schedule, then one finding counting the
    rest). During a gap an incident pages nobody at this level. Fix the layers or restrictions,
    or add an override. A shift-based (v3) schedule is measured the same way on the shifts
    PagerDuty computes for it (its gaps are its empty members)."""
    policy = context.policy
    account = context.live
    business_hours = policy.organisation.business_hours
    window = rendered_window(account)
    for documented, live in _matched(policy, account):
        if documented.coverage is None:
            continue
        requirement = documented.coverage.value
        zone_name, zone = schedule_zone(
            documented.time_zone.value if documented.time_zone else None, live.time_zone,
            business_hours)
        final = _final_schedule(live)
        if zone is None or isinstance(final, str):
            reason = (final if isinstance(final, str)
                      else f"its time zone {zone_name!r} is not one pdlint knows")
            yield check_coverage_gap.not_checked(
                f"coverage not checked: {reason}", _resource(documented, live),
                why=f"schedule '{live.name}': {reason}", expected=requirement, actual=None,
                location=documented.coverage.location)
            continue
        result = measure_rendered(required_time(requirement, window, zone, business_hours),
                                  final)
        groups = weekly_gap_groups(result.gaps, zone)
        for group in groups[:GAPS_LISTED]:
            yield check_coverage_gap.finding(
                f"nobody is on call {when_words(group, zone, zone_name)}: "
                f"{uncovered_words(group)} uncovered in the documented {requirement} coverage",
                _resource(documented, live), expected=requirement,
                actual=[{"start": format_utc(gap.start), "end": format_utc(gap.end)}
                        for gap in group],
                location=documented.coverage.location)
        rest = [gap for group in groups[GAPS_LISTED:] for gap in group]
        if rest:
            uncovered = sum((gap.length for gap in rest), timedelta(0))
            yield check_coverage_gap.finding(
                f"and {counted(len(rest), 'more gap')} from "
                f"{format_utc(rest[0].start)} to {format_utc(rest[-1].end)}, "
                f"{format_duration(uncovered)} in all, in the documented {requirement} coverage",
                _resource(documented, live), expected=requirement,
                actual={"more_gaps": len(rest), "start": format_utc(rest[0].start),
                        "end": format_utc(rest[-1].end)},
                location=documented.coverage.location)


def weekly_gap_groups(gaps: Sequence[S], zone: ZoneInfo) -> list[list[S]]:
    """The gaps grouped by their local weekday, start time and length, in order of first
    occurrence: a rotation with a hole in it leaves the same hole every week, which is one
    problem to fix, not one per week."""
    groups: dict[tuple[tuple[int, time], timedelta], list[S]] = {}
    for gap in gaps:
        groups.setdefault((_local_start(gap.start, zone)[0], gap.end - gap.start),
                          []).append(gap)
    return list(groups.values())


@functools.lru_cache(maxsize=1 << 15)
def _local_start(moment: datetime, zone: ZoneInfo) -> tuple[tuple[int, time], str]:
    """A gap's start in ``zone``: its weekly slot (weekday, time of day) and its date. Kept for
    the moments met again: a year of PATH600's stretches is ~240,000 starts, ~16,000 distinct
    (services that page alike fail alike, shifts hand over at the same hours). The moments
    carry fixed offsets, so equal moments are one instant and may share an entry (a zone's
    ``fold``, which equality ignores, never reaches here)."""
    local = moment.astimezone(zone)
    return (local.weekday(), local.time()), local.date().isoformat()


def uncovered_words(group: Sequence[Span]) -> str:
    """``8h``, or for a recurring gap ``8h each time, 1d8h in all``."""
    each = format_duration(group[0].end - group[0].start)
    if len(group) == 1:
        return each
    return f"{each} each time, {format_duration(total(group))} in all"


def when_words(group: Sequence[Span], zone: ZoneInfo, zone_name: str) -> str:
    """One interval by its times; a weekly recurring one by its weekly slot and its
    occurrences (``weekly_gap_groups``)."""
    first = group[0]
    if len(group) == 1:
        return (f"from {format_utc(first.start)} to {format_utc(first.end)} "
                f"({_local(first.start, zone)} to {_local(first.end, zone)} {zone_name})")
    start, end = first.start.astimezone(zone), first.end.astimezone(zone)
    days = ", ".join(_local_start(gap.start, zone)[1] for gap in group)
    return (f"on {start:%A}s {start:%H:%M}-{end:%H:%M} {zone_name}, "
            f"{len(group)} times in the checked window ({days})")


def _final_schedule(live: LiveSchedule) -> RenderedSchedule | str:
    """The rendered final schedule, or why its shifts cannot be read."""
    final = live.final_schedule
    if final is None:
        return "PagerDuty returned no rendered final schedule"
    if final.problem is not None:
        return f"its final schedule cannot be read: {final.problem}"
    return final


def _local(moment: datetime, zone: ZoneInfo) -> str:
    """``Saturday 2026-03-07T00:00:00-05:00``: the weekday helps read a weekly gap."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.isoformat()}"


@rule("SCH202", "rotation", title="Rotations hand over and are staffed as documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("schedules", "schedules_v3"))
def check_rotation(context: Context) -> Iterator[Finding]:
    """Each layer in force must hand over after the documented ``rotation_length``
    (PagerDuty's ``rotation_turn_length_seconds``): longer turns wear people out, shorter ones
    hand incidents over mid-investigation. The layers in force must also rotate through at least
    ``min_participants`` different people: a thin rotation puts the same few on call too often,
    and leaves nobody to swap with. Layers that ended before, or start after, the checked window
    are not counted. In a shift-based (v3) schedule each event of a rotation counts as a layer:
    it hands over every ``shifts_per_member`` repetitions of its RRULE, and one whose members
    are all on call at once hands over never (it is not compared with the rotation length). A
    schedule whose layers or rotations PagerDuty did not return is reported as not checked, as
    is a layer returned without its turn length (the spec requires it: never "as documented"),
    an event whose turn pdlint cannot read (an RRULE other than hourly, daily or weekly, or
    none, or no ``shifts_per_member`` for a rotating one), and its participants when a layer in
    force was returned without its users."""
    policy = context.policy
    account = context.live
    for documented, live in _matched(policy, account):
        length, minimum = documented.rotation_length, documented.min_participants
        if length is None and minimum is None:
            continue
        if live.layers is None:
            written = length or minimum
            assert written is not None
            yield check_rotation.not_returned(
                "rotation", "its layers or rotations", _resource(documented, live),
                name=live.name, expected=None, actual=None, location=written.location)
            continue
        if length is not None:
            wanted = int(length.value.total_seconds())
            for layer in live.layers_in_force(account.window):
                seconds = layer.turn_seconds
                if layer.turn_unread is not None:
                    yield check_rotation.not_checked(
                        f"layer '{layer.name}' not checked: {layer.turn_unread}",
                        _resource(documented, live),
                        why=f"layer '{layer.name}' of schedule '{live.name}': "
                            f"{layer.turn_unread}",
                        expected=format_duration(length.value), actual=None,
                        location=length.location)
                elif seconds is not None and seconds != wanted:
                    yield check_rotation.finding(
                        f"layer '{layer.name}' hands over every {_turn(seconds)}, "
                        f"documented {format_duration(length.value)}",
                        _resource(documented, live), expected=format_duration(length.value),
                        actual=_turn(seconds), location=length.location)
        if minimum is not None:
            people = live.members_in_force(account.window)
            if people is None:
                yield check_rotation.not_checked(
                    "participants not checked: PagerDuty returned a layer in force without its "
                    "users", _resource(documented, live), why=_layer_without_users(live),
                    expected=minimum.value, actual=None, location=minimum.location)
            elif len(people) < minimum.value:
                yield check_rotation.finding(
                    f"{len(people)} {'person takes' if len(people) == 1 else 'people take'} "
                    f"turns in the layers in force, documented at least {minimum.value}",
                    _resource(documented, live), expected=minimum.value, actual=len(people),
                    location=minimum.location)


def _layer_without_users(live: LiveSchedule) -> str:
    return f"PagerDuty returned a layer in force of schedule '{live.name}' without its users"


def _turn(seconds: int) -> str:
    """A turn length in the policy's words, seconds when it is not whole minutes."""
    return format_duration(timedelta(seconds=seconds)) if seconds % 60 == 0 else f"{seconds}s"


@rule("SCH203", "inactive-participant", title="Rotations are staffed by active users",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("schedules", "schedules_v3", "users"))
def check_inactive_participant(context: Context) -> Iterator[Finding]:
    """A person in a layer in force who can no longer respond leaves their turns uncovered
    while the schedule looks staffed. PagerDuty's user object has no "deactivated" flag, so two
    signs are read: the user is no longer among the account's users (deleted, or hidden from a
    restricted-access or team-scoped key, which the message says: pdlint cannot tell the two
    apart), or has an outstanding invitation (``invitation_sent``: never signed in, so cannot
    acknowledge). Replace the person in the layer. Not checked when the user list could not be
    read, nor, reported as not checked, a schedule with a layer in force PagerDuty returned
    without its users, or a person PagerDuty returned without ``invitation_sent`` (the spec
    does not require it): never taken as accepted."""
    policy = context.policy
    account = context.live
    if not account.users.read:
        return
    for documented, live in _matched(policy, account):
        people = live.members_in_force(account.window)
        if people is None:
            yield check_inactive_participant.not_checked(
                "participants not checked: PagerDuty returned a layer in force without its "
                "users", _resource(documented, live), why=_layer_without_users(live),
                expected="active users", actual=None, location=documented.location)
            continue
        names = {str(member.id): member.summary for layer in live.layers or ()
                 for member in layer.members or ()}
        for user_id in people:
            user = account.users.by_id(user_id)
            name = (user.name if user else None) or names.get(user_id) or user_id
            if user is None:
                status, why = "not in the account", (
                    "is not in the user list this key reads (deleted, or hidden from this key)")
            elif user.invitation_sent is None:
                yield check_inactive_participant.not_checked(
                    f"{name} ({user_id}) not checked: "
                    f"{returned_without('invitation_sent', 'user')}", _resource(documented, live),
                    why=f"PagerDuty returned user '{name}' ({user_id}) without invitation_sent",
                    expected="an active user", actual=None, location=documented.location)
                continue
            elif user.invitation_sent:
                status, why = "invitation pending", "has not accepted the invitation to PagerDuty"
            else:
                continue
            yield check_inactive_participant.finding(
                f"{name} ({user_id}) takes turns in a layer in force but {why}",
                _resource(documented, live), expected="an active user",
                actual={"user": name, "id": user_id, "status": status},
                location=documented.location)
