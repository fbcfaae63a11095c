"""JUnit XML, parsed back: one testcase per (rule, object), totals that match the testcases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from report_cases import AWKWARD, LATE_LEVEL, RULES, WAIVER

from pdlint.findings import Location, Report, Severity
from pdlint.report import render


def parse(report: Report, title: str = "pdlint") -> ET.Element:
    return ET.fromstring(render(report, "junit", rules=RULES, title=title).encode("utf-8"))


def outcomes(root: ET.Element) -> dict[tuple[str, str], str]:
    def outcome(case: ET.Element) -> str:
        return next((child.tag for child in case if child.tag in ("failure", "skipped")),
                    "passed")

    return {(case.get("classname", ""), case.get("name", "")): outcome(case)
            for case in root.iter("testcase")}


def test_every_testcase_fails_skips_or_passes_as_its_findings_say(full_report: Report) -> None:
    assert outcomes(parse(full_report)) == {
        ("pdlint.EP103", "escalation policy 'Production - Platform' (PABC123)"): "failure",
        ("pdlint.POL003", "service 'Checkout API'"): "failure",
        ("pdlint.POL023", "schedule 'Old Rotation'"): "failure",
        ("pdlint.PRI500", "priority 'P5' (PPRI005)"): "passed",
        ("pdlint.SCH201", "SCH201 coverage-gap check"): "skipped",
        ("pdlint.SVC306", "service 'Internal Admin' (PSVC001)"): "skipped",
        ("pdlint.USR400", "Everyone on call can be reached by phone or SMS"): "passed",
    }


def test_totals_count_the_testcases(full_report: Report) -> None:
    root = parse(full_report, title="Drift")
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    expected = {"name": "Drift", "tests": "7", "failures": "3", "errors": "0", "skipped": "2"}
    assert {key: suite.get(key) for key in expected} == expected
    assert {key: root.get(key) for key in expected} == expected


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
    (case,) = [case for case in root.iter("testcase") if case.get("classname") == "pdlint.EP103"]
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


def test_a_clean_run_is_one_passing_testcase_per_rule() -> None:
    root = parse(Report.of([]))
    assert set(outcomes(root).values()) == {"passed"}
    assert root.get("tests") == str(len(RULES))
