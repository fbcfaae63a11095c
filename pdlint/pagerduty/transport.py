"""The read-only HTTP transport: the one gate every request passes, and how PagerDuty's answers
and failures are read into data or a typed error (``pdlint.pagerduty.errors``).

HTTP/1.1 is httpcore's, under httpx; the connections are kept by pdlint's own pool
(``ConnectionPool``; httpcore's through a proxy) on asyncio's own sockets (``AsyncioNetwork``);
the gate refuses every request that could write before a byte reaches the network.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import ipaddress
import math
import ssl
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpcore
import httpx

from pdlint.collector import collector_paused
from pdlint.pagerduty.errors import (
    ApiUnavailable,
    AuthenticationError,
    OffsetCeilingExceeded,
    PermissionDenied,
    RateLimited,
    ReadOnlyViolation,
    ResponseError,
)
from pdlint.pagerduty.pacing import KEY_WINDOW, KeyBudget
from pdlint.pagerduty.settings import ClientConfig, without_secrets
from pdlint.pagerduty.state import format_utc

ACCEPT = "application/vnd.pagerduty+json;version=2"
CODE_OFFSET_CEILING = 2002
ANALYTICS_INCIDENTS_PATH = "/analytics/raw/incidents"
"""The one POST the client may send: it reads, despite its method."""

Retryable = ApiUnavailable | RateLimited | ResponseError
"""The failures a later attempt may not meet: answered with the wait PagerDuty asked for."""


class ReadOnlyTransport(httpx.AsyncBaseTransport):
    """The one gate every request passes: GET, or POST to the analytics read endpoint only.

    It wraps whatever transport the client uses, so even code that reaches the ``Exchange``
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



