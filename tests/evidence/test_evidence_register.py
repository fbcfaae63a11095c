"""Register rows from either source, and the streamed CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta, timezone
from typing import Any

import pytest
from evidence_cases import utc

from pdlint.evidence.model import (
    AssessedIncident,
    CommunicationCheck,
    CommunicationStatus,
    PostmortemCheck,
    PostmortemRecord,
    PostmortemStatus,
    Response,
)
from pdlint.evidence.register import (
    JSON_KEYS,
    REGISTER_COLUMNS,
    LogIndex,
    RegisterWriter,
    register_row,
)
from pdlint.pagerduty.model import ModelError
from pdlint.pagerduty.records import (
    IncidentRecord,
    parse_analytics_incident,
    parse_incident,
    parse_log_entry,
)
from pdlint.report.tabular import csv_cell


def record_from_analytics(row: dict[str, Any]) -> IncidentRecord:
    """A register row from an analytics incident; times without an offset are UTC, as asked."""
    return parse_analytics_incident(row, timezone.utc)


ANALYTICS_ROW = {
    "id": "PQ1", "incident_number": 7, "description": "Checkout down", "status": "resolved",
    "urgency": "high", "created_at": "2026-02-03T15:00:00Z", "resolved_at": "2026-02-03T16:00:00Z",
    "priority_name": "P1", "service_name": "Checkout API", "seconds_to_first_ack": 180,
    "assigned_user_names": ["Alice", "Ben"], "acknowledged_user_names": ["Ben"],
}


@pytest.mark.parametrize("times", [
    pytest.param({}, id="with-Z"),
    # The spec's example response writes local times in the request's time_zone, no offset.
    pytest.param({"created_at": "2026-02-03T15:00:00", "resolved_at": "2026-02-03T16:00:00"},
                 id="without-offset-in-the-zone-asked-for"),
    pytest.param({"created_at": "2026-02-03T16:00:00+01:00",
                  "resolved_at": "2026-02-03T11:00:00-05:00"}, id="with-offsets"),
])
def test_record_from_analytics(times: dict[str, str]) -> None:
    record = record_from_analytics({**ANALYTICS_ROW, **times})
    assert record == IncidentRecord(
        id="PQ1", number=7, title="Checkout down", service="Checkout API", priority="P1",
        urgency="high", status="resolved", created_at=utc("2026-02-03T15:00"),
        acknowledged_at=utc("2026-02-03T15:03"), resolved_at=utc("2026-02-03T16:00"),
        responders=("Alice", "Ben"))
    assert record.seconds_to_resolve == 3600


@pytest.mark.parametrize(("change", "message"), [
    ({"created_at": None}, "analytics incident PQ1: created_at is absent"),
    ({"resolved_at": "later"}, "analytics incident PQ1: resolved_at is 'later', not an ISO"),
    ({"description": 5}, "analytics incident PQ1: description is 5, not text"),
    ({"status": ["resolved"]}, r"analytics incident PQ1: status is \['resolved'\], not text"),
])
def test_a_row_that_cannot_be_read_is_named(change: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        record_from_analytics({**ANALYTICS_ROW, **change})


def user(name: str) -> dict[str, str]:
    return {"type": "user_reference", "summary": name}


def test_log_index_completes_incidents_from_the_log() -> None:
    index = LogIndex()
    reference = {"id": "PQ1", "type": "incident_reference"}
    for entry in (
        {"type": "assign_log_entry", "incident": reference, "created_at": "2026-02-03T15:00:00Z",
         "assignees": [user("Alice")]},
        {"type": "notify_log_entry", "incident": reference, "created_at": "2026-02-03T15:00:00Z",
         "user": user("Zed")},
        {"type": "acknowledge_log_entry", "incident": reference,
         "created_at": "2026-02-03T15:09:00Z", "agent": user("Ben")},
        {"type": "acknowledge_log_entry", "incident": reference,
         "created_at": "2026-02-03T15:04:00Z", "agent": user("Ben")},
        {"type": "escalate_log_entry", "incident": reference,
         "created_at": "2026-02-03T15:10:00Z", "assignees": [user("Carla")]},
    ):
        index.add(parse_log_entry(entry))
    record = index.record(parse_incident({
        "id": "PQ1", "incident_number": 7, "title": "Checkout down", "status": "resolved",
        "urgency": "high", "created_at": "2026-02-03T15:00:00Z",
        "resolved_at": "2026-02-03T16:00:00Z", "service": {"summary": "Checkout API"},
        "priority": {"name": "P1"}, "assignments": []}))
    assert record.acknowledged_at == utc("2026-02-03T15:04")  # the first acknowledgement
    assert record.responders == ("Alice", "Ben", "Carla")
    assert (record.service, record.priority) == ("Checkout API", "P1")
    unknown = index.record(parse_incident({"id": "PQ2", "created_at": "2026-02-03T15:00:00Z",
                                           "priority": None}))
    # No assignments returned and none in the log: who responded is not read, not "nobody".
    assert (unknown.acknowledged_at, unknown.priority, unknown.responders) == (None, None, None)
    assert unknown.unread == ("resolved_at",)  # a null priority is none; no resolved_at unread
    nobody = index.record(parse_incident({"id": "PQ3", "created_at": "2026-02-03T15:00:00Z",
                                          "assignments": []}))
    assert nobody.responders == ()


INCIDENT = {"id": "PQ1", "type": "incident_reference"}


def entry(at: str | None, kind: str | None = "acknowledge_log_entry",
          incident: dict[str, str] | None = INCIDENT, id_: str = "PL1") -> dict[str, Any]:
    """A log entry at ``2026-02-03T<at>``; None (and ``kind`` None) leave the key out."""
    return {key: value for key, value in (
        ("id", id_), ("type", kind), ("incident", incident),
        ("created_at", None if at is None else f"2026-02-03T{at}:00Z")) if value is not None}


@pytest.mark.parametrize(("entries", "resolved", "acknowledged", "untied"), [
    # PQ1 is created at 15:00; "unread" is its acknowledgement not read.
    ([entry("15:09")], "16:00", "15:09", []),
    # An acknowledgement of PQ1 without its time, another's with it: either may be the first.
    ([entry("15:09"), entry(None)], "16:00", "unread", []),
    # An entry of PQ1 of no type before its known acknowledgement may be the first; after, not.
    ([entry("15:09"), entry("15:05", None)], "16:00", "unread", []),
    ([entry("15:09"), entry("15:20", None)], "16:00", "15:09", []),
    ([entry("15:05", None)], None, "unread", []),
    # One naming no incident, between PQ1's creation and its first acknowledgement (or, none
    # known, its resolution) may be its first; before it was created, after it was
    # acknowledged or resolved, it may not.
    ([entry("15:09"), entry("15:05", incident=None, id_="PL9")], "16:00", "unread", ["PL9"]),
    ([entry("15:30", incident=None, id_="PL9")], "16:00", "unread", ["PL9"]),
    ([entry("15:09"), entry("14:59", incident=None, id_="PL9"),
      entry("15:10", incident=None, id_="PL8")], "16:00", "15:09", ["PL9", "PL8"]),
    ([entry("16:30", incident=None, id_="PL9")], "16:00", None, ["PL9"]),
    # Without its time too, it may be any incident's first; of no type either, the same.
    ([entry("15:09"), entry(None, incident=None, id_="PL9")], "16:00", "unread", ["PL9"]),
    ([entry("15:09"), entry(None, None, None, "PL9")], "16:00", "unread", ["PL9"]),
    # An entry of another type naming no incident acknowledges nothing.
    ([entry("15:09"), entry("15:05", "notify_log_entry", None)], "16:00", "15:09", []),
], ids=["known", "untimed", "untyped-before", "untyped-after", "untyped-only",
        "untied-before-ack", "untied-before-resolution", "untied-outside", "untied-after-resolved",
        "untied-untimed", "untied-untyped-untimed", "untied-other-type"])
def test_an_acknowledgement_the_log_does_not_tell_is_not_read(
        entries: list[dict[str, Any]], resolved: str | None, acknowledged: str | None,
        untied: list[str]) -> None:
    """The spec's ``LogEntry`` requires no field: an entry that may be an acknowledgement but
    cannot be read as one leaves each incident whose first it may be not read, never "not
    acknowledged"; one naming no incident is listed (``untied``)."""
    index = LogIndex()
    for raw in entries:
        index.add(parse_log_entry(raw))
    record = index.record(parse_incident({
        "id": "PQ1", "created_at": "2026-02-03T15:00:00Z", "priority": None,
        "resolved_at": None if resolved is None else f"2026-02-03T{resolved}:00Z"}))
    if acknowledged == "unread":
        assert (record.acknowledged_at, record.unread) == (None, ("acknowledged_at",))
    else:
        assert record.unread == ()
        assert record.acknowledged_at == (None if acknowledged is None
                                          else utc(f"2026-02-03T{acknowledged}"))
    assert index.untied == untied


