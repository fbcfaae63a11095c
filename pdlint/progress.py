"""What a command shows while it reads the account: a one-line counter on a terminal.

The readers (``pagerduty.fetch``, ``evidence``) only tell a ``pagerduty.fetch.Progress`` what
they have read; whether and how that is shown is the command line's choice, made here.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO


class TerminalProgress:
    """A one-line counter on a terminal, rewritten in place.

    Each collection shows what has been read, out of the total the API announced when it did
    (``services 300/5,000``); once a collection with a total has been read in part, the line ends
    with the time left at the pace so far (``about 12 s left``), over the collections whose
    totals are known.
    """

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._started = clock()
        self._counts: dict[str, tuple[int, int | None]] = {}

    def __call__(self, kind: str, count: int, total: int | None = None) -> None:
        self._counts[kind] = (count, total)
        self._stream.write(f"\rreading PagerDuty: {self.line()}\x1b[K")
        self._stream.flush()

    def line(self) -> str:
        shown = ", ".join(f"{name.replace('_', ' ')} {count:,}"
                          + (f"/{total:,}" if total is not None else "")
                          for name, (count, total) in self._counts.items())
        left = self.seconds_left()
        return f"{shown}; about {_duration(left)} left" if left is not None else shown

    def seconds_left(self) -> float | None:
        """The time left to read the collections whose totals are known, at the pace so far;
        None before any of them has been read in part, or once all are read."""
        known = [(min(count, total), total) for count, total in self._counts.values()
                 if total is not None]
        done = sum(count for count, _ in known)
        remaining = sum(total for _, total in known) - done
        if done == 0 or remaining <= 0:
            return None
        return (self._clock() - self._started) * remaining / done

    def finish(self) -> None:
        if self._counts:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def _duration(seconds: float) -> str:
    """``12 s``, ``3 min``: a time left, as a person rounds it."""
    if seconds < 60:
        return f"{math.ceil(seconds)} s"
    return f"{math.ceil(seconds / 60)} min"


@contextlib.contextmanager
def terminal_progress(*, quiet: bool) -> Iterator[TerminalProgress | None]:
    """A counter on standard error while the block runs, when standard error is a terminal and
    the run is not ``quiet``; the line is cleared at the end."""
    progress = None if quiet or not sys.stderr.isatty() else TerminalProgress(sys.stderr)
    try:
        yield progress
    finally:
        if progress is not None:
            progress.finish()
