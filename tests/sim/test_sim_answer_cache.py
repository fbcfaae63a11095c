"""``SimServer(cache_answers=True)``: a repeated read gets the same bytes without being computed
again, and only while no fault but the rate limit is installed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sim_cases import TOKEN

from pdlint.sim import Account, Fault, Faults, SimServer

SCHEDULES = "/schedules?include[]=final_schedule&since=2026-03-02T00:00:00Z&limit=2"


@pytest.fixture
def cached(demo: Account) -> Iterator[tuple[SimServer, list[str]]]:
    """A caching server and the paths its API was asked to compute."""
    with SimServer(demo, token=TOKEN, cache_answers=True) as server:
        computed: list[str] = []
        handle = server._api.handle

        def counting(request: Any) -> Any:
            computed.append(request.path)
            return handle(request)

        server._api.handle = counting  # type: ignore[method-assign]
        yield server, computed


def get(server: SimServer, path: str, token: str = TOKEN) -> httpx.Response:
    return httpx.get(server.base_url + path, headers={"Authorization": f"Token token={token}"})


@pytest.mark.parametrize(("faults", "computed_twice"), [
    (Faults(), False),
    (Faults(rate_limit_per_minute=100), False),
    (Faults(forbidden={"/teams": 403}), True),
    (Faults(scripted=(Fault("slow", "/users", delay_ms=1),)), True),
    (Faults(max_page_size=1), True),
])
def test_a_repeated_get_is_computed_once_unless_a_fault_is_installed(
        cached: tuple[SimServer, list[str]], faults: Faults, computed_twice: bool) -> None:
    server, computed = cached
    server.faults = faults
    first, second = get(server, SCHEDULES), get(server, SCHEDULES)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    assert computed == ["/schedules"] * (2 if computed_twice else 1)
    assert [record.status for record in server.requests] == [200, 200]


def test_refusals_are_never_served_from_the_cache_nor_kept(
        cached: tuple[SimServer, list[str]]) -> None:
    server, computed = cached
    server.faults = Faults(rate_limit_per_minute=1)
    statuses = [get(server, "/teams").status_code, get(server, "/teams").status_code,
                get(server, "/teams", token="wrong").status_code]
    server.faults = Faults(forbidden={"/teams": 402})
    statuses.append(get(server, "/teams").status_code)
    server.faults = Faults()
    statuses.append(get(server, "/teams").status_code)
    assert statuses == [200, 429, 401, 402, 200]
    assert computed == ["/teams"]


def test_the_analytics_read_is_kept_by_its_body(cached: tuple[SimServer, list[str]]) -> None:
    server, computed = cached
    headers = {"Authorization": f"Token token={TOKEN}"}
    bodies = [{"filters": {}, "limit": 5}, {"filters": {}, "limit": 5}, {"filters": {}, "limit": 6}]
    answers = [httpx.post(server.base_url + "/analytics/raw/incidents", json=body,
                          headers=headers) for body in bodies]
    assert [(answer.status_code, len(answer.json()["data"])) for answer in answers] == [
        (200, 5), (200, 5), (200, 6)]
    assert computed == ["/analytics/raw/incidents"] * 2
