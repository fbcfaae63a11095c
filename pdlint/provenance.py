"""Which policy a run checked: its files' sha256 and the git commit holding them.

git runs with a minimal environment: the child gets no PagerDuty token (nor any other variable
of the run), only what git needs to find itself and its configuration.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from pdlint.findings import PolicyIdentity

GIT_TIMEOUT_SECONDS = 10
GIT_ENVIRONMENT = ("PATH", "HOME", "SYSTEMROOT")
"""The variables git is given: where programs are, where its configuration is (and Windows'
root). Nothing else of pdlint's environment reaches it."""


def git_output(folder: Path, *arguments: str) -> str | None:
    """What ``git -C folder arguments`` prints, or None when git is missing, fails, or hangs."""
    environment = {name: os.environ[name] for name in GIT_ENVIRONMENT if name in os.environ}
    environment["LC_ALL"] = "C"
    try:
        done = subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True,
                              text=True, timeout=GIT_TIMEOUT_SECONDS, check=False,
                              env=environment)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def git_commit(files: Sequence[str]) -> tuple[str | None, bool | None]:
    """The commit of the repository holding ``files`` and whether they differ from it (changed,
    or not committed at all); None for both outside a git repository."""
    if not files:
        return None, None
    folder = shared_folder(files)
    commit = git_output(folder, "rev-parse", "--verify", "HEAD")
    if commit is None:
        return None, None
    status = git_output(folder, "status", "--porcelain", "--",
                        *(str(Path(name).resolve()) for name in files))
    return commit.strip(), None if status is None else bool(status.strip())


def shared_folder(files: Sequence[str]) -> Path:
    """The deepest folder holding every one of ``files``."""
    return Path(os.path.commonpath([str(Path(name).resolve().parent) for name in files]))


def policy_identity(path: str, files: Sequence[str]) -> PolicyIdentity:
    """The identity of the policy given as ``path`` and read from ``files``.

    Each file's sha256 is of its bytes; the policy's sha256 is that of the listing
    ``sha256sum`` prints for the files (``<sha256>  <path>`` lines, sorted by path, paths
    relative to the folder the files share), so ``cd FOLDER && sha256sum FILES | sha256sum``
    gives it back.
    """
    root = shared_folder(files) if files else Path(".")
    digests = sorted((Path(name).resolve().relative_to(root).as_posix(),
                      hashlib.sha256(Path(name).read_bytes()).hexdigest()) for name in files)
    listing = "".join(f"{digest}  {name}\n" for name, digest in digests)
    commit, modified = git_commit(files)
    return PolicyIdentity(path=path, files=tuple(digests),
                          sha256=hashlib.sha256(listing.encode("utf-8")).hexdigest(),
                          git_commit=commit, git_modified=modified)
