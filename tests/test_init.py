"""``pdlint init``: the drafted policy passes lint and documents the account it was drafted from,
so that drift against that account finds nothing but the waivers' exceptions.

The round trips read the demo account and a generated one over HTTP from the simulator; the
translation tables draft small accounts built as the API lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from rules.rule_cases import (
    WINDOW,
    Json,
    constant_urgency,
    entry,
    escalation_policy,
    escalation_rule,
    live_state,
    priority,
    ref,
    schedule,
    schedule_layer,
    service,
    support_hours,
    support_hours_urgency,
    team,
    user,
)
from spec_examples import example_server

from pdlint.files import FileWriteError, write_files
from pdlint.init import (
    INSTALLED_SCHEMA,
    InitError,
    InitRequest,
    PolicyFilesThere,
    draft_policy,
    place_schema,
    schema_home,
    schema_reference,
    write_draft,
)
from pdlint.pagerduty.fetch import fetch_state_sync
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.settings import ApiToken, ClientConfig
from pdlint.pagerduty.state import LiveState, Window
from pdlint.policy import load_policy
from pdlint.rules.engine import drift
from pdlint.rules.lint import lint_paths
from pdlint.sim import Account, Fault, Faults, SimServer, demo_account, generated_account

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
TOKEN = "init-test-token"
EXCEPTION_RULES = {"EP106", "SCH203", "USR400", "PATH600"}


def fetched(account: Account, faults: Faults | None = None) -> LiveState:
    """The account as ``pdlint init`` reads it, over a 30-day window from ``NOW``, from a
    simulator with ``faults``."""
    with SimServer(account, token=TOKEN, faults=faults) as server:
        config = ClientConfig(api_url=server.base_url, token=ApiToken(TOKEN),
                              requests_per_minute=60_000,
                              key_share=None)
        return fetch_state_sync(config, Window.starting(NOW, timedelta(days=30)))


@pytest.fixture(scope="module")
def demo_state() -> LiveState:
    return fetched(demo_account(NOW))


@pytest.fixture(scope="module")
def demo_draft(demo_state: LiveState) -> dict[str, str]:
    return draft_policy(demo_state)


def written(tmp_path: Path, files: Mapping[str, str]) -> Path:
    folder = tmp_path / "policy"
    write_files(folder, files, force=False)
    return folder


def outcome(folder: Path, state: LiveState) -> list[tuple[str, str | None, bool]]:
    """(rule, object, waived) of every drift finding of the policy in ``folder``."""
    loaded = load_policy([folder])
    assert loaded.policy is not None, [finding.message for finding in loaded.findings]
    report = drift(loaded.policy, parse_account(state), state.fetched_at.date())
    # Every collection read; a rule is skipped only for checks it could not make, which the
    # draft never waives.
    assert {skip.rule for skip in report.skipped} == {
        finding.rule for finding in report.findings if finding.not_checked is not None}
    return [(finding.rule, finding.resource.name, finding.waived is not None)
            for finding in report.findings]


# -- round trips -----------------------------------------------------------------------------

def test_the_demo_draft_lints_clean_and_has_no_drift(tmp_path: Path, demo_state: LiveState,
                                                     demo_draft: dict[str, str]) -> None:
    folder = written(tmp_path, demo_draft)
    assert sorted(demo_draft) == ["escalation-policies.yaml", "organisation.yaml",
                                  "schedules.yaml", "services.yaml", "waivers.yaml"]
    assert [finding.message for finding in lint_paths([folder]).findings] == []
    # Pavel Novak, who has push only, is on call for the security services in two of the
    # window's weeks: the paging path of their P1s is waived as well (the firewall's first hours
    # are in the maintenance window the draft allows), and so is Status Page's on Saturdays,
    # when its business-hours first level has nobody on call.
    assert sorted(outcome(folder, demo_state)) == [
        ("PATH600", "Security Monitoring", True), ("PATH600", "Security Monitoring", True),
        ("PATH600", "Status Page", True), ("PATH600", "Web Application Firewall", True),
        ("USR400", "Pavel Novak", True)]


def test_the_programme_placeholder_uncommented_is_a_programme_to_fill_in(
        tmp_path: Path, demo_state: LiveState, demo_draft: dict[str, str]) -> None:
    """The commented training, exercises and corrective actions of the draft, once uncommented,
    are read as written: the placeholder's person is no user and nobody on call is trained,
    which the drift check says."""
    placeholder = [line.removeprefix("# ") for line in
                   demo_draft["organisation.yaml"].split("# training:")[1].splitlines()]
    files = {**demo_draft, "organisation.yaml": demo_draft["organisation.yaml"]
             + "training:" + "\n".join(placeholder) + "\n"}
    folder = written(tmp_path, files)
    (folder / "corrective-actions.csv").write_text(
        "incident,action,owner,due,closed_at\n#1,Add a check,someone@example.com,2026-03-01,\n")
    policy = load_policy([folder]).policy
    assert policy is not None and policy.training is not None
    assert (len(policy.training.records), len(policy.exercises),
            policy.corrective_actions is not None) == (1, 1, True)
    assert {rule for rule, _, waived in outcome(folder, demo_state) if not waived} == {
        "PRG800", "PRG801", "PRG802"}


@pytest.mark.parametrize(("seed", "services", "policies", "schedules", "users"), [
    (3, 60, 20, 15, 80), (11, 200, 80, 50, 300)])
def test_a_generated_account_round_trips(tmp_path: Path, seed: int, services: int,
                                         policies: int, schedules: int, users: int) -> None:
    account = generated_account(seed, services=services, escalation_policies=policies,
                                schedules=schedules, users=users, incidents=0, teams=6,
                                v3_schedules=2, maintenance_windows=12, incident_workflows=8,
                                now=NOW)
    assert any(service.auto_pause_timeout is not None for service in account.services)
    state = fetched(account)
    folder = written(tmp_path, draft_policy(state))
    lint = lint_paths([folder]).findings
    assert {finding.rule for finding in lint} <= {"POL023"}, [
        f"{finding.location}: {finding.message}" for finding in lint]
    found = outcome(folder, state)
    assert [item for item in found if not item[2]] == []
    assert {rule for rule, _, _ in found} <= EXCEPTION_RULES
    documented = load_policy([folder]).policy
    assert documented is not None
    assert len(documented.services) == sum(
        1 for live in state.services if live.get("status") != "disabled")
    assert len(documented.schedules) == len(state.schedules) + len(state.schedules_v3)


def test_pagerduty_s_own_examples_round_trip(tmp_path: Path) -> None:
    """The spec's examples disagree as a restricted key's view does: the escalation policy pages
    a user the user list lacks. The draft names them by id, so drift on it finds nothing."""
    with example_server() as url:
        config = ClientConfig(api_url=url, token=ApiToken(TOKEN), requests_per_minute=60_000,
                              key_share=None)
        state = fetch_state_sync(config, Window.starting(NOW, timedelta(days=30)))
    draft = draft_policy(state)
    [policy] = read(draft, "escalation-policies.yaml")["escalation_policies"]
    assert policy["levels"][0]["targets"] == [{"user_id": "PEYSGVF"},
                                              {"schedule": "Daily Engineering Rotation"}]
    assert "# Review: level 1 pages user PEYSGVF (PagerDuty Admin), whom this API key" in (
        draft["escalation-policies.yaml"])
    folder = written(tmp_path, draft)
    assert [finding.message for finding in lint_paths([folder]).findings
            if finding.severity.value == "error"] == []
    # The example service's escalation policy (PT20YPA) is not in the example listing: its
    # paging path is not read (never "nobody paged"), and whether it phones anyone at once is
    # not checked (USR400 names the policy): warnings the draft never waives, but names.
    assert outcome(folder, state) == [("PATH600", "My Application Service", False)] * 2 + [
        ("USR400", "Another Escalation Policy", False)]
    assert ("Review: USR400 could not check escalation policy 'Another Escalation Policy', so no "
            "waiver of USR400 is drafted for it") in comments(draft["waivers.yaml"])


# -- what the demo draft says ----------------------------------------------------------------

def named(items: Sequence[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(item for item in items if item["name"] == name)


def read(draft: Mapping[str, str], file: str) -> dict[str, Any]:
    return yaml.safe_load(draft[file])


@pytest.mark.parametrize(("file", "section", "name", "expected"), [
    pytest.param("escalation-policies.yaml", "escalation_policies", "Production - Platform",
                 {"id": "PE00000", "loops": 1, "handoff_notifications": "always",
                  "repeat_after": "50m",
                  "levels": [{"targets": [{"schedule": "Platform - Primary"}]},
                             {"engaged_after": "10m",
                              "targets": [{"schedule": "Platform - Secondary"}]},
                             {"engaged_after": "20m",
                              "targets": [{"schedule": "Engineering Managers"}]},
                             {"engaged_after": "40m",
                              "targets": [{"user": "cto@acme.example"},
                                          {"user": "vp-engineering@acme.example"}]}]},
                 id="cumulative-times-from-rule-delays"),
    pytest.param("schedules.yaml", "schedules", "Platform - Primary",
                 {"coverage": "24x7", "rotation_length": "7d", "min_participants": 5,
                  "time_zone": "America/New_York"}, id="five-people"),
    pytest.param("schedules.yaml", "schedules", "Platform - Secondary",
                 {"coverage": "business_hours", "time_zone": "America/New_York"},
                 id="saturday-gap-business-hours-in-a-rails-time-zone"),
    pytest.param("services.yaml", "services", "Payments API", {"urgency": "low"},
                 id="low-urgency"),
    pytest.param("services.yaml", "services", "Identity Service",
                 {"acknowledgement_timeout": "disabled"}, id="no-acknowledgement-timeout"),
    pytest.param("services.yaml", "services", "Legacy Billing",
                 {"id": "PS00006", "tier": "standard", "team": "Platform"},
                 id="undocumented-service"),
    pytest.param("services.yaml", "services", "Internal Admin",
                 {"urgency": "support_hours", "requires_integration": False,
                  "acknowledgement_timeout": "disabled", "auto_resolve_timeout": "1d",
                  "support_hours": {"time_zone": "America/New_York",
                                    "days": ["monday", "tuesday", "wednesday", "thursday",
                                             "friday"], "start": "09:00", "end": "17:00"}},
                 id="support-hours-and-no-integration"),
    pytest.param("services.yaml", "services", "Web Application Firewall",
                 {"alert_grouping": "content_based"}, id="grouping-kept-in-a-setting"),
])
def test_the_demo_draft_documents_the_account_as_it_is(
        demo_draft: dict[str, str], file: str, section: str, name: str,
        expected: dict[str, Any]) -> None:
    documented = named(read(demo_draft, file)[section], name)
    assert {key: documented.get(key) for key in expected} == expected


def test_the_demo_draft_maps_priorities_to_a_severity_matrix(
        demo_draft: dict[str, str]) -> None:
    document = read(demo_draft, "organisation.yaml")
    assert [(severity["id"], severity["response_sla"], severity["urgency"],
             severity.get("postmortem_within"), severity["pagerduty_priority"])
            for severity in document["severities"]] == [
        ("P1", "5m", "high", "48h", "P1"), ("P2", "15m", "high", "7d", "P2"),
        ("P3", "1h", "low", None, "P3"), ("P4", "4h", "low", None, "P4"),
        ("P5", "8h", "low", None, "P5")]
    assert document["tiers"] == {"standard": {
        "urgency": "high", "acknowledgement_timeout": "30m", "auto_resolve_timeout": "4h",
        "requires_integration": True, "auto_pause_notifications": "disabled",
        "alert_grouping": "none"}}
    assert [team_entry["name"] for team_entry in document["teams"]] == [
        "Data", "Platform", "Security"]
    assert document["organisation"]["name"] == "acme"
    assert document["organisation"]["time_zone"] == "America/New_York"


def test_the_demo_draft_waives_what_no_document_can_answer(
        demo_state: LiveState, demo_draft: dict[str, str]) -> None:
    waivers = read(demo_draft, "waivers.yaml")["waivers"]
    assert [waiver["resource"]["name"] for waiver in waivers] == [
        "Security Monitoring", "Status Page", "Web Application Firewall", "Pavel Novak"]
    waiver = waivers[-1]
    today = demo_state.fetched_at.date()
    assert {key: waiver[key] for key in ("rule", "resource", "owner", "expires")} == {
        "rule": "USR400", "resource": {"type": "user", "name": "Pavel Novak", "id": "PU0000F"},
        "owner": "cto@acme.example", "expires": today + timedelta(days=30)}
    assert waiver["reason"].startswith(f"Found by pdlint init on {today.isoformat()}: Pavel "
                                       "Novak (pavel.novak@acme.example) can be paged")


def test_every_file_names_the_schema_first_and_reads_as_the_example_does(
        demo_draft: dict[str, str]) -> None:
    for text in demo_draft.values():
        first_line = "# yaml-language-server: $schema=../schemas/policy.schema.json"
        assert text.splitlines()[0] == first_line
        assert all(len(line) <= 100 for line in text.splitlines())
    assert '    start: "09:00"\n' in demo_draft["organisation.yaml"]
    assert "    days: [monday, tuesday, wednesday, thursday, friday]\n" in demo_draft[
        "organisation.yaml"]
    assert "  - name: Platform - Primary\n    id: PC00000\n" in demo_draft["schedules.yaml"]


@pytest.mark.parametrize(("layout", "folder", "expected"), [
    pytest.param([".git/", "schemas/policy.schema.json"], "policy",
                 "../schemas/policy.schema.json", id="repository-layout"),
    pytest.param([".git/", "schemas/policy.schema.json"], "ops/policy",
                 "../../schemas/policy.schema.json", id="deeper"),
    pytest.param([".git/", "ops/schemas/policy.schema.json"], "ops/policy",
                 "../schemas/policy.schema.json", id="nearest"),
    pytest.param([".git/"], "ops/policy", "../../schemas/policy.schema.json",
                 id="repository-without-schema"),
    pytest.param(["schemas/policy.schema.json", "repo/.git/"], "repo/policy",
                 "../schemas/policy.schema.json", id="not-above-the-repository"),
    pytest.param([], "policy", "../schemas/policy.schema.json", id="no-repository"),
    pytest.param([], ".", "../schemas/policy.schema.json", id="here"),
])
def test_schema_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: list[str],
                          folder: str, expected: str) -> None:
    for name in layout:
        if name.endswith("/"):
            (tmp_path / name).mkdir(parents=True)
        else:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("{}")
    for given in (tmp_path / folder, Path(folder)):
        monkeypatch.chdir(tmp_path)
        home = schema_home(given)
        assert schema_reference(given, home) == expected
        assert (tmp_path / folder / expected).resolve() == home.resolve()


def test_a_schema_is_copied_where_there_is_none_and_kept_where_there_is_one(
        tmp_path: Path) -> None:
    home = tmp_path / "schemas" / "policy.schema.json"
    place_schema(home)
    assert home.read_text(encoding="utf-8") == INSTALLED_SCHEMA.read_text(encoding="utf-8")
    home.write_text("{}", encoding="utf-8")
    place_schema(home)
    assert home.read_text(encoding="utf-8") == "{}"


# -- translation tables on small accounts ------------------------------------------------------

ANN, BOB = ref("user", "PU00001", "Ann Archer"), ref("user", "PU00002", "Bob Baker")
PEOPLE = [user("PU00001", "Ann Archer", "ann@ex.com", role="owner"),
          user("PU00002", "Bob Baker", "bob@ex.com")]
ROTA = ref("schedule", "PC00001", "Rota")
MAIN = ref("escalation_policy", "PE00001", "Main")
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def rota(final: Sequence[Json] | None = None, time_zone: str = "Europe/London") -> Json:
    layer = schedule_layer("PL00001", [ANN, BOB], start=EPOCH)
    return schedule("PC00001", "Rota", time_zone=time_zone, layers=[layer],
                    final_entries=[entry(WINDOW.since, WINDOW.until, ANN)]
                    if final is None else final)


def small(*, services: Sequence[Json] = (), rules: Sequence[Json] | None = None,
          loops: int | None = 0, schedules: Sequence[Json] | None = None, **collections: Any
          ) -> LiveState:
    """One escalation policy ``Main`` (default: Rota, then Bob), its services, Ann and Bob."""
    policy = escalation_policy("PE00001", "Main", [escalation_rule(10, ROTA),
                                                   escalation_rule(10, BOB)]
                               if rules is None else rules, num_loops=loops)
    return live_state(escalation_policies=[policy], users=PEOPLE,
                      schedules=[rota()] if schedules is None else schedules,
                      services=services or [service("PS00001", "Web", escalation_policy=MAIN)],
                      **collections)


def drafted(state: LiveState) -> dict[str, dict[str, Any]]:
    return {file: yaml.safe_load(text) for file, text in draft_policy(state).items()}


def web(**changes: Any) -> Json:
    return service("PS00001", "Web", escalation_policy=MAIN, **changes)


@pytest.mark.parametrize(("live", "tier", "own"), [
    pytest.param(web(), {"urgency": "high", "acknowledgement_timeout": "30m",
                         "auto_resolve_timeout": "4h", "requires_integration": True}, {},
                 id="pagerduty-defaults"),
    pytest.param(web(urgency_rule=constant_urgency("severity_based")),
                 {"urgency": "severity_based"}, {}, id="severity-based"),
    pytest.param(web(urgency_rule=support_hours_urgency(), hours=support_hours(days=(1, 3))),
                 {"urgency": "support_hours"},
                 {"support_hours": {"time_zone": "Europe/London", "days": ["monday", "wednesday"],
                                    "start": "09:00", "end": "17:00"}}, id="support-hours"),
    pytest.param(web(urgency_rule=support_hours_urgency("low", "high"), hours=support_hours()),
                 {"urgency": None}, {"urgency": None, "support_hours": None},
                 id="inverted-support-hours-not-expressible"),
    pytest.param(web(urgency_rule=support_hours_urgency(),
                     hours=support_hours(time_zone="Eastern Time (US & Canada)")),
                 {"urgency": "support_hours"},
                 {"support_hours": {"time_zone": "America/New_York",
                                    "days": ["monday", "tuesday", "wednesday", "thursday",
                                             "friday"], "start": "09:00", "end": "17:00"}},
                 id="rails-time-zone-written-as-iana"),
    pytest.param(web(urgency_rule=support_hours_urgency(),
                     hours=support_hours(time_zone="Mars/Olympus")),
                 {"urgency": None}, {"urgency": None, "support_hours": None},
                 id="unknown-time-zone-not-expressible"),
    pytest.param(web(urgency_rule=support_hours_urgency(), hours=support_hours(end="17:00:30")),
                 {"urgency": None}, {"urgency": None, "support_hours": None},
                 id="seconds-not-expressible"),
    pytest.param(web(acknowledgement_timeout=None, auto_resolve_timeout=0),
                 {"acknowledgement_timeout": "disabled", "auto_resolve_timeout": "disabled"}, {},
                 id="timeouts-switched-off"),
    pytest.param(web(acknowledgement_timeout=90), {"acknowledgement_timeout": None},
                 {"acknowledgement_timeout": None}, id="timeout-not-whole-minutes"),
    pytest.param(web(integrations=[]), {"requires_integration": False}, {},
                 id="no-integration"),
])
def test_service_settings(live: Json, tier: dict[str, Any], own: dict[str, Any]) -> None:
    document = drafted(small(services=[live]))
    standard = document["organisation.yaml"]["tiers"]["standard"]
    entry_ = document["services.yaml"]["services"][0]
    assert {key: standard.get(key) for key in tier} == tier
    assert {key: entry_.get(key) for key in own} == own


def test_services_state_only_what_differs_from_the_tier() -> None:
    document = drafted(small(services=[
        web(), service("PS00002", "Api", escalation_policy=MAIN),
        service("PS00003", "Batch", escalation_policy=MAIN, urgency_rule=constant_urgency("low"),
                acknowledgement_timeout=None),
        service("PS00004", "Old", escalation_policy=MAIN, status="disabled")]))
    services = document["services.yaml"]["services"]
    assert [(item["name"], {key: value for key, value in item.items()
                            if key not in ("name", "id", "detection_sources")})
            for item in services] == [
        ("Web", {"tier": "standard"}), ("Api", {"tier": "standard"}),
        ("Batch", {"tier": "standard", "urgency": "low", "acknowledgement_timeout": "disabled"})]
    assert document["escalation-policies.yaml"]["escalation_policies"][0]["services"] == [
        "Web", "Api", "Batch"]


@pytest.mark.parametrize(("delays", "loops", "levels", "repeat"), [
    pytest.param([5, 10, 15], 0, [None, "5m", "15m"], None, id="no-repeat"),
    pytest.param([5, 10, 15], 2, [None, "5m", "15m"], "30m", id="repeats"),
    pytest.param([90], 1, [None], "1h30m", id="one-level"),
    pytest.param([5, 10, 15], None, [None, "5m", "15m"], None, id="repeats-not-returned"),
])
def test_escalation_times_are_cumulative(delays: list[int], loops: int | None,
                                         levels: list[str | None], repeat: str | None) -> None:
    """A policy PagerDuty returned without ``num_loops`` has no loops or repeat_after drafted
    (never 0), and a note says why."""
    rules = [escalation_rule(delay, ROTA if index == 0 else BOB, rule_id=f"PR0000{index}")
             for index, delay in enumerate(delays)]
    text = draft_policy(small(rules=rules, loops=loops))["escalation-policies.yaml"]
    [documented] = yaml.safe_load(text)["escalation_policies"]
    assert [level.get("engaged_after") for level in documented["levels"]] == levels
    assert (documented.get("loops"), documented.get("repeat_after")) == (loops, repeat)
    assert ("Review: PagerDuty returned it without num_loops, so it is not documented."
            in comments(text)) is (loops is None)


@pytest.mark.parametrize(("turn_returned", "rotation_length", "note"), [
    pytest.param(True, "7d", None, id="returned"),
    pytest.param(False, None, "Review: the turn length of its layer 'Layer PL00001' was not read "
                              "(PagerDuty returned it without its rotation_turn_length_seconds), "
                              "so no rotation_length is documented.", id="not-returned"),
])
def test_a_turn_length_not_read_is_not_documented(turn_returned: bool,
                                                  rotation_length: str | None,
                                                  note: str | None) -> None:
    schedule_read = rota()
    if not turn_returned:
        [layer] = schedule_read["schedule_layers"]
        del layer["rotation_turn_length_seconds"]
    text = draft_policy(small(schedules=[schedule_read]))["schedules.yaml"]
    [documented] = yaml.safe_load(text)["schedules"]
    assert documented.get("rotation_length") == rotation_length
    assert ("Review: the turn length" in comments(text)) is (note is not None)
    assert note is None or note in comments(text)


def london_office(days: Sequence[int]) -> list[Json]:
    """On call 09:00-17:00 London (GMT in March) on the given days of March 2026."""
    return [entry(datetime(2026, 3, day, 9, tzinfo=timezone.utc),
                  datetime(2026, 3, day, 17, tzinfo=timezone.utc), ANN) for day in days]


WEEKDAYS_IN_WINDOW = [day for day in range(2, 17) if datetime(2026, 3, day).weekday() < 5]


@pytest.mark.parametrize(("final", "urgency", "coverage", "note"), [
    pytest.param(None, "low", "24x7", None, id="always-covered"),
    pytest.param(london_office(WEEKDAYS_IN_WINDOW), "low", "business_hours",
                 "with nobody on call (the first from 2026-03-02T17:00:00Z to "
                 "2026-03-03T09:00:00Z), all outside business hours, so its coverage is written "
                 "as business_hours; write 24x7 if it must cover every hour.",
                 id="business-hours"),
    pytest.param(london_office(WEEKDAYS_IN_WINDOW[1:]), "low", None,
                 "with nobody on call (the first from 2026-03-02T12:00:00Z to "
                 "2026-03-03T09:00:00Z), in business hours too: state the coverage it must give.",
                 id="gaps-in-business-hours"),
    pytest.param(london_office(WEEKDAYS_IN_WINDOW), "high", None,
                 "business_hours would contradict level 1 of 'Main'",
                 id="first-level-of-a-round-the-clock-service"),
])
def test_schedule_coverage(final: list[Json] | None, urgency: str, coverage: str | None,
                           note: str | None) -> None:
    state = small(schedules=[rota(final)],
                  services=[web(urgency_rule=constant_urgency(urgency))])
    text = draft_policy(state)["schedules.yaml"]
    [documented] = yaml.safe_load(text)["schedules"]
    assert documented.get("coverage") == coverage
    assert (documented["rotation_length"], documented["min_participants"]) == ("7d", 2)
    if note is not None:
        assert note in " ".join(line.strip("# ") for line in text.splitlines())


@pytest.mark.parametrize(("final", "note"), [
    pytest.param(None, "PagerDuty returned no rendered final schedule, so its coverage is not "
                 "documented.", id="not-rendered"),
    pytest.param({"rendered_schedule_entries": [{"start": "2026-03-02T12:00:00Z"}]},
                 "its final schedule could not be read (rendered_schedule_entries[0].end is "
                 "missing)",
                 id="unreadable"),
])
def test_a_schedule_not_rendered_is_not_one_with_nobody_on_call(
        final: Json | None, note: str) -> None:
    """Absent is not empty: without the rendering the coverage is unknown, not "nobody"."""
    live = {key: value for key, value in rota().items() if key != "final_schedule"}
    text = draft_policy(small(schedules=[live if final is None
                                         else {**live, "final_schedule": final}]))[
        "schedules.yaml"]
    [documented] = yaml.safe_load(text)["schedules"]
    comments = " ".join(line.strip("# ") for line in text.splitlines())
    assert "coverage" not in documented and note in comments
    assert "nobody on call" not in comments


@pytest.mark.parametrize(("live", "documented", "organisation"), [
    pytest.param("Europe/London", "Europe/London", "Europe/London", id="iana"),
    pytest.param("London", "Europe/London", "Europe/London", id="rails-written-as-iana"),
    pytest.param("Mars/Olympus", None, "America/New_York", id="unknown-left-out"),
])
def test_schedule_time_zone(live: str, documented: str | None, organisation: str) -> None:
    """The schedule's zone as an IANA name, and the organisation's the schedules' most common
    one (else the users')."""
    state = small(schedules=[rota(time_zone=live)])
    files = draft_policy(state)
    [schedule_] = yaml.safe_load(files["schedules.yaml"])["schedules"]
    assert schedule_.get("time_zone") == documented
    assert (schedule_.get("coverage") is None) is (documented is None)
    assert yaml.safe_load(files["organisation.yaml"])["organisation"]["time_zone"] == organisation
    if documented is None:
        assert f"its time zone '{live}' is not one pdlint knows" in " ".join(
            line.strip("# ") for line in files["schedules.yaml"].splitlines())


@pytest.mark.parametrize(("priorities", "expected"), [
    pytest.param([priority("PP1", "P1"), priority("PP2", "P2"), priority("PP3", "P3")],
                 [("P1", "high", "P1"), ("P2", "high", "P2"), ("P3", "low", "P3")],
                 id="named-like-severities"),
    pytest.param([priority("PP1", "Sev 1"), priority("PP2", "Sev 2")],
                 [("SEV1", "high", "Sev 1"), ("SEV2", "low", "Sev 2")], id="names-with-spaces"),
    pytest.param([], [("SEV1", "high", None), ("SEV2", "low", None)], id="no-priorities"),
])
def test_priorities_become_a_severity_matrix(priorities: list[Json],
                                             expected: list[tuple[Any, ...]]) -> None:
    severities = drafted(small(priorities=priorities))["organisation.yaml"]["severities"]
    assert [(item["id"], item["urgency"], item.get("pagerduty_priority"))
            for item in severities] == expected


def test_the_organisation_can_be_named() -> None:
    state = small(teams=[team("PT00001", "Ops")])
    assert draft_policy(state, organisation="Acme Ltd", time_zone="Asia/Tokyo")[
        "organisation.yaml"].count("name: Acme Ltd\n  time_zone: Asia/Tokyo\n") == 1
    with pytest.raises(InitError, match="'Mars/Olympus' is not an IANA time zone"):
        draft_policy(state, time_zone="Mars/Olympus")


def test_a_single_person_level_is_waived_with_its_finding(tmp_path: Path) -> None:
    state = small(rules=[escalation_rule(10, BOB)], schedules=[],
                  services=[web(urgency_rule=constant_urgency("low"))])
    draft = draft_policy(state)
    [waiver] = yaml.safe_load(draft["waivers.yaml"])["waivers"]
    assert (waiver["rule"], waiver["resource"], waiver["owner"]) == (
        "EP106", {"type": "escalation_policy", "name": "Main", "id": "PE00001"}, "ann@ex.com")
    assert outcome(written(tmp_path, draft), state) == [("EP106", "Main", True)]


def unlisted_integrations() -> Json:
    """Web as a listing that leaves its integrations out: not read, not "none"."""
    return {key: value for key, value in web().items() if key != "integrations"}


@pytest.mark.parametrize(("state", "note", "tier_requires_integration"), [
    pytest.param(small(services=[web()], skipped=["service_orchestrations"]),
                 "its event orchestration could not be read, so the policy allows none of its "
                 "rules as drafted.", True, id="orchestration-not-read"),
    pytest.param(small(services=[unlisted_integrations()]),
                 "PagerDuty did not list its integrations, so neither its monitoring tools nor "
                 "whether it requires an integration is documented.", None,
                 id="integrations-not-listed"),
])
def test_what_was_not_read_of_a_service_is_a_review_note_never_none(
        tmp_path: Path, state: LiveState, note: str, tier_requires_integration: bool | None
) -> None:
    draft = draft_policy(state)
    comments = " ".join(line.strip().removeprefix("#").strip()
                        for line in draft["services.yaml"].splitlines()
                        if line.strip().startswith("# "))
    assert f"Review: {note}" in comments
    [documented] = read(draft, "services.yaml")["services"]
    tier = read(draft, "organisation.yaml")["tiers"]["standard"]
    assert (tier.get("requires_integration"), documented.get("requires_integration")) == (
        tier_requires_integration, None)
    assert lint_paths([written(tmp_path, draft)]).findings == ()


def comments(text: str) -> str:
    """The comments of a drafted file, as one line of text."""
    return " ".join(line.strip().removeprefix("#").strip() for line in text.splitlines()
                    if line.strip().startswith("#"))


NOT_DRAFTED = ("so it is not drafted: the policy must name each level's targets, which were not "
               "read. Complete it from PagerDuty and uncomment it.")
ALL_LEVELS_UNKNOWN = ("no escalation policy drafted pages it, but whether any of 'Data - Best "
                      "Effort', 'Production - Platform', 'Security - Incident Response', "
                      "'Status Page' does is not known: PagerDuty did not return all of their "
                      "levels.")


@pytest.mark.parametrize(("path", "field", "file", "notes", "commented"), [
    pytest.param("/escalation_policies", "escalation_rules", "escalation-policies.yaml",
                 [f"Review: PagerDuty returned it without its escalation rules, {NOT_DRAFTED} "
                  "- name: Production - Platform", f"Review: {ALL_LEVELS_UNKNOWN}"],
                 "  #   levels: not read\n", id="escalation-rules"),
    pytest.param("/escalation_policies", "escalation_rules.targets",
                 "escalation-policies.yaml",
                 [f"Review: PagerDuty returned it without the targets of level 1 and the targets "
                  f"of level 2, {NOT_DRAFTED} - name: Status Page",
                  f"Review: {ALL_LEVELS_UNKNOWN}"],
                 "  #     - engaged_after: 10m\n  #       targets: not read\n", id="targets"),
    pytest.param("/schedules", "schedule_layers.users", "schedules.yaml",
                 ["Review: PagerDuty returned it without the users of layer 'Layer 1', so its "
                  "min_participants is not documented."], None,
                 id="layer-users"),
])
def test_what_pagerduty_did_not_return_is_drafted_with_a_review_note_never_dropped(
        tmp_path: Path, path: str, field: str, file: str, notes: list[str],
        commented: str | None) -> None:
    """Absent is not empty: an escalation policy returned without its rules or a level's
    targets is written in comments, with what was read and 'not read' where the rest goes (the
    format needs each level's targets), never left out or written as empty; a schedule whose
    layers' users were not returned has no min_participants, and says why."""
    state = fetched(demo_account(NOW), Faults(scripted=(Fault("omit_field", path, field=field),)))
    draft = draft_policy(state)
    found = comments(draft[file]) + " " + comments(draft["schedules.yaml"])
    assert [note for note in notes if note not in found] == []
    if commented is not None:
        assert commented in draft[file]
        assert yaml.safe_load(draft[file]) is None  # every policy is in comments
        assert found.count("so it is not drafted") == len(parse_account(state).escalation_policies)
    else:
        assert [schedule.get("min_participants")
                for schedule in read(draft, file)["schedules"]] == [None] * 6
    loaded = load_policy([written(tmp_path, draft)])
    assert loaded.policy is not None and loaded.findings == ()


@pytest.mark.parametrize(("field", "key", "note"), [
    pytest.param("acknowledgement_timeout", "acknowledgement_timeout", "Review: PagerDuty "
                 "returned the service without its acknowledgement timeout, so it is not "
                 "documented.", id="acknowledgement-timeout"),
    pytest.param("auto_resolve_timeout", "auto_resolve_timeout", "Review: PagerDuty returned "
                 "the service without its auto-resolve timeout, so it is not documented.",
                 id="auto-resolve-timeout"),
    pytest.param("incident_urgency_rule", "urgency", "Review: PagerDuty returned the service "
                 "without its urgency rule, so its urgency is not documented.",
                 id="urgency-rule"),
    pytest.param("support_hours", "support_hours", "Review: PagerDuty raises its urgency by "
                 "support hours but returned the service without them, so neither its urgency "
                 "nor its support hours are documented.", id="support-hours"),
])
def test_a_service_setting_pagerduty_did_not_return_is_not_drafted_as_none_or_off(
        tmp_path: Path, field: str, key: str, note: str) -> None:
    """A timeout PagerDuty left out is not read, not ``disabled``; an urgency rule left out is
    not "always high", support hours left out not "none": none is drafted, for a service or its
    tier, and a review note says why."""
    draft = draft_policy(fetched(demo_account(NOW), Faults(
        scripted=(Fault("omit_field", "/services", field=field),))))
    assert note in comments(draft["services.yaml"])
    tiers = read(draft, "organisation.yaml").get("tiers") or {}
    assert [settings for settings in (*read(draft, "services.yaml")["services"],
                                      *tiers.values()) if key in settings] == []
    loaded = load_policy([written(tmp_path, draft)])
    assert loaded.policy is not None and loaded.findings == ()


@pytest.mark.parametrize(("field", "teams"), [
    pytest.param("escalation_rules", (), id="escalation-rules"),
    pytest.param("escalation_rules.targets", (), id="targets"),
    pytest.param("escalation_rules", ("Platform",), id="escalation-rules-scoped-to-a-team"),
])
def test_checks_that_could_not_be_made_are_never_waived(
        tmp_path: Path, field: str, teams: tuple[str, ...]) -> None:
    """Skipped is never passed: where PagerDuty did not return escalation rules or their
    targets, the paging path and the responders' rules are not checked, and init drafts no
    waiver for that (nor for what the same waiver would accept with it): drift on the draft
    reports each as an unwaived warning, and the review notes of waivers.yaml name it."""
    state = fetched(demo_account(NOW), Faults(scripted=(
        Fault("omit_field", "/escalation_policies", field=field),)))
    draft = draft_policy(state, teams=teams)
    loaded = load_policy([written(tmp_path, draft)])
    assert loaded.policy is not None
    report = drift(loaded.policy, parse_account(state), NOW.date())
    unchecked = [finding for finding in report.findings
                 if finding.rule in EXCEPTION_RULES and "not checked" in finding.message]
    assert {finding.rule for finding in unchecked} >= {"PATH600", "USR400"}
    assert {(finding.severity.value, finding.waived) for finding in unchecked} == {
        ("warning", None)}
    notes = comments(draft["waivers.yaml"])
    assert [finding.message for finding in unchecked
            if f"Review: {finding.rule} could not check {finding.resource}" not in notes] == []
    assert "not checked" not in str(yaml.safe_load(draft["waivers.yaml"]))


@pytest.mark.parametrize(("path", "field", "file", "notes", "never"), [
    pytest.param("/escalation_policies", "escalation_rules.escalation_delay_in_minutes",
                 "escalation-policies.yaml",
                 ["Review: PagerDuty returned it without the escalation delay of levels 1, 2, 3 "
                  "and 4, so it is not drafted: the policy must say when each level after the "
                  "first is engaged and when it repeats, which was not read. Complete it from "
                  "PagerDuty and uncomment it. - name: Production - Platform"],
                 "_after: 0m", id="escalation-delay"),
    pytest.param("/services", "escalation_policy", "services.yaml",
                 ["Escalation policy: not read Review: PagerDuty returned the service without "
                  "its escalation policy, so no escalation policy lists it and the draft is "
                  "incomplete: list it under the policy that covers it (POL023).",
                  "Review: it covers no documented service PagerDuty returned with its "
                  "escalation policy; whether it covers any of Analytics Pipeline, Checkout API"],
                 "None", id="service-escalation-policy"),
    *(pytest.param(path, "teams", file, ["Review: PagerDuty returned it without its teams, so "
                                         "its team is not documented."], "    team: ",
                   id=f"{path[1:]}-teams")
      for path, file in (("/services", "services.yaml"), ("/schedules", "schedules.yaml"),
                         ("/escalation_policies", "escalation-policies.yaml"))),
    pytest.param("/schedules", "time_zone", "schedules.yaml",
                 ["Review: PagerDuty returned it without its time zone, so its time zone and "
                  "coverage are not documented."],
                 "None", id="schedule-time-zone"),
    pytest.param("/users", "email", "escalation-policies.yaml",
                 ["Review: level 4 pages user PU0000I (Sam Whitaker), whom PagerDuty listed "
                  "without an email, so the policy names them by id."],
                 "cannot list", id="user-email"),
])
def test_a_field_pagerduty_did_not_return_is_said_not_read_never_invented(
        tmp_path: Path, path: str, field: str, file: str, notes: list[str],
        never: str) -> None:
    """Absent is not empty: a field the spec requires, left out of an answer, is drafted as not
    read with a review note, never as a value (0 minutes, no team, 'None') nor as the key
    being unable to list the object; the draft lints without errors."""
    state = fetched(demo_account(NOW), Faults(scripted=(Fault("omit_field", path, field=field),)))
    draft = draft_policy(state)
    found = " ".join(comments(text) for text in draft.values())
    assert [note for note in notes if note not in found] == []
    assert never not in draft[file]
    assert [finding.message for finding in lint_paths([written(tmp_path, draft)]).findings
            if finding.severity.value == "error"] == []


HOOK = {"id": "PX00001", "type": "webhook_reference", "summary": "Hook"}


@pytest.mark.parametrize(("state", "note", "unpaged"), [
    pytest.param(lambda: fetched(replace(demo_account(NOW), escalation_policies=tuple(
        replace(policy, rules=()) for policy in demo_account(NOW).escalation_policies))),
                 "Review: PagerDuty returned it with no escalation rule, so it pages nobody and "
                 "is not drafted: the policy must give it a level. Add its levels in PagerDuty "
                 "and here, or delete it. - name: Production - Platform", 6, id="no-rules"),
    pytest.param(lambda: small(rules=[escalation_rule(10, HOOK), escalation_rule(10, ROTA)]),
                 "Review: level 1 also pages webhook_reference PX00001, which the account does "
                 "not list. Review: level 1 pages no target the policy can name, so it is not "
                 "drafted: the policy must name each level's targets. Complete it and uncomment "
                 "it. - name: Main", 0, id="a-level-of-targets-the-format-cannot-name"),
])
def test_an_escalation_policy_with_nothing_to_draft_is_written_in_comments_never_dropped(
        tmp_path: Path, state: Callable[[], LiveState], note: str, unpaged: int) -> None:
    """An escalation policy without rules, or with a level whose targets the format cannot
    name, is written in comments with a review note, never left out; the schedules its other
    levels page are not said to be paged by no policy."""
    draft = draft_policy(state())
    assert note in comments(draft["escalation-policies.yaml"])
    assert yaml.safe_load(draft["escalation-policies.yaml"]) is None
    assert comments(draft["schedules.yaml"]).count("no escalation policy pages it") == unpaged
    assert [finding.message for finding in lint_paths([written(tmp_path, draft)]).findings
            if finding.severity.value == "error"] == []


def test_a_scoped_draft_says_whom_levels_not_read_may_page() -> None:
    """With --team, the schedules of other teams that levels not read may page are not known to
    be in the scope: not drafted, and the scope's comment says so (never left out silently)."""
    state = fetched(demo_account(NOW), Faults(scripted=(
        Fault("omit_field", "/escalation_policies", field="escalation_rules"),)))
    draft = draft_policy(state, teams=["Platform"])
    assert ("Review: PagerDuty returned escalation policy 'Production - Platform' without its "
            "escalation rules, so whom it pages is not known: the schedules of other teams it "
            "may page are not drafted. Add those it pages.") in comments(draft["organisation.yaml"])
    assert "Security - On-call" not in draft["schedules.yaml"]


def test_teams_not_read_are_named_from_their_references(tmp_path: Path) -> None:
    draft = draft_policy(small(services=[web(teams=[ref("team", "PT00001", "Ops")])],
                               skipped=["teams"]))
    assert yaml.safe_load(draft["organisation.yaml"])["teams"] == [{"name": "Ops"}]
    assert lint_paths([written(tmp_path, draft)]).findings == ()


# -- a draft scoped to teams (--team) ----------------------------------------------------------

def test_a_demo_draft_scoped_to_a_team_documents_that_team_and_has_no_drift(
        tmp_path: Path, demo_state: LiveState) -> None:
    draft = draft_policy(demo_state, teams=["Platform"])
    folder = written(tmp_path, draft)
    assert read(draft, "organisation.yaml")["scope"] == {"teams": ["Platform"]}
    assert sorted(item["name"] for item in read(draft, "services.yaml")["services"]) == [
        "Checkout API", "Identity Service", "Internal Admin", "Legacy Billing", "Payments API",
        "Status Page"]
    assert [item["name"] for item in read(draft, "escalation-policies.yaml")[
        "escalation_policies"]] == ["Production - Platform", "Status Page"]
    assert "Security - On-call" not in draft["schedules.yaml"]
    assert [finding.message for finding in lint_paths([folder]).findings] == []
    # Pavel Novak, who cannot be phoned at once, is on call for Security: outside the scope.
    # Status Page's Saturdays, when nobody is on call at its first level, are waived.
    assert outcome(folder, demo_state) == [("PATH600", "Status Page", True)]


def test_a_generated_account_scoped_to_two_teams_round_trips(tmp_path: Path) -> None:
    account = generated_account(5, services=150, escalation_policies=60, schedules=40, users=200,
                                incidents=0, teams=8, v3_schedules=0, now=NOW)
    state = fetched(account)
    chosen = [account.teams[1], account.teams[4]]
    folder = written(tmp_path, draft_policy(state, teams=[team.name for team in chosen]))
    lint = lint_paths([folder]).findings
    assert {finding.rule for finding in lint} <= {"POL023"}, [
        f"{finding.location}: {finding.message}" for finding in lint]
    found = outcome(folder, state)
    assert [item for item in found if not item[2]] == []
    documented = load_policy([folder]).policy
    assert documented is not None
    ids = {team.id for team in chosen}
    assert len(documented.services) == sum(
        1 for live in account.services if live.status != "disabled" and ids & set(live.team_ids))
    assert 0 < len(documented.services) < len(account.services)


@pytest.mark.parametrize(("teams", "skipped", "message"), [
    (["Platfrom"], [], "--team 'Platfrom' is not a team in PagerDuty; did you mean 'Platform'?"),
    (["Ops"], ["teams"], "--team asks for a scope, but PagerDuty's team list could not be read "
                         "(403 Forbidden: the token may not read teams), so nothing can be told "
                         "in or out of scope"),
])
def test_a_team_that_cannot_be_found_is_an_error_not_an_empty_draft(
        demo_state: LiveState, teams: list[str], skipped: list[str], message: str) -> None:
    state = (small(services=[web()], skipped=skipped) if skipped else demo_state)
    with pytest.raises(InitError) as raised:
        draft_policy(state, teams=teams)
    assert str(raised.value) == message


def test_the_demo_draft_allows_the_maintenance_under_way_and_names_it(
        demo_draft: dict[str, str]) -> None:
    firewall = named(read(demo_draft, "services.yaml")["services"], "Web Application Firewall")
    assert firewall["maintenance_windows"] == {
        "max_length": "6h", "allowed": [{"description": "Firewall rule set upgrade",
                                         "from": date(2026, 3, 2), "until": date(2026, 3, 2)}]}
    comments = " ".join(line.strip().lstrip("#").strip()
                        for line in demo_draft["services.yaml"].splitlines())
    assert ("Review: PagerDuty holds it in maintenance from 2026-03-02 06:00 to 2026-03-02 "
            "12:00 (Firewall rule set upgrade, by Quinn Harper)") in comments


@pytest.mark.parametrize(("omitted", "named"), [
    pytest.param(None, "Firewall rule set upgrade", id="described"),
    pytest.param("description", "description not read", id="description-not-returned"),
])
def test_the_review_note_of_a_maintenance_window_never_reads_a_description_not_returned_as_none(
        omitted: str | None, named: str) -> None:
    faults = None if omitted is None else Faults(scripted=(
        Fault("omit_field", "/maintenance_windows", field=omitted),))
    draft = draft_policy(fetched(demo_account(NOW), faults))
    assert (f"Review: PagerDuty holds it in maintenance from 2026-03-02 06:00 to 2026-03-02 "
            f"12:00 ({named}, by Quinn Harper)") in comments(draft["services.yaml"])


UNREACHABLE = ClientConfig(api_url="http://127.0.0.1:9", token=ApiToken(TOKEN), max_attempts=1)


def request_for(folder: Path, *, force: bool = False,
                config: ClientConfig = UNREACHABLE) -> InitRequest:
    return InitRequest(folder=folder, force=force, organisation=None, time_zone=None,
                       client_config=config, window=Window.starting(NOW, timedelta(days=30)))


@pytest.mark.parametrize("present", [
    pytest.param(["notes.yml"], id="other-policy-files"),
    pytest.param(["services.yaml"], id="same-names"),
])
def test_write_draft_checks_the_folder_before_reading_the_account(
        tmp_path: Path, present: list[str]) -> None:
    """Nothing is read (the API is unreachable) and nothing written when the folder is refused."""
    folder = tmp_path / "policy"
    folder.mkdir()
    for name in present:
        (folder / name).write_text("services: []\n")
    with pytest.raises(PolicyFilesThere) as refused:
        write_draft(request_for(folder))
    assert refused.value.names == tuple(present)
    assert sorted(path.name for path in folder.iterdir()) == present


def test_write_draft_refuses_a_folder_whose_parent_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileWriteError, match="does not exist; create it first"):
        write_draft(request_for(tmp_path / "missing" / "policy"))


