"""The demo account: Acme Cloud's PagerDuty, configured as ``policy/*.yaml`` documents it,
except for eleven deliberate drifts, each present exactly once:

1. Escalation policy "Production - Platform": rule 3 waits 20 minutes (documented 10), so the
   fourth level is engaged after 40 minutes instead of 30.
2. Schedule "Platform - Primary" rotates through 5 people (documented minimum 6).
3. Schedule "Platform - Secondary" is restricted so that Saturdays 00:00-08:00 (New York) are
   not covered.
4. Service "Payments API" has a constant low urgency (documented high).
5. Service "Identity Service" has no acknowledgement timeout (documented 30 minutes).
6. Service "Legacy Billing" is active on "Production - Platform" but documented nowhere.
7. A member of "Security - On-call" (Pavel Novak) is notified of high-urgency incidents by push
   notification only, with no phone or SMS rule.
8. Service "Web Application Firewall" is in a maintenance window from an hour before ``now``
   to five hours after: six hours, where its tier allows four.
9. Incident workflow "Major incident response", started on every P1, adds the on-call manager
   and a conference bridge but posts no status update (documented for P1).
10. Service "Checkout API"'s event orchestration suppresses every alert whose summary mentions
    a health check (rule "Silence health checks" of set "start").
11. Service "Security Monitoring" is documented to receive GitHub security alerts, but only
    Amazon GuardDuty reaches it.

Every service's alerts come from a monitoring tool (an integration with its vendor); the global
orchestration "Acme Events" routes GuardDuty findings to "Security Monitoring" and WAF events
to "Web Application Firewall", as the policy documents.

And one case where every object matches the policy and the paging path still fails (PATH600):
"Status Page" takes high-urgency incidents during its support hours, Monday to Saturday
09:00-17:00 New York, as documented; level 1 of its escalation policy is "Platform - Daytime",
documented and configured to cover business hours (Monday to Friday); so on Saturdays nobody is
on call at level 1, and a P1 is first phoned at minute 10, by level 2, later than its 5 minutes.

Schedule "Platform - Secondary" and the support hours of "Internal Admin" name their time zone
the Rails way, "Eastern Time (US & Canada)", as PagerDuty may: the policy's America/New_York by
another name, not a drift.

Its history (about 40 incidents over six months, notes with postmortem links, about 20 audit
records) is laid out backwards from the account's ``now``, which may be pinned for tests; the
same ``now`` always gives the same account.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from pdlint.sim.account import (
    Account,
    AlertGroupingSetting,
    AuditAction,
    AuditChange,
    AuditRecord,
    ContactMethod,
    EscalationPolicy,
    EscalationRule,
    EventOrchestration,
    IdSequence,
    Incident,
    IncidentTimeline,
    IncidentWorkflow,
    Integration,
    MaintenanceWindow,
    Note,
    NotificationRule,
    OrchestrationActions,
    OrchestrationRule,
    Override,
    Priority,
    ResponderRequest,
    Restriction,
    RuleSet,
    Schedule,
    ScheduleLayer,
    Service,
    ServiceOrchestration,
    SupportHours,
    Target,
    Team,
    Urgency,
    UrgencyRule,
    User,
    Vendor,
    WorkflowStep,
    WorkflowTrigger,
    incident_id,
)
from pdlint.sim.render import render_schedule

NEW_YORK = ZoneInfo("America/New_York")
EASTERN_TIME = "Eastern Time (US & Canada)"
"""America/New_York as Rails names it (``account.RAILS_ZONES``)."""
WEEK_SECONDS = 7 * 24 * 3600
# Weekly hand-offs on Mondays at 09:00 New York time, counted from this Monday.
ROTATION_EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=NEW_YORK)
POSTMORTEM_URL = "https://wiki.acme.example/postmortems/{incident_id}"

# (name, email local part, role, job title, teams)
PEOPLE: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Alice Nguyen", "alice.nguyen", "user", "Site Reliability Engineer", ("Platform",)),
    ("Ben Okafor", "ben.okafor", "user", "Site Reliability Engineer", ("Platform",)),
    ("Carla Diaz", "carla.diaz", "user", "Software Engineer", ("Platform",)),
    ("Dev Patel", "dev.patel", "user", "Software Engineer", ("Platform",)),
    ("Erin Walsh", "erin.walsh", "user", "Software Engineer", ("Platform",)),
    ("Frank Muller", "frank.muller", "user", "Senior Engineer", ("Platform",)),
    ("Grace Kim", "grace.kim", "user", "Tech Lead", ("Platform",)),
    ("Hiro Tanaka", "hiro.tanaka", "user", "Senior Engineer", ("Platform",)),
    ("Isabel Rossi", "isabel.rossi", "user", "Tech Lead", ("Platform",)),
    ("Jamal Brooks", "jamal.brooks", "user", "Engineering Manager", ("Platform",)),
    ("Karen Li", "karen.li", "user", "Engineering Manager", ("Platform",)),
    ("Luis Moreno", "luis.moreno", "user", "Engineering Manager", ("Platform",)),
    ("Maya Cohen", "maya.cohen", "user", "Security Engineer", ("Security",)),
    ("Nikhil Rao", "nikhil.rao", "user", "Security Engineer", ("Security",)),
    ("Olivia Smith", "olivia.smith", "user", "Security Engineer", ("Security",)),
    ("Pavel Novak", "pavel.novak", "user", "Security Engineer", ("Security",)),
    ("Quinn Harper", "security-lead", "admin", "Security Lead", ("Security",)),
    ("Rosa Alvarez", "ciso", "admin", "Chief Information Security Officer", ("Security",)),
    ("Sam Whitaker", "cto", "owner", "Chief Technology Officer", ("Platform", "Security")),
    ("Tara Quinn", "vp-engineering", "admin", "VP Engineering", ("Platform",)),
    ("Uma Fischer", "platform-lead", "admin", "Platform Lead", ("Platform",)),
    ("Vera Lindqvist", "vera.lindqvist", "user", "Data Engineer", ("Data",)),
)
PUSH_ONLY_RESPONDER = "pavel.novak"
MAJOR_INCIDENT_WORKFLOW = "Major incident response"
"""Runs on every P1, on every service: adds the on-call manager and a conference bridge, but
posts no status update."""
MAINTAINED_SERVICE = "Web Application Firewall"
"""In a maintenance window from an hour before the account's ``now`` to five hours after."""

