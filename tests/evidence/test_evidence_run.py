"""The whole package over real HTTP against the simulator: figures worked out by hand, the
analytics fallback, the Audit Trail skip, and the files an auditor opens."""

from __future__ import annotations

import asyncio
import csv
import gc
import hashlib
import json
import logging
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from evidence_cases import (
    EXPECTED_BREACHES,
    EXPECTED_CHANGES,
    EXPECTED_COMMUNICATION,
    EXPECTED_COMMUNICATION_EXCEPTIONS,
    EXPECTED_COVERAGE,
    EXPECTED_POSTMORTEMS,
    EXPECTED_REGISTER_POSTMORTEMS,
    EXPECTED_RESOLUTION,
    EXPECTED_RESOLUTION_BREACHES,
    EXPECTED_SLA,
    HAND_INCIDENTS,
    NOW,
    POLICY,
    REGISTER,
    SINCE,
    UNTIL,
    hand_account,
    register_policy,
    run_evidence,
    utc,
)
from sim_client import fast_config

from pdlint.evidence import Evidence, EvidenceError, EvidenceRequest, write_evidence
from pdlint.evidence.model import iso
from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.errors import ApiUnavailable
from pdlint.pagerduty.fetch import fetch_state
from pdlint.pagerduty.snapshot import write_snapshot
from pdlint.pagerduty.state import LiveState, Window
from pdlint.sim import Fault, Faults, SimServer
from pdlint.sim.account import incident_id, incident_log

Package = tuple[Evidence, Path, SimServer]


def sla_figures(evidence: Evidence) -> dict[str, tuple[object, ...]]:
    return {item.severity: (item.incidents, item.within, item.breached, item.pending,
                            item.acknowledged, item.median_seconds_to_acknowledge,
                            item.p90_seconds_to_acknowledge) for item in evidence.sla}


def test_sla_figures_are_the_hand_computed_ones(hand_package: Package) -> None:
    evidence, _, _ = hand_package
    assert evidence.incidents == len(HAND_INCIDENTS)
    assert evidence.incidents_without_severity == 1
    assert sla_figures(evidence) == EXPECTED_SLA
    breaches = {item.severity: [breach.record.number for breach in item.breaches]
                for item in evidence.sla}
    assert breaches == EXPECTED_BREACHES
    assert evidence.incident_source == "POST /analytics/raw/incidents"


def test_resolution_figures_are_the_hand_computed_ones(hand_package: Package) -> None:
    evidence, output, _ = hand_package
    assert {item.severity: (item.incidents, item.within, item.breached, item.pending,
                            item.resolved, item.median_seconds_to_resolve,
                            item.p90_seconds_to_resolve)
            for item in evidence.resolution} == EXPECTED_RESOLUTION
    assert {item.severity: [breach.record.number for breach in item.breaches]
            for item in evidence.resolution} == EXPECTED_RESOLUTION_BREACHES
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    p1 = document["resolution"][0]
    assert (p1["resolve_within"], p1["documented_at"], p1["share_within"]) == (
        "1h30m", "policy/organisation.yaml:20:21", 2 / 3)
    open_breach = document["resolution"][2]["breaches"][2]
    assert (open_breach["number"], open_breach["resolve_deadline"], open_breach["resolved_at"],
            open_breach["seconds_late"]) == (8, "2026-03-02T00:00:00Z", None, None)
    with (output / "resolution-breaches.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["number"], row["seconds_late"]) for row in rows] == [
        ("2", "1800"), ("6", "1800"), ("4", "198000"), ("5", "216000"), ("8", "")]
    with (output / "incidents.csv").open(encoding="utf-8") as stream:
        register = {row["number"]: row for row in csv.DictReader(stream)}
    assert (register["1"]["resolve_deadline"], register["1"]["resolution"]) == (
        "2026-02-03T16:30:00Z", "within")
    assert (register["7"]["resolve_deadline"], register["7"]["resolution"]) == ("", "")
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "| P4 | 12h | 3 | 0 | 3 | 0 | 0.0% | 2d 19h 00m | 3d 0h 00m |" in summary
    assert "- Resolved within the documented time: 28.6% (2 of 7)" in summary


def test_postmortem_figures_and_exceptions(hand_package: Package) -> None:
    evidence, _, _ = hand_package
    figures = {item.severity: (item.required, item.on_time, item.late, item.missing,
                               item.pending) for item in evidence.postmortems}
    assert figures == EXPECTED_POSTMORTEMS
    (p1,) = evidence.postmortems
    assert [(incident.record.number, incident.postmortem.status.value)
            for incident in p1.exceptions if incident.postmortem] == [(2, "missing"),
                                                                       (3, "late")]


def test_notes_are_read_only_for_incidents_that_need_a_postmortem(hand_package: Package) -> None:
    _, _, server = hand_package
    notes = sorted(record.path for record in server.requests if record.path.endswith("/notes"))
    p1 = [index for index, case in enumerate(HAND_INCIDENTS) if case[0] == "P1"]
    assert notes == sorted(f"/incidents/{incident_id(index)}/notes" for index in p1)


def test_coverage_gaps_of_the_period(hand_package: Package) -> None:
    evidence, _, _ = hand_package
    found = {item.schedule: (item.result.share,
                             [(gap.start, gap.end) for gap in item.result.gaps])
             for item in evidence.coverage if item.result}
    assert found.keys() == EXPECTED_COVERAGE.keys()
    for schedule, (share, gaps) in EXPECTED_COVERAGE.items():
        assert found[schedule][0] == pytest.approx(share)
        assert found[schedule][1] == gaps


def test_change_log_of_the_period(hand_package: Package) -> None:
    evidence, output, server = hand_package
    changes = evidence.changes
    assert changes is not None
    assert (changes.total, changes.documented, dict(changes.by_type)) == (
        EXPECTED_CHANGES["total"], EXPECTED_CHANGES["documented"], EXPECTED_CHANGES["by_type"])
    rows = list(csv.DictReader((output / "changes.csv").open(encoding="utf-8")))
    assert len(rows) == changes.total
    assert [row["at"] for row in rows] == sorted((row["at"] for row in rows), reverse=True)
    assert sum(1 for record in server.requests if record.path == "/audit/records") == 1


def test_register_has_every_incident_in_csv_and_json(hand_package: Package) -> None:
    _, output, _ = hand_package
    rows = list(csv.DictReader((output / "incidents.csv").open(encoding="utf-8")))
    items = json.loads((output / "incidents.json").read_text(encoding="utf-8"))
    assert [row["number"] for row in rows] == [str(item["number"]) for item in items] == [
        str(number) for number in range(1, len(HAND_INCIDENTS) + 1)]
    first = items[0]
    assert (first["severity"], first["seconds_to_acknowledge"], first["sla"],
            first["postmortem_status"]) == ("P1", 180, "within", "on_time")
    assert first["postmortem"] == f"https://wiki.acme.example/postmortems/{incident_id(0)}"
    assert items[6]["severity"] is None and items[6]["sla"] is None
    assert items[7]["sla"] == "pending"


