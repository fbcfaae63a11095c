"""Absent is not empty, end to end: a list PagerDuty always returns (``required`` in the
OpenAPI spec), missing from the simulator's answers, is read as not read, never as "none", so
no rule reports "no escalation rules", "no target", "nobody on call" or "in no maintenance
window" for what PagerDuty did not say, and the rules that needed it say they did not check
it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rule_cases import EXAMPLE_POLICY, NOW, TODAY, WINDOW, example_without_scope

from pdlint.findings import Severity
from pdlint.pagerduty.fetch import fetch_state_sync
from pdlint.pagerduty.model import Account, parse_account
from pdlint.pagerduty.settings import ApiToken, ClientConfig
from pdlint.pagerduty.state import LiveState
from pdlint.policy import load_policy
from pdlint.rules.engine import drift
from pdlint.rules.scope import scope_reach
from pdlint.sim import Account as SimAccount
from pdlint.sim import Fault, Faults, SimServer, demo_account, generated_account
from pdlint.sim.faults import omit_field

ModelCheck = Callable[[Account], bool]


def fetched(account: SimAccount, faults: Faults | None = None) -> LiveState:
    """The account read as ``pdlint drift`` reads it, from a simulator with ``faults``."""
    with SimServer(account, token="absent-fields", faults=faults) as server:
        return fetch_state_sync(ClientConfig(api_url=server.base_url,
                                             token=ApiToken("absent-fields"),
                                             requests_per_minute=60_000, key_share=None),
                                WINDOW)


def _rules_none(account: Account) -> bool:
    return all(policy.rules is None for policy in account.escalation_policies)


def _targets_none(account: Account) -> bool:
    return all(rule.targets is None for policy in account.escalation_policies
               for rule in policy.rules or ())


def _layer_users_none(account: Account) -> bool:
    return all(layer.members is None for schedule in account.schedules
               for layer in schedule.layers or ())


def _rendering_unread(account: Account) -> bool:
    return all(schedule.final_schedule is not None
               and schedule.final_schedule.problem == "rendered_schedule_entries is absent"
               for schedule in account.schedules)


def _windows_unread(account: Account) -> bool:
    return all(account.maintenance_windows_of(service.id) is None
               for service in account.services)


def _integrations_none(account: Account) -> bool:
    return all(service.integrations is None for service in account.services)


OMITTED = [
    pytest.param("/escalation_policies", "escalation_rules", _rules_none,
                 "levels not checked: PagerDuty returned the policy without its escalation rules",
                 id="escalation-rules"),
    pytest.param("/escalation_policies", "escalation_rules.targets", _targets_none,
                 "level 1 not checked: PagerDuty returned its escalation rule without its "
                 "targets", id="targets"),
    pytest.param("/schedules", "schedule_layers.users", _layer_users_none,
                 "participants not checked: PagerDuty returned a layer in force without its "
                 "users", id="layer-users"),
    pytest.param("/schedules", "final_schedule.rendered_schedule_entries", _rendering_unread,
                 "coverage not checked: its final schedule cannot be read: "
                 "rendered_schedule_entries is absent", id="rendered-entries"),
    pytest.param("/maintenance_windows", "services", _windows_unread,
                 "maintenance windows not checked: PagerDuty returned maintenance window "
                 "'Firewall rule set upgrade' without its services", id="window-services"),
    pytest.param("/services", "integrations", _integrations_none,
                 "integration not checked: PagerDuty returned the service without its "
                 "integrations", id="integrations-required"),
    pytest.param("/services", "integrations", _integrations_none,
                 "detection sources not checked: PagerDuty returned the service without its "
                 "integrations", id="integrations-sources"),
]


@pytest.fixture(scope="module")
def complete() -> LiveState:
    return fetched(demo_account(NOW))


@pytest.mark.parametrize(("path", "field", "read_as_not_read", "not_checked"), OMITTED)
def test_a_field_pagerduty_always_returns_missing_is_not_read(
        complete: LiveState, path: str, field: str, read_as_not_read: ModelCheck,
        not_checked: str) -> None:
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None
    faults = Faults(scripted=(Fault("omit_field", path, field=field),))
    account = parse_account(fetched(demo_account(NOW), faults))
    assert read_as_not_read(account)
    report = drift(loaded.policy, account, TODAY)
    before = [finding.to_dict() for finding in drift(
        loaded.policy, parse_account(complete), TODAY).findings]
    new = [finding for finding in report.findings if finding.to_dict() not in before]
    assert any(finding.message == not_checked for finding in new)
    # What was not read adds no finding but a warning saying what was not checked.
    assert [finding.message for finding in new if finding.severity is Severity.ERROR
            or "not checked" not in finding.message] == []


@pytest.mark.parametrize(("field", "unread"), [
    pytest.param("rotations.events.assignment_strategy.members",
                 lambda account: all(layer.members is None
                                     for schedule in account.shift_based_schedules
                                     for layer in schedule.layers or ()), id="event-members"),
    pytest.param("final_schedule.computed_shift_assignments",
                 lambda account: all(
                     schedule.final_schedule is not None and schedule.final_schedule.problem
                     == "computed_shift_assignments is absent"
                     for schedule in account.shift_based_schedules), id="computed-shifts"),
])
def test_a_shift_based_schedule_missing_what_pagerduty_always_returns_is_not_read(
        field: str, unread: ModelCheck) -> None:
    faults = Faults(scripted=(Fault("omit_field", "/v3/schedules", field=field),))
    account = parse_account(fetched(generated_account(
        3, services=4, escalation_policies=2, schedules=1, users=8, incidents=0, teams=1,
        v3_schedules=2, now=NOW), faults))
    assert account.shift_based_schedules.objects and unread(account)


@pytest.mark.parametrize(("body", "field", "left"), [
    pytest.param({"escalation_policies": [{"id": "P", "escalation_rules": [
        {"targets": [1], "escalation_delay_in_minutes": 5}]}], "limit": 25},
        "escalation_rules.targets",
        {"escalation_policies": [{"id": "P", "escalation_rules": [
            {"escalation_delay_in_minutes": 5}]}], "limit": 25}, id="through-a-list"),
    pytest.param({"schedule": {"final_schedule": {"name": "Final"}}}, "final_schedule.x",
                 {"schedule": {"final_schedule": {"name": "Final"}}}, id="absent-already"),
])
def test_the_simulator_omits_a_field_through_objects_and_lists(
        body: dict[str, Any], field: str, left: dict[str, Any]) -> None:
    omit_field(body, field)
    assert body == left


PLATFORM_NOT_READ = ("scope not checked: PagerDuty returned escalation policy "
                     "'Production - Platform' without {}, so whether an escalation policy in the "
                     "scope (team 'Platform') pages it cannot be told")


@pytest.mark.parametrize(("field", "security_on_call"), [
    pytest.param(None, (Severity.ERROR, "belongs to team 'Security' in PagerDuty, outside the "
                        "scope (team 'Platform'); documented without a team"), id="read"),
    pytest.param("escalation_rules", (Severity.WARNING, PLATFORM_NOT_READ.format(
        "its escalation rules")), id="escalation-rules"),
    pytest.param("escalation_rules.targets", (Severity.WARNING, PLATFORM_NOT_READ.format(
        "the targets of level 1 and the targets of level 2 and the targets of level 3 and the "
        "targets of level 4")), id="targets"),
])
def test_a_schedule_an_unread_level_may_page_is_not_judged_outside_the_scope(
        tmp_path: Path, field: str | None, security_on_call: tuple[Severity, str]) -> None:
    """Security's schedule, documented in the example policy, is outside a scope of Platform
    only if no level of Platform's escalation policies pages it: with their levels not read,
    that cannot be told, and SCP100 says so."""
    folder = example_without_scope(tmp_path / "policy")
    (folder / "scope.yaml").write_text("scope:\n  teams: [Platform]\n", encoding="utf-8")
    loaded = load_policy([folder])
    assert loaded.policy is not None and loaded.policy.scope is not None
    faults = None if field is None else Faults(
        scripted=(Fault("omit_field", "/escalation_policies", field=field),))
    account = parse_account(fetched(demo_account(NOW), faults))
    report = drift(loaded.policy, account, TODAY)
    [outside] = [finding for finding in report.findings if finding.rule == "SCP100"
                 and finding.resource.name == "Security - On-call"]
    assert (outside.severity, outside.message) == security_on_call
    # Nor are the schedules outside counted (absent, not none), or the undocumented one
    # judged: whether they are in the scope is not known.
    assert report.boundary is not None
    assert dict(report.boundary.outside).get("schedule") == (2 if field is None else None)
    assert [finding.message for finding in report.findings
            if finding.resource.name == "Data - Pipelines"] == []


def test_people_a_layer_not_read_may_page_are_kept_in_the_scope(tmp_path: Path) -> None:
    """A layer returned without its users pages people not known: every user stays in the
    scope's reach (a change to them is not counted out of the evidence), as not known."""
    folder = example_without_scope(tmp_path / "policy")
    (folder / "scope.yaml").write_text("scope:\n  teams: [Data]\n", encoding="utf-8")
    loaded = load_policy([folder])
    assert loaded.policy is not None and loaded.policy.scope is not None
    whole = scope_reach(loaded.policy.scope, parse_account(fetched(demo_account(NOW))))
    account = parse_account(fetched(demo_account(NOW), Faults(scripted=(
        Fault("omit_field", "/schedules", field="schedule_layers.users"),))))
    reach = scope_reach(loaded.policy.scope, account)
    everyone = {user.id for user in account.users}
    assert whole.users < everyone and whole.unread is None
    assert (reach.users, reach.unsure) == (everyone, everyone - whole.users)
    assert reach.unread == ("PagerDuty returned schedule 'Data - Pipelines' without the users "
                            "of layer 'Layer 1'")
