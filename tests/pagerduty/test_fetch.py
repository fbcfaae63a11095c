"""Fetching the whole state: fewest requests, expanded objects, skipped collections, no leaks."""

from __future__ import annotations

import io
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pagerduty_cases import NOW, TOKEN
from sim_client import fast_config

from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.errors import (
    ApiUnavailable,
    AuthenticationError,
    PagerDutyError,
    ResponseError,
)
from pdlint.pagerduty.fetch import (
    fetch_state,
    fetch_state_alongside,
    fetch_state_sync,
)
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.settings import ApiToken
from pdlint.pagerduty.snapshot import write_snapshot
from pdlint.pagerduty.state import LiveState, Window
from pdlint.progress import TerminalProgress, terminal_progress
from pdlint.sim import Fault, Faults, SimServer, generated_account, sized_account

WINDOW = Window.starting(NOW, timedelta(days=14))
LISTINGS = {  # collection: (path, page size)
    "escalation_policies": ("/escalation_policies", 100),
    "schedules": ("/schedules", 100),
    "schedules_v3": ("/v3/schedules", 1000),
    "services": ("/services", 100),
    "users": ("/users", 100),
    "teams": ("/teams", 100),
    "priorities": ("/priorities", 100),
    "incident_workflows": ("/incident_workflows", 100),
    "workflow_triggers": ("/incident_workflows/triggers", 100),
    "event_orchestrations": ("/event_orchestrations", 100),
    "alert_grouping_settings": ("/alert_grouping_settings", 100),
}
MAINTENANCE_FILTERS = ("ongoing", "future")
"""Maintenance windows are listed once under way and once to come, 100 a page."""


def minimum_requests(server: SimServer) -> int:
    """One request per page of each listing, one per shift-based schedule, per router and per
    orchestration of a service not disabled, and one per active status of an orchestration
    that acts: what the API cannot do with fewer."""
    account = server.account
    sizes = {kind: len(getattr(account, "v3_schedules" if kind == "schedules_v3" else kind))
             for kind in LISTINGS}
    windows = [sum(window.state(account.now) == state for window in account.maintenance_windows)
               for state in MAINTENANCE_FILTERS]
    orchestrated = [service.orchestration for service in account.services
                    if service.status != "disabled"]
    acting = [orchestration for orchestration in orchestrated if orchestration.acts]
    return (sum(max(1, math.ceil(sizes[kind] / page)) for kind, (_, page) in LISTINGS.items())
            + sum(max(1, math.ceil(count / 100)) for count in windows)
            + len(account.v3_schedules)  # each read whole: the listing gives references
            + len(account.event_orchestrations) + len(orchestrated) + len(acting))


async def fetch(server: SimServer, **config: object) -> LiveState:
    async with PagerDutyClient(fast_config(server, **config)) as client:
        return await fetch_state(client, WINDOW)


@pytest.mark.anyio
@pytest.mark.parametrize("layer_renderings", [True, False])
async def test_layer_renderings_are_kept_unless_asked_not_to(demo_server: SimServer,
                                                             layer_renderings: bool) -> None:
    async with PagerDutyClient(fast_config(demo_server)) as client:
        state = await fetch_state(client, WINDOW, layer_renderings=layer_renderings)
    layers = [layer for schedule in state.schedules for layer in schedule["schedule_layers"]]
    assert layers and all(("rendered_schedule_entries" in layer) is layer_renderings
                          for layer in layers)
    assert all(schedule["final_schedule"]["rendered_schedule_entries"]
               for schedule in state.schedules)
    assert all(layer["users"] and layer["rotation_turn_length_seconds"] for layer in layers)


@pytest.mark.anyio
async def test_the_demo_account_is_read_with_the_fewest_requests(demo_server: SimServer) -> None:
    state = await fetch(demo_server)
    requests = demo_server.requests
    services = [service.id for service in demo_server.account.services]
    orchestration = demo_server.account.event_orchestrations[0].id
    acting = [service.id for service in demo_server.account.services
              if service.name in ("Checkout API", "Identity Service")]
    follow_ups = [f"/event_orchestrations/services/{service}" for service in services] + [
        f"/event_orchestrations/services/{service}/active" for service in acting] + [
        f"/event_orchestrations/{orchestration}/router"]
    assert len(requests) == minimum_requests(demo_server) == (
        len(LISTINGS) + 2 + len(services) + 2 + 1)
    assert sorted(record.path for record in requests) == sorted(
        [*(path for path, _ in LISTINGS.values()), "/maintenance_windows", "/maintenance_windows",
         *follow_ups])
    assert sorted(record.query["filter"][0] for record in requests
                  if record.path == "/maintenance_windows") == ["future", "ongoing"]
    assert {(record.method, record.status) for record in requests} == {("GET", 200)}
    account = demo_server.account
    for kind in LISTINGS:
        source = getattr(account, "v3_schedules" if kind == "schedules_v3" else kind)
        assert sorted(obj["id"] for obj in state.collection(kind)) == sorted(
            obj.id for obj in source), kind
    assert [window["id"] for window in state.maintenance_windows] == [
        window.id for window in account.maintenance_windows]
    assert state.skipped == ()
    assert state.api_url == demo_server.base_url and state.window == WINDOW


