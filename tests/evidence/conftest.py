"""Fixtures of the evidence tests: the hand-made account on loopback, and a package written
from it once per module (the end-to-end tests only read it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from evidence_cases import TOKEN, hand_account, run_evidence

from pdlint.evidence import Evidence
from pdlint.sim import Faults, SimServer


@pytest.fixture
def hand_server() -> Iterator[SimServer]:
    with SimServer(hand_account(), token=TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def hand_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Evidence, Path, SimServer]:
    """The package of the hand-made account, and the server that answered (its requests)."""
    output = tmp_path_factory.mktemp("evidence") / "package"
    with SimServer(hand_account(), token=TOKEN, faults=Faults()) as server:
        evidence = run_evidence(server, output)
    return evidence, output, server
