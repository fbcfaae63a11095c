"""Policy files against ``schemas/policy.schema.json``: one POL003 finding per problem, at its line.

A file that conforms is known to by the schema compiled into one check (``conformance``), without
jsonschema; jsonschema, imported then, finds each problem of a file that does not. Its messages
name JSON paths and Python reprs; these messages name the key, say what was expected in the
policy's own words (the ``title`` of the schema part), show what was written, and suggest the
nearest allowed key or value.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pdlint.findings import Finding, Location, Resource, counted
from pdlint.policy.conformance import Check, FormatCheck, compile_check
from pdlint.policy.load import JsonPath, PolicyFile
from pdlint.policy.model import DURATION_PATTERN, parse_duration
from pdlint.policy.problems import SCHEMA

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_FILE = Path(__file__).parent.parent / "schemas" / "policy.schema.json"
"""The policy JSON Schema, shipped inside the package beside its modules. Read as a file: through
``importlib.resources`` its readers import ``zipfile``, milliseconds of every ``pdlint lint``."""
_DURATION_SHAPE = re.compile(DURATION_PATTERN)
_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

# How each top-level list names the objects it holds (PagerDuty's type names where they exist).
RESOURCE_TYPES: Mapping[str, str] = {
    "organisation": "organisation", "teams": "team", "severities": "severity",
    "postmortems": "postmortems", "tiers": "tier", "escalation_policies": "escalation_policy",
    "schedules": "schedule", "services": "service", "waivers": "waiver",
}


@cache
def policy_schema() -> dict[str, Any]:
    """The policy JSON Schema shipped inside the package."""
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


@cache
def inlined_schema() -> dict[str, Any]:
    schema = policy_schema()
    inlined: dict[str, Any] = inline_references(schema, schema["$defs"])
    return inlined


@cache
def conformance_check() -> Check:
    return compile_check(inlined_schema(), FORMATS)


@cache
def jsonschema_validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker  # only for files with problems

    formats = FormatChecker(())
    for name, (check, errors) in FORMATS.items():
        formats.checks(name, raises=errors)(check)
    return Draft202012Validator(inlined_schema(), format_checker=formats)


def _duration_in_range(value: object) -> bool:
    """The ``policy-duration`` format (not ISO 8601's ``duration``): a value the pattern admits
    must also be a length of time pdlint can compute with (``99999999999d`` is not). Words such
    as ``disabled`` and malformed values are left to the pattern."""
    if isinstance(value, str) and _DURATION_SHAPE.match(value):
        parse_duration(value)  # raises ValueError saying why
    return True


def _is_date(value: object) -> bool:
    """The ``date`` format, as JSON Schema (RFC 3339's full-date) and jsonschema have it."""
    return not isinstance(value, str) or bool(
        _DATE_SHAPE.fullmatch(value) and date.fromisoformat(value))


def _compiles(value: object) -> bool:
    """The ``regex`` format as Python reads it; jsonschema's own check lets through patterns
    Python refuses with other errors than ``re.error`` (``a{4294967296}``, groups nested a
    thousand deep), which would then crash the run."""
    if isinstance(value, str):
        try:
            re.compile(value)
        except RecursionError:
            raise RecursionError("nested too deeply") from None
    return True


FORMATS: Mapping[str, FormatCheck] = {
    "policy-duration": (_duration_in_range, ValueError),
    "date": (_is_date, ValueError),
    "regex": (_compiles, (re.error, OverflowError, RecursionError)),
}
"""The formats the policy schema names, each with the errors meaning a value is not of it."""


def inline_references(node: Any, definitions: Mapping[str, Any]) -> Any:
    """The schema with each ``$ref`` replaced by its definition, ``$defs`` dropped.

    Reference lookups are most of jsonschema's time on a large policy; the policy schema has no
    recursion, so resolving them once up front is exact. Keywords beside a ``$ref`` (a
    property's ``description``, a stricter ``required``) take precedence over the definition's.
    """
    if isinstance(node, list):
        return [inline_references(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    inlined = {key: inline_references(value, definitions)
               for key, value in node.items() if key not in ("$ref", "$defs")}
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        return {**inline_references(definitions[name], definitions), **inlined}
    return inlined


def validate_file(policy_file: PolicyFile) -> list[Finding]:
    """Every schema problem of one file, one finding each, in file order. An empty file is valid."""
    if policy_file.data is None or conformance_check()(policy_file.data):
        return []
    findings: dict[tuple[Location, str], Finding] = {}
    for error in jsonschema_validator().iter_errors(policy_file.data):
        for location, message in _explain(error, policy_file):
            findings.setdefault((location, message), schema_finding(
                message, location, resource_at(policy_file.data, tuple(error.absolute_path))))
    return sorted(findings.values(), key=Finding.sort_key)


def schema_finding(message: str, location: Location, resource: Resource) -> Finding:
    return SCHEMA.finding(message, resource, location=location)


def resource_at(data: Any, path: JsonPath) -> Resource:
    """The policy object a path lies in, e.g. ``escalation_policy 'Production - Platform'``."""
    if not path or not isinstance(data, dict) or path[0] not in RESOURCE_TYPES:
        return Resource("policy_file")
    kind = RESOURCE_TYPES[str(path[0])]
    if len(path) < 2:
        return Resource(kind)
    item = data.get(path[0])
    if kind == "tier":
        return Resource(kind, name=str(path[1]))
    if isinstance(item, list) and isinstance(path[1], int) and path[1] < len(item):
        entry = item[path[1]]
        if isinstance(entry, dict):
            label = entry.get("id") if kind == "severity" else entry.get("name")
            if isinstance(label, str):
                return Resource(kind, name=label)
    return Resource(kind)


def _explain(error: ValidationError, policy_file: PolicyFile) -> Iterator[tuple[Location, str]]:
    path: JsonPath = tuple(error.absolute_path)
    # The stubs type these as possibly unset; a validation error raised by validate() has both.
    instance: Any = error.instance
    validator_value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    subject = _subject(path)
    shown = _shown(instance, policy_file.written(path))
    expected = schema.get("title")
    keyword = error.validator
    if "propertyNames" in error.absolute_schema_path:
        yield (policy_file.key_location((*path, instance)),
               f"'{instance}': expected {expected}")
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else (
                    f"; allowed keys: {', '.join(allowed)}")
                where = f" in {expected}" if expected else ""
                yield (policy_file.key_location((*path, key)),
                       f"unknown key '{key}'{where}{suggestion}")
    elif keyword == "required" and isinstance(instance, dict):
        for key in validator_value:
            if key not in instance:
                yield policy_file.location(path), f"{subject} is missing required key '{key}'"
    elif keyword == "dependentRequired" and isinstance(instance, dict):
        for key, needed in validator_value.items():
            for missing in (name for name in needed if key in instance and name not in instance):
                yield (policy_file.key_location((*path, key)),
                       f"{subject}: '{key}' needs '{missing}' beside it")
    elif keyword == "enum":
        choices = [str(choice) for choice in validator_value]
        hint = (difflib.get_close_matches(instance, choices, n=1)
                if isinstance(instance, str) else [])
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        yield (policy_file.location(path),
               f"{subject}: expected one of {', '.join(choices)}, got {shown}{suggestion}")
    elif keyword in ("minProperties", "maxProperties") and isinstance(instance, dict):
        written = ", ".join(instance) or "nothing"
        yield policy_file.location(path), f"{subject}: expected {expected}, got {written}"
    elif keyword in ("type", "pattern", "minLength"):
        if keyword == "type" and validator_value in ("object", "array"):
            expected = _type_noun(validator_value)
        yield (policy_file.location(path),
               f"{subject}: expected {expected or _type_noun(validator_value)}, got {shown}")
    elif keyword == "format":
        reason = f" ({error.cause})" if error.cause else ""
        yield policy_file.location(path), f"{subject}: not {expected}, got {shown}{reason}"
    elif keyword == "minItems":
        count = validator_value
        yield (policy_file.location(path),
               f"{subject}: needs at least {counted(count, 'item')}")
    elif keyword == "maxItems":
        yield (policy_file.location(path),
               f"{subject}: allows at most {validator_value} items")
    elif keyword == "uniqueItems":
        yield policy_file.location(path), f"{subject}: {_repeated(instance)} is listed twice"
    elif keyword == "minimum":
        yield (policy_file.location(path),
               f"{subject}: expected at least {validator_value}, got {shown}")
    elif error.schema is False:
        # jsonschema names no key for a value a ``false`` subschema refuses: find it by value.
        holder: Any = policy_file.data
        for part in path:
            holder = holder[part]
        keys = [key for key, value in holder.items() if value == instance] if isinstance(
            holder, dict) else []
        key_path = (*path, keys[0]) if keys else path
        yield (policy_file.key_location(key_path) if keys else policy_file.location(path),
               f"{subject}: '{keys[0] if keys else shown}' cannot be written beside the other "
               "keys written here")
    else:
        yield policy_file.location(path), f"{subject}: {error.message}"


def _subject(path: JsonPath) -> str:
    """How a message names the value: its key, and the item number inside a list."""
    names = [part for part in path if isinstance(part, str)]
    if not names:
        return "the file"
    subject = names[-1]
    trailing = path[len(path) - 1] if path else None
    if isinstance(trailing, int):
        subject += f" item {trailing + 1}"
    return subject


def _shown(value: Any, written: str | None) -> str:
    """What was written, and how YAML read it when that differs (``17:00`` is the number 1020)."""
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    read = json.dumps(value)
    if written is not None and written != read:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return f"{written} (YAML reads it as {'the number ' if number else ''}{read}; quote it)"
    return f"'{value}'" if isinstance(value, str) else read


def _type_noun(json_type: Any) -> str:
    nouns = {"string": "a text", "object": "a mapping", "array": "a list",
             "integer": "a whole number", "boolean": "true or false", "number": "a number"}
    return nouns.get(json_type, str(json_type)) if isinstance(json_type, str) else "a value"


def _repeated(items: list[Any]) -> str:
    seen: list[Any] = []
    for item in items:
        if item in seen:
            return _shown(item, None)
        seen.append(item)
    return "a value"  # pragma: no cover - uniqueItems only fails with a repeat