def test_manifest_lists_every_file_with_its_sha256(hand_package: Package) -> None:
    evidence, output, _ = hand_package
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    on_disk = sorted(path.relative_to(output).as_posix() for path in output.rglob("*")
                     if path.is_file() and path.name != "manifest.json")
    assert [entry["path"] for entry in manifest["files"]] == on_disk
    for entry in manifest["files"]:
        data = (output / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert manifest["pdlint_version"] == evidence.pdlint_version
    assert manifest["complete"] is True
    assert "policy/organisation.yaml" in on_disk
    for name in ("index.html", "summary.md", "evidence.json", "drift.json", "drift.sarif",
                 "drift.md", "drift.txt", "drift-junit.xml", "sla.csv", "sla-breaches.csv",
                 "coverage.csv",
                 "coverage-gaps.csv", "postmortems.csv", "postmortem-exceptions.csv"):
        assert name in on_disk


def test_evidence_json_carries_the_figures(hand_package: Package) -> None:
    _, output, _ = hand_package
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert document["generated_at"] == "2026-03-02T12:00:00Z"
    assert document["complete"] is True
    p1 = next(item for item in document["sla"] if item["severity"] == "P1")
    assert (p1["within"], p1["breached"], p1["share_within"]) == (2, 1, pytest.approx(2 / 3))
    assert p1["breaches"][0]["seconds_late"] == 240
    assert p1["documented_at"].startswith("policy/organisation.yaml:")
    assert document["policy"]["files"] == ["policy/escalation-policies.yaml",
                                           "policy/organisation.yaml"]
    assert document["policy"]["copied_from"] == [
        f"tests/fixtures/evidence/policy/{name}"
        for name in ("escalation-policies.yaml", "organisation.yaml")]
    assert document["postmortems"]["unmatched_register_rows"] is None  # notes, not a register


@pytest.mark.parametrize("name", ["manifest.json", "evidence.json"])
def test_manifest_and_evidence_json_state_the_package_s_one_format_version(
        hand_package: Package, name: str) -> None:
    """Version 2 (docs/evidence.md, "Format versions"): policy files, documented_at and drift
    locations name the package's copies, a count not measured is null, and a postmortem not
    judged says so in the register."""
    _, output, _ = hand_package
    document = json.loads((output / name).read_text(encoding="utf-8"))
    assert (document["format"], document["format_version"]) == ("pdlint-evidence", 3)


def line_in_package(output: Path, reference: str) -> str:
    """The line a ``path:line[:column]`` reference names, read from the package itself."""
    path, line, *_ = reference.split(":")
    return (output / path).read_text(encoding="utf-8").splitlines()[int(line) - 1]


@pytest.mark.parametrize(("table", "key", "documented"), [
    ("sla.csv", "severity", {"P1": "response_sla: 5m"}),
    ("postmortems.csv", "severity", {"P1": "postmortem_within: 48h"}),
    ("coverage.csv", "schedule", {"Platform - Secondary": "name: Platform - Secondary"}),
])
def test_documented_at_points_into_the_package_s_copy_of_the_policy(
        hand_package: Package, table: str, key: str, documented: dict[str, str]) -> None:
    _, output, _ = hand_package
    rows = {row[key]: row["documented_at"]
            for row in csv.DictReader((output / table).open(encoding="utf-8"))}
    for name, text in documented.items():
        assert rows[name].startswith("policy/")
        assert text in line_in_package(output, rows[name])


def test_no_reference_in_the_package_points_outside_it(hand_package: Package) -> None:
    _, output, _ = hand_package
    for name in ("index.html", "drift.json", "drift.sarif", "drift.md", "sla.csv",
                 "coverage.csv", "postmortems.csv"):
        assert "tests/fixtures/evidence/policy/organisation" not in (
            (output / name).read_text(encoding="utf-8")), name
    drift = json.loads((output / "drift.json").read_text(encoding="utf-8"))
    located = [finding["location"] for finding in drift["findings"] if finding["location"]]
    assert located
    for location in located:
        assert (output / location["path"]).is_file()
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert all((output / name).is_file() for name in manifest["policy"]["files"])


@pytest.mark.parametrize(("register", "register_copy", "organisation_copy"), [
    ("postmortems.csv", "policy/postmortems.csv", "policy/organisation.yaml"),
    ("registers/postmortems.csv", "policy/registers/postmortems.csv",
     "policy/organisation.yaml"),
    # outside the policy's folder: the copies keep the layout below the folder all share
    ("../registers/postmortems.csv", "policy/registers/postmortems.csv",
     "policy/policy/organisation.yaml"),
], ids=["beside", "below", "outside"])
def test_a_postmortem_register_is_copied_into_the_package(
        hand_server: SimServer, tmp_path: Path, register: str, register_copy: str,
        organisation_copy: str) -> None:
    """The register is evidence the auditor must be able to open: it is copied beside the
    policy, hashed in the manifest, and named by its copy, from which the copied policy's
    ``register:`` line resolves to it."""
    policy = register_policy(tmp_path / "account", register)
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output, policy=policy)
    assert {item.severity: (item.required, item.on_time, item.late, item.missing, item.pending)
            for item in evidence.postmortems} == EXPECTED_REGISTER_POSTMORTEMS
    assert evidence.postmortem_source == f"the register {register_copy}"
    assert (output / register_copy).read_bytes() == REGISTER.read_bytes()
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = [entry for entry in manifest["files"] if entry["path"] == register_copy]
    assert entry["sha256"] == hashlib.sha256(REGISTER.read_bytes()).hexdigest()
    assert register_copy in manifest["policy"]["files"]
    assert str(policy / register) in manifest["policy"]["copied_from"]
    copied = (output / organisation_copy).read_text(encoding="utf-8")
    (named,) = [line.split(":", 1)[1].strip() for line in copied.splitlines()
                if line.strip().startswith("register:")]
    assert ((output / organisation_copy).parent / named).resolve() == (
        output / register_copy).resolve()
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert document["postmortems"]["recorded_in"] == f"the register {register_copy}"
    del document["policy"]["copied_from"]  # the one place that names the user's files
    assert str(tmp_path / "account") not in json.dumps(document)
    for name in ("summary.md", "index.html"):
        text = (output / name).read_text(encoding="utf-8")
        assert f"the register {register_copy}" in text, name
        assert str(tmp_path / "account") not in text, name


