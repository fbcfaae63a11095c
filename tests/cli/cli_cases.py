"""What the command tests share: the demo account's pinned time, the 30-day window from it, the
token the simulator accepts, and the test authority of its TLS."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)  # a Monday
WINDOW = ("--since", "2026-03-02T12:00:00Z", "--until", "2026-04-01T12:00:00Z")
TOKEN = "cli-test-token-8c1f"

TLS = Path(__file__).resolve().parents[1] / "fixtures" / "tls"
"""A test authority (ca.pem) and its certificate for 127.0.0.1 and localhost, valid to 2126."""


def snapshot_objects(snapshot: Path, base_url: str) -> dict[str, Any]:
    """A snapshot's API objects, without when and where they were read (the objects' own
    addresses name the server)."""
    saved = json.loads(snapshot.read_text(encoding="utf-8").replace(base_url, "BASE"))
    return {key: value for key, value in saved.items() if key not in ("fetched_at", "api_url")}
