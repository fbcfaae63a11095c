"""Adding a run's report to the history folder: one new file a run, never rewritten."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

from pdlint.errors import PdlintError
from pdlint.files import write_new
from pdlint.findings import Report
from pdlint.report.json_report import render_json

RECORD_SUFFIX = ".json"


def record_stem(report: Report) -> str:
    """The name of ``report``'s file without its suffix: the time the account was read, in UTC
    to the second (``20260105T061700Z``), so the names sort in the order of the runs."""
    if report.checked is None:
        raise PdlintError("only a drift report, which says what it checked, can be recorded")
    return report.checked.checked_at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def record_report(folder: Path, report: Report) -> Path:
    """Add ``report`` to ``folder`` as a new file (``-2``, ``-3``... after the time when another
    run took its name) and return the file's path."""
    return write_new(folder, record_stem(report), RECORD_SUFFIX, render_json(report))
