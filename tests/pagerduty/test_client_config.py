"""Connection settings: base URL and region, https only off loopback, where the token comes from."""

from __future__ import annotations

import asyncio
import bisect
from pathlib import Path

import pytest
from pagerduty_cases import TOKEN

from pdlint.pagerduty.errors import ConfigurationError
from pdlint.pagerduty.pacing import AHEAD, URGENT, RateLimiter, Turns
from pdlint.pagerduty.settings import (
    ApiToken,
    ClientConfig,
    resolve_client_config,
    validate_api_url,
)


@pytest.mark.parametrize(("url", "accepted"), [
    ("https://api.pagerduty.com", "https://api.pagerduty.com"),
    ("https://api.eu.pagerduty.com/", "https://api.eu.pagerduty.com"),
    ("https://proxy.example.com/pagerduty/", "https://proxy.example.com/pagerduty"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://127.8.9.10:8080", "http://127.8.9.10:8080"),
    ("http://localhost:9000", "http://localhost:9000"),
    ("http://[::1]:9000", "http://[::1]:9000"),
])
def test_accepted_urls(url: str, accepted: str) -> None:
    assert validate_api_url(url) == accepted


@pytest.mark.parametrize(("url", "message"), [
    ("http://api.pagerduty.com", "plain http"),
    ("http://10.0.0.8:8080", "plain http"),
    ("http://localhost.example.com", "plain http"),
    ("ftp://api.pagerduty.com", "not an http"),
    ("api.pagerduty.com", "not an http"),
    ("https://user:secret@api.pagerduty.com", "credentials"),
    ("https://api.pagerduty.com/?token=x", "credentials"),
])
def test_refused_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        validate_api_url(url)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("api_url", "region", "environ", "expected"), [
    (None, None, {}, "https://api.pagerduty.com"),
    (None, "eu", {}, "https://api.eu.pagerduty.com"),
    (None, "us", {"PAGERDUTY_API_URL": "https://api.eu.pagerduty.com"},
     "https://api.pagerduty.com"),
    (None, None, {"PAGERDUTY_API_URL": "https://api.eu.pagerduty.com"},
     "https://api.eu.pagerduty.com"),
    ("http://127.0.0.1:5000", None, {"PAGERDUTY_API_URL": "https://api.eu.pagerduty.com"},
     "http://127.0.0.1:5000"),
    ("https://api.eu.pagerduty.com/", "eu", {}, "https://api.eu.pagerduty.com"),
])
def test_base_url_precedence(api_url: str | None, region: str | None,
                             environ: dict[str, str], expected: str) -> None:
    config = resolve_client_config(api_url=api_url, region=region, token_file=None,
                                   environ={"PAGERDUTY_API_TOKEN": TOKEN, **environ})
    assert config.api_url == expected


