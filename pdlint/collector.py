"""Python's cyclic garbage collector, tuned for pdlint's heap: mostly acyclic data made in bulk.

The command line raises the young generation's threshold for the whole run (``GC_THRESHOLDS``);
the phases that make hundreds of thousands of short-lived objects at once pause the collector
while they run (``collector_paused``). Measured in docs/benchmarks.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLDS = (10_000, 10, 10)
"""A young-generation collection every 10,000 allocations instead of CPython's 700. pdlint's heap
is mostly acyclic JSON from the API (a year of rendered schedules is tens of millions of
objects), which the default thresholds rescan in full again and again: a fifth of the CPU of a
one-year evidence run of a large account (docs/benchmarks.md)."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off while a policy loads, or the paging path is worked out
    (``rules.paths``, ``evidence.paging``). Each creates hundreds of thousands of objects (nodes,
    plain data, the typed model; steps, reaches, stretches), none in a cycle that outlives it,
    and the collector rescanned them, and the account read, again and again: a quarter of a
    load's CPU, a third of the path's (docs/benchmarks.md). Only the caller that found it on
    turns it back on, so that a pause inside another leaves it off until the outer one ends."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
