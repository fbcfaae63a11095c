"""The side virtual environments of the bench, created on first use under ``bench/`` (gitignored).

The tools compared with pdlint live apart from it, so that neither's dependencies can change the
other's speed: PagerDuty's official client in ``.venv-official``, check-jsonschema (and the
profiler used to find slow spots) in ``.venv-tools``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OFFICIAL = ("official", ("pagerduty==7.2.0",))
TOOLS = ("tools", ("check-jsonschema==0.39.0", "pyinstrument==5.1.3"))


def ensure_venv(spec: tuple[str, tuple[str, ...]]) -> Path:
    """The venv's folder, created and filled with its pinned packages unless it already is."""
    name, requirements = spec
    folder = BENCH / f".venv-{name}"
    marker = folder / "bench-requirements.txt"
    wanted = "\n".join(requirements) + "\n"
    if marker.is_file() and marker.read_text(encoding="utf-8") == wanted:
        return folder
    for command in ([sys.executable, "-m", "venv", "--clear", str(folder)],
                    [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet",
                     "--disable-pip-version-check", *requirements]):
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    marker.write_text(wanted, encoding="utf-8")
    return folder


def installed_version(folder: Path, package: str) -> str:
    """The version of ``package`` in the venv at ``folder``."""
    return subprocess.run(
        [str(folder / "bin" / "python"), "-c",
         f"import importlib.metadata as m; print(m.version({package!r}))"],
        check=True, capture_output=True, text=True).stdout.strip()
