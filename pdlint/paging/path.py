"""The paging path of a service over a window: a pure function of the account and the window.

Had an incident been triggered on a service at moment ``t``, three questions decide who hears of
it and when, each answered as a step function of ``t`` (a value that changes only at known
moments: a shift changing hands, support hours opening, a maintenance window starting):

1. the *gate*: is an incident created at all (a disabled service, a maintenance window, an
   orchestration rule that drops events say no), and at what urgency (the service's urgency
   rule, its support hours, the alert's severity, an orchestration rule that sets it). Each of
   these is a set of intervals: the urgency rule gives the base, and every other input is an
   ``Overlay`` (intervals and what happens inside them) laid on top in order;
2. for each escalation level in order, loops included, *who is on call* at the moment the level
   is engaged (``t`` plus the level's offset), from the rendered final schedule (layers,
   restrictions and overrides as PagerDuty renders them) or the user targeted directly;
3. each of those people's *notification rules* for that urgency: the first minute after their
   assignment that a phone call or SMS goes out, and the first minute they are notified at all.

The path's answer at ``t`` is a ``Reach``: the first minute after the trigger that someone is
phoned or texted, the first minute someone is notified at all, and the first minute from which
the path could not be read. Absent is not empty: a schedule PagerDuty did not render, a user
whose notification rules the key may not read, a moment outside the rendered window make the
path *not read* from that minute on, never "nobody paged". A low-urgency incident does not
escalate (PagerDuty escalates high-urgency incidents only): level 1 alone is notified.

Nothing here reads the network, the clock or the policy: ``Paths`` memoises the parts many
services share (people, schedules, escalation policies) for one account.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property, partial
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

from pdlint.coverage import Interval, merge, weekly_hours
from pdlint.memo import Memo
from pdlint.pagerduty.model import (
    Account,
    ContactMethod,
    EscalationPolicy,
    EscalationTarget,
    MaintenanceWindow,
    Schedule,
    Service,
    TargetKind,
    User,
)
from pdlint.zones import live_zone

V = TypeVar("V")
W = TypeVar("W")

CALL_METHODS = frozenset({"phone_contact_method", "sms_contact_method"})
"""The contact methods that ring: a phone call or a text message."""

SERVICE_PATHS_KEPT = 64
"""A service's own path over the window (and its judgements against each deadline) is kept
for the 64 most recently used, for a service that pages alike (the same escalation policy,
urgency rule and overlays): the paths services share (escalation policies, schedules, people)
are all kept, but a year of a service's own, in the evidence, only while it is likely to be
asked for again (its next severity, the services beside it), so that memory does not grow
with the services."""


# -- step functions ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Step(Generic[V]):
    """A value over time that changes only at ``breaks``: ``values[0]`` holds before the first
    break, ``values[i]`` from ``breaks[i-1]`` (included) to ``breaks[i]``, the last one from the
    last break on (so ``len(values) == len(breaks) + 1``)."""

    breaks: tuple[datetime, ...]
    values: tuple[V, ...]

    @classmethod
    def constant(cls, value: V) -> Step[V]:
        return cls((), (value,))

    def at(self, moment: datetime) -> V:
        return self.values[bisect.bisect_right(self.breaks, moment)]

    def shifted(self, delta: timedelta) -> Step[V]:
        """The step whose value at ``t`` is this one's at ``t + delta``."""
        return Step(tuple(moment - delta for moment in self.breaks), self.values)

    def mapped(self, change: Callable[[V], W]) -> Step[W]:
        return _merged(self.breaks, [change(value) for value in self.values])

    def each(self, change: Callable[[V], W]) -> Step[W]:
        """``mapped`` by a change that keeps different values different (nothing to merge),
        worked out once for each value object: a year of an escalation repeats the same few
        reaches and verdicts thousands of times. A value object met again is changed into the
        same object (the change is pure)."""
        values = self.values
        distinct = dict(zip(map(id, values), values, strict=True))
        found = {key: change(value) for key, value in distinct.items()}
        return Step(self.breaks, tuple(map(found.__getitem__, map(id, values))))

    def stretches(self, window: Interval) -> list[tuple[Interval, V]]:
        """The window cut where the value changes, each piece with its value."""
        pieces: list[tuple[Interval, V]] = []
        index = bisect.bisect_right(self.breaks, window.start)
        cursor = window.start
        while cursor < window.end:
            end = min(self.breaks[index], window.end) if index < len(self.breaks) else window.end
            pieces.append((Interval(cursor, end), self.values[index]))
            cursor, index = end, index + 1
        return pieces


def _merged(breaks: Sequence[datetime], values: Sequence[V]) -> Step[V]:
    """A step without breaks where the value does not change."""
    kept_breaks: list[datetime] = []
    kept_values = [values[0]]
    last = values[0]
    for moment, value in zip(breaks, values[1:], strict=True):
        if value is not last and value != last:
            kept_breaks.append(moment)
            kept_values.append(value)
            last = value
    return Step(tuple(kept_breaks), tuple(kept_values))


def combined(steps: Sequence[Step[Any]], join: Callable[..., W]) -> Step[W]:
    """The step whose value at every moment is ``join`` of the steps' values at that moment."""
    moments = sorted({moment for step in steps for moment in step.breaks})
    positions = [0] * len(steps)
    values = [join(*(step.values[0] for step in steps))]
    for moment in moments:
        current = []
        for number, step in enumerate(steps):
            position = positions[number]
            while position < len(step.breaks) and step.breaks[position] <= moment:
                position += 1
            positions[number] = position
            current.append(step.values[position])
        values.append(join(*current))
    return _merged(moments, values)


