"""What the history tests share: a snapshot of the simulated demo account, read over HTTP once,
which `pdlint drift --snapshot` then checks as often as a test likes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sim_client import fast_config

from pdlint.pagerduty.fetch import fetch_state_sync
from pdlint.pagerduty.snapshot import write_snapshot
from pdlint.pagerduty.state import Window
from pdlint.sim import SimServer, demo_account

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
PROJECT = Path(__file__).resolve().parents[2]


def snapshot_at(path: Path, server: SimServer, taken: datetime) -> Path:
    """A snapshot of the account ``server`` serves, saying it was taken at ``taken``: a run of
    a schedule, on the day the test pretends it is."""
    state = fetch_state_sync(fast_config(server), Window.starting(NOW), quiet=True)
    write_snapshot(replace(state, fetched_at=taken), path)
    return path


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with SimServer(demo_account(NOW), token="history-token") as server:
        return snapshot_at(tmp_path_factory.mktemp("snapshot") / "snap.json", server,
                           datetime(2026, 3, 2, 12, 0, 7, 250_000, tzinfo=timezone.utc))
