"""Absent is not empty, end to end: a list PagerDuty always returns (``required`` in the
OpenAPI spec), or a field it may leave out, missing from the simulator's answers, is read as not
read, never as "none" or PagerDuty's default for a new object, so no rule reports "no escalation
rules", "no target", "nobody on call" or "in no maintenance window" for what PagerDuty did not
say, and the rules that needed it say they did not check it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from rule_cases import EXAMPLE_POLICY, NOW, TODAY, WINDOW, example_without_scope
from unlisted_window import DRILL_WHY, UNLISTED, with_drill

from pdlint.findings import Finding, Report, Severity
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


def _errors(findings: Sequence[Finding]) -> set[tuple[str, str]]:
    """The rules and objects in error."""
    return {(finding.rule, finding.resource.name) for finding in findings
            if finding.severity is Severity.ERROR}


def _escalation_policy_none(account: Account) -> bool:
    return all(service.escalation_policy is None for service in account.services)


def _status_none(account: Account) -> bool:
    return all(service.status is None for service in account.services)


def _unreturned(key: str) -> ModelCheck:
    return lambda account: all(key in service.unreturned for service in account.services)


def _auto_pause_none(account: Account) -> bool:
    return all(service.auto_pause is None for service in account.services)


def _urgency_rule_none(account: Account) -> bool:
    return all(service.urgency_rule is None for service in account.services)


def _teams_none(account: Account) -> bool:
    return all(service.teams is None for service in account.services)


def _grouping_none(account: Account) -> bool:
    return all(service.alert_grouping is None for service in account.services)


def _none_in_every(collection: str, attribute: str) -> ModelCheck:
    """Whether the account holds objects in ``collection``, each with ``attribute`` None."""
    return lambda account: bool(objects := getattr(account, collection).objects) and all(
        getattr(obj, attribute) is None for obj in objects)


def _methods_unread(account: Account) -> bool:
    """Every user without contact methods, so every rule's method is not read (never usable)."""
    return all(user.contact_methods is None and all(
        "the user's contact_methods" in rule.missing for rule in user.notification_rules or ())
        for user in account.users)


Edit = tuple[str, str, str]
"""A change to a copy of the example policy: its file, the text replaced and the new text."""

GROUPED = ("organisation.yaml", "    auto_resolve_timeout: 4h\n",
           "    auto_resolve_timeout: 4h\n    alert_grouping: intelligent\n")
