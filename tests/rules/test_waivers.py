"""WAV rules, and waivers applied by the drift engine, on a service that must have an
integration. Today is 2026-03-02; the waiver starts at line 5 of case.yaml."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from unittest.mock import patch

import pytest
from rule_cases import (
    TODAY,
    context_of,
    escalation_policy,
    escalation_rule,
    live_state,
    ref,
    service,
    summary,
)

from pdlint.findings import Finding
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState
from pdlint.policy.model import Policy
from pdlint.rule import Context, Mode, Rule
from pdlint.rules.engine import drift
from pdlint.rules.registry import rules_by_id, rules_for
from pdlint.rules.services import check_no_integration
from pdlint.rules.waivers import WAIVER_UNUSED, check_waiver_expired

WAIVED = """\
services:
  - name: Web
    requires_integration: true
waivers:
  - rule: {rule}
    resource:
      type: service
      {key}: {name}
    reason: Alerts arrive by email until the monitoring migration.
    owner: lead@example.com
    expires: {expires}
"""

UNINTEGRATED = live_state(services=[service("PS00001", "Web", integrations=[]),
                                    service("PS00002", "Legacy", integrations=[])])
INTEGRATED = live_state(services=[service("PS00001", "Web")])


def waived(rule: str = "SVC306", name: str = "Web", expires: str = "2026-12-31",
           key: str = "name") -> str:
    return WAIVED.format(rule=rule, name=name, expires=expires, key=key)


def run(check: Rule, policy: Policy, state: LiveState) -> list[tuple[Any, ...]]:
    return [summary(finding) for finding in check.check(context_of(policy, state))]


@pytest.mark.parametrize(("expires", "expected"), [
    pytest.param("2026-03-02", [], id="last-day-still-applies"),
    pytest.param("2026-03-01",
                 [("WAV900", "Web", "on or after 2026-03-02", "2026-03-01", 5)], id="expired"),
])
def test_waiver_expired(make_policy: Callable[..., Policy], expires: str,
                        expected: list[tuple[Any, ...]]) -> None:
    assert run(check_waiver_expired, make_policy(waived(expires=expires)), INTEGRATED) == expected


def test_expired_message(make_policy: Callable[..., Policy]) -> None:
    [finding] = check_waiver_expired.check(
        context_of(make_policy(waived(expires="2025-12-31")), INTEGRATED))
    assert finding.message == ("the waiver of SVC306 expired on 2025-12-31 (owner "
                               "lead@example.com)")


UNUSED = [("WAV901", "Web", "a SVC306 finding", None, 5)]


@pytest.mark.parametrize(("fragment", "state", "expected"), [
    pytest.param(waived(), UNINTEGRATED, [], id="used"),
    pytest.param(waived(), INTEGRATED, UNUSED, id="drift-fixed"),
    pytest.param(waived(name="Webb"), UNINTEGRATED,
                 [("WAV901", "Webb", "a SVC306 finding", None, 5)], id="wrong-object"),
    pytest.param(waived(rule="SVC305"), UNINTEGRATED,
                 [("WAV901", "Web", "a SVC305 finding", None, 5)], id="wrong-rule"),
    pytest.param(waived(key="id", name="PS00001"), UNINTEGRATED, [], id="used-by-id"),
    pytest.param(waived(rule="SVC300", name="Legacy"), UNINTEGRATED, [],
                 id="accepts-an-undocumented-service"),
    pytest.param(waived(expires="2026-01-01"), INTEGRATED, [], id="expired-is-wav900-only"),
    pytest.param(waived(rule="SVC399"), INTEGRATED, [], id="unknown-rule-is-pol022-only"),
    pytest.param(waived(), live_state(services=[service("PS00001", "Web")],
                                      skipped=["priorities"]), [],
                 id="partial-read-proves-nothing-unused"),
])
def test_waiver_unused(make_policy: Callable[..., Policy], fragment: str, state: LiveState,
                       expected: list[tuple[Any, ...]]) -> None:
    assert unused(make_policy(fragment), state) == expected


def unused(policy: Policy, state: LiveState) -> list[tuple[Any, ...]]:
    """What WAV901 finds when the engine runs it alone: the waived rules run all the same."""
    report = drift(policy, parse_account(state), TODAY, rules=[WAIVER_UNUSED])
    return [summary(finding) for finding in report.findings]


def test_unused_message(make_policy: Callable[..., Policy]) -> None:
    [finding] = drift(make_policy(waived()), parse_account(INTEGRATED), TODAY,
                      rules=[WAIVER_UNUSED]).findings
    assert finding.message == ("the waiver of SVC306 matches no finding: the drift it accepts "
                               "is gone, or the waiver names the wrong object")


@pytest.mark.parametrize("selected", [
    pytest.param((WAIVER_UNUSED,), id="only-wav901"),
    pytest.param(tuple(rule for rule in rules_for(Mode.DRIFT) if rule.id != "SVC306"),
                 id="waived-rule-skipped"),
    pytest.param(None, id="all"),
])
def test_rule_selection_never_makes_a_waiver_unused(
        make_policy: Callable[..., Policy], selected: tuple[Rule, ...] | None) -> None:
    report = drift(make_policy(waived()), parse_account(UNINTEGRATED), TODAY, rules=selected)
    assert [finding.rule for finding in report.findings if finding.rule == "WAV901"] == []


def test_the_engine_waives_the_matching_finding_only(make_policy: Callable[..., Policy]) -> None:
    report = drift(make_policy(waived()), parse_account(UNINTEGRATED), TODAY,
                   rules=[check_no_integration, WAIVER_UNUSED])
    assert [(finding.rule, finding.resource.name, finding.waived is not None)
            for finding in report.findings] == [("SVC306", "Web", True)]
    assert report.findings[0].waived.reason == (  # type: ignore[union-attr]
        "Alerts arrive by email until the monitoring migration.")


def test_a_rule_runs_once_however_many_waivers_ask_for_its_findings(
        make_policy: Callable[..., Policy]) -> None:
    """The engine runs a rule once, for the report and for every waiver of it WAV901 checks."""
    calls: list[str] = []

    def counted(context: Context) -> Iterator[Finding]:
        calls.append("run")
        return iter(())

    rule = replace(check_no_integration, check=counted)
    twice = waived() + waived(name="Legacy").split("waivers:\n")[1]
    with patch.dict(rules_by_id(), {rule.id: rule}):
        report = drift(make_policy(twice), parse_account(UNINTEGRATED), TODAY,
                       rules=[rule, WAIVER_UNUSED])
    assert [finding.resource.name for finding in report.findings] == ["Web", "Legacy"]
    assert calls == ["run"]


def test_the_catalogue_declares_wav901_without_a_check_of_its_own(
        make_policy: Callable[..., Policy]) -> None:
    """WAV901 is the engine's: the rule alone, outside a run, finds nothing."""
    assert list(WAIVER_UNUSED.check(context_of(make_policy(waived()), INTEGRATED))) == []
    assert rules_by_id()["WAV901"] is WAIVER_UNUSED


