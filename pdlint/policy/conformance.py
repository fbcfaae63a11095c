"""The policy JSON Schema compiled into one yes/no check, for the files that conform to it.

Validating the enterprise policy (5,000 services) with jsonschema costs about 0.6 s of CPU, and
importing jsonschema 45 ms of every ``pdlint lint``. Most policies conform, and then a check
built once from the schema, a closure per keyword, says so in a tenth of the time without
importing jsonschema; jsonschema runs only for a file that does not conform, to say why in
POL003 findings. The check must say yes exactly when jsonschema finds no error: it knows the
keywords of JSON Schema 2020-12 that the policy schema uses, with jsonschema's meanings (an
integer may be written ``2.0``, ``true`` is not ``1``), and refuses to compile a schema using
any other, so that a new keyword in the schema cannot be silently skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]
FormatCheck = tuple[Callable[[object], bool], type[Exception] | tuple[type[Exception], ...]]
"""A format's function and the errors that mean a value does not have the format."""

ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$schema", "$id",
                         "$comment", "deprecated"})


class UnsupportedSchema(ValueError):
    """The schema uses a keyword (or a form of one) the compiled check does not know."""


def compile_check(schema: Any, formats: Mapping[str, FormatCheck]) -> Check:
    """A function saying whether a value conforms to ``schema`` (``$ref`` already inlined)."""
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, dict):
        raise UnsupportedSchema(f"a schema must be a mapping or a boolean, not {schema!r}")
    unknown = set(schema) - ANNOTATIONS - set(_KEYWORDS) - {"then", "else"}
    if unknown:
        raise UnsupportedSchema(f"keywords the compiled check does not know: {sorted(unknown)}")
    return _every([_KEYWORDS[keyword](schema, formats) for keyword in schema
                   if keyword in _KEYWORDS and _COMPILED_WITH.get(keyword) not in schema])


_COMPILED_WITH = {"prefixItems": "items", "additionalProperties": "properties"}
"""Keywords compiled into one check with another when both are written (``items`` checks the
prefix too, ``properties`` the other keys)."""


def _every(checks: list[Check]) -> Check:
    """One check that passes when each of ``checks`` passes. Most schemas have two to four
    keywords, each check is called for tens of thousands of values: the small cases are
    written out, as a loop over a generator costs more than the checks themselves."""
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    if len(checks) == 3:
        first, second, third = checks
        return lambda value: first(value) and second(value) and third(value)

    return lambda value: all(check(value) for check in checks)


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def is_type(value: Any, name: str) -> bool:
    """JSON Schema's types of a YAML-read value, as jsonschema's 2020-12 validator has them."""
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float))
    raise UnsupportedSchema(f"unknown type {name!r}")


