"""The simulated demo account on loopback, shared by the command tests of one module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_cases import NOW, TOKEN

from pdlint.sim import SimServer, demo_account


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with SimServer(demo_account(NOW), token=TOKEN) as running:
        yield running


@pytest.fixture
def env(server: SimServer) -> dict[str, str]:
    """The environment that points pdlint at the simulator."""
    return {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
