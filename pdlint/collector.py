"""Python's cyclic garbage collector, tuned for pdlint's heap: mostly acyclic data made in bulk.

The command line raises the young generation's threshold for the whole run (``GC_THRESHOLDS``);
the phases that make hundreds of thousands of objects at once pause the collector while they
run, and hand what they made to the oldest generation when they end (``collector_paused``).
Measured in docs/benchmarks.md.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLDS = (10_000, 10, 10)
"""A young-generation collection every 10,000 allocations instead of CPython's 700. pdlint's heap
is mostly acyclic JSON from the API (a year of rendered schedules is tens of millions of
objects), which the default thresholds rescan in full again and again: a fifth of the CPU of a
one-year evidence run of a large account (docs/benchmarks.md)."""

_pauses = 0
"""The pauses under way, in every thread: the collector is process-wide."""
_resume = False
"""Whether the collector was on when the first of the pauses under way began."""
_pausing = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off while a policy loads, an answer of the API is decoded, or the paging
    path is worked out (``rules.paths``, ``evidence.paging``). Each creates hundreds of thousands
    of objects (nodes, plain data, the typed model; steps, reaches, stretches), none in a cycle
    that outlives it, and the collector rescanned them, and the account read, again and again: a
    quarter of a load's CPU, a third of the path's (docs/benchmarks.md).

    What the pause made and kept is handed to the oldest generation as it ends
    (``_to_oldest``): left young, a collection soon after would scan all of it, and then once
    more as it aged. Pauses may overlap, in one thread or two (the account is decoded on the
    reading thread while this one works): the collector is off from the first until the last
    ends, and back on only if it was on when the first began."""
    global _pauses, _resume
    with _pausing:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pausing:
            _pauses -= 1
            _to_oldest()
            if _pauses == 0 and _resume:
                gc.enable()


def _to_oldest() -> None:
    """Every object the collector tracks in the young generations moved to the oldest, unscanned
    (``gc.freeze`` then ``gc.unfreeze``; a full collection still finds a cycle among them). Not
    when something else has frozen objects, which ``unfreeze`` would thaw (a host of pdlint's
    functions may keep its own heap frozen)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