def test_register_rows_naming_no_incident_of_the_period_are_listed(hand_server: SimServer,
                                                                   tmp_path: Path) -> None:
    """Rows for an unknown id or number are shown to the auditor with their line in the
    package's register, without changing a figure or failing the run; a row for an incident of
    the period that needs no postmortem (#7, P5) is matched all the same."""
    policy = register_policy(tmp_path / "account", "postmortems.csv",
                             "PQZZZZ,PM-unknown,2026-02-11\n#99,PM-99,2026-02-12T10:00:00Z\n"
                             "7,PM-7,2026-02-26\n")
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output, policy=policy)
    assert {item.severity: (item.required, item.on_time, item.late, item.missing, item.pending)
            for item in evidence.postmortems} == EXPECTED_REGISTER_POSTMORTEMS
    assert not evidence.skipped
    expected = [
        {"register_row": "policy/postmortems.csv:5", "incident": "PQZZZZ",
         "postmortem": "PM-unknown", "completed_at": "2026-02-12T04:59:59Z"},
        {"register_row": "policy/postmortems.csv:6", "incident": "99", "postmortem": "PM-99",
         "completed_at": "2026-02-12T10:00:00Z"},
    ]
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert document["postmortems"]["unmatched_register_rows"] == expected
    assert document["complete"] is True
    assert (line_in_package(output, "policy/postmortems.csv:6")
            == "#99,PM-99,2026-02-12T10:00:00Z")
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "2 row(s) of the register match no incident of the period" in summary
    assert ("| policy/postmortems.csv:5 | PQZZZZ | PM-unknown | 2026-02-12T04:59:59Z |"
            in summary)
    html = (output / "index.html").read_text(encoding="utf-8")
    assert 'id="postmortem-unmatched"' in html and "policy/postmortems.csv:6" in html


def test_analytics_refused_falls_back_to_incidents_and_log_entries(
        hand_server: SimServer, tmp_path: Path) -> None:
    hand_server.faults = Faults(forbidden={"/analytics/raw/incidents": 403})
    evidence = run_evidence(hand_server, tmp_path / "package")
    assert evidence.incident_source == "GET /incidents joined with GET /log_entries"
    assert "analytics not permitted" in (evidence.incident_source_note or "")
    assert sla_figures(evidence) == EXPECTED_SLA
    assert {item.severity: (item.required, item.on_time, item.late, item.missing, item.pending)
            for item in evidence.postmortems} == EXPECTED_POSTMORTEMS
    paths = {record.path for record in hand_server.requests}
    assert {"/incidents", "/log_entries"} <= paths
    assert not evidence.skipped


ANALYTICS_REFUSED = {"/analytics/raw/incidents": 403}
REST = "from GET /incidents joined with GET /log_entries"


def acknowledgement_entry(number: int) -> str:
    """The id of the log entry acknowledging incident #number of the hand-made account."""
    incident = next(item for item in hand_account().incidents
                    if item.id == incident_id(number - 1))
    return next(event.id for event in incident_log(incident) if event.kind == "acknowledge")


@pytest.mark.parametrize(("path", "fields", "only", "headline", "skipped"), [
    # No priority key (null would be "no priority"): no severity is known, so nothing is
    # "without a documented severity" and no figure by severity is measured.
    ("/incidents", ("priority",), "", [
        f"- Incidents in the period: 8 ({REST}; 1 still open; 8 whose priority was not read, "
        "so of unknown severity)",
        "- Acknowledged within the documented SLA: not measured (8 of unknown severity, not "
        "judged)",
        "- Resolved within the documented time: not measured (8 of unknown severity, not "
        "judged)",
        "- Postmortems missing or late: not measured (8 of unknown severity, not judged)",
    ], ["sla", "resolution", "communication", "postmortems"]),
    # #7 (of no documented priority) without it: the figures stand, the one incident apart.
    ("/incidents", ("priority",), incident_id(6), [
        f"- Incidents in the period: 8 ({REST}; 1 still open; 1 whose priority was not read, "
        "so of unknown severity)",
        "- Acknowledged within the documented SLA: 50.0% (3 of 6; 1 of unknown severity, not "
        "judged)",
    ], ["sla", "resolution", "communication", "postmortems"]),
    # #2 (P1, acknowledged late) with a priority that names itself neither way: within #1,
    # #3, #4, breached #5, #6 (#8 pending): 3 of 5.
    ("/incidents", ("priority.name", "priority.summary"), incident_id(1), [
        "- Acknowledged within the documented SLA: 60.0% (3 of 5; 1 of unknown severity, not "
        "judged)",
        "- SLA breaches: 2 (1 of unknown severity, not judged)",
    ], ["sla", "resolution", "communication", "postmortems"]),
    # No resolved_at key (null would be "open"): none is "still open", none judged for
    # resolution, and no postmortem due date is known.
    ("/incidents", ("resolved_at",), "", [
        f"- Incidents in the period: 8 ({REST}; 1 without a documented severity, in no SLA "
        "figure: #7)",
        "- Acknowledged within the documented SLA: 50.0% (3 of 6)",  # #8 pending
        "- Resolved within the documented time: not measured (7 of 7 not judged)",
        "- Postmortems missing or late: not measured (3 of 3 not judged)",
    ], ["resolution", "postmortems"]),
    # #2 (P1, acknowledged late, its only acknowledgement) without the entry's time, type or
    # incident: P1 2 within, 0 breached; with P3's and P4's breaches, 3 of 5 within.
    *[("/log_entries", (field,), 2, [
        "- Acknowledged within the documented SLA: 60.0% (3 of 5; 1 of 7 not judged)",
        "- SLA breaches: 2 (1 of 7 not judged)",
        "- Resolved within the documented time: 28.6% (2 of 7)",
    ], ["sla", "sla"] if field == "incident" else ["sla"])
      for field in ("created_at", "type", "incident")],
    # Naming neither its incident nor its time, it may have been any incident's first.
    ("/log_entries", ("incident", "created_at"), 2, [
        "- Acknowledged within the documented SLA: not measured (7 of 7 not judged)",
        "- SLA breaches: not measured (7 of 7 not judged)",
    ], ["sla", "sla"]),
], ids=["priority-none", "priority-one", "priority-unnamed", "resolved-none",
        "ack-time", "ack-type", "ack-incident", "ack-incident-and-time"])
def test_a_field_the_fallback_was_not_returned_is_not_judged_never_a_false_figure(
        hand_server: SimServer, tmp_path: Path, path: str, fields: tuple[str, ...],
        only: str | int, headline: list[str], skipped: list[str]) -> None:
    """With analytics refused, as with analytics (above): an incident of ``GET /incidents``
    without ``priority`` or ``resolved_at`` (the spec requires neither; null is "none" and
    "open"), or whose first acknowledgement its log does not tell, is not judged by it, and
    each part it leaves incomplete is skipped; a log entry that may be an acknowledgement and
    names no incident is named in the SLA part's skip."""
    object_id = acknowledgement_entry(only) if isinstance(only, int) else only
    hand_server.faults = Faults(forbidden=ANALYTICS_REFUSED, scripted=tuple(
        Fault("omit_field", path, field=field, object_id=object_id) for field in fields))
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output)
    assert evidence.incident_source == "GET /incidents joined with GET /log_entries"
    summary = (output / "summary.md").read_text(encoding="utf-8").splitlines()
    for line in headline:
        assert line in summary
    assert [skip.rule for skip in evidence.skipped] == skipped
    if "incident" in fields:
        assert f"the incident it is about ({object_id})" in evidence.skipped[-1].reason
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False