WAF_SOURCE = ("services.yaml", "[Amazon GuardDuty, GitHub]", "[Amazon GuardDuty, GitHub, WAF]")


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
    pytest.param("/services", "integrations", _integrations_none,
                 "WAF routing not checked: global orchestration 'Acme Events' rule 'WAF events' of "
                 "set 'start' (when event.source matches part 'waf') routes WAF events to service "
                 "'Web "
                 "Application Firewall', and PagerDuty returned the service without its "
                 "integrations", WAF_SOURCE, id="integrations-routed-elsewhere"),
    pytest.param("/services", "escalation_policy", _escalation_policy_none,
                 "escalation policy not checked: PagerDuty returned the service without its "
                 "escalation policy", id="service-escalation-policy"),
    pytest.param("/services", "status", _status_none,
                 "status not checked: PagerDuty returned the service without its status",
                 id="status"),
    pytest.param("/services", "teams", _teams_none,
                 "team not checked: PagerDuty returned the service without its teams",
                 id="teams"),
    pytest.param("/services", "teams", _teams_none,
                 "scope not checked: PagerDuty returned the service without its teams, so "
                 "whether it is in the scope (teams 'Platform', 'Security') cannot be told",
                 id="teams-scope"),
    pytest.param("/services", "status", _status_none,
                 "documentation not checked: PagerDuty returned the service without its status, "
                 "so whether it is disabled (a disabled service needs none) is not known",
                 id="status-undocumented"),
    pytest.param("/services", "status", _status_none,
                 "P1: paging path not checked for 13d23h55m from 2026-03-02T12:00:00Z to "
                 "2026-03-16T11:55:00Z: PagerDuty returned the service without its status",
                 id="status-path"),
    pytest.param("/services", "incident_urgency_rule", _urgency_rule_none,
                 "urgency not checked: PagerDuty returned the service without its urgency rule",
                 id="urgency-rule"),
    pytest.param("/services", "incident_urgency_rule", _urgency_rule_none,
                 "P1: paging path not checked for 13d23h55m from 2026-03-02T12:00:00Z to "
                 "2026-03-16T11:55:00Z: PagerDuty returned the service without its urgency rule",
                 id="urgency-rule-path"),
    pytest.param("/services", "support_hours", _unreturned("support_hours"),
                 "support hours not checked: PagerDuty returned the service without its support "
                 "hours", id="support-hours"),
    pytest.param("/services", "acknowledgement_timeout", _unreturned("acknowledgement_timeout"),
                 "acknowledgement timeout not checked: PagerDuty returned the service without "
                 "its acknowledgement timeout", id="acknowledgement-timeout"),
    pytest.param("/services", "auto_resolve_timeout", _unreturned("auto_resolve_timeout"),
                 "auto-resolve timeout not checked: PagerDuty returned the service without its "
                 "auto-resolve timeout", id="auto-resolve-timeout"),
    pytest.param("/services", "auto_pause_notifications_parameters", _auto_pause_none,
                 "auto-pause not checked: PagerDuty returned the service without its auto-pause "
                 "settings", id="auto-pause"),
    pytest.param("/services", "alert_grouping_parameters", _grouping_none,
                 "alert grouping not checked: PagerDuty returned the service without its alert "
                 "grouping", GROUPED, id="alert-grouping"),
    pytest.param("/escalation_policies", "num_loops",
                 _none_in_every("escalation_policies", "num_loops"),
                 "repeats not checked: PagerDuty returned the policy without its num_loops",
                 id="num-loops"),
    pytest.param("/escalation_policies", "on_call_handoff_notifications",
                 _none_in_every("escalation_policies", "handoff_notifications"),
                 "on-call hand-off notifications not checked: PagerDuty returned the policy "
                 "without its on_call_handoff_notifications", id="handoff-notifications"),
    pytest.param("/users", "contact_methods", _methods_unread,
                 "not checked: user PU00000 ('Alice Nguyen') was listed with a notification rule "
                 "not read: PagerDuty did not return the user's contact_methods, so whether "
                 "high-urgency services Checkout API, Identity Service, Internal Admin, "
                 "Payments API (escalation policy Production - Platform) phones or texts "
                 "someone through it at once is not known",
                 id="contact-methods"),
    pytest.param("/users", "invitation_sent", _none_in_every("users", "invitation_sent"),
                 "Frank Muller (PU00005) not checked: PagerDuty returned the user without "
                 "invitation_sent", id="invitation-sent"),
]


@pytest.fixture(scope="module")
def complete() -> LiveState:
    return fetched(demo_account(NOW))


def edited(folder: Path, edit: Edit | None) -> Path:
    """The example policy, or a copy of it in ``folder`` with ``edit`` made."""
    if edit is None:
        return EXAMPLE_POLICY
    shutil.copytree(EXAMPLE_POLICY, folder)
    name, old, new = edit
    text = (folder / name).read_text(encoding="utf-8")
    assert text.count(old) == 1
    (folder / name).write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("path", "field", "read_as_not_read", "not_checked", "edit"),
                         [pytest.param(*case.values, *(None,) * (5 - len(case.values)),
                                       id=case.id) for case in OMITTED])
def test_a_field_pagerduty_always_returns_missing_is_not_read(
        complete: LiveState, tmp_path: Path, path: str, field: str,
        read_as_not_read: ModelCheck, not_checked: str, edit: Edit | None) -> None:
    loaded = load_policy([edited(tmp_path / "policy", edit)])
    assert loaded.policy is not None
    faults = Faults(scripted=(Fault("omit_field", path, field=field),))
    account = parse_account(fetched(demo_account(NOW), faults))
    assert read_as_not_read(account)
    report = drift(loaded.policy, account, TODAY)
    whole = drift(loaded.policy, parse_account(complete), TODAY).findings
    before = [finding.to_dict() for finding in whole]
    new = [finding for finding in report.findings if finding.to_dict() not in before]
    assert any(finding.message == not_checked for finding in new)
    # What was not read adds no finding but a warning saying what was not checked, marked so
    # by its rule (Rule.not_checked): the run is incomplete, never passed, while no waiver
    # accepts it. An error is of an object the complete read finds in error (PATH600's
    # stretches may be cut short by the hours not read).
    assert [finding.message for finding in new if finding.severity is not Severity.ERROR
            and ("not checked" not in finding.message or not finding.not_checked)] == []
    assert _errors(report.findings) <= _errors(whole)
    assert {skip.rule for skip in report.skipped} == {
        finding.rule for finding in new if finding.not_checked is not None and finding.counts}


