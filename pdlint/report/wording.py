"""The phrases every format shares, so that a finding reads the same in a log, a table and XML."""

from __future__ import annotations

import contextlib
import json
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pdlint.files import repository_root
from pdlint.findings import Finding, Report, Resource, Severity, Skipped, Waived
from pdlint.memo import once
from pdlint.report.rule_meta import RuleMeta

_COUNT_WORDS = (
    ("error", "error", "errors"),
    ("warning", "warning", "warnings"),
    ("not_checked", "not checked", "not checked"),
    ("info", "info", "info"),
    ("waived", "waived", "waived"),
)


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` with control characters and bidirectional overrides written as escapes.

    Names and values come from policy files and from the PagerDuty account, which anyone with
    edit rights shapes: a newline would forge an extra report line, an escape sequence would
    drive the reader's terminal, a bidi override would show one name and mean another.
    """
    if text.isprintable():
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS else char
        for char in text)


def printable_report(report: Report) -> Report:
    """The report with every message, value and reason passed through ``printable`` (resource
    names are shown by ``repr``, which escapes them already). A finding with nothing to escape,
    nearly every one, is kept, not copied (a year's drift report has thousands)."""
    def value(item: Any) -> Any:
        return printable(item) if isinstance(item, str) else item

    def printable_finding(finding: Finding) -> Finding:
        message, expected, actual = (printable(finding.message), value(finding.expected),
                                     value(finding.actual))
        if (message is finding.message and expected is finding.expected
                and actual is finding.actual):
            return finding
        return replace(finding, message=message, expected=expected, actual=actual)

    findings = tuple(map(printable_finding, report.findings))
    skipped = tuple(replace(skip, reason=printable(skip.reason)) for skip in report.skipped)
    return replace(report, findings=findings, skipped=skipped)


def plain(value: str) -> str:
    """The plain text of a str-valued enum member (``Mode.LINT`` reads ``lint``)."""
    return str(getattr(value, "value", value))


def index_rules(rules: Sequence[RuleMeta]) -> dict[str, RuleMeta]:
    return {rule.id: rule for rule in rules}


def rule_label(rule_id: str, name: str | None) -> str:
    """``EP103 escalation-delay``, or the bare id when the name is unknown."""
    return f"{rule_id} {name}" if name else rule_id


def rule_anchor(rule_id: str) -> str:
    """The fragment of a rule's entry in docs/rules.md: its id in lower case, the form GitHub
    gives the anchors it makes; an id outlives a rule's name, so links keep working."""
    return rule_id.lower()


def skip_label(skip: Skipped, rules_by_id: dict[str, RuleMeta]) -> str:
    """``PRI500 priorities`` for a check that could not run; for a collection not read, its name
    and the rules of the run it leaves unchecked: ``users (not checked: EP104, USR400)``."""
    known = rules_by_id.get(skip.rule)
    if known:
        return rule_label(skip.rule, known.name)
    unchecked = sorted(rule.id for rule in rules_by_id.values() if skip.rule in rule.reads)
    return f"{skip.rule} (not checked: {', '.join(unchecked)})" if unchecked else skip.rule


def unchecked_rules(report: Report, rules: Sequence[RuleMeta]) -> dict[str, list[Skipped]]:
    """Why each rule of ``rules`` the run could not check in full was not, by rule id: its own
    skip, and the skip of each collection it reads. Such a rule is skipped, never passed,
    whatever findings it made on what was read."""
    unchecked: dict[str, list[Skipped]] = {}
    for skip in report.skipped:
        for rule in rules:
            if skip.rule == rule.id:
                unchecked.setdefault(rule.id, []).append(skip)
            elif skip.rule in rule.reads:
                unchecked.setdefault(rule.id, []).append(Skipped(
                    rule.id, f"{skip.rule} could not be read ({skip.reason})", skip.severity))
    return unchecked


def resource_label(resource: Resource) -> str:
    """``escalation policy 'Production - Platform' (PABC123)``: the id too when both are known."""
    label = str(resource)
    return f"{label} ({resource.id})" if resource.name is not None and resource.id else label


def format_value(value: Any) -> str:
    """A documented or live value as a person reads it: strings bare, the rest as JSON, made
    once a value inside ``memo.once_per_run`` (the evidence package writes each finding's values
    in four formats, and a year's paging-path findings carry long lists of stretches)."""
    if isinstance(value, str) and value:
        return value
    return once("format_value", (value,), lambda: _value_json(value))


def _value_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def not_checked_phrase(findings: Sequence[Finding]) -> str:
    """``not checked: <what was not read>; ...``, each reason of ``findings`` once."""
    reasons = dict.fromkeys(finding.not_checked for finding in findings
                            if finding.not_checked is not None)
    return "not checked: " + "; ".join(reasons)


def expected_and_actual(finding: Finding) -> str:
    """``expected 20m, actual 30m``; empty when the finding carries neither value."""
    parts = []
    if finding.expected is not None:
        parts.append(f"expected {format_value(finding.expected)}")
    if finding.actual is not None:
        parts.append(f"actual {format_value(finding.actual)}")
    return ", ".join(parts)


def finding_sentence(finding: Finding) -> str:
    """The object, the message and both values, for formats that show one line per finding."""
    sentence = f"{resource_label(finding.resource)}: {finding.message}"
    values = expected_and_actual(finding)
    return f"{sentence} ({values})" if values else sentence


def waiver_phrase(waived: Waived) -> str:
    phrase = f"waived until {waived.expires.isoformat()} by {waived.owner}: {waived.reason}"
    return f"{phrase} (waiver at {waived.location})" if waived.location else phrase


def source_root() -> Path:
    """The folder CI outputs name policy files from: the repository's root (code scanning and
    workflow annotations resolve paths from the checkout), else the working directory."""
    cwd = Path.cwd()
    return repository_root(cwd) or cwd


def repo_path(path: str, root: Path | None = None) -> str:
    """A policy path as CI tools want it: forward slashes, relative to ``root`` (default
    ``source_root()``) wherever pdlint ran from; a path outside ``root`` stays absolute."""
    root = root or source_root()
    absolute = os.path.abspath(path.replace("\\", "/"))
    with contextlib.suppress(ValueError):
        return Path(absolute).relative_to(root).as_posix()
    return Path(absolute).as_posix()


def incomplete_phrase(report: Report) -> str:
    count = len(report.skipped)
    return f"incomplete: {count} check{'' if count == 1 else 's'} skipped"


def summary_line(report: Report, rules: Sequence[RuleMeta]) -> str:
    """``3 errors, 1 warning, 2 not checked, 1 waived``: the warnings that report a check not
    made counted apart (``Finding.not_checked``); says it is clean only when the run saw
    everything, and where a scoped run stopped (``outside the scope (team 'Platform'): 12
    services, ...``)."""
    counts = report.summary()
    counts["warning"] = sum(1 for finding in report.findings if finding.counts
                            and finding.not_checked is None
                            and finding.severity is Severity.WARNING)
    found = ", ".join(
        f"{counts[key]} {singular if counts[key] == 1 else plural}"
        for key, singular, plural in _COUNT_WORDS
        if counts[key]
    )
    if report.skipped:
        line = f"{found or 'nothing found by the checks that ran'}; {incomplete_phrase(report)}"
    elif found:
        line = found
    else:
        line = "no drift" if any(plain(rule.mode) == "drift" for rule in rules) else "no problems"
    return f"{line}; {report.boundary.outside_phrase()}" if report.boundary else line
