"""A hand-built run to render in every format: each severity, with and without a policy location,
a waived finding, a skipped check, and a rule that ran without findings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from pdlint.findings import Finding, Location, Resource, Severity, Skipped, Waived
from pdlint.rule import Context, Mode, Rule


def finds_nothing(context: Context) -> Iterator[Finding]:
    """Reporters never run a check."""
    return iter(())


def declare(rule_id: str, name: str, severity: Severity, mode: Mode, title: str) -> Rule:
    return Rule(rule_id, name, title, severity, "CC7.4", f"Why {name} matters.", mode,
                finds_nothing)


SCHEMA = declare("POL003", "schema", Severity.ERROR, Mode.LINT, "Policy files match the schema")
UNUSED = declare("POL023", "unused-definition", Severity.WARNING, Mode.LINT,
                 "Every definition is used")
DELAY = declare("EP103", "escalation-delay", Severity.ERROR, Mode.DRIFT,
                "Escalation delays match the documented times")
NO_INTEGRATION = declare("SVC306", "no-integration", Severity.WARNING, Mode.DRIFT,
                         "Every service can receive alerts")
PRIORITIES = declare("PRI500", "priorities", Severity.INFO, Mode.DRIFT,
                     "The severity matrix maps to the account's priorities")
COVERAGE = declare("SCH201", "coverage-gap", Severity.ERROR, Mode.DRIFT,
                   "Schedules cover the documented hours")
UNREACHABLE = declare("USR400", "unreachable-responder", Severity.ERROR, Mode.DRIFT,
                      "Everyone on call can be reached by phone or SMS")

RULES: tuple[Rule, ...] = (SCHEMA, UNUSED, DELAY, NO_INTEGRATION, PRIORITIES, COVERAGE,
                           UNREACHABLE)
LINT_RULES: tuple[Rule, ...] = (SCHEMA, UNUSED)

PLATFORM = Resource("escalation_policy", "Production - Platform", "PABC123")
INTERNAL_ADMIN = Resource("service", "Internal Admin", "PSVC001")
WAIVER = Waived(
    reason="Alerts reach Internal Admin by email only until the monitoring migration.",
    owner="platform-lead@acme.example",
    expires=date(2027, 3, 31),
    location=Location("policy/waivers.yaml", 7),
)

UNKNOWN_KEY = SCHEMA.finding(
    "unknown key 'acknowledg_within'; did you mean 'acknowledge_within'?",
    Resource("service", "Checkout API"),
    location=Location("policy/services.yaml", 12, 5),
)
UNUSED_SCHEDULE = UNUSED.finding(
    "schedule 'Old Rotation' is defined but no escalation policy uses it",
    Resource("schedule", "Old Rotation"),
    location=Location("policy/schedules.yaml", 30),
)
LATE_LEVEL = DELAY.finding(
    "level 3 engaged after 30 min, documented 20 min: rule 2 delay is 20, expected 10",
    PLATFORM,
    expected="20m",
    actual="30m",
    location=Location("policy/escalation-policies.yaml", 23, 9),
)
WAIVED_NO_INTEGRATION = NO_INTEGRATION.finding(
    "the service has no integration, so no alert can reach it", INTERNAL_ADMIN,
).with_waiver(WAIVER)
EXTRA_PRIORITY = PRIORITIES.finding(
    "priority P5 exists in the account but not in the severity matrix",
    Resource("priority", "P5", "PPRI005"),
    actual={"name": "P5", "color": "a8171c"},
)
SCHEDULES_FORBIDDEN = Skipped("SCH201", "the token cannot read on-call schedules (HTTP 403)")

FINDINGS = (UNKNOWN_KEY, UNUSED_SCHEDULE, LATE_LEVEL, WAIVED_NO_INTEGRATION, EXTRA_PRIORITY)

# Characters each format must escape: workflow-command separators, Markdown and XML syntax, a
# line break and a control character that XML 1.0 cannot carry.
AWKWARD = DELAY.finding(
    "line one\nline two, 100% : colon | pipe <b>bold</b> `tick` \x07bell",
    Resource("escalation_policy", "Pay|ments, <API>: 100%"),
    expected="a|b`c",
    actual=["x", "y"],
    location=Location("policy/odd, name.yaml", 3, 2),
)
