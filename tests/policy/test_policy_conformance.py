"""The schema compiled into a yes/no check says yes exactly when jsonschema finds no error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from pdlint.policy.conformance import UnsupportedSchema, compile_check
from pdlint.policy.load import load_files
from pdlint.policy.schema import (
    FORMATS,
    conformance_check,
    inlined_schema,
    jsonschema_validator,
)

ROOT = Path(__file__).resolve().parents[2]


def jsonschema_says(schema: Any, value: Any) -> bool:
    formats = FormatChecker(())
    for name, (check, errors) in FORMATS.items():
        formats.checks(name, raises=errors)(check)
    return Draft202012Validator(schema, format_checker=formats).is_valid(value)


# (id, schema, value, conforms): each keyword's edges, decided by hand from JSON Schema 2020-12
KEYWORD_CASES: list[tuple[str, Any, Any, bool]] = [
    ("integer written 2.0", {"type": "integer"}, 2.0, True),
    ("integer 2.5", {"type": "integer"}, 2.5, False),
    ("true is not an integer", {"type": "integer"}, True, False),
    ("true is not a number", {"type": "number"}, True, False),
    ("NaN is a number", {"type": "number"}, float("nan"), True),
    ("null", {"type": "null"}, None, True),
    ("either of two types", {"type": ["string", "null"]}, None, True),
    ("a mapping is not a list", {"type": "array"}, {}, False),
    ("enum of texts", {"enum": ["high", "low"]}, "low", True),
    ("enum of texts, a number", {"enum": ["1"]}, 1, False),
    ("const true is not 1", {"const": True}, 1, False),
    ("const 1 is 1.0", {"const": 1}, 1.0, True),
    ("pattern searches", {"pattern": "b"}, "abc", True),
    ("pattern anchored", {"pattern": "^b"}, "abc", False),
    ("pattern ignores numbers", {"pattern": "^b"}, 5, True),
    ("format date", {"format": "date"}, "2027-02-30", False),
    ("format date, a leap day", {"format": "date"}, "2028-02-29", True),
    ("format date ignores numbers", {"format": "date"}, 20270101, True),
    ("format regex", {"format": "regex"}, "a{4294967296}", False),
    ("format policy-duration", {"format": "policy-duration"}, "99999999999999d", False),
    ("minLength counts characters", {"minLength": 2}, "é", False),
    ("maxItems", {"maxItems": 1}, [1, 2], False),
    ("minProperties", {"minProperties": 1}, {}, False),
    ("maxProperties", {"maxProperties": 1}, {"a": 1}, True),
    ("minimum", {"minimum": 1}, 0.5, False),
    ("minimum ignores true", {"minimum": 2}, True, True),
    ("unique texts", {"uniqueItems": True}, ["a", "b", "a"], False),
    ("unique mappings", {"uniqueItems": True}, [{"a": 1}, {"a": 1.0}], False),
    ("1 and true are different items", {"uniqueItems": True}, [1, True], True),
    ("required", {"required": ["a", "b"]}, {"a": 1}, False),
    ("required ignores lists", {"required": ["a"]}, [], True),
    ("dependentRequired", {"dependentRequired": {"a": ["b"]}}, {"a": 1}, False),
    ("dependentRequired unused", {"dependentRequired": {"a": ["b"]}}, {"b": 1}, True),
    ("properties", {"properties": {"a": {"type": "string"}}}, {"a": 1}, False),
    ("additionalProperties false",
     {"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}, False),
    ("additionalProperties a schema",
     {"properties": {"a": {}}, "additionalProperties": {"type": "string"}}, {"b": "x"}, True),
    ("propertyNames", {"propertyNames": {"pattern": "^[a-z]+$"}}, {"A": 1}, False),
    ("prefixItems, then items",
     {"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1, 2], True),
    ("items after the prefix",
     {"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", "b"], False),
    ("prefixItems alone", {"prefixItems": [{"type": "string"}]}, [1], False),
    ("allOf", {"allOf": [{"minLength": 1}, {"pattern": "x"}]}, "y", False),
    ("if then", {"if": {"properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}},
     {"k": "a"}, False),
    ("if not then", {"if": {"properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}},
     {"k": "b"}, True),
    ("if else", {"if": {"type": "string"}, "else": {"type": "integer"}}, 1.5, False),
    ("false schema", {"properties": {"a": False}}, {"a": None}, False),
]


@pytest.mark.parametrize(("schema", "value", "conforms"),
                         [pytest.param(*case[1:], id=case[0]) for case in KEYWORD_CASES])
def test_each_keyword_means_what_jsonschema_means(schema: Any, value: Any,
                                                  conforms: bool) -> None:
    assert compile_check(schema, FORMATS)(value) is conforms
    assert jsonschema_says(schema, value) is conforms


@pytest.mark.parametrize(("schema", "unknown"), [
    ({"type": "string", "maxContains": 1}, "maxContains"),
    ({"properties": {"a": {"anyOf": [{}]}}}, "anyOf"),
    ({"format": "email"}, "email"),
    ({"type": "decimal"}, "decimal"),
    ({"patternProperties": {"x": {}}, "additionalProperties": False}, "patternProperties"),
])
def test_a_keyword_it_does_not_know_fails_when_compiled(schema: Any, unknown: str) -> None:
    with pytest.raises(UnsupportedSchema, match=re.escape(unknown)):
        compile_check(schema, FORMATS)


@pytest.mark.parametrize("folder", ["policy", "tests/fixtures"])
def test_the_policy_files_in_the_repository_agree(folder: str) -> None:
    files = sorted((ROOT / folder).rglob("*.y*ml"))
    assert files
    for loaded in load_files(files).files:
        if loaded.data is not None:
            conforms = jsonschema_validator().is_valid(loaded.data)
            assert conformance_check()(loaded.data) is conforms, loaded.path


def test_the_policy_schema_compiles() -> None:
    assert compile_check(inlined_schema(), FORMATS)({}) is True
