"""The change log: 31-day chunks, rows from audit records, and what counts as documented."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from evidence_cases import POLICY, run_evidence, utc

from pdlint.evidence.changes import (
    ChangeLog,
    audit_records_kept_from,
    change_from_record,
    chunks_newest_first,
    documented_in,
    not_known_note,
)
from pdlint.findings import Skipped
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.records import parse_audit_record
from pdlint.pagerduty.state import LiveState, Window
from pdlint.policy import load_policy
from pdlint.sim import Fault, Faults, SimServer


@pytest.mark.parametrize(("since", "until", "chunks"), [
    ("2026-01-01T00:00", "2026-01-10T00:00", [("2026-01-01T00:00", "2026-01-10T00:00")]),
    ("2026-01-01T00:00", "2026-02-01T00:00", [("2026-01-01T00:00", "2026-02-01T00:00")]),
    ("2026-01-01T00:00", "2026-03-15T00:00", [("2026-02-12T00:00", "2026-03-15T00:00"),
                                              ("2026-01-12T00:00", "2026-02-12T00:00"),
                                              ("2026-01-01T00:00", "2026-01-12T00:00")]),
])
def test_chunks_are_at_most_31_days_newest_first(since: str, until: str,
                                                 chunks: list[tuple[str, str]]) -> None:
    found = list(chunks_newest_first(utc(since), utc(until)))
    assert found == [(utc(start), utc(end)) for start, end in chunks]
    assert all(end - start <= timedelta(days=31) for start, end in found)


def record(kind: str, object_id: str, name: str) -> dict[str, object]:
    return {"id": "PAUD1", "execution_time": "2026-02-03T15:00:00.123Z", "action": "update",
            "actors": [{"id": "PU1", "type": "user_reference", "summary": "Uma Fischer"}],
            "root_resource": {"id": object_id, "type": f"{kind}_reference", "summary": name},
            "details": {"fields": [{"name": "num_loops", "before_value": "1", "value": "2"}]}}


@pytest.mark.parametrize(("kind", "object_id", "name", "resource_type", "documented"), [
    ("schedule", "PS1", "Platform - Primary", "schedules", True),
    ("schedule", "PS2", "Somebody's schedule", "schedules", False),
    ("escalation_policy", "PE1", "Production - Platform", "escalation_policies", True),
    ("escalation_policy", "PE2", "Production - Other", "escalation_policies", False),
    ("user", "PU9", "Zed", "users", True),  # a target of an escalation level, by email
    ("user", "PU8", "Yan", "users", False),
    ("user", "PU7", "Gone", "users", None),  # not among the users read: its email not known
    ("team", "PT1", "Platform", "teams", False),
])
def test_change_rows_and_documented_objects(kind: str, object_id: str, name: str,
                                            resource_type: str, documented: bool | None,
                                            ) -> None:
    policy = load_policy([POLICY]).policy
    assert policy is not None
    state = LiveState(api_url="http://127.0.0.1", fetched_at=utc("2026-03-02T00:00"),
                      window=Window(utc("2026-03-01T00:00"), utc("2026-03-02T00:00")),
                      objects={"users": ({"id": "PU9", "email": "CTO@acme.example"},
                                         {"id": "PU8", "email": "yan@acme.example"})})
    judge = documented_in(policy, parse_account(state))
    change = change_from_record(parse_audit_record(record(kind, object_id, name)), judge)
    assert (change.resource_type, change.documented) == (resource_type, documented)
    assert (change.actor, change.fields, change.at) == (
        "Uma Fischer", ("num_loops",), utc("2026-02-03T15:00:00.123"))


@pytest.mark.parametrize(("kind", "users", "documented"), [
    pytest.param("user", None, None, id="users-not-read"),
    pytest.param("user", ({"id": "PU9"},), None, id="email-not-returned"),
    pytest.param("", ({"id": "PU9", "email": "CTO@acme.example"},), None, id="root-without-type"),
    pytest.param("user", ({"id": "PU9", "email": "CTO@acme.example"},), True, id="read"),
])
def test_what_was_not_read_is_not_known_never_not_documented(
        tmp_path: Path, kind: str, users: tuple[dict[str, str], ...] | None,
        documented: bool | None) -> None:
    """A change whose object cannot be told documented or not says so in its row and is in
    neither count; the figure names how many."""
    policy = load_policy([POLICY]).policy
    assert policy is not None
    state = LiveState(api_url="http://127.0.0.1", fetched_at=utc("2026-03-02T00:00"),
                      window=Window(utc("2026-03-01T00:00"), utc("2026-03-02T00:00")),
                      objects={} if users is None else {"users": users},
                      skipped=(Skipped("users", "403"),) if users is None else ())
    raw = record(kind, "PU9", "Zed")
    if not kind:
        del raw["root_resource"]["type"]
    change = change_from_record(parse_audit_record(raw),
                                documented_in(policy, parse_account(state)))
    assert change.documented is documented
    with (tmp_path / "changes.csv").open("w", encoding="utf-8", newline="") as stream:
        log = ChangeLog(stream)
        log.add(change)
    [row] = csv.DictReader((tmp_path / "changes.csv").open(encoding="utf-8"))
    summary = log.summary(None)
    assert (row["documented"], summary.documented, summary.documented_unknown) == (
        ("not known", 0, 1) if documented is None else ("yes", 1, 0))
    assert not_known_note(summary) == ("" if documented is not None else
                                       "; 1 to objects not known to be documented or not (their "
                                       "type, or the user's email, was not read)")


@pytest.mark.parametrize(("now", "kept_from"), [
    ("2026-12-02T10:30", "2025-12-02T10:30"),
    ("2028-02-29T12:00", "2027-02-28T12:00"),
    ("2021-06-01T00:00", "2020-12-02T00:00"),  # none before the Audit Trail's first day
    ("2020-12-10T00:00", "2020-12-02T00:00"),
])
def test_audit_records_are_kept_twelve_months(now: str, kept_from: str) -> None:
    assert audit_records_kept_from(utc(now)) == utc(kept_from)


@pytest.mark.parametrize(("details", "fields", "values"), [
    pytest.param({}, None, None, id="details-not-returned"),
    pytest.param({"details": None}, None, None, id="details-null"),
    pytest.param({"details": {}}, None, None, id="neither-fields-nor-references"),
    pytest.param({"details": {"fields": []}}, (), (), id="no-field-changed"),
    pytest.param({"details": {"fields": [{"name": "name"}], "references": []}}, ("name",), (),
                 id="field-without-values"),
])
def test_a_change_whose_details_were_not_returned_says_not_read(
        details: dict[str, object], fields: tuple[str, ...] | None,
        values: tuple[object, ...] | None) -> None:
    raw = {key: value for key, value in record("schedule", "PS1", "Platform - Primary").items()
           if key != "details"}
    change = change_from_record(parse_audit_record({**raw, **details}),
                                lambda kind, object_id, name: True)
    assert (change.fields, change.values) == (fields, values)


def test_the_change_log_says_not_read_for_records_returned_without_details(
        hand_server: SimServer, tmp_path: Path) -> None:
    """Every audit record of the hand-made account returned without ``details``: each row
    of changes.csv, evidence.json and the page say its fields were not read, never blank."""
    hand_server.faults = Faults(scripted=(Fault("omit_field", "/audit/records",
                                                field="details"),))
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output)
    assert evidence.changes is not None and evidence.changes.total > 0
    with (output / "changes.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {(row["fields"], row["values"]) for row in rows} == {("not read", "not read")}
    assert len(rows) == evidence.changes.total
    assert all(change.fields is None for change in evidence.changes.documented_changes)
