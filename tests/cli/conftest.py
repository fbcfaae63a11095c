"""The simulated demo account on loopback, over HTTP and over TLS, shared by the command tests of
one module."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
from cli_cases import NOW, TLS, TOKEN

from pdlint.sim import SimServer, demo_account


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with SimServer(demo_account(NOW), token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def https_server() -> Iterator[SimServer]:
    """The demo account over TLS, its certificate signed by the test authority (``TLS``)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "server.pem", TLS / "server.key")
    with SimServer(demo_account(NOW), token=TOKEN, tls=context) as running:
        yield running


@pytest.fixture
def env(server: SimServer) -> dict[str, str]:
    """The environment that points pdlint at the simulator."""
    return {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
