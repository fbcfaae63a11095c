"""The documented state: policy files -> positioned YAML -> schema check -> typed ``Policy``.

``load_policy`` is the one entry point: every other room reads the policy through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pdlint.collector import collector_paused
from pdlint.errors import reading
from pdlint.findings import Finding, Severity
from pdlint.policy.build import build_policy
from pdlint.policy.load import load_files
from pdlint.policy.model import Policy, PolicyError
from pdlint.policy.schema import validate_file

__all__ = ["Policy", "PolicyError", "PolicyLoad", "load_policy"]


@dataclass(frozen=True)
class PolicyLoad:
    """The policy, and what stopped or troubled reading it (POL001–POL004 findings).

    ``policy`` is None when the files cannot be understood as a policy: a file that is not YAML,
    a duplicate key, a schema error, or a required section missing from every file.
    """

    policy: Policy | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.severity is Severity.ERROR)


def load_policy(paths: Sequence[str | Path]) -> PolicyLoad:
    """Read the policy files (and folders of them) named by ``paths``.

    Never raises for what the files say — that becomes findings. Raises ``PolicyError`` (exit 2)
    only when a path does not exist or cannot be read.
    """
    with collector_paused():
        return _load_policy(paths)


def _load_policy(paths: Sequence[str | Path]) -> PolicyLoad:
    loaded = load_files(paths)
    findings = list(loaded.findings)
    for policy_file in loaded.files:
        with reading(policy_file.path):
            findings.extend(validate_file(policy_file))
    if findings:
        return PolicyLoad(None, tuple(findings))
    with reading(f"the policy in {', '.join(map(str, paths))}"):
        policy, build_findings = build_policy(loaded.files)
    return PolicyLoad(policy, tuple(findings + build_findings))
