"""The JSON report: exactly ``Report.to_dict()``, the contract users' pipelines parse."""

from __future__ import annotations

import json

from pdlint.findings import Report


def render_json(report: Report) -> str:
    """Keys sorted at every depth, so that live values (dicts as the API returned them) diff
    cleanly between runs; values a rule left as dates print as ISO strings."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False,
                      default=str) + "\n"
