"""The simulated PagerDuty API over real HTTP on loopback, with auth, rate limit and faults.

Standard library only: a ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive in a
background thread, so that a pooled client reuses its connections as it would against
``api.pagerduty.com``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
import socket
import ssl
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from pdlint.sim.account import Account
from pdlint.sim.endpoints import Api, ApiRequest, ApiResponse, ErrorAnswer
from pdlint.sim.faults import (
    PAGE_FAULTS,
    PAGERDUTY_RATE_LIMIT,
    Fault,
    Faults,
    omit_field,
    path_matches,
)

HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>We're sorry, but something went wrong</title></head>"
    b"<body><h1>We're sorry, but something went wrong.</h1></body></html>"
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it; ``status`` is None when no answer was sent, and
    ``answer`` is the body sent (the bench decodes what a run received to measure its floor)."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int | None
    answer: bytes = field(default=b"", repr=False, compare=False)


class _FixedWindow:
    """PagerDuty-style rate limit: ``limit`` requests per window, per token. Unless ``enforced``
    it only counts, so that the headers still tell a client where it stands."""

    def __init__(self, limit: int, window_seconds: float, *, enforced: bool) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.enforced = enforced
        self.windows: dict[str, tuple[float, int]] = {}

    def admit(self, token: str, now: float) -> tuple[bool, int, int]:
        """(admitted, remaining, seconds until the window resets); refusals are not counted."""
        start, used = self.windows.get(token, (now, 0))
        if now - start >= self.window_seconds:
            start, used = now, 0
        admitted = used < self.limit or not self.enforced
        if admitted:
            used += 1
        self.windows[token] = (start, used)
        reset = max(0, int(start + self.window_seconds - now + 0.999))
        return admitted, max(0, self.limit - used), reset


@dataclass(frozen=True)
class _Decision:
    """What the fault layer decided for one request, before the API is asked."""

    drop: bool = False
    delay_seconds: float = 0.0
    status: int | None = None
    body_fault: str | None = None  # malformed_json, truncated_json or html_error_200
    page_fault: str | None = None
    omitted: tuple[tuple[str, str], ...] = ()
    """omit_field: the fields taken out of a 200 answer, each with the id of the one object it
    is taken out of (empty: every object)."""
    rate_headers: tuple[tuple[str, str], ...] = ()
    """rate_headers: the ``ratelimit-*`` values sent in place of the window's."""


