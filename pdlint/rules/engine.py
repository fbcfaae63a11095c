"""The drift check of a policy against a live state: every chosen drift rule once, with one
``Context``, within the policy's scope.

Every finding leaves here with a policy location (``lint.located``). Drift applies the unexpired
waivers; WAV900 reports the expired ones, and the engine, which holds every rule's findings, the
unused ones (WAV901).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from pdlint.findings import Finding, Report, not_checked_skips
from pdlint.memo import once_per_run
from pdlint.policy.model import Policy, Waiver
from pdlint.rule import Context, Mode, Rule
from pdlint.rules.lint import located
from pdlint.rules.registry import rule_modes, rules_by_id, rules_for
from pdlint.rules.scope import bounded
from pdlint.rules.waivers import WAIVER_UNUSED

if TYPE_CHECKING:
    from pdlint.pagerduty.model import Account


def drift(policy: Policy, account: Account, today: date,
          rules: Collection[Rule] | None = None) -> Report:
    """Every drift rule in ``rules`` (default: all) over ``account`` within the policy's scope
    (``scope.bounded``), with the policy's unexpired waivers applied and the collections that
    could not be read reported as skipped, as is each rule with findings of checks it could not
    make that no waiver accepts (``not_checked_skips``); WAV901 (when chosen) reports the
    waivers that accept none of their rule's findings.

    Each rule runs once, whether the run chose it or only a waiver names it. Deterministic: the
    same policy, account and day give the same report, in the same order.
    """
    chosen = rules_for(Mode.DRIFT) if rules is None else rules
    waivers = [waiver for waiver in policy.waivers if not waiver.expired(today)]
    checked, boundary = bounded(policy, account)
    context = Context(policy, checked, today, rule_modes())
    found: dict[str, tuple[Finding, ...]] = {}

    def findings_of(asked: Rule) -> tuple[Finding, ...]:
        if asked.id not in found:
            found[asked.id] = tuple(located(policy, asked.check(context)))
        return found[asked.id]

    findings: list[Finding] = []
    with once_per_run():  # what the rules share, worked out once (the pairings, the paths)
        for drift_rule in chosen:
            if drift_rule.mode is not Mode.DRIFT:
                continue
            produced = (findings_of(drift_rule) if drift_rule is not WAIVER_UNUSED
                        else located(policy, unused_waivers(waivers, checked, findings_of)))
            for finding in produced:
                waiver = next((waiver for waiver in waivers if waiver.matches(finding)), None)
                findings.append(finding.with_waiver(waiver.as_waived()) if waiver else finding)
    return Report.of(findings, (*account.skipped, *not_checked_skips(findings)), boundary)


def unused_waivers(waivers: Iterable[Waiver], account: Account,
                   findings_of: Callable[[Rule], Sequence[Finding]]) -> Iterator[Finding]:
    """WAV901: each of the unexpired ``waivers`` of a drift rule that matches none of that rule's
    findings (``findings_of``, whether or not the run chose the rule). Nothing after a partial
    read of the account: a finding may be absent only because its objects could not be read;
    and a waiver whose object PagerDuty returned without a part (``Account.not_returned``) is
    reported as not checked, never as gone."""
    if account.skipped:
        return
    for waiver in waivers:
        waived = rules_by_id().get(waiver.rule.value)
        if waived is None or waived.mode is not Mode.DRIFT or waived is WAIVER_UNUSED:
            continue
        if any(waiver.matches(finding) for finding in findings_of(waived)):
            continue
        resource = waiver.resource.value
        unread = account.not_returned(resource)
        if unread:
            yield WAIVER_UNUSED.not_checked(
                f"the waiver of {waiver.rule.value} could not be checked: PagerDuty returned "
                f"{resource} without {', '.join(unread)}, so whether its drift is gone is not "
                "known", resource, why=f"PagerDuty returned {resource} without "
                f"{', '.join(unread)}", expected=f"a {waiver.rule.value} finding", actual=None,
                location=waiver.location)
            continue
        yield WAIVER_UNUSED.finding(
            f"the waiver of {waiver.rule.value} matches no finding: the drift it accepts is "
            "gone, or the waiver names the wrong object", resource,
            expected=f"a {waiver.rule.value} finding", actual=None, location=waiver.location)
