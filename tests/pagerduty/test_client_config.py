"""Connection settings: base URL and region, https only off loopback, where the token comes from."""

from __future__ import annotations

import asyncio
import bisect
import logging
from pathlib import Path

import pytest
from pagerduty_cases import TOKEN

from pdlint.pagerduty.errors import ConfigurationError
from pdlint.pagerduty.pacing import AHEAD, URGENT, Budget, Turns
from pdlint.pagerduty.settings import (
    ApiToken,
    ClientConfig,
    proxy_for,
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
@pytest.mark.parametrize(("per_window", "requests", "priority", "elapsed"), [
    (900, 1, URGENT, 0.0),
    (900, 900, URGENT, 0.0),  # the whole budget leaves at once
    (900, 901, URGENT, 60.0),  # the next when the first is a minute old
    (10, 25, URGENT, 120.0),  # 10 at once, 10 a minute later, 5 a minute after that
    (10, 9, AHEAD, 0.0),
    (10, 10, AHEAD, 60.0),  # look-ahead pages leave the last place to an urgent request
    (1, 3, AHEAD, 120.0),  # a budget of one keeps nothing back
])
async def test_the_budget_lets_a_minute_of_requests_leave_at_once(
        per_window: int, requests: int, priority: int, elapsed: float) -> None:
    fake = FakeTime()
    budget = Budget(per_window, sleep=fake.sleep, clock=fake.clock)
    for _ in range(requests):
        await budget.acquire(priority)
    assert fake.now == pytest.approx(elapsed)


@pytest.mark.anyio
@pytest.mark.parametrize("priorities", [[URGENT], [AHEAD], [AHEAD, AHEAD, URGENT]],
                         ids=["urgent", "ahead", "mixed"])
async def test_no_sliding_minute_holds_more_than_the_default_budget(
        priorities: list[int]) -> None:
    """PagerDuty allows 960 requests a minute per key: no 60-second window of a long run may
    hold more than the 900 of the budget, whatever the mix of priorities."""
    defaults = ClientConfig(api_url="https://api.pagerduty.com", token=ApiToken("t"))
    fake = FakeTime()
    budget = Budget(defaults.requests_per_minute, defaults.budget_window, sleep=fake.sleep,
                    clock=fake.clock)
    sent = []
    for number in range(3000):
        await budget.acquire(priorities[number % len(priorities)])
        sent.append(fake.now)
    busiest = max(bisect.bisect_right(sent, start + 60 - 1e-9) - index
                  for index, start in enumerate(sent))
    assert 899 <= busiest <= 900


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("key_share", "remaining", "reset", "limit", "in_flight", "requests", "elapsed"), [
        (60, 960, 60, None, 1, 900, 0.0),  # nobody else on the key: the budget alone paces
        (60, 70, 30, None, 1, 10, 0.0),  # others spent 890: 10 more leave the key's last 60
        (60, 70, 30, None, 1, 11, 30.0),  # the 11th waits for PagerDuty's window to reset
        (60, 20, 5, None, 1, 1, 5.0),  # already within the share: wait for the reset
        (None, 5, 30, None, 1, 50, 0.0),  # the headers not read
        (60, 70, 30, 960, 8, 10, 0.0),  # PagerDuty's 960 said: 60 left to others, as before
        (60, 70, 30, 960, 8, 11, 30.0),
        (60, 49, 30, 50, 1, 45, 0.0),  # a limit of 50: 60/960 of it is 3.125, 4 left
        (60, 49, 30, 50, 1, 46, 30.0),
        (60, 49, 30, 50, 8, 41, 0.0),  # but never fewer than the requests in flight: 8 left
        (60, 49, 30, 50, 8, 42, 30.0),
        (60, 49, 30, None, 8, 1, 30.0),  # no limit said: 60 left, whatever the limit is
        (192, 29, 2, 30, 2, 23, 0.0),  # 192 of 960 is a fifth: 6 of a limit of 30
        (192, 29, 2, 30, 2, 24, 2.0),
    ])
async def test_the_key_s_headers_leave_other_tools_their_share(
        key_share: int | None, remaining: int, reset: float, limit: int | None, in_flight: int,
        requests: int, elapsed: float) -> None:
    fake = FakeTime()
    budget = Budget(900, key_share=key_share, in_flight=in_flight, sleep=fake.sleep,
                    clock=fake.clock)
    budget.observe(remaining, reset, limit)
    for _ in range(requests):
        await budget.acquire()
    assert fake.now == pytest.approx(elapsed)


@pytest.mark.anyio
@pytest.mark.parametrize(("remaining", "reset", "said"), [
    (10, 30.0, ["the API key has 10 requests left in PagerDuty's rate-limit window, kept for "
                "other tools on the key; waiting 30 s for the window to reset"]),
    (10, 4.0, []),  # a short wait goes unsaid
    (900, 30.0, []),  # no wait for the key
])
async def test_a_long_wait_for_the_key_is_said_once(
        caplog: pytest.LogCaptureFixture, remaining: int, reset: float, said: list[str]) -> None:
    fake = FakeTime()
    budget = Budget(900, sleep=fake.sleep, clock=fake.clock)
    budget.observe(remaining, reset)
    with caplog.at_level(logging.INFO, logger="pdlint.pagerduty"):
        await asyncio.gather(*(budget.acquire() for _ in range(3)))
    assert [record.getMessage().removeprefix("pdlint: ") for record in caplog.records] == said


