"""The typed account parsed from the API's JSON: what each field means, absent kept apart from
empty, and errors that name the object and the field."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pdlint.findings import Skipped
from pdlint.pagerduty.model import (
    Account,
    ModelError,
    TargetKind,
    UrgencyRule,
    parse_account,
    parse_time,
)
from pdlint.pagerduty.state import LiveState, Window

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
WINDOW = Window.starting(NOW, timedelta(days=7))
NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def account_of(skipped: tuple[Skipped, ...] = (), **objects: list[dict[str, Any]]) -> Account:
    return parse_account(LiveState("https://api.pagerduty.com", NOW, WINDOW, objects, skipped))


def schedule(**fields: Any) -> dict[str, Any]:
    return {"id": "PS1", "name": "Primary", "time_zone": "UTC", **fields}


@pytest.mark.parametrize(("text", "moment"), [
    ("2026-03-07T05:00:00Z", utc("2026-03-07T05:00")),
    ("2026-03-07T00:00:00-05:00", utc("2026-03-07T05:00")),
])
def test_parse_time(text: str, moment: datetime) -> None:
    assert parse_time(text) == moment


def test_parse_time_places_a_time_without_a_zone_in_the_zone_given() -> None:
    assert parse_time("2026-03-07T00:00:00", NEW_YORK) == utc("2026-03-07T05:00")
    assert parse_time("2026-03-07T00:00:00Z", NEW_YORK) == utc("2026-03-07T00:00")


def test_parse_time_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        parse_time("2026-03-07T05:00:00")


@pytest.mark.parametrize(("final", "rendered", "shifts", "problem"), [
    pytest.param(None, False, 0, None, id="absent-is-not-rendered"),
    pytest.param({"rendered_schedule_entries": []}, True, 0, None, id="empty-is-nobody"),
    pytest.param({"rendered_schedule_entries": [
        {"start": "2026-03-02T12:00:00Z", "end": "2026-03-02T20:00:00-05:00",
         "user": {"id": "PU1", "type": "user_reference", "summary": "Ann"}}]},
        True, 1, None, id="one-shift"),
    pytest.param({"rendered_schedule_entries": [
        {"start": "2026-03-02T12:00:00Z", "end": "2026-03-02T13:00:00Z"},
        {"start": "2026-03-02T13:00:00Z"}]}, True, 0, "rendered_schedule_entries[1].end is missing",
        id="broken-entry-named"),
    *(pytest.param({"rendered_schedule_entries": entries}, True, 0, problem, id=name)
      for name, entries, problem in (
        ("end-null", [{"start": "2026-03-02T12:00:00Z", "end": None}],
         "rendered_schedule_entries[0].end is null: an entry that does not end cannot be "
         "placed in the window"),
        ("start-null", [{"start": None, "end": "2026-03-02T12:00:00Z"}],
         "rendered_schedule_entries[0].start is null"),
        ("start-a-number", [{"start": 5, "end": "2026-03-02T12:00:00Z"}],
         "rendered_schedule_entries[0].start is 5, not text"),
        ("end-not-a-time", [{"start": "2026-03-02T12:00:00Z", "end": "later"}],
         "rendered_schedule_entries[0].end is 'later', not an ISO 8601 time with a time zone"),
        ("entry-not-an-object", ["2026-03-02T12:00:00Z"],
         "rendered_schedule_entries[0] is '2026-03-02T12:00:00Z', not an object"),
        ("user-not-an-object", [{"start": "2026-03-02T12:00:00Z",
                                 "end": "2026-03-02T13:00:00Z", "user": "PU1"}],
         "rendered_schedule_entries[0].user is 'PU1', not an object"),
      )),
])
def test_final_schedule_absent_is_not_empty(final: dict[str, Any] | None, rendered: bool,
                                            shifts: int, problem: str | None) -> None:
    fields = {} if final is None else {"final_schedule": final}
    [parsed] = account_of(schedules=[schedule(**fields)]).schedules
    assert (parsed.final_schedule is not None) == rendered
    if parsed.final_schedule is not None:
        assert (len(parsed.final_schedule.shifts), parsed.final_schedule.problem) == (
            shifts, problem)


def test_a_shift_keeps_who_was_on_call_and_when_in_utc() -> None:
    [parsed] = account_of(schedules=[schedule(final_schedule={"rendered_schedule_entries": [
        {"start": "2026-03-02T07:00:00-05:00", "end": "2026-03-02T20:00:00Z",
         "user": {"id": "PU1", "type": "user_reference", "summary": "Ann"}}]})]).schedules
    assert parsed.final_schedule is not None
    [shift] = parsed.final_schedule.shifts
    assert (shift.start, shift.end, shift.user_id) == (
        utc("2026-03-02T12:00"), utc("2026-03-02T20:00"), "PU1")


@pytest.mark.parametrize(("collection", "objects", "message"), [
    pytest.param("schedules", [schedule(time_zone=5)],
                 "schedule PS1 ('Primary'): time_zone is 5, not text", id="wrong-type"),
    pytest.param("escalation_policies", [{"id": "PE1", "name": "Main", "escalation_rules": [
        {"escalation_delay_in_minutes": "ten", "targets": []}]}],
                 "escalation policy PE1 ('Main'): escalation_rules[0].escalation_delay_in_minutes "
                 "is 'ten', not a whole number", id="nested-field"),
    pytest.param("escalation_policies", [{"id": "PE1", "name": "Main", "escalation_rules": [
        {"escalation_delay_in_minutes": 5, "targets": [],
         "escalation_rule_assignment_strategy": {"type": 7}}]}],
                 "escalation policy PE1 ('Main'): escalation_rules[0]."
                 "escalation_rule_assignment_strategy is 7, not a strategy", id="strategy"),
    pytest.param("services", [{"name": "Checkout"}],
                 "service ? ('Checkout'): id is missing; every service has one", id="no-id"),
    *(pytest.param(collection, [{"id": "P1", "summary": "Main"}],
                   f"{kind} P1 ('Main'): name is missing; pdlint finds every {kind} by its name",
                   id=f"{kind}-without-its-name")
      for collection, kind in (("escalation_policies", "escalation policy"),
                               ("schedules", "schedule"), ("services", "service"),
                               ("teams", "team"), ("priorities", "priority"),
                               ("incident_workflows", "incident workflow"))),
    pytest.param("schedules_v3", [{"id": "P1"}], "shift-based schedule P1: name is missing; "
                 "pdlint finds every shift-based schedule by its name",
                 id="shift-based-schedule-without-name-or-summary"),
    pytest.param("services", [{"id": "PV1", "name": "Checkout", "support_hours": "9-5"}],
                 "service PV1 ('Checkout'): support_hours is '9-5', not an object",
                 id="not-object"),
    pytest.param("schedules", [schedule(schedule_layers=[{"start": "yesterday"}])],
                 "schedule PS1 ('Primary'): schedule_layers[0].start is 'yesterday', not an ISO "
                 "8601 time with a time zone", id="bad-time"),
    pytest.param("users", [{"id": "PU1", "name": "Ann", "invitation_sent": "yes"}],
                 "user PU1 ('Ann'): invitation_sent is 'yes', not true or false", id="flag"),
    pytest.param("maintenance_windows", [{"id": "PW1", "summary": "Upgrade",
                                          "start_time": "2026-03-02T10:00:00Z"}],
                 "maintenance window PW1 ('Upgrade'): end_time is missing; every maintenance "
                 "window has one", id="window-without-end"),
])
def test_errors_name_the_object_and_the_field(collection: str, objects: list[Any],
                                              message: str) -> None:
    with pytest.raises(ModelError) as raised:
        account_of(**{collection: objects})
    assert str(raised.value) == message


def test_a_collection_not_read_is_not_an_empty_one() -> None:
    account = account_of((Skipped("priorities", "403 Forbidden"),), priorities=[])
    assert (account.priorities.read, account.priorities.skip_reason) == (False, "403 Forbidden")
    assert (account.teams.read, len(account.teams)) == (True, 0)


@pytest.mark.parametrize(("user", "rules", "methods"), [
    pytest.param({}, None, None, id="not-included"),
    pytest.param({"notification_rules": [], "contact_methods": []}, 0, 0, id="none"),
])
def test_notification_rules_absent_is_not_empty(user: dict[str, Any], rules: int | None,
                                                methods: int | None) -> None:
    [parsed] = account_of(users=[{"id": "PU1", "name": "Ann", **user}]).users
    assert (None if parsed.notification_rules is None else len(parsed.notification_rules),
            None if parsed.contact_methods is None else len(parsed.contact_methods)) == (
        rules, methods)


RULE = {"type": "assignment_notification_rule", "urgency": "high", "start_delay_in_minutes": 0,
        "contact_method": {"id": "PC9", "type": "phone_contact_method_reference"}}


@pytest.mark.parametrize(("left_out", "read", "missing"), [
    ((), ("high", 0, "phone_contact_method"), ()),
    (("start_delay_in_minutes",), ("high", None, "phone_contact_method"),
     ("start_delay_in_minutes",)),
    (("urgency",), (None, 0, "phone_contact_method"), ("urgency",)),
    (("contact_method",), ("high", 0, None), ("contact_method",)),
    # The rule's reference without its type: the user's contact methods may still say it.
    (("contact_method.type",), ("high", 0, "phone_contact_method"), ()),
    (("contact_method.type", "user.contact_methods.PC9"), ("high", 0, None),
     ("contact_method.type", "the rule's contact method among the user's contact_methods")),
    (("type",), ("high", 0, "phone_contact_method"), ("type",)),
    (("type", "urgency"), (None, 0, "phone_contact_method"), ("urgency", "type")),
    # The user's contact methods say whether the rule's method is enabled and not blocked.
    (("user.contact_methods",), ("high", 0, "phone_contact_method"),
     ("the user's contact_methods",)),
    (("user.contact_methods", "contact_method"), ("high", 0, None), ("contact_method",)),
    (("user.contact_methods.PC9",), ("high", 0, "phone_contact_method"),
     ("the rule's contact method among the user's contact_methods",)),
])
def test_a_notification_rule_keeps_a_field_pagerduty_left_out_as_not_read(
        left_out: tuple[str, ...], read: tuple[object, ...], missing: tuple[str, ...]) -> None:
    """Absent is not empty: no delay is not "at once", no urgency or method not "no call", a
    method the user's contact methods (not returned, or not holding it) do not describe not
    usable."""
    rule: dict[str, Any] = {key: value for key, value in RULE.items() if key not in left_out}
    if "contact_method.type" in left_out:
        rule["contact_method"] = {"id": "PC9"}
    listed = [] if "user.contact_methods.PC9" in left_out else [
        {"id": "PC9", "type": "phone_contact_method", "enabled": True, "blacklisted": False}]
    methods = {} if "user.contact_methods" in left_out else {"contact_methods": listed}
    [parsed] = account_of(users=[{"id": "PU1", "name": "Ann", "notification_rules": [rule],
                                  **methods}]).users
    assert parsed.notification_rules is not None
    [found] = parsed.notification_rules
    kind = None if found.contact_method is None else found.contact_method.kind
    assert ((found.urgency, found.start_delay_minutes, kind), found.missing) == (read, missing)


def test_a_notification_rule_reads_its_contact_method_from_the_user() -> None:
    [parsed] = account_of(users=[{
        "id": "PU1", "name": "Ann",
        "contact_methods": [{"id": "PC1", "type": "phone_contact_method", "enabled": False}],
        "notification_rules": [{"urgency": "high", "start_delay_in_minutes": 0, "contact_method": {
            "id": "PC1", "type": "phone_contact_method_reference"}}]}]).users
    assert parsed.notification_rules is not None
    [rule] = parsed.notification_rules
    assert (rule.contact_method.kind, rule.contact_method.usable) == (
        "phone_contact_method", False)


@pytest.mark.parametrize(("written", "kind"), [
    ("schedule", TargetKind.SCHEDULE), ("schedule_reference", TargetKind.SCHEDULE),
    ("schedule_v3_reference", TargetKind.SHIFT_BASED_SCHEDULE), ("user", TargetKind.USER),
    ("user_reference", TargetKind.USER), ("team_reference", TargetKind.OTHER),
])
def test_target_kinds(written: str, kind: TargetKind) -> None:
    [policy] = account_of(escalation_policies=[{"id": "PE1", "name": "Main", "escalation_rules": [
        {"escalation_delay_in_minutes": 10, "targets": [{"id": "X", "type": written}]}]}]
    ).escalation_policies
    assert (policy.rules[0].targets[0].kind, policy.rules[0].targets[0].type) == (kind, written)


@pytest.mark.parametrize(("written", "round_robin"), [
    pytest.param({"type": "round_robin"}, True, id="object-as-the-api-answers"),
    pytest.param("round_robin", True, id="text-as-the-spec-schema-says"),
    pytest.param([{"type": "round_robin"}], True, id="list-as-the-spec-example"),
    pytest.param({"type": "assign_to_everyone"}, False, id="everyone"),
    pytest.param(None, False, id="absent-is-everyone"),
])
def test_escalation_rule_assignment_strategy(written: Any, round_robin: bool) -> None:
    [policy] = account_of(escalation_policies=[{"id": "PE1", "name": "Main", "escalation_rules": [
        {"escalation_delay_in_minutes": 10, "targets": [],
         "escalation_rule_assignment_strategy": written}]}]).escalation_policies
    assert policy.rules[0].round_robin is round_robin


@pytest.mark.parametrize(("rule", "expected", "word", "high"), [
    pytest.param({"type": "constant"}, UrgencyRule("high"), "high", True,
                 id="no-urgency-is-constant-high"),
    pytest.param({"type": "constant", "urgency": "low"}, UrgencyRule("low"), "low", False,
                 id="constant-low"),
    pytest.param({"type": "constant", "urgency": "severity_based"},
                 UrgencyRule("severity_based"), "severity_based", True, id="severity-based"),
    pytest.param({"type": "use_support_hours",
                  "during_support_hours": {"type": "constant", "urgency": "high"},
                  "outside_support_hours": {"type": "constant", "urgency": "low"}},
                 UrgencyRule(None, "high", "low"), "support_hours", True, id="support-hours"),
    pytest.param({"type": "use_support_hours",
                  "during_support_hours": {"type": "constant", "urgency": "low"},
                  "outside_support_hours": {"type": "constant", "urgency": "low"}},
                 UrgencyRule(None, "low", "low"), "support_hours (low during, low outside)",
                 False, id="support-hours-low-low"),
])
def test_urgency_rule(rule: dict[str, Any], expected: UrgencyRule, word: str,
                      high: bool) -> None:
    [service] = account_of(services=[{"id": "PV1", "name": "Checkout",
                                      "incident_urgency_rule": rule}]).services
    assert service.urgency_rule is not None
    assert (service.urgency_rule, service.urgency_rule.policy_word(),
            service.urgency_rule.raises_high()) == (expected, word, high)


def test_an_urgency_rule_not_returned_is_not_read() -> None:
    """Not PagerDuty's default for a service created without one (constant high)."""
    [service] = account_of(services=[{"id": "PV1", "name": "Checkout"}]).services
    assert service.urgency_rule is None


