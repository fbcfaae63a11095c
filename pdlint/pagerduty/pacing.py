"""Pacing: how many requests are in flight (``Turns``) and how many leave in any minute
(``Budget``), shared by every request of one client."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NamedTuple

log = logging.getLogger("pdlint.pagerduty")

KEY_LIMIT = 960
"""PagerDuty's requests a minute per API key (PAGERDUTY-API-DIGEST §3): the ``key_share`` of
``Budget`` is counted in these, and scaled to the limit a key's ``ratelimit-limit`` states."""
KEY_WINDOW = 60.0
"""PagerDuty's rate-limit window, a minute: ``ratelimit-reset``, the seconds until it resets,
is never more."""
ANNOUNCED_WAIT = 5.0
"""A wait for the key's window longer than this is said on standard error (progress level)."""


class KeyBudget(NamedTuple):
    """What PagerDuty's ``ratelimit-*`` headers say of the key: ``remaining`` requests left in
    its window, which resets in ``reset`` seconds (0 to ``KEY_WINDOW``), of ``limit`` a window
    (None: not read)."""

    remaining: int
    reset: float
    limit: int | None = None


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


ROUNDING = 1e-9
"""A send a hair short of a window old after waiting the computed time is float rounding."""


class Budget:
    """PagerDuty's rate limit spent as a budget, shared by every request of one client.

    PagerDuty allows a key 960 requests a minute. The budget lets ``per_window`` requests (900)
    leave at once and holds the next until the oldest of the last ``per_window`` is ``window``
    seconds old: no sliding minute ever holds more, and ``key_share`` (60) of the key's minute
    stay free for other tools using the same key. What those tools spend shows in PagerDuty's
    ``ratelimit-limit``, ``ratelimit-remaining`` and ``ratelimit-reset`` headers (``observe``):
    once the key has no more than its share left in PagerDuty's window, requests wait for the
    window to reset (at most ``KEY_WINDOW``, as a reset is never read beyond it), so that two
    runs on one key do not drive each other into 429s (``key_share`` None: the headers are not
    read). A wait for the key longer than ``ANNOUNCED_WAIT`` is logged once (INFO). A 429
    pauses every request (``pause``).

    The share left to others is ``key_share`` of PagerDuty's ``KEY_LIMIT`` (960): of a key
    whose ``ratelimit-limit`` says otherwise, the same fraction, rounded up (60 of 960, 4 of
    50), so that a smaller limit is spent rather than frozen (a fixed 60 would leave nothing of
    a limit of 60 or less); without the header, ``key_share`` itself. It is never less than
    ``in_flight``, the client's requests in flight: an answer's ``ratelimit-remaining`` was
    counted when its request arrived, so up to that many requests of this client sent since are
    already spent of the key but not yet in the figure, and a smaller share would let them run
    the key into 429s. With PagerDuty's 960 the share is 60, as it always was.

    Waiters are served one at a time, by priority then arrival; an ``AHEAD`` request leaves the
    last place of the budget to an urgent one, and an urgent request that may leave at once
    does not queue behind a look-ahead page that waits.
    """

    def __init__(
        self,
        per_window: int,
        window: float = 60.0,
        *,
        key_share: int | None = 60,
        in_flight: int = 1,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_window = per_window
        self._window = window
        self._sleep = sleep
        self._clock = clock
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._key_left: int | None = None
        """Requests the key has left in PagerDuty's window, less those sent since it said so."""
        self._key_share = key_share
        self._in_flight = in_flight
        self._key_reserve = 0
        """What to leave of the key's window: ``key_share`` scaled to the key's limit."""
        self._key_resets_at = 0.0
        self._announced_until = -math.inf
        self._for_key = False
        self._turns = Turns(1)

    async def acquire(self, priority: int = URGENT) -> None:
        """Wait until a request may leave, and count it."""
        keep = 0 if priority == URGENT or self._per_window < 2 else 1
        if priority == URGENT and self._wait(0) <= 0:
            self._take()
            return
        async with self._turns.turn(priority):
            while (wait := self._wait(keep)) > 0:
                if self._for_key:
                    self._announce(wait)
                await self._sleep(wait)
            self._take()

    def _wait(self, keep: int) -> float:
        """Seconds until a request may leave with ``keep`` places of each budget left over;
        ``_for_key`` says whether it is the key's window, as PagerDuty's headers tell it."""
        self._for_key = False
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        while self._sent and self._sent[0] <= now - self._window + ROUNDING:
            self._sent.popleft()
        if len(self._sent) >= self._per_window - keep:
            return self._sent[len(self._sent) - (self._per_window - keep)] + self._window - now
        if self._key_left is not None:
            if now >= self._key_resets_at:
                self._key_left = None
            elif self._key_left <= self._key_reserve + keep:
                self._for_key = True
                return self._key_resets_at - now
        return 0.0

    def _announce(self, wait: float) -> None:
        """Say that requests wait ``wait`` s for the key's window, if that is long, once: not
        again until the wait said is over."""
        now = self._clock()
        if wait > ANNOUNCED_WAIT and now >= self._announced_until:
            self._announced_until = now + wait
            log.info("pdlint: the API key has %d requests left in PagerDuty's rate-limit window, "
                     "kept for other tools on the key; waiting %.0f s for the window to reset",
                     self._key_left, wait)

    def _take(self) -> None:
        self._sent.append(self._clock())
        if self._key_left is not None:
            self._key_left -= 1

    def observe(self, remaining: int, reset: float, limit: int | None = None) -> None:
        """What PagerDuty says of the key: ``remaining`` requests left of ``limit`` (None: not
        said) in its window, which resets in ``reset`` seconds (0 to ``KEY_WINDOW``; the
        transport reads no other value, and none longer is waited for)."""
        if self._key_share is None:
            return
        self._key_left = remaining
        self._key_resets_at = self._clock() + min(max(reset, 0.0), KEY_WINDOW)
        self._key_reserve = self._share(limit)

    def _share(self, limit: int | None) -> int:
        """What to leave of a key's window of ``limit`` requests to other tools (see above)."""
        share = self._key_share or 0
        if limit is not None:
            share = max(math.ceil(share * limit / KEY_LIMIT), self._in_flight)
        return share

    def pause(self, seconds: float) -> None:
        """Hold every request for ``seconds`` (PagerDuty said so)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
