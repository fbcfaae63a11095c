"""pdlint paging against the demo account: the path at one moment, level by level, in text and
JSON. Pavel Novak (push only) is on call for "Security - On-call" from Monday 2026-03-23 09:00
New York for a week, so a P1 on Security Monitoring then is first phoned at minute 15, when
level 2 (the security lead and the CISO) is engaged; a week earlier Nikhil Rao is phoned at 0."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_cases import NOW, TOKEN
from pdlint_process import run_pdlint
from unlisted_window import DRILL_WHY, UNLISTED, with_drill

from pdlint.sim import Fault, Faults, SimServer, demo_account

PROJECT = Path(__file__).resolve().parents[2]


def paging(env: dict[str, str], *arguments: str) -> tuple[int, str, str]:
    done = run_pdlint("paging", "--policy", "policy", "--quiet", *arguments, env=env,
                      cwd=PROJECT)
    return done.returncode, done.stdout, done.stderr


def test_the_text_names_each_level_who_and_which_method_at_which_minute(
        env: dict[str, str]) -> None:
    code, out, err = paging(env, "Security Monitoring", "--at", "2026-03-24T03:00:00Z")
    assert code == 1, err
    assert out.splitlines() == [
        "P1 (high urgency, first call due within 5 min)",
        "Security Monitoring (PS00004), triggered at 2026-03-24T03:00:00Z",
        "  incident: high urgency",
        "  level 1 at minute 0: schedule 'Security - On-call': Pavel Novak, push after 0 min "
        "-> never phoned or texted",
        "  level 2 at minute 15: user 'Quinn Harper': phone after 0 min, sms after 0 min -> "
        "phoned or texted at minute 15; user 'Rosa Alvarez': phone after 0 min, sms after 0 min "
        "-> phoned or texted at minute 15",
        "  level 3 at minute 30: user 'Sam Whitaker': phone after 0 min, sms after 0 min -> "
        "phoned or texted at minute 30; user 'Tara Quinn': phone after 0 min, sms after 0 min "
        "-> phoned or texted at minute 30",
        *[line for line in out.splitlines() if "loop" in line],
        "  => first phone or SMS call at minute 15 (level 2, Quinn Harper)",
        "  verdict: late"]
    assert sum("loop" in line for line in out.splitlines()) == 6  # num_loops 2: 3 levels twice


def test_the_json_has_the_minutes_and_the_verdict(env: dict[str, str]) -> None:
    code, out, err = paging(env, "Security Monitoring", "--severity", "P2", "--at",
                            "2026-03-17T03:00:00Z", "--format", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["severity"] == {"id": "P2", "urgency": "high",
                                  "first_call_within_minutes": 15}
    first = answer["levels"][0]["targets"][0]
    assert (first["name"], first["on_call"]["name"], first["on_call"]["first_call_minute"]) == (
        "Security - On-call", "Olivia Smith", 0)
    assert answer["reach"]["first_call_minute"] == 0
    assert answer["verdict"] == "met"


@pytest.mark.parametrize(("arguments", "message"), [
    pytest.param(("No Such Service",), "service 'No Such Service' is not in the account",
                 id="unknown-service"),
    pytest.param(("Checkout API", "--severity", "SEV9"), "severity 'SEV9' is not documented "
                 "(the policy documents P1, P2, P3, P4)", id="unknown-severity"),
])
def test_a_question_that_cannot_be_asked_exits_2(env: dict[str, str], arguments: tuple[str, ...],
                                                 message: str) -> None:
    code, _, err = paging(env, *arguments)
    assert code == 2
    assert message in err


@pytest.mark.parametrize(("moment", "message"), [
    pytest.param("9999-12-31T12:00:00Z", "--at: 9999-12-31T12:00:00Z: the window is not "
                 "between 2000-01-01 and 2100-01-01", id="past-python-s-calendar"),
    pytest.param("0001-01-01T00:00:00Z", "--at: 0001-01-01T00:00:00Z: the window "
                 "0001-01-01T00:00:00Z to 0001-01-02T00:00:00Z is not between 2000-01-01 and "
                 "2100-01-01", id="before-pdlint-s-calendar"),
])
@pytest.mark.parametrize("read", ["live", "since", "snapshot"])
def test_a_moment_outside_the_calendar_is_an_error_of_at_not_a_crash(
        env: dict[str, str], tmp_path: Path, moment: str, message: str, read: str) -> None:
    """Whether the account is read for the day of --at, for other dates (--since) or from a
    snapshot, --at is checked against the calendar pdlint reads."""
    if read == "snapshot":
        snapshot = tmp_path / "snap.json"
        saved = run_pdlint("snapshot", "-o", str(snapshot), "--quiet", env=env)
        assert saved.returncode == 0, saved.stderr
    source = {"live": (), "since": ("--since", "2026-03-02"),
              "snapshot": ("--snapshot", str(tmp_path / "snap.json"))}[read]
    code, out, err = paging(env, "Checkout API", *source, "--at", moment)
    assert (code, out) == (2, "")
    assert message in err and "bug" not in err


def test_the_token_is_needed(server: SimServer) -> None:
    code, _, err = paging({"PAGERDUTY_API_URL": server.base_url}, "Checkout API")
    assert code == 2 and "no API token" in err
    assert TOKEN not in err


def test_the_text_names_what_the_event_orchestration_may_do(env: dict[str, str]) -> None:
    """Checkout API's orchestration suppresses alerts whose summary mentions 'healthcheck':
    what an alert says is not known, so the rule is named as what may happen, and the path is
    that of an alert it does not match."""
    code, out, err = paging(env, "Checkout API", "--at", "2026-03-07T03:00:00Z")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[2] == (
        "  incident: high urgency; event orchestration rule 'Silence health checks' of set "
        "'start' (when event.summary matches part 'healthcheck') may apply: it suppresses the "
        "alert if the alert matches, which the path cannot know (a condition on the event)")
    assert lines[-2:] == ["  => first phone or SMS call at minute 0 (level 1, Alice Nguyen)",
                          "  verdict: met"]


@pytest.fixture(scope="module")
def refused(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The demo account with the collection ``request.param`` names refused (403)."""
    faults = Faults(forbidden={request.param: 403})
    with SimServer(demo_account(NOW), token=TOKEN, faults=faults) as server:
        yield {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}


