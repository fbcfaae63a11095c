"""The terminal report: compiler-style lines for the policy files, drift grouped by object.

A lint finding reads ``policy/services.yaml:12:5: POL003 message`` so editors and terminals can
jump to it. A drift finding is about a live object, so findings are grouped under the object with
the expected (documented) and actual (live) values. Skipped checks come first: a reader must see
that the run was partial before reading that little was found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from pdlint.findings import Finding, Report, Resource, Severity
from pdlint.report.rule_meta import RuleMeta
from pdlint.report.wording import (
    format_value,
    incomplete_phrase,
    index_rules,
    plain,
    printable_report,
    resource_label,
    rule_label,
    skip_label,
    summary_line,
    waiver_phrase,
)

_LABEL_WIDTH = len("warning")
_DETAIL_INDENT = " " * (2 + _LABEL_WIDTH + 1)

# Keyword arguments of click.style, which writes the terminal's escape codes.
Style = Mapping[str, Any]
_BOLD: Style = {"bold": True}
_DIM: Style = {"dim": True}
_SEVERITY_STYLE: dict[Severity, Style] = {
    Severity.ERROR: {"fg": "red", "bold": True},
    Severity.WARNING: {"fg": "yellow"},
    Severity.INFO: {"fg": "cyan"},
}
_CLEAN_STYLE: Style = {"fg": "green"}

_Paint = Callable[[str, Style], str]


def render_text(report: Report, rules: Sequence[RuleMeta], *, color: bool = False) -> str:
    report = printable_report(report)
    rules_by_id = index_rules(rules)

    def paint(text: str, style: Style) -> str:
        return click.style(text, **style) if color else text

    def is_compiler_style(finding: Finding) -> bool:
        known = rules_by_id.get(finding.rule)
        return finding.location is not None and not (known and plain(known.mode) == "drift")

    blocks: list[str] = []
    if report.skipped:
        lines = [paint(incomplete_phrase(report), _SEVERITY_STYLE[Severity.WARNING])]
        lines += [f"  {skip_label(skip, rules_by_id)}: {skip.reason}" for skip in report.skipped]
        blocks.append("\n".join(lines))

    compiler_lines = [
        _compiler_line(finding, paint) for finding in report.findings if is_compiler_style(finding)
    ]
    if compiler_lines:
        blocks.append("\n".join(compiler_lines))

    by_resource: dict[Resource, list[Finding]] = {}
    for finding in report.findings:
        if not is_compiler_style(finding):
            by_resource.setdefault(finding.resource, []).append(finding)
    for resource in sorted(by_resource, key=lambda r: (r.type, r.name or "", r.id or "")):
        lines = [paint(resource_label(resource), _BOLD)]
        for finding in by_resource[resource]:
            lines += _grouped_lines(finding, paint)
        blocks.append("\n".join(lines))

    blocks.append(paint(summary_line(report, rules), _summary_style(report)))
    return "\n\n".join(blocks) + "\n"


def _compiler_line(finding: Finding, paint: _Paint) -> str:
    line = f"{finding.location}: {paint(finding.rule, _style_of(finding))} {finding.message}"
    return f"{line} [{waiver_phrase(finding.waived)}]" if finding.waived else line


def _grouped_lines(finding: Finding, paint: _Paint) -> list[str]:
    label = ("waived" if finding.waived else finding.severity.value).ljust(_LABEL_WIDTH)
    lines = [
        f"  {paint(label, _style_of(finding))} "
        f"{rule_label(finding.rule, finding.name)}: {finding.message}"
    ]
    expected = format_value(finding.expected) if finding.expected is not None else None
    where = f" ({finding.location})" if finding.location else ""
    if expected is not None:
        lines.append(f"{_DETAIL_INDENT}expected: {expected}{where}")
    elif finding.location:
        lines.append(f"{_DETAIL_INDENT}documented at {finding.location}")
    if finding.actual is not None:
        lines.append(f"{_DETAIL_INDENT}actual: {format_value(finding.actual)}")
    if finding.waived:
        lines.append(f"{_DETAIL_INDENT}{waiver_phrase(finding.waived)}")
    return lines


def _style_of(finding: Finding) -> Style:
    return _DIM if finding.waived else _SEVERITY_STYLE[finding.severity]


def _summary_style(report: Report) -> Style:
    counts = report.summary()
    if counts["error"]:
        return _SEVERITY_STYLE[Severity.ERROR]
    if counts["warning"] or report.skipped:
        return _SEVERITY_STYLE[Severity.WARNING]
    return _CLEAN_STYLE
