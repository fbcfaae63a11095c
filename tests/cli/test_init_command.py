"""`pdlint init` as a user runs it: a real process reading the simulated demo account over HTTP,
then `pdlint lint` and `pdlint drift` on what it wrote."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from cli_cases import WINDOW
from jsonschema import Draft202012Validator
from pdlint_process import run_pdlint

from pdlint.init import INSTALLED_SCHEMA

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
    assert sorted({(finding["rule"], finding["resource"]["name"], finding["waived"] is not None)
                   for finding in report["findings"]}) == [
        ("PATH600", "Security Monitoring", True), ("PATH600", "Status Page", True),
        ("PATH600", "Web Application Firewall", True), ("USR400", "Pavel Novak", True)]


def test_init_for_a_team_writes_a_scoped_policy_on_which_drift_is_clean(
        tmp_path: Path, env: dict[str, str]) -> None:
    done = run_pdlint("init", "-o", "policy", "--team", "Platform", *WINDOW, env=env,
                      cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    drift = run_pdlint("drift", "--policy", "policy", "--quiet", *WINDOW, env=env, cwd=tmp_path)
    # Status Page's Saturdays without a timely call (PATH600) are waived by the draft.
    assert (drift.returncode, drift.stdout.strip().splitlines()[-1]) == (0, (
        "1 waived; outside the scope (team 'Platform'): 3 services, 2 escalation policies, "
        "2 schedules, 2 teams")), drift.stderr


def test_init_for_a_team_the_account_lacks_is_one_clear_error(tmp_path: Path,
                                                              env: dict[str, str]) -> None:
    done = run_pdlint("init", "-o", "policy", "--team", "Platfrom", *WINDOW, env=env,
                      cwd=tmp_path)
    assert (done.returncode, done.stderr.strip().splitlines()) == (2, [
        "pdlint: error: --team 'Platfrom' is not a team in PagerDuty; did you mean 'Platform'?"])
    assert not (tmp_path / "policy").exists()


class EditorLoader(yaml.SafeLoader):
    """YAML as the YAML language server reads it (YAML 1.2: a date is a string)."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@pytest.mark.parametrize("repository_schema", [False, True], ids=["copied", "the-repository-s"])
def test_the_schema_reference_resolves_on_another_machine(
        tmp_path: Path, env: dict[str, str], repository_schema: bool) -> None:
    """Drafted in a repository on one machine, checked out elsewhere: each file's $schema is a
    relative path that reaches the repository's schema, and the file validates against it as an
    editor's YAML language server would check it."""
    here = tmp_path / "here" / "repo"
    (here / ".git").mkdir(parents=True)
    (here / "compliance").mkdir()
    if repository_schema:
        (here / "schemas").mkdir()
        shutil.copy(INSTALLED_SCHEMA, here / "schemas" / "policy.schema.json")
    done = run_pdlint("init", "-o", "compliance/pagerduty", "--quiet", *WINDOW, env=env,
                      cwd=here)
    assert done.returncode == 0, done.stderr
    elsewhere = tmp_path / "another" / "checkout"
    shutil.copytree(here, elsewhere)
    shutil.rmtree(here)
    written = sorted((elsewhere / "compliance" / "pagerduty").glob("*.yaml"))
    assert [path.name for path in written] == FILES
    for path in written:
        text = path.read_text(encoding="utf-8")
        reference = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)",
                                 text.splitlines()[0])
        assert reference is not None
        assert reference[1] == "../../schemas/policy.schema.json"
        schema_file = (path.parent / reference[1]).resolve()
        assert schema_file == elsewhere / "schemas" / "policy.schema.json"
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
        assert schema == json.loads(INSTALLED_SCHEMA.read_text(encoding="utf-8"))
        errors = list(Draft202012Validator(schema).iter_errors(yaml.load(text, EditorLoader)))
        assert errors == [], (path.name, errors)


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


@pytest.mark.parametrize(("output", "schemas", "reason"), [
    pytest.param("policy", "schemas", "Not a directory", id="a-file-named-schemas"),
    pytest.param("/proc/policy", "/proc/schemas", "No such file or directory",
                 marks=pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux /proc"),
                 id="a-folder-that-cannot-hold-one"),
])
def test_a_schema_that_cannot_be_written_is_one_clear_error(
        tmp_path: Path, env: dict[str, str], output: str, schemas: str, reason: str) -> None:
    """Outside a repository the schema is copied beside the policy's folder; when it cannot be
    written there, init says where and why, as every command does, and writes no policy."""
    (tmp_path / "schemas").write_text("not a folder\n")
    done = run_pdlint("init", "-o", output, "--quiet", *WINDOW, env=env, cwd=tmp_path)
    assert (done.returncode, done.stderr.strip().splitlines()) == (2, [
        f"pdlint: error: cannot write {tmp_path / schemas / 'policy.schema.json'}: {reason}"])
    assert not (tmp_path / output).exists()
