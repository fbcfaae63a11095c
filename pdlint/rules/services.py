"""SVC rules: PagerDuty's services against the documented ones, tier defaults applied.

Documented and live services are paired by ``matching.pair_objects``; SVC300 reports what is on
one side only and the other rules compare the pairs. A value a service takes from its tier is
reported at the tier's line, where it is written. Timeouts are minutes in the policy and seconds
in the API, where ``null`` (or 0) means the feature is switched off.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pdlint.findings import Finding, Resource, Severity
from pdlint.pagerduty.model import (
    Account,
    MaintenanceWindow,
    Reference,
    UrgencyRule,
    time_text,
)
from pdlint.pagerduty.model import Service as LiveService
from pdlint.policy.model import (
    WEEKDAYS,
    EscalationPolicy,
    Policy,
    Service,
    Sourced,
    format_duration,
)
from pdlint.rule import Context, Mode, returned_without, rule
from pdlint.rules.escalation import escalation_pairs
from pdlint.rules.matching import (
    Pair,
    both_sides,
    live_resource,
    missing_or_renamed,
    pair_objects,
    remembered,
)
from pdlint.zones import same_zone


@remembered
def service_pairs(policy: Policy, account: Account,
                  ) -> tuple[Pair[Service, LiveService], ...]:
    """Documented and live services paired; empty when the list could not be read."""
    if not account.services.read:
        return ()
    return tuple(pair_objects(policy.services, account.services))


@rule("SVC300", "missing", title="Documented services exist, and live services are documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services",))
def check_missing(context: Context) -> Iterator[Finding]:
    """Every documented service must exist in PagerDuty under the name written (or the pinned
    id), and every service in PagerDuty must be documented: an incident on an undocumented
    service follows no agreed urgency, escalation or SLA. A live name close to a documented one
    is reported once, as a rename. An undocumented service is reported at the documented
    escalation policy it uses, when there is one; disabled services, which receive no
    incidents, need no documentation. An undocumented service PagerDuty returned without its
    status (whether it is disabled), or, with a ``scope``, without its teams (whether it is in
    the scope), is reported as not checked, not as undocumented."""
    policy = context.policy
    for pair in service_pairs(policy, context.live):
        finding = missing_or_renamed(check_missing, pair)
        if finding is not None:
            yield finding
        live = pair.live
        if live is None or pair.documented is not None or live.disabled:
            continue
        resource = Resource("service", name=live.name, id=live.id)
        unread = (("its status", "whether it is disabled (a disabled service needs none)")
                  if live.status is None else ("its teams", "whether it is in the scope")
                  if policy.scope is not None and live.teams is None else None)
        if unread is not None:
            part, unknown = unread
            yield check_missing.not_checked(
                f"documentation not checked: {returned_without(part, 'service')}, so {unknown} "
                "is not known", resource, why=returned_without(part, "service", live.name),
                expected=None,
                actual=live.name)
            continue
        escalation = _documented_policy(policy, live.escalation_policy)
        on = f" on escalation policy '{escalation.name}'" if escalation else ""
        unsaid = ("" if live.escalation_policy is not None
                  else f"; {returned_without('its escalation policy', 'service')}")
        yield check_missing.finding(
            f"in PagerDuty{on} but not documented{unsaid}", resource, expected=None,
            actual=live.name, location=escalation.location if escalation else None)


def _documented_policy(policy: Policy, reference: Reference | None) -> EscalationPolicy | None:
    """The documented escalation policy a live reference names, by pinned id, else by the name
    the reference carries: read from the service alone, so that the finding is the same whether
    or not the escalation policy list could be read."""
    pinned = policy.by_id("escalation_policy", str(reference.id if reference else None))
    if isinstance(pinned, EscalationPolicy):
        return pinned
    return policy.escalation_policy(str(reference.summary if reference else None))


@rule("SVC301", "escalation-policy", title="Services use the documented escalation policy",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services", "escalation_policies"))
def check_escalation_policy(context: Context) -> Iterator[Finding]:
    """A service's incidents are escalated by its escalation policy: on another policy than the
    documented one, they page other people at other times than the policy promises. The live
    policy is compared by id with the documented policy's live counterpart, else by name. Not
    checked when the escalation policy list could not be read (a renamed policy could not be
    told from another one); a service PagerDuty returned without its escalation policy is
    reported as not checked (not read, not "None")."""
    policy = context.policy
    account = context.live
    if not account.escalation_policies.read:
        return
    live_ids = {pair.documented.name: pair.live.id
                for pair in escalation_pairs(policy, account)
                if pair.live is not None and pair.documented is not None}
    for documented, live in both_sides(service_pairs(policy, account)):
        chosen = documented.escalation_policy
        reference = live.escalation_policy
        if chosen is None:
            continue
        if reference is None:
            yield check_escalation_policy.not_returned(
                "escalation policy", "its escalation policy", live_resource(documented, live),
                name=live.name, expected=chosen.name,
                actual=None, location=chosen.location)
            continue
        known = account.escalation_policies.by_id(reference.id)
        live_name = (known.name if known else None) or reference.summary
        wanted_id = live_ids.get(chosen.name)
        same = (reference.id == wanted_id if wanted_id is not None
                else live_name == chosen.name)
        if not same:
            yield check_escalation_policy.finding(
                f"is on escalation policy '{live_name}', documented '{chosen.name}'",
                live_resource(documented, live), expected=chosen.name, actual=live_name,
                location=chosen.location)


@rule("SVC302", "urgency-rule", title="Services page with the documented urgency",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services",))
def check_urgency_rule(context: Context) -> Iterator[Finding]:
    """The urgency of a service's incidents decides whether responders are woken: high pages by
    phone or SMS at once, low waits for working hours. PagerDuty's ``incident_urgency_rule``
    must say what the policy says: always high, always low, set by each alert's severity
    (``severity_based``), or high during the service's support hours and low outside them
    (``support_hours``). A service PagerDuty returned without its urgency rule is reported as
    not checked (not "always high", PagerDuty's default when a service is created)."""
    policy = context.policy
    for documented, live in both_sides(service_pairs(policy, context.live)):
        if documented.urgency is None:
            continue
        wanted = UrgencyRule.meant_by(documented.urgency.value)
        actual = live.urgency_rule
        if actual is None:
            yield check_urgency_rule.not_returned(
                "urgency", "its urgency rule", live_resource(documented, live),
                name=live.name, expected=documented.urgency.value, actual=None,
                location=documented.urgency.location)
        elif actual != wanted:
            yield check_urgency_rule.finding(
                f"urgency is {actual.described()}, documented {wanted.described()}",
                live_resource(documented, live), expected=documented.urgency.value,
                actual=actual.policy_word(), location=documented.urgency.location)


@rule("SVC303", "support-hours", title="Support hours are as documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services",))
def check_support_hours(context: Context) -> Iterator[Finding]:
    """Support hours decide when a support-hours service pages at high urgency. The days, the
    start and end of the day and the time zone configured in PagerDuty must be those the policy
    writes (the service's own, or its tier's); each differing value is reported at its line.
    Time zones are compared by meaning: PagerDuty may name the policy's America/New_York
    "Eastern Time (US & Canada)", and a zone that keeps the same clock all this year and next
    is the same. A service PagerDuty returned without its support hours is reported as not
    checked (not "no support hours")."""
    policy = context.policy
    account = context.live
    for documented, live in both_sides(service_pairs(policy, account)):
        hours = documented.support_hours
        if hours is None:
            continue
        if "support_hours" in live.unreturned:
            yield check_support_hours.not_returned(
                "support hours", "its support hours", live_resource(documented, live),
                name=live.name, expected=None, actual=None, location=hours.location)
            continue
        live_hours = live.support_hours
        if live_hours is None:
            yield check_support_hours.finding(
                f"has no support hours, documented {_describe_days(hours.days_of_week)} "
                f"{hours.start.value:%H:%M}-{hours.end.value:%H:%M} {hours.time_zone.value}",
                live_resource(documented, live), expected=_hours_value(
                    hours.days_of_week, hours.start.value, hours.end.value,
                    hours.time_zone.value), actual=None, location=hours.location)
            continue
        live_days = tuple(sorted(live_hours.days_of_week or ()))
        # (what, where the policy writes it, live value, documented value, whether they agree)
        compared: list[tuple[str, Sourced[Any], Any, Any, bool]] = [
            (label, written, actual, expected, actual == expected)
            for label, written, actual, expected in (
                ("days", hours.days, list(_day_names(live_days)),
                 list(_day_names(hours.days_of_week))),
                ("start", hours.start, time_text(live_hours.start_time),
                 f"{hours.start.value:%H:%M}"),
                ("end", hours.end, time_text(live_hours.end_time),
                 f"{hours.end.value:%H:%M}"))]
        live_zone = live_hours.time_zone
        compared.append(("time zone", hours.time_zone, live_zone, hours.time_zone.value,
                         live_zone is not None and same_zone(
                             live_zone, hours.time_zone.value, account.fetched_at.date())))
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


