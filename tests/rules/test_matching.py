"""Documented objects pair with live ones by pinned id, then exact name, then as a rename."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from pdlint.findings import Location
from pdlint.memo import once_per_run
from pdlint.pagerduty.model import Account, Team, parse_account
from pdlint.pagerduty.model import Service as LiveService
from pdlint.pagerduty.state import LiveState
from pdlint.policy.model import Policy, Service, Sourced
from pdlint.rules.matching import Pair, pair_objects, remembered

HERE = Location("policy/x.yaml", 1)


@dataclass(frozen=True)
class Entry:
    name: str
    id: Sourced[str] | None = None


def live(obj_id: str, name: str) -> Team:
    return Team(obj_id, name, None, None)


@pytest.mark.parametrize(
    ("documented", "objects", "expected"),
    [
        pytest.param([Entry("Platform")], [live("P1", "Platform")],
                     [("Platform", "P1", False)], id="by-name"),
        pytest.param([Entry("Platform", Sourced("P2", HERE))],
                     [live("P1", "Platform"), live("P2", "Platform (old)")],
                     [("Platform", "P2", True), (None, "P1", False)], id="pinned-id-wins"),
        pytest.param([Entry("Platform", Sourced("P9", HERE))], [live("P1", "Platform")],
                     [("Platform", "P1", False)], id="pinned-id-gone-falls-back-to-name"),
        pytest.param([Entry("Production - Platform")], [live("P1", "Production – Platform")],
                     [("Production - Platform", "P1", True)], id="rename-by-similarity"),
        pytest.param([Entry("Payments")], [live("P1", "Identity")],
                     [("Payments", None, False), (None, "P1", False)], id="unrelated"),
        pytest.param([], [live("P2", "b"), live("P1", "a")],
                     [(None, "P1", False), (None, "P2", False)], id="undocumented-by-name"),
        pytest.param([Entry("Platform Primary"), Entry("Platform Primery")],
                     [live("P1", "Platform Primery")],
                     [("Platform Primary", None, False), ("Platform Primery", "P1", False)],
                     id="exact-name-beats-rename"),
    ],
)
def test_pairing(documented: list[Entry], objects: list[Team],
                 expected: list[tuple[str | None, str | None, bool]]) -> None:
    pairs = pair_objects(documented, objects)
    assert [(pair.documented.name if pair.documented else None,
             pair.live.id if pair.live else None, pair.renamed) for pair in pairs] == expected


def test_pairs_are_worked_out_once_for_a_policy_and_an_account(
        demo_state: LiveState, make_policy: Callable[..., Policy]) -> None:
    """The rules of one run (``once_per_run``) share one pairing; another account, or another
    policy, is paired anew, never answered with another's pairs; once the run is over, nothing
    is kept."""
    asked: list[tuple[Policy, Account]] = []

    @remembered
    def pairs(policy: Policy, account: Account) -> tuple[Pair[Service, LiveService], ...]:
        asked.append((policy, account))
        return tuple(pair_objects(policy.services, account.services))

    policy, other_policy = make_policy(""), make_policy("")
    account, other_account = parse_account(demo_state), parse_account(demo_state)
    with once_per_run():
        first = pairs(policy, account)
        assert pairs(policy, account) is first and len(asked) == 1
        assert pairs(policy, other_account) is not first
        assert pairs(other_policy, other_account) is not first
        assert pairs(policy, account) is first and len(asked) == 3
    assert [(policy is asked_policy, account is asked_account)
            for asked_policy, asked_account in asked] == [(True, True), (True, False),
                                                          (False, False)]
    assert pairs(policy, account) is not first  # the run over, nothing is kept
