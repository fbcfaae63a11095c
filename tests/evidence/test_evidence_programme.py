"""Corrective actions, tabletop exercises and training in the package of the hand-made account,
against figures worked out by hand (NOW is Monday 2026-03-02 12:00Z, 07:00 in New York; the
period is 2026-02-02 to 2026-03-02).

Who is on call in the period (weekly turns from Monday 2025-01-06 09:00 New York; turn 56
starts on the period's first Monday, turn 55 covers its first hours, turn 59 starts on
2026-02-23 and turn 60, on 2026-03-02 09:00 New York, after it): turns 55–59 go through all of
Platform - Primary (5 people: turn k is member k mod 5), Platform - Secondary (4) and
Engineering Managers (3). The documented escalation policy pages all three schedules and, at
its last level, the CTO and the VP Engineering directly: 14 people.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from evidence_cases import POLICY, TOKEN, hand_account, run_evidence

from pdlint.evidence import Evidence
from pdlint.sim import Fault, Faults, SimServer
from pdlint.sim.account import incident_id

ON_CALL = ("alice.nguyen", "ben.okafor", "carla.diaz", "dev.patel", "erin.walsh", "isabel.rossi",
           "frank.muller", "grace.kim", "hiro.tanaka", "karen.li", "luis.moreno",
           "jamal.brooks", "cto", "vp-engineering")


def programme_policy(folder: Path) -> Path:
    """The evidence policy, plus a programme: everyone on call trained but Dev (no record) and
    Grace (expired on 2026-01-15); two exercises; the register below."""
    policy = folder / "policy"
    shutil.copytree(POLICY, policy)
    records = "".join(
        f"    - {{person: {person}@acme.example, completed: "
        f"{'2025-01-15' if person == 'grace.kim' else '2025-06-01'}, course: Responders}}\n"
        for person in ON_CALL if person != "dev.patel")
    (policy / "programme.yaml").write_text(
        "training:\n  valid_for: 365d\n  records:\n" + records
        + "exercises:\n"
          "  - date: 2025-06-01\n    scenario: Region failover\n"
          "    participants: [cto@acme.example]\n"
          "  - date: 2026-02-10\n    scenario: Payments outage\n"
          "    participants: [alice.nguyen@acme.example, cto@acme.example]\n"
          "    findings: [Nobody owned the status page]\n"
          "    actions:\n"
          "      - {title: Name a status page owner, owner: cto@acme.example, due: 2026-02-20}\n"
          "      - {title: Write the runbook, owner: alice.nguyen@acme.example,"
          " due: 2026-02-20, closed: 2026-02-19}\n"
          "corrective_actions:\n  register: actions.csv\n", encoding="utf-8")
    (policy / "actions.csv").write_text(
        "incident,action,owner,due,closed_at\n"
        "#1,Add a canary for checkout,grace.kim@acme.example,2026-02-10,2026-02-09\n"
        # closed at 22:00 New York on the 11th: a day late
        "#1,Page the payments team too,grace.kim@acme.example,2026-02-10,2026-02-12T03:00Z\n"
        "#2,Alert on queue depth,frank.muller@acme.example,2026-03-01,\n"     # overdue
        "2,Document the failover,frank.muller@acme.example,2026-03-02,\n"     # due today: open
        f"{incident_id(2)},Rotate the keys,isabel.rossi@acme.example,2026-02-25,2026-02-25\n"
        "#99,From another period,zed@acme.example,2025-01-01,\n",              # overdue, unmatched
        encoding="utf-8")
    return policy


@pytest.fixture(scope="module")
def programme_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Evidence, Path]:
    folder = tmp_path_factory.mktemp("programme")
    with SimServer(hand_account(), token=TOKEN) as server:
        evidence = run_evidence(server, folder / "package", policy=programme_policy(folder))
    return evidence, folder / "package"


def test_corrective_actions_per_incident_of_the_period(
        programme_package: tuple[Evidence, Path]) -> None:
    evidence, output = programme_package
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    actions = document["corrective_actions"]
    assert (actions["register"], actions["as_of"]) == ("policy/actions.csv", "2026-03-02")
    assert actions["counts"] == {"open": 1, "overdue": 2, "closed_late": 1,
                                 "closed_on_time": 2}
    assert [(item["incident"], item["open"], item["overdue"], item["closed_late"],
             item["closed_on_time"]) for item in actions["by_incident"]] == [
        ("#1", 0, 0, 1, 1), ("#2", 1, 1, 0, 0), ("#3", 0, 0, 0, 1)]
    assert [(item["incident"], item["status"], item["documented_at"])
            for item in actions["not_of_the_period"]] == [
        ("#99", "overdue", "policy/actions.csv:7")]
    with (output / "corrective-actions.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["incident"], row["closed_on"], row["status"]) for row in rows][:2] == [
        ("#1", "2026-02-09", "closed_on_time"), ("#1", "2026-02-11", "closed_late")]
    assert (output / "policy" / "actions.csv").is_file()
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert ("- Corrective actions overdue: 2 (1 open, 1 closed late, 2 on time; on 2026-03-02)"
            in summary)
    assert "| \\#2 | Alert on queue depth | frank.muller@acme.example | 2026-03-01 | " \
           "policy/actions.csv:4 |" in summary
    assert evidence.corrective_actions is not None


def test_exercises_are_listed_newest_first_with_their_action_items(
        programme_package: tuple[Evidence, Path]) -> None:
    _, output = programme_package
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    exercises = document["exercises"]
    assert [(item["date"], item["in_period"], item["documented_at"]) for item in exercises] == [
        ("2026-02-10", True, "policy/programme.yaml:21:5"),
        ("2025-06-01", False, "policy/programme.yaml:18:5")]
    assert [(item["action"], item["status"]) for item in exercises[0]["actions"]] == [
        ("Name a status page owner", "overdue"), ("Write the runbook", "closed_on_time")]
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "- Tabletop exercises in the period: 1 (last on 2026-02-10)" in summary


def test_training_of_everyone_on_call_in_the_period(
        programme_package: tuple[Evidence, Path]) -> None:
    evidence, output = programme_package
    assert evidence.training is not None
    people = {person.email: person for person in evidence.training.people}
    assert sorted(people) == sorted(f"{person}@acme.example" for person in ON_CALL)
    assert [person.email for person in evidence.training.people if not person.current] == [
        "dev.patel@acme.example", "grace.kim@acme.example"]
    assert str(evidence.training.as_of) == "2026-03-01"
    grace = people["grace.kim@acme.example"]
    assert (str(grace.completed), str(grace.valid_until)) == ("2025-01-15", "2026-01-15")
    assert people["vp-engineering@acme.example"].on_call == (
        "escalation policy Production - Platform level 4",)
    with (output / "training.csv").open(encoding="utf-8") as stream:
        rows = {row["email"]: row for row in csv.DictReader(stream)}
    assert (rows["dev.patel@acme.example"]["current"], rows["dev.patel@acme.example"]["course"]
            ) == ("False", "")
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "- On call without current training: 2 (of 14 on call; on 2026-03-01)" in summary


@pytest.mark.parametrize(("path", "field", "reason"), [
    ("/escalation_policies", "escalation_rules.targets",
     "escalation policy 'Production - Platform': PagerDuty returned it without the targets of "
     "level 1, the targets of level 2"),
    ("/escalation_policies", "escalation_rules",
     "escalation policy 'Production - Platform': PagerDuty returned it without its escalation "
     "rules"),
    ("/schedules", "final_schedule.rendered_schedule_entries",
     "schedule 'Platform - Primary': its final schedule cannot be read: "
     "rendered_schedule_entries is absent"),
], ids=["level-targets", "escalation-rules", "rendered-shifts"])
def test_training_is_not_measured_when_who_is_on_call_is_not_read_in_full(
        tmp_path: Path, path: str, field: str, reason: str) -> None:
    """PagerDuty returned what says who is on call without it: the people it would name are
    not known, so counting the others would claim fewer untrained than there may be (2 of 14
    read in full). The figure is not measured and training is skipped, naming what was not
    read."""
    with SimServer(hand_account(), token=TOKEN,
                   faults=Faults(scripted=(Fault("omit_field", path, field=field),))) as server:
        evidence = run_evidence(server, tmp_path / "package", policy=programme_policy(tmp_path))
    output = tmp_path / "package"
    assert evidence.training is None
    (skip,) = [skip for skip in evidence.skipped if skip.rule == "training"]
    assert skip.reason.startswith("who is on call could not be read in full (") and (
        reason in skip.reason)
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "- On call without current training: not measured" in summary.splitlines()
    assert 'id="headline-training">not measured<' in (output / "index.html").read_text()
    assert not (output / "training.csv").exists()


def test_a_policy_without_a_programme_writes_no_programme_section(
        hand_package: tuple[Evidence, Path, SimServer]) -> None:
    evidence, output, _ = hand_package
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert (document["corrective_actions"], document["exercises"], document["training"]) == (
        None, [], None)
    assert (evidence.corrective_actions, evidence.training) == (None, None)
    assert not (output / "training.csv").exists()
