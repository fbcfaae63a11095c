"""The REST endpoints: query parameters in, wrapped and paginated JSON out.

Transport concerns (sockets, auth, rate limit, faults) live in ``server``; this module answers
one parsed request at a time and raises ``ErrorAnswer`` for the API's 4xx answers.
"""

from __future__ import annotations

import base64
import calendar
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pdlint.sim.account import Account, Incident, LogEvent, incident_log
from pdlint.sim.payloads import Json, Payloads
from pdlint.sim.render import Entry, render_schedule, render_shift_based

T = TypeVar("T")
# (escalation policy id, level, user id, schedule id or None, (start, end) or None if permanent)
OncallRow = tuple[str, int, str, str | None, tuple[datetime, datetime] | None]

OFFSET_CEILING = 10_000
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
SCHEDULE_DEFAULT_SPAN = timedelta(weeks=2)
ONCALL_HORIZON = timedelta(days=90)
AUDIT_MAX_SPAN = timedelta(days=31)
AUDIT_MAX_LIMIT = 100
ANALYTICS_MAX_LIMIT = 1000
TRIGGERS_MAX_LIMIT = 100
"""The spec gives no maximum for ``/incident_workflows/triggers``; the simulator serves 100."""
MAINTENANCE_FILTERS: dict[str, frozenset[str]] = {
    "past": frozenset({"past"}), "ongoing": frozenset({"ongoing"}),
    "future": frozenset({"future"}), "open": frozenset({"ongoing", "future"}),
    "all": frozenset({"past", "ongoing", "future"}),
}
"""The spec's ``filter`` values of ``GET /maintenance_windows`` and the window states each lists.
The spec does not define ``open``; the simulator reads it as not yet ended (pdlint never sends
it), and an absent filter as ``all``."""
OVERVIEW_KINDS = frozenset({"trigger", "acknowledge", "escalate", "resolve"})


