"""The example policy against the demo account, read over HTTP from the simulator: the escalation,
service, priority and waiver rules find exactly the demo's deliberate drifts of their families."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_cases import EXAMPLE_POLICY, TODAY, drifted

from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import COLLECTIONS, LiveState
from pdlint.policy import load_policy
from pdlint.rule import Mode
from pdlint.rules.engine import drift
from pdlint.rules.registry import rules_for
from pdlint.rules.scope import ScopeError

FAMILIES = ("EP", "SVC", "PRI", "WAV")


def test_demo_drifts_of_escalation_service_priority_and_waiver_rules(
        demo_state: LiveState) -> None:
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None and not loaded.findings
    report = drift(loaded.policy, parse_account(demo_state), TODAY)
    assert report.skipped == ()
    found = [(finding.rule, finding.resource.name, finding.resource.id, finding.expected,
              finding.actual, Path(finding.location.path).name if finding.location else None,
              finding.location.line if finding.location else None, finding.waived is not None)
             for finding in report.findings if finding.rule.startswith(FAMILIES)]
    assert sorted(found) == [
        ("EP103", "Production - Platform", "PE00000", 10, 20, "escalation-policies.yaml", 27,
         False),
        ("SVC300", "Legacy Billing", "PS00006", None, "Legacy Billing",
         "escalation-policies.yaml", 7, False),
        ("SVC302", "Payments API", "PS00001", "high", "low", "organisation.yaml", 71, False),
        ("SVC304", "Identity Service", "PS00002", "30m", "disabled", "organisation.yaml", 72,
         False),
        ("SVC306", "Internal Admin", "PS00003", "at least one integration", 0,
         "organisation.yaml", 89, True),
        ("SVC310", "Web Application Firewall", "PS00005", "4h",
         {"start": "2026-03-02T06:00-05:00", "end": "2026-03-02T12:00-05:00",
          "description": "Firewall rule set upgrade", "created_by": "Quinn Harper"},
         "organisation.yaml", 76, False),
        ("SVC311", "Checkout API", "PS00000", "alerts page the escalation policy",
         "Silence health checks", "services.yaml", 7, False),
        ("SVC313", "Security Monitoring", "PS00004", "GitHub", ["Amazon GuardDuty"],
         "services.yaml", 34, False),
    ]
    [delay] = [finding for finding in report.findings if finding.rule == "EP103"]
    assert delay.message == ("level 4 engaged after 40 min, documented 30 min: rule 3 delay is "
                             "20, expected 10")


def test_a_collection_not_read_never_adds_a_finding(demo_state: LiveState) -> None:
    """A rule needing a collection that was skipped stays silent, so a partial read reports a
    subset of what the complete read reports, never something it would not."""
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None
    mine = [rule for rule in rules_for(Mode.DRIFT) if rule.id.startswith(FAMILIES)]
    complete = drift(loaded.policy, parse_account(drifted(demo_state)), TODAY, rules=mine)
    assert {"EP104", "EP106", "SVC301", "SVC303", "SVC307", "PRI500"} <= {
        finding.rule for finding in complete.findings}
    everything = [finding.to_dict() for finding in complete.findings]
    for collection in COLLECTIONS:
        if collection == "teams":  # the example policy's scope cannot be told without them
            with pytest.raises(ScopeError, match="team list could not be read"):
                drift(loaded.policy, parse_account(drifted(demo_state, collection)), TODAY)
            continue
        partial = drift(loaded.policy, parse_account(drifted(demo_state, collection)), TODAY,
                        rules=mine)
        assert [finding.to_dict() for finding in partial.findings
                if finding.to_dict() not in everything] == [], collection
