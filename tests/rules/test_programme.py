"""PRG800–PRG802 on small policies against live objects shaped as PagerDuty lists them, and on the
demo account (TODAY is Monday 2026-03-02).

Main pages the Rota schedule (Ann on call in the window, Bob in the layer only) and then Lee
directly; the documented schedule Spare has Cat on call and is paged by no documented policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rule_cases import (
    EXAMPLE_POLICY,
    TODAY,
    WINDOW,
    Json,
    context_of,
    entry,
    escalation_policy,
    escalation_rule,
    live_state,
    ref,
    rule_messages,
    run_rule,
    schedule,
    schedule_layer,
    user,
)

from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState
from pdlint.policy import load_policy
from pdlint.policy.model import Policy
from pdlint.rules.engine import drift
from pdlint.rules.programme import (
    check_overdue_corrective_action,
    check_unknown_exercise_participant,
    check_untrained_on_call,
)

ANN, BOB, CAT, LEE, DEE = (ref("user", f"PU0000{number}", name) for number, name in enumerate(
    ("Ann Archer", "Bob Baker", "Cat Cole", "Lee Lead", "Dee Dove"), start=1))

CONFIGURATION = """\
escalation_policies:
  - name: Main
    levels:
      - targets: [{schedule: Rota}]
      - engaged_after: 10m
        targets: [{user: lee@ex.com}]
schedules:
  - name: Rota
  - name: Spare
"""

TRAINING = """\
training:
  valid_for: 365d
  records:
    - {person: ann@ex.com, completed: 2025-03-02, course: Responder basics}
    - {person: Cat@Ex.com, completed: 2026-01-10, course: Responder basics}
    - {person: lee@ex.com, completed: 2025-03-01, course: Incident command}
"""
"""At line 10, after the configuration. Ann's record is valid through
2026-03-02, today (2025-03-02 + 365 days): trained. Lee's ran out yesterday. Cat's email is
written in another case. Bob is in Rota's layer but not on call in the window; Dee is no target."""


def state_of(*, skipped: tuple[str, ...] = ()) -> LiveState:
    rota = schedule("PC00001", "Rota", layers=[schedule_layer("PL00001", [ANN, BOB],
                                                              start=WINDOW.since)],
                    final_entries=[entry(WINDOW.since, WINDOW.since + timedelta(days=7), ANN)])
    spare = schedule("PC00002", "Spare",
                     final_entries=[entry(WINDOW.since - timedelta(days=7), WINDOW.since, BOB),
                                    entry(WINDOW.since, WINDOW.until, CAT)])
    people = [user(who["id"], who["summary"], f"{who['summary'].split()[0].lower()}@ex.com")
              for who in (ANN, BOB, CAT, LEE, DEE)]
    return live_state(
        escalation_policies=[escalation_policy("PE00001", "Main", [
            escalation_rule(10, ref("schedule", "PC00001", "Rota")), escalation_rule(10, LEE)])],
        schedules=[rota, spare], users=people, skipped=skipped)


@pytest.fixture
def trained(make_policy: Callable[[str], Policy]) -> Policy:
    return make_policy(CONFIGURATION + TRAINING)


def test_untrained_on_call_people_are_named_with_where_they_are_on_call(
        trained: Policy) -> None:
    assert run_rule(check_untrained_on_call, trained, state_of()) == [
        ("PRG800", "Lee Lead", "training completed on or after 2025-03-02", "2025-03-01", 10)]
    assert rule_messages(check_untrained_on_call, trained, state_of()) == [
        "Lee Lead (lee@ex.com) is on call in escalation policy Main level 2 without current "
        "incident-response training: the latest record (Incident command, completed "
        f"2025-03-01, {trained.training.records[2].location if trained.training else ''}) was "
        "valid until 2026-03-01"]


