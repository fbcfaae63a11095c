"""An async, read-only PagerDuty REST API client: auth, region, pagination, rate limit, retries.

Connection pooling, timeouts and HTTP/1.1 are httpx's; everything PagerDuty-specific is here:
the offset ceiling of classic pagination (split time windows, fail loudly on untimed lists),
cursor and analytics pagination, a shared token-bucket rate limiter kept under PagerDuty's
960 requests a minute, ``ratelimit-reset`` on 429, bounded jittered retries on 5xx and broken
connections, defensive checks against pages that repeat or lose objects, and a transport that
refuses every request that could write. The API token is held by ``ApiToken`` and never printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import heapq
import ipaddress
import itertools
import json
import logging
import os
import random
import ssl
import stat
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from pdlint.errors import PdlintError
from pdlint.pagerduty.state import as_utc, format_utc

API_URL_US = "https://api.pagerduty.com"
API_URL_EU = "https://api.eu.pagerduty.com"
REGION_URLS = {"us": API_URL_US, "eu": API_URL_EU}
TOKEN_ENV = "PAGERDUTY_API_TOKEN"
API_URL_ENV = "PAGERDUTY_API_URL"
ACCEPT = "application/vnd.pagerduty+json;version=2"

PAGE_SIZE = 100
OFFSET_CEILING = 10_000
"""PagerDuty answers 400 (error code 2002) when offset + limit exceeds this."""
CODE_OFFSET_CEILING = 2002
ANALYTICS_INCIDENTS_PATH = "/analytics/raw/incidents"
"""The one POST the client may send: it reads, despite its method."""
SMALLEST_SPLIT = timedelta(seconds=1)

log = logging.getLogger("pdlint.pagerduty")


class ApiToken:
    """A PagerDuty API key that never shows itself in reprs, messages or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value or any(char.isspace() for char in value):
            raise ConfigurationError("the API token is empty or contains spaces")
        if not (value.isascii() and value.isprintable()):  # HTTP headers carry ASCII only
            raise ConfigurationError("the API token has a character that is not printable ASCII "
                                     "(PagerDuty keys are letters, digits and a few signs)")
        self._value = value

    def authorization(self) -> str:
        """The ``Authorization`` header value; the only way the secret leaves this object."""
        return f"Token token={self._value}"

    def __repr__(self) -> str:
        return "ApiToken('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiToken) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class ClientConfig:
    """How to reach PagerDuty and how hard to push it. Defaults suit a real account.

    ``requests_per_minute`` stays under PagerDuty's 960 so that a full fetch rarely meets a 429;
    ``burst`` is the bucket size: a full bucket and a minute of refills, 50 + 900, still fit in
    PagerDuty's 960 a minute, so any 60-second window stays under the limit while an account of
    up to 50 requests is read at the speed of the network.
    Retries stop at ``max_attempts`` or after ``retry_budget`` seconds, whichever comes first.
    """

    api_url: str
    token: ApiToken
    requests_per_minute: float = 900.0
    burst: int = 50
    max_concurrency: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_attempts: int = 6
    rate_limited_attempts: int = 20
    retry_budget: float = 180.0
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    malformed_attempts: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_url", validate_api_url(self.api_url))
        if self.requests_per_minute <= 0 or self.burst < 1 or self.max_concurrency < 1:
            raise ConfigurationError("rate limit, burst and concurrency must be positive")
        if min(self.max_attempts, self.rate_limited_attempts, self.malformed_attempts) < 1:
            raise ConfigurationError("attempt counts must be at least 1")


class ConfigurationError(PdlintError):
    """The connection settings are unusable (no token, an insecure URL, an unknown region)."""


class ReadOnlyViolation(PdlintError):
    """pdlint tried to send a request that could change the account; it was stopped unsent."""


