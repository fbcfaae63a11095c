"""The paging-path section over the audit period (2026-02-02 to 2026-03-02), on the demo
account: Security Monitoring's first level is "Security - On-call", where Pavel Novak (push
only) takes the week from Monday 09:00 New York (14:00 UTC before the clocks change) every four
weeks: 2026-01-26 to 02-02 and 02-23 to 03-02. A P1 then is first phoned at minute 15 (level 2),
later than its 5 minutes. Internal Admin is documented as support-hours urgency and is held to
its support hours, in which Platform - Primary always phones someone at once. Security
Monitoring was also in a maintenance window, "Database upgrade", on 2026-02-10 from 02:00 to
06:00 UTC, in a week Pavel was not on call: ended before the account was read, PagerDuty lists it
only as past (``filter=past``), and no incident is created in it.
"""

from __future__ import annotations

import asyncio
import csv
import html
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from evidence_cases import POLICY, SINCE, TOKEN, UNTIL, hand_account, run_evidence, utc
from sim_client import fast_config
from test_evidence_cli import refused_then_accepted
from test_evidence_html import chromium, needs_chromium

from pdlint.coverage import Interval
from pdlint.evidence import Evidence
from pdlint.evidence.collect import ended_maintenance
from pdlint.evidence.model import iso
from pdlint.findings import Skipped
from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.model import MaintenanceWindow
from pdlint.sim import Account, Fault, Faults, SimServer
from pdlint.sim.account import MaintenanceWindow as SimWindow

SERVICES = """\
services:
  - name: Security Monitoring
    urgency: high
  - name: Internal Admin
    urgency: support_hours
    support_hours:
      time_zone: America/New_York
      days: [monday, tuesday, wednesday, thursday, friday]
      start: "09:00"
      end: "17:00"
"""
CHECKED_MINUTES = 28 * 24 * 60 - 5
"""The period's four weeks, less the last 5 minutes: a trigger is judged when its deadline lies
in the period."""
UPGRADE = (utc("2026-02-10T02:00"), utc("2026-02-10T06:00"))
UPGRADE_WHY = ("no incident is created: maintenance window 'Database upgrade' from "
               "2026-02-10T02:00:00Z to 2026-02-10T06:00:00Z")


def with_upgrade(account: Account) -> Account:
    """The account with Security Monitoring's ended window "Database upgrade" (and, ended
    before the period, one that the package must leave out)."""
    security = next(item.id for item in account.services if item.name == "Security Monitoring")
    return replace(account, maintenance_windows=(*account.maintenance_windows, SimWindow(
        "PWUPGR1", 2, *UPGRADE, (security,), None, "Database upgrade"), SimWindow(
        "PWOLD01", 3, utc("2026-01-05T02:00"), utc("2026-01-05T06:00"), (security,), None,
        "Before the period")))


def paging_policy(folder: Path) -> Path:
    """The hand-made policy, in ``folder``, with the services above."""
    policy = folder / "policy"
    shutil.copytree(POLICY, policy)
    (policy / "services.yaml").write_text(SERVICES, encoding="utf-8")
    return policy


@pytest.fixture(scope="module")
def paging_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Evidence, Path]]:
    folder = tmp_path_factory.mktemp("paging")
    policy = paging_policy(folder)
    with SimServer(with_upgrade(hand_account()), token=TOKEN) as server:
        yield run_evidence(server, folder / "package", policy=policy), folder / "package"


