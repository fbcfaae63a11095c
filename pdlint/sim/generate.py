"""Seeded accounts of any size, from empty to enterprise.

Everything follows from ``seed`` (and the account's ``now``): the same arguments give the same
account. Configuration objects are built eagerly (tens of thousands are cheap); incidents are
made on demand from ``(seed, index)``, so 100,000 of them cost no memory until they are read.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from pdlint.sim.account import (
    Account,
    AlertGroupingSetting,
    AuditChange,
    AuditRecord,
    ContactMethod,
    EscalationPolicy,
    EscalationRule,
    IdSequence,
    Incident,
    IncidentTimeline,
    IncidentWorkflow,
    Integration,
    MaintenanceWindow,
    Note,
    NotificationRule,
    Priority,
    Restriction,
    Schedule,
    ScheduleLayer,
    Service,
    ShiftEvent,
    SupportHours,
    Target,
    Team,
    Urgency,
    UrgencyRule,
    User,
    V3Schedule,
    WorkflowStep,
    WorkflowTrigger,
    incident_id,
    object_id,
)

FIRST_NAMES = ("Ada", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Gita", "Hugo", "Ines", "Jonas",
               "Keiko", "Liam", "Mei", "Nora", "Omar", "Priya", "Rafael", "Sofia", "Tomas", "Yara")
LAST_NAMES = ("Adams", "Bauer", "Chen", "Dubois", "Evans", "Fontaine", "Garcia", "Haddad", "Ito",
              "Jensen", "Kowalski", "Lopez", "Mensah", "Novak", "Okoro", "Petrov", "Quispe",
              "Rossi", "Singh", "Tanaka")
AREAS = ("Payments", "Search", "Identity", "Storage", "Network", "Billing", "Checkout", "Catalog",
         "Messaging", "Analytics", "Mobile", "Edge", "Data", "Compute", "Observability")
ZONES = ("America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin",
         "Asia/Tokyo", "UTC")
INCIDENT_SPAN = timedelta(days=365)
LONGEST_INCIDENT = timedelta(days=3)
DAY_SECONDS = 24 * 3600


def generated_account(
    seed: int = 0,
    services: int = 5000,
    escalation_policies: int = 2000,
    schedules: int = 1000,
    users: int = 10000,
    incidents: int = 100000,
    teams: int = 50,
    *,
    v3_schedules: int | None = None,
    audit_records: int | None = None,
    maintenance_windows: int | None = None,
    incident_workflows: int | None = None,
    alert_grouping_settings: int | None = None,
    now: datetime | None = None,
) -> Account:
    """An internally consistent account of the given size, the same for the same arguments.

    ``v3_schedules`` defaults to one per 200 schedules, ``maintenance_windows`` (past, ongoing
    and future alike) to one per 100 services, ``incident_workflows`` to one per 500
    services, ``alert_grouping_settings`` to one per 50 services and ``audit_records`` to one
    per ten
    configuration objects; ``now`` defaults to the current hour. Raises ValueError when the
    sizes cannot be consistent (services without escalation policies, schedules without users).
    """
    if min(services, escalation_policies, schedules, users, incidents, teams) < 0:
        raise ValueError("object counts must not be negative")
    if services and not escalation_policies:
        raise ValueError("services need at least one escalation policy")
    if (escalation_policies or schedules) and not users:
        raise ValueError("escalation policies and schedules need at least one user")
    if incidents and not services:
        raise ValueError("incidents need at least one service")
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(
        minute=0, second=0, microsecond=0)
    generator = random.Random(seed)
    ids = IdSequence()
    epoch = (now - timedelta(days=730)).replace(hour=0)

    team_list = tuple(Team(ids("T"), f"{AREAS[index % len(AREAS)]} {index + 1}")
                      for index in range(teams))

    def some_teams() -> tuple[str, ...]:
        return (generator.choice(team_list).id,) if team_list else ()

    user_list = tuple(_user(ids, generator, index, some_teams()) for index in range(users))

    schedule_list = tuple(
        _schedule(ids, generator, index, user_list, epoch, some_teams())
        for index in range(schedules))

    policy_list = []
    for index in range(escalation_policies):
        rules = []
        for level in range(generator.randint(1, 4)):
            targets: tuple[Target, ...]
            if schedule_list and (level == 0 or generator.random() < 0.7):
                targets = (Target("schedule", generator.choice(schedule_list).id),)
            else:
                targets = tuple(Target("user", user.id)
                                for user in generator.sample(user_list, min(2, len(user_list))))
            rules.append(EscalationRule(ids("R"), generator.choice((5, 10, 15, 30)), targets))
        policy_list.append(EscalationPolicy(
            ids("E"), f"{AREAS[index % len(AREAS)]} escalation {index + 1}", tuple(rules),
            "Generated escalation policy.", generator.choice((0, 1, 2)),
            generator.choice(("if_has_services", "always")), some_teams()))

    created = epoch
    service_list = []
    for index in range(services):
        kind = generator.random()
        support_hours = None
        if kind < 0.6:
            urgency = UrgencyRule("constant", "high")
        elif kind < 0.8:
            urgency = UrgencyRule("constant", "low")
        elif kind < 0.9:
            urgency = UrgencyRule("constant", "severity_based")
        else:
            urgency = UrgencyRule("use_support_hours", None, "high", "low")
            support_hours = SupportHours(generator.choice(ZONES), (1, 2, 3, 4, 5),
                                         "09:00:00", "17:00:00")
        integrations = tuple(
            Integration(ids("G"), "Events API V2", "events_api_v2_inbound_integration", created)
            for _ in range(generator.choice((0, 1, 1, 2))))
        service_list.append(Service(
            id=ids("S"), name=f"{AREAS[index % len(AREAS)]} service {index + 1}",
            escalation_policy_id=generator.choice(policy_list).id, urgency_rule=urgency,
            created_at=created, description="Generated service.",
            status="disabled" if generator.random() < 0.03 else "active",
            team_ids=some_teams(),
            acknowledgement_timeout=generator.choice((None, 1800, 1800, 3600)),
            auto_resolve_timeout=generator.choice((None, 14400, 14400, 86400)),
            support_hours=support_hours, integrations=integrations))

    priorities = tuple(Priority(ids("P"), f"P{rank}", f"Priority {rank}.", 6 - rank)
                       for rank in range(1, 6))
    v3_count = schedules // 200 if v3_schedules is None else v3_schedules
    v3_list = tuple(_shift_based(index, generator.choice(ZONES), some_teams(), user_list)
                    for index in range(v3_count))

    service_list = _paused_and_grouped(seed, service_list)
    window_count = services // 100 if maintenance_windows is None else maintenance_windows
    windows = _maintenance_windows(seed, ids, now, window_count, service_list, user_list)
    workflow_count = services // 500 if incident_workflows is None else incident_workflows
    workflows, triggers = _incident_workflows(seed, ids, epoch, workflow_count, service_list,
                                              priorities, team_list)
    settings = _grouping_settings(
        seed, ids, epoch, services // 50 if alert_grouping_settings is None
        else alert_grouping_settings, service_list)

    account = Account(
        name=f"Generated account {seed}", subdomain=f"generated{seed}", time_zone="UTC",
        now=now, teams=team_list, users=user_list, escalation_policies=tuple(policy_list),
        schedules=schedule_list, v3_schedules=v3_list, services=tuple(service_list),
        priorities=priorities, maintenance_windows=windows,
        incident_workflows=workflows, workflow_triggers=triggers,
        alert_grouping_settings=settings,
        incidents=_IncidentMaker(seed, incidents, now, tuple(service_list), policy_list,
                                 schedule_list, user_list, priorities).timeline(),
        audit_records=_audit_records(
            generator, ids, now,
            (audit_records if audit_records is not None
             else (services + escalation_policies + schedules + users) // 10),
            user_list, policy_list, schedule_list, service_list),
    )
    return account


def sized_account(
    *,
    users: int = 0,
    services: int = 0,
    escalation_policies: int = 0,
    schedules: int = 0,
    teams: int = 0,
    incidents: int = 0,
    seed: int = 0,
    now: datetime | None = None,
) -> Account:
    """An account with exactly the counts asked for, plus the least it needs to be consistent.

    For pagination tests: ``sized_account(users=101)`` has 101 users and nothing else;
    ``sized_account(services=100)`` also has one escalation policy and one user to page.
    """
    escalation_policies = escalation_policies or (1 if services or incidents else 0)
    services = services or (1 if incidents else 0)
    users = users or (1 if escalation_policies or schedules else 0)
    return generated_account(
        seed, services, escalation_policies, schedules, users, incidents, teams,
        v3_schedules=0, audit_records=0, maintenance_windows=0, incident_workflows=0,
        alert_grouping_settings=0, now=now)


def _paused_and_grouped(seed: int, services: list[Service]) -> list[Service]:
    """One service in ten auto-pauses its notifications, one in five groups its alerts; drawn
    from a generator of their own, so that every other object of a seed stays as it was."""
    generator = random.Random(f"{seed}-pausing")
    return [replace(
        service,
        auto_pause_timeout=(generator.choice((0, 120, 300, 900)) if generator.random() < 0.1
                            else None),
        alert_grouping=(generator.choice(("time", "intelligent", "content_based"))
                        if generator.random() < 0.2 else None))
        for service in services]


GROUPING_KINDS: tuple[Literal["content_based", "content_based_intelligent", "intelligent",
                              "time"], ...] = (
    "content_based", "content_based_intelligent", "intelligent", "time")


def _grouping_settings(seed: int, ids: IdSequence, created: datetime, count: int,
                       services: Sequence[Service]) -> tuple[AlertGroupingSetting, ...]:
    """Settings that each hold the grouping of one to three services without a grouping of
    their own (one only, for ``content_based_intelligent``, as PagerDuty allows); drawn from a
    generator of their own, so that every other object of a seed stays as it was."""
    generator = random.Random(f"{seed}-grouping")
    free = [service.id for service in services if service.alert_grouping is None]
    generator.shuffle(free)
    settings = []
    for index in range(count):
        kind = generator.choice(GROUPING_KINDS)
        size = 1 if kind == "content_based_intelligent" else generator.randint(1, 3)
        held, free = free[:size], free[size:]
        if not held:
            break
        settings.append(AlertGroupingSetting(
            ids("K"), f"Grouping {index + 1}", kind, tuple(held), created))
    return tuple(settings)


def _maintenance_windows(
    seed: int, ids: IdSequence, now: datetime, count: int, services: Sequence[Service],
    users: Sequence[User],
) -> tuple[MaintenanceWindow, ...]:
    """Windows of one to eight hours on one to three services, a third each ended, under way
    and to come. Drawn from a generator of their own, so that adding them left every other
    object of a seed as it was."""
    if not services:
        return ()
    generator = random.Random(f"{seed}-maintenance")
    windows = []
    for index in range(count):
        length = timedelta(hours=generator.randint(1, 8))
        apart = timedelta(days=generator.randint(0, 3), hours=1)
        start = (now - length / 2, now - length - apart, now + apart)[index % 3]
        chosen = generator.sample(list(services), min(generator.randint(1, 3), len(services)))
        windows.append(MaintenanceWindow(
            ids("W"), index + 1, start, start + length,
            tuple(service.id for service in chosen),
            generator.choice(users).id if users else None,
            f"Planned maintenance {index + 1}"))
    return tuple(windows)


WORKFLOW_ACTIONS = (
    "pagerduty.com:incident-workflows:add-responders:2",
    "pagerduty.com:incident-workflows:add-conference-bridge:5",
    "pagerduty.com:incident-workflows:send-status-update:1",
    "pagerduty.com:slack:create-a-channel:4",
)


def _incident_workflows(
    seed: int, ids: IdSequence, created: datetime, count: int, services: Sequence[Service],
    priorities: Sequence[Priority], teams: Sequence[Team],
) -> tuple[tuple[IncidentWorkflow, ...], tuple[WorkflowTrigger, ...]]:
    """Workflows of one to four standard actions, one in ten disabled, each started by a
    conditional trigger on one or two priorities (on every service, or on a few) and some by a
    manual one too. Drawn from a generator of their own, like the maintenance windows."""
    generator = random.Random(f"{seed}-workflows")
    workflows: list[IncidentWorkflow] = []
    triggers: list[WorkflowTrigger] = []
    for index in range(count):
        steps = tuple(WorkflowStep(ids("Q"), f"Step {number + 1}", action)
                      for number, action in enumerate(generator.sample(
                          WORKFLOW_ACTIONS, generator.randint(1, len(WORKFLOW_ACTIONS)))))
        workflow = IncidentWorkflow(
            ids("F"), f"{AREAS[index % len(AREAS)]} response {index + 1}", steps, created,
            "Generated incident workflow.",
            generator.choice(teams).id if teams else None, generator.random() >= 0.1)
        workflows.append(workflow)
        if priorities:
            names = [priority.name for priority in generator.sample(
                list(priorities), min(generator.randint(1, 2), len(priorities)))]
            condition = " or ".join(f"incident.priority matches '{name}'" for name in names)
            every = generator.random() < 0.5 or not services
            chosen = () if every else tuple(service.id for service in generator.sample(
                list(services), min(generator.randint(1, 5), len(services))))
            triggers.append(WorkflowTrigger(object_id("Z", len(triggers)), workflow.id,
                                            "conditional", condition, chosen, every))
        if generator.random() < 0.3:
            triggers.append(WorkflowTrigger(object_id("Z", len(triggers)), workflow.id,
                                            "manual", all_services=True))
    return tuple(workflows), tuple(triggers)


def _shift_based(index: int, zone: str, team_ids: tuple[str, ...],
                 users: Sequence[User]) -> V3Schedule:
    """A shift-based schedule: one rotation handing over weekly, Mondays 09:00 local time,
    through four users chosen by its index (no draw of the generator, so that adding rotations
    left every other object of the account as it was)."""
    schedule_id = object_id("V", index)
    members = tuple(users[(index * 4 + offset) % len(users)].id
                    for offset in range(min(4, len(users))))
    start = datetime(2025, 1, 6, 9, 0, tzinfo=ZoneInfo(zone))
    rotations = ((f"{schedule_id}R1", (ShiftEvent(
        f"{schedule_id}E1", "Weekly on-call", start, start + timedelta(days=7), "WEEKLY",
        members),)),) if members else ()
    return V3Schedule(schedule_id, f"Shift schedule {index + 1}", zone,
                      "Generated shift-based schedule.", team_ids, rotations)


def _user(ids: IdSequence, generator: random.Random, index: int, team_ids: tuple[str, ...]
          ) -> User:
    first, last = generator.choice(FIRST_NAMES), generator.choice(LAST_NAMES)
    email = f"{first.lower()}.{last.lower()}.{index + 1}@bigcorp.example"
    number = f"555{index:07d}"
    email_method = ContactMethod(ids("M"), "email", "Work", email)
    phone = ContactMethod(ids("M"), "phone", "Mobile", number)
    sms = ContactMethod(ids("M"), "sms", "Mobile", number)
    push = ContactMethod(ids("M"), "push_notification", "Phone app", f"push-{index}")
    rules: tuple[NotificationRule, ...]
    if generator.random() < 0.02:  # a few people who can only be reached by push
        rules = (NotificationRule(ids("N"), "high", 0, push.id),)
    else:
        rules = (NotificationRule(ids("N"), "high", 0, phone.id),
                 NotificationRule(ids("N"), "high", 5, sms.id),
                 NotificationRule(ids("N"), "low", 0, push.id))
    return User(ids("U"), f"{first} {last}", email,
                generator.choice(("user", "user", "user", "limited_user", "admin")),
                generator.choice(ZONES), "Engineer", team_ids,
                (email_method, phone, sms, push), rules)


def _schedule(
    ids: IdSequence,
    generator: random.Random,
    index: int,
    users: tuple[User, ...],
    epoch: datetime,
    team_ids: tuple[str, ...],
) -> Schedule:
    layers = []
    for layer_index in range(generator.choice((1, 1, 1, 2))):
        turn = generator.choice((DAY_SECONDS, 7 * DAY_SECONDS, 7 * DAY_SECONDS, 12 * 3600))
        restrictions: tuple[Restriction, ...] = ()
        if layer_index or generator.random() < 0.15:
            restrictions = (Restriction("daily_restriction", time(9, 0), 8 * 3600),)
        members = generator.sample(users, min(len(users), generator.randint(2, 8)))
        start = epoch + timedelta(days=generator.randrange(60), hours=9)
        layers.append(ScheduleLayer(
            ids("Y"), f"Layer {layer_index + 1}", start, start, turn,
            tuple(member.id for member in members), restrictions))
    return Schedule(ids("C"), f"{AREAS[index % len(AREAS)]} on-call {index + 1}",
                    generator.choice(ZONES), tuple(layers), "Generated schedule.", (), team_ids)


class _IncidentMaker:
    """Makes incident ``index`` from ``(seed, index)`` alone, so none need to be stored."""

    def __init__(
        self,
        seed: int,
        count: int,
        now: datetime,
        services: tuple[Service, ...],
        policies: list[EscalationPolicy],
        schedules: tuple[Schedule, ...],
        users: tuple[User, ...],
        priorities: tuple[Priority, ...],
    ) -> None:
        self.seed = seed
        self.count = count
        self.first = now - INCIDENT_SPAN - LONGEST_INCIDENT
        self.step = INCIDENT_SPAN / max(count, 1)
        self.services = services
        self.policies = {policy.id: policy for policy in policies}
        self.schedules = {schedule.id: schedule for schedule in schedules}
        self.users = users
        self.priorities = priorities

    def timeline(self) -> IncidentTimeline:
        return IncidentTimeline(self.count, self.make, LONGEST_INCIDENT)

    def _responder(self, generator: random.Random, target: Target) -> str:
        if target.kind == "user":
            return target.id
        layers = self.schedules[target.id].layers
        return generator.choice(generator.choice(layers).user_ids)

    def make(self, index: int) -> Incident:
        generator = random.Random(self.seed * 1_000_003 + index)
        # Strictly ordered by index: each incident lies in its own slice of the year.
        created_at = (self.first + self.step * index
                      + self.step * generator.random() * 0.99).replace(microsecond=0)
        service = self.services[generator.randrange(len(self.services))]
        policy = self.policies[service.escalation_policy_id]
        responders = [self._responder(generator, rule.targets[0]) for rule in policy.rules]
        priority = (generator.choice(self.priorities[:4])
                    if generator.random() < 0.9 and self.priorities else None)
        urgency: Urgency = "low" if service.urgency_rule.urgency == "low" else "high"
        ack_after = timedelta(seconds=int(generator.expovariate(1 / 600)))
        escalations = []
        elapsed = timedelta(0)
        for level, rule in enumerate(policy.rules[:-1]):
            elapsed += timedelta(minutes=rule.escalation_delay_in_minutes)
            if ack_after < elapsed:
                break
            escalations.append((created_at + elapsed, responders[level + 1]))
        acknowledger = escalations[-1][1] if escalations else responders[0]
        resolved_at = created_at + min(
            ack_after + timedelta(seconds=int(generator.expovariate(1 / 5400))),
            LONGEST_INCIDENT)
        acknowledged_at = created_at + ack_after if created_at + ack_after < resolved_at else None
        notes: tuple[Note, ...] = ()
        if priority is not None and priority.order >= 4 and generator.random() < 0.8:
            notes = (Note(object_id("W", index), resolved_at + timedelta(hours=6), acknowledger,
                          "Postmortem: https://wiki.bigcorp.example/postmortems/"
                          + incident_id(index)),)
        return Incident(
            index=index, title=f"{service.name}: alert {index + 1}", service_id=service.id,
            escalation_policy_id=policy.id, urgency=urgency, created_at=created_at,
            assigned_user_id=responders[0],
            priority_id=None if priority is None else priority.id,
            acknowledged_at=acknowledged_at,
            acknowledged_by=acknowledger if acknowledged_at else None,
            resolved_at=resolved_at,
            resolved_by=None if generator.random() < 0.1 else acknowledger,
            escalations=tuple(escalations), notes=notes)


def _audit_records(
    generator: random.Random,
    ids: IdSequence,
    now: datetime,
    count: int,
    users: tuple[User, ...],
    policies: list[EscalationPolicy],
    schedules: tuple[Schedule, ...],
    services: list[Service],
) -> tuple[AuditRecord, ...]:
    """``count`` configuration changes spread over the last year, newest first."""
    kinds: list[tuple[str, Sequence[Service | EscalationPolicy | Schedule | User]]] = [
        (kind, objects) for kind, objects in (
        ("services", services), ("escalation_policies", policies), ("schedules", schedules),
        ("users", users)) if objects]
    if not kinds or not users:
        return ()
    records = []
    for position in range(count):
        kind, objects = generator.choice(kinds)
        target = generator.choice(objects)
        when = now - timedelta(seconds=int((position + generator.random()) * 365 * DAY_SECONDS
                                           / max(count, 1)))
        records.append(AuditRecord(
            ids("A"), when, "update", generator.choice(users).id, kind,  # type: ignore[arg-type]
            target.id, target.name,
            (AuditChange("description", "Old description.", "New description."),)))
    return tuple(records)
