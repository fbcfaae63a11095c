"""The words every room shares."""

from __future__ import annotations

from datetime import date

import pytest

from pdlint.findings import (
    Finding,
    Report,
    Resource,
    Severity,
    Waived,
    counted,
    not_checked_skips,
)
from pdlint.rule import Mode, Rule, made_elsewhere


@pytest.mark.parametrize(("count", "noun", "plural", "text"), [
    (1, "error", None, "1 error"),
    (2, "error", None, "2 errors"),
    (0, "error", None, "0 errors"),
    (1, "SLA breach", "SLA breaches", "1 SLA breach"),
    (3, "SLA breach", "SLA breaches", "3 SLA breaches"),
])
def test_a_count_agrees_with_its_noun(count: int, noun: str, plural: str | None,
                                      text: str) -> None:
    assert counted(count, noun, plural) == text


@pytest.mark.parametrize(
    ("resource", "key"),
    [
        (Resource("service", "Checkout", "PSVC1"), "SVC300\x1fservice\x1fPSVC1"),
        (Resource("service", "Checkout"), "SVC300\x1fservice\x1fCheckout"),
        (Resource("policy"), "SVC300\x1fpolicy\x1f"),
    ],
    ids=["by-id", "by-name-without-id", "no-object"],
)
def test_a_finding_key_is_rule_type_and_id_falling_back_to_name(
    resource: Resource, key: str
) -> None:
    finding = Finding("SVC300", "undocumented-service", Severity.ERROR, "m", resource)
    assert finding.key == key


WAIVER = Waived("Accepted for the migration.", "lead@acme.example", date(2027, 3, 31))
SERVICE = Resource("service", "Checkout", "PSVC1")


def not_made(rule: str, why: str) -> Finding:
    return Finding(rule, "rule", Severity.WARNING, f"not checked: {why}", SERVICE,
                   not_checked=why)


def made(rule: str) -> Finding:
    return Finding(rule, "rule", Severity.WARNING, "drifted", SERVICE)


@pytest.mark.parametrize(("findings", "skips"), [
    pytest.param([made("SVC310")], [], id="checks-made"),
    pytest.param([not_made("SVC310", "a window without its services")],
                 [("SVC310", "1 check not made (findings marked not checked): a window without "
                             "its services")], id="one"),
    pytest.param([not_made("SVC310", "a"), not_made("SVC310", "a"), made("PATH600"),
                  not_made("PATH600", "b")],
                 [("SVC310", "2 checks not made (findings marked not checked): a"),
                  ("PATH600", "1 check not made (findings marked not checked): b")],
                 id="per-rule-reasons-once"),
    pytest.param([not_made("EP102", reason) for reason in "abcde"],
                 [("EP102", "5 checks not made (findings marked not checked): a; b; c; and 2 "
                            "other reasons")], id="reasons-counted-past-three"),
    pytest.param([not_made("SVC306", "a").with_waiver(WAIVER)], [], id="waived-accepted"),
])
def test_a_rule_with_checks_it_could_not_make_is_skipped_unless_waived(
        findings: list[Finding], skips: list[tuple[str, str]]) -> None:
    assert [(skip.rule, skip.reason) for skip in not_checked_skips(findings)] == skips
    report = Report.of(findings, not_checked_skips(findings))
    assert report.summary()["not_checked"] == sum(finding.leaves_unchecked
                                                 for finding in findings)
    assert report.complete is not skips


def test_a_rule_s_not_checked_finding_is_a_marked_warning_whatever_its_severity() -> None:
    declared = Rule("SVC310", "maintenance-window", "t", Severity.ERROR, "CC7.3", "why",
                    Mode.DRIFT, made_elsewhere)
    finding = declared.not_checked("maintenance windows not checked: x", SERVICE, why="x")
    assert (finding.severity, finding.not_checked) == (Severity.WARNING, "x")
    assert finding.to_dict()["not_checked"] == "x"
    assert declared.finding("drifted", SERVICE).to_dict()["not_checked"] is None