def test_notes_refused_for_one_incident_leave_the_register_whole(hand_server: SimServer,
                                                                 tmp_path: Path) -> None:
    """A 403 on one incident's notes (a team the token may not see) costs that incident's
    postmortem verdict, said as a skipped part; the register, SLA and other verdicts stay."""
    refused = incident_id(0)  # P1, postmortem on time
    hand_server.faults = Faults(forbidden={f"/incidents/{refused}/notes": 403})
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output)
    assert evidence.incidents == len(HAND_INCIDENTS)
    assert sla_figures(evidence) == EXPECTED_SLA
    assert {item.severity: (item.required, item.on_time, item.late, item.missing, item.pending)
            for item in evidence.postmortems} == {"P1": (3, 0, 1, 1, 0)}
    assert [item.not_judged for item in evidence.postmortems] == [1]
    (skip,) = evidence.skipped
    assert skip.rule == "postmortems" and "for 1 incident, whose" in skip.reason
    assert f"#1 (GET /incidents/{refused}/notes" in skip.reason  # #number, as every table
    items = json.loads((output / "incidents.json").read_text(encoding="utf-8"))
    assert len(items) == len(HAND_INCIDENTS)
    assert (items[0]["severity"], items[0]["sla"], items[0]["postmortem_status"]) == (
        "P1", "within", "not_judged")
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False


def test_audit_trail_refused_is_a_skipped_section(hand_server: SimServer,
                                                  tmp_path: Path) -> None:
    hand_server.faults = Faults(forbidden={"/audit/records": 402})
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output)
    assert evidence.changes is None
    assert [skip.rule for skip in evidence.skipped] == ["changes"]
    assert "Audit Trail" in evidence.skipped[0].reason
    assert not (output / "changes.csv").exists()
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    assert "Incomplete: 1 section skipped" in (output / "summary.md").read_text()
    assert 'id="incomplete"' in (output / "index.html").read_text()
    assert sla_figures(evidence) == EXPECTED_SLA


def test_the_demo_account_end_to_end(tmp_path: Path) -> None:
    """The bundled demo account and example policy: its one missing postmortem, its Saturday
    coverage gap and its breaches all show."""
    from pdlint.sim import demo_account

    with SimServer(demo_account(NOW), token="demo-token") as server:
        evidence = run_evidence(server, tmp_path / "package",
                                policy=Path(__file__).parents[2] / "policy",
                                since=NOW - timedelta(days=181), until=NOW)
    assert evidence.incidents == 40
    assert sum(item.missing for item in evidence.postmortems) == 1
    secondary = next(item for item in evidence.coverage
                     if item.schedule == "Platform - Secondary")
    assert secondary.result is not None and len(secondary.result.gaps) >= 25
    assert sum(item.breached for item in evidence.sla) > 0
    assert evidence.changes is not None and evidence.changes.total == 20
    legacy = [change for change in evidence.changes.documented_changes
              if change.resource_name == "Legacy Billing"]
    assert not legacy, "Legacy Billing is not documented"
    assert evidence.changes.documented < evidence.changes.total


@pytest.mark.parametrize(("forbidden", "sections", "banner"), [
    (("/users",), ["drift"], "Incomplete: 1 section skipped."),
    (("/priorities",), ["drift"], "Incomplete: 1 section skipped."),
    (("/schedules",), ["coverage", "drift"], "Incomplete: 2 sections skipped."),
    (("/users", "/priorities"), ["drift", "drift"],  # one section, two entries
     "Incomplete: 1 section skipped."),
])
def test_a_collection_the_drift_check_could_not_read_makes_the_package_incomplete(
        hand_server: SimServer, tmp_path: Path, forbidden: tuple[str, ...],
        sections: list[str], banner: str) -> None:
    hand_server.faults = Faults(forbidden=dict.fromkeys(forbidden, 403))
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output)
    assert sorted(skip.rule for skip in evidence.skipped) == sections
    assert all(any(f"GET {path}" in skip.reason for path in forbidden)
               for skip in evidence.skipped)
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert document["complete"] is False
    assert sorted(item["section"] for item in document["skipped"]) == sections
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    assert banner in (output / "summary.md").read_text(encoding="utf-8")
    assert f'id="incomplete"><b>{banner}</b>' in (output / "index.html").read_text(
        encoding="utf-8")


def test_the_drift_section_says_what_it_measured(hand_package: Package) -> None:
    """Coverage (SCH201) is judged over the rendered window, the rest of the configuration as it
    was read: the labels say both, never "at the time of the run" alone."""
    evidence, output, _ = hand_package
    assert evidence.drift is not None
    window = "on-call coverage (SCH201) over 2026-02-02T00:00:00Z to 2026-03-02T00:00:00Z"
    read = f"configuration as read at {iso(evidence.drift.read_at)}"
    for name in ("summary.md", "index.html", "drift.md", "drift.txt"):
        text = (output / name).read_text(encoding="utf-8")
        assert window in text and read in text, name
        assert "at the time of the run" not in text, name
    assert (output / "drift.txt").read_text(encoding="utf-8").startswith(
        f"pdlint drift: {read}; {window}\n\n")
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert document["drift"]["coverage_rendered"] == {"since": "2026-02-02T00:00:00Z",
                                                      "until": "2026-03-02T00:00:00Z"}
    gaps = [finding for finding in json.loads((output / "drift.json").read_text())["findings"]
            if finding["rule"] == "SCH201"]
    assert gaps, "the secondary schedule's Saturday gaps are drift findings too"


@pytest.mark.parametrize(("since", "until"), [
    (NOW + timedelta(days=1), NOW + timedelta(days=30)),
    (NOW, NOW + timedelta(days=1)),
    (NOW + timedelta(days=1000), NOW + timedelta(days=1180)),
], ids=["tomorrow", "starting-now", "years-ahead"])
def test_a_period_that_has_not_started_is_refused(hand_server: SimServer, tmp_path: Path,
                                                  since: datetime, until: datetime) -> None:
    output = tmp_path / "package"
    with pytest.raises(EvidenceError, match=r"after this run .*nothing to measure yet"):
        run_evidence(hand_server, output, since=since, until=until)
    assert not output.exists()
    assert hand_server.requests == []


