"""The memory of the evidence's paging section as the services grow, the escalation policies,
schedules and people they page staying the same: ``python bench/paging_memory.py SERVICES
[--days N]`` generates such an account, reads it from the simulator with the schedules rendered
over the period (as ``pdlint evidence`` reads it), and prints as JSON the CPU time of working
out the paging path of every documented service over the period, and what doing it again
allocates (``tracemalloc``): its peak, what the section keeps (its rows), and the difference,
the working memory.

The section keeps, per service and severity, its totals and at most ``STRETCHES_KEPT``
stretches; the paths that many services share (escalation policies, schedules, people) are
worked out once, and a service's own is kept only among the most recently used
(``paging.path.SERVICE_PATHS_KEPT``). So the working memory should grow with what the services
page (escalation policies and urgencies reached), not with the services, and what is kept by a
bounded amount per service.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pdlint.coverage import Interval
from pdlint.evidence.paging import paging_section
from pdlint.pagerduty.fetch import fetch_state_sync
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.settings import ApiToken, ClientConfig
from pdlint.pagerduty.state import Window
from pdlint.policy import load_policy
from pdlint.sim import SimServer, generated_account

if __name__ == "__main__":  # run as a script: make the bench's modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.policy import write_policy

TOKEN = "bench-paging-token"
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("services", type=int)
    parser.add_argument("--escalation-policies", type=int, default=400)
    parser.add_argument("--schedules", type=int, default=200)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    arguments = parser.parse_args()
    account = generated_account(
        services=arguments.services, escalation_policies=arguments.escalation_policies,
        schedules=arguments.schedules, users=arguments.users, incidents=0, teams=10,
        audit_records=0, incident_workflows=0, now=NOW)
    period = Interval(NOW - timedelta(days=arguments.days), NOW)
    with SimServer(account, token=TOKEN) as server:
        config = ClientConfig(api_url=server.base_url, token=ApiToken(TOKEN),
                              requests_per_minute=60_000, key_share=None)
        state = fetch_state_sync(config, Window(period.start, period.end))
    live = parse_account(state)
    with tempfile.TemporaryDirectory() as folder:
        loaded = load_policy((str(write_policy(account, Path(folder), register=True)),))
    assert loaded.policy is not None, "the bench's policy loads"
    started = time.process_time()
    paging_section(loaded.policy, live, period, NOW, ())
    seconds = time.process_time() - started
    tracemalloc.start()
    rows = paging_section(loaded.policy, live, period, NOW, ())
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mib = 2 ** 20
    print(json.dumps({
        "services": arguments.services, "days": arguments.days, "rows": len(rows),
        "stretches kept": sum(len(row.uncalled) for row in rows),
        "maintenance windows": len(live.maintenance_windows),
        "peak MiB": round(peak / mib, 2), "kept MiB": round(kept / mib, 2),
        "working MiB": round((peak - kept) / mib, 2),
        "CPU s": round(seconds, 2)}))


if __name__ == "__main__":
    main()
