"""The JSON report: exactly ``Report.to_dict()``, the contract users' pipelines parse."""

from __future__ import annotations

from pdlint.findings import Report
from pdlint.report.indented_json import indented_json


def render_json(report: Report) -> str:
    """Keys sorted at every depth, so that live values (dicts as the API returned them) diff
    cleanly between runs; values a rule left as dates print as ISO strings."""
    return indented_json(report.to_dict(), sort_keys=True, default=str, line_end=True)
