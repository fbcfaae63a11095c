"""Finding postmortems where the policy says they are recorded, and judging their deadline."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from evidence_cases import POLICY, REGISTER, register_policy, utc

from pdlint.evidence.collect import assess_incident
from pdlint.evidence.model import PostmortemRecord, PostmortemStatus
from pdlint.evidence.postmortems import (
    PostmortemFinder,
    PostmortemRegisterError,
    PostmortemTally,
    find_in_log_entries,
    find_in_notes,
    judge_postmortem,
    load_register,
)
from pdlint.evidence.register import REGISTER_COLUMNS, register_row
from pdlint.pagerduty.model import ModelError
from pdlint.pagerduty.records import IncidentRecord, NotReturned, parse_log_entry, parse_notes
from pdlint.policy import load_policy

NEW_YORK = ZoneInfo("America/New_York")
PATTERN = re.compile(r"https://wiki\.acme\.example/postmortems/\S+")


def incident(resolved: str | None, number: int | None = 1, id: str = "PQ00000",
             ) -> IncidentRecord:
    return IncidentRecord(id=id, number=number, title="t", service=None, priority="P1",
                          urgency="high", status="resolved" if resolved else "acknowledged",
                          created_at=utc("2026-02-03T15:00"), acknowledged_at=None,
                          resolved_at=utc(resolved) if resolved else None)


@pytest.mark.parametrize(("resolved", "recorded", "as_of", "status"), [
    ("2026-02-03T16:00", "2026-02-04T10:00", "2026-03-01T00:00", PostmortemStatus.ON_TIME),
    ("2026-02-03T16:00", "2026-02-05T16:00", "2026-03-01T00:00", PostmortemStatus.ON_TIME),
    ("2026-02-03T16:00", "2026-02-05T16:01", "2026-03-01T00:00", PostmortemStatus.LATE),
    ("2026-02-03T16:00", None, "2026-03-01T00:00", PostmortemStatus.MISSING),
    ("2026-02-03T16:00", None, "2026-02-05T16:00", PostmortemStatus.PENDING),  # not yet due
    (None, None, "2026-03-01T00:00", PostmortemStatus.PENDING),  # not resolved
    (None, "2026-02-04T10:00", "2026-03-01T00:00", PostmortemStatus.ON_TIME),
])
def test_judge_postmortem(resolved: str | None, recorded: str | None, as_of: str,
                          status: PostmortemStatus) -> None:
    found = PostmortemRecord("PM", utc(recorded)) if recorded else None
    check = judge_postmortem(incident(resolved), timedelta(hours=48), found, utc(as_of))
    assert check.status is status
    assert check.due_at == (utc(resolved) + timedelta(hours=48) if resolved else None)


@pytest.mark.parametrize(("priority", "checked", "status", "due_at", "counted"), [
    ("P1", True, "missing", "2026-02-05T16:00:00Z", (1, 0)),
    ("P1", False, "not_judged", "2026-02-05T16:00:00Z", (1, 1)),  # notes refused, or no block
    ("P3", True, None, None, None),  # the severity requires no postmortem
    ("P3", False, None, None, None),
    ("P5", False, None, None, None),  # no documented severity
])
def test_an_unjudged_postmortem_reads_not_judged_in_the_register_and_the_tally(
        priority: str, checked: bool, status: str | None, due_at: str | None,
        counted: tuple[int, int] | None) -> None:
    """The register's postmortem_status and the section's not_judged count say the same."""
    policy = load_policy([POLICY]).policy
    assert policy is not None
    record = incident("2026-02-03T16:00")._replace(priority=priority)
    severity = next((item for item in policy.severities if item.id == priority), None)
    assessed = assess_incident(record, severity, policy, utc("2026-03-01T00:00"), None,
                               postmortems_checked=checked)
    row = dict(zip(REGISTER_COLUMNS, register_row(assessed), strict=True))
    assert (row["postmortem_status"], row["postmortem_due_at"]) == (status, due_at)
    tally = PostmortemTally(policy.severities)
    tally.add(assessed)
    (p1,) = tally.results()
    assert (p1.required, p1.not_judged) == (counted or (0, 0))


def test_the_earliest_note_with_a_matching_link_is_the_postmortem() -> None:
    notes = [
        {"content": "Investigating", "created_at": "2026-02-03T15:10:00Z"},
        {"content": "Final: https://wiki.acme.example/postmortems/two now",
         "created_at": "2026-02-05T10:00:00Z"},
        {"content": "Draft https://wiki.acme.example/postmortems/one",
         "created_at": "2026-02-04T10:00:00-05:00"},
        {"content": "https://elsewhere.example/postmortems/x",
         "created_at": "2026-02-03T16:00:00Z"},
    ]
    parsed = parse_notes({"notes": notes}, "PQ1")
    assert find_in_notes(parsed, PATTERN) == PostmortemRecord(
        "https://wiki.acme.example/postmortems/one", utc("2026-02-04T15:00"))
    assert find_in_notes(parsed[:1], PATTERN) is None


def test_a_matching_note_without_its_time_is_not_read_as_missing() -> None:
    """PagerDuty may leave out a note's created_at: whether it was on time cannot be told."""
    notes = parse_notes({"notes": [{"content": "https://wiki.acme.example/postmortems/one"}]},
                        "PQ1")
    with pytest.raises(ModelError, match=r"the notes of incident PQ1: notes\[0\]: created_at "
                                         "is absent"):
        find_in_notes(notes, PATTERN)