def inside(intervals: Iterable[Interval]) -> Step[bool]:
    """True inside the intervals, False outside."""
    breaks: list[datetime] = []
    for interval in merge(intervals):
        breaks += (interval.start, interval.end)
    return Step(tuple(breaks), tuple(index % 2 == 1 for index in range(len(breaks) + 1)))


# -- what a path reaches -----------------------------------------------------------------------

class Reach(NamedTuple):
    """How soon, in minutes after the trigger (or after a person's assignment), someone is
    phoned or texted (``call``), notified in any way (``notice``), and from which minute the
    path could not be read (``unread``, with ``why``). None: never (or, for ``unread``, all
    was read). A named tuple, as ``Gate`` and ``Outcome`` are: a year of an account's paths
    makes, hashes and compares them by the hundred thousand, which a tuple does in C."""

    call: int | None = None
    notice: int | None = None
    unread: int | None = None
    why: str | None = None

    def later(self, minutes: int) -> Reach:
        return Reach(_plus(self.call, minutes), _plus(self.notice, minutes),
                     _plus(self.unread, minutes), self.why)

    def sooner(self, other: Reach) -> Reach:
        """What two paths reach together: the sooner of each."""
        unread, why = ((self.unread, self.why) if other.unread is None or (
            self.unread is not None and self.unread <= other.unread) else (other.unread, other.why))
        return _settled(_soonest(self.call, other.call), _soonest(self.notice, other.notice),
                        unread, why)


def _settled(call: int | None, notice: int | None, unread: int | None,
             why: str | None) -> Reach:
    """A reach, without what was not read when a call comes no later: nothing unread can
    come sooner than what is already known."""
    if call is not None and unread is not None and call <= unread:
        unread, why = None, None
    return Reach(call, notice, unread, why)


def _plus(minute: int | None, minutes: int) -> int | None:
    return None if minute is None else minute + minutes


def _soonest(first: int | None, second: int | None) -> int | None:
    if first is None:
        return second
    return first if second is None else min(first, second)


def soonest(reaches: Iterable[Reach]) -> Reach:
    """What several paths reach together (``Reach.sooner`` of them all, in one pass)."""
    call = notice = unread = None
    why = None
    for reach in reaches:
        if reach.call is not None and (call is None or reach.call < call):
            call = reach.call
        if reach.notice is not None and (notice is None or reach.notice < notice):
            notice = reach.notice
        if reach.unread is not None and (unread is None or reach.unread < unread):
            unread, why = reach.unread, reach.why
    return _settled(call, notice, unread, why)


def latest(reaches: Sequence[Reach]) -> Reach:
    """What one of several paths, not known which, reaches for certain: the latest of each (a
    round-robin level pages one of its targets in turn). A path that never calls makes the
    call never; the soonest minute any of them cannot be read is where knowing stops."""
    if not reaches:
        return NOBODY
    calls = [reach.call for reach in reaches]
    notices = [reach.notice for reach in reaches]
    unread = [reach for reach in reaches if reach.unread is not None]
    first_unread = min(unread, key=lambda reach: reach.unread or 0) if unread else None
    return _settled(None if None in calls else max(call for call in calls if call is not None),
                    None if None in notices else max(
                        notice for notice in notices if notice is not None),
                    first_unread.unread if first_unread else None,
                    first_unread.why if first_unread else None)


NOBODY = Reach()
"""Nobody is notified, and all was read."""


def not_read(why: str) -> Reach:
    return Reach(unread=0, why=why)


class Gate(NamedTuple):
    """What becomes of an alert on the service at a moment, before anyone is paged: an incident
    of ``urgency`` (``high`` or ``low``), or none (``urgency`` None), and ``why`` in words;
    ``read`` is False when pdlint could not tell. ``delay``: the minutes the alert is held
    before the incident triggers (an orchestration's suspend); ``by_severity``: the urgency is
    the alert's severity's (a ``severity_based`` rule), which an orchestration can set."""

    urgency: str | None
    why: str
    read: bool = True
    delay: int = 0
    by_severity: bool = False
    policy_id: str | None = None
    """The escalation policy an orchestration rule pages instead of the service's; None: the
    service's own."""


@dataclass(frozen=True)
class Overlay:
    """An input laid over the service's urgency rule: inside ``intervals``, ``gate`` holds (a
    maintenance window creates no incident), or, in a kind of overlay that says so, the gate
    beneath changed (an orchestration rule sets the alert's severity). Later overlays lie over
    earlier ones."""

    intervals: tuple[Interval, ...]
    gate: Gate | None = None

    def over(self, base: Gate) -> Gate:
        """The gate inside the intervals, given the one beneath."""
        return base if self.gate is None else self.gate


@dataclass(frozen=True)
class UnknownOverlay(Overlay):
    """An input that may or may not lie over the gate inside ``intervals`` (a maintenance
    window returned without its services may hold the service): there ``gate``, not read,
    unless the gate beneath creates no incident anyway."""

    def over(self, base: Gate) -> Gate:
        assert self.gate is not None and not self.gate.read, "an unknown overlay is not read"
        return base if base.read and base.urgency is None else self.gate


class Outcome(NamedTuple):
    """The path of a trigger: its gate, and what the escalation reaches (None when no incident
    is created or the gate was not read)."""

    gate: Gate
    reach: Reach | None


class Verdict(str, enum.Enum):
    """A trigger's path judged against a deadline for the first phone or SMS call."""

    MET = "met"
    LATE = "late"
    """No call by the deadline (one comes later, or what comes later was not read)."""
    NEVER = "never"
    """Nobody is ever phoned or texted, and all of the path was read."""
    NO_INCIDENT = "no incident"
    NOT_READ = "not read"
    """What comes by the deadline could not be read."""


