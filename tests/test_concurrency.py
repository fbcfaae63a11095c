"""The one concurrency mechanism: a read in its own loop beside work here, and groups of tasks
where the first failure cancels the rest. Nothing outlives a run."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import pytest

from pdlint.concurrency import Reading, all_or_cancel, hand, read_alongside, run_loop


class Trouble(Exception):
    pass


def test_all_or_cancel_returns_results_in_order() -> None:
    async def value(number: int, delay: float) -> int:
        await asyncio.sleep(delay)
        return number

    assert asyncio.run(all_or_cancel([value(1, 0.02), value(2, 0), value(3, 0.01)])) == [1, 2, 3]


def test_the_first_failure_cancels_the_others_and_is_raised() -> None:
    cancelled: list[str] = []

    async def waits_forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append("waiter")
            raise

    async def fails() -> None:
        await asyncio.sleep(0)
        raise Trouble("the read failed")

    with pytest.raises(Trouble):
        asyncio.run(all_or_cancel([waits_forever(), fails()]))
    assert cancelled == ["waiter"]


def test_the_failure_is_raised_only_once_a_wrapped_future_is_cancelled_too() -> None:
    """The thread that would hand the value must find its future cancelled as soon as the read
    has failed: Python 3.12's gather of futures already done returns before the cancellation is
    passed on."""
    policy: concurrent.futures.Future[str] = concurrent.futures.Future()

    async def read() -> bool:
        async def fails() -> str:
            raise Trouble("incidents refused")

        with pytest.raises(Trouble):
            await all_or_cancel([asyncio.wrap_future(policy), fails()])
        return policy.cancelled()

    assert asyncio.run(read()) is True


def test_a_read_hands_a_value_to_the_work_beside_it() -> None:
    handed: concurrent.futures.Future[str] = concurrent.futures.Future()

    async def read() -> str:
        handed.set_result("configuration")
        await asyncio.sleep(0.01)
        return "incidents"

    def work(reading: Reading[str]) -> str:
        return "judged " + reading.handed(handed)

    assert read_alongside(read, work, name="pdlint-test") == ("judged configuration", "incidents")


def test_a_read_that_fails_before_handing_its_value_raises_its_error_to_the_work() -> None:
    never: concurrent.futures.Future[str] = concurrent.futures.Future()

    async def read() -> str:
        raise Trouble("refused")

    with pytest.raises(Trouble, match="refused"):
        read_alongside(read, lambda reading: reading.handed(never), name="pdlint-test")


def test_an_error_of_the_work_wins_and_stops_the_read() -> None:
    stopped = threading.Event()

    async def read() -> str:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        return "never"

    def work(reading: Reading[str]) -> str:
        raise Trouble("the policy has errors")

    with pytest.raises(Trouble, match="policy"):
        read_alongside(read, work, name="pdlint-test")
    assert stopped.is_set()
    assert not any(thread.name == "pdlint-test" and thread.is_alive()
                   for thread in threading.enumerate())


def test_a_value_handed_to_a_read_that_failed_leaves_the_read_s_error() -> None:
    """The read waits on the policy, fails meanwhile, and its wait is cancelled: handing the
    policy afterwards is no error of its own; the work meets the read's error where it waits."""
    policy: concurrent.futures.Future[str] = concurrent.futures.Future()
    never: concurrent.futures.Future[str] = concurrent.futures.Future()
    read_failed = threading.Event()

    async def read() -> str:
        async def fails() -> str:
            raise Trouble("incidents refused")

        waiting = asyncio.wrap_future(policy)
        try:
            await all_or_cancel([waiting, fails()])
        finally:
            read_failed.set()
        return "never"

    def work(reading: Reading[str]) -> str:
        read_failed.wait(5)
        hand(policy, "the policy")
        return reading.handed(never)

    assert policy.cancelled() is False
    with pytest.raises(Trouble, match="incidents refused"):
        read_alongside(read, work, name="pdlint-test")
    assert policy.cancelled()


class Huge:
    """A result whose repr costs seconds: a year of incidents or rendered schedules."""

    def __init__(self) -> None:
        self.formatted = 0

    def __repr__(self) -> str:
        self.formatted += 1
        return "Huge()"


@pytest.mark.parametrize("thread", ["main", "reading"])
def test_a_loop_hands_out_its_result_without_formatting_it(thread: str) -> None:
    """Python 3.11's asyncio.run formats the main task, result and all, on the main thread."""
    assert threading.current_thread() is threading.main_thread()
    huge = Huge()

    async def read() -> Huge:
        return huge

    found = run_loop(read()) if thread == "main" else Reading(read, name="test").result()
    assert found is huge
    assert huge.formatted == 0
