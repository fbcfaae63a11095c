"""The documented policy as typed, frozen objects: what the rules compare the live account against.

Conventions every rule author may rely on:

- An object's identity (``name``, or ``id`` for a severity) is a plain ``str``; the object's
  ``location`` is where its definition starts.
- Every other documented value is a ``Sourced[T]``: the value and the policy line that states it.
  A value a service inherits from its tier is located at the tier's line.
- An optional value the policy does not state is ``None``: nothing is documented, so nothing is
  checked. A timeout written as ``disabled`` is ``Sourced(None, ...)``.
- Durations are ``datetime.timedelta`` (always whole minutes). PagerDuty's per-rule
  ``escalation_delay_in_minutes`` comes from ``EscalationPolicy.escalation_delays()``.
- A name that points at another definition is a ``Reference``; ``target`` is the definition, or
  None when nothing of that name is documented.
"""

from __future__ import annotations

import enum
import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from pdlint.errors import PdlintError
from pdlint.findings import Finding, Location, Resource, Waived
from pdlint.zones import zone_named

T = TypeVar("T")

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
Urgency = Literal["high", "low"]
ServiceUrgency = Literal["high", "low", "severity_based", "support_hours"]
Channel = Literal["phone", "sms", "push", "email"]
Coverage = Literal["24x7", "business_hours"]
HandoffNotifications = Literal["if_has_services", "always"]
PostmortemRecord = Literal["incident_note", "custom_field", "register"]
TargetKind = Literal["schedule", "user", "user_id", "schedule_id"]
"""``user_id`` pages a user by PagerDuty id: one the API key cannot list, so no email is known;
``schedule_id`` likewise a schedule the key cannot list, whose definition cannot be documented."""
Notified = Literal["responders", "subscribers"]

# The same grammar as "#/$defs/duration" in schemas/policy.schema.json (a test keeps them equal).
DURATION_PATTERN = r"^(?=[0-9])(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?$"
_DURATION = re.compile(r"^(?=[0-9])(?:(?P<days>[0-9]+)d)?(?:(?P<hours>[0-9]+)h)?"
                       r"(?:(?P<minutes>[0-9]+)m)?$")


class PolicyError(PdlintError):
    """The policy cannot be used as asked: a path that does not exist, an unknown time zone."""


MAX_DURATION = timedelta(days=36_500)
"""No policy means a longer duration, and date arithmetic past it could overflow."""


@lru_cache(maxsize=1024)
def parse_duration(text: str) -> timedelta:
    """``"1h30m"`` -> 90 minutes; ValueError for anything else, or longer than ``MAX_DURATION``
    (the schema rejects both first). Remembered: a large policy writes the same few durations
    tens of thousands of times, and the schema's check and the model both read each."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r}")
    try:
        duration = timedelta(days=int(match["days"] or 0), hours=int(match["hours"] or 0),
                             minutes=int(match["minutes"] or 0))
    except (OverflowError, ValueError):  # past timedelta's range, or too many digits to read
        duration = None
    if duration is None or duration > MAX_DURATION:
        raise ValueError(f"longer than {MAX_DURATION.days // 365} years")
    return duration


def format_duration(delta: timedelta) -> str:
    """The policy's own spelling of a duration: 90 minutes -> ``"1h30m"``; negative with a sign."""
    minutes = int(delta.total_seconds() // 60)
    sign, minutes = ("-", -minutes) if minutes < 0 else ("", minutes)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{amount}{unit}" for amount, unit in ((days, "d"), (hours, "h"), (minutes, "m"))
             if amount]
    return sign + ("".join(parts) or "0m")


