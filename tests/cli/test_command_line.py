"""The command line as a shell user meets it: `--policy` wherever a policy is named, whole command
summaries in `--help`, and shell completion read by bash itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pdlint_process import run_pdlint

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "base"
COMMANDS = ("demo", "diff", "drift", "evidence", "history", "init", "lint", "paging", "rules",
            "sim", "snapshot")


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    shutil.copytree(BASE, tmp_path / "policy")
    severities = tmp_path / "policy" / "severities.yaml"
    severities.write_text(severities.read_text(encoding="utf-8").replace(
        "response_sla: 5m", "respons_sla: 5m", 1), encoding="utf-8")
    return tmp_path / "policy"


@pytest.mark.parametrize("arguments", [
    ("--policy", "policy"),
    ("--policy", "policy/organisation.yaml", "--policy", "policy/severities.yaml",
     "--policy", "policy/postmortems.yaml"),
    ("policy/organisation.yaml", "--policy", "policy/severities.yaml",
     "policy/postmortems.yaml"),
], ids=["folder", "repeated", "with-arguments"])
def test_lint_takes_the_policy_as_drift_and_evidence_do(policy: Path,
                                                        arguments: tuple[str, ...]) -> None:
    named = run_pdlint("lint", "policy", cwd=policy.parent)
    given = run_pdlint("lint", *arguments, cwd=policy.parent)
    assert (given.returncode, given.stdout) == (named.returncode, named.stdout) == (1, named.stdout)
    assert "policy/severities.yaml:" in given.stdout and "POL003" in given.stdout


def test_lint_with_a_missing_policy_is_an_error_naming_it(tmp_path: Path) -> None:
    done = run_pdlint("lint", "--policy", "nowhere", cwd=tmp_path)
    assert done.returncode == 2
    assert "nowhere" in done.stderr


@pytest.mark.parametrize("columns", ["40", "80", "200"])
@pytest.mark.parametrize("group", [(), ("sim",)], ids=["pdlint", "sim"])
def test_no_command_summary_is_cut_short(columns: str, group: tuple[str, ...]) -> None:
    done = run_pdlint(*group, "--help", env={"COLUMNS": columns})
    assert done.returncode == 0
    listing = done.stdout.split("Commands:\n", 1)[1]
    assert "..." not in listing and "\u2026" not in listing
    if not group:
        assert [line.split()[0] for line in listing.splitlines()
                if line.startswith("  ") and not line.startswith("   ")] == list(COMMANDS)
        assert ("snapshot Save the live account as a JSON snapshot, for `drift --snapshot` and "
                "`diff`.") in " ".join(listing.split())


def bash_complete(words: str) -> list[str]:
    """What bash offers after ``words`` once the script pdlint prints is loaded, as README says."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = (
        'eval "$(_PDLINT_COMPLETE=bash_source pdlint)"\n'
        f"COMP_WORDS=({words}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
        "_pdlint_completion pdlint\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n')
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("PAGERDUTY_", "_PDLINT"))}
    environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ.get('PATH', '')}"
    done = subprocess.run([bash, "-c", script], capture_output=True, text=True, env=environ,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize(("words", "offered"), [
    ("pdlint dr", ["drift"]),
    ("pdlint lint --pol", ["--policy"]),
    ("pdlint drift --format s", ["sarif"]),
    ("pdlint sim se", ["serve"]),
])
def test_bash_completes_commands_options_and_choices(words: str, offered: list[str]) -> None:
    assert bash_complete(words) == offered
