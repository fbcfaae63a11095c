"""EP rules on small policies against live escalation policies shaped as the API lists them.

Each case runs one rule and asserts its exact findings: (rule, resource name, expected, actual,
line of case.yaml).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from rule_cases import (
    Json,
    context_of,
    escalation_policy,
    escalation_rule,
    findings_of,
    live_state,
    ref,
    rule_messages,
    run_rule,
    schedule,
    user,
)

from pdlint.findings import Severity
from pdlint.pagerduty.state import LiveState
from pdlint.policy.model import Policy
from pdlint.rules.escalation import (
    check_escalation_delay,
    check_level_count,
    check_level_targets,
    check_loops_and_handoff,
    check_missing,
    check_single_responder,
    check_undocumented,
)

NAME = "Production Platform"

DOCUMENTED = """\
schedules:
  - name: Primary
    id: PC00001
  - name: Secondary
escalation_policies:
  - name: Production Platform
    loops: 1
    handoff_notifications: always
    levels:
      - targets: [{schedule: Primary}]
      - engaged_after: 10m
        targets: [{schedule: Secondary}, {user: lead@example.com}]
      - engaged_after: 30m
        targets: [{user: cto@example.com}, {user: vp@example.com}]
    repeat_after: 45m
"""
"""Levels at 0, 10 and 30 minutes, repeating at 45: rule delays 10, 20 and 15."""

UNSTATED = """\
schedules:
  - name: Primary
  - name: Secondary
escalation_policies:
  - name: Production Platform
    levels:
      - targets: [{schedule: Primary}]
      - engaged_after: 10m
        targets: [{schedule: Secondary}, {user: lead@example.com}]
      - engaged_after: 30m
        targets: [{user: cto@example.com}, {user: vp@example.com}]
"""
"""The same levels, without loops, hand-off notifications or repeat_after."""

PINNED = """\
escalation_policies:
  - name: Production Platform
    id: PE00009
    levels:
      - targets: [{user: cto@example.com}, {user: vp@example.com}]
