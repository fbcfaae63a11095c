"""What an auditor stumbled on in the package, each fixed: durations as the policy writes them,
one time format, whole seconds, the local time of business-day deadlines, ``#number`` names,
the source of each coverage zone, before and after values of changes, open incidents and
incidents without a documented severity beside the count, impossible durations flagged, and
audit records counted once across chunk boundaries."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from evidence_cases import POLICY, utc

from pdlint.evidence import Evidence
from pdlint.evidence.changes import audit_records, change_from_record
from pdlint.evidence.collect import assess_incident
from pdlint.evidence.coverage import ScheduleCoverage
from pdlint.evidence.model import iso
from pdlint.evidence.register import REGISTER_COLUMNS, register_row
from pdlint.findings import Location
from pdlint.pagerduty.records import IncidentRecord, parse_audit_record
from pdlint.policy import load_policy
from pdlint.sim import SimServer

Package = tuple[Evidence, Path, SimServer]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_durations_are_written_as_the_policy_writes_them(hand_package: Package) -> None:
    """The policy says 48h: the package says 48h, not 2d."""
    _, output, _ = hand_package
    assert [row["within"] for row in rows(output / "postmortems.csv")] == ["48h"]
    assert "| P1 | 48h | 3 | 1 | 1 | 1 | 0 | 0 |" in (output / "summary.md").read_text()
    assert [row["resolve_within"] for row in rows(output / "resolution.csv")] == [
        "1h30m", "1h", "12h"]


def test_times_are_whole_seconds_in_utc() -> None:
    assert iso(datetime(2026, 2, 3, 9, 30, 0, 500000, tzinfo=timezone.utc)) == (
        "2026-02-03T09:30:00Z")
    change = change_from_record(parse_audit_record(
        {"id": "PA1", "execution_time": "2026-02-03T04:30:00.500000-05:00", "action": "update",
         "root_resource": {"type": "service_reference", "id": "PS1"}}),
        lambda kind, object_id, name: False)
    assert iso(change.at) == "2026-02-03T09:30:00Z"


def test_seconds_are_integers_in_every_table(hand_package: Package) -> None:
    """540 in sla.csv as in incidents.csv, never 540.0."""
    _, output, _ = hand_package
    p1 = rows(output / "sla.csv")[0]
    assert (p1["median_seconds_to_acknowledge"], p1["p90_seconds_to_acknowledge"]) == (
        "300", "540")
    assert [row["seconds_to_acknowledge"] for row in rows(output / "sla-breaches.csv")] == [
        "540", "", "255600"]  # #2 (P1), #6 (P3, never acknowledged), #5 (P4)
    assert rows(output / "coverage.csv")[0]["required_seconds"] == "2419200"
    assert rows(output / "coverage-gaps.csv")[0]["seconds"] == "28800"


def test_business_day_deadlines_have_their_local_time_beside(hand_package: Package) -> None:
    """Monday 17:00 New York is 22:00Z in February, 21:00Z once daylight time starts."""
    _, output, _ = hand_package
    register = {row["number"]: row for row in rows(output / "incidents.csv")}
    assert (register["4"]["ack_deadline"], register["4"]["ack_deadline_local"]) == (
        "2026-02-09T22:00:00Z", "2026-02-09T17:00:00-05:00")
    assert register["1"]["ack_deadline_local"] == ""  # a fixed SLA: UTC says it all
    breach = next(row for row in rows(output / "sla-breaches.csv") if row["number"] == "5")
    assert breach["ack_deadline_local"] == "2026-02-16T17:00:00-05:00"
    loaded = load_policy([POLICY])
    assert loaded.policy is not None
    friday = IncidentRecord("PQ9", 9, "t", "s", "P4", "low", "acknowledged",
                            utc("2026-03-06T15:00"), None, None)
    assessed = assess_incident(friday, loaded.policy.severity("P4"), loaded.policy,
                               utc("2026-03-01T00:00"), None)
    assert (iso(assessed.ack_deadline), assessed.ack_deadline_local) == (
        "2026-03-09T21:00:00Z", "2026-03-09T17:00:00-04:00")


def test_incidents_are_named_by_number(hand_package: Package) -> None:
    """The headline names the incident without a documented severity as every table does."""
    evidence, output, _ = hand_package
    assert evidence.incidents_without_severity_named == ("#7",)
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert document["incidents"]["without_documented_severity_named"] == ["#7"]


def test_open_incidents_are_flagged_in_the_headline(hand_package: Package) -> None:
    evidence, output, _ = hand_package
    assert evidence.open_incidents == 1  # #8
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert ("- Incidents in the period: 8 (from POST /analytics/raw/incidents; 1 still open; 1 "
            "without a documented severity, in no SLA figure: #7)") in summary
    assert '<b id="headline-incidents" class="bad">8</b>' in (output / "index.html").read_text()


def test_the_source_of_each_coverage_zone_is_stated(hand_package: Package) -> None:
    _, output, _ = hand_package
    assert [row["time_zone_source"] for row in rows(output / "coverage.csv")] == [
        "documented at policy/organisation.yaml:49:16",
        "documented at policy/organisation.yaml:53:16",
        "documented at policy/organisation.yaml:57:16"]
    from_the_account = ScheduleCoverage("S", "24x7", "Europe/Paris", Location("p.yaml", 1),
                                        "PS1", None, None)
    assert from_the_account.time_zone_source == "the schedule's time zone in PagerDuty"


def test_the_change_log_has_before_and_after_values(hand_package: Package) -> None:
    _, output, _ = hand_package
    changes = {row["id"]: row for row in rows(output / "changes.csv")}
    assert changes["PA00001"]["values"] == (
        "escalation_rules[2].escalation_delay_in_minutes: 10 -> 20")
    assert changes["PA00004"]["values"] == "name: — -> Legacy Billing"
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    first = document["changes"]["documented_changes"][0]
    assert first["values"] == [{"field": "escalation_rules[2].escalation_delay_in_minutes",
                                "before": "10", "after": "20"}]
    assert "10 -&gt; 20" in (output / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("acknowledged", "resolved", "problem"), [
    (None, None, None),
    (0, 0, None),
    (5, 30, None),
    (-5, None, "acknowledged before it was created"),
    (None, -1, "resolved before it was created"),
    (5, -1, "resolved before it was created"),
    (-5, -1, "acknowledged before it was created; resolved before it was created"),
])
def test_only_times_before_the_creation_are_a_problem(
        acknowledged: int | None, resolved: int | None, problem: str | None) -> None:
    created = utc("2026-02-03T15:00")

    def minutes(offset: int | None) -> datetime | None:
        return None if offset is None else created + timedelta(minutes=offset)

    record = IncidentRecord("PQ1", 1, "t", "s", "P9", "high", "resolved", created,
                            minutes(acknowledged), minutes(resolved))
    assert record.problem == problem


def test_impossible_durations_are_flagged_not_printed() -> None:
    created = utc("2026-02-03T15:00")
    record = IncidentRecord("PQ1", 1, "t", "s", "P9", "high", "resolved", created,
                            created - timedelta(minutes=5), created - timedelta(minutes=1))
    assert (record.seconds_to_acknowledge, record.seconds_to_resolve) == (None, None)
    assert record.problem == ("acknowledged before it was created; resolved before it was "
                              "created")
    loaded = load_policy([POLICY])
    assert loaded.policy is not None
    row = dict(zip(REGISTER_COLUMNS, register_row(
        assess_incident(record, None, loaded.policy, created, None)), strict=True))
    assert (row["seconds_to_acknowledge"], row["seconds_to_resolve"], row["problem"]) == (
        None, None, record.problem)


class ChunkedAuditTrail:
    """Answers each chunk with the records inside it, both ends included, as the API does."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    async def iter_cursor(self, path: str, key: str, params: dict[str, Any], *,
                          since: datetime, until: datetime) -> AsyncIterator[dict[str, Any]]:
        for record in self.records:
            if since <= utc(record["execution_time"][:16]) <= until:
                yield record


def test_audit_records_at_a_chunk_boundary_are_counted_once() -> None:
    """2026-02-01T00:00 ends the earlier 31-day chunk and starts the later one."""
    records = [{"id": f"PA{index}", "execution_time": at, "action": "update",
                "root_resource": {"type": "service_reference", "id": "PS1"}}
               for index, at in enumerate(
        ("2026-02-20T10:00:00Z", "2026-02-01T00:00:00Z", "2026-01-15T08:00:00Z"))]

    async def read() -> list[str]:
        return [record.id async for record in audit_records(
            ChunkedAuditTrail(records),  # type: ignore[arg-type]  # the client, for one call
            utc("2025-12-01T00:00"),
            utc("2026-03-04T00:00"))]

    assert asyncio.run(read()) == ["PA0", "PA1", "PA2"]
