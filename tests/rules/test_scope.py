"""The policy's scope against the demo account read over HTTP from the simulator: what is
outside is counted, not checked; a documented object outside is SCP100, naming both teams; an
unknown scope team or an unreadable team list ends the run."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rule_cases import TODAY, example_without_scope

from pdlint.findings import Report, Resource, Skipped
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState
from pdlint.policy import load_policy
from pdlint.policy.model import Policy
from pdlint.rules.engine import drift
from pdlint.rules.scope import ScopeError


def scoped_policy(folder: Path, scope: str | None) -> Policy:
    """The example policy with ``scope`` (YAML, dedented) written as scope.yaml instead of its
    own (None: no scope, the whole account)."""
    example_without_scope(folder)
    if scope is not None:
        (folder / "scope.yaml").write_text(textwrap.dedent(scope), encoding="utf-8")
    loaded = load_policy([folder])
    assert loaded.policy is not None and not loaded.findings, loaded.findings
    return loaded.policy


def with_services(state: LiveState, *changes: tuple[str, str, str | None]) -> LiveState:
    """The state with each ``(service, new name, team name)`` applied: a new name adds a copy of
    the service under that name (a new id); the team moves it (None: no team)."""
    objects: dict[str, list[dict[str, Any]]] = copy.deepcopy(
        {kind: list(items) for kind, items in state.objects.items()})
    teams = {team["name"]: team for team in objects["teams"]}
    for position, (name, new_name, team) in enumerate(changes):
        [service] = [item for item in objects["services"] if item["name"] == name]
        if new_name != name:
            service = copy.deepcopy(service) | {"id": f"PNEW{position}", "name": new_name,
                                                "summary": new_name}
            objects["services"].append(service)
        service["teams"] = [] if team is None else [
            {"id": teams[team]["id"], "type": "team_reference", "summary": team}]
    return LiveState(api_url=state.api_url, fetched_at=state.fetched_at, window=state.window,
                     objects=objects, skipped=state.skipped)


def summarised(report: Report) -> list[tuple[str, Resource, str, str | None, int | None]]:
    """The findings without the folder the policy was read from."""
    return [(finding.rule, finding.resource, finding.message,
             Path(finding.location.path).name if finding.location else None,
             finding.location.line if finding.location else None) for finding in report.findings]


def test_the_whole_account_in_scope_reports_what_no_scope_reports(
        demo_state: LiveState, tmp_path: Path) -> None:
    account = parse_account(demo_state)
    unscoped = scoped_policy(tmp_path / "whole", None)
    policy = scoped_policy(tmp_path / "policy", "scope:\n  teams: [Platform, Security, Data]\n")
    report = drift(policy, account, TODAY)
    assert summarised(report) == summarised(drift(unscoped, account, TODAY))
    assert report.boundary is not None
    assert report.boundary.outside == (("service", 0), ("escalation_policy", 0),
                                       ("schedule", 0), ("team", 0))


def test_documented_objects_outside_the_scope_are_scp100_naming_both_teams(
        demo_state: LiveState, tmp_path: Path) -> None:
    policy = scoped_policy(tmp_path / "policy", "scope:\n  teams: [Platform]\n")
    report = drift(policy, parse_account(demo_state), TODAY)
    outside = sorted((finding.resource.type, finding.resource.name, finding.expected,
                      finding.actual, Path(finding.location.path).name, finding.location.line)
                     for finding in report.findings if finding.rule == "SCP100"
                     if finding.location)
    assert outside == [
        ("escalation_policy", "Security - Incident Response", "Security", ["Security"],
         "escalation-policies.yaml", 33),
        ("schedule", "Security - On-call", ["Platform"], ["Security"], "schedules.yaml", 27),
        ("service", "Security Monitoring", "Security", ["Security"], "services.yaml", 31),
        ("service", "Web Application Firewall", "Security", ["Security"], "services.yaml", 36),
    ]
    [monitoring] = [finding for finding in report.findings if finding.rule == "SCP100"
                    and finding.resource.name == "Security Monitoring"]
    assert monitoring.message == ("belongs to team 'Security' in PagerDuty, outside the scope "
                                  "(team 'Platform'); documented in team 'Security'")
    # Security's and Data's: three services, two escalation policies, two schedules, two teams.
    assert report.boundary is not None and report.boundary.outside == (
        ("service", 3), ("escalation_policy", 2), ("schedule", 2), ("team", 2))
    assert report.to_dict()["out_of_scope"] == {"service": 3, "escalation_policy": 2,
                                                "schedule": 2, "team": 2}


@pytest.mark.parametrize(("scope_teams", "service_team", "found"), [
    ("[Platform]", "Platform", True),
    ("[Platform]", "Security", False),
    ("[Security]", "Security", True),
    ("[Security]", None, False),
])
def test_an_undocumented_service_is_a_finding_only_inside_the_scope(
        demo_state: LiveState, tmp_path: Path, scope_teams: str, service_team: str | None,
        found: bool) -> None:
    policy = scoped_policy(tmp_path / "policy", f"scope:\n  teams: {scope_teams}\n")
    state = with_services(demo_state, ("Checkout API", "Shadow API", service_team))
    report = drift(policy, parse_account(state), TODAY)
    assert any(finding.rule == "SVC300" and finding.resource.name == "Shadow API"
               for finding in report.findings) is found


@pytest.mark.parametrize(("scope_teams", "team", "expected"), [
    pytest.param("[Platform]", "Security", [(
        "SCP100", "belongs to team 'Security' in PagerDuty, outside the scope (team "
        "'Platform'); documented in team 'Platform'")], id="moved-out-of-the-scope"),
    pytest.param("[Platform]", None, [(
        "SCP100", "belongs to no team in PagerDuty, outside the scope (team 'Platform'); "
        "documented in team 'Platform'")], id="no-team-is-outside"),
    pytest.param("[Platform, Security]", "Security", [(
        "SVC307", "belongs to team 'Security', documented 'Platform'")],
        id="moved-within-the-scope"),
])
def test_a_service_moved_to_another_team_is_one_finding(
        demo_state: LiveState, tmp_path: Path, scope_teams: str, team: str | None,
        expected: list[tuple[str, str]]) -> None:
    """SCP100 speaks for a documented service whose team took it out of the scope, and SVC307
    only for one still inside: one drift, one finding."""
    policy = scoped_policy(tmp_path / "policy", f"scope:\n  teams: {scope_teams}\n")
    state = with_services(demo_state, ("Checkout API", "Checkout API", team))
    report = drift(policy, parse_account(state), TODAY)
    assert [(finding.rule, finding.message) for finding in report.findings
            if finding.resource.name == "Checkout API"
            and finding.rule in ("SCP100", "SVC307")] == expected


def test_service_patterns_narrow_the_teams_services(demo_state: LiveState,
                                                    tmp_path: Path) -> None:
    policy = scoped_policy(tmp_path / "policy", """\
        scope:
          teams: [Platform]
          services: ["* API", "Identity *"]
        """)
    report = drift(policy, parse_account(demo_state), TODAY)
    # Legacy Billing, undocumented and outside the patterns, is no longer SVC300.
    assert not [finding for finding in report.findings if finding.rule == "SVC300"]
    admin = [finding.message for finding in report.findings
             if finding.rule == "SCP100" and finding.resource.name == "Internal Admin"]
    assert admin == ["belongs to team 'Platform' in PagerDuty, its name matches none of the "
                     "scope's service patterns (team 'Platform'; services '* API', "
                     "'Identity *'); documented in team 'Platform'"]
    assert report.boundary is not None
    # Internal Admin, Legacy Billing, Status Page, the two Security services and Data's.
    assert dict(report.boundary.outside)["service"] == 6


@pytest.mark.parametrize(("scope", "message"), [
    ("scope:\n  teams: [Platfrom]\n",
     "scope.yaml:2:11: scope team 'Platfrom' is not a team in PagerDuty; did you mean "
     "'Platform'?"),
    ("scope:\n  teams: [Platform, Finance]\n",
     "scope.yaml:2:21: scope team 'Finance' is not a team in PagerDuty"),
])
def test_a_scope_team_pagerduty_does_not_have_ends_the_run(
        demo_state: LiveState, tmp_path: Path, scope: str, message: str) -> None:
    policy = scoped_policy(tmp_path / "policy", scope)
    with pytest.raises(ScopeError) as raised:
        drift(policy, parse_account(demo_state), TODAY)
    assert str(raised.value).endswith(message)


def test_a_team_list_the_key_may_not_read_ends_the_run(demo_state: LiveState,
                                                       tmp_path: Path) -> None:
    policy = scoped_policy(tmp_path / "policy", "scope:\n  teams: [Platform]\n")
    state = LiveState(api_url=demo_state.api_url, fetched_at=demo_state.fetched_at,
                      window=demo_state.window,
                      objects={kind: items for kind, items in demo_state.objects.items()
                               if kind != "teams"},
                      skipped=(Skipped("teams", "HTTP 402: the account lacks Teams"),))
    with pytest.raises(ScopeError, match=r"scope.yaml:1:1: the scope names teams, but "
                                         r"PagerDuty's team list could not be read \(HTTP 402"):
        drift(policy, parse_account(state), TODAY)
