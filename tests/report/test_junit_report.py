"""JUnit XML, parsed back: valid against junit-10.xsd, one testcase per rule and per (rule,
object) with findings, names that do not change between passing and failing runs, totals that
match the testcases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from junit_schema import junit_errors
from report_cases import AWKWARD, FINDINGS, LATE_LEVEL, RULES, SCHEDULES_FORBIDDEN, WAIVER

from pdlint.findings import Checked, Location, PolicyIdentity, Report, Severity, Skipped
from pdlint.report import render
from pdlint.report.junit import _xml_text

RULE_CASES = {(f"pdlint.{rule.id}", f"{rule.id} {rule.name}"): "passed" for rule in RULES}


def parse(report: Report, title: str = "pdlint", elapsed: float | None = None) -> ET.Element:
    text = render(report, "junit", rules=RULES, title=title, elapsed=elapsed)
    assert junit_errors(text) == []
    return ET.fromstring(text.encode("utf-8"))


def outcomes(root: ET.Element) -> dict[tuple[str, str], str]:
    def outcome(case: ET.Element) -> str:
        return next((child.tag for child in case if child.tag in ("failure", "skipped")),
                    "passed")

    return {(case.get("classname", ""), case.get("name", "")): outcome(case)
            for case in root.iter("testcase")}


def test_every_testcase_fails_skips_or_passes_as_its_findings_say(full_report: Report) -> None:
    assert outcomes(parse(full_report)) == {
        **RULE_CASES,
        ("pdlint.SCH201", "SCH201 coverage-gap"): "skipped",
        ("pdlint.EP103", "escalation policy 'Production - Platform' (PABC123)"): "failure",
        ("pdlint.POL003", "service 'Checkout API'"): "failure",
        ("pdlint.POL023", "schedule 'Old Rotation'"): "failure",
        ("pdlint.PRI500", "priority 'P5' (PPRI005)"): "passed",
        ("pdlint.SVC306", "service 'Internal Admin' (PSVC001)"): "skipped",
    }


def test_totals_count_the_testcases(full_report: Report) -> None:
    root = parse(full_report, title="Drift")
    assert root.tag == "testsuites"
    assert [suite.get("name") for suite in root.findall("testsuite")] == [
        "Drift", "Drift (no policy file)", "policy/escalation-policies.yaml",
        "policy/schedules.yaml", "policy/services.yaml"]
    counts = [{key: suite.get(key) for key in ("tests", "failures", "errors", "skipped")}
              for suite in root.findall("testsuite")]
    assert counts == [
        {"tests": "7", "failures": "0", "errors": "0", "skipped": "1"},
        {"tests": "2", "failures": "0", "errors": "0", "skipped": "1"},
        {"tests": "1", "failures": "1", "errors": "0", "skipped": "0"},
        {"tests": "1", "failures": "1", "errors": "0", "skipped": "0"},
        {"tests": "1", "failures": "1", "errors": "0", "skipped": "0"},
    ]
    assert {key: root.get(key) for key in ("name", "tests", "failures", "errors")} == {
        "name": "Drift", "tests": "12", "failures": "3", "errors": "0"}
    assert root.get("skipped") is None  # junit-10.xsd has no such attribute on <testsuites>


@pytest.mark.parametrize(
    "report",
    [Report.of([]), Report.of(FINDINGS, [SCHEDULES_FORBIDDEN]), Report.of([AWKWARD]),
     Report.of([], [Skipped("schedules_v3", "HTTP 404"), SCHEDULES_FORBIDDEN,
                    replace(SCHEDULES_FORBIDDEN, reason="another reason")])],
    ids=["empty", "full", "awkward", "skips"],
)
@pytest.mark.parametrize("elapsed", [None, 0.0, 12.3456, 4000.0])
def test_every_report_is_valid_against_junit_10_xsd(report: Report, elapsed: float | None) -> None:
    assert junit_errors(render(report, "junit", rules=RULES, elapsed=elapsed)) == []


def test_the_schema_check_catches_what_ci_tools_refuse() -> None:
    text = render(Report.of(FINDINGS), "junit", rules=RULES)
    assert junit_errors(text.replace("<testsuites ", '<testsuites skipped="1" ', 1))
    assert junit_errors(text.replace("<testcase ", '<testcase file="x.yaml" ', 1))


@pytest.mark.parametrize("finding", [
    LATE_LEVEL, replace(LATE_LEVEL, severity=Severity.INFO), LATE_LEVEL.with_waiver(WAIVER)])
def test_case_names_do_not_change_between_passing_and_failing_runs(finding: object) -> None:
    """The rule's case is in every run under one name; the object's case, whenever it has a
    finding, has one name whatever the finding's outcome."""
    clean, found = outcomes(parse(Report.of([]))), outcomes(parse(Report.of([finding])))
    assert ("pdlint.EP103", "EP103 escalation-delay") in clean
    assert set(clean) <= set(found)
    assert set(found) - set(clean) == {
        ("pdlint.EP103", "escalation policy 'Production - Platform' (PABC123)")}


