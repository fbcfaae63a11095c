"""pdlint behind a forward proxy, as corporate CI reaches PagerDuty: the standard variables
(HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, lower case first, and NO_PROXY) read as httpx reads them,
over pdlint's own network. A proxy on loopback (tests/forward_proxy.py) tunnels to the
simulator over TLS (CONNECT) or passes plain http on; the snapshot read through it holds what
one read directly holds."""

from __future__ import annotations

import base64
import re
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_cases import TLS, TOKEN, WINDOW, snapshot_objects
from forward_proxy import ForwardProxy
from pdlint_process import run_pdlint

from pdlint.sim import SimServer


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


UNSET = {name: "" for variable in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
         for name in (variable, variable.upper())}
"""The proxy variables of the machine running the tests, set empty: only the test's count."""


def snapshot(server: SimServer, folder: Path, **environ: str) -> tuple[int, str, Path]:
    """``pdlint snapshot`` of the simulator, the test authority trusted, with ``environ``."""
    written = folder / "snap.json"
    result = run_pdlint("snapshot", "-o", str(written), "--quiet", *WINDOW, env={
        **UNSET, "PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN,
        "SSL_CERT_FILE": str(TLS / "ca.pem"), **environ})
    return result.returncode, result.stderr, written


@pytest.mark.parametrize(("variable", "over_tls", "first_line"), [
    pytest.param("HTTPS_PROXY", True, "CONNECT 127.0.0.1:{port} HTTP/1.1", id="https-tunnel"),
    pytest.param("https_proxy", True, "CONNECT 127.0.0.1:{port} HTTP/1.1", id="lower-case"),
    pytest.param("ALL_PROXY", True, "CONNECT 127.0.0.1:{port} HTTP/1.1", id="all-proxy"),
    pytest.param("HTTP_PROXY", False, "GET http://127.0.0.1:{port}/", id="http-forward"),
])
def test_a_read_through_the_proxy_holds_what_a_direct_one_holds(
        https_server: SimServer, server: SimServer, proxy: ForwardProxy, tmp_path: Path,
        variable: str, over_tls: bool, first_line: str) -> None:
    running = https_server if over_tls else server
    port = running.base_url.rpartition(":")[2]
    (tmp_path / "direct").mkdir()
    (tmp_path / "proxied").mkdir()
    code, err, direct = snapshot(running, tmp_path / "direct")
    assert (code, proxy.seen) == (0, []), err
    code, err, proxied = snapshot(running, tmp_path / "proxied", **{variable: proxy.url})
    assert code == 0, err
    assert snapshot_objects(proxied, running.base_url) == snapshot_objects(
        direct, running.base_url)
    expected = first_line.format(port=port)
    assert proxy.seen and all(line.startswith(expected) for line in proxy.seen), proxy.seen


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost,127.0.0.0/8",
                                      "https://127.0.0.1"])
def test_no_proxy_naming_the_host_goes_direct(https_server: SimServer, proxy: ForwardProxy,
                                             tmp_path: Path, no_proxy: str) -> None:
    code, err, _ = snapshot(https_server, tmp_path, HTTPS_PROXY=proxy.url, NO_PROXY=no_proxy)
    assert (code, proxy.seen) == (0, []), err


def test_the_proxy_s_credentials_go_to_the_proxy_only(
        https_server: SimServer, proxy: ForwardProxy, tmp_path: Path) -> None:
    credentials = proxy.url.replace("http://", "http://ci-user:s3cret@")
    code, err, _ = snapshot(https_server, tmp_path, HTTPS_PROXY=credentials)
    assert code == 0, err
    basic = "Basic " + base64.b64encode(b"ci-user:s3cret").decode()
    assert proxy.headers and all(head.get("proxy-authorization") == basic
                                 for head in proxy.headers)


def test_a_proxy_pdlint_cannot_use_is_an_error_of_the_setting(
        https_server: SimServer, tmp_path: Path) -> None:
    code, err, written = snapshot(https_server, tmp_path,
                                  HTTPS_PROXY="socks5://ci-user:s3cret@127.0.0.1:1080")
    assert code == 2 and not written.exists()
    assert err.strip().splitlines() == [
        "pdlint: error: proxy 'socks5://***@127.0.0.1:1080' (HTTPS_PROXY, HTTP_PROXY or "
        "ALL_PROXY) is not an http(s) URL with a host: pdlint goes through HTTP proxies only"]


@pytest.mark.parametrize(("target", "first_line"), [
    pytest.param("https", "CONNECT 127.0.0.1:{port} HTTP/1.1", id="tls-in-tls"),
    pytest.param("http", "GET http://127.0.0.1:{port}/", id="http-forward"),
])
def test_a_proxy_reached_over_tls_carries_the_read(
        https_server: SimServer, server: SimServer, tmp_path: Path, target: str,
        first_line: str) -> None:
    running = https_server if target == "https" else server
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "server.pem", TLS / "server.key")
    (tmp_path / "direct").mkdir()
    (tmp_path / "proxied").mkdir()
    code, err, direct = snapshot(running, tmp_path / "direct")
    assert code == 0, err
    with ForwardProxy(tls=context) as secured:
        code, err, proxied = snapshot(running, tmp_path / "proxied", HTTPS_PROXY=secured.url,
                                      HTTP_PROXY=secured.url)
    assert code == 0, err
    assert secured.url.startswith("https://")
    assert snapshot_objects(proxied, running.base_url) == snapshot_objects(
        direct, running.base_url)
    port = running.base_url.rpartition(":")[2]
    assert secured.seen and all(line.startswith(first_line.format(port=port))
                                for line in secured.seen), secured.seen


def test_a_proxy_that_cannot_be_reached_is_named_not_pagerduty(
        https_server: SimServer, tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dead = f"http://ci-user:s3cret@127.0.0.1:{unused.getsockname()[1]}"
        code, err, written = snapshot(https_server, tmp_path, HTTPS_PROXY=dead)
    assert code == 2 and not written.exists()
    last = err.strip().splitlines()[-1]
    assert re.fullmatch(r"pdlint: error: GET /[a-z0-9_/]+: the proxy "
                        r"'http://\*\*\*@127\.0\.0\.1:\d+' \(HTTPS_PROXY, HTTP_PROXY or "
                        r"ALL_PROXY\) could not be reached \(ConnectError\) \(\d attempts\)",
                        last), last
    assert "s3cret" not in err


def test_a_proxy_asking_for_credentials_stops_the_run_at_once(
        https_server: SimServer, tmp_path: Path) -> None:
    with ForwardProxy(refusal="407 Proxy Authentication Required") as refusing:
        code, err, written = snapshot(https_server, tmp_path, HTTPS_PROXY=refusing.url)
    assert code == 2 and not written.exists()
    assert "retrying" not in err
    assert re.fullmatch(
        rf"pdlint: error: GET /[a-z0-9_/]+: the proxy '{re.escape(refusing.url)}' refused the way "
        rf"to {re.escape(https_server.base_url)} \(407 Proxy Authentication Required\)",
        err.strip().splitlines()[-1]), err
