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
from pdlint.pagerduty.state import (
    EVERYTHING,
    DocumentedServices,
    LiveState,
    TeamScope,
    Wanted,
    Window,
)
from pdlint.sim import Account, SimServer, generated_account

WINDOW = Window.starting(NOW, timedelta(days=14))


async def read(server: SimServer, scope: TeamScope | None) -> LiveState:
    """The read of a policy with this scope, documenting its services (by name); without a
    scope, of the whole account (``EVERYTHING``)."""
    async def known() -> Wanted:
        return Wanted(scope, DocumentedServices(scope.services)) if scope else EVERYTHING

    async with PagerDutyClient(fast_config(server)) as client:
        return await fetch_state(client, WINDOW, wanted=known())


def pages(count: int, size: int = 100) -> int:
    return max(1, math.ceil(count / size))


def orchestrations_of_all(account: Account) -> int:
    """The requests of a read without a policy for the services' orchestrations: one per
    service not disabled, one more for the status of each that acts."""
    return sum(1 + service.orchestration.acts for service in account.services
               if service.status != "disabled")


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
        server.clear_requests()
        state = await read(server, scope)
        requests = list(server.requests)
    # The same listings, but the services: the teams' by team_ids[], their count, and a search
    # for the one documented elsewhere; and the orchestrations of the documented services
    # only (one each, and one for the status of one that acts), not of every service.
    documented = [service for service in (theirs[0], elsewhere) if service.status != "disabled"]
    orchestrations = sum(1 + service.orchestration.acts for service in documented)
    minimum = (whole - pages(1200) + pages(len(theirs)) + 1 + 1 - orchestrations_of_all(account)
               + orchestrations)
    assert len(requests) <= 1.05 * minimum
    assert len(requests) == minimum
    assert sorted(record.path for record in requests
                  if record.path.startswith("/event_orchestrations/services/")) == sorted(
        [f"/event_orchestrations/services/{service.id}" for service in documented]
        + [f"/event_orchestrations/services/{service.id}/active" for service in documented
           if service.orchestration.acts])
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