def test_the_share_of_the_period_with_a_call_in_time(
        paging_package: tuple[Evidence, Path]) -> None:
    evidence, _ = paging_package
    security, admin = evidence.paging
    assert (security.service, security.severity, security.within) == (
        "Security Monitoring", "P1", "5m")
    assert security.required is not None and security.met is not None
    assert security.required.total_seconds() == CHECKED_MINUTES * 60
    # The three weeks without Pavel, less the four hours of the upgrade.
    assert security.met.total_seconds() == (21 * 24 - 4) * 3600
    assert security.share == pytest.approx((21 * 24 * 60 - 4 * 60) / CHECKED_MINUTES)
    assert [(stretch.interval.start, stretch.interval.end, stretch.verdict.value, stretch.why)
            for stretch in security.uncalled] == [
        (utc("2026-02-02T00:00"), utc("2026-02-02T14:00"), "late",
         "first phone or SMS call at minute 15"),
        (*UPGRADE, "no incident", UPGRADE_WHY),
        (utc("2026-02-23T14:00"), utc("2026-03-01T23:55"), "late",
         "first phone or SMS call at minute 15")]
    assert (security.uncalled_count, security.note) == (3, None)
    assert (admin.service, admin.share, admin.uncalled, admin.not_read) == (
        "Internal Admin", 1.0, (), timedelta(0))
    assert admin.required is not None
    assert admin.required.total_seconds() == 20 * 8 * 3600  # 20 weekdays of support hours


