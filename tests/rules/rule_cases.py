"""Builders of the drift-rule tests: a policy from a small YAML fragment, and live objects shaped
exactly as PagerDuty's list endpoints return them (references where the API sends references).

Policies are the valid base of tests/fixtures/policies/base plus one file, ``case.yaml``: the
line numbers a test asserts are those of the fragment it writes.
"""

from __future__ import annotations

import copy
import shutil
import textwrap
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pdlint.findings import Finding, Skipped
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState, Window, format_utc
from pdlint.policy import load_policy
from pdlint.policy.model import Policy
from pdlint.rule import Context, Rule
from pdlint.rules.registry import rule_modes

Json = dict[str, Any]

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "base"
EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "policy"
API_URL = "https://api.pagerduty.com"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
WINDOW = Window.starting(NOW, timedelta(days=14))

_API_PATHS = {"user": "users", "team": "teams", "escalation_policy": "escalation_policies",
              "schedule": "schedules", "service": "services", "priority": "priorities"}


# -- the documented side ---------------------------------------------------------------------

def policy_of(folder: Path, fragment: str, without: Iterable[str] = ()) -> Policy:
    """The base policy (less the base files named in ``without``, e.g. ``severities``) plus
    ``fragment`` (dedented) as ``case.yaml``; fails on any load finding, so that a case cannot
    pass by accident on a policy that did not load."""
    folder.mkdir(parents=True, exist_ok=True)
    for base in BASE.glob("*.yaml"):
        if base.stem not in without:
            shutil.copy(base, folder / base.name)
    (folder / "case.yaml").write_text(textwrap.dedent(fragment), encoding="utf-8")
    loaded = load_policy([folder])
    assert loaded.policy is not None and not loaded.findings, [
        f"{finding.location}: {finding.message}" for finding in loaded.findings]
    return loaded.policy


def example_without_scope(folder: Path) -> Path:
    """A copy of the example policy in ``folder`` without its ``scope``: the whole account."""
    shutil.copytree(EXAMPLE_POLICY, folder)
    organisation = folder / "organisation.yaml"
    text = organisation.read_text(encoding="utf-8")
    own = text[text.index("# The system the SOC 2 report"):]
    assert own.rstrip().endswith("scope:\n  teams: [Platform, Security]")
    organisation.write_text(text.replace(own, ""), encoding="utf-8")
    return folder


def drifted(state: LiveState, skipped: str | None = None) -> LiveState:
    """The demo account drifted further, so that every rule that reads more than one collection
    has a finding: level 4 of "Production - Platform" pages the CTO alone (EP104, EP106),
    "Checkout API" is on the security policy and team (SVC301, SVC307), "Internal Admin"
    counts support hours in UTC (SVC303), and priority P4 is gone (PRI500). ``skipped`` names
    a collection that could not be read."""
    objects = copy.deepcopy({kind: list(items) for kind, items in state.objects.items()})
    policies = {policy["name"]: policy for policy in objects["escalation_policies"]}
    platform = policies["Production - Platform"]
    security = policies["Security - Incident Response"]
    platform["escalation_rules"][3]["targets"] = platform["escalation_rules"][3]["targets"][:1]
    services = {service["name"]: service for service in objects["services"]}
    services["Checkout API"]["escalation_policy"] = {
        key: security[key] for key in ("id", "summary", "self", "html_url")} | {
        "type": "escalation_policy_reference"}
    [team] = [team for team in objects["teams"] if team["name"] == "Security"]
    services["Checkout API"]["teams"] = [
        {"id": team["id"], "type": "team_reference", "summary": team["name"]}]
    services["Internal Admin"]["support_hours"]["time_zone"] = "UTC"
    objects["priorities"] = [item for item in objects["priorities"] if item["name"] != "P4"]
    if skipped is not None:
        del objects[skipped]
    return LiveState(api_url=state.api_url, fetched_at=state.fetched_at, window=state.window,
                     objects=objects,
                     skipped=() if skipped is None else (Skipped(skipped, "HTTP 403"),))