class ErrorAnswer(Exception):
    """An error answer with PagerDuty's body ``{"error": {"message", "code", "errors"}}``:
    ``errors`` a list of sentences, or with ``field`` (the v3 endpoints' ``V3ErrorResponse``)
    those sentences under the field's name."""

    def __init__(self, status: int, code: int, message: str, errors: Sequence[str] = (),
                 field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = tuple(errors)
        self.field = field

    def body(self) -> Json:
        error: Json = {"message": self.message, "code": self.code}
        if self.errors:
            error["errors"] = {self.field: list(self.errors)} if self.field else list(self.errors)
        return {"error": error}


def not_found(what: str) -> ErrorAnswer:
    return ErrorAnswer(404, 2100, "Not Found", [f"{what} not found"])


def invalid(message: str, code: int = 2001) -> ErrorAnswer:
    return ErrorAnswer(400, code, "Invalid Input Provided", [message])


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes = b""
    page_fault: str | None = None  # one of faults.PAGE_FAULTS, applied to a list page
    max_page_size: int | None = None  # Faults.max_page_size: serve at most this many a page

    def one(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def many(self, name: str) -> list[str]:
        """A set filter: ``name[]`` repeated (a bare ``name`` is accepted as well)."""
        return [*self.query.get(f"{name}[]", ()), *self.query.get(name, ())]

    def served_limit(self, limit: int) -> int:
        """How many objects a page holds when ``limit`` were asked (and allowed)."""
        return min(limit, self.max_page_size or limit)

    def flag(self, name: str) -> bool:
        return (self.one(name) or "").lower() == "true"

    def integer(self, name: str, default: int) -> int:
        text = self.one(name)
        if text is None or text == "":
            return default
        try:
            return int(text)
        except ValueError as error:
            raise invalid(f"{name} must be an integer, not {text!r}") from error


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Json | None


@dataclass
class _Cache:
    """A small LRU of computed listings, so paging through one query does not recompute it.

    Shared by the server's request threads; a listing two threads compute at once is simply
    computed twice.
    """

    size: int = 16
    entries: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]  # type: ignore[no-any-return]
        value = compute()
        with self.lock:
            self.entries[key] = value
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


class Api:
    """Answers requests against one account. Thread-safe for reading: the account is frozen."""

    def __init__(self, account: Account, api_url: str) -> None:
        self.account = account
        self.payloads = Payloads(account, api_url)
        self.zone = ZoneInfo(account.time_zone)
        self._cache = _Cache()
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., ApiResponse]]] = [
            ("GET", re.compile(pattern), handler)
            for pattern, handler in (
                (r"/escalation_policies", self.list_escalation_policies),
                (r"/escalation_policies/([^/]+)", self.get_escalation_policy),
                (r"/schedules", self.list_schedules),
                (r"/schedules/([^/]+)", self.get_schedule),
                (r"/schedules/([^/]+)/overrides", self.list_overrides),
                (r"/schedules/([^/]+)/users", self.list_schedule_users),
                (r"/v3/schedules", self.list_v3_schedules),
                (r"/v3/schedules/([^/]+)", self.get_v3_schedule),
                (r"/services", self.list_services),
                (r"/services/([^/]+)", self.get_service),
                (r"/users", self.list_users),
                (r"/users/([^/]+)", self.get_user),
                (r"/users/([^/]+)/contact_methods", self.list_contact_methods),
                (r"/users/([^/]+)/notification_rules", self.list_notification_rules),
                (r"/teams", self.list_teams),
                (r"/teams/([^/]+)", self.get_team),
                (r"/teams/([^/]+)/members", self.list_team_members),
                (r"/priorities", self.list_priorities),
                (r"/maintenance_windows", self.list_maintenance_windows),
                (r"/incident_workflows", self.list_incident_workflows),
                (r"/incident_workflows/triggers", self.list_workflow_triggers),
                (r"/alert_grouping_settings", self.list_alert_grouping_settings),
                (r"/event_orchestrations", self.list_event_orchestrations),
                (r"/event_orchestrations/([^/]+)/router", self.get_router),
                (r"/event_orchestrations/services/([^/]+)", self.get_service_orchestration),
                (r"/event_orchestrations/services/([^/]+)/active",
                 self.get_service_orchestration_active),
                (r"/abilities", self.list_abilities),
                (r"/abilities/([^/]+)", self.get_ability),
                (r"/oncalls", self.list_oncalls),
                (r"/incidents", self.list_incidents),
                (r"/incidents/([^/]+)", self.get_incident),
                (r"/incidents/([^/]+)/log_entries", self.list_incident_log_entries),
                (r"/incidents/([^/]+)/notes", self.list_notes),
                (r"/incidents/([^/]+)/status_updates/subscribers", self.list_subscribers),
                (r"/log_entries", self.list_log_entries),
                (r"/audit/records", self.list_audit_records),
            )
        ]
        self._routes.append(
            ("POST", re.compile(r"/analytics/raw/incidents"), self.analytics_raw_incidents))

    def handle(self, request: ApiRequest) -> ApiResponse:
        path = request.path.rstrip("/") or "/"
        known_path = False
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            known_path = True
            if method == request.method:
                try:
                    return handler(request, *match.groups())
                except ErrorAnswer as error:
                    return ApiResponse(error.status, error.body())
        if known_path or request.method not in ("GET", "HEAD"):
            refusal = ErrorAnswer(405, 2000, "Method Not Allowed",
                               [f"{request.method} {path}: the simulated account is read-only"])
        else:
            refusal = not_found(path)
        return ApiResponse(refusal.status, refusal.body())

    # -- shared parameter handling ---------------------------------------------------------

    def _time(
        self, request: ApiRequest, name: str, zone: ZoneInfo | None = None
    ) -> datetime | None:
        text = request.one(name)
        if not text:
            return None
        return parse_time(text, zone or self.zone, name)

    def _zone(self, request: ApiRequest, default: ZoneInfo | None = None) -> ZoneInfo:
        name = request.one("time_zone")
        if not name:
            return default or self.zone
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise invalid(f"time_zone {name!r} is not a known time zone") from error

    def _page(
        self,
        request: ApiRequest,
        key: str,
        items: Sequence[T],
        render: Callable[[T], Json],
        *,
        default_limit: int = DEFAULT_LIMIT,
        max_limit: int = MAX_LIMIT,
        with_total: bool = True,
    ) -> ApiResponse:
        """Classic offset pagination with the 10,000 ceiling and the page faults."""
        limit = request.integer("limit", default_limit)
        offset = request.integer("offset", 0)
        if limit < 0 or offset < 0:
            raise invalid("limit and offset must not be negative")
        limit = min(limit or default_limit, max_limit)
        if offset + limit > OFFSET_CEILING:
            raise ErrorAnswer(400, 2002, "Arguments Caused Error", [
                "Offset+limit exceeds maximum allowed value of 10000. Please try to refine your "
                "search to reduce the returned set of records below this number, like adding a "
                "date range."])
        limit = request.served_limit(limit)
        served_offset = offset
        if request.page_fault == "vanish_between_pages" and len(items) > 0:
            items = items[1:]
        elif request.page_fault == "repeat_previous_page":
            served_offset = max(offset - limit, 0)
        page = [] if request.page_fault == "more_true_empty_page" else (
            items[served_offset:served_offset + limit])
        more = True if request.page_fault == "more_true_empty_page" else (
            offset + limit < len(items))
        body: Json = {key: [render(item) for item in page], "limit": limit, "offset": offset,
                      "more": more}
        if with_total:
            body["total"] = len(items) if request.flag("total") else None
        return ApiResponse(200, body)

    @staticmethod
    def _matching(query: str | None, name: str) -> bool:
        return query is None or query.lower() in name.lower()

    @staticmethod
    def _sorted_by_name(
        request: ApiRequest, items: Sequence[T], name: Callable[[T], str]
    ) -> list[T]:
        sort_by = request.one("sort_by") or "name"
        if sort_by not in ("name", "name:asc", "name:desc"):
            raise invalid(f"sort_by must be name, name:asc or name:desc, not {sort_by!r}")
        return sorted(items, key=lambda item: name(item).lower(), reverse=sort_by == "name:desc")

    # -- escalation policies -------------------------------------------------------------------

    def list_escalation_policies(self, request: ApiRequest) -> ApiResponse:
        query = request.one("query")
        user_ids = set(request.many("user_ids"))
        team_ids = set(request.many("team_ids"))
        include = request.many("include")

        def involves_user(policy_id: str) -> bool:
            policy = self.account.escalation_policies_by_id[policy_id]
            for rule in policy.rules:
                for target in rule.targets:
                    if target.kind == "user" and target.id in user_ids:
                        return True
                    if target.kind == "schedule" and user_ids.intersection(
                            self.account.schedules_by_id[target.id].user_ids):
                        return True
            return False

        policies = [
            policy for policy in self.account.escalation_policies
            if self._matching(query, policy.name)
            and (not team_ids or team_ids.intersection(policy.team_ids))
            and (not user_ids or involves_user(policy.id))
        ]
        policies = self._sorted_by_name(request, policies, lambda policy: policy.name)
        return self._page(request, "escalation_policies", policies,
                          lambda policy: self.payloads.escalation_policy(policy, include))

    def get_escalation_policy(self, request: ApiRequest, policy_id: str) -> ApiResponse:
        policy = self.account.escalation_policies_by_id.get(policy_id)
        if policy is None:
            raise not_found(f"Escalation policy {policy_id}")
        return ApiResponse(200, {"escalation_policy": self.payloads.escalation_policy(
            policy, request.many("include"))})

    # -- schedules -------------------------------------------------------------------------------

    def _schedule_window(
        self, request: ApiRequest, zone: ZoneInfo
    ) -> tuple[datetime, datetime] | None:
        since, until = self._time(request, "since", zone), self._time(request, "until", zone)
        if since is None and until is None:
            return None
        if since is None:
            assert until is not None
            since = until - SCHEDULE_DEFAULT_SPAN
        if until is None:
            until = since + SCHEDULE_DEFAULT_SPAN
        if until < since:
            raise invalid("until must not be before since", code=2004)
        return since, until

    def list_schedules(self, request: ApiRequest) -> ApiResponse:
        query = request.one("query")
        team_ids = set(request.many("team_ids"))
        include = set(request.many("include"))
        zone = self._zone(request)
        window = self._schedule_window(request, zone)
        schedules = sorted(
            (schedule for schedule in self.account.schedules
             if self._matching(query, schedule.name)
             and (not team_ids or team_ids.intersection(schedule.team_ids))),
            key=lambda schedule: schedule.name.lower(),
        )

        def render(schedule: Any) -> Json:
            rendered = (render_schedule(schedule, *window) if window and include else None)
            return self.payloads.schedule(
                schedule, layers="schedule_layers" in include, rendered=rendered, window=window,
                zone=zone, subschedules=include & {"final_schedule", "overrides_subschedule"})

        return self._page(request, "schedules", schedules, render)

    def get_schedule(self, request: ApiRequest, schedule_id: str) -> ApiResponse:
        schedule = self.account.schedules_by_id.get(schedule_id)
        if schedule is None:
            raise not_found(f"Schedule {schedule_id}")
        zone = self._zone(request, schedule.zone)
        window = self._schedule_window(request, zone)
        rendered = (None if window is None
                    else render_schedule(schedule, *window, overflow=request.flag("overflow")))
        return ApiResponse(200, {"schedule": self.payloads.schedule(
            schedule, rendered=rendered, window=window, zone=zone)})

    def list_overrides(self, request: ApiRequest, schedule_id: str) -> ApiResponse:
        schedule = self.account.schedules_by_id.get(schedule_id)
        if schedule is None:
            raise not_found(f"Schedule {schedule_id}")
        zone = self._zone(request, schedule.zone)
        since, until = self._time(request, "since", zone), self._time(request, "until", zone)
        if since is None or until is None:
            raise ErrorAnswer(400, 2003, "Missing Arguments", ["since and until are required"])
        overflow = request.flag("overflow")
        overrides = [
            self.payloads.override(
                Entry(override.start if overflow else max(override.start, since),
                      override.end if overflow else min(override.end, until), override.user_id),
                override.id, zone)
            for override in sorted(schedule.overrides, key=lambda override: override.start)
            if override.end > since and override.start < until
        ]
        return ApiResponse(200, {"overrides": overrides})

    def list_schedule_users(self, request: ApiRequest, schedule_id: str) -> ApiResponse:
        schedule = self.account.schedules_by_id.get(schedule_id)
        if schedule is None:
            raise not_found(f"Schedule {schedule_id}")
        zone = schedule.zone
        window = self._schedule_window(request, zone)
        if window is None:
            user_ids = list(schedule.user_ids)
        else:
            final = render_schedule(schedule, *window).final
            user_ids = list(dict.fromkeys(entry.user_id for entry in final))
        return ApiResponse(200, {"users": [
            self.payloads.user(self.account.users_by_id[user_id]) for user_id in user_ids]})

    def list_v3_schedules(self, request: ApiRequest) -> ApiResponse:
        query = request.one("query")
        team_ids = set(request.many("team_ids"))
        schedules = sorted(
            (schedule for schedule in self.account.v3_schedules
             if self._matching(query, schedule.name)
             and (not team_ids or team_ids.intersection(schedule.team_ids))),
            key=lambda schedule: schedule.name.lower(),
        )
        try:
            return self._page(request, "schedules", schedules, self.payloads.v3_schedule_ref,
                              default_limit=100, max_limit=1000, with_total=False)
        except ErrorAnswer as error:  # v3 words its errors by field
            raise ErrorAnswer(error.status, error.code, "Invalid Request", error.errors,
                           field="pagination") from None

    def get_v3_schedule(self, request: ApiRequest, schedule_id: str) -> ApiResponse:
        schedule = next((schedule for schedule in self.account.v3_schedules
                         if schedule.id == schedule_id), None)
        if schedule is None:
            if schedule_id in self.account.schedules_by_id:  # a layer-based schedule's id
                raise ErrorAnswer(400, 2001, "Invalid Request",
                                  ["the schedule has not been upgraded to shift-based"],
                                  field="id")
            raise ErrorAnswer(404, 2100, "Not Found", [f"Schedule {schedule_id} not found"],
                              field="id")
        include = set(request.many("include"))
        if include - {"final_schedule"}:
            raise ErrorAnswer(400, 2001, "Invalid Request",
                              [f"include[] may only be final_schedule, not {sorted(include)}"],
                              field="include")
        zone = self._zone(request, schedule.zone)
        window = self._schedule_window(request, zone) if include else None
        assignments = ([] if window is None else render_shift_based(
            schedule, *window, overflow=request.flag("overflow")))
        return ApiResponse(200, {"schedule": self.payloads.v3_schedule(
            schedule, window, assignments, zone)})

    # -- services -------------------------------------------------------------------------------

    def list_services(self, request: ApiRequest) -> ApiResponse:
        query = request.one("query")
        name = request.one("name")
        team_ids = set(request.many("team_ids"))
        include = request.many("include")
        services = [
            service for service in self.account.services
            if self._matching(query, service.name)
            and (name is None or service.name == name)
            and (not team_ids or team_ids.intersection(service.team_ids))
        ]
        services = self._sorted_by_name(request, services, lambda service: service.name)
        return self._page(request, "services", services,
                          lambda service: self.payloads.service(service, include))

    def get_service(self, request: ApiRequest, service_id: str) -> ApiResponse:
        service = self.account.services_by_id.get(service_id)
        if service is None:
            raise not_found(f"Service {service_id}")
        return ApiResponse(200, {"service": self.payloads.service(
            service, request.many("include"))})

    # -- event orchestration ----------------------------------------------------------------------

    def _orchestrated_service(self, service_id: str) -> Any:
        service = self.account.services_by_id.get(service_id)
        if service is None:
            raise not_found(f"Service {service_id}")
        return service

    def get_service_orchestration(self, request: ApiRequest, service_id: str) -> ApiResponse:
        include = request.many("include")
        if set(include) - {"migrated_metadata"}:
            raise invalid(f"include[] may only be migrated_metadata, not {include!r}")
        return ApiResponse(200, self.payloads.service_orchestration(
            self._orchestrated_service(service_id)))

    def get_service_orchestration_active(self, request: ApiRequest,
                                         service_id: str) -> ApiResponse:
        service = self._orchestrated_service(service_id)
        return ApiResponse(200, {"active": service.orchestration.active})

    def list_event_orchestrations(self, request: ApiRequest) -> ApiResponse:
        sort_by = request.one("sort_by") or "name:asc"
        keys: dict[str, Callable[[Any], Any]] = {
            "name": lambda orchestration: orchestration.name.lower(),
            "routes": lambda orchestration: self.payloads.event_orchestration(
                orchestration)["routes"],
            "created_at": lambda orchestration: orchestration.created_at}
        field_name, _, direction = sort_by.partition(":")
        if field_name not in keys or direction not in ("asc", "desc"):
            raise invalid(f"sort_by {sort_by!r} is not one of name, routes or created_at "
                          "with :asc or :desc")
        orchestrations = sorted(self.account.event_orchestrations, key=keys[field_name],
                                reverse=direction == "desc")
        return self._page(request, "orchestrations", orchestrations,
                          self.payloads.event_orchestration)

    def get_router(self, request: ApiRequest, orchestration_id: str) -> ApiResponse:
        orchestration = next((orchestration for orchestration in self.account.event_orchestrations
                              if orchestration.id == orchestration_id), None)
        if orchestration is None:
            raise not_found(f"Event Orchestration {orchestration_id}")
        return ApiResponse(200, self.payloads.router(orchestration))

    # -- users ----------------------------------------------------------------------------------

    def list_users(self, request: ApiRequest) -> ApiResponse:
        query = request.one("query")
        team_ids = set(request.many("team_ids"))
        include = request.many("include")
        users = [
            user for user in self.account.users
            if (self._matching(query, user.name) or self._matching(query, user.email))
            and (not team_ids or team_ids.intersection(user.team_ids))
        ]
        return self._page(request, "users", users,
                          lambda user: self.payloads.user(user, include))

    def _user(self, user_id: str) -> Any:
        user = self.account.users_by_id.get(user_id)
        if user is None:
            raise not_found(f"User {user_id}")
        return user

    def get_user(self, request: ApiRequest, user_id: str) -> ApiResponse:
        return ApiResponse(200, {"user": self.payloads.user(
            self._user(user_id), request.many("include"))})

    def list_contact_methods(self, request: ApiRequest, user_id: str) -> ApiResponse:
        user = self._user(user_id)
        return ApiResponse(200, {"contact_methods": [
            self.payloads.contact_method(method) for method in user.contact_methods]})

    def list_notification_rules(self, request: ApiRequest, user_id: str) -> ApiResponse:
        user = self._user(user_id)
        urgency = request.one("urgency") or "high"  # PagerDuty hides low urgency unless asked
        if urgency not in ("high", "low", "all"):
            raise invalid(f"urgency must be high, low or all, not {urgency!r}")
        expand = "contact_methods" in request.many("include")
        return ApiResponse(200, {"notification_rules": [
            self.payloads.notification_rule(user, rule, expand_contact_method=expand)
            for rule in user.notification_rules
            if urgency == "all" or rule.urgency == urgency
        ]})

    # -- teams, priorities, abilities ---------------------------------------------------------

    def list_teams(self, request: ApiRequest) -> ApiResponse:
        query = request.one("query")
        teams = sorted((team for team in self.account.teams if self._matching(query, team.name)),
                       key=lambda team: team.name.lower())
        return self._page(request, "teams", teams, self.payloads.team)

    def get_team(self, request: ApiRequest, team_id: str) -> ApiResponse:
        team = self.account.teams_by_id.get(team_id)
        if team is None:
            raise not_found(f"Team {team_id}")
        return ApiResponse(200, {"team": self.payloads.team(team)})

    def list_team_members(self, request: ApiRequest, team_id: str) -> ApiResponse:
        if team_id not in self.account.teams_by_id:
            raise not_found(f"Team {team_id}")
        expand = "users" in request.many("include")
        members = self.account.team_members.get(team_id, ())
        return self._page(request, "members", members, lambda user: {
            "user": self.payloads.user(user) if expand else self.payloads.user_ref(user.id),
            "role": "manager" if user.role in ("admin", "owner") else "responder",
        })

    def list_priorities(self, request: ApiRequest) -> ApiResponse:
        priorities = sorted(self.account.priorities, key=lambda priority: -priority.order)
        return self._page(request, "priorities", priorities, self.payloads.priority)

    # -- maintenance windows ------------------------------------------------------------------

    def list_maintenance_windows(self, request: ApiRequest) -> ApiResponse:
        wanted = request.one("filter") or "all"
        states = MAINTENANCE_FILTERS.get(wanted)
        if states is None:
            raise invalid(f"filter must be one of {', '.join(MAINTENANCE_FILTERS)}, "
                          f"not {wanted!r}")
        query = request.one("query")
        service_ids = set(request.many("service_ids"))
        team_ids = set(request.many("team_ids"))
        include = request.many("include")
        services = self.account.services_by_id

        def of_teams(service_ids_: Sequence[str]) -> bool:
            return any(team_ids.intersection(services[service_id].team_ids)
                       for service_id in service_ids_)

        windows = sorted(
            (window for window in self.account.maintenance_windows
             if window.state(self.account.now) in states
             and self._matching(query, window.description)
             and (not service_ids or service_ids.intersection(window.service_ids))
             and (not team_ids or of_teams(window.service_ids))),
            key=lambda window: (window.start, window.sequence_number))
        return self._page(request, "maintenance_windows", windows,
                          lambda window: self.payloads.maintenance_window(window, include))

    # -- incident workflows -------------------------------------------------------------------

    def list_incident_workflows(self, request: ApiRequest) -> ApiResponse:
        query = request.one("query")
        include = request.many("include")
        workflows = [workflow for workflow in self.account.incident_workflows
                     if self._matching(query, workflow.name)]
        return self._page(request, "incident_workflows", workflows,
                          lambda workflow: self.payloads.incident_workflow(workflow, include))

    def list_workflow_triggers(self, request: ApiRequest) -> ApiResponse:
        """Cursor pages that also say ``more``; a trigger on all services counts for each."""
        service_id = request.one("service_id")
        incident_id = request.one("incident_id")
        if service_id and incident_id:
            raise invalid("service_id and incident_id cannot both be given")
        if incident_id:
            incident = self.account.incidents.find(incident_id)
            if incident is None:
                raise not_found(f"Incident {incident_id}")
            service_id = incident.service_id
        workflow_id = request.one("workflow_id")
        trigger_type = request.one("trigger_type")
        if trigger_type not in (None, "conditional", "manual", "incident_type"):
            raise invalid(f"trigger_type must be conditional, manual or incident_type, not "
                          f"{trigger_type!r}")
        name_part = (request.one("workflow_name_contains") or "").lower()
        workflows = self.account.incident_workflows_by_id
        triggers = [
            (number, trigger) for number, trigger in enumerate(self.account.workflow_triggers)
            if (workflow_id is None or trigger.workflow_id == workflow_id)
            and (trigger_type is None or trigger.trigger_type == trigger_type)
            and name_part in workflows[trigger.workflow_id].name.lower()
            and (service_id is None or trigger.all_services
                 or service_id in trigger.service_ids)]
        sort_by = request.one("sort_by")
        if sort_by is not None:
            field_name, _, order = sort_by.partition(" ")
            if field_name not in ("workflow_id", "workflow_name") or order not in ("", "asc",
                                                                                   "desc"):
                raise invalid(f"sort_by {sort_by!r} is not one of the spec's values")
            triggers.sort(key=lambda item: (
                item[1].workflow_id if field_name == "workflow_id"
                else workflows[item[1].workflow_id].name.lower()), reverse=order == "desc")
            triggers = [(place, trigger) for place, (_, trigger) in enumerate(triggers)]
        limit = request.served_limit(
            min(max(request.integer("limit", TRIGGERS_MAX_LIMIT), 1), TRIGGERS_MAX_LIMIT))
        after = _decode_cursor(request.one("cursor"))
        position = next((place for place, (number, _) in enumerate(triggers) if number >= after),
                        len(triggers))
        page = triggers[position:position + limit]
        more = position + limit < len(triggers)
        return ApiResponse(200, {
            "triggers": [self.payloads.workflow_trigger(trigger) for _, trigger in page],
            "limit": limit, "more": more,
            "next_cursor": _encode_cursor(page[-1][0] + 1) if more else None,
        })

    # -- alert grouping settings ----------------------------------------------------------------

    def list_alert_grouping_settings(self, request: ApiRequest) -> ApiResponse:
        """Cursor pages: ``after`` gives the next page and is there only when one follows,
        ``before`` the previous one, there only past the first page. The spec gives no
        maximum page size; the simulator serves 100."""
        service_ids = set(request.many("service_ids"))
        settings = [setting for setting in self.account.alert_grouping_settings
                    if not service_ids or service_ids.intersection(setting.service_ids)]
        limit = request.served_limit(
            min(max(request.integer("limit", DEFAULT_LIMIT), 1), MAX_LIMIT))
        before = request.one("before")
        if before and not request.one("after"):
            end = min(_decode_cursor(before), len(settings))
            start = max(end - limit, 0)
        else:
            start = min(_decode_cursor(request.one("after")), len(settings))
            end = min(start + limit, len(settings))
        body: Json = {
            "alert_grouping_settings": [self.payloads.alert_grouping_setting(setting)
                                        for setting in settings[start:end]],
            "limit": limit, "total": len(settings) if request.flag("total") else None}
        if end < len(settings):
            body["after"] = _encode_cursor(end)
        if start > 0:
            body["before"] = _encode_cursor(start)
        return ApiResponse(200, body)

    def list_abilities(self, request: ApiRequest) -> ApiResponse:
        return ApiResponse(200, {"abilities": list(self.account.abilities)})

    def get_ability(self, request: ApiRequest, ability: str) -> ApiResponse:
        if ability in self.account.abilities:
            return ApiResponse(204, None)
        raise ErrorAnswer(402, 2014, "Missing Account Ability",
                       [f"The account does not have the {ability} ability"])

    # -- on-calls ---------------------------------------------------------------------------------

    def list_oncalls(self, request: ApiRequest) -> ApiResponse:
        zone = self._zone(request)
        now = self.account.now
        since = self._time(request, "since", zone) or now
        until = self._time(request, "until", zone) or now
        if until < since:
            raise invalid("until must not be before since", code=2004)
        if until > now + ONCALL_HORIZON:
            raise invalid("On-call shifts are limited to 90 days in the future")
        policy_ids = set(request.many("escalation_policy_ids"))
        schedule_filter = request.many("schedule_ids")
        user_ids = set(request.many("user_ids"))
        earliest = request.flag("earliest")
        include = request.many("include")

        oncalls = self._cache.get(("oncalls", since, until), lambda: self._oncalls(since, until))
        schedule_ids = {None if value == "null" else value for value in schedule_filter}
        selected = [
            oncall for oncall in oncalls
            if (not policy_ids or oncall[0] in policy_ids)
            and (not user_ids or oncall[2] in user_ids)
            and (not schedule_ids or oncall[3] in schedule_ids)
        ]
        if earliest:
            seen: set[tuple[str, int, str]] = set()
            kept: set[int] = set()
            for position in sorted(range(len(selected)),
                                   key=lambda position: _span_start(selected[position][4])):
                if selected[position][:3] not in seen:
                    seen.add(selected[position][:3])
                    kept.add(position)
            selected = [oncall for position, oncall in enumerate(selected) if position in kept]
        return self._page(request, "oncalls", selected, lambda oncall: self.payloads.oncall(
            *oncall, include=include, zone=zone))

    def _oncalls(self, since: datetime, until: datetime) -> list[OncallRow]:
        """Everyone on call in ``[since, until]``, level by level of every policy."""
        rendered: dict[str, tuple[Entry, ...]] = {}
        oncalls: list[OncallRow] = []
        # An instant query still has to find the shift around that instant.
        window_end = until if until > since else since + timedelta(seconds=1)
        for policy in self.account.escalation_policies:
            for level, rule in enumerate(policy.rules, start=1):
                for target in rule.targets:
                    if target.kind == "user":
                        oncalls.append((policy.id, level, target.id, None, None))
                        continue
                    if target.id not in rendered:
                        schedule = self.account.schedules_by_id[target.id]
                        rendered[target.id] = render_schedule(
                            schedule, since, window_end, overflow=True).final
                    oncalls.extend(
                        (policy.id, level, entry.user_id, target.id, (entry.start, entry.end))
                        for entry in rendered[target.id]
                    )
        return oncalls

    # -- incidents -------------------------------------------------------------------------------

    def _incident_window(self, request: ApiRequest) -> range:
        incidents = self.account.incidents
        if request.one("date_range") == "all":
            return range(len(incidents))
        until = self._time(request, "until") or self.account.now
        since = self._time(request, "since") or add_months(until, -1)
        if until < since:
            raise invalid("until must not be before since", code=2004)
        if until > add_months(since, 6):
            raise invalid("The date range may not be more than 6 months", code=2001)
        return incidents.created_between(since, until)

    def list_incidents(self, request: ApiRequest) -> ApiResponse:
        window = self._incident_window(request)
        statuses = set(request.many("statuses"))
        urgencies = set(request.many("urgencies"))
        service_ids = set(request.many("service_ids"))
        team_ids = set(request.many("team_ids"))
        user_ids = set(request.many("user_ids"))
        include = request.many("include")
        sort_by = request.many("sort_by") or [request.one("sort_by") or "created_at:asc"]
        incidents = self.account.incidents
        filtered = bool(statuses or urgencies or service_ids or team_ids or user_ids)

        def keep(incident: Incident) -> bool:
            service = self.account.services_by_id[incident.service_id]
            assignee = (incident.escalations[-1][1] if incident.escalations
                        else incident.assigned_user_id)
            return ((not statuses or incident.status in statuses)
                    and (not urgencies or incident.urgency in urgencies)
                    and (not service_ids or incident.service_id in service_ids)
                    and (not team_ids or bool(team_ids.intersection(service.team_ids)))
                    and (not user_ids or (incident.status != "resolved"
                                          and assignee in user_ids)))

        def compute() -> Sequence[int]:
            indexes: Sequence[int] = window
            if filtered:
                indexes = [index for index in window if keep(incidents[index])]
            return _sort_incidents(indexes, incidents, sort_by)

        key = ("incidents", window, frozenset(statuses), frozenset(urgencies),
               frozenset(service_ids), frozenset(team_ids), frozenset(user_ids), tuple(sort_by))
        indexes = self._cache.get(key, compute)
        return self._page(request, "incidents", indexes,
                          lambda index: self.payloads.incident(incidents[index], include))

    def _incident(self, incident_id: str) -> Incident:
        incident = self.account.incidents.find(incident_id)
        if incident is None:
            raise not_found(f"Incident {incident_id}")
        return incident

    def get_incident(self, request: ApiRequest, incident_id: str) -> ApiResponse:
        return ApiResponse(200, {"incident": self.payloads.incident(
            self._incident(incident_id), request.many("include"))})

    def _log_filter(self, request: ApiRequest) -> Callable[[LogEvent], bool]:
        since, until = self._time(request, "since"), self._time(request, "until")
        overview = request.flag("is_overview")
        return lambda event: ((since is None or event.created_at >= since)
                              and (until is None or event.created_at < until)
                              and (not overview or event.kind in OVERVIEW_KINDS))

    def list_incident_log_entries(self, request: ApiRequest, incident_id: str) -> ApiResponse:
        keep = self._log_filter(request)
        events = [event for event in reversed(incident_log(self._incident(incident_id)))
                  if keep(event)]
        include = request.many("include")
        return self._page(request, "log_entries", events,
                          lambda event: self.payloads.log_entry(event, include))

    def list_notes(self, request: ApiRequest, incident_id: str) -> ApiResponse:
        incident = self._incident(incident_id)
        return ApiResponse(200, {"notes": [self.payloads.note(note) for note in incident.notes]})

    def list_subscribers(self, request: ApiRequest, incident_id: str) -> ApiResponse:
        """Its status-update subscribers, all on one page (the spec gives no paging
        parameters for this list)."""
        incident = self._incident(incident_id)
        subscribers = [self.payloads.subscriber(user_id)
                       for user_id in incident.subscriber_user_ids]
        return ApiResponse(200, {"limit": 100, "more": False, "offset": 0,
                                 "total": len(subscribers), "subscribers": subscribers,
                                 "account_id": "P" + self.account.subdomain.upper()})

    def list_log_entries(self, request: ApiRequest) -> ApiResponse:
        until = self._time(request, "until") or self.account.now
        since = self._time(request, "since") or add_months(until, -1)
        if until < since:
            raise invalid("until must not be before since", code=2004)
        overview = request.flag("is_overview")
        team_ids = set(request.many("team_ids"))
        incidents = self.account.incidents

        def compute() -> list[LogEvent]:
            events: list[LogEvent] = []
            for index in incidents.created_between(since - incidents.longest, until):
                incident = incidents[index]
                if team_ids and not team_ids.intersection(
                        self.account.services_by_id[incident.service_id].team_ids):
                    continue
                events.extend(
                    event for event in incident_log(incident)
                    if since <= event.created_at < until
                    and (not overview or event.kind in OVERVIEW_KINDS))
            events.sort(key=lambda event: event.created_at, reverse=True)
            return events

        events = self._cache.get(("log_entries", since, until, overview, frozenset(team_ids)),
                                 compute)
        include = request.many("include")
        return self._page(request, "log_entries", events,
                          lambda event: self.payloads.log_entry(event, include))

    # -- analytics ----------------------------------------------------------------------------

    def analytics_raw_incidents(self, request: ApiRequest) -> ApiResponse:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError as error:
            raise invalid("the request body is not JSON") from error
        if not isinstance(body, dict):
            raise invalid("the request body must be a JSON object")
        filters = body.get("filters") or {}
        if not isinstance(filters, dict):
            raise invalid("filters must be a JSON object")
        limit = body.get("limit", 20)
        if not isinstance(limit, int) or not 1 <= limit <= ANALYTICS_MAX_LIMIT:
            raise invalid("limit must be between 1 and 1000")
        order = body.get("order", "desc")
        order_by = body.get("order_by", "created_at")
        if order not in ("asc", "desc") or order_by not in ("created_at", "seconds_to_resolve"):
            raise invalid("order must be asc or desc; order_by created_at or seconds_to_resolve")
        zone_name = body.get("time_zone") or "Etc/UTC"
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise invalid(f"time_zone {zone_name!r} is not a known time zone") from error
        incidents = self.account.incidents
        start = (parse_time(filters["created_at_start"], zone, "created_at_start")
                 if filters.get("created_at_start") else incidents[0].created_at
                 if len(incidents) else self.account.now)
        end = (parse_time(filters["created_at_end"], zone, "created_at_end")
               if filters.get("created_at_end") else self.account.now + timedelta(seconds=1))
        wanted = {key: set(filters.get(key) or ()) for key in
                  ("service_ids", "team_ids", "priority_ids", "priority_names")}

        def keep(incident: Incident) -> bool:
            service = self.account.services_by_id[incident.service_id]
            priority = self.account.priorities_by_id.get(incident.priority_id or "")
            return ((filters.get("urgency") is None or incident.urgency == filters["urgency"])
                    and (not wanted["service_ids"] or incident.service_id in wanted["service_ids"])
                    and (not wanted["team_ids"]
                         or bool(wanted["team_ids"].intersection(service.team_ids)))
                    and (not wanted["priority_ids"]
                         or incident.priority_id in wanted["priority_ids"])
                    and (not wanted["priority_names"]
                         or (priority is not None and priority.name in wanted["priority_names"])))

        def compute() -> list[int]:
            indexes = [index for index in incidents.created_between(start, end)
                       if keep(incidents[index])]
            if order_by == "seconds_to_resolve":
                indexes.sort(key=lambda index: _seconds_to_resolve(incidents[index]))
            if order == "desc":
                indexes.reverse()
            return indexes

        key = ("analytics", start, end, json.dumps(filters, sort_keys=True), order, order_by)
        indexes = self._cache.get(key, compute)
        if request.page_fault == "vanish_between_pages":
            indexes = indexes[1:]
        limit = request.served_limit(limit)
        position = 0
        cursor = body.get("starting_after")
        if cursor:
            found = incidents.find(cursor)
            if found is None or found.index not in indexes:
                raise invalid(f"starting_after {cursor!r} is not a result of this query")
            position = indexes.index(found.index) + 1
        if request.page_fault == "repeat_previous_page":
            position = max(position - limit, 0)
        page = [] if request.page_fault == "more_true_empty_page" else (
            indexes[position:position + limit])
        data = [self.payloads.analytics_incident(incidents[index], zone) for index in page]
        return ApiResponse(200, {
            "first": data[0]["id"] if data else None,
            "last": data[-1]["id"] if data else None,
            "limit": limit,
            "more": (request.page_fault == "more_true_empty_page"
                     or position + limit < len(indexes)),
            "order": order,
            "order_by": order_by,
            "filters": filters,
            "time_zone": zone_name,
            "starting_after": cursor,
            "ending_before": None,
            "data": data,
        })

    # -- audit records -----------------------------------------------------------------------

    def list_audit_records(self, request: ApiRequest) -> ApiResponse:
        now = self.account.now
        until = self._time(request, "until") or now
        since = self._time(request, "since") or until - timedelta(hours=24)
        if until < since:
            raise invalid("until must not be before since", code=2004)
        if until - since > AUDIT_MAX_SPAN:
            raise invalid("until may not be more than 31 days after since")
        types = set(request.many("root_resource_types"))
        actions = set(request.many("actions"))
        actor_id = request.one("actor_id")
        # Numbered by place in the account, so that a cursor (the number after the last record
        # served) keeps its place when records before it vanish, as a real cursor does.
        records = [
            (number, record) for number, record in enumerate(self.account.audit_records)
            if since <= record.execution_time < until
            and (not types or record.root_resource_type in types)
            and (not actions or record.action in actions)
            and (actor_id is None or record.actor_user_id == actor_id)
        ]
        if request.page_fault == "vanish_between_pages":
            records = records[1:]
        limit = request.served_limit(
            min(max(request.integer("limit", AUDIT_MAX_LIMIT), 1), AUDIT_MAX_LIMIT))
        cursor = request.one("cursor")
        after = _decode_cursor(cursor)
        position = next((place for place, (number, _) in enumerate(records) if number >= after),
                        len(records))
        if request.page_fault == "repeat_previous_page":
            position = max(position - limit, 0)
        if request.page_fault == "more_true_empty_page":
            return ApiResponse(200, {"records": [], "limit": limit,
                                     "next_cursor": cursor or _encode_cursor(0)})
        page = records[position:position + limit]
        more = position + limit < len(records)
        return ApiResponse(200, {
            "records": [self.payloads.audit_record(record) for _, record in page],
            "limit": limit,
            "next_cursor": _encode_cursor(page[-1][0] + 1) if more else None,
        })


