"""Each POL rule on small broken policies: exact rule ids, files and lines, and nothing else.

Every case is the valid base policy (tests/fixtures/policies/base) plus one file, ``case.yaml``;
line numbers are those of ``case.yaml`` unless another file is named.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from policy_cases import ALL_BASES, places, write_policy

from pdlint.rule import Mode
from pdlint.rules.lint import lint_paths
from pdlint.rules.registry import rules_for

CONSISTENT = """\
schedules:
  - name: Primary
    coverage: 24x7
escalation_policies:
  - name: Main
    services: [Web]
    levels:
      - targets: [{schedule: Primary}]
      - engaged_after: 10m
        targets: [{user: lead@example.com}]
services:
  - name: Web
"""

SEVERITY = """\
  - id: {id}
    name: {id}
    response_sla: {sla}
    urgency: {urgency}
    channels: {channels}
    business_hours_only: {business_hours_only}
"""


def severities(*rows: dict[str, str]) -> str:
    """A severities section, 6 lines per row (row n starts at line 2 + 6 * (n - 1))."""
    defaults = {"sla": "5m", "urgency": "low", "channels": "[email]",
                "business_hours_only": "false"}
    return "severities:\n" + "".join(SEVERITY.format(**{**defaults, **row}) for row in rows)


NO_SEVERITIES = ("organisation", "postmortems")

EXERCISE = """\
exercises:
  - date: {day}
    scenario: Database failover
    participants: [a@example.com]