@pytest.mark.parametrize(("api_url", "region", "message"), [
    ("https://api.pagerduty.com", "eu", "disagree"),
    (None, "apac", "unknown region"),
    ("http://pagerduty.example.com", None, "plain http"),
])
def test_conflicting_or_bad_connection_options(api_url: str | None, region: str | None,
                                               message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        resolve_client_config(api_url=api_url, region=region, token_file=None,
                              environ={"PAGERDUTY_API_TOKEN": TOKEN})


def test_token_from_file_wins_over_environment(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{TOKEN}\n")
    config = resolve_client_config(api_url=None, region=None, token_file=str(token_file),
                                   environ={"PAGERDUTY_API_TOKEN": "other"})
    assert config.token == ApiToken(TOKEN)


@pytest.mark.parametrize(("content", "environ", "message"), [
    (None, {}, "no API token: set PAGERDUTY_API_TOKEN or give a token file"),
    (None, {"PAGERDUTY_API_TOKEN": "  "}, "no API token"),
    ("", {}, r"token file .*token is empty"),
    ("two words", {}, "contains spaces"),
    ("missing", {}, r"cannot read token file .*missing"),
])
def test_token_problems_are_clear(tmp_path: Path, content: str | None,
                                  environ: dict[str, str], message: str) -> None:
    token_file = None
    if content == "missing":
        token_file = str(tmp_path / "missing")
    elif content is not None:
        (tmp_path / "token").write_text(content)
        token_file = str(tmp_path / "token")
    with pytest.raises(ConfigurationError, match=message):
        resolve_client_config(api_url=None, region=None, token_file=token_file, environ=environ)


def test_the_token_never_shows_in_reprs() -> None:
    config = ClientConfig(api_url="https://api.pagerduty.com", token=ApiToken(TOKEN))
    for text in (repr(config), str(config), repr(config.token), str(config.token),
                 f"{config.token}", f"{config!r}"):
        assert TOKEN not in text
    assert config.token.authorization() == f"Token token={TOKEN}"


class FakeTime:
    """A clock that moves only when slept on, so the limiter can be measured exactly."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.anyio
@pytest.mark.parametrize(("per_minute", "burst", "requests", "priority", "elapsed"), [
    (60, 1, 1, URGENT, 0.0),
    (60, 1, 11, URGENT, 10.0),
    (60, 5, 15, URGENT, 10.0),
    (900, 10, 910, URGENT, 60.0),
    (60, 1, 11, AHEAD, 10.0),  # a bucket of one keeps nothing back
    (60, 5, 15, AHEAD, 11.0),  # the last token is left for an urgent request
    (900, 10, 910, AHEAD, 60.0 + 1 / 15),
])
async def test_rate_limiter_spaces_requests(per_minute: float, burst: int, requests: int,
                                            priority: int, elapsed: float) -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute, burst, sleep=fake.sleep, clock=fake.clock)
    for _ in range(requests):
        await limiter.acquire(priority)
    assert fake.now == pytest.approx(elapsed)


@pytest.mark.anyio
async def test_an_urgent_request_finds_the_token_look_ahead_pages_left() -> None:
    fake = FakeTime()
    limiter = RateLimiter(60, 5, sleep=fake.sleep, clock=fake.clock)
    for _ in range(6):  # four leave at once; the fifth and sixth each wait for a refill
        await limiter.acquire(AHEAD)
    drained = fake.now
    await limiter.acquire(URGENT)
    assert fake.now == drained == pytest.approx(2.0)


@pytest.mark.anyio
@pytest.mark.parametrize("priorities", [[URGENT], [AHEAD], [AHEAD, AHEAD, URGENT]],
                         ids=["urgent", "ahead", "mixed"])
async def test_the_default_pace_keeps_every_minute_under_pagerduty_limit(
        priorities: list[int]) -> None:
    """PagerDuty allows 960 requests a minute per key: no 60-second window of a long run may
    hold more, bucket included, whatever the mix of priorities."""
    defaults = ClientConfig(api_url="https://api.pagerduty.com", token=ApiToken("t"))
    fake = FakeTime()
    limiter = RateLimiter(defaults.requests_per_minute, defaults.burst, sleep=fake.sleep,
                          clock=fake.clock)
    sent = []
    for number in range(3000):
        await limiter.acquire(priorities[number % len(priorities)])
        sent.append(fake.now)
    busiest = max(bisect.bisect_right(sent, start + 60 - 1e-9) - index
                  for index, start in enumerate(sent))
    assert 940 <= busiest <= 960


@pytest.mark.anyio
async def test_rate_limiter_pause_holds_every_request() -> None:
    fake = FakeTime()
    limiter = RateLimiter(60, 10, sleep=fake.sleep, clock=fake.clock)
    limiter.pause(7)
    await limiter.acquire()
    assert fake.now == pytest.approx(7)
    await limiter.acquire()  # the bucket restarts nearly empty: no burst right after a 429
    assert fake.now == pytest.approx(7 + 1)


async def admission_order(priorities: list[int], cancelled: frozenset[int] = frozenset(),
                          ) -> list[int]:
    """The order in which waiters with ``priorities`` are let in, one at a time, behind a
    holder; the waiters numbered in ``cancelled`` give up before their turn."""
    turns, admitted = Turns(1), []
    release = asyncio.Event()

    async def holder() -> None:
        async with turns.turn(URGENT):
            await release.wait()

    async def waiter(number: int, priority: int) -> None:
        async with turns.turn(priority):
            admitted.append(number)

    first = asyncio.ensure_future(holder())
    await asyncio.sleep(0)
    waiters = [asyncio.ensure_future(waiter(number, priority))
               for number, priority in enumerate(priorities)]
    await asyncio.sleep(0)
    for number in cancelled:
        waiters[number].cancel()
    release.set()
    await asyncio.gather(first, *waiters, return_exceptions=True)
    return admitted


@pytest.mark.anyio
@pytest.mark.parametrize(("priorities", "cancelled", "expected"), [
    ([URGENT, URGENT, URGENT], frozenset(), [0, 1, 2]),
    ([AHEAD, AHEAD, URGENT, AHEAD, URGENT], frozenset(), [2, 4, 0, 1, 3]),
    ([AHEAD, URGENT, AHEAD], frozenset({1}), [0, 2]),
    ([URGENT, URGENT], frozenset({0, 1}), []),
], ids=["arrival-order", "urgent-first", "a-cancelled-waiter-is-skipped", "all-cancelled"])
async def test_turns_let_urgent_waiters_in_first(priorities: list[int], cancelled: frozenset[int],
                                                 expected: list[int]) -> None:
    assert await admission_order(priorities, cancelled) == expected


@pytest.mark.anyio
async def test_a_turn_given_to_a_cancelled_waiter_passes_on() -> None:
    turns, admitted = Turns(1), []

    async def waiter(number: int) -> None:
        async with turns.turn(URGENT):
            admitted.append(number)

    async with turns.turn(URGENT):
        late, next_in_line = asyncio.ensure_future(waiter(0)), asyncio.ensure_future(waiter(1))
        await asyncio.sleep(0)
    late.cancel()  # admitted on leaving the block above, cancelled before it could run
    await asyncio.wait_for(asyncio.gather(late, next_in_line, return_exceptions=True), 5)
    assert admitted == [1]
    async with turns.turn(URGENT):  # and the turn is free again afterwards
        admitted.append(2)
    assert admitted == [1, 2]


@pytest.mark.anyio
async def test_reserved_places_are_kept_for_urgent_waiters() -> None:
    turns, inside = Turns(3, reserved=1), []
    release = asyncio.Event()

    async def holder(name: str, priority: int) -> None:
        async with turns.turn(priority):
            inside.append(name)
            await release.wait()

    holders = [asyncio.ensure_future(holder(name, priority)) for name, priority in
               [("ahead-1", AHEAD), ("ahead-2", AHEAD), ("ahead-3", AHEAD), ("urgent", URGENT)]]
    for _ in range(3):
        await asyncio.sleep(0)
    assert inside == ["ahead-1", "ahead-2", "urgent"]  # the third look-ahead waits
    release.set()
    await asyncio.wait_for(asyncio.gather(*holders), 5)
    assert inside[-1] == "ahead-3"


class HeldTime:
    """A clock whose sleeps last until the test lets them end (then they take their time)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeping, self.wake = asyncio.Event(), asyncio.Event()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeping.set()
        await self.wake.wait()
        self.now += seconds


@pytest.mark.anyio
async def test_an_urgent_request_does_not_queue_behind_a_look_ahead_waiting_for_a_refill() -> None:
    held = HeldTime()
    limiter = RateLimiter(60, 5, sleep=held.sleep, clock=held.clock)
    for _ in range(4):
        await limiter.acquire(AHEAD)
    waiting = asyncio.ensure_future(limiter.acquire(AHEAD))  # needs two tokens, one is left
    await held.sleeping.wait()
    await asyncio.wait_for(limiter.acquire(URGENT), 5)  # takes the one left, at once
    assert held.now == 0.0 and not waiting.done()
    held.wake.set()
    await asyncio.wait_for(waiting, 5)
    assert held.now == pytest.approx(2.0)  # two refills: the urgent request took one
