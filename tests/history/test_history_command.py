"""`pdlint history DIR`: the drifts open at the last run and their age, from history_cases.
At the last run (10 Nov 06:00) two are open: SCH201, waived, first seen 31 Oct 06:00 (10
days), and USR400, a warning, first seen 3 Nov 06:00 (7 days); no error nobody waived, so the
exit code is 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from history_cases import F3, RUNS, report, write_history
from pdlint_process import run_pdlint

API = "https://api.pagerduty.com"


def test_the_open_drifts_and_their_age(tmp_path: Path) -> None:
    folder = write_history(tmp_path / "history")
    result = run_pdlint("history", str(folder))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        f"Drift history in {folder}: 10 runs of 1 account and policy.\n"
        "\n"
        f"acme ({API}) against policy\n"
        "2 drifts open (0 errors not waived) at the last of 10 runs, 2026-11-10T06:00:00Z.\n"
        "    10d  error   SCH201  schedule 'Platform - Secondary' (PS1): Platform - Secondary "
        "differs (since 2026-10-31T06:00:00Z, waived)\n"
        "     7d  warning USR400  user 'Pavel Novak' (PU1): Pavel Novak differs (since "
        "2026-11-03T06:00:00Z)\n")


def test_markdown_for_a_chat_message(tmp_path: Path) -> None:
    folder = write_history(tmp_path / "history")
    result = run_pdlint("history", str(folder), "--format", "markdown")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-4:] == [
        "| open for | since | severity | rule | object | finding |",
        "|---|---|---|---|---|---|",
        "| 10d | 2026-10-31T06:00:00Z | error (waived) | SCH201 | schedule 'Platform - "
        "Secondary' (PS1) | Platform - Secondary differs |",
        "| 7d | 2026-11-03T06:00:00Z | warning | USR400 | user 'Pavel Novak' (PU1) | Pavel "
        "Novak differs |"]


def test_an_open_error_exits_1_and_an_incomplete_last_run_says_so(tmp_path: Path) -> None:
    """Up to the incomplete run of 5 Nov: SVC302 (error) first seen then is open, and USR400,
    not seen by a run that could not read users, is open as last seen (3 Nov). The skip is
    accepted, as drift takes it, so the exit code is that of the open error."""
    folder = write_history(tmp_path / "history")
    for day in list(RUNS)[5:]:
        (folder / (day.replace("-", "") + "T060000Z.json")).unlink()
    result = run_pdlint("history", str(folder), "--accept-skip", "users")
    assert result.returncode == 1
    assert ("3 drifts open (1 error not waived) at the last of 5 runs, 2026-11-05T06:00:00Z; "
            "that run skipped 1 check (users): a drift it could not see is open as last "
            "seen.") in result.stdout
    assert "     0h  error   SVC302  service 'Payments API' (PSV1)" in result.stdout
    assert "     2d  warning USR400" in result.stdout


@pytest.mark.parametrize(("accepted", "settings", "code"), [
    pytest.param((), None, 2, id="not-accepted"),
    pytest.param(("--accept-skip", "users"), None, 0, id="accepted-by-option"),
    pytest.param((), "accept-skip: [users]\n", 0, id="accepted-in-the-settings"),
    pytest.param(("--accept-skip", "priorities"), None, 2, id="another-accepted"),
])
def test_a_last_run_that_skipped_a_check_is_not_a_pass_unless_accepted(
        tmp_path: Path, accepted: tuple[str, ...], settings: str | None, code: int) -> None:
    """The last run could not read the users and found only a warning: as drift exited 2 for
    it, so does history, unless the skip is accepted by name."""
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "20261105T060000Z.json").write_text(json.dumps(report(
        "2026-11-05T06:00:00Z", (F3,), incomplete=True)), encoding="utf-8")
    (tmp_path / ".git").mkdir()
    if settings is not None:
        (tmp_path / ".pdlint.yaml").write_text(settings, encoding="utf-8")
    result = run_pdlint("history", str(folder), *accepted, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert ("pdlint: error: incomplete: users could not be read" in result.stderr) == (code == 2)


def test_skipped_files_and_other_accounts_are_named_apart(tmp_path: Path) -> None:
    folder = write_history(tmp_path / "history")
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    (folder / "globex.json").write_text(json.dumps(report("2026-11-02T06:00:00Z", (),
                                                          subdomain="globex")), encoding="utf-8")
    result = run_pdlint("history", str(folder))
    assert result.returncode == 2  # skipped is never passed
    assert f"globex ({API}) against policy\n0 drifts open (0 errors not waived) at the last " \
           "of 1 run, 2026-11-02T06:00:00Z.\n" in result.stdout
    assert result.stdout.endswith("\n1 file skipped, not drift reports (counted in nothing "
                                  "above):\n  notes.txt: not JSON (line 1, column 1: Expecting "
                                  "value)\n")
    assert result.stderr == ("pdlint: warning: notes.txt skipped: not JSON (line 1, column 1: "
                             "Expecting value)\npdlint: error: incomplete: 1 file of the "
                             "history is not a drift report (named above)\n")


def test_a_folder_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    result = run_pdlint("history", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_an_empty_history_is_not_a_clean_one(tmp_path: Path) -> None:
    result = run_pdlint("history", str(tmp_path))
    assert (result.returncode, result.stdout) == (
        2, f"Drift history in {tmp_path}: 0 runs of 0 accounts and policies.\n")
    assert result.stderr == (f"pdlint: error: no drift run is recorded in {tmp_path} (pdlint "
                             "drift --record adds them)\n")


@pytest.mark.parametrize(("accepted", "code"), [
    pytest.param((), 2, id="not-accepted"),
    pytest.param(("--accept-skip", "USR400"), 0, id="the-rule-accepted"),
    pytest.param(("--accept-skip", "users"), 2, id="the-collection-was-read"),
])
def test_a_last_run_whose_rule_could_not_make_a_check_is_not_a_pass_unless_accepted(
        tmp_path: Path, accepted: tuple[str, ...], code: int) -> None:
    """A report of before findings were marked (no ``not_checked``) and one after, whose USR400
    could not make a check: history reads both, and exits as drift did for the last."""
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "20261104T060000Z.json").write_text(json.dumps(report(
        "2026-11-04T06:00:00Z", (F3,))), encoding="utf-8")
    marked = report("2026-11-05T06:00:00Z", (F3,))
    marked["findings"][0]["not_checked"] = "user PU2 is not in the user list this key reads"
    marked["skipped"] = [{"rule": "USR400", "reason": "1 check not made (findings marked not "
                                                      "checked): user PU2 is not in the user "
                                                      "list this key reads"}]
    (folder / "20261105T060000Z.json").write_text(json.dumps(marked), encoding="utf-8")
    result = run_pdlint("history", str(folder), *accepted, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert "2 runs" in result.stdout and "that run skipped 1 check (USR400)" in result.stdout
    assert ("pdlint: error: incomplete: USR400 could not be read or checked"
            in result.stderr) == (code == 2)
