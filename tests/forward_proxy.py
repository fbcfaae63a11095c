"""A forward proxy on loopback, as a corporate network puts one between pdlint and PagerDuty:
``CONNECT host:port`` opens a tunnel (https), a request in absolute form
(``GET http://host:port/path``) is passed on to that host (plain http; the simulator reads the
path of such a request). It keeps the head of each connection's first request, so that a test
can tell the traffic went through it, and with what."""

from __future__ import annotations

import selectors
import socket
import socketserver
import ssl
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
        if proxy.refusal is not None:
            client.sendall(f"HTTP/1.1 {proxy.refusal}\r\nContent-Length: 0\r\n\r\n".encode())
            return
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
                    while isinstance(key.fileobj, ssl.SSLSocket) and key.fileobj.pending():
                        key.data.sendall(key.fileobj.recv(65536))
                except OSError:
                    return


class _TlsServer(socketserver.ThreadingTCPServer):
    """A proxy reached over TLS (an ``https://`` proxy URL): each connection is secured with
    ``tls`` before its first request is read."""

    def __init__(self, address: tuple[str, int], tls: ssl.SSLContext) -> None:
        super().__init__(address, _Handler)
        self.tls = tls

    def get_request(self) -> tuple[socket.socket, object]:
        client, address = super().get_request()
        return self.tls.wrap_socket(client, server_side=True), address


class ForwardProxy:
    """The proxy, serving on a free loopback port while used as a context manager: ``url`` is
    what HTTPS_PROXY or HTTP_PROXY is set to (``https://`` with ``tls``, the proxy's own server
    context); ``seen`` the first line of each connection's first request, ``headers`` its headers
    (names in lower case). With ``refusal`` (a status line's code and reason) it answers every
    request with that status instead of passing it on."""

    def __init__(self, tls: ssl.SSLContext | None = None, refusal: str | None = None) -> None:
        self.refusal = refusal
        self.seen: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._server = (socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
                        if tls is None else _TlsServer(("127.0.0.1", 0), tls))
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        scheme = "http" if tls is None else "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