# -- the live side -------------------------------------------------------------------------

def ref(kind: str, object_id: str, name: str) -> Json:
    """A ``<kind>_reference`` as lists carry them (``summary`` holds the name)."""
    return {"id": object_id, "type": f"{kind}_reference", "summary": name,
            "self": f"{API_URL}/{_API_PATHS[kind]}/{object_id}",
            "html_url": f"https://acme.pagerduty.com/{_API_PATHS[kind]}/{object_id}"}


def team(team_id: str, name: str) -> Json:
    return {"id": team_id, "type": "team", "summary": name, "name": name, "description": None,
            "default_role": "manager"}


def priority(priority_id: str, name: str) -> Json:
    return {"id": priority_id, "type": "priority", "summary": name, "self": None,
            "html_url": None, "name": name, "description": f"{name} incidents."}


def contact_method(method_id: str, kind: str, address: str) -> Json:
    """``kind`` is ``email``, ``phone``, ``sms`` or ``push_notification``."""
    return {"id": method_id, "type": f"{kind}_contact_method", "summary": kind, "self": None,
            "html_url": None, "label": "Work", "address": address}


def notification_rule(rule_id: str, urgency: str, method: Json, delay: int = 0) -> Json:
    return {"id": rule_id, "type": "assignment_notification_rule", "summary": urgency,
            "self": None, "html_url": None, "start_delay_in_minutes": delay,
            "contact_method": method, "urgency": urgency}


def user(user_id: str, name: str, email: str, *, contact_methods: Sequence[Json] = (),
         notification_rules: Sequence[Json] = (), teams: Sequence[Json] = (),
         role: str = "user") -> Json:
    """A user as ``GET /users?include[]=contact_methods&include[]=notification_rules`` lists."""
    return {"id": user_id, "type": "user", "summary": name, "name": name, "email": email,
            "time_zone": "America/New_York", "role": role, "job_title": None,
            "invitation_sent": False, "teams": list(teams),
            "contact_methods": list(contact_methods),
            "notification_rules": list(notification_rules)}


def escalation_rule(delay: int, *targets: Json, rule_id: str | None = None) -> Json:
    """One escalation rule; ``targets`` are ``ref("schedule"|"user", ...)``."""
    return {"id": rule_id or f"PR{delay:05d}", "escalation_delay_in_minutes": delay,
            "targets": list(targets)}


def escalation_policy(policy_id: str, name: str, rules: Sequence[Json], *,
                      num_loops: int | None = 0, handoff: str | None = "if_has_services",
                      services: Sequence[Json] = (), teams: Sequence[Json] = ()) -> Json:
    """An escalation policy as ``GET /escalation_policies`` lists it; ``num_loops`` or
    ``handoff`` None leaves the field out, as the spec allows."""
    optional = {"num_loops": num_loops, "on_call_handoff_notifications": handoff}
    return {"id": policy_id, "type": "escalation_policy", "summary": name, "name": name,
            "description": None, **{key: value for key, value in optional.items()
                                    if value is not None},
            "escalation_rules": list(rules), "services": list(services), "teams": list(teams)}


def constant_urgency(urgency: str) -> Json:
    """``incident_urgency_rule`` of one urgency: ``high``, ``low`` or ``severity_based``."""
    return {"type": "constant", "urgency": urgency}


def support_hours_urgency(during: str = "high", outside: str = "low") -> Json:
    return {"type": "use_support_hours",
            "during_support_hours": {"type": "constant", "urgency": during},
            "outside_support_hours": {"type": "constant", "urgency": outside}}


def support_hours(days: Sequence[int] = (1, 2, 3, 4, 5), start: str = "09:00:00",
                  end: str = "17:00:00", time_zone: str = "Europe/London") -> Json:
    return {"type": "fixed_time_per_day", "time_zone": time_zone, "days_of_week": list(days),
            "start_time": start, "end_time": end}


def integration_ref(integration_id: str, service_id: str) -> Json:
    return {"id": integration_id, "type": "events_api_v2_inbound_integration_reference",
            "summary": "Events API V2",
            "self": f"{API_URL}/services/{service_id}/integrations/{integration_id}",
            "html_url": None}