class _Connection(asyncio.Protocol):
    """One connection's bytes as they arrive, and whoever waits for them."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.ended = False
        self.error: BaseException | None = None
        self.arrival: asyncio.Future[None] | None = None
        self.drained: asyncio.Future[None] | None = None

    def data_received(self, data: bytes) -> None:
        self.received += data
        self._wake()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        self.drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)
        self.drained = None

    def _wake(self) -> None:
        if self.arrival is not None and not self.arrival.done():
            self.arrival.set_result(None)


class _AsyncioStream(httpcore.AsyncNetworkStream):
    """A connection read and written through asyncio's transport and protocol, each wait timed
    by one timer of the loop."""

    def __init__(self, transport: asyncio.Transport, connection: _Connection) -> None:
        self._transport = transport
        self._connection = connection

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        connection = self._connection
        if not connection.received and not connection.ended:
            arrival = asyncio.get_running_loop().create_future()
            connection.arrival = arrival
            await _within(arrival, timeout, httpcore.ReadTimeout)
            connection.arrival = None
        if connection.received:
            data = bytes(connection.received[:max_bytes])
            del connection.received[:max_bytes]
            return data
        if connection.error is not None:
            raise httpcore.ReadError(str(connection.error)) from connection.error
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        drained = self._connection.drained
        if drained is not None:
            await _within(asyncio.shield(drained), timeout, httpcore.WriteTimeout)

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        if self._transport.get_extra_info("ssl_object") is not None:
            return await _TlsInTls.secure(self, ssl_context, server_hostname, timeout)
        try:
            secured = await asyncio.get_running_loop().start_tls(
                self._transport, self._connection, ssl_context,
                server_hostname=server_hostname, ssl_handshake_timeout=timeout)
        except (OSError, asyncio.TimeoutError) as error:
            self._transport.close()
            raise httpcore.ConnectError(str(error)) from error
        if secured is None:  # the connection closed during the handshake
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        return _AsyncioStream(secured, self._connection)

    def get_extra_info(self, info: str) -> Any:
        """What httpcore asks: ``is_readable`` of an idle connection means the server closed
        it (or sent what it should not have): answered from the bytes at hand, no system call."""
        if info == "is_readable":
            return bool(self._connection.received) or self._connection.ended
        names = {"ssl_object": "ssl_object", "client_addr": "sockname",
                 "server_addr": "peername", "socket": "socket"}
        return self._transport.get_extra_info(names[info]) if info in names else None


_Done = TypeVar("_Done")


class _TlsInTls(httpcore.AsyncNetworkStream):
    """TLS to PagerDuty inside the TLS of an ``https://`` proxy's tunnel, run in memory over the
    outer stream: asyncio's ``start_tls`` cannot secure a connection that is already TLS before
    Python 3.11."""

    def __init__(self, outer: httpcore.AsyncNetworkStream, ssl_context: ssl.SSLContext,
                 server_hostname: str | None) -> None:
        self._outer = outer
        self._incoming, self._outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._tls = ssl_context.wrap_bio(self._incoming, self._outgoing,
                                         server_hostname=server_hostname)

    @classmethod
    async def secure(cls, outer: httpcore.AsyncNetworkStream, ssl_context: ssl.SSLContext,
                     server_hostname: str | None, timeout: float | None) -> _TlsInTls:
        stream = cls(outer, ssl_context, server_hostname)
        try:
            await stream._until_done(stream._tls.do_handshake, timeout)
        except ssl.SSLError as error:
            await outer.aclose()
            raise httpcore.ConnectError(str(error)) from error
        return stream

    async def _until_done(self, step: Callable[[], _Done], timeout: float | None) -> _Done:
        """``step`` of the TLS object, fed the outer stream's bytes until it needs no more, and
        what it wrote sent on."""
        while True:
            try:
                done = step()
            except ssl.SSLWantReadError:
                await self._send_written(timeout)
                received = await self._outer.read(65536, timeout)
                if received:
                    self._incoming.write(received)
                else:
                    self._incoming.write_eof()
                continue
            await self._send_written(timeout)
            return done

    async def _send_written(self, timeout: float | None) -> None:
        written = self._outgoing.read()
        if written:
            await self._outer.write(written, timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return await self._until_done(lambda: self._tls.read(max_bytes), timeout)
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            return b""
        except ssl.SSLError as error:
            raise httpcore.ReadError(str(error)) from error

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            await self._until_done(lambda: self._tls.write(buffer), timeout)
        except ssl.SSLError as error:
            raise httpcore.WriteError(str(error)) from error

    async def aclose(self) -> None:
        await self._outer.aclose()

    def get_extra_info(self, info: str) -> Any:
        return self._tls if info == "ssl_object" else self._outer.get_extra_info(info)


async def _within(waited: asyncio.Future[None], timeout: float | None,
                  late: type[httpcore.TimeoutException]) -> None:
    """``waited``, failing with ``late`` after ``timeout`` seconds (None: no limit)."""
    if timeout is None:
        await waited
        return
    def expire() -> None:
        if not waited.done():
            waited.set_exception(late())

    timer = asyncio.get_running_loop().call_later(timeout, expire)
    try:
        await waited
    finally:
        timer.cancel()


HAPPY_EYEBALLS_DELAY = 0.25
"""Seconds before the next address of a host is tried alongside (RFC 8305's 250 ms, as anyio
waits): a network whose IPv6 route is broken does not cost the whole connect timeout."""


def _happy_eyeballs_delay(host: str) -> float | None:
    """``HAPPY_EYEBALLS_DELAY`` for a host name, none for an address: one address has nothing
    to race, and asyncio's race, cancelled (another read failed) just as an address connects,
    drops that socket without closing it; it stays open, holding the connection at the other
    end, until the cyclic collector happens to free it. Tried in order, a cancelled connect
    closes its socket."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return HAPPY_EYEBALLS_DELAY
    return None