def _event_turns_unread(why: str) -> ModelCheck:
    """Every event of the shift-based schedules (there are some) hands over at a time not
    read, for ``why``: never one shift, never "never"."""
    return lambda account: [(layer.turn_seconds, layer.turn_unread)
                            for schedule in account.shift_based_schedules
                            for layer in schedule.layers or ()] == [(None, why)] * len(
        account.shift_based_schedules)


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
    pytest.param("rotations.events.recurrence",
                 _event_turns_unread("PagerDuty returned it without an RRULE in its recurrence"),
                 id="event-recurrence"),
    pytest.param("rotations.events.assignment_strategy.shifts_per_member",
                 _event_turns_unread("PagerDuty returned it without its shifts_per_member"),
                 id="event-shifts-per-member"),
])
def test_a_shift_based_schedule_missing_what_pagerduty_always_returns_is_not_read(
        field: str, unread: ModelCheck) -> None:
    faults = Faults(scripted=(Fault("omit_field", "/v3/schedules", field=field),))
    account = parse_account(fetched(generated_account(
        3, services=4, escalation_policies=2, schedules=1, users=8, incidents=0, teams=1,
        v3_schedules=2, now=NOW), faults))
    assert account.shift_based_schedules.objects and unread(account)


@pytest.fixture(scope="module")
def drilled() -> dict[bool, Report]:
    """The drift reports on the demo account with the drill, by whether the drill was returned
    without its services (``UNLISTED``) or whole."""
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None
    return {unlisted: drift(loaded.policy, parse_account(fetched(
        with_drill(demo_account(NOW)), UNLISTED if unlisted else None)), TODAY)
        for unlisted in (True, False)}


HOURS_NOT_CHECKED = ("P1: paging path not checked for {} from 2026-03-02T{}:00:00Z to "
                     f"2026-03-02T20:00:00Z: {DRILL_WHY}")


@pytest.mark.parametrize(("unlisted", "service", "failing", "not_checked"), [
    pytest.param(True, "Checkout API", [], HOURS_NOT_CHECKED.format("6h", "14"),
                 id="unlisted-met-outside-its-hours"),
    pytest.param(True, "Web Application Firewall",
                 [("2026-03-02T12:00:00Z", "2026-03-02T17:00:00Z")],
                 HOURS_NOT_CHECKED.format("3h", "17"), id="unlisted-under-a-listed-window"),
    pytest.param(True, "Payments API",
                 [("2026-03-02T12:00:00Z", "2026-03-02T14:00:00Z"),
                  ("2026-03-02T20:00:00Z", "2026-03-16T11:55:00Z")],
                 HOURS_NOT_CHECKED.format("6h", "14"), id="unlisted-never-outside-its-hours"),
    pytest.param(False, "Checkout API", [("2026-03-02T14:00:00Z", "2026-03-02T20:00:00Z")],
                 None, id="listed-no-incident-inside"),
    pytest.param(False, "Payments API", [("2026-03-02T12:00:00Z", "2026-03-16T11:55:00Z")],
                 None, id="listed-not-holding-the-service"),
])
def test_a_window_without_its_services_leaves_its_own_hours_not_checked_and_no_more(
        drilled: dict[bool, Report], unlisted: bool, service: str,
        failing: list[tuple[str, str]], not_checked: str | None) -> None:
    """A window PagerDuty returned without its services may hold any service, in its hours
    only: PATH600 judges every other hour of the 14 days (a P1 due within 5 minutes, triggers
    up to 11:55 on the last day) as usual, and reports those hours not checked, never paged
    nor silenced; a window that lists the service still holds it (the firewall's, to 17:00).
    Returned whole, the drill holds Checkout API alone (no incident from 14:00 to 20:00)."""
    mine = [finding for finding in drilled[unlisted].findings if finding.rule == "PATH600"
            and finding.resource.name == service and finding.message.startswith("P1")]
    assert sorted((interval["start"], interval["end"]) for finding in mine
                  if finding.severity is Severity.ERROR
                  for interval in finding.actual["intervals"]) == failing
    assert [finding.message for finding in mine
            if finding.severity is Severity.WARNING] == ([not_checked] if not_checked else [])


