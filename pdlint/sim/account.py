"""The data model of a simulated PagerDuty account.

Objects hold what PagerDuty stores, in plain Python types (aware UTC datetimes, seconds, ids);
the JSON shapes of the REST API are made from them in ``payloads``. Incidents are kept in an
``IncidentTimeline`` that may make each incident on demand from its index, so that an enterprise
account with 100,000 incidents costs no more memory than a small one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Literal, overload
from zoneinfo import ZoneInfo

ContactKind = Literal["email", "phone", "sms", "push_notification"]
Urgency = Literal["high", "low"]
AuditAction = Literal["create", "update", "delete"]

RAILS_ZONES = {"Eastern Time (US & Canada)": "America/New_York"}
"""The Rails (ActiveSupport) zone names the simulated accounts use, and the IANA zone each means:
PagerDuty writes schedule and support-hours zones either way (``activesupport-time-zone``)."""

_ID_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ID_PAIRS = tuple(high + low for high in _ID_DIGITS for low in _ID_DIGITS)
_PAIR = len(_ID_PAIRS)
_ID_LIMIT = len(_ID_DIGITS) * _PAIR * _PAIR
_ID_SUFFIX = re.compile(r"[0-9A-Z]{5}")


def zone_of(name: str) -> ZoneInfo:
    """The time zone of an IANA name, or of one of ``RAILS_ZONES``."""
    return ZoneInfo(RAILS_ZONES.get(name, name))


def object_id(kind: str, index: int) -> str:
    """A PagerDuty-looking id (``P`` + kind letter + 5 base-36 digits) that encodes its index.

    Encoding the index lets a lazily made object (an incident) be found from its id without a
    table of every id.
    """
    if not 0 <= index < _ID_LIMIT:
        raise ValueError(f"object index {index} out of range")
    high, low = divmod(index, _PAIR)
    top, middle = divmod(high, _PAIR)
    return f"P{kind}{_ID_DIGITS[top]}{_ID_PAIRS[middle]}{_ID_PAIRS[low]}"


def object_index(kind: str, object_id_: str) -> int | None:
    """The index encoded by ``object_id(kind, index)``, or None when the id is not of that kind."""
    if not object_id_.startswith("P" + kind) or not _ID_SUFFIX.fullmatch(object_id_, 2):
        return None
    return int(object_id_[2:], 36)


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class ContactMethod:
    id: str
    kind: ContactKind
    label: str
    address: str
    country_code: int = 1


@dataclass(frozen=True)
class NotificationRule:
    id: str
    urgency: Urgency
    start_delay_in_minutes: int
    contact_method_id: str


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    role: str = "user"
    time_zone: str = "America/New_York"
    job_title: str = ""
    team_ids: tuple[str, ...] = ()
    contact_methods: tuple[ContactMethod, ...] = ()
    notification_rules: tuple[NotificationRule, ...] = ()

    def contact_method(self, contact_method_id: str) -> ContactMethod:
        return next(method for method in self.contact_methods if method.id == contact_method_id)


@dataclass(frozen=True)
class Target:
    """An escalation target: a user directly, or whoever a schedule has on call."""

    kind: Literal["user", "schedule"]
    id: str


@dataclass(frozen=True)
class EscalationRule:
    id: str
    escalation_delay_in_minutes: int
    targets: tuple[Target, ...]
    assignment_strategy: Literal["assign_to_everyone", "round_robin"] = "assign_to_everyone"


@dataclass(frozen=True)
class EscalationPolicy:
    id: str
    name: str
    rules: tuple[EscalationRule, ...]
    description: str = ""
    num_loops: int = 0
    on_call_handoff_notifications: Literal["if_has_services", "always"] = "if_has_services"
    team_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Restriction:
    """When a layer may be on call: daily (every day) or weekly (from one weekday), local time."""

    kind: Literal["daily_restriction", "weekly_restriction"]
    start_time_of_day: time
    duration_seconds: int
    start_day_of_week: int | None = None  # ISO weekday 1 = Monday … 7, weekly restrictions only


@dataclass(frozen=True)
class ScheduleLayer:
    id: str
    name: str
    start: datetime
    rotation_virtual_start: datetime
    rotation_turn_length_seconds: int
    user_ids: tuple[str, ...]
    restrictions: tuple[Restriction, ...] = ()
    end: datetime | None = None


@dataclass(frozen=True)
class Override:
    id: str
    start: datetime
    end: datetime
    user_id: str


@dataclass(frozen=True)
class Schedule:
    id: str
    name: str
    time_zone: str
    layers: tuple[ScheduleLayer, ...]
    description: str = ""
    overrides: tuple[Override, ...] = ()
    team_ids: tuple[str, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        """The zone its layers hand over and its restrictions apply in."""
        return zone_of(self.time_zone)

    @property
    def user_ids(self) -> tuple[str, ...]:
        """Everyone in any layer, first appearance first (the API's ``users`` of a schedule)."""
        return tuple(dict.fromkeys(user_id for layer in self.layers for user_id in layer.user_ids))


@dataclass(frozen=True)
class ShiftEvent:
    """When and how people are on call in a rotation of a shift-based schedule: the first shift
    from ``start`` to ``end`` (local times in the schedule's zone), repeated every ``repeat``
    (RRULE ``FREQ=DAILY`` or ``WEEKLY`` with an ``INTERVAL``) while effective; each member in
    turn covers ``shifts_per_member`` shifts (``rotating``), or all of them every shift."""

    id: str
    name: str
    start: datetime
    end: datetime
    repeat: Literal["DAILY", "WEEKLY"]
    member_ids: tuple[str, ...]
    interval: int = 1
    rotating: bool = True
    shifts_per_member: int = 1
    effective_until: datetime | None = None

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.interval * (7 if self.repeat == "WEEKLY" else 1))

    @property
    def recurrence(self) -> str:
        return f"RRULE:FREQ={self.repeat};INTERVAL={self.interval}"


