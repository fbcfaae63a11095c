"""Shared data of the adversarial suite (a module name unique across test folders)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sim_client import fast_config

from pdlint.cli import main
from pdlint.pagerduty.settings import ClientConfig
from pdlint.pagerduty.state import Window
from pdlint.sim import Account, SimServer, demo_account
from pdlint.sim.account import Team, V3Schedule, object_id

ROOT = Path(__file__).parent.parent.parent
POLICY = ROOT / "policy"
"""The example policy, which documents the demo account (with its deliberate drifts)."""

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
WINDOW = Window.starting(NOW, timedelta(days=14))
PERIOD = (datetime(2026, 2, 2, tzinfo=timezone.utc), datetime(2026, 3, 2, tzinfo=timezone.utc))
"""The audit period of the evidence runs: four weeks holding eight of the demo's incidents."""

TOKEN = "pdADV-7Qz_SECRET_do-not-print-93f1"
"""Distinctive enough that finding it (or its secret middle) anywhere means it leaked."""
TOKEN_FRAGMENTS = (TOKEN, "SECRET_do-not-print")

TALLY: Counter[str] = Counter()
"""Inputs fuzzed, fault cells run and their outcomes in this session: the figures that
docs/reliability.md reports (printed at the end of the run)."""

READ_TIMEOUT = 0.3
SLOW_MS = 900
"""A slow answer: three times the read timeout of ``hostile_config``."""


def hostile_account() -> Account:
    """The demo account (the example policy documents it) with an undocumented escalation
    policy, team and three shift-based schedules: every collection pdlint reads holds at least
    three objects, so that at two a page each has a page after the first."""
    account = demo_account(NOW)
    v3 = tuple(V3Schedule(object_id("V", index), f"Shift rota {index + 1}", "Europe/Berlin")
               for index in range(3))
    template = account.escalation_policies[0]
    staging = replace(template, id=object_id("E", 90), name="Staging - Platform", team_ids=())
    return replace(account, v3_schedules=v3,
                   escalation_policies=(*account.escalation_policies, staging),
                   teams=(*account.teams, Team(object_id("T", 90), "Data")))


def hostile_config(server: SimServer, **overrides: Any) -> ClientConfig:
    """A client with short timeouts and few, nearly instant retries: a fault costs milliseconds,
    and a lasting one ends the run after three attempts."""
    return fast_config(server, **{
        "max_attempts": 3, "rate_limited_attempts": 3, "malformed_attempts": 3,
        "backoff_base": 0.005, "backoff_cap": 0.02, "retry_budget": 10.0,
        "read_timeout": READ_TIMEOUT, "connect_timeout": 1.0, **overrides})


class TimeLimitExceeded(Exception):
    """Raised inside the code under test when it runs past its time limit (a hang)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of wall time: a hang fails instead of stalling the
    suite. Main thread only (SIGALRM)."""

    def interrupt(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Ran:
    """What a run of pdlint left: its exit code and everything it printed."""

    code: int
    stdout: str
    stderr: str


def run_main(*args: str, env: Mapping[str, str | None] | None = None) -> Ran:
    """``pdlint ARGS`` in this process, through the same ``main`` a user's shell calls (its
    exception handling included), with no PagerDuty or GitHub settings from this machine."""
    unset: dict[str, str | None] = {name: None for name in os.environ
                                    if name.startswith(("PAGERDUTY_", "GITHUB_"))}
    saved_argv = sys.argv
    with CliRunner().isolation(env={**unset, **(env or {})}) as (stdout, stderr, _):
        sys.argv = ["pdlint", *args]
        try:
            main()
        except SystemExit as finished:
            code = finished.code if isinstance(finished.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        finally:
            sys.argv = saved_argv
    return Ran(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def sim_env(server: SimServer) -> dict[str, str]:
    return {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": server.token}
