"""The offline lint of the policy files: the lint rules over the policy alone, and the policy a
drift check may compare with the account (``checked_policy``, refused while lint finds an error).

Lint never applies waivers: waivers accept live drift, and the POL rules about waiver entries
themselves (an unknown rule id) must still fail. It loads the lint families only
(``registry.rules_for(Mode.LINT)``): the pre-commit hook never imports the live account's model.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from pdlint.findings import Finding, Report, Severity, counted
from pdlint.policy import PolicyLoad, load_policy
from pdlint.policy.model import Policy, PolicyError
from pdlint.rule import Context, Mode
from pdlint.rules.registry import rule_modes, rules_for


def lint_paths(paths: Sequence[str | Path]) -> Report:
    """Load the policy under ``paths`` and run every lint rule on it.

    Reading problems (POL001–POL004) are reported; when they leave no usable policy, the other
    rules do not run. Raises ``PolicyError`` (exit 2) only for a path that cannot be read.
    """
    return lint_loaded(load_policy(paths))


def lint_loaded(loaded: PolicyLoad, today: date | None = None) -> Report:
    """The lint report of a policy already loaded (its reading findings, then the rules)."""
    findings: list[Finding] = list(loaded.findings)
    if loaded.policy is not None:
        context = Context(loaded.policy, None, today or date.today(), rule_modes())
        for lint_rule in rules_for(Mode.LINT):
            findings.extend(located(loaded.policy, lint_rule.check(context)))
    return Report.of(findings)


def located(policy: Policy, findings: Iterable[Finding]) -> Iterator[Finding]:
    """The findings, each with a policy location: one that has no line of its own (a live
    object the policy does not document) points where that kind of object is documented
    (``Policy.home_of``), so every output can place it in a file."""
    for finding in findings:
        yield finding if finding.location else replace(
            finding, location=policy.home_of(finding.resource.type))


SHOWN_ERRORS = 10
"""How many of a policy's errors a refusal lists; `pdlint lint` lists them all."""


class PolicyHasErrors(PolicyError):
    """The policy does not pass lint, so comparing it with the account would check something
    nobody wrote (exit 2). The message lists the first errors, compiler style."""

    def __init__(self, paths: Sequence[str | Path], report: Report) -> None:
        errors = [finding for finding in report.findings if finding.severity is Severity.ERROR]
        shown = "".join(f"\n  {finding.location or '-'}: {finding.rule} {finding.message}"
                        for finding in errors[:SHOWN_ERRORS])
        more = (f"\n  and {len(errors) - SHOWN_ERRORS} more" if len(errors) > SHOWN_ERRORS
                else "")
        named = " ".join(str(path) for path in paths)
        super().__init__(f"the policy in {named} has {counted(len(errors), 'error')}; fix "
                         f"{'it' if len(errors) == 1 else 'them'} (`pdlint lint {named}`) before "
                         f"comparing it with the account:{shown}{more}")
        self.report = report


def checked_policy(paths: Sequence[str | Path]) -> Policy:
    """The policy under ``paths``, for comparing with the account; ``PolicyHasErrors`` when lint
    finds an error in it."""
    loaded = load_policy(paths)
    report = lint_loaded(loaded)
    if loaded.policy is None or report.fails(Severity.ERROR):
        raise PolicyHasErrors(paths, report)
    return loaded.policy