def test_the_policy_word_support_hours_means_high_during_and_low_outside() -> None:
    assert UrgencyRule.meant_by("support_hours") == UrgencyRule(None, "high", "low")
    assert UrgencyRule.meant_by("low") == UrgencyRule("low")


def test_a_field_absent_is_not_read_never_pagerduty_s_default() -> None:
    """``num_loops`` (default 0), ``on_call_handoff_notifications`` (default
    ``if_has_services``) and ``invitation_sent`` are not required by the spec: absent, they
    are not read, as a required list absent is."""
    account = account_of(escalation_policies=[{"id": "PE1", "name": "Main"}],
                         services=[{"id": "PV1", "name": "Checkout"}],
                         users=[{"id": "PU1", "name": "Ann"}])
    [policy], [service], [user] = account.escalation_policies, account.services, account.users
    assert (policy.num_loops, policy.handoff_notifications) == (None, None)
    assert policy.rules is None  # required by the spec: absent is not read, not "no rule"
    assert (service.integrations, service.support_hours, service.acknowledgement_timeout) == (
        None, None, None)
    assert user.invitation_sent is None


def test_a_shift_based_schedule_is_named_by_its_summary() -> None:
    account = account_of(schedules_v3=[{"id": "PV3", "summary": "Follow the sun"}],
                         escalation_policies=[{"id": "PE1", "name": "Main", "escalation_rules": [
                             {"targets": [{"id": "PV3", "type": "schedule_v3_reference"}]}]}])
    [policy] = account.escalation_policies
    assert account.schedule_named(policy.rules[0].targets[0]) == "Follow the sun"


