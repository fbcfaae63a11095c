"""A Markdown report for a pull-request comment or a GitHub job summary.

A headline with the counts (and, first of all, whether the run was complete), one table per kind
of object with the worst findings first, then the waived findings and the skipped checks. Cell
text is escaped so a value from the live account cannot break a table or inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from pdlint.findings import Finding, Report
from pdlint.report.rule_meta import RuleMeta
from pdlint.report.tabular import markdown_cell, markdown_code, markdown_table
from pdlint.report.wording import (
    format_value,
    incomplete_phrase,
    index_rules,
    skip_label,
    summary_line,
)

_FINDING_COLUMNS = ("Severity", "Rule", "Object", "Finding", "Expected", "Actual", "Policy")
_WAIVED_COLUMNS = ("Rule", "Object", "Finding", "Reason", "Owner", "Expires")
_SKIPPED_COLUMNS = ("Check", "Reason")


def render_markdown(
    report: Report,
    rules: Sequence[RuleMeta],
    *,
    title: str = "pdlint",
    max_rows: int | None = None,
) -> str:
    """``max_rows`` caps each table (the rest is counted) for places with a size limit."""
    parts = [f"## {markdown_cell(title)}: {markdown_cell(summary_line(report, rules))}"]
    if report.skipped:
        parts.append(
            f"> **{markdown_cell(incomplete_phrase(report).capitalize())}.** The results below "
            "cover only the checks that ran; see [Skipped checks](#skipped-checks)."
        )

    by_type: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.counts:
            by_type.setdefault(finding.resource.type, []).append(finding)
    for resource_type in sorted(by_type):
        worst_first = sorted(by_type[resource_type], key=lambda f: -f.severity.rank)
        rows: list[tuple[str, ...]] = [
            (_severity(f), _rule(f), _object(f), markdown_cell(f.message), _value(f.expected),
             _value(f.actual), markdown_code(str(f.location)) if f.location else "")
            for f in worst_first
        ]
        parts.append(f"### {markdown_cell(_plural(resource_type.replace('_', ' ')).capitalize())}")
        parts.append(_table(_FINDING_COLUMNS, rows, max_rows))

    waived = [finding for finding in report.findings if finding.waived]
    if waived:
        waived_rows: list[tuple[str, ...]] = [
            (_rule(f), _object(f), markdown_cell(f.message), markdown_cell(f.waived.reason),
             markdown_cell(f.waived.owner), f.waived.expires.isoformat())
            for f in waived if f.waived
        ]
        parts += ["### Waived", _table(_WAIVED_COLUMNS, waived_rows, max_rows)]

    if report.skipped:
        rules_by_id = index_rules(rules)
        skipped_rows: list[tuple[str, ...]] = [
            (markdown_cell(skip_label(skip, rules_by_id)), markdown_cell(skip.reason))
            for skip in report.skipped
        ]
        parts += ["### Skipped checks", _table(_SKIPPED_COLUMNS, skipped_rows, max_rows)]
    return "\n\n".join(parts) + "\n"


def _table(columns: tuple[str, ...], rows: Sequence[tuple[str, ...]], max_rows: int | None) -> str:
    shown = rows if max_rows is None else rows[:max_rows]
    lines = markdown_table(columns, shown)
    if len(shown) < len(rows):
        lines.append(f"\n… and {len(rows) - len(shown)} more; the full report has every row.")
    return "\n".join(lines)


def _severity(finding: Finding) -> str:
    """The finding's severity, ``warning (not checked)`` for a check that could not be made."""
    return finding.severity.value + (" (not checked)" if finding.not_checked is not None else "")


def _rule(finding: Finding) -> str:
    return f"{finding.rule} {markdown_cell(finding.name)}"


def _object(finding: Finding) -> str:
    resource = finding.resource
    label = resource.name if resource.name is not None else resource.id
    return markdown_cell(label or "")


def _value(value: object) -> str:
    return "" if value is None else markdown_code(format_value(value))


def _plural(noun: str) -> str:
    """``escalation policy`` -> ``escalation policies``; enough for PagerDuty's object names."""
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith("s") else "s")