# (schedule name, description, rotation members, weekly restriction leaving a gap)
SCHEDULES: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("Platform - Primary", "First responder for every Platform production service.",
     ("alice.nguyen", "ben.okafor", "carla.diaz", "dev.patel", "erin.walsh"), False),
    ("Platform - Secondary", "Senior engineers and tech leads, second line.",
     ("frank.muller", "grace.kim", "hiro.tanaka", "isabel.rossi"), True),
    ("Engineering Managers", "Engineering managers, third line.",
     ("jamal.brooks", "karen.li", "luis.moreno"), False),
    ("Security - On-call", "First responder for security alerts.",
     ("maya.cohen", "nikhil.rao", "olivia.smith", "pavel.novak"), False),
    ("Data - Pipelines", "The Data team's analytics pipelines, outside the SOC 2 system.",
     ("vera.lindqvist",), False),
)

PRIORITIES = (
    ("P1", "Critical: customer-facing outage or data loss affecting many customers."),
    ("P2", "High: major feature degraded, or an outage affecting a few customers."),
    ("P3", "Medium: minor degradation with a workaround."),
    ("P4", "Low: cosmetic issue or internal tooling problem."),
    ("P5", "Informational."),
)

VENDORS = ("Datadog", "Amazon GuardDuty", "Amazon CloudWatch")
"""The monitoring tools of the demo account's integrations."""


def _checkout_orchestration(priorities: Sequence[Priority]) -> ServiceOrchestration:
    """Critical checkout alerts are P1; health-check alerts are suppressed (drift 8)."""
    p1 = next(priority for priority in priorities if priority.name == "P1")
    return ServiceOrchestration((RuleSet("start", (
        OrchestrationRule("5e1c7a01", "Critical checkout alerts are P1",
                          ("event.severity matches 'critical'",),
                          OrchestrationActions(priority_id=p1.id)),
        OrchestrationRule("5e1c7a02", "Silence health checks",
                          ("event.summary matches part 'healthcheck'",),
                          OrchestrationActions(suppress=True)))),))


def _identity_orchestration(priorities: Sequence[Priority]) -> ServiceOrchestration:
    """Login failures are critical: no drift."""
    return ServiceOrchestration((RuleSet("start", (
        OrchestrationRule("6f2d8b01", "Login failures are critical",
                          ("event.summary matches part 'login'",),
                          OrchestrationActions(severity="critical")),)),))


