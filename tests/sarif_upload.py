"""What GitHub code scanning demands of a SARIF upload beyond the 2.1.0 schema, as a checker.

From GitHub's documentation of SARIF support for code scanning: a result must name its rule
and carry a message and at least one location with an artifact URI and a start line (an upload
with one result without a location is rejected whole: "expected at least one location"); a run
holds at most 25,000 results and 25,000 rules, a result at most 1,000 locations, a rule at most
20 tags; a ``uriBaseId`` GitHub resolves is ``%SRCROOT%``, the repository root, so a relative
URI never climbs out of it. ``partialFingerprints`` follow an alert across uploads, so each is
checked here to be present and unique within its rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

SCHEMA_PATH = Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"

MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_LOCATIONS = 1_000
MAX_TAGS = 20


def schema_validator() -> Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def schema_errors(validator: Draft4Validator, log: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(log)]


def upload_problems(log: dict[str, Any]) -> list[str]:
    """Why GitHub code scanning would refuse ``log`` (or part of it); empty when it accepts it."""
    problems = []
    for run_number, run in enumerate(log.get("runs", [])):
        where = f"run {run_number}"
        driver = run.get("tool", {}).get("driver", {})
        if not driver.get("name"):
            problems.append(f"{where}: tool.driver.name missing")
        rules = driver.get("rules", [])
        if len(rules) > MAX_RULES:
            problems.append(f"{where}: {len(rules)} rules")
        problems += [f"{where}: rule {rule.get('id')} has {len(rule['properties']['tags'])} tags"
                     for rule in rules
                     if len(rule.get("properties", {}).get("tags", [])) > MAX_TAGS]
        results = run.get("results", [])
        if len(results) > MAX_RESULTS:
            problems.append(f"{where}: {len(results)} results")
        seen: set[tuple[str, str]] = set()
        for number, result in enumerate(results):
            problems += [f"{where} result {number}: {problem}"
                         for problem in _result_problems(result, seen)]
    return problems


def _result_problems(result: dict[str, Any], seen: set[tuple[str, str]]) -> list[str]:
    problems = []
    rule_id = result.get("ruleId") or result.get("rule", {}).get("id")
    if not rule_id:
        problems.append("no ruleId")
    if not result.get("message", {}).get("text"):
        problems.append("no message text")
    locations = result.get("locations") or []
    if not locations:
        problems.append("expected at least one location")
    if len(locations) > MAX_LOCATIONS:
        problems.append(f"{len(locations)} locations")
    for location in locations:
        physical = location.get("physicalLocation", {})
        artifact = physical.get("artifactLocation", {})
        uri = artifact.get("uri", "")
        if not uri:
            problems.append("a location without an artifact URI")
        if artifact.get("uriBaseId", "%SRCROOT%") != "%SRCROOT%":
            problems.append(f"uriBaseId {artifact['uriBaseId']!r} is not %SRCROOT%")
        if ":" not in uri and (uri.startswith(("/", "..")) or "/../" in uri):
            problems.append(f"relative URI {uri!r} leaves the repository root")
        if not physical.get("region", {}).get("startLine"):
            problems.append("a location without a start line")
    fingerprints = result.get("partialFingerprints") or {}
    if not fingerprints:
        problems.append("no partialFingerprints")
    for name, value in fingerprints.items():
        key = (str(rule_id), f"{name}={value}")
        if key in seen:
            problems.append(f"fingerprint {name}={value} repeated within rule {rule_id}")
        seen.add(key)
    return problems
