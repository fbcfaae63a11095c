"""Writing files so that a reader never sees half of one: every report, snapshot and policy
pdlint writes goes through here. Also where the repository root is found."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from pdlint.errors import PdlintError


def repository_root(start: Path) -> Path | None:
    """The root of the repository ``start`` is in: the nearest folder, ``start`` or a parent,
    holding ``.git`` (a folder, or the file of a worktree or submodule). None outside one.

    Settings are searched up to it, and CI outputs name files relative to it, as code scanning
    and workflow annotations expect.
    """
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if os.path.exists(folder / ".git"):
            return folder
    return None


class FileWriteError(PdlintError):
    """A file could not be written where it was asked for (exit 2); nothing was replaced."""


def write_atomically(path: Path, text: str, *, private: bool = False) -> None:
    """Replace ``path`` with ``text`` in one step: a reader sees the old file or the new one.

    The text goes to a file in the same folder that is renamed over ``path`` once complete. On
    Linux that file has no name at all until it is complete (``O_TMPFILE``), so a run killed
    while writing leaves nothing behind; elsewhere it is a hidden temporary file, removed if the
    write fails. ``private`` leaves the file readable by its owner only; otherwise it gets 0644.
    A symbolic link is followed: the file it names is replaced and the link kept. A path that
    leads to a stream rather than a file (``/dev/stdout``, a named pipe) is simply written to.
    """
    mode = 0o600 if private else 0o644
    try:
        if _is_special(path):
            _write_in_place(path, text)
            return
        target = Path(os.path.realpath(path))  # a symbolic link's file is replaced, not the link
        if not _replace_through_unnamed_file(target, text, mode):
            _replace_through_temporary_file(target, text, mode)
    except OSError as error:
        raise FileWriteError(f"cannot write {path}: {error.strerror}") from None


def write_new(folder: Path, stem: str, suffix: str, text: str) -> Path:
    """Add ``text`` to ``folder`` as a new file ``stem + suffix`` (``stem-2 + suffix``, ``-3``...
    when taken), complete or not at all, and return its path. An existing file is never
    replaced, even by a run writing the same name at the same moment: the complete file is
    hard-linked to its name, which fails rather than replace one that exists."""
    try:
        folder.mkdir(exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                _write_durably(stream, text, 0o644)
            for number in range(1, 10_000):
                path = folder / f"{stem}{'' if number == 1 else f'-{number}'}{suffix}"
                try:
                    os.link(name, path)
                except FileExistsError:
                    continue
                return path
            raise FileWriteError(f"cannot write {stem}{suffix} in {folder}: every name is taken")
        finally:
            Path(name).unlink(missing_ok=True)
    except OSError as error:
        raise FileWriteError(f"cannot write in {folder}: {error.strerror}") from None


def _is_special(path: Path) -> bool:
    """Whether ``path`` leads to something other than a file (a terminal, a pipe, /dev/null):
    there is nothing to replace there, only a stream to write to."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


def _replace_through_unnamed_file(path: Path, text: str, mode: int) -> bool:
    """Write ``text`` to a file without a name, name it once complete, and rename it over
    ``path``; False, having written nothing, where the system or file system cannot."""
    if not hasattr(os, "O_TMPFILE") or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        descriptor = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, mode)
    except OSError as error:
        if error.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return False
        raise
    temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        _write_durably(stream, text, mode)
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            # Given a folder descriptor, Python calls linkat(AT_SYMLINK_FOLLOW), which names the
            # file itself; a plain link() would link the /proc symlink and fail.
            os.link(f"/proc/self/fd/{stream.fileno()}", temporary.name, dst_dir_fd=folder)
        finally:
            os.close(folder)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True


def _replace_through_temporary_file(path: Path, text: str, mode: int) -> None:
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            _write_durably(stream, text, mode)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _write_durably(stream: IO[str], text: str, mode: int) -> None:
    stream.write(text)
    stream.flush()
    os.fsync(stream.fileno())
    os.fchmod(stream.fileno(), mode)


def staging_folder(target: Path) -> Path:
    """A new hidden folder beside ``target`` (the same file system, so that it can be renamed
    into place) to build ``target`` in, named for this process.

    Staging folders of ``target`` left by processes that no longer run — killed while they
    wrote — are removed first, so a killed run's leftovers last until the next run.
    """
    prefix = f".{target.name}."
    for stale in target.parent.glob(f"{glob.escape(prefix)}*.partial"):
        owner = re.fullmatch(r"(\d+)\.\w+\.partial", stale.name[len(prefix):])
        if owner is not None and not _running(int(owner[1])):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=f"{prefix}{os.getpid()}.",
                                 suffix=".partial"))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


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
        staging = staging_folder(target)
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
