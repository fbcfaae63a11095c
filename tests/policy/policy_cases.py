"""Helpers for the policy tests: a small valid policy in files, plus one file written per case."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

from pdlint.findings import Finding

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
BASE = FIXTURES / "base"
EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "policy"
ALL_BASES = ("organisation", "postmortems", "severities")


def write_policy(folder: Path, case: str | Mapping[str, str],
                 bases: Iterable[str] = ALL_BASES) -> Path:
    """A policy folder: the chosen base files, and ``case.yaml`` holding ``case`` (dedented) or
    each file named in ``case``."""
    folder.mkdir(parents=True, exist_ok=True)
    for base in bases:
        shutil.copy(BASE / f"{base}.yaml", folder / f"{base}.yaml")
    written = {"case.yaml": case} if isinstance(case, str) else case
    for name, text in written.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def places(findings: Iterable[Finding]) -> list[tuple[str, str, int]]:
    """(rule, file name, line) of each finding, sorted: what the tables assert."""
    return sorted((finding.rule, Path(finding.location.path).name if finding.location else "",
                   finding.location.line if finding.location else 0) for finding in findings)
