"""``indented_json`` writes what ``json.dumps(indent=2, ensure_ascii=False)`` writes, byte for
byte: the evidence package and the JSON and SARIF reports must not change by a character."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pdlint.report.indented_json import indented_json


class Colour(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Fraction(float):
    """A float subclass: written as its value, as the standard library's C encoder writes it."""

    def __repr__(self) -> str:
        return "a fraction"


def standard(value: Any, **options: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, **options)


@pytest.mark.parametrize("value", [
    pytest.param({}, id="empty-object"),
    pytest.param([], id="empty-array"),
    pytest.param({"a": [], "b": {}, "c": [{}], "d": [[]]}, id="empties-nested"),
    pytest.param({"é": "naïve — 東京 \U0001f600", "ctl": "\x00\x1f\t\n\"\\"}, id="text"),
    pytest.param([0, -1, 10**30, 1.0, 0.1, -2.5e-300, 1e100, float("nan"), float("inf"),
                  float("-inf")], id="numbers"),
    pytest.param([True, False, None, (1, "two", (3,))], id="literals-and-tuples"),
    pytest.param({7: "int", 2.5: "float", True: "bool", None: "none"}, id="keys-not-text"),
    pytest.param({Colour.RED: Colour.RED, "level": Level.HIGH}, id="enums"),
    pytest.param(OrderedDict([("z", 1), ("a", [OrderedDict(b=2)])]), id="dict-subclass"),
    pytest.param("top-level text", id="scalar"),
    pytest.param({"text": "x", "int": 3, "none": None, "float": 0.5, "nan": float("nan"),
                  "inf": float("-inf"), "true": True, "enum": Colour.RED, "level": Level.HIGH,
                  "fraction": Fraction(2.5), "empty": "", "list": [1, "a", None, 2.5]},
                 id="members-of-every-kind"),
    pytest.param({"a": {"a": {"a": 1}, "b": [{"a": 2}, {"b": {"a": 3}}]}, "b": {"a": 4}},
                 id="one-key-at-many-depths"),
])
def test_the_same_text_as_the_standard_library(value: Any) -> None:
    assert indented_json(value) == standard(value)


@pytest.mark.parametrize(("value", "options"), [
    pytest.param({"b": {"d": 1, "c": 2}, "a": [{"z": 0, "y": 1}]}, {"sort_keys": True},
                 id="sorted-at-every-depth"),
    pytest.param({"day": date(2026, 12, 6), "days": [date(2026, 1, 1)]}, {"default": str},
                 id="default"),
    pytest.param({"set": {3}}, {"default": sorted}, id="default-returns-a-container"),
])
def test_the_options_mean_what_they_mean_to_the_standard_library(
        value: Any, options: dict[str, Any]) -> None:
    assert indented_json(value, **options) == standard(value, **options)


@pytest.mark.parametrize(("value", "options"), [
    pytest.param({"day": date(2026, 12, 6)}, {}, id="no-default"),
    pytest.param({(1, 2): "tuple key"}, {}, id="key"),
])
def test_what_json_cannot_write_is_refused_alike(value: Any, options: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        standard(value, **options)
    with pytest.raises(TypeError):
        indented_json(value, **options)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=5), children, max_size=4),
    max_leaves=30)


@given(JSON_VALUES, st.booleans())
def test_any_json_value_is_written_as_the_standard_library_writes_it(
        value: Any, sort_keys: bool) -> None:
    assert indented_json(value, sort_keys=sort_keys) == standard(value, sort_keys=sort_keys)


@pytest.mark.parametrize("value", [{"a": [1, {"b": None}]}, [], "text", 3])
def test_a_line_end_ends_the_same_text_with_a_line_break(value: Any) -> None:
    assert indented_json(value, line_end=True) == standard(value) + "\n"
