"""The collector paused: off from the first pause to the last, in whatever order pauses begin
and end (the reading thread decodes while this one works), and what a pause kept handed to the
oldest generation."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest

from pdlint.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    was_on = gc.isenabled()
    yield
    gc.unfreeze()
    if was_on:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize(("steps", "on_after_each"), [
    ("A a", [False, True]),
    ("A B b a", [False, False, False, True]),
    ("A B a b", [False, False, False, True]),  # one thread's pause ends inside another's
    ("A B a C b c", [False, False, False, False, False, True]),
])
def test_the_collector_is_off_from_the_first_pause_until_the_last_ends(
        steps: str, on_after_each: list[bool]) -> None:
    """A capital letter begins that pause, a small one ends it."""
    gc.enable()
    pauses: dict[str, AbstractContextManager[None]] = {}
    seen = []
    for step in steps.split():
        if step.isupper():
            pauses[step] = collector_paused()
            pauses[step].__enter__()
        else:
            pauses.pop(step.upper()).__exit__(None, None, None)
        seen.append(gc.isenabled())
    assert seen == on_after_each


def test_a_collector_off_before_the_pauses_stays_off() -> None:
    gc.disable()
    with collector_paused(), collector_paused():
        pass
    assert not gc.isenabled()


def test_what_a_pause_kept_is_in_the_oldest_generation() -> None:
    with collector_paused():
        kept = [[index] for index in range(1000)]
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert id(kept) in oldest
    assert all(id(item) in oldest for item in kept)


def test_a_pause_leaves_what_something_else_froze_frozen() -> None:
    frozen = [[]]
    gc.freeze()
    count = gc.get_freeze_count()
    with collector_paused():
        pass
    assert gc.get_freeze_count() == count
    assert id(frozen) not in {id(obj) for obj in gc.get_objects()}
