"""The client over real HTTP against the simulator: pagination, faults, errors, read-only guard."""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pagerduty_cases import NOW, TOKEN, RecordingSleep, account_with_incidents
from sim_client import fast_config

from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.errors import (
    ApiUnavailable,
    AuthenticationError,
    OffsetCeilingExceeded,
    PaginationError,
    RateLimited,
    ReadOnlyViolation,
    ResponseError,
)
from pdlint.pagerduty.settings import ApiToken
from pdlint.sim import (
    PAGERDUTY_RATE_LIMIT,
    Fault,
    Faults,
    SimServer,
    demo_account,
    generated_account,
    sized_account,
)

TEAMS = "/teams"


async def list_all(client: PagerDutyClient, path: str = TEAMS, key: str = "teams",
                   **options: Any) -> list[dict[str, Any]]:
    return [obj async for obj in client.iter_classic(path, key, **options)]


def requests_to(server: SimServer, path: str) -> list[Any]:
    return [record for record in server.requests if record.path == path]


@pytest.mark.anyio
@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 250, 10_000])
async def test_classic_pagination_boundaries(count: int) -> None:
    with SimServer(sized_account(teams=count, now=NOW), token=TOKEN) as server:
        async with PagerDutyClient(fast_config(server)) as client:
            teams = await list_all(client)
        expected = [team.id for team in server.account.teams]
        assert sorted(team["id"] for team in teams) == sorted(expected)
        assert len(requests_to(server, TEAMS)) == max(1, math.ceil(count / 100))
        offsets = sorted(int(record.query["offset"][0]) for record in server.requests)
        assert offsets == list(range(0, max(count, 1), 100))


@pytest.mark.anyio
async def test_untimed_listing_past_the_ceiling_fails_loudly_at_once() -> None:
    with SimServer(sized_account(teams=10_001, now=NOW), token=TOKEN) as server:
        async with PagerDutyClient(fast_config(server)) as client:
            with pytest.raises(OffsetCeilingExceeded) as caught:
                await list_all(client)
        assert "GET /teams" in str(caught.value) and "10,001 objects" in str(caught.value)
        assert caught.value.exit_code == 2
        assert len(server.requests) == 1


@pytest.mark.anyio
async def test_listing_without_total_stops_at_the_ceiling_before_asking_past_it() -> None:
    account = generated_account(0, 0, 0, 0, 0, 0, 0, v3_schedules=10_001, audit_records=0,
                                now=NOW)
    with SimServer(account, token=TOKEN) as server:
        async with PagerDutyClient(fast_config(server)) as client:
            with pytest.raises(OffsetCeilingExceeded, match=r"GET /v3/schedules: more than "
                                                            r"10,000 objects"):
                await list_all(client, "/v3/schedules", "schedules", page_size=1000)
        assert all(record.status == 200 for record in server.requests)
        # 1,000 objects, then 999 new ones a page (each page begins with the last object read).
        assert len(server.requests) == 11


@pytest.mark.anyio
async def test_the_ceiling_answer_is_recognised_by_its_code(demo_server: SimServer) -> None:
    async with PagerDutyClient(fast_config(demo_server)) as client:
        with pytest.raises(OffsetCeilingExceeded) as caught:
            await client.get(TEAMS, {"offset": 9_950, "limit": 100})
    assert (caught.value.status, caught.value.api_code) == (400, 2002)


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "words"), [
    pytest.param(TEAMS, "Invalid Input Provided: limit and offset must not be negative",
                 id="a-list-of-sentences"),
    pytest.param("/v3/schedules", "Invalid Request: pagination: limit and offset must not be "
                 "negative", id="v3-sentences-by-field"),
])
async def test_pagerdutys_words_for_a_refusal_are_kept(demo_server: SimServer, path: str,
                                                       words: str) -> None:
    async with PagerDutyClient(fast_config(demo_server)) as client:
        with pytest.raises(ResponseError) as caught:
            await client.get(path, {"limit": -1})
    assert (caught.value.status, caught.value.api_message) == (400, words)


