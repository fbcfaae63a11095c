"""CPU time of loading a policy, as a command loads it: ``python bench/policy_time.py DIR``
prints a JSON object.

``load_policy`` reads the files (YAML composed by libyaml where PyYAML has it), checks them
against the schema and builds the typed policy; this process does nothing else, so that the
measure is that of the first load, as in every run.
"""

from __future__ import annotations

import gc
import json
import sys
import time

from pdlint.collector import GC_THRESHOLDS
from pdlint.policy import load_policy
from pdlint.policy.load import LOADER


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)  # as the command line sets them
    started = time.process_time()
    loaded = load_policy((sys.argv[1],))
    seconds = time.process_time() - started
    if loaded.policy is None:
        sys.exit(f"the policy in {sys.argv[1]} does not load")
    policy = loaded.policy
    json.dump({"cpu_seconds": seconds, "sizes": {
        "loader": LOADER, "services": len(policy.services),
        "escalation policies": len(policy.escalation_policies),
        "schedules": len(policy.schedules)}}, sys.stdout)


if __name__ == "__main__":
    main()
