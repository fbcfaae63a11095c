"""Running the catalogue: the offline lint of the policy files, and the drift check of a policy
against a live state.

Every finding leaves here with a policy location (``located``). Lint never applies waivers:
waivers accept live drift, and the POL rules about waiver entries themselves (an unknown rule id)
must still fail. Drift applies the unexpired waivers; WAV900 reports the expired ones, and the
engine, which holds every rule's findings, the unused ones (WAV901).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pdlint.findings import Finding, Report, Severity, counted
from pdlint.policy import PolicyLoad, load_policy
from pdlint.policy.model import Policy, PolicyError, Waiver
from pdlint.rule import Context, Mode, Rule
from pdlint.rules.registry import RULES_BY_ID, rules_for
from pdlint.rules.scope import bounded
from pdlint.rules.waivers import WAIVER_UNUSED

if TYPE_CHECKING:
    from pdlint.pagerduty.model import Account


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
        context = Context(loaded.policy, None, today or date.today(), RULES_BY_ID)
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


def drift(policy: Policy, account: Account, today: date,
          rules: Collection[Rule] | None = None) -> Report:
    """Every drift rule in ``rules`` (default: all) over ``account`` within the policy's scope
    (``scope.bounded``), with the policy's unexpired waivers applied and the collections that
    could not be read reported as skipped; WAV901 (when chosen) reports the waivers that accept
    none of their rule's findings.

    Each rule runs once, whether the run chose it or only a waiver names it. Deterministic: the
    same policy, account and day give the same report, in the same order.
    """
    chosen = rules_for(Mode.DRIFT) if rules is None else rules
    waivers = [waiver for waiver in policy.waivers if not waiver.expired(today)]
    checked, boundary = bounded(policy, account)
    context = Context(policy, checked, today, RULES_BY_ID)
    found: dict[str, tuple[Finding, ...]] = {}

    def findings_of(asked: Rule) -> tuple[Finding, ...]:
        if asked.id not in found:
            found[asked.id] = tuple(located(policy, asked.check(context)))
        return found[asked.id]

    findings: list[Finding] = []
    for drift_rule in chosen:
        if drift_rule.mode is not Mode.DRIFT:
            continue
        produced = (findings_of(drift_rule) if drift_rule is not WAIVER_UNUSED
                    else located(policy, unused_waivers(waivers, checked, findings_of)))
        for finding in produced:
            waiver = next((waiver for waiver in waivers if waiver.matches(finding)), None)
            findings.append(finding.with_waiver(waiver.as_waived()) if waiver else finding)
    return Report.of(findings, account.skipped, boundary)


def unused_waivers(waivers: Iterable[Waiver], account: Account,
                   findings_of: Callable[[Rule], Sequence[Finding]]) -> Iterator[Finding]:
    """WAV901: each of the unexpired ``waivers`` of a drift rule that matches none of that rule's
    findings (``findings_of``, whether or not the run chose the rule). Nothing after a partial
    read of the account: a finding may be absent only because its objects could not be read."""
    if account.skipped:
        return
    for waiver in waivers:
        waived = RULES_BY_ID.get(waiver.rule.value)
        if waived is None or waived.mode is not Mode.DRIFT or waived is WAIVER_UNUSED:
            continue
        if not any(waiver.matches(finding) for finding in findings_of(waived)):
            yield WAIVER_UNUSED.finding(
                f"the waiver of {waiver.rule.value} matches no finding: the drift it accepts is "
                "gone, or the waiver names the wrong object", waiver.resource.value,
                expected=f"a {waiver.rule.value} finding", actual=None, location=waiver.location)