@pytest.mark.anyio
async def test_time_bounded_listing_is_split_and_loses_nothing() -> None:
    since = NOW - timedelta(days=3)
    account = account_with_incidents(10_050, since, timedelta(seconds=20))
    with SimServer(account, token=TOKEN) as server:
        async with PagerDutyClient(fast_config(server)) as client:
            incidents = [incident async for incident in
                         client.iter_windowed("/incidents", "incidents", since, NOW)]
        ids = [incident["id"] for incident in incidents]
        assert len(ids) == len(set(ids)) == 10_050
        assert set(ids) == {incident.id for incident in account.incidents}
        windows = {(record.query["since"][0], record.query["until"][0])
                   for record in server.requests}
        assert len(windows) == 3  # the whole window, then its two halves
        assert all(record.status == 200 for record in server.requests)


@pytest.mark.anyio
async def test_time_bounded_listing_respects_the_longest_query_span() -> None:
    with SimServer(demo_account(NOW), token=TOKEN) as server:
        async with PagerDutyClient(fast_config(server)) as client:
            incidents = [incident async for incident in client.iter_windowed(
                "/incidents", "incidents", NOW - timedelta(days=365), NOW,
                max_span=timedelta(days=180))]
        assert len(incidents) == len(server.account.incidents)
        assert len(server.requests) == 3  # 180 + 180 + 5 days


RETRIED_THEN_ANSWERED = [
    (Fault.first(3, "status", TEAMS, status=503), 4),
    (Fault.first(2, "status", TEAMS, status=500), 3),
    (Fault.first(2, "status", TEAMS, status=429), 3),
    (Fault.first(2, "drop_connection", TEAMS), 3),
    (Fault.first(1, "truncated_json", TEAMS), 2),
    (Fault.first(2, "malformed_json", TEAMS), 3),
    (Fault.first(1, "html_error_200", TEAMS), 2),
    (Fault.first(1, "slow", TEAMS, delay_ms=1_500), 2),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("fault", "attempts"), RETRIED_THEN_ANSWERED,
                         ids=lambda value: getattr(value, "kind", str(value)))
async def test_transient_failures_are_retried(demo_server: SimServer, fault: Fault,
                                              attempts: int) -> None:
    demo_server.faults = Faults(scripted=(fault,))
    async with PagerDutyClient(fast_config(demo_server, read_timeout=0.5)) as client:
        teams = await list_all(client)
    assert [team["name"] for team in teams] == ["Data", "Platform", "Security"]
    assert client.requests_sent == attempts


