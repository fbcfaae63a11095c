"""The composite GitHub Action: its inputs are the ones its steps use, and its run step, executed
by bash as Actions would, runs pdlint and passes the exit code on."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_cases import NOW, TOKEN
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pdlint.sim import SimServer, demo_account

PROJECT = Path(__file__).resolve().parents[2]
BASE = PROJECT / "tests" / "fixtures" / "policies" / "base"


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))


def test_every_input_used_is_declared(action: dict[str, Any]) -> None:
    used = set(re.findall(r"inputs\.([a-z-]+)", (PROJECT / "action.yml").read_text()))
    assert used == set(action["inputs"])


def run_step(action: dict[str, Any], tmp_path: Path, environ: dict[str, str] | None = None,
             **inputs: str) -> tuple[int, str, str]:
    """Run the `run` step with the inputs as Actions would pass them (environment variables),
    with bash as Actions runs it, and the pdlint of this environment as the install step's."""
    step = next(step for step in action["runs"]["steps"] if step.get("id") == "run")
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values = {**defaults, **inputs}
    installed = {"steps.install.outputs.pdlint": str(Path(sys.executable).parent / "pdlint")}
    machine = {key: value for key, value in os.environ.items()
               if not key.startswith(("PAGERDUTY_", "GITHUB_"))}
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    github_output = tmp_path / "github-output"
    machine.update(environ or {}, GITHUB_OUTPUT=str(github_output), RUNNER_TEMP=str(runner_temp))
    for name, expression in step["env"].items():
        reference = re.fullmatch(r"\$\{\{ ([a-z.-]+) \}\}", expression)[1]
        machine[name] = (values[reference.removeprefix("inputs.")]
                         if reference.startswith("inputs.") else installed[reference])
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=tmp_path, env=machine, capture_output=True, text=True, timeout=120)
    output = github_output.read_text() if github_output.exists() else ""
    assert list(runner_temp.iterdir()) == [], "the run step leaves nothing in the runner's temp"
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


@pytest.mark.parametrize(("command", "message"), [
    ("rm -rf /", "command must be lint or drift, not 'rm -rf /'"),
    ("x\n::warning::injected", "command must be lint or drift, not 'x%0A::warning::injected'"),
    ("100%\r", "command must be lint or drift, not '100%25%0D'"),
    ("", "command must be lint or drift, not ''"),
])
def test_an_unknown_command_fails_clearly_and_still_sets_the_exit_code(
        action: dict[str, Any], tmp_path: Path, command: str, message: str) -> None:
    """One escaped workflow command: an input cannot add another line for the runner to run."""
    returncode, output, log = run_step(action, tmp_path, command=command)
    assert (returncode, output, log) == (2, "exit-code=2\n", f"::error title=pdlint::{message}\n")


def test_the_exit_code_output_reads_2_when_pdlint_never_ran(action: dict[str, Any]) -> None:
    """An install that failed leaves no run step output; the action's output still says 2."""
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.run.outputs.exit-code || '2' }}"


def test_the_record_input_adds_the_run_s_report_to_the_history(action: dict[str, Any],
                                                                tmp_path: Path) -> None:
    with SimServer(demo_account(NOW), token=TOKEN) as server:
        returncode, output, log = run_step(
            action, tmp_path, environ={"PAGERDUTY_API_URL": server.base_url},
            command="drift", token=TOKEN,
            policy=str(PROJECT / "policy"), format="json", output="drift.json", record="history")
    assert (returncode, output) == (1, "exit-code=1\n"), log
    recorded, record = sorted((tmp_path / "history").iterdir())
    assert recorded.read_text(encoding="utf-8") == (tmp_path / "drift.json").read_text(
        encoding="utf-8")
    assert record.name == f"{recorded.name}.record"  # its history record


