"""``AsyncioNetwork``, the sockets under httpcore's pool, against a real loopback server: what an
idle connection tells the pool (a server that closed it or spoke out of turn makes it unusable),
and reads that wait too long."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpcore
import pytest

from pdlint.pagerduty.transport import AsyncioNetwork

TLS = Path(__file__).parent.parent / "fixtures" / "tls"
"""A self-signed certificate for 127.0.0.1 and localhost, valid until 2126, and its key."""


async def silent(writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(1)


async def closing(writer: asyncio.StreamWriter) -> None:
    writer.close()


async def speaking(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
    await writer.drain()
    await asyncio.sleep(1)


async def connected(server_does: Callable[[asyncio.StreamWriter], Awaitable[None]],
                    ) -> tuple[httpcore.AsyncNetworkStream, asyncio.Server]:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server_does(writer)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    stream = await AsyncioNetwork().connect_tcp("127.0.0.1", port, timeout=5)
    await asyncio.sleep(0.05)  # what the server does has arrived
    return stream, server


@pytest.mark.anyio
@pytest.mark.parametrize(("server_does", "readable", "read"), [
    (silent, False, None),
    (closing, True, b""),
    (speaking, True, b"HTTP/1.1 408 Request Timeout\r\n\r\n"),
])
async def test_an_idle_connection_is_readable_once_the_server_closed_it_or_spoke(
        server_does: Callable[[asyncio.StreamWriter], Awaitable[None]], readable: bool,
        read: bytes | None) -> None:
    stream, server = await connected(server_does)
    try:
        assert stream.get_extra_info("is_readable") is readable
        if read is not None:
            assert await stream.read(65536, timeout=1) == read
    finally:
        await stream.aclose()
        server.close()


@pytest.mark.anyio
async def test_a_read_that_waits_longer_than_its_timeout_fails_as_a_timeout() -> None:
    stream, server = await connected(silent)
    try:
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(65536, timeout=0.05)
    finally:
        await stream.aclose()
        server.close()


@pytest.mark.anyio
@pytest.mark.parametrize(("trusted", "answer"), [
    (True, b"HTTP/1.1 204 No Content\r\n\r\n"),
    (False, None),
])
async def test_tls_is_spoken_over_the_connection_or_fails_with_its_reason(
        trusted: bool, answer: bytes | None) -> None:
    """PagerDuty is read over TLS: the handshake, then the request and its answer through it; a
    certificate not trusted fails the connection, with the SSL error as its cause."""
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(TLS / "server.pem", TLS / "server.key")

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=served)
    port = server.sockets[0].getsockname()[1]
    trust = ssl.create_default_context(cafile=TLS / "ca.pem" if trusted else None)
    plain = await AsyncioNetwork().connect_tcp("127.0.0.1", port, timeout=5)
    try:
        if answer is None:
            with pytest.raises(httpcore.ConnectError) as failed:
                await plain.start_tls(trust, "localhost", timeout=5)
            assert isinstance(failed.value.__cause__, ssl.SSLError)
            return
        secured = await plain.start_tls(trust, "localhost", timeout=5)
        assert secured.get_extra_info("ssl_object") is not None
        await secured.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", timeout=5)
        assert await secured.read(65536, timeout=5) == answer
        await secured.aclose()
    finally:
        await plain.aclose()
        server.close()


@pytest.mark.anyio
async def test_a_connect_cancelled_at_any_moment_leaves_no_connection_open() -> None:
    """A read cancelled by another's failure may be connecting: whenever the cancel lands (here
    after 0 to 11 turns of the loop, connected or not), the server sees the connection end, with
    the cyclic collector off (a socket only it would free stays open)."""
    open_connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_connections
        open_connections += 1
        await reader.read()
        open_connections -= 1
        writer.close()

    async def connect_then_cancel(turns: int) -> None:
        connecting = asyncio.ensure_future(
            AsyncioNetwork().connect_tcp("127.0.0.1", port, timeout=5))
        for _ in range(turns):
            await asyncio.sleep(0)
        connecting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await (await connecting).aclose()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    gc.disable()
    try:
        for turns in range(12):
            await connect_then_cancel(turns)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if open_connections == 0:
                break
        assert open_connections == 0
    finally:
        gc.enable()
        server.close()