@dataclass(frozen=True)
class V3Schedule:
    """A shift-based schedule: only listed by ``/v3/schedules``, never by ``/schedules``; its
    rotations (each a list of events) are read with ``GET /v3/schedules/{id}``."""

    id: str
    name: str
    time_zone: str
    description: str = ""
    team_ids: tuple[str, ...] = ()
    rotations: tuple[tuple[str, tuple[ShiftEvent, ...]], ...] = ()
    """(rotation id, its events)."""

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.time_zone)


@dataclass(frozen=True)
class UrgencyRule:
    """``incident_urgency_rule``: constant (high, low, severity_based) or by support hours."""

    type: Literal["constant", "use_support_hours"]
    urgency: Literal["high", "low", "severity_based"] | None = None
    during_support_hours: Urgency | None = None
    outside_support_hours: Urgency | None = None


@dataclass(frozen=True)
class SupportHours:
    time_zone: str
    days_of_week: tuple[int, ...]
    start_time: str
    end_time: str

    @property
    def zone(self) -> ZoneInfo:
        """The zone its days and times are in."""
        return zone_of(self.time_zone)


@dataclass(frozen=True)
class Vendor:
    """A monitoring tool PagerDuty integrates with (a ``VendorReference``'s summary names it)."""

    id: str
    name: str


@dataclass(frozen=True)
class Integration:
    id: str
    name: str
    kind: str
    created_at: datetime
    vendor: Vendor | None = None


Severity = Literal["info", "warning", "error", "critical"]


@dataclass(frozen=True)
class OrchestrationActions:
    """What an orchestration rule (or a catch-all) does to the events it matches."""

    route_to: str | None = None
    """A set id in a service orchestration; a service id (or ``unrouted``) in a router."""
    suppress: bool | None = None
    suspend: int | None = None
    """Seconds the alert is held before it triggers."""
    drop_event: bool | None = None
    """Global orchestrations only."""
    priority_id: str | None = None
    severity: Severity | None = None
    annotate: str | None = None


@dataclass(frozen=True)
class OrchestrationRule:
    id: str
    label: str
    conditions: tuple[str, ...]
    """PCL expressions; the rule matches when any does, every event when there are none."""
    actions: OrchestrationActions
    disabled: bool = False


@dataclass(frozen=True)
class RuleSet:
    id: str
    rules: tuple[OrchestrationRule, ...] = ()


