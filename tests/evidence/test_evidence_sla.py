"""Deadlines (fixed and next business day), outcomes and nearest-rank percentiles."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from evidence_cases import POLICY, utc

from pdlint.evidence.model import Response
from pdlint.evidence.sla import (
    judge_resolution,
    judge_response,
    percentile,
    resolution_deadline,
    response_deadline,
)
from pdlint.pagerduty.records import IncidentRecord
from pdlint.policy import load_policy
from pdlint.policy.model import Policy


@pytest.fixture(scope="module")
def policy() -> Policy:
    loaded = load_policy([POLICY])
    assert loaded.policy is not None
    return loaded.policy


def incident(created: str, acknowledged: str | None = None) -> IncidentRecord:
    return IncidentRecord(id="PQ1", number=1, title="t", service="s", priority="P4",
                          urgency="low", status="triggered", created_at=utc(created),
                          acknowledged_at=utc(acknowledged) if acknowledged else None,
                          resolved_at=None)


@pytest.mark.parametrize(("severity", "created", "deadline"), [
    ("P1", "2026-02-03T15:00", "2026-02-03T15:05"),
    ("P3", "2026-02-03T15:00", "2026-02-03T16:00"),
    # next business day, New York 09:00–17:00 Monday–Friday (17:00 EST is 22:00Z)
    ("P4", "2026-02-03T15:00", "2026-02-04T22:00"),  # Tuesday -> Wednesday
    ("P4", "2026-02-06T21:00", "2026-02-09T22:00"),  # Friday afternoon -> Monday
    ("P4", "2026-02-07T03:00", "2026-02-09T22:00"),  # Friday 22:00 New York -> Monday
    ("P4", "2026-02-14T15:00", "2026-02-16T22:00"),  # Saturday -> Monday
    ("P4", "2026-02-15T23:00", "2026-02-16T22:00"),  # Sunday evening -> Monday
    ("P4", "2026-03-06T15:00", "2026-03-09T21:00"),  # Friday -> Monday, now daylight time
])
def test_response_deadline(policy: Policy, severity: str, created: str, deadline: str) -> None:
    documented = policy.severity(severity)
    assert documented is not None
    assert response_deadline(incident(created), documented,
                             policy.organisation.business_hours) == utc(deadline)


DEADLINE = utc("2026-02-03T15:05")


@pytest.mark.parametrize(("acknowledged", "as_of", "outcome"), [
    ("2026-02-03T15:04", "2026-03-01T00:00", Response.WITHIN),
    ("2026-02-03T15:05", "2026-03-01T00:00", Response.WITHIN),  # the deadline is inclusive
    ("2026-02-03T15:06", "2026-03-01T00:00", Response.BREACHED),
    (None, "2026-02-03T15:06", Response.BREACHED),  # never acknowledged, deadline passed
    (None, "2026-02-03T15:05", Response.PENDING),  # never acknowledged, still in time
])
def test_judge_response(acknowledged: str | None, as_of: str, outcome: Response) -> None:
    assert judge_response(incident("2026-02-03T15:00", acknowledged), DEADLINE,
                          utc(as_of)) is outcome


@pytest.mark.parametrize(("values", "percent", "expected"), [
    ([], 50, None),
    ([7.0], 50, 7.0),
    ([7.0], 90, 7.0),
    ([3.0, 1.0, 2.0], 50, 2.0),
    ([1.0, 2.0, 3.0, 4.0], 50, 2.0),  # nearest rank: ceil(0.5 x 4) = 2nd, no interpolation
    ([float(value) for value in range(1, 11)], 90, 9.0),
    ([float(value) for value in range(1, 31)], 90, 27.0),  # 0.9 x 30 is not 27.000...04 here
    ([float(value) for value in range(1, 12)], 90, 10.0),
    ([5.0, 1.0], 100, 5.0),
])
def test_percentile_nearest_rank(values: list[float], percent: int,
                                 expected: float | None) -> None:
    assert percentile(values, percent) == expected


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="percent"):
        percentile([1.0], 0)


def test_seconds_to_acknowledge() -> None:
    record = incident("2026-02-03T15:00", "2026-02-03T15:03")
    assert record.seconds_to_acknowledge == 180
    assert incident("2026-02-03T15:00").seconds_to_acknowledge is None
    assert isinstance(record.created_at, datetime)
    assert record.created_at + timedelta(seconds=180) == record.acknowledged_at


@pytest.mark.parametrize(("resolved", "as_of", "outcome"), [
    ("2026-02-03T16:29", "2026-03-01T00:00", Response.WITHIN),
    ("2026-02-03T16:30", "2026-03-01T00:00", Response.WITHIN),  # the deadline is inclusive
    ("2026-02-03T16:31", "2026-03-01T00:00", Response.BREACHED),
    (None, "2026-02-03T16:31", Response.BREACHED),  # still open past the deadline
    (None, "2026-02-03T16:30", Response.PENDING),  # still open, still in time
])
def test_judge_resolution(policy: Policy, resolved: str | None, as_of: str,
                          outcome: Response) -> None:
    record = incident("2026-02-03T15:00")._replace(
        resolved_at=utc(resolved) if resolved else None)
    p1 = policy.severity("P1")
    assert p1 is not None
    deadline = resolution_deadline(record, p1)
    assert deadline == utc("2026-02-03T16:30")  # resolve_within 1h30m
    assert judge_resolution(record, deadline, utc(as_of)) is outcome


def test_no_resolution_deadline_without_resolve_within(policy: Policy) -> None:
    documented = policy.severity("P1")
    assert documented is not None
    assert resolution_deadline(incident("2026-02-03T15:00"),
                               replace(documented, resolve_within=None)) is None
