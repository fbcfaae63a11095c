"""Which drift rules a run checks: ids in any case, names standing for every family's rule of
that name, and names that are no drift rule refused with the nearest one."""

from __future__ import annotations

import pytest

from pdlint.rule import Mode
from pdlint.rules.registry import rules_for
from pdlint.rules.selection import NothingLeft, UnknownRule, select_rules

DRIFT_IDS = {rule.id for rule in rules_for(Mode.DRIFT)}


@pytest.mark.parametrize(("only", "skip", "expected"), [
    ((), (), DRIFT_IDS),
    (("EP103",), (), {"EP103"}),
    (("ep103", "SCH202"), (), {"EP103", "SCH202"}),
    (("escalation-delay",), (), {"EP103"}),
    ((), ("EP103",), DRIFT_IDS - {"EP103"}),
    (("missing",), ("EP100",), {rule.id for rule in rules_for(Mode.DRIFT)
                                if rule.name == "missing"} - {"EP100"}),
])
def test_selected_rules(only: tuple[str, ...], skip: tuple[str, ...], expected: set[str]) -> None:
    chosen = select_rules(only, skip)
    assert {rule.id for rule in chosen} == expected
    assert [rule.id for rule in chosen] == sorted(rule.id for rule in chosen)


@pytest.mark.parametrize(("only", "skip", "skipping", "message"), [
    (("EP13",), (), False, "'EP13' is not a drift rule; did you mean"),
    (("POL010",), (), False, "'POL010' is not a drift rule"),
    ((), ("nosuchrule",), True, "'nosuchrule' is not a drift rule"),
])
def test_unknown_rules_are_refused_naming_their_list(
        only: tuple[str, ...], skip: tuple[str, ...], skipping: bool, message: str) -> None:
    with pytest.raises(UnknownRule, match=message) as refused:
        select_rules(only, skip)
    assert refused.value.skipping is skipping


def test_skipping_every_chosen_rule_is_refused() -> None:
    with pytest.raises(NothingLeft):
        select_rules(("EP103",), ("ep103",))