def json_equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema means it: ``true`` is not ``1``, ``1`` is ``1.0``."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(map(json_equal, one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(key in two and json_equal(value, two[key])
                                            for key, value in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def _type(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    for name in names:
        is_type(None, name)  # an unknown name fails here, at compile time
    if names == ["object"]:
        return lambda value: isinstance(value, dict)
    if names == ["array"]:
        return lambda value: isinstance(value, list)
    if names == ["string"]:
        return lambda value: isinstance(value, str)
    return lambda value: any(is_type(value, name) for name in names)


def _enum(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    choices = schema["enum"]
    if all(isinstance(choice, str) for choice in choices):
        texts = frozenset(choices)
        return lambda value: isinstance(value, str) and value in texts
    return lambda value: any(json_equal(choice, value) for choice in choices)


def _const(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    expected = schema["const"]
    return lambda value: json_equal(expected, value)


def _pattern(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    search = re.compile(schema["pattern"]).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _format(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    name = schema["format"]
    if name not in formats:
        raise UnsupportedSchema(f"format {name!r} has no check")
    function, errors = formats[name]

    def conforms(value: Any) -> bool:
        try:
            return bool(function(value))
        except errors:
            return False

    return conforms


def _bound(keyword: str, kind: type, measure: Callable[[Any], Any], at_least: bool,
           ) -> Callable[[dict[str, Any], Mapping[str, FormatCheck]], Check]:
    """``minLength``, ``maxItems``, ``minimum``…: a limit on a measure of values of one kind."""

    def compile_bound(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
        limit = schema[keyword]
        if at_least:
            return lambda value: not isinstance(value, kind) or measure(value) >= limit
        return lambda value: not isinstance(value, kind) or measure(value) <= limit

    return compile_bound


def _minimum(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    limit = schema["minimum"]
    return lambda value: (isinstance(value, bool) or not isinstance(value, (int, float))
                          or not value < limit)


def _unique_items(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    if not schema["uniqueItems"]:
        return _always

    def unique(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        if all(isinstance(item, str) for item in value):
            return len(set(value)) == len(value)
        return not any(json_equal(item, other) for index, item in enumerate(value)
                       for other in value[index + 1:])

    return unique


def _required(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    keys = frozenset(schema["required"])
    return lambda value: not isinstance(value, dict) or value.keys() >= keys


def _dependent_required(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    needs = tuple((key, tuple(needed)) for key, needed in schema["dependentRequired"].items())
    return lambda value: not isinstance(value, dict) or all(
        name in value for key, needed in needs if key in value for name in needed)


def _properties(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    """``properties``, and ``additionalProperties`` for the other keys: one pass over a
    mapping's entries (a mapping writes a few of the many keys its schema knows)."""
    checks = {key: compile_check(part, formats) for key, part in schema["properties"].items()}
    other = _additional_check(schema, formats) if "additionalProperties" in schema else _always
    check_of = checks.get

    def properties(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(check_of(key, other)(item) for key, item in value.items())

    return properties


def _additional_properties(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    """``additionalProperties`` without ``properties``: every key is another."""
    check = _additional_check(schema, formats)
    return lambda value: not isinstance(value, dict) or all(map(check, value.values()))


def _additional_check(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    if "patternProperties" in schema:
        raise UnsupportedSchema("patternProperties")
    return compile_check(schema["additionalProperties"], formats)


def _property_names(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    check = compile_check(schema["propertyNames"], formats)
    return lambda value: not isinstance(value, dict) or all(map(check, value))


def _items(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    """``items`` and ``prefixItems`` together: ``items`` takes the items after the prefix."""
    prefix = [compile_check(part, formats) for part in schema.get("prefixItems", ())]
    rest = compile_check(schema.get("items", True), formats)

    if not prefix:
        return lambda value: not isinstance(value, list) or all(map(rest, value))

    def items(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        return (all(check(item) for check, item in zip(prefix, value, strict=False))
                and all(map(rest, value[len(prefix):])))

    return items


def _all_of(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    return _every([compile_check(part, formats) for part in schema["allOf"]])


def _if(schema: dict[str, Any], formats: Mapping[str, FormatCheck]) -> Check:
    condition = compile_check(schema["if"], formats)
    then = compile_check(schema.get("then", True), formats)
    otherwise = compile_check(schema.get("else", True), formats)
    return lambda value: then(value) if condition(value) else otherwise(value)


_KEYWORDS: dict[str, Callable[[dict[str, Any], Mapping[str, FormatCheck]], Check]] = {
    "type": _type, "enum": _enum, "const": _const, "pattern": _pattern, "format": _format,
    "minLength": _bound("minLength", str, len, True),
    "maxLength": _bound("maxLength", str, len, False),
    "minItems": _bound("minItems", list, len, True),
    "maxItems": _bound("maxItems", list, len, False),
    "minProperties": _bound("minProperties", dict, len, True),
    "maxProperties": _bound("maxProperties", dict, len, False),
    "minimum": _minimum, "uniqueItems": _unique_items, "required": _required,
    "dependentRequired": _dependent_required, "properties": _properties,
    "additionalProperties": _additional_properties, "propertyNames": _property_names,
    "items": _items, "prefixItems": _items, "allOf": _all_of, "if": _if,
}
