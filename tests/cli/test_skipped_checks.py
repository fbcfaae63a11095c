"""Skipped is never passed, in the exit code too: a drift or evidence run that could not read
part of the account exits 2, unless the user accepted that skip by name (``--accept-skip`` or
the ``accept-skip`` setting); the report lists the skip either way."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_cases import NOW, TOKEN, WINDOW
from junit_schema import junit_errors
from pdlint_process import run_pdlint

from pdlint.config import SKIPPED_COLLECTIONS, SKIPPED_SECTIONS, SKIPS
from pdlint.sim import Faults, SimServer, demo_account

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def users_refused() -> Iterator[dict[str, str]]:
    """The demo account with ``/users`` refused (403), as a key without the right to read it."""
    faults = Faults(forbidden={"/users": 403})
    with SimServer(demo_account(NOW), token=TOKEN, faults=faults) as server:
        yield {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}


def only_usr400(env: dict[str, str], *arguments: str, cwd: Path = PROJECT) -> Any:
    """The probe's case: the only drift checked is USR400 (a responder without a high-urgency
    phone or SMS rule, Pavel Novak in the demo account)."""
    return run_pdlint("drift", "--policy", str(PROJECT / "policy"), "--quiet", *WINDOW,
                      "--rule", "USR400", "--format", "json", *arguments, env=env, cwd=cwd)


def test_the_finding_is_there_when_users_can_be_read(env: dict[str, str]) -> None:
    result = only_usr400(env)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [finding["rule"] for finding in report["findings"]] == ["USR400"]
    assert (report["rules"], report["unchecked"]) == (["USR400"], {})


def test_a_refused_collection_is_not_a_pass(users_refused: dict[str, str]) -> None:
    result = only_usr400(users_refused)
    assert result.returncode == 2, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert [skip["rule"] for skip in report["skipped"]] == ["users"]
    assert (report["rules"], report["unchecked"]) == (["USR400"], {"USR400": ["users"]})
    assert result.stderr.startswith("pdlint: error: incomplete: users could not be read")
    assert "--accept-skip users" in result.stderr


@pytest.mark.parametrize("how", ["option", "pyproject", "yaml"])
def test_a_skip_accepted_by_name_is_listed_but_does_not_fail(
        users_refused: dict[str, str], tmp_path: Path, how: str) -> None:
    (tmp_path / ".git").mkdir()
    if how == "pyproject":
        (tmp_path / "pyproject.toml").write_text('[tool.pdlint]\naccept-skip = ["users"]\n')
    elif how == "yaml":
        (tmp_path / ".pdlint.yaml").write_text("accept-skip: [users]\n")
    arguments = ("--accept-skip", "users") if how == "option" else ()
    result = only_usr400(users_refused, *arguments, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [skip["rule"] for skip in json.loads(result.stdout)["skipped"]] == ["users"]


def test_accepting_another_skip_does_not_accept_this_one(users_refused: dict[str, str]) -> None:
    result = only_usr400(users_refused, "--accept-skip", "priorities")
    assert result.returncode == 2


def test_findings_and_an_unaccepted_skip_exit_2(users_refused: dict[str, str]) -> None:
    result = run_pdlint("drift", "--policy", "policy", "--quiet", *WINDOW, env=users_refused,
                        cwd=PROJECT)
    assert result.returncode == 2
    assert result.stdout.startswith(
        "incomplete: 1 check skipped\n  users (not checked: EP104, PATH600, PRG800, PRG801, "
        "SCH203, USR400, WAV901): GET /users: ")


READ_USERS = ["EP104", "PATH600", "PRG800", "PRG801", "SCH203", "USR400", "WAV901"]
"""The drift rules that read ``users`` (their ``@rule(..., reads=)``)."""


def every_rule_accepting_users(env: dict[str, str], output_format: str) -> Any:
    """Every drift rule of the example policy, ``users`` refused and that skip accepted."""
    result = run_pdlint("drift", "--policy", "policy", "--quiet", *WINDOW, "--format",
                        output_format, "--accept-skip", "users", env=env, cwd=PROJECT)
    assert result.returncode == 1, result.stderr  # the findings of the rest, not the skip
    return result


def test_junit_shows_the_rules_reading_a_refused_collection_skipped(
        users_refused: dict[str, str]) -> None:
    text = every_rule_accepting_users(users_refused, "junit").stdout
    assert junit_errors(text) == []
    [suite] = [suite for suite in ET.fromstring(text) if suite.get("name") == "pdlint drift"]
    cases = {case.get("classname", "").removeprefix("pdlint drift."): case for case in suite}
    skipped = {rule_id: skip for rule_id, case in cases.items()
               if (skip := case.find("skipped")) is not None}
    assert sorted(skipped) == sorted([*READ_USERS, "users"])
    for rule_id in READ_USERS:
        message = skipped[rule_id].get("message", "")
        assert message.startswith("skipped: users could not be read (GET /users: "), rule_id
        assert "403" in message and cases[rule_id].find("system-out") is None
    assert "checked" in (cases["EP103"].findtext("system-out") or "")
    assert suite.get("skipped") == str(len(READ_USERS) + 1)


def test_sarif_notifies_each_rule_reading_a_refused_collection(
        users_refused: dict[str, str]) -> None:
    [run] = json.loads(every_rule_accepting_users(users_refused, "sarif").stdout)["runs"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    indexes = {rule["id"]: index for index, rule in enumerate(run["tool"]["driver"]["rules"])}
    notified = {note["associatedRule"]["id"]: note for note in
                invocation["toolExecutionNotifications"]}
    assert sorted(notified) == sorted([*READ_USERS, "users"])
    for rule_id in READ_USERS:
        assert notified[rule_id]["associatedRule"]["index"] == indexes[rule_id]
        assert notified[rule_id]["message"]["text"].startswith(
            f"{rule_id} {run['tool']['driver']['rules'][indexes[rule_id]]['name']} skipped: "
            "users could not be read (GET /users: ")


def test_json_names_each_rule_a_refused_collection_leaves_unchecked(
        users_refused: dict[str, str]) -> None:
    report = json.loads(every_rule_accepting_users(users_refused, "json").stdout)
    assert report["unchecked"] == {rule_id: ["users"] for rule_id in READ_USERS}


@pytest.mark.parametrize("output_format", ["markdown", "github"])
def test_markdown_and_github_name_the_rules_a_refused_collection_leaves_unchecked(
        users_refused: dict[str, str], output_format: str) -> None:
    text = every_rule_accepting_users(users_refused, output_format).stdout
    assert ("users (not checked: EP104, PATH600, PRG800, PRG801, SCH203, USR400, WAV901)"
            in text)


COLLECTIONS_LISTED = "a collection (" + ", ".join(SKIPPED_COLLECTIONS) + ")"
RULES_LISTED = ("a drift rule whose findings say it could not make a check, by id or name "
                "(pdlint rules lists them)")
SECTIONS_LISTED = "an evidence section (" + ", ".join(SKIPPED_SECTIONS) + ")"
CAN_SKIP = {
    "drift": f"{COLLECTIONS_LISTED} or {RULES_LISTED}",
    "evidence": f"{COLLECTIONS_LISTED}, {SECTIONS_LISTED} or {RULES_LISTED}",
    "history": f"{COLLECTIONS_LISTED} or {RULES_LISTED}",
    "snapshot": COLLECTIONS_LISTED,
    "init": COLLECTIONS_LISTED,
}
"""What each command's --accept-skip takes: a snapshot makes no check, and init writes a check
not made as a ``Review:`` comment, so neither can skip a drift rule."""


def test_an_unknown_skip_name_is_a_short_usage_error(env: dict[str, str]) -> None:
    result = only_usr400(env, "--accept-skip", "user")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--accept-skip': unknown skip 'user': pdlint drift can skip "
        f"{CAN_SKIP['drift']}")


@pytest.mark.parametrize("command", ["init", "snapshot"])
@pytest.mark.parametrize("name", ["PATH600", "paging-path", "incidents"])
def test_a_command_refuses_a_skip_it_cannot_report(env: dict[str, str], tmp_path: Path,
                                                   command: str, name: str) -> None:
    result = run_pdlint(command, "-o", str(tmp_path / "out"), "--quiet", *WINDOW,
                        "--accept-skip", name, env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--accept-skip': unknown skip '{name}': pdlint {command} "
        f"can skip {CAN_SKIP[command]}")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", sorted(CAN_SKIP))
def test_each_command_s_help_lists_what_it_can_skip(command: str) -> None:
    result = run_pdlint(command, "--help")
    assert result.returncode == 0, result.stderr
    words = " ".join(result.stdout.split())
    assert f"--accept-skip NAME A skip this account cannot avoid, accepted: it is still " \
           f"reported but no longer exits 2 (repeatable): {CAN_SKIP[command]}. " in words


def test_an_unknown_skip_in_the_settings_names_the_file(env: dict[str, str],
                                                       tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".pdlint.yaml").write_text("accept-skip: [user]\n")
    result = only_usr400(env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"pdlint: error: {tmp_path / '.pdlint.yaml'}: accept-skip")


def test_evidence_from_a_snapshot_exits_2_unless_its_skipped_sections_are_accepted(
        env: dict[str, str], tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.json"
    saved = run_pdlint("snapshot", "-o", str(snapshot), "--quiet", *WINDOW, env=env)
    assert saved.returncode == 0, saved.stderr
    period = WINDOW
    refused = run_pdlint("evidence", "--policy", "policy", "--snapshot", str(snapshot),
                         "-o", str(tmp_path / "a"), "--quiet", *period, cwd=PROJECT)
    assert refused.returncode == 2, refused.stderr
    # paging: a snapshot holds no maintenance window that ended before it was taken.
    assert ("incomplete: incidents, sla, resolution, communication, postmortems, changes, paging "
            "could not be read") in (
        refused.stderr)
    assert (tmp_path / "a" / "index.html").is_file()  # written, and says it is incomplete
    accepted = run_pdlint("evidence", "--policy", "policy", "--snapshot", str(snapshot),
                          "-o", str(tmp_path / "b"), "--quiet", *period,
                          *[argument for section in ("incidents", "sla", "resolution",
                                                     "communication", "postmortems", "changes",
                                                     "paging")
                            for argument in ("--accept-skip", section)], cwd=PROJECT)
    assert accepted.returncode == 0, accepted.stderr


def test_evidence_whose_people_on_call_cannot_be_read_can_accept_the_training_skip(
        users_refused: dict[str, str], tmp_path: Path) -> None:
    """With /users refused, the training of the people on call is not measured, nor is the
    paging path: the skips the run names can be accepted by the names it gives."""
    period = ("--since", "2026-02-01", "--until", "2026-02-28")
    refused = run_pdlint("evidence", "--policy", "policy", "-o", str(tmp_path / "a"),
                         "--quiet", *period, env=users_refused, cwd=PROJECT)
    assert refused.returncode == 2, refused.stderr
    assert "incomplete: drift, paging, training could not be read" in refused.stderr
    assert "--accept-skip drift --accept-skip paging --accept-skip training" in refused.stderr
    accepted = run_pdlint("evidence", "--policy", "policy", "-o", str(tmp_path / "b"),
                          "--quiet", *period, "--accept-skip", "drift", "--accept-skip",
                          "paging", "--accept-skip", "training", env=users_refused,
                          cwd=PROJECT)
    assert accepted.returncode == 0, accepted.stderr


def test_every_name_a_skip_can_have_is_accepted() -> None:
    from pdlint.evidence.collect import SECTIONS
    from pdlint.pagerduty.state import COLLECTIONS
    from pdlint.rules.registry import DRIFT_RULE_IDS

    assert (SKIPPED_COLLECTIONS, SKIPPED_SECTIONS) == (COLLECTIONS, SECTIONS)
    assert all(SKIPS["evidence"].accepted(rule_id) == (rule_id,) for rule_id in DRIFT_RULE_IDS)


def test_the_collections_are_those_drift_reads() -> None:
    from pdlint.pagerduty.fetch import FOLLOW_UPS, _listings
    from pdlint.pagerduty.state import COLLECTIONS, Window

    read_from_listings = {follow_up.kind for follow_ups in FOLLOW_UPS.values()
                          for follow_up in follow_ups}
    assert set(_listings(Window.starting(NOW))) | read_from_listings == set(COLLECTIONS)


def test_init_and_snapshot_write_what_they_read_and_exit_2_for_what_they_could_not(
        users_refused: dict[str, str], tmp_path: Path) -> None:
    drafted = run_pdlint("init", "-o", str(tmp_path / "drafted"), "--quiet", *WINDOW,
                         env=users_refused)
    assert drafted.returncode == 2, drafted.stderr
    assert drafted.stderr.startswith("pdlint: warning: users not read: GET /users: ")
    assert (tmp_path / "drafted" / "organisation.yaml").is_file()
    accepted = run_pdlint("init", "-o", str(tmp_path / "accepted"), "--quiet", *WINDOW,
                          "--accept-skip", "users", env=users_refused)
    assert accepted.returncode == 0, accepted.stderr
    saved = run_pdlint("snapshot", "-o", str(tmp_path / "snap.json"), "--quiet", *WINDOW,
                       env=users_refused)
    assert saved.returncode == 2 and (tmp_path / "snap.json").is_file()
