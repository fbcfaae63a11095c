"""Every endpoint's answers, checked against the official spec's response schemas.

The spec is adapted only in ``sim_spec.DEVIATIONS``; everything else must hold as published.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sim_cases import NOW, TOKEN
from sim_spec import SpecValidator

from pdlint.sim import Account, Faults, SimServer

SINCE = "2026-02-20T00:00:00Z"
UNTIL = "2026-03-06T00:00:00Z"

# (spec path, URL with {placeholders} of demo ids, query)
GET_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("/escalation_policies", "/escalation_policies", {}),
    ("/escalation_policies", "/escalation_policies",
     {"include[]": ["services", "teams", "targets"], "total": "true"}),
    ("/escalation_policies", "/escalation_policies",
     {"include[]": ["escalation_rule_assignment_strategies"]}),
    ("/escalation_policies/{id}", "/escalation_policies/{policy}", {}),
    ("/escalation_policies/{id}", "/escalation_policies/{policy}",
     {"include[]": ["services", "teams", "targets"]}),
    ("/schedules", "/schedules", {}),
    ("/schedules", "/schedules",
     {"include[]": ["schedule_layers", "final_schedule", "overrides_subschedule"],
      "since": SINCE, "until": UNTIL, "time_zone": "Europe/Berlin"}),
    ("/schedules/{id}", "/schedules/{schedule}", {}),
    ("/schedules/{id}", "/schedules/{schedule}", {"since": SINCE, "until": UNTIL}),
    ("/schedules/{id}", "/schedules/{gap_schedule}",
     {"since": SINCE, "until": UNTIL, "overflow": "true", "time_zone": "UTC"}),
    ("/schedules/{id}/overrides", "/schedules/{schedule}/overrides",
     {"since": SINCE, "until": UNTIL}),
    ("/schedules/{id}/users", "/schedules/{schedule}/users", {"since": SINCE, "until": UNTIL}),
    ("/v3/schedules", "/v3/schedules", {}),
    ("/services", "/services", {}),
    ("/services", "/services",
     {"include[]": ["escalation_policies", "teams", "integrations"], "sort_by": "name:desc"}),
    ("/services/{id}", "/services/{service}", {}),
    ("/services/{id}", "/services/{support_hours_service}",
     {"include[]": ["escalation_policies", "teams", "integrations"]}),
    ("/users", "/users", {}),
    ("/users", "/users", {"include[]": ["contact_methods", "notification_rules", "teams"]}),
    ("/users/{id}", "/users/{user}", {}),
    ("/users/{id}", "/users/{user}", {"include[]": ["contact_methods", "notification_rules"]}),
    ("/users/{id}/contact_methods", "/users/{user}/contact_methods", {}),
    ("/users/{id}/notification_rules", "/users/{user}/notification_rules", {}),
    ("/users/{id}/notification_rules", "/users/{user}/notification_rules",
     {"urgency": "all", "include[]": "contact_methods"}),
    ("/teams", "/teams", {}),
    ("/teams/{id}", "/teams/{team}", {}),
    ("/teams/{id}/members", "/teams/{team}/members", {}),
    ("/teams/{id}/members", "/teams/{team}/members", {"include[]": "users"}),
    ("/priorities", "/priorities", {}),
    ("/maintenance_windows", "/maintenance_windows", {}),
    ("/maintenance_windows", "/maintenance_windows",
     {"filter": "ongoing", "service_ids[]": "{maintained_service}",
      "include[]": ["services", "teams", "users"], "total": "true"}),
    ("/incident_workflows", "/incident_workflows", {}),
    ("/incident_workflows", "/incident_workflows",
     {"include[]": ["steps", "team"], "total": "true", "query": "major"}),
    ("/incident_workflows/triggers", "/incident_workflows/triggers", {}),
    ("/incident_workflows/triggers", "/incident_workflows/triggers",
     {"service_id": "{maintained_service}", "trigger_type": "conditional",
      "sort_by": "workflow_name desc", "limit": 10}),
    ("/event_orchestrations", "/event_orchestrations", {}),
    ("/event_orchestrations", "/event_orchestrations", {"sort_by": "routes:desc", "limit": 1}),
    ("/alert_grouping_settings", "/alert_grouping_settings", {}),
    ("/alert_grouping_settings", "/alert_grouping_settings",
     {"service_ids[]": "{maintained_service}", "total": "true", "limit": 1}),
    ("/event_orchestrations/{id}/router", "/event_orchestrations/{orchestration}/router", {}),
    ("/event_orchestrations/services/{service_id}",
     "/event_orchestrations/services/{orchestrated_service}", {}),
    ("/event_orchestrations/services/{service_id}",
     "/event_orchestrations/services/{service}", {"include[]": "migrated_metadata"}),
    ("/event_orchestrations/services/{service_id}/active",
     "/event_orchestrations/services/{orchestrated_service}/active", {}),
    ("/abilities", "/abilities", {}),
    ("/oncalls", "/oncalls", {}),
    ("/oncalls", "/oncalls",
     {"since": SINCE, "until": UNTIL, "include[]": ["escalation_policies", "users"],
      "earliest": "true"}),
    ("/incidents", "/incidents", {"since": "2025-09-03T00:00:00Z", "until": "2026-03-02T00:00:00Z",
                                  "limit": 100}),
    ("/incidents", "/incidents", {"date_range": "all", "statuses[]": "resolved",
                                  "sort_by": "created_at:desc", "include[]": "priorities"}),
    ("/incidents/{id}", "/incidents/{incident}", {}),
    ("/incidents/{id}/log_entries", "/incidents/{incident}/log_entries", {}),
    ("/incidents/{id}/log_entries", "/incidents/{incident}/log_entries", {"is_overview": "true"}),
    ("/incidents/{id}/notes", "/incidents/{noted_incident}/notes", {}),
    ("/incidents/{id}", "/incidents/{requested_incident}", {}),
    ("/incidents/{id}/status_updates/subscribers",
     "/incidents/{requested_incident}/status_updates/subscribers", {}),
    ("/incidents/{id}/status_updates/subscribers",
     "/incidents/{incident}/status_updates/subscribers", {}),
    ("/log_entries", "/log_entries", {"since": "2025-12-01T00:00:00Z", "limit": 100}),
    ("/audit/records", "/audit/records",
     {"since": "2026-01-31T12:00:00Z", "until": "2026-03-02T12:00:00Z"}),
    ("/audit/records", "/audit/records",
     {"since": "2026-01-31T12:00:00Z", "until": "2026-03-02T12:00:00Z",
      "root_resource_types[]": ["services", "escalation_policies"], "limit": 2}),
]


def demo_ids(account: Account) -> dict[str, str]:
    """Placeholders of ``GET_CASES``: demo objects chosen for what they exercise."""
    services = {service.name: service.id for service in account.services}
    schedules = {schedule.name: schedule.id for schedule in account.schedules}
    noted = next(incident for incident in account.incidents if incident.notes)
    requested = next(incident for incident in account.incidents
                     if incident.responder_requests and incident.subscriber_user_ids)
    return {
        "policy": account.escalation_policies[0].id,
        "schedule": schedules["Platform - Primary"],
        "gap_schedule": schedules["Platform - Secondary"],
        "service": services["Identity Service"],
        "support_hours_service": services["Internal Admin"],
        "maintained_service": services["Web Application Firewall"],
        "orchestrated_service": services["Checkout API"],
        "orchestration": account.event_orchestrations[0].id,
        "user": account.users[0].id,
        "team": account.teams[0].id,
        "incident": account.incidents[len(account.incidents) - 1].id,
        "noted_incident": noted.id,
        "requested_incident": requested.id,
    }


def assert_conforms(spec_validator: SpecValidator, method: str, spec_path: str,
                    response: httpx.Response) -> None:
    errors = spec_validator.errors(method, spec_path, response.status_code, response.json())
    assert errors == [], f"{method} {response.url} breaks the spec:\n" + "\n".join(errors[:20])


@pytest.mark.parametrize(("spec_path", "url", "query"), GET_CASES,
                         ids=[f"{case[1]}?{'&'.join(case[2])}" for case in GET_CASES])
def test_get_answers_match_the_spec(
    client: httpx.Client, demo: Account, spec_validator: SpecValidator,
    spec_path: str, url: str, query: dict[str, Any],
) -> None:
    ids = demo_ids(demo)
    response = client.get(url.format(**ids), params={
        name: value.format(**ids) if isinstance(value, str) else value
        for name, value in query.items()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert any(body.values()), "an empty answer proves nothing about its shape"
    assert_conforms(spec_validator, "GET", spec_path, response)


def test_analytics_raw_incidents_match_the_spec(
    client: httpx.Client, spec_validator: SpecValidator,
) -> None:
    response = client.post("/analytics/raw/incidents", json={
        "filters": {"created_at_start": "2025-09-01T00:00:00Z",
                    "created_at_end": "2026-03-01T00:00:00Z", "urgency": "high"},
        "limit": 5, "order": "asc"})
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 5
    assert_conforms(spec_validator, "POST", "/analytics/raw/incidents", response)


@pytest.mark.parametrize(("spec_path", "url", "query"), [
    ("/v3/schedules", "/v3/schedules", {}),
    ("/incidents", "/incidents", {"date_range": "all", "limit": 100}),
    ("/services", "/services", {"include[]": ["integrations"], "limit": 100}),
    ("/schedules", "/schedules", {"include[]": ["schedule_layers", "final_schedule"],
                                  "since": SINCE, "until": UNTIL}),
    ("/oncalls", "/oncalls", {"limit": 100}),
    ("/maintenance_windows", "/maintenance_windows", {"filter": "all"}),
    ("/maintenance_windows", "/maintenance_windows",
     {"filter": "past", "limit": 100, "offset": 0, "total": "true"}),
    ("/incident_workflows", "/incident_workflows", {"include[]": "steps"}),
    ("/incident_workflows/triggers", "/incident_workflows/triggers", {"limit": 3}),
    ("/alert_grouping_settings", "/alert_grouping_settings", {"limit": 2}),
    ("/log_entries", "/log_entries", {"limit": 100}),
    ("/audit/records", "/audit/records",
     {"since": "2026-02-01T12:00:00Z", "until": "2026-03-02T12:00:00Z"}),
])
def test_generated_account_answers_match_the_spec(
    small_generated: Account, spec_validator: SpecValidator,
    spec_path: str, url: str, query: dict[str, Any],
) -> None:
    with SimServer(small_generated, token=TOKEN) as server, httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Token token={TOKEN}"}) as http:
        response = http.get(url, params=query)
    assert response.status_code == 200, response.text
    assert any(value for value in response.json().values() if isinstance(value, list))
    assert_conforms(spec_validator, "GET", spec_path, response)


@pytest.mark.parametrize("query", [
    {}, {"include[]": "final_schedule", "since": SINCE, "until": UNTIL},
    {"include[]": "final_schedule", "since": SINCE, "until": UNTIL, "overflow": "true",
     "time_zone": "Asia/Tokyo"}])
def test_a_shift_based_schedule_matches_the_spec(
        small_generated: Account, spec_validator: SpecValidator, query: dict[str, Any]) -> None:
    """Rotations with their events, and over a window the computed shifts (gaps as empty
    members)."""
    schedule_id = small_generated.v3_schedules[0].id
    with SimServer(small_generated, token=TOKEN) as server, httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Token token={TOKEN}"}) as http:
        response = http.get(f"/v3/schedules/{schedule_id}", params=query)
    assert response.status_code == 200, response.text
    schedule = response.json()["schedule"]
    assert schedule["rotations"][0]["events"][0]["assignment_strategy"]["members"]
    assert ("final_schedule" in schedule) is bool(query)
    if query:
        assert schedule["final_schedule"]["computed_shift_assignments"]
    assert_conforms(spec_validator, "GET", "/v3/schedules/{id}", response)


ERROR_CASES: list[tuple[str, str, dict[str, Any], dict[str, str], Faults, int, int]] = [
    # (spec path, URL, query, headers, faults, status, error code)
    ("/users", "/users", {}, {"Authorization": "Token token=wrong"}, Faults(), 401, 2006),
    ("/users", "/users", {}, {"Authorization": f"Bearer {TOKEN}"}, Faults(), 401, 2006),
    ("/users", "/users", {"offset": 9950, "limit": 100}, {}, Faults(), 400, 2002),
    ("/users/{id}", "/users/PNOSUCH", {}, {}, Faults(), 404, 2100),
    ("/escalation_policies", "/escalation_policies", {}, {},
     Faults(rate_limit_per_minute=1), 429, 2020),
    ("/audit/records", "/audit/records", {}, {},
     Faults(forbidden={"/audit/records": 402}), 402, 2014),
    ("/audit/records", "/audit/records", {}, {},
     Faults(forbidden={"/audit": 403}), 403, 2010),
    ("/audit/records", "/audit/records",
     {"since": "2026-01-01T00:00:00Z", "until": "2026-02-02T00:00:00Z"}, {}, Faults(), 400, 2001),
    ("/incidents", "/incidents",
     {"since": "2025-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, {}, Faults(), 400, 2001),
    ("/schedules/{id}/overrides", "/schedules/PC00000/overrides", {}, {}, Faults(), 400, 2003),
    ("/maintenance_windows", "/maintenance_windows", {"filter": "soon"}, {}, Faults(), 400, 2001),
    ("/maintenance_windows", "/maintenance_windows", {}, {},
     Faults(forbidden={"/maintenance_windows": 403}), 403, 2010),
    ("/incident_workflows", "/incident_workflows", {}, {},
     Faults(forbidden={"/incident_workflows": 402}), 402, 2014),
    ("/incident_workflows/triggers", "/incident_workflows/triggers",
     {"service_id": "PS00000", "incident_id": "Q1"}, {}, Faults(), 400, 2001),
    ("/event_orchestrations/services/{service_id}", "/event_orchestrations/services/PNOSUCH",
     {}, {}, Faults(), 404, 2100),
    ("/event_orchestrations/{id}/router", "/event_orchestrations/PNOSUCH/router",
     {}, {}, Faults(), 404, 2100),
    ("/event_orchestrations", "/event_orchestrations", {}, {},
     Faults(forbidden={"/event_orchestrations": 403}), 403, 2010),
]


@pytest.mark.parametrize(("spec_path", "url", "query", "headers", "faults", "status", "code"),
                         ERROR_CASES, ids=[f"{case[5]}-{case[1]}" for case in ERROR_CASES])
def test_error_answers_match_the_spec(
    demo_server: SimServer, client: httpx.Client, spec_validator: SpecValidator,
    spec_path: str, url: str, query: dict[str, Any], headers: dict[str, str], faults: Faults,
    status: int, code: int,
) -> None:
    demo_server.faults = faults
    responses = [client.get(url, params=query, headers=headers) for _ in range(2)]
    response = responses[-1]  # the second, so that a limit of one request is exceeded
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert_conforms(spec_validator, "GET", spec_path, response)


@pytest.mark.parametrize(("change", "complaint"), [
    (lambda service: service.pop("escalation_policy"), "'escalation_policy' is a required"),
    (lambda service: service["incident_urgency_rule"].update(urgency="medium"), "'medium'"),
    (lambda service: service.update(status="sleeping"), "'sleeping'"),
    (lambda service: service.update(created_at="yesterday"), "'yesterday' is not a 'date-time'"),
    (lambda service: service.update(acknowledgement_timeout="30m"), "'30m'"),
])
def test_the_validator_rejects_what_the_spec_forbids(
    client: httpx.Client, demo: Account, spec_validator: SpecValidator,
    change: Any, complaint: str,
) -> None:
    """Guards the guard: a broken body must fail, or every conformance test above is hollow."""
    body = client.get(f"/services/{demo.services[0].id}").json()
    assert spec_validator.errors("GET", "/services/{id}", 200, body) == []
    change(body["service"])
    assert complaint in "\n".join(spec_validator.errors("GET", "/services/{id}", 200, body))


def test_spec_is_the_published_one() -> None:
    """The fixture is the unmodified spec: adaptations happen in memory, in one place."""
    import hashlib

    from sim_spec import SPEC_PATH

    digest = hashlib.sha256(SPEC_PATH.read_bytes()).hexdigest()
    assert digest == "b2e80f8b83b170f29702e96a69adf230702b4ec43dddab7e348a2985c707ef35"
    assert NOW.year == 2026