SPEC = Path(__file__).parent.parent / "fixtures" / "pagerduty-openapi" / "openapiv3.json"


def test_the_spec_example_maintenance_window_reads_whole() -> None:
    """PagerDuty's own example (GET /maintenance_windows): times with an offset, the creator's
    name, the services it holds."""
    spec = json.loads(SPEC.read_text())
    example = spec["paths"]["/maintenance_windows"]["get"]["responses"]["200"]["content"][
        "application/json"]["examples"]["response"]["value"]
    account = account_of(maintenance_windows=example["maintenance_windows"])
    [window] = account.maintenance_windows
    assert (window.id, window.name, window.description) == (
        "PW98YIO", "Immanentizing the eschaton", "Immanentizing the eschaton")
    assert (window.start, window.end) == (utc("2015-11-10T01:00"), utc("2015-11-10T03:00"))
    assert window.created_by is not None and window.created_by.summary == "Earline Greenholt"
    assert account.maintenance_windows_of("PIJ90N7") == (window,)
    assert account.maintenance_windows_of("POTHER1") == ()
    assert window.covers(utc("2015-11-10T01:00")) and not window.covers(utc("2015-11-10T03:00"))
    assert window.overlaps(utc("2015-11-10T02:59"), utc("2015-11-11T00:00"))
    assert not window.overlaps(utc("2015-11-10T03:00"), utc("2015-11-11T00:00"))


