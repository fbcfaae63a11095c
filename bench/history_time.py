"""The continuous-compliance section's own cost: read a history folder and compute its timeline
over a period (``pdlint evidence --history`` does this after reading the account), printed as
JSON for bench/run.py: ``python bench/history_time.py DIR SINCE UNTIL``."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from pdlint.coverage import Interval
from pdlint.evidence.history import history_entry, history_section
from pdlint.findings import Location
from pdlint.history.folder import read_history
from pdlint.policy.model import Sourced


def main() -> None:
    folder, since, until = Path(sys.argv[1]), *(datetime.fromisoformat(text.replace(
        "Z", "+00:00")) for text in sys.argv[2:4])
    started = time.process_time()
    history = read_history(folder)
    [stream] = history.streams()
    daily = Sourced(timedelta(days=1), Location("policy/organisation.yaml", 1), "1d")
    section, _ = history_section(history, stream, Interval(since, until), daily, None, None)
    entry = history_entry(section)
    print(json.dumps({"cpu_seconds": time.process_time() - started, "runs": len(entry["runs"]),
                      "drifts": None if entry["findings"] is None else len(entry["findings"]),
                      "gaps": len(entry["monitoring_gaps"] or ())}))


if __name__ == "__main__":
    main()
