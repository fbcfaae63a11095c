"""The async, read-only PagerDuty REST API client: one account, every request paced, retried
and turned into data or a typed error.

The client is put together from rooms that each do one thing: ``settings`` (URL, region, token),
``errors`` (what can go wrong), ``pacing`` (requests in flight, the rate limit), ``transport``
(the read-only gate, answers read into data or errors) and ``pagination`` (every listing
strategy). This module holds what joins them: a request's attempts, bounded jittered retries on
5xx and broken connections, and the wait PagerDuty asks for on a 429.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from pdlint.pagerduty.errors import ApiUnavailable, RateLimited, ResponseError
from pdlint.pagerduty.pacing import URGENT, Budget, Turns
from pdlint.pagerduty.pagination import Paginated
from pdlint.pagerduty.settings import ClientConfig
from pdlint.pagerduty.transport import (
    Exchange,
    Retryable,
    connection_failure,
    key_budget,
    query_of,
    read_answer,
)

log = logging.getLogger("pdlint.pagerduty")


class PagerDutyClient(Paginated):
    """One account, read over HTTPS. Use as ``async with PagerDutyClient(config) as client``.

    Every request goes through ``request``: rate limiter, concurrency bound, retries, typed
    errors. The iterators (``Paginated``) stream objects page by page so that callers never need
    to hold a whole listing (incidents can run into the hundreds of thousands).
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.max_concurrency = config.max_concurrency
        self._sleep = sleep
        self._limiter = Budget(config.requests_per_minute, config.budget_window,
                               key_share=config.key_share, in_flight=config.max_concurrency,
                               sleep=sleep)
        self._slots = Turns(config.max_concurrency, reserved=config.max_concurrency // 4)
        self._http = Exchange(config, transport)
        self._root = config.api_url.rstrip("/")
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"PagerDutyClient(api_url={self.config.api_url!r})"

    async def __aenter__(self) -> PagerDutyClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        priority: int = URGENT,
    ) -> dict[str, Any]:
        """The JSON object PagerDuty answers, after retries; raises a ``PagerDutyError``.

        ``priority`` ``AHEAD`` lets urgent requests go first (see ``Turns``)."""
        query = query_of(params)
        deadline = time.monotonic() + self.config.retry_budget
        budgets = {ApiUnavailable: self.config.max_attempts,
                   RateLimited: self.config.rate_limited_attempts,
                   ResponseError: self.config.malformed_attempts}
        failures = dict.fromkeys(budgets, 0)
        while True:
            outcome, wait = await self._attempt(method, path, query, body, priority)
            if isinstance(outcome, dict):
                return outcome
            kind = type(outcome)
            failures[kind] += 1
            requested = wait is not None
            if wait is None:
                wait = self._backoff(failures[kind])
            if failures[kind] >= budgets[kind] or time.monotonic() + wait > deadline:
                outcome.attempts = sum(failures.values())
                if requested and failures[kind] < budgets[kind]:
                    outcome.detail = (
                        f"{outcome.describe()}, and PagerDuty asked to wait {wait:.0f} s, longer "
                        f"than the {self.config.retry_budget:.0f} s retry budget leaves; gave up")
                raise outcome
            log.info("pdlint: %s; retrying in %.1f s", outcome, wait)
            if isinstance(outcome, RateLimited):
                self._limiter.pause(wait)
            else:
                await self._sleep(wait)

    async def _attempt(
        self, method: str, path: str, query: Mapping[str, Any], body: Mapping[str, Any] | None,
        priority: int,
    ) -> tuple[dict[str, Any] | Retryable, float | None]:
        """One try: the decoded body, or a retryable error with the wait PagerDuty asked for.

        Errors that retrying cannot fix are raised; the others are returned to ``request``.
        """
        async with self._slots.turn(priority):
            await self._limiter.acquire(priority)
            self.requests_sent += 1
            try:
                response = await self._http.send(method, self._root + path,
                                                 params=query or None, json=body)
            except httpx.TransportError as error:
                return connection_failure(method, path, error, self.config.api_url,
                                          self.config.proxy), None
        log.debug("%s %s %s -> %d", method, path, dict(query), response.status_code)
        budget = key_budget(response)
        if budget is not None:
            self._limiter.observe(*budget)
        return read_answer(method, path, response)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, so that concurrent retries do not arrive together."""
        ceiling = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)
