"""The live account as typed, immutable objects, parsed once from the API's JSON.

Everything past this module (rules, ``pdlint init``, the evidence package, coverage) reads these
objects, never the wire JSON: the meaning of each PagerDuty field (which target types page a
schedule, what an absent urgency rule means, which contact methods are usable) is decided here,
once. Snapshots keep the raw JSON (``LiveState``); an ``Account`` is parsed from it.

Absent is not empty. A value PagerDuty did not return is ``None``, never an empty tuple or a
default that reads as "none": a schedule without its rendered ``final_schedule`` has
``final_schedule is None`` (not rendered), a user listed without ``notification_rules`` has
``notification_rules is None`` (not readable with this token), and a collection that could not
be read has a ``skip_reason``. An empty tuple means PagerDuty said "none".

A value of the wrong type is a ``ModelError`` naming the object and the field, so a reply that
is not what the API specifies stops the run with one clear line instead of a traceback deep in a
rule. A rendered schedule whose entries cannot be read keeps the reason (``RenderedSchedule``):
one such schedule is reported as not checked rather than ending the run.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any, Generic, NamedTuple, TypeVar

from pdlint.errors import PdlintError
from pdlint.findings import Resource, Skipped
from pdlint.isotime import parse_datetime
from pdlint.pagerduty.state import LiveState, Window, account_subdomain

T = TypeVar("T")
Obj = TypeVar("Obj", bound="LiveObject")

HIGH_URGENCIES = ("high", "severity_based")
"""Urgencies that can open a high-urgency incident."""


class ModelError(PdlintError):
    """PagerDuty returned an object pdlint cannot read; the message names the object and the
    field (exit 2)."""


def parse_time(text: str, naive_zone: tzinfo | None = None) -> datetime:
    """An ISO 8601 time with an offset or ``Z``, as PagerDuty writes them; a time without one is
    refused (ValueError), unless the caller knows its zone (``naive_zone``: analytics write
    local times in the zone the request named)."""
    moment = parse_datetime(text)
    if moment.tzinfo is None:
        if naive_zone is None:
            raise ValueError(f"{text!r} has no time zone")
        return datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute,
                        moment.second, moment.microsecond, naive_zone)  # replace() costs 3 x
    return moment


_TEXT_OR_NULL = frozenset((str, type(None)))


class _Fields:
    """Typed reads of one JSON object, with errors that name the object and the field.

    An enterprise account is hundreds of thousands of these reads, so each is written out for
    the JSON types it expects (a value of that exact type passes at once) and the path to the
    field is spelled only for an error."""

    __slots__ = ("_index", "_key", "_within", "data", "where")

    def __init__(self, data: Any, where: str, within: _Fields | None = None,
                 key: str | None = None, index: int | None = None) -> None:
        self.data: Mapping[str, Any] = data
        self.where = where
        self._within, self._key, self._index = within, key, index
        if type(data) is not dict and not isinstance(data, Mapping):
            raise ModelError(f"{where}: {self.path or 'the object'} is {_shown(data)}, not an "
                             "object")

    @property
    def path(self) -> str:
        """Where the object is in the one read (``final_schedule.entries[3]``); empty for it."""
        if self._within is None or self._key is None:
            return ""
        field = self._within._field(self._key)
        return field if self._index is None else f"{field}[{self._index}]"

    def _field(self, key: str) -> str:
        path = self.path
        return f"{path}.{key}" if path else key

    def _wrong(self, key: str, value: Any, what: str) -> ModelError:
        return ModelError(f"{self.where}: {self._field(key)} is {_shown(value)}, not {what}")

    def _list(self, key: str) -> list[Any] | None:
        value = self.data.get(key)
        if value is None or type(value) is list or isinstance(value, list):
            return value
        raise self._wrong(key, value, "a list")

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or type(value) is str or isinstance(value, str):
            return value
        raise self._wrong(key, value, "text")

    def texts_at(self, keys: Sequence[str]) -> list[str | None]:
        """The text fields ``keys`` at once, as ``text`` reads each: a record of many text
        fields (analytics incidents, 10^5 a year) has their types checked in one pass of C."""
        values = list(map(self.data.get, keys))
        if not _TEXT_OR_NULL.issuperset(map(type, values)):
            values = [self.text(key) for key in keys]  # a subclass of str, or the error
        return values

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None or type(value) is int or (isinstance(value, int)
                                                   and not isinstance(value, bool)):
            return value
        raise self._wrong(key, value, "a whole number")

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return value
        raise self._wrong(key, value, "a number")

    def texts(self, key: str) -> tuple[str, ...] | None:
        value = self._list(key)
        if value is None:
            return None
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise ModelError(f"{self.where}: {self._field(key)}[{index}] is "
                                 f"{_shown(item)}, not text")
        return tuple(value)

    def length(self, key: str) -> int | None:
        """How many items a list field holds; None when it is absent."""
        value = self._list(key)
        return None if value is None else len(value)

    def required(self, key: str, value: T | None) -> T:
        """``value``, read from ``key``, which the object cannot be read without."""
        if value is None:
            raise ModelError(f"{self.where}: {self._field(key)} is absent")
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or value is True or value is False:
            return value
        raise self._wrong(key, value, "true or false")

    def time(self, key: str, naive_zone: tzinfo | None = None) -> datetime | None:
        """A time with its offset (``parse_time``; without one, in ``naive_zone`` if given)."""
        text = self.text(key)
        if text is None:
            return None
        try:
            return parse_time(text, naive_zone)
        except ValueError:
            raise ModelError(f"{self.where}: {self._field(key)} is {_shown(text)}, not an ISO "
                             "8601 time with a time zone") from None

    def nested(self, key: str) -> _Fields | None:
        value = self.data.get(key)
        return None if value is None else _Fields(value, self.where, self, key)

    def items(self, key: str) -> list[_Fields] | None:
        """The objects of a list field, None when the field is absent or null."""
        value = self._list(key)
        if value is None:
            return None
        where = self.where
        return [_Fields(item, where, self, key, index) for index, item in enumerate(value)]

    def each(self, key: str, parse: Callable[[_Fields], T]) -> tuple[T, ...] | None:
        found = self.items(key)
        return None if found is None else tuple(map(parse, found))

    def numbers(self, key: str) -> tuple[int, ...] | None:
        value = self._list(key)
        if value is None:
            return None
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int):
                raise ModelError(f"{self.where}: {self._field(key)}[{index}] is "
                                 f"{_shown(item)}, not a whole number")
        return tuple(value)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _described(kind: str, data: Any) -> str:
    """``schedule PABC123 ('Primary')``: how an error names the object it is about."""
    if not isinstance(data, Mapping):
        return kind
    name = data.get("name", data.get("summary"))
    named = f" ({name!r})" if isinstance(name, str) else ""
    return f"{kind} {data.get('id', '?')}{named}"


# -- references and targets -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reference:
    """A reference to another object: its id, type and the name PagerDuty shows (``summary``)."""

    id: str | None
    type: str | None
    summary: str | None


def _reference(fields: _Fields) -> Reference:
    return Reference(fields.text("id"), fields.text("type"), fields.text("summary"))


class TargetKind(enum.Enum):
    """What an escalation target pages."""

    SCHEDULE = "schedule"
    SHIFT_BASED_SCHEDULE = "shift-based schedule"
    USER = "user"
    OTHER = "other"


TARGET_KINDS: Mapping[str, TargetKind] = {
    "schedule": TargetKind.SCHEDULE,
    "schedule_reference": TargetKind.SCHEDULE,
    "schedule_v3_reference": TargetKind.SHIFT_BASED_SCHEDULE,
    "user": TargetKind.USER,
    "user_reference": TargetKind.USER,
}
"""The escalation target types PagerDuty writes, by what they page."""


@dataclass(frozen=True, slots=True)
class EscalationTarget:
    kind: TargetKind
    type: str | None
    """PagerDuty's own word for the target type, e.g. ``schedule_reference``."""
    id: str | None
    summary: str | None

    @property
    def is_schedule(self) -> bool:
        return self.kind in (TargetKind.SCHEDULE, TargetKind.SHIFT_BASED_SCHEDULE)


