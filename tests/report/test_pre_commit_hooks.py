"""The hook manifest is valid for pre-commit and declares the two hooks as documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

MANIFEST = Path(__file__).parents[2] / ".pre-commit-hooks.yaml"


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}


def test_pre_commit_accepts_the_manifest() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("hook_id", "expected"),
    [
        ("pdlint-lint", {"entry": "pdlint lint", "language": "python", "pass_filenames": False,
                         "require_serial": True}),
        ("pdlint-drift", {"entry": "pdlint drift", "language": "python", "pass_filenames": False,
                          "always_run": True, "stages": ["manual"]}),
    ],
)
def test_hook_settings(hooks: dict[str, dict[str, Any]], hook_id: str,
                       expected: dict[str, Any]) -> None:
    assert {key: hooks[hook_id].get(key) for key in expected} == expected
    assert hooks[hook_id]["name"] and hooks[hook_id]["description"]


@pytest.mark.parametrize(
    ("path", "linted"),
    [
        ("policy/services.yaml", True),
        ("policy/teams/platform.yml", True),
        ("policy/corrective-actions.csv", True),
        ("policy/README.md", True),
        ("ci/policy/services.yaml", False),
        (".github/workflows/drift.yaml", False),
    ],
)
def test_the_lint_hook_sees_only_files_under_policy(hooks: dict[str, dict[str, Any]], path: str,
                                             linted: bool) -> None:
    assert bool(re.search(hooks["pdlint-lint"]["files"], path)) is linted