class ApiError(PdlintError):
    """PagerDuty's API could not give what was asked; says which request and why."""

    summary = "the request failed"

    def __init__(
        self,
        method: str,
        path: str,
        *,
        status: int | None = None,
        api_message: str | None = None,
        api_code: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.api_code = api_code
        self.detail = detail
        self.attempts = 1
        super().__init__(str(self))

    def describe(self) -> str:
        """What went wrong, in words, when the raiser gave no more specific ``detail``."""
        return self.summary

    def __str__(self) -> str:
        parts = [f"{self.method} {self.path}: {self.detail or self.describe()}"]
        facts = []
        if self.attempts > 1:
            facts.append(f"{self.attempts} attempts")
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.api_message or self.api_code is not None:
            code = f" {self.api_code}" if self.api_code is not None else ""
            facts.append(f"PagerDuty error{code}: {self.api_message or 'no message'}")
        if facts:
            parts.append(f"({'; '.join(facts)})")
        return " ".join(parts)


class AuthenticationError(ApiError):
    summary = ("the token was refused; check PAGERDUTY_API_TOKEN or --token-file, "
               "and the service region (--region)")


class PermissionDenied(ApiError):
    """403/402: the token or the plan may not read this. Callers record a skipped check."""

    def describe(self) -> str:
        if self.status == 402:
            return "the account's plan lacks this feature"
        return "the token may not read this"


class RateLimited(ApiError):
    summary = "PagerDuty's rate limit was reached"


class ApiUnavailable(ApiError):
    summary = "PagerDuty did not answer successfully"


class ResponseError(ApiError):
    summary = "the response was not what the API documents"


class PaginationError(ApiError):
    summary = "the listing was inconsistent between pages"


class OffsetCeilingExceeded(PaginationError):
    """A classic listing is longer than PagerDuty lets offset pagination reach."""

    summary = f"the listing is longer than offset pagination can reach ({OFFSET_CEILING:,})"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_api_url(url: str) -> str:
    """``url`` without a trailing slash; https is required except on loopback (tests, simulator)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:  # an unclosed [IPv6 address
        raise ConfigurationError(f"API URL {_without_secrets(url)!r} cannot be read: "
                                 f"{error}") from None
    if parts.username or parts.password or parts.query or parts.fragment or "@" in url:
        raise ConfigurationError(f"API URL {_without_secrets(url)!r} must not carry credentials, "
                                 "query or fragment (not shown here: they may hold a secret)")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"API URL {url!r} is not an http(s) URL with a host")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"API URL {url!r} uses plain http; the token would travel unencrypted. "
            "Use https (plain http is accepted only on loopback)")
    return url.strip().rstrip("/")


def _without_secrets(url: str) -> str:
    """``url`` without what may hold a secret (user, password, query, fragment): what an error
    about it may quote."""
    scheme, separator, rest = url.strip().split("#")[0].split("?")[0].rpartition("://")
    return scheme + separator + ("***@" + rest.rpartition("@")[2] if "@" in rest else rest)


def read_token(token_file: str | None, environ: Mapping[str, str]) -> ApiToken:
    """The token from ``token_file`` if given, else from ``PAGERDUTY_API_TOKEN``."""
    if token_file is not None:
        try:
            text = Path(token_file).read_text(encoding="utf-8-sig")  # a BOM is not the key
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            raise ConfigurationError(f"cannot read token file {token_file}: {reason}") from None
        if not text.strip():
            raise ConfigurationError(f"token file {token_file} is empty")
        if len(text.strip().splitlines()) > 1:
            raise ConfigurationError(f"token file {token_file} has more than one line; it "
                                     "should hold the API key alone")
        _warn_if_shared(Path(token_file))
        return _token(text, f"token file {token_file}")
    value = environ.get(TOKEN_ENV, "")
    if not value.strip():
        raise ConfigurationError(
            f"no API token: set {TOKEN_ENV} or pass --token-file (a read-only key is enough)")
    return _token(value, TOKEN_ENV)


def _token(text: str, source: str) -> ApiToken:
    try:
        return ApiToken(text)
    except ConfigurationError as error:
        raise ConfigurationError(f"{source}: {error}") from None


def _warn_if_shared(token_file: Path) -> None:
    """A key others on the machine can read is no longer a secret: say so (POSIX modes only)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(token_file.stat().st_mode)
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            log.warning("pdlint: warning: token file %s can be read by other users (mode %04o); "
                        "restrict it with: chmod 600 %s", token_file, mode, token_file)


def resolve_client_config(
    *,
    api_url: str | None,
    region: str | None,
    token_file: str | None,
    environ: Mapping[str, str] | None = None,
    region_setting: str | None = None,
) -> ClientConfig:
    """The client configuration from command-line options, the environment and the project's
    settings.

    Precedence: ``--api-url``, then ``--region``, then ``PAGERDUTY_API_URL``, then the project's
    ``region`` setting, then the US host. ``--api-url`` and ``--region`` together are refused
    unless they name the same host.
    """
    environ = os.environ if environ is None else environ
    if api_url is not None and not api_url.strip():
        raise ConfigurationError("--api-url is empty; give the API's URL, or leave the option out")
    if region is not None and region not in REGION_URLS:
        raise ConfigurationError(f"unknown region {region!r}; use one of: {', '.join(REGION_URLS)}")
    if (api_url is not None and region is not None
            and validate_api_url(api_url) != REGION_URLS[region]):
        raise ConfigurationError(f"--api-url {api_url} and --region {region} disagree; give one")
    url = (api_url or (REGION_URLS[region] if region else None) or environ.get(API_URL_ENV)
           or (REGION_URLS[region_setting] if region_setting else None) or API_URL_US)
    return ClientConfig(api_url=url, token=read_token(token_file, environ))


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


class ReadOnlyTransport(httpx.AsyncBaseTransport):
    """The one gate every request passes: GET, or POST to the analytics read endpoint only.

    It wraps whatever transport the client uses, so even code that reaches the httpx client
    directly cannot write; a refused request raises before a byte reaches the network.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, base_path: str) -> None:
        self._inner = inner
        self._allowed_post = base_path.rstrip("/") + ANALYTICS_INCIDENTS_PATH

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not (request.method == "GET"
                or (request.method == "POST" and request.url.path == self._allowed_post)):
            raise ReadOnlyViolation(
                f"refused to send {request.method} {request.url.path}: pdlint only reads "
                "(GET, and POST to /analytics/raw/incidents)")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass(frozen=True)
class _ErrorBody:
    message: str | None
    code: int | None


def _error_body(response: httpx.Response) -> _ErrorBody:
    """PagerDuty's ``{"error": {"message", "code", "errors"}}``, tolerating anything else.
    ``errors`` is a list of sentences, or (the v3 endpoints) sentences by field name."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return _ErrorBody(None, None)
    if not isinstance(error, dict):
        return _ErrorBody(None, None)
    message = error.get("message") if isinstance(error.get("message"), str) else None
    errors = error.get("errors")
    if isinstance(errors, dict):
        details = [f"{field}: {sentence}" for field, sentences in errors.items()
                   for sentence in (sentences if isinstance(sentences, list) else [sentences])
                   if isinstance(sentence, str)]
    else:
        details = [item for item in errors or () if isinstance(item, str)]
    if details:
        message = f"{message or 'error'}: {'; '.join(details)}"
    code = error.get("code") if isinstance(error.get("code"), int) else None
    return _ErrorBody(message, code)


def _wait_requested(response: httpx.Response) -> float | None:
    """Seconds PagerDuty asks to wait: ``ratelimit-reset``, else ``Retry-After`` (secs or date)."""
    for header in ("ratelimit-reset", "retry-after"):
        value = response.headers.get(header)
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())
    return None