def service(service_id: str, name: str, *, escalation_policy: Json | None = None,
            urgency_rule: Json | None = None, hours: Json | None = None,
            acknowledgement_timeout: int | None = 1800, auto_resolve_timeout: int | None = 14400,
            status: str = "active", teams: Sequence[Json] = (),
            integrations: Sequence[Json] | None = None) -> Json:
    """A service as ``GET /services?include[]=auto_pause_notifications_parameters`` lists it; by
    default high urgency, PagerDuty's default timeouts, no auto-pause, one Events API
    integration, on a policy named "Main"."""
    return {
        "id": service_id, "type": "service", "summary": name, "name": name,
        "description": None, "status": status,
        "escalation_policy": escalation_policy or ref("escalation_policy", "PEMAIN0", "Main"),
        "teams": list(teams),
        "integrations": ([integration_ref(f"PI{service_id[-5:]}", service_id)]
                         if integrations is None else list(integrations)),
        "acknowledgement_timeout": acknowledgement_timeout,
        "auto_resolve_timeout": auto_resolve_timeout,
        "incident_urgency_rule": urgency_rule or constant_urgency("high"),
        "support_hours": hours, "scheduled_actions": [],
        "auto_pause_notifications_parameters": {"enabled": False, "timeout": 0},
    }


def entry(start: datetime, end: datetime, user_ref: Json) -> Json:
    """A rendered schedule entry."""
    return {"start": format_utc(start), "end": format_utc(end), "user": user_ref}


def schedule_layer(layer_id: str, users: Sequence[Json], *, start: datetime,
                   turn: timedelta = timedelta(days=7),
                   rotation_virtual_start: datetime | None = None, end: datetime | None = None,
                   restrictions: Sequence[Json] = (), entries: Sequence[Json] = ()) -> Json:
    """A layer; ``users`` are user references in rotation order."""
    return {"id": layer_id, "name": f"Layer {layer_id}", "start": format_utc(start),
            "end": None if end is None else format_utc(end),
            "rotation_virtual_start": format_utc(rotation_virtual_start or start),
            "rotation_turn_length_seconds": int(turn.total_seconds()),
            "users": [{"user": user_ref} for user_ref in users],
            "restrictions": list(restrictions),
            "rendered_schedule_entries": list(entries), "rendered_coverage_percentage": None}


def schedule(schedule_id: str, name: str, *, time_zone: str = "Europe/London",
             layers: Sequence[Json] = (), final_entries: Sequence[Json] = (),
             users: Sequence[Json] = (), teams: Sequence[Json] = (),
             escalation_policies: Sequence[Json] = ()) -> Json:
    """A schedule as ``GET /schedules?include[]=schedule_layers&include[]=final_schedule``
    lists it over a window."""
    return {"id": schedule_id, "type": "schedule", "summary": name, "name": name,
            "time_zone": time_zone, "description": None,
            "escalation_policies": list(escalation_policies), "users": list(users),
            "teams": list(teams), "schedule_layers": list(layers),
            "final_schedule": {"name": "Final Schedule",
                               "rendered_schedule_entries": list(final_entries),
                               "rendered_coverage_percentage": None},
            "overrides_subschedule": {"name": "Overrides", "rendered_schedule_entries": [],
                                      "rendered_coverage_percentage": None}}


def orchestration_rule(label: str | None, actions: Json, *conditions: str,
                       disabled: bool = False) -> Json:
    """A rule of an orchestration set, as PagerDuty writes it (no label, no ``disabled`` key
    when not given)."""
    written: Json = {"id": "r1", "conditions": [{"expression": text} for text in conditions],
                     "actions": actions}
    if label is not None:
        written["label"] = label
    if disabled:
        written["disabled"] = True
    return written


