"""JUnit XML for CI systems that chart test results (GitLab, Jenkins).

One testcase per (rule, object): it fails when the object has a finding at warning or above that
is not waived, and is skipped when its findings are all waived. Each rule that ran without any
finding is one passing testcase, so the totals say how much was checked; each skipped check is a
skipped testcase, never a pass.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from pdlint.findings import Finding, Report, Resource, Severity
from pdlint.report import RuleMeta
from pdlint.report.wording import (
    finding_sentence,
    index_rules,
    resource_label,
    rule_label,
    skip_label,
    waiver_phrase,
)

# XML 1.0 cannot carry most control characters, even escaped; a live value might contain one.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(report: Report, rules: Sequence[RuleMeta], *, title: str = "pdlint") -> str:
    rules_by_id = index_rules(rules)
    by_case: dict[tuple[str, Resource], list[Finding]] = {}
    for finding in report.findings:
        by_case.setdefault((finding.rule, finding.resource), []).append(finding)

    cases: list[tuple[tuple[str, int, str], ET.Element]] = []
    for (rule_id, resource), findings in by_case.items():
        case = _testcase(title, rule_id, resource_label(resource))
        _judge(case, findings)
        cases.append(((rule_id, 0, case.get("name", "")), case))
    for skip in report.skipped:
        case = _testcase(title, skip.rule, f"{skip_label(skip, rules_by_id)} check")
        ET.SubElement(case, "skipped", message=_xml_text(f"skipped: {skip.reason}"))
        cases.append(((skip.rule, 1, skip.reason), case))
    checked = {rule_id for rule_id, _ in by_case} | {skip.rule for skip in report.skipped}
    for rule in rules:
        if rule.id not in checked:
            cases.append(((rule.id, 2, ""), _testcase(title, rule.id, rule.title)))

    suite = ET.Element("testsuite", name=_xml_text(title))
    suite.extend(case for _, case in sorted(cases, key=lambda keyed: keyed[0]))
    counts = {
        "tests": len(cases),
        "failures": sum(1 for case in suite if case.find("failure") is not None),
        "errors": 0,
        "skipped": sum(1 for case in suite if case.find("skipped") is not None),
    }
    for key, count in counts.items():
        suite.set(key, str(count))
    root = ET.Element("testsuites", {"name": _xml_text(title)}
                      | {key: str(count) for key, count in counts.items()})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(title: str, rule_id: str, name: str) -> ET.Element:
    return ET.Element("testcase", classname=_xml_text(f"{title}.{rule_id}"), name=_xml_text(name))


def _judge(case: ET.Element, findings: list[Finding]) -> None:
    """Fail, skip or pass one (rule, object) testcase from its findings."""
    failing = [f for f in findings if f.counts and f.severity.at_least(Severity.WARNING)]
    if failing:
        worst = max((f.severity for f in failing), key=lambda severity: severity.rank)
        failure = ET.SubElement(case, "failure", type=worst.value,
                                message=_xml_text("; ".join(f.message for f in failing)))
        failure.text = _xml_text("\n".join(_detail(f) for f in findings))
        return
    waived = [f for f in findings if f.waived]
    if waived and len(waived) == len(findings):
        ET.SubElement(case, "skipped", message=_xml_text(
            "; ".join(waiver_phrase(f.waived) for f in waived if f.waived)))
        return
    ET.SubElement(case, "system-out").text = _xml_text("\n".join(_detail(f) for f in findings))


def _detail(finding: Finding) -> str:
    state = finding.severity.value
    if finding.waived:
        state = f"waived ({waiver_phrase(finding.waived)})"
    where = f" at {finding.location}" if finding.location else ""
    return f"{state} {rule_label(finding.rule, finding.name)}: {finding_sentence(finding)}{where}"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
