"""Shared data of the live-state tests (a module name unique across test folders)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pdlint.sim import Account, sized_account
from pdlint.sim.account import IncidentTimeline, incident_id

FIXTURES = Path(__file__).parent.parent / "fixtures" / "pagerduty"
SMALL_ACCOUNT = FIXTURES / "small-account.snapshot.json"
"""A two-person account (one policy, schedule, service, team; two priorities), unredacted."""

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
TOKEN = "u+Zk3CRETdoNotPrint_4242"
"""Distinctive enough that finding it anywhere in output means it leaked."""



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
