"""Fixtures of the live-state tests: a small saved account, and the simulator over loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pagerduty_cases import NOW, SMALL_ACCOUNT, TOKEN

from pdlint.pagerduty.snapshot import load_snapshot
from pdlint.pagerduty.state import LiveState
from pdlint.sim import SimServer, demo_account


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def small_state() -> LiveState:
    return load_snapshot(SMALL_ACCOUNT)


@pytest.fixture
def demo_server() -> Iterator[SimServer]:
    """The demo account on loopback, as of a pinned ``NOW``."""
    with SimServer(demo_account(NOW), token=TOKEN) as server:
        yield server
