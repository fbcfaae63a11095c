"""PRI rules: the severity matrix against the account's incident priorities."""

from __future__ import annotations

from collections.abc import Iterator

from pdlint.findings import Finding, Resource, Severity
from pdlint.rule import Context, Mode, rule


@rule("PRI500", "priorities", title="Each severity's PagerDuty priority exists",
      severity=Severity.ERROR, criterion="CC7.3", mode=Mode.DRIFT,
      reads=("priorities",))
def check_priorities(context: Context) -> Iterator[Finding]:
    """Incidents are classified in PagerDuty by priority, and the severity matrix says which
    priority (by name) each severity is. A priority the account does not have cannot be set, so
    incidents of that severity cannot be told apart, nor their response SLA measured. Create
    the priority or correct the matrix. An account with no priorities at all (the feature is
    switched off) is one finding, at the first mapped severity, rather than one per severity;
    when the priorities could not be read, nothing is reported here (the run says it was
    skipped)."""
    policy = context.policy
    account = context.live
    if not account.priorities.read:
        return
    mapped = [(severity, severity.pagerduty_priority) for severity in policy.severities
              if severity.pagerduty_priority is not None]
    if not mapped:
        return
    names = [str(priority.name) for priority in account.priorities]
    wanted = [priority.value for _, priority in mapped]
    if not names:
        listed = ", ".join(severity.id for severity, _ in mapped)
        severities = f"severit{'ies' if len(mapped) > 1 else 'y'} {listed}"
        yield check_priorities.finding(
            f"the account has no incident priorities (the feature is switched off), so "
            f"{severities} cannot be recorded on incidents", Resource("priority"),
            expected=wanted, actual=[], location=mapped[0][1].location)
        return
    for severity, priority in mapped:
        if priority.value not in names:
            yield check_priorities.finding(
                f"{severity.id} maps to this priority, which the account does not have (it "
                f"has {', '.join(names)})", Resource("priority", name=priority.value),
                expected=priority.value, actual=names, location=priority.location)