@pytest.mark.parametrize(("arguments", "verdict", "code"), [
    pytest.param(("Checkout API", "--at", "2026-03-07T03:00:00Z"), "met", 0, id="met"),
    pytest.param(("Security Monitoring", "--at", "2026-03-24T03:00:00Z"), "late", 1,
                 id="late"),
    pytest.param(("Payments API", "--at", "2026-03-07T03:00:00Z"), "never", 1, id="never"),
    pytest.param(("Web Application Firewall", "--at", "2026-03-02T12:30:00Z"), "no incident",
                 1, id="no-incident-in-a-maintenance-window"),
    pytest.param(("Checkout API", "--severity", "P4", "--at", "2026-03-07T03:00:00Z"), None, 0,
                 id="no-deadline-read-to-its-end"),
])
def test_the_exit_code_is_the_verdict(env: dict[str, str], arguments: tuple[str, ...],
                                      verdict: str | None, code: int) -> None:
    """0 the path met its deadline, 1 it failed it, as drift exits 1 for findings; a severity
    without a deadline is explained, not judged."""
    done, out, err = paging(env, *arguments, "--format", "json")
    assert (json.loads(out)["verdict"], done) == (verdict, code), err
    assert err == ""


@pytest.mark.parametrize(("refused", "arguments", "why"), [
    pytest.param("/users", ("Checkout API", "--at", "2026-03-07T03:00:00Z"),
                 "the users could not be read", id="users-judged"),
    pytest.param("/users", ("Checkout API", "--severity", "P4", "--at", "2026-03-07T03:00:00Z"),
                 "the users could not be read", id="users-no-deadline"),
    pytest.param("/maintenance_windows", ("Web Application Firewall", "--at",
                                          "2026-03-02T12:30:00Z"),
                 "the maintenance windows could not be read", id="maintenance-windows"),
], indirect=["refused"])
def test_a_path_not_read_exits_2_never_0(refused: dict[str, str], arguments: tuple[str, ...],
                                         why: str) -> None:
    """Skipped is never passed: a path that could not be judged, or explained to its end, for
    data the key could not read exits 2 with one line saying what, and the answer says
    'not read' (a maintenance window not read is not 'no maintenance window')."""
    done, out, err = paging(refused, *arguments, "--format", "json")
    answer = json.loads(out)
    assert done == 2, err
    assert answer["verdict"] in ("not read", None)
    assert why in answer["answer"]
    assert err.startswith("pdlint: error: incomplete: the paging path could not be read: ")
    assert why in err and len(err.splitlines()) == 1


def test_a_level_pagerduty_returned_without_its_targets_says_its_targets_are_not_read() -> None:
    """Absent is not empty: a level without its targets pages neither nobody nor an 'other'
    target; its targets are not read, in text and JSON (``targets`` null, with why), and the
    path is not read from it on (exit 2)."""
    why = ("PagerDuty returned level 1 of escalation policy 'Production - Platform' without its "
           "targets")
    faults = Faults(scripted=(Fault("omit_field", "/escalation_policies",
                                    field="escalation_rules.targets"),))
    with SimServer(demo_account(NOW), token=TOKEN, faults=faults) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        text_code, text, _ = paging(env, "Checkout API", "--at", "2026-03-07T03:00:00Z")
        json_code, out, _ = paging(env, "Checkout API", "--at", "2026-03-07T03:00:00Z",
                                   "--format", "json")
    assert f"  level 1 at minute 0: targets not read ({why})" in text.splitlines()
    [first] = [level for level in json.loads(out)["levels"] if level["level"] == 1
               and level["loop"] == 1]
    assert (first["targets"], first["targets_not_read_because"]) == (None, why)
    assert (text_code, json_code) == (2, 2)


@pytest.mark.parametrize("field", ["start_delay_in_minutes", "urgency", "contact_method",
                                   "type"])
