"""The typed policy: durations, per-rule delays, tier inheritance with locations, lookups."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from policy_cases import EXAMPLE_POLICY, write_policy

from pdlint.findings import Finding, Resource, Severity
from pdlint.policy import PolicyError, load_policy
from pdlint.policy.model import Policy, Sourced, format_duration, parse_duration

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def example() -> Policy:
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None, loaded.findings
    return loaded.policy


def located(value: Sourced[object] | None) -> tuple[object, str, int] | None:
    """(value, file name, line): the location's folder depends on where the tests run."""
    if value is None:
        return None
    return value.value, Path(value.location.path).name, value.location.line


@pytest.mark.parametrize(("written", "minutes", "shown"), [
    ("5m", 5, "5m"), ("90m", 90, "1h30m"), ("1h30m", 90, "1h30m"), ("48h", 2880, "2d"),
    ("7d", 10080, "7d"), ("1d2h3m", 1563, "1d2h3m"), ("0m", 0, "0m"),
])
def test_durations(written: str, minutes: int, shown: str) -> None:
    assert parse_duration(written) == timedelta(minutes=minutes)
    assert format_duration(timedelta(minutes=minutes)) == shown
    assert format_duration(-timedelta(minutes=minutes or 1)).startswith("-")


def test_levels_are_cumulative_and_convert_to_pagerduty_rule_delays(example: Policy) -> None:
    platform = example.escalation_policy("Production - Platform")
    assert platform is not None
    assert [level.engaged_after.value for level in platform.levels] == [
        timedelta(0), timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=30)]
    # Level 1 states no engaged_after: it is 0, located at the level itself.
    assert located(platform.levels[0].engaged_after) == (timedelta(0),
                                                         "escalation-policies.yaml", 14)
    delays = platform.escalation_delays()
    assert [located(delay) for delay in delays] == [
        (10, "escalation-policies.yaml", 19),  # rule 1 waits until level 2 (line 19)
        (10, "escalation-policies.yaml", 23),
        (10, "escalation-policies.yaml", 27),
        (10, "escalation-policies.yaml", 31),  # the last rule waits until repeat_after
    ]
    security = example.escalation_policy("Security - Incident Response")
    assert security is not None
    assert [delay.value if delay else None for delay in security.escalation_delays()] == [
        15, 15, 15]


def test_the_last_rule_delay_is_unknown_without_repeat_after(tmp_path: Path) -> None:
    policy = _policy(tmp_path, """\
        escalation_policies:
          - name: Main
            levels:
              - targets: [{user: a@example.com}]
              - engaged_after: 5m
                targets: [{user: b@example.com}]
              - engaged_after: 1h
                targets: [{user: c@example.com}]
        """)
    (main,) = policy.escalation_policies
    assert [located(delay) for delay in main.escalation_delays()] == [
        (5, "case.yaml", 5), (55, "case.yaml", 7), None]


def test_services_inherit_tier_values_located_at_the_tier(example: Policy) -> None:
    checkout = example.service("Checkout API")
    assert checkout is not None and checkout.tier is not None
    assert checkout.tier.target is example.tier("tier-1")
    assert located(checkout.urgency) == ("high", "organisation.yaml", 71)
    assert located(checkout.acknowledgement_timeout) == (timedelta(minutes=30),
                                                         "organisation.yaml", 72)
    assert located(checkout.auto_resolve_timeout) == (timedelta(hours=4), "organisation.yaml", 73)
    assert located(checkout.requires_integration) == (True, "organisation.yaml", 74)
    assert located(checkout.min_escalation_levels) == (3, "organisation.yaml", 70)
    assert checkout.incident_urgency_rule() == {"type": "constant", "urgency": "high"}
    admin = example.service("Internal Admin")
    assert admin is not None and admin.support_hours is not None
    # "disabled" is a documented None; the support hours are the service's own.
    assert located(admin.acknowledgement_timeout) == (None, "organisation.yaml", 87)
    assert Path(admin.support_hours.location.path).name == "services.yaml"
    assert admin.support_hours.days_of_week == (1, 2, 3, 4, 5)
    assert admin.incident_urgency_rule() == {
        "type": "use_support_hours",
        "during_support_hours": {"type": "constant", "urgency": "high"},
        "outside_support_hours": {"type": "constant", "urgency": "low"}}


def test_a_value_written_on_the_service_overrides_its_tier(tmp_path: Path) -> None:
    policy = _policy(tmp_path, """\
        tiers:
          gold:
            urgency: high
            acknowledgement_timeout: 30m
        services:
          - name: Web
            tier: gold
            acknowledgement_timeout: disabled
            support_hours:
              days: [saturday]
              start: "10:00"
              end: "12:00"
        """)
    web = policy.service("Web")
    assert web is not None and web.support_hours is not None
    assert located(web.urgency) == ("high", "case.yaml", 3)
    assert located(web.acknowledgement_timeout) == (None, "case.yaml", 8)
    assert web.auto_resolve_timeout is None  # documented nowhere: nothing to check
    # Support hours without a time zone are in the organisation's.
    assert located(web.support_hours.time_zone) == ("Europe/London", "organisation.yaml", 3)


