"""`pdlint drift` and `pdlint demo` as a user runs them: real processes, real HTTP against the
simulated demo account, every report format, and the contract's exit codes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cli_cases import NOW, TOKEN, WINDOW
from junit_schema import junit_errors
from pdlint_process import run_pdlint
from rules.rule_cases import example_without_scope
from sarif_upload import schema_errors, schema_validator, upload_problems

from pdlint.rule import Mode
from pdlint.rules.registry import rules_for
from pdlint.sim import Fault, Faults, SimServer, demo_account, generated_account

PROJECT = Path(__file__).resolve().parents[2]
POLICY = PROJECT / "policy"

# The demo account's deliberate drifts (pdlint/sim/demo.py) against policy/, each once: the
# Saturday night gap recurs four times in the 30-day window and is one finding. The last two
# are the programme's (policy/programme.yaml): the VP Engineering is paged untrained, and a
# corrective action is overdue. Two of the drifts break the paging path of P1 and P2 (PATH600):
# Payments API's low urgency phones nobody, and in Pavel Novak's week the security services'
# first call comes at minute 15; the Web Application Firewall's maintenance window, in the
# first five hours, opens no incident for P1 or P2. And Status Page, whose every object matches
# the policy, has nobody on call at level 1 on Saturdays, in its support hours (PATH600).
DEMO_DRIFT = Counter({
    ("EP103", "Production - Platform", False): 1,
    ("SCH201", "Platform - Secondary", False): 1,
    ("SCH202", "Platform - Primary", False): 1,
    ("SVC300", "Legacy Billing", False): 1,
    ("SVC302", "Payments API", False): 1,
    ("SVC304", "Identity Service", False): 1,
    ("SVC306", "Internal Admin", True): 1,
    ("SVC310", "Web Application Firewall", False): 1,
    ("RSP700", "Major incident response", False): 1,
    ("SVC311", "Checkout API", False): 1,
    ("SVC313", "Security Monitoring", False): 1,
    ("USR400", "Pavel Novak", False): 1,
    ("PATH600", "Payments API", False): 2,
    ("PATH600", "Security Monitoring", False): 2,
    ("PATH600", "Web Application Firewall", False): 3,
    ("PATH600", "Status Page", False): 1,
    ("PRG800", "Tara Quinn", False): 1,
    ("PRG802", "#3: Rotate SSO signing keys with a runbook", False): 1,
})




def drift(env: dict[str, str], *arguments: str, cwd: Path = PROJECT) -> Any:
    return run_pdlint("drift", "--policy", "policy", "--quiet", *WINDOW, *arguments, env=env,
                      cwd=cwd)


def kinds(report: dict[str, Any]) -> Counter[tuple[str, str, bool]]:
    return Counter((finding["rule"], finding["resource"]["name"], finding["waived"] is not None)
                   for finding in report["findings"])


@pytest.fixture(scope="module")
def json_run(server: SimServer) -> tuple[int, dict[str, Any]]:
    env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
    result = drift(env, "--format", "json")
    assert result.stderr == ""
    return result.returncode, json.loads(result.stdout)


def test_the_demo_account_shows_exactly_its_deliberate_drift(
        json_run: tuple[int, dict[str, Any]]) -> None:
    code, report = json_run
    assert code == 1
    assert kinds(report) == DEMO_DRIFT
    assert report["skipped"] == []
    assert report["summary"]["waived"] == 1


def test_the_demo_s_rails_time_zone_is_new_york(json_run: tuple[int, dict[str, Any]]) -> None:
    """"Platform - Secondary" is in "Eastern Time (US & Canada)" (pdlint/sim/demo.py): its gap is
    still rendered and measured in New York time. (The support hours of "Internal Admin", named
    the same way, would show as an SVC303 in ``DEMO_DRIFT`` if compared by text.)"""
    _, report = json_run
    [gap] = [finding for finding in report["findings"] if finding["rule"] == "SCH201"]
    assert (gap["severity"], gap["message"]) == (
        "error", "nobody is on call on Saturdays 00:00-08:00 America/New_York, 4 times in the "
        "checked window (2026-03-07, 2026-03-14, 2026-03-21, 2026-03-28): 8h each time, 1d8h "
        "in all uncovered in the documented 24x7 coverage")


def test_every_finding_points_at_the_policy_line(json_run: tuple[int, dict[str, Any]]) -> None:
    _, report = json_run
    for finding in report["findings"]:
        location = finding["location"]
        path = PROJECT / location["path"]
        assert location["path"].startswith("policy/") and path.is_file(), finding
        assert 1 <= location["line"] <= len(path.read_text(encoding="utf-8").splitlines())


def test_a_snapshot_gives_the_findings_of_the_live_run(
        env: dict[str, str], json_run: tuple[int, dict[str, Any]], tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.json"
    saved = run_pdlint("snapshot", "-o", str(snapshot), "--quiet", *WINDOW, env=env)
    assert saved.returncode == 0, saved.stderr
    offline = run_pdlint("drift", "--policy", "policy", "--snapshot", str(snapshot),
                         "--format", "json", cwd=PROJECT)
    assert offline.returncode == json_run[0]
    report = json.loads(offline.stdout)
    assert report["findings"] == json_run[1]["findings"]
    taken = json.loads(snapshot.read_text(encoding="utf-8"))["fetched_at"]
    assert report["checked_at"] == re.sub(r"\.\d+Z$", "Z", taken)  # to the second
    assert report["account"] == json_run[1]["account"]


def test_the_json_report_says_what_it_checked(json_run: tuple[int, dict[str, Any]],
                                               server: SimServer) -> None:
    """Report format 2 (docs/ci.md): when, which account, which policy, which rules."""
    _, report = json_run
    assert report["version"] == 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", report["checked_at"])
    assert report["account"] == {"api_url": server.base_url, "subdomain": "acme"}
    assert report["rules"] == [each.id for each in rules_for(Mode.DRIFT)]
    policy = report["policy"]
    assert policy["path"] == "policy"
    expected = sorted((path.name, hashlib.sha256(path.read_bytes()).hexdigest())
                      for path in POLICY.glob("*.yaml"))
    assert [(entry["path"], entry["sha256"]) for entry in policy["files"]] == expected
    listing = "".join(f"{digest}  {name}\n" for name, digest in expected)  # sha256sum's
    assert policy["sha256"] == hashlib.sha256(listing.encode()).hexdigest()
    head = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=False)
    assert policy["git_commit"] == (head.stdout.strip() if head.returncode == 0 else None)


@pytest.mark.parametrize("status", [400, 404])
def test_an_account_without_shift_based_schedules_is_checked_all_the_same(status: int) -> None:
    """``/v3/schedules`` is Early Access: when the account answers it with 400 or 404, every
    other check runs, the report says, at the top, what it could not read, and the run exits 2
    unless that skip is accepted by name."""
    faults = Faults(scripted=(Fault("status", "/v3/schedules", status=status),))
    with SimServer(demo_account(NOW), token=TOKEN, faults=faults) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        as_json, as_text = drift(env, "--format", "json"), drift(env)
        accepted = drift(env, "--accept-skip", "schedules_v3")
    assert (as_json.returncode, as_text.returncode) == (2, 2), as_json.stderr + as_text.stderr
    assert accepted.returncode == 1 and accepted.stdout == as_text.stdout
    report = json.loads(as_json.stdout)
    assert kinds(report) == DEMO_DRIFT
    [skip] = report["skipped"]
    assert skip["rule"] == "schedules_v3"
    assert skip["reason"].startswith("GET /v3/schedules: ") and f"(HTTP {status};" in (
        skip["reason"])
    assert as_text.stdout.startswith(
        "incomplete: 1 check skipped\n  schedules_v3 (not checked: PATH600, SCH200, SCH201, "
        f"SCH202, SCH203, SCP100, USR400, WAV901): {skip['reason']}\n")


def sarif_run(env: dict[str, str], cwd: Path = PROJECT, policy: str = "policy",
              code: int = 1) -> Any:
    result = run_pdlint("drift", "--policy", policy, "--quiet", *WINDOW, "--format", "sarif",
                        env=env, cwd=cwd)
    assert result.returncode == code, result.stderr
    return json.loads(result.stdout)


def test_sarif_is_valid_located_on_policy_lines_and_accepted_by_code_scanning(
        env: dict[str, str]) -> None:
    sarif = sarif_run(env)
    assert schema_errors(schema_validator(), sarif) == []
    assert upload_problems(sarif) == []
    run = sarif["runs"][0]
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {result["ruleId"] for result in run["results"]} <= rule_ids
    assert {"EP103", "SCH201", "USR400"} <= rule_ids
    uris = {location["physicalLocation"]["artifactLocation"]["uri"]
            for result in run["results"] for location in result["locations"]}
    assert uris <= {"policy/escalation-policies.yaml", "policy/schedules.yaml",
                    "policy/organisation.yaml", "policy/services.yaml",
                    "policy/programme.yaml", "policy/corrective-actions.csv"}


def test_sarif_names_files_from_the_repository_root_and_keeps_its_fingerprints(
        env: dict[str, str]) -> None:
    """Run again, from docs/: the same URIs (relative to the repository, never ``../``) and the
    same fingerprints, so code scanning keeps following the same alerts."""
    def places(sarif: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
        return [(result["ruleId"], result["locations"][0]["physicalLocation"],
                 result["partialFingerprints"]) for result in sarif["runs"][0]["results"]]

    from_root = sarif_run(env)
    from_docs = sarif_run(env, cwd=PROJECT / "docs", policy="../policy")
    assert places(from_docs) == places(from_root)
    assert from_docs["runs"][0]["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": PROJECT.as_uri() + "/"}}


def test_every_result_on_a_large_undocumented_account_has_a_location(tmp_path: Path) -> None:
    """The example policy, without its scope, against a generated account: nearly every live
    object is undocumented (EP101, SCH200, SVC300), and each points at the key of the
    collection that should document it, so code scanning takes the whole upload. Some paths
    and orchestrations cannot be checked there (exit 2), and their results, marked not checked,
    are valid too."""
    account = generated_account(services=60, escalation_policies=20, schedules=12, users=80,
                                incidents=0, teams=4)
    (tmp_path / ".git").mkdir()
    example_without_scope(tmp_path / "policy")
    with SimServer(account, token=TOKEN) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        sarif = sarif_run(env, cwd=tmp_path, code=2)
    assert schema_errors(schema_validator(), sarif) == []
    assert upload_problems(sarif) == []
    assert any("notChecked" in result["properties"] for result in sarif["runs"][0]["results"])
    homes = {"SVC300": ("policy/services.yaml", "services:"),
             "EP101": ("policy/escalation-policies.yaml", "escalation_policies:"),
             "SCH200": ("policy/schedules.yaml", "schedules:")}
    undocumented = [result for result in sarif["runs"][0]["results"] if result["ruleId"] in homes
                    and "but not documented" in (text := result["message"]["text"])
                    and "on escalation policy" not in text]
    assert len(undocumented) >= 60
    for result in undocumented:
        physical = result["locations"][0]["physicalLocation"]
        path, key = homes[result["ruleId"]]
        assert physical["artifactLocation"] == {"uri": path, "uriBaseId": "%SRCROOT%"}
        line = (tmp_path / path).read_text(encoding="utf-8").splitlines()[
            physical["region"]["startLine"] - 1]
        assert line.startswith(key), (result, line)


def test_no_text_of_the_policy_or_the_account_becomes_a_workflow_command(tmp_path: Path) -> None:
    """A waiver reason spanning lines, and a live service named to look like a command: every
    line `--format github` prints is a well-formed annotation or cannot be read as a command."""
    injected = "::warning file=README.md,line=1::injected"
    policy = tmp_path / "policy"
    shutil.copytree(POLICY, policy)
    waivers = policy / "waivers.yaml"
    waivers.write_text(waivers.read_text(encoding="utf-8").replace(
        "    reason: Alerts reach", f"    reason: |\n      First line.\n      {injected}\n"
        "      ##[error]old style\n      Alerts reach"), encoding="utf-8")
    account = demo_account(NOW)
    account = replace(account, services=tuple(
        replace(live, name=f"Legacy\n{injected}\r::error::x") if live.name == "Legacy Billing"
        else live for live in account.services))
    with SimServer(account, token=TOKEN) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        result = run_pdlint("drift", "--policy", str(policy), "--quiet", *WINDOW,
                            "--format", "github", env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = re.split(r"\r\n|\r|\n", result.stdout.removesuffix("\n"))
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == sum(count for key, count in DEMO_DRIFT.items() if not key[2])
    for line in commands:
        assert re.fullmatch(r"::(error|warning|notice) [^:]*::[^\r\n]*", line), line
    others = [line for line in lines if not line.startswith("::")]
    assert all(not line.strip().startswith("::") and "##[" not in line for line in others)
    (waived,) = [line for line in others if "waived until" in line]
    assert f"First line.\\n{injected}\\n## [error]old style" in waived
    (legacy,) = [line for line in commands if "Legacy" in line]
    assert "Legacy%0A::warning file=README.md,line=1::injected%0D::error::x" in legacy


def test_junit_has_a_failing_testcase_per_drift(env: dict[str, str]) -> None:
    result = drift(env, "--format", "junit")
    assert result.returncode == 1
    assert junit_errors(result.stdout) == []
    root = ElementTree.fromstring(result.stdout)
    suites = root.findall("testsuite")
    assert all(suite.get("timestamp") and suite.get("time") for suite in suites)
    files = [suite.get("file") or "" for suite in suites[1:]]
    assert files and all(name.startswith("policy/") and (PROJECT / name).is_file()
                         for name in files)
    failures = [case for case in root.iter("testcase") if case.find("failure") is not None]
    assert len(failures) >= len({key[:2] for key in DEMO_DRIFT if not key[2]})
    assert any("EP103" in (case.get("classname", "") + case.get("name", ""))
               for case in failures)
    [delay] = [case for case in failures if "Production - Platform" in case.get("name", "")
               and "EP103" in case.get("classname", "")]
    assert f"(`{delay.get('classname')}`" in (PROJECT / "docs" / "ci.md").read_text(
        encoding="utf-8"), "docs/ci.md names the class name the cases have"


def test_github_annotates_and_writes_the_job_summary(env: dict[str, str],
                                                     tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = drift({**env, "GITHUB_STEP_SUMMARY": str(summary)}, "--format", "github")
    assert result.returncode == 1
    assert "::error file=policy/escalation-policies.yaml,line=" in result.stdout
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n") and "EP103" in written


@pytest.mark.parametrize(
    ("arguments", "code", "rules"),
    [
        pytest.param(("--rule", "EP103"), 1, {"EP103"}, id="one-rule"),
        pytest.param(("--rule", "escalation-delay", "--rule", "sch202"), 1, {"EP103", "SCH202"},
                     id="by-name-and-lowercase-id"),
        pytest.param(("--skip-rule", "SCH201", "--skip-rule", "SCH202", "--skip-rule", "EP103",
                      "--skip-rule", "SVC300", "--skip-rule", "SVC302", "--skip-rule", "SVC304",
                      "--skip-rule", "USR400", "--skip-rule", "PRG800", "--skip-rule", "PRG802",
                      "--skip-rule", "SVC310", "--skip-rule", "RSP700", "--skip-rule", "SVC311",
                      "--skip-rule", "SVC313", "--skip-rule", "PATH600"),
                     0, {"SVC306"}, id="only-waived-left"),
        pytest.param(("--rule", "missing", "--skip-rule", "EP100"), 1, {"SVC300"},
                     id="a-shared-name-means-every-family"),
        pytest.param(("--fail-on", "never"), 0, {rule for rule, _, _ in DEMO_DRIFT},
                     id="fail-on-never"),
    ],
)
def test_rule_selection_and_fail_on(env: dict[str, str], arguments: tuple[str, ...], code: int,
                                    rules: set[str]) -> None:
    result = drift(env, "--format", "json", *arguments)
    assert result.returncode == code, result.stderr
    assert {finding["rule"] for finding in json.loads(result.stdout)["findings"]} == rules


@pytest.mark.parametrize(
    ("arguments", "extra_env", "stderr_has"),
    [
        pytest.param(("--rule", "EP13"), {}, "'EP13' is not a drift rule", id="unknown-rule"),
        pytest.param(("--rule", "POL010"), {}, "'POL010' is not a drift rule", id="lint-rule"),
        pytest.param(("--rule", "EP103", "--skip-rule", "ep103"), {},
                     "--skip-rule leaves no rule of --rule to run", id="nothing-left"),
        pytest.param((), {"PAGERDUTY_API_TOKEN": "wrong"}, "refused", id="bad-token"),
        pytest.param(("--api-url", "http://example.com"), {}, "https", id="plain-http"),
    ],
)
def test_what_cannot_be_checked_exits_2(env: dict[str, str], arguments: tuple[str, ...],
                                        extra_env: dict[str, str], stderr_has: str) -> None:
    result = drift({**env, **extra_env}, *arguments)
    assert result.returncode == 2, result.stdout + result.stderr
    assert stderr_has in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("token", [TOKEN, "refused-token"], ids=["good-token", "bad-token"])
def test_a_policy_with_errors_is_not_compared(env: dict[str, str], tmp_path: Path,
                                              token: str) -> None:
    """The account is read while the policy is linted; the policy's errors are what the user
    must fix first, whatever the read meets."""
    shutil.copytree(POLICY, tmp_path / "policy")
    schedules = tmp_path / "policy" / "schedules.yaml"
    schedules.write_text(schedules.read_text(encoding="utf-8").replace(
        "coverage:", "coverge:", 1), encoding="utf-8")
    result = drift({**env, "PAGERDUTY_API_TOKEN": token}, cwd=tmp_path)
    assert result.returncode == 2
    assert "refused" not in result.stderr
    assert "policy/schedules.yaml:" in result.stderr and "POL003" in result.stderr
    assert "has 1 error; fix it (`pdlint lint policy`)" in result.stderr
    assert result.stdout == ""


def test_demo_runs_the_drift_check_without_a_token() -> None:
    result = run_pdlint("demo", "--format", "json", "--quiet")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert {key[:2] for key in kinds(report)} == {key[:2] for key in DEMO_DRIFT}
    assert {finding["severity"] for finding in report["findings"]
            if finding["rule"] == "SCH201"} == {"error"}


def test_demo_text_explains_itself() -> None:
    result = run_pdlint("demo")
    assert result.returncode == 1
    assert "a simulated PagerDuty account is serving at http://127.0.0.1:" in result.stderr
    assert "EP103 escalation-delay: level 4 engaged after 40 min, documented 30 min" in (
        result.stdout)
    # The Data team is outside the example policy's scope: counted on the last line, no finding.
    assert result.stdout.rstrip().endswith(
        "1 waived; outside the scope (teams 'Platform', 'Security'): 1 service, "
        "1 escalation policy, 1 schedule, 1 team")
    assert "Analytics Pipeline" not in result.stdout and "Data - " not in result.stdout


def test_a_scope_team_the_account_lacks_ends_drift_with_one_line_naming_the_policy_line(
        tmp_path: Path, env: dict[str, str]) -> None:
    example_without_scope(tmp_path / "policy")
    (tmp_path / "policy" / "scope.yaml").write_text("scope:\n  teams: [Platform, Finance]\n")
    done = run_pdlint("drift", "--policy", "policy", "--quiet", *WINDOW, env=env, cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr.strip().splitlines()) == (2, "", [
        "pdlint: error: policy/scope.yaml:2:21: scope team 'Finance' is not a team in "
        "PagerDuty"])