def test_a_period_ending_after_the_run_is_measured_up_to_the_run(hand_server: SimServer,
                                                                tmp_path: Path) -> None:
    """Rotations after the run are only planned: no gap, incident or change after it is
    evidence, and every file says where the measuring stopped."""
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output, until=NOW + timedelta(days=120))
    assert evidence.measured.end == NOW
    secondary = next(item for item in evidence.coverage
                     if item.schedule == "Platform - Secondary")
    assert secondary.measured is not None and secondary.measured.end == NOW
    assert secondary.result is not None
    assert [(gap.start, gap.end) for gap in secondary.result.gaps] == (
        EXPECTED_COVERAGE["Platform - Secondary"][1])
    assert sla_figures(evidence) == EXPECTED_SLA
    note = "the period ends after this run; measured up to 2026-03-02T12:00:00Z"
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert document["period"]["note"] == note
    assert document["period"]["measured_until"] == "2026-03-02T12:00:00Z"
    assert document["drift"]["coverage_rendered"]["until"] == "2026-03-02T12:00:00Z"
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"]["note"] == note
    assert note in (output / "summary.md").read_text(encoding="utf-8")
    assert "The period ends after this run; measured up to 2026-03-02T12:00:00Z" in (
        output / "index.html").read_text(encoding="utf-8")
    drift = json.loads((output / "drift.json").read_text(encoding="utf-8"))
    assert all("2026-03-07" not in finding["message"] for finding in drift["findings"])


def test_a_finished_period_has_no_note(hand_package: Package) -> None:
    evidence, output, _ = hand_package
    assert evidence.measured == evidence.period
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert document["period"]["note"] is None
    assert "ends after this run" not in (output / "summary.md").read_text(encoding="utf-8")


NOT_JUDGED_HEADLINE = "- Postmortems missing or late: not measured (3 of 3 not judged)"


@pytest.mark.parametrize(("forbidden", "headline", "postmortem_row"), [
    ({"/incidents/": 403}, [
        "- Incidents in the period: 8 (from POST /analytics/raw/incidents; 1 still open; 1 "
        "without a documented severity, in no SLA figure: #7)",
        NOT_JUDGED_HEADLINE,
        "- Communication late or missing: not measured (3 of 3 not judged)",
    ], {"required": "3", "on_time": "0", "missing": "0", "not_judged": "3"}),
    ({f"/incidents/{incident_id(1)}/notes": 403}, [
        "- Postmortems missing or late: 1 (1 of 3 not judged)",
    ], {"required": "3", "on_time": "1", "late": "1", "missing": "0", "not_judged": "1"}),
    ({"/analytics/raw/incidents": 403, "/incidents": 403}, [
        "- Incidents in the period: not measured",
        "- Acknowledged within the documented SLA: not measured",
        "- SLA breaches: not measured",
        "- Resolved within the documented time: not measured",
        "- Communication late or missing: not measured",
        "- Postmortems missing or late: not measured",
        "**Incomplete: 5 sections skipped.**",  # incidents, sla, resolution, communication,
        # postmortems: every part measured from the incidents
    ], None),
    ({"/audit/records": 402}, [
        "- Configuration changes: not measured",
        "- Postmortems missing or late: 2",
    ], {"required": "3", "on_time": "1", "late": "1", "missing": "1", "not_judged": "0"}),
], ids=["all-notes-refused", "one-note-refused", "incidents-refused", "audit-refused"])
def test_what_was_not_measured_never_reads_as_zero(
        hand_server: SimServer, tmp_path: Path, forbidden: dict[str, int], headline: list[str],
        postmortem_row: dict[str, str] | None) -> None:
    hand_server.faults = Faults(forbidden=forbidden)
    output = tmp_path / "package"
    run_evidence(hand_server, output)
    summary = (output / "summary.md").read_text(encoding="utf-8").splitlines()
    for line in headline:
        assert line in summary
    if any(line.startswith("- Communication late or missing: not measured") for line in headline):
        assert 'id="headline-communication">not measured<' in (output / "index.html").read_text()
    if postmortem_row is None:
        assert not (output / "postmortems.csv").exists()
        assert "Not measured: the incidents could not be read" in "\n".join(summary)
        assert 'id="headline-incidents">not measured<' in (output / "index.html").read_text()
    else:
        (row,) = csv.DictReader((output / "postmortems.csv").open(encoding="utf-8"))
        assert {key: row[key] for key in postmortem_row} == postmortem_row


ANALYTICS = "/analytics/raw/incidents"
"""Incident #n is ``incident_id(n - 1)``."""


@pytest.mark.parametrize(("field", "only", "headline", "skipped"), [
    # No acknowledgement time: none of the 7 incidents of a documented severity is judged.
    ("seconds_to_first_ack", "", [
        "- Acknowledged within the documented SLA: not measured (7 of 7 not judged)",
        "- SLA breaches: not measured (7 of 7 not judged)",
        "- Resolved within the documented time: 28.6% (2 of 7)",
    ], ["sla"]),
    # #2 (P1, acknowledged late) without it: P1 2 within, 0 breached; with P3's and P4's
    # breaches, 3 of 5 within.
    ("seconds_to_first_ack", incident_id(1), [
        "- Acknowledged within the documented SLA: 60.0% (3 of 5; 1 of 7 not judged)",
        "- SLA breaches: 2 (1 of 7 not judged)",
    ], ["sla"]),
    # No resolution time: no incident is "still open", none judged for resolution, and no
    # postmortem due date is known.
    ("resolved_at", "", [
        "- Incidents in the period: 8 (from POST /analytics/raw/incidents; 1 without a "
        "documented severity, in no SLA figure: #7)",
        "- Acknowledged within the documented SLA: 50.0% (3 of 6)",
        "- Resolved within the documented time: not measured (7 of 7 not judged)",
        "- Postmortems missing or late: not measured (3 of 3 not judged)",
    ], ["resolution", "postmortems"]),
    # #2 (P1, resolved late) without it: 2 within (#1, #3), 4 late (#6, #4, #5, #8).
    ("resolved_at", incident_id(1), [
        "- Resolved within the documented time: 33.3% (2 of 6; 1 of 7 not judged)",
        "- Postmortems missing or late: 1 (1 of 3 not judged)",  # #3 late; #2's not judged
    ], ["resolution", "postmortems"]),
    # No priority: no severity is known, so nothing is "without a documented severity" and
    # no figure by severity is measured.
    ("priority_name", "", [
        "- Incidents in the period: 8 (from POST /analytics/raw/incidents; 1 still open; 8 "
        "whose priority was not read, so of unknown severity)",
        "- Acknowledged within the documented SLA: not measured (8 of unknown severity, not "
        "judged)",
        "- SLA breaches: not measured (8 of unknown severity, not judged)",
        "- Resolved within the documented time: not measured (8 of unknown severity, not "
        "judged)",
        "- Communication late or missing: not measured (8 of unknown severity, not judged)",
        "- Postmortems missing or late: not measured (8 of unknown severity, not judged)",
    ], ["sla", "resolution", "communication", "postmortems"]),
    # #7 (of no documented priority) without it: the figures stand, the one incident apart.
    ("priority_name", incident_id(6), [
        "- Incidents in the period: 8 (from POST /analytics/raw/incidents; 1 still open; 1 "
        "whose priority was not read, so of unknown severity)",
        "- Acknowledged within the documented SLA: 50.0% (3 of 6; 1 of unknown severity, not "
        "judged)",
    ], ["sla", "resolution", "communication", "postmortems"]),
], ids=["ack-none", "ack-one", "resolved-none", "resolved-one", "priority-none", "priority-one"])
def test_an_incident_field_not_returned_is_not_judged_never_a_false_figure(
        hand_server: SimServer, tmp_path: Path, field: str, only: str, headline: list[str],
        skipped: list[str]) -> None:
    """Analytics returned without a key the figures judge by (none is required by the spec):
    those incidents are not judged by it, never taken as never acknowledged, still open or of
    no documented severity, and each part they leave incomplete is skipped."""
    hand_server.faults = Faults(scripted=(
        Fault("omit_field", ANALYTICS, field=field, object_id=only),))
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output)
    summary = (output / "summary.md").read_text(encoding="utf-8").splitlines()
    for line in headline:
        assert line in summary
    assert [skip.rule for skip in evidence.skipped] == skipped
    assert all(field in skip.reason for skip in evidence.skipped)


