"""Injected faults do what they say, on exactly the requests they name."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sim_cases import TOKEN

from pdlint.sim import PAGERDUTY_RATE_LIMIT, Fault, Faults, SimServer, parse_fault_options

AUTH = {"Authorization": f"Token token={TOKEN}"}


def statuses(server: SimServer) -> list[int | None]:
    return [record.status for record in server.requests]


@pytest.fixture
def server(demo_server: SimServer, client: httpx.Client) -> SimServer:
    """The demo server with a clean request log (``client`` resets the faults afterwards), once
    every earlier test's connections are closed: a request an abandoned read sent late would
    otherwise land in this test's log."""
    assert demo_server.settle()
    demo_server.clear_requests()
    return demo_server


def test_no_faults_by_default(server: SimServer, client: httpx.Client) -> None:
    responses = [client.get("/teams") for _ in range(5)]
    assert [response.status_code for response in responses] == [200] * 5


def rate_headers(response: httpx.Response) -> tuple[int, int, int]:
    """``ratelimit-limit``, ``-remaining`` and ``-reset`` of an answer, as numbers."""
    limit, remaining, reset = (int(response.headers[f"ratelimit-{name}"])
                               for name in ("limit", "remaining", "reset"))
    return limit, remaining, reset


OTHER_TOKEN = {"Authorization": "Token token=someone-else"}


@pytest.mark.parametrize(("faults", "method", "path", "headers", "status", "limit"), [
    (Faults(), "GET", "/teams", {}, 200, 960),
    (Faults(), "GET", "/teams", OTHER_TOKEN, 401, 960),
    (Faults(), "GET", "/incidents?since=garbage", {}, 400, 960),
    (Faults(), "GET", "/teams/PXXXXXX", {}, 404, 960),
    (Faults(), "POST", "/teams", {}, 405, 960),
    (Faults(forbidden={"/teams": 402}), "GET", "/teams", {}, 402, 960),
    (Faults(forbidden={"/teams": 403}), "GET", "/teams", {}, 403, 960),
    (Faults(scripted=(Fault("status", "/teams", status=503),)), "GET", "/teams", {}, 503, 960),
    (Faults(scripted=(Fault("html_error_200", "/teams"),)), "GET", "/teams", {}, 200, 960),
    (Faults(rate_limit_per_minute=100), "GET", "/teams", {}, 200, 100),
], ids=["ok", "401", "400", "404", "405", "402", "403", "503", "html-200", "limit-set"])
def test_every_answer_carries_the_rate_limit_headers(
    server: SimServer, client: httpx.Client, faults: Faults, method: str, path: str,
    headers: dict[str, str], status: int, limit: int,
) -> None:
    """As PagerDuty's do: the limit of the token (960 a minute unless one is set), what is left
    of it, and whole seconds until the window resets."""
    server.faults = faults
    response = client.request(method, path, headers=headers)
    assert response.status_code == status
    count, remaining, reset = rate_headers(response)
    assert (count, remaining) == (limit, limit - 1)
    assert 0 < reset <= 60


def test_without_a_limit_requests_are_counted_per_token_but_never_refused(
    server: SimServer, client: httpx.Client,
) -> None:
    mine = [client.get("/priorities") for _ in range(PAGERDUTY_RATE_LIMIT + 2)]
    other = client.get("/priorities", headers=OTHER_TOKEN)
    assert {response.status_code for response in mine} == {200}
    assert [rate_headers(response)[1] for response in mine[:2] + mine[-3:]] == [959, 958, 0, 0, 0]
    assert (other.status_code, rate_headers(other)[1]) == (401, 959)


def test_without_a_limit_the_count_restarts_with_the_window(
    server: SimServer, client: httpx.Client,
) -> None:
    server.faults = Faults(rate_limit_window_seconds=0.3)
    assert [rate_headers(client.get("/priorities"))[1] for _ in range(2)] == [959, 958]
    time.sleep(0.35)
    assert rate_headers(client.get("/priorities"))[1:] == (959, 1)