def test_suites_say_when_the_check_ran_how_long_it_took_and_which_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    checked = Checked(checked_at=datetime(2026, 3, 2, 12, 0, 5, tzinfo=timezone.utc),
                      api_url="https://api.pagerduty.com", subdomain=None,
                      policy=PolicyIdentity("policy", (), "0" * 64), rules=())
    located = replace(LATE_LEVEL, location=Location("../policy/escalation-policies.yaml", 23))
    root = parse(replace(Report.of([located]), checked=checked), elapsed=2.5)
    suites = root.findall("testsuite")
    assert {suite.get("timestamp") for suite in suites} == {"2026-03-02T12:00:05Z"}
    assert {suite.get("time") for suite in suites} == {"2.500"}
    assert root.get("time") == "2.500"
    assert [suite.get("file") for suite in suites] == [None, "policy/escalation-policies.yaml"]


def test_a_report_that_does_not_say_when_it_checked_has_no_timestamp() -> None:
    """Lint reads no account, and the evidence package must be the same for the same input."""
    (suite,) = parse(Report.of([])).findall("testsuite")
    assert suite.get("timestamp") is None
    assert suite.get("time") is None
    assert render(Report.of(FINDINGS), "junit", rules=RULES) == render(
        Report.of(FINDINGS), "junit", rules=RULES)


def test_failures_carry_message_type_and_details(full_report: Report) -> None:
    failures = {case.get("classname"): case.find("failure")
                for case in parse(full_report).iter("testcase")}
    delay = failures["pdlint.EP103"]
    assert delay is not None
    assert delay.get("type") == "error"
    assert delay.get("message") == LATE_LEVEL.message
    assert delay.text is not None
    assert "expected 20m, actual 30m" in delay.text
    assert "policy/escalation-policies.yaml:23:9" in delay.text
    unused = failures["pdlint.POL023"]
    assert unused is not None and unused.get("type") == "warning"


def test_findings_of_one_rule_on_one_object_make_one_testcase_failing_at_the_worst() -> None:
    milder = replace(LATE_LEVEL, severity=Severity.WARNING, message="handoff notifications differ",
                     location=Location("policy/escalation-policies.yaml", 12))
    root = parse(Report.of([LATE_LEVEL, milder]))
    (case,) = [case for case in root.iter("testcase") if case.get("classname") == "pdlint.EP103"
               and case.get("name") != "EP103 escalation-delay"]
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "error"
    assert failure.get("message") == f"{milder.message}; {LATE_LEVEL.message}"


@pytest.mark.parametrize(
    ("findings", "outcome"),
    [
        ([LATE_LEVEL], "failure"),
        ([LATE_LEVEL.with_waiver(WAIVER)], "skipped"),
        ([replace(LATE_LEVEL, severity=Severity.INFO)], "passed"),
        ([LATE_LEVEL.with_waiver(WAIVER), replace(LATE_LEVEL, message="other")], "failure"),
    ],
    ids=["error", "waived", "info", "waived-and-not"],
)
def test_outcome_of_one_object(findings: list, outcome: str) -> None:
    cases = outcomes(parse(Report.of(findings)))
    assert cases[("pdlint.EP103", "escalation policy 'Production - Platform' (PABC123)")] == outcome


def test_awkward_text_stays_well_formed_xml() -> None:
    root = parse(Report.of([AWKWARD]))
    (failure,) = root.iter("failure")
    message = failure.get("message", "")
    assert "<b>bold</b>" in message
    assert "\x07" not in message and "\ufffdbell" in message


@pytest.mark.parametrize(("text", "written"), [
    ("plain — naïve 東京", "plain — naïve 東京"),
    ("lines\nand\ttabs\r\n", "lines\nand\ttabs\r\n"),
    ("bell\x07\nline", "bell\ufffd\nline"),
    ("\x0b\x0c\x1f", "\ufffd\ufffd\ufffd"),
    ("half \ud800 pair", "half \ufffd pair"),
    ("not \ufffe \uffff characters", "not \ufffd \ufffd characters"),
    ("delete\x7f", "delete\x7f"),
    ("next\x85line\u2028", "next\x85line\u2028"),
], ids=repr)
def test_xml_text_replaces_only_what_xml_cannot_carry(text: str, written: str) -> None:
    assert _xml_text(text) == written


def test_a_clean_run_is_one_passing_testcase_per_rule() -> None:
    root = parse(Report.of([]))
    assert outcomes(root) == RULE_CASES
    assert root.get("tests") == str(len(RULES))