def _row_key(row: dict[str, str]) -> str:
    return f"{row['month']} {row['severity']}" if "month" in row else row["severity"]


@pytest.mark.parametrize(("field", "only", "file", "cells", "unread"), [
    # Read in full: acknowledged 3 (P1), 0 (P3: #6 never was), 2 (P4: #8 is not yet); no row
    # of unknown severity.
    pytest.param("", "", "sla.csv", {"P1": {"acknowledged": "3", "not_judged": "0"},
                                     "P3": {"acknowledged": "0"}, "P4": {"acknowledged": "2"}},
                 0, id="read-in-full"),
    # No acknowledgement time: how many were acknowledged is not known, never 0.
    pytest.param("seconds_to_first_ack", "", "sla.csv", {
        "P1": {"acknowledged": "", "median_seconds_to_acknowledge": "", "not_judged": "3"},
        "P3": {"acknowledged": "", "not_judged": "1"},
        "P4": {"acknowledged": "", "not_judged": "3"}}, 0, id="ack-none"),
    # #2 (P1) without it: P1's count is not known; its median and p90 over #1 (180 s) and
    # #3 (300 s), nearest rank: 180 and 300. P3 and P4 are read in full.
    pytest.param("seconds_to_first_ack", incident_id(1), "sla.csv", {
        "P1": {"acknowledged": "", "median_seconds_to_acknowledge": "180",
               "p90_seconds_to_acknowledge": "300", "not_judged": "1"},
        "P3": {"acknowledged": "0"}, "P4": {"acknowledged": "2", "not_judged": "0"}},
        0, id="ack-one"),
    pytest.param("resolved_at", "", "resolution.csv", {
        "P1": {"resolved": "", "not_judged": "3"}, "P3": {"resolved": "", "not_judged": "1"},
        "P4": {"resolved": "", "not_judged": "3"}}, 0, id="resolved-none"),
    # No priority: the documented severities' rows hold none of the 8, the last row all.
    pytest.param("priority_name", "", "sla.csv", {
        "P1": {"incidents": "0", "not_judged": "0"},
        "not read": {"name": "", "incidents": "8", "within": "", "breached": "", "pending": "",
                     "acknowledged": "", "not_judged": "8"}}, 8, id="priority-none-sla"),
    pytest.param("priority_name", "", "resolution.csv", {
        "P4": {"incidents": "0"},
        "not read": {"incidents": "8", "within": "", "resolved": "", "not_judged": "8"}},
        8, id="priority-none-resolution"),
    # Whether they needed communication or a postmortem is not known: required is empty.
    pytest.param("priority_name", "", "communication.csv", {
        "P1": {"required": "0"},
        "not read": {"required": "", "within": "", "late": "", "missing": "",
                     "not_judged": "8"}}, 8, id="priority-none-communication"),
    pytest.param("priority_name", "", "postmortems.csv", {
        "P1": {"required": "0"},
        "not read": {"required": "", "missing": "", "not_judged": "8"}},
        8, id="priority-none-postmortems"),
    # #1–#7 were created in February (New York), #8 on March 1.
    pytest.param("priority_name", "", "trend.csv", {
        "2026-02 P1": {"incidents": "0"},
        "2026-02 not read": {"incidents": "7", "acknowledged_within": "",
                             "acknowledgement_decided": "", "resolution_decided": ""},
        "2026-03 not read": {"incidents": "1", "share_acknowledged_within": ""}},
        8, id="priority-none-trend"),
    # #7 (P5, of no documented severity) without it: the documented rows stand, #7 apart.
    pytest.param("priority_name", incident_id(6), "sla.csv", {
        "P1": {"incidents": "3", "acknowledged": "3"},
        "not read": {"incidents": "1", "not_judged": "1"}}, 1, id="priority-one-sla"),
    pytest.param("priority_name", incident_id(6), "trend.csv", {
        "2026-02 P1": {"incidents": "3"}, "2026-02 not read": {"incidents": "1"},
        "2026-03 not read": {"incidents": "0"}}, 1, id="priority-one-trend"),
])
def test_a_table_per_severity_never_reads_0_for_what_was_not_read(
        hand_server: SimServer, tmp_path: Path, field: str, only: str, file: str,
        cells: dict[str, dict[str, str]], unread: int) -> None:
    """Counts that could not be known are empty, never 0: how many were acknowledged (or
    resolved) when PagerDuty did not return the time of some; and the incidents whose priority
    it did not return, in none of the documented severities' rows, are a last row of severity
    ``not read`` (and a note under each table of summary.md and index.html)."""
    if field:
        hand_server.faults = Faults(scripted=(
            Fault("omit_field", ANALYTICS, field=field, object_id=only),))
    output = tmp_path / "package"
    run_evidence(hand_server, output)
    rows = {_row_key(row): row for row in csv.DictReader(
        (output / file).open(encoding="utf-8"))}
    for key, expected in cells.items():
        assert {column: rows[key][column] for column in expected} == expected, key
    assert any(row["severity"] == "not read" for row in rows.values()) is bool(unread)
    note = (f"Not in the rows above: {unread} incident{'s' if unread > 1 else ''} whose "
            "priority was not read, so of unknown severity, not judged.")
    summary = (output / "summary.md").read_text(encoding="utf-8").splitlines()
    page = (output / "index.html").read_text(encoding="utf-8")
    # Under the SLA, resolution, communication and postmortem tables.
    assert (summary.count(note), page.count(f'severity-unread">{note}<')) == (
        (4, 4) if unread else (0, 0))


def incident_read(index: int, field: str, object_id: str = "") -> Fault:
    """``field`` taken out of what is read of hand incident #``index + 1`` alone (its
    ``GET /incidents/{id}`` and the answers below it)."""
    return Fault("omit_field", f"/incidents/{incident_id(index)}", field=field,
                 object_id=object_id)