"""

PRIMARY = ref("schedule", "PC00001", "Primary")
SECONDARY = ref("schedule", "PC00002", "Secondary")
LEAD = ref("user", "PU00001", "Lee Lead")
CTO = ref("user", "PU00002", "Cam CTO")
VP = ref("user", "PU00003", "Val VP")
OTHER = ref("user", "PU00004", "Oli Other")

USERS = [user("PU00001", "Lee Lead", "lead@example.com"),
         user("PU00002", "Cam CTO", "cto@example.com"),
         user("PU00003", "Val VP", "vp@example.com"),
         user("PU00004", "Oli Other", "other@example.com")]
SCHEDULES = [schedule("PC00001", "Primary"), schedule("PC00002", "Secondary")]


def rules(first: int = 10, second: int = 20, third: int = 15) -> list[Json]:
    """The live rules as documented, with the delays given."""
    return [escalation_rule(first, PRIMARY), escalation_rule(second, SECONDARY, LEAD),
            escalation_rule(third, CTO, VP)]


def platform(escalation_rules: Sequence[Json] | None = None, *, name: str = NAME,
             policy_id: str = "PE00001", num_loops: int | None = 1,
             handoff: str | None = "always") -> Json:
    return escalation_policy(policy_id, name, rules() if escalation_rules is None
                             else escalation_rules, num_loops=num_loops, handoff=handoff)


def state_of(*policies: Json, users: Sequence[Json] = USERS,
             schedules: Sequence[Json] = SCHEDULES, skipped: Sequence[str] = ()) -> LiveState:
    return live_state(escalation_policies=policies, users=users, schedules=schedules,
                      skipped=skipped)


# -- EP100 missing ---------------------------------------------------------------------------

@pytest.mark.parametrize(("fragment", "state", "expected"), [
    pytest.param(DOCUMENTED, state_of(platform()), [], id="present"),
    pytest.param(DOCUMENTED, state_of(), [("EP100", NAME, NAME, None, 6)], id="missing"),
    pytest.param(DOCUMENTED, state_of(platform(name="Production - Platform")),
                 [("EP100", NAME, NAME, "Production - Platform", 6)], id="renamed"),
    pytest.param(PINNED, state_of(platform(name="Platform", policy_id="PE00009")),
                 [("EP100", NAME, NAME, "Platform", 2)], id="pinned-id-renamed"),
    pytest.param(DOCUMENTED, state_of(platform(name="Security")),
                 [("EP100", NAME, NAME, None, 6)], id="unrelated-name-is-missing"),
    pytest.param(DOCUMENTED, state_of(skipped=["escalation_policies"]), [],
                 id="not-read-is-not-missing"),
])
def test_missing(make_policy: Callable[[str], Policy], fragment: str, state: LiveState,
                 expected: list[tuple[Any, ...]]) -> None:
    assert run_rule(check_missing, make_policy(fragment), state) == expected


def test_rename_is_one_finding_with_both_names(make_policy: Callable[[str], Policy]) -> None:
    policy = make_policy(DOCUMENTED)
    state = state_of(platform(name="Production - Platform"))
    [finding] = check_missing.check(context_of(policy, state))  # type: ignore[misc]
    assert finding.message == (f"renamed: documented '{NAME}' ({finding.location.path}:6), "
                               "live 'Production - Platform'")
    assert finding.resource.id == "PE00001"
    assert run_rule(check_undocumented, policy, state) == []


# -- EP101 undocumented ----------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(platform()), [], id="documented"),
    pytest.param(state_of(platform(), platform(name="Legacy", policy_id="PE00002")),
                 [("EP101", "Legacy", None, "Legacy", None)], id="undocumented"),
    pytest.param(state_of(skipped=["escalation_policies"]), [], id="not-read"),
])
def test_undocumented(make_policy: Callable[[str], Policy], state: LiveState,
                      expected: list[tuple[Any, ...]]) -> None:
    policy = make_policy(DOCUMENTED)
    assert run_rule(check_undocumented, policy, state) == expected


# -- EP102 level-count -----------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(platform()), [], id="three-levels"),
    pytest.param(state_of(platform(rules()[:2])), [("EP102", NAME, 3, 2, 6)], id="one-fewer"),
    pytest.param(state_of(platform([*rules(), escalation_rule(5, OTHER)])),
                 [("EP102", NAME, 3, 4, 6)], id="one-more"),
])
def test_level_count(make_policy: Callable[[str], Policy], state: LiveState,
                     expected: list[tuple[Any, ...]]) -> None:
    assert run_rule(check_level_count, make_policy(DOCUMENTED), state) == expected


def test_level_by_level_rules_wait_for_the_counts_to_agree(
        make_policy: Callable[[str], Policy]) -> None:
    """With a level added or removed, delays and targets cannot be paired level by level."""
    policy = make_policy(DOCUMENTED)
    state = state_of(platform([escalation_rule(99, OTHER), escalation_rule(1, OTHER)]))
    assert run_rule(check_escalation_delay, policy, state) == []
    assert run_rule(check_level_targets, policy, state) == []


# -- EP103 escalation-delay ------------------------------------------------------------------

@pytest.mark.parametrize(("fragment", "state", "expected", "message"), [
    pytest.param(DOCUMENTED, state_of(platform()), [], None, id="as-documented"),
    pytest.param(DOCUMENTED, state_of(platform(rules(second=30))),
                 [("EP103", NAME, 20, 30, 13)],
                 "level 3 engaged after 40 min, documented 30 min: rule 2 delay is 30, "
                 "expected 20", id="middle-rule"),
    pytest.param(DOCUMENTED, state_of(platform(rules(first=5))),
                 [("EP103", NAME, 10, 5, 11)],
                 "level 2 engaged after 5 min, documented 10 min: rule 1 delay is 5, "
                 "expected 10", id="first-rule-shorter"),
    pytest.param(DOCUMENTED, state_of(platform(rules(third=20))),
                 [("EP103", NAME, 15, 20, 15)],
                 "repeats after 50 min, documented 45 min: rule 3 delay is 20, expected 15",
                 id="last-rule-is-the-repeat"),
    pytest.param(UNSTATED, state_of(platform(rules(third=60))), [], None,
                 id="repeat-not-documented"),
    pytest.param(DOCUMENTED, state_of(skipped=["escalation_policies"]), [], None,
                 id="not-read"),
])
def test_escalation_delay(make_policy: Callable[[str], Policy], fragment: str,
                          state: LiveState, expected: list[tuple[Any, ...]],
                          message: str | None) -> None:
    policy = make_policy(fragment)
    assert run_rule(check_escalation_delay, policy, state) == expected
    assert rule_messages(check_escalation_delay, policy, state) == ([message] if message else [])


def without_delay(live_rule: Json, *, null: bool) -> Json:
    """The rule as PagerDuty returned it without its delay: the key absent, or null."""
    if null:
        return {**live_rule, "escalation_delay_in_minutes": None}
    return {key: value for key, value in live_rule.items()
            if key != "escalation_delay_in_minutes"}


@pytest.mark.parametrize("null", [pytest.param(False, id="absent"), pytest.param(True, id="null")])
def test_a_delay_not_returned_is_not_checked_and_later_rules_still_are(
        make_policy: Callable[[str], Policy], null: bool) -> None:
    """The spec requires each rule's delay, a whole number: one not returned is not "on time";
    a later rule is still compared, without the moment it is engaged, which that delay
    decides."""
    first, second, third = rules(third=20)
    state = state_of(platform([without_delay(first, null=null), second, third]))
    findings = findings_of(check_escalation_delay, make_policy(DOCUMENTED), state)
    assert [(finding.not_checked, finding.expected, finding.actual) for finding in findings] == [
        (f"PagerDuty returned level 1 of escalation policy '{NAME}' without its "
         "escalation_delay_in_minutes", 10, None), (None, 15, 20)]
    assert [finding.message for finding in findings] == [
        "rule 1 delay not checked: PagerDuty returned the rule without its "
        "escalation_delay_in_minutes",
        "repeats after a time not known (a rule's delay was not returned), documented 45 min: "
        "rule 3 delay is 20, expected 15"]


def test_each_wrong_rule_is_its_own_finding(make_policy: Callable[[str], Policy]) -> None:
    """Cumulative times after a wrong rule shift too, but only the wrong rules are reported."""
    state = state_of(platform(rules(first=20, second=20, third=10)))
    assert run_rule(check_escalation_delay, make_policy(DOCUMENTED), state) == [
        ("EP103", NAME, 10, 20, 11), ("EP103", NAME, 15, 10, 15)]


# -- EP104 level-targets ---------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected", "message"), [
    pytest.param(state_of(platform()), [], None, id="as-documented"),
    pytest.param(state_of(platform([rules()[0], escalation_rule(20, LEAD, SECONDARY),
                                    rules()[2]])), [], None, id="order-does-not-matter"),
    pytest.param(state_of(platform([rules()[0], escalation_rule(20, SECONDARY, OTHER),
                                    rules()[2]])),
                 [("EP104", NAME, ["schedule Secondary", "user lead@example.com"],
                   ["schedule Secondary", "user other@example.com"], 11)],
                 "level 2 is not paging user 'lead@example.com' and also paging user "
                 "'other@example.com'", id="other-user"),
    pytest.param(state_of(platform([escalation_rule(10, SECONDARY), *rules()[1:]])),
                 [("EP104", NAME, ["schedule Primary"], ["schedule Secondary"], 10)],
                 "level 1 is not paging schedule 'Primary' and also paging schedule "
                 "'Secondary'", id="other-schedule"),
    pytest.param(state_of(platform([*rules()[:2], escalation_rule(15, CTO)])),
                 [("EP104", NAME, ["user cto@example.com", "user vp@example.com"],
                   ["user cto@example.com"], 13)],
                 "level 3 is not paging user 'vp@example.com'", id="target-removed"),
    pytest.param(state_of(platform(), users=[
        user("PU00001", "Lee Lead", "Lead@Example.com"), *USERS[1:]]), [], None,
        id="emails-compare-without-case"),
    pytest.param(state_of(platform(), schedules=[
        schedule("PC00001", "Primary (renamed)"), SCHEDULES[1]]), [], None,
        id="pinned-schedule-renamed"),
    pytest.param(state_of(platform(), skipped=["schedules"]), [], None,
                 id="schedules-not-read-named-by-reference"),
    pytest.param(state_of(platform([escalation_rule(10, {**PRIMARY, "type":
                                                         "schedule_v3_reference"}),
                                    *rules()[1:]]), schedules=SCHEDULES[1:]), [], None,
                 id="shift-based-schedule"),
    pytest.param(state_of(platform([escalation_rule(10, SECONDARY), *rules()[1:]]),
                          skipped=["users"]), [], None, id="users-not-read-not-compared"),
])
def test_level_targets(make_policy: Callable[[str], Policy], state: LiveState,
                       expected: list[tuple[Any, ...]], message: str | None) -> None:
    policy = make_policy(DOCUMENTED)
    assert run_rule(check_level_targets, policy, state) == expected
    assert rule_messages(check_level_targets, policy, state) == ([message] if message else [])


BY_ID = DOCUMENTED.replace("{user: vp@example.com}", "{user_id: PU00009}")
"""Level 3 pages a user the key cannot list, written by id."""
HIDDEN = ref("user", "PU00009", "Hidden Person")


@pytest.mark.parametrize(("fragment", "third", "expected"), [
    pytest.param(DOCUMENTED, [CTO, HIDDEN],
                 [("EP104", NAME, ["user cto@example.com", "user vp@example.com"],
                   ["user PU00009 (not in the user list this token reads)",
                    "user cto@example.com"], 13)], id="unlisted-user-named-by-id"),
    pytest.param(BY_ID, [CTO, HIDDEN], [], id="documented-by-id"),
    pytest.param(BY_ID, [HIDDEN, CTO], [], id="documented-by-id-any-order"),
    pytest.param(BY_ID, [CTO, {**VP, "id": "PU00009"}], [],
                 id="documented-by-id-now-listed"),
    pytest.param(BY_ID, [CTO],
                 [("EP104", NAME, ["user PU00009 (not in the user list this token reads)",
                                   "user cto@example.com"], ["user cto@example.com"], 13)],
                 id="documented-by-id-gone"),
])
def test_a_user_the_key_cannot_list_is_named_not_dropped(
        make_policy: Callable[[str], Policy], fragment: str, third: list[Json],
        expected: list[tuple[Any, ...]]) -> None:
    """Restricted-access and team-scoped keys see escalation targets they cannot list: such a
    user is named by id, and the policy can name them so (``user_id``)."""
    listed = USERS if third[-1].get("summary") != "Val VP" else [
        *USERS[:2], user("PU00009", "Val VP", "vp@example.com")]
    state = state_of(platform([*rules()[:2], escalation_rule(15, *third)]), users=listed)
    assert run_rule(check_level_targets, make_policy(fragment), state) == expected


BY_SCHEDULE_ID = DOCUMENTED.replace("{schedule: Secondary}", "{schedule_id: PC00009}")
"""Level 2 pages a schedule the key cannot list, written by id."""
UNLISTED = ref("schedule", "PC00009", "Hidden Rota")


@pytest.mark.parametrize(("fragment", "second", "schedules", "expected"), [
    pytest.param(DOCUMENTED, [UNLISTED, LEAD], SCHEDULES,
                 [("EP104", NAME, ["schedule Secondary", "user lead@example.com"],
                   ["schedule Hidden Rota", "user lead@example.com"], 11)],
                 id="unlisted-schedule-named-by-its-reference"),
    pytest.param(BY_SCHEDULE_ID, [UNLISTED, LEAD], SCHEDULES, [], id="documented-by-id"),
    pytest.param(BY_SCHEDULE_ID, [LEAD, UNLISTED], SCHEDULES, [],
                 id="documented-by-id-any-order"),
    pytest.param(BY_SCHEDULE_ID, [UNLISTED, LEAD],
                 [*SCHEDULES, schedule("PC00009", "Hidden Rota")], [],
                 id="documented-by-id-now-listed"),
    pytest.param(BY_SCHEDULE_ID, [SECONDARY, LEAD], SCHEDULES,
                 [("EP104", NAME, ["schedule PC00009", "user lead@example.com"],
                   ["schedule Secondary", "user lead@example.com"], 11)],
                 id="documented-by-id-replaced"),
])
def test_a_schedule_the_key_cannot_list_is_matched_by_id(
        make_policy: Callable[[str], Policy], fragment: str, second: list[Json],
        schedules: list[Json], expected: list[tuple[Any, ...]]) -> None:
    """A schedule the lists do not hold is named by its reference, and the policy can name it
    by id (``schedule_id``), as ``pdlint init`` writes it."""
    state = state_of(platform([rules()[0], escalation_rule(20, *second), rules()[2]]),
                     schedules=schedules)
    assert run_rule(check_level_targets, make_policy(fragment), state) == expected


# -- EP105 loops-and-handoff -----------------------------------------------------------------

@pytest.mark.parametrize(("fragment", "state", "expected"), [
    pytest.param(DOCUMENTED, state_of(platform()), [], id="as-documented"),
    pytest.param(DOCUMENTED, state_of(platform(num_loops=0)), [("EP105", NAME, 1, 0, 7)],
                 id="loops"),
    pytest.param(DOCUMENTED, state_of(platform(handoff="if_has_services")),
                 [("EP105", NAME, "always", "if_has_services", 8)], id="handoff"),
    pytest.param(DOCUMENTED, state_of(platform(num_loops=3, handoff="if_has_services")),
                 [("EP105", NAME, "always", "if_has_services", 8), ("EP105", NAME, 1, 3, 7)],
                 id="both"),
    pytest.param(UNSTATED, state_of(platform(num_loops=3, handoff="if_has_services")), [],
                 id="not-documented-not-compared"),
    pytest.param(DOCUMENTED, state_of(platform(num_loops=None)), [("EP105", NAME, 1, None, 7)],
                 id="loops-not-returned"),
    pytest.param(DOCUMENTED, state_of(platform(handoff=None)),
                 [("EP105", NAME, "always", None, 8)], id="handoff-not-returned"),
    pytest.param(UNSTATED, state_of(platform(num_loops=None, handoff=None)), [],
                 id="not-returned-not-documented"),
])
def test_loops_and_handoff(make_policy: Callable[[str], Policy], fragment: str,
                           state: LiveState, expected: list[tuple[Any, ...]]) -> None:
    assert run_rule(check_loops_and_handoff, make_policy(fragment), state) == expected


@pytest.mark.parametrize(("live", "field", "what"), [
    pytest.param(platform(num_loops=None), "num_loops", "repeats", id="loops"),
    pytest.param(platform(handoff=None), "on_call_handoff_notifications",
                 "on-call hand-off notifications", id="handoff"),
])
def test_loops_or_handoff_not_returned_are_not_checked(
        make_policy: Callable[[str], Policy], live: Json, field: str, what: str) -> None:
    """The spec requires neither field: one PagerDuty left out is not read, never its default
    for a new policy (no repeat, ``if_has_services``), so it is not checked, never passed."""
    [finding] = findings_of(check_loops_and_handoff, make_policy(DOCUMENTED), state_of(live))
    assert (finding.severity, finding.message, finding.not_checked) == (
        Severity.WARNING, f"{what} not checked: PagerDuty returned the policy without its {field}",
        f"PagerDuty returned escalation policy '{NAME}' without its {field}")


# -- EP106 single-responder ------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_of(platform()), [], id="schedules-and-pairs"),
    pytest.param(state_of(platform([*rules()[:2], escalation_rule(15, CTO)])),
                 [("EP106", NAME, "a schedule or several people", ["user Cam CTO"], 13)],
                 id="one-person"),
    pytest.param(state_of(platform([escalation_rule(10, PRIMARY), escalation_rule(20, CTO)])),
                 [("EP106", NAME, "a schedule or several people", ["user Cam CTO"], 6)],
                 id="counts-differ-reported-at-the-policy"),
    pytest.param(state_of(platform([escalation_rule(10, PRIMARY), *rules()[1:]])), [],
                 id="one-schedule-is-fine"),
])
def test_single_responder(make_policy: Callable[[str], Policy], state: LiveState,
                          expected: list[tuple[Any, ...]]) -> None:
    assert run_rule(check_single_responder, make_policy(DOCUMENTED), state) == expected


def test_single_responder_names_the_person(make_policy: Callable[[str], Policy]) -> None:
    state = state_of(platform([*rules()[:2], escalation_rule(15, CTO)]))
    assert rule_messages(check_single_responder, make_policy(DOCUMENTED), state) == [
        "level 3 pages only one person (Cam CTO) and no schedule"]


@pytest.mark.parametrize(("fragment", "message"), [
    pytest.param(DOCUMENTED, f"documented, but PagerDuty has no escalation policy named '{NAME}'",
                 id="by-name"),
    pytest.param(PINNED, f"documented, but PagerDuty has no escalation policy named '{NAME}' or "
                 "id PE00009", id="pinned"),
])
def test_missing_message(make_policy: Callable[[str], Policy], fragment: str,
                         message: str) -> None:
    assert rule_messages(check_missing, make_policy(fragment), state_of()) == [message]
