"""What the command tests share: the demo account's pinned time, the 30-day window from it, and
the token the simulator accepts."""

from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)  # a Monday
WINDOW = ("--since", "2026-03-02T12:00:00Z", "--until", "2026-04-01T12:00:00Z")
TOKEN = "cli-test-token-8c1f"