FAILING_FOR_GOOD = [
    (Fault("status", TEAMS, status=503), ApiUnavailable, 4, "GET /teams: PagerDuty did not "
     "answer successfully (4 attempts; HTTP 503; PagerDuty error 2000"),
    (Fault("drop_connection", TEAMS), ApiUnavailable, 4, "GET /teams: connection to http"),
    (Fault("slow", TEAMS, delay_ms=1_500), ApiUnavailable, 4, "GET /teams: PagerDuty did not "
     "answer in time"),
    (Fault("malformed_json", TEAMS), ResponseError, 3, "GET /teams: the response body is not a "
     "JSON object"),
    (Fault("html_error_200", TEAMS), ResponseError, 3, "GET /teams: the response body is not"),
    (Fault("status", TEAMS, status=404), ResponseError, 1, "GET /teams: not found"),
    (Fault("status", TEAMS, status=400), ResponseError, 1, "GET /teams: PagerDuty refused"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("fault", "error", "attempts", "message"), FAILING_FOR_GOOD,
                         ids=lambda value: getattr(value, "kind", None))
async def test_lasting_failures_end_in_a_typed_error_naming_the_endpoint(
        demo_server: SimServer, fault: Fault, error: type[Exception], attempts: int,
        message: str) -> None:
    demo_server.faults = Faults(scripted=(fault,))
    config = fast_config(demo_server, read_timeout=0.5, max_attempts=4)
    async with PagerDutyClient(config) as client:
        with pytest.raises(error) as caught:
            await list_all(client)
    assert str(caught.value).startswith(message)
    assert client.requests_sent == attempts


@pytest.mark.anyio
async def test_retries_stop_when_the_time_budget_is_spent(demo_server: SimServer) -> None:
    demo_server.faults = Faults(scripted=(Fault("status", TEAMS, status=503),))
    config = fast_config(demo_server, max_attempts=100, backoff_base=0.2, backoff_cap=0.2,
                         retry_budget=0.5)
    async with PagerDutyClient(config) as client:
        with pytest.raises(ApiUnavailable):
            await list_all(client)
    assert 2 <= len(requests_to(demo_server, TEAMS)) < 10


PAGE_FAULTS = [
    ("more_true_empty_page", r"GET /teams: 'more' is true but the page at offset 100 is empty"),
    ("repeat_previous_page", r"GET /teams: the page at offset 100 repeats objects"),
    ("vanish_between_pages", r"GET /teams: the API announced 150 objects but the pages held 149"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("kind", "message"), PAGE_FAULTS)
async def test_inconsistent_pages_raise_instead_of_looping_or_dropping(kind: Any,
                                                                       message: str) -> None:
    with SimServer(sized_account(teams=150, now=NOW), token=TOKEN,
                   faults=Faults(scripted=(Fault(kind, TEAMS, requests={2}),))) as server:
        async with PagerDutyClient(fast_config(server, max_concurrency=1)) as client:
            with pytest.raises(PaginationError, match=message):
                await list_all(client)


@pytest.mark.anyio
@pytest.mark.parametrize(("kind", "message"), [
    ("more_true_empty_page", r"'more' is true but the page at offset 10 is empty"),
    ("repeat_previous_page", r"asked for offset 9, the API answered offset|repeats objects"),
    ("vanish_between_pages", r"the page at offset 10 does not follow on from the page before"),
])
async def test_inconsistent_pages_of_a_listing_without_total(kind: Any, message: str) -> None:
    account = generated_account(0, 0, 0, 0, 0, 0, 0, v3_schedules=25, audit_records=0, now=NOW)
    with SimServer(account, token=TOKEN,
                   faults=Faults(scripted=(Fault(kind, "/v3/schedules", requests={2}),))) as server:
        async with PagerDutyClient(fast_config(server)) as client:
            with pytest.raises(PaginationError, match=message):
                await list_all(client, "/v3/schedules", "schedules", page_size=10)


@pytest.mark.anyio
async def test_a_refused_token_is_an_authentication_error(demo_server: SimServer) -> None:
    config = fast_config(demo_server, token=ApiToken("not-the-token"))
    async with PagerDutyClient(config) as client:
        with pytest.raises(AuthenticationError) as caught:
            await list_all(client)
    error = caught.value
    assert (error.method, error.path, error.status, error.api_code) == ("GET", TEAMS, 401, 2006)
    assert "the token was refused" in str(error)
    assert "not-the-token" not in str(error) + repr(error)
    assert len(demo_server.requests) == 1


@pytest.mark.anyio
async def test_a_rate_limit_storm_completes_and_waits_as_told(demo_server: SimServer) -> None:
    demo_server.faults = Faults(rate_limit_per_minute=3, rate_limit_window_seconds=1.0)
    sleep = RecordingSleep()
    kinds = ("teams", "priorities", "services", "users", "teams", "escalation_policies",
             "schedules")
    async with PagerDutyClient(fast_config(demo_server), sleep=sleep) as client:
        listings = [await list_all(client, f"/{kind}", kind) for kind in kinds]
    account = demo_server.account
    assert [len(listing) for listing in listings] == [len(getattr(account, kind))
                                                      for kind in kinds]
    statuses = [record.status for record in demo_server.requests]
    assert 429 in statuses
    assert statuses.count(429) <= 3  # after one refusal the client waits for the reset
    assert max(sleep.waits) > 0.5  # ratelimit-reset said 1 s


@pytest.mark.anyio
async def test_the_rate_limit_headers_of_every_answer_leave_the_pace_alone(
        demo_server: SimServer) -> None:
    """PagerDuty sends ``ratelimit-*`` on every answer; only a 429 makes the client wait, even
    when the headers say nothing is left (the simulator counts but, unless told, refuses none)."""
    with httpx.Client(base_url=demo_server.base_url,
                      headers={"Authorization": f"Token token={TOKEN}"}) as raw:
        used = [raw.get(TEAMS) for _ in range(PAGERDUTY_RATE_LIMIT)]
    assert used[-1].headers["ratelimit-remaining"] == "0"
    sleep = RecordingSleep()
    async with PagerDutyClient(fast_config(demo_server), sleep=sleep) as client:
        listings = [await list_all(client, f"/{kind}", kind) for kind in ("teams", "users")]
    assert [len(listing) for listing in listings] == [3, len(demo_server.account.users)]
    assert sleep.waits == []
    assert {record.status for record in demo_server.requests} == {200}


@pytest.mark.anyio
async def test_a_wait_longer_than_the_budget_is_a_rate_limited_error(
        demo_server: SimServer) -> None:
    demo_server.faults = Faults(rate_limit_per_minute=1)
    async with PagerDutyClient(fast_config(demo_server, retry_budget=5)) as client:
        await list_all(client)
        with pytest.raises(RateLimited, match=r"GET /teams: .*reached, and PagerDuty asked to "
                                              r"wait 60 s, longer than the 5 s retry budget "
                                              r"leaves; gave up .*HTTP 429; PagerDuty error 2020"):
            await list_all(client)
    assert [record.status for record in demo_server.requests] == [200, 429]


BACKOFF = (0.004, 0.01)
"""The first backoff of ``fast_config``, half to all of its 0.01 s base, less the moment that
passes between the answer and the wait (the pause is kept as a time, then waited out)."""


@pytest.mark.anyio
@pytest.mark.parametrize(("reset", "waited"), [
    ("0.3", (0.25, 0.3)),  # read: the seconds until PagerDuty's window resets
    ("0", None),  # read: it has reset, nothing to wait for
    ("nan", BACKOFF),  # not a number of seconds: as if missing, the client's own backoff
    ("-30", BACKOFF),
    ("inf", BACKOFF),
    ("1e400", BACKOFF),
    ("1700000000", BACKOFF),  # an epoch time stamp, not seconds within the minute
    ("61", BACKOFF),  # longer than PagerDuty's minute
    ("soon", BACKOFF),
])
async def test_a_429_waits_the_reset_only_when_it_is_seconds_within_the_minute(
        demo_server: SimServer, reset: str, waited: tuple[float, float] | None) -> None:
    demo_server.faults = Faults(scripted=(
        Fault("status", TEAMS, requests={1}, status=429),
        Fault("rate_headers", TEAMS, requests={1}, rate_headers=(("reset", reset),))))
    sleep = RecordingSleep()
    async with PagerDutyClient(fast_config(demo_server), sleep=sleep) as client:
        teams = await asyncio.wait_for(list_all(client), 5)
    assert len(teams) == 3
    assert [record.status for record in demo_server.requests] == [429, 200]
    if waited is None:
        assert sleep.waits == []
    else:
        assert len(sleep.waits) == 1 and waited[0] <= sleep.waits[0] <= waited[1]


@pytest.mark.anyio
@pytest.mark.parametrize(("reset", "waited"), [
    ("0.3", True),  # 10 left, within the 60 left to others: wait for the reset
    ("1700000000", False),  # not read: the client's own budget paces alone
    ("inf", False),
    ("1e400", False),
    ("nan", False),
    ("-5", False),
])
async def test_a_reset_that_is_not_seconds_within_the_minute_is_not_waited_for(
        demo_server: SimServer, reset: str, waited: bool) -> None:
    demo_server.faults = Faults(scripted=(Fault("rate_headers", TEAMS, rate_headers=(
        ("remaining", "10"), ("reset", reset))),))
    sleep = RecordingSleep()
    async with PagerDutyClient(fast_config(demo_server, key_share=60), sleep=sleep) as client:
        listings = [await asyncio.wait_for(list_all(client), 5) for _ in range(2)]
    assert [len(teams) for teams in listings] == [3, 3]
    assert bool(sleep.waits) == waited and all(wait <= 0.3 for wait in sleep.waits)


@pytest.mark.anyio
async def test_a_key_with_a_smaller_limit_is_spent_not_frozen() -> None:
    """The share left to other tools scales with ``ratelimit-limit``: a fixed 60 would leave
    nothing of a key of 50 a minute, and the client would wait for the window's reset after
    the first answer. 24 requests then go at once, 8 of the 50 left to others (when the rest
    of the window has to be waited for is ``Budget``'s, tested in test_client_config.py)."""
    faults = Faults(rate_limit_per_minute=50, rate_limit_window_seconds=60.0)
    with SimServer(sized_account(teams=2400), token=TOKEN, faults=faults) as server:
        sleep = RecordingSleep()
        config = fast_config(server, requests_per_minute=900, key_share=60)
        async with PagerDutyClient(config, sleep=sleep) as client:
            listed = await asyncio.wait_for(list_all(client), 5)
    statuses = [record.status for record in server.requests]
    assert len(listed) == 2400 and statuses == [200] * 24 and sleep.waits == []


@pytest.mark.anyio
@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "/users/PU00001"),
    ("DELETE", "/services/PS00001"),
    ("PATCH", "/teams/PT00001"),
    ("POST", "/incidents"),
    ("POST", "/analytics/raw/incidents/extra"),
    ("HEAD", "/users"),
])
async def test_writes_are_refused_before_any_byte_is_sent(demo_server: SimServer, method: str,
                                                          path: str) -> None:
    async with PagerDutyClient(fast_config(demo_server)) as client:
        with pytest.raises(ReadOnlyViolation, match=f"refused to send {method} {path}"):
            await client.request(method, path, body={"x": 1})
        with pytest.raises(ReadOnlyViolation):
            await client._http.send(method, client.config.api_url + path)  # past the client
    assert demo_server.requests == []


