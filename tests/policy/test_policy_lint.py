"""``lint_paths`` end to end: the example policy and the catalogue entries. (What the lint
command imports is checked in tests/cli/test_lint_command.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from policy_cases import EXAMPLE_POLICY, places, write_policy

from pdlint.findings import Severity
from pdlint.policy import load_policy
from pdlint.rule import Mode, made_elsewhere
from pdlint.rules.lint import lint_paths
from pdlint.rules.registry import rules_by_id, rules_for


def test_the_example_policy_lints_clean() -> None:
    report = lint_paths([EXAMPLE_POLICY])
    assert [str(finding.message) for finding in report.findings] == []
    assert report.complete


def test_reading_problems_stop_the_other_rules(tmp_path: Path) -> None:
    # POL013 would fire on this severity, but the schema error comes first.
    folder = write_policy(tmp_path / "policy", """\
        severities:
          - id: A
            name: A
            response_sla: 5m
            urgency: high
            channels: [phone]
            business_hours_only: false
            colour: red
        """, bases=("organisation", "postmortems"))
    assert places(lint_paths([folder]).findings) == [("POL003", "case.yaml", 8)]


def test_lint_report_is_sorted_and_counts_warnings(tmp_path: Path) -> None:
    folder = write_policy(tmp_path / "policy", "schedules:\n  - name: B\n  - name: A\n")
    report = lint_paths([folder])
    assert places(report.findings) == [("POL023", "case.yaml", 2), ("POL023", "case.yaml", 3)]
    assert report.summary()["warning"] == 2
    assert not report.fails(Severity.ERROR) and report.fails(Severity.WARNING)
    assert json.loads(json.dumps(report.to_dict()))["findings"][0]["location"]["line"] == 2


@pytest.mark.parametrize("rule_id", ["POL001", "POL002", "POL003", "POL004"])
def test_reading_rules_are_catalogued_like_their_findings(rule_id: str) -> None:
    declared = rules_by_id()[rule_id]
    assert (declared.mode, declared.check) == (Mode.LINT, made_elsewhere)
    names = {"POL001": "yaml-syntax", "POL002": "duplicate-key", "POL003": "schema",
             "POL004": "duplicate-definition"}
    assert (declared.name, declared.severity) == (names[rule_id], Severity.ERROR)


def test_reading_findings_carry_their_catalogue_name_and_severity(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("teams: [\n")
    (tmp_path / "b.yaml").write_text("teams: []\nteams: []\n")
    (tmp_path / "c.yaml").write_text("teams: [{nmae: x}]\n")
    for finding in load_policy([tmp_path]).findings:
        declared = rules_by_id()[finding.rule]
        assert (finding.name, finding.severity) == (declared.name, declared.severity)
    policy = write_policy(tmp_path / "policy", "teams: [{name: T}, {name: T}]\n")
    (duplicate, *_) = lint_paths([policy]).findings
    assert (duplicate.name, duplicate.severity) == ("duplicate-definition", Severity.ERROR)


def test_every_lint_rule_explains_itself() -> None:
    for lint_rule in rules_for(Mode.LINT):
        assert lint_rule.id.startswith("POL") and lint_rule.name == lint_rule.name.lower()
        assert lint_rule.criterion.startswith("CC") and len(lint_rule.rationale) > 80
        assert lint_rule.title and lint_rule.title[0].isupper()
