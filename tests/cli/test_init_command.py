"""`pdlint init` as a user runs it: a real process reading the simulated demo account over HTTP,
then `pdlint lint` and `pdlint drift` on what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_cases import WINDOW
from pdlint_process import run_pdlint

FILES = ["escalation-policies.yaml", "organisation.yaml", "schedules.yaml", "services.yaml",
         "waivers.yaml"]




def test_init_writes_a_policy_that_lints_and_shows_no_drift(tmp_path: Path,
                                                            env: dict[str, str]) -> None:
    done = run_pdlint("init", "-o", "policy", *WINDOW, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in (tmp_path / "policy").iterdir()) == FILES
    assert "review each \"Review:\" comment" in done.stderr
    lint = run_pdlint("lint", "policy", env=env, cwd=tmp_path)
    assert (lint.returncode, lint.stdout.strip()) == (0, "no problems")
    drift = run_pdlint("drift", "--policy", "policy", "--quiet", "--format", "json", *WINDOW,
                       env=env, cwd=tmp_path)
    assert drift.returncode == 0, drift.stderr
    report = json.loads(drift.stdout)
    assert [(finding["rule"], finding["resource"]["name"], finding["waived"] is not None)
            for finding in report["findings"]] == [("USR400", "Pavel Novak", True)]


def test_init_refuses_a_folder_holding_policy_files_unless_forced(tmp_path: Path,
                                                                  env: dict[str, str]) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "services.yaml").write_text("services: []\n")
    refused = run_pdlint("init", "-o", str(folder), "--quiet", *WINDOW, env=env)
    assert refused.returncode == 2
    assert "already holds policy files (services.yaml); pass --force" in refused.stderr
    assert sorted(path.name for path in folder.iterdir()) == ["services.yaml"]
    forced = run_pdlint("init", "-o", str(folder), "--quiet", "--force", *WINDOW, env=env)
    assert forced.returncode == 0, forced.stderr
    assert sorted(path.name for path in folder.iterdir()) == FILES
    assert "Payments API" in (folder / "services.yaml").read_text()


@pytest.mark.parametrize(("arguments", "message"), [
    pytest.param(("--time-zone", "Mars/Olympus"), "'Mars/Olympus' is not an IANA time zone",
                 id="time-zone"),
    pytest.param((), "does not exist; create it first", id="no-parent-folder"),
])
def test_init_stops_before_reading_the_account(tmp_path: Path, env: dict[str, str],
                                               arguments: tuple[str, ...], message: str) -> None:
    unreachable = {**env, "PAGERDUTY_API_URL": "http://127.0.0.1:9"}
    done = run_pdlint("init", "-o", str(tmp_path / "missing" / "policy"), *arguments,
                      env=unreachable)
    assert done.returncode == 2
    assert message in done.stderr
