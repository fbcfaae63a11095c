"""The token stays secret, responders' phone numbers stay out of what pdlint writes, and pdlint
never writes to PagerDuty — checked on every command a user runs, as the user runs it."""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from adversarial_cases import (
    NOW,
    PERIOD,
    POLICY,
    TOKEN,
    TOKEN_FRAGMENTS,
    hostile_account,
    run_main,
    sim_env,
)
from pdlint_process import run_pdlint

from pdlint.pagerduty.settings import ApiToken, resolve_client_config
from pdlint.sim import Fault, Faults, SimServer

SINCE, UNTIL = (moment.strftime("%Y-%m-%dT%H:%M:%SZ") for moment in PERIOD)
WINDOW = ("--since", NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), "--until", "2026-03-16T12:00:00Z")
READS = {("GET", None), ("POST", "/analytics/raw/incidents")}
"""What the simulator may see: any GET, and the one POST that reads."""


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with SimServer(hostile_account(), token=TOKEN) as served:
        yield served


def personal_addresses(server: SimServer) -> set[str]:
    """Phone numbers and push addresses: contact addresses that are not the login email
    (which every user listing shows, as PagerDuty does)."""
    return {method.address for user in server.account.users for method in user.contact_methods
            if method.address != user.email}


def written(folder: Path) -> dict[str, str]:
    """Every file under ``folder``, as text (bytes that are not UTF-8 shown escaped)."""
    return {path.relative_to(folder).as_posix(): path.read_bytes().decode("utf-8", "replace")
            for path in sorted(folder.rglob("*")) if path.is_file()}


