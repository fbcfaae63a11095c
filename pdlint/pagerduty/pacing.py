"""Pacing: how many requests are in flight (``Turns``) and how fast they leave
(``RateLimiter``), shared by every request of one client."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

URGENT, AHEAD = 0, 1
"""Request priorities: something waits on an urgent request; an ``AHEAD`` page is fetched
before it is needed (see ``Turns``)."""


class Turns:
    """At most ``capacity`` holders at a time, let in by priority (``URGENT`` first), then in
    arrival order; ``reserved`` of the places are for ``URGENT`` holders only.

    This gives the requests that a sequential chain waits on (a cursor's next page, a listing's
    first page) precedence over pages fetched ahead of need. At PagerDuty's rate limit the chain,
    which cannot go faster than one round trip a page, would otherwise queue behind every
    look-ahead page, and behind the places they hold while they wait for the rate limit.
    """

    def __init__(self, capacity: int, *, reserved: int = 0) -> None:
        self._free = capacity
        self._reserved = reserved
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @contextlib.asynccontextmanager
    async def turn(self, priority: int) -> AsyncIterator[None]:
        await self._enter(priority)
        try:
            yield
        finally:
            self._leave()

    def _may_enter(self, priority: int) -> bool:
        return self._free > (0 if priority == URGENT else self._reserved)

    async def _enter(self, priority: int) -> None:
        self._drop_cancelled()
        if self._may_enter(priority) and (not self._waiting or self._waiting[0][0] > priority):
            self._free -= 1
            return
        admitted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._arrivals), admitted))
        try:
            await admitted
        except asyncio.CancelledError:
            if admitted.done() and not admitted.cancelled():  # let in as it was cancelled
                self._leave()
            raise

    def _leave(self) -> None:
        self._free += 1
        self._drop_cancelled()
        while self._waiting and self._may_enter(self._waiting[0][0]):
            _, _, admitted = heapq.heappop(self._waiting)
            self._free -= 1
            admitted.set_result(None)
            self._drop_cancelled()

    def _drop_cancelled(self) -> None:
        """Forget waiters at the head of the line that gave up (their future is cancelled)."""
        while self._waiting and self._waiting[0][2].done():
            heapq.heappop(self._waiting)


TOKEN_ROUNDING = 1e-9


class RateLimiter:
    """A token bucket shared by every request of one client, paused as a whole on a 429."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 60.0 / per_minute
        self._capacity = float(burst)
        self._tokens = float(burst)
        self._sleep = sleep
        self._clock = clock
        self._updated = clock()
        self._paused_until = 0.0
        self._turns = Turns(1)

    async def acquire(self, priority: int = URGENT) -> None:
        """Wait for a token; waiters are served one at a time, by priority then arrival.

        An ``AHEAD`` request leaves the bucket's last token (when it holds two) to an urgent
        one, and an urgent request takes a token that is there at once, without queueing behind
        a look-ahead page that waits for its refill: a chain's next page leaves without delay.
        """
        reserve = 1 if priority != URGENT and self._capacity >= 2 else 0
        if priority == URGENT and self._take(1):
            return
        async with self._turns.turn(priority):
            while not self._take(1 + reserve):
                paused = self._paused_until - self._clock()
                await self._sleep(paused if paused > 0
                                  else (1 + reserve - self._tokens) * self._interval)

    def _take(self, needed: int) -> bool:
        """Take a token if the bucket, refilled to now, holds ``needed``; not while paused."""
        now = self._clock()
        if now < self._paused_until:
            return False
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) / self._interval)
        self._updated = now
        # A hair short after waiting the computed time is float rounding, not a missing token.
        if self._tokens < needed - TOKEN_ROUNDING:
            return False
        self._tokens = max(self._tokens - 1, 0.0)
        return True

    def pause(self, seconds: float) -> None:
        """Hold every request for ``seconds`` (PagerDuty said so), then restart with one token."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._tokens = min(self._tokens, 1.0)
        self._updated = self._paused_until  # nothing refills while paused
