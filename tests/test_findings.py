"""The words every room shares."""

from __future__ import annotations

import pytest

from pdlint.findings import counted


@pytest.mark.parametrize(("count", "noun", "plural", "text"), [
    (1, "error", None, "1 error"),
    (2, "error", None, "2 errors"),
    (0, "error", None, "0 errors"),
    (1, "SLA breach", "SLA breaches", "1 SLA breach"),
    (3, "SLA breach", "SLA breaches", "3 SLA breaches"),
])
def test_a_count_agrees_with_its_noun(count: int, noun: str, plural: str | None,
                                      text: str) -> None:
    assert counted(count, noun, plural) == text
