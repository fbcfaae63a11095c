"""Adding a run to the history folder: its report, one new file a run, never rewritten, and
beside it the report's history record, what the readers read in its place."""

from __future__ import annotations

import json
from datetime import timezone
from pathlib import Path

from pdlint.errors import PdlintError
from pdlint.files import write_new
from pdlint.findings import Report
from pdlint.history.folder import RECORD_SUFFIX, NotARun, history_record, run_of
from pdlint.report.json_report import render_json

REPORT_SUFFIX = ".json"


def record_stem(report: Report) -> str:
    """The name of ``report``'s file without its suffix: the time the account was read, in UTC
    to the second (``20260105T061700Z``), so the names sort in the order of the runs."""
    if report.checked is None:
        raise PdlintError("only a drift report, which says what it checked, can be recorded")
    return report.checked.checked_at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def record_report(folder: Path, report: Report) -> Path:
    """Add ``report`` to ``folder`` as a new file (``-2``, ``-3``... after the time when another
    run took its name), with its history record, and return the report's path."""
    return add_run(folder, record_stem(report), render_json(report))


def add_run(folder: Path, stem: str, text: str) -> Path:
    """Add the JSON report ``text`` to ``folder`` as ``stem`` (``stem-2``... when taken) and its
    history record beside it, both written whole before either is named: the record is made
    from the report as the readers read it (``run_of``), so that it says what the report says."""
    try:
        run = run_of(stem + REPORT_SUFFIX, json.loads(text), {})
    except NotARun as error:
        raise PdlintError(f"the report cannot be recorded: {error}") from None
    return write_new(folder, stem, REPORT_SUFFIX, text,
                     beside=lambda size: {RECORD_SUFFIX: history_record(run, size)})
