"""The one list of rules: the families of each mode, loaded only when a run of that mode asks.

`pdlint lint`, the pre-commit hook, runs the lint families alone and never imports the drift
families, nor with them the live account's model and the paging path (most of its start-up
time). What lint must know of the drift rules, that a waiver names one, is ``DRIFT_RULE_IDS``;
the drift families are held to it whenever they load. A family module joins the catalogue by
being named in its mode's list below; each declares rules of that mode only.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import ModuleType

from pdlint.rule import Mode, Rule


def _lint_families() -> tuple[ModuleType, ...]:
    from pdlint.policy import problems
    from pdlint.rules import document

    return (problems, document)


def _drift_families() -> tuple[ModuleType, ...]:
    from pdlint.rules import (
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

    return (escalation, schedules, services, orchestration, people, paths, priorities, response,
            programme, scope, waivers)


DRIFT_RULE_IDS: frozenset[str] = frozenset({
    "EP100", "EP101", "EP102", "EP103", "EP104", "EP105", "EP106",  # escalation
    "SCH200", "SCH201", "SCH202", "SCH203",  # schedules
    "SVC300", "SVC301", "SVC302", "SVC303", "SVC304", "SVC305", "SVC306",
    "SVC310", "SVC312", "SVC314",  # services
    "SVC311", "SVC313",  # orchestration
    "USR400",  # people
    "PRI500",  # priorities
    "PATH600",  # paths
    "RSP700",  # response
    "PRG800", "PRG801", "PRG802",  # programme
    "SCP100", "SVC307",  # scope
    "WAV900", "WAV901",  # waivers
})
"""The ids of the drift rules, known without loading their families: a waiver must name one
(POL022). A new drift rule's id is added here; the families are checked against this list."""


@cache
def rules_for(mode: Mode) -> tuple[Rule, ...]:
    """The rules that run in ``mode``, in id order; their families are imported on the first
    call."""
    found = _unique([value for module in (_lint_families() if mode is Mode.LINT
                                          else _drift_families())
                     for value in vars(module).values() if isinstance(value, Rule)])
    astray = sorted(found_rule.id for found_rule in found if found_rule.mode is not mode)
    if astray:
        raise RuntimeError(f"rules of another mode in the {mode.value} families: "
                           f"{', '.join(astray)}")
    ids = {found_rule.id for found_rule in found}
    if mode is Mode.DRIFT and ids != DRIFT_RULE_IDS:
        raise RuntimeError(f"drift rules not in DRIFT_RULE_IDS: {sorted(ids - DRIFT_RULE_IDS)}; "
                           f"in it but not declared: {sorted(DRIFT_RULE_IDS - ids)}")
    return found


@cache
def drift_rule_names() -> Mapping[str, frozenset[str]]:
    """Each name a drift rule may be given by, its id (upper case) or its name, with the ids of
    the rules it names: a name several families share (``missing``) names them all."""
    named: dict[str, set[str]] = {}
    for each in rules_for(Mode.DRIFT):
        named.setdefault(each.id.upper(), set()).add(each.id)
        named.setdefault(each.name, set()).add(each.id)
    return {name: frozenset(ids) for name, ids in named.items()}


def drift_rule_ids_named(name: str) -> frozenset[str] | None:
    """The ids of the drift rules ``name`` names, by id in any case or by name; None when it
    names none (loads the drift families)."""
    named = drift_rule_names()
    return named.get(name.upper()) or named.get(name.lower())


@cache
def catalogue() -> tuple[Rule, ...]:
    """Every rule, lint and drift, in id order (loads every family)."""
    return _unique([*rules_for(Mode.LINT), *rules_for(Mode.DRIFT)])


def _unique(found: list[Rule]) -> tuple[Rule, ...]:
    """``found`` in id order; an id declared twice is a programming error."""
    ids = [found_rule.id for found_rule in found]
    duplicated = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if duplicated:
        raise RuntimeError(f"rule ids declared twice: {', '.join(duplicated)}")
    return tuple(sorted(found, key=lambda found_rule: found_rule.id))


@cache
def rules_by_id() -> dict[str, Rule]:
    """Every rule by its id (loads every family)."""
    return {found_rule.id: found_rule for found_rule in catalogue()}


@cache
def rule_modes() -> Mapping[str, Mode]:
    """When each rule of the catalogue runs, by id, with no drift family loaded: what a lint
    rule may know of the catalogue."""
    return {**{found_rule.id: Mode.LINT for found_rule in rules_for(Mode.LINT)},
            **dict.fromkeys(sorted(DRIFT_RULE_IDS), Mode.DRIFT)}
