"""The drift report of the package: the live account against the policy at the time of the run,
written as JSON, SARIF and Markdown by the project's reporters."""

from __future__ import annotations

from datetime import date

from pdlint.evidence.model import DriftSummary
from pdlint.evidence.package import EvidencePackage
from pdlint.findings import Finding, Report, Severity
from pdlint.pagerduty.state import LiveState
from pdlint.policy.model import Policy
from pdlint.report import render
from pdlint.rules.registry import RULES, rules_for
from pdlint.rules.rule import Mode

DRIFT_FILES = {"json": "drift.json", "sarif": "drift.sarif", "markdown": "drift.md"}


def drift_report(policy: Policy, state: LiveState, today: date) -> Report:
    """Every drift rule over ``state``, with the policy's unexpired waivers applied and the
    collections that could not be read reported as skipped."""
    waivers = [waiver for waiver in policy.waivers if not waiver.expired(today)]
    findings: list[Finding] = []
    for drift_rule in rules_for(Mode.DRIFT):
        for finding in drift_rule.check(policy, state) if drift_rule.check else ():
            waiver = next((waiver for waiver in waivers if waiver.matches(finding)), None)
            findings.append(finding.with_waiver(waiver.as_waived()) if waiver else finding)
    return Report.of(findings, state.skipped)


def write_drift(package: EvidencePackage, report: Report) -> DriftSummary:
    for fmt, name in DRIFT_FILES.items():
        package.write_text(name, render(report, fmt, rules=RULES,
                                        title="pdlint drift at the time of the evidence run"))
    summary = report.summary()
    return DriftSummary(
        findings=sum(summary[severity.value] for severity in Severity),
        by_severity=tuple((severity.value, summary[severity.value])
                          for severity in reversed(Severity)),
        skipped=len(report.skipped),
        files=tuple(DRIFT_FILES.values()),
    )