@dataclass(frozen=True)
class ServiceOrchestration:
    """A service's event orchestration: its sets of rules from ``start``, and the catch-all;
    ``active`` False when the service still evaluates its legacy event rules instead."""

    sets: tuple[RuleSet, ...] = (RuleSet("start"),)
    catch_all: OrchestrationActions = OrchestrationActions()
    active: bool = True

    @property
    def acts(self) -> bool:
        """Whether it has a rule or a catch-all action (else it does nothing, active or not)."""
        return any(rule_set.rules for rule_set in self.sets) or (
            self.catch_all != OrchestrationActions())


@dataclass(frozen=True)
class EventOrchestration:
    """A global event orchestration: its router sends each event to a service (the first rule
    that matches, else the catch-all's ``route_to``)."""

    id: str
    name: str
    created_at: datetime
    description: str = ""
    team_id: str | None = None
    router_rules: tuple[OrchestrationRule, ...] = ()
    catch_all_route: str = "unrouted"


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    escalation_policy_id: str
    urgency_rule: UrgencyRule
    created_at: datetime
    description: str = ""
    status: Literal["active", "warning", "critical", "maintenance", "disabled"] = "active"
    team_ids: tuple[str, ...] = ()
    acknowledgement_timeout: int | None = 1800
    auto_resolve_timeout: int | None = 14400
    support_hours: SupportHours | None = None
    integrations: tuple[Integration, ...] = ()
    auto_pause_timeout: int | None = None
    """Seconds alerts judged transient are held (0: the recommended time); None: not paused."""
    alert_grouping: Literal["time", "intelligent", "content_based"] | None = None
    orchestration: ServiceOrchestration = ServiceOrchestration()


@dataclass(frozen=True)
class AlertGroupingSetting:
    """An Alert Grouping Setting: how the alerts of the services it lists are grouped, where
    PagerDuty keeps a service's grouping now (the service only references it)."""

    id: str
    name: str
    kind: Literal["content_based", "content_based_intelligent", "intelligent", "time"]
    service_ids: tuple[str, ...]
    created_at: datetime
    description: str = ""


@dataclass(frozen=True)
class MaintenanceWindow:
    """A span in which the listed services open no incidents: ``[start, end)``."""

    id: str
    sequence_number: int
    start: datetime
    end: datetime
    service_ids: tuple[str, ...]
    created_by_user_id: str | None = None
    description: str = ""

    def state(self, now: datetime) -> Literal["past", "ongoing", "future"]:
        """Where the window stands at ``now``: the values of the listing's ``filter``."""
        if self.end <= now:
            return "past"
        return "ongoing" if self.start <= now else "future"


@dataclass(frozen=True)
class WorkflowStep:
    id: str
    name: str
    action_id: str
    """``pagerduty.com:incident-workflows:add-conference-bridge:5``: domain, package, action and
    version."""
    description: str = ""


@dataclass(frozen=True)
class IncidentWorkflow:
    id: str
    name: str
    steps: tuple[WorkflowStep, ...]
    created_at: datetime
    description: str = ""
    team_id: str | None = None
    is_enabled: bool = True


@dataclass(frozen=True)
class WorkflowTrigger:
    """What starts a workflow: a condition on an incident (``conditional``; none means every new
    incident), a person (``manual``) or an incident type; on the listed services, or all."""

    id: str
    workflow_id: str
    trigger_type: Literal["conditional", "manual", "incident_type"]
    condition: str | None = None
    service_ids: tuple[str, ...] = ()
    all_services: bool = False


@dataclass(frozen=True)
class Priority:
    id: str
    name: str
    description: str
    order: int  # analytics' priority_order: higher is more severe


@dataclass(frozen=True)
class Note:
    id: str
    created_at: datetime
    user_id: str
    content: str


