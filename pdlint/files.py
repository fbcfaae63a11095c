"""Writing files so that a reader never sees half of one: every report, snapshot and policy
pdlint writes goes through here."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pdlint.errors import PdlintError


class FileWriteError(PdlintError):
    """A file could not be written where it was asked for (exit 2); nothing was replaced."""


def write_atomically(path: Path, text: str, *, private: bool = False) -> None:
    """Replace ``path`` with ``text`` in one step (temp file in the same folder, then rename).

    ``private`` leaves the file readable by its owner only; otherwise it gets the usual 0644.
    """
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                                 suffix=".tmp")
    except OSError as error:
        raise FileWriteError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600 if private else 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise FileWriteError(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