def test_references_resolve_to_definitions(example: Policy) -> None:
    platform = example.escalation_policy("Production - Platform")
    assert platform is not None
    first_target = platform.levels[0].targets[0]
    assert (first_target.kind, first_target.schedule) == ("schedule",
                                                          example.schedule("Platform - Primary"))
    cto = platform.levels[3].targets[0]
    assert (cto.kind, cto.name, cto.schedule) == ("user", "cto@acme.example", None)
    assert [service.name for service in example.services_covered_by(platform)] == [
        "Checkout API", "Payments API", "Identity Service", "Internal Admin"]
    payments = example.service("Payments API")
    assert payments is not None and payments.escalation_policy is not None
    assert payments.escalation_policy.target is platform
    # The link is documented on the escalation policy's services list.
    link = payments.escalation_policy.location
    assert (Path(link.path).name, link.line, link.column) == ("escalation-policies.yaml", 10, 30)


def test_severities_keep_the_written_order(example: Policy) -> None:
    assert [(severity.id, severity.rank) for severity in example.severities] == [
        ("P1", 0), ("P2", 1), ("P3", 2), ("P4", 3)]
    p1, p4 = example.severity("P1"), example.severity("P4")
    assert p1 is not None and p4 is not None
    assert p1.response_sla.value.within == timedelta(minutes=5)
    assert p4.response_sla.value.next_business_day
    assert p1.resource == Resource("severity", name="P1")


@pytest.mark.parametrize(("triggered", "deadline"), [
    (datetime(2026, 3, 2, 10, 0, tzinfo=NEW_YORK), datetime(2026, 3, 3, 17, 0, tzinfo=NEW_YORK)),
    (datetime(2026, 3, 6, 18, 0, tzinfo=NEW_YORK), datetime(2026, 3, 9, 17, 0, tzinfo=NEW_YORK)),
    (datetime(2026, 3, 7, 23, 0, tzinfo=ZoneInfo("UTC")),
     datetime(2026, 3, 9, 17, 0, tzinfo=NEW_YORK)),
], ids=["monday to tuesday", "friday evening to monday", "saturday in UTC to monday"])
def test_next_business_day_deadline(example: Policy, triggered: datetime,
                                    deadline: datetime) -> None:
    p4 = example.severity("P4")
    assert p4 is not None
    assert p4.response_sla.value.deadline(triggered,
                                          example.organisation.business_hours) == deadline


def test_business_hours_contain_moments_in_their_own_zone(example: Policy) -> None:
    hours = example.organisation.business_hours
    assert hours.contains(datetime(2026, 3, 2, 14, 0, tzinfo=ZoneInfo("UTC")))  # 09:00 NY
    assert not hours.contains(datetime(2026, 3, 2, 13, 59, tzinfo=ZoneInfo("UTC")))
    assert not hours.contains(datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK))  # Saturday
    assert (hours.start.value, hours.end.value) == (time(9), time(17))


def test_an_unknown_zone_is_an_error_only_when_used(tmp_path: Path) -> None:
    policy = _policy(tmp_path, """\
        services:
          - name: Web
            support_hours:
              time_zone: Mars/Olympus
              days: [monday]
              start: "09:00"
              end: "17:00"
        """)
    web = policy.service("Web")
    assert web is not None and web.support_hours is not None
    with pytest.raises(PolicyError, match=r"case\.yaml:4:.*unknown time zone 'Mars/Olympus'"):
        web.support_hours.contains(datetime(2026, 1, 1, tzinfo=NEW_YORK))


def test_waivers_match_findings_by_rule_and_resource(example: Policy) -> None:
    (waiver,) = example.waivers
    assert (waiver.rule.value, waiver.expires.value) == ("SVC306", date(2027, 3, 31))

    def finding(rule: str, resource: Resource) -> Finding:
        return Finding(rule, "x", Severity.ERROR, "m", resource)

    assert waiver.matches(finding("SVC306", Resource("service", "Internal Admin", "PX")))
    assert not waiver.matches(finding("SVC305", Resource("service", "Internal Admin")))
    assert not waiver.matches(finding("SVC306", Resource("service", "Checkout API")))
    assert not waiver.expired(date(2027, 3, 31)) and waiver.expired(date(2027, 4, 1))
    assert waiver.as_waived().owner == "platform-lead@acme.example"


def test_pinned_ids_and_duplicates_keep_the_first_definition(tmp_path: Path) -> None:
    loaded = load_policy([write_policy(tmp_path / "policy", """\
        schedules:
          - name: Primary
            id: PABC123
            coverage: 24x7
          - name: Primary
            coverage: business_hours
        """)])
    assert loaded.policy is not None
    first = loaded.policy.schedule("Primary")
    assert first is not None and first.coverage is not None
    assert first.coverage.value == "24x7"
    assert loaded.policy.by_id("schedule", "PABC123") is first
    assert loaded.policy.by_id("service", "PABC123") is None
    assert [(finding.rule, finding.location.line if finding.location else 0)
            for finding in loaded.findings] == [("POL004", 2), ("POL004", 5)]


def test_the_policy_is_immutable(example: Policy) -> None:
    with pytest.raises(AttributeError):
        example.services = ()  # type: ignore[misc]


def _policy(tmp_path: Path, case: str) -> Policy:
    loaded = load_policy([write_policy(tmp_path / "policy", case)])
    assert loaded.policy is not None and not loaded.findings, loaded.findings
    return loaded.policy
