"""What the history tests share: a snapshot of the simulated demo account, read over HTTP once,
which `pdlint drift --snapshot` then checks as often as a test likes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from history_cases import NOW, snapshot_at

from pdlint.sim import SimServer, demo_account


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with SimServer(demo_account(NOW), token="history-token") as server:
        return snapshot_at(tmp_path_factory.mktemp("snapshot") / "snap.json", server,
                           datetime(2026, 3, 2, 12, 0, 7, 250_000, tzinfo=timezone.utc))
