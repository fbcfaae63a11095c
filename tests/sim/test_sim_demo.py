"""The demo account is the example policy's live side, with each deliberate drift exactly once."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from sim_cases import NOW

from pdlint.policy.model import WEEKDAYS
from pdlint.sim import Account, demo_account
from pdlint.sim.render import coverage_percentage, render_schedule

POLICY = Path(__file__).parent.parent.parent / "policy"
NY = ZoneInfo("America/New_York")
SLA_MINUTES = {"P1": 5, "P2": 15, "P3": 60}


@pytest.fixture(scope="module")
def policy() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(POLICY.glob("*.yaml")):
        merged |= yaml.safe_load(path.read_text(encoding="utf-8"))
    return merged


def by_name(objects: Any) -> dict[str, Any]:
    return {item.name: item for item in objects}


def test_every_reference_resolves(demo: Account) -> None:
    demo.check_references()


def test_same_now_same_account() -> None:
    first, second = demo_account(NOW), demo_account(NOW)
    assert first.users == second.users and first.services == second.services
    assert list(first.incidents) == list(second.incidents)
    assert first.audit_records == second.audit_records


def test_documented_objects_exist_and_one_service_is_undocumented(
    demo: Account, policy: dict[str, Any],
) -> None:
    # The Data team's escalation policy, schedule and service are outside the policy's scope.
    assert {item["name"] for item in policy["escalation_policies"]} == set(
        by_name(demo.escalation_policies)) - {"Data - Best Effort"}
    assert {item["name"] for item in policy["schedules"]} == set(
        by_name(demo.schedules)) - {"Data - Pipelines"}
    undocumented = set(by_name(demo.services)) - {item["name"] for item in policy["services"]}
    assert undocumented == {"Legacy Billing", "Analytics Pipeline"}  # drift 6, and Data's
    legacy = by_name(demo.services)["Legacy Billing"]
    assert legacy.status == "active"
    assert demo.escalation_policies_by_id[legacy.escalation_policy_id].name == (
        "Production - Platform")
    assert {team.name for team in demo.teams} == {"Platform", "Security", "Data"}
    assert policy["scope"] == {"teams": ["Platform", "Security"]}
    assert [priority.name for priority in demo.priorities] == ["P1", "P2", "P3", "P4", "P5"]
    assert all(user.email.endswith("@acme.example") for user in demo.users)


def cumulative_minutes(delays: list[int]) -> list[int]:
    return [sum(delays[:level]) for level in range(len(delays) + 1)]


def test_escalation_policies_match_the_policy_except_one_delay(
    demo: Account, policy: dict[str, Any],
) -> None:
    users = {user.id: user.email for user in demo.users}
    schedules = {schedule.id: schedule.name for schedule in demo.schedules}
    mismatches = []
    for documented in policy["escalation_policies"]:
        live = by_name(demo.escalation_policies)[documented["name"]]
        assert (live.num_loops, live.on_call_handoff_notifications) == (
            documented["loops"], documented["handoff_notifications"])
        assert [demo.teams_by_id[team].name for team in live.team_ids] == [documented["team"]]
        for level, rule in zip(documented["levels"], live.rules, strict=True):
            assert [{"schedule": schedules[target.id]} if target.kind == "schedule"
                    else {"user": users[target.id]} for target in rule.targets] == level["targets"]
        engaged = [0, *(int(level["engaged_after"].removesuffix("m"))
                        for level in documented["levels"][1:]),
                   int(documented["repeat_after"].removesuffix("m"))]
        live_engaged = cumulative_minutes([rule.escalation_delay_in_minutes
                                           for rule in live.rules])
        mismatches += [(live.name, level, documented_at, live_at)
                       for level, (documented_at, live_at) in enumerate(
                           zip(engaged, live_engaged, strict=True), start=1)
                       if documented_at != live_at]
    # drift 1: rule 3 waits 20 minutes, so level 4 comes at 40 (documented 30), the loop at 50
    assert mismatches == [("Production - Platform", 4, 30, 40),
                          ("Production - Platform", 5, 40, 50)]
    platform = by_name(demo.escalation_policies)["Production - Platform"]
    assert [rule.escalation_delay_in_minutes for rule in platform.rules] == [10, 10, 20, 10]


def test_schedules_match_the_policy_except_primary_size_and_secondary_gap(
    demo: Account, policy: dict[str, Any],
) -> None:
    since, until = NOW, NOW + timedelta(days=28)
    short, uncovered = [], []
    for documented in policy["schedules"]:
        live = by_name(demo.schedules)[documented["name"]]
        assert live.zone.key == documented["time_zone"]
        assert [layer.rotation_turn_length_seconds for layer in live.layers] == [7 * 24 * 3600]
        if len(live.user_ids) < documented["min_participants"]:
            short.append((live.name, len(live.user_ids)))
        final = render_schedule(live, since, until).final
        if coverage_percentage(final, since, until) < 100:
            uncovered.append(live.name)
    assert short == [("Platform - Primary", 5)]  # drift 2
    # drift 3, and Platform - Daytime, which covers business hours only, as documented
    assert uncovered == ["Platform - Secondary", "Platform - Daytime"]


def test_secondary_gap_is_saturday_midnight_to_eight(demo: Account) -> None:
    secondary = by_name(demo.schedules)["Platform - Secondary"]
    since, until = NOW, NOW + timedelta(days=21)
    final = render_schedule(secondary, since, until).final
    gaps = [(before.end.astimezone(NY), after.start.astimezone(NY))
            for before, after in itertools.pairwise(final) if before.end < after.start]
    assert len(gaps) == 3
    for start, end in gaps:
        assert (start.isoweekday(), start.hour, end.isoweekday(), end.hour) == (6, 0, 6, 8)
        assert end - start == timedelta(hours=8)


def test_services_match_their_tiers_except_two_drifts(
    demo: Account, policy: dict[str, Any],
) -> None:
    tiers = policy["tiers"]
    drifts = []
    for documented in policy["services"]:
        live = by_name(demo.services)[documented["name"]]
        tier = tiers[documented["tier"]]
        assert [demo.teams_by_id[team].name for team in live.team_ids] == [documented["team"]]
        if tier["urgency"] == "support_hours":
            assert (live.urgency_rule.type, live.urgency_rule.during_support_hours,
                    live.urgency_rule.outside_support_hours) == ("use_support_hours", "high",
                                                                 "low")
            assert live.support_hours is not None
            days = tuple(WEEKDAYS.index(day) + 1 for day in documented["support_hours"]["days"])
            assert (live.support_hours.days_of_week, live.support_hours.start_time,
                    live.support_hours.end_time) == (days, "09:00:00", "17:00:00")
            assert live.support_hours.zone.key == documented["support_hours"]["time_zone"]
        elif (live.urgency_rule.type, live.urgency_rule.urgency) != ("constant", "high"):
            drifts.append((live.name, "urgency", live.urgency_rule.urgency))
        expected_ack = {"30m": 1800, "disabled": None}[tier["acknowledgement_timeout"]]
        if live.acknowledgement_timeout != expected_ack:
            drifts.append((live.name, "ack", live.acknowledgement_timeout))
        assert live.auto_resolve_timeout == {"4h": 14400, "24h": 86400}[
            tier["auto_resolve_timeout"]]
        assert bool(live.integrations) == (live.name != "Internal Admin")
    assert drifts == [("Payments API", "urgency", "low"),  # drift 4
                      ("Identity Service", "ack", None)]  # drift 5


def test_one_security_responder_is_reachable_by_push_only(demo: Account) -> None:
    def pages_by_phone(user: Any) -> bool:
        return any(rule.urgency == "high"
                   and user.contact_method(rule.contact_method_id).kind in ("phone", "sms")
                   for rule in user.notification_rules)

    on_call = {user_id for schedule in demo.schedules for user_id in schedule.user_ids}
    unreachable = [user for user in demo.users if user.id in on_call and not pages_by_phone(user)]
    assert [user.email for user in unreachable] == ["pavel.novak@acme.example"]  # drift 7
    security = by_name(demo.schedules)["Security - On-call"]
    assert unreachable[0].id in security.user_ids
    kinds = {unreachable[0].contact_method(rule.contact_method_id).kind
             for rule in unreachable[0].notification_rules if rule.urgency == "high"}
    assert kinds == {"push_notification"}


def test_incident_history(demo: Account) -> None:
    incidents = list(demo.incidents)
    priorities = {priority.id: priority.name for priority in demo.priorities}
    assert 35 <= len(incidents) <= 45
    assert all(NOW - timedelta(days=183) <= incident.created_at < NOW for incident in incidents)
    assert {priorities[incident.priority_id or ""] for incident in incidents} == {
        "P1", "P2", "P3", "P4"}
    assert all(incident.status == "resolved" and incident.resolved_at is not None
               and incident.resolved_at < NOW for incident in incidents)
    breaches = [incident for incident in incidents
                if priorities[incident.priority_id or ""] in SLA_MINUTES
                and incident.acknowledged_at is not None
                and incident.acknowledged_at - incident.created_at
                > timedelta(minutes=SLA_MINUTES[priorities[incident.priority_id or ""]])]
    assert 3 <= len(breaches) <= len(incidents) // 3
    serious = [incident for incident in incidents
               if priorities[incident.priority_id or ""] in ("P1", "P2")]
    without_postmortem = [
        incident for incident in serious
        if not any(f"https://wiki.acme.example/postmortems/{incident.id}" in note.content
                   for note in incident.notes)]
    assert [priorities[incident.priority_id or ""] for incident in without_postmortem] == ["P1"]


def test_incidents_were_handled_by_who_was_on_call(demo: Account) -> None:
    for incident in demo.incidents:
        policy = demo.escalation_policies_by_id[incident.escalation_policy_id]
        first_level = demo.schedules_by_id[policy.rules[0].targets[0].id]
        on_call = render_schedule(first_level, incident.created_at,
                                  incident.created_at + timedelta(seconds=1)).final
        assert [entry.user_id for entry in on_call] == [incident.assigned_user_id]


def test_audit_trail_records_the_drifting_changes(demo: Account) -> None:
    records = demo.audit_records
    assert 15 <= len(records) <= 25
    assert [record.execution_time for record in records] == sorted(
        (record.execution_time for record in records), reverse=True)
    changed = {record.root_resource_name for record in records}
    assert {"Production - Platform", "Payments API", "Identity Service", "Legacy Billing",
            "Platform - Primary", "Platform - Secondary", "Pavel Novak"} <= changed
    assert any(NOW - record.execution_time < timedelta(hours=24) for record in records)


def test_new_york_is_named_the_rails_way_twice(client: httpx.Client, demo: Account) -> None:
    """PagerDuty may write either name; the demo serves both, so the end-to-end runs read both."""
    schedules = {item["name"]: item["time_zone"]
                 for item in client.get("/schedules").json()["schedules"]}
    services = {item["name"]: (item["support_hours"] or {}).get("time_zone")
                for item in client.get("/services").json()["services"]}
    assert {name for name, zone in schedules.items() if zone == "Eastern Time (US & Canada)"} == {
        "Platform - Secondary"}
    assert {name for name, zone in services.items() if zone == "Eastern Time (US & Canada)"} == {
        "Internal Admin"}
    assert set(schedules.values()) | set(services.values()) == {
        "America/New_York", "Eastern Time (US & Canada)", None}


def test_now_defaults_to_the_current_minute() -> None:
    account = demo_account()
    assert abs(account.now - datetime.now(timezone.utc)) < timedelta(minutes=2)
    assert account.now.second == 0


def test_low_urgency_rules_are_hidden_unless_asked(client: httpx.Client, demo: Account) -> None:
    user = demo.users[0]
    path = f"/users/{user.id}/notification_rules"
    urgencies = {query: [rule["urgency"] for rule in client.get(
        path, params={"urgency": query} if query else {}).json()["notification_rules"]]
        for query in ("", "high", "low", "all")}
    assert urgencies == {"": ["high", "high"], "high": ["high", "high"],
                         "low": ["low"], "all": ["high", "high", "low"]}
