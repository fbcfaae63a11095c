"""The Markdown report: headline, a table per kind of object, waived and skipped sections."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from report_cases import AWKWARD, LATE_LEVEL, RULES, UNKNOWN_KEY

from pdlint.findings import Report, Severity
from pdlint.report import render
from pdlint.report.markdown import render_markdown

TABLE_ROW = re.compile(r"^\|.*\|$")


def sections(text: str) -> dict[str, list[str]]:
    """Table rows under each ``###`` heading (header and rule rows dropped)."""
    found: dict[str, list[str]] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("### "):
            heading = line[4:]
            found[heading] = []
        elif heading and TABLE_ROW.match(line):
            found[heading].append(line)
    return {name: rows[2:] for name, rows in found.items()}


def test_headline_then_incomplete_warning_then_tables(full_report: Report) -> None:
    lines = render(full_report, "markdown", rules=RULES, title="Drift check").splitlines()
    assert lines[0] == ("## Drift check: 2 errors, 1 warning, 1 info, 1 waived; incomplete:"
                        " 1 check skipped")
    assert lines[2].startswith("> **Incomplete: 1 check skipped.** The results below cover only")
    assert list(sections("\n".join(lines))) == [
        "Escalation policies", "Priorities", "Schedules", "Services", "Waived", "Skipped checks"]


def test_rows_carry_severity_rule_object_values_and_policy_line(full_report: Report) -> None:
    tables = sections(render(full_report, "markdown", rules=RULES))
    assert tables["Escalation policies"] == [
        "| error | EP103 escalation-delay | Production - Platform | level 3 engaged after 30 min,"
        " documented 20 min: rule 2 delay is 20, expected 10 | `20m` | `30m` |"
        " `policy/escalation-policies.yaml:23:9` |"
    ]
    assert tables["Waived"] == [
        "| SVC306 no-integration | Internal Admin | the service has no integration, so no alert"
        " can reach it | Alerts reach Internal Admin by email only until the monitoring migration."
        " | platform-lead@acme.example | 2027-03-31 |"
    ]
    assert tables["Skipped checks"] == [
        "| SCH201 coverage-gap | the token cannot read on-call schedules (HTTP 403) |"]


def test_a_complete_run_has_no_incomplete_warning(complete_report: Report) -> None:
    text = render(complete_report, "markdown", rules=RULES)
    assert "Incomplete" not in text
    assert "Skipped checks" not in text
    assert text.splitlines()[0] == "## pdlint: 2 errors, 1 warning, 1 info, 1 waived"


def test_worst_findings_come_first_in_a_table() -> None:
    warning = replace(UNKNOWN_KEY, severity=Severity.WARNING, message="a lesser problem")
    rows = sections(render(Report.of([warning, UNKNOWN_KEY]), "markdown", rules=RULES))["Services"]
    assert [row.split(" | ")[0] for row in rows] == ["| error", "| warning"]


def test_awkward_text_cannot_break_the_table_or_inject_markup() -> None:
    (row,) = sections(render(Report.of([AWKWARD]), "markdown", rules=RULES))["Escalation policies"]
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == 7
    assert cells[2].strip() == r"Pay\|ments, \<API\>: 100%"
    assert cells[3].strip() == (r"line one<br>line two, 100% : colon \| pipe \<b\>bold\</b\>"
                                r" \`tick\` \\x07bell")  # the bell escaped, not rung
    assert cells[4].strip() == r"``a\|b`c``"
    assert cells[5].strip() == '`["x", "y"]`'
    assert cells[6].strip() == "`policy/odd, name.yaml:3:2`"


@pytest.mark.parametrize(("max_rows", "shown", "note"), [(None, 2, False), (1, 1, True)])
def test_max_rows_caps_each_table_and_counts_the_rest(
    max_rows: int | None, shown: int, note: bool
) -> None:
    report = Report.of([LATE_LEVEL, replace(LATE_LEVEL, message="another")])
    text = render_markdown(report, RULES, max_rows=max_rows)
    assert len(sections(text)["Escalation policies"]) == shown
    assert ("… and 1 more; the full report has every row." in text) is note


@pytest.mark.parametrize("control", ["\x1b[31m", "\x00", "\x07", "\u202e"])
def test_control_characters_are_escaped_in_cells_and_values(full_report: Report,
                                                            control: str) -> None:
    """Names and values come from the account and the policy: an escape sequence, NUL or bell
    would reach the terminal or the page that shows the report, as the text report escapes."""
    first = full_report.findings[0]
    hostile = replace(first, message=f"before{control}after", actual=f"x{control}y")
    text = render_markdown(replace(full_report, findings=(hostile, *full_report.findings[1:])),
                           rules=RULES, title="Drift check")
    assert control not in text
    assert control.encode("unicode_escape").decode("ascii") in text
