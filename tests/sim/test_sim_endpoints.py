"""What the endpoints answer: filters, includes, time windows and their limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sim_cases import NOW, TOKEN

from pdlint.sim import Account, SimServer
from pdlint.sim.endpoints import add_months


def names(body: dict[str, Any], key: str) -> list[str]:
    return [item["name"] for item in body[key]]


def ids_of(account: Account, kind: str, *wanted: str) -> list[str]:
    return [item.id for name in wanted for item in getattr(account, kind) if item.name == name]


def get(client: httpx.Client, path: str, **query: Any) -> dict[str, Any]:
    response = client.get(path, params=query)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ["Analytics Pipeline", "Checkout API", "Identity Service", "Internal Admin",
          "Legacy Billing", "Payments API", "Security Monitoring", "Status Page",
          "Web Application Firewall"]),
    ({"query": "API"}, ["Checkout API", "Payments API"]),
    ({"query": "api"}, ["Checkout API", "Payments API"]),
    ({"name": "Payments API"}, ["Payments API"]),
    ({"name": "payments api"}, []),
    ({"sort_by": "name:desc", "limit": 2}, ["Web Application Firewall", "Status Page"]),
])
def test_service_filters(client: httpx.Client, query: dict[str, Any],
                         expected: list[str]) -> None:
    assert names(get(client, "/services", **query), "services") == expected


def test_team_filter_accepts_repeated_ids(client: httpx.Client, demo: Account) -> None:
    security = ids_of(demo, "teams", "Security")
    assert names(get(client, "/services", **{"team_ids[]": security}), "services") == [
        "Security Monitoring", "Web Application Firewall"]
    both = ids_of(demo, "teams", "Security", "Platform")
    assert len(get(client, "/services", **{"team_ids[]": both})["services"]) == 8


def test_escalation_policies_by_user_follow_schedules(client: httpx.Client,
                                                      demo: Account) -> None:
    pavel = [user.id for user in demo.users if user.email.startswith("pavel.novak")]
    cto = [user.id for user in demo.users if user.email.startswith("cto@")]
    assert names(get(client, "/escalation_policies", **{"user_ids[]": pavel}),
                 "escalation_policies") == ["Security - Incident Response"]
    assert len(get(client, "/escalation_policies", **{"user_ids[]": cto})[
        "escalation_policies"]) == 2


@pytest.mark.parametrize(("include", "field", "expanded_type"), [
    ([], "contact_methods", "phone_contact_method_reference"),
    (["contact_methods"], "contact_methods", "phone_contact_method"),
    (["notification_rules"], "notification_rules", "assignment_notification_rule"),
    (["teams"], "teams", "team"),
])
def test_user_includes_expand_references(client: httpx.Client, include: list[str], field: str,
                                         expanded_type: str) -> None:
    user = get(client, "/users", **{"include[]": include})["users"][0]
    assert expanded_type in {item["type"] for item in user[field]}


def test_service_includes_expand_the_policy(client: httpx.Client) -> None:
    plain = get(client, "/services", limit=1)["services"][0]
    expanded = get(client, "/services", limit=1, **{"include[]": "escalation_policies"})[
        "services"][0]
    assert plain["escalation_policy"]["type"] == "escalation_policy_reference"
    assert expanded["escalation_policy"]["type"] == "escalation_policy"
    assert expanded["escalation_policy"]["escalation_rules"]


def test_timeouts_are_null_when_disabled(client: httpx.Client, demo: Account) -> None:
    [identity] = ids_of(demo, "services", "Identity Service")
    service = get(client, f"/services/{identity}")["service"]
    assert service["acknowledgement_timeout"] is None
    assert service["auto_resolve_timeout"] == 14400


def test_schedule_lists_render_only_what_is_included(client: httpx.Client) -> None:
    plain = get(client, "/schedules")["schedules"][0]
    assert "schedule_layers" not in plain and "final_schedule" not in plain
    rendered = get(client, "/schedules", since="2026-03-02T00:00:00Z",
                   until="2026-03-09T00:00:00Z", **{"include[]": "final_schedule"})
    final = rendered["schedules"][0]["final_schedule"]
    assert final["rendered_coverage_percentage"] == 100.0
    assert final["rendered_schedule_entries"]


def test_schedule_show_renders_in_the_schedule_zone_by_default(
    client: httpx.Client, demo: Account,
) -> None:
    [primary] = ids_of(demo, "schedules", "Platform - Primary")
    schedule = get(client, f"/schedules/{primary}", since="2026-03-02T00:00:00Z")["schedule"]
    entries = schedule["final_schedule"]["rendered_schedule_entries"]
    assert entries[0]["start"] == "2026-03-01T19:00:00-05:00"  # the window start, in New York
    # until defaults to two weeks after since; daylight saving time began in between
    assert entries[-1]["end"] == "2026-03-15T20:00:00-04:00"
    utc = get(client, f"/schedules/{primary}", since="2026-03-02T00:00:00Z",
              time_zone="UTC")["schedule"]
    assert utc["final_schedule"]["rendered_schedule_entries"][0]["start"] == (
        "2026-03-02T00:00:00Z")


def test_schedule_show_without_a_window_renders_nothing(client: httpx.Client,
                                                        demo: Account) -> None:
    [primary] = ids_of(demo, "schedules", "Platform - Primary")
    schedule = get(client, f"/schedules/{primary}")["schedule"]
    assert schedule["final_schedule"] == {"name": "Final Schedule",
                                          "rendered_schedule_entries": [],
                                          "rendered_coverage_percentage": None}
    assert len(schedule["schedule_layers"][0]["users"]) == 5


def test_overrides_in_a_window(client: httpx.Client, demo: Account) -> None:
    [primary] = ids_of(demo, "schedules", "Platform - Primary")
    override = demo.schedules_by_id[primary].overrides[0]
    inside = get(client, f"/schedules/{primary}/overrides",
                 since=NOW.isoformat(), until=(NOW + timedelta(days=7)).isoformat())
    assert [item["id"] for item in inside["overrides"]] == [override.id]
    before = get(client, f"/schedules/{primary}/overrides",
                 since=(NOW - timedelta(days=7)).isoformat(), until=NOW.isoformat())
    assert before["overrides"] == []


def test_oncalls_now(client: httpx.Client, demo: Account) -> None:
    oncalls = get(client, "/oncalls", limit=100)["oncalls"]
    permanent = [oncall for oncall in oncalls if oncall["schedule"] is None]
    scheduled = [oncall for oncall in oncalls if oncall["schedule"] is not None]
    assert all(oncall["start"] is None and oncall["end"] is None for oncall in permanent)
    assert {(oncall["escalation_policy"]["summary"], oncall["escalation_level"])
            for oncall in permanent} == {("Production - Platform", 4),
                                         ("Security - Incident Response", 2),
                                         ("Security - Incident Response", 3)}
    # Five schedules, one person each at this moment (Monday 07:00 in New York), and
    # Engineering Managers again at level 2 of Status Page; Platform - Daytime has nobody
    # before 09:00.
    assert len(scheduled) == 6
    assert all(oncall["start"] < "2026-03-02T12:00:01" for oncall in scheduled)


def test_oncalls_earliest_and_horizon(client: httpx.Client, demo: Account) -> None:
    [primary] = ids_of(demo, "schedules", "Platform - Primary")
    window = {"since": NOW.isoformat(), "until": (NOW + timedelta(days=60)).isoformat(),
              "schedule_ids[]": primary, "limit": 100}
    every = get(client, "/oncalls", **window)["oncalls"]
    earliest = get(client, "/oncalls", earliest="true", **window)["oncalls"]
    assert len(every) > len(earliest) == 5  # five people in rotation, each once
    too_far = client.get("/oncalls", params={"until": (NOW + timedelta(days=91)).isoformat()})
    assert too_far.status_code == 400


@pytest.mark.parametrize(("query", "count"), [
    ({}, None),  # the last month
    ({"date_range": "all"}, 40),
    ({"since": "2025-09-02T12:00:00Z", "until": "2026-03-02T12:00:00Z"}, 40),
    ({"date_range": "all", "urgencies[]": "low"}, None),
    ({"date_range": "all", "statuses[]": ["triggered", "acknowledged"]}, 0),
])
def test_incident_windows_and_filters(client: httpx.Client, demo: Account,
                                      query: dict[str, Any], count: int | None) -> None:
    body = get(client, "/incidents", limit=100, total="true", **query)
    incidents = list(demo.incidents)
    if count is None and "urgencies[]" in query:
        count = sum(incident.urgency == "low" for incident in incidents)
    elif count is None:
        count = sum(incident.created_at >= add_months(NOW, -1) for incident in incidents)
    assert body["total"] == len(body["incidents"]) == count


def test_incident_window_is_at_most_six_months(client: httpx.Client) -> None:
    ok = client.get("/incidents", params={"since": "2025-09-02T12:00:00Z",
                                          "until": "2026-03-02T12:00:00Z"})
    too_long = client.get("/incidents", params={"since": "2025-09-02T11:59:00Z",
                                                "until": "2026-03-02T12:00:00Z"})
    assert (ok.status_code, too_long.status_code) == (200, 400)


def test_incident_sorting(client: httpx.Client) -> None:
    numbers = [incident["incident_number"] for incident in get(
        client, "/incidents", date_range="all", sort_by="created_at:desc", limit=100)[
        "incidents"]]
    assert numbers == sorted(numbers, reverse=True)


def test_incident_by_number_or_id(client: httpx.Client, demo: Account) -> None:
    incident = demo.incidents[5]
    assert get(client, f"/incidents/{incident.id}")["incident"]["incident_number"] == 6
    assert get(client, "/incidents/6")["incident"]["id"] == incident.id


def test_resolved_incidents_keep_no_acknowledgements(client: httpx.Client) -> None:
    incidents = get(client, "/incidents", date_range="all", limit=100)["incidents"]
    assert all(incident["acknowledgements"] == [] and incident["assignments"] == []
               for incident in incidents)


def test_log_entries_tell_the_incident_story(client: httpx.Client, demo: Account) -> None:
    incident = next(incident for incident in demo.incidents if incident.escalations)
    entries = get(client, f"/incidents/{incident.id}/log_entries")["log_entries"]
    kinds = [entry["type"] for entry in reversed(entries)]
    assert kinds[:3] == ["trigger_log_entry", "assign_log_entry", "notify_log_entry"]
    assert "escalate_log_entry" in kinds and kinds[-1] == "resolve_log_entry"
    overview = get(client, f"/incidents/{incident.id}/log_entries", is_overview="true")
    assert {entry["type"] for entry in overview["log_entries"]} <= {
        "trigger_log_entry", "acknowledge_log_entry", "escalate_log_entry", "resolve_log_entry"}


def test_account_log_entries_cover_a_window(client: httpx.Client, demo: Account) -> None:
    since, until = NOW - timedelta(days=30), NOW
    body = get(client, "/log_entries", since=since.isoformat(), until=until.isoformat(),
               limit=100, total="true")
    times = [entry["created_at"] for entry in body["log_entries"]]
    assert times == sorted(times, reverse=True)
    assert body["total"] > 0
    assert all(since.isoformat()[:19] <= time[:19] < until.isoformat()[:19] for time in times)


def test_analytics_agree_with_the_incidents(client: httpx.Client, demo: Account) -> None:
    body = client.post("/analytics/raw/incidents", json={"limit": 1000}).json()
    by_id = {incident.id: incident for incident in demo.incidents}
    assert len(body["data"]) == len(by_id)
    assert [item["created_at"] for item in body["data"]] == sorted(
        (item["created_at"] for item in body["data"]), reverse=True)
    for item in body["data"]:
        incident = by_id[item["id"]]
        assert incident.acknowledged_at is not None and incident.resolved_at is not None
        assert item["seconds_to_first_ack"] == (
            incident.acknowledged_at - incident.created_at).total_seconds()
        assert item["seconds_to_resolve"] == (
            incident.resolved_at - incident.created_at).total_seconds()
        assert item["escalation_count"] == len(incident.escalations)


@pytest.mark.parametrize("body", [{"limit": 0}, {"limit": 1001}, {"order": "sideways"},
                                  {"filters": {"created_at_start": "yesterday"}}])
def test_analytics_refuses_bad_bodies(client: httpx.Client, body: dict[str, Any]) -> None:
    assert client.post("/analytics/raw/incidents", json=body).status_code == 400


def test_audit_records_default_to_the_last_day_and_at_most_31_days(
    client: httpx.Client, demo: Account,
) -> None:
    recent = get(client, "/audit/records")["records"]
    assert [record["id"] for record in recent] == [
        record.id for record in demo.audit_records
        if record.execution_time > NOW - timedelta(hours=24)]
    assert recent
    month = {"since": (NOW - timedelta(days=31)).isoformat(), "until": NOW.isoformat()}
    assert len(get(client, "/audit/records", **month)["records"]) > len(recent)
    too_long = {"since": (NOW - timedelta(days=31, seconds=1)).isoformat(),
                "until": NOW.isoformat()}
    assert client.get("/audit/records", params=too_long).status_code == 400


def test_abilities(client: httpx.Client) -> None:
    assert "teams" in get(client, "/abilities")["abilities"]
    assert client.get("/abilities/teams").status_code == 204
    missing = client.get("/abilities/coffee")
    assert (missing.status_code, missing.json()["error"]["code"]) == (402, 2014)


@pytest.mark.parametrize(("path", "query"), [
    ("/incidents", {"since": "last tuesday"}),
    ("/oncalls", {"time_zone": "Mars/Olympus_Mons"}),
    ("/users", {"limit": "many"}),
    ("/services", {"sort_by": "colour"}),
    ("/users/PU00000/notification_rules", {"urgency": "medium"}),
    ("/audit/records", {"cursor": "not-a-cursor"}),
    ("/maintenance_windows", {"filter": "soon"}),
    ("/incident_workflows/triggers", {"trigger_type": "sometimes"}),
    ("/incident_workflows/triggers", {"sort_by": "colour"}),
])
def test_bad_parameters_are_400(client: httpx.Client, path: str, query: dict[str, str]) -> None:
    response = client.get(path, params=query)
    assert response.status_code == 400
    assert response.json()["error"]["errors"]


def test_times_without_offset_are_read_in_the_account_zone(client: httpx.Client) -> None:
    local = get(client, "/incidents", since="2026-02-01T00:00:00", until="2026-03-01T00:00:00",
                total="true")
    utc = get(client, "/incidents", since="2026-02-01T05:00:00Z", until="2026-03-01T05:00:00Z",
              total="true")
    assert local["total"] == utc["total"]  # New York is UTC-5 in winter


@pytest.mark.parametrize(("query", "states"), [
    ({}, {"past", "ongoing", "future"}),
    ({"filter": "all"}, {"past", "ongoing", "future"}),
    ({"filter": "past"}, {"past"}),
    ({"filter": "ongoing"}, {"ongoing"}),
    ({"filter": "future"}, {"future"}),
    ({"filter": "open"}, {"ongoing", "future"}),
])
def test_maintenance_windows_by_state(small_generated: Account, query: dict[str, str],
                                      states: set[str]) -> None:
    with SimServer(small_generated, token=TOKEN) as server, httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Token token={TOKEN}"}) as http:
        listed = get(http, "/maintenance_windows", **query)["maintenance_windows"]
    expected = [window for window in small_generated.maintenance_windows
                if window.state(small_generated.now) in states]
    assert len(expected) >= len(states) * 2  # every state asked for is there to be told apart
    assert sorted(window["id"] for window in listed) == sorted(window.id for window in expected)


def test_maintenance_windows_by_service_and_team(client: httpx.Client, demo: Account) -> None:
    [window] = demo.maintenance_windows
    [service_id] = window.service_ids
    [team_id] = demo.services_by_id[service_id].team_ids
    other = next(service.id for service in demo.services if service.id != service_id)
    assert [item["id"] for item in get(client, "/maintenance_windows", **{
        "service_ids[]": [other, service_id]})["maintenance_windows"]] == [window.id]
    assert get(client, "/maintenance_windows", **{"service_ids[]": other})[
        "maintenance_windows"] == []
    listed = get(client, "/maintenance_windows", **{"team_ids[]": team_id, "include[]": "users"})
    [shown] = listed["maintenance_windows"]
    assert (shown["teams"][0]["id"], shown["created_by"]["email"]) == (
        team_id, demo.users_by_id[window.created_by_user_id or ""].email)
    assert shown["start_time"] < shown["end_time"] and shown["summary"] == window.description


def test_incident_workflows_show_their_steps_only_when_asked(client: httpx.Client) -> None:
    [plain] = get(client, "/incident_workflows")["incident_workflows"]
    [full] = get(client, "/incident_workflows", **{"include[]": ["steps", "team"]})[
        "incident_workflows"]
    assert "steps" not in plain and "team" not in plain
    assert [step["action_configuration"]["action_id"] for step in full["steps"]] == [
        "pagerduty.com:incident-workflows:add-responders:2",
        "pagerduty.com:incident-workflows:add-conference-bridge:5"]
    assert full["team"]["type"] == "team_reference"
    assert get(client, "/incident_workflows", query="nothing like it")["incident_workflows"] == []


def test_workflow_triggers_by_service_and_cursor(small_generated: Account) -> None:
    """A trigger on every service counts for each; pages follow the cursor to the end."""
    account = small_generated
    service_id = next((service_id for trigger in account.workflow_triggers
                       for service_id in trigger.service_ids), account.services[0].id)
    expected = sorted(trigger.id for trigger in account.workflow_triggers
                      if trigger.all_services or service_id in trigger.service_ids)
    with SimServer(account, token=TOKEN) as server, httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Token token={TOKEN}"}) as http:
        listed = get(http, "/incident_workflows/triggers", service_id=service_id)["triggers"]
        seen, cursor, pages = [], None, 0
        while True:
            page = get(http, "/incident_workflows/triggers", limit=2,
                       **({"cursor": cursor} if cursor else {}))
            seen += [trigger["id"] for trigger in page["triggers"]]
            pages += 1
            cursor = page["next_cursor"]
            assert page["more"] is (cursor is not None)
            if cursor is None:
                break
    assert sorted(trigger["id"] for trigger in listed) == expected
    assert seen == [trigger.id for trigger in account.workflow_triggers]
    assert pages == -(-len(account.workflow_triggers) // 2) > 1


def test_alert_grouping_settings_page_by_after_and_before(small_generated: Account) -> None:
    """``after`` leads to the next page and is absent on the last, ``before`` leads back and is
    absent on the first; ``service_ids[]`` keeps the settings holding those services; a service
    a setting holds references it instead of grouping by itself."""
    account = small_generated
    settings = [setting.id for setting in account.alert_grouping_settings]
    held = account.alert_grouping_settings[-1]
    with SimServer(account, token=TOKEN) as server, httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Token token={TOKEN}"}) as http:
        pages, after = [], None
        while True:
            page = get(http, "/alert_grouping_settings", limit=3,
                       **({"after": after} if after else {}))
            pages.append(page)
            after = page.get("after")
            if after is None:
                break
        back = get(http, "/alert_grouping_settings", limit=3, before=pages[-1]["before"])
        chosen = get(http, "/alert_grouping_settings", **{"service_ids[]": held.service_ids[0]})
        service = get(http, f"/services/{held.service_ids[0]}")["service"]
    assert [setting["id"] for page in pages for setting in page["alert_grouping_settings"]] == (
        settings) and len(pages) == 2
    assert ("before" in pages[0], "before" in pages[1]) == (False, True)
    assert [setting["id"] for setting in back["alert_grouping_settings"]] == settings[:3]
    assert [setting["id"] for setting in chosen["alert_grouping_settings"]] == [held.id]
    assert service["alert_grouping_parameters"] == {
        "id": held.id, "type": "alert_grouping_setting_reference", "summary": held.name,
        "self": f"{server.base_url}/alert_grouping_settings/{held.id}",
        "html_url": f"https://{account.subdomain}.pagerduty.com/alert-grouping-settings/{held.id}"}
