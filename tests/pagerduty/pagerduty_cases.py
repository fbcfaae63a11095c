"""Shared data of the live-state tests (a module name unique across test folders)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pdlint.pagerduty.client import ApiToken, ClientConfig
from pdlint.sim import Account, SimServer, sized_account
from pdlint.sim.account import IncidentTimeline, incident_id

FIXTURES = Path(__file__).parent.parent / "fixtures" / "pagerduty"
SMALL_ACCOUNT = FIXTURES / "small-account.snapshot.json"
"""A two-person account (one policy, schedule, service, team; two priorities), unredacted."""

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
TOKEN = "u+Zk3CRETdoNotPrint_4242"
"""Distinctive enough that finding it anywhere in output means it leaked."""


def fast_config(server: SimServer, **overrides: Any) -> ClientConfig:
    """A client for the simulator: no real waiting between retries, a generous rate limit."""
    settings: dict[str, Any] = {
        "api_url": server.base_url, "token": ApiToken(server.token),
        "requests_per_minute": 60_000, "burst": 100, "backoff_base": 0.01, "backoff_cap": 0.05,
        "read_timeout": 5.0, "connect_timeout": 2.0, **overrides}
    return ClientConfig(**settings)


def account_with_incidents(count: int, since: datetime, spacing: timedelta) -> Account:
    """An account with exactly ``count`` incidents, one every ``spacing`` from ``since``.

    Denser than the generator's (spread over a year), so that one query window can hold more
    than offset pagination reaches.
    """
    account = sized_account(incidents=1, now=NOW)
    template = account.incidents[0]
    timeline = IncidentTimeline(count, lambda index: replace(
        template, index=index, created_at=since + index * spacing, title=f"Incident {index}",
        notes=(), escalations=(), acknowledged_at=None, acknowledged_by=None,
        resolved_at=None, resolved_by=None), timedelta(0))
    return replace(account, incidents=timeline)


def incident_ids(count: int) -> set[str]:
    return {incident_id(index) for index in range(count)}


class RecordingSleep:
    """An ``asyncio.sleep`` that remembers how long it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds)
