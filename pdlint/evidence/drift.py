"""The drift report of the package: the live account against the policy at the time of the run,
written as JSON, SARIF and Markdown by the project's reporters."""

from __future__ import annotations

from pdlint.evidence.model import DriftSummary
from pdlint.evidence.package import EvidencePackage
from pdlint.findings import Report, Severity
from pdlint.report import render
from pdlint.rules.registry import RULES

DRIFT_FILES = {"json": "drift.json", "sarif": "drift.sarif", "markdown": "drift.md",
               "text": "drift.txt", "junit": "drift-junit.xml"}


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
