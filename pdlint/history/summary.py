"""`pdlint history DIR`: the drifts open now and their age, per account and policy, in a few
lines of text or Markdown for a weekly report or a chat message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pdlint.findings import counted, utc_second
from pdlint.history.folder import History, RecordedFinding, Run, Stream
from pdlint.history.timeline import DAY, Drift, drift_spans
from pdlint.report.tabular import markdown_cell, markdown_table
from pdlint.report.wording import printable, resource_label

OpenDrifts = dict[Stream, tuple[Drift, ...]]
"""The drifts open at the last run of each account and policy, longest open first."""


def open_drifts(history: History) -> OpenDrifts:
    """The drifts each stream's runs leave open, worked out once for the summary and the exit
    code."""
    return {stream: tuple(sorted((drift for drift in drift_spans(runs)
                                  if drift.resolved_at is None),
                                 key=lambda drift: (drift.first_seen, drift.finding.key)))
            for stream, runs in history.streams().items()}


def errors_open(opened: OpenDrifts) -> bool:
    """Whether an error nobody waived is open at the last run of some account and policy."""
    return any(drift.counts for drifts in opened.values() for drift in drifts)


def age(drift: Drift, runs: Sequence[Run]) -> str:
    """How long the drift has been open at the last run: ``12d``, ``3h`` under a day."""
    length = runs[-1].checked_at - drift.first_seen
    if length >= DAY:
        return f"{length // DAY}d"
    return f"{length // timedelta(hours=1)}h"


def render_history(history: History, opened: OpenDrifts, markdown: bool) -> str:
    """The summary of every stream of ``history`` (``opened``: its ``open_drifts``), and the
    files that were skipped."""
    streams = history.streams()
    folder = printable(str(history.folder))
    runs = (f"{counted(len(history.runs), 'run')} of "
            f"{counted(len(streams), 'account and policy', 'accounts and policies')}")
    lines = [f"# Drift history in {markdown_cell(folder)}\n\n{runs}." if markdown
             else f"Drift history in {folder}: {runs}."]
    for stream, stream_runs in streams.items():
        lines.extend(_stream_lines(stream, stream_runs, opened[stream], markdown))
    if history.unreadable:
        heading = (f"{counted(len(history.unreadable), 'file')} skipped, not drift reports "
                   "(counted in nothing above):")
        lines.append(f"\n**{heading}**\n" if markdown else f"\n{heading}")
        for skipped in history.unreadable:
            name, reason = printable(skipped.name), printable(skipped.reason)
            lines.append(f"- {markdown_cell(name)}: {markdown_cell(reason)}" if markdown
                         else f"  {name}: {reason}")
    return "\n".join(lines) + "\n"


def _stream_lines(stream: Stream, runs: Sequence[Run], drifts: Sequence[Drift],
                  markdown: bool) -> list[str]:
    last = runs[-1]
    errors = sum(1 for drift in drifts if drift.counts)
    title = printable(str(stream))
    heading = (f"{counted(len(drifts), 'drift')} open ({counted(errors, 'error')} not "
               f"waived) at the last of {counted(len(runs), 'run')}, "
               f"{utc_second(last.checked_at)}")
    incomplete = ("" if last.complete else
                  f"; that run skipped {counted(len(last.skipped), 'check')} "
                  f"({', '.join(printable(skip.rule) for skip in last.skipped)}): a drift it "
                  "could not see is open as last seen")
    unchecked = (f"{counted(len(last.not_checked), 'finding')} not checked at that run "
                 "(neither a drift nor its end)" if last.not_checked else "")
    if markdown:
        lines = [f"\n## {markdown_cell(title)}\n", f"{heading}{markdown_cell(incomplete)}.\n"]
        if drifts:
            lines.append("\n".join(markdown_table(
                ("open for", "since", "severity", "rule", "object", "finding"),
                [(age(drift, runs), utc_second(drift.first_seen), _severity(drift.finding),
                  drift.finding.rule,
                  markdown_cell(printable(resource_label(drift.finding.resource))),
                  markdown_cell(printable(drift.finding.message))) for drift in drifts])))
        if unchecked:
            lines.append(f"\n{unchecked}:\n")
            lines.append("\n".join(markdown_table(
                ("severity", "rule", "object", "finding"),
                [(_severity(finding), finding.rule,
                  markdown_cell(printable(resource_label(finding.resource))),
                  markdown_cell(printable(finding.message))) for finding in last.not_checked])))
        return lines
    lines = [f"\n{title}", f"{heading}{incomplete}."]
    lines.extend(_drift_line(drift, runs) for drift in drifts)
    if unchecked:
        lines.append(f"{unchecked}:")
        lines.extend(f"  {'':>5}  {_finding_text(finding)} (not checked"
                     + (", waived)" if finding.waived else ")") for finding in last.not_checked)
    return lines


def _severity(finding: RecordedFinding) -> str:
    return finding.severity.value + (" (waived)" if finding.waived else "")


def _finding_text(finding: RecordedFinding) -> str:
    return (f"{finding.severity.value:<7} {finding.rule:<7} "
            f"{printable(resource_label(finding.resource))}: {printable(finding.message)}")


def _drift_line(drift: Drift, runs: Sequence[Run]) -> str:
    finding = drift.finding
    return (f"  {age(drift, runs):>5}  {_finding_text(finding)} "
            f"(since {utc_second(drift.first_seen)}" + (", waived)" if finding.waived else ")"))
