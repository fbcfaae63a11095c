"""Every drift rule declares the collections of the account it reads (``@rule(..., reads=)``),
since a reporter shows a rule skipped, never passed, only while a collection it declares is not
read: a collection it does not declare, made unread, must not change its findings. Held on the
demo account drifted so that most rules have findings, and on a generated account, against the
example policy without its scope (so that the teams can be left unread too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from rule_cases import TODAY, drifted, example_without_scope

from pdlint.findings import Skipped
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import COLLECTIONS, LiveState
from pdlint.policy import load_policy
from pdlint.policy.model import Policy
from pdlint.rule import Mode, Rule
from pdlint.rules.engine import drift
from pdlint.rules.registry import rules_for

DRIFT_RULES = rules_for(Mode.DRIFT)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    loaded = load_policy([example_without_scope(tmp_path_factory.mktemp("reads") / "policy")])
    assert loaded.policy is not None
    return loaded.policy


@pytest.fixture(scope="module")
def accounts(demo_state: LiveState, generated_state: LiveState) -> tuple[LiveState, LiveState]:
    return drifted(demo_state), generated_state


@pytest.fixture(params=["demo", "generated"])
def state(request: pytest.FixtureRequest, accounts: tuple[LiveState, LiveState]) -> LiveState:
    return accounts[0] if request.param == "demo" else accounts[1]


def unread(state: LiveState, collection: str) -> LiveState:
    """``state`` with ``collection`` not read, as fetch.py records a listing answering 403."""
    objects = {kind: items for kind, items in state.objects.items() if kind != collection}
    return replace(state, objects=objects, skipped=(Skipped(collection, "HTTP 403"),))


def findings_by_rule(policy: Policy, state: LiveState,
                     rules: Sequence[Rule]) -> dict[str, list[dict[str, Any]]]:
    report = drift(policy, parse_account(state), TODAY, rules)
    return {each.id: [finding.to_dict() for finding in report.findings if finding.rule == each.id]
            for each in rules}


def undeclared_reads(policy: Policy, state: LiveState, collection: str,
                     rules: Sequence[Rule]) -> list[str]:
    """The rules of ``rules`` whose findings change when ``collection``, which they do not
    declare, is not read."""
    complete = findings_by_rule(policy, state, rules)
    partial = findings_by_rule(policy, unread(state, collection), rules)
    return [each.id for each in rules
            if collection not in each.reads and partial[each.id] != complete[each.id]]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_a_collection_a_rule_does_not_declare_never_changes_its_findings(
        policy: Policy, state: LiveState, collection: str) -> None:
    assert undeclared_reads(policy, state, collection, DRIFT_RULES) == []


@pytest.mark.parametrize(("rule_id", "collection"), [
    ("USR400", "users"), ("PRI500", "priorities"), ("SCH200", "schedules_v3"),
    ("SVC307", "teams"), ("SVC313", "orchestration_routers"), ("RSP700", "workflow_triggers")])
def test_a_rule_that_hides_a_read_is_caught(policy: Policy,
                                            accounts: tuple[LiveState, LiveState],
                                            rule_id: str, collection: str) -> None:
    """The check above can fail: each of these rules, its ``reads`` emptied, is named."""
    [declared] = [each for each in DRIFT_RULES if each.id == rule_id]
    hidden = replace(declared, reads=())
    assert any(undeclared_reads(policy, each, collection, [hidden]) == [rule_id]
               for each in accounts)


def test_every_declared_read_is_a_collection_of_the_account(
        accounts: tuple[LiveState, LiveState]) -> None:
    """A name is a collection a state holds and the account is parsed from: not reading it
    changes the parsed account beyond its list of skips (so a misspelt name cannot pass)."""
    declared = {name for each in DRIFT_RULES for name in each.reads}
    assert declared <= set(COLLECTIONS)
    for name in sorted(declared):
        assert any(replace(parse_account(unread(each, name)), skipped=())
                   != replace(parse_account(each), skipped=())
                   for each in accounts), name
    assert {each.id for each in DRIFT_RULES if not each.reads} == {"PRG802", "WAV900"}