def _target(fields: _Fields) -> EscalationTarget:
    written = fields.text("type")
    return EscalationTarget(TARGET_KINDS.get(written or "", TargetKind.OTHER), written,
                            fields.text("id"), fields.text("summary"))


# -- the objects ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LiveObject:
    """What every top-level object has: an id, a name, and where PagerDuty shows it."""

    id: str
    name: str | None
    description: str | None
    html_url: str | None


def _common(fields: _Fields, kind: str) -> dict[str, Any]:
    object_id = fields.text("id")
    if object_id is None:
        raise ModelError(f"{fields.where}: id is missing; every {kind} has one")
    return {"id": object_id, "name": fields.text("name"),
            "description": fields.text("description"), "html_url": fields.text("html_url")}


def _named(fields: _Fields, kind: str, *, or_summary: bool = False) -> dict[str, Any]:
    """``_common`` of an object pdlint pairs with the policy's by its name: without one, it
    would read as "no such object", so it is refused as a missing id is. A shift-based schedule
    listed as a reference only (``or_summary``) is named by its ``summary``."""
    common = _common(fields, kind)
    if or_summary:
        common["name"] = common["name"] or fields.text("summary")
    if common["name"] is None:
        raise ModelError(f"{fields.where}: name is missing; pdlint finds every {kind} by its "
                         "name")
    return common


@dataclass(frozen=True)
class EscalationRule:
    delay_minutes: int | None
    """``escalation_delay_in_minutes``: the wait before the next rule."""
    targets: tuple[EscalationTarget, ...] | None
    """None when PagerDuty did not return them (the spec requires them): not read, not "no
    target"."""
    round_robin: bool = False
    """``escalation_rule_assignment_strategy`` is ``round_robin``: each incident is assigned to
    one of the targets in turn, not to all of them (``assign_to_everyone``, the default)."""


def _assignment_strategy(fields: _Fields) -> str | None:
    """The rule's assignment strategy as PagerDuty writes it: the spec's schema gives a string,
    the API (and the spec's examples) an object ``{"type": ...}``, or a list of one."""
    key = "escalation_rule_assignment_strategy"
    value = fields.data.get(key)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, Mapping):
        value = value.get("type")
    if value is not None and not isinstance(value, str):
        raise ModelError(f"{fields.where}: {fields._field(key)} is {_shown(value)}, not a "
                         "strategy")
    return value


@dataclass(frozen=True)
class EscalationPolicy(LiveObject):
    rules: tuple[EscalationRule, ...] | None
    """None when PagerDuty did not return ``escalation_rules`` (the spec requires them): not
    read, not "no rule"."""
    num_loops: int | None
    """How many times the escalation starts again; None when PagerDuty did not return
    ``num_loops`` (the spec does not require it): not read, never its default for a new
    policy (0)."""
    handoff_notifications: str | None
    """``always`` or ``if_has_services``; None when PagerDuty did not return
    ``on_call_handoff_notifications`` (not required either): not read, never its default."""
    teams: tuple[Reference, ...] | None


def _escalation_policy(fields: _Fields) -> EscalationPolicy:
    rules = fields.each("escalation_rules", lambda rule: EscalationRule(
        rule.integer("escalation_delay_in_minutes"), rule.each("targets", _target),
        _assignment_strategy(rule) == "round_robin"))
    return EscalationPolicy(
        **_named(fields, "escalation policy"), rules=rules,
        num_loops=fields.integer("num_loops"),
        handoff_notifications=fields.text("on_call_handoff_notifications"),
        teams=fields.each("teams", _reference))


class Shift(NamedTuple):
    """One rendered entry: who was on call (the user's id, all that is read of the entry's
    reference: a year of shifts is ~10^6 of them), from ``start`` to ``end``. A named tuple,
    not a frozen dataclass: as immutable, and half the CPU to make (0.55 against 1.17 us)."""

    start: datetime
    end: datetime
    user_id: str | None


@dataclass(frozen=True)
class RenderedSchedule:
    """A rendered subschedule (final or overrides) over the fetch window; ``problem`` says why
    its entries could not be read, in which case ``shifts`` is empty and means nothing."""

    shifts: tuple[Shift, ...]
    problem: str | None = None


_rendered_time = functools.lru_cache(maxsize=1 << 14)(parse_time)
"""``parse_time`` of a rendered entry's start or end: a year of an enterprise account's
renderings is ~10^6 times but a few thousand distinct ones (rotations hand over at the same
hours), each parsed once."""


def _entry_problem(entry: Any) -> str:
    """Why a rendered entry could not be read, said of the entry (after its place): worked out
    only once reading it failed, off the path ~10^6 entries a year take."""
    if not isinstance(entry, dict):
        return f" is {_shown(entry)}, not an object"
    for key in ("start", "end"):
        value = entry.get(key)
        if value is None:  # the spec allows a null end: an entry that does not end
            return (f".{key} is {'missing' if key not in entry else 'null'}"
                    + (": an entry that does not end cannot be placed in the window"
                       if key == "end" and key in entry else ""))
        if not isinstance(value, str):
            return f".{key} is {_shown(value)}, not text"
        try:
            parse_time(value)
        except ValueError:
            return f".{key} is {_shown(value)}, not an ISO 8601 time with a time zone"
    return f".user is {_shown(entry.get('user'))}, not an object"


def _rendered(fields: _Fields | None) -> RenderedSchedule | None:
    if fields is None:
        return None
    entries = fields.data.get("rendered_schedule_entries")
    if entries is None:  # rendered over the window pdlint always asks for: not "nobody"
        return RenderedSchedule((), "rendered_schedule_entries is absent")
    shifts = []
    for position, entry in enumerate(entries):
        try:
            start, end = _rendered_time(entry["start"]), _rendered_time(entry["end"])
            user = entry.get("user")
            user_id = user.get("id") if user is not None else None
        except (KeyError, TypeError, ValueError, AttributeError):
            return RenderedSchedule((), f"rendered_schedule_entries[{position}]"
                                        f"{_entry_problem(entry)}")
        if user_id is not None and not isinstance(user_id, str):
            return RenderedSchedule((), f"rendered_schedule_entries[{position}]: user.id is "
                                        f"{_shown(user_id)}, not text")
        if end < start:
            return RenderedSchedule((), f"rendered_schedule_entries[{position}]: interval ends "
                                        f"({end.astimezone(timezone.utc)}) before it starts "
                                        f"({start.astimezone(timezone.utc)})")
        shifts.append(Shift(start, end, user_id))
    return RenderedSchedule(tuple(shifts))