def judged(outcome: Outcome, within: int) -> Verdict:
    """The verdict on a path that must phone or text someone within ``within`` minutes."""
    if not outcome.gate.read:
        return Verdict.NOT_READ
    reach = outcome.reach
    if reach is None:
        return Verdict.NO_INCIDENT
    return _reach_judged(reach, within)


def _reach_judged(reach: Reach, within: int) -> Verdict:
    """The verdict on an incident's escalation that reaches ``reach``."""
    if reach.call is not None and reach.call <= within:
        return Verdict.MET
    if reach.unread is not None and reach.unread <= within:
        return Verdict.NOT_READ
    return Verdict.NEVER if reach.call is None and reach.unread is None else Verdict.LATE


# -- people and escalation levels ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NotRead:
    """On a schedule at some moment: someone pdlint could not see, and why."""

    why: str


OnCall = str | None | NotRead
"""Who a schedule has on call: a user id, nobody (None), or someone not read."""


def _overlap(breaks: list[datetime], values: list[OnCall], start: datetime, end: datetime,
             join: Callable[[OnCall], OnCall]) -> None:
    """Lay ``[start, end)`` over a step being built (``values[i]`` holds from ``breaks[i-1]``
    to ``breaks[i]``), where ``start`` lies before its last break: ``join`` of the value found
    at each moment of it, and ``join(None)`` past the last break."""
    position = bisect.bisect_right(breaks, start)
    if breaks[position - 1] < start:
        breaks.insert(position, start)
        values.insert(position, values[position])
        position += 1
    while position < len(breaks) and breaks[position] <= end:
        values[position] = join(values[position])
        position += 1
    if position < len(breaks):
        breaks.insert(position, end)
        values.insert(position, join(values[position]))
    elif breaks[-1] < end:
        breaks.append(end)
        values.append(join(None))


def _joined_with(who: OnCall, several: NotRead) -> Callable[[OnCall], OnCall]:
    """Who is on call where ``who``'s shift overlaps another's: ``who`` in a gap, ``several``
    where someone else is on call too."""
    def joined(found: OnCall) -> OnCall:
        return who if found is None or found == who else several
    return joined




@dataclass(frozen=True, slots=True)
class Engagement:
    """A level reached by the escalation: rule ``rule`` (0-based) of loop ``loop``, engaged
    ``offset`` minutes after the trigger."""

    rule: int
    loop: int
    offset: int