ORCHESTRATIONS = {"Checkout API": _checkout_orchestration,
                  "Identity Service": _identity_orchestration}
"""The services with event orchestration rules; the others have none."""

INCIDENT_TITLES = {
    "Checkout API": ("Checkout error rate above 5%", "Checkout p99 latency above 2 s",
                     "Cart service timeouts"),
    "Payments API": ("Card authorisations failing", "Payment provider webhook backlog",
                     "Refund job stuck"),
    "Identity Service": ("Login failures above threshold", "Token signing key rotation failed",
                         "SSO callback errors"),
    "Internal Admin": ("Admin console slow", "Report export failing"),
    "Security Monitoring": ("Impossible-travel login detected", "Privileged role granted",
                            "Malware signature on build host"),
    "Web Application Firewall": ("WAF blocking legitimate traffic", "SQL injection attempts spike"),
    "Legacy Billing": ("Nightly invoice run failed",),
}

INCIDENT_COUNT = 40
HISTORY_DAYS = 180


def demo_account(now: datetime | None = None) -> Account:
    """Acme Cloud's account as of ``now`` (default: the current minute)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(
        second=0, microsecond=0)
    ids = IdSequence()
    created = now - timedelta(days=400)

    teams = {name: Team(ids("T"), name, f"The {name} team of Acme Cloud.")
             for name in ("Platform", "Security", "Data")}
    users = {local: _user(ids, name, local, role, title, [teams[team].id for team in team_names])
             for name, local, role, title, team_names in PEOPLE}

    schedules = {}
    for name, description, members, leaves_saturday_gap in SCHEDULES:
        team = teams[name.split(" - ")[0] if name.startswith(("Security", "Data"))
                     else "Platform"]
        restrictions = (
            (Restriction("weekly_restriction", time(8, 0), WEEK_SECONDS - 8 * 3600, 6),)
            if leaves_saturday_gap else ())
        layer = ScheduleLayer(
            id=ids("Y"), name="Layer 1", start=ROTATION_EPOCH,
            rotation_virtual_start=ROTATION_EPOCH, rotation_turn_length_seconds=WEEK_SECONDS,
            user_ids=tuple(users[member].id for member in members), restrictions=restrictions)
        overrides: tuple[Override, ...] = ()
        if name == "Platform - Primary":
            # A swap next week between two members of the rotation: realistic, and no drift.
            start = (now + timedelta(days=2)).astimezone(NEW_YORK).replace(
                hour=9, minute=0).astimezone(timezone.utc)
            overrides = (Override(ids("O"), start, start + timedelta(hours=12),
                                  users["ben.okafor"].id),)
        zone_name = EASTERN_TIME if name == "Platform - Secondary" else "America/New_York"
        schedules[name] = Schedule(ids("C"), name, zone_name, (layer,), description,
                                   overrides, (team.id,))

    def rule(delay: int, *targets: Target) -> EscalationRule:
        return EscalationRule(ids("R"), delay, targets)

    def on_schedule(name: str) -> Target:
        return Target("schedule", schedules[name].id)

    def person(local: str) -> Target:
        return Target("user", users[local].id)

    platform_policy = EscalationPolicy(
        ids("E"), "Production - Platform",
        (rule(10, on_schedule("Platform - Primary")),
         rule(10, on_schedule("Platform - Secondary")),
         rule(20, on_schedule("Engineering Managers")),  # drift 1: documented 10
         rule(10, person("cto"), person("vp-engineering"))),
        "Every production service of the Platform team.", 1, "always",
        (teams["Platform"].id,))
    security_policy = EscalationPolicy(
        ids("E"), "Security - Incident Response",
        (rule(15, on_schedule("Security - On-call")),
         rule(15, person("security-lead"), person("ciso")),
         rule(15, person("cto"), person("vp-engineering"))),
        "Security alerts and suspected breaches.", 2, "always", (teams["Security"].id,))
    # The Data team is outside the example policy's scope: counted, never checked.
    data_policy = EscalationPolicy(
        ids("E"), "Data - Best Effort", (rule(30, on_schedule("Data - Pipelines")),),
        "Analytics pipelines, answered in working hours.", 0, "if_has_services",
        (teams["Data"].id,))

    high = UrgencyRule("constant", "high")

    vendors = {name: Vendor(ids("V"), name) for name in VENDORS}

    def service(name: str, policy: EscalationPolicy, team: str, **settings: object) -> Service:
        service_id = ids("S")
        vendor = vendors[settings.pop("vendor", "Datadog")]  # type: ignore[index]
        integrations = () if settings.pop("no_integration", False) else (
            Integration(ids("G"), vendor.name, "events_api_v2_inbound_integration", created,
                        vendor),)
        return Service(id=service_id, name=name, escalation_policy_id=policy.id,
                       urgency_rule=settings.pop("urgency_rule", high),  # type: ignore[arg-type]
                       created_at=created, description=f"{name} in production.",
                       team_ids=(teams[team].id,), integrations=integrations,
                       **settings)  # type: ignore[arg-type]

    services: tuple[Service, ...] = (
        service("Checkout API", platform_policy, "Platform"),
        service("Payments API", platform_policy, "Platform",
                urgency_rule=UrgencyRule("constant", "low")),  # drift 4
        service("Identity Service", platform_policy, "Platform",
                acknowledgement_timeout=None),  # drift 5
        service("Internal Admin", platform_policy, "Platform",
                urgency_rule=UrgencyRule("use_support_hours", None, "high", "low"),
                support_hours=SupportHours(EASTERN_TIME, (1, 2, 3, 4, 5),
                                           "09:00:00", "17:00:00"),
                acknowledgement_timeout=None, auto_resolve_timeout=86400, no_integration=True),
        service("Security Monitoring", security_policy, "Security",
                vendor="Amazon GuardDuty"),  # drift 9: no GitHub integration
        service("Web Application Firewall", security_policy, "Security",
                vendor="Amazon CloudWatch"),
        service("Legacy Billing", platform_policy, "Platform"),  # drift 6
        service("Analytics Pipeline", data_policy, "Data",
                urgency_rule=UrgencyRule("constant", "low"), acknowledgement_timeout=None),
    )
    daytime, status_policy, status_page = _status_page(ids, users, teams, schedules, created)
    schedules[daytime.name] = daytime
    services += (status_page,)
    priorities = tuple(Priority(ids("P"), name, description, len(PRIORITIES) - position)
                       for position, (name, description) in enumerate(PRIORITIES))
    by_name = {service.name: service for service in services}
    services = tuple(replace(service, orchestration=ORCHESTRATIONS[service.name](priorities))
                     if service.name in ORCHESTRATIONS else service for service in services)
    acme_events = EventOrchestration(
        ids("Z"), "Acme Events", created, "Routes the shared monitoring events to the service "
        "that answers them.", teams["Security"].id, (
            OrchestrationRule("a1f3c0de", "GuardDuty findings",
                              ("event.source matches part 'guardduty'",),
                              OrchestrationActions(route_to=by_name["Security Monitoring"].id)),
            OrchestrationRule("b2e4d1ef", "WAF events", ("event.source matches part 'waf'",),
                              OrchestrationActions(
                                  route_to=by_name["Web Application Firewall"].id))))

    security_grouping = AlertGroupingSetting(
        ids("K"), "Security alerts by source", "content_based",
        (by_name["Security Monitoring"].id, by_name["Web Application Firewall"].id), created,
        "One incident per source and component of the security tools' alerts.")

    firewall = next(service for service in services if service.name == MAINTAINED_SERVICE)
    rule_update = MaintenanceWindow(  # drift 8
        ids("W"), 1, now - timedelta(hours=1), now + timedelta(hours=5), (firewall.id,),
        users["security-lead"].id, "Firewall rule set upgrade")

    major_incident = IncidentWorkflow(  # drift 9: no status update step
        ids("F"), MAJOR_INCIDENT_WORKFLOW, (
            WorkflowStep(ids("Q"), "Add the on-call engineering manager",
                         "pagerduty.com:incident-workflows:add-responders:2",
                         "Adds responders to the incident"),
            WorkflowStep(ids("Q"), "Open the incident bridge",
                         "pagerduty.com:incident-workflows:add-conference-bridge:5",
                         "Adds a conference bridge to the incident")),
        created, "Brings in the manager and opens a bridge on every P1.",
        teams["Platform"].id)
    on_p1 = WorkflowTrigger("4ad696eb-0000-4000-8000-000000000001", major_incident.id,
                            "conditional", "incident.priority matches 'P1'", all_services=True)

    account = Account(
        name="Acme Cloud", subdomain="acme", time_zone="America/New_York", now=now,
        teams=tuple(teams.values()), users=tuple(users.values()),
        escalation_policies=(platform_policy, security_policy, data_policy, status_policy),
        schedules=tuple(schedules.values()), services=services, priorities=priorities,
        maintenance_windows=(rule_update,),
        incident_workflows=(major_incident,), workflow_triggers=(on_p1,),
        event_orchestrations=(acme_events,), alert_grouping_settings=(security_grouping,),
    )
    incidents = _incidents(account, ids)
    audit = _audit_records(account, ids, users["cto"].id, users["platform-lead"].id)
    account = replace(account, incidents=IncidentTimeline.of(incidents), audit_records=audit)
    account.check_references()
    return account


DAYTIME_LEADS = ("grace.kim", "hiro.tanaka", "isabel.rossi")


def _status_page(ids: IdSequence, users: dict[str, User], teams: dict[str, Team],
                 schedules: dict[str, Schedule], created: datetime,
                 ) -> tuple[Schedule, EscalationPolicy, Service]:
    """The paging-path case: a business-hours first level for a service whose support hours
    include Saturdays. Its ids come after every other object's, so that theirs stay as they
    were."""
    weekdays = tuple(Restriction("weekly_restriction", time(9, 0), 8 * 3600, day)
                     for day in range(1, 6))
    daytime = Schedule(
        ids("C"), "Platform - Daytime", "America/New_York",
        (ScheduleLayer(ids("Y"), "Layer 1", ROTATION_EPOCH, ROTATION_EPOCH, WEEK_SECONDS,
                       tuple(users[member].id for member in DAYTIME_LEADS), weekdays),),
        "Tech leads on call in business hours, for the internal tools.", (),
        (teams["Platform"].id,))
    policy = EscalationPolicy(
        ids("E"), "Status Page",
        (EscalationRule(ids("R"), 10, (Target("schedule", daytime.id),)),
         EscalationRule(ids("R"), 10, (Target("schedule",
                                              schedules["Engineering Managers"].id),))),
        "The status page: the daytime tech lead, then the engineering manager.", 1,
        "if_has_services", (teams["Platform"].id,))
    service = Service(
        id=ids("S"), name="Status Page", escalation_policy_id=policy.id,
        urgency_rule=UrgencyRule("use_support_hours", None, "high", "low"), created_at=created,
        description="Status Page in production.", team_ids=(teams["Platform"].id,),
        acknowledgement_timeout=None, auto_resolve_timeout=86400,
        support_hours=SupportHours("America/New_York", (1, 2, 3, 4, 5, 6), "09:00:00",
                                   "17:00:00"),
        integrations=(Integration(ids("G"), "Events API V2", "events_api_v2_inbound_integration",
                                  created),))
    return daytime, policy, service


def _user(
    ids: IdSequence, name: str, local: str, role: str, title: str, team_ids: Sequence[str]
) -> User:
    email = f"{local}@acme.example"
    number = f"555{sum(map(ord, local)) % 10_000_000:07d}"
    methods = (
        ContactMethod(ids("M"), "email", "Work", email),
        ContactMethod(ids("M"), "phone", "Mobile", number),
        ContactMethod(ids("M"), "sms", "Mobile", number),
        ContactMethod(ids("M"), "push_notification", "iPhone", f"push-{local}"),
    )
    _, phone, sms, push = methods
    rules: tuple[NotificationRule, ...]
    if local == PUSH_ONLY_RESPONDER:  # drift 7
        rules = (NotificationRule(ids("N"), "high", 0, push.id),
                 NotificationRule(ids("N"), "low", 0, push.id))
    else:
        rules = (NotificationRule(ids("N"), "high", 0, phone.id),
                 NotificationRule(ids("N"), "high", 0, sms.id),
                 NotificationRule(ids("N"), "low", 0, push.id))
    return User(ids("U"), name, email, role, "America/New_York", title, tuple(team_ids),
                methods, rules)


# Acknowledgement delays in minutes by priority: mostly within the SLAs of
# policy/organisation.yaml (P1 5 min, P2 15 min, P3 1 h), a few beyond them.
_ACK_MINUTES = {"P1": (2, 4, 3, 9), "P2": (6, 11, 14, 25), "P3": (20, 45, 50, 95),
                "P4": (120, 300, 600)}


def _incidents(account: Account, ids: IdSequence) -> list[Incident]:
    """About 40 incidents over the last six months, consistent with who was on call."""
    generator = random.Random(20260101)
    services = {service.name: service for service in account.services}
    weighted = ["Checkout API"] * 8 + ["Payments API"] * 7 + ["Identity Service"] * 6 + [
        "Internal Admin"] * 5 + ["Security Monitoring"] * 6 + ["Web Application Firewall"] * 5 + [
        "Legacy Billing"] * 3
    priorities = {priority.name: priority for priority in account.priorities}
    start = account.now - timedelta(days=HISTORY_DAYS)
    moments = sorted(start + timedelta(minutes=generator.randrange((HISTORY_DAYS - 3) * 24 * 60))
                     for _ in range(INCIDENT_COUNT))
    incidents = []
    missing_postmortem_done = False
    cto = next(user.id for user in account.users if user.email == "cto@acme.example")
    for index, created_at in enumerate(moments):
        service = services[generator.choice(weighted)]
        priority_name = generator.choice(("P1", "P2", "P2", "P3", "P3", "P3", "P4", "P4"))
        if index in (3, 17, 29):  # a few P1s for certain
            priority_name = "P1"
        policy = account.escalation_policies_by_id[service.escalation_policy_id]
        responders = _responders(account, policy, created_at)
        ack_choices = _ACK_MINUTES[priority_name]
        ack_minutes = ack_choices[index % len(ack_choices)]
        acknowledged_at = created_at + timedelta(minutes=ack_minutes, seconds=index * 7 % 50)
        escalations: list[tuple[datetime, str]] = []
        elapsed = 0
        for level, rule in enumerate(policy.rules[:-1]):
            elapsed += rule.escalation_delay_in_minutes
            if ack_minutes < elapsed or level + 1 >= len(responders):
                break
            escalations.append((created_at + timedelta(minutes=elapsed), responders[level + 1]))
        acknowledger = escalations[-1][1] if escalations else responders[0]
        resolved_at = acknowledged_at + timedelta(minutes=15 + generator.randrange(240))
        notes: tuple[Note, ...] = ()
        if priority_name in ("P1", "P2"):
            if priority_name == "P1" and not missing_postmortem_done and index >= 17:
                missing_postmortem_done = True  # one P1 whose postmortem was never linked
            else:
                link = POSTMORTEM_URL.format(incident_id=incident_id(index))
                notes = (Note(ids("W"), resolved_at + timedelta(hours=20), acknowledger,
                              f"Postmortem: {link}"),)
        elif index % 4 == 0:
            notes = (Note(ids("W"), acknowledged_at + timedelta(minutes=3), acknowledger,
                          "Investigating; customer impact appears limited."),)
        requests: tuple[ResponderRequest, ...] = ()
        subscribers: tuple[str, ...] = ()
        if priority_name == "P1":  # the CTO is told at once, and a second responder is asked
            subscribers = (cto,)
            requests = (ResponderRequest(
                f"PR{index:05d}", acknowledged_at + timedelta(minutes=2), acknowledger,
                (responders[-1],), "Joining as incident commander, please."),)
        titles = INCIDENT_TITLES[service.name]
        incidents.append(Incident(
            index=index, title=titles[index % len(titles)], service_id=service.id,
            escalation_policy_id=policy.id,
            urgency=_urgency(service, created_at),
            created_at=created_at, assigned_user_id=responders[0],
            priority_id=priorities[priority_name].id,
            acknowledged_at=acknowledged_at, acknowledged_by=acknowledger,
            resolved_at=resolved_at, resolved_by=acknowledger,
            escalations=tuple(escalations), notes=notes, responder_requests=requests,
            subscriber_user_ids=subscribers,
        ))
    return incidents


def _responders(account: Account, policy: EscalationPolicy, moment: datetime) -> list[str]:
    """The first user of each escalation level at ``moment`` (a level with nobody is skipped)."""
    responders = []
    for rule in policy.rules:
        target = rule.targets[0]
        if target.kind == "user":
            responders.append(target.id)
            continue
        final = render_schedule(account.schedules_by_id[target.id], moment,
                                moment + timedelta(seconds=1)).final
        if final:
            responders.append(final[0].user_id)
    return responders


def _urgency(service: Service, moment: datetime) -> Urgency:
    rule = service.urgency_rule
    if rule.type == "constant":
        return "low" if rule.urgency == "low" else "high"
    hours = service.support_hours
    assert hours is not None
    local = moment.astimezone(hours.zone)
    during = (local.isoweekday() in hours.days_of_week
              and hours.start_time <= local.strftime("%H:%M:%S") < hours.end_time)
    return (rule.during_support_hours if during else rule.outside_support_hours) or "high"


def _audit_records(
    account: Account, ids: IdSequence, owner_id: str, lead_id: str
) -> tuple[AuditRecord, ...]:
    """About 20 configuration changes of the last six months, newest first.

    They include the changes that introduced the demo's drifts, as an auditor would find them.
    """
    by_name = {
        **{policy.name: ("escalation_policies", policy.id)
           for policy in account.escalation_policies},
        **{schedule.name: ("schedules", schedule.id) for schedule in account.schedules},
        **{service.name: ("services", service.id) for service in account.services},
        **{user.name: ("users", user.id) for user in account.users},
        **{team.name: ("teams", team.id) for team in account.teams},
    }
    # (days ago, actor, action, object, changes)
    changes: tuple[tuple[float, str, AuditAction, str, tuple[AuditChange, ...]], ...] = (
        (0.125, lead_id, "update", "Checkout API",
         (AuditChange("description", "Checkout API.", "Checkout API in production."),)),
        (3, lead_id, "update", "Production - Platform",
         (AuditChange("escalation_rules[2].escalation_delay_in_minutes", "10", "20"),)),
        (9, owner_id, "update", "Payments API",
         (AuditChange("incident_urgency_rule", "always_high", "always_low"),)),
        (14, lead_id, "update", "Identity Service",
         (AuditChange("acknowledgement_timeout", "1800", None),)),
        (21, lead_id, "create", "Legacy Billing",
         (AuditChange("name", None, "Legacy Billing"),)),
        (27, lead_id, "update", "Platform - Primary",
         (AuditChange("schedule_layers[0].users", "6 users", "5 users"),)),
        (33, owner_id, "update", "Platform - Secondary",
         (AuditChange("schedule_layers[0].restrictions", "[]",
                      "weekly from Saturday 08:00 for 160 hours"),)),
        (41, owner_id, "update", "Pavel Novak",
         (AuditChange("notification_rules", "phone, sms, push", "push"),)),
        (48, owner_id, "update", "Security - Incident Response",
         (AuditChange("num_loops", "1", "2"),)),
        (55, lead_id, "update", "Engineering Managers",
         (AuditChange("schedule_layers[0].users", "2 users", "3 users"),)),
        (63, owner_id, "update", "Platform",
         (AuditChange("description", "Platform.", "The Platform team of Acme Cloud."),)),
        (70, lead_id, "update", "Internal Admin",
         (AuditChange("auto_resolve_timeout", "14400", "86400"),)),
        (84, owner_id, "update", "Security Monitoring",
         (AuditChange("auto_resolve_timeout", "0", "14400"),)),
        (95, lead_id, "update", "Web Application Firewall",
         (AuditChange("description", "", "Web Application Firewall in production."),)),
        (102, owner_id, "update", "Security - On-call",
         (AuditChange("schedule_layers[0].rotation_turn_length_seconds", "86400", "604800"),)),
        (117, lead_id, "update", "Checkout API",
         (AuditChange("acknowledgement_timeout", "3600", "1800"),)),
        (130, owner_id, "update", "Production - Platform",
         (AuditChange("on_call_handoff_notifications", "if_has_services", "always"),)),
        (144, owner_id, "update", "Alice Nguyen",
         (AuditChange("role", "limited_user", "user"),)),
        (158, lead_id, "create", "Platform - Secondary",
         (AuditChange("name", None, "Platform - Secondary"),)),
        (171, owner_id, "update", "Security",
         (AuditChange("description", "", "The Security team of Acme Cloud."),)),
    )
    return tuple(
        AuditRecord(ids("A"), account.now - timedelta(days=days_ago), action, actor,
                    *by_name[name], name, fields)  # type: ignore[arg-type]
        for days_ago, actor, action, name, fields in changes
    )
