"""The bench's fewest requests (``bench/accounts.py``) are what a read for the same policy
sends: counted independently of pdlint's paging, then held to a real read of the simulator, so
that neither can drift from the other unnoticed."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sim_client import fast_config

from bench.accounts import Documented, configuration_requests
from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.fetch import fetch_state
from pdlint.pagerduty.state import EVERYTHING, DocumentedServices, TeamScope, Wanted, Window
from pdlint.sim import Account, SimServer, generated_account

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
TOKEN = "bench-accounts"


@pytest.fixture(scope="module")
def account() -> Account:
    return generated_account(5, services=260, escalation_policies=30, schedules=12, users=150,
                             incidents=0, teams=6, v3_schedules=2, audit_records=0,
                             maintenance_windows=130, now=NOW)


def sent(account: Account, wanted: Wanted) -> int:
    async def known() -> Wanted:
        return wanted

    async def read(server: SimServer) -> None:
        async with PagerDutyClient(fast_config(server)) as client:
            await fetch_state(client, Window.starting(NOW, timedelta(days=7)), wanted=known())

    with SimServer(account, token=TOKEN) as server:
        asyncio.run(read(server))
        return len(server.requests)


def documented_as(account: Account, count: int, *, scoped: bool,
                  pinned: bool) -> tuple[Documented, Wanted]:
    """The first ``count`` services documented by name (or by a pinned id under an old name),
    scoped to the first two teams or not: the bench's view and the read's."""
    services = account.services[:count]
    names = frozenset(f"old {service.name}" if pinned else service.name for service in services)
    ids = frozenset(service.id for service in services) if pinned else frozenset()
    teams = account.teams[:2]
    scope = TeamScope(tuple(team.name for team in teams), tuple(sorted(names))) if scoped else None
    return (Documented(names, ids, frozenset(team.id for team in teams) if scoped else None),
            Wanted(scope, DocumentedServices(tuple(sorted(names)), tuple(sorted(ids)))))


@pytest.mark.parametrize(("count", "scoped", "pinned"), [
    pytest.param(40, False, False, id="by-name"),
    pytest.param(40, False, True, id="by-pinned-id"),
    pytest.param(0, False, False, id="none-documented"),
    pytest.param(40, True, False, id="scoped-some-outside-the-teams"),
])
def test_the_minimum_for_a_policy_is_what_its_read_sends(
        account: Account, count: int, scoped: bool, pinned: bool) -> None:
    documented, wanted = documented_as(account, count, scoped=scoped, pinned=pinned)
    assert sent(account, wanted) == configuration_requests(account, documented)


def test_the_minimum_of_a_snapshot_reads_every_services_orchestration(account: Account) -> None:
    whole = configuration_requests(account)
    assert sent(account, EVERYTHING) == whole
    assert whole - configuration_requests(account, Documented(frozenset())) == sum(
        1 + service.orchestration.acts for service in account.services
        if service.status != "disabled")