EVERY_INCIDENT = "/incidents/"
"""Every ``GET /incidents/{id}`` and the answers below them (not analytics)."""


@pytest.mark.parametrize(("faults", "headline", "figures", "skipped"), [
    # Absent (an account without the responder requests feature): no P1 incident's
    # communication is judged, never "nobody requested" (3 missing).
    ((Fault("omit_field", EVERY_INCIDENT, field="responder_requests"),), [
        "- Communication late or missing: not measured (3 of 3 not judged)",
        "- Postmortems missing or late: 2",
    ], {"communication": (3, 0, 0, 0, 0, 3), "postmortems": (3, 1, 1, 1, 0, 0)},
        [("communication", "3 incidents", "responder_requests", "(#1, #2, #3)")]),
    # #2 (late) without them: #1 within, #3 missing, #2 not judged.
    ((incident_read(1, "responder_requests"),), [
        "- Communication late or missing: 1 (1 of 3 not judged)",
    ], {"communication": (3, 1, 0, 1, 0, 1)},
        [("communication", "1 incident", "responder_requests", "(#2)")]),
    # Requests without requested_at (#1, #2): either may have been the first. #3's list is
    # empty, a real answer: still missing.
    ((Fault("omit_field", EVERY_INCIDENT, field="responder_requests.requested_at"),), [
        "- Communication late or missing: 1 (2 of 3 not judged)",
    ], {"communication": (3, 0, 0, 1, 0, 2)},
        [("communication", "2 incidents", "requested_at", "(#1, #2)")]),
    # Notes without their text (content, which the spec requires): no postmortem is judged,
    # never missing (#1's on-time one would be).
    ((Fault("omit_field", EVERY_INCIDENT, field="content"),), [
        "- Postmortems missing or late: not measured (3 of 3 not judged)",
        "- Communication late or missing: 2",
    ], {"postmortems": (3, 0, 0, 0, 0, 3), "communication": (3, 1, 1, 1, 0, 0)},
        [("postmortems", "3 incidents", "content", "(#1, #2, #3)")]),
    # #1's first note ("Investigating") alone without its text: its postmortem link is still
    # there, but the note without one may hold an earlier link. #2 late, #3 missing.
    ((incident_read(0, "content", object_id="PW00000"),), [
        "- Postmortems missing or late: 2 (1 of 3 not judged)",
    ], {"postmortems": (3, 0, 1, 1, 0, 1)},
        [("postmortems", "1 incident", "content", "(#1)")]),
], ids=["requests-absent", "requests-absent-one", "requested-at-absent", "note-content-absent",
        "one-note-content-absent"])
def test_what_pagerduty_did_not_return_of_an_incident_is_not_judged_never_none(
        hand_server: SimServer, tmp_path: Path, faults: tuple[Fault, ...], headline: list[str],
        figures: dict[str, tuple[int, ...]], skipped: list[tuple[str, ...]]) -> None:
    """Responder requests (returned only where the account has the feature, none of their
    keys required) and a note's text not returned: those incidents' communication or
    postmortem is not judged, and the part skipped naming them, never "none requested" or
    "no postmortem"."""
    hand_server.faults = Faults(scripted=faults)
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output)
    summary = (output / "summary.md").read_text(encoding="utf-8").splitlines()
    for line in headline:
        assert line in summary
    measured = {
        "communication": [(item.required, item.within, item.late, item.missing, item.pending,
                           item.not_judged) for item in evidence.communication],
        "postmortems": [(item.required, item.on_time, item.late, item.missing, item.pending,
                         item.not_judged) for item in evidence.postmortems]}
    assert {part: measured[part] for part in figures} == {
        part: [figure] for part, figure in figures.items()}
    assert [skip.rule for skip in evidence.skipped] == [part for part, *_ in skipped]
    for skip, (_, *said) in zip(evidence.skipped, skipped, strict=True):
        assert all(words in skip.reason for words in said), skip.reason
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False


@pytest.mark.parametrize(("since", "until", "changes_read"), [
    (utc("2025-02-01T00:00"), UNTIL, True),
    (utc("2024-01-01T00:00"), utc("2024-07-01T00:00"), False),
], ids=["starts-before-retention", "wholly-before-retention"])
def test_audit_records_pagerduty_no_longer_keeps_are_not_reported_as_no_changes(
        hand_server: SimServer, tmp_path: Path, since: datetime, until: datetime,
        changes_read: bool) -> None:
    """PagerDuty keeps audit records 12 months: on NOW (2026-03-02 12:00) none before
    2025-03-02 12:00. That part of the period is named, not read, and the package is not
    complete for it."""
    kept_from = "2025-03-02T12:00:00Z"
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output, since=since, until=until)
    lost = f"{iso(since)} to {min(iso(until) or '', kept_from)}"
    (skip,) = [skip for skip in evidence.skipped if skip.rule == "changes"]
    assert "keeps audit records for 12 months" in skip.reason and lost in skip.reason
    audit = [record for record in hand_server.requests if record.path == "/audit/records"]
    assert all(record.query["since"][0] >= "2025-03-02T12:00:00" for record in audit)
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    summary = (output / "summary.md").read_text(encoding="utf-8")
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    if changes_read:
        assert evidence.changes is not None and evidence.changes.total > 0
        assert (output / "changes.csv").exists()
        note = f"PagerDuty no longer keeps audit records for {lost}"
        assert note in summary
        assert note in (output / "index.html").read_text(encoding="utf-8")
        assert document["changes"]["not_available"]["until"] == kept_from
        assert "none available before 2025-03-02T12:00:00Z" in summary
    else:
        assert evidence.changes is None and audit == []
        assert "- Configuration changes: not measured" in summary
        assert not (output / "changes.csv").exists()


