"""A forward proxy on loopback, as a corporate network puts one between pdlint and PagerDuty:
``CONNECT host:port`` opens a tunnel (https), a request in absolute form
(``GET http://host:port/path``) is passed on to that host (plain http; the simulator reads the
path of such a request). It keeps the head of each connection's first request, so that a test
can tell the traffic went through it, and with what."""

from __future__ import annotations

import selectors
import socket
import socketserver
import threading
from types import TracebackType
from urllib.parse import urlsplit


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        client: socket.socket = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        proxy: ForwardProxy = self.server.proxy  # type: ignore[attr-defined]
        proxy.seen.append(lines[0])
        proxy.headers.append({name.strip().lower(): value.strip() for name, _, value in
                              (line.partition(":") for line in lines[1:])})
        method, target, _ = lines[0].split(" ", 2)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = head.split(b"\r\n\r\n", 1)[1]
        else:
            parts = urlsplit(target)
            upstream = socket.create_connection((parts.hostname or "", parts.port or 80))
            rest = head
        with upstream:
            if rest:
                upstream.sendall(rest)
            _pipe(client, upstream)


def _pipe(one: socket.socket, other: socket.socket) -> None:
    """Bytes both ways until either side closes."""
    with selectors.DefaultSelector() as selector:
        selector.register(one, selectors.EVENT_READ, other)
        selector.register(other, selectors.EVENT_READ, one)
        while True:
            for key, _ in selector.select():
                try:
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
                except OSError:
                    return


class ForwardProxy:
    """The proxy, serving on a free loopback port while used as a context manager: ``url`` is
    what HTTPS_PROXY or HTTP_PROXY is set to; ``seen`` the first line of each connection's first
    request, ``headers`` its headers (names in lower case)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
