"""A read limited to some teams (``TeamScope``): the services by ``team_ids[]``, one request
counting the account's services, one per documented service the teams do not hold, and every
other listing whole, as the scope's reach needs; never more than 1.05 times the fewest requests
the API allows for that data."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from pagerduty_cases import NOW, TOKEN
from sim_client import fast_config

from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.fetch import fetch_state
from pdlint.pagerduty.state import LiveState, TeamScope, Window
from pdlint.sim import SimServer, generated_account

WINDOW = Window.starting(NOW, timedelta(days=14))


async def read(server: SimServer, scope: TeamScope | None) -> LiveState:
    async def known() -> TeamScope | None:
        return scope

    async with PagerDutyClient(fast_config(server)) as client:
        return await fetch_state(client, WINDOW, scope=known())


def pages(count: int, size: int = 100) -> int:
    return max(1, math.ceil(count / size))


@pytest.mark.anyio
async def test_a_scoped_read_lists_the_teams_services_and_counts_the_rest() -> None:
    account = generated_account(7, services=1200, escalation_policies=300, schedules=150,
                                users=700, incidents=0, teams=40, v3_schedules=2,
                                audit_records=0, now=NOW)
    chosen = account.teams[:3]
    ids = {team.id for team in chosen}
    theirs = [service for service in account.services if ids & set(service.team_ids)]
    elsewhere = next(service for service in account.services
                     if not ids & set(service.team_ids))
    scope = TeamScope(tuple(team.name for team in chosen), (theirs[0].name, elsewhere.name))
    with SimServer(account, token=TOKEN) as server:
        await read(server, None)
        whole = len(server.requests)  # every listing, as few pages as the API allows
        orchestrated = sum(record.path.startswith("/event_orchestrations/services/")
                           for record in server.requests)  # one per service enabled
        server.clear_requests()
        state = await read(server, scope)
        requests = list(server.requests)
    # The same, but the services: the teams' by team_ids[], their count, and a search for the
    # one documented elsewhere; and the orchestrations of those services only.
    in_scope = sum(service.status != "disabled" for service in [*theirs, elsewhere])
    minimum = whole - pages(1200) + pages(len(theirs)) + 1 + 1 - orchestrated + in_scope
    assert len(requests) <= 1.05 * minimum
    assert (len(requests), whole - minimum) == (minimum, 12 - 1 - 2 + orchestrated - in_scope)
    services = [record for record in requests if record.path == "/services"]
    assert sorted(tuple(sorted(record.query)) for record in services) == sorted(
        [("include[]", "limit", "offset", "team_ids[]", "total")] * pages(len(theirs))
        + [("limit", "total"), ("include[]", "limit", "name", "offset", "total")])
    assert sorted(service["id"] for service in state.services) == sorted(
        [service.id for service in theirs] + [elsewhere.id])
    assert dict(state.totals) == {"services": 1200}


@pytest.mark.anyio
async def test_a_team_that_cannot_be_found_reads_every_service() -> None:
    """The scope's check then names what is wrong (``rules.scope.ScopeError``); the read does
    not guess."""
    account = generated_account(2, services=150, escalation_policies=10, schedules=5, users=20,
                                incidents=0, teams=4, v3_schedules=0, audit_records=0, now=NOW)
    with SimServer(account, token=TOKEN) as server:
        state = await read(server, TeamScope(("Platform", "No such team")))
    assert len(state.services) == 150 and dict(state.totals) == {}