@dataclass(frozen=True)
class ResponderRequest:
    """A request for more responders on an incident (PagerDuty's ``ResponderRequest``)."""

    id: str
    requested_at: datetime
    requester_user_id: str
    target_user_ids: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Incident:
    """An incident's history; its status at any moment follows from the times."""

    index: int
    title: str
    service_id: str
    escalation_policy_id: str
    urgency: Urgency
    created_at: datetime
    assigned_user_id: str
    priority_id: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None  # None with a resolved_at: resolved by the service (timeout)
    escalations: tuple[tuple[datetime, str], ...] = ()  # (when, user escalated to)
    notes: tuple[Note, ...] = ()
    responder_requests: tuple[ResponderRequest, ...] = ()
    subscriber_user_ids: tuple[str, ...] = ()
    """Users subscribed to its status updates (``/incidents/{id}/status_updates/subscribers``)."""

    @property
    def id(self) -> str:
        return incident_id(self.index)

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def status(self) -> Literal["triggered", "acknowledged", "resolved"]:
        if self.resolved_at is not None:
            return "resolved"
        return "acknowledged" if self.acknowledged_at is not None else "triggered"

    @property
    def last_status_change_at(self) -> datetime:
        return self.resolved_at or self.acknowledged_at or self.created_at


def incident_id(index: int) -> str:
    return object_id("Q", index)


class IncidentTimeline(Sequence[Incident]):
    """Incidents ordered by ``created_at``, each made on demand from its index.

    ``make(index)`` must be deterministic and its ``created_at`` non-decreasing with the index;
    ``longest`` bounds any incident's life, so that entries of a time window can be found without
    scanning the whole timeline.
    """

    def __init__(self, count: int, make: Callable[[int], Incident], longest: timedelta) -> None:
        self._count = count
        self._make = lru_cache(maxsize=4096)(make)
        self.longest = longest

    @classmethod
    def of(cls, incidents: Sequence[Incident]) -> IncidentTimeline:
        """A timeline over incidents already made (they must be indexed 0…n-1 in time order)."""
        longest = max(
            ((incident.resolved_at or incident.created_at) - incident.created_at
             for incident in incidents),
            default=timedelta(0),
        )
        return cls(len(incidents), incidents.__getitem__, longest)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Incident: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Incident]: ...

    def __getitem__(self, index: int | slice) -> Incident | Sequence[Incident]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self._make(index)

    def __iter__(self) -> Iterator[Incident]:
        return (self._make(index) for index in range(self._count))

    def find(self, id_or_number: str) -> Incident | None:
        """An incident by id, or by number as ``GET /incidents/{id}`` also accepts."""
        index = object_index("Q", id_or_number)
        if index is None and id_or_number.isdigit():
            index = int(id_or_number) - 1
        if index is None or not 0 <= index < self._count:
            return None
        return self._make(index)

    def created_between(self, since: datetime, until: datetime) -> range:
        """Indexes of the incidents created in ``[since, until)``."""
        key = attrgetter("created_at")
        first = bisect.bisect_left(self, since, key=key)
        last = bisect.bisect_left(self, until, lo=first, key=key)
        return range(first, last)


@dataclass(frozen=True)
class AuditChange:
    """One changed field of an audit record (PagerDuty gives values as strings)."""

    name: str
    before_value: str | None
    value: str | None


@dataclass(frozen=True)
class AuditRecord:
    id: str
    execution_time: datetime
    action: AuditAction
    actor_user_id: str
    root_resource_type: Literal[
        "users", "teams", "schedules", "escalation_policies", "services"
    ]
    root_resource_id: str
    root_resource_name: str
    changes: tuple[AuditChange, ...] = ()


DEFAULT_ABILITIES = (
    "teams", "urgencies", "read_only_users", "advanced_permissions", "audit_records",
    "priorities", "service_support_hours", "analytics",
)