def _hours_value(days: tuple[int, ...], start: time, end: time, zone: str) -> dict[str, Any]:
    return {"days": list(_day_names(days)), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
            "time_zone": zone}


def _show(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


@rule("SVC304", "timeouts", title="Acknowledgement and auto-resolve timeouts are as documented",
      severity=Severity.ERROR, criterion="CC7.4", mode=Mode.DRIFT,
      reads=("services",))
def check_timeouts(context: Context) -> Iterator[Finding]:
    """The acknowledgement timeout re-triggers an incident that was acknowledged and then left
    alone; the auto-resolve timeout closes an incident nobody resolved. Without the first an
    acknowledged incident can be forgotten; with a shorter second, incidents close before they
    are handled. Both must be as documented, ``disabled`` included. PagerDuty counts them in
    seconds and reports a switched-off timeout as null; a timeout it did not return is reported
    as not checked (not "disabled")."""
    policy = context.policy
    for documented, live in both_sides(service_pairs(policy, context.live)):
        for key, label, seconds, written in (
                ("acknowledgement_timeout", "acknowledgement timeout",
                 live.acknowledgement_timeout, documented.acknowledgement_timeout),
                ("auto_resolve_timeout", "auto-resolve timeout", live.auto_resolve_timeout,
                 documented.auto_resolve_timeout)):
            if written is None:
                continue
            expected = _timeout_text(None if written.value is None
                                     else int(written.value.total_seconds()))
            if key in live.unreturned:
                yield check_timeouts.not_returned(
                    label, f"its {label}", live_resource(documented, live),
                    name=live.name, expected=expected, actual=None, location=written.location)
                continue
            actual = _timeout_text(seconds)
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
      severity=Severity.ERROR, criterion="CC7.3", mode=Mode.DRIFT,
      reads=("services",))
