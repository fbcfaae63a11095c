"""Shared by every test folder: this file puts ``tests/`` on the import path, so that
``pdlint_process`` (running pdlint as a user does) and ``sim_client`` (a client configured for
the simulator) are importable everywhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pdlint.policy import load


@pytest.fixture(params=sorted(load.LOADERS))
def each_yaml_loader(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs a test once with each YAML loader this PyYAML has (libyaml's, and the pure-Python
    one pdlint falls back to without it), as ``pdlint.policy.load.LOADER``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load, "LOADER", request.param)
        yield request.param
