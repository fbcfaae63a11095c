"""The doors of docs/architecture.md, checked on the import statements of every module: a room
that reaches into one it may not see fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pdlint"

# room -> the pdlint modules (prefixes) it may import. The room itself is always allowed.
DOORS: dict[str, tuple[str, ...]] = {
    "pdlint.findings": ("pdlint.errors",),
    "pdlint.files": ("pdlint.errors",),
    "pdlint.background": (),
    "pdlint.config": ("pdlint.errors", "pdlint.files"),
    "pdlint.zones": (),
    "pdlint.isotime": (),
    "pdlint.policy": ("pdlint.findings", "pdlint.errors", "pdlint.zones"),
    "pdlint.pagerduty": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.background",
                         "pdlint.isotime"),
    "pdlint.coverage": ("pdlint.findings", "pdlint.policy.model", "pdlint.pagerduty.state",
                        "pdlint.zones", "pdlint.isotime"),
    "pdlint.rules": ("pdlint.findings", "pdlint.errors", "pdlint.policy", "pdlint.coverage",
                     "pdlint.pagerduty.state", "pdlint.zones"),
    "pdlint.report": ("pdlint.findings", "pdlint.errors", "pdlint.files"),
    "pdlint.provenance": ("pdlint.findings",),
    "pdlint.history": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.report"),
    "pdlint.evidence": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.background",
                        "pdlint.policy", "pdlint.provenance", "pdlint.history",
                        "pdlint.pagerduty", "pdlint.rules", "pdlint.coverage", "pdlint.report",
                        "pdlint.zones"),
    "pdlint.init": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.policy",
                    "pdlint.pagerduty.state", "pdlint.rules", "pdlint.coverage", "pdlint.zones"),
    "pdlint.sim": (),  # an independent implementation of PagerDuty's side
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def pdlint_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name == "pdlint" or name.startswith("pdlint.")}


def room_of(module: str) -> str | None:
    matches = [room for room in DOORS if module == room or module.startswith(room + ".")]
    return max(matches, key=len) if matches else None


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_imports_go_through_the_doors(path: Path) -> None:
    module = module_name(path)
    room = room_of(module)
    if room is None:  # cli, __main__, the package itself: may import everything
        return
    allowed = (room, *DOORS[room])
    # ``import pdlint`` alone (for the version) is the package root and open to every room.
    strays = sorted(name for name in pdlint_imports(path) - {"pdlint"}
                    if not any(name == door or name.startswith(door + ".") for door in allowed))
    assert strays == [], f"{module} ({room}) imports {strays}"