@pytest.mark.anyio
async def test_a_large_account_is_read_with_the_fewest_requests() -> None:
    account = sized_account(users=250, services=101, schedules=3, teams=7, now=NOW)
    with SimServer(account, token=TOKEN) as server:
        state = await fetch(server)
        assert len(server.requests) == minimum_requests(server) == (
            3 + 2 + 1 + 1 + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 1
            + 98)  # the orchestrations of 98 services enabled
    assert (len(state.users), len(state.services)) == (250, 101)


@pytest.mark.anyio
async def test_maintenance_windows_and_workflows_take_a_request_a_page() -> None:
    """Past a page each: windows under way and to come, workflows with their steps, and their
    triggers by cursor, each read whole and no request more than its pages."""
    account = generated_account(3, services=40, escalation_policies=5, schedules=3, users=20,
                                incidents=0, teams=2, v3_schedules=0, audit_records=0,
                                maintenance_windows=420, incident_workflows=130, now=NOW)
    with SimServer(account, token=TOKEN) as server:
        state = await fetch(server)
        assert len(server.requests) == minimum_requests(server)
        paths = Counter(record.path for record in server.requests)
    open_windows = [window for window in account.maintenance_windows
                    if window.state(account.now) != "past"]
    assert (paths["/maintenance_windows"], paths["/incident_workflows"],
            paths["/incident_workflows/triggers"]) == (4, 2, math.ceil(
                len(account.workflow_triggers) / 100))
    assert sorted(window["id"] for window in state.maintenance_windows) == sorted(
        window.id for window in open_windows)
    assert len(state.incident_workflows) == 130 and all(
        "steps" in workflow for workflow in state.incident_workflows)
    assert len(state.workflow_triggers) == len(account.workflow_triggers) > 100


@pytest.mark.anyio
async def test_shift_based_schedules_are_read_from_their_own_listing() -> None:
    account = generated_account(1, services=2, escalation_policies=1, schedules=2, users=4,
                                incidents=0, teams=1, v3_schedules=3, audit_records=0, now=NOW)
    with SimServer(account, token=TOKEN) as server:
        state = await fetch(server)
        assert len(server.requests) == minimum_requests(server)
    assert sorted(schedule["id"] for schedule in state.schedules_v3) == sorted(
        schedule.id for schedule in account.v3_schedules)
    assert not {schedule["id"] for schedule in state.schedules} & {
        schedule["id"] for schedule in state.schedules_v3}
    first = account.v3_schedules[0]
    found = parse_account(state).shift_based_schedules.by_name(first.name)
    assert found is not None and found.id == first.id


