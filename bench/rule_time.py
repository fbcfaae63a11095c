"""CPU time of the drift rules alone, on a saved account state: ``python bench/rule_time.py
--policy DIR --snapshot FILE [--rule ID]`` prints a JSON object (with ``--rule``, of that rule
alone, e.g. PATH600, the paging path).

Loading the policy and the snapshot (parsed into the typed account, as every run parses it once)
is timed apart from ``drift(policy, account, today)``, which is what the rules cost; the best of
``--repeats`` evaluations is reported, as the first pays for cold caches.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.snapshot import load_snapshot
from pdlint.policy import load_policy
from pdlint.rules.engine import drift
from pdlint.rules.registry import rules_by_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True)
    parser.add_argument("--snapshot", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rule", default=None, help="time this drift rule alone")
    arguments = parser.parse_args()
    started = time.process_time()
    loaded = load_policy((arguments.policy,))
    policy_seconds = time.process_time() - started
    if loaded.policy is None:
        sys.exit(f"the policy in {arguments.policy} does not load")
    started = time.process_time()
    account = parse_account(load_snapshot(arguments.snapshot))
    snapshot_seconds = time.process_time() - started
    today = account.fetched_at.date()
    chosen = None if arguments.rule is None else [rules_by_id()[arguments.rule]]
    timings = []
    for _ in range(arguments.repeats):
        started = time.process_time()
        report = drift(loaded.policy, account, today, rules=chosen)
        timings.append(time.process_time() - started)
    json.dump({"policy_load_cpu_seconds": policy_seconds,
               "snapshot_load_cpu_seconds": snapshot_seconds,
               "first_drift_cpu_seconds": timings[0], "drift_cpu_seconds": min(timings),
               "findings": len(report.findings), "skipped": len(report.skipped)}, sys.stdout)


if __name__ == "__main__":
    main()
