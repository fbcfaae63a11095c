"""``pdlint sim serve``: the base URL on the first line, then answers until interrupted."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

SERVE = (sys.executable, "-m", "pdlint", "sim", "serve", "--token", "cli-token", "--rate-limit",
         "2", "--fault", "status=path:/teams,requests:1,status:503")


@pytest.fixture(params=["foreground", "background"])
def serve(request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str]]:
    """``sim serve`` as started from a terminal, and as a shell starts a background job: with
    SIGINT ignored (it then never stopped on SIGINT: the flaky timeouts of this test were runs
    of the suite in the background)."""
    command = (SERVE if request.param == "foreground"
               else ("sh", "-c", 'trap "" INT; exec "$@"', "sh", *SERVE))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_serve_prints_the_url_first_and_answers(serve: subprocess.Popen[str]) -> None:
    assert serve.stdout is not None and serve.stderr is not None
    base_url = serve.stdout.readline().strip()
    assert base_url.startswith("http://127.0.0.1:")
    headers = {"Authorization": "Token token=cli-token"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        teams = [client.get("/teams") for _ in range(3)]
    assert [response.status_code for response in teams] == [503, 200, 429]
    assert teams[1].json()["teams"][0]["name"] == "Data"
    assert teams[1].headers["ratelimit-limit"] == "2"
    serve.send_signal(signal.SIGINT)
    assert serve.wait(timeout=60) == 0
    assert "Serving the demo account" in serve.stderr.read()


def test_serve_stops_on_sigterm(serve: subprocess.Popen[str]) -> None:
    assert serve.stdout is not None and serve.stderr is not None
    assert serve.stdout.readline().startswith("http://127.0.0.1:")
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=60) == 0
    assert serve.stderr.read().endswith("Stopped.\n")


@pytest.mark.parametrize(("arguments", "message"), [
    (["--fault", "bogus"], "unknown fault 'bogus'"),
    (["--rate-limit", "0"], "--rate-limit"),
    (["--account", "tiny"], "--account"),
    (["--token", ""], "pdlint could not send it: the API token is empty or contains spaces"),
    (["--token", "a b"], "pdlint could not send it: the API token is empty or contains spaces"),
])
def test_bad_options_exit_2_with_a_reason(arguments: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "pdlint", "sim", "serve", *arguments],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_a_clear_error() -> None:
    from pdlint.sim import SimServer, sized_account

    with SimServer(sized_account()) as taken:
        port = taken.base_url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-m", "pdlint", "sim", "serve", "--port", port],
            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
