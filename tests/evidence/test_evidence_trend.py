"""The monthly trend, on the hand-made account (months in New York time: #8, created on
2026-03-01 07:00 there, is March's; the period ends on 2026-03-01 19:00 New York, so March is
part of it)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from evidence_cases import utc

from pdlint.coverage import Interval
from pdlint.evidence import Evidence
from pdlint.evidence.trend import months_of
from pdlint.sim import SimServer

Package = tuple[Evidence, Path, SimServer]

# (month, severity): (incidents, acknowledged within, decided, resolved within, decided)
EXPECTED_TREND = {
    ("2026-02", "P1"): (3, 2, 3, 2, 3),  # #2 acknowledged and resolved late
    ("2026-02", "P3"): (1, 0, 1, 0, 1),  # #6 never acknowledged, resolved after 90 min
    ("2026-02", "P4"): (2, 1, 2, 0, 2),  # #4 in time, #5 late; both resolved after 12 h
    ("2026-03", "P1"): (0, 0, 0, 0, 0),
    ("2026-03", "P3"): (0, 0, 0, 0, 0),
    ("2026-03", "P4"): (1, 0, 0, 0, 1),  # #8: acknowledgement pending, open past 12 h
}


def test_the_trend_is_the_hand_computed_one(hand_package: Package) -> None:
    evidence, output, _ = hand_package
    assert evidence.trend is not None
    assert {(row.month, row.severity): (row.incidents, row.acknowledged_within,
                                        row.acknowledgement_decided, row.resolved_within,
                                        row.resolution_decided)
            for row in evidence.trend} == EXPECTED_TREND
    with (output / "trend.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["month"], row["severity"], row["share_acknowledged_within"],
             row["share_resolved_within"]) for row in rows][:3] == [
        ("2026-02", "P1", str(2 / 3), str(2 / 3)), ("2026-02", "P3", "0.0", "0.0"),
        ("2026-02", "P4", "0.5", "0.0")]
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "| 2026-02 | P1 | 3 | 66.7% (2 of 3) | 66.7% (2 of 3) |" in summary
    assert "| 2026-03 | P4 | 1 | — (0 of 0) | 0.0% (0 of 1) |" in summary
    page = (output / "index.html").read_text(encoding="utf-8")
    assert '<table id="trend-table">' in page
    assert len(re.findall(r" incidents?</text>", page)) == len(EXPECTED_TREND)


@pytest.mark.parametrize(("since", "until", "zone", "months"), [
    ("2026-02-02T00:00", "2026-03-02T00:00", "America/New_York", ["2026-02", "2026-03"]),
    ("2026-02-01T00:00", "2026-03-01T00:00", "UTC", ["2026-02"]),  # the end is exclusive
    ("2025-12-15T00:00", "2026-01-15T00:00", "UTC", ["2025-12", "2026-01"]),
])
def test_months_of_the_period(since: str, until: str, zone: str, months: list[str]) -> None:
    assert months_of(Interval(utc(since), utc(until)), ZoneInfo(zone)) == months