class Paths:
    """The paging paths of one account, rendered over ``account.window``; parts shared by many
    services (people, schedules, escalation policies) are worked out once, and a service's own
    path kept while it is among the ``SERVICE_PATHS_KEPT`` most recently used."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self._people: dict[tuple[str, str], Reach] = {}
        self._alike: dict[Reach, Reach] = {}
        self._schedules: dict[str, Step[OnCall]] = {}
        self._targets: dict[tuple[str | None, str | None, str], Step[Reach]] = {}
        self._levels: dict[tuple[str, int, str], Step[Reach]] = {}
        self._escalations: dict[tuple[str | None, str], Step[Reach]] = {}
        self._services: Memo[tuple[Any, ...], Step[Outcome]] = Memo(SERVICE_PATHS_KEPT)
        self._judgements: Memo[tuple[Any, ...], Step[Judgement]] = Memo(SERVICE_PATHS_KEPT)
        self._judged_escalations: dict[tuple[str | None, str, int, int],
                                       Step[JudgedReach]] = {}
        self._gated: dict[tuple[Gate, str | None, int], Step[Judgement]] = {}
        self._listed: dict[tuple[str | None, str | None, str, OnCall], TargetAt] = {}
        self._windows: dict[str, list[MaintenanceWindow]] | None = None
        self.overlays: dict[str, tuple[Overlay, ...]] = {}
        """What lies over each service's urgency rule, by service id, once worked out
        (``judge.overlays_of``): a finding's explanation asks again."""
        self._gates: dict[tuple[Any, ...], Step[Gate]] = {}

    def maintenance_windows(self, service_id: str) -> list[MaintenanceWindow] | None:
        """The windows that list the service, earliest first, found through one index of all
        of them; None when the windows could not be read. Those returned without their services
        are not here (``Account.maintenance_unlisted``: the service may be in one)."""
        windows = self.account.maintenance_windows
        if not windows.read:
            return None
        if self._windows is None:
            self._windows = {}
            for window in sorted(windows, key=lambda window: window.start):
                for service in window.services or ():
                    if service.id:
                        self._windows.setdefault(service.id, []).append(window)
        return self._windows.get(service_id, [])

    # people

    def person(self, user_id: str, urgency: str) -> Reach:
        """How soon a user's notification rules for ``urgency`` reach them after assignment:
        one object for the people reached alike (most are), so that a schedule's year of
        shifts, mapped to its people's reaches, merges where they hand over to someone reached
        alike by identity, not by comparing each shift's."""
        key = (user_id, urgency)
        found = self._people.get(key)
        if found is None:
            reach = self._person(user_id, urgency)
            found = self._people[key] = self._alike.setdefault(reach, reach)
        return found

    def _person(self, user_id: str, urgency: str) -> Reach:
        user = self.user(user_id)
        if isinstance(user, str):
            return not_read(user)
        unread = _rules_unread(user, urgency)
        if unread is not None:
            return not_read(unread)
        reach = NOBODY
        for method, delay in _rules_for(user, urgency):
            if method.usable:
                reach = reach.sooner(Reach(delay if method.kind in CALL_METHODS else None, delay))
        return reach

    def user(self, user_id: str) -> User | str:
        """The user, or why pdlint cannot see them."""
        users = self.account.users
        found = users.by_id(user_id)
        if found is not None:
            return found
        if not users.read:
            return f"the users could not be read ({users.skip_reason})"
        return f"user {user_id} is not among the users this key can read"

    # schedules

    def on_call(self, target: EscalationTarget) -> Step[OnCall]:
        """Who a schedule target has on call at each moment: rendered shifts inside the
        rendered window, not read outside it or when the schedule was not rendered."""
        key = str(target.id)
        if key not in self._schedules:
            self._schedules[key] = self._on_call(target)
        return self._schedules[key]

    def _on_call(self, target: EscalationTarget) -> Step[OnCall]:
        account = self.account
        name = account.schedule_named(target) or target.id
        schedule: Schedule | None
        if target.kind is TargetKind.SHIFT_BASED_SCHEDULE:
            listed = account.shift_based_schedules
            schedule = listed.by_id(target.id)
            if schedule is None:
                return Step.constant(NotRead(
                    f"the shift-based schedules could not be read ({listed.skip_reason})"
                    if not listed.read else
                    f"shift-based schedule '{name}' is not among those this key can read"))
        else:
            schedule = account.schedules.by_id(target.id)
            if schedule is None:
                return Step.constant(NotRead(
                    f"the schedules could not be read ({account.schedules.skip_reason})"
                    if not account.schedules.read
                    else f"schedule '{name}' is not among the schedules this key can read"))
        final = schedule.final_schedule
        if final is None or final.problem is not None:
            return Step.constant(NotRead(
                f"PagerDuty returned no rendered final schedule for '{name}'" if final is None
                else f"the final schedule of '{name}' cannot be read: {final.problem}"))
        window = account.window
        outside = NotRead(f"'{name}' was rendered from {_utc(window.since)} to "
                          f"{_utc(window.until)} only")
        several = NotRead(f"'{name}' has several people on call at once, and the path follows "
                          "one person a schedule")
        since, until = window.since, window.until
        breaks: list[datetime] = [since]
        values: list[OnCall] = [outside]
        # A year of shifts is ~10^5 a schedule: the loop reads each as a tuple, and clips it to
        # the window without calls.
        for start, end, user_id in sorted(final.shifts, key=itemgetter(0)):
            start = start if start > since else since
            end = end if end < until else until
            who: OnCall = user_id or NotRead(f"a shift of '{name}' names no user")
            laid = breaks[-1]
            if start < laid:
                if end > start and who != values[-1]:
                    # a shift-based schedule's members all on at once: their shifts overlap
                    _overlap(breaks, values, start, end, _joined_with(who, several))
                    continue
                start = laid
            if start >= end:
                continue
            if start > laid:
                breaks.append(start)
                values.append(None)
            breaks.append(end)
            values.append(who)
        if breaks[-1] < until:
            breaks.append(until)
            values.append(None)
        return _merged(breaks, [*values, outside])

    def target_at(self, target: EscalationTarget, urgency: str, who: OnCall) -> TargetAt:
        """A target as ``path_at`` lists it, with ``who`` on call: the same few people are
        listed again and again."""
        key = (target.type, target.id, urgency, who)
        if key not in self._listed:
            self._listed[key] = self._target_at(target, urgency, who)
        return self._listed[key]

    def _target_at(self, target: EscalationTarget, urgency: str, who: OnCall) -> TargetAt:
        name = self.account.schedule_named(target) if target.is_schedule else target.summary
        if isinstance(who, NotRead):
            return TargetAt(target.kind, name, None, who.why)
        if who is None:
            return TargetAt(target.kind, name, None, None)
        user = self.user(who)
        rules = None if isinstance(user, str) or _rules_unread(user, urgency) else tuple(
            sorted((RuleAt(method.kind, delay, method.usable)
                    for method, delay in _rules_for(user, urgency)),
                   key=lambda rule: (rule.delay, rule.method)))
        person = PersonAt(who, None if isinstance(user, str) else user.name,
                          self.person(who, urgency), rules)
        return TargetAt(target.kind, name, person, None)

    # targets and levels

    def target(self, target: EscalationTarget, urgency: str) -> Step[Reach]:
        """How soon a target reaches someone after its level is engaged at each moment."""
        key = (target.type, target.id, urgency)
        if key not in self._targets:
            self._targets[key] = self._target(target, urgency)
        return self._targets[key]

    def _target(self, target: EscalationTarget, urgency: str) -> Step[Reach]:
        if target.kind is TargetKind.USER:
            return Step.constant(self.person(str(target.id), urgency))
        if not target.is_schedule:
            return Step.constant(not_read(_unread_target(target)))
        on_call = self.on_call(target)
        reaches = {who: self.reach_of(who, urgency) for who in set(on_call.values)}
        return on_call.mapped(reaches.__getitem__)

    def reach_of(self, who: OnCall, urgency: str) -> Reach:
        if who is None:
            return NOBODY
        if isinstance(who, NotRead):
            return not_read(who.why)
        return self.person(who, urgency)

    def level(self, policy: EscalationPolicy, rule: int, urgency: str) -> Step[Reach]:
        """How soon one level reaches someone after it is engaged: all its targets at once, or,
        round robin, one of them in turn (which one is not known: the latest of them)."""
        key = (policy.id, rule, urgency)
        if key not in self._levels:
            level = (policy.rules or ())[rule]  # a level engaged: its rule was returned
            if level.targets is None:
                self._levels[key] = Step.constant(not_read(targets_not_returned(policy, rule)))
                return self._levels[key]
            steps = [self.target(target, urgency) for target in level.targets]
            self._levels[key] = (Step.constant(NOBODY) if not steps else steps[0]
                                 if len(steps) == 1 else
                                 combined(steps, lambda *reaches: latest(reaches))
                                 if level.round_robin else
                                 combined(steps, lambda *reaches: soonest(reaches)))
        return self._levels[key]

    @staticmethod
    def engagements(policy: EscalationPolicy, urgency: str) -> tuple[list[Engagement],
                                                                      Reach | None]:
        """The levels an incident reaches in order, loops included, and what cannot be known
        (a level after a rule without an escalation delay). A low-urgency incident does not
        escalate: level 1 only. Escalation rules PagerDuty did not return are not read from
        the trigger on, never "no level"; a policy returned without ``num_loops`` is followed
        through its levels once, and whether it starts again after the last one is not known
        (never PagerDuty's default for a new policy, no repeat)."""
        if policy.rules is None:
            return [], Reach(unread=0, why=f"PagerDuty returned escalation policy "
                                           f"'{policy.name}' without its escalation rules")
        if not policy.rules:
            return [], None
        if urgency != "high":
            return [Engagement(0, 0, 0)], None
        found: list[Engagement] = []
        offset = 0
        for loop in range(1 if policy.num_loops is None else policy.num_loops + 1):
            for number, rule in enumerate(policy.rules):
                found.append(Engagement(number, loop, offset))
                if rule.delay_minutes is None:
                    return found, Reach(unread=offset, why=(
                        f"level {number + 1} of '{policy.name}' gives no escalation delay"))
                offset += rule.delay_minutes
        if policy.num_loops is None:
            return found, Reach(unread=offset, why=(
                f"PagerDuty returned escalation policy '{policy.name}' without its num_loops: "
                "whether it repeats is not known"))
        return found, None

    def escalation(self, policy_id: str | None, urgency: str) -> Step[Reach]:
        """How soon the escalation policy reaches someone after a trigger at each moment."""
        key = (policy_id, urgency)
        if key not in self._escalations:
            self._escalations[key] = self._escalation(policy_id, urgency)
        return self._escalations[key]

    def _escalation(self, policy_id: str | None, urgency: str) -> Step[Reach]:
        policies = self.account.escalation_policies
        policy = policies.by_id(policy_id)
        if policy is None:
            return Step.constant(not_read(
                f"the escalation policies could not be read ({policies.skip_reason})"
                if not policies.read else
                "PagerDuty did not return the service's escalation policy" if policy_id is None
                else f"escalation policy {policy_id} is not among those this key can read"))
        engagements, beyond = self.engagements(policy, urgency)
        return escalated([(self.level(policy, engaged.rule, urgency), engaged.offset)
                          for engaged in engagements], beyond)

    def judged_escalation(self, policy_id: str | None, urgency: str, delay: int,
                          within: int) -> Step[JudgedReach]:
        """``held_escalation`` judged against a deadline of ``within`` minutes at each moment:
        the verdict, and the reach when it is not met. Judged once for every service that
        pages it alike, and merged where the verdict stays met (most of a year)."""
        key = (policy_id, urgency, delay, within)
        found = self._judged_escalations.get(key)
        if found is None:
            seen: dict[Reach, JudgedReach] = {}  # equal reaches judged once, as one value

            def judged_reach(reach: Reach) -> JudgedReach:
                value = seen.get(reach)
                if value is None:
                    verdict = _reach_judged(reach, within)
                    value = seen[reach] = (verdict, None if verdict is Verdict.MET else reach)
                return value

            found = self._judged_escalations[key] = self.held_escalation(
                policy_id, urgency, delay).mapped(judged_reach)
        return found

    # services

    def gates(self, service: Service, severity_urgency: str, window: Interval,
              overlays: Sequence[Overlay] = ()) -> Step[Gate]:
        """Whether an alert on the service opens an incident, and at what urgency, at each
        moment of ``window``: the urgency rule (``severity_based`` takes the severity's own
        urgency), then each overlay on top."""
        # Services with the same urgency rule and support hours share their gates.
        key = (*_urgency_key(service, severity_urgency), window)
        gates = self._gates.get(key)
        if gates is None:
            gates = self._gates[key] = _urgency_gates(service, severity_urgency, window)
        for overlay in overlays:
            gates = combined([gates, inside(overlay.intervals)],
                             lambda base, covered, over=overlay.over: over(base) if covered
                             else base)
        return gates

    def service(self, service: Service, severity_urgency: str, window: Interval,
                overlays: Sequence[Overlay] = ()) -> Step[Outcome]:
        """The path of a trigger on ``service`` at each moment of ``window``, for an incident
        whose severity is documented at ``severity_urgency``."""
        policy_id = service.escalation_policy.id if service.escalation_policy else None
        # Services that page alike share one path: most share an escalation policy and a
        # constant urgency.
        key = (policy_id, *_urgency_key(service, severity_urgency), window, tuple(overlays))
        return self._services.get(key, lambda: self._service(
            policy_id, self.gates(service, severity_urgency, window, overlays)))

    def judgements(self, service: Service, severity_urgency: str, window: Interval,
                   within: int, overlays: Sequence[Overlay] = ()) -> Step[Judgement]:
        """The path of ``service`` (``service``) judged against a deadline of ``within``
        minutes at each moment: the verdict, and the outcome when it is not met (what a finding
        explains; every met moment is alike). Each escalation the gates page is judged once
        (``judged_escalation``), not each service's path moment by moment."""
        policy_id = service.escalation_policy.id if service.escalation_policy else None
        key = (policy_id, *_urgency_key(service, severity_urgency), window, tuple(overlays),
               within)
        return self._judgements.get(key, lambda: self._judged(
            policy_id, self.gates(service, severity_urgency, window, overlays), within))

    def _judged(self, policy_id: str | None, gates: Step[Gate],
                within: int) -> Step[Judgement]:
        if not gates.breaks:  # one gate throughout, as for most services
            return self.gated(gates.values[0], policy_id, within)
        # Each stretch of one gate reads the one escalation it pages, over that stretch only:
        # the changes of the others (the high-urgency escalation at night, when the gate is
        # low) are not visited.
        # The gates are a few objects repeated (support hours open and close ~500 times a
        # year): each one's judged escalation is found once.
        distinct = dict(zip(map(id, gates.values), gates.values, strict=True))
        gated = {key: self.gated(gate, policy_id, within) for key, gate in distinct.items()}
        breaks: list[datetime] = []
        values: list[Judgement] = []
        for index, step in enumerate(map(gated.__getitem__, map(id, gates.values))):
            if index:
                breaks.append(gates.breaks[index - 1])
            first = 0 if not index else bisect.bisect_right(step.breaks, breaks[-1])
            last = (len(step.breaks) if index == len(gates.breaks)
                    else bisect.bisect_left(step.breaks, gates.breaks[index]))
            breaks += step.breaks[first:last]
            values += step.values[first:last + 1]
        return _merged(breaks, values)

    def gated(self, gate: Gate, policy_id: str | None, within: int) -> Step[Judgement]:
        """The outcome of a trigger under ``gate`` judged against a deadline of ``within``
        minutes at each moment: the escalation it pages (the service's, ``policy_id``, unless
        the gate names another) judged (``judged_escalation``), or no incident. Kept for each
        gate and escalation: the services that page alike share it (their gates are the same
        few), and one outcome object stands for each gate and judged reach, as the findings
        group them."""
        paged = gate.policy_id or policy_id
        key = (gate, paged, within)
        found = self._gated.get(key)
        if found is None:
            found = self._gated[key] = (
                Step.constant(_judgement(Outcome(gate, None), within))
                if not gate.read or gate.urgency is None else
                self.judged_escalation(paged, gate.urgency, gate.delay, within).each(
                    partial(_gated, gate)))
        return found

    def _service(self, policy_id: str | None, gates: Step[Gate]) -> Step[Outcome]:
        if not gates.breaks:  # one gate throughout, as for most services
            gate = gates.values[0]
            return (Step.constant(Outcome(gate, None)) if not gate.read or gate.urgency is None
                    else self.held_escalation(gate.policy_id or policy_id, gate.urgency,
                                              gate.delay).each(lambda reach: Outcome(gate, reach)))
        ways = list(dict.fromkeys(
            (gate.urgency, gate.delay, gate.policy_id or policy_id) for gate in gates.values
            if gate.read and gate.urgency is not None))
        steps = [self.held_escalation(paged, urgency, delay)
                 for urgency, delay, paged in ways if urgency is not None]
        return combined([gates, *steps],
                        lambda gate, *reaches: _outcome(gate, policy_id, ways, reaches))

    def held_escalation(self, policy_id: str | None, urgency: str, delay: int) -> Step[Reach]:
        """The escalation of an alert held ``delay`` minutes before its incident triggers:
        the levels are engaged, and their minutes counted, from then."""
        step = self.escalation(policy_id, urgency)
        if not delay:
            return step
        return step.shifted(timedelta(minutes=delay)).mapped(lambda reach: reach.later(delay))


