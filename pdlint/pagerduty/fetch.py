"""Read everything the drift checks need, concurrently, with the fewest requests the API allows.

One listing per collection, expanded with ``include[]`` rather than one request per object:
users come with their contact methods and notification rules, and schedules come rendered over
the window (``GET /schedules`` takes ``include[]=schedule_layers|final_schedule`` with
``since``/``until``). Shift-based (v3) schedules are invisible to ``GET /schedules``: they are
listed from ``/v3/schedules`` into their own collection, ``schedules_v3``, as that list returns
them (id and name at least: enough to know they exist and to resolve the
``schedule_v3_reference`` targets of escalation rules; their rotations are not read).

A collection the token or the plan may not read (402/403), or one longer than offset pagination
can reach, is recorded as skipped with the reason; so is the shift-based listing when it answers
400 or 404 (it is Early Access, and what an account without it gets is not documented). A
refused token (401) ends the run, as does a 400 or 404 on any other listing.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Protocol, TextIO, TypeVar

from pdlint.background import in_background
from pdlint.errors import reading
from pdlint.findings import Skipped
from pdlint.pagerduty.client import (
    PAGE_SIZE,
    ClientConfig,
    OffsetCeilingExceeded,
    PagerDutyClient,
    PermissionDenied,
    ResponseError,
)
from pdlint.pagerduty.state import LiveState, Window

T = TypeVar("T")

class Progress(Protocol):
    """Told ``(collection, objects read so far, objects the API announced)`` as pages arrive;
    the total is None where the listing does not say it."""

    def __call__(self, kind: str, count: int, total: int | None = None) -> None: ...


def no_progress(kind: str, count: int, total: int | None = None) -> None:
    """The ``Progress`` of a run that shows none."""


V3_PAGE_SIZE = 1000
"""``GET /v3/schedules`` pages up to 1000 (the spec's maximum), unlike the classic 100."""
V3_ABSENT_STATUSES = frozenset({400, 404})
"""Shift-based schedules are Early Access and what an account without them gets is not
documented (the spec lists 400, 401, 403 and 500 for the listing): a 400 or 404 there is read
as "not available to this account", not as a request pdlint got wrong. A 5xx is retried as
anywhere."""


@dataclass(frozen=True)
class _Listing:
    """How one collection is listed: path, the response key, and query parameters."""

    path: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    page_size: int = PAGE_SIZE
    trim: Callable[[dict[str, Any]], None] | None = None
    """Applied to each object as it arrives, to drop what no check reads."""
    absent_statuses: frozenset[int] = frozenset()
    """Error statuses that may mean the account lacks the endpoint: the collection is skipped
    with the reason instead of ending the run."""


def _listings(window: Window) -> dict[str, _Listing]:
    return {
        "escalation_policies": _Listing("/escalation_policies", "escalation_policies"),
        "schedules": _Listing("/schedules", "schedules", {
            "include[]": ["schedule_layers", "final_schedule"],
            "since": window.since, "until": window.until, "time_zone": "UTC"}),
        "services": _Listing("/services", "services"),
        "users": _Listing("/users", "users", {
            "include[]": ["contact_methods", "notification_rules"]}),
        "teams": _Listing("/teams", "teams"),
        "priorities": _Listing("/priorities", "priorities"),
        "schedules_v3": _Listing("/v3/schedules", "schedules", page_size=V3_PAGE_SIZE,
                                 absent_statuses=V3_ABSENT_STATUSES),
    }


async def fetch_state(
    client: PagerDutyClient, window: Window, *, progress: Progress | None = None,
    layer_renderings: bool = True,
) -> LiveState:
    """The account's state now, schedules rendered over ``window``.

    With ``layer_renderings`` False each schedule layer's ``rendered_schedule_entries`` are
    dropped as the schedules arrive: no check reads them (the final schedule holds who is on
    call, the layers' definitions who rotates), and over an audit year they are a third of the
    state's memory. Snapshots keep them, as they keep what the API returned.

    Raises ``AuthenticationError`` for a refused token and the other ``ApiError``s when the API
    stays unavailable; never returns a collection partially read.
    """
    fetched_at = datetime.now(timezone.utc)
    report = progress or no_progress
    listings = _listings(window)
    if not layer_renderings:
        listings["schedules"] = replace(listings["schedules"], trim=_drop_layer_renderings)
    results = await _all_or_none([_read_collection(client, listing, kind, report)
                                  for kind, listing in listings.items()])
    objects = {kind: tuple(result) for kind, result in zip(listings, results, strict=True)
               if not isinstance(result, Skipped)}
    skipped = tuple(result for result in results if isinstance(result, Skipped))
    return LiveState(api_url=client.config.api_url, fetched_at=fetched_at, window=window,
                     objects=objects, skipped=skipped)


async def _all_or_none(awaitables: list[Awaitable[T]]) -> list[T]:
    """Run concurrently; on the first failure cancel the rest, so no request outlives the run."""
    tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _read_collection(
    client: PagerDutyClient, listing: _Listing, kind: str, report: Progress,
) -> list[dict[str, Any]] | Skipped:
    """The whole collection, or why it cannot be read (never a part of it)."""
    objects: list[dict[str, Any]] = []
    announced: list[int] = []
    try:
        with reading(f"GET {listing.path}"):
            async for obj in client.iter_classic(listing.path, listing.key, listing.params,
                                                 page_size=listing.page_size,
                                                 on_total=announced.append):
                if listing.trim is not None:
                    listing.trim(obj)
                objects.append(obj)
                report(kind, len(objects), announced[0] if announced else None)
    except (PermissionDenied, OffsetCeilingExceeded, ResponseError) as error:
        if isinstance(error, ResponseError) and error.status not in listing.absent_statuses:
            raise
        return Skipped(rule=kind, reason=str(error))
    return objects


def _drop_layer_renderings(schedule: dict[str, Any]) -> None:
    for layer in schedule.get("schedule_layers") or ():
        if isinstance(layer, dict):
            layer.pop("rendered_schedule_entries", None)


class TerminalProgress:
    """A one-line counter on a terminal, rewritten in place; silent anywhere else.

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


def fetch_state_sync(config: ClientConfig, window: Window, *, quiet: bool) -> LiveState:
    """``fetch_state`` for the command line: its own event loop, progress on a terminal only."""

    async def fetch(progress: Progress | None) -> LiveState:
        async with PagerDutyClient(config) as client:
            return await fetch_state(client, window, progress=progress)

    return _on_the_command_line(fetch, quiet=quiet)


def fetch_state_alongside(config: ClientConfig, window: Window, alongside: Callable[[], T], *,
                          quiet: bool) -> tuple[T, LiveState]:
    """``fetch_state_sync`` in a thread while ``alongside`` runs in this one: drift loads and
    lints the policy while the fetch mostly waits on the rate limit.

    An error of ``alongside`` wins over the fetch's, and cancels the fetch: a policy with errors
    is the user's to fix first, whatever the read meets. The fetch has ended when this returns
    or raises; a thread still reading at exit can crash the interpreter's shutdown.
    """
    reading: list[asyncio.Task[LiveState]] = []
    started = threading.Event()  # the fetch's task is in ``reading``, or the thread has ended

    async def fetch(progress: Progress | None) -> LiveState:
        task = asyncio.current_task()
        assert task is not None
        reading.append(task)
        started.set()
        async with PagerDutyClient(config) as client:
            return await fetch_state(client, window, progress=progress)

    def read() -> LiveState:
        try:
            return _on_the_command_line(fetch, quiet=quiet)
        finally:
            started.set()

    fetched = in_background(read, name="pdlint-fetch")
    try:
        beside = alongside()
    except BaseException:
        started.wait()
        for task in reading:
            with contextlib.suppress(RuntimeError):  # its loop has closed: the fetch has ended
                task.get_loop().call_soon_threadsafe(task.cancel)
        with contextlib.suppress(BaseException):
            fetched()
        raise
    return beside, fetched()


def _on_the_command_line(run: Callable[[Progress | None], Coroutine[Any, Any, T]], *,
                         quiet: bool) -> T:
    """``run`` in its own event loop, told of progress on a terminal only."""
    progress = None if quiet or not sys.stderr.isatty() else TerminalProgress(sys.stderr)
    try:
        return asyncio.run(run(progress))
    finally:
        if progress is not None:
            progress.finish()
