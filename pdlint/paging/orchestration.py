"""What a service's event orchestration does to an alert at each moment: an overlay of the path.

PagerDuty runs a service orchestration before any incident exists. From the set ``start``, the
first rule (not disabled) whose conditions match the event applies its actions and, when it
routes to another set, that set's rules follow; in a set where no rule matches, the catch-all's
actions apply. Actions add up along the way, a later one setting the same thing winning. What
matters to the path: suppressing the alert, dropping the event or turning it into a resolve (no
incident), suspending it (the incident triggers that many seconds later, counted in whole
minutes, rounded up), and setting its severity (the urgency of a ``severity_based`` service:
``critical`` and ``error`` high, ``warning`` and ``info`` low). A priority changes no urgency in
PagerDuty; whether it contradicts the severity matrix is SVC311's question, as is a global
orchestration's router sending a documented monitoring tool's events elsewhere: the path starts
at the service. A rule's ``escalation_policy`` action pages that policy instead of the
service's.

The path follows an alert of a documented severity whose content is otherwise unknown, so each
condition is read three-valued at each moment. PCL's time conditions, ``now in Mon,Tue
09:00:00 to 17:00:00 America/New_York`` (the days, a start and an end, local wall-clock time in
an IANA zone; an end before the start runs past midnight, ``23:59:59`` is the end of the day),
are intervals of the window, DST included; ``and``, ``or``, ``not`` and parentheses combine them.
Anything else (a condition on the event's fields, a cache variable) may hold for some alerts and
not others, and is never guessed: a rule that matches only through such a condition *may* apply,
and is named in the path's words; the alert the path follows is one it does not match, so a
catch-all after it still counts. A rule without conditions matches every event. An expression
pdlint cannot parse is read like a condition on the event.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from pdlint.coverage import Interval, weekly_hours
from pdlint.pagerduty.model import (
    SEVERITY_URGENCY,
    OrchestrationActions,
    OrchestrationRule,
    ServiceOrchestration,
)
from pdlint.paging.path import Gate, Overlay, Step, combined, inside
from pdlint.zones import zone_named


class Match(enum.Enum):
    """Whether a condition holds for the alert at a moment: yes, no, or only for some alerts."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


def _both(first: Match, second: Match) -> Match:
    if Match.NO in (first, second):
        return Match.NO
    return Match.YES if first is second is Match.YES else Match.MAYBE


def _either(first: Match, second: Match) -> Match:
    if Match.YES in (first, second):
        return Match.YES
    return Match.NO if first is second is Match.NO else Match.MAYBE


