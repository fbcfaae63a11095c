"""Classic and cursor pagination at their boundaries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sim_cases import NOW, TOKEN

from pdlint.sim import Account, SimServer, generated_account, sized_account


def serve(account: Account) -> Iterator[httpx.Client]:
    with SimServer(account, token=TOKEN) as server, httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Token token={TOKEN}"}) as http:
        yield http


def walk(http: httpx.Client, path: str, key: str, **query: Any) -> tuple[list[str], list[Any]]:
    """Every id of a classic listing, and each page's (offset, count, more)."""
    ids: list[str] = []
    pages: list[Any] = []
    offset = 0
    while True:
        body = http.get(path, params={**query, "offset": offset}).raise_for_status().json()
        ids += [item["id"] for item in body[key]]
        pages.append((body["offset"], len(body[key]), body["more"]))
        if not body["more"]:
            return ids, pages
        offset += body["limit"]


@pytest.mark.parametrize(("count", "limit", "pages"), [
    (0, None, [(0, 0, False)]),
    (1, None, [(0, 1, False)]),
    (25, None, [(0, 25, False)]),
    (26, None, [(0, 25, True), (25, 1, False)]),
    (100, 100, [(0, 100, False)]),
    (101, 100, [(0, 100, True), (100, 1, False)]),
    (101, 500, [(0, 100, True), (100, 1, False)]),  # limit is capped at 100
])
@pytest.mark.parametrize(("kind", "path"), [("users", "/users"), ("services", "/services")])
def test_pages_cover_every_object_once(kind: str, path: str, count: int, limit: int | None,
                                       pages: list[Any]) -> None:
    account = sized_account(**{kind: count}, now=NOW)
    query = {} if limit is None else {"limit": limit}
    for http in serve(account):
        ids, seen_pages = walk(http, path, kind, **query)
    assert seen_pages == pages
    assert sorted(ids) == sorted(item.id for item in getattr(account, kind))


@pytest.mark.parametrize(("query", "total"), [({}, None), ({"total": "true"}, 101),
                                              ({"total": "false"}, None)])
def test_total_is_null_unless_asked(query: dict[str, str], total: int | None) -> None:
    for http in serve(sized_account(users=101, now=NOW)):
        body = http.get("/users", params=query).json()
    assert body["total"] == total
    assert (body["limit"], body["offset"], body["more"]) == (25, 0, True)


@pytest.fixture(scope="module")
def ten_thousand_teams() -> Iterator[httpx.Client]:
    yield from serve(sized_account(teams=10_050, now=NOW))


@pytest.mark.parametrize(("offset", "limit", "status"), [
    (9900, 100, 200),
    (9999, 1, 200),
    (9901, 100, 400),
    (10000, 1, 400),
    (9950, 50, 200),
])
def test_offset_plus_limit_may_not_exceed_ten_thousand(
    ten_thousand_teams: httpx.Client, offset: int, limit: int, status: int,
) -> None:
    response = ten_thousand_teams.get("/teams", params={"offset": offset, "limit": limit})
    assert response.status_code == status
    if status == 400:
        error = response.json()["error"]
        assert error["code"] == 2002
        assert error["message"] == "Arguments Caused Error"
        assert error["errors"][0].startswith("Offset+limit exceeds maximum allowed value of 10000")
    else:
        assert response.json()["more"] is True  # objects remain past the ceiling


def test_audit_records_use_cursors_newest_first() -> None:
    account = generated_account(seed=3, services=5, escalation_policies=2, schedules=2, users=5,
                                incidents=0, teams=1, audit_records=400, now=NOW)
    query: dict[str, Any] = {"since": "2026-02-01T12:00:00Z", "until": "2026-03-02T12:00:00Z",
                             "limit": 7}
    expected = [record.id for record in account.audit_records
                if record.execution_time.isoformat() >= "2026-02-01T12:00:00+00:00"]
    ids: list[str] = []
    for http in serve(account):
        cursor = None
        while True:
            body = http.get("/audit/records",
                            params={**query, **({"cursor": cursor} if cursor else {})}).json()
            assert body["limit"] == 7
            ids += [record["id"] for record in body["records"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
    assert len(expected) > 20
    assert ids == expected
    times = [record.execution_time for record in account.audit_records]
    assert times == sorted(times, reverse=True)


def test_analytics_pages_follow_starting_after() -> None:
    account = sized_account(incidents=120, now=NOW)
    ids: list[str] = []
    for http in serve(account):
        body: dict[str, Any] = {"limit": 50, "order": "asc",
                                "filters": {"created_at_start": "2025-01-01T00:00:00Z"}}
        while True:
            page = http.post("/analytics/raw/incidents", json=body).raise_for_status().json()
            ids += [incident["id"] for incident in page["data"]]
            if not page["more"]:
                break
            body["starting_after"] = page["last"]
    assert ids == [incident.id for incident in account.incidents]


@pytest.mark.parametrize(("count", "limit", "sizes"), [
    (0, None, [0]), (100, None, [100]), (101, None, [100, 1]), (1001, 1000, [1000, 1]),
])
def test_v3_schedules_default_to_100_and_allow_1000(count: int, limit: int | None,
                                                   sizes: list[int]) -> None:
    account = generated_account(0, 0, 0, 0, 0, 0, 0, v3_schedules=count, audit_records=0,
                                now=NOW)
    for http in serve(account):
        ids, pages = walk(http, "/v3/schedules", "schedules",
                          **({} if limit is None else {"limit": limit}))
    assert [size for _, size, _ in pages] == sizes
    assert len(set(ids)) == count
