"""JUnit XML for CI systems that chart test results (GitLab, Jenkins), valid against the common
``junit-10.xsd``.

Test case names never change between a passing run and a failing one, so CI history can follow
each: every rule that ran is one test case named after the rule (``EP103 escalation-delay``),
which passes when the rule ran and is skipped, never passed, when its check could not run or a
collection it reads (``reads``) was not read, even if it found something in the rest. Each
object a rule has findings on is a test case of its own, named after the object, in a test
suite per policy file (``file`` names it, relative to the repository root): it fails when the
object has a finding at warning or above that is not waived, is skipped when its findings are all
waived or report checks that could not be made (``not_checked``: never a pass), and passes
otherwise. Suites carry when a drift run read the account (``timestamp``; a report that does not
say, such as lint's, has none, so the same input gives the same file) and how long the run took
(``time``), when the caller measured it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from pdlint.findings import Finding, Report, Resource, Severity, utc_second
from pdlint.report.rule_meta import RuleMeta
from pdlint.report.wording import (
    finding_sentence,
    index_rules,
    not_checked_phrase,
    repo_path,
    resource_label,
    rule_label,
    source_root,
    unchecked_rules,
    waiver_phrase,
)

# XML 1.0 cannot carry most control characters, even escaped; a live value might contain one.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_XML_ASCII = bytes(code for code in range(0x20) if chr(code) not in "\t\n\r")
_COUNTS = ("tests", "failures", "errors", "skipped")


def render_junit(report: Report, rules: Sequence[RuleMeta], *, title: str = "pdlint",
                 elapsed: float | None = None) -> str:
    suites = [_rules_suite(report, rules, title), *_object_suites(report, title)]
    root = ET.Element("testsuites", name=_xml_text(title))
    for suite in suites:
        if report.checked:
            suite.set("timestamp", utc_second(report.checked.checked_at))
        if elapsed is not None:
            suite.set("time", _seconds(elapsed))
        root.append(suite)
    for key in _COUNTS[:3]:
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in suites)))
    if elapsed is not None:
        root.set("time", _seconds(elapsed))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _rules_suite(report: Report, rules: Sequence[RuleMeta], title: str) -> ET.Element:
    """One case per rule that ran, passing, or skipped with the reasons it was not checked in
    full (``unchecked_rules``: a collection it reads not read is a skip, never a pass); a check
    skipped under a name that is no rule (a collection not read) is a case of its own."""
    rules_by_id = index_rules(rules)
    skips = unchecked_rules(report, rules)
    for skip in report.skipped:
        if skip.rule not in rules_by_id:
            skips.setdefault(skip.rule, []).append(skip)
    cases = []
    for rule_id in sorted(set(rules_by_id) | set(skips)):
        rule = rules_by_id.get(rule_id)
        case = _testcase(title, rule_id, rule_label(rule_id, rule.name if rule else None))
        if rule_id in skips:
            ET.SubElement(case, "skipped", message=_xml_text("; ".join(
                f"skipped: {skip.reason}" for skip in skips[rule_id])))
        else:
            ET.SubElement(case, "system-out").text = _xml_text(
                f"{rule.title if rule else rule_id}: checked; each object with findings is a "
                "test case of its own")
        cases.append(case)
    suite = _suite(title, cases)
    if report.boundary:
        properties = ET.Element("properties")
        ET.SubElement(properties, "property", name="scope",
                      value=_xml_text(report.boundary.described()))
        for kind, count in report.boundary.outside:
            ET.SubElement(properties, "property", name=f"out_of_scope.{kind}",
                          value="not known" if count is None else str(count))
        suite.insert(0, properties)
    return suite


def _object_suites(report: Report, title: str) -> list[ET.Element]:
    """A suite per policy file, of one case per (rule, object) with findings, placed in the file
    of its first finding."""
    by_case: dict[tuple[str, Resource], list[Finding]] = {}
    for finding in report.findings:
        by_case.setdefault((finding.rule, finding.resource), []).append(finding)
    root = source_root()
    by_file: dict[str, list[tuple[tuple[str, str], ET.Element]]] = {}
    for (rule_id, resource), findings in by_case.items():
        case = _testcase(title, rule_id, resource_label(resource))
        _judge(case, findings)
        first = next((finding.location for finding in findings if finding.location), None)
        path = repo_path(first.path, root) if first else ""
        by_file.setdefault(path, []).append(((rule_id, case.get("name", "")), case))
    suites = []
    for path, keyed in sorted(by_file.items()):
        suite = _suite(path or f"{title} (no policy file)",
                       [case for _, case in sorted(keyed, key=lambda item: item[0])])
        if path:
            suite.set("file", _xml_text(path))
        suites.append(suite)
    return suites


def _suite(name: str, cases: list[ET.Element]) -> ET.Element:
    suite = ET.Element("testsuite", name=_xml_text(name))
    suite.extend(cases)
    counts = {
        "tests": len(cases),
        "failures": sum(1 for case in cases if case.find("failure") is not None),
        "errors": 0,
        "skipped": sum(1 for case in cases if case.find("skipped") is not None),
    }
    for key in _COUNTS:
        suite.set(key, str(counts[key]))
    return suite


def _testcase(title: str, rule_id: str, name: str) -> ET.Element:
    return ET.Element("testcase", classname=_xml_text(f"{title}.{rule_id}"), name=_xml_text(name))


def _judge(case: ET.Element, findings: list[Finding]) -> None:
    """Fail, skip or pass one (rule, object) testcase from its findings: a check that could not
    be made (``Finding.not_checked``) is skipped, never passed, unless a finding fails."""
    failing = [f for f in findings if f.counts and f.not_checked is None
               and f.severity.at_least(Severity.WARNING)]
    if failing:
        worst = max((f.severity for f in failing), key=lambda severity: severity.rank)
        failure = ET.SubElement(case, "failure", type=worst.value,
                                message=_xml_text("; ".join(f.message for f in failing)))
        failure.text = _xml_text("\n".join(_detail(f) for f in findings))
        return
    unchecked = [f for f in findings if f.leaves_unchecked]
    if unchecked:
        ET.SubElement(case, "skipped", message=_xml_text(not_checked_phrase(unchecked))).text = (
            _xml_text("\n".join(_detail(f) for f in findings)))
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


def _seconds(elapsed: float) -> str:
    """Seconds as the schema's SUREFIRE_TIME reads them: digits, at most three decimals."""
    return f"{max(elapsed, 0.0):.3f}"


def _xml_text(text: str) -> str:
    """``text`` with what XML cannot carry replaced. ASCII text, nearly all (a year's drift
    report writes 17 MB of it), is checked by deleting the control characters XML cannot carry
    from its bytes, in a fifth of the time of the search."""
    if text.isascii() and len(text.encode("ascii").translate(None, _NOT_XML_ASCII)) == len(text):
        return text
    return _NOT_XML.sub("\ufffd", text)
