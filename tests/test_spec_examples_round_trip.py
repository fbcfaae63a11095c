"""pdlint init, then drift, on an account answering with the official spec's own example
payloads: what the draft documents of maintenance windows, auto-pause, alert grouping (the
service's own, and the Alert Grouping Settings listing) and response automation drifts
nowhere."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pdlint.files import write_files
from pdlint.init import draft_policy
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState, Window
from pdlint.policy import load_policy
from pdlint.rules.engine import drift

SPEC = Path(__file__).parent / "fixtures" / "pagerduty-openapi" / "openapiv3.json"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
MINE = {"SVC310", "SVC312", "SVC314", "RSP700"}

# collection: (spec path, response status, example name, the list's key)
EXAMPLES = {
    "services": ("/services", "200", "response", "services"),
    "priorities": ("/priorities", "200", "response", "priorities"),
    "maintenance_windows": ("/maintenance_windows", "200", "response", "maintenance_windows"),
    "incident_workflows": ("/incident_workflows", "200", "response", "incident_workflows"),
    "workflow_triggers": ("/incident_workflows/triggers", "200", "response", "triggers"),
    "alert_grouping_settings": ("/alert_grouping_settings", "200", "response",
                                "alert_grouping_settings"),
}


def example_state(grouped_by_the_setting: bool = False) -> LiveState:
    """The examples as one account; with ``grouped_by_the_setting`` the example service keeps
    its grouping in the example Alert Grouping Setting (referenced, and listed by it)."""
    spec = json.loads(SPEC.read_text())
    objects: dict[str, Any] = {}
    for kind, (path, status, name, key) in EXAMPLES.items():
        content = spec["paths"][path]["get"]["responses"][status]["content"]
        objects[kind] = tuple(content["application/json"]["examples"][name]["value"][key])
    shown = spec["paths"]["/incident_workflows/{id}"]["get"]["responses"]["201"]["content"][
        "application/json"]["examples"]["response"]["value"]["incident_workflow"]
    # The listed workflow without its steps, and as shown with them (the same workflow).
    objects["incident_workflows"] = (shown,)
    if grouped_by_the_setting:
        [setting] = objects["alert_grouping_settings"]
        [service] = objects["services"]
        objects["services"] = ({**service, "alert_grouping_parameters": {
            "id": setting["id"], "type": "alert_grouping_setting_reference"}},)
        objects["alert_grouping_settings"] = ({**setting, "services": [
            *setting["services"], {"id": service["id"], "name": service["name"]}]},)
    return LiveState("https://api.pagerduty.com", NOW, Window.starting(NOW, timedelta(days=30)),
                     objects)


@pytest.mark.parametrize(("grouped_by_the_setting", "grouping"), [
    (False, "intelligent"), (True, "content_based")])
def test_init_then_drift_is_clean_on_the_spec_examples(tmp_path: Path,
                                                       grouped_by_the_setting: bool,
                                                       grouping: str) -> None:
    state = example_state(grouped_by_the_setting)
    folder = tmp_path / "policy"
    write_files(folder, draft_policy(state), force=False)
    loaded = load_policy([folder])
    assert loaded.policy is not None, [finding.message for finding in loaded.findings]
    p1 = loaded.policy.severity("P1")
    assert p1 is not None and p1.response_automation is not None
    assert p1.response_automation.workflow.value == "Example Incident Workflow"
    [service] = loaded.policy.services
    assert service.alert_grouping is not None and service.alert_grouping.value == grouping
    report = drift(loaded.policy, parse_account(state), NOW.date())
    assert [(finding.rule, finding.message) for finding in report.findings
            if finding.rule in MINE] == []
