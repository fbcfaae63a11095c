"""Writes a kill cannot break, at the exact step the random kills of ``test_atomic_files`` cannot
hit: each failure is injected at a rename (``os.replace``/``os.rename`` patched to kill the
process there), and the next run must find the previous file or folder as it was, nothing of the
killed run left beside it. Also: files and folders get the user's umask, and a replaced file
keeps its mode."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pdlint.files import write_atomically, write_files


def killed_at(call: str, count: int, code: str) -> None:
    """Run ``code`` in a new Python whose ``count``-th ``call`` (``os.replace``/``os.rename``)
    kills it with SIGKILL, instead of renaming."""
    module, name = call.split(".")
    script = textwrap.dedent(f"""
        import os, signal
        real, calls = {module}.{name}, [0]
        def dying(*args, **kwargs):
            calls[0] += 1
            if calls[0] == {count}:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        {module}.{name} = dying
    """) + textwrap.dedent(code)
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert ran.returncode == -signal.SIGKILL, ran.stderr


def beside(path: Path) -> list[str]:
    return sorted(entry.name for entry in path.parent.iterdir() if entry.name != path.name)


def test_a_file_killed_at_its_rename_leaves_a_temporary_file_the_next_write_removes(
        tmp_path: Path) -> None:
    target = tmp_path / "snap.json"
    target.write_text("previous\n")
    killed_at("os.replace", 1, f"""
        from pathlib import Path
        from pdlint.files import write_atomically
        write_atomically(Path({str(target)!r}), "new\\n")
    """)
    assert target.read_text() == "previous\n"
    [left] = beside(target)  # complete, named, and its process is gone
    assert left.startswith(".snap.json.") and left.endswith(".tmp")
    write_atomically(target, "next\n")
    assert target.read_text() == "next\n" and beside(target) == []


def test_the_sweep_leaves_a_running_process_s_temporary_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "snap.json"
    mine = tmp_path / f".snap.json.{os.getpid()}.0a1b2c3d.tmp"  # this process: still writing
    mine.write_text("half")
    other = tmp_path / ".other.json.1.0a1b2c3d.tmp"  # not a temporary file of this target
    other.write_text("x")
    write_atomically(target, "new\n")
    assert mine.exists() and other.exists()


POLICY_FILES = {"organisation.yaml": "organisation: new\n", "services.yaml": "services: new\n",
                "teams.yaml": "teams: new\n"}


@pytest.fixture
def policy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "pol"
    folder.mkdir()
    (folder / "organisation.yaml").write_text("organisation: old\n")
    (folder / "services.yaml").write_text("services: old\n")
    (folder / "README.md").write_text("not pdlint's\n")
    return folder


def contents(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in folder.iterdir()}


@pytest.mark.parametrize("rename", range(1, 6))
def test_init_force_killed_at_any_rename_loses_no_file(policy_folder: Path,
                                                        rename: int) -> None:
    """``write_files`` into an existing folder renames five times here (two old files aside,
    three new files in); killed at each, the next write for the folder puts the old files back
    first: the folder is the previous one, then the next one, never a mix."""
    before = contents(policy_folder)
    killed_at("os.rename", rename, f"""
        from pathlib import Path
        from pdlint.files import write_files
        write_files(Path({str(policy_folder)!r}), {POLICY_FILES!r}, force=True)
    """)
    assert beside(policy_folder) != []  # the killed run's staging folder, holding the old files
    write_files(policy_folder, {"waivers.yaml": "waivers: []\n"}, force=True)
    assert contents(policy_folder) == {**before, "waivers.yaml": "waivers: []\n"}
    assert beside(policy_folder) == []


@pytest.fixture
def umask_077() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_and_folder_honour_the_umask(tmp_path: Path, umask_077: None) -> None:
    write_atomically(tmp_path / "report.json", "{}\n")
    write_files(tmp_path / "pol", POLICY_FILES, force=False)
    assert mode(tmp_path / "report.json") == 0o600
    assert mode(tmp_path / "pol") == 0o700
    assert {mode(path) for path in (tmp_path / "pol").iterdir()} == {0o600}


def test_without_a_restrictive_umask_files_are_readable_as_before(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_atomically(tmp_path / "report.json", "{}\n")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "report.json") == 0o644


@pytest.mark.parametrize("existing", [0o600, 0o640, 0o444])
def test_a_replaced_file_keeps_its_mode(tmp_path: Path, existing: int) -> None:
    target = tmp_path / "report.sarif"
    target.write_text("old\n")
    target.chmod(existing)
    write_atomically(target, "new\n")
    assert (target.read_text(), mode(target)) == ("new\n", existing)


def test_a_private_file_is_never_wider_than_its_owner(tmp_path: Path) -> None:
    target = tmp_path / "snap.json"
    target.write_text("old\n")
    target.chmod(0o644)
    write_atomically(target, "new\n", private=True)
    assert mode(target) == 0o600