def check_disabled(context: Context) -> Iterator[Finding]:
    """A disabled service accepts no alerts and opens no incidents: the failures it exists to
    report go unnoticed. A documented service must not be disabled; if it is retired, remove
    it from the policy. A service PagerDuty returned without its status is reported as not
    checked (not "enabled")."""
    policy = context.policy
    for documented, live in both_sides(service_pairs(policy, context.live)):
        if live.status is None:
            yield check_disabled.not_returned(
                "status", "its status", live_resource(documented, live),
                name=live.name, expected="enabled", actual=None, location=documented.location)
        elif live.disabled:
            yield check_disabled.finding(
                "disabled in PagerDuty, so it opens no incidents",
                live_resource(documented, live), expected="enabled", actual="disabled",
                location=documented.location)


@rule("SVC306", "no-integration", title="Services that must receive alerts have an integration",
      severity=Severity.ERROR, criterion="CC7.3", mode=Mode.DRIFT,
      reads=("services",))
def check_no_integration(context: Context) -> Iterator[Finding]:
    """A service whose tier (or itself) says ``requires_integration: true`` must have at least
    one integration: without one, no monitoring system can open an incident on it, and the
    failures it covers are detected only when a person happens to notice. A service PagerDuty
    returned without its integrations is reported as not checked (not "no integration")."""
    policy = context.policy
    for documented, live in both_sides(service_pairs(policy, context.live)):
        required = documented.requires_integration
        if required is None or not required.value:
            continue
        if live.integrations is None:
            yield check_no_integration.not_returned(
                "integration", "its integrations", live_resource(documented, live),
                name=live.name,
                expected="at least one integration", actual=None, location=required.location)
        elif not live.integrations:
            yield check_no_integration.finding(
                "no integration, so no alert can reach it",
                live_resource(documented, live), expected="at least one integration", actual=0,
                location=required.location)


