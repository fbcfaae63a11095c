"""Turn a Report into what a person or a CI tool reads: one module per output format.

Reporters know findings and rule metadata, nothing else: the caller passes the rules of the run
as ``RuleMeta`` objects (``pdlint.rule.Rule`` is one). ``render`` imports only the module of
the format asked for, so the offline lint never pays for the others.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from pdlint.errors import PdlintError
from pdlint.findings import Report
from pdlint.report.rule_meta import RuleMeta

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github", "junit", "markdown")

# GitHub refuses a job summary over 1 MiB per step; past that we shorten the tables.
STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024
STEP_SUMMARY_ROWS_WHEN_SHORTENED = 50


class ReportError(PdlintError):
    """A report could not be produced or written where it was asked for."""


def render(
    report: Report,
    fmt: str,
    *,
    rules: Sequence[RuleMeta],
    title: str = "pdlint",
    color: bool = False,
    elapsed: float | None = None,
) -> str:
    """The report in format ``fmt``; ``rules`` are the rules the run checked, ``elapsed`` the
    seconds the run took, when measured (JUnit reports it).

    The ``github`` format also appends the Markdown summary to ``$GITHUB_STEP_SUMMARY`` when
    that variable is set, as a GitHub Actions step expects.
    """
    if fmt == "text":
        from pdlint.report.text import render_text

        return render_text(report, rules, color=color)
    if fmt == "json":
        from pdlint.report.json_report import render_json

        return render_json(report)
    if fmt == "sarif":
        from pdlint.report.sarif import render_sarif

        return render_sarif(report, rules)
    if fmt == "github":
        from pdlint.report.github import render_github

        write_step_summary(report, rules, title=title)
        return render_github(report, rules)
    if fmt == "junit":
        from pdlint.report.junit import render_junit

        return render_junit(report, rules, title=title, elapsed=elapsed)
    if fmt == "markdown":
        from pdlint.report.markdown import render_markdown

        return render_markdown(report, rules, title=title)
    raise ReportError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write_step_summary(report: Report, rules: Sequence[RuleMeta], *, title: str = "pdlint") -> None:
    """Append the Markdown summary to the file named by ``$GITHUB_STEP_SUMMARY``, if set.

    GitHub owns that file and other steps' summaries may already be in it, so it is appended to
    in one write rather than replaced. A summary too large for GitHub is shortened to the first
    rows of each table, with a count of the rest.
    """
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from pdlint.report.markdown import render_markdown

    summary = render_markdown(report, rules, title=title)
    if len(summary.encode("utf-8")) > STEP_SUMMARY_LIMIT_BYTES:
        summary = render_markdown(
            report, rules, title=title, max_rows=STEP_SUMMARY_ROWS_WHEN_SHORTENED
        )
    try:
        with open(path, "a", encoding="utf-8") as step_summary:
            step_summary.write(summary + "\n")
    except OSError as error:
        raise ReportError(
            f"cannot append the job summary to {path} ($GITHUB_STEP_SUMMARY): {error.strerror}"
        ) from error