@pytest.mark.parametrize(("window", "services", "creator"), [
    pytest.param({}, None, None, id="not-said"),
    pytest.param({"services": [], "created_by": None}, 0, None, id="none"),
    pytest.param({"services": [{"id": "PV1"}], "created_by": {"id": "PU1"}}, 1, "PU1",
                 id="named"),
])
def test_a_maintenance_window_keeps_absent_apart_from_empty(
        window: dict[str, Any], services: int | None, creator: str | None) -> None:
    [parsed] = account_of(maintenance_windows=[{
        "id": "PW1", "start_time": "2026-03-02T10:00:00Z", "end_time": "2026-03-02T12:00:00Z",
        **window}]).maintenance_windows
    assert (None if parsed.services is None else len(parsed.services)) == services
    assert (None if parsed.created_by is None else parsed.created_by.id) == creator


def test_windows_not_read_are_not_none() -> None:
    account = account_of((Skipped("maintenance_windows", "403 Forbidden"),))
    assert account.maintenance_windows_of("PV1") is None
    assert account_of().maintenance_windows_of("PV1") == ()


@pytest.mark.parametrize(("parameters", "enabled", "pause"), [
    pytest.param({"enabled": True, "timeout": 300}, True, 300, id="paused"),
    pytest.param({"enabled": True, "timeout": 0, "recommended_timeout": 180}, True, 180,
                 id="recommended"),
    pytest.param({"enabled": False, "timeout": 0}, False, None, id="off"),
])
def test_auto_pause(parameters: dict[str, Any], enabled: bool, pause: int | None) -> None:
    [service] = account_of(services=[{"id": "PV1", "name": "Web",
                                      "auto_pause_notifications_parameters": parameters}]).services
    assert service.auto_pause is not None
    assert (service.auto_pause.enabled, service.auto_pause.pause_seconds) == (enabled, pause)