def test_write_draft_writes_beside_policy_files_when_forced(tmp_path: Path) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "notes.yml").write_text("services: []\n")
    with SimServer(demo_account(NOW), token=TOKEN) as server:
        config = ClientConfig(api_url=server.base_url, token=ApiToken(TOKEN),
                              requests_per_minute=60_000, key_share=None)
        drafted = write_draft(request_for(folder, force=True, config=config))
    assert drafted.others == ("notes.yml",)
    assert drafted.skipped == ()
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [*drafted.files, "notes.yml"])


HIDDEN_ROTA = ref("schedule", "PC00009", "Hidden Rota")
FOLLOW_THE_SUN = {"id": "PV00009", "type": "schedule_v3_reference", "summary": "Follow the sun"}
GONE = ref("user", "PU00009", "Gone Person")


@pytest.mark.parametrize(("rules", "service_policy", "targets", "unseen"), [
    pytest.param([escalation_rule(10, HIDDEN_ROTA), escalation_rule(10, BOB)], MAIN,
                 [{"schedule_id": "PC00009"}], "Hidden Rota", id="a-schedule-not-listed"),
    pytest.param([escalation_rule(10, FOLLOW_THE_SUN), escalation_rule(10, BOB)], MAIN,
                 [{"schedule_id": "PV00009"}], "Follow the sun",
                 id="a-shift-based-schedule-not-listed"),
    pytest.param([escalation_rule(10, GONE, ROTA), escalation_rule(10, BOB)], MAIN,
                 [{"user_id": "PU00009"}, {"schedule": "Rota"}], "Gone Person",
                 id="a-user-not-listed"),
    pytest.param(None, ref("escalation_policy", "PE00009", "Hidden Policy"), None,
                 "Hidden Policy", id="the-service-s-escalation-policy-not-listed"),
])
def test_what_the_key_cannot_see_round_trips(tmp_path: Path, rules: list[Json] | None,
                                             service_policy: Json,
                                             targets: list[Json] | None,
                                             unseen: str) -> None:
    """A restricted-access or team-scoped key sees references it cannot follow: the draft names
    them by id and lints clean, and drift on it names what the key cannot see (never drops it),
    not checked and never waived, where the rest of what no document can answer is waived for
    review (the small account's people have no notification rules)."""
    state = small(rules=rules, services=[service("PS00001", "Web",
                                                 escalation_policy=service_policy)])
    draft = draft_policy(state)
    if targets is not None:
        [policy] = read(draft, "escalation-policies.yaml")["escalation_policies"]
        assert policy["levels"][0]["targets"] == targets
    folder = written(tmp_path, draft)
    assert [finding.message for finding in lint_paths([folder]).findings
            if finding.severity.value == "error"] == []
    found = outcome(folder, state)
    assert sorted(finding for finding in found if not finding[2]) == [
        ("PATH600", "Web", False), ("USR400", unseen, False)]
    assert ("EP106", "Main", True) in found
    notes = comments(draft["waivers.yaml"])
    assert "Review: PATH600 could not check service 'Web', so no waiver of PATH600" in notes
    assert f"'{unseen}', so no waiver of USR400 is drafted for it" in notes


