"""The doors of docs/architecture.md, checked on the import statements of every module: a room
that reaches into one it may not see fails here, not in review. And no circles: the graph of the
imports that run (at the top of a module or inside a function) has no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pdlint"

# room -> the pdlint modules (prefixes) it may import. The room itself is always allowed.
DOORS: dict[str, tuple[str, ...]] = {
    "pdlint.findings": ("pdlint.errors",),
    # the rule contract: the policy and account types are named for the type checker only
    "pdlint.rule": ("pdlint.findings", "pdlint.policy.model", "pdlint.pagerduty.model"),
    "pdlint.files": ("pdlint.errors",),
    "pdlint.concurrency": (),
    "pdlint.collector": (),
    "pdlint.memo": (),
    "pdlint.config": ("pdlint.errors", "pdlint.files", "pdlint.rules.registry"),
    "pdlint.zones": (),
    "pdlint.isotime": (),
    "pdlint.progress": (),
    "pdlint.policy": ("pdlint.findings", "pdlint.errors", "pdlint.zones", "pdlint.collector",
                      "pdlint.rule"),
    "pdlint.pagerduty": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.concurrency",
                         "pdlint.collector", "pdlint.isotime"),
    "pdlint.coverage": ("pdlint.findings", "pdlint.policy.model", "pdlint.pagerduty.model",
                        "pdlint.zones", "pdlint.isotime"),
    "pdlint.paging": ("pdlint.errors", "pdlint.memo", "pdlint.coverage", "pdlint.policy.model",
                      "pdlint.pagerduty.model", "pdlint.pagerduty.state", "pdlint.zones"),
    "pdlint.rules": ("pdlint.findings", "pdlint.errors", "pdlint.rule", "pdlint.policy",
                     "pdlint.collector", "pdlint.memo",
                     "pdlint.coverage", "pdlint.paging", "pdlint.pagerduty.state",
                     "pdlint.pagerduty.model", "pdlint.zones"),
    "pdlint.report": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.memo"),
    "pdlint.provenance": ("pdlint.findings",),
    "pdlint.history": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.report",
                       "pdlint.isotime"),
    "pdlint.evidence": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.concurrency",
                        "pdlint.collector", "pdlint.memo",
                        "pdlint.rule", "pdlint.policy", "pdlint.provenance", "pdlint.history",
                        "pdlint.pagerduty", "pdlint.rules", "pdlint.coverage", "pdlint.paging",
                        "pdlint.report", "pdlint.zones"),
    "pdlint.init": ("pdlint.findings", "pdlint.errors", "pdlint.files", "pdlint.policy",
                    "pdlint.pagerduty", "pdlint.rules", "pdlint.coverage", "pdlint.zones"),
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



def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:``: they never run."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(id(inner) for body in node.body for inner in ast.walk(body))
    return guarded


def running_imports(path: Path) -> set[str]:
    """The pdlint modules ``path`` names in the imports that run (inside functions too):
    ``from pdlint.policy import model`` names ``pdlint.policy`` and ``pdlint.policy.model``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = _type_checking_only(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names & {module_name(module) for module in MODULES}


def import_graph() -> dict[str, set[str]]:
    return {module_name(path): running_imports(path) - {module_name(path)} for path in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each module that lies on one (depth-first search)."""
    found: list[list[str]] = []
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        stack.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                found.append([*stack[stack.index(imported):], imported])
            elif imported not in state:
                visit(imported)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(("graph", "expected"), [
    pytest.param({"a": {"b"}, "b": {"c"}, "c": set()}, [], id="chain"),
    pytest.param({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]], id="two"),
    pytest.param({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c", "a"]], id="three"),
])
def test_cycles_are_found(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


def test_an_import_inside_a_function_counts_and_one_for_the_type_checker_does_not(
        tmp_path: Path) -> None:
    module = PACKAGE / "rules" / "engine.py"
    imports = running_imports(module)
    assert "pdlint.rules.registry" in imports and "pdlint.pagerduty.model" not in imports
    assert "pdlint.pagerduty.model" in running_imports(PACKAGE / "cli.py")
