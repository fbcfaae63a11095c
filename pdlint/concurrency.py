"""pdlint's one concurrency mechanism: the account is read by an event loop in a thread of its
own (``Reading``), while the calling thread does the CPU work (loading and linting the policy,
judging what was read). A read with no work beside it runs its loop here (``run_loop``).

Why this shape. Reading the account is waiting: on the network and on the rate limit. The work
beside it is pure Python, which the interpreter runs one thread at a time. The reading loop only
wakes for answers and hands the interpreter straight back, so the calling thread's work runs at
nearly full speed while the requests are in flight. Inside the loop, requests run concurrently
as tasks; ``all_or_cancel`` waits for a group of them. The two threads hand each other values
through ``concurrent.futures.Future``s (the policy to the loop, the configuration read to the
calling thread), each side waiting only where it needs the other's.

Nothing outlives the run: an error of the work cancels the read and waits for it (a thread
still reading at exit can crash the interpreter's shutdown), and the first failure of a group
of tasks cancels the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")
W = TypeVar("W")


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, its result handed out past the loop. On Python 3.11 ``asyncio.run``
    formats its main task, result included, when it restores the SIGINT handler on the main
    thread: a result's repr, a year of incidents or rendered schedules, would cost seconds of
    CPU. The task the loop runs returns nothing."""
    result: list[T] = []

    async def kept() -> None:
        result.append(await main)

    asyncio.run(kept())
    return result[0]


class Reading(Generic[T]):
    """``read()`` run to its end in its own event loop, on a thread started at once."""

    def __init__(self, read: Callable[[], Coroutine[Any, Any, T]], *, name: str) -> None:
        self._outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._task: asyncio.Task[T] | None = None
        self._started = threading.Event()  # ``_task`` is set, or the thread has ended

        async def main() -> T:
            self._task = asyncio.current_task()
            self._started.set()
            return await read()

        def run() -> None:
            try:
                self._outcome.set_result(run_loop(main()))
            except BaseException as error:  # handed to the caller, who reports it
                self._outcome.set_exception(error)
            finally:
                self._started.set()

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def handed(self, value: concurrent.futures.Future[V]) -> V:
        """The value the read hands over on ``value`` while it runs; the read's own error if it
        ends first without handing it."""
        either: list[concurrent.futures.Future[Any]] = [value, self._outcome]
        concurrent.futures.wait(either, return_when=concurrent.futures.FIRST_COMPLETED)
        if not value.done():
            self.result()  # raises the read's error
        return value.result()

    def result(self) -> T:
        """What the read returned, once it has ended, or its error."""
        value = self._outcome.result()
        self._thread.join()
        return value

    def stop(self) -> None:
        """Cancel the read and wait until it has ended, whatever its outcome."""
        self._started.wait()
        task = self._task
        if task is not None:
            with contextlib.suppress(RuntimeError):  # its loop has closed: the read has ended
                task.get_loop().call_soon_threadsafe(task.cancel)
        concurrent.futures.wait((self._outcome,))
        self._thread.join()


def hand(future: concurrent.futures.Future[V], value: V) -> None:
    """Give ``value`` to the other thread waiting on ``future``. A read that failed has
    cancelled its wait (``asyncio.wrap_future`` passes the cancellation on): it needs nothing
    more, and the caller meets the read's own error where it next waits on it."""
    if future.set_running_or_notify_cancel():
        future.set_result(value)


def read_alongside(read: Callable[[], Coroutine[Any, Any, T]],
                   work: Callable[[Reading[T]], W], *, name: str) -> tuple[W, T]:
    """``work`` here while ``read`` runs in its thread; both results, once both have ended.

    An error of ``work`` wins over the read's, and cancels the read: a policy with errors is the
    user's to fix first, whatever the read meets.
    """
    reading = Reading(read, name=name)
    try:
        beside = work(reading)
    except BaseException:
        reading.stop()
        raise
    return beside, reading.result()


async def all_or_cancel(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """The results of ``awaitables`` run concurrently, in order; on the first failure the others
    are cancelled, the cancellation passed on to any ``asyncio.wrap_future`` among them, and it
    is raised. Every outcome is collected: one left unread would be printed, traceback and all,
    at exit."""
    tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    try:
        if tasks:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:  # also when this is cancelled from outside: so are the tasks
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # A cancelled future's callbacks run a loop turn later, and gather of futures already
        # done returns without one (3.12+): one turn, so a wrapped concurrent future is
        # cancelled too before anyone here learns of the failure.
        await asyncio.sleep(0)
    failure = next((task.exception() for task in tasks
                    if not task.cancelled() and task.exception() is not None), None)
    if failure is not None:
        raise failure
    return [task.result() for task in tasks]