class AsyncioNetwork(httpcore.AsyncNetworkBackend):
    """httpcore's sockets on asyncio's transports. httpcore's own backend for asyncio goes
    through anyio, whose bookkeeping (a cancel scope for every read and write, the socket's
    attributes rebuilt for every look at an idle connection, several a request) cost more CPU
    than the rest of a request (measured on loopback: 1.8 ms of CPU a request, 1.2 here)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            transport, connection = await asyncio.wait_for(loop.create_connection(
                _Connection, host, port, happy_eyeballs_delay=_happy_eyeballs_delay(host),
                local_addr=None if local_address is None else (local_address, 0)), timeout)
        except asyncio.TimeoutError as error:
            raise httpcore.ConnectTimeout(str(error)) from error
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        for option in socket_options or ():
            transport.get_extra_info("socket").setsockopt(*option)
        return _AsyncioStream(transport, connection)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("pdlint reads PagerDuty over TCP only")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Exchange:
    """The HTTP of one account: each request behind the read-only gate, authenticated, sent to
    the transport as it is (no redirects followed, no cookies kept), its answer read whole.

    httpx's client would merge a base URL, default headers and cookies into every request, run
    its auth and redirect flows, and read each answer's headers for cookies through urllib's
    request objects: nothing pdlint uses (PagerDuty authenticates every request by its token),
    at about a tenth of a request's CPU."""

    def __init__(self, config: ClientConfig,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = ReadOnlyTransport(transport or _network(config),
                                            urlsplit(config.api_url).path)
        self._headers = httpx.Headers({
            "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate", "Connection": "keep-alive",
            "User-Agent": _user_agent(), "Authorization": config.token.authorization()})
        self._timeouts = httpx.Timeout(config.read_timeout,
                                       connect=config.connect_timeout).as_dict()

    async def send(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                   json: Mapping[str, Any] | None = None) -> httpx.Response:
        """The answer to one request, its body read; ``httpx.TransportError`` when none came."""
        request = httpx.Request(method, url, params=params, json=json, headers=self._headers,
                                extensions={"timeout": self._timeouts})
        response = await self._transport.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()


def _network(config: ClientConfig) -> httpx.AsyncHTTPTransport:
    """httpx's transport, its connection pool replaced (httpx offers no way to name the pool
    or the network it uses): straight to PagerDuty, pdlint's own (``ConnectionPool``); through
    the forward proxy of ``config.proxy``, httpcore's proxy pool on ``AsyncioNetwork``, going
    as httpx's own transport would go (a CONNECT tunnel for https, the request passed on for
    plain http; the proxy's credentials in a Proxy-Authorization header to the proxy alone)."""
    limits, verify = httpx.Limits(max_connections=config.max_concurrency), _tls_context()
    transport = httpx.AsyncHTTPTransport(verify=verify, limits=limits)
    if config.proxy is None:
        transport._pool = ConnectionPool(verify, config.max_concurrency,
                                         keepalive_expiry=limits.keepalive_expiry)
        return transport
    proxy = httpx.Proxy(config.proxy)
    transport._pool = httpcore.AsyncHTTPProxy(
        proxy_url=httpcore.URL(scheme=proxy.url.raw_scheme, host=proxy.url.raw_host,
                               port=proxy.url.port, target=proxy.url.raw_path),
        proxy_auth=proxy.raw_auth,
        proxy_ssl_context=verify if proxy.url.scheme == "https" else None,
        ssl_context=verify, max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry, network_backend=AsyncioNetwork())
    return transport


class ConnectionPool(httpcore.AsyncConnectionPool):
    """At most ``max_connections`` kept-alive HTTP/1.1 connections (httpcore's, on
    ``AsyncioNetwork``): a request takes an idle one, else opens one, else waits for one to be
    given back. httpcore's own pool looks at every connection and every request in flight
    several times for each request (a cost that grows with both), and takes anyio's locks and
    shields on the way: an orchestration read through it cost 0.96 ms of CPU on loopback, 0.61
    ms through this one."""

    def __init__(self, ssl_context: ssl.SSLContext, max_connections: int, *,
                 keepalive_expiry: float | None = None,
                 network: httpcore.AsyncNetworkBackend | None = None) -> None:
        super().__init__(ssl_context=ssl_context, max_connections=max_connections,
                         keepalive_expiry=keepalive_expiry,
                         network_backend=network or AsyncioNetwork())
        ssl_context.set_alpn_protocols(["http/1.1"])
        self._tls = ssl_context
        self._idle: list[httpcore.AsyncHTTP11Connection] = []
        self._open = 0
        self._freed: deque[asyncio.Future[None]] = deque()
        self._closed = False

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        timeouts = request.extensions.get("timeout", {})
        while True:
            connection = await self._connection(request.url.origin, timeouts)
            try:
                response = await connection.handle_async_request(request)
            except httpcore.ConnectionNotAvailable:  # closed since it was found idle
                await self._given_back(connection)
                continue
            except BaseException:
                await self._given_back(connection)
                raise
            response.stream = _Body(response.stream, self, connection)
            return response

    async def _connection(self, origin: httpcore.Origin, timeouts: Mapping[str, float | None],
                          ) -> httpcore.AsyncHTTP11Connection:
        """An idle connection to ``origin`` still open, else a new one once there is room."""
        while True:
            if self._closed:
                raise httpcore.ConnectError("the connection pool is closed")
            while self._idle:
                connection = self._idle.pop()
                if (connection.can_handle_request(origin) and connection.is_idle()
                        and not connection.has_expired()):
                    return connection
                await self._forget(connection)
            if self._open < self._max_connections:
                self._open += 1
                try:
                    return await self._connect(origin, timeouts.get("connect"))
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
            freed = asyncio.get_running_loop().create_future()
            self._freed.append(freed)
            try:
                await _within(freed, timeouts.get("pool"), httpcore.PoolTimeout)
            finally:
                if freed in self._freed:
                    self._freed.remove(freed)

    async def _connect(self, origin: httpcore.Origin, timeout: float | None,
                       ) -> httpcore.AsyncHTTP11Connection:
        host = origin.host.decode("ascii")
        stream = await self._network_backend.connect_tcp(host, origin.port, timeout=timeout)
        if origin.scheme == b"https":
            try:
                stream = await stream.start_tls(self._tls, server_hostname=host,
                                                timeout=timeout)
            except BaseException:
                await stream.aclose()
                raise
        return httpcore.AsyncHTTP11Connection(origin, stream,
                                              keepalive_expiry=self._keepalive_expiry)

    async def _given_back(self, connection: httpcore.AsyncHTTP11Connection) -> None:
        """A request is done with ``connection``: kept while it can serve another."""
        self._wake()
        if not self._closed and connection.is_idle() and not connection.has_expired():
            self._idle.append(connection)
        else:
            await self._forget(connection)

    async def _forget(self, connection: httpcore.AsyncHTTP11Connection) -> None:
        self._open -= 1
        await connection.aclose()

    def _wake(self) -> None:
        while self._freed:
            freed = self._freed.popleft()
            if not freed.done():
                freed.set_result(None)
                return

    async def aclose(self) -> None:
        self._closed = True
        while self._idle:
            await self._forget(self._idle.pop())
        for freed in self._freed:
            if not freed.done():
                freed.set_result(None)

    async def __aenter__(self) -> ConnectionPool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _Body:
    """A response's body as httpcore streams it; its connection is given back to the pool once
    it is closed, read to its end or not."""

    def __init__(self, stream: Any, pool: ConnectionPool,
                 connection: httpcore.AsyncHTTP11Connection) -> None:
        self._stream, self._pool, self._connection = stream, pool, connection
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._stream:
                yield part
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                await self._stream.aclose()
            finally:
                await self._pool._given_back(self._connection)


def query_of(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Query parameters as PagerDuty reads them: times in UTC, booleans in words, None left out."""
    return {key: _format_param(value) for key, value in (params or {}).items()
            if value is not None}


def connection_failure(method: str, path: str, error: httpx.TransportError, api_url: str,
                       proxy: str | None = None) -> ApiUnavailable:
    """A request that got no answer, as a retryable error, naming the forward proxy when one
    stands between (a proxy that cannot be reached is not PagerDuty failing); a TLS failure,
    which a retry meets again, and a proxy asking for credentials are raised."""
    if isinstance(error, httpx.TimeoutException):
        return ApiUnavailable(method, path, detail="PagerDuty did not answer in time")
    shown = None if proxy is None else without_secrets(proxy)
    through = "" if shown is None else f" through the proxy {shown!r}"
    tls = _tls_failure(error)
    if tls is not None:
        raise ApiUnavailable(method, path,
                             detail=f"TLS with {api_url}{through} failed ({tls})") from None
    if shown is not None and isinstance(error, httpx.ProxyError):
        refusal = ApiUnavailable(method, path, detail=(
            f"the proxy {shown!r} refused the way to {api_url} ({error})"))
        if str(error).startswith("407"):
            raise refusal from None
        return refusal
    if shown is not None and isinstance(error, httpx.ConnectError):
        return ApiUnavailable(method, path, detail=(
            f"the proxy {shown!r} (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) could not be reached "
            "(ConnectError)"))
    return ApiUnavailable(method, path, detail=(
        f"connection to {api_url}{through} failed ({type(error).__name__})"))


def read_answer(method: str, path: str, response: httpx.Response,
                ) -> tuple[dict[str, Any] | Retryable, float | None]:
    """The decoded body, or a retryable error with the wait PagerDuty asked for.

    Errors that retrying cannot fix are raised here; the others are returned to the caller.
    """
    status = response.status_code
    if 200 <= status < 300:
        try:
            with collector_paused():  # a page is up to a million acyclic objects
                data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return ResponseError(method, path, status=status,
                                 detail="the response body is not a JSON object"), None
        return data, None
    error = _error_body(response)
    facts: dict[str, Any] = {"status": status, "api_message": error.message,
                             "api_code": error.code}
    if status == 401:
        raise AuthenticationError(method, path, **facts)
    if status in (402, 403):
        raise PermissionDenied(method, path, **facts)
    if status == 429:
        return RateLimited(method, path, **facts), _wait_requested(response)
    if status == 400 and error.code == CODE_OFFSET_CEILING:
        raise OffsetCeilingExceeded(method, path, **facts)
    if status == 408 or status >= 500:
        return ApiUnavailable(method, path, **facts), None
    raise ResponseError(method, path, detail=_client_error_detail(status), **facts)


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
    """Seconds PagerDuty asks to wait: ``ratelimit-reset``, else ``Retry-After`` (secs or date);
    None (the client's own backoff) when neither is readable.

    A ``ratelimit-reset`` that is not a number of seconds within PagerDuty's minute
    (``reset_seconds``) is not read, nor is a ``Retry-After`` that is not a finite number of
    seconds, zero or more: ``max(0, nan)`` would retry at once, an epoch stamp or ``inf`` never.
    """
    reset = reset_seconds(response.headers.get("ratelimit-reset"))
    if reset is not None:
        return reset
    value = response.headers.get("retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


def _seconds(value: str | None, at_most: float = math.inf) -> float | None:
    """``value`` as a finite number of seconds from 0 to ``at_most``; None if it is not one."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and 0.0 <= seconds <= at_most else None


def reset_seconds(value: str | None) -> float | None:
    """A ``ratelimit-reset`` header: the seconds until the key's window resets, or None.

    PagerDuty documents the value as the seconds until the rate-limit window resets, and the
    window as a minute (``KEY_WINDOW``): anything else (an epoch time stamp, ``inf``, ``nan``,
    a negative number, 1e400) is not what PagerDuty means by it, so it is not read, as if the
    header were missing, rather than capped: a time stamp capped to a minute would still be a
    guess, and the client's own budget already paces without it. This also bounds every wait
    the header can cause to a minute.
    """
    return _seconds(value, KEY_WINDOW)


def key_budget(response: httpx.Response) -> KeyBudget | None:
    """PagerDuty's word on the key's rate limit, from the ``ratelimit-*`` headers; None when
    ``ratelimit-remaining`` or ``ratelimit-reset`` is absent or unreadable (a count below zero,
    a reset that ``reset_seconds`` does not read). An unreadable ``ratelimit-limit`` alone is
    not read (None) and the rest still is."""
    remaining = _count(response.headers.get("ratelimit-remaining"), least=0)
    reset = reset_seconds(response.headers.get("ratelimit-reset"))
    if remaining is None or reset is None:
        return None
    return KeyBudget(remaining, reset, _count(response.headers.get("ratelimit-limit"), least=1))


def _count(value: str | None, *, least: int) -> int | None:
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number >= least else None


def _format_param(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


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
