"""The drift report of the package: the account against the policy, written as JSON, SARIF,
Markdown, text and JUnit by the project's reporters.

It measures two things over two spans, and every label says so: the configuration as it was read
(during the run, or when the snapshot was taken), and on-call coverage (SCH201) over the window
the schedules were rendered for, which is the measured part of the audit period on a live run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pdlint.collector import collector_paused
from pdlint.coverage import Interval
from pdlint.evidence.model import DriftSummary, iso
from pdlint.evidence.package import EvidencePackage
from pdlint.findings import Report, Severity
from pdlint.memo import once_per_run
from pdlint.report import render
from pdlint.rules.registry import catalogue

DRIFT_FILES = {"json": "drift.json", "sarif": "drift.sarif", "markdown": "drift.md",
               "text": "drift.txt", "junit": "drift-junit.xml"}


@dataclass(frozen=True)
class DriftRun:
    """A drift report and what it measured: the configuration read at ``read_at``, coverage
    over ``rendered``."""

    report: Report
    read_at: datetime
    rendered: Interval
    subdomain: str | None = None
    """The account's subdomain, when the configuration read names it."""


def drift_scope(drift: DriftSummary) -> str:
    """What the drift report measured, in words for its titles and headings."""
    return (f"configuration as read at {iso(drift.read_at)}; on-call coverage (SCH201) over "
            f"{iso(drift.rendered.start)} to {iso(drift.rendered.end)}")


def write_drift(package: EvidencePackage, run: DriftRun) -> DriftSummary:
    summary = run.report.summary()
    drift = DriftSummary(
        findings=sum(summary[severity.value] for severity in Severity),
        by_severity=tuple((severity.value, summary[severity.value])
                          for severity in reversed(Severity)),
        not_checked=summary["not_checked"],
        skipped=len(run.report.skipped),
        files=tuple(DRIFT_FILES.values()),
        read_at=run.read_at,
        rendered=run.rendered,
    )
    title = f"pdlint drift: {drift_scope(drift)}"
    # Each finding's values made once for the four formats showing them; the collector paused,
    # as rendering makes millions of acyclic parts, and each young collection went through the
    # renderers' growing lists of them again.
    with once_per_run(), collector_paused():
        for fmt, name in DRIFT_FILES.items():
            text = render(run.report, fmt, rules=catalogue(), title=title)
            # The text reporter has no title (on a terminal the command is the title); in the
            # package the file must say what it measured on its own.
            package.write_parts(name, (f"{title}\n\n", text) if fmt == "text" else (text,))
    return drift