def whole_minutes(delta: timedelta) -> int:
    """A duration in PagerDuty's minutes (policy durations are always whole minutes)."""
    return int(delta.total_seconds() // 60)


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A documented value and the policy line that states it."""

    value: T
    location: Location
    written: str | None = field(default=None, compare=False)
    """The value as the policy writes it (``48h``, where ``value`` is 2 days), for reports that
    quote the policy."""


@dataclass(frozen=True)
class Reference(Generic[T]):
    """A name the policy uses to point at another definition; ``target`` is None when undefined."""

    name: str
    location: Location
    target: T | None = None


@dataclass(frozen=True)
class Hours:
    """A weekly window such as Monday–Friday 09:00–17:00 in a time zone: business/support hours."""

    days: Sourced[tuple[Weekday, ...]]
    start: Sourced[time]
    end: Sourced[time]
    time_zone: Sourced[str]
    location: Location

    @property
    def days_of_week(self) -> tuple[int, ...]:
        """ISO day numbers (1 = Monday … 7 = Sunday), as PagerDuty's support hours use them."""
        return tuple(sorted(WEEKDAYS.index(day) + 1 for day in self.days.value))

    @property
    def zone(self) -> ZoneInfo:
        """The time zone; raises PolicyError when it is not an IANA zone (lint reports POL030)."""
        zone = zone_named(self.time_zone.value)
        if zone is None:
            raise PolicyError(f"{self.time_zone.location}: unknown time zone "
                              f"{self.time_zone.value!r}")
        return zone

    def contains(self, moment: datetime) -> bool:
        """Whether an aware ``moment`` falls inside the window (start inclusive, end exclusive)."""
        local = moment.astimezone(self.zone)
        return (WEEKDAYS[local.weekday()] in self.days.value
                and self.start.value <= local.time() < self.end.value)

    def end_of_next_day(self, moment: datetime) -> datetime:
        """The end of the first day of the window strictly after ``moment``'s local date."""
        local = moment.astimezone(self.zone)
        day = local.date()
        for _ in range(7):
            day += timedelta(days=1)
            if WEEKDAYS[day.weekday()] in self.days.value:
                return datetime.combine(day, self.end.value, tzinfo=self.zone)
        raise AssertionError("the schema requires at least one day")


@dataclass(frozen=True)
class ResponseSla:
    """How soon an incident must be acknowledged: a time from the trigger, or next business day."""

    within: timedelta | None
    """The time from the trigger; None means by the end of the next business day."""

    @property
    def next_business_day(self) -> bool:
        return self.within is None

    @property
    def order_key(self) -> tuple[int, timedelta]:
        """Shorter first; next_business_day ranks after every fixed duration."""
        return (1, timedelta(0)) if self.within is None else (0, self.within)

    def deadline(self, triggered_at: datetime, business_hours: Hours) -> datetime:
        """When an incident triggered at ``triggered_at`` must be acknowledged at the latest."""
        if self.within is None:
            return business_hours.end_of_next_day(triggered_at)
        return triggered_at + self.within

    def __str__(self) -> str:
        return "next_business_day" if self.within is None else format_duration(self.within)


@dataclass(frozen=True)
class Organisation:
    """Whose policy this is; its time zone and business hours."""

    name: Sourced[str]
    time_zone: Sourced[str]
    business_hours: Hours
    location: Location
    drift_check_every: Sourced[timedelta] | None = None
    """How often the drift check runs (the cadence ``pdlint evidence --history`` holds the
    recorded runs to); None when not documented."""

    @property
    def resource(self) -> Resource:
        return Resource("organisation", name=self.name.value)


@dataclass(frozen=True)
class Team:
    """A PagerDuty team the policy names."""

    name: str
    id: Sourced[str] | None
    description: Sourced[str] | None
    location: Location

    @property
    def resource(self) -> Resource:
        return Resource("team", name=self.name, id=self.id.value if self.id else None)


@dataclass(frozen=True)
class ResponseAutomation:
    """The incident workflow that must run, by itself, on the severity's incidents of the
    documented services (all of them, or those named), and the actions it must contain."""

    workflow: Sourced[str]
    services: tuple[Sourced[str], ...] | None
    """None: every documented service."""
    actions: tuple[Sourced[str], ...]
    """Each an action id (``pagerduty.com:incident-workflows:add-conference-bridge:5``), with or
    without its version, or its action name alone (``add-conference-bridge``)."""
    location: Location


def runs_action(written: str, action_id: str) -> bool:
    """Whether a workflow step running ``action_id`` is the action the policy names."""
    stem = _unversioned(action_id)
    return written in (action_id, stem, action_name(action_id))


def action_name(action_id: str) -> str:
    """``pagerduty.com:incident-workflows:add-conference-bridge:5`` -> ``add-conference-bridge``."""
    return _unversioned(action_id).rpartition(":")[2]


def _unversioned(action_id: str) -> str:
    rest, _, version = action_id.rpartition(":")
    return rest if rest and version.isdigit() else action_id


@dataclass(frozen=True)
class IncidentSeverity:
    """One row of the severity matrix. ``rank`` 0 is the most severe (the order written)."""

    id: str
    rank: int
    name: Sourced[str]
    description: Sourced[str] | None
    response_sla: Sourced[ResponseSla]
    urgency: Sourced[Urgency]
    channels: Sourced[tuple[Channel, ...]]
    business_hours_only: Sourced[bool]
    postmortem_within: Sourced[timedelta] | None
    pagerduty_priority: Sourced[str] | None
    location: Location
    resolve_within: Sourced[timedelta] | None = None
    notify_within: Sourced[timedelta] | None = None
    notify: Sourced[tuple[Notified, ...]] | None = None
    """Who must be told within ``notify_within`` (the schema requires both or neither)."""
    response_automation: ResponseAutomation | None = None
    first_page_within: Sourced[timedelta] | None = None
    """How soon after the trigger someone must be phoned or texted (PATH600); None: within the
    response SLA."""

    @property
    def priority_name(self) -> str:
        """The PagerDuty priority the severity's incidents carry: ``pagerduty_priority``, else
        its id."""
        return self.pagerduty_priority.value if self.pagerduty_priority else self.id

    @property
    def resource(self) -> Resource:
        return Resource("severity", name=self.id)


@dataclass(frozen=True)
class Postmortems:
    """Where postmortems are recorded, so that the evidence check can find them."""

    recorded_as: Sourced[PostmortemRecord]
    link_pattern: Sourced[str] | None
    field: Sourced[str] | None
    register: Sourced[Path] | None
    """The register CSV, resolved against the folder of the policy file that names it."""
    location: Location

    def link_regex(self) -> re.Pattern[str] | None:
        """The compiled link pattern (the schema has already checked that it compiles)."""
        return re.compile(self.link_pattern.value) if self.link_pattern else None

    @property
    def register_in_use(self) -> Path | None:
        """The register postmortems are read from: named, and ``recorded_as: register`` (a
        register named beside another ``recorded_as`` is not read)."""
        if self.register is None or self.recorded_as.value != "register":
            return None
        return self.register.value


@dataclass(frozen=True)
class MaintenanceSlot:
    """Where a maintenance window may fall: inside one weekly occurrence of ``weekly`` (an end
    at or before the start ends the next day), or between the first day and the last of a date
    range (``from`` and ``until``, whole days in the organisation's time zone)."""

    weekly: Hours | None
    dates: tuple[Sourced[date], Sourced[date]] | None
    description: Sourced[str] | None
    location: Location

    def holds(self, start: datetime, end: datetime, organisation_zone: ZoneInfo) -> bool:
        """Whether the whole span ``[start, end)`` falls inside the slot."""
        if self.dates is not None:
            first, last = (datetime.combine(day.value, time(0), tzinfo=organisation_zone)
                           for day in self.dates)
            return first <= start and end <= last + timedelta(days=1)
        assert self.weekly is not None
        hours = self.weekly
        zone = hours.zone
        local = start.astimezone(zone)
        for day in (local.date(), local.date() - timedelta(days=1)):
            if WEEKDAYS[day.weekday()] not in hours.days.value:
                continue
            opens = datetime.combine(day, hours.start.value, tzinfo=zone)
            closes = datetime.combine(day + timedelta(days=hours.end.value <= hours.start.value),
                                      hours.end.value, tzinfo=zone)
            if opens <= start and end <= closes:
                return True
        return False


@dataclass(frozen=True)
class AllowedMaintenance:
    """The maintenance windows a service may be in: none longer than ``max_length``, each inside
    one of the ``slots``."""

    max_length: Sourced[timedelta]
    slots: tuple[MaintenanceSlot, ...]
    location: Location

    def allows(self, start: datetime, end: datetime, organisation_zone: ZoneInfo) -> bool:
        """Whether a window ``[start, end)`` is one the policy allows: no longer than
        ``max_length``, inside one of the slots."""
        return end - start <= self.max_length.value and any(
            slot.holds(start, end, organisation_zone) for slot in self.slots)


@dataclass(frozen=True)
class Tier:
    """Defaults a service of the tier takes unless the service states its own."""

    name: str
    description: Sourced[str] | None
    urgency: Sourced[ServiceUrgency] | None
    support_hours: Hours | None
    acknowledgement_timeout: Sourced[timedelta | None] | None
    auto_resolve_timeout: Sourced[timedelta | None] | None
    requires_integration: Sourced[bool] | None
    min_escalation_levels: Sourced[int] | None
    location: Location
    maintenance_windows: AllowedMaintenance | None = None
    auto_pause_notifications: Sourced[timedelta | None] | None = None
    alert_grouping: Sourced[str] | None = None

    @property
    def resource(self) -> Resource:
        return Resource("tier", name=self.name)


@dataclass(frozen=True)
class Schedule:
    """An on-call schedule and the coverage and staffing it must have."""

    name: str
    id: Sourced[str] | None
    description: Sourced[str] | None
    team: Reference[Team] | None
    time_zone: Sourced[str] | None
    coverage: Sourced[Coverage] | None
    rotation_length: Sourced[timedelta] | None
    min_participants: Sourced[int] | None
    location: Location

    @property
    def resource(self) -> Resource:
        return Resource("schedule", name=self.name, id=self.id.value if self.id else None)


@dataclass(frozen=True)
class Target:
    """Who a level pages: a schedule (resolved to its definition when documented) or a user."""

    kind: TargetKind
    name: str
    """The schedule's name, the user's email, or (``user_id``, ``schedule_id``) the PagerDuty
    id."""
    location: Location
    schedule: Schedule | None = None


@dataclass(frozen=True)
class Level:
    """One level of an escalation policy, i.e. one PagerDuty escalation rule."""

    number: int
    """1-based, as the policy and PagerDuty's UI count levels."""
    name: Sourced[str] | None
    engaged_after: Sourced[timedelta]
    """Cumulative from the trigger; level 1 is 0 (located at the level when not written)."""
    acknowledge_within: Sourced[timedelta] | None
    targets: tuple[Target, ...]
    location: Location


@dataclass(frozen=True)
class EscalationPolicy:
    """Who is paged, in what order, and when, counted from the trigger."""

    name: str
    id: Sourced[str] | None
    description: Sourced[str] | None
    team: Reference[Team] | None
    services: tuple[Sourced[str], ...]
    """The names in the policy's ``services`` list (``Policy.services_covered_by`` resolves)."""
    loops: Sourced[int] | None
    handoff_notifications: Sourced[HandoffNotifications] | None
    levels: tuple[Level, ...]
    repeat_after: Sourced[timedelta] | None
    location: Location

    @property
    def resource(self) -> Resource:
        return Resource("escalation_policy", name=self.name, id=self.id.value if self.id else None)

    def escalation_delays(self) -> tuple[Sourced[int] | None, ...]:
        """PagerDuty's ``escalation_delay_in_minutes`` for each rule, as the cumulative times imply.

        Rule i waits ``engaged_after[i+1] - engaged_after[i]``, located at level i+1's
        ``engaged_after``; the last rule waits ``repeat_after - engaged_after[last]``, located at
        ``repeat_after``, or None when the policy does not say when the escalation repeats.
        """
        delays: list[Sourced[int] | None] = []
        for level, following in zip(self.levels, self.levels[1:], strict=False):
            delays.append(Sourced(whole_minutes(following.engaged_after.value
                                                - level.engaged_after.value),
                                  following.engaged_after.location))
        last = self.levels[-1]
        delays.append(None if self.repeat_after is None else Sourced(
            whole_minutes(self.repeat_after.value - last.engaged_after.value),
            self.repeat_after.location))
        return tuple(delays)


@dataclass(frozen=True)
class Service:
    """A service with its tier's defaults applied: each value is the service's own or its tier's."""

    name: str
    id: Sourced[str] | None
    description: Sourced[str] | None
    tier: Reference[Tier] | None
    team: Reference[Team] | None
    escalation_policy: Reference[EscalationPolicy] | None
    """The service's own ``escalation_policy``, else the first escalation policy listing it."""
    urgency: Sourced[ServiceUrgency] | None
    support_hours: Hours | None
    acknowledgement_timeout: Sourced[timedelta | None] | None
    auto_resolve_timeout: Sourced[timedelta | None] | None
    requires_integration: Sourced[bool] | None
    min_escalation_levels: Sourced[int] | None
    location: Location
    maintenance_windows: AllowedMaintenance | None = None
    """The maintenance the service may be in; None when the policy allows none."""
    auto_pause_notifications: Sourced[timedelta | None] | None = None
    """The longest PagerDuty may hold transient alerts, ``disabled`` (None) for not at all;
    not written (None): allowed only on a service that cannot page at high urgency."""
    alert_grouping: Sourced[str] | None = None
    """``none``, ``time``, ``intelligent``, ``content_based`` or ``content_based_intelligent``."""
    detection_sources: tuple[Sourced[str], ...] | None = None
    """The monitoring tools whose alerts must reach the service (a vendor's or an
    integration's name); None when the policy does not say."""
    allowed_orchestration_rules: tuple[Sourced[str], ...] | None = None
    """The event orchestration rules (by label, or ``catch-all``) accepted to hold back or
    lower the urgency of its alerts."""

    @property
    def resource(self) -> Resource:
        return Resource("service", name=self.name, id=self.id.value if self.id else None)

    def incident_urgency_rule(self) -> dict[str, Any] | None:
        """The PagerDuty ``incident_urgency_rule`` the documented urgency means, or None."""
        if self.urgency is None:
            return None
        if self.urgency.value == "support_hours":
            return {"type": "use_support_hours",
                    "during_support_hours": {"type": "constant", "urgency": "high"},
                    "outside_support_hours": {"type": "constant", "urgency": "low"}}
        return {"type": "constant", "urgency": self.urgency.value}


@dataclass(frozen=True)
class Waiver:
    """An accepted exception to a drift rule on one object, until it expires."""

    rule: Sourced[str]
    resource: Sourced[Resource]
    reason: Sourced[str]
    owner: Sourced[str]
    expires: Sourced[date]
    location: Location

    def matches(self, finding: Finding) -> bool:
        """Whether the waiver is about this finding: same rule, type, and the name/id it gives."""
        wanted, got = self.resource.value, finding.resource
        return (finding.rule == self.rule.value and got.type == wanted.type
                and (wanted.name is None or got.name == wanted.name)
                and (wanted.id is None or got.id == wanted.id))

    def expired(self, today: date) -> bool:
        """``expires`` is the last day the waiver applies."""
        return today > self.expires.value

    def as_waived(self) -> Waived:
        return Waived(reason=self.reason.value, owner=self.owner.value,
                      expires=self.expires.value, location=self.location)


@dataclass(frozen=True)
class Scope:
    """The part of the account the SOC 2 system covers: the services of these PagerDuty teams
    (those whose names match ``services`` when patterns are written), and what they and the
    documented escalation policies and schedules reach. A policy without one covers the whole
    account."""

    teams: tuple[Reference[Team], ...]
    """By name; ``target`` is the documented team (its pinned id), when the policy lists it."""
    services: tuple[Sourced[str], ...]
    """Shell-style patterns (``checkout-*``), matched case-sensitively against service names;
    empty when every service of the teams is in scope."""
    location: Location

    @property
    def team_names(self) -> tuple[str, ...]:
        return tuple(team.name for team in self.teams)

    def matches_service(self, name: str) -> bool:
        """Whether a service of this name is in scope by its name (always, without patterns)."""
        return not self.services or any(fnmatch.fnmatchcase(name, pattern.value)
                                        for pattern in self.services)


SECTION_OF_KIND: Mapping[str, str] = {
    "service": "services", "escalation_policy": "escalation_policies", "schedule": "schedules",
    "team": "teams", "priority": "severities", "severity": "severities", "tier": "tiers",
    "postmortems": "postmortems", "waiver": "waivers", "scope": "scope",
}
"""The top-level policy key that documents each kind of object (PagerDuty's type names)."""


@dataclass(frozen=True)
class Recurrence:
    """How often something must happen: every so many calendar months, or every fixed duration."""

    months: int | None
    duration: timedelta | None

    def earliest(self, today: date) -> date:
        """The first day that still counts on ``today``: 12 months before 2026-03-31 is
        2025-03-31 (the last day of a shorter month where the day does not exist)."""
        if self.months is None:
            assert self.duration is not None
            return today - timedelta(days=self.duration.days)
        month = today.year * 12 + today.month - 1 - self.months
        year, month = divmod(month, 12)
        last = (date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - timedelta(days=1)).day
        return date(year, month + 1, min(today.day, last))

    def __str__(self) -> str:
        return f"{self.months}mo" if self.months is not None else format_duration(
            self.duration or timedelta(0))


DEFAULT_EXERCISE_EVERY = Recurrence(12, None)
"""A tabletop exercise a year, the usual SOC 2 expectation, when the policy does not say."""


def parse_recurrence(text: str) -> Recurrence:
    """``"12mo"`` -> every 12 months; a duration (``"180d"``) -> every 180 days."""
    if text.endswith("mo") and text[:-2].isdigit():
        return Recurrence(int(text[:-2]), None)
    return Recurrence(None, parse_duration(text))


class ActionStatus(str, enum.Enum):
    """Where an action item stands on a given day; each action is in exactly one."""

    OPEN = "open"
    """Not done, and not yet past its due day."""
    OVERDUE = "overdue"
    CLOSED_LATE = "closed_late"
    CLOSED_ON_TIME = "closed_on_time"


def action_status(due: date, closed_on: date | None, today: date) -> ActionStatus:
    """Closed on or before its due day: on time; closed after: late; open after its due day:
    overdue (the due day itself still counts)."""
    if closed_on is not None:
        return ActionStatus.CLOSED_ON_TIME if closed_on <= due else ActionStatus.CLOSED_LATE
    return ActionStatus.OVERDUE if today > due else ActionStatus.OPEN


@dataclass(frozen=True)
class Containment:
    """How an incident is marked contained: resolve_within then counts to containment when it
    comes before resolution."""

    recorded_as: Sourced[Literal["incident_note", "custom_field"]]
    note_pattern: Sourced[str] | None
    field: Sourced[str] | None
    location: Location

    def note_regex(self) -> re.Pattern[str] | None:
        """The compiled note pattern (the schema has checked that it compiles)."""
        return re.compile(self.note_pattern.value) if self.note_pattern else None


@dataclass(frozen=True)
class CorrectiveAction:
    """A row of the corrective action register, and the file and line it is written at."""

    incident: str
    """The incident as the row names it: a PagerDuty id, or a number without its ``#``."""
    action: str
    owner: str
    due: date
    closed_at: date | datetime | None
    """As written: a date, or a date-time (read in the organisation's zone without an offset)."""
    location: Location

    def closed_on(self, zone: ZoneInfo) -> date | None:
        """The day, in ``zone``, the action was closed."""
        if self.closed_at is None or not isinstance(self.closed_at, datetime):
            return self.closed_at
        moment = self.closed_at
        return (moment.astimezone(zone) if moment.tzinfo else moment).date()

    def status(self, today: date, zone: ZoneInfo) -> ActionStatus:
        return action_status(self.due, self.closed_on(zone), today)


@dataclass(frozen=True)
class CorrectiveActions:
    """The corrective action register the policy names, read when the policy is loaded."""

    register: Sourced[Path]
    """Resolved against the folder of the policy file that names it."""
    actions: tuple[CorrectiveAction, ...]
    problems: tuple[tuple[Location, str], ...]
    """Rows (or the file) that cannot be read, each with its file and line: lint reports them
    (POL041) and no other check uses them."""
    location: Location


@dataclass(frozen=True)
class ExerciseAction:
    """An action item a tabletop exercise decided."""

    title: Sourced[str]
    owner: Sourced[str]
    due: Sourced[date]
    closed: Sourced[date | None] | None
    location: Location

    def status(self, today: date) -> ActionStatus:
        return action_status(self.due.value, self.closed.value if self.closed else None, today)


@dataclass(frozen=True)
class Exercise:
    """A tabletop exercise: the plan practised on a scenario, by its participants."""

    date: Sourced[date]
    scenario: Sourced[str]
    participants: tuple[Sourced[str], ...]
    findings: tuple[Sourced[str], ...]
    actions: tuple[ExerciseAction, ...]
    location: Location


@dataclass(frozen=True)
class TrainingRecord:
    """One completed incident-response training."""

    person: Sourced[str]
    completed: Sourced[date]
    course: Sourced[str]
    location: Location


@dataclass(frozen=True)
class Training:
    """Who is trained, and for how long a completion counts."""

    valid_for: Sourced[timedelta]
    records: tuple[TrainingRecord, ...]
    location: Location

    def valid_until(self, record: TrainingRecord) -> date:
        """The last day ``record`` counts: its completion plus ``valid_for``."""
        return record.completed.value + timedelta(days=self.valid_for.value.days)

    def current(self, email: str, today: date) -> TrainingRecord | None:
        """The person's latest record still valid on ``today`` (emails compared without case)."""
        valid = [record for record in self.records
                 if record.person.value.casefold() == email.casefold()
                 and self.valid_until(record) >= today]
        return max(valid, key=lambda record: record.completed.value, default=None)

    def latest(self, email: str) -> TrainingRecord | None:
        """The person's latest record, valid or not."""
        return max((record for record in self.records
                    if record.person.value.casefold() == email.casefold()),
                   key=lambda record: record.completed.value, default=None)


@dataclass(frozen=True)
class Policy:
    """The whole documented policy, merged from its files, references resolved.

    Tuples keep the order written (files in path order). When a name is defined twice the load
    reports POL004 and lookups return the first definition.
    """

    organisation: Organisation
    teams: tuple[Team, ...]
    severities: tuple[IncidentSeverity, ...]
    postmortems: Postmortems | None
    tiers: tuple[Tier, ...]
    escalation_policies: tuple[EscalationPolicy, ...]
    schedules: tuple[Schedule, ...]
    services: tuple[Service, ...]
    waivers: tuple[Waiver, ...]
    files: tuple[str, ...]
    sections: Mapping[str, Location]
    """Where each top-level key (``services:``) is first written, files in path order."""
    corrective_actions: CorrectiveActions | None = None
    exercise_every: Sourced[Recurrence] | None = None
    exercises: tuple[Exercise, ...] = ()
    training: Training | None = None
    containment: Containment | None = None
    scope: Scope | None = None
    """None: the policy covers the whole account."""
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _Index.of(self))

    def severity(self, severity_id: str) -> IncidentSeverity | None:
        return self._index.severities.get(severity_id)

    def tier(self, name: str) -> Tier | None:
        return self._index.tiers.get(name)

    def team(self, name: str) -> Team | None:
        return self._index.teams.get(name)

    def escalation_policy(self, name: str) -> EscalationPolicy | None:
        return self._index.escalation_policies.get(name)

    def schedule(self, name: str) -> Schedule | None:
        return self._index.schedules.get(name)

    def service(self, name: str) -> Service | None:
        return self._index.services.get(name)

    def by_id(self, kind: str,
              pagerduty_id: str) -> Team | EscalationPolicy | Schedule | Service | None:
        """The definition pinned to a PagerDuty id; ``kind`` is a PagerDuty type, e.g. service."""
        return self._index.pinned.get((kind, pagerduty_id))

    def home_of(self, kind: str) -> Location:
        """Where an object of PagerDuty type ``kind`` is documented, or would be: the key of
        the collection that documents that kind (``services:`` for a service), else the
        ``organisation`` section, the one every policy has. A finding about an object the
        policy does not document points here, so every finding has a line to show."""
        section = SECTION_OF_KIND.get(kind)
        return self.sections.get(section or "organisation") or self.organisation.location

    def services_covered_by(self, policy: EscalationPolicy) -> tuple[Service, ...]:
        """The documented services whose escalation policy is ``policy``."""
        return self._index.covered.get(policy.name, ())


