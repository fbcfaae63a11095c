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
    WAIVED_NO_INTEGRATION,
)

from pdlint.findings import Finding, Location, Report, Resource
from pdlint.report import render
from pdlint.report.sarif import FINGERPRINT_KEY

SCHEMA_PATH = Path(__file__).parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def sarif(report: Report) -> dict[str, Any]:
    return json.loads(render(report, "sarif", rules=RULES))


def schema_errors(validator: Draft4Validator, log: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(log)]


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
    assert driver["informationUri"].startswith("https://")
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
        assert physical == {"artifactLocation": {"uri": uri}, "region": region}


def test_the_message_names_the_object_and_both_values() -> None:
    (result,) = sarif(Report.of([LATE_LEVEL]))["runs"][0]["results"]
    assert result["message"]["text"] == (
        "escalation policy 'Production - Platform' (PABC123): level 3 engaged after 30 min,"
        " documented 20 min: rule 2 delay is 20, expected 10 (expected 20m, actual 30m)"
    )
    assert result["properties"]["expected"] == "20m"
    assert result["properties"]["actual"] == "30m"


def test_paths_under_the_working_directory_become_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inside = replace(UNKNOWN_KEY, location=Location(str(tmp_path / "policy" / "a.yaml"), 1))
    outside = replace(LATE_LEVEL, location=Location("/elsewhere/policy.yaml", 1))
    results = sarif(Report.of([inside, outside]))["runs"][0]["results"]
    uris = [result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in results]
    assert sorted(uris) == ["file:///elsewhere/policy.yaml", "policy/a.yaml"]


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
