"""Project settings as a user meets them: `pdlint lint` in a repository whose pyproject.toml or
.pdlint.yaml says where the policy is and what fails the run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pdlint_process import run_pdlint

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "base"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with its policy in compliance/pagerduty/, one schema error in it."""
    (tmp_path / ".git").mkdir()
    policy = tmp_path / "compliance" / "pagerduty"
    shutil.copytree(BASE, policy)
    severities = policy / "severities.yaml"
    severities.write_text(severities.read_text(encoding="utf-8").replace(
        "response_sla: 5m", "respons_sla: 5m", 1), encoding="utf-8")
    return tmp_path


PYPROJECT = {"pyproject.toml": '[tool.pdlint]\npolicy = "compliance/pagerduty"\n'}


@pytest.mark.parametrize(("settings", "cwd", "arguments", "code", "shown"), [
    pytest.param({}, ".", (), 2, "policy: no such file or folder", id="no-settings-policy/"),
    pytest.param(PYPROJECT, ".", (), 1, "compliance/pagerduty/severities.yaml:",
                 id="pyproject-policy"),
    pytest.param(PYPROJECT, "compliance", (), 1, "\npagerduty/severities.yaml:",
                 id="from-a-subfolder-the-path-is-the-file-s"),
    pytest.param({".pdlint.yaml": "policy: compliance/pagerduty\nfail-on: never\n"}, ".", (), 0,
                 "POL003", id="yaml-fail-on-never"),
    pytest.param({".pdlint.yaml": "policy: compliance/pagerduty\nfail-on: never\n"}, ".",
                 ("--fail-on", "error"), 1, "POL003", id="the-command-line-wins"),
    pytest.param(PYPROJECT, ".", (str(BASE),), 0, "no problems", id="paths-given-win"),
])
def test_lint_follows_the_project_settings(project: Path, settings: dict[str, str], cwd: str,
                                           arguments: tuple[str, ...], code: int,
                                           shown: str) -> None:
    for name, text in settings.items():
        (project / name).write_text(text, encoding="utf-8")
    result = run_pdlint("lint", *arguments, cwd=project / cwd)
    assert result.returncode == code, result.stderr
    assert shown in "\n" + result.stdout + result.stderr


def test_a_misspelt_setting_stops_the_run(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.pdlint]\npolicy = "compliance/pagerduty"\n'
                                            'fail_on = "never"\n', encoding="utf-8")
    result = run_pdlint("lint", cwd=project)
    assert result.returncode == 2
    assert result.stderr == (f"pdlint: error: {project / 'pyproject.toml'} [tool.pdlint]: "
                             "unknown setting 'fail_on'; known: policy, fail-on, region, "
                             "accept-skip, retry-budget\n")


@pytest.mark.parametrize("command", [("lint",), ("drift",), ("evidence", "--since", "2026-01-01",
                                                             "--until", "2026-01-31", "-o", "out")])
def test_a_policy_setting_that_names_nothing_is_the_settings_error(
        project: Path, command: tuple[str, ...]) -> None:
    (project / ".pdlint.yaml").write_text("policy: compliance/pagerdty\n", encoding="utf-8")
    result = run_pdlint(*command, cwd=project / "compliance", env={"PAGERDUTY_API_TOKEN": "x"})
    assert (result.returncode, result.stderr) == (2, (
        f"pdlint: error: {project / '.pdlint.yaml'}: policy names "
        f"{project / 'compliance' / 'pagerdty'}, which does not exist\n"))


def test_drift_help_shows_the_policy_setting_as_the_default(project: Path) -> None:
    (project / ".pdlint.yaml").write_text("policy: compliance/pagerduty\n", encoding="utf-8")
    result = run_pdlint("drift", "--help", cwd=project)
    assert result.returncode == 0
    assert "[default: compliance/pagerduty]" in " ".join(result.stdout.split())


@pytest.mark.parametrize(("arguments", "code", "shown"), [
    pytest.param(("lint",), 2, "unknown setting 'fail_on'", id="lint"),
    pytest.param(("drift", "--help"), 0, "Usage: ", id="drift-help"),
    pytest.param(("lint", "-h"), 0, "Usage: ", id="lint-h"),
    pytest.param(("snapshot", "-o", "snap.json"), 2, "unknown setting 'fail_on'", id="snapshot"),
    pytest.param(("--help",), 0, "Commands:", id="help"),
    pytest.param(("-h",), 0, "Commands:", id="h"),
    pytest.param(("--version",), 0, "pdlint, version", id="version"),
    pytest.param(("rules",), 0, "EP100", id="rules"),
    pytest.param(("diff", "--help"), 0, "diff [OPTIONS] OLD NEW", id="diff-help"),
])
def test_settings_that_cannot_be_read_stop_only_the_commands_they_apply_to(
        project: Path, arguments: tuple[str, ...], code: int, shown: str) -> None:
    (project / "pyproject.toml").write_text('[tool.pdlint]\nfail_on = "never"\n',
                                            encoding="utf-8")
    result = run_pdlint(*arguments, cwd=project)
    assert (result.returncode, shown in result.stdout + result.stderr) == (code, True), result
