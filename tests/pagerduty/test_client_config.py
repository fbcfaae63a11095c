"""Connection settings: base URL and region, https only off loopback, where the token comes from."""

from __future__ import annotations

import bisect
from pathlib import Path

import pytest
from pagerduty_cases import TOKEN

from pdlint.pagerduty.client import (
    ApiToken,
    ClientConfig,
    ConfigurationError,
    RateLimiter,
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
    (None, {}, "no API token: set PAGERDUTY_API_TOKEN or pass --token-file"),
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
@pytest.mark.parametrize(("per_minute", "burst", "requests", "elapsed"), [
    (60, 1, 1, 0.0),
    (60, 1, 11, 10.0),
    (60, 5, 15, 10.0),
    (900, 10, 910, 60.0),
])
async def test_rate_limiter_spaces_requests(per_minute: float, burst: int, requests: int,
                                            elapsed: float) -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute, burst, sleep=fake.sleep, clock=fake.clock)
    for _ in range(requests):
        await limiter.acquire()
    assert fake.now == pytest.approx(elapsed)


@pytest.mark.anyio
async def test_the_default_pace_keeps_every_minute_under_pagerduty_limit() -> None:
    """PagerDuty allows 960 requests a minute per key: no 60-second window of a long run may
    hold more, bucket included."""
    defaults = ClientConfig(api_url="https://api.pagerduty.com", token=ApiToken("t"))
    fake = FakeTime()
    limiter = RateLimiter(defaults.requests_per_minute, defaults.burst, sleep=fake.sleep,
                          clock=fake.clock)
    sent = []
    for _ in range(3000):
        await limiter.acquire()
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
