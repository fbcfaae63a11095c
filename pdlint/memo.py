"""What is worked out once and asked for again: one memo, and the run's scope in which what is
worked out for an account (or a policy and an account) is worked out once.

A drift run's rules ask a dozen times for the same pairing of 5,000 documented services with
live ones, and the evidence judges each service's paging path for its drift report (PATH600) and
again for its paging section. Inside ``once_per_run`` each answer is kept for the objects it was
worked out for, which the entry holds (so that their ids are not reused), and dropped when the
outermost scope closes: no account outlives its run for it. Outside, it is worked out afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ABSENT: Any = object()


class Memo(Generic[K, V]):
    """Values worked out once by key; with ``kept``, only the ``kept`` most recently used."""

    __slots__ = ("_kept", "_values")

    def __init__(self, kept: int | None = None) -> None:
        self._values: dict[K, V] = {}
        self._kept = kept

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``make()``, kept."""
        values = self._values
        if self._kept is None:
            found = values.get(key, _ABSENT)
            if found is _ABSENT:
                found = values[key] = make()
            return found  # type: ignore[no-any-return]
        found = values.pop(key, _ABSENT)  # then put back last: the most recently used
        if found is _ABSENT:
            found = make()
        values[key] = found
        if len(values) > self._kept:
            del values[next(iter(values))]
        return found  # type: ignore[no-any-return]

    def handed_on(self, key: K, make: Callable[[], V]) -> V:
        """The value kept for ``key``, handed on and forgotten; else ``make()``, kept for the
        next that asks: the memo holds only what is made and not yet asked for again."""
        found = self._values.pop(key, _ABSENT)
        if found is _ABSENT:
            found = self._values[key] = make()
        return found  # type: ignore[no-any-return]


_run: ContextVar[Memo[tuple[Hashable, ...], tuple[tuple[object, ...], Any]] | None] = (
    ContextVar("pdlint_once_per_run", default=None))


@contextmanager
def once_per_run() -> Iterator[None]:
    """Inside it, ``once`` works each answer out once; an inner scope is part of the outer one
    (the evidence's drift report and its paging section share the drift run's answers)."""
    if _run.get() is not None:
        yield
        return
    token = _run.set(Memo())
    try:
        yield
    finally:
        _run.reset(token)


def once(what: Hashable, objects: tuple[object, ...], make: Callable[[], V]) -> V:
    """``make()``, the ``what`` of ``objects`` (by identity): worked out once inside
    ``once_per_run``, afresh outside it."""
    memo = _run.get()
    if memo is None:
        return make()
    _, value = memo.get((what, *map(id, objects)), lambda: (objects, make()))
    return value  # type: ignore[no-any-return]
