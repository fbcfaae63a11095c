"""Issue 20's acceptance test, over HTTP against the simulator, as a user runs pdlint: on an
account with several teams, a policy scoped to one of them (drafted by ``pdlint init --team``)
gives a drift report about that team only, with the out-of-scope counts; it finds an
undocumented service created in that team and a documented service moved to another team; and
the evidence package's figures cover only the scope, and say so.

The demo account's Platform team is the scope. After the draft, "Search API" is created in
Platform (undocumented) and "Payments API" is moved to Security. Of the 13 incidents from
2026-01-01 to 2026-03-02 (sim/demo.py, by service): Checkout API #31 P4, #39 P2, #40 P3;
Identity Service #34 P1; Internal Admin #29 P2, #35 P4, #36 P4, #38 P1 are Platform's (8);
Security Monitoring #28, #37, Web Application Firewall #30, #33 and the moved Payments API #32
are outside (5).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pdlint_process import run_pdlint

from pdlint.sim import Account, Faults, SimServer, demo_account
from pdlint.sim.account import object_id

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
TOKEN = "scope-e2e-token"
WINDOW = ("--since", "2026-03-02T12:00:00Z", "--until", "2026-03-16T12:00:00Z")
PERIOD = ("--since", "2026-01-01", "--until", "2026-03-02")
IN_SCOPE_INCIDENTS = {29, 31, 34, 35, 36, 38, 39, 40}


def changed(account: Account) -> Account:
    """Search API created in Platform; Payments API moved to Security."""
    teams = {team.name: team.id for team in account.teams}
    services = {service.name: service for service in account.services}
    search = replace(services["Checkout API"], id=object_id("S", 90), name="Search API",
                     integrations=())
    moved = replace(services["Payments API"], team_ids=(teams["Security"],))
    return replace(account, services=(*(moved if service.name == "Payments API" else service
                                         for service in account.services), search))


@pytest.fixture(scope="module")
def scoped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The folder holding the policy drafted for Platform from the demo account as it was, and
    the environment pointing at the account after the two changes."""
    folder = tmp_path_factory.mktemp("scope")
    with SimServer(demo_account(NOW), token=TOKEN) as before:
        env = {"PAGERDUTY_API_URL": before.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        done = run_pdlint("init", "-o", "policy", "--team", "Platform", *WINDOW, env=env,
                          cwd=folder)
        assert done.returncode == 0, done.stderr
    with SimServer(changed(demo_account(NOW)), token=TOKEN) as after:
        yield folder, {"PAGERDUTY_API_URL": after.base_url, "PAGERDUTY_API_TOKEN": TOKEN}


def test_drift_reports_the_team_only_with_what_was_left_outside(
        scoped: tuple[Path, dict[str, str]]) -> None:
    folder, env = scoped
    done = run_pdlint("drift", "--policy", "policy", "--quiet", "--format", "json", *WINDOW,
                      env=env, cwd=folder)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert sorted((finding["rule"], finding["resource"]["name"])
                  for finding in report["findings"]) == [
        ("PATH600", "Status Page"),  # Saturdays without a timely call, waived by the draft
        ("SCP100", "Payments API"),  # moved out of the scope
        ("SVC300", "Search API"),  # created in the scope, undocumented
    ]  # and not SVC307 too: SCP100 names the team it moved to
    [moved] = [finding for finding in report["findings"] if finding["rule"] == "SCP100"]
    assert moved["message"] == ("belongs to team 'Security' in PagerDuty, outside the scope "
                                "(team 'Platform'); documented in team 'Platform'")
    # Security's two services, Data's one and the moved Payments API; Security's and Data's
    # escalation policies, schedules and teams.
    assert report["out_of_scope"] == {"service": 4, "escalation_policy": 2, "schedule": 2,
                                      "team": 2}
    assert report["scope"] == {"teams": ["Platform"], "services": []}
    text = run_pdlint("drift", "--policy", "policy", "--quiet", *WINDOW, env=env, cwd=folder)
    assert text.stdout.rstrip().splitlines()[-1] == (
        "2 errors, 1 waived; outside the scope (team 'Platform'): 4 services, 2 escalation "
        "policies, 2 schedules, 2 teams")
    assert "Security - " not in text.stdout and "Web Application Firewall" not in text.stdout


def test_the_evidence_covers_the_scope_and_says_so(scoped: tuple[Path, dict[str, str]]) -> None:
    folder, env = scoped
    done = run_pdlint("evidence", "--policy", "policy", *PERIOD, "-o", "package", "--quiet",
                      env=env, cwd=folder, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    package = folder / "package"
    document = json.loads((package / "evidence.json").read_text(encoding="utf-8"))
    with open(package / "incidents.csv", encoding="utf-8", newline="") as register:
        rows = list(csv.DictReader(register))
    assert {int(row["number"]) for row in rows} == IN_SCOPE_INCIDENTS
    assert document["incidents"]["count"] == 8
    assert {item["severity"]: item["incidents"] for item in document["sla"]} == {
        "P1": 2, "P2": 2, "P3": 1, "P4": 3, "P5": 0}
    scope = document["scope"]
    assert (scope["teams"], scope["services"]) == (["Platform"], [])
    assert {key: value for key, value in scope["out_of_scope"].items() if key != "changes"} == {
        "service": 4, "escalation_policy": 2, "schedule": 2, "team": 2, "incidents": 5}
    assert isinstance(scope["out_of_scope"]["changes"], int)
    summary = (package / "summary.md").read_text(encoding="utf-8")
    headline = summary.split("## Headline")[1]
    assert headline.splitlines()[2].startswith(
        "- Scope of the figures: team 'Platform' (outside it, not counted: 4 services, "
        "2 escalation policies, 2 schedules, 2 teams, 5 incidents, ")
    assert "team &#x27;Platform&#x27;" in (package / "index.html").read_text(encoding="utf-8") \
        or "team 'Platform'" in (package / "index.html").read_text(encoding="utf-8")


def test_services_that_cannot_be_read_leave_the_scoped_figures_not_measured(
        scoped: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Absent is not empty: without the services nothing tells an incident in the scope from
    one outside, and counting none would read as a quiet period."""
    folder, _ = scoped
    with SimServer(changed(demo_account(NOW)), token=TOKEN,
                   faults=Faults(forbidden={"/services": 403})) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        done = run_pdlint("evidence", "--policy", str(folder / "policy"), *PERIOD, "-o",
                          str(tmp_path / "package"), "--quiet", env=env, cwd=folder,
                          timeout=300)
    assert "Traceback" not in done.stderr
    document = json.loads((tmp_path / "package" / "evidence.json").read_text(encoding="utf-8"))
    assert (document["incidents"]["count"], document["changes"]) == (None, None)
    skipped = {item["section"]: item["reason"] for item in document["skipped"]}
    for section in ("incidents", "sla", "postmortems", "changes"):
        assert skipped[section].startswith(
            "the services could not be read (GET /services: the token may not read this"), section
    # The drafted policy sets no resolution time and names no one to tell: nothing of those
    # would have been measured, so they are not said to be skipped either.
    assert not {"resolution", "communication"} & set(skipped)
    # Nor are the objects and incidents outside the scope counted as none, or left unsaid.
    assert document["scope"]["out_of_scope"]["service"] is None
    summary = (tmp_path / "package" / "summary.md").read_text(encoding="utf-8")
    assert ("(outside it, not counted: services not known, 2 escalation policies, 2 schedules, "
            "2 teams, incidents not known, ") in summary
