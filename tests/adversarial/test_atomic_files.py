"""A run killed with SIGKILL — while it reads the account, or at the moment it holds an output
file open for writing — leaves the previous snapshot, policy folder or evidence package exactly
as it was. A single file leaves nothing beside it; a folder's staging folder, left beside it, is
removed by the next run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from adversarial_cases import NOW, PERIOD, POLICY, TOKEN, run_main, sim_env

from pdlint.files import staging_folder
from pdlint.init import POLICY_FILES
from pdlint.sim import SimServer, demo_account, sized_account

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(),
                                reason="watches the process's open files in /proc (Linux)")

SINCE, UNTIL = (moment.strftime("%Y-%m-%dT%H:%M:%SZ") for moment in PERIOD)
WINDOW = ("--since", "2026-03-02T12:00:00Z", "--until", "2026-03-03T12:00:00Z")
RUN_TIME_LIMIT = 60.0
PREVIOUS = "previous"
# pdlint, with each fsync held for a moment while its file is open: writing a few small files
# otherwise takes well under a millisecond, shorter than a busy machine's polling interval.
SLOW_SYNC_PDLINT = ("import os, runpy, time\n"
                    "sync = os.fsync\n"
                    "os.fsync = lambda descriptor: (time.sleep(0.2), sync(descriptor))[1]\n"
                    "runpy.run_module('pdlint', run_name='__main__')\n")


def files_under(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def writing_under(pid: int, place: Path) -> bool:
    """Whether process ``pid`` holds a file under ``place`` open for writing (a file made with
    O_TMPFILE shows as ``place/#inode (deleted)``)."""
    prefix = str(place) + os.sep
    try:
        for descriptor in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{descriptor}")
                info = Path(f"/proc/{pid}/fdinfo/{descriptor}").read_text()
            except OSError:
                continue
            flags = int(next(line.split()[1] for line in info.splitlines()
                             if line.startswith("flags:")), 8)
            if target.startswith(prefix) and flags & (os.O_WRONLY | os.O_RDWR):
                return True
    except OSError:
        return False
    return False


def kill_when(args: tuple[str, ...], server: SimServer, cwd: Path,
              moment: Callable[[int], bool]) -> int | None:
    """Run ``pdlint ARGS`` (its fsyncs slowed); SIGKILL it as soon as ``moment(pid)`` holds. The
    pid killed, or None if the run finished first."""
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("PAGERDUTY_", "GITHUB_"))}
    process = subprocess.Popen([sys.executable, "-c", SLOW_SYNC_PDLINT, *args], cwd=cwd,
                               env={**environ, **sim_env(server)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + RUN_TIME_LIMIT
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if moment(process.pid):
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return process.pid
            time.sleep(0.0005)
        assert process.poll() is not None, "the run did not end"
        return None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def while_reading(server: SimServer) -> Callable[[int], bool]:
    """Once the account is being read: a few requests answered."""
    server.clear_requests()
    return lambda pid: len(server.requests) >= 3


def while_writing(place: Path) -> Callable[[int], bool]:
    return lambda pid: writing_under(pid, place)


@pytest.fixture(scope="module")
def large_server() -> Iterator[SimServer]:
    """2,000 users: a 6 MB snapshot, long enough to write that a kill can land in it."""
    with SimServer(sized_account(users=2_000, now=NOW), token=TOKEN) as served:
        yield served


@pytest.fixture(scope="module")
def demo_server() -> Iterator[SimServer]:
    with SimServer(demo_account(NOW), token=TOKEN, latency_ms=20) as served:
        yield served


@dataclass(frozen=True)
class Output:
    """A command that replaces an output, and that output's previous version."""

    server: str  # the fixture serving the account it reads
    target: str  # under out/
    previous: tuple[str, ...]  # files of the previous version (a folder), or () for one file
    args: tuple[str, ...]
    beside: tuple[str, ...] = ()  # what else a completed run writes under out/


OUTPUTS = {
    "snapshot": Output("large_server", "snap.json", (), (
        "snapshot", "-q", "-o", "out/snap.json", *WINDOW)),
    "init --force": Output("demo_server", "policy", POLICY_FILES, (
        "init", "-q", "--force", "-o", "out/policy", *WINDOW),
        beside=("schemas",)),  # the policy's $schema names out/schemas/policy.schema.json
    "evidence --force": Output("demo_server", "evidence", ("index.html", "manifest.json"), (
        "evidence", "-q", "--force", "--policy", str(POLICY), "--since", SINCE, "--until", UNTIL,
        "-o", "out/evidence")),
}


@pytest.mark.parametrize("when", ["reading", "writing"])
@pytest.mark.parametrize("output", OUTPUTS)
def test_a_killed_run_leaves_the_previous_output(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str,
    when: str,
) -> None:
    """The output is as it was. A single file leaves nothing else behind; a folder may leave the
    killed run's hidden staging folder beside it, which the next run removes."""
    case = OUTPUTS[output]
    server: SimServer = request.getfixturevalue(case.server)
    out = tmp_path / "out"
    out.mkdir()
    target = out / case.target
    if case.previous:
        target.mkdir()
        for name in case.previous:
            (target / name).write_text(f"{PREVIOUS} {name}\n")
    else:
        target.write_text(f"{PREVIOUS}\n")
    before = files_under(target) if case.previous else {"": target.read_bytes()}
    moment = while_reading(server) if when == "reading" else while_writing(out)
    killed = kill_when(case.args, server, tmp_path, moment)
    assert killed, "the run ended before the kill"
    assert (files_under(target) if case.previous else {"": target.read_bytes()}) == before
    leftovers = sorted(path.name for path in out.iterdir()
                       if path != target and path.name not in case.beside)
    if not case.previous:
        assert leftovers == []
        return
    assert all(re.fullmatch(rf"\.{case.target}\.{killed}\.\w+\.partial", name)
               for name in leftovers), leftovers
    monkeypatch.chdir(tmp_path)
    assert run_main(*case.args, env=sim_env(server)).code == 0
    assert sorted(path.name for path in out.iterdir()) == sorted([case.target, *case.beside])
    assert files_under(target) != before


def test_the_next_run_removes_only_the_staging_folders_of_ended_runs(tmp_path: Path) -> None:
    ended = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                               capture_output=True, text=True, check=True).stdout)
    kept = [f".evidence.{os.getpid()}.live.partial",  # a run still going
            ".evidence.x1y2.partial",  # not named by a run
            f".evidence-2026.{ended}.other.partial",  # another target's
            f".evidence.{ended}.{ended}.other.partial",  # evidence.<number>'s
            f".evidence.{ended}.aside.previous"]  # not a staging folder
    for name in [f".evidence.{ended}.killed.partial", *kept]:
        (tmp_path / name).mkdir()
    made = staging_folder(tmp_path / "evidence")
    assert made.name.startswith(f".evidence.{os.getpid()}.") and made.name.endswith(".partial")
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*kept, made.name])
