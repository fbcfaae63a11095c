"""Judging one incident's communication: each part, and the worst part wins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from evidence_cases import utc

from pdlint.evidence.communication import Told, judge_communication
from pdlint.evidence.model import CommunicationStatus
from pdlint.pagerduty.records import IncidentRecord, NotReturned

CREATED = utc("2026-02-03T15:00")
RECORD = IncidentRecord("PQ1", 1, "t", "s", "P1", "high", "resolved", CREATED, None, None)
BOTH = ("responders", "subscribers")
NOT_RETURNED = NotReturned("incident PQ1: responder_requests")


@pytest.mark.parametrize(("notify", "told", "as_of", "status"), [
    (BOTH, Told(utc("2026-02-03T15:30"), 1), "2026-03-01T00:00", CommunicationStatus.WITHIN),
    (BOTH, Told(utc("2026-02-03T15:31"), 1), "2026-03-01T00:00", CommunicationStatus.LATE),
    (BOTH, Told(utc("2026-02-03T15:31"), 0), "2026-03-01T00:00", CommunicationStatus.MISSING),
    (BOTH, Told(None, 2), "2026-02-03T15:30", CommunicationStatus.PENDING),  # not yet due
    (BOTH, Told(None, 2), "2026-02-03T15:31", CommunicationStatus.MISSING),
    (("subscribers",), Told(None, 1), "2026-03-01T00:00", CommunicationStatus.WITHIN),
    (("responders",), Told(utc("2026-02-03T15:10"), None), "2026-03-01T00:00",
     CommunicationStatus.WITHIN),
    (BOTH, None, "2026-03-01T00:00", CommunicationStatus.NOT_JUDGED),
    pytest.param(BOTH, Told(utc("2026-02-03T15:10"), None), "2026-03-01T00:00",
                 CommunicationStatus.NOT_JUDGED, id="subscribers-not-said-is-not-none"),
    pytest.param(BOTH, Told(NOT_RETURNED, 1), "2026-03-01T00:00",
                 CommunicationStatus.NOT_JUDGED, id="requests-not-returned-are-not-none"),
    pytest.param(("responders",), Told(NOT_RETURNED, None), "2026-02-03T15:20",
                 CommunicationStatus.NOT_JUDGED, id="not-returned-is-not-pending-either"),
    pytest.param(("subscribers",), Told(NOT_RETURNED, 1), "2026-03-01T00:00",
                 CommunicationStatus.WITHIN, id="requests-not-asked-for"),
])
def test_judge_communication(notify: tuple[str, ...], told: Told | None, as_of: str,
                             status: CommunicationStatus) -> None:
    check = judge_communication(RECORD, timedelta(minutes=30), notify, told, utc(as_of))
    assert (check.status, check.deadline) == (status, utc("2026-02-03T15:30"))


@pytest.mark.parametrize(("notify", "told", "unread"), [
    (BOTH, Told(utc("2026-02-03T15:10"), 0), ()),
    (BOTH, Told(None, 0), ()),  # none requested, nobody subscribed: answers, both
    (BOTH, Told(NOT_RETURNED, None), ("responder_requests", "subscribers")),
    (("responders",), Told(NOT_RETURNED, None), ("responder_requests",)),
    (("subscribers",), Told(None, None), ("subscribers",)),
])
def test_the_parts_pagerduty_did_not_return_are_named(
        notify: tuple[str, ...], told: Told, unread: tuple[str, ...]) -> None:
    """What the report lists as not returned (and so skipped): only parts the policy asks
    for."""
    assert told.unread(notify) == unread
