"""The policy schema: POL003 messages at exact lines, and the schema's own promises to editors."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pdlint.policy import load_policy
from pdlint.policy.model import DURATION_PATTERN, parse_duration
from pdlint.policy.schema import inline_references, policy_schema

# (id, one policy file, [(line, exact message)])
SCHEMA_CASES: list[tuple[str, str, list[tuple[int, str]]]] = [
    ("notify_within without notify", """\
        severities:
          - id: P1
            name: Critical
            response_sla: 5m
            urgency: low
            channels: [email]
            business_hours_only: false
            notify_within: 30m
        """, [(8, "severities item 1: 'notify_within' needs 'notify' beside it")]),
    ("unknown key with a did-you-mean", """\
        schedules:
          - name: Primary
            rotation_lenght: 7d
        """, [(3, "unknown key 'rotation_lenght' in schedule; did you mean 'rotation_length'?")]),
    ("unknown top-level key", """\
        escalation_policy: []
        """, [(1, "unknown key 'escalation_policy' in policy file; "
                  "did you mean 'escalation_policies'?")]),
    ("unknown key with nothing close lists the allowed keys", """\
        teams:
          - name: A
            colour: red
        """, [(3, "unknown key 'colour' in team; allowed keys: description, id, name")]),
    ("wrong type: a number where a duration belongs", """\
        schedules:
          - name: Primary
            rotation_length: 5
        """, [(3, "rotation_length: expected a duration like 5m, 1h30m or 7d, got 5")]),
    ("bad duration", """\
        schedules:
          - name: Primary
            rotation_length: 1 week
        """, [(3, "rotation_length: expected a duration like 5m, 1h30m or 7d, got '1 week'")]),
    ("seconds are not a policy duration", """\
        schedules:
          - name: Primary
            rotation_length: 90s
        """, [(3, "rotation_length: expected a duration like 5m, 1h30m or 7d, got '90s'")]),
    ("unquoted time of day read as a number", """\
        organisation:
          name: A
          time_zone: UTC
          business_hours:
            days: [monday]
            start: 9:00
            end: "17:00"
        """, [(6, 'start: expected a time of day like "09:00" (in quotes), got 9:00 '
                  "(YAML reads it as the number 540; quote it)")]),
    ("missing required keys", """\
        severities:
          - id: P1
            name: Critical
            response_sla: 5m
            urgency: high
            channels: [phone]
        """, [(2, "severities item 1 is missing required key 'business_hours_only'")]),
    ("enum with a did-you-mean", """\
        schedules:
          - name: Primary
            coverage: 24/7
        """, [(3, "coverage: expected one of 24x7, business_hours, got '24/7'; "
                  "did you mean '24x7'?")]),
    ("later levels must say when they are engaged", """\
        escalation_policies:
          - name: Main
            levels:
              - targets: [{schedule: A}]
              - targets: [{schedule: B}]
        """, [(5, "levels item 2 is missing required key 'engaged_after'")]),
    ("a target names one schedule or one user", """\
        escalation_policies:
          - name: Main
            levels:
              - targets: [{schedule: A, user: a@example.com}]
        """, [(4, "targets item 1: expected escalation target (schedule: <name>, user: "
                  "<email>, user_id: <PagerDuty id> or schedule_id: <PagerDuty id>), got "
                  "schedule, user")]),
    ("bad email, bad date and an incomplete waiver resource", """\
        waivers:
          - rule: SVC306
            resource: {type: service}
            reason: migration
            owner: platform-lead
            expires: 2027-02-30
        """, [(3, "resource: expected waiver resource (type and a name or an id), got type"),
              (5, "owner: expected an email address, got 'platform-lead'"),
              (6, "expires: not a date like 2027-03-31, got '2027-02-30' "
                  "(day is out of range for month)")]),
    ("a link pattern that is not a regular expression", """\
        postmortems:
          recorded_as: incident_note
          link_pattern: "https://wiki/(["
        """, [(3, "link_pattern: not a regular expression, got 'https://wiki/([' "
                  "(unterminated character set at position 14)")]),
    ("a corrective action register path with a NUL byte", """\
        corrective_actions:
          register: "actions\\u0000.csv"
        """, [(2, "register: expected a file path, got 'actions\x00.csv'")]),
    ("a postmortem register path with a NUL byte", """\
        postmortems:
          recorded_as: register
          register: "\\u0000"
        """, [(3, "register: expected a file path, got '\x00'")]),
    ("conditional requirement of the postmortem record", """\
        postmortems:
          recorded_as: register
        """, [(1, "postmortems is missing required key 'register'")]),
    ("a repeated channel", """\
        severities:
          - id: P1
            name: Critical
            response_sla: 5m
            urgency: high
            channels: [phone, phone]
            business_hours_only: false
        """, [(6, "channels: 'phone' is listed twice")]),
    ("an empty name", """\
        services:
          - name:
        """, [(2, "name: expected a name, got nothing")]),
    ("a tier name with odd characters", """\
        tiers:
          "gold!": {}
        """, [(2, "'gold!': expected a tier name of letters, digits, spaces, _ . and -")]),
    ("a file that is a list", """\
        - name: Primary
        """, [(1, "the file: expected a mapping, got a list")]),
    ("a drift check cadence that is not a duration", """\
        organisation:
          name: Acme
          time_zone: UTC
          business_hours: {days: [monday], start: "09:00", end: "17:00"}
          drift_check_every: daily
        """, [(5, "drift_check_every: expected a duration like 5m, 1h30m or 7d, got 'daily'")]),
    ("a scope without teams", """\
        scope:
          services: ["prod-*"]
        """, [(1, "scope is missing required key 'teams'")]),
    ("a scope of no team", """\
        scope:
          teams: []
        """, [(2, "teams: needs at least 1 item")]),
]


@pytest.mark.parametrize(("text", "expected"),
                         [pytest.param(text, expected, id=name)
                          for name, text, expected in SCHEMA_CASES])
def test_schema_findings(tmp_path: Path, text: str, expected: list[tuple[int, str]]) -> None:
    (tmp_path / "policy.yaml").write_text(textwrap.dedent(text))
    loaded = load_policy([tmp_path])
    assert [(finding.rule, finding.location.line if finding.location else 0, finding.message)
            for finding in loaded.findings] == [("POL003", line, message)
                                                for line, message in expected]
    assert loaded.policy is None


def test_required_sections_missing_from_every_file_are_reported(tmp_path: Path) -> None:
    (tmp_path / "teams.yaml").write_text("teams: []\n")
    loaded = load_policy([tmp_path])
    assert [(finding.rule, str(finding.location), finding.message)
            for finding in loaded.findings] == [
        ("POL003", f"{tmp_path.as_posix()}/teams.yaml:1",
         f"the policy has no '{section}' section; one of its files must define it")
        for section in ("organisation", "severities")]
    assert loaded.policy is None


def test_schema_is_valid_draft_2020_12_with_an_id() -> None:
    schema = policy_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/policy.schema.json") and schema["title"]


def test_inlined_references_keep_the_schema_meaning() -> None:
    schema = policy_schema()
    inlined = inline_references(schema, schema["$defs"])
    assert "$ref" not in json.dumps(inlined) and "$defs" not in inlined
    later_level = inlined["properties"]["escalation_policies"]["items"]["properties"]["levels"]
    assert later_level["items"]["required"] == ["targets", "engaged_after"]
    assert later_level["items"]["title"] == "escalation level"
    assert later_level["prefixItems"][0]["required"] == ["targets"]


def _object_schemas(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield path, node
        for key, value in node.items():
            yield from _object_schemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _object_schemas(value, f"{path}/{index}")


def test_every_property_is_described_and_no_object_takes_unknown_keys() -> None:
    objects = dict(_object_schemas(policy_schema()))
    assert len(objects) > 15
    undescribed = [f"{path}/{name}" for path, schema in objects.items()
                   for name, prop in schema.get("properties", {}).items()
                   if "description" not in prop]
    open_objects = [path for path, schema in objects.items()
                    if schema.get("additionalProperties") is not False
                    and path != "#/properties/tiers"]  # tiers: any name, each a closed tier
    assert (undescribed, open_objects) == ([], [])


def test_the_model_reads_durations_with_the_schema_grammar() -> None:
    assert policy_schema()["$defs"]["duration"]["pattern"] == DURATION_PATTERN
    grammar = re.compile(DURATION_PATTERN)
    for written in ("5m", "90m", "1h30m", "48h", "7d", "1d2h3m", "0m"):
        assert grammar.match(written)
        parse_duration(written)
    for written in ("", "5", "90s", "1h 30m", "30m1h", "1w", "-5m"):
        assert not grammar.match(written)
        with pytest.raises(ValueError):
            parse_duration(written)


def test_the_example_policy_files_point_editors_at_the_schema() -> None:
    root = Path(__file__).resolve().parents[2]
    for policy_file in sorted((root / "policy").glob("*.yaml")):
        first_line = policy_file.read_text().splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=../schemas/policy.schema.json"
        assert (policy_file.parent / "../schemas/policy.schema.json").resolve().is_file()