def team_name(reference: Reference, account: Account) -> tuple[str | None, str | None]:
    """A live team reference's id and name (the team list's name, else the reference's)."""
    known = account.teams.by_id(reference.id)
    return reference.id, (known.name if known else None) or reference.summary


def teams_text(names: list[str | None]) -> str:
    if not names:
        return "no team"
    return "team " + ", ".join(f"'{name}'" for name in names)



@rule("SVC310", "maintenance-window",
      title="Documented services are in maintenance only as allowed",
      severity=Severity.ERROR, criterion="CC7.3", mode=Mode.DRIFT,
      reads=("services", "maintenance_windows"))
def check_maintenance_window(context: Context) -> Iterator[Finding]:
    """PagerDuty opens no incident on a service inside a maintenance window: whatever fails
    then pages nobody. A documented service may be in a window under way or to come during the
    check's window only where the policy allows it (``maintenance_windows``: a weekly slot or a
    date range the window falls inside, and no longer than ``max_length``). Each window is
    reported with its start, end, description and creator. Not checked when the windows could
    not be read (the run says so), and reported as not checked when one was returned without
    its services (which services it holds is not known)."""
    policy = context.policy
    account = context.live
    zone = policy.organisation.business_hours.zone
    if not account.maintenance_windows.read:
        return
    for documented, live in both_sides(service_pairs(policy, account)):
        windows = account.maintenance_windows_of(live.id)
        if windows is None:
            yield check_maintenance_window.not_checked(
                f"maintenance windows not checked: {account.maintenance_unread}",
                live_resource(documented, live), why=str(account.maintenance_unread),
                expected=None, actual=None, location=documented.location)
            continue
        for window in windows:
            if not window.overlaps(account.window.since, account.window.until):
                continue
            allowed = documented.maintenance_windows
            said = _maintenance_text(window, zone)
            length = window.end - window.start
            if allowed is None:
                reason, location = "the policy allows none", documented.location
            elif length > allowed.max_length.value:
                reason = (f"{format_duration(length)} long, longer than the "
                          f"{format_duration(allowed.max_length.value)} allowed")
                location = allowed.max_length.location
            elif not any(slot.holds(window.start, window.end, zone) for slot in allowed.slots):
                reason, location = "outside every allowed slot", allowed.location
            else:
                continue
            yield check_maintenance_window.finding(
                f"in maintenance {said}: {reason}", live_resource(documented, live),
                expected=None if allowed is None else format_duration(allowed.max_length.value),
                actual={"start": _local_text(window.start, zone),
                        "end": _local_text(window.end, zone), "description": window.description,
                        "created_by": window.created_by.summary if window.created_by else None},
                location=location)


def _maintenance_text(window: MaintenanceWindow, zone: ZoneInfo) -> str:
    """``'Upgrade' from 2026-03-02 07:00 to 13:00 America/New_York, created by Quinn Harper``; a
    description PagerDuty did not return is not read, not an empty one."""
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    named = ("(description not read) " if window.description is None
             else f"'{window.description}' " if window.description else "(no description) ")
    creator = window.created_by.summary if window.created_by else None
    by = f", created by {creator}" if creator else ", creator not named"
    return f"{named}from {start:%Y-%m-%d %H:%M} to {until} {zone.key}{by}"


def _local_text(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="minutes")


@rule("SVC312", "auto-pause", title="High-urgency services page without auto-pause unless allowed",
      severity=Severity.ERROR, criterion="CC7.3", mode=Mode.DRIFT,
      reads=("services",))
