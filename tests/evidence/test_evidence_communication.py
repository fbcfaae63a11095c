"""Judging one incident's communication: each part, and the worst part wins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from evidence_cases import utc

from pdlint.evidence.communication import Told, judge_communication
from pdlint.evidence.model import CommunicationStatus
from pdlint.pagerduty.records import IncidentRecord

CREATED = utc("2026-02-03T15:00")
RECORD = IncidentRecord("PQ1", 1, "t", "s", "P1", "high", "resolved", CREATED, None, None)
BOTH = ("responders", "subscribers")


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
])
def test_judge_communication(notify: tuple[str, ...], told: Told | None, as_of: str,
                             status: CommunicationStatus) -> None:
    check = judge_communication(RECORD, timedelta(minutes=30), notify, told, utc(as_of))
    assert (check.status, check.deadline) == (status, utc("2026-02-03T15:30"))
