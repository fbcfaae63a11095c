"""The JSON report is the contract of DESIGN.md §3, key for key."""

from __future__ import annotations

import json
from dataclasses import replace

from report_cases import EXTRA_PRIORITY, RULES

from pdlint.findings import Report, Resource
from pdlint.report import render

FINDING_KEYS = {"rule", "name", "severity", "message", "resource", "expected", "actual",
                "location", "waived", "not_checked"}


def test_json_is_the_report_contract(full_report: Report) -> None:
    data = json.loads(render(full_report, "json", rules=RULES))
    assert data == full_report.to_dict()
    assert set(data) == {"version", "tool", "findings", "skipped", "summary"}
    assert data["version"] == 2
    assert data["tool"] == {"name": "pdlint", "version": full_report.tool_version}
    assert all(set(finding) == FINDING_KEYS for finding in data["findings"])
    assert {finding["severity"] for finding in data["findings"]} == {"error", "warning", "info"}
    assert data["skipped"] == [{"rule": "SCH201",
                                "reason": "the token cannot read on-call schedules (HTTP 403)"}]
    assert data["summary"] == {"error": 2, "warning": 1, "info": 1, "not_checked": 0,
                               "waived": 1, "skipped": 1}
    waived = [finding["waived"] for finding in data["findings"] if finding["waived"]]
    assert waived == [{"reason": "Alerts reach Internal Admin by email only until the monitoring"
                                 " migration.",
                       "owner": "platform-lead@acme.example", "expires": "2027-03-31",
                       "location": {"path": "policy/waivers.yaml", "line": 7}}]


def test_json_text_does_not_depend_on_the_key_order_of_live_values() -> None:
    def report_with(actual: dict[str, str]) -> str:
        return render(Report.of([replace(EXTRA_PRIORITY, actual=actual)]), "json", rules=RULES)

    assert report_with({"name": "P5", "color": "red"}) == report_with({"color": "red",
                                                                       "name": "P5"})


def test_json_keeps_names_readable_and_indents_by_two() -> None:
    finding = replace(EXTRA_PRIORITY, resource=Resource("priority", "Sévérité 1"))
    text = render(Report.of([finding]), "json", rules=RULES)
    assert '"name": "Sévérité 1"' in text
    assert text.startswith('{\n  "findings": [\n    {\n')