@pytest.mark.parametrize(("priority", "resolved", "unread"), [
    ({"priority": None}, {"resolved_at": None}, ()),  # null: no priority, not resolved
    ({}, {}, ("resolved_at", "priority")),  # absent: not read
    ({"priority": {"id": "PP1", "type": "priority_reference"}}, {}, ("resolved_at", "priority")),
    ({"priority": {"id": "PP1", "summary": "P1"}}, {"resolved_at": None}, ()),
], ids=["null", "absent", "unnamed", "named"])
def test_an_incident_without_priority_or_resolved_at_has_them_not_read(
        priority: dict[str, Any], resolved: dict[str, Any], unread: tuple[str, ...]) -> None:
    record = parse_incident({"id": "PQ1", "created_at": "2026-02-03T15:00:00Z", **priority,
                             **resolved})
    assert record.unread == unread


def test_the_register_streams_valid_csv_and_json() -> None:
    csv_stream, json_stream = io.StringIO(), io.StringIO()
    writer = RegisterWriter(csv_stream, json_stream)
    record = record_from_analytics(ANALYTICS_ROW)
    writer.write([AssessedIncident(record, "P1", utc("2026-02-03T15:05"), Response.WITHIN,
                                   None)])
    writer.write([])
    writer.write([AssessedIncident(record, None, None, None, None)])
    writer.close()
    rows = list(csv.reader(io.StringIO(csv_stream.getvalue())))
    assert rows[0] == list(REGISTER_COLUMNS)
    assert len(rows) == 3
    items = json.loads(json_stream.getvalue())
    assert [item["sla"] for item in items] == ["within", None]
    assert items[0]["responders"] == ["Alice", "Ben"]
    assert items[0]["ack_deadline"] == "2026-02-03T15:05:00Z"


