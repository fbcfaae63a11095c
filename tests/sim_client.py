"""A pdlint client configured for the simulator on loopback, shared by every test folder."""

from __future__ import annotations

from typing import Any

from pdlint.pagerduty.settings import ApiToken, ClientConfig
from pdlint.sim import SimServer


def fast_config(server: SimServer, **overrides: Any) -> ClientConfig:
    """A client for the simulator: no real waiting between retries, a generous rate limit."""
    settings: dict[str, Any] = {
        "api_url": server.base_url, "token": ApiToken(server.token),
        "requests_per_minute": 60_000, "key_share": None, "backoff_base": 0.01, "backoff_cap": 0.05,
        "read_timeout": 5.0, "connect_timeout": 2.0, **overrides}
    return ClientConfig(**settings)
