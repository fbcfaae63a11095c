"""`pdlint lint` as the pre-commit hook and a person run it: exit codes, formats, output file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pdlint_process import run_pdlint

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "base"

MISSPELT_SLA = ("severities.yaml", "response_sla: 5m", "respons_sla: 5m")


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    folder = tmp_path / "policy"
    shutil.copytree(BASE, folder)
    return folder


def misspell(policy: Path) -> None:
    name, old, new = MISSPELT_SLA
    path = policy / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("broken", "arguments", "code", "stdout_has"),
    [
        pytest.param(False, (), 0, "no problems", id="clean"),
        pytest.param(True, (), 1, "policy/severities.yaml:", id="schema-error"),
        pytest.param(True, ("--fail-on", "never"), 0, "POL003", id="fail-on-never"),
        pytest.param(True, ("--format", "github"), 1, "::error file=policy/severities.yaml,line=",
                     id="github"),
    ],
)
def test_exit_code_and_output(policy: Path, broken: bool, arguments: tuple[str, ...], code: int,
                              stdout_has: str) -> None:
    if broken:
        misspell(policy)
    result = run_pdlint("lint", *arguments, cwd=policy.parent)
    assert (result.returncode, result.stderr) == (code, "")
    assert stdout_has in result.stdout


@pytest.mark.parametrize(("section", "line"), [
    pytest.param('corrective_actions:\n  register: "\\u0000"\n', 2, id="corrective-actions"),
    pytest.param('postmortems:\n  recorded_as: register\n  register: "a\\u0000.csv"\n', 3,
                 id="postmortems"),
])
def test_a_register_path_with_a_nul_byte_is_a_policy_error_at_its_line(
        policy: Path, section: str, line: int) -> None:
    (policy / "postmortems.yaml").write_text(section, encoding="utf-8")
    result = run_pdlint("lint", "policy", cwd=policy.parent)
    assert (result.returncode, result.stderr) == (1, "")
    assert f"policy/postmortems.yaml:{line}:" in result.stdout
    assert "register: expected a file path" in result.stdout


def test_text_is_compiler_style_with_a_did_you_mean(policy: Path) -> None:
    misspell(policy)
    result = run_pdlint("lint", "policy", cwd=policy.parent)
    assert result.stdout.splitlines()[-1] == "2 errors"
    typo = next(line for line in result.stdout.splitlines() if "did you mean" in line)
    path, line, column, rest = typo.split(":", 3)
    assert (path, line.isdigit(), column.isdigit()) == ("policy/severities.yaml", True, True)
    assert rest == " POL003 unknown key 'respons_sla' in severity; did you mean 'response_sla'?"


def test_json_report_written_to_a_file(policy: Path) -> None:
    misspell(policy)
    result = run_pdlint("lint", "--format", "json", "-o", "report.json", cwd=policy.parent)
    assert (result.returncode, result.stdout) == (1, "")
    report = json.loads((policy.parent / "report.json").read_text(encoding="utf-8"))
    assert {finding["rule"] for finding in report["findings"]} >= {"POL003"}
    assert report["findings"][0]["location"]["path"] == "policy/severities.yaml"


def test_a_dash_as_output_is_standard_output(policy: Path) -> None:
    misspell(policy)
    result = run_pdlint("lint", "--format", "json", "-o", "-", cwd=policy.parent)
    assert result.returncode == 1
    assert {finding["rule"] for finding in json.loads(result.stdout)["findings"]} >= {"POL003"}
    assert not (policy.parent / "-").exists()


@pytest.mark.parametrize(
    ("arguments", "stderr_has"),
    [
        pytest.param(("lint", "nowhere"), "nowhere: no such file or folder", id="missing-path"),
        pytest.param(("lint", "--format", "yaml"), "Invalid value for '--format'",
                     id="unknown-format"),
        pytest.param(("lint", "-o", "missing/dir/report.txt"), "cannot write", id="unwritable"),
    ],
)
def test_usage_and_input_errors_exit_2(policy: Path, arguments: tuple[str, ...],
                                       stderr_has: str) -> None:
    result = run_pdlint(*arguments, cwd=policy.parent)
    assert result.returncode == 2
    assert stderr_has in result.stderr and "Traceback" not in result.stderr


LINT_LEAVES_OUT = ("httpx", "httpcore", "anyio", "deepdiff", "jsonschema")
"""Packages the pre-commit hook never imports: the network, the snapshot differ, and jsonschema
(only for a file that does not conform, to say why)."""

LINT_ROOMS = ("pdlint.policy.", "pdlint.report.")
LINT_MODULES = frozenset({
    "pdlint", "pdlint.cli", "pdlint.config", "pdlint.errors", "pdlint.files", "pdlint.findings",
    "pdlint.isotime", "pdlint.progress", "pdlint.zones", "pdlint.collector", "pdlint.memo",
    "pdlint.rule",
    "pdlint.policy",
    "pdlint.report", "pdlint.rules", "pdlint.rules.registry", "pdlint.rules.lint",
    "pdlint.rules.document"})
"""pdlint's modules that lint needs: the command line, the policy, the lint rules, the reports.
Not the drift families, nor the live account's model, the paging path or the client."""

EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "policy"


@pytest.mark.parametrize("linted", [
    pytest.param(BASE, id="base"),
    pytest.param(EXAMPLE_POLICY, id="example-with-a-drift-rule-waived"),
])
def test_lint_imports_only_what_lint_needs(linted: Path) -> None:
    """The pre-commit hook must start fast: a policy whose waiver names a drift rule is linted
    without loading a drift family (the registry's ``DRIFT_RULE_IDS`` says the id exists)."""
    probe = ("import sys; from pdlint.cli import main; sys.argv = ['pdlint', 'lint', {policy!r}]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(' '.join(sorted(sys.modules)))")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", probe.format(policy=str(linted))],
                          capture_output=True, text=True, timeout=60)
    loaded = done.stdout.splitlines()[-1].split()
    assert "no problems" in done.stdout and "pdlint.rules.document" in loaded, done.stderr
    assert [name for name in loaded if name.split(".")[0] in LINT_LEAVES_OUT] == []
    assert [name for name in loaded if name.split(".")[0] == "pdlint"
            and name not in LINT_MODULES and not name.startswith(LINT_ROOMS)] == []
