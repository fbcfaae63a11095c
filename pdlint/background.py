"""Work started in a thread and collected later: a command reads the account (waiting on the
network and the rate limit) while the policy is loaded and linted on the same interpreter."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def in_background(work: Callable[[], T], *, name: str) -> Callable[[], T]:
    """Start ``work`` in a thread; the function returned waits for its result or raises its
    error, as often as it is called. The thread is a daemon, so a run that fails meanwhile exits
    at once instead of waiting for work it no longer needs."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the caller, who reports it
            outcome["error"] = error

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]  # type: ignore[no-any-return]

    return result