"""

CASES: list[tuple[str, str | dict[str, str], tuple[str, ...], list[tuple[str, str, int]]]] = [
    ("the base with a consistent escalation policy is clean", CONSISTENT, ALL_BASES, []),
    ("POL004 service defined twice, reported at both places",
     CONSISTENT + "  - name: Web\n", ALL_BASES,
     [("POL004", "case.yaml", 12), ("POL004", "case.yaml", 13)]),
    ("POL004 organisation written in two files",
     "organisation:\n  name: Again\n  time_zone: UTC\n  business_hours:\n"
     "    days: [monday]\n    start: '09:00'\n    end: '17:00'\n", ALL_BASES,
     [("POL004", "case.yaml", 1), ("POL004", "organisation.yaml", 1)]),
    ("POL004 pinned id used twice",
     "teams:\n  - name: A\n    id: PABCDEF\n  - name: B\n    id: PABCDEF\n"
     "schedules:\n  - name: S\n    team: A\n  - name: T\n    team: B\n"
     "escalation_policies:\n  - name: E\n    services: [W]\n"
     "    levels: [{targets: [{schedule: S}, {schedule: T}]}]\n"
     "services:\n  - name: W\n", ALL_BASES,
     [("POL004", "case.yaml", 3), ("POL004", "case.yaml", 5)]),
    ("POL010 equal SLAs", severities({"id": "A", "sla": "15m"}, {"id": "B", "sla": "15m"}),
     NO_SEVERITIES, [("POL010", "case.yaml", 10)]),
    ("POL010 next_business_day before a fixed SLA",
     severities({"id": "A", "sla": "next_business_day"}, {"id": "B", "sla": "7d"}),
     NO_SEVERITIES, [("POL010", "case.yaml", 10)]),
    ("POL010 longer SLAs for less severe incidents are fine",
     severities({"id": "A", "sla": "1h"}, {"id": "B", "sla": "1h1m"},
                {"id": "C", "sla": "next_business_day"}), NO_SEVERITIES, []),
    ("POL011 high urgency by push and email only",
     severities({"id": "A", "urgency": "high", "channels": "[push, email]"})
     + "    postmortem_within: 1d\n", NO_SEVERITIES, [("POL011", "case.yaml", 6)]),
    ("POL011 high urgency by SMS is enough",
     severities({"id": "A", "urgency": "high", "channels": "[sms]"})
     + "    postmortem_within: 1d\n", NO_SEVERITIES, []),
    ("POL012 business-hours-only but high urgency",
     severities({"id": "A", "urgency": "high", "channels": "[phone]",
                 "business_hours_only": "true"}) + "    postmortem_within: 1d\n",
     NO_SEVERITIES, [("POL012", "case.yaml", 5)]),
    ("POL013 high urgency without a postmortem deadline",
     severities({"id": "A", "urgency": "high", "channels": "[phone]"}), NO_SEVERITIES,
     [("POL013", "case.yaml", 2)]),
    ("POL013 a low severity with a postmortem deadline is fine",
     severities({"id": "A"}) + "    postmortem_within: 7d\n", NO_SEVERITIES, []),
    ("POL014 postmortem deadlines but no postmortems section", "", ("organisation", "severities"),
     [("POL014", "severities.yaml", 8)]),
    ("POL014 the postmortem register file does not exist",
     "postmortems:\n  recorded_as: register\n  register: postmortems.csv\n",
     ("organisation", "severities"), [("POL014", "case.yaml", 3)]),
    ("POL015 two severities map to one PagerDuty priority",
     severities({"id": "A"}, {"id": "B", "sla": "1h"})
     + "    pagerduty_priority: P1\n"
     + "  - id: C\n    name: C\n    response_sla: 2h\n    urgency: low\n    channels: [email]\n"
       "    business_hours_only: false\n    pagerduty_priority: P1\n",
     NO_SEVERITIES, [("POL015", "case.yaml", 21)]),
    ("POL020 level 1 engaged later than the trigger",
     CONSISTENT.replace("      - targets: [{schedule: Primary}]",
                        "      - engaged_after: 5m\n        targets: [{schedule: Primary}]"),
     ALL_BASES, [("POL020", "case.yaml", 8)]),
    ("POL020 level times that do not increase",
     CONSISTENT.replace("engaged_after: 10m", "engaged_after: 0m"), ALL_BASES,
     [("POL020", "case.yaml", 9)]),
    ("POL020 acknowledge_within longer than the wait for level 2",
     CONSISTENT.replace("      - targets: [{schedule: Primary}]",
                        "      - targets: [{schedule: Primary}]\n        acknowledge_within: 15m"),
     ALL_BASES, [("POL020", "case.yaml", 9)]),
    ("POL020 repeat_after before the last level",
     CONSISTENT.replace("services:\n  - name: Web",
                        "    repeat_after: 10m\nservices:\n  - name: Web"),
     ALL_BASES, [("POL020", "case.yaml", 11)]),
    ("POL020 loops without repeat_after, and repeat_after with loops 0",
     {"case.yaml": CONSISTENT.replace("    services: [Web]", "    services: [Web]\n    loops: 2"),
      "more.yaml": "escalation_policies:\n  - name: Other\n    loops: 0\n    repeat_after: 30m\n"
                   "    levels:\n      - targets: [{schedule: Primary}]\n    services: [Api]\n"
                   "services:\n  - name: Api\n"},
     ALL_BASES, [("POL020", "case.yaml", 7), ("POL020", "more.yaml", 3)]),
    ("POL020 well-ordered levels with acknowledgement and repeat",
     CONSISTENT.replace("      - targets: [{schedule: Primary}]",
                        "      - targets: [{schedule: Primary}]\n        acknowledge_within: 10m")
     .replace("    services: [Web]", "    services: [Web]\n    loops: 1\n    repeat_after: 20m"),
     ALL_BASES, []),
    ("POL021 escalation policy shorter than the tier requires",
     CONSISTENT.replace("  - name: Web", "  - name: Web\n    tier: gold")
     + "tiers:\n  gold:\n    min_escalation_levels: 3\n", ALL_BASES,
     [("POL021", "case.yaml", 5)]),
    ("POL021 a service may lower its tier's requirement",
     CONSISTENT.replace("  - name: Web",
                        "  - name: Web\n    tier: gold\n    min_escalation_levels: 2")
     + "tiers:\n  gold:\n    min_escalation_levels: 3\n", ALL_BASES, []),
    ("POL022 misspelt schedule, service, tier and escalation policy",
     CONSISTENT.replace("{schedule: Primary}", "{schedule: Primry}")
     .replace("    services: [Web]", "    services: [Web, Mobile]")
     .replace("  - name: Web", "  - name: Web\n    tier: gold")
     + "  - name: Api\n    escalation_policy: Mian\n",
     ALL_BASES,
     [("POL022", "case.yaml", 6), ("POL022", "case.yaml", 8), ("POL022", "case.yaml", 13),
      ("POL022", "case.yaml", 15), ("POL023", "case.yaml", 2)]),
    ("POL022 team not among the listed teams",
     CONSISTENT.replace("  - name: Web", "  - name: Web\n    team: Platfrom")
     + "teams:\n  - name: Platform\n", ALL_BASES,
     [("POL022", "case.yaml", 13), ("POL023", "case.yaml", 15)]),
    ("POL022 teams are not checked when the policy lists none",
     CONSISTENT.replace("  - name: Web", "  - name: Web\n    team: Anything"), ALL_BASES, []),
    ("POL022 waivers naming an unknown rule and a lint rule",
     CONSISTENT + "waivers:\n"
     "  - rule: XYZ999\n    resource: {type: service, name: Web}\n    reason: r\n"
     "    owner: a@example.com\n    expires: 2030-01-01\n"
     "  - rule: POL010\n    resource: {type: service, name: Web}\n    reason: r\n"
     "    owner: a@example.com\n    expires: 2030-01-01\n", ALL_BASES,
     [("POL022", "case.yaml", 14), ("POL022", "case.yaml", 19)]),
    ("POL023 unused schedule, tier, team and escalation policy; uncovered service",
     {"case.yaml": CONSISTENT + "  - name: Lonely\n",
      "more.yaml": "schedules:\n  - name: Spare\ntiers:\n  silver: {}\nteams:\n  - name: Idle\n"
                   "escalation_policies:\n  - name: Nobody\n"
                   "    levels: [{targets: [{schedule: Primary}]}]\n"},
     ALL_BASES,
     [("POL023", "case.yaml", 13), ("POL023", "more.yaml", 2), ("POL023", "more.yaml", 4),
      ("POL023", "more.yaml", 6), ("POL023", "more.yaml", 8)]),
    ("POL024 a service listed by two escalation policies",
     {"case.yaml": CONSISTENT,
      "more.yaml": "escalation_policies:\n  - name: Second\n    services: [Web]\n"
                   "    levels: [{targets: [{schedule: Primary}]}]\n"},
     ALL_BASES, [("POL024", "more.yaml", 3)]),
    ("POL024 a service naming one policy while another lists it",
     {"case.yaml": CONSISTENT.replace("    services: [Web]\n", "    services: [Web, Api]\n")
      + "  - name: Api\n    escalation_policy: Second\n",
      "more.yaml": "escalation_policies:\n  - name: Second\n"
                   "    levels: [{targets: [{schedule: Primary}]}]\n"},
     ALL_BASES, [("POL024", "case.yaml", 6)]),
    ("POL025 support_hours urgency without support hours (inherited from the tier)",
     CONSISTENT.replace("  - name: Web", "  - name: Web\n    tier: internal")
     + "tiers:\n  internal:\n    urgency: support_hours\n", ALL_BASES,
     [("POL025", "case.yaml", 16)]),
    ("POL025 support hours from the tier are enough",
     CONSISTENT.replace("  - name: Web", "  - name: Web\n    tier: internal")
     + "tiers:\n  internal:\n    urgency: support_hours\n    support_hours:\n"
       "      days: [monday]\n      start: '08:00'\n      end: '18:00'\n", ALL_BASES, []),
    ("POL026 support hours that end before they start",
     CONSISTENT + "    urgency: support_hours\n    support_hours:\n      days: [monday]\n"
     "      start: '18:00'\n      end: '08:00'\n", ALL_BASES, [("POL026", "case.yaml", 17)]),
    ("POL027 a high-urgency service whose first level is business hours only",
     CONSISTENT.replace("coverage: 24x7", "coverage: business_hours")
     .replace("  - name: Web", "  - name: Web\n    urgency: high"), ALL_BASES,
     [("POL027", "case.yaml", 8)]),
    ("POL030 unknown time zones in a schedule and support hours",
     CONSISTENT.replace("    coverage: 24x7",
                        "    coverage: 24x7\n    time_zone: Eastern Time (US & Canada)")
     + "    support_hours:\n      time_zone: Europe/Londn\n      days: [monday]\n"
       "      start: '09:00'\n      end: '17:00'\n", ALL_BASES,
     [("POL030", "case.yaml", 4), ("POL030", "case.yaml", 15)]),
    ("POL040 the only exercise is older than 12 months",
     EXERCISE.format(day="2001-01-01"), ALL_BASES, [("POL040", "case.yaml", 2)]),
    ("POL040 an exercise held within exercise_every", "exercise_every: 6mo\n"
     + EXERCISE.format(day=date.today().isoformat()), ALL_BASES, []),
    ("POL040 exercise_every written, no exercise documented", "exercise_every: 6mo\n",
     ALL_BASES, [("POL040", "case.yaml", 1)]),
    ("POL040 an exercise dated after today, and none held",
     EXERCISE.format(day="2999-01-01"), ALL_BASES,
     [("POL040", "case.yaml", 2), ("POL040", "case.yaml", 2)]),
    ("POL041 malformed rows of the corrective action register, at their lines",
     {"case.yaml": "corrective_actions:\n  register: actions/register.csv\n",
      "actions/register.csv": "incident,action,owner,due,closed_at\n"
                              "#42,Fix the check,a@example.com,2026-01-01,\n"
                              ",No incident,a@example.com,2026-01-01,\n"
                              "43,Bad due,a@example.com,soon,\n"
                              "44,Bad closed,a@example.com,2026-01-01,yesterday\n"
                              "45,Closed at a time,a@example.com,2026-01-01,2026-01-02T10:00Z\n"},
     ALL_BASES, [("POL041", "register.csv", 3), ("POL041", "register.csv", 4),
                 ("POL041", "register.csv", 5)]),
    ("POL041 a register without the closed_at column",
     {"case.yaml": "corrective_actions:\n  register: register.csv\n",
      "register.csv": "incident,action,owner,due\n42,Fix,a@example.com,2026-01-01\n"},
     ALL_BASES, [("POL041", "register.csv", 1)]),
    ("POL041 a register that does not exist",
     "corrective_actions:\n  register: missing.csv\n", ALL_BASES,
     [("POL041", "missing.csv", 1)]),
]


@pytest.mark.parametrize(("case", "bases", "expected"),
                         [pytest.param(case, bases, expected, id=name)
                          for name, case, bases, expected in CASES])
def test_rule_findings(tmp_path: Path, case: str | dict[str, str], bases: tuple[str, ...],
                       expected: list[tuple[str, str, int]]) -> None:
    report = lint_paths([write_policy(tmp_path / "policy", case, bases)])
    assert places(report.findings) == sorted(expected), [str(f.message) for f in report.findings]


def test_every_lint_rule_has_a_failing_case() -> None:
    from test_policy_load import YAML_CASES
    from test_policy_schema import SCHEMA_CASES

    triggered = {rule for _, _, _, expected in CASES for rule, _, _ in expected}
    triggered |= {rule for _, _, rule, *_ in YAML_CASES}
    triggered |= {"POL003"} if SCHEMA_CASES else set()
    assert {lint_rule.id for lint_rule in rules_for(Mode.LINT)} <= triggered


@pytest.mark.parametrize(("case", "fragment"), [
    ("POL022 misspelt", "schedule 'Primry' is not defined in the policy; did you mean 'Primary'?"),
    ("POL030 unknown", "'Europe/Londn' is not an IANA time zone; did you mean 'Europe/London'?"),
    ("POL010 equal", "response_sla of B (15m) must be longer than that of the more severe A (15m"),
    ("POL021 escalation", "has 2 levels, fewer than the 3 required"),
    ("POL020 acknowledge",
     "level 1 must acknowledge within 15m, but level 2 is engaged only 10m later"),
    ("POL004 service", "service 'Web' is defined more than once (also at"),
    ("POL040 the only", "no tabletop exercise since "),
    ("POL040 an exercise dated", "is dated 2999-01-01, after today"),
    ("POL041 malformed", "due 'soon' is not a date like 2026-03-31"),
    ("POL041 a register without", "missing: closed_at"),
])
def test_messages_explain_the_problem(tmp_path: Path, case: str, fragment: str) -> None:
    name, text, bases, _ = next(entry for entry in CASES if entry[0].startswith(case))
    report = lint_paths([write_policy(tmp_path / "policy", text, bases)])
    assert any(fragment in finding.message for finding in report.findings), name


def test_findings_name_the_documented_object(tmp_path: Path) -> None:
    _, text, bases, _ = next(entry for entry in CASES if entry[0].startswith("POL021"))
    (finding,) = lint_paths([write_policy(tmp_path / "policy", text, bases)]).findings
    assert (finding.resource.type, finding.resource.name) == ("escalation_policy", "Main")
    assert (finding.expected, finding.actual) == (3, 2)