def test_a_notification_rule_returned_without_a_field_leaves_its_person_not_read(
        field: str) -> None:
    """Absent is not empty: a rule without a field the spec requires neither phones at once
    nor never; whom it reaches is not read, in text and JSON, and so is the path (exit 2)."""
    why = f"a notification rule of Olivia Smith is not read: PagerDuty did not return {field}"
    faults = Faults(scripted=(Fault("omit_field", "/users", field=f"notification_rules.{field}"),))
    with SimServer(demo_account(NOW), token=TOKEN, faults=faults) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        text_code, text, _ = paging(env, "Security Monitoring", "--severity", "P2", "--at",
                                    "2026-03-17T03:00:00Z")
        json_code, out, _ = paging(env, "Security Monitoring", "--severity", "P2", "--at",
                                   "2026-03-17T03:00:00Z", "--format", "json")
    assert ("  level 1 at minute 0: schedule 'Security - On-call': Olivia Smith, notification "
            f"rules not read ({why})") in text.splitlines()
    answer = json.loads(out)
    on_call = answer["levels"][0]["targets"][0]["on_call"]
    assert (on_call["notification_rules"], answer["verdict"]) == (None, "not read")
    assert (text_code, json_code) == (2, 2)


@pytest.mark.parametrize(("path", "field", "why"), [
    pytest.param("/services", "status", "PagerDuty returned the service without its status",
                 id="service-status"),
    pytest.param("/users", "contact_methods", "a notification rule of Olivia Smith is not read: "
                 "PagerDuty did not return the user's contact_methods", id="user-contact-methods"),
])
def test_a_part_of_the_path_pagerduty_left_out_is_not_read_never_met(
        path: str, field: str, why: str) -> None:
    """Absent is not empty: a service without its status may be disabled (no incident), a user
    without contact methods may have them all disabled or blocked; the path a moment later met
    is not read (exit 2, why named), never met."""
    faults = Faults(scripted=(Fault("omit_field", path, field=field),))
    with SimServer(demo_account(NOW), token=TOKEN, faults=faults) as server:
        env = {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}
        done, out, err = paging(env, "Security Monitoring", "--severity", "P2", "--at",
                                "2026-03-17T03:00:00Z", "--format", "json")
    answer = json.loads(out)
    assert (answer["verdict"], done) == ("not read", 2), err
    assert why in answer["answer"]
    assert err == f"pdlint: error: incomplete: the paging path could not be read: {why}\n"


@pytest.fixture(scope="module")
def drilled() -> Iterator[dict[str, str]]:
    """The demo account with the drill, which the simulator returns without its services."""
    with SimServer(with_drill(demo_account(NOW)), token=TOKEN, faults=UNLISTED) as server:
        yield {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}


@pytest.mark.parametrize(("service", "at", "verdict", "code"), [
    pytest.param("Checkout API", "2026-03-02T15:00:00Z", "not read", 2, id="inside-its-hours"),
    pytest.param("Checkout API", "2026-03-02T20:00:00Z", "met", 0, id="at-its-end"),
    pytest.param("Checkout API", "2026-03-02T13:59:00Z", "met", 0, id="before-it"),
    pytest.param("Payments API", "2026-03-02T19:59:00Z", "not read", 2, id="any-service"),
    pytest.param("Payments API", "2026-03-02T21:00:00Z", "never", 1, id="never-outside"),
    pytest.param("Web Application Firewall", "2026-03-02T16:00:00Z", "no incident", 1,
                 id="under-a-window-listing-the-service"),
    pytest.param("Web Application Firewall", "2026-03-02T18:00:00Z", "not read", 2,
                 id="after-the-listed-window"),
])
def test_a_window_without_its_services_is_not_read_in_its_hours_only(
        drilled: dict[str, str], service: str, at: str, verdict: str, code: int) -> None:
    """A window PagerDuty returned without its services (the drill, 14:00 to 20:00) may hold
    any service: a moment inside it is not read (exit 2, the window and its hours named), never
    paged nor silenced, its incident's creation and trigger minute null; a moment outside it is
    judged (0 met, 1 never), and a window that lists the service (the firewall's, to 17:00)
    still holds it."""
    done, out, err = paging(drilled, service, "--at", at, "--format", "json")
    answer = json.loads(out)
    assert (answer["verdict"], done) == (verdict, code), err
    incident = answer["incident"]
    assert incident["created"] is {"not read": None, "no incident": False}.get(verdict, True)
    assert (incident["triggers_at_minute"] is None) is (incident["created"] is not True), (
        "no minute for an incident not created, or not known to be")
    assert (DRILL_WHY in answer["answer"]) is (verdict == "not read")
    assert err == ("" if code != 2 else
                   f"pdlint: error: incomplete: the paging path could not be read: {DRILL_WHY}\n")


def test_the_text_says_the_incident_is_not_read_and_why(drilled: dict[str, str]) -> None:
    code, out, _ = paging(drilled, "Checkout API", "--at", "2026-03-02T15:00:00Z")
    assert out.splitlines()[2] == f"  incident: not read ({DRILL_WHY})"
    assert code == 2
