"""The JSON shapes of PagerDuty's REST API, made from the account's objects.

Field names, enums and nesting follow the official OpenAPI schemas (``components/schemas``);
where the API answers differently from the spec's letter (``null`` timeouts, expanded
``include[]`` objects) the API's behaviour is followed, as ``docs/pagerduty-api-notes.md`` lists.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pdlint.sim.account import (
    Account,
    AlertGroupingSetting,
    AuditRecord,
    ContactMethod,
    EscalationPolicy,
    EventOrchestration,
    Incident,
    IncidentWorkflow,
    Integration,
    LogEvent,
    MaintenanceWindow,
    Note,
    NotificationRule,
    OrchestrationActions,
    OrchestrationRule,
    Priority,
    ResponderRequest,
    Schedule,
    ScheduleLayer,
    Service,
    ShiftEvent,
    Team,
    User,
    V3Schedule,
    WorkflowTrigger,
    trigger_log_entry_id,
    zone_of,
)
from pdlint.sim.render import (
    Assignment,
    Entry,
    RenderedSchedule,
    coverage_percentage,
    shift_coverage,
)

Json = dict[str, Any]

_HTML_PATHS = {
    "user": "users",
    "team": "teams",
    "escalation_policy": "escalation_policies",
    "schedule": "schedules",
    "service": "service-directory",
    "incident": "incidents",
    "maintenance_window": "service-directory/maintenance-windows",
}
_API_PATHS = {
    "user": "users",
    "team": "teams",
    "escalation_policy": "escalation_policies",
    "schedule": "schedules",
    "service": "services",
    "incident": "incidents",
    "priority": "priorities",
    "maintenance_window": "maintenance_windows",
}


_GROUPING_CONFIGS: dict[str, Json] = {
    "content_based": {"time_window": 86400, "aggregate": "all",
                      "fields": ["summary", "component"]},
    "content_based_intelligent": {"time_window": 900, "aggregate": "any",
                                  "fields": ["summary", "source"]},
    "intelligent": {"time_window": 900, "iag_fields": ["summary"]},
    "time": {"timeout": 600},
}
"""The configuration a setting of each kind is served with."""


def _local(moment: datetime, zone: ZoneInfo) -> str:
    """A local time in ``zone``, to the second, without an offset (as analytics write times)."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