def test_a_configuration_listing_that_fails_leaves_one_error_and_nothing_else(
        hand_server: SimServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The listing's failure fails what was judging it too: both are collected, so asyncio has
    no task error left to print, traceback and all, when the run exits."""
    hand_server.faults = Faults(scripted=(Fault("status", "/schedules", status=503),))
    output = tmp_path / "package"
    with caplog.at_level(logging.ERROR, logger="asyncio"), pytest.raises(ApiUnavailable):
        run_evidence(hand_server, output, max_attempts=3, backoff_base=0.3, backoff_cap=0.3)
    gc.collect()
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []
    assert not output.exists()


def snapshot_of(server: SimServer, since: datetime, until: datetime, path: Path) -> Path:
    """The server's configuration read over real HTTP, its schedules rendered over the window,
    saved as ``pdlint snapshot`` saves it."""
    async def read() -> LiveState:
        async with PagerDutyClient(fast_config(server)) as client:
            return await fetch_state(client, Window(since, until), layer_renderings=False)

    write_snapshot(asyncio.run(read()), path)
    return path


@pytest.mark.parametrize(("rendered_from", "measured", "note"), [
    pytest.param(NOW - timedelta(seconds=8), False,
                 "which overlaps the period for 8 s only: coverage is not measured over less "
                 "than 1h", id="taken-at-the-run"),
    pytest.param(utc("2026-02-23T00:00"), True,
                 "measured over 2026-02-23T00:00:00Z to 2026-03-02T12:00:00Z only: the schedules "
                 "were rendered over 2026-02-23T00:00:00Z to 2026-03-09T12:00:00Z",
                 id="taken-a-week-before"),
])
def test_coverage_from_a_snapshot_says_over_what_it_was_measured(
        hand_server: SimServer, tmp_path: Path, rendered_from: datetime, measured: bool,
        note: str) -> None:
    snapshot = snapshot_of(hand_server, rendered_from, NOW + timedelta(days=7),
                           tmp_path / "snap.json")
    output = tmp_path / "package"
    evidence = write_evidence(EvidenceRequest(
        policy_paths=(str(POLICY),), since=SINCE, until=NOW + timedelta(days=30), output=output,
        snapshot=snapshot, now=NOW))
    assert len(evidence.coverage) == 3
    rows = list(csv.DictReader((output / "coverage.csv").open(encoding="utf-8")))
    assert len(rows) == 3
    for row in rows:
        assert bool(row["covered_share"]) == measured
        assert note in (row["note"] if measured else row["problem"])
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert sum(note in line for line in summary.splitlines() if line.startswith("| ")) == 3
    assert ("- On-call coverage gaps: not measured" in summary) == (not measured)
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert [item["section"] for item in document["skipped"]].count("coverage") == (
        0 if measured else 1)


def test_waiver_locations_point_into_the_package(tmp_path: Path) -> None:
    """A waived finding names the waiver in the package's copy of the policy, like every other
    reference, in each drift file."""
    from pdlint.sim import demo_account

    policy = tmp_path / "mine" / "policy"
    shutil.copytree(Path(__file__).parents[2] / "policy", policy)
    output = tmp_path / "package"
    with SimServer(demo_account(NOW), token="demo-token") as server:
        run_evidence(server, output, policy=policy, since=NOW - timedelta(days=7), until=NOW)
    drift = json.loads((output / "drift.json").read_text(encoding="utf-8"))
    waivers = [finding["waived"]["location"] for finding in drift["findings"]
               if finding["waived"]]
    assert waivers
    assert all(location["path"] == "policy/waivers.yaml" for location in waivers)
    for name in ("drift.json", "drift.sarif", "drift.md", "drift.txt", "drift-junit.xml"):
        assert str(tmp_path / "mine") not in (output / name).read_text(encoding="utf-8"), name
    assert "policy/waivers.yaml:" in (output / "drift.txt").read_text(encoding="utf-8")


ALL_TABLES = {"incidents.csv", "incidents.json", "sla.csv", "sla-breaches.csv", "postmortems.csv",
              "postmortem-exceptions.csv", "coverage.csv", "coverage-gaps.csv", "changes.csv"}


@pytest.mark.parametrize(("forbidden", "absent"), [
    ({}, set()),
    ({"/incidents/": 403}, {"postmortem-exceptions.csv"}),
    ({"/analytics/raw/incidents": 403, "/incidents": 403},
     {"incidents.csv", "incidents.json", "sla.csv", "sla-breaches.csv", "postmortems.csv",
      "postmortem-exceptions.csv"}),
    ({"/audit/records": 402}, {"changes.csv"}),
    ({"/schedules": 403}, {"coverage-gaps.csv"}),
], ids=["all-read", "all-notes-refused", "incidents-refused", "audit-refused",
        "schedules-refused"])
def test_a_section_not_measured_writes_no_file(hand_server: SimServer, tmp_path: Path,
                                               forbidden: dict[str, int], absent: set[str]) -> None:
    """An empty table means measured and none; a section not measured has no file at all, and
    the manifest lists exactly the files written."""
    hand_server.faults = Faults(forbidden=forbidden)
    output = tmp_path / "package"
    run_evidence(hand_server, output)
    written = {path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_file()}
    assert ALL_TABLES - written == absent
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert {entry["path"] for entry in manifest["files"]} == written - {"manifest.json"}
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    assert set(document["files"]) == written
    for name in absent:
        for page in ("index.html", "summary.md"):
            assert name not in (output / page).read_text(encoding="utf-8"), (name, page)


def test_communication_figures_are_the_hand_computed_ones(hand_package: Package) -> None:
    evidence, output, server = hand_package
    assert {item.severity: (item.required, item.within, item.late, item.missing, item.pending,
                            item.not_judged) for item in evidence.communication
            } == EXPECTED_COMMUNICATION
    assert {item.severity: [(incident.record.number, incident.communication.status.value)
                            for incident in item.exceptions if incident.communication]
            for item in evidence.communication} == EXPECTED_COMMUNICATION_EXCEPTIONS
    document = json.loads((output / "evidence.json").read_text(encoding="utf-8"))
    (p1,) = document["communication"]
    assert (p1["notify_within"], p1["notify"], p1["documented_at"]) == (
        "30m", ["responders", "subscribers"], "policy/organisation.yaml:21:20")
    late = p1["exceptions"][0]
    assert (late["deadline"], late["responders_requested_at"], late["subscribers"]) == (
        "2026-02-10T15:30:00Z", "2026-02-10T15:45:00Z", 1)
    requested = sorted(record.path for record in server.requests
                       if record.path.endswith("/status_updates/subscribers"))
    assert requested == sorted(f"/incidents/{incident_id(index)}/status_updates/subscribers"
                               for index in (0, 1, 2))  # the P1 incidents only
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "| P1 | 30m | responders, subscribers | 3 | 1 | 1 | 1 | 0 | 0 |" in summary
    assert "- Communication late or missing: 2" in summary


def test_what_the_policy_asks_nothing_of_is_never_said_skipped(hand_server: SimServer,
                                                                tmp_path: Path) -> None:
    """Without a severity documenting a resolution time or whom to tell, the incidents not
    read leave resolution and communication out, not "not measured": nothing of them would
    have been measured had the incidents been read."""
    policy = tmp_path / "policy"
    shutil.copytree(POLICY, policy)
    organisation = policy / "organisation.yaml"
    text, count = re.subn(r"    (resolve_within|notify_within|notify): .*\n", "",
                          organisation.read_text(encoding="utf-8"))
    assert count == 5
    organisation.write_text(text, encoding="utf-8")
    hand_server.faults = Faults(forbidden={"/analytics/raw/incidents": 403, "/incidents": 403})
    output = tmp_path / "package"
    evidence = run_evidence(hand_server, output, policy=policy)
    assert {item.rule for item in evidence.skipped} == {"incidents", "sla", "postmortems"}
    summary = (output / "summary.md").read_text(encoding="utf-8")
    assert "- SLA breaches: not measured" in summary.splitlines()
    assert "**Incomplete: 3 sections skipped.**" in summary
    assert "Resolved within" not in summary and "Communication late" not in summary
