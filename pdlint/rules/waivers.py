"""WAV rules: the waivers themselves, so that accepted exceptions do not outlive their reason.

The engine applies unexpired waivers to drift findings; WAV900 reports the waivers that no longer
apply (expired). WAV901 (unused) is about the findings of a whole run, which no rule sees: it is
declared here, for the catalogue, and the engine makes its findings (``engine.unused_waivers``).
"""

from __future__ import annotations

from collections.abc import Iterator

from pdlint.findings import Finding, Severity
from pdlint.pagerduty.state import COLLECTIONS
from pdlint.rule import Context, Mode, Rule, made_elsewhere, rule


@rule("WAV900", "waiver-expired", title="Waivers are renewed or removed when they expire",
      severity=Severity.ERROR, criterion="CC8.1", mode=Mode.DRIFT)
def check_waiver_expired(context: Context) -> Iterator[Finding]:
    """A waiver accepts a known difference until its expiry date, with an owner who answers for
    it. After that day the exception is no longer approved: the findings it covered fail the
    check again, and the waiver is reported so that its owner fixes the drift, or renews the
    waiver with a new date and reason."""
    policy = context.policy
    today = context.today
    for waiver in policy.waivers:
        if waiver.expired(today):
            yield check_waiver_expired.finding(
                f"the waiver of {waiver.rule.value} expired on "
                f"{waiver.expires.value.isoformat()} (owner {waiver.owner.value})",
                waiver.resource.value,
                expected=f"on or after {today.isoformat()}",
                actual=waiver.expires.value.isoformat(), location=waiver.location)


WAIVER_UNUSED = Rule(
    id="WAV901", name="waiver-unused", title="Every waiver accepts a finding",
    severity=Severity.WARNING, criterion="CC8.1", mode=Mode.DRIFT,
    check=made_elsewhere, reads=COLLECTIONS,
    rationale="A waiver that matches no finding accepts nothing: the drift was fixed, or the "
              "waiver names the wrong rule or object and the finding it meant still fails. "
              "Remove it, or correct it. The rule runs the rule each waiver names on its own, "
              "whatever rules the run selected, so that choosing rules never makes a waiver look "
              "unused. Only unexpired waivers of drift rules are considered (POL022 reports the "
              "others), and only after a complete read of the account: a finding may be absent "
              "only because its objects could not be read. A waiver of an object PagerDuty "
              "returned without part of it (an escalation policy without its rules or a level's "
              "targets, a schedule without its layers, their users or its rendering, a service "
              "without its escalation policy, integrations or teams, a user without contact "
              "methods or notification rules) is reported as not checked, never as gone.",
)