def service_orchestration(service_id: str, rules: list[Json], catch_all: Json | None = None,
                          active: bool | None = True, set_id: str = "start",
                          sets: dict[str, list[Json]] | None = None) -> Json:
    """A service's orchestration as pdlint stores it: ``rules`` in ``set_id``, ``sets`` any
    others, the catch-all doing ``catch_all``; ``active`` None when not read."""
    record: Json = {"service_id": service_id, "orchestration_path": {
        "type": "service", "sets": [{"id": set_id, "rules": rules},
                                    *({"id": other, "rules": found}
                                      for other, found in (sets or {}).items())],
        "catch_all": {"actions": catch_all or {}}}}
    if active is not None:
        record["active"] = active
    return record


def live_state(*, escalation_policies: Iterable[Json] = (), schedules: Iterable[Json] = (),
               schedules_v3: Iterable[Json] = (), services: Iterable[Json] = (),
               users: Iterable[Json] = (), teams: Iterable[Json] = (),
               priorities: Iterable[Json] = (), maintenance_windows: Iterable[Json] = (),
               incident_workflows: Iterable[Json] = (), workflow_triggers: Iterable[Json] = (),
               service_orchestrations: Iterable[Json] | None = None,
               event_orchestrations: Iterable[Json] = (),
               orchestration_routers: Iterable[Json] = (),
               alert_grouping_settings: Iterable[Json] = (), skipped: Iterable[str] = (),
               window: Window = WINDOW) -> LiveState:
    """A state as fetched at ``NOW``; each collection named in ``skipped`` is absent, skipped
    with a 403 reason, as ``fetch_state`` records it. Without ``service_orchestrations`` each
    service not disabled has one read without rules, as a read of every service records it."""
    gone = set(skipped)
    services = list(services)
    if service_orchestrations is None:
        service_orchestrations = [
            {"service_id": live["id"], "orchestration_path": {
                "type": "service", "sets": [{"id": "start", "rules": []}],
                "catch_all": {"actions": {}}}}
            for live in services if live.get("status") != "disabled"]
    collections = {"escalation_policies": escalation_policies, "schedules": schedules,
                   "schedules_v3": schedules_v3, "services": services, "users": users,
                   "teams": teams, "priorities": priorities,
                   "maintenance_windows": maintenance_windows,
                   "incident_workflows": incident_workflows, "workflow_triggers": workflow_triggers,
                   "service_orchestrations": service_orchestrations,
                   "event_orchestrations": event_orchestrations,
                   "orchestration_routers": orchestration_routers,
                   "alert_grouping_settings": alert_grouping_settings}
    return LiveState(
        api_url=API_URL, fetched_at=NOW, window=window,
        objects={kind: tuple(objects) for kind, objects in collections.items()
                 if kind not in gone},
        skipped=tuple(Skipped(kind, f"403 Forbidden: the token may not read {kind}")
                      for kind in sorted(gone)))


# -- reading findings ----------------------------------------------------------------------

def summary(finding: Finding) -> tuple[str, str | None, Any, Any, int | None]:
    """(rule, resource name, expected, actual, policy line): what most tables assert."""
    return (finding.rule, finding.resource.name, finding.expected, finding.actual,
            finding.location.line if finding.location else None)


def context_of(policy: Policy, state: LiveState, today: date = TODAY) -> Context:
    """What a drift rule sees: the policy, the account parsed from ``state``, the day."""
    return Context(policy, parse_account(state), today, rule_modes())


def findings_of(check: Rule, policy: Policy, state: LiveState) -> list[Finding]:
    """What one drift rule finds on ``TODAY``, in a stable order."""
    return sorted(check.check(context_of(policy, state)),
                  key=lambda finding: repr(summary(finding)))


def run_rule(check: Rule, policy: Policy, state: LiveState) -> list[tuple[Any, ...]]:
    """The summaries of what one drift rule finds, in a stable order."""
    return [summary(finding) for finding in findings_of(check, policy, state)]


def rule_messages(check: Rule, policy: Policy, state: LiveState) -> list[str]:
    """The messages of what one drift rule finds, sorted."""
    return sorted(finding.message for finding in findings_of(check, policy, state))