def test_a_person_without_any_record_and_the_places_they_are_on_call(
        make_policy: Callable[[str], Policy]) -> None:
    policy = make_policy(CONFIGURATION + TRAINING.replace("Cat@Ex.com", "kat@ex.com")
                         .replace("ann@ex.com", "nobody@ex.com"))
    assert rule_messages(check_untrained_on_call, policy, state_of()) == [
        "Ann Archer (ann@ex.com) is on call in schedule Rota, escalation policy Main level 1 "
        "(schedule Rota) without current incident-response training: no training record",
        "Cat Cole (cat@ex.com) is on call in schedule Spare without current "
        "incident-response training: no training record",
        "Lee Lead (lee@ex.com) is on call in escalation policy Main level 2 without current "
        "incident-response training: the latest record (Incident command, completed "
        f"2025-03-01, {policy.training.records[2].location if policy.training else ''}) was "
        "valid until 2026-03-01"]


def state_with(*, users: tuple[Json, ...] = (ANN, BOB, CAT, LEE, DEE),
               first: Json | None = None) -> LiveState:
    """``state_of`` with only ``users`` listed and, if given, ``first`` as level 1's target."""
    state = state_of()
    policies = state.escalation_policies
    if first is not None:
        policies = (escalation_policy("PE00001", "Main", [
            escalation_rule(10, first), escalation_rule(10, LEE)]),)
    listed = {who["id"] for who in users}
    return live_state(escalation_policies=policies, schedules=state.schedules,
                      users=[person for person in state.users if person["id"] in listed])


def without_email(state: LiveState, user_id: str) -> LiveState:
    """``state`` with the user ``user_id`` listed without an email."""
    return replace(state, objects={**state.objects, "users": [
        {**person, "email": None} if person["id"] == user_id else person
        for person in state.objects["users"]]})


@pytest.mark.parametrize(("state", "expected"), [
    pytest.param(state_with(users=(BOB, CAT, LEE, DEE)), [(
        "warning", ("user", None, "PU00001"),
        "training not checked for user PU00001, on call in schedule Rota, escalation policy "
        "Main level 1 (schedule Rota): they are not in the user list this key reads, so the "
        "email their training record would name is not known")], id="a-person-not-listed"),
    pytest.param(state_with(first=ref("schedule", "PC00009", "Hidden Rota")), [(
        "warning", ("schedule", "Hidden Rota", "PC00009"),
        "training not checked for whoever schedule PC00009 (Hidden Rota) puts on call, in "
        "escalation policy Main level 1: it is not in the schedule lists this key reads")],
        id="a-schedule-not-listed"),
    pytest.param(without_email(state_of(), "PU00001"), [(
        "warning", ("user", "Ann Archer", "PU00001"),
        "training not checked for Ann Archer, on call in schedule Rota, escalation policy "
        "Main level 1 (schedule Rota): PagerDuty listed them without their email, which their "
        "training record would name")], id="a-person-listed-without-email"),
])
def test_what_the_key_cannot_see_is_named_not_passed_over(
        trained: Policy, state: LiveState, expected: list[tuple[Any, ...]]) -> None:
    """Ann (on call in Rota) is trained and Lee is not, whatever the key sees; what it cannot
    see is a warning naming it."""
    found = [(finding.severity.value, (finding.resource.type, finding.resource.name,
                                       finding.resource.id), finding.message)
             for finding in check_untrained_on_call.check(context_of(trained, state))
             if finding.resource.name != "Lee Lead"]
    assert found == expected


@pytest.mark.parametrize("skipped", [("users",), ("schedules",), ("escalation_policies",)])
def test_training_is_not_checked_without_the_collections_it_needs(
        trained: Policy, skipped: tuple[str, ...]) -> None:
    assert run_rule(check_untrained_on_call, trained, state_of(skipped=skipped)) == []


