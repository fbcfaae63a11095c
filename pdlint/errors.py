"""The errors that end a run with exit code 2; each room raises its own subclass.

``reading`` marks what a run is reading (a policy file, an endpoint, a snapshot) on any
unexpected exception that passes through it, so that the CLI's last line of defence can say
where a bug struck in one line, without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

READING = "pdlint_reading"
"""The attribute ``reading`` sets on an unexpected exception: what was being read."""


class PdlintError(Exception):
    """A failure the user can act on: the message says what and where, never a traceback."""

    exit_code = 2


@contextmanager
def reading(what: str) -> Iterator[None]:
    """Name ``what`` on an unexpected exception raised inside; the innermost name wins, and
    the name travels with the exception across threads (``concurrency``) and tasks."""
    try:
        yield
    except PdlintError:
        raise
    except Exception as error:
        if not hasattr(error, READING):
            with suppress(AttributeError):  # a type without a __dict__: the line says less
                setattr(error, READING, what)
        raise


def what_was_read(error: BaseException) -> str | None:
    """What ``reading`` named on ``error``, if anything."""
    named = getattr(error, READING, None)
    return named if isinstance(named, str) else None