@pytest.mark.anyio
async def test_users_and_schedules_come_expanded(demo_server: SimServer) -> None:
    state = await fetch(demo_server)
    for user in state.users:
        assert user["contact_methods"], user["name"]
        for method in user["contact_methods"]:
            assert method["type"].endswith("_contact_method") and "address" in method
        for rule in user["notification_rules"]:
            assert rule["type"] == "assignment_notification_rule"
            assert rule["urgency"] in ("high", "low")
    for schedule in state.schedules:
        assert schedule["schedule_layers"][0]["rotation_turn_length_seconds"] > 0
        entries = schedule["final_schedule"]["rendered_schedule_entries"]
        assert entries, schedule["name"]
        assert entries[0]["start"] >= "2026-03-02T12:00:00Z"
        assert entries[-1]["end"] <= "2026-03-16T12:00:00Z"
    schedules_request = next(record for record in demo_server.requests
                             if record.path == "/schedules")
    assert schedules_request.query["include[]"] == ["schedule_layers", "final_schedule"]
    services_request = next(record for record in demo_server.requests
                            if record.path == "/services")
    assert services_request.query["include[]"] == [
        "auto_pause_notifications_parameters", "integrations"]
    assert all(service["auto_pause_notifications_parameters"] == {
        "enabled": False, "timeout": 0, "recommended_timeout": 300} for service in state.services)
    assert schedules_request.query["since"] == ["2026-03-02T12:00:00Z"]


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "status", "kind", "reason"), [
    ("/priorities", 402, "priorities", "GET /priorities: the account's plan lacks this feature "
     "(HTTP 402; PagerDuty error 2014: Missing Account Ability"),
    ("/teams", 403, "teams", "GET /teams: the token may not read this (HTTP 403; PagerDuty "
     "error 2010: Access Denied"),
    ("/maintenance_windows", 403, "maintenance_windows", "GET /maintenance_windows: the token "
     "may not read this (HTTP 403; PagerDuty error 2010: Access Denied"),
    ("/incident_workflows/triggers", 403, "workflow_triggers", "GET /incident_workflows/"
     "triggers: the token may not read this (HTTP 403; PagerDuty error 2010: Access Denied"),
    ("/alert_grouping_settings", 402, "alert_grouping_settings", "GET /alert_grouping_settings: "
     "the account's plan lacks this feature (HTTP 402; PagerDuty error 2014"),
    ("/alert_grouping_settings", 403, "alert_grouping_settings", "GET /alert_grouping_settings: "
     "the token may not read this (HTTP 403; PagerDuty error 2010: Access Denied"),
])
async def test_a_forbidden_collection_is_skipped_with_its_reason(
        demo_server: SimServer, path: str, status: int, kind: str, reason: str) -> None:
    demo_server.faults = Faults(forbidden={path: status})
    state = await fetch(demo_server)
    assert [skip.rule for skip in state.skipped] == [kind]
    assert state.skip_reason(kind) is not None and state.skip_reason(kind).startswith(reason)
    assert state.collection(kind) == ()
    assert len(state.users) == len(demo_server.account.users)


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "status", "reason"), [
    ("/v3/schedules", 400, "GET /v3/schedules: PagerDuty refused the arguments (HTTP 400; "
     "PagerDuty error 2000"),
    ("/v3/schedules", 404, "GET /v3/schedules: not found (an unknown id, or a path this account "
     "or region does not serve) (HTTP 404; PagerDuty error 2000"),
])
async def test_shift_based_schedules_the_account_lacks_are_skipped(
        demo_server: SimServer, path: str, status: int, reason: str) -> None:
    """The v3 listing is Early Access: a 400 or 404 there means "not here", not a broken run."""
    demo_server.faults = Faults(scripted=(Fault("status", path, status=status),))
    state = await fetch(demo_server)
    assert [skip.rule for skip in state.skipped] == ["schedules_v3"]
    assert (state.skip_reason("schedules_v3") or "").startswith(reason)
    assert state.schedules_v3 == ()
    assert len(state.schedules) == len(demo_server.account.schedules)
    assert [record.status for record in demo_server.requests if record.path == path] == [status]


@pytest.mark.anyio
async def test_maintenance_windows_the_account_lacks_are_skipped(demo_server: SimServer) -> None:
    demo_server.faults = Faults(scripted=(Fault("status", "/maintenance_windows", status=404),))
    state = await fetch(demo_server)
    assert [skip.rule for skip in state.skipped] == ["maintenance_windows"]
    assert (state.skip_reason("maintenance_windows") or "").startswith(
        "GET /maintenance_windows: not found")
    assert parse_account(state).maintenance_windows_of(demo_server.account.services[0].id) is None


@pytest.mark.anyio
async def test_alert_grouping_settings_the_account_lacks_are_skipped(
        demo_server: SimServer) -> None:
    demo_server.faults = Faults(scripted=(Fault("status", "/alert_grouping_settings",
                                                status=404),))
    state = await fetch(demo_server)
    assert [skip.rule for skip in state.skipped] == ["alert_grouping_settings"]
    assert (state.skip_reason("alert_grouping_settings") or "").startswith(
        "GET /alert_grouping_settings: not found")
    account = parse_account(state)
    firewall = account.services.by_name("Web Application Firewall")
    assert firewall is not None
    grouping = account.alert_grouping_of(firewall)
    assert grouping is not None and (grouping.known, grouping.setting_id) == (
        False, demo_server.account.alert_grouping_settings[0].id)


