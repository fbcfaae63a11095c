"""SARIF: valid against the official 2.1.0 schema, and shaped as GitHub code scanning reads it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from report_cases import (
    AWKWARD,
    EXTRA_PRIORITY,
    FINDINGS,
    LATE_LEVEL,
    PLATFORM,
    RULES,
    SCHEDULES_FORBIDDEN,
    UNKNOWN_KEY,
    UNUSED_SCHEDULE,
    WAIVED_NO_INTEGRATION,
)
from sarif_upload import schema_errors, schema_validator, upload_problems

from pdlint.findings import Finding, Location, Report, Resource
from pdlint.report import render
from pdlint.report import sarif as sarif_module
from pdlint.report.sarif import FINGERPRINT_KEY

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    return schema_validator()


@pytest.fixture(autouse=True)
def in_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test runs at the root of a repository of its own, so URIs do not depend on where
    pytest was started."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sarif(report: Report) -> dict[str, Any]:
    return json.loads(render(report, "sarif", rules=RULES))


@pytest.mark.parametrize(
    ("findings", "skipped"),
    [
        (FINDINGS, [SCHEDULES_FORBIDDEN]),
        (FINDINGS, []),
        ([], []),
        ([AWKWARD], []),
        ([replace(LATE_LEVEL, rule="XX999")], []),
    ],
    ids=["incomplete", "complete", "empty", "awkward-characters", "unknown-rule"],
)
def test_every_log_is_valid_against_the_official_schema(
    validator: Draft4Validator, findings: list[Finding], skipped: list
) -> None:
    assert schema_errors(validator, sarif(Report.of(findings, skipped))) == []


def test_the_upload_check_catches_what_github_refuses(full_report: Report) -> None:
    log = sarif(full_report)
    located = [result for result in log["runs"][0]["results"] if result["locations"]]
    assert upload_problems({"runs": [{**log["runs"][0], "results": located}]}) == []
    results = log["runs"][0]["results"]
    assert any("expected at least one location" in problem
               for problem in upload_problems(log)), "EXTRA_PRIORITY has no location"
    del results[0]["ruleId"]
    results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "../x.yaml"
    results[2]["partialFingerprints"] = results[1]["partialFingerprints"] | {}
    results[2]["ruleId"] = results[1]["ruleId"]
    problems = "\n".join(upload_problems(log))
    assert "result 0: no ruleId" in problems
    assert "leaves the repository root" in problems
    assert "repeated within rule" in problems


def test_the_schema_check_catches_a_malformed_log(validator: Draft4Validator,
                                                  full_report: Report) -> None:
    log = sarif(full_report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(schema_errors(validator, log)) == 2


def test_the_run_describes_pdlint_and_every_rule_that_ran(full_report: Report) -> None:
    log = sarif(full_report)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("pdlint", full_report.tool_version)
    assert [rule["id"] for rule in driver["rules"]] == sorted(rule.id for rule in RULES)
    delay = next(rule for rule in driver["rules"] if rule["id"] == "EP103")
    assert delay["name"] == "escalation-delay"
    assert delay["shortDescription"] == {"text": "Escalation delays match the documented times"}
    assert delay["fullDescription"] == {"text": "Why escalation-delay matters."}
    assert set(delay["help"]) == {"text", "markdown"}
    assert delay["defaultConfiguration"] == {"level": "error"}
    assert delay["properties"]["soc2Criterion"] == "CC7.4"
    assert "CC7.4" in delay["properties"]["tags"]


@pytest.mark.parametrize(
    ("finding", "level", "uri", "region"),
    [
        (UNKNOWN_KEY, "error", "policy/services.yaml", {"startLine": 12, "startColumn": 5}),
        (LATE_LEVEL, "error", "policy/escalation-policies.yaml",
         {"startLine": 23, "startColumn": 9}),
        (EXTRA_PRIORITY, "note", None, None),
        (replace(UNKNOWN_KEY, location=Location("./policy/sub\\x y.yaml", 4)), "error",
         "policy/sub/x%20y.yaml", {"startLine": 4}),
        (replace(UNKNOWN_KEY, location=Location("policy/../policy/a.yaml", 4)), "error",
         "policy/a.yaml", {"startLine": 4}),
    ],
)
def test_each_result_points_at_its_policy_line(
    finding: Finding, level: str, uri: str | None, region: dict | None
) -> None:
    (result,) = sarif(Report.of([finding]))["runs"][0]["results"]
    driver_rules = sarif(Report.of([finding]))["runs"][0]["tool"]["driver"]["rules"]
    assert result["ruleId"] == finding.rule
    assert driver_rules[result["ruleIndex"]]["id"] == finding.rule
    assert result["level"] == level
    assert finding.message in result["message"]["text"]
    if uri is None:
        assert result["locations"] == []
    else:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical == {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                            "region": region}


def test_the_message_names_the_object_and_both_values() -> None:
    (result,) = sarif(Report.of([LATE_LEVEL]))["runs"][0]["results"]
    assert result["message"]["text"] == (
        "escalation policy 'Production - Platform' (PABC123): level 3 engaged after 30 min,"
        " documented 20 min: rule 2 delay is 20, expected 10 (expected 20m, actual 30m)"
    )
    assert result["properties"]["expected"] == "20m"
    assert result["properties"]["actual"] == "30m"


@pytest.mark.parametrize("run_from", [".", "docs", "docs/deeper"])
def test_uris_are_relative_to_the_repository_root_wherever_pdlint_runs(
    in_a_repository: Path, monkeypatch: pytest.MonkeyPatch, run_from: str,
) -> None:
    folder = in_a_repository / run_from
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(folder)
    given = str(Path(*[".."] * (len(Path(run_from).parts) - (run_from == "."))) / "policy"
                / "a.yaml")
    inside = replace(UNKNOWN_KEY, location=Location(given, 1))
    absolute = replace(UNUSED_SCHEDULE,
                       location=Location(str(in_a_repository / "policy" / "b.yaml"), 2))
    outside = replace(LATE_LEVEL, location=Location("/elsewhere/policy.yaml", 1))
    (run,) = sarif(Report.of([inside, absolute, outside]))["runs"]
    artifacts = sorted((result["locations"][0]["physicalLocation"]["artifactLocation"]
                        for result in run["results"]), key=lambda artifact: artifact["uri"])
    assert artifacts == [{"uri": "file:///elsewhere/policy.yaml"},
                         {"uri": "policy/a.yaml", "uriBaseId": "%SRCROOT%"},
                         {"uri": "policy/b.yaml", "uriBaseId": "%SRCROOT%"}]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": in_a_repository.as_uri() + "/"}}


def test_outside_a_repository_uris_are_relative_to_the_working_directory(
    in_a_repository: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (in_a_repository / ".git").rmdir()
    (run,) = sarif(Report.of([UNKNOWN_KEY]))["runs"]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "policy/services.yaml", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path.cwd().as_uri() + "/"


def test_links_follow_the_repository_the_package_declares(
    monkeypatch: pytest.MonkeyPatch, full_report: Report,
) -> None:
    monkeypatch.setattr(sarif_module, "project_url", lambda: "https://github.com/acme/pdlint")
    driver = sarif(full_report)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://github.com/acme/pdlint"
    delay = next(rule for rule in driver["rules"] if rule["id"] == "EP103")
    assert delay["helpUri"] == (
        f"https://github.com/acme/pdlint/blob/v{full_report.tool_version}/docs/rules.md#ep103")


def test_without_a_declared_repository_the_log_links_nowhere(
    monkeypatch: pytest.MonkeyPatch, full_report: Report,
) -> None:
    monkeypatch.setattr(sarif_module, "project_url", lambda: None)
    driver = sarif(full_report)["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    assert all("helpUri" not in rule and rule["help"]["markdown"] for rule in driver["rules"])


def test_every_rule_of_the_catalogue_has_the_anchor_its_help_uri_names() -> None:
    from pdlint.rules.registry import catalogue

    page = (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8")
    link = sarif_module.help_uri("https://github.com/acme/pdlint", "1.0.0", "EP103")
    assert link.endswith("/docs/rules.md#ep103")
    for rule in catalogue():
        anchor = sarif_module.help_uri("h", "v", rule.id).rsplit("#", 1)[1]
        assert f'<a id="{anchor}"></a>' in page, rule.id


def test_a_waived_finding_is_an_accepted_external_suppression() -> None:
    (result,) = sarif(Report.of([WAIVED_NO_INTEGRATION]))["runs"][0]["results"]
    (suppression,) = result["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["status"] == "accepted"
    assert suppression["justification"] == (
        "Alerts reach Internal Admin by email only until the monitoring migration."
        " (owner platform-lead@acme.example, expires 2027-03-31)"
    )
    assert suppression["location"]["physicalLocation"]["artifactLocation"]["uri"] == (
        "policy/waivers.yaml")


@pytest.mark.parametrize(
    ("skipped", "successful", "notifications"),
    [
        ([], True, []),
        ([SCHEDULES_FORBIDDEN], False,
         [{"level": "warning",
           "message": {"text": "SCH201 coverage-gap skipped: the token cannot read on-call"
                               " schedules (HTTP 403)"},
           "associatedRule": {"id": "SCH201", "index": 4}}]),
    ],
)
def test_skipped_checks_make_the_invocation_unsuccessful(
    skipped: list, successful: bool, notifications: list
) -> None:
    (invocation,) = sarif(Report.of(FINDINGS, skipped))["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is successful
    assert invocation["toolExecutionNotifications"] == notifications


def fingerprint(finding: Finding, *others: Finding) -> str:
    results = sarif(Report.of([finding, *others]))["runs"][0]["results"]
    return next(result["partialFingerprints"][FINGERPRINT_KEY] for result in results
                if result["message"]["text"].endswith(f"{finding.message} (expected "
                                                      f"{finding.expected}, actual "
                                                      f"{finding.actual})"))


@pytest.mark.parametrize(
    "same",
    [
        replace(LATE_LEVEL, location=Location("policy/escalation-policies.yaml", 40, 9),
                actual="45m", message="level 3 engaged after 45 min"),
        replace(LATE_LEVEL, location=Location("policy/other.yaml", 23)),
        replace(LATE_LEVEL, resource=replace(PLATFORM, name="Production - Core")),
    ],
    ids=["line-and-live-value", "policy-file", "object-renamed"],
)
def test_a_fingerprint_survives_edits_that_move_or_rename_but_keep_rule_and_object(
    same: Finding,
) -> None:
    assert fingerprint(same) == fingerprint(LATE_LEVEL)


@pytest.mark.parametrize(
    "other",
    [
        replace(LATE_LEVEL, rule="EP102"),
        replace(LATE_LEVEL, resource=replace(PLATFORM, id="PDEF456")),
        replace(LATE_LEVEL, resource=replace(PLATFORM, type="schedule")),
    ],
    ids=["rule", "object-id", "object-type"],
)
def test_a_fingerprint_differs_when_the_rule_object_or_file_differs(other: Finding) -> None:
    assert fingerprint(other) != fingerprint(LATE_LEVEL)


def test_two_findings_of_one_rule_on_one_object_get_distinct_fingerprints() -> None:
    second = replace(LATE_LEVEL, location=Location("policy/escalation-policies.yaml", 27),
                     message="level 4 engaged after 50 min", expected="30m", actual="50m")
    assert fingerprint(LATE_LEVEL, second) != fingerprint(second, LATE_LEVEL)
    assert fingerprint(LATE_LEVEL, second).endswith(":1")
    assert fingerprint(second, LATE_LEVEL).endswith(":2")


def test_a_finding_of_a_rule_not_in_the_catalogue_has_no_rule_index() -> None:
    stray = replace(EXTRA_PRIORITY, rule="XX999", resource=Resource("team", "Ops"))
    (result,) = sarif(Report.of([stray]))["runs"][0]["results"]
    assert result["ruleId"] == "XX999"
    assert "ruleIndex" not in result
