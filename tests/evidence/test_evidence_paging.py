"""The paging-path section over the audit period (2026-02-02 to 2026-03-02), on the demo
account: Security Monitoring's first level is "Security - On-call", where Pavel Novak (push
only) takes the week from Monday 09:00 New York (14:00 UTC before the clocks change) every four
weeks: 2026-01-26 to 02-02 and 02-23 to 03-02. A P1 then is first phoned at minute 15 (level 2),
later than its 5 minutes. Internal Admin is documented as support-hours urgency and is held to
its support hours, in which Platform - Primary always phones someone at once.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from evidence_cases import POLICY, TOKEN, hand_account, run_evidence, utc
from test_evidence_html import chromium, needs_chromium

from pdlint.evidence import Evidence
from pdlint.sim import SimServer

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


@pytest.fixture(scope="module")
def paging_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Evidence, Path]]:
    folder = tmp_path_factory.mktemp("paging")
    policy = folder / "policy"
    shutil.copytree(POLICY, policy)
    (policy / "services.yaml").write_text(SERVICES, encoding="utf-8")
    with SimServer(hand_account(), token=TOKEN) as server:
        yield run_evidence(server, folder / "package", policy=policy), folder / "package"


def test_the_share_of_the_period_with_a_call_in_time(
        paging_package: tuple[Evidence, Path]) -> None:
    evidence, _ = paging_package
    security, admin = evidence.paging
    assert (security.service, security.severity, security.within) == (
        "Security Monitoring", "P1", "5m")
    assert security.required is not None and security.met is not None
    assert security.required.total_seconds() == CHECKED_MINUTES * 60
    assert security.met.total_seconds() == 21 * 24 * 3600  # the three weeks without Pavel
    assert security.share == pytest.approx(21 * 24 * 60 / CHECKED_MINUTES)
    assert [(stretch.interval.start, stretch.interval.end, stretch.why)
            for stretch in security.uncalled] == [
        (utc("2026-02-02T00:00"), utc("2026-02-02T14:00"), "first phone or SMS call at minute 15"),
        (utc("2026-02-23T14:00"), utc("2026-03-01T23:55"), "first phone or SMS call at minute 15")]
    assert (admin.service, admin.share, admin.uncalled, admin.not_read) == (
        "Internal Admin", 1.0, (), timedelta(0))
    assert admin.required is not None
    assert admin.required.total_seconds() == 20 * 8 * 3600  # 20 weekdays of support hours


def test_the_files_say_it_too(paging_package: tuple[Evidence, Path]) -> None:
    _, package = paging_package
    document = json.loads((package / "evidence.json").read_text(encoding="utf-8"))
    security = document["paging"][0]
    assert (security["service"], security["met_seconds"], security["uncalled_stretches"],
            security["uncalled_seconds"]) == ("Security Monitoring", 21 * 24 * 3600, 2,
                                              (14 * 60 + 9235) * 60)
    assert security["documented_at"].startswith("policy/organisation.yaml:")
    rows = (package / "paging-uncalled.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "service,severity,start,end,seconds,verdict,why"
    assert rows[1].startswith("Security Monitoring,P1,2026-02-02T00:00:00Z,2026-02-02T14:00:00Z,"
                              "50400,late,")
    summary = (package / "summary.md").read_text(encoding="utf-8")
    assert "## Paging path (paging.csv, paging-uncalled.csv)" in summary
    # The account was read after the period (at the run's time, 2026-03-02 12:00): a
    # maintenance window that ended before is not known, and the note says so.
    assert ("| Security Monitoring | P1 | 5m | 75.0% | 2 | 6d 23h 55m | — | maintenance "
            "windows that ended before 2026-03-02T12:00:00Z, when the account was read, are not "
            "in these figures: PagerDuty lists the windows under way and to come |") in summary


@needs_chromium
def test_chromium_shows_the_share_and_the_timeline(paging_package: tuple[Evidence, Path],
                                                    tmp_path: Path) -> None:
    _, package = paging_package
    dom = chromium(tmp_path / "profile", "--dump-dom", (package / "index.html").as_uri())
    assert dict(re.findall(r'<span id="(paging-\d+)">([^<]*)</span>', dom)) == {
        "paging-1": "75.0%", "paging-2": "100.0%"}
    assert dom.count('aria-label="Paging path of') == 2
    assert dom.count('fill="#c62828"><title>2026-02-') == 2