@pytest.mark.anyio
async def test_alert_grouping_settings_are_one_listing_paged_by_its_after_cursor() -> None:
    """One listing for the account, 100 a page, each page asked with the ``after`` the one
    before gave; not a request per service."""
    account = generated_account(5, services=400, escalation_policies=5, schedules=3, users=20,
                                incidents=0, teams=2, v3_schedules=0, audit_records=0,
                                maintenance_windows=0, incident_workflows=0,
                                alert_grouping_settings=150, now=NOW)
    with SimServer(account, token=TOKEN) as server:
        state = await fetch(server)
        assert len(server.requests) == minimum_requests(server)
        pages = [record.query for record in server.requests
                 if record.path == "/alert_grouping_settings"]
    assert len(account.alert_grouping_settings) == 150
    assert [(page["limit"], "after" in page) for page in pages] == [(["100"], False),
                                                                    (["100"], True)]
    assert [setting["id"] for setting in state.alert_grouping_settings] == [
        setting.id for setting in account.alert_grouping_settings]


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "status", "error"), [
    ("/users", 400, ResponseError),
    ("/users", 404, ResponseError),
    ("/schedules", 404, ResponseError),
    ("/v3/schedules", 500, ApiUnavailable),
    ("/v3/schedules", 503, ApiUnavailable),
])
async def test_other_failures_still_end_the_fetch(
        demo_server: SimServer, path: str, status: int, error: type[PagerDutyError]) -> None:
    """Only the Early Access listing may be absent; a 5xx there is retried, then fails."""
    demo_server.faults = Faults(scripted=(Fault("status", path, status=status),))
    with pytest.raises(error, match=f"GET {path}: .*HTTP {status}"):
        await fetch(demo_server, max_attempts=2)
    attempts = 2 if status >= 500 else 1
    assert [record.status for record in demo_server.requests
            if record.path == path] == [status] * attempts


@pytest.mark.anyio
async def test_a_collection_past_the_ceiling_is_skipped_not_cut() -> None:
    with SimServer(sized_account(teams=10_001, users=3, now=NOW), token=TOKEN) as server:
        state = await fetch(server)
    assert state.teams == ()
    assert "10,001 objects" in (state.skip_reason("teams") or "")
    assert len(state.users) == 3


@pytest.mark.anyio
async def test_a_refused_token_ends_the_fetch(demo_server: SimServer) -> None:
    with pytest.raises(AuthenticationError):
        await fetch(demo_server, token=ApiToken("wrong-token"))


@pytest.mark.anyio
async def test_an_unavailable_collection_ends_the_fetch(demo_server: SimServer) -> None:
    demo_server.faults = Faults(scripted=(Fault("status", "/users", status=503),))
    with pytest.raises(ApiUnavailable, match="GET /users"):
        await fetch(demo_server, max_attempts=2)


@pytest.mark.anyio
async def test_progress_is_reported_per_collection_with_its_total(demo_server: SimServer) -> None:
    seen: dict[str, tuple[int, int | None]] = {}

    def record(kind: str, count: int, total: int | None = None) -> None:
        seen[kind] = (count, total)

    async with PagerDutyClient(fast_config(demo_server)) as client:
        await fetch_state(client, WINDOW, progress=record)
    sizes = {kind: len(getattr(demo_server.account, kind)) for kind in
             ("escalation_policies", "schedules", "services", "users", "teams", "priorities",
              "incident_workflows", "event_orchestrations")}
    sizes |= {"service_orchestrations": len(demo_server.account.services),
              "orchestration_routers": len(demo_server.account.event_orchestrations)}
    assert seen == {**{kind: (size, size) for kind, size in sizes.items()},
                    "maintenance_windows": (1, None),  # no total from the empty future listing
                    "workflow_triggers": (1, None),  # cursor pages announce no total
                    "alert_grouping_settings": (1, None)}


@pytest.mark.anyio
async def test_the_total_is_known_from_the_first_page_on() -> None:
    reports: list[tuple[int, int | None]] = []

    def record(kind: str, count: int, total: int | None = None) -> None:
        if kind == "users":
            reports.append((count, total))

    with SimServer(sized_account(users=250, now=NOW), token=TOKEN) as server:
        async with PagerDutyClient(fast_config(server)) as client:
            await fetch_state(client, WINDOW, progress=record)
    assert [count for count, _ in reports] == list(range(1, 251))
    assert {total for _, total in reports} == {250}


