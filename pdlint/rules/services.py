"""SVC rules: PagerDuty's services against the documented ones, tier defaults applied.

Documented and live services are paired by ``matching.pair_objects``; SVC300 reports what is on
one side only and the other rules compare the pairs. A value a service takes from its tier is
reported at the tier's line, where it is written. Timeouts are minutes in the policy and seconds
in the API, where ``null`` (or 0) means the feature is switched off.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from pdlint.findings import Finding, Resource, Severity
from pdlint.policy.model import (
    WEEKDAYS,
    EscalationPolicy,
    Policy,
    Service,
    Sourced,
    format_duration,
)
from pdlint.rules.escalation import escalation_pairs
from pdlint.rules.matching import (
    Pair,
    both_sides,
    live_resource,
    missing_or_renamed,
    pair_objects,
)
from pdlint.rules.rule import Mode, rule
from pdlint.zones import same_zone

if TYPE_CHECKING:
    from pdlint.pagerduty.state import LiveState

COLLECTION = "services"


def service_pairs(policy: Policy, state: LiveState) -> list[Pair[Service]]:
    """Documented and live services paired; empty when the list could not be read."""
    if state.skip_reason(COLLECTION) is not None:
        return []
    return pair_objects(policy.services, state.collection(COLLECTION))


@rule("SVC300", "missing", title="Documented services exist, and live services are documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT)
def check_missing(policy: Policy, state: LiveState, today: date) -> Iterator[Finding]:
    """Every documented service must exist in PagerDuty under the name written (or the pinned
    id), and every service in PagerDuty must be documented: an incident on an undocumented
    service follows no agreed urgency, escalation or SLA. A live name close to a documented one
    is reported once, as a rename. An undocumented service is reported at the documented
    escalation policy it uses, when there is one; disabled services, which receive no
    incidents, need no documentation."""
    for pair in service_pairs(policy, state):
        finding = missing_or_renamed(check_missing, pair)
        if finding is not None:
            yield finding
        live = pair.live
        if live is not None and pair.documented is None and live.get("status") != "disabled":
            escalation = _documented_policy(policy, live.get("escalation_policy") or {})
            on = f" on escalation policy '{escalation.name}'" if escalation else ""
            yield check_missing.finding(
                f"in PagerDuty{on} but not documented",
                Resource("service", name=live.get("name"), id=live.get("id")),
                expected=None, actual=live.get("name"),
                location=escalation.location if escalation else None)


def _documented_policy(policy: Policy, reference: Mapping[str, Any]) -> EscalationPolicy | None:
    """The documented escalation policy a live reference names, by pinned id, else by the name
    the reference carries: read from the service alone, so that the finding is the same whether
    or not the escalation policy list could be read."""
    pinned = policy.by_id("escalation_policy", str(reference.get("id")))
    if isinstance(pinned, EscalationPolicy):
        return pinned
    return policy.escalation_policy(str(reference.get("summary")))


@rule("SVC301", "escalation-policy", title="Services use the documented escalation policy",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT)
def check_escalation_policy(policy: Policy, state: LiveState, today: date) -> Iterator[Finding]:
    """A service's incidents are escalated by its escalation policy: on another policy than the
    documented one, they page other people at other times than the policy promises. The live
    policy is compared by id with the documented policy's live counterpart, else by name. Not
    checked when the escalation policy list could not be read (a renamed policy could not be
    told from another one)."""
    if state.skip_reason("escalation_policies") is not None:
        return
    live_ids = {pair.documented.name: pair.live["id"]
                for pair in escalation_pairs(policy, state)
                if pair.live is not None and pair.documented is not None}
    for documented, live in both_sides(service_pairs(policy, state)):
        chosen = documented.escalation_policy
        if chosen is None:
            continue
        reference = live.get("escalation_policy") or {}
        known = state.by_id("escalation_policies", reference.get("id", ""))
        live_name = (known or {}).get("name") or reference.get("summary")
        wanted_id = live_ids.get(chosen.name)
        same = (reference.get("id") == wanted_id if wanted_id is not None
                else live_name == chosen.name)
        if not same:
            yield check_escalation_policy.finding(
                f"is on escalation policy '{live_name}', documented '{chosen.name}'",
                live_resource(documented, live), expected=chosen.name, actual=live_name,
                location=chosen.location)


@rule("SVC302", "urgency-rule", title="Services page with the documented urgency",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT)
def check_urgency_rule(policy: Policy, state: LiveState, today: date) -> Iterator[Finding]:
    """The urgency of a service's incidents decides whether responders are woken: high pages by
    phone or SMS at once, low waits for working hours. PagerDuty's ``incident_urgency_rule``
    must say what the policy says: always high, always low, set by each alert's severity
    (``severity_based``), or high during the service's support hours and low outside them
    (``support_hours``)."""
    for documented, live in both_sides(service_pairs(policy, state)):
        wanted = documented.incident_urgency_rule()
        if wanted is None or documented.urgency is None:
            continue
        actual = _urgency_rule(live.get("incident_urgency_rule"))
        if actual != wanted:
            yield check_urgency_rule.finding(
                f"urgency is {_describe_urgency(actual)}, documented {_describe_urgency(wanted)}",
                live_resource(documented, live), expected=documented.urgency.value,
                actual=_urgency_word(actual), location=documented.urgency.location)


def _urgency_rule(rule_data: Any) -> dict[str, Any]:
    """The live rule reduced to what the policy can state (PagerDuty's default is constant
    high)."""
    data = rule_data if isinstance(rule_data, Mapping) else {}
    if data.get("type") == "use_support_hours":
        return {"type": "use_support_hours",
                "during_support_hours": _urgency_rule(data.get("during_support_hours")),
                "outside_support_hours": _urgency_rule(data.get("outside_support_hours"))}
    return {"type": "constant", "urgency": data.get("urgency") or "high"}


def _describe_urgency(rule_data: Mapping[str, Any]) -> str:
    if rule_data["type"] == "use_support_hours":
        during = rule_data["during_support_hours"].get("urgency")
        outside = rule_data["outside_support_hours"].get("urgency")
        return f"{during} during support hours and {outside} outside"
    urgency = rule_data["urgency"]
    return "set by each alert's severity" if urgency == "severity_based" else f"always {urgency}"


def _urgency_word(rule_data: Mapping[str, Any]) -> str:
    """The policy's word for a live rule (``support_hours`` for high during, low outside)."""
    if rule_data["type"] != "use_support_hours":
        return str(rule_data["urgency"])
    during = rule_data["during_support_hours"].get("urgency")
    outside = rule_data["outside_support_hours"].get("urgency")
    return ("support_hours" if (during, outside) == ("high", "low")
            else f"support_hours ({during} during, {outside} outside)")


