"""Running the catalogue: the offline lint of the policy files.

Lint never applies waivers: waivers accept live drift, and the POL rules about waiver entries
themselves (an unknown rule id) must still fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pdlint.findings import Finding, Report
from pdlint.policy import load_policy
from pdlint.rules.registry import rules_for
from pdlint.rules.rule import Mode


def lint_paths(paths: Sequence[str | Path]) -> Report:
    """Load the policy under ``paths`` and run every lint rule on it.

    Reading problems (POL001–POL004) are reported; when they leave no usable policy, the other
    rules do not run. Raises ``PolicyError`` (exit 2) only for a path that cannot be read.
    """
    loaded = load_policy(paths)
    findings: list[Finding] = list(loaded.findings)
    if loaded.policy is not None:
        for lint_rule in rules_for(Mode.LINT):
            if lint_rule.check is not None:
                findings.extend(lint_rule.check(loaded.policy))
    return Report.of(findings)