def test_terminal_progress_shows_totals_and_the_time_left() -> None:
    """At 10 s, 100 of 1,000 users read: 900 more at 10 per second, 90 s, about 2 min. At 30 s,
    600 of 1,500 objects with a total read: 900 more at 20 per second, 45 s."""
    stream = io.StringIO()
    moments = iter([100.0, 110.0, 120.0, 130.0])
    progress = TerminalProgress(stream, clock=lambda: next(moments))
    progress("users", 100, 1000)
    progress("teams", 2)
    progress("services", 500, 500)
    progress("users", 1000, 1000)
    progress.finish()
    assert stream.getvalue() == (
        "\rreading PagerDuty: users 100/1,000; about 2 min left\x1b[K"
        "\rreading PagerDuty: users 100/1,000, teams 2; about 3 min left\x1b[K"
        "\rreading PagerDuty: users 100/1,000, teams 2, services 500/500; about 45 s left\x1b[K"
        "\rreading PagerDuty: users 1,000/1,000, teams 2, services 500/500\x1b[K\r\x1b[K")


def test_terminal_progress_without_totals_is_a_counter() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress("users", 100)
    progress("teams", 2)
    progress.finish()
    assert stream.getvalue() == ("\rreading PagerDuty: users 100\x1b[K"
                                 "\rreading PagerDuty: users 100, teams 2\x1b[K\r\x1b[K")


def test_the_token_leaks_nowhere(demo_server: SimServer, tmp_path: Path,
                                 caplog: pytest.LogCaptureFixture) -> None:
    """Every string the run produces, with retries logged and an error raised, lacks the token."""
    caplog.set_level(logging.DEBUG)
    demo_server.faults = Faults(scripted=(Fault.first(2, "status", "/users", status=502),
                                          Fault.first(1, "drop_connection", "/teams")))
    config = fast_config(demo_server)
    state = fetch_state_sync(config, WINDOW)
    snapshot = tmp_path / "snap.json"
    write_snapshot(state, snapshot, redact_addresses=False)
    demo_server.faults = Faults(scripted=(Fault("status", "/services", status=500),))
    with pytest.raises(ApiUnavailable) as unavailable:
        fetch_state_sync(fast_config(demo_server, max_attempts=2), WINDOW)
    produced = [caplog.text, snapshot.read_text(), repr(config), str(config), repr(state),
                str(unavailable.value), repr(unavailable.value), repr(unavailable.value.args)]
    assert "retrying" in caplog.text  # the retries were logged
    for text in produced:
        assert TOKEN not in text



class PolicyTrouble(Exception):
    """What the work beside the fetch raises (drift's policy with errors)."""


def beside(outcome: str, readers: list[threading.Thread]) -> Callable[[], str]:
    def work() -> str:
        time.sleep(0.2)  # the fetch is under way, or already failed
        readers.extend(thread for thread in threading.enumerate()
                       if thread.name == "pdlint-fetch")
        if outcome == "fails":
            raise PolicyTrouble("the policy has errors")
        return "policy"
    return work


@pytest.mark.parametrize(("token", "work", "raised"), [
    pytest.param(TOKEN, "succeeds", None, id="both-succeed"),
    pytest.param(TOKEN, "fails", PolicyTrouble, id="the-work-fails"),
    pytest.param("refused", "succeeds", AuthenticationError, id="the-fetch-fails"),
    pytest.param("refused", "fails", PolicyTrouble, id="both-fail-the-work-wins"),
])
def test_work_beside_the_fetch_wins_and_nothing_outlives_it(
        demo_server: SimServer, token: str, work: str, raised: type[Exception] | None) -> None:
    """drift lints the policy while the account is read; a thread still reading at exit can
    crash the interpreter's shutdown, so none is left, whichever side fails."""
    config = replace(fast_config(demo_server), token=ApiToken(token))
    demo_server.latency_ms = 2_000 if token == TOKEN else 0  # still reading when the work ends
    readers: list[threading.Thread] = []
    if raised is None:
        demo_server.latency_ms = 0
        done, state = fetch_state_alongside(config, WINDOW, beside(work, readers))
        assert (done, len(state.services)) == ("policy", len(demo_server.account.services))
    else:
        with pytest.raises(raised):
            fetch_state_alongside(config, WINDOW, beside(work, readers))
    if demo_server.latency_ms:  # the work failed while the account was being read
        assert readers
    assert not any(thread.is_alive() for thread in readers)


@pytest.mark.parametrize("quiet", [True, False])
def test_the_fetch_is_silent_off_a_terminal(demo_server: SimServer, quiet: bool,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with terminal_progress(quiet=quiet) as progress:
        assert progress is None
        state = fetch_state_sync(fast_config(demo_server), WINDOW, progress=progress)
    assert len(state.services) == len(demo_server.account.services)
    assert capsys.readouterr() == ("", "")
