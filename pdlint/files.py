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
from collections.abc import Callable, Iterable, Mapping
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


class AlreadyThere(FileWriteError):
    """Files of the names a run writes (``names``), or the folder it writes whole, are already at
    ``where``: a run replaces them only when forced."""

    def __init__(self, where: Path, names: Iterable[str] = ()) -> None:
        self.where = where
        self.names = tuple(names)
        held = (f"already holds {', '.join(self.names)}; they are" if self.names
                else "already exists; it is")
        super().__init__(f"{where} {held} replaced only when forced")


def write_atomically(path: Path, text: str, *, private: bool = False,
                     parents: bool = False) -> None:
    """Replace ``path`` with ``text`` in one step: a reader sees the old file or the new one.

    The text goes to a file in the same folder that is renamed over ``path`` once complete. On
    Linux that file has no name at all until it is complete (``O_TMPFILE``), so a run killed
    while writing leaves nothing behind; elsewhere it is a hidden temporary file, removed if the
    write fails; either way one a killed run left (named for its process, which no longer runs)
    is removed first. A replaced file keeps its mode; a new one gets the mode the user's umask
    gives; ``private`` takes away every permission of group and others; ``parents`` creates the
    missing folders above it first (a file in their place fails the write). A symbolic link is
    followed: the file it names is replaced and the link kept. A path that leads to a stream
    rather than a file (``/dev/stdout``, a named pipe) is simply written to.
    """
    try:
        if parents and not os.path.lexists(path.parent):
            path.parent.mkdir(parents=True, exist_ok=True)
        if _is_special(path):
            _write_in_place(path, text)
            return
        target = Path(os.path.realpath(path))  # a symbolic link's file is replaced, not the link
        _remove_stale(target, ".tmp", lambda stale: stale.unlink(missing_ok=True))
        mode = _kept_mode(target)
        mode = mode & 0o700 if private else mode
        if not _replace_through_unnamed_file(target, text, mode):
            _replace_through_temporary_file(target, text, mode)
    except OSError as error:
        raise FileWriteError(f"cannot write {path}: {error.strerror}") from None


def created_mode(*, folder: bool = False) -> int:
    """The mode a new file (or ``folder``) gets from the user's umask, as ``open`` gives it."""
    return (0o777 if folder else 0o666) & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where Linux shows it (``os.umask`` can
    only be read by setting it, which another thread may meet in between)."""
    with contextlib.suppress(OSError, ValueError, StopIteration), \
            open("/proc/self/status", encoding="ascii") as status:
        return int(next(line for line in status if line.startswith("Umask:")).split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _kept_mode(path: Path) -> int:
    """The mode of the file at ``path``, which its replacement keeps; for a new file, the one
    the umask gives."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return created_mode()


def write_new(folder: Path, stem: str, suffix: str, text: str,
              beside: Callable[[int], Mapping[str, str]] | None = None) -> Path:
    """Add ``text`` to ``folder`` as a new file ``stem + suffix`` (``stem-2 + suffix``, ``-3``...
    when taken), complete or not at all, and return its path. An existing file is never
    replaced, even by a run writing the same name at the same moment: the complete file is
    hard-linked to its name, which fails rather than replace one that exists.

    ``beside``, given the size of the file as written, gives files that go with it: the text of
    each by what its name adds to the file's (``.record``: ``stem-2.json.record``). They are
    written whole before the file is named, and named right after it, replacing one left
    without its file: there is never one of them without the file, and a run killed between the
    two steps leaves the file alone, as a file written before they existed is."""
    try:
        folder.mkdir(exist_ok=True)
        temporary = _written_beside(folder, stem, text)
        companions: dict[str, str] = {}
        try:
            if beside is not None:
                size = os.stat(temporary).st_size
                companions = {added: _written_beside(folder, stem, companion)
                              for added, companion in beside(size).items()}
            path = _linked(folder, stem, suffix, temporary)
            for added, name in companions.items():
                os.replace(name, path.with_name(path.name + added))
            return path
        finally:
            for name in (temporary, *companions.values()):
                Path(name).unlink(missing_ok=True)
    except OSError as error:
        raise FileWriteError(f"cannot write in {folder}: {error.strerror}") from None


