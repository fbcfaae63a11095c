"""`pdlint rules` lists the catalogue, and docs/rules.md is that catalogue, regenerated."""

from __future__ import annotations

from pathlib import Path

from pdlint_process import run_pdlint

from pdlint.report.catalogue import render_catalogue
from pdlint.rules.registry import catalogue

RULES_PAGE = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_the_table_lists_every_rule_with_its_criterion() -> None:
    result = run_pdlint("rules")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [(row[0], row[1], row[2], row[4]) for row in rows] == [
        (rule.id, rule.name, rule.severity.value, rule.criterion) for rule in catalogue()]


def test_docs_rules_md_is_current() -> None:
    """Regenerate with: pdlint rules --format markdown -o docs/rules.md"""
    assert RULES_PAGE.read_text(encoding="utf-8") == render_catalogue(catalogue(), "markdown")


def test_the_page_can_be_written_by_the_command(tmp_path: Path) -> None:
    page = tmp_path / "rules.md"
    result = run_pdlint("rules", "--format", "markdown", "-o", str(page))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert page.read_text(encoding="utf-8") == render_catalogue(catalogue(), "markdown")
