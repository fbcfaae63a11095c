"""GitHub Actions workflow commands: each finding an annotation, on its policy line when known.

``::error file=PATH,line=N,col=C,title=TITLE::MESSAGE``; warnings and info use ``::warning`` and
``::notice``. Values are escaped as the Actions runner expects (``%``, CR and LF everywhere; ``:``
and ``,`` in properties too). Waived findings are accepted exceptions: they are listed as plain
log lines, not annotations, and a plain line is made one the runner cannot read as a command
(``log_line``): names, messages and waiver reasons come from policy files and the account, which
must not be able to write commands into CI. ``render`` in this package also writes the job
summary.
"""

from __future__ import annotations

from collections.abc import Sequence

from pdlint.findings import Finding, Report, Severity
from pdlint.report.rule_meta import RuleMeta
from pdlint.report.wording import (
    finding_sentence,
    index_rules,
    printable,
    repo_path,
    rule_label,
    skip_label,
    summary_line,
    waiver_phrase,
)

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(report: Report, rules: Sequence[RuleMeta]) -> str:
    rules_by_id = index_rules(rules)
    lines = [
        _command("warning", {"title": "pdlint skipped"},
                 f"{skip_label(skip, rules_by_id)} skipped: {skip.reason}")
        for skip in report.skipped
    ]
    for finding in report.findings:
        if finding.waived:
            lines.append(log_line(f"{rule_label(finding.rule, finding.name)} "
                                  f"{finding_sentence(finding)} [{waiver_phrase(finding.waived)}]"))
        else:
            lines.append(_annotation(finding))
    lines.append(log_line(f"pdlint: {summary_line(report, rules)}"))
    return "\n".join(lines) + "\n"


def log_line(text: str) -> str:
    """``text`` as one log line that the runner cannot take for a workflow command.

    The runner reads every line of a step's output, trimmed, as a command when it starts with
    ``::``, and as an old-style command wherever it holds ``##[``. Control characters (a line
    break above all) are written as escapes, ``##[`` is broken by a space, and a line that would
    start with ``::`` is prefixed.
    """
    line = printable(text).replace("##[", "## [")
    return f"pdlint: {line}" if line.strip().startswith("::") else line


def _annotation(finding: Finding) -> str:
    properties: dict[str, str] = {}
    if finding.location:
        properties["file"] = repo_path(finding.location.path)
        properties["line"] = str(finding.location.line)
        if finding.location.column:
            properties["col"] = str(finding.location.column)
    properties["title"] = rule_label(finding.rule, finding.name) + (
        " (not checked)" if finding.not_checked is not None else "")
    return _command(COMMANDS[finding.severity], properties, finding_sentence(finding))


def _command(name: str, properties: dict[str, str], message: str) -> str:
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name} {rendered}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape a command's message as the Actions runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: a bare ``:`` or ``,`` would end it early."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
