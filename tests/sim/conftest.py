"""Fixtures of the simulator's tests: the adapted spec (loaded once) and servers on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sim_cases import NOW, TOKEN
from sim_spec import SpecValidator, load_spec

from pdlint.sim import Account, Faults, SimServer, demo_account, generated_account


@pytest.fixture(scope="session")
def spec_validator() -> SpecValidator:
    return SpecValidator(load_spec())


@pytest.fixture(scope="session")
def demo() -> Account:
    return demo_account(NOW)


@pytest.fixture(scope="session")
def small_generated() -> Account:
    """A generated account small enough to read whole, with v3 schedules, open incidents and
    maintenance windows past, under way and to come, incident workflows and alert grouping
    settings."""
    return generated_account(seed=7, services=30, escalation_policies=12, schedules=10, users=60,
                             incidents=500, teams=4, v3_schedules=3, audit_records=40,
                             maintenance_windows=6, incident_workflows=4,
                             alert_grouping_settings=4, now=NOW)


@pytest.fixture(scope="module")
def demo_server(demo: Account) -> Iterator[SimServer]:
    with SimServer(demo, token=TOKEN) as server:
        yield server


@pytest.fixture
def client(demo_server: SimServer) -> Iterator[httpx.Client]:
    """A plain HTTP client for the demo server; faults are cleared after each test."""
    with httpx.Client(base_url=demo_server.base_url, timeout=5.0,
                      headers={"Authorization": f"Token token={TOKEN}"}) as http:
        yield http
    demo_server.faults = Faults()