@pytest.mark.parametrize("limit", [None, 100])
def test_an_injected_429_comes_without_the_headers(
    server: SimServer, client: httpx.Client, limit: int | None,
) -> None:
    """PagerDuty may answer 429 without them; headers here would make a client wait for the
    reset of a window that refused nothing."""
    server.faults = Faults(scripted=(Fault.first(1, "status", "/teams", status=429),),
                           rate_limit_per_minute=limit)
    refused, answered = client.get("/teams"), client.get("/teams")
    assert (refused.status_code, answered.status_code) == (429, 200)
    assert not any(name.startswith("ratelimit-") for name in refused.headers)
    assert rate_headers(answered)[:2] == (limit or PAGERDUTY_RATE_LIMIT,
                                          (limit or PAGERDUTY_RATE_LIMIT) - 2)


@pytest.mark.parametrize(("status", "code"), [(500, 2000), (502, 2000), (503, 2000),
                                              (429, 2020)])
def test_a_status_burst_hits_the_next_n_matching_requests(
    server: SimServer, client: httpx.Client, status: int, code: int,
) -> None:
    server.faults = Faults(scripted=(Fault.first(2, "status", "/teams", status=status),))
    answers = [client.get(path).status_code for path in
               ("/users", "/teams", "/teams/PT00000", "/teams", "/users")]
    assert answers == [200, status, status, 200, 200]
    server.faults = Faults(scripted=(Fault.first(1, "status", "/teams", status=status),))
    assert client.get("/teams").json()["error"]["code"] == code


def test_the_second_request_to_a_path_drops_the_connection(
    server: SimServer, client: httpx.Client,
) -> None:
    server.faults = Faults(scripted=(Fault("drop_connection", "/users", requests={2}),))
    assert client.get("/users").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/users")
    assert client.get("/users").status_code == 200
    assert statuses(server) == [200, None, 200]


def test_a_path_prefix_matches_whole_segments_only(server: SimServer,
                                                   client: httpx.Client) -> None:
    server.faults = Faults(scripted=(Fault("status", "/users", status=503),))
    assert client.get("/users/PU00000/contact_methods").status_code == 503
    assert client.get("/users").status_code == 503
    assert client.get("/teams").status_code == 200


def test_malformed_json_is_a_complete_response_that_is_not_json(
    server: SimServer, client: httpx.Client,
) -> None:
    server.faults = Faults(scripted=(Fault.first(1, "malformed_json", "/teams"),))
    response = client.get("/teams")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert client.get("/teams").json()["teams"]