def parse_time(text: str, zone: ZoneInfo, name: str) -> datetime:
    """An ISO 8601 date or date-time; one without an offset is read in ``zone``."""
    try:
        # A "+" of an offset that was not percent-encoded arrives as a space; Python 3.10 reads
        # neither "Z" nor an offset without a colon.
        normal = re.sub(r"([ +-])(\d\d):?(\d\d)$",
                        lambda match: f"{match[1].replace(' ', '+')}{match[2]}:{match[3]}",
                        text.strip())
        moment = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", normal))
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
        except ValueError as error:
            raise invalid(f"{name} is not an ISO 8601 date-time: {text!r}", code=2004) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months away (clamped to the month's end)."""
    month_index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _span_start(span: tuple[datetime, datetime] | None) -> datetime:
    return span[0] if span else datetime.min.replace(tzinfo=timezone.utc)


def _seconds_to_resolve(incident: Incident) -> float:
    if incident.resolved_at is None:
        return float("inf")
    return (incident.resolved_at - incident.created_at).total_seconds()


def _sort_incidents(
    indexes: Sequence[int], incidents: Sequence[Incident], sort_by: Collection[str]
) -> Sequence[int]:
    """Incidents are kept in creation order; other orders are computed when asked."""
    fields = [item.partition(":") for item in sort_by]
    for name, _, direction in fields:
        if name not in ("incident_number", "created_at", "resolved_at", "urgency") or (
                direction not in ("", "asc", "desc")):
            raise invalid(f"sort_by {name}{':' if direction else ''}{direction} is not supported")
    if [(name, direction) for name, _, direction in fields] in (
            [("created_at", "asc")], [("created_at", "")], [("incident_number", "asc")],
            [("incident_number", "")]):
        return indexes
    ordered = list(indexes)
    for name, _, direction in reversed(fields):
        def key(index: int, name: str = name) -> Any:
            incident = incidents[index]
            if name == "resolved_at":
                return incident.resolved_at or datetime.max.replace(tzinfo=timezone.utc)
            if name == "urgency":
                return incident.urgency
            return incident.index
        ordered.sort(key=key, reverse=direction == "desc")
    return ordered


def _encode_cursor(number: int) -> str:
    """An opaque cursor: the listing continues with the records numbered ``number`` and on."""
    return base64.urlsafe_b64encode(f"from:{number}".encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "from" and number.isdigit():
            return int(number)
    except ValueError:
        pass
    raise invalid(f"cursor {cursor!r} is not valid")