EDGE_RECORDS = [
    pytest.param({"title": 'down}, {"id": "PQ9"}'}, id="title-like-the-text-between-rows"),
    pytest.param({"title": 'a, "b"\nc'}, id="title-to-quote"),
    pytest.param({"title": "=1+1"}, id="title-like-a-formula"),
    pytest.param({"title": None, "number": None, "priority": None, "urgency": None,
                  "status": None, "service": None}, id="values-not-returned"),
    pytest.param({"title": "Zürich ☎ \u2028 \t\x00 \\"}, id="title-non-ascii-and-controls"),
    pytest.param({"responders": None}, id="responders-not-read"),
    pytest.param({"responders": ()}, id="no-responders"),
    pytest.param({"responders": ('O"Brien', "Zoë; Ann", "=cmd")}, id="responders-to-escape"),
    pytest.param({"acknowledged_at": utc("2026-02-03T15:00") + timedelta(seconds=90.25)},
                 id="seconds-with-a-fraction"),
    pytest.param({"resolved_at": utc("2026-02-03T14:00")}, id="impossible-times"),
    pytest.param({"resolved_at": None, "acknowledged_at": None}, id="open"),
]


def test_each_column_holds_its_own_value_in_both_files() -> None:
    """Every column but ``problem`` (None for times that can be) set to a value of its own,
    written out by hand: a value put under another column, or a column left out of either
    file, fails here."""
    record = record_from_analytics(ANALYTICS_ROW)
    incident = AssessedIncident(
        record, "P1", utc("2026-02-03T15:05"), Response.BREACHED, PostmortemCheck(
            PostmortemStatus.ON_TIME, utc("2026-02-05T16:00"),
            PostmortemRecord("PM-7", utc("2026-02-04T10:00"))),
        resolve_deadline=utc("2026-02-03T19:00"), resolution=Response.WITHIN,
        ack_deadline_local="2026-02-03T10:05:00-05:00",
        communication=CommunicationCheck(CommunicationStatus.LATE, utc("2026-02-03T15:30"),
                                         utc("2026-02-03T15:40"), 2),
        contained_at=utc("2026-02-03T15:50"))
    values = {
        "id": "PQ1", "number": 7, "title": "Checkout down", "service": "Checkout API",
        "priority": "P1", "severity": "P1", "urgency": "high", "status": "resolved",
        "created_at": "2026-02-03T15:00:00Z", "acknowledged_at": "2026-02-03T15:03:00Z",
        "resolved_at": "2026-02-03T16:00:00Z", "seconds_to_acknowledge": 180,
        "seconds_to_resolve": 3600, "responders": ["Alice", "Ben"],
        "ack_deadline": "2026-02-03T15:05:00Z", "ack_deadline_local": "2026-02-03T10:05:00-05:00",
        "sla": "breached", "postmortem": "PM-7", "postmortem_recorded_at": "2026-02-04T10:00:00Z",
        "postmortem_due_at": "2026-02-05T16:00:00Z", "postmortem_status": "on_time",
        "resolve_deadline": "2026-02-03T19:00:00Z", "resolution": "within",
        "problem": None, "communication": "late", "contained_at": "2026-02-03T15:50:00Z"}
    csv_stream, json_stream = io.StringIO(), io.StringIO()
    writer = RegisterWriter(csv_stream, json_stream)
    writer.write([incident])
    writer.close()
    [header, row] = csv.reader(io.StringIO(csv_stream.getvalue()))
    assert dict(zip(header, row, strict=True)) == {
        column: "; ".join(value) if isinstance(value, list) else
        "" if value is None else str(value) for column, value in values.items()}
    assert header[:3] == ["id", "number", "title"] and header[-2:] == ["communication",
                                                                      "contained_at"]
    [written] = json.loads(json_stream.getvalue())
    assert list(written.items()) == list(values.items())