def check_auto_pause(context: Context) -> Iterator[Finding]:
    """Auto-pause incident notifications holds alerts PagerDuty judges transient for up to 15
    minutes before they trigger: a real outage that looks transient pages that much later. A
    service documented to page at high urgency (or, with no documented urgency, configured to)
    may pause only when the policy allows it (``auto_pause_notifications``), for no longer than
    written; ``disabled`` allows it on no service. A service the check applies to that PagerDuty
    returned without its auto-pause settings is reported as not checked (not "off")."""
    policy = context.policy
    for documented, live in both_sides(service_pairs(policy, context.live)):
        pause = live.auto_pause
        allowed = documented.auto_pause_notifications
        urgency = (UrgencyRule.meant_by(documented.urgency.value) if documented.urgency
                   else live.urgency_rule)
        high = None if urgency is None else urgency.raises_high()  # None: not known
        if pause is None and (allowed is not None or high is not False):
            yield check_auto_pause.not_returned(
                "auto-pause", "its auto-pause settings", live_resource(documented, live),
                name=live.name, expected=None,
                actual=None, location=allowed.location if allowed else documented.location)
        if pause is None or not pause.enabled:
            continue
        held = pause.pause_seconds
        length = "for a time PagerDuty does not state" if held is None else (
            f"for {_timeout_text(held)}")
        if allowed is None:
            if high is None:
                yield check_auto_pause.not_checked(
                    f"auto-pause not checked: it auto-pauses notifications {length}, and "
                    f"{returned_without('its urgency rule', 'service')} (whether it pages at "
                    "high urgency)",
                    live_resource(documented, live),
                    why=returned_without("its urgency rule", "service", live.name),
                    expected="disabled",
                    actual=None if held is None else _timeout_text(held),
                    location=documented.location)
                continue
            if not high:
                continue
            reason, location = "not allowed on a high-urgency service", (
                documented.urgency.location if documented.urgency else documented.location)
        elif allowed.value is None:
            reason, location = "documented disabled", allowed.location
        elif held is None or held > allowed.value.total_seconds():
            reason = f"longer than the {format_duration(allowed.value)} allowed"
            location = allowed.location
        else:
            continue
        yield check_auto_pause.finding(
            f"auto-pauses notifications {length} before paging: {reason}",
            live_resource(documented, live),
            expected="disabled" if allowed is None or allowed.value is None
            else format_duration(allowed.value),
            actual=None if held is None else _timeout_text(held), location=location)


@rule("SVC314", "alert-grouping", title="Alerts are grouped as documented",
      severity=Severity.WARNING, criterion="CC7.3", mode=Mode.DRIFT,
      reads=("services", "alert_grouping_settings"))
def check_alert_grouping(context: Context) -> Iterator[Finding]:
    """Alert grouping decides whether a new alert opens an incident, and pages, or joins one
    already open: grouped into an incident someone has acknowledged, a new failure pages
    nobody. The service's grouping (``none``, ``time``, ``intelligent``, ``content_based``,
    ``content_based_intelligent``) must be the documented one: the Alert Grouping Setting that
    lists the service, or that it references, where PagerDuty now keeps it, else the service's
    own alert grouping parameters. A service that references a setting the settings listing
    does not hold (a key that cannot see it) is a warning naming the setting: its grouping is
    not checked. Not checked, for a service that references a setting, when the settings could
    not be read (the run says so); a service PagerDuty returned without its alert grouping, which
    no setting read lists, is reported as not checked (not "no grouping")."""
    policy = context.policy
    account = context.live
    for documented, live in both_sides(service_pairs(policy, account)):
        written = documented.alert_grouping
        if written is None:
            continue
        grouping = account.alert_grouping_of(live)
        if grouping is None:
            yield check_alert_grouping.not_returned(
                "alert grouping", "its alert grouping", live_resource(documented, live),
                name=live.name, expected=written.value, actual=None, location=written.location)
            continue
        actual = grouping.policy_word()
        if actual is None and account.alert_grouping_settings.read:
            yield check_alert_grouping.not_checked(
                f"alert grouping not checked: it is kept in Alert Grouping Setting "
                f"{grouping.setting_id}, which is not in the settings this key reads",
                live_resource(documented, live),
                why=f"Alert Grouping Setting {grouping.setting_id} is not in the settings this "
                    "key reads", expected=written.value, actual=None, location=written.location)
        elif actual is not None and actual != written.value:
            yield check_alert_grouping.finding(
                f"alert grouping is {grouping.described()}, documented {written.value}",
                live_resource(documented, live), expected=written.value, actual=actual,
                location=written.location)
