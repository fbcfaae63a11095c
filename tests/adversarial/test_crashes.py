"""A crash is not a finding: every unexpected exception ends in exit 2 with one line naming what
was being read and how to report it (the traceback before it only with ``--debug`` or
PDLINT_DEBUG=1),
and the inputs an outside probe crashed pdlint with are findings or clear errors instead."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from adversarial_cases import POLICY, Ran, run_main, sim_env

from pdlint.sim import SimServer, demo_account


def one_line_error(ran: Ran) -> str:
    assert ran.code == 2, ran
    assert "Traceback" not in ran.stderr
    [line] = ran.stderr.splitlines()
    assert line.startswith("pdlint: error: "), line
    return line


def crash_in_lint_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(paths: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("pdlint.rules.lint.lint_paths", broken)


def test_an_unexpected_exception_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    crash_in_lint_rules(monkeypatch)
    line = one_line_error(run_main("lint", str(POLICY)))
    assert line.startswith("pdlint: error: unexpected ZeroDivisionError in `pdlint lint`: "
                           "division by zero; this is a bug in pdlint ")
    assert "PDLINT_DEBUG=1" in line


@pytest.mark.parametrize(("arguments", "env"), [(("--debug",), {}), ((), {"PDLINT_DEBUG": "1"})])
def test_the_traceback_only_when_debugging(monkeypatch: pytest.MonkeyPatch,
                                           arguments: tuple[str, ...], env: dict[str, str]) -> None:
    """Debugging shows the traceback, and still exits 2: CI reads 1 as findings."""
    crash_in_lint_rules(monkeypatch)
    ran = run_main(*arguments, "lint", str(POLICY), env=env)
    assert ran.code == 2, ran
    assert ran.stderr.startswith("Traceback (most recent call last):")
    *_, error, line = ran.stderr.splitlines()
    assert error == "ZeroDivisionError: division by zero"
    assert line.startswith("pdlint: error: unexpected ZeroDivisionError in `pdlint lint`: ")
    assert line.endswith("with this line and the traceback above")


def test_the_line_names_the_endpoint_being_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from pdlint.pagerduty.client import PagerDutyClient

    real = PagerDutyClient.iter_classic

    def iter_classic(self: PagerDutyClient, path: str, *args: Any,
                     **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        if path == "/teams":
            raise ValueError("an answer nobody foresaw")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(PagerDutyClient, "iter_classic", iter_classic)
    with SimServer(demo_account(), token="t0k3n") as server:
        line = one_line_error(run_main("snapshot", "-o", "-", "--quiet", env=sim_env(server)))
    assert line.startswith("pdlint: error: unexpected ValueError while reading GET /teams: "
                           "an answer nobody foresaw;"), line


def test_the_line_names_the_policy_file_being_read(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    def broken(self: Any, node: Any, path: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("pdlint.policy.load._NodeReader._mapping", broken)
    (tmp_path / "teams.yaml").write_text("teams: [a]\n")
    line = one_line_error(run_main("lint", str(tmp_path)))
    assert f"unexpected RuntimeError while reading {tmp_path.as_posix()}/teams.yaml: boom;" in line


@pytest.mark.parametrize(("name", "said"), [
    (["Platform"], "name is ['Platform'], not text"),
    (5, "name is 5, not text"),
    (None, "name is missing; pdlint finds every team by its name"),
])
def test_a_team_named_by_no_text_is_named_as_the_error(monkeypatch: pytest.MonkeyPatch,
                                                        name: object, said: str) -> None:
    """The scoped read matches the policy's teams by name before the model is parsed: a name
    that is not text matches none and is left to the model to name, never a TypeError."""
    from pdlint.sim.account import Team
    from pdlint.sim.payloads import Payloads

    account = demo_account()
    named = account.teams[0]
    served = Payloads.team

    def team(self: Payloads, team: Team) -> dict[str, Any]:
        payload: dict[str, Any] = served(self, team)
        return {**payload, "name": name} if team.id == named.id else payload

    monkeypatch.setattr(Payloads, "team", team)
    with SimServer(account, token="t0k3n") as server:
        line = one_line_error(run_main("drift", "--quiet", "--policy", str(POLICY),
                                       env=sim_env(server)))
    assert line == f"pdlint: error: team {named.id}: {said}", line


# -- the inputs the probe crashed pdlint with: findings at file:line, or clear errors ----------

def lint_one(tmp_path: Path, text: str, name: str = "organisation.yaml") -> dict[str, Any]:
    """``pdlint lint --format json`` of a folder holding the example policy with one file
    replaced by ``text``: exit 1 and the report."""
    import shutil

    folder = tmp_path / "policy"
    shutil.copytree(POLICY, folder)
    (folder / name).write_text(text, encoding="utf-8")
    ran = run_main("lint", "--format", "json", str(folder))
    assert (ran.code, ran.stderr) == (1, ""), ran
    report: dict[str, Any] = json.loads(ran.stdout)
    return report


def only_error(report: dict[str, Any]) -> tuple[str, int, str]:
    [finding] = [finding for finding in report["findings"] if finding["severity"] == "error"]
    return finding["rule"], finding["location"]["line"], finding["message"]


@pytest.mark.parametrize(("tagged", "message"), [
    ("!!bool maybe", "'maybe' is not a YAML bool (!!bool); remove the tag or write a bool"),
    ("!!int twelve", "'twelve' is not a YAML int (!!int); remove the tag or write an int"),
    ("!!float many", "'many' is not a YAML float (!!float); remove the tag or write a float"),
])
def test_a_tag_that_does_not_fit_its_value_is_a_finding(tmp_path: Path, tagged: str,
                                                        message: str) -> None:
    report = lint_one(tmp_path, f"# teams\nteams: {tagged}\n", name="teams.yaml")
    assert only_error(report) == ("POL001", 2, message)


@pytest.mark.usefixtures("each_yaml_loader")
def test_an_escape_naming_no_character_is_a_finding_on_either_loader(tmp_path: Path) -> None:
    """``"\\ud800"`` names half of a surrogate pair, which no UTF-8 report can write: libyaml
    refuses it, and PyYAML's own loader kept it until the report quoting it crashed."""
    services = (POLICY / "services.yaml").read_text(encoding="utf-8")
    report = lint_one(tmp_path, services.replace("team: Platform", 'team: "Plat\\ud800form"', 1),
                      name="services.yaml")
    [finding] = report["findings"]
    assert (finding["rule"], finding["location"]["line"], finding["location"]["column"]) == (
        "POL001", 9, 18)  # the first "team: Platform"; its "d800"
    assert "found invalid Unicode character escape code" in finding["message"]


