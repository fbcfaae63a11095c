"""SVC311 and SVC313: event orchestration that holds back or downgrades a documented service's
pages, routing that takes a documented monitoring tool elsewhere, and monitoring tools that
reach their service through no integration or route."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from rules.rule_cases import (
    Json,
    constant_urgency,
    context_of,
    live_state,
    policy_of,
    priority,
    rule_messages,
    run_rule,
    service,
    summary,
)
from rules.rule_cases import orchestration_rule as rule
from rules.rule_cases import service_orchestration as orchestration

from pdlint.findings import Severity
from pdlint.pagerduty.state import LiveState
from pdlint.rules.orchestration import check_detection_sources, check_event_orchestration

SERVICES = """\
services:
  - name: Checkout
    urgency: high
    detection_sources: [Datadog, Amazon GuardDuty]
    allowed_orchestration_rules: [Drop canary noise]
  - name: Reports
    urgency: low
"""
# line 2: Checkout; 3: its urgency; 4: its detection sources; 6: Reports


def vendor_integration(vendor: str, name: str = "Events") -> Json:
    return {"id": f"PI{vendor[:3].upper()}", "type": "events_api_v2_inbound_integration",
            "name": name, "summary": name,
            "vendor": {"id": "PVEN", "type": "vendor_reference", "summary": vendor}}


def state(*orchestrations: Json, checkout_urgency: Json | None = None,
          integrations: list[Json] | None = None, routers: Sequence[Json] = (),
          skipped: tuple[str, ...] = (), not_read: tuple[str, ...] = (),
          checkout: str = "Checkout", checkout_status: str = "active") -> LiveState:
    """The two services, each with the orchestration given, else one read without rules,
    unless its id is ``not_read``."""
    given = {record["service_id"] for record in orchestrations}
    read = [*orchestrations, *(orchestration(service_id, []) for service_id in
                               ("PCHK001", "PREP001")
                               if service_id not in given and service_id not in not_read)]
    checkout_service = service("PCHK001", checkout, urgency_rule=checkout_urgency,
                               integrations=[vendor_integration("Datadog"),
                                             vendor_integration("Amazon GuardDuty")]
                               if integrations is None else integrations)
    checkout_service["status"] = checkout_status
    return live_state(
        services=[checkout_service,
                  service("PREP001", "Reports", urgency_rule=constant_urgency("low"))],
        priorities=[priority("PPRI001", "P1"), priority("PPRI002", "P2")],
        service_orchestrations=read,
        event_orchestrations=[{"id": "EO1", "name": "Shared events"}] if routers else [],
        orchestration_routers=[{"event_orchestration_id": "EO1", "orchestration_path": {
            "type": "router", "sets": [{"id": "start", "rules": list(routers)}],
            "catch_all": {"actions": {"route_to": "unrouted"}}}}] if routers else [],
        skipped=skipped)


@pytest.mark.parametrize(("orchestrations", "expected"), [
    pytest.param([orchestration("PCHK001", [rule("Mute pings", {"suppress": True},
                                                 "event.summary matches part 'ping'")])],
                 [("SVC311", "Checkout", "alerts page the escalation policy", "Mute pings", 2)],
                 id="suppress"),
    pytest.param([orchestration("PCHK001", [], catch_all={"suspend": 600})],
                 [("SVC311", "Checkout", "alerts page the escalation policy", "catch-all", 2)],
                 id="catch-all-suspends"),
    pytest.param([orchestration("PCHK001", [rule("Everything is P2", {"priority": "PPRI002"})])],
                 [("SVC311", "Checkout", "high", "Everything is P2", 3)],
                 id="priority-documented-low-urgency-on-a-high-urgency-service"),
    pytest.param([orchestration("PCHK001", [rule("Critical is P1", {"priority": "PPRI001"})])],
                 [], id="priority-documented-high-urgency"),
    pytest.param([orchestration("PCHK001", [rule("Hidden", {"priority": "PPRI009"})])],
                 [("SVC311", "Checkout", "high", "Hidden", 3)],
                 id="a-priority-the-key-cannot-see-is-named"),
    pytest.param([orchestration("PREP001", [rule("Hidden", {"priority": "PPRI009"})])],
                 [], id="a-priority-the-key-cannot-see-on-a-low-urgency-service"),
    pytest.param([orchestration("PREP001", [rule("Mute", {"suppress": True})])],
                 [("SVC311", "Reports", "alerts page the escalation policy", "Mute", 6)],
                 id="any-documented-service"),
    pytest.param([orchestration("PREP001", [rule("Reports are P2", {"priority": "PPRI002"})])],
                 [], id="low-priority-on-a-low-urgency-service"),
    pytest.param([orchestration("PCHK001", [rule("Drop canary noise", {"suppress": True})])],
                 [], id="allowed-by-label"),
    pytest.param([orchestration("PCHK001", [rule("Mute", {"suppress": True}, disabled=True)])],
                 [], id="disabled-rule"),
    pytest.param([orchestration("PCHK001", [rule("Mute", {"suppress": True})], active=False)],
                 [], id="inactive-orchestration-legacy-rules-apply"),
    pytest.param([orchestration("PCHK001", [rule("Annotate", {"annotate": "runbook"})])],
                 [], id="harmless-action"),
    pytest.param([], [], id="no-rules"),
])
def test_rules_that_hold_back_or_downgrade_pages(tmp_path: Path, orchestrations: list[Json],
                                                 expected: list[tuple[Any, ...]]) -> None:
    policy = policy_of(tmp_path, SERVICES)
    assert run_rule(check_event_orchestration, policy, state(*orchestrations)) == expected


NOT_READ = "the orchestration read"


@pytest.mark.parametrize(("policy_text", "found", "expected"), [
    pytest.param(SERVICES, state(not_read=("PCHK001",)),
                 [("SVC311", "Checkout", NOT_READ, None, 2)], id="documented-not-read"),
    pytest.param(SERVICES.replace("- name: Checkout\n", "- name: Checkout\n    id: PCHK001\n"),
                 state(checkout="Checkout API"), [], id="pinned-renamed-read-by-id"),
    pytest.param(SERVICES, state(not_read=("PCHK001",), checkout="Checkout API"),
                 [("SVC311", "Checkout", NOT_READ, None, 2)], id="renamed-not-read"),
    pytest.param(SERVICES, state(not_read=("PCHK001",), checkout_status="disabled"), [],
                 id="disabled-needs-none"),
    pytest.param(SERVICES, state(skipped=("service_orchestrations",)), [],
                 id="collection-skipped-the-run-reports-it"),
    pytest.param(SERVICES.replace("  - name: Reports\n    urgency: low\n", ""),
                 state(not_read=("PREP001",)), [], id="undocumented-not-read-not-checked"),
])
def test_an_orchestration_not_read_is_not_checked_never_none(
        tmp_path: Path, policy_text: str, found: LiveState,
        expected: list[tuple[Any, ...]]) -> None:
    """Absent is not empty: the read asks only for the documented services' orchestrations
    (by pinned id or name), so a renamed service's, or one a snapshot lacks, is a warning
    that the service was not checked, not a pass."""
    policy = policy_of(tmp_path, policy_text)
    findings = [finding for finding in check_event_orchestration.check(
        context_of(policy, found)) if finding.expected == NOT_READ]
    assert [summary(finding) for finding in findings] == expected
    assert all(finding.severity is Severity.WARNING for finding in findings)


def test_a_renamed_service_names_the_fix(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, SERVICES)
    found = state(not_read=("PCHK001",), checkout="Checkout API")
    assert rule_messages(check_event_orchestration, policy, found) == [
        "event orchestration not checked: not read: a run reads the orchestrations of the "
        "documented services it finds by pinned id or by name, and this one is renamed; "
        "document its live name or pin its id (PCHK001)"]


def test_each_rule_is_named_by_its_set_label_and_conditions(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, SERVICES)
    found = state(orchestration("PCHK001", [
        rule("Mute pings", {"suppress": True}, "event.summary matches part 'ping'",
             "event.source matches 'probe'"),
        rule(None, {"drop_event": True})], set_id="noise"))
    assert rule_messages(check_event_orchestration, policy, found) == [
        "event orchestration an unlabelled rule of set 'noise' (when always) drops the event, "
        "so those alerts page nobody",
        "event orchestration rule 'Mute pings' of set 'noise' (when event.summary matches part "
        "'ping' or event.source matches 'probe') suppresses the alert, so those alerts page "
        "nobody"]


def test_a_priority_the_key_cannot_see_is_a_warning_naming_it(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, SERVICES)
    found = state(orchestration("PCHK001", [rule("Hidden", {"priority": "PPRI009"})]))
    assert [(finding.severity.value, finding.message) for finding in
            check_event_orchestration.check(context_of(policy, found))] == [(
        "warning", "not checked whether event orchestration rule 'Hidden' of set 'start' (when "
        "always) lowers the urgency: it sets priority PPRI009, which is not in the priorities "
        "this key reads")]


def test_a_low_severity_on_a_severity_based_service_documented_high(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, SERVICES)
    found = state(orchestration("PCHK001", [], catch_all={"severity": "info"}),
                  checkout_urgency=constant_urgency("severity_based"))
    assert rule_messages(check_event_orchestration, policy, found) == [
        "event orchestration the catch-all (events no rule matches) sets severity info, which "
        "this severity-based service pages at low urgency; the service is documented as high "
        "urgency"]


ROUTE_DATADOG_TO_REPORTS = rule("Datadog monitors", {"route_to": "PREP001"},
                                "event.source matches part 'datadog'")


@pytest.mark.parametrize(("integrations", "routers", "svc311", "svc313"), [
    pytest.param(None, [], [], [], id="both-integrated"),
    pytest.param([vendor_integration("Amazon GuardDuty")], [], [],
                 [("SVC313", "Checkout", "Datadog", ["Amazon GuardDuty"], 4)],
                 id="datadog-missing"),
    pytest.param([vendor_integration("Amazon GuardDuty")],
                 [rule("Datadog monitors", {"route_to": "PCHK001"},
                       "event.source matches part 'datadog'")], [], [],
                 id="datadog-routed-here"),
    pytest.param([vendor_integration("Amazon GuardDuty")], [ROUTE_DATADOG_TO_REPORTS],
                 [("SVC311", "Checkout", "Checkout", "PREP001", 4)], [],
                 id="datadog-routed-elsewhere"),
    pytest.param(None, [ROUTE_DATADOG_TO_REPORTS], [], [],
                 id="routed-elsewhere-but-integrated-here"),
    pytest.param([vendor_integration("Custom", name="DATADOG"),
                  vendor_integration("Amazon GuardDuty")], [], [], [],
                 id="by-integration-name"),
    pytest.param([], [], [], [("SVC313", "Checkout", "Amazon GuardDuty", [], 4),
                              ("SVC313", "Checkout", "Datadog", [], 4)], id="no-integration"),
])
def test_detection_sources_reach_their_service(
        tmp_path: Path, integrations: list[Json] | None, routers: list[Json],
        svc311: list[tuple[Any, ...]], svc313: list[tuple[Any, ...]]) -> None:
    policy = policy_of(tmp_path, SERVICES)
    found = state(integrations=integrations, routers=routers)
    assert run_rule(check_event_orchestration, policy, found) == svc311
    assert run_rule(check_detection_sources, policy, found) == svc313


def test_routing_elsewhere_names_the_orchestration_rule_and_service(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, SERVICES)
    found = state(integrations=[vendor_integration("Amazon GuardDuty")],
                  routers=[ROUTE_DATADOG_TO_REPORTS])
    assert rule_messages(check_event_orchestration, policy, found) == [
        "global orchestration 'Shared events' rule 'Datadog monitors' of set 'start' (when "
        "event.source matches part 'datadog') routes Datadog events to service 'Reports', not "
        "to this service"]


@pytest.mark.parametrize("skipped", [("event_orchestrations", "orchestration_routers"),
                                     ("orchestration_routers",)])
def test_a_source_is_not_called_missing_while_the_routers_are_not_read(
        tmp_path: Path, skipped: tuple[str, ...]) -> None:
    """Absent is not empty: the source may come through a router pdlint could not read."""
    policy = policy_of(tmp_path, SERVICES)
    found = state(integrations=[vendor_integration("Amazon GuardDuty")], skipped=skipped)
    assert run_rule(check_detection_sources, policy, found) == []


def test_integrations_not_returned_are_not_none(tmp_path: Path) -> None:
    """Absent is not empty: the sources are not called missing, and not passed either."""
    policy = policy_of(tmp_path, SERVICES)
    found = state()
    for live in found.services:
        live.pop("integrations")
    findings = list(check_detection_sources.check(context_of(policy, found)))
    assert [summary(finding) for finding in findings] == [
        ("SVC313", "Checkout", ["Datadog", "Amazon GuardDuty"], None, 2)]
    assert [(finding.severity, finding.message) for finding in findings] == [
        (Severity.WARNING, "detection sources not checked: PagerDuty returned the service "
                           "without its integrations")]


def test_a_service_without_documented_sources_is_not_checked(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, SERVICES.replace("    detection_sources: [Datadog, Amazon "
                                                  "GuardDuty]\n", ""))
    assert run_rule(check_detection_sources, policy, state(integrations=[])) == []
