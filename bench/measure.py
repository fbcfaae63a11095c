"""Run commands in subprocesses and measure each: wall time, CPU time and peak memory.

CPU time and peak RSS come from the kernel's accounting of that child alone (``os.wait4``, the
per-child form of ``getrusage(RUSAGE_CHILDREN)``, whose peak RSS is the largest of all children).
A child's peak RSS also counts the process it was forked from, as it was before ``exec``
(Linux records the high-water mark of the pre-exec memory), and the bench process holds
simulated accounts of hundreds of MiB: so the commands are started by a launcher, this file run
as a script, which is started before any account is built and stays small.

Standard library only: the launcher imports nothing of the bench or of pdlint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

KIB_PER_MIB = 1024


@dataclass(frozen=True)
class Run:
    """One finished command; ``timed_out`` when it was killed at the time limit."""

    command: tuple[str, ...]
    exit_code: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    stdout: str
    stderr: str
    timed_out: bool = False


def run_measured(command: Sequence[str], *, env: Mapping[str, str] | None = None,
                 cwd: str | None = None, time_limit: float = 900.0) -> Run:
    """Run ``command`` to its end (killed after ``time_limit`` seconds) and measure it."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, cwd=cwd,
                                   env=dict(env or os.environ), stdin=subprocess.DEVNULL)
        killer = threading.Timer(time_limit, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            command=tuple(command), exit_code=process.returncode, wall_seconds=wall,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            peak_rss_mib=_rss_mib(usage.ru_maxrss), stdout=out.read(), stderr=err.read(),
            timed_out=wall >= time_limit)


def _rss_mib(maxrss: int) -> float:
    """``ru_maxrss`` is in KiB on Linux and in bytes on macOS."""
    return maxrss / (KIB_PER_MIB * KIB_PER_MIB if sys.platform == "darwin" else KIB_PER_MIB)


class Launcher:
    """This file run as a small process that runs commands on request, one at a time.

    Start it (``with Launcher() as launcher``) before the bench grows; ``run`` has the
    signature of ``run_measured``.
    """

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-I", __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True)

    def run(self, command: Sequence[str], *, env: Mapping[str, str] | None = None,
            cwd: Path | None = None, time_limit: float = 900.0) -> Run:
        assert self._process.stdin is not None and self._process.stdout is not None
        request = {"command": list(command), "env": dict(env or os.environ),
                   "cwd": None if cwd is None else str(cwd), "time_limit": time_limit}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        return Run(**{**answer, "command": tuple(answer["command"])})

    def repeated(self, command: Sequence[str], repeats: int, *,
                 cwd: Path | None = None) -> list[Run]:
        """``repeats`` runs of ``command``, after an untimed warm-up when several."""
        if repeats > 1:
            self.run(command, cwd=cwd)
        return [self.run(command, cwd=cwd) for _ in range(repeats)]

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def serve(requests: IO[str], answers: IO[str]) -> None:
    """The launcher's loop: one JSON request a line in, one JSON ``Run`` a line out."""
    for line in requests:
        request: dict[str, Any] = json.loads(line)
        run = run_measured(request["command"], env=request["env"], cwd=request["cwd"],
                           time_limit=request["time_limit"])
        answers.write(json.dumps(asdict(run)) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