def _told(headers: dict[str, str], told: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """``headers`` with the ``ratelimit-*`` values a ``rate_headers`` fault gives (empty: out)."""
    headers = dict(headers)
    for name, value in told:
        if value:
            headers[f"ratelimit-{name}"] = value
        else:
            headers.pop(f"ratelimit-{name}", None)
    return headers


class _HttpServer(ThreadingHTTPServer):
    """Accepts connections as a real API front end would: a full pooled client connects eight at
    once (the standard backlog of 5 would drop some and cost each a one-second SYN retry), and a
    client that hangs up before its answer is written (a read timeout) is not an error here."""

    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class SimServer:
    """A simulated PagerDuty account served on ``127.0.0.1`` until stopped.

    Use as a context manager; ``base_url`` is where it listens, ``requests`` every request
    answered so far, and ``faults`` may be replaced while it runs. With ``tls`` (a server
    context holding a certificate for 127.0.0.1) it speaks HTTPS, as PagerDuty does.
    """

    def __init__(
        self,
        account: Account,
        *,
        token: str = "sim-token",
        latency_ms: int = 0,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        cache_answers: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.account = account
        self.token = token
        self.latency_ms = latency_ms
        # The account never changes, so a read asked again may get the same bytes without the
        # work: a benchmark then measures its client, not the simulator's rendering on one core.
        self._answers: dict[tuple[str, str, str, bytes], bytes] | None = (
            {} if cache_answers else None)
        self._lock = threading.Lock()
        self._connections = 0
        self._closed = threading.Condition(self._lock)
        self._requests: list[RequestRecord] = []
        self._http = _HttpServer((host, port), _Handler, bind_and_activate=True)
        self._http.sim = self  # type: ignore[attr-defined]
        if tls is not None:
            # Each connection's handshake happens on its handler's thread, at its first read,
            # so that one slow client does not hold up the others' accept.
            self._http.socket = tls.wrap_socket(self._http.socket, server_side=True,
                                                do_handshake_on_connect=False)
        self._thread: threading.Thread | None = None
        scheme = "http" if tls is None else "https"
        self.base_url = f"{scheme}://{host}:{self._http.server_address[1]}"
        self._api = Api(account, self.base_url)
        self.faults = faults or Faults()

    def serve(self, account: Account) -> None:
        """Serve ``account`` from the next request on, at the same address: the account as
        someone changed it between two scheduled runs."""
        api = Api(account, self.base_url)
        with self._lock:
            self.account, self._api = account, api
            if self._answers is not None:
                self._answers.clear()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> SimServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._http.serve_forever, kwargs={"poll_interval": 0.05},
                name="pdlint-sim", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
            self._thread = None
        self._http.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (``pdlint sim serve``)."""
        try:
            self._http.serve_forever(poll_interval=0.2)
        finally:
            self._http.server_close()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- observable state ---------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the requests seen so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        """Install new faults: scripted request counts, rate windows and error draws restart."""
        with self._lock:
            self._faults = faults
            self._fault_counts = [0] * len(faults.scripted)
            self._vanished: set[str] = set()
            self._random = random.Random(faults.seed)
            self._rate = _FixedWindow(faults.rate_limit_per_minute or PAGERDUTY_RATE_LIMIT,
                                      faults.rate_limit_window_seconds,
                                      enforced=faults.rate_limit_per_minute is not None)

    # -- one request --------------------------------------------------------------------------

    def _decide(self, path: str) -> tuple[_Decision, Faults]:
        """Count the request against each scripted fault and pick the ones that hit."""
        with self._lock:
            faults = self._faults
            hits: list[Fault] = []
            for index, fault in enumerate(faults.scripted):
                if fault.matches(path):
                    self._fault_counts[index] += 1
                    if fault.requests is None or self._fault_counts[index] in fault.requests:
                        hits.append(fault)
            random_status = (self._random.choice(faults.error_statuses)
                             if faults.error_rate and self._random.random() < faults.error_rate
                             else None)
            if any(fault.kind == "vanish_between_pages" for fault in hits):
                self._vanished.add(path)
            vanished = path in self._vanished
        decision = _Decision(delay_seconds=self.latency_ms / 1000)
        for fault in hits:
            if fault.kind == "drop_connection":
                decision = replace(decision, drop=True)
            elif fault.kind == "slow":
                decision = replace(decision,
                                    delay_seconds=decision.delay_seconds + fault.delay_ms / 1000)
            elif fault.kind == "status":
                decision = replace(decision, status=decision.status or fault.status)
            elif fault.kind in PAGE_FAULTS:
                decision = replace(decision, page_fault=fault.kind)
            elif fault.kind == "rate_headers":
                decision = replace(decision, rate_headers=(*decision.rate_headers,
                                                           *fault.rate_headers))
            elif fault.kind == "omit_field":
                decision = replace(decision, omitted=(*decision.omitted,
                                                        (fault.field, fault.object_id)))
            else:
                decision = replace(decision, body_fault=fault.kind)
        if vanished and decision.page_fault is None:
            # A deleted object stays deleted: every later page of that list lacks it too.
            decision = replace(decision, page_fault="vanish_between_pages")
        if decision.status is None and random_status is not None:
            decision = replace(decision, status=random_status)
        return decision, faults

    def _rate_limit(self, token: str) -> tuple[bool, dict[str, str]]:
        """Whether the token's window admits the request, and the headers every answer carries."""
        with self._lock:
            admitted, remaining, reset = self._rate.admit(token, time.monotonic())
            limit = self._rate.limit
        return admitted, {"ratelimit-limit": str(limit), "ratelimit-remaining": str(remaining),
                          "ratelimit-reset": str(reset)}

    @contextlib.contextmanager
    def connection(self) -> Iterator[None]:
        """Counts a client connection while it is open (``settle`` waits for none)."""
        with self._lock:
            self._connections += 1
        try:
            yield
        finally:
            with self._lock:
                self._connections -= 1
                self._closed.notify_all()

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until every client connection is closed, at most ``timeout`` seconds; whether
        they are. A client that gave up (a read cancelled by another's failure) may have sent
        requests not yet answered: settled, none of them counts against faults installed next."""
        with self._lock:
            return self._closed.wait_for(lambda: self._connections == 0, timeout)

    def handle(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        path = parts.path or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        decision, faults = self._decide(path)
        token = _token(handler.headers.get("Authorization"))
        # Counted when it arrives, as PagerDuty counts it: a slow answer still being made when
        # new faults are installed belongs to the window it arrived in, not to theirs.
        admitted, rate_headers = (True, {}) if decision.drop else self._rate_limit(token or "")
        if decision.delay_seconds:
            time.sleep(decision.delay_seconds)
        if decision.drop:
            self._record(handler.command, path, query, None)
            handler.drop()
            return
        key = self._answer_key(handler.command, path, parts.query, body, token, admitted,
                               decision, faults)
        cached = None if key is None or self._answers is None else self._answers.get(key)
        rate_headers = _told(rate_headers, decision.rate_headers)
        if cached is not None:
            self._record(handler.command, path, query, 200, cached)
            handler.send(200, cached, "application/json", rate_headers)
            return
        response = self._answer(handler.command, path, query, body, token, admitted,
                                decision, faults)
        if response.status == 429 and admitted:
            # Injected, not the window's: PagerDuty may send such a 429 without the headers, and
            # a window's reset here would tell the client to wait for a refusal nobody counted.
            rate_headers = _told({}, decision.rate_headers)
        if decision.omitted and response.status == 200:
            stripped = copy.deepcopy(response.body)
            for field, object_id in decision.omitted:
                omit_field(stripped, field, object_id)
            response = replace(response, body=stripped)
        if decision.body_fault == "html_error_200":
            self._record(handler.command, path, query, response.status, HTML_ERROR_PAGE)
            handler.send(200, HTML_ERROR_PAGE, "text/html; charset=utf-8", rate_headers)
            return
        payload = b"" if response.body is None else json.dumps(
            response.body, separators=(",", ":")).encode()
        if decision.body_fault == "malformed_json" and response.status == 200:
            payload = payload[: len(payload) // 2] + b"<!-- not json -->"
        if decision.body_fault == "truncated_json" and response.status == 200:
            self._record(handler.command, path, query, 200, payload[: len(payload) // 2])
            handler.send(200, payload, "application/json", rate_headers, cut=len(payload) // 2)
            return
        self._record(handler.command, path, query, response.status, payload)
        if key is not None and self._answers is not None and response.status == 200:
            self._answers[key] = payload
        handler.send(response.status, payload, "application/json", rate_headers)

    def _answer_key(
        self,
        method: str,
        path: str,
        query_text: str,
        body: bytes,
        token: str | None,
        admitted: bool,
        decision: _Decision,
        faults: Faults,
    ) -> tuple[str, str, str, bytes] | None:
        """Where the answer to this request is kept with ``cache_answers``: a read (GET, or the
        analytics POST; other POSTs are refused, and refusals are not kept) that is let through
        while no fault but the rate limit is installed; else None."""
        unfaulted = Faults(rate_limit_per_minute=faults.rate_limit_per_minute,
                           rate_limit_window_seconds=faults.rate_limit_window_seconds)
        if (self._answers is None or method not in ("GET", "POST") or token != self.token
                or not admitted
                or decision != _Decision(delay_seconds=decision.delay_seconds)
                or faults != unfaulted):
            return None
        return method, path, query_text, body

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
        token: str | None,
        admitted: bool,
        decision: _Decision,
        faults: Faults,
    ) -> ApiResponse:
        if token != self.token:
            error = ErrorAnswer(401, 2006, "Authentication failed",
                             ["Give an API key as 'Authorization: Token token=<key>'."])
        elif not admitted:
            return ApiResponse(429, {"error": {"message": "Rate Limit Exceeded", "code": 2020}})
        elif forbidden := next((status for prefix, status in faults.forbidden.items()
                                if path_matches(prefix, path)), None):
            error = (ErrorAnswer(402, 2014, "Missing Account Ability",
                              ["The account's plan does not include this feature."])
                     if forbidden == 402 else
                     ErrorAnswer(403, 2010, "Access Denied",
                              ["You are not authorized to access this resource."]))
        elif decision.status == 429:
            return ApiResponse(429, {"error": {"message": "Rate Limit Exceeded", "code": 2020}})
        elif decision.status is not None:
            error = ErrorAnswer(decision.status, 2000, "An unexpected error has occurred")
        else:
            try:
                return self._api.handle(ApiRequest(method, path, query, body,
                                                   decision.page_fault, faults.max_page_size))
            except Exception:  # a simulator bug: answer like a server error, and show it
                traceback.print_exc()
                error = ErrorAnswer(500, 2000, "An unexpected error has occurred")
        return ApiResponse(error.status, error.body())

    def _record(self, method: str, path: str, query: dict[str, list[str]],
                status: int | None, answer: bytes = b"") -> None:
        with self._lock:
            self._requests.append(RequestRecord(method, path, query, status, answer))


def _token(authorization: str | None) -> str | None:
    prefix = "Token token="
    if authorization and authorization.startswith(prefix):
        return authorization[len(prefix):].strip()
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive answer back by about 40 ms.
    disable_nagle_algorithm = True
    server_version = "pdlint-sim"
    sys_version = ""

    def handle(self) -> None:
        with self.server.sim.connection():  # type: ignore[attr-defined]
            super().handle()

    def do_GET(self) -> None:
        self.server.sim.handle(self)  # type: ignore[attr-defined]

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def send(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        extra_headers: dict[str, str],
        cut: int | None = None,
    ) -> None:
        """Answer; with ``cut`` announce the whole payload but send only its first bytes."""
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
        for name, value in extra_headers.items():
            self.send_header(name, value)
        if cut is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload if cut is None else payload[:cut])
        if cut is not None:
            self.wfile.flush()
            self.drop()

    def drop(self) -> None:
        """Close the connection at once, answering nothing more."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are recorded in ``SimServer.requests`` instead."""
