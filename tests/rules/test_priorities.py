"""PRI500: the severity matrix (tests/fixtures/policies/base/severities.yaml: SEV1 -> P1 at
line 9, SEV2 -> P2 at line 16) against the account's priorities."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rule_cases import context_of, live_state, priority, summary

from pdlint.pagerduty.state import LiveState
from pdlint.policy.model import Policy
from pdlint.rules.priorities import check_priorities

TEAMS = "teams:\n  - name: Platform\n"

UNMAPPED = """\
teams:
  - name: Platform
severities:
  - id: SEV1
    name: Critical
    response_sla: 5m
    urgency: high
    channels: [phone]
    business_hours_only: false
    postmortem_within: 48h
"""


def findings(policy: Policy, state: LiveState) -> list[tuple[Any, ...]]:
    return [(*summary(finding), Path(finding.location.path).name if finding.location else None,
             finding.message) for finding in check_priorities.check(context_of(policy, state))]


@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(live_state(priorities=[priority("PP1", "P1"), priority("PP2", "P2"),
                                        priority("PP3", "P3")]), [], id="all-present"),
    pytest.param(live_state(priorities=[priority("PP1", "P1"), priority("PP3", "P3")]),
                 [("PRI500", "P2", "P2", ["P1", "P3"], 16, "severities.yaml",
                   "SEV2 maps to this priority, which the account does not have (it has P1, "
                   "P3)")], id="one-missing"),
    pytest.param(live_state(priorities=[priority("PP1", "p1"), priority("PP2", "P2")]),
                 [("PRI500", "P1", "P1", ["p1", "P2"], 9, "severities.yaml",
                   "SEV1 maps to this priority, which the account does not have (it has p1, "
                   "P2)")], id="names-are-exact"),
    pytest.param(live_state(priorities=[]),
                 [("PRI500", None, ["P1", "P2"], [], 9, "severities.yaml",
                   "the account has no incident priorities (the feature is switched off), so "
                   "severities SEV1, SEV2 cannot be recorded on incidents")],
                 id="no-priorities-is-one-finding"),
    pytest.param(live_state(skipped=["priorities"]), [], id="not-read-is-skipped-not-missing"),
])
def test_priorities(make_policy: Callable[..., Policy], state: LiveState,
                    expected: list[tuple[Any, ...]]) -> None:
    assert findings(make_policy(TEAMS), state) == expected


def test_a_matrix_without_priorities_needs_none(make_policy: Callable[..., Policy]) -> None:
    policy = make_policy(UNMAPPED, without=("severities",))
    assert findings(policy, live_state(priorities=[])) == []