@pytest.mark.parametrize(("parameters", "word"), [
    pytest.param({"type": None}, "none", id="none"),
    pytest.param({"type": "intelligent", "config": {"time_window": 300}}, "intelligent",
                 id="intelligent"),
    pytest.param({"id": "PAGS1", "type": "alert_grouping_setting_reference"}, None,
                 id="a-setting-not-read"),
])
def test_alert_grouping(parameters: dict[str, Any], word: str | None) -> None:
    [service] = account_of(services=[{"id": "PV1", "name": "Web", "alert_grouping_parameters":
                                      parameters}]).services
    assert service.alert_grouping is not None and service.alert_grouping.policy_word() == word


SETTING = {"id": "PAGS1", "name": "By host", "type": "content_based",
           "config": {"time_window": 900, "aggregate": "all", "fields": ["component"]},
           "services": [{"id": "PV1", "type": "service_reference", "summary": "Web"}]}
REFERENCE = {"id": "PAGS1", "type": "alert_grouping_setting_reference"}


@pytest.mark.parametrize(("parameters", "settings", "skipped", "word", "described"), [
    pytest.param({"type": "time"}, [], (), "time", "time", id="its-own-parameters"),
    pytest.param(REFERENCE, [SETTING], (), "content_based",
                 "content_based (Alert Grouping Setting 'By host', PAGS1)",
                 id="the-setting-it-references"),
    pytest.param({"type": None}, [SETTING], (), "content_based",
                 "content_based (Alert Grouping Setting 'By host', PAGS1)",
                 id="the-setting-that-lists-it-wins"),
    pytest.param(REFERENCE, [{**SETTING, "services": []}], (), "content_based",
                 "content_based (Alert Grouping Setting 'By host', PAGS1)",
                 id="referenced-but-not-listed-back"),
    pytest.param(REFERENCE, [], (), None, "not known (Alert Grouping Setting PAGS1)",
                 id="a-setting-the-key-cannot-see"),
    pytest.param(REFERENCE, [], (Skipped("alert_grouping_settings", "403"),), None,
                 "not known (Alert Grouping Setting PAGS1)", id="settings-not-read"),
    pytest.param(None, [{**SETTING, "type": "time"}], (), "time",
                 "time (Alert Grouping Setting 'By host', PAGS1)",
                 id="listed-without-parameters"),
])
def test_alert_grouping_of_a_service(parameters: dict[str, Any] | None,
                                     settings: list[dict[str, Any]],
                                     skipped: tuple[Skipped, ...], word: str | None,
                                     described: str) -> None:
    account = account_of(skipped, services=[{"id": "PV1", "name": "Web",
                                             "alert_grouping_parameters": parameters}],
                         alert_grouping_settings=[] if skipped else settings)
    grouping = account.alert_grouping_of(account.services.objects[0])
    assert grouping is not None
    assert (grouping.policy_word(), grouping.described()) == (word, described)