def escalated(levels: Sequence[tuple[Step[Reach], int]], beyond: Reach | None) -> Step[Reach]:
    """What levels engaged at their offsets (minutes after the trigger, in increasing order)
    reach together, at each trigger time: each level's step read ``offset`` later, its minutes
    ``offset`` more, the soonest of them (``beyond`` holds whatever the levels listed cannot
    say). The hot loop of a large account: the answer at a moment rests on the levels engaged
    before the call it knows (a level's call comes no sooner than its offset), so only those
    levels' changes are visited, the next of them found among them; a level looked at again
    after a while finds its place by bisection. The levels not looked at (most of them, most
    of the time: level 1 calls before level 2 is engaged) cost nothing, however often their
    shifts change."""
    if len(levels) == 1 and levels[0][1] == 0 and beyond is None:
        return levels[0][0]  # one level, engaged at the trigger (a low-urgency incident's)
    breaks = [step.breaks for step, _ in levels]
    reaches = [step.values for step, _ in levels]
    offsets = [offset for _, offset in levels]
    deltas = [timedelta(minutes=offset) for offset in offsets]
    # Where each level is in its breaks as of the moment in ``placed_at``, and the trigger
    # moment of its next change (None: it changes no more).
    positions = [0] * len(levels)
    placed_at: list[object] = [object()] * len(levels)
    upcoming: list[datetime | None] = [None] * len(levels)
    first = ((None, None, None, None) if beyond is None
             else (beyond.call, beyond.notice, beyond.unread, beyond.why))
    at: datetime | None = None

    def now() -> tuple[tuple[int | None, int | None, int | None, str | None], int]:
        """The answer at ``at``, and how many levels it rests on: plain tuples compared and
        kept, each level's minutes counted from the trigger only where they are read, a
        Reach made only for each different answer."""
        call, notice, unread, why = first
        looked = 0
        for number, offset in enumerate(offsets):
            if call is not None and call <= offset:
                break  # what a later level reaches comes no sooner
            if placed_at[number] is not at:  # not looked at since ``at`` before this one
                position = positions[number] = (0 if at is None else bisect.bisect_right(
                    breaks[number], at + deltas[number]))
                upcoming[number] = (breaks[number][position] - deltas[number]
                                    if position < len(breaks[number]) else None)
                placed_at[number] = at
            level_call, level_notice, level_unread, level_why = reaches[number][
                positions[number]]
            if level_call is not None and (call is None or level_call + offset < call):
                call = level_call + offset
            if level_notice is not None and (notice is None or level_notice + offset < notice):
                notice = level_notice + offset
            if level_unread is not None and (unread is None or level_unread + offset < unread):
                unread, why = level_unread + offset, level_why
            looked = number + 1
        if call is not None and unread is not None and call <= unread:
            unread, why = None, None  # as _settled: nothing unread comes sooner than the call
        return (call, notice, unread, why), looked

    last, looked = now()
    made = {last: Reach(*last)}
    moments: list[datetime] = []
    values = [made[last]]
    while True:
        at = None
        for moment in upcoming[:looked]:
            if moment is not None and (at is None or moment < at):
                at = moment
        if at is None:
            break  # the levels the answer rests on change no more
        for number in range(looked):
            if upcoming[number] == at:
                level_breaks, delta = breaks[number], deltas[number]
                engaged = at + delta if delta else at  # the moment the level is read at
                position = positions[number] + 1
                while position < len(level_breaks) and level_breaks[position] <= engaged:
                    position += 1
                positions[number] = position
                upcoming[number] = (None if position == len(level_breaks)
                                    else level_breaks[position] - delta if delta
                                    else level_breaks[position])
            placed_at[number] = at
        current, looked = now()
        if current != last:
            moments.append(at)
            reach = made.get(current)
            if reach is None:
                reach = made[current] = Reach(*current)
            values.append(reach)
            last = current
    return Step(tuple(moments), tuple(values))