def test_a_policy_without_a_programme_asks_nothing(
        make_policy: Callable[[str], Policy]) -> None:
    policy = make_policy(CONFIGURATION)
    for check in (check_untrained_on_call, check_unknown_exercise_participant,
                  check_overdue_corrective_action):
        assert run_rule(check, policy, state_of()) == []


EXERCISE = """\
exercises:
  - date: 2026-02-10
    scenario: Database failover
    participants:
      - ann@ex.com
      - LEE@ex.com
      - zed@ex.com
    actions:
      - {title: Write the failover runbook, owner: ann@ex.com, due: 2026-03-01}
      - {title: Page the DBA team too, owner: lee@ex.com, due: 2026-03-02}
      - {title: Test the backups, owner: lee@ex.com, due: 2026-02-20, closed: 2026-02-25}
"""


def test_unknown_exercise_participants_are_reported_at_their_line(
        make_policy: Callable[[str], Policy]) -> None:
    policy = make_policy(CONFIGURATION + EXERCISE)
    assert run_rule(check_unknown_exercise_participant, policy, state_of()) == [
        ("PRG801", "zed@ex.com", "a PagerDuty user with this login email", None, 16)]
    assert run_rule(check_unknown_exercise_participant, policy,
                    state_of(skipped=("users",))) == []


def test_overdue_exercise_actions_and_corrective_actions(
        make_policy: Callable[[str], Policy], tmp_path: Path) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "actions.csv").write_text(
        "incident,action,owner,due,closed_at\n"
        "#42,Alert on replication lag,ann@ex.com,2026-03-01,\n"        # overdue
        "PQ1ABCD,Add a canary,lee@ex.com,2026-03-02,\n"                # due today: open
        "43,Fix the retry storm,lee@ex.com,2026-02-01,2026-02-03\n"    # closed late
        "44,Late in New York,lee@ex.com,2026-03-01,2026-03-02T03:00Z\n",  # 22:00 on 03-01 NY
        encoding="utf-8")
    policy = make_policy(CONFIGURATION + EXERCISE
                         + "corrective_actions:\n  register: actions.csv\n")
    assert run_rule(check_overdue_corrective_action, policy, state_of()) == [
        ("PRG802", "#42: Alert on replication lag", "closed by 2026-03-01", "open", 2),
        ("PRG802", "Write the failover runbook", "closed by 2026-03-01", "open", 18)]
    assert rule_messages(check_overdue_corrective_action, policy, state_of())[0] == (
        "the action 'Write the failover runbook' of the exercise 'Database failover' on "
        "2026-02-10 (owner ann@ex.com) was due on 2026-03-01 and is still open")
    assert rule_messages(check_overdue_corrective_action, policy, state_of())[1] == (
        "the corrective action 'Alert on replication lag' of incident #42 (owner ann@ex.com) "
        "was due on 2026-03-01 and is still open")
    [finding] = [finding for finding in drift(policy, parse_account(state_of()), TODAY).findings
                 if finding.rule == "PRG802" and finding.resource.name
                 and finding.resource.name.startswith("#42")]
    assert finding.location is not None
    assert (Path(finding.location.path).name, finding.location.line) == ("actions.csv", 2)


def test_the_demo_programme_drifts(demo_state: LiveState) -> None:
    """The example policy's two programme drifts: the VP Engineering, paged by both escalation
    policies, has no training record; one corrective action is open past its due day."""
    loaded = load_policy([EXAMPLE_POLICY])
    assert loaded.policy is not None and not loaded.findings
    found: list[tuple[Any, ...]] = sorted(
        (finding.rule, finding.resource.name, Path(finding.location.path).name,
         finding.location.line)
        for finding in drift(loaded.policy, parse_account(demo_state), TODAY).findings
        if finding.rule.startswith("PRG") and finding.location)
    assert found == [
        ("PRG800", "Tara Quinn", "programme.yaml", 7),
        ("PRG802", "#3: Rotate SSO signing keys with a runbook", "corrective-actions.csv", 4)]
