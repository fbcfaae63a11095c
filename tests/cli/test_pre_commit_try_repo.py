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


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def policy_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "policy-repo"
    shutil.copytree(BASE, repo / "policy")
    git(repo, "init", "-q")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "policy")
    return repo


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("PAGERDUTY_", "PRE_COMMIT", "GIT_"))}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "pdlint-lint",
         "--all-files"],
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
