"""Pagination: every object of a listing, streamed page by page, whichever way PagerDuty pages it.

Four strategies: classic offset pages (bounded by the offset ceiling, the rest of a listing whose
length is known fetched ahead concurrently), time windows split until each part fits under the
ceiling, cursors (``/audit/records``), and the analytics ``starting_after`` chain. Each checks
its pages against the ones before: pages that repeat or lose objects raise ``PaginationError``
rather than hand on a listing with holes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from pdlint.pagerduty.errors import (
    OFFSET_CEILING,
    OffsetCeilingExceeded,
    PagerDutyError,
    PaginationError,
    ResponseError,
)
from pdlint.pagerduty.pacing import AHEAD, URGENT
from pdlint.pagerduty.state import as_utc, format_utc
from pdlint.pagerduty.transport import ANALYTICS_INCIDENTS_PATH

PAGE_SIZE = 100
SMALLEST_SPLIT = timedelta(seconds=1)

log = logging.getLogger("pdlint.pagerduty")


class Paginated(ABC):
    """The listings of an account, read through ``request``; ``PagerDutyClient`` provides it."""

    max_concurrency: int
    """How many pages of one listing may be fetched ahead at once."""

    @abstractmethod
    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      body: Mapping[str, Any] | None = None, priority: int = URGENT,
                      ) -> dict[str, Any]:
        """The JSON object PagerDuty answers; raises a ``PagerDutyError``."""

    async def get(self, path: str, params: Mapping[str, Any] | None = None, *,
                  priority: int = URGENT) -> dict[str, Any]:
        return await self.request("GET", path, params=params, priority=priority)

    async def iter_classic(
        self,
        path: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = PAGE_SIZE,
        on_total: Callable[[int], None] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every object of an offset-paginated listing, in API order.

        The first page asks for ``total`` (``on_total`` is told it, for progress); knowing it,
        the remaining pages are fetched concurrently (a bounded look-ahead, so memory stays
        flat). A listing longer than the offset ceiling raises ``OffsetCeilingExceeded`` with the
        count before anything is yielded; pages that repeat objects, come back empty while
        ``more`` is true, or lose objects raise ``PaginationError``.
        """
        params = dict(params or {})
        first = await self.get(path, {**params, "limit": page_size, "offset": 0, "total": True})
        listing = _Listing(path, key)
        total = first.get("total") if isinstance(first.get("total"), int) else None
        if total is not None and total > OFFSET_CEILING:
            raise OffsetCeilingExceeded("GET", path, detail=(
                f"{total:,} objects, more than the {OFFSET_CEILING:,} offset pagination can "
                "reach; narrow the listing with filters"))
        if total is not None and on_total is not None:
            on_total(total)
        objects = listing.accept(first, 0)
        for obj in objects:
            yield obj
        if not first.get("more"):
            listing.check_total(total)
            return
        # The API may serve fewer objects per page than asked: step by what it served.
        page_size = len(objects)
        if total is not None:
            async with contextlib.aclosing(
                    self._pages_ahead(path, params, page_size, total)) as pages:
                async for page, offset in pages:
                    for obj in listing.accept(page, offset):
                        yield obj
                    if not page.get("more"):
                        listing.check_total(total)
                        return
        async for obj in self._pages_in_turn(path, params, page_size, listing):
            yield obj
        listing.check_total(total)

    async def _pages_ahead(
        self, path: str, params: Mapping[str, Any], page_size: int, total: int,
    ) -> AsyncGenerator[tuple[dict[str, Any], int], None]:
        """Pages after the first, up to ``total``, fetched ``max_concurrency`` at a time."""
        offsets = iter(range(page_size, total, page_size))
        pending: deque[tuple[asyncio.Task[dict[str, Any]], int]] = deque()

        def schedule() -> None:
            offset = next(offsets, None)
            if offset is not None:
                query = {**params, "limit": page_size, "offset": offset}
                pending.append((asyncio.ensure_future(self.get(path, query, priority=AHEAD)),
                                offset))

        for _ in range(self.max_concurrency):
            schedule()
        try:
            while pending:
                task, offset = pending.popleft()
                page = await task
                schedule()
                yield page, offset
        finally:
            for task, _ in pending:
                task.cancel()
            await asyncio.gather(*(task for task, _ in pending), return_exceptions=True)

    async def _pages_in_turn(
        self, path: str, params: Mapping[str, Any], page_size: int, listing: _Listing,
    ) -> AsyncIterator[dict[str, Any]]:
        """The rest of a listing one page after another, when its length is not known.

        Without ``total`` a deletion between pages cannot be counted, so each page starts one
        object early (when pages hold more than one): that object must be the last one already
        read, or the listing shifted under the read and it stops rather than skip an object.
        """
        overlap = 1 if page_size > 1 else 0
        while True:
            offset = listing.next_offset
            room = OFFSET_CEILING - offset
            if room <= 0:
                raise OffsetCeilingExceeded("GET", path, detail=(
                    f"more than {offset:,} objects, past the {OFFSET_CEILING:,} offset "
                    "pagination can reach; narrow the listing with filters"))
            page = await self.get(path, {**params, "limit": min(page_size, room + overlap),
                                         "offset": offset - overlap})
            for obj in listing.accept(page, offset, overlap=overlap):
                yield obj
            if not page.get("more"):
                return

    async def iter_windowed(
        self,
        path: str,
        key: str,
        since: datetime,
        until: datetime,
        params: Mapping[str, Any] | None = None,
        *,
        max_span: timedelta | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every object of a time-bounded listing (incidents, log entries, on-calls).

        The window is cut into spans of at most ``max_span`` (PagerDuty caps some queries, e.g.
        incidents at 6 months), and a span holding more than the offset ceiling is bisected
        until each part fits, so nothing is lost. Objects overlapping two parts (on-calls) are
        yielded once. Order: by window part, then API order.
        """
        seen: set[str] = set()
        pending = deque(_spans(as_utc(since, "since"), as_utc(until, "until"), max_span))
        while pending:
            part_since, part_until = pending.popleft()
            query = {**(params or {}), "since": part_since, "until": part_until}
            try:
                async for obj in self.iter_classic(path, key, query):
                    identity = _identity(obj)
                    if identity not in seen:
                        seen.add(identity)
                        yield obj
            except OffsetCeilingExceeded:
                if part_until - part_since <= SMALLEST_SPLIT:
                    raise
                middle = part_since + (part_until - part_since) / 2
                log.debug("GET %s: splitting %s..%s at %s", path, part_since, part_until, middle)
                pending.extendleft([(middle, part_until), (part_since, middle)])

    async def iter_cursor(
        self,
        path: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        max_span: timedelta | None = None,
        page_size: int = PAGE_SIZE,
        cursor_names: tuple[str, str] = ("cursor", "next_cursor"),
    ) -> AsyncIterator[dict[str, Any]]:
        """Every object of a cursor-paginated listing (``/audit/records``: ``max_span`` 31 days).

        With ``since``/``until`` the window is cut into spans of at most ``max_span``.
        ``cursor_names`` are the parameter that asks for a page and the answer's field that
        gives it: ``/alert_grouping_settings`` pages by ``after`` both ways.
        A cursor that comes back unchanged, or objects seen twice, raise ``PaginationError``.
        """
        asked, given = cursor_names
        spans: list[tuple[datetime | None, datetime | None]]
        if since is not None and until is not None:
            spans = list(_spans(as_utc(since, "since"), as_utc(until, "until"), max_span))
        else:
            spans = [(since, until)]
        for part_since, part_until in spans:
            listing = _Listing(path, key)
            cursor: str | None = None
            used: set[str] = set()
            while True:
                page = await self.get(path, {**(params or {}), "limit": page_size,
                                             asked: cursor, "since": part_since,
                                             "until": part_until})
                for obj in listing.accept(page, None):
                    yield obj
                cursor = page.get(given)
                if cursor is None:
                    break
                if not isinstance(cursor, str) or cursor in used:
                    raise PaginationError("GET", path, detail=(
                        f"the API returned cursor {cursor!r} again; stopping rather than loop"))
                used.add(cursor)

    async def iter_analytics_incidents(
        self,
        filters: Mapping[str, Any],
        *,
        page_size: int = 1000,
        order: str = "asc",
        time_zone: str = "Etc/UTC",
    ) -> AsyncIterator[dict[str, Any]]:
        """``POST /analytics/raw/incidents``, paging ``starting_after = last`` while ``more``.

        The cursor chain cannot be read concurrently, so each next page is asked for before
        this page's objects are handed on: the caller's work on them overlaps the round trip.
        A 403 here (user or OAuth tokens without a team/service filter, or no analytics scope)
        raises ``PermissionDenied``: callers fall back to incidents and log entries.
        """
        path = ANALYTICS_INCIDENTS_PATH
        listing = _Listing(path, "data", method="POST")
        body: dict[str, Any] = {"filters": {
                                    key: format_utc(value) if isinstance(value, datetime) else value
                                    for key, value in filters.items()},
                                "limit": page_size, "order": order, "time_zone": time_zone}
        page = await self.request("POST", path, body=body)
        while True:
            objects = listing.accept(page, None)
            following: asyncio.Task[dict[str, Any]] | None = None
            if page.get("more"):
                last = page.get("last")
                if not isinstance(last, str) or last == body.get("starting_after"):
                    raise PaginationError("POST", path, detail=(
                        f"'more' is true but the 'last' cursor {last!r} does not advance"))
                body = {**body, "starting_after": last}
                following = asyncio.ensure_future(self.request("POST", path, body=body))
                await asyncio.sleep(0)  # let it leave before the caller's work begins
            try:
                for obj in objects:
                    yield obj
            except BaseException:  # the caller stopped early: no request outlives the listing
                if following is not None:
                    following.cancel()
                    await asyncio.gather(following, return_exceptions=True)
                raise
            if following is None:
                return
            page = await following


class _Listing:
    """The bookkeeping of one paginated listing: ids seen, where the next page starts."""

    def __init__(self, path: str, key: str, *, method: str = "GET") -> None:
        self.path = path
        self.key = key
        self.method = method
        self.seen: set[str] = set()
        self.next_offset = 0
        self.last: str | None = None

    def error(self, detail: str, kind: type[PagerDutyError] = PaginationError) -> PagerDutyError:
        return kind(self.method, self.path, detail=detail)

    def accept(self, page: Mapping[str, Any], offset: int | None, *, overlap: int = 0,
               ) -> list[dict[str, Any]]:
        """The page's new objects after checking them against the pages before it.

        ``offset`` is where the new objects start; with ``overlap`` 1 the page was asked from one
        object earlier and must begin with the last object already accepted.
        """
        listed = page.get(self.key)
        if not isinstance(listed, list) or not all(isinstance(obj, dict) for obj in listed):
            raise self.error(f"the response has no list of objects under {self.key!r}",
                             ResponseError)
        objects = listed[overlap:]
        where = f" at offset {offset}" if offset is not None else ""
        if page.get("more") and not objects:
            raise self.error(f"'more' is true but the page{where} is empty; stopping rather "
                             "than loop")
        if offset is not None:
            echoed = page.get("offset")
            if isinstance(echoed, int) and echoed != offset - overlap:
                raise self.error(f"asked for offset {offset - overlap}, the API answered "
                                 f"offset {echoed}")
            if offset != self.next_offset:
                raise self.error(f"objects vanished: the page before offset {offset} ended at "
                                 f"{self.next_offset}; the account changed while being read, "
                                 "run again")
            self.next_offset = offset + len(objects)
        identities = [_identity(obj) for obj in objects]
        repeated = [identity for identity in identities if identity in self.seen]
        if repeated or len(set(identities)) != len(identities):
            shown = repeated[0] if repeated else identities[0]
            raise self.error(f"the page{where} repeats objects already listed (e.g. "
                             f"{shown[:40]}); the account changed while being read, or the "
                             "API repeats a page")
        if overlap and (not listed or _identity(listed[0]) != self.last):
            raise self.error(f"objects vanished or appeared: the page{where} does not follow on "
                             "from the page before it; the account changed while being read, "
                             "run again")
        self.seen.update(identities)
        if identities:
            self.last = identities[-1]
        return objects

    def check_total(self, total: int | None) -> None:
        """Fewer objects than the first page's ``total`` means some vanished between pages."""
        if total is not None and len(self.seen) < total:
            raise self.error(f"the API announced {total} objects but the pages held "
                             f"{len(self.seen)}; the account changed while being read, run again")


def _spans(
    since: datetime, until: datetime, max_span: timedelta | None,
) -> Iterator[tuple[datetime, datetime]]:
    start = since
    while start < until:
        end = min(until, start + max_span) if max_span else until
        yield start, end
        start = end


def _identity(obj: Any) -> str:
    """What makes a listed object itself: its id, or all of it (on-calls have no id)."""
    identity = obj.get("id") if isinstance(obj, dict) else None
    return identity if isinstance(identity, str) else json.dumps(obj, sort_keys=True)