@pytest.mark.anyio
async def test_the_analytics_post_is_allowed_and_paged_by_cursor(demo_server: SimServer) -> None:
    account = demo_server.account
    since = NOW - timedelta(days=90)
    expected = [account.incidents[index].id
                for index in account.incidents.created_between(since, NOW)]
    async with PagerDutyClient(fast_config(demo_server)) as client:
        rows = [row async for row in client.iter_analytics_incidents(
            {"created_at_start": since, "created_at_end": NOW}, page_size=7)]
    assert [row["id"] for row in rows] == expected
    assert {record.method for record in demo_server.requests} == {"POST"}
    assert len(demo_server.requests) == math.ceil(len(expected) / 7)


async def posts_seen(server: SimServer, at_least: int, *, seconds: float = 5.0) -> int:
    """The POSTs the server has answered, once ``at_least`` of them or after ``seconds``."""
    for _ in range(round(seconds / 0.05)):
        if len(requests_to(server, "/analytics/raw/incidents")) >= at_least:
            break
        await asyncio.sleep(0.05)
    return len(requests_to(server, "/analytics/raw/incidents"))


@pytest.mark.anyio
async def test_the_next_analytics_page_is_asked_for_while_the_caller_works(
        demo_server: SimServer) -> None:
    filters = {"created_at_start": NOW - timedelta(days=90), "created_at_end": NOW}
    async with PagerDutyClient(fast_config(demo_server)) as client:
        rows = client.iter_analytics_incidents(filters, page_size=7)
        for _ in range(7):  # the whole first page, and no further
            await anext(rows)
        assert await posts_seen(demo_server, 2) == 2
        await rows.aclose()
        # Stopping early asks for nothing more.
        assert await posts_seen(demo_server, 3, seconds=0.5) == 2


