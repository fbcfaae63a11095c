"""A scoped run's boundary in every format: the text report's last line, the JSON
``out_of_scope`` counts, the Markdown and GitHub summary lines, SARIF run properties and JUnit
properties, each a valid document of its format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from junit_schema import junit_errors
from report_cases import FINDINGS, RULES
from sarif_upload import schema_errors, schema_validator

from pdlint.findings import Boundary, Report
from pdlint.report import render

BOUNDARY = Boundary(("Platform", "Payments"), ("prod-*",),
                    (("service", 12), ("escalation_policy", 1), ("schedule", 0), ("team", 38)))
PHRASE = ("outside the scope (teams 'Platform', 'Payments'; services 'prod-*'): 12 services, "
          "1 escalation policy, 0 schedules, 38 teams")


@pytest.fixture(autouse=True)
def in_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("findings", [FINDINGS, ()], ids=["findings", "clean"])
def test_the_text_reports_last_line_says_what_was_outside(findings: tuple) -> None:
    text = render(Report.of(findings, (), BOUNDARY), "text", rules=RULES)
    last = text.rstrip("\n").splitlines()[-1]
    assert last.endswith("; " + PHRASE)
    assert last.startswith("no drift" if not findings else "2 errors")


def test_json_counts_what_was_outside_and_names_the_scope() -> None:
    data = json.loads(render(Report.of(FINDINGS, (), BOUNDARY), "json", rules=RULES))
    assert data["out_of_scope"] == {"service": 12, "escalation_policy": 1, "schedule": 0,
                                    "team": 38}
    assert data["scope"] == {"teams": ["Platform", "Payments"], "services": ["prod-*"]}


def test_a_run_over_the_whole_account_has_no_boundary_in_any_format() -> None:
    report = Report.of(FINDINGS, ())
    assert "out_of_scope" not in json.loads(render(report, "json", rules=RULES))
    for fmt in ("text", "markdown", "github", "junit", "sarif"):
        assert "outside the scope" not in render(report, fmt, rules=RULES)
        assert "out_of_scope" not in render(report, fmt, rules=RULES)


@pytest.mark.parametrize(("fmt", "phrase"), [
    ("markdown", PHRASE.replace("prod-*", "prod-\\*")),  # escaped where it lands
    ("github", PHRASE),
])
def test_summaries_say_what_was_outside(fmt: str, phrase: str) -> None:
    assert phrase in render(Report.of(FINDINGS, (), BOUNDARY), fmt, rules=RULES)


def test_sarif_carries_the_boundary_as_run_properties_and_stays_valid() -> None:
    log = json.loads(render(Report.of(FINDINGS, (), BOUNDARY), "sarif", rules=RULES))
    assert log["runs"][0]["properties"] == {
        "scope": {"teams": ["Platform", "Payments"], "services": ["prod-*"]},
        "outOfScope": {"service": 12, "escalation_policy": 1, "schedule": 0, "team": 38}}
    assert schema_errors(schema_validator(), log) == []


def test_junit_carries_the_boundary_as_properties_and_stays_valid() -> None:
    text = render(Report.of(FINDINGS, (), BOUNDARY), "junit", rules=RULES)
    assert junit_errors(text) == []
    properties = {item.get("name"): item.get("value")
                  for item in ET.fromstring(text).iter("property")}
    assert properties == {"scope": "teams 'Platform', 'Payments'; services 'prod-*'",
                          "out_of_scope.service": "12", "out_of_scope.escalation_policy": "1",
                          "out_of_scope.schedule": "0", "out_of_scope.team": "38"}


NOT_KNOWN = Boundary(("Platform",), (), (("service", 3), ("escalation_policy", None),
                                         ("schedule", None), ("team", 2)))


@pytest.mark.parametrize(("fmt", "said"), [
    pytest.param("text", "3 services, escalation policies not known, schedules not known, "
                 "2 teams", id="text"),
    pytest.param("junit", 'name="out_of_scope.schedule" value="not known"', id="junit"),
])
def test_a_count_not_known_is_said_not_known_never_left_out_or_0(fmt: str, said: str) -> None:
    """A kind not read, or whose scope a part not returned leaves unsure, is not counted:
    every format says so."""
    assert said in render(Report.of(FINDINGS, (), NOT_KNOWN), fmt, rules=RULES)
