"""Pairing documented objects with live ones, so that every family of rules agrees on which live
escalation policy, schedule or service a documented entry describes.

A documented entry matches by its pinned id when it has one, else by exact name. What is left on
both sides is paired as a *rename* when the names are close enough that a reviewer would call it
the same object renamed (one side's best match is the other's, similarity at least
``RENAME_SIMILARITY``): a rename is one finding, not a missing plus an undocumented object.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pdlint.findings import Finding, Location, Resource
from pdlint.memo import once
from pdlint.pagerduty.model import Account, LiveObject
from pdlint.policy.model import Policy, Sourced
from pdlint.rule import Rule

RENAME_SIMILARITY = 0.8


class Documented(Protocol):
    """What every documented object offers for matching."""

    @property
    def name(self) -> str: ...

    @property
    def id(self) -> Sourced[str] | None: ...


D = TypeVar("D", bound=Documented)
L = TypeVar("L", bound=LiveObject)


@dataclass(frozen=True)
class Pair(Generic[D, L]):
    """One documented object and the live object it describes; either side may be missing."""

    documented: D | None
    live: L | None

    @property
    def renamed(self) -> bool:
        """Both sides exist and the live name is not the documented one."""
        return (self.documented is not None and self.live is not None
                and self.live.name != self.documented.name)


def pair_objects(documented: Sequence[D], live: Iterable[L]) -> list[Pair[D, L]]:
    """Every documented object paired with its live object (or None), in document order, then
    every live object nobody documents, by name."""
    remaining = {obj.id: obj for obj in live}
    found: dict[int, L] = {}
    for index, entry in enumerate(documented):
        if entry.id is not None and entry.id.value in remaining:
            found[index] = remaining.pop(entry.id.value)
    by_name = {obj.name: obj_id for obj_id, obj in remaining.items()}
    for index, entry in enumerate(documented):
        if index not in found and entry.name in by_name:
            found[index] = remaining.pop(by_name.pop(entry.name))
    unmatched = [index for index in range(len(documented)) if index not in found]
    found.update(_renames(documented, unmatched, remaining))
    pairs = [Pair(entry, found.get(index)) for index, entry in enumerate(documented)]
    undocumented = sorted(remaining.values(), key=lambda obj: (str(obj.name), obj.id))
    return pairs + [Pair(None, obj) for obj in undocumented]


Pairing = Callable[[Policy, Account], tuple[Pair[D, L], ...]]


def remembered(pairing: Pairing[D, L]) -> Pairing[D, L]:
    """``pairing`` worked out once for a policy and an account in a run (``memo.once``),
    however many rules ask: a drift run's rules ask for the same pairs of 5,000 services a
    dozen times."""
    @functools.wraps(pairing)
    def pairs(policy: Policy, account: Account) -> tuple[Pair[D, L], ...]:
        return once(pairing, (policy, account), lambda: pairing(policy, account))

    return pairs


def _renames(documented: Sequence[D], unmatched: list[int],
             remaining: dict[str, L]) -> dict[int, L]:
    """Mutually best, similar enough pairs among the leftovers; removes them from ``remaining``."""
    def similarity(index: int, obj_id: str) -> float:
        return difflib.SequenceMatcher(
            None, documented[index].name.casefold(),
            (remaining[obj_id].name or "").casefold()).ratio()

    scores = {(index, obj_id): similarity(index, obj_id)
              for index in unmatched for obj_id in remaining}
    renames: dict[int, L] = {}
    for index in unmatched:
        candidates = [(score, obj_id) for (i, obj_id), score in scores.items() if i == index]
        if not candidates:
            continue
        score, obj_id = max(candidates)
        best_for_live = max(s for (_, o), s in scores.items() if o == obj_id)
        if score >= RENAME_SIMILARITY and score == best_for_live and obj_id in remaining:
            renames[index] = remaining.pop(obj_id)
    return renames


class Defined(Documented, Protocol):
    """A documented object that findings can point at: where it is defined, and what it is."""

    @property
    def location(self) -> Location: ...

    @property
    def resource(self) -> Resource: ...


DefinedT = TypeVar("DefinedT", bound=Defined)


def both_sides(pairs: Iterable[Pair[D, L]]) -> Iterator[tuple[D, L]]:
    """The pairs that have a documented and a live side (renames included): what the rules
    comparing values look at."""
    for pair in pairs:
        if pair.documented is not None and pair.live is not None:
            yield pair.documented, pair.live


def live_resource(documented: Defined, live: LiveObject) -> Resource:
    """A documented object's resource, with the id of the live object it was paired with."""
    return Resource(documented.resource.type, name=documented.name, id=live.id)


def missing_or_renamed(check: Rule, pair: Pair[DefinedT, L]) -> Finding | None:
    """``check``'s finding about the documented side of ``pair``, worded alike in every family:
    the object is not in the account, or it is there under another name (one finding, at the
    definition, with the live id); None when it is there as documented. Messages do not repeat
    the object's name: reporters show the resource beside them."""
    documented, live = pair.documented, pair.live
    if documented is None or (live is not None and not pair.renamed):
        return None
    where = documented.location
    if live is None:
        pinned = f" or id {documented.id.value}" if documented.id is not None else ""
        return check.finding(
            f"documented, but PagerDuty has no {documented.resource.type.replace('_', ' ')} named "
            f"'{documented.name}'{pinned}", documented.resource, expected=documented.name,
            actual=None, location=where)
    return check.finding(
        f"renamed: documented '{documented.name}' ({where.path}:{where.line}), "
        f"live '{live.name}'", live_resource(documented, live),
        expected=documented.name, actual=live.name, location=where)
