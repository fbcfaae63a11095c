"""Which event orchestrations a read asks for: those of the services the policy documents (by
pinned id or exact name), not disabled, or every service's for a run without a policy; the
global orchestrations' routers always. Real HTTP against the simulator, requests counted by
path."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from pagerduty_cases import NOW, TOKEN
from sim_client import fast_config

from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.fetch import fetch_state
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import (
    EVERYTHING,
    DocumentedServices,
    LiveState,
    TeamScope,
    Wanted,
    Window,
)
from pdlint.sim import SimServer, demo_account

WINDOW = Window.starting(NOW, timedelta(days=14))
ORCHESTRATIONS = "/event_orchestrations/services/"
ENABLED = ("Checkout API", "Payments API", "Identity Service", "Internal Admin",
           "Security Monitoring", "Web Application Firewall", "Analytics Pipeline",
           "Status Page")
"""The demo's services but Legacy Billing, disabled here; Checkout API's and Identity
Service's orchestrations act (a rule), so their status is read too."""


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    account = demo_account(NOW)
    account = replace(account, services=tuple(
        replace(service, status="disabled") if service.name == "Legacy Billing" else service
        for service in account.services))
    with SimServer(account, token=TOKEN) as served:
        yield served


async def read(server: SimServer, wanted: Wanted) -> tuple[LiveState, Counter[str]]:
    async def known() -> Wanted:
        return wanted

    server.clear_requests()
    async with PagerDutyClient(fast_config(server)) as client:
        state = await fetch_state(client, WINDOW, wanted=known())
    return state, Counter(record.path for record in server.requests)


def documented(*names: str, ids: tuple[str, ...] = ()) -> Wanted:
    return Wanted(services=DocumentedServices(names, ids))


@pytest.mark.parametrize(("wanted", "read_for"), [
    pytest.param(lambda ids: documented("Payments API"), ("Payments API",), id="by-name"),
    pytest.param(lambda ids: documented("Payments (old name)", ids=(ids["Payments API"],)),
                 ("Payments API",), id="by-pinned-id"),
    pytest.param(lambda ids: documented("Payment API"), (), id="renamed-not-read"),
    pytest.param(lambda ids: documented(), (), id="undocumented"),
    pytest.param(lambda ids: documented("Legacy Billing"), (), id="disabled"),
    pytest.param(lambda ids: documented("Checkout API", "Identity Service"),
                 ("Checkout API", "Identity Service"), id="acting-with-status"),
    pytest.param(lambda ids: Wanted(TeamScope(("Security",), ("Checkout API",)),
                                    DocumentedServices(("Checkout API", "Security Monitoring"))),
                 ("Checkout API", "Security Monitoring"), id="scoped"),
    pytest.param(lambda ids: EVERYTHING, ENABLED, id="everything-without-a-policy"),
])
@pytest.mark.anyio
async def test_the_documented_services_orchestrations_are_read(
        server: SimServer, wanted: Callable[[dict[str, str]], Wanted],
        read_for: tuple[str, ...]) -> None:
    ids = {service.name: service.id for service in server.account.services}
    state, paths = await read(server, wanted(ids))
    acting = {"Checkout API", "Identity Service"}
    assert {path: count for path, count in paths.items() if path.startswith(ORCHESTRATIONS)} == {
        **{f"{ORCHESTRATIONS}{ids[name]}": 1 for name in read_for},
        **{f"{ORCHESTRATIONS}{ids[name]}/active": 1 for name in read_for if name in acting}}
    router = server.account.event_orchestrations[0].id
    assert paths[f"/event_orchestrations/{router}/router"] == 1
    assert paths["/event_orchestrations"] == 1
    account = parse_account(state)
    assert sorted(account.service_orchestrations) == sorted(ids[name] for name in read_for)
    assert {service.name for service in account.services
            if account.orchestration_read(service)} == {*read_for, "Legacy Billing"} & {
        service.name for service in account.services}


@pytest.mark.anyio
async def test_the_global_routers_are_read_before_the_policy_is_handed_over(
        server: SimServer) -> None:
    """They need no policy: a read that waited for it would start them a policy load late."""
    router = f"/event_orchestrations/{server.account.event_orchestrations[0].id}/router"
    read_before: list[bool] = []

    async def handed_late() -> Wanted:
        for _ in range(500):  # up to 5 s, then hand over anyway: the test fails, not hangs
            if any(record.path == router for record in server.requests):
                break
            await asyncio.sleep(0.01)
        read_before.append(any(record.path == router for record in server.requests))
        return EVERYTHING

    server.clear_requests()
    async with PagerDutyClient(fast_config(server)) as client:
        await fetch_state(client, WINDOW, wanted=handed_late())
    assert read_before == [True]
