"""Fixtures of the drift-rule tests: policies from YAML fragments, and the demo account's state
read over HTTP from the simulator (once per session: the rules only read it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rule_cases import NOW, WINDOW, policy_of

from pdlint.pagerduty.fetch import fetch_state_sync
from pdlint.pagerduty.settings import ApiToken, ClientConfig
from pdlint.pagerduty.state import LiveState
from pdlint.policy.model import Policy
from pdlint.sim import Account, SimServer, demo_account, generated_account

TOKEN = "rules-test-token"


@pytest.fixture
def make_policy(tmp_path: Path) -> Callable[..., Policy]:
    """``make_policy(fragment, without=())``: the base policy plus the fragment as
    ``case.yaml`` (see ``rule_cases.policy_of``)."""
    return lambda fragment, without=(): policy_of(tmp_path / "policy", fragment, without)


@pytest.fixture(scope="session")
def demo_state() -> LiveState:
    """The demo account as of ``NOW``, fetched as ``pdlint drift`` fetches it."""
    return fetched(demo_account(NOW))


@pytest.fixture(scope="session")
def generated_state() -> LiveState:
    """A generated account of every kind of object (shift-based schedules, maintenance windows,
    incident workflows, alert grouping settings, teams), fetched as ``pdlint drift`` does."""
    return fetched(generated_account(3, services=60, escalation_policies=20, schedules=15,
                                     users=80, incidents=0, teams=6, v3_schedules=2,
                                     maintenance_windows=12, incident_workflows=8, now=NOW))


def fetched(account: Account) -> LiveState:
    with SimServer(account, token=TOKEN) as server:
        config = ClientConfig(api_url=server.base_url, token=ApiToken(TOKEN),
                              requests_per_minute=60_000,
                              key_share=None)
        return fetch_state_sync(config, WINDOW)
