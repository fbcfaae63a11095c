"""Skipped is never passed for a check a rule could not make either: a finding that reports one
(``Finding.not_checked``: PagerDuty returned an object without a field the rule needs) leaves its
rule not checked in full, so the run exits 2 over HTTP, naming the rule, unless that skip is
accepted by name (``--accept-skip RULE`` or the ``accept-skip`` setting) or a waiver accepts the
finding; every format says it."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_cases import NOW, TOKEN, WINDOW
from junit_schema import junit_errors
from pdlint_process import run_pdlint

from pdlint.sim import Account, Fault, Faults, SimServer, demo_account
from pdlint.sim.account import ShiftEvent, V3Schedule

PROJECT = Path(__file__).resolve().parents[2]


def with_rota(account: Account) -> Account:
    """The demo account with a shift-based schedule, "Platform - Rota": three people taking
    weekly turns (``RRULE:FREQ=WEEKLY``, one shift each)."""
    start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    event = ShiftEvent("PVE0001", "Weekly on-call", start, start + timedelta(days=7), "WEEKLY",
                       tuple(user.id for user in account.users[:3]))
    return replace(account, v3_schedules=(V3Schedule(
        "PV00001", "Platform - Rota", "America/New_York",
        rotations=(("PVR0001", (event,)),)),))


def rota_policy(folder: Path) -> Path:
    """The example policy, in ``folder``, documenting "Platform - Rota" as handing over
    weekly, as it does."""
    shutil.copytree(PROJECT / "policy", folder)
    with (folder / "schedules.yaml").open("a", encoding="utf-8") as schedules:
        schedules.write("\n  - name: Platform - Rota\n    time_zone: America/New_York\n"
                        "    rotation_length: 7d\n")
    return folder

OMITTED = [
    pytest.param("/maintenance_windows", "services", "PATH600", id="PATH600-window-services"),
    pytest.param("/maintenance_windows", "services", "SVC310", id="SVC310-window-services"),
    pytest.param("/escalation_policies", "escalation_rules", "EP102", id="EP102-rules"),
    pytest.param("/escalation_policies", "escalation_rules", "EP103", id="EP103-rules"),
    pytest.param("/escalation_policies", "escalation_rules", "EP104", id="EP104-rules"),
    pytest.param("/escalation_policies", "escalation_rules", "EP106", id="EP106-rules"),
    pytest.param("/escalation_policies", "escalation_rules.targets", "EP106", id="EP106-targets"),
    pytest.param("/escalation_policies", "escalation_rules.escalation_delay_in_minutes", "EP103",
                 id="EP103-delays"),
    pytest.param("/escalation_policies", "escalation_rules.targets", "EP104", id="EP104-targets"),
    pytest.param("/services", "integrations", "SVC306", id="SVC306-integrations"),
    pytest.param("/services", "integrations", "SVC313", id="SVC313-integrations"),
    pytest.param("/schedules", "schedule_layers.rotation_turn_length_seconds", "SCH202",
                 id="SCH202-turn-lengths"),
    pytest.param("/schedules", "schedule_layers.users", "SCH203", id="SCH203-layer-users"),
    pytest.param("/services", "status", "SVC300", id="SVC300-status"),
    pytest.param("/services", "escalation_policy", "SVC301", id="SVC301-escalation-policy"),
    pytest.param("/services", "support_hours", "SVC303", id="SVC303-support-hours"),
    pytest.param("/services", "acknowledgement_timeout", "SVC304",
                 id="SVC304-acknowledgement-timeout"),
    pytest.param("/services", "status", "SVC305", id="SVC305-status"),
    pytest.param("/services", "incident_urgency_rule", "SVC302", id="SVC302-urgency-rule"),
    pytest.param("/services", "incident_urgency_rule", "PATH600", id="PATH600-urgency-rule"),
    pytest.param("/services", "auto_pause_notifications_parameters", "SVC312",
                 id="SVC312-auto-pause"),
    pytest.param("/services", "teams", "SVC307", id="SVC307-teams"),
    pytest.param("/services", "teams", "SCP100", id="SCP100-teams"),
    pytest.param("/incident_workflows", "steps", "RSP700", id="RSP700-workflow-steps"),
    pytest.param("/schedules", "final_schedule.rendered_schedule_entries", "PRG800",
                 id="PRG800-rendered-schedules"),
    *(pytest.param("/users", f"notification_rules.{field}", rule, id=f"{rule}-rule-{field}")
      for rule in ("USR400", "PATH600")
      for field in ("start_delay_in_minutes", "urgency", "contact_method", "type")),
    pytest.param("/escalation_policies", "num_loops", "EP105", id="EP105-num-loops"),
    pytest.param("/escalation_policies", "on_call_handoff_notifications", "EP105",
                 id="EP105-handoff-notifications"),
    pytest.param("/users", "invitation_sent", "SCH203", id="SCH203-invitation-sent"),
    pytest.param("/v3/schedules", "rotations.events.recurrence", "SCH202", True,
                 id="SCH202-shift-based-recurrence"),
]


def omitted(path: str, field: str | None, rota: bool = False) -> Iterator[dict[str, str]]:
    """The demo account (``with_rota`` if ``rota``) served with ``field`` left out of the
    objects ``path`` answers (whole when ``field`` is None)."""
    faults = None if field is None else Faults(scripted=(Fault("omit_field", path,
                                                                field=field),))
    account = demo_account(NOW)
    with SimServer(with_rota(account) if rota else account, token=TOKEN,
                   faults=faults) as server:
        yield {"PAGERDUTY_API_URL": server.base_url, "PAGERDUTY_API_TOKEN": TOKEN}


@pytest.fixture(scope="module")
def windows_without_services() -> Iterator[dict[str, str]]:
    yield from omitted("/maintenance_windows", "services")


def drift_of(env: dict[str, str], rule: str, *arguments: str, policy: Path = PROJECT / "policy",
             output_format: str = "json", cwd: Path = PROJECT) -> Any:
    return run_pdlint("drift", "--policy", str(policy), "--quiet", *WINDOW, "--rule", rule,
                      "--format", output_format, *arguments, env=env, cwd=cwd)


def refusal(*rules: str) -> str:
    return (f"pdlint: error: incomplete: {', '.join(rules)} could not be read or checked (see "
            f"the skipped list); if this account cannot give {'it' if len(rules) == 1 else 'them'}"
            ", accept by name: " + " ".join(f"--accept-skip {rule}" for rule in rules) + "\n")


def unwaived_not_checked(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [finding for finding in report["findings"]
            if finding["not_checked"] is not None and finding["waived"] is None]


@pytest.mark.parametrize(("path", "field", "rule", "rota"),
                         [pytest.param(*case.values, *(False,) * (4 - len(case.values)),
                                       id=case.id) for case in OMITTED])
def test_a_check_a_rule_could_not_make_exits_2_unless_its_skip_is_accepted(
        tmp_path: Path, path: str, field: str, rule: str, rota: bool) -> None:
    policy = rota_policy(tmp_path / "policy") if rota else PROJECT / "policy"
    for env in omitted(path, field, rota):
        refused = drift_of(env, rule, policy=policy)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert refused.stderr == refusal(rule)
        report = json.loads(refused.stdout)
        unchecked = unwaived_not_checked(report)
        assert unchecked and {finding["severity"] for finding in unchecked} == {"warning"}
        assert {finding["rule"] for finding in unchecked} == {rule}
        assert [skip["rule"] for skip in report["skipped"]] == [rule]
        assert report["skipped"][0]["reason"].startswith(
            f"{len(unchecked)} check{'s' if len(unchecked) > 1 else ''} not made")
        assert report["unchecked"] == {rule: [rule]}
        assert report["summary"]["not_checked"] == len(unchecked)
        errors = report["summary"]["error"]
        accepted = drift_of(env, rule, "--accept-skip", rule, policy=policy)
        assert accepted.returncode == (1 if errors else 0), accepted.stderr
        assert json.loads(accepted.stdout)["skipped"] == report["skipped"]
        assert drift_of(env, rule, "--accept-skip", rule, "--fail-on", "warning",
                        policy=policy).returncode == 1


@pytest.mark.parametrize(("rule", "rota", "findings", "code"), [
    pytest.param("EP105", False, [], 0, id="EP105"),
    pytest.param("SCH203", False, [], 0, id="SCH203"),
    pytest.param("SCH202", True, [("SCH202", "Platform - Primary")], 1, id="SCH202-shift-based"),
])
def test_returned_whole_the_same_rules_check_as_before(
        tmp_path: Path, rule: str, rota: bool, findings: list[tuple[str, str]],
        code: int) -> None:
    """The fields the rules above found missing, returned: nothing is left not checked (the
    rota's weekly turn is as documented), and the demo's own drift is still found."""
    policy = rota_policy(tmp_path / "policy") if rota else PROJECT / "policy"
    for env in omitted("/", None, rota):
        result = drift_of(env, rule, policy=policy)
        assert result.returncode == code, result.stderr
        report = json.loads(result.stdout)
        assert (report["skipped"], report["summary"]["not_checked"]) == ([], 0)
        assert [(finding["rule"], finding["resource"]["name"])
                for finding in report["findings"]] == findings


@pytest.mark.parametrize(("arguments", "code"), [
    pytest.param((), 2, id="default"),
    pytest.param(("--fail-on", "never"), 2, id="fail-on-never-as-a-collection-not-read"),
    pytest.param(("--accept-skip", "SVC310"), 0, id="accepted"),
    pytest.param(("--accept-skip", "maintenance-window"), 0, id="accepted-by-the-rule-s-name"),
    pytest.param(("--accept-skip", "svc310"), 0, id="accepted-by-id-in-any-case"),
    pytest.param(("--accept-skip", "PATH600"), 2, id="another-rule-accepted"),
    pytest.param(("--accept-skip", "maintenance_windows"), 2, id="the-collection-was-read"),
])
def test_only_the_rule_s_own_name_accepts_it(windows_without_services: dict[str, str],
                                             arguments: tuple[str, ...], code: int) -> None:
    assert drift_of(windows_without_services, "SVC310", *arguments).returncode == code


@pytest.mark.parametrize("how", ["pyproject", "yaml"])
@pytest.mark.parametrize("name", ["SVC310", "maintenance-window"])
def test_the_setting_accepts_a_rule_by_id_or_name(windows_without_services: dict[str, str],
                                                  tmp_path: Path, how: str, name: str) -> None:
    (tmp_path / ".git").mkdir()
    if how == "pyproject":
        (tmp_path / "pyproject.toml").write_text(f'[tool.pdlint]\naccept-skip = ["{name}"]\n')
    else:
        (tmp_path / ".pdlint.yaml").write_text(f"accept-skip: [{name}]\n")
    result = drift_of(windows_without_services, "SVC310", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    snapshot = run_pdlint("snapshot", "-o", str(tmp_path / "snapshot.json"), "--quiet",
                          *WINDOW, env=windows_without_services, cwd=tmp_path)
    assert snapshot.returncode == 0, "a rule named in the setting is drift's, not the snapshot's"


def test_a_waived_check_not_made_does_not_fail(windows_without_services: dict[str, str],
                                              tmp_path: Path) -> None:
    """A waiver is an owned, expiring acceptance of the finding: the rule is then not skipped."""
    refused = json.loads(drift_of(windows_without_services, "SVC310").stdout)
    policy = tmp_path / "policy"
    shutil.copytree(PROJECT / "policy", policy)
    waivers = yaml.safe_load((policy / "waivers.yaml").read_text(encoding="utf-8"))
    waivers["waivers"] += [
        {"rule": "SVC310", "resource": {"type": "service", "id": finding["resource"]["id"]},
         "reason": "The maintenance windows are read from the change calendar meanwhile.",
         "owner": "platform-lead@acme.example", "expires": "2027-03-31"}
        for finding in unwaived_not_checked(refused)]
    (policy / "waivers.yaml").write_text(yaml.safe_dump(waivers), encoding="utf-8")
    result = drift_of(windows_without_services, "SVC310", policy=policy)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["skipped"] == [] and report["unchecked"] == {}
    assert report["summary"]["not_checked"] == 0
    assert len([finding for finding in report["findings"] if finding["not_checked"]
                and finding["waived"]]) == len(unwaived_not_checked(refused))


def test_text_counts_them_apart_and_says_the_run_is_incomplete(
        windows_without_services: dict[str, str]) -> None:
    text = drift_of(windows_without_services, "SVC310", output_format="text").stdout
    assert text.startswith("incomplete: 1 check skipped\n  SVC310 maintenance-window: 7 checks "
                           "not made (findings marked not checked): PagerDuty returned "
                           "maintenance window 'Firewall rule set upgrade' without its services")
    assert text.splitlines()[-1].startswith("7 not checked; incomplete: 1 check skipped")


def test_junit_skips_the_rule_and_each_object_never_passes_them(
        windows_without_services: dict[str, str]) -> None:
    text = drift_of(windows_without_services, "SVC310", output_format="junit").stdout
    assert junit_errors(text) == []
    cases = {(case.get("classname"), case.get("name")): case
             for suite in ET.fromstring(text) for case in suite.iter("testcase")}
    rule_skipped = cases[("pdlint drift.SVC310", "SVC310 maintenance-window")].find("skipped")
    assert rule_skipped is not None and rule_skipped.get("message", "").startswith(
        "skipped: 7 checks not made")
    objects = [case for (classname, name), case in cases.items()
               if classname == "pdlint drift.SVC310" and name != "SVC310 maintenance-window"]
    assert len(objects) == 7
    for case in objects:
        skipped = case.find("skipped")
        assert case.find("failure") is None and skipped is not None
        assert skipped.get("message") == ("not checked: PagerDuty returned maintenance window "
                                          "'Firewall rule set upgrade' without its services")


def test_sarif_marks_each_result_and_the_run_unsuccessful(
        windows_without_services: dict[str, str]) -> None:
    [run] = json.loads(drift_of(windows_without_services, "SVC310",
                                output_format="sarif").stdout)["runs"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert [note["associatedRule"]["id"] for note in invocation["toolExecutionNotifications"]
            ] == ["SVC310"]
    assert len(run["results"]) == 7
    assert {result["properties"]["notChecked"] for result in run["results"]} == {
        "PagerDuty returned maintenance window 'Firewall rule set upgrade' without its services"}


@pytest.mark.parametrize(("output_format", "shown"), [
    pytest.param("github", "title=SVC310 maintenance-window (not checked)::", id="github"),
    pytest.param("markdown", "| warning (not checked) | SVC310 maintenance-window |",
                 id="markdown"),
])
def test_annotations_and_markdown_say_not_checked(
        windows_without_services: dict[str, str], output_format: str, shown: str) -> None:
    text = drift_of(windows_without_services, "SVC310", output_format=output_format).stdout
    assert text.count(shown) == 7
    assert "7 not checked" in text