@dataclass(frozen=True)
class Restriction:
    """A layer's on-call restriction (``daily_restriction`` or ``weekly_restriction``)."""

    type: str | None
    start_time_of_day: str | None
    duration_seconds: int | None
    start_day_of_week: int | None


@dataclass(frozen=True)
class Layer:
    name: str | None
    start: datetime | None
    end: datetime | None
    turn_seconds: int | None
    """How often the layer hands over: ``rotation_turn_length_seconds``, or a shift-based
    event's ``shifts_per_member`` repetitions of its RRULE. None when it was not read
    (``turn_unread`` says why) or, for an event whose members are all on call at once, never."""
    turn_unread: str | None
    """Why the turn length was not read, said of the layer ("PagerDuty returned it without
    ..."); None when it was read, or the layer hands over never."""
    members: tuple[Reference, ...] | None
    """The users of the rotation, in turn order; None when PagerDuty did not return them (the
    spec requires a layer's ``users``, an event's ``assignment_strategy.members``): not read,
    not "nobody"."""
    restrictions: tuple[Restriction, ...] | None

    def in_force(self, since: datetime, until: datetime) -> bool:
        """Started before ``until`` and not ended before ``since``."""
        return ((self.start is None or self.start < until)
                and (self.end is None or self.end > since))


def _layer(fields: _Fields) -> Layer:
    listed = fields.items("users")
    members = None if listed is None else tuple(
        _reference(user) for member in listed if (user := member.nested("user")) is not None)
    restrictions = fields.each("restrictions", lambda item: Restriction(
        item.text("type"), item.text("start_time_of_day"), item.integer("duration_seconds"),
        item.integer("start_day_of_week")))
    turn = fields.integer("rotation_turn_length_seconds")
    return Layer(fields.text("name"), fields.time("start"), fields.time("end"), turn,
                 None if turn is not None else
                 "PagerDuty returned it without its rotation_turn_length_seconds",
                 members, restrictions)


@dataclass(frozen=True)
class Schedule(LiveObject):
    """A layer-based schedule, rendered over the fetch window."""

    time_zone: str | None
    layers: tuple[Layer, ...] | None
    """None when the listing did not include them."""
    final_schedule: RenderedSchedule | None
    """None when PagerDuty returned no rendering: not rendered, not "nobody on call"."""
    overrides: RenderedSchedule | None
    teams: tuple[Reference, ...] | None

    def layers_in_force(self, window: Window) -> tuple[Layer, ...]:
        return tuple(layer for layer in self.layers or ()
                     if layer.in_force(window.since, window.until))

    def members_in_force(self, window: Window) -> list[str] | None:
        """The distinct user ids of the layers in force, in turn order of first appearance;
        None when PagerDuty returned a layer in force without its users (not read)."""
        found: dict[str, None] = {}
        for layer in self.layers_in_force(window):
            if layer.members is None:
                return None
            for member in layer.members:
                if member.id:
                    found.setdefault(member.id)
        return list(found)


def _schedule(fields: _Fields) -> Schedule:
    return Schedule(
        **_named(fields, "schedule"), time_zone=fields.text("time_zone"),
        layers=fields.each("schedule_layers", _layer),
        final_schedule=_rendered(fields.nested("final_schedule")),
        overrides=_rendered(fields.nested("overrides_subschedule")),
        teams=fields.each("teams", _reference))


@dataclass(frozen=True)
class ShiftBasedSchedule(Schedule):
    """A shift-based (v3) schedule, read as a layer-based one is checked: each event of its
    rotations is a layer (who takes turns, handing over when, effective from and until), and
    its computed shift assignments are the final schedule, gaps (empty members) left out. It
    has no separate overrides: the computed shifts include them. Listed as a reference only
    (an older snapshot), it has no layers and no rendering (None); its name is the
    reference's ``summary`` when it has no ``name``, and its teams None when not said."""