def iso(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """PagerDuty's timestamp: seconds, ``Z`` in UTC, the zone's offset otherwise."""
    local = moment.astimezone(zone or timezone.utc)
    text = local.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if local.utcoffset() == timedelta(0) else text


class Payloads:
    """Makes API objects for one account, with ``self`` links pointing at the serving URL."""

    def __init__(self, account: Account, api_url: str) -> None:
        self.account = account
        self.api_url = api_url.rstrip("/")
        self.html_url = f"https://{account.subdomain}.pagerduty.com"

    # -- references -----------------------------------------------------------------------

    def _links(self, kind: str, object_id: str) -> Json:
        return {
            "self": f"{self.api_url}/{_API_PATHS[kind]}/{object_id}",
            "html_url": f"{self.html_url}/{_HTML_PATHS[kind]}/{object_id}",
        }

    def reference(self, kind: str, object_id: str, summary: str) -> Json:
        return {"id": object_id, "type": f"{kind}_reference", "summary": summary,
                **self._links(kind, object_id)}

    def user_ref(self, user_id: str) -> Json:
        return self.reference("user", user_id, self.account.users_by_id[user_id].name)

    def team_ref(self, team_id: str) -> Json:
        return self.reference("team", team_id, self.account.teams_by_id[team_id].name)

    def schedule_ref(self, schedule_id: str) -> Json:
        return self.reference("schedule", schedule_id,
                              self.account.schedules_by_id[schedule_id].name)

    def policy_ref(self, policy_id: str) -> Json:
        return self.reference("escalation_policy", policy_id,
                              self.account.escalation_policies_by_id[policy_id].name)

    def service_ref(self, service_id: str) -> Json:
        return self.reference("service", service_id, self.account.services_by_id[service_id].name)

    def incident_ref(self, incident: Incident) -> Json:
        return self.reference("incident", incident.id, _incident_summary(incident))

    def contact_method_ref(self, method: ContactMethod) -> Json:
        return {"id": method.id, "type": f"{method.kind}_contact_method_reference",
                "summary": method.label, "self": None, "html_url": None}

    def notification_rule_ref(self, rule: NotificationRule) -> Json:
        return {"id": rule.id, "type": "assignment_notification_rule_reference",
                "summary": _rule_summary(rule),
                "self": None, "html_url": None}

    # -- objects ----------------------------------------------------------------------------

    def team(self, team: Team) -> Json:
        return {"id": team.id, "type": "team", "summary": team.name, **self._links("team", team.id),
                "name": team.name, "description": team.description, "default_role": "manager"}

    def user(self, user: User, include: Collection[str] = ()) -> Json:
        contact_methods = [
            self.contact_method(method) if "contact_methods" in include
            else self.contact_method_ref(method)
            for method in user.contact_methods
        ]
        rules = [
            self.notification_rule(user, rule) if "notification_rules" in include
            else self.notification_rule_ref(rule)
            for rule in user.notification_rules
        ]
        teams = [
            self.team(self.account.teams_by_id[team_id]) if "teams" in include
            else self.team_ref(team_id)
            for team_id in user.team_ids
        ]
        return {
            "id": user.id, "type": "user", "summary": user.name, **self._links("user", user.id),
            "name": user.name, "email": user.email, "time_zone": user.time_zone,
            "color": "green", "role": user.role,
            "avatar_url": f"https://secure.gravatar.com/avatar/{user.id.lower()}.png?d=mm&r=PG",
            "description": None, "invitation_sent": False, "job_title": user.job_title,
            "created_via_sso": False,
            "teams": teams, "contact_methods": contact_methods, "notification_rules": rules,
        }

    def contact_method(self, method: ContactMethod) -> Json:
        payload: Json = {"id": method.id, "type": f"{method.kind}_contact_method",
                         "summary": method.label, "self": None, "html_url": None,
                         "label": method.label, "address": method.address}
        if method.kind in ("phone", "sms"):
            payload |= {"country_code": method.country_code, "enabled": True,
                        "blacklisted": False}
        elif method.kind == "email":
            payload |= {"send_short_email": False, "enabled": True}
        else:
            payload |= {"device_type": "ios", "blacklisted": False, "sounds": [],
                        "created_at": "2024-01-08T10:00:00Z"}
        return payload

    def notification_rule(
        self, user: User, rule: NotificationRule, expand_contact_method: bool = True
    ) -> Json:
        method = user.contact_method(rule.contact_method_id)
        return {
            "id": rule.id, "type": "assignment_notification_rule",
            "summary": _rule_summary(rule),
            "self": f"{self.api_url}/users/{user.id}/notification_rules/{rule.id}",
            "html_url": None,
            "start_delay_in_minutes": rule.start_delay_in_minutes,
            "contact_method": (self.contact_method(method) if expand_contact_method
                               else self.contact_method_ref(method)),
            "urgency": rule.urgency,
        }

    def escalation_policy(self, policy: EscalationPolicy, include: Collection[str] = ()) -> Json:
        services = self.account.services_by_policy.get(policy.id, ())
        rules = []
        for rule in policy.rules:
            targets = []
            for target in rule.targets:
                if "targets" in include:
                    targets.append(
                        self.user(self.account.users_by_id[target.id]) if target.kind == "user"
                        else self.schedule(self.account.schedules_by_id[target.id])
                    )
                else:
                    targets.append(self.user_ref(target.id) if target.kind == "user"
                                   else self.schedule_ref(target.id))
            rules.append({"id": rule.id,
                          "escalation_delay_in_minutes": rule.escalation_delay_in_minutes,
                          "targets": targets,
                          **({"escalation_rule_assignment_strategy": rule.assignment_strategy}
                             if "escalation_rule_assignment_strategies" in include else {})})
        return {
            "id": policy.id, "type": "escalation_policy", "summary": policy.name,
            **self._links("escalation_policy", policy.id),
            "name": policy.name, "description": policy.description,
            "num_loops": policy.num_loops,
            "on_call_handoff_notifications": policy.on_call_handoff_notifications,
            "escalation_rules": rules,
            "services": [self.service(service) if "services" in include
                         else self.service_ref(service.id) for service in services],
            "teams": [self.team(self.account.teams_by_id[team_id]) if "teams" in include
                      else self.team_ref(team_id) for team_id in policy.team_ids],
        }

    def integration(self, service: Service, integration: Integration) -> Json:
        vendor = integration.vendor
        return {
            "id": integration.id, "type": integration.kind, "summary": integration.name,
            "self": f"{self.api_url}/services/{service.id}/integrations/{integration.id}",
            "html_url": f"{self.html_url}/services/{service.id}/integrations/{integration.id}",
            "name": integration.name, "service": self.service_ref(service.id),
            "created_at": iso(integration.created_at),
            **({} if vendor is None else {"vendor": {
                "id": vendor.id, "type": "vendor_reference", "summary": vendor.name,
                "self": f"{self.api_url}/vendors/{vendor.id}", "html_url": None}}),
        }

    def integration_ref(self, service: Service, integration: Integration) -> Json:
        return {
            "id": integration.id, "type": f"{integration.kind}_reference",
            "summary": integration.name,
            "self": f"{self.api_url}/services/{service.id}/integrations/{integration.id}",
            "html_url": f"{self.html_url}/services/{service.id}/integrations/{integration.id}",
        }

    def service(self, service: Service, include: Collection[str] = ()) -> Json:
        rule = service.urgency_rule
        urgency_rule: Json = {"type": rule.type}
        if rule.type == "constant":
            urgency_rule["urgency"] = rule.urgency
        else:
            urgency_rule |= {
                "during_support_hours": {"type": "constant",
                                         "urgency": rule.during_support_hours},
                "outside_support_hours": {"type": "constant",
                                          "urgency": rule.outside_support_hours},
            }
        support_hours = service.support_hours
        policy = self.account.escalation_policies_by_id[service.escalation_policy_id]
        return {
            "id": service.id, "type": "service", "summary": service.name,
            **self._links("service", service.id),
            "name": service.name, "description": service.description,
            "auto_resolve_timeout": service.auto_resolve_timeout,
            "acknowledgement_timeout": service.acknowledgement_timeout,
            "created_at": iso(service.created_at),
            "status": service.status,
            "escalation_policy": (self.escalation_policy(policy)
                                  if "escalation_policies" in include
                                  else self.policy_ref(policy.id)),
            "teams": [self.team(self.account.teams_by_id[team_id]) if "teams" in include
                      else self.team_ref(team_id) for team_id in service.team_ids],
            "integrations": [self.integration(service, integration) if "integrations" in include
                             else self.integration_ref(service, integration)
                             for integration in service.integrations],
            "incident_urgency_rule": urgency_rule,
            "support_hours": None if support_hours is None else {
                "type": "fixed_time_per_day", "time_zone": support_hours.time_zone,
                "days_of_week": list(support_hours.days_of_week),
                "start_time": support_hours.start_time, "end_time": support_hours.end_time,
            },
            "scheduled_actions": [] if support_hours is None else [{
                "type": "urgency_change",
                "at": {"type": "named_time", "name": "support_hours_start"},
                "to_urgency": "high",
            }],
            "addons": [],
            "alert_creation": "create_alerts_and_incidents",
            "alert_grouping_parameters": self._grouping_parameters(service),
            **({"auto_pause_notifications_parameters": {
                "enabled": service.auto_pause_timeout is not None,
                "timeout": service.auto_pause_timeout or 0, "recommended_timeout": 300}}
               if "auto_pause_notifications_parameters" in include else {}),
        }

    def _grouping_parameters(self, service: Service) -> Json:
        """The service's own grouping, or a reference to the Alert Grouping Setting that
        holds it."""
        setting = self.account.grouping_settings_by_service.get(service.id)
        if setting is None:
            return {"type": service.alert_grouping}
        return {"id": setting.id, "type": "alert_grouping_setting_reference",
                "summary": setting.name,
                "self": f"{self.api_url}/alert_grouping_settings/{setting.id}",
                "html_url": f"{self.html_url}/alert-grouping-settings/{setting.id}"}

    def alert_grouping_setting(self, setting: AlertGroupingSetting) -> Json:
        created = iso(setting.created_at)
        return {
            "id": setting.id, "name": setting.name, "description": setting.description,
            "type": setting.kind, "config": _GROUPING_CONFIGS[setting.kind],
            "services": [self.service_ref(service_id) for service_id in setting.service_ids],
            "created_at": created, "updated_at": created,
        }

    def schedule(
        self,
        schedule: Schedule,
        *,
        layers: bool = True,
        rendered: RenderedSchedule | None = None,
        window: tuple[datetime, datetime] | None = None,
        zone: ZoneInfo | None = None,
        subschedules: Collection[str] = ("final_schedule", "overrides_subschedule"),
    ) -> Json:
        """A schedule; with ``rendered`` (and its ``window``) the entries are filled in."""
        zone = zone or schedule.zone
        payload: Json = {
            "id": schedule.id, "type": "schedule", "summary": schedule.name,
            **self._links("schedule", schedule.id),
            "name": schedule.name, "time_zone": schedule.time_zone,
            "description": schedule.description,
            "escalation_policies": [
                self.policy_ref(policy.id)
                for policy in self.account.policies_by_schedule.get(schedule.id, ())
            ],
            "users": [self.user_ref(user_id) for user_id in schedule.user_ids],
            "teams": [self.team_ref(team_id) for team_id in schedule.team_ids],
        }
        if layers:
            payload["schedule_layers"] = [
                self.schedule_layer(layer, zone,
                                    None if rendered is None else rendered.layers[index], window)
                for index, layer in enumerate(schedule.layers)
            ]
        if "final_schedule" in subschedules:
            payload["final_schedule"] = self.subschedule(
                "Final Schedule", None if rendered is None else rendered.final, window, zone)
        if "overrides_subschedule" in subschedules:
            payload["overrides_subschedule"] = self.subschedule(
                "Overrides", None if rendered is None else rendered.overrides, window, zone)
        return payload

    def schedule_layer(
        self,
        layer: ScheduleLayer,
        zone: ZoneInfo,
        entries: tuple[Entry, ...] | None,
        window: tuple[datetime, datetime] | None,
    ) -> Json:
        payload: Json = {
            "id": layer.id, "name": layer.name,
            "start": iso(layer.start, zone),
            "end": None if layer.end is None else iso(layer.end, zone),
            "rotation_virtual_start": iso(layer.rotation_virtual_start, zone),
            "rotation_turn_length_seconds": layer.rotation_turn_length_seconds,
            "users": [{"user": self.user_ref(user_id)} for user_id in layer.user_ids],
            "restrictions": [
                {"type": restriction.kind,
                 "start_time_of_day": restriction.start_time_of_day.strftime("%H:%M:%S"),
                 "duration_seconds": restriction.duration_seconds,
                 **({"start_day_of_week": restriction.start_day_of_week}
                    if restriction.kind == "weekly_restriction" else {})}
                for restriction in layer.restrictions
            ],
        }
        payload |= self._rendering(entries, window, zone)
        return payload

    def subschedule(
        self,
        name: str,
        entries: tuple[Entry, ...] | None,
        window: tuple[datetime, datetime] | None,
        zone: ZoneInfo,
    ) -> Json:
        return {"name": name, **self._rendering(entries, window, zone)}

    def _rendering(
        self,
        entries: tuple[Entry, ...] | None,
        window: tuple[datetime, datetime] | None,
        zone: ZoneInfo,
    ) -> Json:
        if entries is None or window is None:
            return {"rendered_schedule_entries": [], "rendered_coverage_percentage": None}
        return {
            "rendered_schedule_entries": [
                {"start": iso(entry.start, zone), "end": iso(entry.end, zone),
                 "user": self.user_ref(entry.user_id)}
                for entry in entries
            ],
            "rendered_coverage_percentage": coverage_percentage(entries, *window),
        }

    def v3_schedule(self, schedule: V3Schedule, window: tuple[datetime, datetime] | None,
                    assignments: Sequence[Assignment], zone: ZoneInfo) -> Json:
        """``GET /v3/schedules/{id}`` (``ScheduleResponse``): rotations with their events, and
        with a window the computed final schedule."""
        url = f"{self.api_url}/v3/schedules/{schedule.id}"
        body: Json = {
            "id": schedule.id, "type": "schedule_v3", "name": schedule.name,
            "time_zone": schedule.time_zone, "description": schedule.description,
            "teams": [self.team_ref(team_id) for team_id in schedule.team_ids],
            "rotations": [{
                "id": rotation_id, "type": "schedule_rotation",
                "self": f"{url}/rotations/{rotation_id}",
                "events": [self.shift_event(event, schedule) for event in events]}
                for rotation_id, events in schedule.rotations],
            "self": url, "html_url": f"{self.html_url}/schedules/{schedule.id}"}
        if window is not None:
            body["final_schedule"] = {
                "type": "final_schedule",
                "rendered_coverage_percentage": shift_coverage(assignments, *window),
                "computed_shift_assignments": [{
                    "type": "computed_shift_assignment",
                    "start_time": iso(shift.start, zone), "end_time": iso(shift.end, zone),
                    "member": ({"type": "empty_member"} if shift.user_id is None
                               else {"type": "user_member", "user_id": shift.user_id}),
                    "source": ({"type": "schedule_rotation", "rotation_id": shift.rotation_id}
                               if shift.rotation_id else {"type": "schedule_rotation"}),
                } for shift in assignments]}
        return body

    def shift_event(self, event: ShiftEvent, schedule: V3Schedule) -> Json:
        zone = schedule.time_zone
        return {
            "id": event.id, "type": "schedule_event", "name": event.name,
            "start_time": {"date_time": iso(event.start), "time_zone": zone},
            "end_time": {"date_time": iso(event.end), "time_zone": zone},
            "effective_since": iso(event.start),
            "effective_until": None if event.effective_until is None
            else iso(event.effective_until),
            "recurrence": [event.recurrence],
            "assignment_strategy": {
                "type": "rotating_member_assignment_strategy" if event.rotating
                else "every_member_assignment_strategy",
                **({"shifts_per_member": event.shifts_per_member} if event.rotating else {}),
                "members": [{"type": "user_member", "user_id": user_id}
                            for user_id in event.member_ids]}}

    def v3_schedule_ref(self, schedule: V3Schedule) -> Json:
        """``GET /v3/schedules`` lists references (``V3ScheduleReference``)."""
        return {"id": schedule.id, "type": "schedule_v3_reference", "summary": schedule.name,
                "self": f"{self.api_url}/v3/schedules/{schedule.id}",
                "html_url": f"{self.html_url}/schedules/{schedule.id}"}

    # -- event orchestration ------------------------------------------------------------------

    def _user_link(self) -> Json:
        """``created_by``/``updated_by``: the account's first user stands for whoever did it."""
        user_id = self.account.users[0].id if self.account.users else "PUNKNOWN"
        return {"id": user_id, "type": "user_reference", "self": f"{self.api_url}/users/{user_id}"}

    def orchestration_actions(self, actions: OrchestrationActions) -> Json:
        written: Json = {"route_to": actions.route_to, "suppress": actions.suppress,
                         "suspend": actions.suspend, "drop_event": actions.drop_event,
                         "priority": actions.priority_id, "severity": actions.severity,
                         "annotate": actions.annotate}
        return {key: value for key, value in written.items() if value is not None}

    def orchestration_rule(self, rule: OrchestrationRule) -> Json:
        return {"id": rule.id, "label": rule.label,
                "conditions": [{"expression": expression} for expression in rule.conditions],
                "actions": self.orchestration_actions(rule.actions),
                **({"disabled": True} if rule.disabled else {})}

    def _path(self, kind: str, parent: Json, self_url: str, sets: list[Json],
              catch_all: Json, created_at: datetime) -> Json:
        author = self._user_link()
        return {"orchestration_path": {
            "type": kind, "parent": parent, "self": self_url, "sets": sets,
            "catch_all": {"actions": catch_all},
            "created_at": iso(created_at), "created_by": author,
            "updated_at": iso(created_at), "updated_by": author,
            "version": f"v{created_at:%Y%m%d%H%M}"}}

    def service_orchestration(self, service: Service) -> Json:
        """``GET /event_orchestrations/services/{id}`` (``ServiceOrchestration``)."""
        orchestration = service.orchestration
        return self._path(
            "service", {"id": service.id, "type": "service_reference",
                        "self": f"{self.api_url}/services/{service.id}"},
            f"{self.api_url}/event_orchestrations/services/{service.id}",
            [{"id": rule_set.id, "rules": [self.orchestration_rule(rule)
                                           for rule in rule_set.rules]}
             for rule_set in orchestration.sets],
            self.orchestration_actions(orchestration.catch_all), service.created_at)

    def event_orchestration(self, orchestration: EventOrchestration) -> Json:
        """An item of ``GET /event_orchestrations``."""
        author = self._user_link()
        routes = {rule.actions.route_to for rule in orchestration.router_rules} | {
            orchestration.catch_all_route}
        return {
            "id": orchestration.id,
            "self": f"{self.api_url}/event_orchestrations/{orchestration.id}",
            "name": orchestration.name, "description": orchestration.description,
            **({} if orchestration.team_id is None else {"team": {
                "id": orchestration.team_id, "type": "team_reference",
                "self": f"{self.api_url}/teams/{orchestration.team_id}"}}),
            "routes": len(routes - {"unrouted", None}),
            "created_at": iso(orchestration.created_at), "created_by": author,
            "updated_at": iso(orchestration.created_at), "updated_by": author,
            "version": f"v{orchestration.created_at:%Y%m%d%H%M}",
        }

    def router(self, orchestration: EventOrchestration) -> Json:
        """``GET /event_orchestrations/{id}/router`` (``OrchestrationRouter``): one set."""
        url = f"{self.api_url}/event_orchestrations/{orchestration.id}"
        return self._path(
            "router", {"id": orchestration.id, "type": "event_orchestration_reference",
                       "self": url}, f"{url}/router",
            [{"id": "start", "rules": [self.orchestration_rule(rule)
                                       for rule in orchestration.router_rules]}],
            {"route_to": orchestration.catch_all_route}, orchestration.created_at)

    def priority(self, priority: Priority) -> Json:
        return {"id": priority.id, "type": "priority", "summary": priority.name,
                "self": f"{self.api_url}/priorities/{priority.id}", "html_url": None,
                "name": priority.name, "description": priority.description}

    def override(self, override: Entry, override_id: str, zone: ZoneInfo) -> Json:
        return {"id": override_id, "start": iso(override.start, zone),
                "end": iso(override.end, zone), "user": self.user_ref(override.user_id)}

    def oncall(
        self,
        policy_id: str,
        level: int,
        user_id: str,
        schedule_id: str | None,
        span: tuple[datetime, datetime] | None,
        include: Collection[str],
        zone: ZoneInfo,
    ) -> Json:
        account = self.account
        return {
            "escalation_policy": (
                self.escalation_policy(account.escalation_policies_by_id[policy_id])
                if "escalation_policies" in include else self.policy_ref(policy_id)),
            "escalation_level": level,
            "schedule": None if schedule_id is None else (
                self.schedule(account.schedules_by_id[schedule_id], layers=False, subschedules=())
                if "schedules" in include else self.schedule_ref(schedule_id)),
            "user": (self.user(account.users_by_id[user_id]) if "users" in include
                     else self.user_ref(user_id)),
            "start": None if span is None else iso(span[0], zone),
            "end": None if span is None else iso(span[1], zone),
        }

    # -- incidents ------------------------------------------------------------------------------

    def incident(self, incident: Incident, include: Collection[str] = ()) -> Json:
        account = self.account
        service = account.services_by_id[incident.service_id]
        policy = account.escalation_policies_by_id[incident.escalation_policy_id]
        status = incident.status
        current = incident.escalations[-1][1] if incident.escalations else None
        assignee = current or incident.assigned_user_id
        priority = (None if incident.priority_id is None
                    else account.priorities_by_id[incident.priority_id])
        trigger = trigger_log_entry_id(incident)
        return {
            "id": incident.id, "type": "incident", "summary": _incident_summary(incident),
            **self._links("incident", incident.id),
            "incident_number": incident.number, "title": incident.title,
            "created_at": iso(incident.created_at),
            "updated_at": iso(incident.last_status_change_at),
            "status": status,
            "incident_key": f"{incident.id.lower()}{incident.number:08x}",
            "service": (self.service(service) if "services" in include
                        else self.service_ref(service.id)),
            "assignments": [] if status == "resolved" else [{
                "at": iso(incident.created_at),
                "assignee": (self.user(account.users_by_id[assignee]) if "assignees" in include
                             else self.user_ref(assignee)),
            }],
            "assigned_via": "escalation_policy",
            "last_status_change_at": iso(incident.last_status_change_at),
            "last_status_change_by": self._agent(
                incident.resolved_by if status == "resolved" else incident.acknowledged_by,
                service),
            "resolved_at": None if incident.resolved_at is None else iso(incident.resolved_at),
            "first_trigger_log_entry": {
                "id": trigger, "type": "trigger_log_entry_reference",
                "summary": "Triggered through the API",
                "self": f"{self.api_url}/log_entries/{trigger}",
                "html_url": f"{self.html_url}/incidents/{incident.id}/log_entries/{trigger}",
            },
            "alert_counts": {"all": 1, "triggered": 0 if status == "resolved" else 1,
                             "resolved": 1 if status == "resolved" else 0},
            "is_mergeable": True,
            "incident_type": {"name": "incident_default"},
            "escalation_policy": (self.escalation_policy(policy)
                                  if "escalation_policies" in include
                                  else self.policy_ref(policy.id)),
            "teams": [self.team(account.teams_by_id[team_id]) if "teams" in include
                      else self.team_ref(team_id) for team_id in service.team_ids],
            "pending_actions": [],
            # PagerDuty keeps acknowledgements only while the incident is acknowledged.
            "acknowledgements": [] if status != "acknowledged" or incident.acknowledged_by is None
            else [{"at": iso(incident.acknowledged_at or incident.created_at),
                   "acknowledger": self.user_ref(incident.acknowledged_by)}],
            "alert_grouping": None,
            "priority": None if priority is None else self.priority(priority),
            "resolve_reason": None,
            "incidents_responders": [],
            "responder_requests": [self.responder_request(request, incident)
                                   for request in incident.responder_requests],
            "urgency": incident.urgency,
        }

    def _agent(self, user_id: str | None, service: Service) -> Json:
        return self.user_ref(user_id) if user_id else self.service_ref(service.id)

    def log_entry(self, event: LogEvent, include: Collection[str] = ()) -> Json:
        incident = event.incident
        service = self.account.services_by_id[incident.service_id]
        summary, channel = _LOG_WORDING[event.kind]
        payload: Json = {
            "id": event.id, "type": f"{event.kind}_log_entry",
            "summary": summary.format(user=self._user_name(event.user_id)),
            "self": f"{self.api_url}/log_entries/{event.id}",
            "html_url": f"{self.html_url}/incidents/{incident.id}/log_entries/{event.id}",
            "created_at": iso(event.created_at),
            "agent": (self._agent(event.user_id, service)
                      if event.kind in ("acknowledge", "annotate", "resolve")
                      else self.service_ref(service.id)),
            "channel": {"type": "timeout" if event.kind == "resolve" and not event.user_id
                        else channel},
            "service": (self.service(service) if "services" in include
                        else self.service_ref(service.id)),
            "incident": (self.incident(incident) if "incidents" in include
                         else self.incident_ref(incident)),
            "teams": [self.team(self.account.teams_by_id[team_id]) if "teams" in include
                      else self.team_ref(team_id) for team_id in service.team_ids],
            "contexts": [],
        }
        if event.kind == "trigger":
            payload["event_details"] = {"description": incident.title}
        if event.kind in ("assign", "escalate") and event.user_id:
            payload["assignees"] = [self.user_ref(event.user_id)]
        if event.kind == "notify" and event.user_id:
            payload["user"] = self.user_ref(event.user_id)
        if event.kind == "annotate":
            payload["channel"] = {"type": "note", "summary": event.note}
        return payload

    def _user_name(self, user_id: str | None) -> str:
        return self.account.users_by_id[user_id].name if user_id else "the service"

    def responder_request(self, request: ResponderRequest, incident: Incident) -> Json:
        """``ResponderRequest``, its targets ``ResponderRequestTargetReference``s of users."""
        return {"id": request.id, "incident": self.incident_ref(incident),
                "requester": self.user_ref(request.requester_user_id),
                "requested_at": iso(request.requested_at), "message": request.message,
                "responder_request_targets": [{
                    "type": "user", "id": user_id,
                    "summary": self.account.users_by_id[user_id].name,
                    "incident_responders": [{
                        "state": "pending", "user": self.user_ref(user_id),
                        "incident": self.incident_ref(incident),
                        "updated_at": iso(request.requested_at), "message": request.message,
                        "requester": self.user_ref(request.requester_user_id),
                        "requested_at": iso(request.requested_at)}]}
                    for user_id in request.target_user_ids]}

    def subscriber(self, user_id: str) -> Json:
        """``NotificationSubscriberWithContext`` of a user subscribed directly."""
        return {"subscriber_id": user_id, "subscriber_type": "user",
                "has_indirect_subscription": False, "subscribed_via": None}

    def note(self, note: Note) -> Json:
        return {"id": note.id, "user": self.user_ref(note.user_id),
                "channel": {"summary": "The PagerDuty website or APIs"},
                "content": note.content, "created_at": iso(note.created_at)}

    def analytics_incident(self, incident: Incident, zone: ZoneInfo) -> Json:
        """``AnalyticsRawIncident``: the incident's figures, computed from its history. Its times
        are local times in ``zone`` (the request's ``time_zone``) without an offset, as in the
        spec's example response."""
        account = self.account
        service = account.services_by_id[incident.service_id]
        policy = account.escalation_policies_by_id[incident.escalation_policy_id]
        team = account.teams_by_id[service.team_ids[0]] if service.team_ids else None
        priority = (None if incident.priority_id is None
                    else account.priorities_by_id[incident.priority_id])
        assigned = [incident.assigned_user_id, *(user for _, user in incident.escalations)]
        assigned = list(dict.fromkeys(assigned))
        acknowledged = [incident.acknowledged_by] if incident.acknowledged_by else []
        seconds_to_ack = (None if incident.acknowledged_at is None
                          else _seconds(incident.acknowledged_at - incident.created_at))
        seconds_to_resolve = (None if incident.resolved_at is None
                              else _seconds(incident.resolved_at - incident.created_at))
        notifications = 1 + len(incident.escalations)
        hour = incident.created_at.astimezone(ZoneInfo(account.time_zone)).hour
        weekday = incident.created_at.astimezone(ZoneInfo(account.time_zone)).isoweekday()
        business = weekday <= 5 and 8 <= hour < 18
        sleeping = hour >= 22 or hour < 8
        resolver = account.users_by_id.get(incident.resolved_by or "")
        return {
            "id": incident.id, "incident_number": incident.number,
            "description": incident.title, "status": incident.status,
            "urgency": incident.urgency,
            "major": priority is not None and priority.order >= _major_order(account),
            "created_at": _local(incident.created_at, zone),
            "resolved_at": (None if incident.resolved_at is None
                            else _local(incident.resolved_at, zone)),
            "updated_at": _local(incident.last_status_change_at, zone),
            "priority_id": None if priority is None else priority.id,
            "priority_name": None if priority is None else priority.name,
            "priority_order": None if priority is None else priority.order,
            "service_id": service.id, "service_name": service.name,
            "team_id": None if team is None else team.id,
            "team_name": None if team is None else team.name,
            "escalation_policy_id": policy.id, "escalation_policy_name": policy.name,
            "incident_type_id": "PINCTYP", "incident_type_name": "Base Incident",
            "seconds_to_first_ack": seconds_to_ack,
            "seconds_to_resolve": seconds_to_resolve,
            "seconds_to_engage": seconds_to_ack,
            "seconds_to_mobilize": seconds_to_ack,
            "engaged_seconds": 0 if seconds_to_resolve is None or seconds_to_ack is None
            else seconds_to_resolve - seconds_to_ack,
            "snoozed_seconds": 0,
            "user_defined_effort_seconds": None,
            "acknowledgement_count": len(acknowledged),
            "assignment_count": len(assigned),
            "escalation_count": len(incident.escalations),
            "manual_escalation_count": 0,
            "timeout_escalation_count": len(incident.escalations),
            "reassignment_count": 0,
            "active_user_count": len(set(assigned) | set(acknowledged)),
            "engaged_user_count": len(acknowledged),
            "total_notifications": notifications,
            "total_interruptions": notifications,
            "business_hour_interruptions": notifications if business else 0,
            "off_hour_interruptions": 0 if business else notifications,
            "sleep_hour_interruptions": notifications if sleeping else 0,
            "auto_resolved": incident.resolved_at is not None and resolver is None,
            "resolved_by_user_id": None if resolver is None else resolver.id,
            "resolved_by_user_name": None if resolver is None else resolver.name,
            "acknowledged_user_ids": acknowledged,
            "acknowledged_user_names": [account.users_by_id[user].name for user in acknowledged],
            "assigned_user_ids": assigned,
            "assigned_user_names": [account.users_by_id[user].name for user in assigned],
            "joined_user_ids": [], "joined_user_names": [],
        }

    def maintenance_window(self, window: MaintenanceWindow,
                           include: Collection[str] = ()) -> Json:
        """``include[]`` expands ``services``, ``teams`` (those of its services) and ``users``
        (the creator)."""
        services = [self.account.services_by_id[service_id] for service_id in window.service_ids]
        team_ids = dict.fromkeys(team_id for service in services for team_id in service.team_ids)
        body: Json = {
            "id": window.id, "type": "maintenance_window", "summary": window.description,
            **self._links("maintenance_window", window.id),
            "sequence_number": window.sequence_number,
            "start_time": iso(window.start, zone_of(self.account.time_zone)),
            "end_time": iso(window.end, zone_of(self.account.time_zone)),
            "description": window.description,
            "services": [self.service(service) if "services" in include
                         else self.service_ref(service.id) for service in services],
            "teams": [self.team(self.account.teams_by_id[team_id]) if "teams" in include
                      else self.team_ref(team_id) for team_id in team_ids],
        }
        creator = window.created_by_user_id
        if creator is not None:
            body["created_by"] = (self.user(self.account.users_by_id[creator])
                                  if "users" in include else self.user_ref(creator))
        return body

    def incident_workflow(self, workflow: IncidentWorkflow,
                          include: Collection[str] = ()) -> Json:
        """Its steps and team only when ``include[]`` asks for them."""
        body: Json = {
            "id": workflow.id, "type": "incident_workflow", "name": workflow.name,
            "description": workflow.description, "created_at": iso(workflow.created_at),
            "self": f"{self.api_url}/incident_workflows/{workflow.id}",
            "html_url": f"{self.html_url}/flex-workflows/workflows/{workflow.id}",
            "is_enabled": workflow.is_enabled,
        }
        if "steps" in include:
            body["steps"] = [{
                "id": step.id, "type": "step", "name": step.name, "description": step.description,
                "action_configuration": {"action_id": step.action_id,
                                         "description": step.description, "inputs": []},
            } for step in workflow.steps]
        if "team" in include and workflow.team_id is not None:
            body["team"] = {"id": workflow.team_id, "type": "team_reference"}
        return body

    def workflow_trigger(self, trigger: WorkflowTrigger) -> Json:
        workflow = self.account.incident_workflows_by_id[trigger.workflow_id]
        body: Json = {
            "id": trigger.id, "type": "workflow_trigger",
            "trigger_type_name": _TRIGGER_TYPE_NAMES[trigger.trigger_type],
            "trigger_type": trigger.trigger_type,
            "trigger_url": f"{self.api_url}/incident_workflows/triggers/{trigger.id}/start",
            "self": f"{self.api_url}/incident_workflows/triggers/{trigger.id}",
            "workflow": {"id": workflow.id, "type": "workflow_reference", "name": workflow.name,
                         "self": f"{self.api_url}/incident_workflows/{workflow.id}",
                         "html_url": f"{self.html_url}/flex-workflows/workflows/{workflow.id}"},
            "services": [{"id": service_id, "type": "service",
                          "summary": self.account.services_by_id[service_id].name,
                          **self._links("service", service_id)}
                         for service_id in trigger.service_ids],
            "is_subscribed_to_all_services": trigger.all_services,
            "permissions": {"restricted": False},
        }
        if trigger.condition is not None:
            body["condition"] = trigger.condition
        return body

    def audit_record(self, record: AuditRecord) -> Json:
        kind = record.root_resource_type.removesuffix("s").replace("escalation_policie",
                                                                   "escalation_policy")
        root = {"id": record.root_resource_id, "type": f"{kind}_reference",
                "summary": record.root_resource_name,
                **self._links(kind, record.root_resource_id)}
        details: Json = {"resource": root}
        if record.changes:
            details["fields"] = [
                {"name": change.name,
                 **({} if change.before_value is None else {"before_value": change.before_value}),
                 **({} if change.value is None else {"value": change.value})}
                for change in record.changes
            ]
        return {
            "id": record.id,
            "self": f"{self.api_url}/audit/records/{record.id}",
            "execution_time": record.execution_time.astimezone(timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "execution_context": {"request_id": f"{record.id}-request",
                                  "remote_address": "203.0.113.10"},
            "actors": [{"id": record.actor_user_id, "type": "user_reference",
                        "summary": self._user_name(record.actor_user_id)}],
            "method": {"type": "browser"},
            "root_resource": root,
            "action": record.action,
            "details": details,
        }


_LOG_WORDING = {
    "trigger": ("Triggered through the API", "api"),
    "assign": ("Assigned to {user}", "auto"),
    "notify": ("Notified {user}", "auto"),
    "escalate": ("Escalated to {user}", "timeout"),
    "acknowledge": ("Acknowledged by {user}", "web_ui"),
    "annotate": ("Note added by {user}", "note"),
    "resolve": ("Resolved by {user}", "web_ui"),
}


_TRIGGER_TYPE_NAMES = {"conditional": "Conditional Trigger", "manual": "Manual Trigger",
                       "incident_type": "Incident Type Trigger"}


def _rule_summary(rule: NotificationRule) -> str:
    return f"{rule.start_delay_in_minutes} minutes: channel {rule.contact_method_id}"


def _incident_summary(incident: Incident) -> str:
    return f"[#{incident.number}] {incident.title}"


def _seconds(span: timedelta) -> int:
    return int(span.total_seconds())


def _major_order(account: Account) -> int:
    """``major``: one of the two highest priorities of the account."""
    orders = sorted((priority.order for priority in account.priorities), reverse=True)
    return orders[1] if len(orders) > 1 else (orders[0] if orders else 0)