def _urgency_key(service: Service, severity_urgency: str) -> tuple[Any, ...]:
    """What decides a service's urgency gates besides the window: its status, urgency rule
    and support hours, and a severity's urgency only for a severity-based rule."""
    rule = service.urgency_rule
    by_severity = rule is not None and "severity_based" in (
        rule.urgency, rule.during_support_hours, rule.outside_support_hours)
    return (service.disabled, service.status is None, rule, service.support_hours,
            severity_urgency if by_severity else None)


Judgement = tuple[Verdict, Outcome | None]
"""A verdict, and the outcome judged when the deadline is not met."""

JudgedReach = tuple[Verdict, Reach | None]
"""An escalation's verdict, and what it reaches when the deadline is not met."""


def _judgement(outcome: Outcome, within: int) -> Judgement:
    verdict = judged(outcome, within)
    return verdict, None if verdict is Verdict.MET else outcome


def _gated(gate: Gate, judged: JudgedReach) -> Judgement:
    """An escalation's verdict and reach under ``gate``: the outcome judged."""
    verdict, reach = judged
    return verdict, None if reach is None else Outcome(gate, reach)


def _outcome(gate: Gate, policy_id: str | None,
             ways: Sequence[tuple[str | None, int, str | None]],
             reaches: Sequence[Reach]) -> Outcome:
    """The outcome at a moment: the reach of the escalation policy the gate pages (the
    service's, ``policy_id``, unless it names another) at its urgency, engaged once the alert
    is no longer held (``ways`` lists the (urgency, delay, policy) of each reach)."""
    if not gate.read or gate.urgency is None:
        return Outcome(gate, None)
    return Outcome(gate, reaches[ways.index((gate.urgency, gate.delay,
                                             gate.policy_id or policy_id))])


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _urgency_gates(service: Service, severity_urgency: str, window: Interval) -> Step[Gate]:
    if service.disabled:
        return Step.constant(Gate(None, "the service is disabled"))
    if service.status is None:
        return Step.constant(Gate(None, "PagerDuty returned the service without its status",
                                  read=False))
    rule = service.urgency_rule
    if rule is None:
        return Step.constant(Gate(None, "PagerDuty returned the service without its urgency "
                                        "rule", read=False))

    def gate(urgency: str | None, when: str) -> Gate:
        if urgency == "severity_based":
            return Gate(severity_urgency, f"{severity_urgency} urgency{when}, set by the "
                                          "alert's severity", by_severity=True)
        if urgency in ("high", "low"):
            return Gate(urgency, f"{urgency} urgency{when}")
        return Gate(None, f"urgency {urgency!r}{when}, which pdlint does not know", read=False)

    if rule.urgency is not None:
        return Step.constant(gate(rule.urgency, ""))
    hours = service.support_hours
    zone = live_zone(hours.time_zone) if hours is not None and hours.time_zone else None
    if hours is None or zone is None or not hours.days_of_week or not (
            hours.start_time and hours.end_time):
        return Step.constant(Gate(None, "urgency follows support hours, which could not be "
                                        "read", read=False))
    opens, closes = time.fromisoformat(hours.start_time), time.fromisoformat(hours.end_time)
    during = weekly_hours(window, zone, hours.days_of_week, opens, closes)
    words = f"{opens:%H:%M}-{closes:%H:%M} {hours.time_zone}"
    during_gate = gate(rule.during_support_hours, f" during support hours ({words})")
    outside_gate = gate(rule.outside_support_hours, f" outside support hours ({words})")
    return inside(during).mapped(lambda within: during_gate if within else outside_gate)


