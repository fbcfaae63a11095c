"""The lint hook installed and run by pre-commit itself, as a policy repository would use it: a
packaging mistake (a missing schema file, a wrong entry point) fails here before a user sees it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
BASE = PROJECT / "tests" / "fixtures" / "policies" / "base"
WITH_REGISTER = PROJECT / "policy"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def commit_policy(tmp_path: Path, policy: Path) -> Path:
    repo = tmp_path / "policy-repo"
    shutil.copytree(policy, repo / "policy")
    git(repo, "init", "-q")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "policy")
    return repo


@pytest.fixture
def policy_repo(tmp_path: Path) -> Path:
    return commit_policy(tmp_path, BASE)


def try_repo(repo: Path, home: Path, staged: bool = False) -> subprocess.CompletedProcess[str]:
    """The lint hook run by pre-commit on every file, or on the staged ones as a commit runs it."""
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("PAGERDUTY_", "PRE_COMMIT", "GIT_"))}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "pdlint-lint",
         *([] if staged else ["--all-files"])],
        cwd=repo, capture_output=True, text=True, timeout=600,
        env={**environ, "PRE_COMMIT_HOME": str(home)})


def test_the_hook_passes_a_clean_policy_and_fails_a_broken_one(policy_repo: Path,
                                                               tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    clean = try_repo(policy_repo, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "pdlint lint" in clean.stdout and "Passed" in clean.stdout

    severities = policy_repo / "policy" / "severities.yaml"
    severities.write_text(severities.read_text(encoding="utf-8").replace(
        "response_sla: 5m", "respons_sla: 5m", 1), encoding="utf-8")
    broken = try_repo(policy_repo, home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "policy/severities.yaml:" in broken.stdout and "POL003" in broken.stdout


@pytest.mark.parametrize(
    ("changed", "outcome"),
    [
        # The corrective action register is read by lint (POL041): a commit of it alone runs it.
        ("policy/corrective-actions.csv", "Failed"),
        ("notes/corrective-actions.csv", "(no files to check)Skipped"),
    ],
)
def test_a_commit_of_only_a_register_runs_the_hook(tmp_path: Path, changed: str,
                                                   outcome: str) -> None:
    repo = commit_policy(tmp_path, WITH_REGISTER)
    (repo / changed).parent.mkdir(parents=True, exist_ok=True)
    with (repo / changed).open("a", encoding="utf-8") as register:
        register.write("#4,Broken row,,not-a-date,\n")
    git(repo, "add", changed)
    result = try_repo(repo, tmp_path / "pre-commit-home", staged=True)
    assert outcome in result.stdout, result.stdout + result.stderr
    assert ("POL041" in result.stdout) is (outcome == "Failed"), result.stdout
