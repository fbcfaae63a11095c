"""The seeded generator: consistent at every size, repeatable, and lazy about incidents."""

from __future__ import annotations

import tracemalloc
from dataclasses import replace
from datetime import timedelta

import pytest
from sim_cases import NOW

from pdlint.sim import generated_account, sized_account
from pdlint.sim.account import Account, incident_log


def small(seed: int = 1, **counts: int) -> Account:
    sizes = {"services": 40, "escalation_policies": 15, "schedules": 12, "users": 80,
             "incidents": 2000, "teams": 5, **counts}
    return generated_account(seed, now=NOW, **sizes)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_reference_resolves(seed: int) -> None:
    account = small(seed)
    account.check_references()
    for incident in account.incidents:
        assert incident.service_id in account.services_by_id
        policy = account.escalation_policies_by_id[incident.escalation_policy_id]
        assert account.services_by_id[incident.service_id].escalation_policy_id == policy.id
        assert incident.assigned_user_id in account.users_by_id
        assert all(user in account.users_by_id for _, user in incident.escalations)


def test_check_references_names_what_dangles() -> None:
    account = small()
    broken = replace(account.services[0], escalation_policy_id="PNOSUCH")
    with pytest.raises(ValueError, match=f"{broken.id}: unknown escalation policy"):
        replace(account, services=(broken, *account.services[1:])).check_references()


def test_same_seed_same_account_other_seed_other_account() -> None:
    first, again, other = small(4), small(4), small(5)
    assert first.users == again.users and first.schedules == again.schedules
    assert [first.incidents[index] for index in (0, 999, 1999)] == [
        again.incidents[index] for index in (0, 999, 1999)]
    assert first.users != other.users


def test_counts_are_exact() -> None:
    account = small(services=7, escalation_policies=3, schedules=2, users=9, incidents=11,
                    teams=4)
    assert [len(account.services), len(account.escalation_policies), len(account.schedules),
            len(account.users), len(account.incidents), len(account.teams)] == [7, 3, 2, 9, 11, 4]


def test_incidents_are_ordered_and_within_the_last_year() -> None:
    account = small()
    times = [incident.created_at for incident in account.incidents]
    assert times == sorted(times)
    assert NOW - timedelta(days=369) <= times[0] and times[-1] < NOW
    assert all(incident.resolved_at is None or incident.resolved_at <= NOW
               for incident in account.incidents)
    window = account.incidents.created_between(NOW - timedelta(days=30), NOW)
    assert all(NOW - timedelta(days=30) <= account.incidents[index].created_at < NOW
               for index in window)
    assert 100 < len(window) < 250  # about 2000 × 30/365


def test_incidents_are_found_by_id_and_number() -> None:
    incidents = small().incidents
    incident = incidents[1234]
    assert incidents.find(incident.id) == incident
    assert incidents.find("1235") == incident
    assert incidents.find("PQZZZZZ") is None and incidents.find("0") is None
    log = incident_log(incident)
    assert log[0].kind == "trigger" and log[-1].kind == "resolve"
    assert [event.created_at for event in log] == sorted(event.created_at for event in log)


def test_v3_schedules_and_audit_records_default_to_a_share_of_the_account() -> None:
    account = small(schedules=400)
    assert len(account.v3_schedules) == 2
    assert len(account.audit_records) == (40 + 15 + 400 + 80) // 10


@pytest.mark.parametrize(("counts", "message"), [
    ({"escalation_policies": 0}, "services need at least one escalation policy"),
    ({"users": 0}, "need at least one user"),
    ({"services": 0, "escalation_policies": 0, "schedules": 0, "users": 0},
     "incidents need at least one service"),
    ({"teams": -1}, "must not be negative"),
])
def test_inconsistent_sizes_are_refused(counts: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        small(**counts)


@pytest.mark.parametrize(("counts", "expected"), [
    ({"users": 101}, (101, 0, 0, 0)),
    ({"services": 100}, (1, 100, 1, 0)),
    ({"incidents": 3}, (1, 1, 1, 3)),
    ({}, (0, 0, 0, 0)),
])
def test_sized_accounts_add_only_what_consistency_needs(
    counts: dict[str, int], expected: tuple[int, int, int, int],
) -> None:
    account = sized_account(now=NOW, **counts)
    assert (len(account.users), len(account.services), len(account.escalation_policies),
            len(account.incidents)) == expected
    account.check_references()


def test_an_enterprise_account_holds_no_incident_in_memory() -> None:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        account = generated_account(seed=9, now=NOW)
        built = tracemalloc.get_traced_memory()[0] - before
        for index in range(0, len(account.incidents), 50):
            account.incidents[index]  # touch 2,000 incidents across the year
        touched = tracemalloc.get_traced_memory()[0] - before - built
    finally:
        tracemalloc.stop()
    assert (len(account.services), len(account.users), len(account.incidents)) == (
        5000, 10000, 100000)
    assert built < 120_000_000
    assert touched < 20_000_000  # a bounded cache, not 100,000 incidents