def test_the_files_say_it_too(paging_package: tuple[Evidence, Path]) -> None:
    _, package = paging_package
    document = json.loads((package / "evidence.json").read_text(encoding="utf-8"))
    security = document["paging"][0]
    assert (security["service"], security["met_seconds"], security["uncalled_stretches"],
            security["uncalled_seconds"]) == ("Security Monitoring", (21 * 24 - 4) * 3600, 3,
                                              (14 * 60 + 4 * 60 + 9235) * 60)
    assert security["documented_at"].startswith("policy/organisation.yaml:")
    rows = (package / "paging-uncalled.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "service,severity,start,end,seconds,verdict,why"
    assert rows[1].startswith("Security Monitoring,P1,2026-02-02T00:00:00Z,2026-02-02T14:00:00Z,"
                              "50400,late,")
    assert rows[2] == ("Security Monitoring,P1,2026-02-10T02:00:00Z,2026-02-10T06:00:00Z,14400,"
                       f"no incident,{UPGRADE_WHY}")
    summary = (package / "summary.md").read_text(encoding="utf-8")
    assert "## Paging path (paging.csv, paging-uncalled.csv)" in summary
    # 30,000 of the 40,315 minutes judged: 74.4%. The window that ended before the account was
    # read (at the run's time, 2026-03-02 12:00) is in the figures, so no note says otherwise.
    assert "| Security Monitoring | P1 | 5m | 74.4% | 3 | 7d 3h 55m | — |  |" in summary


@needs_chromium
def test_chromium_shows_the_share_and_the_timeline(paging_package: tuple[Evidence, Path],
                                                    tmp_path: Path) -> None:
    _, package = paging_package
    dom = chromium(tmp_path / "profile", "--dump-dom", (package / "index.html").as_uri())
    assert dict(re.findall(r'<span id="(paging-\d+)">([^<]*)</span>', dom)) == {
        "paging-1": "74.4%", "paging-2": "100.0%"}
    assert dom.count('aria-label="Paging path of') == 2
    assert dom.count('fill="#c62828"><title>2026-02-') == 3
    assert f"<title>2026-02-10T02:00:00Z to 2026-02-10T06:00:00Z: {UPGRADE_WHY}</title>" in dom


def test_the_ended_windows_are_read_with_one_listing_and_kept_when_in_the_period() -> None:
    with SimServer(with_upgrade(hand_account()), token=TOKEN) as server:
        windows = asyncio.run(read_ended(server))
        asked = [request for request in server.requests if request.path == "/maintenance_windows"]
    assert not isinstance(windows, Skipped)
    assert [(window.name, window.start, window.end) for window in windows] == [
        ("Database upgrade", *UPGRADE)]  # not the one before the period, nor the one under way
    assert [request.query.get("filter") for request in asked] == [["past"]]


@pytest.mark.parametrize("status", [402, 403])
def test_ended_windows_the_key_may_not_read_are_not_read(status: int) -> None:
    with SimServer(with_upgrade(hand_account()), token=TOKEN) as server:
        server.faults = Faults(forbidden={"/maintenance_windows": status})
        refused = asyncio.run(read_ended(server))
    assert isinstance(refused, Skipped) and refused.rule == "paging"
    assert f"HTTP {status}" in refused.reason


def test_a_package_whose_ended_windows_were_not_read_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "none": each row's note and the skipped list say the windows were not read, and the
    package is not complete; the upgrade is then not in the figures (three weeks met)."""
    async def refused(client: object, period: Interval) -> Skipped:
        return Skipped("paging", "HTTP 403: the key may not read maintenance windows")

    monkeypatch.setattr("pdlint.evidence.ended_maintenance", refused)
    policy = tmp_path / "policy"
    shutil.copytree(POLICY, policy)
    (policy / "services.yaml").write_text(SERVICES, encoding="utf-8")
    with SimServer(with_upgrade(hand_account()), token=TOKEN) as server:
        evidence = run_evidence(server, tmp_path / "package", policy=policy)
    note = ("maintenance windows that ended before 2026-03-02T12:00:00Z, when the account was "
            "read, could not be read (HTTP 403: the key may not read maintenance windows): the "
            "paging figures leave them out")
    security, admin = evidence.paging
    assert (security.note, admin.note) == (note, note)
    assert security.met is not None and security.met.total_seconds() == 21 * 24 * 3600
    assert Skipped("paging", note) in evidence.skipped
    manifest = json.loads((tmp_path / "package" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False


async def read_ended(server: SimServer) -> tuple[MaintenanceWindow, ...] | Skipped:
    async with PagerDutyClient(fast_config(server)) as client:
        return await ended_maintenance(client, Interval(SINCE, UNTIL))


def test_the_drift_report_judges_the_ended_window_as_the_paging_section(
        paging_package: tuple[Evidence, Path]) -> None:
    """The package's drift report judges the period with the window that ended before the
    account was read, as its paging section does: the same three stretches, the upgrade's
    among them, and SVC310 names the upgrade, which the policy does not allow, but not the
    window that ended before the period."""
    evidence, package = paging_package
    findings = json.loads((package / "drift.json").read_text(encoding="utf-8"))["findings"]
    security = evidence.paging[0]
    stretches = [(interval["start"], interval["end"]) for finding in findings
                 if finding["rule"] == "PATH600"
                 and finding["resource"]["name"] == "Security Monitoring"
                 for interval in finding["actual"]["intervals"]]
    assert stretches == [("2026-02-02T00:00:00Z", "2026-02-02T14:00:00Z"),
                         ("2026-02-10T02:00:00Z", "2026-02-10T06:00:00Z"),
                         ("2026-02-23T14:00:00Z", "2026-03-01T23:55:00Z")]
    assert stretches == [(iso(stretch.interval.start), iso(stretch.interval.end))
                         for stretch in security.uncalled]
    assert [(finding["resource"]["name"], finding["actual"]["description"])
            for finding in findings if finding["rule"] == "SVC310"] == [
        ("Security Monitoring", "Database upgrade")]


DRILL = (utc("2026-02-17T13:00"), utc("2026-02-17T17:00"))
DRILL_WHY = ("not read: PagerDuty returned maintenance window 'Failover drill' from "
             "2026-02-17T13:00:00Z to 2026-02-17T17:00:00Z without its services: whether it "
             "holds this service is not known")


@pytest.fixture(scope="module")
def drilled_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Evidence, Path]]:
    """The package with one more ended window, "Failover drill", on Internal Admin on Tuesday
    2026-02-17 from 13:00 to 17:00 UTC (08:00 to 12:00 in New York), which the simulator returns
    without its services (the upgrade keeps its own)."""
    folder = tmp_path_factory.mktemp("drilled")
    policy = folder / "policy"
    shutil.copytree(POLICY, policy)
    (policy / "services.yaml").write_text(SERVICES, encoding="utf-8")
    account = with_upgrade(hand_account())
    admin = next(item.id for item in account.services if item.name == "Internal Admin")
    account = replace(account, maintenance_windows=(*account.maintenance_windows, SimWindow(
        "PWDRILL", 4, *DRILL, (admin,), None, "Failover drill")))
    faults = Faults(scripted=(Fault("omit_field", "/maintenance_windows", field="services",
                                    object_id="PWDRILL"),))
    with SimServer(account, token=TOKEN, faults=faults) as server:
        yield run_evidence(server, folder / "package", policy=policy), folder / "package"


def test_a_window_without_its_services_is_not_read_in_its_hours_only(
        drilled_package: tuple[Evidence, Path]) -> None:
    """The drill may hold either service, so its hours are not read for both, neither called
    nor uncalled: Security Monitoring's four (its three weeks without Pavel less the upgrade
    and the drill are met, the upgrade, which lists it, still creates no incident), Internal
    Admin's three in its support hours (09:00 to 12:00 New York); every other hour is judged.
    The package says so in its figures, evidence.json and the timeline (grey), and its drift
    report (PATH600) says those hours were not checked."""
    evidence, package = drilled_package
    security, admin = evidence.paging
    assert security.met is not None and security.not_read == timedelta(hours=4)
    assert security.met.total_seconds() == (21 * 24 - 4 - 4) * 3600
    assert [(stretch.interval.start, stretch.interval.end, stretch.why)
            for stretch in security.unread] == [(*DRILL, DRILL_WHY)]
    assert [(stretch.interval.start, stretch.verdict.value) for stretch in security.uncalled] == [
        (utc("2026-02-02T00:00"), "late"), (UPGRADE[0], "no incident"),
        (utc("2026-02-23T14:00"), "late")]
    assert admin.met is not None and admin.not_read == timedelta(hours=3)
    assert (admin.met.total_seconds(), admin.share) == ((20 * 8 - 3) * 3600, 1.0)
    document = json.loads((package / "evidence.json").read_text(encoding="utf-8"))
    assert [(row["not_read_seconds"], row["not_read"]) for row in document["paging"]] == [
        (4 * 3600, [{"start": "2026-02-17T13:00:00Z", "end": "2026-02-17T17:00:00Z",
                     "why": DRILL_WHY}]),
        (3 * 3600, [{"start": "2026-02-17T14:00:00Z", "end": "2026-02-17T17:00:00Z",
                     "why": DRILL_WHY}])]
    page = html.unescape((package / "index.html").read_text(encoding="utf-8"))
    assert page.count('fill="#9aa1ad"><title>2026-02-17T') == 2
    assert (f'fill="#9aa1ad"><title>2026-02-17T14:00:00Z to 2026-02-17T17:00:00Z: {DRILL_WHY}'
            "</title>") in page
    findings = json.loads((package / "drift.json").read_text(encoding="utf-8"))["findings"]
    assert sorted(finding["resource"]["name"] for finding in findings
                  if finding["rule"] == "PATH600" and finding["severity"] == "warning"
                  and "2026-02-17T" in finding["message"]) == [
        "Internal Admin", "Security Monitoring"]


@pytest.mark.parametrize("faults", [
    pytest.param(Faults(forbidden={"/users": 403}), id="users-forbidden"),
    pytest.param(Faults(scripted=(Fault("omit_field", "/users",
                                        field="notification_rules.start_delay_in_minutes"),)),
                 id="notification-delays-left-out"),
    pytest.param(Faults(scripted=(Fault("omit_field", "/escalation_policies",
                                        field="escalation_rules.targets"),)),
                 id="level-targets-left-out"),
])
def test_a_paging_section_nothing_of_which_was_read_is_a_skip_of_its_own(
        faults: Faults, tmp_path: Path) -> None:
    """Not measured is not passed: the paging section is skipped by its own name, and its
    stretches and time without a call read not measured, never "0" and "0s"."""
    assert "paging" in refused_then_accepted(faults, tmp_path, paging_policy(tmp_path))
    with (tmp_path / "a" / "paging.csv").open(encoding="utf-8", newline="") as table:
        rows = list(csv.DictReader(table))
    assert rows and {(row["met_share"], row["uncalled_stretches"], row["uncalled_seconds"])
                     for row in rows} == {("", "", "")}
    summary = (tmp_path / "a" / "summary.md").read_text(encoding="utf-8").splitlines()
    start = summary.index("## Paging path (paging.csv, paging-uncalled.csv)") + 4
    shown = [line.split(" | ")[3:6] for line in summary[start:start + len(rows)]]
    assert shown == [["—", "—", "—"]] * len(rows)