@pytest.mark.parametrize("change", EDGE_RECORDS)
def test_a_batch_is_written_as_the_csv_writer_and_json_dumps_write_each_row(
        change: dict[str, Any]) -> None:
    """Rows whose values need quoting, escaping or writing as null stay whole in both files,
    among plain rows, in batches of more than one."""
    record = record_from_analytics(ANALYTICS_ROW)
    found = PostmortemRecord("PM-7 \"root\"", utc("2026-02-04T10:00"))
    batch = [AssessedIncident(record._replace(id=f"PQ{number}", **edge), "P1",
                              utc("2026-02-03T15:05"), Response.WITHIN, postmortem)
             for number, (edge, postmortem) in enumerate((
                 ({}, None), (change, None), (change, PostmortemCheck(
                     PostmortemStatus.ON_TIME, utc("2026-02-05T16:00"), found)), ({}, None)))]
    csv_stream, json_stream = io.StringIO(), io.StringIO()
    writer = RegisterWriter(csv_stream, json_stream)
    writer.write(batch[:3])
    writer.write(batch[3:])
    writer.close()
    rows = [dict(zip(REGISTER_COLUMNS, register_row(incident), strict=True))
            for incident in batch]
    expected_csv = io.StringIO()
    # A NUL as Python 3.11's writer writes it (3.10's refuses it): through a character the
    # rows do not hold.
    csv.writer(expected_csv, lineterminator="\n").writerows(
        [REGISTER_COLUMNS, *([csv_cell(row[column]).replace("\0", "\uf8ff")
                              for column in REGISTER_COLUMNS] for row in rows)])
    assert csv_stream.getvalue() == expected_csv.getvalue().replace("\uf8ff", "\0")
    assert json_stream.getvalue() == "[\n " + ",\n ".join(
        json.dumps({key: row[key] for key in JSON_KEYS}, ensure_ascii=False)
        for row in rows) + "\n]\n"
    assert json.loads(json_stream.getvalue())[1] == rows[1]


def test_an_empty_register_is_an_empty_json_array() -> None:
    csv_stream, json_stream = io.StringIO(), io.StringIO()
    RegisterWriter(csv_stream, json_stream).close()
    assert json.loads(json_stream.getvalue()) == []