GROUPING_SETTING = {"id": "PAGS1", "name": "By host", "type": "content_based_intelligent",
                    "services": [ref("service", "PS00001", "Web")]}


@pytest.mark.parametrize(("pause", "grouping", "settings", "tier"), [
    pytest.param(None, {"type": None}, [], {"auto_pause_notifications": "disabled",
                                            "alert_grouping": "none"}, id="off"),
    pytest.param(300, {"type": "intelligent"}, [], {"auto_pause_notifications": "5m",
                                                    "alert_grouping": "intelligent"}, id="on"),
    pytest.param(0, {"id": "PAGS1", "type": "alert_grouping_setting_reference"},
                 [GROUPING_SETTING], {"auto_pause_notifications": "3m",
                                      "alert_grouping": "content_based_intelligent"},
                 id="recommended-pause-and-a-grouping-setting"),
    pytest.param(0, {"id": "PAGS1", "type": "alert_grouping_setting_reference"}, [],
                 {"alert_grouping": None}, id="a-grouping-setting-the-key-cannot-see"),
])
def test_auto_pause_and_alert_grouping(pause: int | None, grouping: Json,
                                       settings: list[Json], tier: dict[str, Any]) -> None:
    live = web()
    live["auto_pause_notifications_parameters"] = {
        "enabled": pause is not None, "timeout": pause or 0, "recommended_timeout": 180}
    live["alert_grouping_parameters"] = grouping
    draft = draft_policy(small(services=[live], alert_grouping_settings=settings))
    standard = yaml.safe_load(draft["organisation.yaml"])["tiers"]["standard"]
    assert {key: standard.get(key) for key in tier} == tier
    assert ("Review: its alert grouping is kept in Alert Grouping Setting PAGS1, which this API "
            "key cannot list" in " ".join(draft["services.yaml"].replace("#", "").split())) is (
        not settings and "id" in grouping)


def test_the_demo_draft_documents_the_p1_workflow_with_its_actions(
        demo_draft: dict[str, str]) -> None:
    severities = read(demo_draft, "organisation.yaml")["severities"]
    assert [severity.get("response_automation") for severity in severities] == [
        {"workflow": "Major incident response",
         "actions": ["add-responders", "add-conference-bridge"]}, None, None, None, None]
