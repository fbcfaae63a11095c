"""``ConnectionPool``, the connections the client keeps to PagerDuty, against a real loopback
server that counts them: kept alive and shared while the server keeps them, never more than the
bound, replaced once the server closes one, and given back by a request that is cancelled."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import httpcore
import pytest

from pdlint.pagerduty.transport import ConnectionPool


class Server:
    """HTTP/1.1 on loopback: answers each request with its path, keeps the connection unless
    told to close it after an answer (``closes``: saying so, or silently), and never answers
    ``/never``."""

    def __init__(self, closes: str | None = None) -> None:
        self.closes = closes
        self.connections = 0
        self.served = 0
        self.server: asyncio.Server | None = None

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ")[1]
                if path == b"/never":
                    await asyncio.sleep(10)
                self.served += 1
                said = b"Connection: close\r\n" if self.closes == "saying so" else b""
                writer.write(b"HTTP/1.1 200 OK\r\n" + said + b"Content-Length: "
                             + str(len(path)).encode() + b"\r\n\r\n" + path)
                await writer.drain()
                if self.closes is not None:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"


@pytest.fixture
async def running(request: pytest.FixtureRequest) -> AsyncIterator[Server]:
    server = Server(getattr(request, "param", None))
    server.server = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    yield server
    server.server.close()


def pool_of(size: int) -> ConnectionPool:
    return ConnectionPool(ssl.create_default_context(), size)


async def body(pool: ConnectionPool, url: str) -> bytes:
    return (await pool.request("GET", url)).content


@pytest.mark.anyio
@pytest.mark.parametrize(("size", "at_once", "connections"), [(1, 5, 1), (3, 3, 3), (3, 12, 3)])
async def test_requests_share_at_most_the_bound_of_kept_alive_connections(
        running: Server, size: int, at_once: int, connections: int) -> None:
    async with pool_of(size) as pool:
        for _ in range(3):
            answers = await asyncio.gather(*(body(pool, f"{running.url}/{index}")
                                             for index in range(at_once)))
            assert answers == [f"/{index}".encode() for index in range(at_once)]
    assert running.connections == connections


@pytest.mark.anyio
@pytest.mark.parametrize("running", ["saying so", "silently"], indirect=True)
async def test_a_connection_the_server_closed_is_replaced(running: Server) -> None:
    async with pool_of(1) as pool:
        for index in range(3):
            assert await body(pool, f"{running.url}/{index}") == f"/{index}".encode()
            await asyncio.sleep(0.02)  # the server's close has arrived
    assert running.connections == 3


@pytest.mark.anyio
async def test_a_cancelled_request_gives_its_place_back(running: Server) -> None:
    async with pool_of(1) as pool:
        stuck = asyncio.ensure_future(body(pool, f"{running.url}/never"))
        waiting = asyncio.ensure_future(body(pool, f"{running.url}/after"))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the one connection is taken
        stuck.cancel()
        assert await asyncio.wait_for(waiting, 5) == b"/after"
    assert running.connections == 2  # the cancelled request's connection was not reused


@pytest.mark.anyio
async def test_a_request_waits_for_a_connection_no_longer_than_its_pool_timeout(
        running: Server) -> None:
    async with pool_of(1) as pool:
        async with pool.stream("GET", f"{running.url}/held") as held:
            with pytest.raises(httpcore.PoolTimeout):
                await pool.request("GET", f"{running.url}/late",
                                   extensions={"timeout": {"pool": 0.05}})
            assert await held.aread() == b"/held"
        assert await body(pool, f"{running.url}/then") == b"/then"
    assert running.connections == 1
