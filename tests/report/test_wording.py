"""``format_value``: what a person reads of a documented or live value, the same inside
``memo.once_per_run`` (where a value's JSON is made once for several formats) as outside."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pdlint.memo import once_per_run
from pdlint.report import wording
from pdlint.report.wording import format_value


@pytest.mark.parametrize(("value", "text"), [
    pytest.param("30m", "30m", id="text-bare"),
    pytest.param("", '""', id="empty-text-quoted"),
    pytest.param(None, "null", id="none"),
    pytest.param({"b": [1, 2.5], "a": "é"}, '{"a": "é", "b": [1, 2.5]}', id="object-sorted"),
    pytest.param(date(2026, 12, 7), '"2026-12-07"', id="date-as-text"),
])
def test_a_value_reads_alike_inside_and_outside_the_block(value: Any, text: str) -> None:
    assert format_value(value) == text
    with once_per_run():
        assert [format_value(value), format_value(value)] == [text, text]


def test_inside_the_block_a_value_is_made_once_and_nothing_is_kept_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []

    def counted(value: Any) -> str:
        made.append(value)
        return "text"

    monkeypatch.setattr(wording, "_value_json", counted)
    value = {"intervals": [1, 2]}
    with once_per_run():
        for _ in range(4):
            format_value(value)
    assert len(made) == 1
    format_value(value)
    format_value(value)
    assert len(made) == 3


def test_a_value_gone_inside_the_block_never_lends_its_text_to_another() -> None:
    with once_per_run():
        texts = [format_value({"n": number}) for number in range(50)]
    assert texts == [f'{{"n": {number}}}' for number in range(50)]