def _rules_unread(user: User, urgency: str) -> str | None:
    """Why a user's notification rules for ``urgency`` cannot be read: not listed with this key,
    or one that may be for that urgency returned without a field the spec requires (whom it
    reaches, and when, is not known: never "at once" or "no call"); None when they can."""
    name = user.name or user.id
    if user.notification_rules is None:
        return f"the notification rules of {name} could not be read with this key"
    for rule in user.notification_rules:
        if rule.missing and rule.urgency in (None, urgency):
            return (f"a notification rule of {name} is not read: PagerDuty did not return "
                    f"{' and '.join(rule.missing)}")
    return None


def _rules_for(user: User, urgency: str) -> Iterator[tuple[ContactMethod, int]]:
    """The contact method and start delay of each of a user's notification rules for
    ``urgency``, once ``_rules_unread`` found them all read."""
    for rule in user.notification_rules or ():
        if (rule.urgency == urgency and rule.contact_method is not None
                and rule.start_delay_minutes is not None):
            yield rule.contact_method, rule.start_delay_minutes


# -- the path at one moment, level by level ----------------------------------------------------

@dataclass(frozen=True)
class RuleAt:
    """One of a person's notification rules for the incident's urgency."""

    method: str
    """The contact method's type, e.g. ``phone_contact_method``."""
    delay: int
    usable: bool


