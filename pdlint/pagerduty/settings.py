"""How to reach PagerDuty: the API URL (region, loopback-only plain http), the forward proxy on
the way (the standard environment variables), and the API token (an environment variable or a
token file, never shown in a repr, message or log)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from pdlint.pagerduty.errors import ConfigurationError

API_URL_US = "https://api.pagerduty.com"
API_URL_EU = "https://api.eu.pagerduty.com"
REGION_URLS = {"us": API_URL_US, "eu": API_URL_EU}
TOKEN_ENV = "PAGERDUTY_API_TOKEN"
API_URL_ENV = "PAGERDUTY_API_URL"

log = logging.getLogger("pdlint.pagerduty")


class ApiToken:
    """A PagerDuty API key that never shows itself in reprs, messages or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value or any(char.isspace() for char in value):
            raise ConfigurationError("the API token is empty or contains spaces")
        if not (value.isascii() and value.isprintable()):  # HTTP headers carry ASCII only
            raise ConfigurationError("the API token has a character that is not printable ASCII "
                                     "(PagerDuty keys are letters, digits and a few signs)")
        self._value = value

    def authorization(self) -> str:
        """The ``Authorization`` header value; the only way the secret leaves this object."""
        return f"Token token={self._value}"

    def __repr__(self) -> str:
        return "ApiToken('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiToken) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class ClientConfig:
    """How to reach PagerDuty and how hard to push it. Defaults suit a real account.

    ``requests_per_minute`` is the budget of any ``budget_window`` seconds (``pacing.Budget``):
    900 of PagerDuty's 960 a minute; ``key_share``, 60, is what the client leaves of the key's
    window, as PagerDuty's headers report it, to other tools on the same key (None: the headers
    are not read, for a simulator that counts without enforcing). It is counted in PagerDuty's
    960: of a key whose ``ratelimit-limit`` states another limit the client leaves the same
    fraction, but never fewer than ``max_concurrency`` (``pacing.Budget``).

    ``max_concurrency``: eight requests in flight read an account of 183 requests (the bench's
    enterprise account) in about two seconds at 80 ms a round trip, so the budget, not the
    latency, bounds anything larger; PagerDuty advises against parallel requests, and eight
    keeps a run to a handful of connections and a burst another user of the key barely sees.
    Retries stop at ``max_attempts`` or after ``retry_budget`` seconds, whichever comes first.
    """

    api_url: str
    token: ApiToken
    requests_per_minute: int = 900
    budget_window: float = 60.0
    key_share: int | None = 60
    max_concurrency: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_attempts: int = 6
    rate_limited_attempts: int = 20
    retry_budget: float = 180.0
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    malformed_attempts: int = 3
    proxy: str | None = field(default=None, repr=False)
    """The forward proxy requests go through (``proxy_for``), credentials included, so never
    shown; None: straight to ``api_url``."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_url", validate_api_url(self.api_url))
        if self.requests_per_minute < 1 or self.budget_window <= 0 or self.max_concurrency < 1:
            raise ConfigurationError("the request budget and concurrency must be positive")
        if min(self.max_attempts, self.rate_limited_attempts, self.malformed_attempts) < 1:
            raise ConfigurationError("attempt counts must be at least 1")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_api_url(url: str) -> str:
    """``url`` without a trailing slash; https is required except on loopback (tests, simulator)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:  # an unclosed [IPv6 address
        raise ConfigurationError(f"API URL {without_secrets(url)!r} cannot be read: "
                                 f"{error}") from None
    if parts.username or parts.password or parts.query or parts.fragment or "@" in url:
        raise ConfigurationError(f"API URL {without_secrets(url)!r} must not carry credentials, "
                                 "query or fragment (not shown here: they may hold a secret)")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"API URL {url!r} is not an http(s) URL with a host")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"API URL {url!r} uses plain http; the token would travel unencrypted. "
            "Use https (plain http is accepted only on loopback)")
    return url.strip().rstrip("/")


PROXY_SCHEMES = ("http", "https")
"""The schemes of the forward proxies pdlint goes through (HTTP proxies, as httpx's own)."""


def proxy_for(api_url: str, environ: Mapping[str, str]) -> str | None:
    """The forward proxy requests to ``api_url`` go through, from the standard variables as httpx
    reads them with ``trust_env``: ``https_proxy`` (``http_proxy`` for a plain-http URL), else
    ``all_proxy``, each lower case before upper case, ``http://`` when the value names no
    scheme; none when ``no_proxy`` is ``*`` or names the host (``no_proxy_names``). A loopback
    API URL (the simulator) goes through a proxy on loopback only: through any other its
    127.0.0.1 would be the proxy's own machine, and the token would cross the network in the
    clear."""
    target = urlsplit(api_url)

    def variable(name: str) -> str:
        return (environ.get(name) or environ.get(name.upper()) or "").strip()

    proxy = variable(f"{target.scheme}_proxy") or variable("all_proxy")
    if not proxy or no_proxy_names(target, variable("no_proxy")):
        return None
    proxy = proxy if "://" in proxy else f"http://{proxy}"
    try:
        parts = urlsplit(proxy)
        usable = parts.scheme in PROXY_SCHEMES and bool(parts.hostname) and parts.port != 0
    except ValueError as error:  # a port that is not a number, an unclosed [IPv6 address
        raise ConfigurationError(f"proxy {without_secrets(proxy)!r} (HTTPS_PROXY, HTTP_PROXY "
                                 f"or ALL_PROXY) cannot be read: {error}") from None
    if not usable or parts.hostname is None:
        raise ConfigurationError(
            f"proxy {without_secrets(proxy)!r} (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is not "
            "an http(s) URL with a host: pdlint goes through HTTP proxies only")
    if is_loopback(target.hostname or "") and not is_loopback(parts.hostname):
        return None
    return proxy