@pytest.mark.anyio
async def test_a_request_something_waits_on_overtakes_pages_fetched_ahead() -> None:
    """At the rate limit, a listing's look-ahead pages queue up; a request outside them (a
    cursor's next page, another listing's first page) is served before the rest of that queue."""
    with SimServer(sized_account(teams=2000), token=TOKEN) as server:
        config = fast_config(server, requests_per_minute=4, budget_window=0.5, max_concurrency=8)
        async with PagerDutyClient(config) as client:
            listing = asyncio.ensure_future(list_all(client))
            while len(requests_to(server, TEAMS)) < 2:
                await asyncio.sleep(0.01)
            served_before = len(server.requests)
            await client.get("/priorities")
            await listing
        paths = [record.path for record in server.requests]
    assert paths.count(TEAMS) == 20
    # Behind at most the page holding the budget's queue and one on the wire; in arrival
    # order it would come after the eight look-ahead pages asked before it.
    assert paths.index("/priorities") <= served_before + 2


@pytest.mark.anyio
async def test_cursor_pagination_over_a_long_period(demo_server: SimServer) -> None:
    expected = [record.id for record in demo_server.account.audit_records]
    async with PagerDutyClient(fast_config(demo_server)) as client:
        records = [record async for record in client.iter_cursor(
            "/audit/records", "records", since=NOW - timedelta(days=400), until=NOW,
            max_span=timedelta(days=31), page_size=3)]
    assert sorted(record["id"] for record in records) == sorted(expected)
    spans = {(record.query["since"][0], record.query["until"][0])
             for record in demo_server.requests}
    assert len(spans) == math.ceil(400 / 31)


