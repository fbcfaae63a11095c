"""Writing files so that a reader never sees half of one: every report, snapshot and policy
pdlint writes goes through here."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
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


def check_folder(folder: Path, names: Iterable[str], *, force: bool) -> None:
    """Refuse, before anything is read or written, a ``folder`` that cannot take the files
    ``names``: a file in its place, a parent that does not exist, or (without ``force``) files
    of those names already there."""
    if folder.exists() and not folder.is_dir():
        raise FileWriteError(f"{folder} exists and is not a folder")
    if not folder.exists() and not folder.absolute().parent.is_dir():
        raise FileWriteError(f"{folder.absolute().parent} does not exist; create it first")
    existing = sorted(name for name in names if (folder / name).exists())
    if existing and not force:
        raise FileWriteError(f"{folder} already holds {', '.join(existing)}; pass --force to "
                             "replace them")


def write_files(folder: Path, texts: Mapping[str, str], *, force: bool) -> None:
    """Write each ``name -> text`` of ``texts`` into ``folder``: all of them appear, or none.

    The files are written in a staging folder beside ``folder`` first. A new ``folder`` is that
    staging folder, renamed into place in one step. Into an existing folder the files are renamed
    one by one, replacing files of the same names only with ``force``; if a rename fails, the
    files already moved are taken out again and the replaced ones put back. Other files in
    ``folder`` are left alone.
    """
    check_folder(folder, texts, force=force)
    target = folder.absolute()
    try:
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".partial"))
    except OSError as error:
        raise FileWriteError(f"cannot write beside {folder}: {error.strerror}") from None
    try:
        for name, text in texts.items():
            with (staging / name).open("w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
        if target.exists():
            _move_into(staging, target, list(texts))
        else:
            os.chmod(staging, 0o755)
            os.rename(staging, target)
    except OSError as error:
        raise FileWriteError(f"cannot write the files into {folder}: {error.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into(staging: Path, target: Path, names: list[str]) -> None:
    """Rename the staged files into ``target``, undoing every rename when one fails."""
    replaced = staging / ".replaced"
    replaced.mkdir()
    moves: list[tuple[Path, Path]] = []
    try:
        for name in names:
            if (target / name).exists():
                os.rename(target / name, replaced / name)
                moves.append((target / name, replaced / name))
            os.rename(staging / name, target / name)
            moves.append((staging / name, target / name))
    except OSError:
        for source, destination in reversed(moves):
            with contextlib.suppress(OSError):
                os.rename(destination, source)
        raise