RRULE_PERIODS = {"HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400}
"""Seconds per repetition of an event's RRULE ``FREQ``, before its ``INTERVAL``."""


def _shift_based(fields: _Fields) -> ShiftBasedSchedule:
    common = _named(fields, "shift-based schedule", or_summary=True)
    rotations = fields.items("rotations")
    return ShiftBasedSchedule(
        **common, time_zone=fields.text("time_zone"),
        layers=None if rotations is None else tuple(
            _event_layer(event) for rotation in rotations
            for event in rotation.items("events") or ()),
        final_schedule=_computed(fields.nested("final_schedule")), overrides=None,
        teams=fields.each("teams", _reference))


def _event_layer(event: _Fields) -> Layer:
    strategy = event.nested("assignment_strategy")
    listed = strategy.items("members") if strategy is not None else None
    members = None if listed is None else tuple(
        Reference(member.text("user_id"), "user_reference", None) for member in listed
        if member.text("type") == "user_member")
    return Layer(event.text("name"), event.time("effective_since"), event.time("effective_until"),
                 *_hand_over(event, strategy), members, None)


def _hand_over(event: _Fields, strategy: _Fields | None) -> tuple[int | None, str | None]:
    """How often a rotating event hands over: ``shifts_per_member`` repetitions of its RRULE
    (a weekly rule on five days repeats five times a week), and why not when it cannot be
    read (``Layer.turn_unread``); (None, None) for an event whose members are all on call at
    once, which never hands over. The spec requires the strategy, the RRULE and, for a
    rotating strategy, ``shifts_per_member``: missing, they are not read, never a default."""
    kind = strategy.text("type") if strategy is not None else None
    if kind == "every_member_assignment_strategy":
        return None, None
    if strategy is None or kind != "rotating_member_assignment_strategy":
        return None, ("PagerDuty returned it without its assignment_strategy"
                      if strategy is None else
                      f"its assignment strategy {kind!r} is not one pdlint reads")
    shifts = strategy.integer("shifts_per_member")
    if shifts is None or shifts < 1:
        return None, ("PagerDuty returned it without its shifts_per_member" if shifts is None
                      else f"its shifts_per_member {shifts} is not 1 or more")
    rule = next((text for text in event.data.get("recurrence") or ()
                 if isinstance(text, str) and text.startswith("RRULE:")), None)
    if rule is None:
        return None, "PagerDuty returned it without an RRULE in its recurrence"
    parts = dict(part.split("=", 1) for part in rule.removeprefix("RRULE:").split(";")
                 if "=" in part)
    period = RRULE_PERIODS.get(parts.get("FREQ", ""))
    interval = parts.get("INTERVAL", "1")
    unread = (f"its recurrence {rule!r} is not one pdlint reads (a FREQ of HOURLY, DAILY or "
              "WEEKLY, an INTERVAL of 1 or more)")
    if period is None or not interval.isdigit() or int(interval) < 1:
        return None, unread
    days = len(parts["BYDAY"].split(",")) if "BYDAY" in parts and parts["FREQ"] == "WEEKLY" else 1
    seconds, remainder = divmod(period * int(interval) * shifts, days)
    return (None, unread) if remainder else (seconds, None)


def _computed(fields: _Fields | None) -> RenderedSchedule | None:
    """A shift-based final schedule: its computed shift assignments of a user, as shifts."""
    if fields is None:
        return None
    assignments = fields.items("computed_shift_assignments")
    if assignments is None:  # the spec requires them: not "nobody"
        return RenderedSchedule((), "computed_shift_assignments is absent")
    shifts = []
    for position, item in enumerate(assignments):
        member = item.nested("member")
        try:
            start, end = parse_time(str(item.data["start_time"])), parse_time(
                str(item.data["end_time"]))
        except (KeyError, ValueError) as error:
            return RenderedSchedule((), f"computed_shift_assignments[{position}]: {error}")
        if end < start:
            return RenderedSchedule((), f"computed_shift_assignments[{position}]: the shift "
                                        "ends before it starts")
        if member is not None and member.text("type") == "user_member":
            shifts.append(Shift(start, end, member.text("user_id")))
    return RenderedSchedule(tuple(shifts))


@dataclass(frozen=True)
class UrgencyRule:
    """``incident_urgency_rule`` reduced to what a policy can state: a constant urgency, or
    one during support hours and one outside. A rule that names no urgency is PagerDuty's
    default, high (a service PagerDuty returned without a rule is ``Service.urgency_rule``
    None)."""

    urgency: str | None
    """The constant urgency; None for a support-hours rule."""
    during_support_hours: str | None = None
    outside_support_hours: str | None = None

    @classmethod
    def meant_by(cls, word: str) -> UrgencyRule:
        """The rule a policy's urgency word means: ``support_hours`` is high during support
        hours and low outside; any other word is that urgency at all times."""
        return cls(None, "high", "low") if word == "support_hours" else cls(word)

    def raises_high(self) -> bool:
        """Whether the rule can open a high-urgency incident."""
        return any(urgency in HIGH_URGENCIES for urgency in (
            self.urgency, self.during_support_hours, self.outside_support_hours))

    def policy_word(self) -> str:
        """The policy's word for the rule (``support_hours`` for high during, low outside)."""
        if self.urgency is not None:
            return self.urgency
        pair = (self.during_support_hours, self.outside_support_hours)
        return ("support_hours" if pair == ("high", "low")
                else f"support_hours ({pair[0]} during, {pair[1]} outside)")

    def described(self) -> str:
        if self.urgency is None:
            return (f"{self.during_support_hours} during support hours and "
                    f"{self.outside_support_hours} outside")
        return ("set by each alert's severity" if self.urgency == "severity_based"
                else f"always {self.urgency}")


def _urgency_rule(fields: _Fields | None) -> UrgencyRule | None:
    if fields is None:
        return None
    if fields.text("type") == "use_support_hours":
        during, outside = fields.nested("during_support_hours"), fields.nested(
            "outside_support_hours")
        return UrgencyRule(None, _constant(during), _constant(outside))
    return UrgencyRule(_constant(fields))


def _constant(fields: _Fields | None) -> str:
    return (fields.text("urgency") if fields is not None else None) or "high"


@dataclass(frozen=True)
class SupportHours:
    days_of_week: tuple[int, ...] | None
    start_time: str | None
    """``"09:00:00"`` as PagerDuty writes it."""
    end_time: str | None
    time_zone: str | None


def _support_hours(fields: _Fields | None) -> SupportHours | None:
    if fields is None:
        return None
    return SupportHours(fields.numbers("days_of_week"), fields.text("start_time"),
                        fields.text("end_time"), fields.text("time_zone"))


@dataclass(frozen=True)
class AutoPause:
    """``auto_pause_notifications_parameters``: whether alerts PagerDuty judges transient are
    held before they trigger, and for how long."""

    enabled: bool
    timeout: int | None
    """Seconds; 0 means the recommended timeout."""
    recommended_timeout: int | None

    @property
    def pause_seconds(self) -> int | None:
        """How long an alert is held: the timeout, or the recommended one it stands for; None
        when PagerDuty names neither."""
        return self.timeout or self.recommended_timeout


def _auto_pause(fields: _Fields | None) -> AutoPause | None:
    if fields is None:
        return None
    return AutoPause(fields.flag("enabled") is True, fields.integer("timeout"),
                     fields.integer("recommended_timeout"))


GROUPING_SETTING = "alert_grouping_setting_reference"


@dataclass(frozen=True)
class AlertGrouping:
    """How a service's alerts are grouped into incidents: its own ``alert_grouping_parameters``,
    or the Alert Grouping Setting that holds it (``Account.alert_grouping_of``)."""

    kind: str | None
    """``time``, ``intelligent``, ``content_based``, ``content_based_intelligent``; None: each
    alert opens an incident, or, with ``setting_id``, a setting that was not read."""
    setting_id: str | None = None
    """The Alert Grouping Setting the grouping is kept in, when it is."""
    setting_name: str | None = None

    @property
    def known(self) -> bool:
        """Whether the kind is known: not a reference to a setting that was not read."""
        return self.setting_id is None or self.kind is not None

    def policy_word(self) -> str | None:
        """The policy's word (``none`` for no grouping); None when the kind is not known."""
        if not self.known:
            return None
        return self.kind or "none"

    def described(self) -> str:
        """``intelligent``, or ``time (Alert Grouping Setting 'Noisy hosts', PABC123)``."""
        word = self.policy_word() or "not known"
        if self.setting_id is None:
            return word
        named = f"'{self.setting_name}', " if self.setting_name else ""
        return f"{word} (Alert Grouping Setting {named}{self.setting_id})"


def _alert_grouping(fields: _Fields | None) -> AlertGrouping | None:
    if fields is None:
        return None
    kind = fields.text("type")
    if kind == GROUPING_SETTING:
        return AlertGrouping(None, fields.text("id") or "?")
    return AlertGrouping(kind)


@dataclass(frozen=True)
class AlertGroupingSetting(LiveObject):
    """An Alert Grouping Setting: how the alerts of the services it lists are grouped, where
    PagerDuty now keeps a service's grouping (the service's own parameters are deprecated and,
    for a grouping they cannot express, only reference the setting)."""

    kind: str | None
    """``content_based``, ``content_based_intelligent``, ``intelligent`` or ``time``."""
    services: tuple[Reference, ...] | None
    """None when PagerDuty did not say which."""


def _alert_grouping_setting(fields: _Fields) -> AlertGroupingSetting:
    return AlertGroupingSetting(**_common(fields, "alert grouping setting"),
                                kind=fields.text("type"),
                                services=fields.each("services", _reference))


@dataclass(frozen=True)
class Integration:
    """How events reach a service: an integration, by its name and the monitoring tool
    (PagerDuty's vendor) it is for."""

    id: str | None
    type: str | None
    """``events_api_v2_inbound_integration``, ``aws_cloudwatch_inbound_integration``..."""
    name: str | None
    vendor: str | None
    """The vendor's name (its reference's ``summary``); None when the integration names no
    vendor or was listed as a reference only."""

    def named(self, source: str) -> bool:
        """Whether ``source`` (a documented detection source) is this integration's vendor or
        name, compared without regard to case."""
        wanted = source.casefold()
        return any(text is not None and text.casefold() == wanted
                   for text in (self.vendor, self.name))


def _integration(fields: _Fields) -> Integration:
    vendor = fields.nested("vendor")
    return Integration(fields.text("id"), (fields.text("type") or "").removesuffix("_reference")
                       or None, fields.text("name") or fields.text("summary"),
                       vendor.text("summary") if vendor is not None else None)


@dataclass(frozen=True)
class Service(LiveObject):
    status: str | None
    """None when PagerDuty did not return it (not "active")."""
    escalation_policy: Reference | None
    urgency_rule: UrgencyRule | None
    """None when PagerDuty did not return it (not read, not its default, high)."""
    support_hours: SupportHours | None
    acknowledgement_timeout: int | None
    """Seconds; None (or 0) when switched off."""
    auto_resolve_timeout: int | None
    integrations: tuple[Integration, ...] | None
    """None when the listing did not say; empty when the service has none."""
    teams: tuple[Reference, ...] | None
    auto_pause: AutoPause | None = None
    """None when the listing did not include it (not "off")."""
    alert_grouping: AlertGrouping | None = None
    """None when the listing did not say (not "no grouping")."""
    unreturned: frozenset[str] = frozenset()
    """The fields of ``NULL_SAYS`` PagerDuty left out: not read, where their null would say
    "no support hours" or "switched off"."""

    @property
    def disabled(self) -> bool:
        return self.status == "disabled"


NULL_SAYS = ("support_hours", "acknowledgement_timeout", "auto_resolve_timeout")
"""A service's fields whose null means something (none, off): absent, they are not read."""


def _service(fields: _Fields) -> Service:
    return Service(
        **_named(fields, "service"), status=fields.text("status"),
        escalation_policy=(None if (policy := fields.nested("escalation_policy")) is None
                           else _reference(policy)),
        urgency_rule=_urgency_rule(fields.nested("incident_urgency_rule")),
        support_hours=_support_hours(fields.nested("support_hours")),
        acknowledgement_timeout=fields.integer("acknowledgement_timeout"),
        auto_resolve_timeout=fields.integer("auto_resolve_timeout"),
        integrations=fields.each("integrations", _integration),
        teams=fields.each("teams", _reference),
        auto_pause=_auto_pause(fields.nested("auto_pause_notifications_parameters")),
        alert_grouping=_alert_grouping(fields.nested("alert_grouping_parameters")),
        unreturned=frozenset(key for key in NULL_SAYS if key not in fields.data))


# -- event orchestration ----------------------------------------------------------------------

SEVERITY_URGENCY: Mapping[str, str] = {"critical": "high", "error": "high",
                                       "warning": "low", "info": "low"}
"""The urgency a ``severity_based`` service gives an alert of each severity."""


@dataclass(frozen=True, slots=True)
class OrchestrationActions:
    """What an orchestration rule, or a catch-all, does to the events it matches: only the
    actions that decide whether, where and how urgently a page goes out."""

    route_to: str | None
    """A set id in a service orchestration; a service id, or ``unrouted``, in a router."""
    dynamic_route: bool
    """A router rule that picks the service from the event (``dynamic_route_to``)."""
    suppress: bool
    suspend_seconds: int | None
    """Seconds an alert is held before it triggers (0 or None: not held)."""
    drop_event: bool
    priority_id: str | None
    escalation_policy_id: str | None
    """An escalation policy the alert's incident pages instead of the service's."""
    severity: str | None
    """``info``, ``warning``, ``error`` or ``critical``."""
    event_action: str | None
    """``trigger`` or ``resolve``."""

    def holds_back(self) -> str | None:
        """How the action keeps a page from going out (``suppresses``, ``drops``, ``suspends
        for 300 s``), or None when it does not."""
        if self.drop_event:
            return "drops the event"
        if self.suppress:
            return "suppresses the alert"
        if self.suspend_seconds:
            return f"suspends the alert for {self.suspend_seconds} s"
        if self.event_action == "resolve":
            return "turns the event into a resolve"
        return None

    @property
    def urgency(self) -> str | None:
        """The urgency the severity set here gives on a ``severity_based`` service."""
        return None if self.severity is None else SEVERITY_URGENCY.get(self.severity)


def _actions(fields: _Fields | None) -> OrchestrationActions:
    actions = fields if fields is not None else _Fields({}, "")
    return OrchestrationActions(
        route_to=actions.text("route_to"), dynamic_route=actions.has("dynamic_route_to")
        and actions.data.get("dynamic_route_to") is not None,
        suppress=actions.flag("suppress") is True, suspend_seconds=actions.integer("suspend"),
        drop_event=actions.flag("drop_event") is True, priority_id=actions.text("priority"),
        escalation_policy_id=actions.text("escalation_policy"),
        severity=actions.text("severity"), event_action=actions.text("event_action"))


CATCH_ALL = "catch-all"
"""How the policy and the findings name the catch-all of an orchestration."""


@dataclass(frozen=True, slots=True)
class OrchestrationRule:
    """One rule of an orchestration as written: its set, label, conditions and actions; the
    catch-all is the rule of no set whose label is ``CATCH_ALL``."""

    set_id: str | None
    label: str | None
    conditions: tuple[str, ...]
    """PCL expressions; the rule matches an event when any of them does, every event when
    there are none."""
    actions: OrchestrationActions
    disabled: bool

    @property
    def is_catch_all(self) -> bool:
        return self.set_id is None

    @property
    def name(self) -> str:
        """The label, else the catch-all's name, else the first condition."""
        return self.label or (CATCH_ALL if self.is_catch_all else None) or (
            self.conditions[0] if self.conditions else "(unlabelled rule)")

    def described(self) -> str:
        """``rule 'Drop noise' of set 'start' (when event.summary matches part 'ping')``."""
        if self.is_catch_all:
            return "the catch-all (events no rule matches)"
        when = " or ".join(self.conditions) if self.conditions else "always"
        label = f"rule '{self.label}'" if self.label else "an unlabelled rule"
        return f"{label} of set '{self.set_id}' (when {when})"


def _orchestration_rules(path: _Fields) -> tuple[OrchestrationRule, ...]:
    rules = []
    for rule_set in path.items("sets") or ():
        set_id = rule_set.text("id") or "start"
        for rule in rule_set.items("rules") or ():
            conditions = tuple(expression for condition in rule.items("conditions") or ()
                               if (expression := condition.text("expression")) is not None)
            rules.append(OrchestrationRule(set_id, rule.text("label"), conditions,
                                           _actions(rule.nested("actions")),
                                           rule.flag("disabled") is True))
    catch_all = path.nested("catch_all")
    rules.append(OrchestrationRule(
        None, None, (), _actions(catch_all.nested("actions") if catch_all else None), False))
    return tuple(rules)


@dataclass(frozen=True)
class ServiceOrchestration:
    """A service's event orchestration: every rule in order, the catch-all last."""

    service_id: str
    rules: tuple[OrchestrationRule, ...]
    active: bool | None
    """Whether events are evaluated by this orchestration (False: by the service's legacy
    event rules instead); None when not read, which pdlint does only when a rule acts."""

    @property
    def applies(self) -> bool:
        """Whether its rules act on the service's events (not known to be inactive)."""
        return self.active is not False


def _service_orchestration(fields: _Fields) -> ServiceOrchestration:
    service_id = fields.text("service_id")
    path = fields.nested("orchestration_path")
    if service_id is None or path is None:
        raise ModelError(f"{fields.where}: a service orchestration needs service_id and "
                         "orchestration_path")
    return ServiceOrchestration(service_id, _orchestration_rules(path), fields.flag("active"))


@dataclass(frozen=True)
class EventOrchestration(LiveObject):
    """A global event orchestration, whose router sends each event to a service."""

    team: Reference | None


def _event_orchestration(fields: _Fields) -> EventOrchestration:
    team = fields.nested("team")
    return EventOrchestration(**_common(fields, "event orchestration"),
                              team=None if team is None else _reference(team))


@dataclass(frozen=True)
class Router:
    """The router of a global orchestration: its rules in order, the catch-all last."""

    orchestration_id: str
    rules: tuple[OrchestrationRule, ...]


def _router(fields: _Fields) -> Router:
    orchestration_id = fields.text("event_orchestration_id")
    path = fields.nested("orchestration_path")
    if orchestration_id is None or path is None:
        raise ModelError(f"{fields.where}: a router needs event_orchestration_id and "
                         "orchestration_path")
    return Router(orchestration_id, _orchestration_rules(path))


@dataclass(frozen=True, slots=True)
class ContactMethod:
    id: str | None
    kind: str
    """The type without ``_reference``: ``phone_contact_method``, ``sms_contact_method``..."""
    enabled: bool | None
    blocked: bool | None
    """``blacklisted``: PagerDuty stopped sending to it."""

    @property
    def usable(self) -> bool:
        return self.enabled is not False and self.blocked is not True


def _contact_method(fields: _Fields) -> ContactMethod:
    return ContactMethod(fields.text("id"), (fields.text("type") or "").removesuffix("_reference"),
                         fields.flag("enabled"), fields.flag("blacklisted"))


@dataclass(frozen=True, slots=True)
class NotificationRule:
    urgency: str | None
    start_delay_minutes: int | None
    contact_method: ContactMethod | None
    """As the user's contact method list describes it, when the rule names it by reference;
    None when the rule names none, or one of a type not returned."""
    missing: tuple[str, ...] = ()
    """The fields the spec requires of a rule (``start_delay_in_minutes``, ``urgency``,
    ``contact_method`` and its ``type``, ``type``) that PagerDuty did not return, and the user's
    ``contact_methods`` when the user was returned without them, or without the method the rule
    names (whether the rule's method is enabled and not blocked): whom the rule reaches, and
    when, is not read, never "at once" or "no call"."""


@dataclass(frozen=True)
class User(LiveObject):
    email: str | None
    role: str | None
    time_zone: str | None
    invitation_sent: bool | None
    contact_methods: tuple[ContactMethod, ...] | None
    """None when not included in the listing (not readable with this token)."""
    notification_rules: tuple[NotificationRule, ...] | None
    """None when not included in the listing (not readable with this token)."""


def _user(fields: _Fields) -> User:
    methods = fields.each("contact_methods", _contact_method)
    by_id = {method.id: method for method in methods or () if method.id}

    def notification(rule: _Fields) -> NotificationRule:
        named = rule.nested("contact_method")
        known = by_id.get(named.text("id") or "") if named is not None else None
        method = known or (_contact_method(named) if named is not None else None)
        urgency, delay = rule.text("urgency"), rule.integer("start_delay_in_minutes")
        missing = tuple(field for field, absent in (
            ("start_delay_in_minutes", delay is None), ("urgency", urgency is None),
            ("contact_method", named is None),
            ("contact_method.type", named is not None and method is not None and not method.kind),
            ("type", rule.text("type") is None),
            ("the user's contact_methods", named is not None and methods is None),
            ("the rule's contact method among the user's contact_methods",
             named is not None and methods is not None and known is None)) if absent)
        return NotificationRule(urgency, delay, method if method and method.kind else None,
                                missing)

    return User(**_common(fields, "user"), email=fields.text("email"), role=fields.text("role"),
                time_zone=fields.text("time_zone"), invitation_sent=fields.flag("invitation_sent"),
                contact_methods=methods,
                notification_rules=fields.each("notification_rules", notification))


@dataclass(frozen=True)
class MaintenanceWindow(LiveObject):
    """A span in which PagerDuty opens no incident on its services: ``[start, end)``. Its name
    is its ``summary`` (the description); windows have no name of their own."""

    start: datetime
    end: datetime
    services: tuple[Reference, ...] | None
    """None when PagerDuty did not say which (the spec requires them)."""
    created_by: Reference | None
    """None when the window does not name who created it."""
    teams: tuple[Reference, ...] | None

    def overlaps(self, since: datetime, until: datetime) -> bool:
        """Whether part of the window falls in ``[since, until)``."""
        return self.start < until and self.end > since

    def covers(self, moment: datetime) -> bool:
        """Whether ``moment`` is inside the window: the services open no incident then."""
        return self.start <= moment < self.end


def _maintenance_window(fields: _Fields) -> MaintenanceWindow:
    common = _common(fields, "maintenance window")
    common["name"] = common["name"] or fields.text("summary")
    start, end = fields.time("start_time"), fields.time("end_time")
    if start is None or end is None:
        missing = "start_time" if start is None else "end_time"
        raise ModelError(f"{fields.where}: {missing} is missing; every maintenance window has one")
    creator = fields.nested("created_by")
    return MaintenanceWindow(**common, start=start, end=end,
                             services=fields.each("services", _reference),
                             created_by=None if creator is None else _reference(creator),
                             teams=fields.each("teams", _reference))


@dataclass(frozen=True, slots=True)
class WorkflowStep:
    """One step of an incident workflow: the action it runs, ``domain:package:action:version``
    (``pagerduty.com:incident-workflows:add-conference-bridge:5``), and the steps of a
    workflow-within-the-workflow it configures."""

    name: str | None
    action_id: str | None
    inner: tuple[WorkflowStep, ...]


def _step(fields: _Fields) -> WorkflowStep:
    action = fields.nested("action_configuration")
    inner: list[WorkflowStep] = []
    for entry in (action.items("inline_steps_inputs") if action is not None else None) or ():
        value = entry.nested("value")
        inner.extend((value.each("steps", _step) if value is not None else None) or ())
    return WorkflowStep(fields.text("name"),
                        action.text("action_id") if action is not None else None, tuple(inner))


@dataclass(frozen=True)
class IncidentWorkflow(LiveObject):
    is_enabled: bool
    """PagerDuty's default (absent) is enabled."""
    steps: tuple[WorkflowStep, ...] | None
    """None when the listing did not include them; empty when the workflow has none."""

    def action_ids(self) -> tuple[str, ...] | None:
        """Every action the workflow runs, inner steps' too, in order; None when its steps were
        not read."""
        if self.steps is None:
            return None
        found: list[str] = []
        pending = list(reversed(self.steps))
        while pending:
            step = pending.pop()
            if step.action_id is not None:
                found.append(step.action_id)
            pending.extend(reversed(step.inner))
        return tuple(found)


def _incident_workflow(fields: _Fields) -> IncidentWorkflow:
    enabled = fields.flag("is_enabled")
    return IncidentWorkflow(**_named(fields, "incident workflow"),
                            is_enabled=True if enabled is None else enabled,
                            steps=fields.each("steps", _step))


@dataclass(frozen=True)
class WorkflowTrigger(LiveObject):
    """What starts an incident workflow: ``conditional`` (a PCL ``condition`` met by an incident;
    none means every new incident), ``manual`` or ``incident_type``; on ``services``, or on every
    service. Its name is its workflow's."""

    workflow: Reference | None
    trigger_type: str | None
    condition: str | None
    services: tuple[Reference, ...] | None
    all_services: bool | None
    """``is_subscribed_to_all_services``; None when not said."""
    disabled: bool
    """``is_disabled`` (deprecated; absent is false)."""

    @property
    def automatic(self) -> bool:
        """Whether it starts its workflow without a person: a conditional trigger."""
        return self.trigger_type == "conditional" and not self.disabled

    def covers(self, service_id: str) -> bool | None:
        """Whether incidents of the service can fire it; None when PagerDuty did not say."""
        if self.all_services:
            return True
        if self.services is None:  # the services it is on were not returned: not "none"
            return None
        return any(service.id == service_id for service in self.services)


def _workflow_trigger(fields: _Fields) -> WorkflowTrigger:
    common = _common(fields, "incident workflow trigger")
    workflow = fields.nested("workflow")
    named = None if workflow is None else Reference(
        workflow.text("id"), workflow.text("type"),
        workflow.text("name") or workflow.text("summary"))
    common["name"] = common["name"] or (named.summary if named else None)
    return WorkflowTrigger(
        **common, workflow=named, trigger_type=fields.text("trigger_type"),
        condition=fields.text("condition"), services=fields.each("services", _reference),
        all_services=fields.flag("is_subscribed_to_all_services"),
        disabled=fields.flag("is_disabled") is True)


@dataclass(frozen=True)
class Team(LiveObject):
    pass


@dataclass(frozen=True)
class Priority(LiveObject):
    pass


def _plain(cls: type[Obj], kind: str) -> Callable[[_Fields], Obj]:
    return lambda fields: cls(**_named(fields, kind))


# -- the account ------------------------------------------------------------------------------

def _index(objects: Sequence[Obj]) -> Mapping[str, Obj]:
    index: dict[str, Obj] = {}
    for obj in objects:
        index.setdefault(obj.id, obj)
    return index


def _index_names(objects: Sequence[Obj]) -> Mapping[str, Obj]:
    index: dict[str, Obj] = {}
    for obj in objects:
        if obj.name is not None:
            index.setdefault(obj.name, obj)
    return index


@dataclass(frozen=True)
class Collection(Generic[Obj]):
    """The objects of one kind in API order, indexed by id and name, or why they could not be
    read (``skip_reason``): a skipped collection is empty, but it does not mean "none"."""

    objects: tuple[Obj, ...]
    skip_reason: str | None = None
    total: int | None = None
    """How many the account holds, when only some were read (a team's services); None when
    ``objects`` is the whole collection."""
    _by_id: Mapping[str, Obj] = field(init=False, repr=False, compare=False)
    _by_name: Mapping[str, Obj] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", _index(self.objects))
        object.__setattr__(self, "_by_name", _index_names(self.objects))

    def __len__(self) -> int:
        return len(self.objects)

    def __iter__(self) -> Iterator[Obj]:
        return iter(self.objects)

    @property
    def read(self) -> bool:
        return self.skip_reason is None

    def by_id(self, object_id: str | None) -> Obj | None:
        return None if object_id is None else self._by_id.get(object_id)

    def by_name(self, name: str) -> Obj | None:
        """The first object named exactly ``name`` (PagerDuty allows duplicates)."""
        return self._by_name.get(name)


@dataclass(frozen=True)
class Account:
    """The live account at ``fetched_at``: every collection pdlint reads, typed."""

    api_url: str
    fetched_at: datetime
    window: Window
    """The window the schedules were rendered over."""
    escalation_policies: Collection[EscalationPolicy]
    schedules: Collection[Schedule]
    shift_based_schedules: Collection[ShiftBasedSchedule]
    services: Collection[Service]
    users: Collection[User]
    teams: Collection[Team]
    priorities: Collection[Priority]
    maintenance_windows: Collection[MaintenanceWindow]
    """The windows under way or to come when the account was read (ended ones are not read)."""
    incident_workflows: Collection[IncidentWorkflow]
    workflow_triggers: Collection[WorkflowTrigger]
    service_orchestrations: Mapping[str, ServiceOrchestration]
    """By service id: the orchestrations read (a run reads those of the services its policy
    documents, ``init`` and ``snapshot`` every service's); ``orchestration_read`` tells one
    not read from one without rules."""
    event_orchestrations: Collection[EventOrchestration]
    routers: Mapping[str, Router]
    """By global orchestration id."""
    alert_grouping_settings: Collection[AlertGroupingSetting]
    skipped: tuple[Skipped, ...]
    subdomain: str | None = None
    """``acme`` of acme.pagerduty.com, when an object read names it."""
    _users_by_email: Mapping[str, User] = field(init=False, repr=False, compare=False)
    _grouping_settings_by_service: Mapping[str, AlertGroupingSetting] = field(
        init=False, repr=False, compare=False)
    _maintenance_by_service: Mapping[str, tuple[MaintenanceWindow, ...]] = field(
        init=False, repr=False, compare=False)
    maintenance_unread: str | None = field(init=False, repr=False, compare=False)
    """Why which windows hold a service cannot be told: the windows could not be read, or one
    was returned without its services (the spec requires them); None when it can."""
    maintenance_unlisted: tuple[MaintenanceWindow, ...] = field(init=False, repr=False,
                                                                 compare=False)
    """The windows returned without their services, earliest first: any service may be in
    one, but only in its hours."""

    def __post_init__(self) -> None:
        by_email: dict[str, User] = {}
        for user in self.users:
            if user.email:
                by_email.setdefault(user.email.casefold(), user)
        object.__setattr__(self, "_users_by_email", by_email)
        by_service: dict[str, AlertGroupingSetting] = {}
        for setting in self.alert_grouping_settings:
            for service in setting.services or ():
                if service.id is not None:
                    by_service.setdefault(service.id, setting)
        object.__setattr__(self, "_grouping_settings_by_service", by_service)
        windows: dict[str, list[MaintenanceWindow]] = {}
        for window in sorted(self.maintenance_windows, key=lambda window: window.start):
            for service_id in dict.fromkeys(service.id for service in window.services or ()
                                            if service.id is not None):
                windows.setdefault(service_id, []).append(window)
        object.__setattr__(self, "_maintenance_by_service",
                           {service_id: tuple(held) for service_id, held in windows.items()})
        unlisted = tuple(sorted((window for window in self.maintenance_windows
                                 if window.services is None), key=lambda window: window.start))
        object.__setattr__(self, "maintenance_unlisted", unlisted)
        object.__setattr__(self, "maintenance_unread", (
            f"the maintenance windows could not be read ({self.maintenance_windows.skip_reason})"
            if not self.maintenance_windows.read else None if not unlisted else
            f"PagerDuty returned maintenance window '{unlisted[0].name or unlisted[0].id}' "
            "without its services"))

    def __repr__(self) -> str:
        """Counts, not contents: a year of rendered schedules is large."""
        return (f"Account(api_url={self.api_url!r}, schedules={len(self.schedules)}, "
                f"services={len(self.services)}, users={len(self.users)})")

    def skip_reason(self, collection: str) -> str | None:
        """Why the collection of this name (``users``, ``schedules_v3``...) could not be read."""
        return next((skip.reason for skip in self.skipped if skip.rule == collection), None)

    def maintenance_windows_of(self, service_id: str) -> tuple[MaintenanceWindow, ...] | None:
        """The windows that hold ``service_id``, earliest first; None when that cannot be told
        (``maintenance_unread``: not "none")."""
        if self.maintenance_unread is not None:
            return None
        return self._maintenance_by_service.get(service_id, ())

    def orchestration_read(self, service: Service) -> bool:
        """Whether the service's event orchestration is known: read, or the service disabled
        (no orchestration acts on its events). False when the collection was skipped or this
        service's orchestration was not read (not "no orchestration")."""
        return service.disabled or (service.id in self.service_orchestrations
                                    and self.skip_reason("service_orchestrations") is None)

    def alert_grouping_of(self, service: Service) -> AlertGrouping | None:
        """How the service's alerts are grouped: by the Alert Grouping Setting that lists it, or
        that it references, when the settings were read (the setting is where PagerDuty keeps
        the grouping now); else by its own parameters, which for a setting not read name the
        setting without its kind. None when PagerDuty said neither."""
        own = service.alert_grouping
        setting = self._grouping_settings_by_service.get(service.id)
        if setting is None and own is not None and own.setting_id is not None:
            setting = self.alert_grouping_settings.by_id(own.setting_id)
        if setting is None:
            return own
        return AlertGrouping(setting.kind, setting.id, setting.name)

    def user_by_email(self, email: str) -> User | None:
        """The user with this login email, compared case-insensitively as PagerDuty does."""
        return self._users_by_email.get(email.casefold())

    def schedule_of(self, target: EscalationTarget) -> Schedule | None:
        """The schedule, layer-based or shift-based, an escalation target pages; None when it
        is not a schedule or not in the lists read."""
        if target.kind is TargetKind.SHIFT_BASED_SCHEDULE:
            return self.shift_based_schedules.by_id(target.id)
        return self.schedules.by_id(target.id) if target.kind is TargetKind.SCHEDULE else None

    def not_returned(self, resource: Resource) -> tuple[str, ...]:
        """What PagerDuty did not return of the object ``resource`` names (a service, escalation
        policy, schedule or user, by id else name): the parts a rule about it may have left
        unchecked; empty when it was returned whole, or is not held."""
        kind, object_id, name = resource.type, resource.id, resource.name

        def held(collection: Collection[Obj]) -> Obj | None:
            return (collection.by_id(object_id) if object_id is not None
                    else collection.by_name(name) if name is not None else None)

        if kind == "escalation_policy":
            policy = held(self.escalation_policies)
            if policy is None:
                return ()
            return ("its escalation rules",) if policy.rules is None else tuple(
                f"the targets of level {number}"
                for number, level in enumerate(policy.rules, start=1) if level.targets is None)
        if kind == "schedule":
            schedule = held(self.schedules) or held(self.shift_based_schedules)
            if schedule is None:
                return ()
            final = schedule.final_schedule
            return (*(("its layers",) if schedule.layers is None else (
                f"the users of layer '{layer.name}'" for layer in schedule.layers
                if layer.members is None)),
                    *(("its final schedule",) if final is None or final.problem else ()))
        if kind == "service":
            service = held(self.services)
            return () if service is None else tuple(part for part, value in (
                ("its escalation policy", service.escalation_policy),
                ("its integrations", service.integrations), ("its teams", service.teams))
                if value is None)
        if kind == "user":
            user = held(self.users)
            return () if user is None else tuple(part for part, value in (
                ("its contact methods", user.contact_methods),
                ("its notification rules", user.notification_rules)) if value is None)
        return ()

    def schedule_named(self, target: EscalationTarget) -> str | None:
        """The name of the schedule an escalation target pages: from the schedule lists, else
        the reference's summary."""
        found = self.schedule_of(target)
        return (found.name if found is not None else None) or target.summary


def _collection(state: LiveState, kind: str, parse: Callable[[_Fields], Obj],
                what: str) -> Collection[Obj]:
    parsed = []
    for raw in state.collection(kind):
        parsed.append(parse(_Fields(raw, _described(what, raw))))
    return Collection(tuple(parsed), state.skip_reason(kind), state.totals.get(kind))


def _parsed(state: LiveState, kind: str, parse: Callable[[_Fields], T], what: str,
            key: str) -> list[T]:
    """The objects of a collection read object by object, each named by the ``key`` of the
    object it belongs to."""
    return [parse(_Fields(raw, f"{what} of {raw.get(key, '?')}"))
            for raw in state.collection(kind)]


def parse_account(state: LiveState) -> Account:
    """The typed account of a state read from the API or a snapshot; ``ModelError`` names the
    object and field PagerDuty sent that pdlint cannot read."""
    return Account(
        api_url=state.api_url, fetched_at=state.fetched_at, window=state.window,
        escalation_policies=_collection(state, "escalation_policies", _escalation_policy,
                                        "escalation policy"),
        schedules=_collection(state, "schedules", _schedule, "schedule"),
        shift_based_schedules=_collection(state, "schedules_v3", _shift_based,
                                          "shift-based schedule"),
        services=_collection(state, "services", _service, "service"),
        users=_collection(state, "users", _user, "user"),
        teams=_collection(state, "teams", _plain(Team, "team"), "team"),
        priorities=_collection(state, "priorities", _plain(Priority, "priority"), "priority"),
        maintenance_windows=_collection(state, "maintenance_windows", _maintenance_window,
                                        "maintenance window"),
        incident_workflows=_collection(state, "incident_workflows", _incident_workflow,
                                       "incident workflow"),
        workflow_triggers=_collection(state, "workflow_triggers", _workflow_trigger,
                                      "incident workflow trigger"),
        service_orchestrations={
            orchestration.service_id: orchestration for orchestration in _parsed(
                state, "service_orchestrations", _service_orchestration, "service orchestration",
                "service_id")},
        event_orchestrations=_collection(state, "event_orchestrations", _event_orchestration,
                                         "event orchestration"),
        routers={router.orchestration_id: router for router in _parsed(
            state, "orchestration_routers", _router, "router", "event_orchestration_id")},
        alert_grouping_settings=_collection(state, "alert_grouping_settings",
                                            _alert_grouping_setting, "alert grouping setting"),
        skipped=state.skipped, subdomain=account_subdomain(state))


def time_text(text: str | None) -> str | None:
    """PagerDuty's ``"09:00:00"`` as the policy writes it, ``"09:00"`` (seconds kept if any)."""
    if text is None:
        return None
    return text[:5] if text.endswith(":00") and len(text) == 8 else text
