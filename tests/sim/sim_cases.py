"""Shared constants of the simulator's tests (a module name unique across test folders)."""

from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
"""The pinned present of the accounts under test: a Monday, 07:00 in New York."""

TOKEN = "sim-test-token"
