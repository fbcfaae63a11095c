"""The engine gives every finding a policy location: one about a live object the policy does not
document points at the key of the collection that documents that kind of object, or at the
``organisation`` section when the policy has no such collection yet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rule_cases import TODAY, escalation_policy, live_state, schedule, service

from pdlint.pagerduty.model import parse_account
from pdlint.policy.model import Policy
from pdlint.rules.engine import drift

COLLECTIONS = """\
    escalation_policies: []

    schedules: []

    services: []
"""


@pytest.mark.parametrize(
    ("fragment", "homes"),
    [
        (COLLECTIONS, {"EP101": ("case.yaml", 1), "SCH200": ("case.yaml", 3),
                       "SVC300": ("case.yaml", 5)}),
        ("", {"EP101": ("organisation.yaml", 1), "SCH200": ("organisation.yaml", 1),
              "SVC300": ("organisation.yaml", 1)}),
    ],
    ids=["at-the-collection-key", "no-collection-yet"],
)
def test_an_undocumented_object_points_where_its_kind_is_documented(
    make_policy: Callable[..., Policy], fragment: str, homes: dict[str, tuple[str, int]],
) -> None:
    policy = make_policy(fragment)
    state = live_state(escalation_policies=[escalation_policy("PEP1", "Ops", [])],
                       schedules=[schedule("PSC1", "Ops rota")],
                       services=[service("PSV1", "Billing")])
    report = drift(policy, parse_account(state), TODAY)
    found = {finding.rule: finding.location for finding in report.findings
             if finding.rule in homes}
    assert set(found) == set(homes)
    for rule_id, (name, line) in homes.items():
        location = found[rule_id]
        assert location is not None and (Path(location.path).name, location.line) == (name, line)


def test_home_of_a_kind_without_a_collection_is_the_organisation(
    make_policy: Callable[..., Policy],
) -> None:
    policy = make_policy("teams: []\n")
    assert policy.home_of("user") == policy.organisation.location
    team_home = policy.home_of("team")
    assert (Path(team_home.path).name, team_home.line) == ("case.yaml", 1)