@rule("SVC303", "support-hours", title="Support hours are as documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT)
def check_support_hours(policy: Policy, state: LiveState, today: date) -> Iterator[Finding]:
    """Support hours decide when a support-hours service pages at high urgency. The days, the
    start and end of the day and the time zone configured in PagerDuty must be those the policy
    writes (the service's own, or its tier's); each differing value is reported at its line.
    Time zones are compared by meaning: PagerDuty may name the policy's America/New_York
    "Eastern Time (US & Canada)", and a zone that keeps the same clock all this year and next
    is the same."""
    for documented, live in both_sides(service_pairs(policy, state)):
        hours = documented.support_hours
        if hours is None:
            continue
        live_hours = live.get("support_hours")
        if not isinstance(live_hours, Mapping):
            yield check_support_hours.finding(
                f"has no support hours, documented {_describe_days(hours.days_of_week)} "
                f"{hours.start.value:%H:%M}-{hours.end.value:%H:%M} {hours.time_zone.value}",
                live_resource(documented, live), expected=_hours_value(
                    hours.days_of_week, hours.start.value, hours.end.value,
                    hours.time_zone.value), actual=None, location=hours.location)
            continue
        live_days = tuple(sorted(live_hours.get("days_of_week") or []))
        # (what, where the policy writes it, live value, documented value, whether they agree)
        compared: list[tuple[str, Sourced[Any], Any, Any, bool]] = [
            (label, written, actual, expected, actual == expected)
            for label, written, actual, expected in (
                ("days", hours.days, list(_day_names(live_days)),
                 list(_day_names(hours.days_of_week))),
                ("start", hours.start, _live_time(live_hours.get("start_time")),
                 f"{hours.start.value:%H:%M}"),
                ("end", hours.end, _live_time(live_hours.get("end_time")),
                 f"{hours.end.value:%H:%M}"))]
        live_zone = live_hours.get("time_zone")
        compared.append(("time zone", hours.time_zone, live_zone, hours.time_zone.value,
                         isinstance(live_zone, str) and same_zone(
                             live_zone, hours.time_zone.value, state.fetched_at.date())))
        for label, written, actual, expected, same in compared:
            if not same:
                yield check_support_hours.finding(
                    f"support hours {label} is {_show(actual)}, documented {_show(expected)}",
                    live_resource(documented, live), expected=expected, actual=actual,
                    location=written.location)


def _day_names(days: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(WEEKDAYS[day - 1] for day in days if isinstance(day, int) and 1 <= day <= 7)


def _describe_days(days: tuple[int, ...]) -> str:
    return ", ".join(name[:3].capitalize() for name in _day_names(days))


def _live_time(text: Any) -> str | None:
    """PagerDuty's ``"09:00:00"`` as the policy writes it, ``"09:00"`` (seconds kept if any)."""
    if not isinstance(text, str):
        return None
    return text[:5] if text.endswith(":00") and len(text) == 8 else text


def _hours_value(days: tuple[int, ...], start: time, end: time, zone: str) -> dict[str, Any]:
    return {"days": list(_day_names(days)), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
            "time_zone": zone}


def _show(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


@rule("SVC304", "timeouts", title="Acknowledgement and auto-resolve timeouts are as documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT)
def check_timeouts(policy: Policy, state: LiveState, today: date) -> Iterator[Finding]:
    """The acknowledgement timeout re-triggers an incident that was acknowledged and then left
    alone; the auto-resolve timeout closes an incident nobody resolved. Without the first an
    acknowledged incident can be forgotten; with a shorter second, incidents close before they
    are handled. Both must be as documented, ``disabled`` included. PagerDuty counts them in
    seconds and reports a switched-off timeout as null."""
    for documented, live in both_sides(service_pairs(policy, state)):
        for label, field, written in (
                ("acknowledgement timeout", "acknowledgement_timeout",
                 documented.acknowledgement_timeout),
                ("auto-resolve timeout", "auto_resolve_timeout",
                 documented.auto_resolve_timeout)):
            if written is None:
                continue
            expected = _timeout_text(None if written.value is None
                                     else int(written.value.total_seconds()))
            seconds = live.get(field)
            actual = _timeout_text(seconds if isinstance(seconds, int) else None)
            if actual != expected:
                yield check_timeouts.finding(
                    f"{label} is {actual}, documented {expected}", live_resource(documented, live),
                    expected=expected, actual=actual, location=written.location)


def _timeout_text(seconds: int | None) -> str:
    """A timeout in the policy's words: ``30m``, ``disabled``; seconds when not whole minutes."""
    if not seconds:
        return "disabled"
    return format_duration(timedelta(seconds=seconds)) if seconds % 60 == 0 else f"{seconds}s"


@rule("SVC305", "disabled", title="Documented services are enabled",
      severity=Severity.ERROR, criterion="CC7.3", mode=Mode.DRIFT)
def check_disabled(policy: Policy, state: LiveState, today: date) -> Iterator[Finding]:
    """A disabled service accepts no alerts and opens no incidents: the failures it exists to
    report go unnoticed. A documented service must not be disabled; if it is retired, remove
    it from the policy."""
    for documented, live in both_sides(service_pairs(policy, state)):
        if live.get("status") == "disabled":
            yield check_disabled.finding(
                "disabled in PagerDuty, so it opens no incidents",
                live_resource(documented, live), expected="enabled", actual="disabled",
                location=documented.location)


@rule("SVC306", "no-integration", title="Services that must receive alerts have an integration",
      severity=Severity.ERROR, criterion="CC7.3", mode=Mode.DRIFT)
def check_no_integration(policy: Policy, state: LiveState, today: date) -> Iterator[Finding]:
    """A service whose tier (or itself) says ``requires_integration: true`` must have at least
    one integration: without one, no monitoring system can open an incident on it, and the
    failures it covers are detected only when a person happens to notice."""
    for documented, live in both_sides(service_pairs(policy, state)):
        required = documented.requires_integration
        if required is not None and required.value and not live.get("integrations"):
            yield check_no_integration.finding(
                "no integration, so no alert can reach it",
                live_resource(documented, live), expected="at least one integration", actual=0,
                location=required.location)


@rule("SVC307", "team", title="Services belong to the documented team",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT)
def check_team(policy: Policy, state: LiveState, today: date) -> Iterator[Finding]:
    """The team a service belongs to is who answers for it, and whose members may change it. The
    documented team must be among the service's teams in PagerDuty. Not checked when the team
    list could not be read (an account without the Teams feature has none)."""
    if state.skip_reason("teams") is not None:
        return
    for documented, live in both_sides(service_pairs(policy, state)):
        team = documented.team
        if team is None:
            continue
        pinned = team.target.id.value if team.target and team.target.id else None
        live_teams = [_team_name(reference, state) for reference in live.get("teams") or []]
        if not any(name == team.name or (pinned and team_id == pinned)
                   for team_id, name in live_teams):
            names = [name for _, name in live_teams]
            yield check_team.finding(
                f"belongs to {_teams_text(names)}, documented '{team.name}'",
                live_resource(documented, live), expected=team.name, actual=names,
                location=team.location)


def _team_name(reference: Mapping[str, Any], state: LiveState) -> tuple[str | None, str | None]:
    team_id = reference.get("id")
    known = state.by_id("teams", team_id) if team_id else None
    return team_id, (known or {}).get("name") or reference.get("summary")


def _teams_text(names: list[str | None]) -> str:
    if not names:
        return "no team"
    return "team " + ", ".join(f"'{name}'" for name in names)

