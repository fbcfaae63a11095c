"""The period data the evidence reads, parsed once: absent is None, empty is empty, and a value
that cannot be read names the object and the field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pdlint.pagerduty.model import ModelError, Reference
from pdlint.pagerduty.records import (
    FieldChange,
    NotReturned,
    first_responder_request,
    parse_analytics_incident,
    parse_audit_record,
    parse_incident,
    parse_log_entry,
    parse_notes,
    subscriber_count,
)

NEW_YORK = timezone(timedelta(hours=-5))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


ANALYTICS = {"id": "PQ1", "created_at": "2026-02-03T15:00:00Z"}


@pytest.mark.parametrize(("row", "responders", "acknowledged_at"), [
    pytest.param({}, None, None, id="names-not-given-are-not-read"),
    pytest.param({"assigned_user_names": [], "acknowledged_user_names": []}, (), None,
                 id="empty-names-are-nobody"),
    pytest.param({"assigned_user_names": ["Ann", "Ben"], "acknowledged_user_names": ["Ben"],
                  "seconds_to_first_ack": 90.5}, ("Ann", "Ben"),
                 utc("2026-02-03T15:01:30.500"), id="each-name-once"),
])
def test_analytics_incident(row: dict[str, Any], responders: tuple[str, ...] | None,
                            acknowledged_at: datetime | None) -> None:
    incident = parse_analytics_incident({**ANALYTICS, **row}, timezone.utc)
    assert (incident.responders, incident.acknowledged_at) == (responders, acknowledged_at)
    assert (incident.title, incident.number, incident.assignees) == (None, None, None)


@pytest.mark.parametrize(("row", "unread"), [
    pytest.param({}, ("acknowledged_at", "resolved_at", "priority"), id="none-returned"),
    pytest.param({"seconds_to_first_ack": None, "resolved_at": None, "priority_name": None}, (),
                 id="null-is-never-acknowledged-open-no-priority"),
    pytest.param({"seconds_to_first_ack": 60, "priority_name": "P1"}, ("resolved_at",),
                 id="resolution-not-returned"),
    pytest.param({"resolved_at": "2026-02-03T16:00:00Z", "priority_name": "P1"},
                 ("acknowledged_at",), id="acknowledgement-not-returned"),
])
def test_analytics_fields_not_returned_are_told_from_null(row: dict[str, Any],
                                                          unread: tuple[str, ...]) -> None:
    """The spec requires none of an ``AnalyticsRawIncident``'s keys: a key absent is not read,
    a key present with null is a value (never acknowledged, still open, no priority)."""
    assert parse_analytics_incident({**ANALYTICS, **row}, timezone.utc).unread == unread


def test_analytics_times_without_an_offset_are_in_the_zone_asked_for() -> None:
    incident = parse_analytics_incident({**ANALYTICS, "created_at": "2026-02-03T10:00:00"},
                                        NEW_YORK)
    assert incident.created_at == utc("2026-02-03T15:00")


@pytest.mark.parametrize(("incident", "assignees", "service", "priority"), [
    pytest.param({}, None, None, None, id="not-given"),
    pytest.param({"assignments": [], "service": {"name": "Web"}, "priority": {"summary": "P2"}},
                 (), "Web", "P2", id="nobody-assigned"),
    pytest.param({"assignments": [{"assignee": {"summary": "Ann"}}, {"assignee": None}],
                  "service": {"summary": "Web", "name": "web"}, "priority": {"name": "P1"}},
                 ("Ann",), "Web", "P1", id="assigned"),
])
def test_incident(incident: dict[str, Any], assignees: tuple[str, ...] | None,
                  service: str | None, priority: str | None) -> None:
    parsed = parse_incident({**ANALYTICS, **incident})
    assert (parsed.assignees, parsed.service, parsed.priority) == (assignees, service, priority)
    assert parsed.responders is None  # the log says who responded, not the incident


@pytest.mark.parametrize(("incident", "first"), [
    pytest.param({"responder_requests": []}, None, id="none-asked"),
    pytest.param({"responder_requests": [{"requested_at": "2026-02-03T15:40:00Z"},
                                         {"requested_at": "2026-02-03T15:20:00Z"}]},
                 utc("2026-02-03T15:20"), id="the-earliest"),
    # Returned only where the account has the responder requests feature; not nullable.
    pytest.param({}, NotReturned("incident PQ1: responder_requests"), id="not-returned"),
    pytest.param({"responder_requests": None}, NotReturned("incident PQ1: responder_requests"),
                 id="null-is-not-none-asked"),
    # No key of a request is required: the one without its time may have been the first.
    pytest.param({"responder_requests": [{"requested_at": "2026-02-03T15:20:00Z"}, {}]},
                 NotReturned("incident PQ1: responder_requests[1].requested_at"),
                 id="a-request-without-its-time"),
    pytest.param({"responder_requests": [{"requested_at": None}]},
                 NotReturned("incident PQ1: responder_requests[0].requested_at"),
                 id="a-request-with-a-null-time"),
])
def test_first_responder_request(incident: dict[str, Any],
                                 first: datetime | NotReturned | None) -> None:
    assert first_responder_request({**ANALYTICS, **incident}) == first


@pytest.mark.parametrize(("answer", "count"), [
    pytest.param({"subscribers": [{"subscriber_id": "PU1"}], "total": 3}, 3, id="total"),
    pytest.param({"subscribers": [{"subscriber_id": "PU1"}]}, 1, id="listed"),
    pytest.param({"subscribers": []}, 0, id="nobody"),
    pytest.param({}, None, id="not-said-is-not-nobody"),
])
def test_subscriber_count(answer: dict[str, Any], count: int | None) -> None:
    assert subscriber_count(answer, "PQ1") == count


def test_a_log_entry_keeps_who_and_what() -> None:
    entry = parse_log_entry({
        "type": "assign_log_entry", "incident": {"id": "PQ1"},
        "created_at": "2026-02-03T15:00:00Z",
        "agent": {"id": "PU1", "type": "user_reference", "summary": "Ann"},
        "assignees": [{"id": "PU2", "type": "user_reference", "summary": "Ben"}]})
    assert (entry.incident_id, entry.agent, entry.assignees, entry.changeset) == (
        "PQ1", Reference("PU1", "user_reference", "Ann"),
        (Reference("PU2", "user_reference", "Ben"),), None)


def test_an_audit_record() -> None:
    record = parse_audit_record({
        "id": "PAUD1", "execution_time": "2026-02-03T15:00:00Z", "action": "update",
        "root_resource": {"id": "PS1", "type": "service_reference", "summary": "Web"},
        "details": {"fields": [{"name": "num_loops", "before_value": 1, "value": 2},
                               {"name": "description"}],
                    "references": [{"name": "teams"}]}})
    assert record.root == Reference("PS1", "service_reference", "Web")
    assert record.actors is None  # not given: not "nobody"
    assert record.fields == (FieldChange("num_loops", "1", "2", True),
                             FieldChange("description", None, None, False))
    assert record.references == ("teams",)


@pytest.mark.parametrize(("parse", "raw", "message"), [
    pytest.param(lambda raw: parse_analytics_incident(raw, timezone.utc),
                 {**ANALYTICS, "incident_number": "seven"},
                 "analytics incident PQ1: incident_number is 'seven', not a whole number",
                 id="analytics-wrong-type"),
    pytest.param(lambda raw: parse_analytics_incident(raw, timezone.utc),
                 {"id": "PQ1"}, "analytics incident PQ1: created_at is absent",
                 id="analytics-no-time"),
    pytest.param(lambda raw: parse_analytics_incident(raw, timezone.utc),
                 {**ANALYTICS, "assigned_user_names": ["Ann", 5]},
                 r"analytics incident PQ1: assigned_user_names\[1\] is 5, not text",
                 id="analytics-name-not-text"),
    pytest.param(parse_incident, {"id": "PQ1", "title": "Down", "created_at": "yesterday"},
                 "incident PQ1: created_at is 'yesterday', not an ISO 8601 time",
                 id="incident-time"),
    pytest.param(parse_log_entry, {"id": "PL1", "type": "acknowledge_log_entry",
                                   "agent": "Ann"},
                 "log entry PL1: agent is 'Ann', not an object", id="log-entry-agent"),
    pytest.param(parse_audit_record, {"id": "PAUD1", "action": "update",
                                      "root_resource": {"id": "PS1"}},
                 "audit record PAUD1: execution_time is absent", id="audit-no-time"),
    pytest.param(parse_audit_record, {"id": "PAUD1", "execution_time": "2026-02-03T15:00:00Z",
                                      "action": "update"},
                 "audit record PAUD1: root_resource is absent", id="audit-no-object"),
    pytest.param(lambda raw: parse_notes(raw, "PQ1"), {},
                 "the notes of incident PQ1: notes is absent", id="notes-not-listed"),
    pytest.param(lambda raw: parse_notes(raw, "PQ1"), {"notes": [{"content": 5}]},
                 r"the notes of incident PQ1: notes\[0\].content is 5, not text",
                 id="note-content"),
])
def test_errors_name_the_object_and_the_field(parse: Any, raw: dict[str, Any],
                                              message: str) -> None:
    with pytest.raises(ModelError, match=message):
        parse(raw)