@pytest.mark.parametrize(("body", "field", "object_id", "left"), [
    pytest.param({"escalation_policies": [{"id": "P", "escalation_rules": [
        {"targets": [1], "escalation_delay_in_minutes": 5}]}], "limit": 25},
        "escalation_rules.targets", "",
        {"escalation_policies": [{"id": "P", "escalation_rules": [
            {"escalation_delay_in_minutes": 5}]}], "limit": 25}, id="through-a-list"),
    pytest.param({"schedule": {"final_schedule": {"name": "Final"}}}, "final_schedule.x", "",
                 {"schedule": {"final_schedule": {"name": "Final"}}}, id="absent-already"),
    pytest.param({"maintenance_windows": [{"id": "W1", "services": [1]},
                                          {"id": "W2", "services": [2]}], "limit": 25},
                 "services", "W2",
                 {"maintenance_windows": [{"id": "W1", "services": [1]}, {"id": "W2"}],
                  "limit": 25}, id="one-object-of-a-list"),
    pytest.param({"maintenance_window": {"id": "W1", "services": [1]}}, "services", "W2",
                 {"maintenance_window": {"id": "W1", "services": [1]}}, id="another-object"),
])
def test_the_simulator_omits_a_field_through_objects_and_lists(
        body: dict[str, Any], field: str, object_id: str, left: dict[str, Any]) -> None:
    omit_field(body, field, object_id)
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


def test_an_escalation_policy_a_service_returned_without_one_may_use_is_not_judged_outside(
        tmp_path: Path) -> None:
    """With services returned without their escalation policy, whether a service of Platform
    uses Security's documented policy cannot be told: SCP100 says so, never "outside", and
    the scope line says the escalation policies outside are not known (not 0, not left out)."""
    folder = example_without_scope(tmp_path / "policy")
    (folder / "scope.yaml").write_text("scope:\n  teams: [Platform]\n", encoding="utf-8")
    loaded = load_policy([folder])
    assert loaded.policy is not None
    whole = drift(loaded.policy, parse_account(fetched(demo_account(NOW))), TODAY)
    report = drift(loaded.policy, parse_account(fetched(demo_account(NOW), Faults(
        scripted=(Fault("omit_field", "/services", field="escalation_policy"),)))), TODAY)
    unread = "PagerDuty returned service 'Checkout API' without its escalation policy"
    assert [(finding.severity, finding.message, finding.not_checked)
            for finding in whole.findings + report.findings if finding.rule == "SCP100"
            and finding.resource.name == "Security - Incident Response"] == [
        (Severity.ERROR, "belongs to team 'Security' in PagerDuty, outside the scope (team "
                         "'Platform'); documented in team 'Security'", None),
        (Severity.WARNING, f"scope not checked: {unread}, so whether a service in the scope "
                           "(team 'Platform') uses it cannot be told", unread)]
    assert whole.boundary is not None and report.boundary is not None
    assert dict(whole.boundary.outside)["escalation_policy"] == 2
    assert dict(report.boundary.outside)["escalation_policy"] is None
    assert "escalation policies not known, schedules not known" in (
        report.boundary.outside_phrase())


def test_an_undocumented_service_returned_without_its_teams_is_not_judged_in_the_scope() -> None:
    """The example's scope is Platform and Security: Data's Analytics Pipeline, returned
    without its teams, is not known to be in it, so it is not reported as undocumented, nor
    are Data's escalation policy it uses and the schedule that pages, and the objects outside
    are not counted as none."""
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None
    report = drift(loaded.policy, parse_account(fetched(demo_account(NOW), Faults(
        scripted=(Fault("omit_field", "/services", field="teams"),)))), TODAY)
    assert [(finding.severity, finding.message, finding.not_checked) for finding in
            report.findings
            if finding.rule == "SVC300" and finding.resource.name == "Analytics Pipeline"] == [
        (Severity.WARNING, "documentation not checked: PagerDuty returned the service without "
                           "its teams, so whether it is in the scope is not known",
         "PagerDuty returned service 'Analytics Pipeline' without its teams")]
    assert [finding.rule for finding in report.findings
            if finding.resource.name in ("Data - Best Effort", "Data - Pipelines")] == []
    assert report.boundary is not None and dict(report.boundary.outside) == {
        "service": None, "escalation_policy": None, "schedule": None, "team": 1}