def test_the_spec_example_alert_grouping_settings() -> None:
    """PagerDuty's own example lists its services by id and name, without the type its
    schema requires: pdlint reads the id."""
    example = spec_example("/alert_grouping_settings")["alert_grouping_settings"]
    account = account_of(alert_grouping_settings=example,
                         services=[{"id": "PA15YRT", "name": "Checkout Service"}])
    [setting] = account.alert_grouping_settings
    assert (setting.id, setting.name, setting.kind) == (
        "PJWA06X", "Example of Alert Grouping Setting", "content_based")
    assert [service.id for service in setting.services or ()] == ["P0KJZ0A", "PA15YRT"]
    grouping = account.alert_grouping_of(account.services.objects[0])
    assert grouping is not None and grouping.policy_word() == "content_based"


def test_a_service_listed_without_them_says_nothing_of_pausing_or_grouping() -> None:
    [service] = account_of(services=[{"id": "PV1", "name": "Web"}]).services
    assert (service.auto_pause, service.alert_grouping) == (None, None)


def spec_example(path: str, status: str = "200") -> dict[str, Any]:
    spec = json.loads(SPEC.read_text())
    example: dict[str, Any] = spec["paths"][path]["get"]["responses"][status]["content"][
        "application/json"]["examples"]["response"]["value"]
    return example