def test_one_drift_run_gives_sarif_annotations_and_the_job_summary(
        action: dict[str, Any], tmp_path: Path, env: dict[str, str]) -> None:
    """The account is read once (a snapshot) for both reports, so they name the same drift;
    the run is recorded once."""
    summary = tmp_path / "summary.md"
    returncode, output, log = run_step(
        action, tmp_path, environ={**env, "GITHUB_STEP_SUMMARY": str(summary)},
        command="drift", token=env["PAGERDUTY_API_TOKEN"], policy=str(PROJECT / "policy"),
        sarif="drift.sarif", record="history")
    assert (returncode, output) == (1, "exit-code=1\n"), log
    assert len(list((tmp_path / "history").glob("*.json"))) == 1, "one run, one report"
    sarif = json.loads((tmp_path / "drift.sarif").read_text(encoding="utf-8"))
    in_sarif = sorted((result["ruleId"], result["level"]) for result in sarif["runs"][0]["results"]
                      if not result.get("suppressions"))
    annotated = sorted(re.findall(r"^::(error|warning|notice) .*?title=(\w+)", log, re.M))
    assert in_sarif == sorted((rule, level) for level, rule in annotated) != []
    assert "| EP" in summary.read_text(encoding="utf-8")


def docs_workflows() -> list[tuple[str, str]]:
    """The GitHub workflows of docs/ci.md, as a reader copies them: a complete workflow as it
    is, a list of steps inside a one-job workflow with no permissions. The names in capitals
    are replaced as the reader would (a release commit is 40 hexadecimal digits)."""
    text = (PROJECT / "docs" / "ci.md").read_text(encoding="utf-8")
    text = text.replace("OWNER/", "example-org/").replace("RELEASE_COMMIT", "0123abcd" * 5)
    workflows = []
    for number, block in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S), start=1):
        document = yaml.safe_load(block)
        if isinstance(document, dict) and "jobs" in document:
            workflows.append((f"docs-ci-{number}.yml", block))
            continue
        if isinstance(document, dict) and list(document) == ["steps"]:
            document, block = document["steps"], textwrap.dedent(block).split("\n", 1)[1]
        if isinstance(document, list) and all("uses" in step or "run" in step
                                               for step in document):
            steps = textwrap.indent(textwrap.dedent(block), " " * 6)
            workflows.append((f"docs-ci-{number}.yml", RECIPE.format(number=number, steps=steps)))
    return workflows


RECIPE = """\
name: docs/ci.md block {number}
on: workflow_dispatch
permissions: {{}}
concurrency: {{group: recipe, cancel-in-progress: false}}
jobs:
  recipe:
    name: Recipe
    runs-on: ubuntu-latest
    steps:
{steps}"""


def test_the_docs_hold_the_workflows_the_linter_reads() -> None:
    """The scheduled drift workflow and the step recipes (annotations, plain steps, history on
    a branch, history in a bucket): a change to docs/ci.md that hides one from the extraction
    fails here, not silently in the linter."""
    workflows = {name: yaml.safe_load(text) for name, text in docs_workflows()}
    assert len(workflows) == 5
    uses = [step["uses"] for workflow in workflows.values()
            for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", use) for use in uses), uses


def test_the_workflow_linter_finds_nothing_in_the_action_and_the_docs_workflows(
        tmp_path: Path) -> None:
    """zizmor (offline audits, pedantic): every action pinned by commit, no template injection,
    no credentials kept by checkout, no permissions beyond the job's needs."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for name, text in docs_workflows():
        (workflows / name).write_text(text, encoding="utf-8")
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert zizmor, "zizmor is a test dependency: pip install -e '.[test]'"
    done = subprocess.run([zizmor, "--offline", "--pedantic", "--no-progress",
                           str(PROJECT / "action.yml"), *sorted(map(str, workflows.iterdir()))],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def constraints() -> list[Requirement]:
    lines = (PROJECT / "action-constraints.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def run_time_closure() -> set[str]:
    """Every distribution pdlint needs to run on this Python, read from the installed metadata."""
    needed, todo = set(), ["pdlint"]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in needed:
            continue
        needed.add(name)
        for text in metadata.requires(name) or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return needed - {"pdlint"}


@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12", "3.13"])
def test_the_constraints_pin_each_distribution_once_per_python(python: str) -> None:
    pinned = [canonicalize_name(requirement.name) for requirement in constraints()
              if requirement.marker is None
              or requirement.marker.evaluate({"python_version": python})]
    assert sorted(pinned) == sorted(set(pinned))
    assert all(re.fullmatch(r"==[\w.]+", str(requirement.specifier))
               for requirement in constraints())


def test_the_constraints_pin_everything_pdlint_needs_on_this_python() -> None:
    """The action installs with exactly these versions; a new dependency must be pinned too."""
    pinned = {canonicalize_name(requirement.name) for requirement in constraints()
              if requirement.marker is None or requirement.marker.evaluate()}
    assert pinned == run_time_closure()
