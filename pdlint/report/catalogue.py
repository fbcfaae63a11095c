"""The rule catalogue as people read it: a table for ``pdlint rules``, a page for docs/rules.md.

Both come from the rule declarations alone, in id order, so the documentation cannot drift from
the code: regenerate the page rather than edit it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pdlint.report import ReportError
from pdlint.report.rule_meta import RuleMeta
from pdlint.report.wording import plain, rule_anchor

CATALOGUE_FORMATS: tuple[str, ...] = ("text", "markdown")

_MODE_SECTIONS = (
    ("lint", "Offline checks (`pdlint lint`)",
     "These read the policy files only, and run as a pre-commit hook."),
    ("drift", "Live checks (`pdlint drift`)",
     "These compare the policy with the PagerDuty account, read over the REST API."),
)


def render_catalogue(rules: Sequence[RuleMeta], fmt: str = "text") -> str:
    ordered = sorted(rules, key=lambda rule: rule.id)
    if fmt == "text":
        return _text_table(ordered)
    if fmt == "markdown":
        return _markdown_page(ordered)
    raise ReportError(
        f"unknown catalogue format {fmt!r}; choose one of {', '.join(CATALOGUE_FORMATS)}"
    )


def _text_table(rules: list[RuleMeta]) -> str:
    rows = [("ID", "NAME", "SEVERITY", "MODE", "SOC 2", "TITLE")]
    rows += [(rule.id, rule.name, rule.severity.value, plain(rule.mode), rule.criterion,
              rule.title) for rule in rules]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  " + row[-1] + "\n"
        for row in rows
    )


def _markdown_page(rules: list[RuleMeta]) -> str:
    lines = [
        "# Rules",
        "",
        "Every check pdlint makes, with its severity, when it runs and the SOC 2 criterion it "
        "supports. This page is generated from the rule declarations in `pdlint/rules/`; "
        "regenerate it rather than edit it.",
        "",
        "| Rule | Severity | Mode | SOC 2 | Title |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| [{rule.id} {rule.name}](#{rule_anchor(rule.id)}) | {rule.severity.value} | "
        f"{plain(rule.mode)} | {rule.criterion} | {_escape_cell(rule.title)} |"
        for rule in rules
    ]
    for mode, heading, introduction in _MODE_SECTIONS:
        members = [rule for rule in rules if plain(rule.mode) == mode]
        if not members:
            continue
        lines += ["", f"## {heading}", "", introduction]
        for rule in members:
            lines += [
                "",
                f'<a id="{rule_anchor(rule.id)}"></a>',
                "",
                f"### {rule.id} {rule.name}",
                "",
                f"**{rule.title}**",
                "",
                f"- Severity: {rule.severity.value}",
                f"- Mode: {mode}",
                f"- SOC 2 criterion: {rule.criterion or 'none'}",
            ]
            if rule.reads:
                lines.append(f"- Reads: {', '.join(f'`{name}`' for name in rule.reads)} "
                             "(skipped, never passed, while one is not read)")
            if rule.rationale:
                lines += ["", rule.rationale]
    return "\n".join(lines) + "\n"


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|")