def no_proxy_names(target: SplitResult, no_proxy: str) -> bool:
    """Whether ``no_proxy`` (comma-separated, as curl and httpx read it) names the target's
    host: ``*``; the host itself, an IP address or ``localhost``; ``domain`` (the domain and
    its subdomains) or ``.domain`` (its subdomains only); an IP network (``10.0.0.0/8``); or
    ``scheme://host[:port]``."""
    host = (target.hostname or "").lower()
    for entry in (item.strip().lower() for item in no_proxy.split(",")):
        if entry == "*":
            return True
        if "://" in entry:
            if _names_url(entry, target, host):
                return True
        elif entry.startswith("."):
            if host.endswith(entry):
                return True
        elif entry and (host == entry or host.endswith(f".{entry}") or _in_network(host, entry)):
            return True
    return False


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _names_url(entry: str, target: SplitResult, host: str) -> bool:
    """Whether a ``no_proxy`` entry written ``scheme://host[:port]`` (``all://`` for any
    scheme) names the target; one that cannot be read names nothing."""
    try:
        named = urlsplit(entry)
        port = named.port
    except ValueError:
        return False
    return (named.scheme in (target.scheme, "all") and named.hostname == host
            and port in (None, target.port or _DEFAULT_PORTS[target.scheme]))


def _in_network(host: str, entry: str) -> bool:
    """Whether ``host`` is an IP address within the network ``entry`` writes (``10.0.0.0/8``)."""
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False


def without_secrets(url: str) -> str:
    """``url`` without what may hold a secret (user, password, query, fragment): what an error
    about it may quote."""
    scheme, separator, rest = url.strip().split("#")[0].split("?")[0].rpartition("://")
    return scheme + separator + ("***@" + rest.rpartition("@")[2] if "@" in rest else rest)


class MissingToken(ConfigurationError):
    """Neither a token file nor the token variable gives an API token."""


class EmptyApiUrl(ConfigurationError):
    """An API URL was given, and it is empty."""


class ConflictingLocation(ConfigurationError):
    """An API URL and a region were both given, naming different hosts."""

    def __init__(self, api_url: str, region: str) -> None:
        self.api_url = api_url
        self.region = region
        super().__init__(f"the API URL {api_url} and the region {region} disagree; give one")


def read_token(token_file: str | None, environ: Mapping[str, str]) -> ApiToken:
    """The token from ``token_file`` if given, else from ``PAGERDUTY_API_TOKEN``."""
    if token_file is not None:
        try:
            text = Path(token_file).read_text(encoding="utf-8-sig")  # a BOM is not the key
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            raise ConfigurationError(f"cannot read token file {token_file}: {reason}") from None
        if not text.strip():
            raise ConfigurationError(f"token file {token_file} is empty")
        if len(text.strip().splitlines()) > 1:
            raise ConfigurationError(f"token file {token_file} has more than one line; it "
                                     "should hold the API key alone")
        _warn_if_shared(Path(token_file))
        return _token(text, f"token file {token_file}")
    value = environ.get(TOKEN_ENV, "")
    if not value.strip():
        raise MissingToken(f"no API token: set {TOKEN_ENV} or give a token file (a read-only key "
                           "is enough)")
    return _token(value, TOKEN_ENV)


def _token(text: str, source: str) -> ApiToken:
    try:
        return ApiToken(text)
    except ConfigurationError as error:
        raise ConfigurationError(f"{source}: {error}") from None


def _warn_if_shared(token_file: Path) -> None:
    """A key others on the machine can read is no longer a secret: say so (POSIX modes only)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(token_file.stat().st_mode)
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            log.warning("pdlint: warning: token file %s can be read by other users (mode %04o); "
                        "restrict it with: chmod 600 %s", token_file, mode, token_file)


def resolve_client_config(
    *,
    api_url: str | None,
    region: str | None,
    token_file: str | None,
    environ: Mapping[str, str] | None = None,
    region_setting: str | None = None,
) -> ClientConfig:
    """The client configuration from command-line options, the environment and the project's
    settings.

    Precedence: ``--api-url``, then ``--region``, then ``PAGERDUTY_API_URL``, then the project's
    ``region`` setting, then the US host. ``--api-url`` and ``--region`` together are refused
    unless they name the same host. The proxy is the environment's (``proxy_for``).
    """
    environ = os.environ if environ is None else environ
    if api_url is not None and not api_url.strip():
        raise EmptyApiUrl("the API URL is empty; give the API's URL, or none")
    if region is not None and region not in REGION_URLS:
        raise ConfigurationError(f"unknown region {region!r}; use one of: {', '.join(REGION_URLS)}")
    if (api_url is not None and region is not None
            and validate_api_url(api_url) != REGION_URLS[region]):
        raise ConflictingLocation(api_url, region)
    url = (api_url or (REGION_URLS[region] if region else None) or environ.get(API_URL_ENV)
           or (REGION_URLS[region_setting] if region_setting else None) or API_URL_US)
    return ClientConfig(api_url=url, token=read_token(token_file, environ),
                        proxy=proxy_for(validate_api_url(url), environ))