@dataclass(frozen=True)
class PersonAt:
    """Someone a level pages: who, how their rules reach them (minutes after assignment), and
    the rules themselves (None when they could not be read)."""

    user_id: str
    name: str | None
    reach: Reach
    rules: tuple[RuleAt, ...] | None


@dataclass(frozen=True)
class TargetAt:
    """One target of a level at the moment it is engaged: the person it pages, nobody, or why
    pdlint cannot tell (``problem``)."""

    kind: TargetKind
    name: str | None
    person: PersonAt | None
    problem: str | None

    @property
    def reach(self) -> Reach:
        if self.problem is not None:
            return not_read(self.problem)
        return self.person.reach if self.person is not None else NOBODY


@dataclass(frozen=True)
class LevelAt:
    """A level engaged ``offset`` minutes after the trigger, and what each target pages."""

    engagement: Engagement
    targets: tuple[TargetAt, ...]
    round_robin: bool = False
    """One of the targets is paged, in turn; which one is not known in advance."""
    unread: str | None = None
    """Why the level's targets are not read (PagerDuty did not return them; ``targets`` is
    then empty, not "no target"), or None."""

    @cached_property
    def reach(self) -> Reach:
        """How soon the level reaches someone, in minutes after the trigger (round robin: the
        latest of its targets, since any one of them may be the one paged)."""
        if self.unread is not None:
            return not_read(self.unread).later(self.engagement.offset)
        reaches = [target.reach for target in self.targets]
        return (latest(reaches) if self.round_robin else soonest(reaches)).later(
            self.engagement.offset)


@dataclass(frozen=True)
class PathAt:
    """The path of a trigger at ``moment``: its gate, the levels it reaches (none when no
    incident is created) and what they reach together (``reach``; None without an incident)."""

    service: Service
    moment: datetime
    gate: Gate
    levels: tuple[LevelAt, ...]
    beyond: Reach | None
    """What cannot be known past the levels listed (a rule without an escalation delay)."""

    @cached_property
    def reach(self) -> Reach | None:
        if not self.gate.read or self.gate.urgency is None:
            return None
        reaches: list[Reach] = []
        call = None
        for level in self.levels:
            if call is not None and call <= level.engagement.offset:
                break  # what a later level reaches comes no sooner (as ``escalated``)
            reaches.append(level.reach)
            call = _soonest(call, reaches[-1].call)
        found = soonest(reaches)
        return found if self.beyond is None else found.sooner(self.beyond)

    def first_call(self) -> tuple[LevelAt, TargetAt] | None:
        """The level and target of the first phone call or SMS, if any."""
        reach = self.reach
        if reach is None or reach.call is None:
            return None
        for level in self.levels:
            if level.reach.call != reach.call:
                continue
            for target in level.targets:
                if target.reach.later(level.engagement.offset).call == reach.call:
                    return level, target
        return None


def path_at(paths: Paths, service: Service, severity_urgency: str, moment: datetime,
            overlays: Sequence[Overlay] = ()) -> PathAt:
    """The path of a trigger on ``service`` at ``moment``, level by level: the same answer as
    ``Paths.service`` at that moment, with who is on call and which rules ring."""
    window = Interval(moment, moment + timedelta(minutes=1))
    gate = paths.gates(service, severity_urgency, window, overlays).at(moment)
    paged = gate.policy_id or (service.escalation_policy.id if service.escalation_policy
                               else None)
    policy = paths.account.escalation_policies.by_id(paged)
    if not gate.read or gate.urgency is None:
        return PathAt(service, moment, gate, (), None)
    if policy is None:
        reach = paths.escalation(paged, gate.urgency).at(
            moment + timedelta(minutes=gate.delay)).later(gate.delay)
        return PathAt(service, moment, gate, (), reach)
    engagements, beyond = paths.engagements(policy, gate.urgency)
    held = gate.delay  # the levels are engaged once the alert triggers
    levels = tuple(
        _level_at(paths, policy, Engagement(engaged.rule, engaged.loop, engaged.offset + held),
                  gate.urgency, moment + timedelta(minutes=engaged.offset + held))
        for engaged in engagements)
    return PathAt(service, moment, gate, levels,
                  None if beyond is None else beyond.later(held))


def _level_at(paths: Paths, policy: EscalationPolicy, engagement: Engagement, urgency: str,
              moment: datetime) -> LevelAt:
    """A level engaged at ``moment`` with each of its targets; its targets not read when
    PagerDuty did not return them."""
    level = (policy.rules or ())[engagement.rule]  # engaged levels exist only for rules returned
    if level.targets is None:
        return LevelAt(engagement, (), level.round_robin,
                       targets_not_returned(policy, engagement.rule))
    return LevelAt(engagement, tuple(_target_at(paths, target, urgency, moment)
                                     for target in level.targets), level.round_robin)


def targets_not_returned(policy: EscalationPolicy, rule: int) -> str:
    """Why a level's targets are not read: PagerDuty did not return them (not "no target")."""
    return (f"PagerDuty returned level {rule + 1} of escalation policy '{policy.name}' without "
            "its targets")


def _unread_target(target: EscalationTarget) -> str:
    """Why a target that is neither a user nor a schedule is not followed, naming it."""
    return f"a target of type {target.type!r} ({target.id}), which pdlint does not read"


def _target_at(paths: Paths, target: EscalationTarget, urgency: str,
               moment: datetime) -> TargetAt:
    if target.kind is TargetKind.USER:
        who: OnCall = str(target.id)
    elif target.is_schedule:
        who = paths.on_call(target).at(moment)
    else:
        who = NotRead(_unread_target(target))
    return paths.target_at(target, urgency, who)