@pytest.mark.anyio
async def test_a_wait_for_the_key_moved_by_a_later_answer_is_not_said_again(
        caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTime()
    budget = Budget(900, sleep=fake.sleep, clock=fake.clock)

    async def sleep(seconds: float) -> None:  # an answer arrives 20 s in: 30 s more to wait
        if fake.now == 0:
            fake.now = 20.0
            budget.observe(9, 30)
        else:
            await fake.sleep(seconds)

    budget._sleep = sleep
    budget.observe(10, 30)
    with caplog.at_level(logging.INFO, logger="pdlint.pagerduty"):
        await budget.acquire()
    assert fake.now == pytest.approx(50.0)
    assert [record.getMessage().endswith("waiting 30 s for the window to reset")
            for record in caplog.records] == [True]  # said at 0 s, not again at 20 s


@pytest.mark.anyio
async def test_a_pause_holds_every_request() -> None:
    fake = FakeTime()
    budget = Budget(900, sleep=fake.sleep, clock=fake.clock)
    budget.pause(7)
    await budget.acquire()
    await budget.acquire(AHEAD)
    assert fake.now == pytest.approx(7)


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
async def test_an_urgent_request_does_not_queue_behind_a_look_ahead_waiting_for_the_budget(
        ) -> None:
    held = HeldTime()
    budget = Budget(5, sleep=held.sleep, clock=held.clock)
    for _ in range(4):
        await budget.acquire(AHEAD)
    waiting = asyncio.ensure_future(budget.acquire(AHEAD))  # the last place is kept back
    await held.sleeping.wait()
    await asyncio.wait_for(budget.acquire(URGENT), 5)  # takes the place kept, at once
    assert held.now == 0.0 and not waiting.done()
    held.wake.set()
    await asyncio.wait_for(waiting, 5)
    assert held.now == pytest.approx(60.0)  # a minute after the first four


API = "https://api.pagerduty.com"


@pytest.mark.parametrize(("url", "environ", "proxy"), [
    pytest.param(API, {}, None, id="none-set"),
    pytest.param(API, {"HTTPS_PROXY": "http://proxy:3128"}, "http://proxy:3128", id="https"),
    pytest.param(API, {"https_proxy": "http://low:3128", "HTTPS_PROXY": "http://up:3128"},
                 "http://low:3128", id="lower-case-first"),
    pytest.param(API, {"HTTP_PROXY": "http://proxy:3128"}, None, id="http-proxy-not-for-https"),
    pytest.param(API, {"ALL_PROXY": "proxy:3128"}, "http://proxy:3128", id="all-no-scheme"),
    pytest.param(API, {"HTTPS_PROXY": "https://proxy:3129", "ALL_PROXY": "http://all:1"},
                 "https://proxy:3129", id="scheme-before-all"),
    pytest.param("http://127.0.0.1:8080", {"HTTP_PROXY": "http://127.0.0.1:3128"},
                 "http://127.0.0.1:3128", id="loopback-through-loopback"),
    pytest.param("http://127.0.0.1:8080", {"HTTP_PROXY": "http://proxy.corp:3128"}, None,
                 id="loopback-never-through-another-machine"),
    *(pytest.param(API, {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": no_proxy}, proxy,
                   id=f"no-proxy-{no_proxy or 'empty'}")
      for no_proxy, proxy in (
          ("*", None), ("pagerduty.com", None), (".pagerduty.com", None),
          ("api.pagerduty.com", None), ("example.com, pagerduty.com", None),
          ("https://api.pagerduty.com", None), ("https://api.pagerduty.com:443", None),
          ("http://api.pagerduty.com", "http://proxy:3128"),
          ("https://api.pagerduty.com:8443", "http://proxy:3128"),
          ("duty.com", "http://proxy:3128"), (".api.pagerduty.com", "http://proxy:3128"),
          ("https://api.pagerduty.com:x", "http://proxy:3128"),
          ("", "http://proxy:3128"))),
    pytest.param("https://10.1.2.3", {"HTTPS_PROXY": "http://proxy:3128",
                                      "no_proxy": "10.0.0.0/8"}, None, id="no-proxy-network"),
])
def test_the_proxy_is_read_from_the_environment_as_httpx_reads_it(
        url: str, environ: dict[str, str], proxy: str | None) -> None:
    assert proxy_for(url, environ) == proxy


@pytest.mark.parametrize("value", ["socks5://user:s3cret@proxy:1080", "http://:3128",
                                   "http://user:s3cret@proxy:port", "http://proxy:0"])
def test_a_proxy_pdlint_cannot_use_is_refused_without_its_secret(value: str) -> None:
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY") as refused:
        proxy_for(API, {"HTTPS_PROXY": value})
    assert "s3cret" not in str(refused.value)


def test_the_configuration_reads_the_proxy_and_never_shows_its_password() -> None:
    config = resolve_client_config(api_url=None, region=None, token_file=None, environ={
        "PAGERDUTY_API_TOKEN": TOKEN, "HTTPS_PROXY": "http://ci:s3cret@proxy:3128"})
    assert config.proxy == "http://ci:s3cret@proxy:3128"
    assert "s3cret" not in repr(config)