ORGANISATION = (POLICY / "organisation.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("zone", ["America", "Etc", "Europe/" + "x" * 300])
def test_a_time_zone_folder_or_overlong_name_is_not_a_zone(tmp_path: Path, zone: str) -> None:
    line = next(number for number, text in enumerate(ORGANISATION.splitlines(), 1)
                if text.strip().startswith("time_zone:"))
    text = "\n".join(f"  time_zone: {zone}" if number == line else text
                     for number, text in enumerate(ORGANISATION.splitlines(), 1)) + "\n"
    rule, at, message = only_error(lint_one(tmp_path, text))
    assert (rule, at) == ("POL030", line), message
    assert message.startswith(f"{zone!r} is not an IANA time zone")


@pytest.mark.parametrize("zone", ["America", "Etc", "x" * 300])
def test_init_refuses_a_time_zone_folder(tmp_path: Path, zone: str) -> None:
    ran = run_main("init", "-o", str(tmp_path / "p"), "--time-zone", zone,
                   env={"PAGERDUTY_API_TOKEN": "unused"})
    assert ran.code == 2
    assert f"Invalid value for --time-zone: {zone!r} is not an IANA time zone" in ran.stderr


@pytest.mark.parametrize(("pattern", "reason"), [
    ("a{4294967296}", "the repetition number is too large"),
    ("(" * 1000 + "a" + ")" * 1000, "nested too deeply"),
])
def test_a_link_pattern_python_cannot_compile_is_a_finding(tmp_path: Path, pattern: str,
                                                           reason: str) -> None:
    text = (POLICY / "organisation.yaml").read_text(encoding="utf-8")
    assert "link_pattern:" in text
    replaced = "\n".join(
        f"{line.split('link_pattern:')[0]}link_pattern: '{pattern}'"
        if "link_pattern:" in line else line for line in text.splitlines()) + "\n"
    rule, _, message = only_error(lint_one(tmp_path, replaced))
    assert rule == "POL003" and reason in message, message


@pytest.mark.parametrize("output_format", ["json", "sarif", "text", "junit", "github",
                                           "markdown"])
def test_a_policy_file_name_that_is_not_utf8_is_a_finding(tmp_path: Path,
                                                          output_format: str) -> None:
    import os
    import shutil

    folder = tmp_path / "policy"
    shutil.copytree(POLICY, folder)
    name = os.fsdecode(b"teams-\xff.yaml")
    (folder / name).write_text("teams: []\n", encoding="utf-8")
    output = tmp_path / "report"
    ran = run_main("lint", "--format", output_format, "-o", str(output), str(folder))
    assert (ran.code, ran.stderr) == (1, ""), ran
    written = output.read_bytes().decode("utf-8")  # strict: all of it UTF-8
    assert "xff.yaml" in written  # escaped as the format escapes a backslash
    on_stdout = run_main("lint", "--format", output_format, str(folder))
    assert on_stdout.code == 1 and "xff.yaml" in on_stdout.stdout
    on_stdout.stdout.encode("utf-8")


@pytest.mark.parametrize(("content", "error"), [
    ("\ufeffu+abcDEF123\n", None),  # a BOM (Notepad's UTF-8) is not part of the token
    ("tökén-123\n", "the API token has a character that is not printable ASCII"),
    ("abc\x07def\n", "the API token has a character that is not printable ASCII"),
])
def test_a_token_file_with_a_bom_or_a_non_ascii_token(tmp_path: Path, content: str,
                                                      error: str | None) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(content, encoding="utf-8")
    token_file.chmod(0o600)
    with SimServer(demo_account(), token="u+abcDEF123") as server:
        ran = run_main("snapshot", "-o", str(tmp_path / "snap.json"), "--quiet",
                       "--token-file", str(token_file), env={"PAGERDUTY_API_URL":
                                                             server.base_url})
    if error is None:
        assert ran.code == 0, ran
    else:
        line = one_line_error(ran)
        assert line.startswith(f"pdlint: error: token file {token_file}: {error}"), line
        assert content.strip() not in line


# -- locations inside the file, as editors count lines ------------------------------------------

@pytest.mark.parametrize(("text", "line"), [
    ("{a: 1, ", 1),  # YAML's end of the file is past the last line
    ("{a: 1, \n", 1),
    ("teams:\n  - name: x\n  - [\n", 3),
])
def test_an_error_at_the_end_of_the_file_is_on_its_last_line(tmp_path: Path, text: str,
                                                               line: int) -> None:
    path = tmp_path / "teams.yaml"
    path.write_text(text, encoding="utf-8")
    ran = run_main("lint", "--format", "json", str(path))
    [finding] = json.loads(ran.stdout)["findings"]
    assert (finding["rule"], finding["location"]["line"]) == ("POL001", line), finding
    assert line <= len(text.split("\n")) and finding["location"]["column"] >= 1


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029", "\r"])
def test_a_yaml_only_line_break_does_not_shift_the_lines_after_it(tmp_path: Path,
                                                                   separator: str) -> None:
    path = tmp_path / "teams.yaml"
    path.write_text(f'teams:\n  - name: "one{separator}two"\n  - nmae: x\n', encoding="utf-8",
                    newline="")
    ran = run_main("lint", "--format", "json", str(path))
    lines = {finding["location"]["line"] for finding in json.loads(ran.stdout)["findings"]
             if "nmae" in finding["message"]}
    assert lines == {3}, ran.stdout


# -- policy folders: what is not a file is said, not skipped ------------------------------------

@pytest.mark.parametrize("kind", ["dangling symlink", "fifo"])
def test_a_policy_entry_that_is_not_a_file_is_reported(tmp_path: Path, kind: str) -> None:
    import os
    import shutil

    folder = tmp_path / "policy"
    shutil.copytree(POLICY, folder)
    entry = folder / "teams.yaml"
    if kind == "fifo":
        os.mkfifo(entry)
    else:
        entry.symlink_to(tmp_path / "gone.yaml")
    line = one_line_error(run_main("lint", str(folder)))
    assert line.startswith(f"pdlint: error: {entry}: ")
    assert ("a symbolic link to" if kind != "fifo" else "not a file") in line


def test_a_forbidden_character_after_wide_characters_is_at_its_own_line(tmp_path: Path) -> None:
    """libyaml counts the position of a forbidden character in UTF-8 bytes: after a character of
    three bytes, on the last line, it pointed past the end of the file (found by the fuzzer)."""
    path = tmp_path / "teams.yaml"
    path.write_text("teams: []\nkey: \u0800\x1f\n", encoding="utf-8")
    ran = run_main("lint", "--format", "json", str(path))
    [finding] = json.loads(ran.stdout)["findings"]
    assert (finding["location"]["line"], finding["location"]["column"]) == (2, 7), finding