@dataclass(frozen=True)
class _Index:
    """Lookups built once per policy, so that rules over thousands of services stay linear."""

    severities: Mapping[str, IncidentSeverity]
    tiers: Mapping[str, Tier]
    teams: Mapping[str, Team]
    escalation_policies: Mapping[str, EscalationPolicy]
    schedules: Mapping[str, Schedule]
    services: Mapping[str, Service]
    pinned: Mapping[tuple[str, str], Team | EscalationPolicy | Schedule | Service]
    covered: Mapping[str, tuple[Service, ...]]

    @classmethod
    def of(cls, policy: Policy) -> _Index:
        pinned: dict[tuple[str, str], Team | EscalationPolicy | Schedule | Service] = {}
        for kind, definitions in (("team", policy.teams),
                                  ("escalation_policy", policy.escalation_policies),
                                  ("schedule", policy.schedules), ("service", policy.services)):
            for definition in definitions:
                if definition.id is not None:
                    pinned.setdefault((kind, definition.id.value), definition)
        covered: dict[str, list[Service]] = {}
        for service in policy.services:
            if service.escalation_policy is not None:
                covered.setdefault(service.escalation_policy.name, []).append(service)
        return cls(
            severities=first_by(policy.severities, lambda item: item.id),
            tiers=first_by(policy.tiers, lambda item: item.name),
            teams=first_by(policy.teams, lambda item: item.name),
            escalation_policies=first_by(policy.escalation_policies, lambda item: item.name),
            schedules=first_by(policy.schedules, lambda item: item.name),
            services=first_by(policy.services, lambda item: item.name),
            pinned=pinned,
            covered={name: tuple(services) for name, services in covered.items()},
        )


def first_by(items: Iterable[T], key: Callable[[T], str]) -> dict[str, T]:
    """Definitions by name; when a name is defined twice the first wins (POL004 reports it)."""
    found: dict[str, T] = {}
    for item in items:
        found.setdefault(key(item), item)
    return found