@pytest.mark.anyio
async def test_requests_carry_pagerdutys_headers() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"teams": [], "more": False, "total": 0},
                              headers={"Set-Cookie": "session=1"})

    from pdlint.pagerduty.settings import ClientConfig

    config = ClientConfig(api_url="https://api.eu.pagerduty.com", token=ApiToken(TOKEN),
                          connect_timeout=4, read_timeout=9)
    async with PagerDutyClient(config, transport=httpx.MockTransport(answer)) as client:
        await list_all(client)
        await list_all(client)
    request, again = seen
    assert request.url.host == "api.eu.pagerduty.com" and request.url.scheme == "https"
    assert request.headers["Accept"] == "application/vnd.pagerduty+json;version=2"
    assert request.headers["Authorization"] == f"Token token={TOKEN}"
    assert request.headers["User-Agent"].startswith("pdlint/")
    assert request.extensions["timeout"] == {"connect": 4, "read": 9, "write": 9, "pool": 9}
    assert dict(request.url.params) == {"limit": "100", "offset": "0", "total": "true"}
    assert "Cookie" not in again.headers  # the token authenticates: no cookie is kept


@pytest.mark.anyio
async def test_two_clients_on_one_key_leave_each_other_room() -> None:
    """PagerDuty's ratelimit headers carry what others spend of the key: two runs at once, each
    within its own budget, do not drive each other into 429s (each alone would send 24 where the
    key allows 30)."""
    faults = Faults(rate_limit_per_minute=30, rate_limit_window_seconds=2.0)
    with SimServer(sized_account(teams=2000), token=TOKEN, faults=faults) as server:
        # 192 of PagerDuty's 960 is a fifth: 6 of the simulator's 30 are left to the other
        config = fast_config(server, requests_per_minute=24, budget_window=2.0, key_share=192,
                             max_concurrency=2)
        async with PagerDutyClient(config) as first, PagerDutyClient(config) as second:
            listed = await asyncio.gather(list_all(first), list_all(second))
    statuses = [record.status for record in server.requests]
    assert [len(teams) for teams in listed] == [2000, 2000]
    assert 429 not in statuses and statuses.count(200) == 40