def test_the_spec_example_workflows_and_triggers_read_whole() -> None:
    """PagerDuty's own examples: a workflow listed without its steps (not read, not "none"),
    the same workflow shown with them, and a trigger on every service for P1."""
    listed = spec_example("/incident_workflows")["incident_workflows"]
    shown = spec_example("/incident_workflows/{id}", "201")["incident_workflow"]
    triggers = spec_example("/incident_workflows/triggers")["triggers"]
    account = account_of(incident_workflows=[*listed, {**shown, "id": "PSHOWN1"}],
                         workflow_triggers=triggers)
    without, with_steps = account.incident_workflows
    assert (without.name, without.is_enabled, without.steps, without.action_ids()) == (
        "Example Incident Workflow", True, None, None)
    assert with_steps.action_ids() == ("pagerduty.com:incident-workflows:send-status-update:1",)
    [trigger] = account.workflow_triggers
    assert (trigger.name, trigger.automatic, trigger.condition, trigger.covers("PANY001")) == (
        "Example Incident Workflow", True, "incident.priority matches 'P1'", True)
    assert trigger.workflow is not None and trigger.workflow.id == "PSFEVL7"


@pytest.mark.parametrize(("trigger", "covers"), [
    pytest.param({"is_subscribed_to_all_services": True, "services": []}, True, id="all"),
    pytest.param({"is_subscribed_to_all_services": False, "services": [{"id": "PV1"}]}, True,
                 id="listed"),
    pytest.param({"is_subscribed_to_all_services": False, "services": []}, False, id="none"),
    pytest.param({}, None, id="not-said"),
])
def test_a_trigger_covers_a_service_or_does_not_say(trigger: dict[str, Any],
                                                    covers: bool | None) -> None:
    [parsed] = account_of(workflow_triggers=[{
        "id": "T1", "trigger_type": "conditional", **trigger}]).workflow_triggers
    assert parsed.covers("PV1") is covers


def test_a_disabled_workflow_and_a_manual_trigger_run_nothing_by_themselves() -> None:
    account = account_of(
        incident_workflows=[{"id": "PF1", "name": "Bridge", "is_enabled": False, "steps": []}],
        workflow_triggers=[{"id": "T1", "trigger_type": "manual"},
                           {"id": "T2", "trigger_type": "conditional", "is_disabled": True}])
    [workflow] = account.incident_workflows
    assert (workflow.is_enabled, workflow.action_ids()) == (False, ())
    assert [trigger.automatic for trigger in account.workflow_triggers] == [False, False]


# -- event orchestration ----------------------------------------------------------------------

