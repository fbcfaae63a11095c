"""GitHub Actions workflow commands, parsed back as the runner parses them; the job summary."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from report_cases import AWKWARD, LATE_LEVEL, RULES, SCHEDULES_FORBIDDEN, WAIVED_NO_INTEGRATION

import pdlint.report
from pdlint.errors import PdlintError
from pdlint.findings import Location, Report, Resource, Skipped, Waived
from pdlint.report import render, write_step_summary
from pdlint.report.github import escape_data, escape_property, log_line

COMMAND = re.compile(r"^::(?P<kind>error|warning|notice)(?: (?P<properties>[^:]*))?::(?P<text>.*)$")


def unescape(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str] | None:
    match = COMMAND.match(line)
    if match is None:
        return None
    properties = dict(
        (key, unescape(value))
        for key, value in (item.split("=", 1) for item in (match["properties"] or "").split(",")
                           if item)
    )
    return match["kind"], properties, unescape(match["text"])


def test_each_finding_is_an_annotation_and_waived_findings_are_plain_log_lines(
    full_report: Report,
) -> None:
    lines = render(full_report, "github", rules=RULES).splitlines()
    commands = [parse(line) for line in lines]
    assert commands[0] == ("warning", {"title": "pdlint skipped"},
                           "SCH201 coverage-gap skipped: the token cannot read on-call schedules"
                           " (HTTP 403)")
    assert commands[1] == (
        "error",
        {"file": "policy/escalation-policies.yaml", "line": "23", "col": "9",
         "title": "EP103 escalation-delay"},
        "escalation policy 'Production - Platform' (PABC123): level 3 engaged after 30 min,"
        " documented 20 min: rule 2 delay is 20, expected 10 (expected 20m, actual 30m)",
    )
    assert commands[2] is not None
    assert commands[2][:2] == ("warning", {"file": "policy/schedules.yaml", "line": "30",
                                           "title": "POL023 unused-definition"})
    assert commands[4] is not None
    assert commands[4][:2] == ("notice", {"title": "PRI500 priorities"})
    assert commands[5] is None and lines[5].startswith("SVC306 no-integration service")
    assert "waived until 2027-03-31" in lines[5]
    assert lines[-1] == "pdlint: 2 errors, 1 warning, 1 info, 1 waived; incomplete: 1 check skipped"
    assert [command[0] for command in commands if command] == [
        "warning", "error", "warning", "error", "notice"]


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain text", "plain text", "plain text"),
        ("100%", "100%25", "100%25"),
        ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
        ("x: y, z", "x: y, z", "x%3A y%2C z"),
        ("%0A literally", "%250A literally", "%250A literally"),
    ],
)
def test_escaping_follows_the_runner(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop
    assert unescape(data) == raw
    assert unescape(prop) == raw


def test_awkward_text_survives_the_round_trip_on_one_line() -> None:
    (line, _summary) = render(Report.of([AWKWARD]), "github", rules=RULES).splitlines()
    parsed = parse(line)
    assert parsed is not None
    kind, properties, text = parsed
    assert kind == "error"
    assert properties["file"] == "policy/odd, name.yaml"
    assert (properties["line"], properties["col"]) == ("3", "2")
    assert text.startswith("escalation policy 'Pay|ments, <API>: 100%': line one\nline two, 100%")


# How the Actions runner reads a line of a step's output: trimmed, a line starting with "::" is a
# command (``::name key=value,key=value::message``); "##[" anywhere starts an old-style one.
ANNOTATION_PROPERTIES = {"file", "line", "col", "endLine", "endColumn", "title"}
ESCAPE = re.compile(r"%(?:25|0D|0A|3A|2C)")
INJECTED = "::warning file=README.md,line=1::injected"


def runner_lines(output: str) -> list[str]:
    """The lines the runner reads: it breaks lines at LF, CR and CRLF only."""
    return re.split(r"\r\n|\r|\n", output.removesuffix("\n"))


def well_formed_command(line: str) -> bool:
    """Whether ``line`` is an annotation whose properties and message are fully escaped."""
    match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
    if match is None:
        return False
    properties = [item.split("=", 1) for item in match[2].split(",")]
    if any(len(item) != 2 or item[0] not in ANNOTATION_PROPERTIES for item in properties):
        return False
    escaped = [value for _, value in properties] + [match[3]]
    return all("%" not in ESCAPE.sub("", value) for value in escaped)


def readable_as_command(line: str) -> bool:
    return line.strip().startswith("::") or "##[" in line


HOSTILE_TEXT = f"x\n{INJECTED}\r\n  ::error::cr ##[warning]v1 %0A 100% a:b,c"
HOSTILE_WAIVER = Waived(
    reason=f"Accepted until the migration.\n{INJECTED}\n##[error]old style\n  ::notice::indented",
    owner=f"ops\n{INJECTED}", expires=date(2027, 3, 31),
    location=Location(f"policy/w,a:i%ver\n{INJECTED}.yaml", 4))
HOSTILE = Report.of(
    [replace(LATE_LEVEL, message=HOSTILE_TEXT, expected=HOSTILE_TEXT,
             resource=Resource("escalation_policy", HOSTILE_TEXT, "P1\n::error::id"),
             location=Location(f"policy/{HOSTILE_TEXT}.yaml", 2, 3)),
     replace(WAIVED_NO_INTEGRATION, message=HOSTILE_TEXT,
             resource=Resource("service", HOSTILE_TEXT), waived=HOSTILE_WAIVER),
     replace(WAIVED_NO_INTEGRATION, rule="::warning", name=INJECTED, waived=HOSTILE_WAIVER)],
    [Skipped("SCH201", HOSTILE_TEXT), replace(SCHEDULES_FORBIDDEN, rule=INJECTED)])


def test_no_policy_or_account_text_becomes_a_workflow_command() -> None:
    lines = runner_lines(render(HOSTILE, "github", rules=RULES))
    assert len(lines) == 6, lines
    for line in lines:
        assert well_formed_command(line) or not readable_as_command(line), line
    commands = [line for line in lines if well_formed_command(line)]
    assert len(commands) == 3  # two skipped checks and the one finding that is not waived
    assert all(not readable_as_command(line) for line in lines if line not in commands)
    waived = [line for line in lines if "waived until" in line]
    assert len(waived) == 2
    assert "Accepted until the migration.\\n::warning file=README.md" in waived[0]


def test_the_checker_would_see_an_injection() -> None:
    assert readable_as_command(" ::warning::x") and readable_as_command("a ##[error]b")
    assert not well_formed_command("::error file=a:b::x")
    assert not well_formed_command("::error file=a,evil::x")
    assert not well_formed_command("::error title=100%::x")
    assert well_formed_command("::error file=a%3Ab,line=1::100%25")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("plain", "plain"),
        ("a\nb", "a\\nb"),
        ("::warning::x", "pdlint: ::warning::x"),
        ("  ::warning::x", "pdlint:   ::warning::x"),
        ("see ##[error]", "see ## [error]"),
    ],
)
def test_a_log_line_is_one_line_never_a_command(text: str, line: str) -> None:
    assert log_line(text) == line


def test_the_github_format_appends_the_job_summary(
    full_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render(full_report, "github", rules=RULES, title="Drift")
    render(full_report, "github", rules=RULES, title="Drift")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## Drift: 2 errors, 1 warning")
    assert written.count("## Drift:") == 2
    assert "### Skipped checks" in written


def test_without_the_variable_no_summary_is_written(
    full_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_step_summary(full_report, RULES)
    assert list(tmp_path.iterdir()) == []


def test_a_summary_too_large_for_github_is_shortened(
    full_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "step_summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setattr(pdlint.report, "STEP_SUMMARY_LIMIT_BYTES", 100)
    monkeypatch.setattr(pdlint.report, "STEP_SUMMARY_ROWS_WHEN_SHORTENED", 0)
    write_step_summary(full_report, RULES)
    written = summary.read_text(encoding="utf-8")
    assert "… and 1 more; the full report has every row." in written
    assert "EP103" not in written


def test_an_unwritable_summary_is_a_clear_error(
    full_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))
    with pytest.raises(PdlintError, match=r"cannot append the job summary to .* "
                                          r"\(\$GITHUB_STEP_SUMMARY\): Is a directory"):
        write_step_summary(full_report, RULES)