EP_WAIVED = """\
escalation_policies:
  - name: Main
    levels:
      - targets: [{user: lead@example.com}]
      - engaged_after: 10m
        targets: [{user: cto@example.com}]
waivers:
  - rule: RULE
    resource:
      type: escalation_policy
      name: Main
    reason: The rota is being staffed.
    owner: lead@example.com
    expires: 2026-12-31
"""


def returned_without(live: dict[str, Any], key: str) -> dict[str, Any]:
    """``live`` as PagerDuty answered it without ``key``, a field it always returns."""
    return {field: value for field, value in live.items() if field != key}


@pytest.mark.parametrize(("fragment", "state", "message"), [
    pytest.param(waived("SVC302"), live_state(services=[
        returned_without(service("PS00001", "Web"), "escalation_policy")]),
        "the waiver of SVC302 could not be checked: PagerDuty returned service 'Web' without "
        "its escalation policy, so whether its drift is gone is not known",
        id="service-escalation-policy"),
    pytest.param(waived("SVC301").replace(
        "    requires_integration: true\n",
        "    requires_integration: true\n    escalation_policy: Main\n",
    ) + EP_WAIVED.split("waivers:")[0], live_state(services=[
        returned_without(service("PS00001", "Web"), "escalation_policy")]),
        None, id="svc301-s-own-not-checked-warning-is-what-it-waives"),
    pytest.param(EP_WAIVED.replace("RULE", "EP105"), live_state(escalation_policies=[
        returned_without(escalation_policy("PEMAIN0", "Main", []), "escalation_rules")]),
        "the waiver of EP105 could not be checked: PagerDuty returned escalation policy 'Main' "
        "without its escalation rules, so whether its drift is gone is not known",
        id="escalation-rules"),
    pytest.param(EP_WAIVED.replace("RULE", "EP105"), live_state(escalation_policies=[
        escalation_policy("PEMAIN0", "Main", [
            returned_without(escalation_rule(10, ref("user", "PU1", "Lead")), "targets"),
            escalation_rule(30, ref("user", "PU2", "CTO"), ref("user", "PU3", "VP"))])]),
        "the waiver of EP105 could not be checked: PagerDuty returned escalation policy 'Main' "
        "without the targets of level 1, so whether its drift is gone is not known",
        id="level-targets"),
    pytest.param(EP_WAIVED.replace("RULE", "EP103"), live_state(escalation_policies=[
        returned_without(escalation_policy("PEMAIN0", "Main", []), "escalation_rules")]),
        None, id="ep103-s-own-not-checked-warning-is-what-it-waives"),
    pytest.param(EP_WAIVED.replace("RULE", "EP106"), live_state(escalation_policies=[
        escalation_policy("PEMAIN0", "Main", [
            returned_without(escalation_rule(10, ref("user", "PU1", "Lead")), "targets"),
            escalation_rule(30, ref("user", "PU2", "CTO"), ref("user", "PU3", "VP"))])]),
        None, id="ep106-s-own-not-checked-warning-is-what-it-waives"),
    pytest.param(EP_WAIVED.replace("RULE", "EP103"), live_state(escalation_policies=[
        escalation_policy("PEMAIN0", "Main", [escalation_rule(10, ref("user", "PU1", "Lead")),
                                              escalation_rule(30, ref("user", "PU2", "CTO"))])]),
        "the waiver of EP103 matches no finding: the drift it accepts is gone, or the waiver "
        "names the wrong object", id="returned-whole-is-gone"),
    pytest.param(EP_WAIVED.replace("RULE", "EP102"), live_state(escalation_policies=[
        returned_without(escalation_policy("PEMAIN0", "Main", []), "escalation_rules")]),
        None, id="the-rule-s-own-not-checked-warning-is-what-it-waives"),
    pytest.param(waived(), live_state(services=[
        returned_without(service("PS00001", "Web"), "integrations")]),
        None, id="svc306-s-own-not-checked-warning-is-what-it-waives"),
])
def test_a_waiver_whose_object_was_not_returned_whole_is_unchecked_not_gone(
        make_policy: Callable[..., Policy], fragment: str, state: LiveState,
        message: str | None) -> None:
    """The waived rule found nothing because PagerDuty did not say: the drift may be there, and
    WAV901 is not checked in full; a waiver of the rule's own not-checked finding accepts it,
    so nothing is skipped."""
    report = drift(make_policy(fragment), parse_account(state), TODAY, rules=[WAIVER_UNUSED])
    assert [finding.message for finding in report.findings] == (
        [] if message is None else [message])
    unchecked = [finding for finding in report.findings if finding.not_checked is not None]
    assert len(unchecked) == (message is not None and "could not be checked" in message)
    assert [skip.rule for skip in report.skipped] == ["WAV901"] * len(unchecked)