_NEGATED = {Match.YES: Match.NO, Match.NO: Match.YES, Match.MAYBE: Match.MAYBE}
DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_TOKENS = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[()]|[^\s()]+""")
_CLOCK = re.compile(r"\d{2}:\d{2}:\d{2}")


class _Unreadable(Exception):
    """An expression pdlint does not parse: read like a condition on the event."""


@dataclass(frozen=True)
class WeeklyTime:
    """``now in <days> <start> to <end> <zone>``."""

    days: tuple[int, ...]
    start: time
    end: time
    zone: str

    def during(self, window: Interval) -> Step[Match]:
        zone = zone_named(self.zone)
        if zone is None:
            return Step.constant(Match.MAYBE)
        return inside(weekly_hours(window, zone, self.days, self.start, self.end)).mapped(
            lambda within: Match.YES if within else Match.NO)


Condition = Any
"""A parsed expression: ``WeeklyTime``, ``None`` (a condition on the event), or a tuple
``("not", x)``, ``("and", x, y)``, ``("or", x, y)``."""


class _Parser:
    def __init__(self, expression: str) -> None:
        self.tokens = _TOKENS.findall(expression)
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def word(self) -> str | None:
        token = self.peek()
        return token.lower() if token is not None else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _Unreadable
        self.position += 1
        return token

    def whole(self) -> Condition:
        found = self.either()
        if self.peek() is not None:
            raise _Unreadable
        return found

    def either(self) -> Condition:
        found = self.both()
        while self.word() == "or":
            self.take()
            found = ("or", found, self.both())
        return found

    def both(self) -> Condition:
        found = self.one()
        while self.word() == "and":
            self.take()
            found = ("and", found, self.one())
        return found

    def one(self) -> Condition:
        word = self.word()
        if word == "not":
            self.take()
            return ("not", self.one())
        if word == "(":
            self.take()
            found = self.either()
            if self.take() != ")":
                raise _Unreadable
            return found
        if word == "now" and self.position + 1 < len(self.tokens) and (
                self.tokens[self.position + 1].lower() == "in"):
            return self.weekly()
        taken = 0
        while self.word() not in (None, "and", "or", ")"):
            if self.take() == "(":
                raise _Unreadable
            taken += 1
        if not taken:
            raise _Unreadable
        return None

    def weekly(self) -> WeeklyTime:
        self.position += 2  # "now in"
        days: list[int] = []
        while self.peek() is not None and not _CLOCK.fullmatch(self.peek() or ""):
            for name in self.take().split(","):
                if name:
                    if name.lower() not in DAYS:
                        raise _Unreadable
                    days.append(DAYS[name.lower()])
        start = self.take()
        if self.take().lower() != "to":
            raise _Unreadable
        end = self.take()
        zone = self.take()
        if not days or not (_CLOCK.fullmatch(start) and _CLOCK.fullmatch(end)):
            raise _Unreadable
        return WeeklyTime(tuple(days), time.fromisoformat(start), _end_of(end), zone)


def _end_of(text: str) -> time:
    """``23:59:59`` ends the day: midnight, which ``weekly_hours`` places on the next day."""
    return time(0) if text == "23:59:59" else time.fromisoformat(text)


def parsed(expression: str) -> Condition:
    """The condition of a PCL expression, as far as time decides it."""
    try:
        return _Parser(expression).whole()
    except (_Unreadable, ValueError):
        return None


def matching(condition: Condition, window: Interval) -> Step[Match]:
    """Whether the condition holds over ``window``, three-valued."""
    if condition is None:
        return Step.constant(Match.MAYBE)
    if isinstance(condition, WeeklyTime):
        return condition.during(window)
    if condition[0] == "not":
        return matching(condition[1], window).mapped(_NEGATED.__getitem__)
    join = _both if condition[0] == "and" else _either
    return combined([matching(condition[1], window), matching(condition[2], window)], join)


def rule_matching(rule: OrchestrationRule, window: Interval) -> Step[Match]:
    """A rule matches when any of its conditions does; without conditions, always."""
    if not rule.conditions:
        return Step.constant(Match.YES)
    steps = [matching(parsed(expression), window) for expression in rule.conditions]
    if len(steps) == 1:
        return steps[0]
    return combined(steps, lambda *matches: _any(matches))


def _any(matches: Sequence[Match]) -> Match:
    found = Match.NO
    for match in matches:
        found = _either(found, match)
    return found


# -- what the orchestration does at a moment -----------------------------------------------------

def holds(actions: OrchestrationActions) -> str | None:
    """How the actions keep the alert from opening an incident at all, if they do."""
    if actions.drop_event or actions.suppress or actions.event_action == "resolve":
        return actions.holds_back()
    return None


def acts(actions: OrchestrationActions) -> bool:
    """Whether the actions change what the path follows."""
    return bool(holds(actions) or actions.suspend_seconds or actions.severity
                or actions.escalation_policy_id)


def _doing(actions: OrchestrationActions) -> str:
    """``suppresses the alert``, ``sets severity warning``: what the actions do to the path."""
    done = [holds(actions) or "", *([f"suspends the alert for {actions.suspend_seconds} s"]
                                    if actions.suspend_seconds else []),
            *([f"sets severity {actions.severity}"] if actions.severity else []),
            *([f"pages escalation policy {actions.escalation_policy_id}"]
              if actions.escalation_policy_id else [])]
    return " and ".join(part for part in done if part)


@dataclass(frozen=True)
class Effect:
    """What the orchestration does to the alert at a moment: the rule that keeps it from an
    incident (``held``), the seconds it is suspended and by which rule, the severity it sets
    and by which rule, and the rules that may act on some alerts (``may``), in words."""

    held: str | None = None
    suspended: tuple[int, str] | None = None
    severity: tuple[str, str] | None = None
    may: tuple[str, ...] = ()
    escalation: tuple[str, str, str] | None = None
    """The escalation policy paged instead of the service's (its id and its name in words),
    and by which rule."""

    def over(self, base: Gate) -> Gate:
        if not base.read or base.urgency is None:
            return base
        if self.held is not None:
            return Gate(None, self.held)
        gate = base
        if self.severity is not None and base.by_severity:
            severity, by = self.severity
            urgency = SEVERITY_URGENCY.get(severity, base.urgency)
            gate = Gate(urgency, f"{urgency} urgency, set by the alert's severity {severity} "
                                 f"from {by}", by_severity=True)
        if self.escalation is not None:
            policy_id, named, by = self.escalation
            gate = Gate(gate.urgency, f"{gate.why}; {named} is paged instead of the "
                                      f"service's: {by}",
                        by_severity=gate.by_severity, policy_id=policy_id)
        if self.suspended is not None:
            seconds, by = self.suspended
            minutes = math.ceil(seconds / 60)
            gate = Gate(gate.urgency, f"{gate.why}; the incident triggers at minute {minutes}: "
                                      f"{by}", delay=minutes, by_severity=gate.by_severity,
                        policy_id=gate.policy_id)
        if self.may:
            gate = Gate(gate.urgency, f"{gate.why}; {'; '.join(self.may)}", delay=gate.delay,
                        by_severity=gate.by_severity, policy_id=gate.policy_id)
        return gate


@dataclass(frozen=True)
class OrchestrationOverlay(Overlay):
    """An orchestration's effect laid over the gate beneath it."""

    effect: Effect = Effect()

    def over(self, base: Gate) -> Gate:
        return self.effect.over(base)


