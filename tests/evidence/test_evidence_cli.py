"""`pdlint evidence` as a user runs it: a real process, real HTTP, exit codes."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from evidence_cases import POLICY, TOKEN, hand_account
from pdlint_process import run_pdlint as pdlint

from pdlint.pagerduty.snapshot import write_snapshot
from pdlint.pagerduty.state import LiveState, Window
from pdlint.sim import Fault, Faults, SimServer


def test_evidence_writes_the_package(hand_server: SimServer, tmp_path: Path) -> None:
    output = tmp_path / "evidence"
    env = {"PAGERDUTY_API_URL": hand_server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
    arguments = ("evidence", "--policy", str(POLICY), "--since", "2026-02-02", "--until",
                 "2026-03-01", "-o", str(output))
    result = pdlint(*arguments, env=env)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stderr and "index.html" in result.stderr
    assert result.stdout == ""
    document = json.loads((output / "evidence.json").read_text())
    assert document["period"] == {"since": "2026-02-02T00:00:00Z",
                                  "until": "2026-03-02T00:00:00Z",
                                  "measured_until": "2026-03-02T00:00:00Z", "note": None}
    assert TOKEN not in result.stderr + (output / "manifest.json").read_text()
    again = pdlint(*arguments, env=env)
    assert again.returncode == 2
    assert "already exists; pass --force" in again.stderr
    assert pdlint(*arguments, "--force", "--quiet", env=env).returncode == 0


def test_a_period_in_the_future_is_refused(hand_server: SimServer, tmp_path: Path) -> None:
    output = tmp_path / "evidence"
    result = pdlint("evidence", "--policy", str(POLICY), "--since", "2099-01-01", "--until",
                    "2099-06-30", "-o", str(output),
                    env={"PAGERDUTY_API_URL": hand_server.base_url, "PAGERDUTY_API_TOKEN": TOKEN})
    assert result.returncode == 2
    assert "the period starts at 2099-01-01T00:00:00Z, after this run" in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()
    assert hand_server.requests == []


@pytest.mark.parametrize(("period", "message"), [
    ((), "Missing option '--since'"),
    (("--since", "2026-01-01"), "Missing option '--until'"),
    (("--since", "2026-03-01", "--until", "2026-01-31"), "--until 2026-02-01T00:00:00Z is not "
     "after --since 2026-03-01T00:00:00Z"),
    (("--since", "0001-01-01", "--until", "2026-01-31"), "the window 0001-01-01T00:00:00Z to "
     "2026-02-01T00:00:00Z is not between 2000-01-01 and 2100-01-01"),
    (("--since", "2026-01-01", "--until", "2026-01-31", "-o", "-"), "a folder of files is "
     "written here, which standard output (-) cannot hold"),
])
def test_evidence_needs_a_period_it_can_measure(tmp_path: Path, period: tuple[str, ...],
                                               message: str) -> None:
    result = pdlint("evidence", "--policy", str(POLICY), "-o", str(tmp_path / "out"), *period,
                    env={"PAGERDUTY_API_TOKEN": TOKEN})
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_evidence_from_a_snapshot_skips_what_a_snapshot_lacks(tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.json"
    window = Window(datetime(2026, 2, 2, tzinfo=timezone.utc),
                    datetime(2026, 2, 16, tzinfo=timezone.utc))
    write_snapshot(LiveState(api_url="https://api.pagerduty.com", fetched_at=window.until,
                             window=window, objects={}), snapshot)
    output = tmp_path / "evidence"
    result = pdlint("evidence", "--policy", str(POLICY), "--snapshot", str(snapshot),
                    "--since", "2026-02-02", "--until", "2026-02-15", "-o", str(output))
    assert result.returncode == 2, result.stderr  # written, and not passed: skipped sections
    assert result.stderr.endswith("accept by name: --accept-skip incidents --accept-skip sla "
                                  "--accept-skip resolution --accept-skip communication "
                                  "--accept-skip postmortems --accept-skip changes "
                                  "--accept-skip coverage\n")
    assert "incidents skipped: a snapshot holds the account's configuration only" in (
        result.stderr)
    document = json.loads((output / "evidence.json").read_text())
    assert document["complete"] is False
    assert {item["section"] for item in document["skipped"]} == {
        "incidents", "sla", "resolution", "communication", "postmortems", "changes", "coverage"}
    (coverage,) = (item["reason"] for item in document["skipped"]
                   if item["section"] == "coverage")
    assert coverage.startswith("no schedule's coverage could be measured (Platform - Primary: "
                               "no schedule of this name in the account;")
    for name in ("incidents.csv", "sla.csv", "sla-breaches.csv", "postmortems.csv",
                 "postmortem-exceptions.csv", "changes.csv", "coverage-gaps.csv"):
        assert not (output / name).exists(), name
    summary = (output / "summary.md").read_text(encoding="utf-8").splitlines()
    for figure in ("Incidents in the period", "Acknowledged within the documented SLA",
                   "SLA breaches", "Resolved within the documented time",
                   "Communication late or missing", "Postmortems missing or late",
                   "Configuration changes"):
        assert f"- {figure}: not measured" in summary
    assert "- On-call coverage gaps: not measured (0 of 3 schedules measured)" in summary
    assert "incidents not measured" in result.stderr


@pytest.mark.parametrize("token", [TOKEN, "refused-token"], ids=["good-token", "bad-token"])
def test_a_policy_with_errors_writes_nothing(hand_server: SimServer, tmp_path: Path,
                                             token: str) -> None:
    """The account is read while the policy is linted; the policy's errors are what the user
    must fix first, whatever the read meets."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("organisation:\n  name: Acme\n  nonsense: [\n", encoding="utf-8")
    output = tmp_path / "evidence"
    result = pdlint("evidence", "--policy", str(policy), "--since", "2026-02-02", "--until",
                    "2026-03-01", "-o", str(output),
                    env={"PAGERDUTY_API_URL": hand_server.base_url, "PAGERDUTY_API_TOKEN": token})
    assert result.returncode == 2
    assert "has 1 error; fix it" in result.stderr and f"{policy}:" in result.stderr
    assert "refused" not in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()
    assert not list(tmp_path.glob(".evidence*"))


def test_a_drift_check_not_made_makes_the_package_incomplete_unless_accepted(
        tmp_path: Path) -> None:
    """Escalation policies returned without their escalation rules: the drift rules that could
    not check them are skipped under their own ids, as in ``pdlint drift``, and the drift
    section counts their findings as not checked."""
    named = refused_then_accepted(Faults(scripted=(
        Fault("omit_field", "/escalation_policies", field="escalation_rules"),)), tmp_path)
    assert "EP102" in named
    document = json.loads((tmp_path / "a" / "evidence.json").read_text())
    assert document["drift"]["not_checked"] > 0
    assert "EP102" in {skip["section"] for skip in document["skipped"]}
    assert 'id="drift-not-checked"' in (tmp_path / "a" / "index.html").read_text()


def refused_then_accepted(faults: Faults, tmp_path: Path, policy: Path = POLICY) -> list[str]:
    """The names of the skips a package of the hand-made account served with ``faults`` gives:
    the run (package ``a``) exits 2 naming them, and accepting them all (package ``b``), 0."""
    with SimServer(hand_account(), token=TOKEN, faults=faults) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        arguments = ("evidence", "--policy", str(policy), "--since", "2026-02-02", "--until",
                     "2026-03-01", "--quiet", "--force")
        refused = pdlint(*arguments, "-o", str(tmp_path / "a"), env=env)
        assert refused.returncode == 2
        named = refused.stderr.split("accept by name: ")[1].split()[1::2]
        accepted = pdlint(*arguments, "-o", str(tmp_path / "b"),
                          *(word for name in named for word in ("--accept-skip", name)), env=env)
        assert accepted.returncode == 0, accepted.stderr
    return named


@pytest.mark.parametrize(("field", "named"), [
    ("seconds_to_first_ack", ["sla"]),
    ("resolved_at", ["resolution", "postmortems"]),
    ("priority_name", ["sla", "resolution", "communication", "postmortems"]),
])
def test_incidents_returned_without_a_field_judged_by_make_the_package_incomplete(
        tmp_path: Path, field: str, named: list[str]) -> None:
    """Analytics incidents without a key the figures judge by: the run exits 2 naming the
    parts left incomplete, and 0 once each is accepted; the headline reads not measured."""
    assert refused_then_accepted(Faults(scripted=(
        Fault("omit_field", "/analytics/raw/incidents", field=field),)), tmp_path) == named
    page = (tmp_path / "b" / "index.html").read_text(encoding="utf-8")
    assert 'id="headline-sla">not measured<' in page or field == "resolved_at"
    assert 'id="headline-breaches">0<' not in page


@pytest.mark.parametrize(("field", "named", "headline"), [
    ("responder_requests", ["communication"],
     "- Communication late or missing: not measured (3 of 3 not judged)"),
    ("responder_requests.requested_at", ["communication"],
     "- Communication late or missing: 1 (2 of 3 not judged)"),  # #3 asked none: missing
    ("content", ["postmortems"],
     "- Postmortems missing or late: not measured (3 of 3 not judged)"),
], ids=["responder-requests", "requested-at", "note-content"])
def test_what_pagerduty_did_not_return_of_an_incident_makes_the_package_incomplete(
        tmp_path: Path, field: str, named: list[str], headline: str) -> None:
    """Incidents read one by one (``GET /incidents/{id}``, their notes) without their
    responder requests or a note's text: the run exits 2 naming the part not judged, and 0
    once it is accepted; never "none requested" or "missing"."""
    assert refused_then_accepted(Faults(scripted=(
        Fault("omit_field", "/incidents/", field=field),)), tmp_path) == named
    assert headline in (tmp_path / "a" / "summary.md").read_text(encoding="utf-8").splitlines()


def test_the_banner_counts_each_part_skipped_once_by_its_kind(tmp_path: Path) -> None:
    """Escalation policies returned without their escalation rules skip drift rules (by id),
    and a history folder holding no drift report skips the history section for three reasons:
    the banner counts one section and the rules, and lists each name once, with its kind and
    all its reasons, never a rule as a section."""
    history = tmp_path / "history"
    history.mkdir()
    (history / "notes.txt").write_text("not a drift report\n", encoding="utf-8")
    faults = Faults(scripted=(Fault("omit_field", "/escalation_policies",
                                    field="escalation_rules"),))
    with SimServer(hand_account(), token=TOKEN, faults=faults) as server:
        result = pdlint("evidence", "--policy", str(POLICY), "--since", "2026-02-02", "--until",
                        "2026-03-01", "--quiet", "-o", str(tmp_path / "package"), "--history",
                        str(history), env={"PAGERDUTY_API_URL": server.base_url,
                                           "PAGERDUTY_API_TOKEN": TOKEN})
    assert result.returncode == 2
    skipped = json.loads((tmp_path / "package" / "evidence.json").read_text())["skipped"]
    names = list(dict.fromkeys(skip["section"] for skip in skipped))
    rules = [name for name in names if name != "history"]
    assert rules and len(names) < len(skipped), "rules, and history skipped for several reasons"
    banner = (f"Incomplete: 1 section and {len(rules)} drift "
              f"rule{'s' if len(rules) > 1 else ''} skipped.")
    summary = (tmp_path / "package" / "summary.md").read_text(encoding="utf-8").splitlines()
    start = summary.index(f"**{banner}**") + 2
    listed = summary[start:summary.index("", start)]
    assert [line.split(" (")[0] for line in listed] == [f"- {name}" for name in names]
    assert [line.split(" (")[1].split(")")[0] for line in listed] == [
        "section" if name == "history" else "drift rule" for name in names]
    page = (tmp_path / "package" / "index.html").read_text(encoding="utf-8")
    assert f'id="incomplete"><b>{banner}</b>' in page
    assert page.count("<li>history (section): ") == 1


def test_every_skip_the_package_names_can_be_accepted_by_that_name(tmp_path: Path) -> None:
    """A token that may not read the incidents one by one leaves their communication (and
    postmortems) not judged: the run exits 2 naming the skips, and accepting each by the name
    it gives, communication too, makes the run pass."""
    assert "communication" in refused_then_accepted(Faults(forbidden={"/incidents/": 403}),
                                                    tmp_path)


@pytest.mark.parametrize(("only", "named", "gaps", "card", "unmeasured"), [
    # Platform - Secondary (4 gaps when read) without its final schedule: the gaps of the two
    # others (none) are not the coverage of all three.
    pytest.param("PC00001", ["SCH201", "coverage"],
                 "- On-call coverage gaps: 0 (0s; 2 of 3 schedules measured)",
                 'id="headline-gaps" class="bad">0<', ["Platform - Secondary"],
                 id="one-schedule"),
    pytest.param("", ["SCH201", "coverage"],
                 "- On-call coverage gaps: not measured (0 of 3 schedules measured)",
                 'id="headline-gaps">not measured<',
                 ["Platform - Primary", "Platform - Secondary", "Engineering Managers"],
                 id="every-schedule"),
])
def test_coverage_measured_for_only_some_schedules_is_skipped(
        tmp_path: Path, only: str, named: list[str], gaps: str, card: str,
        unmeasured: list[str]) -> None:
    """A schedule returned without its final schedule: its coverage is not measured, so the
    coverage section is skipped naming it (accepting SCH201 alone still exits 2), its row of
    coverage.csv is empty with the reason, and the headline says over how many schedules its
    figure is, marked bad rather than a clean 0."""
    assert refused_then_accepted(Faults(scripted=(
        Fault("omit_field", "/schedules", field="final_schedule", object_id=only),)),
        tmp_path) == named
    output = tmp_path / "b"
    (coverage,) = (item["reason"] for item in json.loads(
        (output / "evidence.json").read_text(encoding="utf-8"))["skipped"]
        if item["section"] == "coverage")
    assert all(f"{name}: the account returned no rendered final schedule" in coverage
               for name in unmeasured)
    assert coverage.count("no rendered final schedule") == len(unmeasured)
    rows = {row["schedule"]: row for row in csv.DictReader(
        (output / "coverage.csv").open(encoding="utf-8"))}
    for name, row in rows.items():
        assert (row["covered_share"] == "") is (name in unmeasured), name
        assert (row["problem"] == "the account returned no rendered final schedule") is (
            name in unmeasured), name
    summary = (output / "summary.md").read_text(encoding="utf-8").splitlines()
    assert gaps in summary
    assert "**Incomplete: 1 section and 1 drift rule skipped.**" in summary
    assert card in (output / "index.html").read_text(encoding="utf-8")