def _format_param(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _identity(obj: Any) -> str:
    """What makes a listed object itself: its id, or all of it (on-calls have no id)."""
    identity = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(identity, str):
        return identity
    return json.dumps(obj, sort_keys=True)


class PagerDutyClient:
    """One account, read over HTTPS. Use as ``async with PagerDutyClient(config) as client``.

    Every request goes through ``request``: rate limiter, concurrency bound, retries, typed
    errors. The iterators stream objects page by page so that callers never need to hold a
    whole listing (incidents can run into the hundreds of thousands).
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._limiter = RateLimiter(config.requests_per_minute, config.burst, sleep=sleep)
        self._slots = Turns(config.max_concurrency, reserved=config.max_concurrency // 4)
        inner = transport or httpx.AsyncHTTPTransport(
            verify=_tls_context(), limits=httpx.Limits(max_connections=config.max_concurrency))
        self._http = httpx.AsyncClient(
            base_url=config.api_url,
            transport=ReadOnlyTransport(inner, urlsplit(config.api_url).path),
            headers={"Accept": ACCEPT, "Authorization": config.token.authorization(),
                     "User-Agent": _user_agent()},
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            follow_redirects=False,
        )
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
        """The JSON object PagerDuty answers, after retries; raises an ``ApiError`` subclass.

        ``priority`` ``AHEAD`` lets urgent requests go first (see ``Turns``)."""
        query = {key: _format_param(value) for key, value in (params or {}).items()
                 if value is not None}
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
            if wait is None:
                wait = self._backoff(failures[kind])
            if failures[kind] >= budgets[kind] or time.monotonic() + wait > deadline:
                outcome.attempts = sum(failures.values())
                raise outcome
            log.info("pdlint: %s; retrying in %.1f s", outcome, wait)
            if isinstance(outcome, RateLimited):
                self._limiter.pause(wait)
            else:
                await self._sleep(wait)

    async def get(self, path: str, params: Mapping[str, Any] | None = None, *,
                  priority: int = URGENT) -> dict[str, Any]:
        return await self.request("GET", path, params=params, priority=priority)

    async def _attempt(
        self, method: str, path: str, query: Mapping[str, Any], body: Mapping[str, Any] | None,
        priority: int,
    ) -> tuple[dict[str, Any] | ApiUnavailable | RateLimited | ResponseError, float | None]:
        """One try: the decoded body, or a retryable error with the wait PagerDuty asked for.

        Errors that retrying cannot fix are raised here; the others are returned to ``request``.
        """
        async with self._slots.turn(priority):
            await self._limiter.acquire(priority)
            self.requests_sent += 1
            try:
                response = await self._http.request(method, path, params=query, json=body)
            except httpx.TimeoutException:
                return ApiUnavailable(method, path, detail="PagerDuty did not answer in time"), None
            except httpx.TransportError as error:
                tls = _tls_failure(error)
                if tls is not None:  # a certificate or protocol mismatch: a retry meets it again
                    raise ApiUnavailable(method, path, detail=(
                        f"TLS with {self.config.api_url} failed ({tls})")) from None
                return ApiUnavailable(method, path, detail=(
                    f"connection to {self.config.api_url} failed ({type(error).__name__})")), None
        log.debug("%s %s %s -> %d", method, path, dict(query), response.status_code)
        status = response.status_code
        if 200 <= status < 300:
            try:
                data = response.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                return ResponseError(method, path, status=status,
                                     detail="the response body is not a JSON object"), None
            return data, None
        refusal = _error_body(response)
        facts: dict[str, Any] = {"status": status, "api_message": refusal.message,
                                 "api_code": refusal.code}
        if status == 401:
            raise AuthenticationError(method, path, **facts)
        if status in (402, 403):
            raise PermissionDenied(method, path, **facts)
        if status == 429:
            return RateLimited(method, path, **facts), _wait_requested(response)
        if status == 400 and refusal.code == CODE_OFFSET_CEILING:
            raise OffsetCeilingExceeded(method, path, **facts)
        if status == 408 or status >= 500:
            return ApiUnavailable(method, path, **facts), None
        raise ResponseError(method, path, detail=_client_error_detail(status), **facts)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, so that concurrent retries do not arrive together."""
        ceiling = min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

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
        flat). A listing longer than the
        offset ceiling raises ``OffsetCeilingExceeded`` with the count before anything is
        yielded; pages that repeat objects, come back empty while ``more`` is true, or lose
        objects raise ``PaginationError``.
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

        for _ in range(self.config.max_concurrency):
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
    ) -> AsyncIterator[dict[str, Any]]:
        """Every object of a cursor-paginated listing (``/audit/records``: ``max_span`` 31 days).

        With ``since``/``until`` the window is cut into spans of at most ``max_span``.
        A cursor that comes back unchanged, or objects seen twice, raise ``PaginationError``.
        """
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
                                             "cursor": cursor, "since": part_since,
                                             "until": part_until})
                for obj in listing.accept(page, None):
                    yield obj
                cursor = page.get("next_cursor")
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

    def error(self, detail: str, kind: type[ApiError] = PaginationError) -> ApiError:
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


def _client_error_detail(status: int) -> str:
    if status == 404:
        return "not found (an unknown id, or a path this account or region does not serve)"
    if status == 400:
        return "PagerDuty refused the arguments"
    return "unexpected answer"


@functools.cache
def _tls_failure(error: BaseException) -> str | None:
    """The TLS error behind a failed connection, in words, or None when it was not TLS."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return getattr(cause, "verify_message", None) or cause.reason or str(cause)
        cause = cause.__cause__ or cause.__context__
    return None


def _tls_context() -> ssl.SSLContext:
    """httpx's default verifying context, built once: loading the CA bundle costs ~50 ms."""
    return httpx.create_ssl_context()


def _user_agent() -> str:
    from pdlint import __version__

    return f"pdlint/{__version__} (read-only)"
