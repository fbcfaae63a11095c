"""`pdlint snapshot` and `pdlint diff` as a user runs them: real processes, real HTTP."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pagerduty_cases import SMALL_ACCOUNT, TOKEN
from pdlint_process import run_pdlint as pdlint

from pdlint.sim import Fault, Faults, SimServer


def sim_env(server: SimServer) -> dict[str, str]:
    return {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}


def test_snapshot_writes_a_redacted_snapshot(demo_server: SimServer, tmp_path: Path) -> None:
    output = tmp_path / "snap.json"
    result = pdlint("snapshot", "-o", str(output), "--since", "2026-03-02", "--until",
                    "2026-03-05", env=sim_env(demo_server))
    assert result.returncode == 0, result.stderr
    document = json.loads(output.read_text())
    assert document["window"] == {"since": "2026-03-02T00:00:00Z",
                                  "until": "2026-03-06T00:00:00Z"}
    assert document["redacted"] is True
    addresses = {method["address"] for user in document["objects"]["users"]
                 for method in user["contact_methods"]}
    assert addresses == {"***redacted***"}
    assert f"wrote {output}: 4 escalation policies, 6 schedules" in result.stderr
    assert result.stdout == ""
    assert TOKEN not in result.stderr + output.read_text()


def test_snapshot_to_standard_output(demo_server: SimServer, tmp_path: Path) -> None:
    result = pdlint("snapshot", "-o", "-", env=sim_env(demo_server), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["format"], document["redacted"]) == ("pdlint-snapshot", True)
    assert "wrote the snapshot: 4 escalation policies" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_snapshot_with_token_file_and_no_redaction(demo_server: SimServer,
                                                   tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    output = tmp_path / "snap.json"
    result = pdlint("snapshot", "-o", str(output), "--no-redact", "--quiet", "--api-url",
                    demo_server.base_url, "--token-file", str(token_file))
    assert (result.returncode, result.stderr) == (0, "")
    document = json.loads(output.read_text())
    assert "***redacted***" not in output.read_text() and document["redacted"] is False
    assert stat.S_IMODE(output.stat().st_mode) == 0o600


@pytest.mark.parametrize(("content", "message"), [
    (f"{TOKEN}\nsecond line\n", "has more than one line; it should hold the API key alone"),
    (f"{TOKEN} {TOKEN}\n", ": the API token is empty or contains spaces"),
    ("\n\n", "is empty"),
])
def test_a_token_file_that_is_not_one_key_is_named(demo_server: SimServer, tmp_path: Path,
                                                   content: str, message: str) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(content)
    token_file.chmod(0o600)
    result = pdlint("snapshot", "-o", str(tmp_path / "snap.json"), "--api-url",
                    demo_server.base_url, "--token-file", str(token_file))
    assert result.returncode == 2
    assert result.stderr == f"pdlint: error: token file {token_file} {message}\n".replace(
        f"{token_file} :", f"{token_file}:")
    assert TOKEN not in result.stderr


@pytest.mark.parametrize(("faults", "warning"), [
    (Faults(forbidden={"/priorities": 402}),
     "priorities not read: GET /priorities: the account's plan lacks this feature"),
    (Faults(scripted=(Fault("status", "/v3/schedules", status=400),)),
     "schedules_v3 not read: GET /v3/schedules: PagerDuty refused the arguments (HTTP 400"),
    (Faults(scripted=(Fault("status", "/v3/schedules", status=404),)),
     "schedules_v3 not read: GET /v3/schedules: not found"),
])
def test_a_skipped_collection_is_warned_about_and_recorded(
        demo_server: SimServer, tmp_path: Path, faults: Faults, warning: str) -> None:
    demo_server.faults = faults
    output = tmp_path / "snap.json"
    result = pdlint("snapshot", "-o", str(output), "-q", env=sim_env(demo_server))
    assert result.returncode == 2  # written, and not passed: skipped is never passed
    assert result.stderr.startswith(f"pdlint: warning: {warning}")
    collection = warning.split()[0]
    assert result.stderr.endswith(f"accept by name: --accept-skip {collection}\n")
    accepted = pdlint("snapshot", "-o", str(output), "-q", "--accept-skip", collection,
                      env=sim_env(demo_server))
    assert accepted.returncode == 0, accepted.stderr
    assert [skip["collection"] for skip in json.loads(output.read_text())["skipped"]] == [
        warning.split()[0]]


@pytest.mark.parametrize("status", [400, 404])
def test_a_refused_listing_other_than_shift_based_schedules_exits_2(
        demo_server: SimServer, tmp_path: Path, status: int) -> None:
    demo_server.faults = Faults(scripted=(Fault("status", "/users", status=status),))
    output = tmp_path / "snap.json"
    result = pdlint("snapshot", "-o", str(output), "-q", env=sim_env(demo_server))
    assert result.returncode == 2
    assert result.stderr.startswith("pdlint: error: GET /users: ")
    assert f"(HTTP {status};" in result.stderr and "Traceback" not in result.stderr
    assert not output.exists()


@pytest.mark.parametrize(("args", "env", "message"), [
    ((), {"PAGERDUTY_API_TOKEN": "wrong"}, "pdlint: error: GET /"),
    ((), {"PAGERDUTY_API_TOKEN": ""}, "pdlint: error: no API token: set PAGERDUTY_API_TOKEN"),
    (("--api-url", "http://pagerduty.example.com"), {}, "uses plain http"),
    (("--api-url", "https://api.pagerduty.com", "--region", "eu"), {}, "disagree"),
    (("--since", "last tuesday"), {}, "is not an ISO 8601 date or time"),
    (("--since", "2026-03-05", "--until", "2026-03-01"), {}, "--until 2026-03-02T00:00:00Z is "
     "not after --since 2026-03-05T00:00:00Z (a date alone as --until means the end of that day)"),
    (("--since", "2026-03-01T10:00:00Z", "--until", "2026-03-01T10:00:00+00:00"), {},
     "--until 2026-03-01T10:00:00Z is not after --since 2026-03-01T10:00:00Z\n"),
    (("--since", "0001-01-01"), {}, "the window 0001-01-01T00:00:00Z to 0001-01-31T00:00:00Z is "
     "not between 2000-01-01 and 2100-01-01"),
    (("--until", "0001-01-05"), {}, "the window is not between 2000-01-01 and 2100-01-01"),
    (("--until", "9999-12-31"), {}, "'9999-12-31' is past the end of the calendar"),
    (("--token-file", "/nonexistent/token"), {}, "cannot read token file /nonexistent/token"),
    (("--api-url", ""), {}, "pdlint: error: --api-url is empty"),
])
def test_bad_connection_settings_exit_2_without_a_traceback(
        demo_server: SimServer, tmp_path: Path, args: tuple[str, ...], env: dict[str, str],
        message: str) -> None:
    output = tmp_path / "snap.json"
    result = pdlint("snapshot", "-o", str(output), *args, env={**sim_env(demo_server), **env})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr
    assert not output.exists()


def test_tls_that_cannot_work_is_not_retried(demo_server: SimServer, tmp_path: Path) -> None:
    """https to a server that speaks plain http fails alike every time: one attempt each."""
    url = demo_server.base_url.replace("http://", "https://")
    demo_server.clear_requests()
    result = pdlint("snapshot", "-o", str(tmp_path / "s.json"), "--api-url", url,
                    env=sim_env(demo_server))
    assert result.returncode == 2
    assert f"TLS with {url} failed (WRONG_VERSION_NUMBER)" in result.stderr
    assert "retrying" not in result.stderr


@pytest.mark.parametrize(("quiet", "retries_shown"), [((), True), (("-q",), False)])
def test_retries_are_told_unless_quiet(demo_server: SimServer, tmp_path: Path,
                                       quiet: tuple[str, ...], retries_shown: bool) -> None:
    demo_server.faults = Faults(scripted=(Fault.first(1, "status", "/teams", status=503),))
    result = pdlint("snapshot", "-o", str(tmp_path / "s.json"), *quiet, env=sim_env(demo_server))
    assert result.returncode == 0, result.stderr
    assert ("pdlint: GET /teams: PagerDuty did not answer successfully (HTTP 503"
            in result.stderr) == retries_shown


def test_a_refused_token_says_so(demo_server: SimServer, tmp_path: Path) -> None:
    result = pdlint("snapshot", "-o", str(tmp_path / "s.json"),
                    env={**sim_env(demo_server), "PAGERDUTY_API_TOKEN": "wrong"})
    assert "the token was refused" in result.stderr and "HTTP 401" in result.stderr


def edited_snapshot(tmp_path: Path) -> Path:
    document = json.loads(SMALL_ACCOUNT.read_text())
    document["objects"]["services"][0]["acknowledgement_timeout"] = 600
    document["objects"]["teams"].append({"id": "PTEAM02", "type": "team", "name": "Search"})
    path = tmp_path / "new.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(("fmt", "expected"), [
    ("text", "services\n  ~ Payments API\n      acknowledgement_timeout: 1800 -> 600\n"
             "teams\n  + Search\n"),
    ("json", None),
])
def test_diff_reports_changes_and_exits_1(tmp_path: Path, fmt: str, expected: str | None) -> None:
    result = pdlint("diff", str(SMALL_ACCOUNT), str(edited_snapshot(tmp_path)), "--format", fmt)
    assert result.returncode == 1, result.stderr
    if expected is not None:
        assert result.stdout == expected
    else:
        collections = json.loads(result.stdout)["collections"]
        assert collections["teams"]["added"] == ["Search"]
        assert collections["services"]["changed"][0]["changes"] == [{
            "path": "acknowledgement_timeout", "kind": "changed", "old": 1800, "new": 600}]


def test_diff_of_identical_snapshots_exits_0_and_can_write_a_file(tmp_path: Path) -> None:
    output = tmp_path / "diff.txt"
    result = pdlint("diff", str(SMALL_ACCOUNT), str(SMALL_ACCOUNT), "-o", str(output))
    assert (result.returncode, result.stdout) == (0, "")
    assert output.read_text() == "no differences\n"


@pytest.mark.parametrize(("accepted", "code"), [((), 2), (("--accept-skip", "users"), 0)])
def test_diff_with_a_collection_not_read_exits_2_unless_accepted(
        tmp_path: Path, accepted: tuple[str, ...], code: int) -> None:
    """A collection a snapshot could not read is not compared: never "no differences"."""
    document = json.loads(SMALL_ACCOUNT.read_text())
    document["objects"]["users"] = []
    document["skipped"] = [{"collection": "users", "reason": "HTTP 403"}]
    unread = tmp_path / "unread.json"
    unread.write_text(json.dumps(document))
    result = pdlint("diff", str(SMALL_ACCOUNT), str(unread), *accepted)
    assert result.returncode == code, result.stderr
    assert result.stdout == ("no differences in what was compared\n"
                             "users: not compared: not read in new (HTTP 403)\n")
    assert ("--accept-skip users" in result.stderr) == (code == 2)


def test_diff_of_a_bad_file_exits_2_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = pdlint("diff", str(SMALL_ACCOUNT), str(broken))
    assert result.returncode == 2
    assert f"pdlint: error: {broken}:1: not valid JSON" in result.stderr


def test_snapshot_then_diff_of_the_same_account(demo_server: SimServer, tmp_path: Path) -> None:
    env = sim_env(demo_server)
    window = ("--since", "2026-03-02T12:00:00Z")
    for name in ("a.json", "b.json"):
        assert pdlint("snapshot", "-q", "-o", str(tmp_path / name), *window,
                      env=env).returncode == 0
    result = pdlint("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert (result.returncode, result.stdout) == (0, (
        "no differences\nnote: contact-method addresses not compared: a snapshot is redacted\n"))


def test_the_command_line_loads_no_network_code() -> None:
    code = ("import sys, pdlint.cli; "
            "print(sorted(m for m in ('httpx', 'deepdiff', 'pdlint.pagerduty.client') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