def save_snapshot(tmp_path: Path, server: SimServer, name: str) -> None:
    saved = run_pdlint("snapshot", "-q", "-o", name, *WINDOW, env=sim_env(server), cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr


def drift_from_snapshot(tmp_path: Path, server: SimServer) -> tuple[str, ...]:
    save_snapshot(tmp_path, server, "old.json")
    return ("drift", "--policy", str(POLICY), "--snapshot", "old.json", "--format", "sarif")


def diff_of_snapshots(tmp_path: Path, server: SimServer) -> tuple[str, ...]:
    for name in ("old.json", "new.json"):
        save_snapshot(tmp_path, server, name)
    return ("diff", "--format", "json", "old.json", "new.json")


COMMANDS: dict[str, Callable[[Path, SimServer], tuple[str, ...]]] = {
    "snapshot": lambda tmp, server: ("snapshot", "-o", "snap.json", *WINDOW),
    "drift, text": lambda tmp, server: ("drift", "--policy", str(POLICY), *WINDOW),
    "drift, json": lambda tmp, server: ("drift", "--policy", str(POLICY), "--format", "json",
                                        "-o", "drift.json", *WINDOW),
    "drift, from a snapshot": drift_from_snapshot,
    "evidence": lambda tmp, server: ("evidence", "--policy", str(POLICY), "--since", SINCE,
                                     "--until", UNTIL, "-o", "evidence"),
    "init": lambda tmp, server: ("init", "-o", "drafted", *WINDOW),
    "diff": diff_of_snapshots,
}


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_prints_or_stores_the_token_or_an_address(
    server: SimServer, tmp_path: Path, command: str,
) -> None:
    arguments = COMMANDS[command](tmp_path, server)
    server.clear_requests()
    result = run_pdlint(*arguments, env=sim_env(server), cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    texts = {"stdout": result.stdout, "stderr": result.stderr, **written(tmp_path)}
    assert len(texts) > 2 or command.startswith("drift, text"), "the command wrote nothing"
    leaks = {name: fragment for name, text in texts.items() for fragment in TOKEN_FRAGMENTS
             if fragment in text}
    assert leaks == {}
    exposed = {name: address for name, text in texts.items()
               for address in personal_addresses(server) if address in text}
    assert exposed == {}
    assert {(record.method, None if record.method == "GET" else record.path)
            for record in server.requests} <= READS


def test_an_unredacted_snapshot_keeps_addresses_for_its_owner_only(
    server: SimServer, tmp_path: Path,
) -> None:
    result = run_pdlint("snapshot", "-q", "--no-redact", "-o", "snap.json", *WINDOW,
                        env=sim_env(server), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    text = (tmp_path / "snap.json").read_text()
    addresses = personal_addresses(server)
    assert len(addresses) > 10 and all(address in text for address in addresses)
    assert not any(fragment in text for fragment in TOKEN_FRAGMENTS)
    assert stat.S_IMODE((tmp_path / "snap.json").stat().st_mode) == 0o600


@pytest.fixture
def debug_log() -> Iterator[list[str]]:
    """Every log record of the run, at every level, formatted with its arguments."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    root = logging.getLogger()
    handler, level = Keep(logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield records
    root.removeHandler(handler)
    root.setLevel(level)


FAILURES: dict[str, tuple[dict[str, str], Faults, str]] = {  # env, faults, stderr holds
    "a refused token": ({"PAGERDUTY_API_TOKEN": TOKEN + "-revoked"}, Faults(),
                        "the token was refused"),
    "a refused request": ({}, Faults(scripted=(Fault("status", "/users", status=400),)),
                          "GET /users: PagerDuty refused the arguments"),
    "an API that recovers": ({}, Faults(scripted=(Fault.first(1, "status", "/users",
                                                               status=503),)),
                             "GET /users: PagerDuty did not answer successfully"),
    "a dropped connection": ({}, Faults(scripted=(Fault.first(1, "drop_connection", "/teams"),)),
                             "GET /teams: connection to http://127.0.0.1:"),
    "a permission refused": ({}, Faults(forbidden={"/users": 403}),
                             "GET /users: the token may not read this"),
    "an insecure URL": ({"PAGERDUTY_API_URL": "http://pagerduty.example.com"}, Faults(),
                        "uses plain http"),
    "a token with a space": ({"PAGERDUTY_API_TOKEN": TOKEN + " extra"}, Faults(),
                             "the API token is empty or contains spaces"),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_failures_and_debug_logs_do_not_show_the_token(
    server: SimServer, debug_log: list[str], failure: str,
) -> None:
    env, faults, message = FAILURES[failure]
    server.faults = faults
    try:
        ran = run_main("drift", "--policy", str(POLICY), "--format", "json", *WINDOW,
                       env={**sim_env(server), **env})
    finally:
        server.faults = Faults()
    seen = "\n".join([ran.stdout, ran.stderr, *debug_log])
    assert message in seen
    assert len(debug_log) > 0 or failure in ("an insecure URL", "a token with a space")
    assert not any(fragment in seen for fragment in TOKEN_FRAGMENTS)


@pytest.mark.parametrize(("mode", "warned"), [
    (0o600, False), (0o400, False), (0o640, True), (0o604, True), (0o644, True), (0o666, True),
])
def test_a_token_file_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: int, warned: bool,
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(mode)
    with caplog.at_level(logging.WARNING, logger="pdlint.pagerduty"):
        config = resolve_client_config(api_url=None, region=None, token_file=str(token_file),
                                       environ={})
    assert config.token == ApiToken(TOKEN)
    expected = [f"pdlint: warning: token file {token_file} can be read by other users (mode "
                f"{mode:04o}); restrict it with: chmod 600 {token_file}"] if warned else []
    assert caplog.messages == expected
    assert not any(fragment in " ".join(caplog.messages) for fragment in TOKEN_FRAGMENTS)


def test_the_warning_reaches_the_user_of_the_command_line(server: SimServer,
                                                           tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o644)
    result = run_pdlint("snapshot", "-q", "-o", "snap.json", "--api-url", server.base_url,
                        "--token-file", "token", *WINDOW, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, (
        "pdlint: warning: token file token can be read by other users (mode 0644); restrict it "
        "with: chmod 600 token\n"))


@pytest.mark.parametrize("url", [
    f"https://x:{TOKEN}@api.pagerduty.com", f"https://{TOKEN}@api.pagerduty.com",
    f"https://api.pagerduty.com?token={TOKEN}", f"https://api.pagerduty.com/#{TOKEN}",
    f"api.pagerduty.com?token={TOKEN}", f"x:{TOKEN}@api.pagerduty.com", f"http://[::1?{TOKEN}",
])
def test_a_token_inside_the_api_url_is_refused_without_quoting_it(url: str) -> None:
    """A URL that carries a secret (user, password, query, fragment) is refused, and the error
    shows the URL without it."""
    for option in (("--api-url", url), ()):
        ran = run_main("snapshot", "-o", "-", *option,
                       env={"PAGERDUTY_API_TOKEN": "another", "PAGERDUTY_API_URL": url})
        assert ran.code == 2 and ran.stderr.startswith("pdlint: error: API URL "), ran
        assert not any(fragment in ran.stdout + ran.stderr for fragment in TOKEN_FRAGMENTS)


def test_git_hooks_of_the_policy_repository_never_see_the_token(server: SimServer,
                                                                 tmp_path: Path) -> None:
    """The probe's case: the policy repository's git configuration runs a command of its own
    (``core.fsmonitor``) whenever git looks at the work tree, as ``drift`` and ``evidence`` do
    to name the policy's commit; it must find no token in its environment."""
    import shutil
    import subprocess

    repository = tmp_path / "repository"
    shutil.copytree(POLICY, repository / "policy")
    seen = tmp_path / "environment"
    hook = tmp_path / "fsmonitor"
    hook.write_text(f"#!/bin/sh\nenv >> {seen}\n", encoding="utf-8")
    hook.chmod(0o700)

    def git(*arguments: str) -> None:
        subprocess.run(["git", "-C", str(repository), "-c", "user.name=t",
                        "-c", "user.email=t@example.com", *arguments], check=True,
                       capture_output=True)

    git("init", "-q")
    git("add", "policy")
    git("commit", "-q", "-m", "policy")
    git("config", "core.fsmonitor", str(hook))
    for arguments in (("drift", "--policy", "policy", "--format", "json", *WINDOW),
                      ("evidence", "--policy", "policy", "--since", SINCE, "--until", UNTIL,
                       "-o", str(tmp_path / "evidence"))):
        result = run_pdlint(*arguments, env=sim_env(server), cwd=repository)
        assert result.returncode in (0, 1, 2) and "Traceback" not in result.stderr
    environment = seen.read_text(encoding="utf-8")  # the hook ran
    assert not any(fragment in environment for fragment in TOKEN_FRAGMENTS)
    assert "PAGERDUTY" not in environment