@dataclass(frozen=True)
class Account:
    """One PagerDuty account as the simulator serves it; ``now`` is the account's present."""

    name: str
    subdomain: str
    time_zone: str
    now: datetime
    teams: tuple[Team, ...] = ()
    users: tuple[User, ...] = ()
    escalation_policies: tuple[EscalationPolicy, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    v3_schedules: tuple[V3Schedule, ...] = ()
    services: tuple[Service, ...] = ()
    priorities: tuple[Priority, ...] = ()
    maintenance_windows: tuple[MaintenanceWindow, ...] = ()
    incident_workflows: tuple[IncidentWorkflow, ...] = ()
    workflow_triggers: tuple[WorkflowTrigger, ...] = ()
    event_orchestrations: tuple[EventOrchestration, ...] = ()
    alert_grouping_settings: tuple[AlertGroupingSetting, ...] = ()
    incidents: IncidentTimeline = field(
        default_factory=lambda: IncidentTimeline(0, _no_incident, timedelta(0)))
    audit_records: tuple[AuditRecord, ...] = ()  # newest first, as the API lists them
    abilities: tuple[str, ...] = DEFAULT_ABILITIES

    @cached_property
    def users_by_id(self) -> dict[str, User]:
        return {user.id: user for user in self.users}

    @cached_property
    def teams_by_id(self) -> dict[str, Team]:
        return {team.id: team for team in self.teams}

    @cached_property
    def escalation_policies_by_id(self) -> dict[str, EscalationPolicy]:
        return {policy.id: policy for policy in self.escalation_policies}

    @cached_property
    def schedules_by_id(self) -> dict[str, Schedule]:
        return {schedule.id: schedule for schedule in self.schedules}

    @cached_property
    def services_by_id(self) -> dict[str, Service]:
        return {service.id: service for service in self.services}

    @cached_property
    def incident_workflows_by_id(self) -> dict[str, IncidentWorkflow]:
        return {workflow.id: workflow for workflow in self.incident_workflows}

    @cached_property
    def grouping_settings_by_service(self) -> dict[str, AlertGroupingSetting]:
        """The Alert Grouping Setting that holds each service's grouping, by service id."""
        return {service_id: setting for setting in self.alert_grouping_settings
                for service_id in setting.service_ids}

    @cached_property
    def priorities_by_id(self) -> dict[str, Priority]:
        return {priority.id: priority for priority in self.priorities}

    @cached_property
    def services_by_policy(self) -> dict[str, tuple[Service, ...]]:
        grouped: dict[str, list[Service]] = {}
        for service in self.services:
            grouped.setdefault(service.escalation_policy_id, []).append(service)
        return {policy_id: tuple(services) for policy_id, services in grouped.items()}

    @cached_property
    def policies_by_schedule(self) -> dict[str, tuple[EscalationPolicy, ...]]:
        grouped: dict[str, dict[str, EscalationPolicy]] = {}
        for policy in self.escalation_policies:
            for rule in policy.rules:
                for target in rule.targets:
                    if target.kind == "schedule":
                        grouped.setdefault(target.id, {})[policy.id] = policy
        return {schedule_id: tuple(policies.values()) for schedule_id, policies in grouped.items()}

    @cached_property
    def team_members(self) -> dict[str, tuple[User, ...]]:
        grouped: dict[str, list[User]] = {}
        for user in self.users:
            for team_id in user.team_ids:
                grouped.setdefault(team_id, []).append(user)
        return {team_id: tuple(users) for team_id, users in grouped.items()}

    def check_references(self) -> None:
        """Raise ValueError naming the first reference that does not resolve."""
        known_teams = self.teams_by_id.keys()
        for owner, team_ids in (
            *((user.id, user.team_ids) for user in self.users),
            *((policy.id, policy.team_ids) for policy in self.escalation_policies),
            *((schedule.id, schedule.team_ids) for schedule in self.schedules),
            *((service.id, service.team_ids) for service in self.services),
        ):
            for team_id in team_ids:
                if team_id not in known_teams:
                    raise ValueError(f"{owner}: unknown team {team_id}")
        for user in self.users:
            methods = {method.id for method in user.contact_methods}
            for notification in user.notification_rules:
                if notification.contact_method_id not in methods:
                    raise ValueError(
                        f"{user.id}: unknown contact method {notification.contact_method_id}")
        for policy in self.escalation_policies:
            for rule in policy.rules:
                if not rule.targets:
                    raise ValueError(f"{policy.id}: rule {rule.id} has no target")
                for target in rule.targets:
                    known = self.users_by_id if target.kind == "user" else self.schedules_by_id
                    if target.id not in known:
                        raise ValueError(f"{policy.id}: unknown {target.kind} {target.id}")
        for schedule in self.schedules:
            for layer in schedule.layers:
                for user_id in (*layer.user_ids,
                                *(override.user_id for override in schedule.overrides)):
                    if user_id not in self.users_by_id:
                        raise ValueError(f"{schedule.id}: unknown user {user_id}")
        for service in self.services:
            if service.escalation_policy_id not in self.escalation_policies_by_id:
                raise ValueError(f"{service.id}: unknown escalation policy")
            orchestration = service.orchestration
            set_ids = {rule_set.id for rule_set in orchestration.sets}
            for rule_set in orchestration.sets:
                for orchestration_rule in rule_set.rules:
                    self._check_actions(service.id, orchestration_rule.actions, set_ids)
            self._check_actions(service.id, orchestration.catch_all, set_ids)
        for window in self.maintenance_windows:
            for service_id in window.service_ids:
                if service_id not in self.services_by_id:
                    raise ValueError(f"{window.id}: unknown service {service_id}")
            if window.created_by_user_id and window.created_by_user_id not in self.users_by_id:
                raise ValueError(f"{window.id}: unknown user {window.created_by_user_id}")
        for setting in self.alert_grouping_settings:
            for service_id in setting.service_ids:
                if service_id not in self.services_by_id:
                    raise ValueError(f"{setting.id}: unknown service {service_id}")
        workflows = {workflow.id for workflow in self.incident_workflows}
        for trigger in self.workflow_triggers:
            if trigger.workflow_id not in workflows:
                raise ValueError(f"{trigger.id}: unknown workflow {trigger.workflow_id}")
            for service_id in trigger.service_ids:
                if service_id not in self.services_by_id:
                    raise ValueError(f"{trigger.id}: unknown service {service_id}")
        routes = {*self.services_by_id, "unrouted"}
        for event_orchestration in self.event_orchestrations:
            for router_rule in event_orchestration.router_rules:
                self._check_actions(event_orchestration.id, router_rule.actions, routes)
            if event_orchestration.catch_all_route not in routes:
                raise ValueError(f"{event_orchestration.id}: unknown service "
                                 f"{event_orchestration.catch_all_route}")

    def _check_actions(self, owner: str, actions: OrchestrationActions,
                       routes: Collection[str]) -> None:
        if actions.route_to is not None and actions.route_to not in routes:
            raise ValueError(f"{owner}: routes to unknown {actions.route_to}")
        if actions.priority_id is not None and actions.priority_id not in self.priorities_by_id:
            raise ValueError(f"{owner}: unknown priority {actions.priority_id}")


def _no_incident(index: int) -> Incident:
    raise IndexError(index)


LogKind = Literal[
    "trigger", "assign", "notify", "escalate", "acknowledge", "annotate", "resolve"
]
_LOG_ENTRIES_PER_INCIDENT = 32


@dataclass(frozen=True)
class LogEvent:
    """One line of an incident's log; ``user_id`` is who was assigned, notified or acted."""

    id: str
    kind: LogKind
    created_at: datetime
    incident: Incident
    user_id: str | None = None
    note: str | None = None


def trigger_log_entry_id(incident: Incident) -> str:
    """The id of the incident's first log entry (its trigger), without making the whole log."""
    return object_id("L", incident.index * _LOG_ENTRIES_PER_INCIDENT)


def incident_log(incident: Incident) -> tuple[LogEvent, ...]:
    """The incident's log entries, oldest first, as PagerDuty would have recorded them."""
    steps: list[tuple[LogKind, datetime, str | None, str | None]] = [
        ("trigger", incident.created_at, None, None),
        ("assign", incident.created_at, incident.assigned_user_id, None),
        ("notify", incident.created_at, incident.assigned_user_id, None),
    ]
    for at, user_id in incident.escalations:
        steps += [("escalate", at, user_id, None), ("notify", at, user_id, None)]
    if incident.acknowledged_at is not None:
        steps.append(("acknowledge", incident.acknowledged_at, incident.acknowledged_by, None))
    steps += [("annotate", note.created_at, note.user_id, note.content) for note in incident.notes]
    if incident.resolved_at is not None:
        steps.append(("resolve", incident.resolved_at, incident.resolved_by, None))
    steps.sort(key=lambda step: step[1])
    return tuple(
        LogEvent(
            object_id("L", incident.index * _LOG_ENTRIES_PER_INCIDENT + sequence),
            kind, at, incident, user_id, note,
        )
        for sequence, (kind, at, user_id, note) in enumerate(steps[:_LOG_ENTRIES_PER_INCIDENT])
    )


class IdSequence:
    """Hands out ids kind by kind, in creation order, so a built account's ids are stable."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def __call__(self, kind: str) -> str:
        index = self._next.get(kind, 0)
        self._next[kind] = index + 1
        return object_id(kind, index)