def _named(rule: OrchestrationRule) -> str:
    return f"event orchestration {rule.described()}"


def effect_of(orchestration: ServiceOrchestration, matches: Sequence[Match],
              policy_named: Callable[[str], str]) -> Effect:
    """The effect at a moment when the orchestration's rules match as ``matches`` (one per
    rule, in order; the catch-all last); ``policy_named`` names an escalation policy by id."""
    sets: dict[str, list[tuple[OrchestrationRule, Match]]] = {}
    catch_all = orchestration.rules[-1]
    for rule, match in zip(orchestration.rules[:-1], matches, strict=True):
        if not rule.disabled and rule.set_id is not None:
            sets.setdefault(rule.set_id, []).append((rule, match))
    held: str | None = None
    suspended: tuple[int, str] | None = None
    severity: tuple[str, str] | None = None
    escalation: tuple[str, str, str] | None = None
    may: list[str] = []
    set_id: str | None = "start"
    seen: set[str] = set()
    while set_id is not None and set_id not in seen:
        seen.add(set_id)
        chosen = catch_all
        for rule, match in sets.get(set_id, ()):
            if match is Match.YES:
                chosen = rule
                break
            if match is Match.MAYBE and acts(rule.actions):
                may.append(f"{_named(rule)} may apply: it {_doing(rule.actions)} if the "
                           "alert matches, which the path cannot know (a condition on the "
                           "event)")
        actions = chosen.actions
        if held is None and holds(actions):
            held = f"{_named(chosen)} {holds(actions)}"
        if actions.suspend_seconds:
            suspended = (actions.suspend_seconds, f"{_named(chosen)} suspends the alert for "
                                                  f"{actions.suspend_seconds} s")
        if actions.severity:
            severity = (actions.severity, _named(chosen))
        if actions.escalation_policy_id:
            escalation = (actions.escalation_policy_id,
                          policy_named(actions.escalation_policy_id), _named(chosen))
        set_id = None if chosen is catch_all else actions.route_to
    return Effect(held, suspended, severity, tuple(may), escalation)


def orchestration_overlays(orchestration: ServiceOrchestration, window: Interval,
                           policy_named: Callable[[str], str]) -> tuple[OrchestrationOverlay, ...]:
    """The orchestration over ``window``: one overlay for each effect, with the intervals it
    holds (none when the orchestration is not active: events meet legacy rules instead)."""
    if not orchestration.applies or not any(
            acts(rule.actions) for rule in orchestration.rules if not rule.disabled):
        return ()
    steps = [rule_matching(rule, window) for rule in orchestration.rules[:-1]]
    effects = (combined(steps, lambda *matches: effect_of(orchestration, matches, policy_named))
               if steps else Step.constant(effect_of(orchestration, (), policy_named)))
    intervals: dict[Effect, list[Interval]] = {}
    for stretch, effect in effects.stretches(window):
        if effect != Effect():
            intervals.setdefault(effect, []).append(stretch)
    return tuple(OrchestrationOverlay(tuple(found), effect=effect)
                 for effect, found in intervals.items())
