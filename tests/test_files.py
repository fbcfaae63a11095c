"""Writing a set of files into a folder: every file appears, or none does, and nothing is replaced
without being asked."""

from __future__ import annotations

import os
import re
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from pdlint import files
from pdlint.files import FileWriteError, check_folder, write_files

TEXTS = {"a.yaml": "a: 1\n", "b.yaml": "b: 2\n"}


def contents(folder: Path) -> dict[str, str]:
    """Every entry of ``folder`` (hidden ones too) and of its parent, with file texts."""
    found = {path.name: path.read_text() for path in folder.iterdir() if path.is_file()}
    leftovers = sorted(path.name for path in folder.parent.iterdir()
                       if path.name.startswith("."))
    return {**found, **({"leftovers": ", ".join(leftovers)} if leftovers else {})}


def test_a_new_folder_appears_with_every_file(tmp_path: Path) -> None:
    write_files(tmp_path / "policy", TEXTS, force=False)
    assert contents(tmp_path / "policy") == TEXTS
    assert oct((tmp_path / "policy").stat().st_mode & 0o777) == oct(0o755)


def test_files_join_an_existing_folder_and_leave_others_alone(tmp_path: Path) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "README.md").write_text("notes\n")
    write_files(folder, TEXTS, force=False)
    assert contents(folder) == {**TEXTS, "README.md": "notes\n"}


def test_existing_files_are_replaced_only_when_forced(tmp_path: Path) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "b.yaml").write_text("old\n")
    with pytest.raises(FileWriteError,
                       match=r"already holds b\.yaml; they are replaced only when forced"):
        write_files(folder, TEXTS, force=False)
    assert contents(folder) == {"b.yaml": "old\n"}
    write_files(folder, TEXTS, force=True)
    assert contents(folder) == TEXTS


def test_a_failed_rename_puts_everything_back(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "a.yaml").write_text("old a\n")
    renames = []

    def failing_rename(source: str | os.PathLike[str], destination: str | os.PathLike[str],
                       ) -> None:
        renames.append(Path(destination).name)
        if Path(destination) == folder / "b.yaml":
            raise OSError(28, "No space left on device")
        os.replace(source, destination)

    monkeypatch.setattr(files.os, "rename", failing_rename)
    with pytest.raises(FileWriteError, match="No space left on device"):
        write_files(folder, TEXTS, force=True)
    assert renames[:3] == ["a.yaml", "a.yaml", "b.yaml"]
    assert contents(folder) == {"a.yaml": "old a\n"}


@pytest.mark.parametrize(("make", "target", "message"), [
    pytest.param(lambda root: (root / "policy").write_text("x"), "policy",
                 "exists and is not a folder", id="a-file-in-the-way"),
    pytest.param(lambda root: None, "missing/policy", "does not exist; create it first",
                 id="no-parent"),
])
def test_folders_that_cannot_take_the_files_are_refused_first(tmp_path: Path, make: object,
                                                              target: str, message: str) -> None:
    make(tmp_path)  # type: ignore[operator]
    with pytest.raises(FileWriteError, match=message):
        check_folder(tmp_path / target, TEXTS, force=True)


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "report.txt").write_text("old\n")
    link = tmp_path / "report.txt"
    link.symlink_to(Path("real") / "report.txt")
    dangling = tmp_path / "new.txt"
    dangling.symlink_to(Path("real") / "new.txt")
    for path in (link, dangling):
        files.write_atomically(path, "new\n")
        assert path.is_symlink() and path.read_text() == "new\n"
    assert sorted(path.name for path in (tmp_path / "real").iterdir()) == ["new.txt",
                                                                           "report.txt"]


def test_a_stream_is_written_to_not_replaced(tmp_path: Path) -> None:
    """A named pipe (as /dev/stdout may be) gets the text; /dev/null stays a device (reached
    through a link here, so that a regression replaces the link, never the device)."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()), daemon=True)
    reader.start()
    files.write_atomically(pipe, "through the pipe\n")
    reader.join(timeout=5)
    assert received == ["through the pipe\n"] and stat.S_ISFIFO(os.stat(pipe).st_mode)
    null = tmp_path / "null"
    null.symlink_to("/dev/null")
    files.write_atomically(null, "gone\n")
    assert null.is_symlink() and stat.S_ISCHR(os.stat(null).st_mode)


@pytest.mark.parametrize(("make", "reason"), [
    pytest.param(lambda path: path.symlink_to("/dev/full"), "No space left on device",
                 id="a-full-device"),
    pytest.param(lambda path: path.mkdir(), "Is a directory", id="a-folder"),
    pytest.param(lambda path: None, "No such file or directory", id="a-missing-folder"),
])
def test_a_write_that_cannot_happen_is_a_clear_error(tmp_path: Path, make: Callable[[Path], None],
                                                     reason: str) -> None:
    path = tmp_path / "out" if reason != "No such file or directory" else tmp_path / "no" / "out"
    make(path)
    with pytest.raises(FileWriteError, match=f"cannot write {re.escape(str(path))}: {reason}"):
        files.write_atomically(path, "text\n")
