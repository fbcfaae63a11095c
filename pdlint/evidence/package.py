"""The evidence folder, written so that nobody ever sees half of it.

Every file is written into a staging folder beside the target (same file system, so renames are
atomic), then the staging folder becomes the target in one rename. An existing target is
refused unless ``force`` is given; then it is swapped with the staging folder in one atomic
exchange where the system offers one (Linux ``renameat2(RENAME_EXCHANGE)``), else moved aside,
replaced, and removed. A failure at any point before the swap removes the staging folder and
leaves the target as it was; a run killed outright leaves its staging folder, which the next
run for the same target removes.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pdlint.errors import PdlintError
from pdlint.evidence.model import PolicyProvenance
from pdlint.files import AlreadyThere, created_mode, staging_folder
from pdlint.findings import Location
from pdlint.policy.model import Policy
from pdlint.provenance import git_commit

MANIFEST = "manifest.json"
POLICY_COPIES = "policy"
"""The package's folder of copies of the policy files (and of the postmortem register)."""
PACKAGE_FORMAT = "pdlint-evidence"
PACKAGE_FORMAT_VERSION = 3
"""The format ``manifest.json`` and ``evidence.json`` both state, for the whole package (every
file, field and column): a field, column or file added keeps it; a changed meaning (a field
naming something else, a value read differently, one removed or renamed) bumps it, and
docs/evidence.md ("Format versions") says what changed."""
_WRITTEN_AT_ONCE = 1 << 20
"""Characters of a document encoded and written at a time."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class PackageError(PdlintError):
    """The evidence folder cannot be written where it was asked for."""


def check_target(target: Path, *, force: bool) -> None:
    """Refuse early (before any request) a target that exists without ``force``, or is a file."""
    if target.is_symlink():  # the package replaces its folder whole: a link would be lost
        raise PackageError(f"{target} is a symbolic link; give the folder it names "
                           f"({target.resolve()}) or another -o")
    if target.exists():
        if not target.is_dir():
            raise PackageError(f"{target} exists and is not a folder; choose another -o")
        if not force:
            raise AlreadyThere(target)
    if not target.parent.is_dir():
        raise PackageError(f"{target.parent} does not exist; create it first")


class EvidencePackage:
    """A staging folder that becomes ``target`` on ``commit``; use as a context manager so that
    any failure removes the staging folder."""

    def __init__(self, target: Path, *, force: bool) -> None:
        check_target(target, force=force)
        self.target = target
        self._force = force
        try:
            self.staging = staging_folder(target)
        except OSError as error:
            raise PackageError(f"cannot write beside {target}: {error.strerror}") from None
        os.chmod(self.staging, created_mode(folder=True))
        self._committed = False

    def __enter__(self) -> EvidencePackage:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if not self._committed:
            self.abort()

    def path(self, name: str) -> Path:
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[IO[str]]:
        """A text file of the package, for writing a stream of rows."""
        with self.path(name).open("w", encoding="utf-8", newline="") as stream:
            yield stream

    def write_text(self, name: str, text: str) -> None:
        self.write_parts(name, (text,))

    def write_parts(self, name: str, parts: Iterable[str]) -> None:
        """A text file of ``parts`` one after the other, never joined: each is encoded a slice
        at a time, so that a document of tens of megabytes is never held twice (as text and as
        its UTF-8) at the run's end, where its memory peaks."""
        with self.path(name).open("w", encoding="utf-8") as stream:
            for part in parts:
                for start in range(0, len(part), _WRITTEN_AT_ONCE):
                    stream.write(part[start:start + _WRITTEN_AT_ONCE])

    def copy(self, source: Path, name: str) -> None:
        shutil.copyfile(source, self.path(name))

    def discard(self, name: str) -> None:
        (self.staging / name).unlink(missing_ok=True)

    def files(self) -> list[str]:
        """Every file of the package so far, as sorted POSIX paths relative to its root."""
        return sorted(path.relative_to(self.staging).as_posix()
                      for path in self.staging.rglob("*") if path.is_file())

    def commit(self, manifest: dict[str, Any]) -> None:
        """Write ``manifest.json`` (``manifest`` plus the sha256 of every file) and put the
        package in place of the target."""
        entries = [{"path": name, "bytes": (self.staging / name).stat().st_size,
                    "sha256": sha256_of(self.staging / name)}
                   for name in self.files() if name != MANIFEST]
        self.write_text(MANIFEST, json.dumps({**manifest, "files": entries}, indent=2,
                                             ensure_ascii=False) + "\n")
        _sync_tree(self.staging)
        try:
            self._swap_into_place()
        except OSError as error:
            raise PackageError(f"cannot put the evidence folder at {self.target}: "
                               f"{error.strerror}") from None
        self._committed = True

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def _swap_into_place(self) -> None:
        if not self.target.exists():
            os.rename(self.staging, self.target)
        elif not self._force:
            raise OSError(errno.EEXIST, "it appeared while the package was being made")
        elif _exchange(self.staging, self.target):
            shutil.rmtree(self.staging, ignore_errors=True)  # now holds the previous package
        else:
            aside = Path(tempfile.mkdtemp(dir=self.target.parent,
                                          prefix=f".{self.target.name}.", suffix=".previous"))
            os.rename(self.target, aside / "previous")
            try:
                os.rename(self.staging, self.target)
            except OSError:
                os.rename(aside / "previous", self.target)
                raise
            shutil.rmtree(aside, ignore_errors=True)
        _sync_directory(self.target.parent)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with ``renameat2``; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sync_tree(root: Path) -> None:
    """Flush every file and folder of the package to disk before it is renamed into place."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file():
            with path.open("rb") as stream:
                os.fsync(stream.fileno())
        else:
            _sync_directory(path)
    _sync_directory(root)


def _sync_directory(path: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def policy_sources(policy: Policy) -> tuple[str, ...]:
    """The files the evidence is checked against, as the run names them: the policy's files,
    the postmortem register CSV postmortems are read from and the corrective action register
    (their rows are evidence too)."""
    registers = (policy.postmortems.register_in_use if policy.postmortems else None,
                 policy.corrective_actions.register.value if policy.corrective_actions else None)
    return (*policy.files, *(str(register) for register in registers if register is not None))


def policy_provenance(files: Sequence[str]) -> PolicyProvenance:
    """Where the policy files are copied in the package, the git commit of the repository
    holding them, and whether they differ from it (changed, or not committed at all); None for
    both outside a git repository."""
    if not files:
        return PolicyProvenance((), (), None, None)
    copies = tuple(policy_copy_names(files).values())
    commit, modified = git_commit(files)
    return PolicyProvenance(tuple(files), copies, commit, modified)


def policy_copy_names(files: Sequence[str]) -> dict[str, str]:
    """Where each policy file goes in the package: ``policy/`` plus its path relative to the
    folder the files share, so that a path one file gives relative to its own folder (the
    postmortem register) names the copy from the copy."""
    if not files:
        return {}
    resolved = [Path(name).resolve() for name in files]
    root = Path(os.path.commonpath([str(path.parent) for path in resolved]))
    return {name: f"{POLICY_COPIES}/{path.relative_to(root).as_posix()}"
            for name, path in zip(files, resolved, strict=True)}


def in_package(location: Location, policy: PolicyProvenance) -> Location:
    """``location`` in the package's copy of its policy file, which is what an auditor holding
    the package can open (unchanged for a file that was not copied)."""
    copies = dict(zip(policy.files, policy.copies, strict=True))
    return replace(location, path=copies.get(location.path, location.path))
