"""``AsyncioNetwork``, the sockets under httpcore's pool, against a real loopback server: what an
idle connection tells the pool (a server that closed it or spoke out of turn makes it unusable),
and reads that wait too long."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpcore
import pytest

from pdlint.pagerduty.transport import AsyncioNetwork


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
