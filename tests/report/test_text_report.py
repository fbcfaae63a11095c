"""The terminal report, line by line."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from report_cases import (
    EXTRA_PRIORITY,
    LATE_LEVEL,
    LINT_RULES,
    RULES,
    SCHEDULES_FORBIDDEN,
    UNKNOWN_KEY,
    WAIVED_NO_INTEGRATION,
    WAIVER,
)

from pdlint.findings import Report
from pdlint.report import render

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_full_report_reads_skips_first_then_lint_lines_then_drift_by_object(
    full_report: Report,
) -> None:
    assert render(full_report, "text", rules=RULES).splitlines() == [
        "incomplete: 1 check skipped",
        "  SCH201 coverage-gap: the token cannot read on-call schedules (HTTP 403)",
        "",
        "policy/schedules.yaml:30: POL023 schedule 'Old Rotation' is defined but no escalation"
        " policy uses it",
        "policy/services.yaml:12:5: POL003 unknown key 'acknowledg_within'; did you mean"
        " 'acknowledge_within'?",
        "",
        "escalation policy 'Production - Platform' (PABC123)",
        "  error   EP103 escalation-delay: level 3 engaged after 30 min, documented 20 min:"
        " rule 2 delay is 20, expected 10",
        "          expected: 20m (policy/escalation-policies.yaml:23:9)",
        "          actual: 30m",
        "",
        "priority 'P5' (PPRI005)",
        "  info    PRI500 priorities: priority P5 exists in the account but not in the severity"
        " matrix",
        '          actual: {"color": "a8171c", "name": "P5"}',
        "",
        "service 'Internal Admin' (PSVC001)",
        "  waived  SVC306 no-integration: the service has no integration, so no alert can reach it",
        "          waived until 2027-03-31 by platform-lead@acme.example: Alerts reach Internal"
        " Admin by email only until the monitoring migration. (waiver at policy/waivers.yaml:7)",
        "",
        "2 errors, 1 warning, 1 info, 1 waived; incomplete: 1 check skipped",
    ]


@pytest.mark.parametrize(
    ("findings", "skipped", "rules", "summary"),
    [
        ((), (), RULES, "no drift"),
        ((), (), LINT_RULES, "no problems"),
        ((), (SCHEDULES_FORBIDDEN,), RULES,
         "nothing found by the checks that ran; incomplete: 1 check skipped"),
        ((WAIVED_NO_INTEGRATION,), (), RULES, "1 waived"),
        ((UNKNOWN_KEY,), (), LINT_RULES, "1 error"),
        ((UNKNOWN_KEY, LATE_LEVEL, EXTRA_PRIORITY), (), RULES, "2 errors, 1 info"),
    ],
)
def test_summary_line_says_clean_only_for_a_complete_run_without_findings(
    findings: tuple, skipped: tuple, rules: tuple, summary: str
) -> None:
    lines = render(Report.of(findings, skipped), "text", rules=rules).splitlines()
    assert lines[-1] == summary
    assert ("no drift" in "\n".join(lines) or "no problems" in "\n".join(lines)) == (
        not findings and not skipped
    )


def test_a_drift_finding_of_an_unknown_rule_with_a_location_reads_like_a_compiler() -> None:
    text = render(Report.of([LATE_LEVEL]), "text", rules=LINT_RULES)
    assert text.splitlines()[0] == (
        "policy/escalation-policies.yaml:23:9: EP103 level 3 engaged after 30 min, documented"
        " 20 min: rule 2 delay is 20, expected 10"
    )


def test_a_waived_lint_finding_says_so_on_its_line() -> None:
    waived = UNKNOWN_KEY.with_waiver(WAIVER)
    first = render(Report.of([waived]), "text", rules=LINT_RULES).splitlines()[0]
    assert first.startswith("policy/services.yaml:12:5: POL003 unknown key")
    assert first.endswith("[waived until 2027-03-31 by platform-lead@acme.example: Alerts reach"
                          " Internal Admin by email only until the monitoring migration."
                          " (waiver at policy/waivers.yaml:7)]")


def test_color_only_adds_escape_codes(full_report: Report) -> None:
    plain_text = render(full_report, "text", rules=RULES)
    colored = render(full_report, "text", rules=RULES, color=True)
    assert colored != plain_text
    assert "\x1b[31m\x1b[1mEP103" not in colored  # the label is painted, not the rule id
    assert "\x1b[31m\x1b[1merror  \x1b[0m" in colored  # as click.style writes bold red
    assert ANSI.sub("", colored) == plain_text


@pytest.mark.parametrize("field", ["message", "expected", "actual"])
def test_each_text_of_a_finding_is_escaped_alone(field: str) -> None:
    text = render(Report.of([replace(LATE_LEVEL, **{field: "Web\x1b[2J"})]), "text", rules=RULES)
    assert "Web\\x1b[2J" in text and "\x1b" not in text


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        pytest.param("Web\nerror   forged line", "Web\\nerror   forged line", id="newline"),
        pytest.param("Web\x1b[2J", "Web\\x1b[2J", id="terminal-escape"),
        pytest.param("evil\u202eusr", "evil\\u202eusr", id="bidi-override"),
        pytest.param("Café – Zürich", "Café – Zürich", id="ordinary-unicode-kept"),
    ],
)
def test_names_from_the_account_cannot_forge_lines_or_drive_the_terminal(
        name: str, shown: str) -> None:
    finding = replace(LATE_LEVEL, resource=replace(LATE_LEVEL.resource, name=name),
                      message=f"level of {name}", actual=name)
    text = render(Report.of([finding]), "text", rules=RULES)
    assert f"escalation policy {name!r} (PABC123)" in text
    assert f"level of {shown}" in text and f"actual: {shown}" in text
    assert "\x1b" not in text and "\u202e" not in text
    assert len(text.splitlines()) == len(render(Report.of([LATE_LEVEL]), "text",
                                                rules=RULES).splitlines())
