"""Documented objects pair with live ones by pinned id, then exact name, then as a rename."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pdlint.findings import Location
from pdlint.pagerduty.model import Team
from pdlint.policy.model import Sourced
from pdlint.rules.matching import pair_objects

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
