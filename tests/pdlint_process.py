"""Running pdlint as a user does: a separate process, with no PagerDuty settings inherited from
the machine running the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_pdlint(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith(("PAGERDUTY_", "GITHUB_"))}
    return subprocess.run([sys.executable, "-m", "pdlint", *args], capture_output=True,
                          text=True, env={**environ, **(env or {})}, cwd=cwd, timeout=timeout)