def shared_example(response: str) -> dict[str, Any]:
    """The example answer of one of the spec's shared responses."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    example: dict[str, Any] = spec["components"]["responses"][response]["content"][
        "application/json"]["examples"]["response"]["value"]
    return example

def test_the_spec_example_service_orchestration_reads_as_written() -> None:
    """Every rule in set order, named as written, the catch-all last; only the actions that
    decide whether a page goes out."""
    answer = shared_example("OrchestrationPathServiceTypeResponse")
    account = account_of(service_orchestrations=[
        {"service_id": "PC2D9ML", **answer, "active": False}])
    orchestration = account.service_orchestrations["PC2D9ML"]
    assert (orchestration.active, orchestration.applies) == (False, False)
    assert [(rule.set_id, rule.name, rule.actions.holds_back())
            for rule in orchestration.rules] == [
        ("start", "Always apply some consistent event transformations to every event sent to "
                  "this Service", None),
        ("step-two", "All critical alerts should be treated as P1 incidents", None),
        ("step-two", "If there's something wrong on the canary let the team know about it in "
                     "our deployments Slack channel", None),
        ("step-two", "Pause the alert and trigger a reboot action if flaky server receives an "
                     "error", "suspends the alert for 300 s"),
        ("step-two", "Never bother the on-call for info-level events outside of work hours",
         "suppresses the alert"),
        (None, "catch-all", "suppresses the alert")]
    first, critical = orchestration.rules[:2]
    assert (first.conditions, first.actions.route_to) == ((), "step-two")
    assert critical.actions.priority_id == "P0IN2KQ"
    assert critical.described() == ("rule 'All critical alerts should be treated as P1 "
                                     "incidents' of set 'step-two' (when event.severity matches "
                                     "'critical')")


def test_the_spec_example_router_routes_by_service_id() -> None:
    answer = shared_example("OrchestrationPathRouterTypeResponse")
    orchestration_id = answer["orchestration_path"]["parent"]["id"]
    account = account_of(
        event_orchestrations=[{"id": orchestration_id, "name": "Shopping Cart Orchestration"}],
        orchestration_routers=[{"event_orchestration_id": orchestration_id, **answer}])
    router = account.routers[orchestration_id]
    assert [(rule.name, rule.conditions, rule.actions.route_to) for rule in router.rules] == [
        ("Events relating to our relational database",
         ("event.summary matches part 'database'", "event.source matches regex 'db[0-9]+-server'"),
         "PB31XBA"),
        ("Events relating to our www app server", ("event.summary matches part 'www'",),
         "PC2D9ML"),
        ("catch-all", (), "unrouted")]


@pytest.mark.parametrize(("actions", "held", "urgency"), [
    ({}, None, None),
    ({"suppress": False, "suspend": 0}, None, None),
    ({"drop_event": True, "suppress": True}, "drops the event", None),
    ({"event_action": "resolve"}, "turns the event into a resolve", None),
    ({"severity": "warning"}, None, "low"),
    ({"severity": "critical"}, None, "high"),
])
def test_what_an_action_does_to_a_page(actions: dict[str, Any], held: str | None,
                                       urgency: str | None) -> None:
    account = account_of(service_orchestrations=[{"service_id": "PS1", "orchestration_path": {
        "sets": [], "catch_all": {"actions": actions}}}])
    catch_all = account.service_orchestrations["PS1"].rules[-1]
    assert (catch_all.is_catch_all, catch_all.actions.holds_back(),
            catch_all.actions.urgency) == (True, held, urgency)


def test_an_orchestration_not_read_is_not_one_without_rules() -> None:
    """A service missing from the map was not read; an active status not read is not False."""
    account = account_of(service_orchestrations=[{"service_id": "PS1", "orchestration_path": {
        "sets": [{"id": "start", "rules": []}], "catch_all": {"actions": {}}}}])
    assert "PS2" not in account.service_orchestrations
    assert account.service_orchestrations["PS1"].active is None
    assert account.service_orchestrations["PS1"].applies


def test_an_integration_names_its_vendor() -> None:
    account = account_of(services=[{"id": "PV1", "name": "Checkout", "integrations": [
        {"id": "PI1", "type": "events_api_v2_inbound_integration", "name": "Datadog prod",
         "vendor": {"id": "PVD", "type": "vendor_reference", "summary": "Datadog"}},
        {"id": "PI2", "type": "generic_email_inbound_integration_reference",
         "summary": "Email"}]}])
    service = account.services.by_id("PV1")
    assert service is not None and service.integrations is not None
    datadog, email = service.integrations
    assert (datadog.vendor, datadog.named("datadog"), datadog.named("DATADOG PROD")) == (
        "Datadog", True, True)
    assert (email.type, email.name, email.vendor, email.named("Datadog")) == (
        "generic_email_inbound_integration", "Email", None, False)