def _written_beside(folder: Path, stem: str, text: str) -> str:
    """The name of a new hidden file in ``folder`` holding ``text``, written durably."""
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            _write_durably(stream, text, created_mode())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return name


def _linked(folder: Path, stem: str, suffix: str, temporary: str) -> Path:
    """``temporary`` linked to the first free name of ``stem + suffix``, ``stem-2 + suffix``..."""
    for number in range(1, 10_000):
        path = folder / f"{stem}{'' if number == 1 else f'-{number}'}{suffix}"
        try:
            os.link(temporary, path)
        except FileExistsError:
            continue
        return path
    raise FileWriteError(f"cannot write {stem}{suffix} in {folder}: every name is taken")


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
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                        suffix=".tmp")
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
    wrote — are removed first, so a killed run's leftovers last until the next run; one killed
    while it moved files into ``target`` first puts back the files it had replaced
    (``write_files``).
    """
    def remove(stale: Path) -> None:
        _put_back(stale, target)
        shutil.rmtree(stale, ignore_errors=True)

    _remove_stale(target, ".partial", remove)
    return Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.",
                                 suffix=".partial"))


def _remove_stale(target: Path, suffix: str, remove: Callable[[Path], None]) -> None:
    """``remove`` each ``.NAME.PID.XXXX`` + ``suffix`` beside ``target`` (pdlint's temporary
    files and staging folders for it) whose process no longer runs."""
    prefix = f".{target.name}."
    for stale in target.parent.glob(f"{glob.escape(prefix)}*{suffix}"):
        owner = re.fullmatch(r"(\d+)\.\w+" + re.escape(suffix), stale.name[len(prefix):])
        if owner is not None and not _running(int(owner[1])):
            remove(stale)


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
        raise AlreadyThere(folder, existing)


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
            os.chmod(staging, created_mode(folder=True))
            os.rename(staging, target)
    except OSError as error:
        raise FileWriteError(f"cannot write the files into {folder}: {error.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


MOVING = ".moving"
"""The journal of ``_move_into``: the names it moves, then ``END`` once complete."""
END = "\0end"


def _move_into(staging: Path, target: Path, names: list[str]) -> None:
    """Rename the staged files into ``target``, undoing every rename when one fails; the names
    are written down first, so that a run killed halfway can be undone by the next
    (``_put_back``)."""
    replaced = staging / ".replaced"
    replaced.mkdir()
    with (staging / MOVING).open("w", encoding="utf-8") as journal:
        journal.write("".join(f"{name}\n" for name in names) + END)
        journal.flush()
        os.fsync(journal.fileno())
    moves: list[tuple[Path, Path]] = []
    try:
        for name in names:
            if (target / name).exists():
                os.rename(target / name, replaced / name)
                moves.append((target / name, replaced / name))
            os.rename(staging / name, target / name)
            moves.append((staging / name, target / name))
        (staging / MOVING).unlink()  # done: nothing for a later run to put back
    except OSError:
        for source, destination in reversed(moves):
            with contextlib.suppress(OSError):
                os.rename(destination, source)
        raise


def _put_back(stale: Path, target: Path) -> None:
    """Undo what a run killed in ``_move_into`` did to ``target``: each file it had moved aside
    goes back, and each new file it had moved in goes out."""
    try:
        *names, end = (stale / MOVING).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return  # killed before it moved anything
    if end != END:
        return
    for name in names:
        with contextlib.suppress(OSError):
            if (stale / ".replaced" / name).exists():
                os.replace(stale / ".replaced" / name, target / name)
            elif not (stale / name).exists():
                (target / name).unlink()
