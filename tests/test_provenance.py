"""Which policy a run checked: sha256 of its files, and git asked without the run's secrets."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from pathlib import Path

import pytest

from pdlint.provenance import git_output, policy_identity


def test_git_is_run_without_the_pagerduty_token(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``git`` first on PATH writes down the environment it was given."""
    seen = tmp_path / "environment"
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nenv > {seen}\necho abc123\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PAGERDUTY_API_TOKEN", "u+secret-token")
    monkeypatch.setenv("SOME_OTHER_SECRET", "hush")
    assert git_output(tmp_path, "rev-parse", "HEAD") == "abc123\n"
    environment = seen.read_text(encoding="utf-8")
    assert "u+secret-token" not in environment
    assert "hush" not in environment
    assert "LC_ALL=C" in environment.splitlines()


def test_the_policy_sha256_is_that_of_the_sha256sum_listing(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("b: 2\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    identity = policy_identity("policy", [str(tmp_path / "b.yaml"), str(tmp_path / "a.yaml")])
    a = hashlib.sha256(b"a: 1\n").hexdigest()
    b = hashlib.sha256(b"b: 2\n").hexdigest()
    assert identity.files == (("a.yaml", a), ("b.yaml", b))
    assert identity.sha256 == hashlib.sha256(f"{a}  a.yaml\n{b}  b.yaml\n".encode()).hexdigest()
    assert (identity.path, identity.git_commit, identity.git_modified) == ("policy", None, None)


def test_the_git_commit_and_whether_the_files_differ_from_it(tmp_path: Path) -> None:
    def git(*arguments: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t",
                               "-c", "user.email=t@example.com", *arguments], check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    policy = tmp_path / "policy.yaml"
    policy.write_text("a: 1\n", encoding="utf-8")
    git("add", "policy.yaml")
    git("commit", "-q", "-m", "policy")
    commit = git("rev-parse", "HEAD")
    identity = policy_identity("policy.yaml", [str(policy)])
    assert (identity.git_commit, identity.git_modified) == (commit, False)
    policy.write_text("a: 2\n", encoding="utf-8")
    assert policy_identity("policy.yaml", [str(policy)]).git_modified is True
