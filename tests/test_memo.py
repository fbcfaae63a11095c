"""The one memo: kept by key (all, or the most recently used), handed on once, and what a run
works out once for the objects it was worked out for."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pdlint.memo import Memo, once, once_per_run


def made_by(memo: Memo[str, str], method: str, keys: str) -> str:
    """The keys asked in turn, each answered by the memo: a capital letter where it was made
    (asked for the first time, or again once forgotten), the letter where it was kept."""
    made: list[str] = []

    def asked(key: str) -> str:
        made.append(key)
        return key.upper()

    def answer(key: str) -> str:
        before = len(made)
        getattr(memo, method)(key, lambda: asked(key))
        return key.upper() if len(made) > before else key

    return "".join(answer(key) for key in keys)


@pytest.mark.parametrize(("kept", "method", "keys", "expected"), [
    (None, "get", "abab", "ABab"),
    (2, "get", "abab", "ABab"),
    (2, "get", "abca", "ABCA"),   # a, the least recently used, dropped for c
    (2, "get", "abacb", "ABaCB"),  # a used again: b is dropped for c
    (None, "handed_on", "aaab", "AaAB"),  # handed on once, then made anew
], ids=["all kept", "within the bound", "least recently used dropped", "use renews",
        "handed on once"])
def test_a_memo_keeps_what_it_says(kept: int | None, method: str, keys: str,
                                   expected: str) -> None:
    assert made_by(Memo(kept), method, keys) == expected


class Account:
    """Any object a run works something out for."""


def counted() -> tuple[list[object], Callable[[object], object]]:
    made: list[object] = []

    def work_out(account: object) -> object:
        return once("answer", (account,), lambda: made.append(account) or object())

    return made, work_out


def test_a_run_works_out_once_for_each_account() -> None:
    """Inside a run one answer for an account, another account its own; an inner scope is part
    of the outer; outside a run, worked out afresh each time."""
    made, work_out = counted()
    first, second = Account(), Account()
    with once_per_run():
        answer = work_out(first)
        assert work_out(first) is answer
        assert work_out(second) is not answer
        with once_per_run():
            assert work_out(first) is answer
        assert work_out(first) is answer
    assert made == [first, second]
    assert work_out(first) is not answer and work_out(first) is not answer
    assert made == [first, second, first, first]
