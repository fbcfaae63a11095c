"""The one list of rules. A family module joins the catalogue by being named in ``FAMILIES``."""

from __future__ import annotations

from types import ModuleType

from pdlint.policy import problems
from pdlint.rule import Mode, Rule
from pdlint.rules import (
    document,
    escalation,
    orchestration,
    paths,
    people,
    priorities,
    programme,
    response,
    schedules,
    scope,
    services,
    waivers,
)

FAMILIES: tuple[ModuleType, ...] = (problems, document, escalation, schedules, services,
                                    orchestration, people, paths, priorities, response, programme,
                                    scope, waivers)


def _collect(families: tuple[ModuleType, ...]) -> tuple[Rule, ...]:
    found = [value for module in families for value in vars(module).values()
             if isinstance(value, Rule)]
    ids = [found_rule.id for found_rule in found]
    duplicated = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if duplicated:
        raise RuntimeError(f"rule ids declared twice: {', '.join(duplicated)}")
    return tuple(sorted(found, key=lambda found_rule: found_rule.id))


RULES: tuple[Rule, ...] = _collect(FAMILIES)
RULES_BY_ID: dict[str, Rule] = {found_rule.id: found_rule for found_rule in RULES}


def rules_for(mode: Mode) -> tuple[Rule, ...]:
    """The rules that run in ``mode``, in id order."""
    return tuple(found_rule for found_rule in RULES if found_rule.mode is mode)
