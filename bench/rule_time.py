"""CPU time of the drift rules alone, on a saved account state: ``python bench/rule_time.py
--policy DIR --snapshot FILE [--rule ID]`` prints a JSON object (with ``--rule``, of that rule
alone, e.g. PATH600, the paging path).

Loading the policy and the snapshot (parsed into the typed account, as every run parses it once)
is timed apart from ``drift(policy, account, today)``, which is what the rules cost, with the
collector set as the command line sets it. The rules' figure is the first evaluation, as a run
evaluates once: what the rules build once for a policy and an account (the pairing of documented
and live objects, the account's indexes) is part of their cost. The best of the ``--repeats``
evaluations after it, those caches warm, is shown beside it.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time

from pdlint.collector import GC_THRESHOLDS
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.snapshot import load_snapshot
from pdlint.policy import load_policy
from pdlint.rules.engine import drift
from pdlint.rules.registry import rules_by_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True)
    parser.add_argument("--snapshot", required=True)
    parser.add_argument("--repeats", type=int, default=3,
                        help="evaluations after the first, caches warm")
    parser.add_argument("--rule", default=None, help="time this drift rule alone")
    arguments = parser.parse_args()
    gc.set_threshold(*GC_THRESHOLDS)  # as the command line sets them
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
    for _ in range(1 + arguments.repeats):
        started = time.process_time()
        report = drift(loaded.policy, account, today, rules=chosen)
        timings.append(time.process_time() - started)
    json.dump({"policy_load_cpu_seconds": policy_seconds,
               "snapshot_load_cpu_seconds": snapshot_seconds,
               "drift_cpu_seconds": timings[0],
               "warm_drift_cpu_seconds": min(timings[1:], default=None),
               "findings": len(report.findings), "skipped": len(report.skipped)}, sys.stdout)


if __name__ == "__main__":
    main()