@pytest.mark.parametrize("notes", [
    pytest.param([{"created_at": "2026-02-03T15:10:00Z"}], id="the-only-note"),
    pytest.param([{"content": "https://wiki.acme.example/postmortems/one",
                   "created_at": "2026-02-04T10:00:00Z"},
                  {"created_at": "2026-02-03T15:10:00Z"}], id="beside-a-match"),
    pytest.param([{"content": None, "created_at": "2026-02-03T15:10:00Z"}], id="null"),
])
def test_a_note_without_its_text_is_not_read_never_no_postmortem(
        notes: list[dict[str, Any]]) -> None:
    """content is required by the spec: a note PagerDuty returned without it may hold the
    (earliest) link, so the postmortem is not read rather than missing."""
    parsed = parse_notes({"notes": notes}, "PQ1")
    assert parsed[-1].content is None  # not returned, not ""
    assert find_in_notes(parsed, PATTERN) == NotReturned(
        f"the notes of incident PQ1: notes[{len(notes) - 1}].content")


def test_a_custom_field_is_found_in_the_log_entries() -> None:
    entries = [
        {"type": "custom_field_value_change_log_entry", "created_at": "2026-02-04T09:00:00Z",
         "changeset": ["Updated postmortem_url to null", "Updated severity_note to high"]},
        {"type": "annotate_log_entry", "created_at": "2026-02-04T09:30:00Z",
         "changeset": ["Updated postmortem_url to https://x.example/1"]},
        {"type": "custom_field_value_change_log_entry", "created_at": "2026-02-04T10:00:00Z",
         "changeset": ["Updated postmortem_url to https://x.example/pm/1"]},
    ]
    parsed = [parse_log_entry(entry) for entry in entries]
    assert find_in_log_entries(parsed, "postmortem_url") == PostmortemRecord(
        "https://x.example/pm/1", utc("2026-02-04T10:00"))
    assert find_in_log_entries(parsed, "another_field") is None


@pytest.mark.parametrize("entries", [
    pytest.param([{"id": "PL2", "type": "custom_field_value_change_log_entry",
                   "created_at": "2026-02-04T09:00:00Z"}], id="the-only-change"),
    pytest.param([{"id": "PL1", "type": "custom_field_value_change_log_entry",
                   "created_at": "2026-02-04T10:00:00Z",
                   "changeset": ["Updated postmortem_url to https://x.example/pm/1"]},
                  {"id": "PL2", "type": "custom_field_value_change_log_entry",
                   "created_at": "2026-02-04T09:00:00Z"}], id="beside-a-match"),
])
def test_a_change_without_its_changeset_is_not_read_never_no_postmortem(
        entries: list[dict[str, Any]]) -> None:
    """A custom field's change returned without what it changed may be the (earliest) mark:
    the postmortem is not read rather than missing."""
    parsed = [parse_log_entry(entry) for entry in entries]
    assert find_in_log_entries(parsed, "postmortem_url") == NotReturned(
        "log entry PL2: changeset")


def test_register_by_id_or_number_with_dates_and_times() -> None:
    register = load_register(REGISTER, NEW_YORK)
    assert register.lookup(incident("2026-02-03T16:00", number=1, id="PQX")) == PostmortemRecord(
        "https://wiki.acme.example/postmortems/one", utc("2026-02-04T10:00"))
    # a bare date is the end of that day in the organisation's time zone
    assert register.lookup(incident(None, number=3, id="PQY")) == PostmortemRecord(
        "PM-3", utc("2026-02-21T04:59:59"))
    assert register.lookup(incident(None, number=99, id="PQ00001")) == PostmortemRecord(
        "PM-2-late", utc("2026-02-13T14:00"))
    assert register.lookup(incident(None, number=98, id="PQZ")) is None


@pytest.mark.parametrize(("seen", "unmatched"), [
    ((), [("1", 2), ("3", 3), ("PQ00001", 4), ("PQZZZZ", 5), ("PQZZZZ", 6)]),
    ((("PQ00000", 1), ("PQ00001", 2), ("PQ00002", 3)), [("PQZZZZ", 5), ("PQZZZZ", 6)]),
    ((("PQ00001", None),), [("1", 2), ("3", 3), ("PQZZZZ", 5), ("PQZZZZ", 6)]),  # by id
    ((("PQ00009", 3), ("PQZZZZ", 99)), [("1", 2), ("PQ00001", 4)]),  # by number; both rows
], ids=["none-seen", "all-seen", "by-id", "by-number"])
def test_register_rows_naming_no_incident_seen_are_unmatched(
        tmp_path: Path, seen: tuple[tuple[str, int | None], ...],
        unmatched: list[tuple[str, int]]) -> None:
    policy = load_policy([register_policy(tmp_path, "pm.csv", "PQZZZZ,PM-a,2026-02-11\n"
                                                              "PQZZZZ,PM-b,2026-02-12\n")]).policy
    assert policy is not None and policy.postmortems is not None
    register = str(tmp_path / "policy" / "pm.csv")
    finder = PostmortemFinder(policy.postmortems, NEW_YORK, {register: "policy/pm.csv"})
    for id, number in seen:
        finder.saw(incident(None, number=number, id=id))
    rows = finder.unmatched_rows()
    assert rows is not None
    assert [(row.incident, row.location.line) for row in rows] == unmatched
    assert {row.location.path for row in rows} <= {"policy/pm.csv"}


@pytest.mark.parametrize(("text", "message"), [
    ("incident,postmortem\n1,PM\n", r"register.csv:1: .*missing: completed_at"),
    ("incident,postmortem,completed_at\n1,PM,yesterday\n", r"register.csv:2: completed_at"),
    ("incident,postmortem,completed_at\n1,,2026-02-01\n", r"register.csv:2: incident and"),
])
def test_a_bad_register_names_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "register.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PostmortemRegisterError, match=message):
        load_register(path, NEW_YORK)


def test_a_missing_register_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PostmortemRegisterError, match="does not exist"):
        load_register(tmp_path / "nowhere.csv", NEW_YORK)
