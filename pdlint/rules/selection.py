"""Which drift rules a run checks: every one, or those named to run less those named to skip.

A rule is named by its id (any case) or its name; a name several families share (``missing``)
stands for all of them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from pdlint.errors import PdlintError
from pdlint.rule import Mode, Rule
from pdlint.rules.registry import drift_rule_ids_named, drift_rule_names, rules_for


class UnknownRule(PdlintError):
    """A name that is no drift rule's id or name; ``skipping`` says in which list it was."""

    def __init__(self, name: str, *, skipping: bool, close: str | None) -> None:
        self.name = name
        self.skipping = skipping
        hint = f"; did you mean {close}?" if close else "; see `pdlint rules`"
        super().__init__(f"{name!r} is not a drift rule{hint}")


class NothingLeft(PdlintError):
    """The rules to skip are all of the rules to run: a run that checks nothing would pass."""

    def __init__(self) -> None:
        super().__init__("the rules skipped leave none of the rules chosen to run")


def select_rules(only: Sequence[str] = (), skip: Sequence[str] = ()) -> tuple[Rule, ...]:
    """The drift rules ``only`` names (all when empty) less those ``skip`` names, in id order."""
    drift_rules = rules_for(Mode.DRIFT)

    def resolve(names: Sequence[str], *, skipping: bool) -> set[str]:
        ids: set[str] = set()
        for name in names:
            named = drift_rule_ids_named(name)
            if named is None:
                close = difflib.get_close_matches(name, list(drift_rule_names()), n=1)
                raise UnknownRule(name, skipping=skipping, close=close[0] if close else None)
            ids |= named
        return ids

    wanted = resolve(only, skipping=False) or {each.id for each in drift_rules}
    unwanted = resolve(skip, skipping=True)
    if not wanted - unwanted:
        raise NothingLeft()
    return tuple(each for each in drift_rules if each.id in wanted - unwanted)
