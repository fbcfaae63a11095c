"""The composite GitHub Action: its inputs are the ones its steps use, and its run step, executed
by bash as Actions would, runs pdlint and passes the exit code on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_cases import NOW, TOKEN

from pdlint.sim import SimServer, demo_account

PROJECT = Path(__file__).resolve().parents[2]
BASE = PROJECT / "tests" / "fixtures" / "policies" / "base"


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))


def test_every_input_used_is_declared(action: dict[str, Any]) -> None:
    used = set(re.findall(r"inputs\.([a-z-]+)", (PROJECT / "action.yml").read_text()))
    assert used == set(action["inputs"])


def run_step(action: dict[str, Any], tmp_path: Path, api_url: str | None = None,
             **inputs: str) -> tuple[int, str, str]:
    """Run the `run` step with the inputs as Actions would pass them (environment variables);
    ``api_url`` points pdlint at a simulated account."""
    step = next(step for step in action["runs"]["steps"] if step.get("id") == "run")
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values = {**defaults, **inputs}
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("PAGERDUTY_", "GITHUB_"))}
    for name, expression in step["env"].items():
        environ[name] = values[re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", expression)[1]]
    github_output = tmp_path / "github-output"
    environ["GITHUB_OUTPUT"] = str(github_output)
    environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ['PATH']}"
    if api_url is not None:
        environ["PAGERDUTY_API_URL"] = api_url
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=120)
    output = github_output.read_text() if github_output.exists() else ""
    return done.returncode, output, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("inputs", "code"),
    [
        pytest.param({"command": "lint", "policy": str(BASE)}, 0, id="clean-lint"),
        pytest.param({"command": "lint", "policy": str(BASE / "missing")}, 2, id="missing-policy"),
    ],
)
def test_the_run_step_passes_the_exit_code_on(action: dict[str, Any], tmp_path: Path,
                                              inputs: dict[str, str], code: int) -> None:
    returncode, output, log = run_step(action, tmp_path, **inputs)
    assert (returncode, output) == (code, f"exit-code={code}\n"), log


@pytest.mark.parametrize(("inputs", "code"), [
    pytest.param({"command": "lint"}, 1, id="project-policy-and-fail-on"),
    pytest.param({"command": "lint", "fail-on": "never"}, 0, id="input-wins"),
    pytest.param({"command": "lint", "policy": str(BASE)}, 0, id="policy-input-wins"),
])
def test_empty_inputs_leave_the_project_settings_in_force(
        action: dict[str, Any], tmp_path: Path, inputs: dict[str, str], code: int) -> None:
    """The workspace's pyproject.toml puts the policy in compliance/ and fails on warnings; its
    one warning is an unused tier."""
    policy = tmp_path / "compliance"
    shutil.copytree(BASE, policy)
    (policy / "tiers.yaml").write_text("tiers:\n  unused-tier:\n    min_escalation_levels: 2\n",
                                       encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pdlint]\npolicy = "compliance"\nfail-on = "warning"\n', encoding="utf-8")
    returncode, output, log = run_step(action, tmp_path, **inputs)
    assert (returncode, output) == (code, f"exit-code={code}\n"), log


def test_an_unknown_command_is_refused(action: dict[str, Any], tmp_path: Path) -> None:
    returncode, output, log = run_step(action, tmp_path, command="rm -rf /")
    assert (returncode, output) == (2, "")
    assert "::error::command must be lint or drift, not 'rm -rf /'" in log


def test_the_record_input_adds_the_run_s_report_to_the_history(action: dict[str, Any],
                                                                tmp_path: Path) -> None:
    with SimServer(demo_account(NOW), token=TOKEN) as server:
        returncode, output, log = run_step(
            action, tmp_path, api_url=server.base_url, command="drift", token=TOKEN,
            policy=str(PROJECT / "policy"), format="json", output="drift.json", record="history")
    assert (returncode, output) == (1, "exit-code=1\n"), log
    [recorded] = (tmp_path / "history").iterdir()
    assert recorded.read_text(encoding="utf-8") == (tmp_path / "drift.json").read_text(
        encoding="utf-8")