def test_truncated_json_breaks_off_mid_body(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(scripted=(Fault.first(1, "truncated_json", "/teams"),))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/teams")
    assert client.get("/teams").json()["teams"]


def test_html_error_page_with_status_200(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(scripted=(Fault.first(1, "html_error_200", "/teams"),))
    response = client.get("/teams")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


def test_slow_answers_outlast_a_client_timeout(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(scripted=(Fault.first(1, "slow", "/teams", delay_ms=1500),))
    with pytest.raises(httpx.ReadTimeout):
        client.get("/teams", timeout=0.2)
    assert client.get("/teams", timeout=5).status_code == 200


def _team_pages(client: httpx.Client, offsets: tuple[int, ...]) -> list[dict[str, Any]]:
    return [client.get("/teams", params={"offset": offset, "limit": 1, "total": "true"}).json()
            for offset in offsets]


def test_more_true_on_an_empty_page(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(scripted=(Fault("more_true_empty_page", "/teams", requests={2}),))
    first, second = _team_pages(client, (0, 1))
    assert len(first["teams"]) == 1
    assert (second["teams"], second["more"]) == ([], True)


def test_repeat_previous_page(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(scripted=(Fault("repeat_previous_page", "/teams", requests={2}),))
    first, second = _team_pages(client, (0, 1))
    assert second["offset"] == 1
    assert second["teams"] == first["teams"]


def test_an_object_vanishes_between_pages_and_stays_gone(
    server: SimServer, client: httpx.Client,
) -> None:
    server.faults = Faults(scripted=(Fault("vanish_between_pages", "/teams", requests={2}),))
    first, second, third = _team_pages(client, (0, 2, 0))
    assert first["total"] == 3
    assert (second["teams"], second["total"], second["more"]) == ([], 2, False)
    assert third["teams"][0]["name"] == "Platform"


def test_short_pages_hold_at_most_max_page_size(server: SimServer,
                                                client: httpx.Client) -> None:
    server.faults = Faults(max_page_size=2)
    page = client.get("/priorities", params={"limit": 100, "total": "true"}).json()
    assert (len(page["priorities"]), page["limit"], page["more"], page["total"]) == (2, 2, True, 5)
    body = {"filters": {}, "limit": 1000, "order": "asc"}
    analytics = client.post("/analytics/raw/incidents", json=body).json()
    assert (len(analytics["data"]), analytics["limit"], analytics["more"]) == (2, 2, True)
    audit = client.get("/audit/records", params={"since": "2026-02-01T00:00:00Z",
                                                 "until": "2026-03-02T00:00:00Z"}).json()
    assert len(audit["records"]) == 2 and audit["next_cursor"]


def _audit_pages(client: httpx.Client, count: int) -> list[dict[str, Any]]:
    """The first ``count`` pages of two audit records each, following ``next_cursor``."""
    pages, cursor = [], None
    for _ in range(count):
        pages.append(client.get("/audit/records", params={
            "since": "2026-02-01T00:00:00Z", "until": "2026-03-02T00:00:00Z", "limit": 2,
            **({"cursor": cursor} if cursor else {})}).json())
        cursor = pages[-1]["next_cursor"]
    return pages


def _analytics_pages(client: httpx.Client, count: int) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    for _ in range(count):
        body = {"filters": {}, "limit": 2, "order": "asc",
                **({"starting_after": pages[-1]["last"]} if pages else {})}
        pages.append(client.post("/analytics/raw/incidents", json=body).json())
    return pages


def _ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page.get("records", page.get("data", []))]


@pytest.mark.parametrize(("path", "pages"), [("/audit/records", _audit_pages),
                                             ("/analytics/raw/incidents", _analytics_pages)])
def test_page_faults_of_cursor_listings(
    server: SimServer, client: httpx.Client, path: str,
    pages: Callable[[httpx.Client, int], list[dict[str, Any]]],
) -> None:
    plain = [_ids(page) for page in pages(client, 3)]
    server.faults = Faults(scripted=(Fault("repeat_previous_page", path, requests={2}),))
    assert [_ids(page) for page in pages(client, 2)] == [plain[0], plain[0]]
    server.faults = Faults(scripted=(Fault("more_true_empty_page", path, requests={2}),))
    empty = pages(client, 2)[1]
    assert _ids(empty) == [] and (empty.get("more") or empty.get("next_cursor"))
    # A cursor keeps its place when a record before it vanishes: no record is skipped.
    server.faults = Faults(scripted=(Fault("vanish_between_pages", path, requests={2}),))
    assert [_ids(page) for page in pages(client, 3)] == plain


def test_installing_faults_restarts_the_count(server: SimServer, client: httpx.Client) -> None:
    faults = Faults(scripted=(Fault("status", "/teams", requests={2}, status=500),))
    server.faults = faults
    assert [client.get("/teams").status_code for _ in range(2)] == [200, 500]
    server.faults = faults
    assert [client.get("/teams").status_code for _ in range(2)] == [200, 500]


def test_error_rate_is_seeded_and_repeatable(server: SimServer, client: httpx.Client) -> None:
    runs = []
    for _ in range(2):
        server.faults = Faults(error_rate=0.3, seed=11)
        runs.append([client.get("/priorities").status_code for _ in range(40)])
    assert runs[0] == runs[1]
    failures = [status for status in runs[0] if status != 200]
    assert 4 <= len(failures) <= 20
    assert set(failures) <= {500, 502, 503}


def test_rate_limit_headers_and_429(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(rate_limit_per_minute=3)
    responses = [client.get("/priorities") for _ in range(4)]
    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert [response.headers["ratelimit-remaining"] for response in responses] == [
        "2", "1", "0", "0"]
    assert {response.headers["ratelimit-limit"] for response in responses} == {"3"}
    assert 0 < int(responses[-1].headers["ratelimit-reset"]) <= 60
    assert responses[-1].json() == {"error": {"message": "Rate Limit Exceeded", "code": 2020}}


@pytest.mark.parametrize(("told", "expected"), [
    ((("reset", "1700000000"),), {"limit": "960", "remaining": "959", "reset": "1700000000"}),
    ((("limit", "50"), ("remaining", "")), {"limit": "50", "reset": "60"}),
], ids=["a-value-replaced", "a-header-left-out"])
def test_a_rate_headers_fault_sends_the_values_told(
        server: SimServer, client: httpx.Client, told: tuple[tuple[str, str], ...],
        expected: dict[str, str]) -> None:
    server.faults = Faults(scripted=(Fault("rate_headers", "/priorities", rate_headers=told),))
    response = client.get("/priorities")
    sent = {name.removeprefix("ratelimit-"): value for name, value in response.headers.items()
            if name.startswith("ratelimit-")}
    assert response.status_code == 200 and sent == expected


def test_rate_limit_window_resets(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(rate_limit_per_minute=1, rate_limit_window_seconds=0.3)
    assert [client.get("/priorities").status_code for _ in range(2)] == [200, 429]
    time.sleep(0.35)
    assert client.get("/priorities").status_code == 200


def test_rate_limit_counts_per_token(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(rate_limit_per_minute=1)
    assert client.get("/priorities").status_code == 200
    other = client.get("/priorities", headers={"Authorization": "Token token=someone-else"})
    assert (other.status_code, other.headers["ratelimit-remaining"]) == (401, "0")
    assert client.get("/priorities").status_code == 429


@pytest.mark.parametrize(("forbidden", "path", "status"), [
    ({"/audit/records": 402}, "/audit/records", 402),
    ({"/audit/records": 403}, "/audit/records", 403),
    ({"/users": 403}, "/users/PU00000/notification_rules", 403),
    ({"/users": 403}, "/teams", 200),
])
def test_forbidden_paths(server: SimServer, client: httpx.Client, forbidden: dict[str, int],
                         path: str, status: int) -> None:
    server.faults = Faults(forbidden=forbidden)
    assert client.get(path).status_code == status


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/users"), ("PUT", "/services/PS00000"), ("DELETE", "/teams/PT00000"),
    ("PATCH", "/incidents"), ("POST", "/incidents"),
])
def test_the_simulator_never_accepts_writes(server: SimServer, client: httpx.Client,
                                            method: str, path: str) -> None:
    response = client.request(method, path, json={})
    assert response.status_code == 405
    assert "read-only" in response.json()["error"]["errors"][0]


def test_unknown_paths_are_404(server: SimServer, client: httpx.Client) -> None:
    response = client.get("/response_plays")
    assert (response.status_code, response.json()["error"]["code"]) == (404, 2100)


def test_requests_are_recorded_with_their_query(server: SimServer,
                                                client: httpx.Client) -> None:
    client.get("/users", params={"include[]": ["teams", "contact_methods"], "limit": 5})
    client.get("/nowhere")
    records = server.requests
    assert [(record.method, record.path, record.status) for record in records] == [
        ("GET", "/users", 200), ("GET", "/nowhere", 404)]
    assert records[0].query == {"include[]": ["teams", "contact_methods"], "limit": ["5"]}


@pytest.mark.parametrize("fault", [None, "malformed_json", "html_error_200"])
def test_each_record_keeps_the_answer_sent(server: SimServer, client: httpx.Client,
                                           fault: str | None) -> None:
    if fault:
        server.faults = Faults(scripted=(Fault.first(1, fault, "/teams"),))
    answers = [client.get(path).content for path in ("/teams", "/nowhere")]
    assert [record.answer for record in server.requests] == answers


def test_a_truncated_answer_is_recorded_as_far_as_it_was_sent(server: SimServer,
                                                                client: httpx.Client) -> None:
    server.faults = Faults(scripted=(Fault.first(1, "truncated_json", "/teams"),))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/teams")
    whole = client.get("/teams").content
    cut, sent = (record.answer for record in server.requests)
    assert (sent, cut) == (whole, whole[: len(whole) // 2])


def test_latency_applies_to_every_answer(demo_server: SimServer) -> None:
    with SimServer(demo_server.account, token=TOKEN, latency_ms=300) as slow, httpx.Client(
            base_url=slow.base_url, headers=AUTH) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/abilities", timeout=0.1)
        assert http.get("/abilities", timeout=5).status_code == 200


def test_a_get_needs_no_content_type(server: SimServer) -> None:
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(f"GET /abilities HTTP/1.1\r\nHost: {host}\r\n"
                           f"Authorization: Token token={TOKEN}\r\nConnection: close\r\n\r\n"
                           .encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize(("specs", "rate_limit", "expected"), [
    ((), None, Faults()),
    ((), 960, Faults(rate_limit_per_minute=960)),
    (("error_rate=0.05",), None, Faults(error_rate=0.05)),
    (("forbidden=/audit/records",), None, Faults(forbidden={"/audit/records": 403})),
    (("forbidden=/audit/records:402",), None, Faults(forbidden={"/audit/records": 402})),
    (("drop_connection=path:/users,requests:2",), None,
     Faults(scripted=(Fault("drop_connection", "/users", range(2, 3)),))),
    (("status=path:/services,requests:1-3,status:503", "slow=delay_ms:2000"), None,
     Faults(scripted=(Fault("status", "/services", range(1, 4), status=503),
                      Fault("slow", delay_ms=2000)))),
    (("more_true_empty_page",), None, Faults(scripted=(Fault("more_true_empty_page"),))),
    (("max_page_size=2",), None, Faults(max_page_size=2)),
    (("omit_field=path:/services,field:integrations",), None,
     Faults(scripted=(Fault("omit_field", "/services", field="integrations"),))),
    (("omit_field=path:/maintenance_windows,field:services,id:PW1",), None,
     Faults(scripted=(Fault("omit_field", "/maintenance_windows", field="services",
                            object_id="PW1"),))),
    (("rate_headers=path:/teams,remaining:10,reset:1700000000,limit:",), None,
     Faults(scripted=(Fault("rate_headers", "/teams", rate_headers=(
         ("remaining", "10"), ("reset", "1700000000"), ("limit", ""))),))),
])
def test_fault_options_of_the_command_line(specs: tuple[str, ...], rate_limit: int | None,
                                           expected: Faults) -> None:
    assert parse_fault_options(specs, rate_limit) == expected


@pytest.mark.parametrize(("spec", "message"), [
    ("bogus", "unknown fault 'bogus'"),
    ("error_rate=lots", "error_rate needs a number"),
    ("error_rate=2", "error_rate must be between 0 and 1"),
    ("forbidden=audit", "forbidden needs a path"),
    ("forbidden=/audit:404", "status must be 402 or 403"),
    ("status=requests:x", "requests must be N or N-M"),
    ("status=colour:red", "unknown option 'colour'"),
    ("slow=path:users", "fault path must start with '/'"),
    ("max_page_size=0", "max_page_size needs a whole number >= 1"),
    ("omit_field=path:/services", "omit_field needs the field to take out, a dotted path: "
     "write e.g. omit_field=path:/services,field:integrations"),
    ("status=field:integrations", "field is an option of omit_field only, not of status"),
    ("drop_connection=id:PW1", "id is an option of omit_field only, not of drop_connection"),
    ("rate_headers=path:/teams", "rate_headers needs the values to send"),
    ("status=reset:30", "rate_headers needs the values to send, and only it takes them"),
])
def test_bad_fault_options_are_refused_with_a_reason(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fault_options([spec])
