"""The retry budget: how long one request may keep retrying a failing API, set by
``--retry-budget`` or the ``retry-budget`` setting (docs/ci.md says how long a run can take)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from adversarial_cases import run_main, sim_env

from pdlint.sim import Fault, Faults, SimServer, demo_account


def attempts_until_the_run_ends(arguments: tuple[str, ...] = ()) -> int:
    """A snapshot against an API whose ``/teams`` answers 502 every time; the run must end in
    exit 2 naming the endpoint, after how many attempts it says."""
    faults = Faults(scripted=(Fault("status", "/teams", status=502),))
    with SimServer(demo_account(), token="budget-token", faults=faults) as server:
        ran = run_main("snapshot", "-o", "-", "--quiet", *arguments, env=sim_env(server))
    assert ran.code == 2 and ran.stdout == "", ran
    [line] = ran.stderr.splitlines()
    assert line.startswith("pdlint: error: GET /teams: "), line
    found = re.search(r"(\d+) attempts", line)
    assert found is not None, line
    return int(found[1])


def test_a_short_budget_ends_the_run_after_fewer_attempts() -> None:
    """With one second, the backoff (0.25-0.5 s, then 0.5-1 s, then 1-2 s) leaves room for two
    or three attempts; the default budget allows the six of ``max_attempts``."""
    assert attempts_until_the_run_ends(("--retry-budget", "1")) in (2, 3)


def test_the_budget_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".pdlint.yaml").write_text("retry-budget: 1\n")
    monkeypatch.chdir(tmp_path)
    assert attempts_until_the_run_ends() in (2, 3)


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_budget_that_is_not_a_length_of_time_is_a_usage_error(value: str) -> None:
    ran = run_main("snapshot", "-o", "-", "--retry-budget", value,
                   env={"PAGERDUTY_API_TOKEN": "unused"})
    assert ran.code == 2 and "--retry-budget" in ran.stderr


@pytest.mark.parametrize("value", ["0", "true", "'soon'", ".inf"])
def test_a_budget_setting_that_is_not_a_length_of_time_names_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".pdlint.yaml").write_text(f"retry-budget: {value}\n")
    monkeypatch.chdir(tmp_path)
    ran = run_main("snapshot", "-o", "-", env={"PAGERDUTY_API_TOKEN": "unused"})
    assert ran.code == 2
    assert ran.stderr.startswith(f"pdlint: error: {tmp_path / '.pdlint.yaml'}: retry-budget "
                                 "must be a number of seconds"), ran.stderr
