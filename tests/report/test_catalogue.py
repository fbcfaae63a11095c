"""The rule catalogue: the ``pdlint rules`` table and the docs/rules.md page."""

from __future__ import annotations

import re

import pytest
from report_cases import DELAY, RULES, SCHEMA

from pdlint.errors import PdlintError
from pdlint.report.catalogue import render_catalogue


def test_text_table_has_one_aligned_row_per_rule_in_id_order() -> None:
    assert render_catalogue([SCHEMA, DELAY], "text").splitlines() == [
        "ID      NAME              SEVERITY  MODE   SOC 2  TITLE",
        "EP103   escalation-delay  error     drift  CC7.4  Escalation delays match the documented"
        " times",
        "POL003  schema            error     lint   CC7.4  Policy files match the schema",
    ]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_catalogue_does_not_depend_on_the_order_rules_are_given(fmt: str) -> None:
    assert render_catalogue(RULES, fmt) == render_catalogue(tuple(reversed(RULES)), fmt)


def test_markdown_page_documents_every_rule_under_its_mode() -> None:
    page = render_catalogue(RULES, "markdown")
    lines = page.splitlines()
    assert lines[0] == "# Rules"
    assert lines.index("## Offline checks (`pdlint lint`)") < lines.index("### POL003 schema")
    assert lines.index("## Live checks (`pdlint drift`)") < lines.index(
        "### EP103 escalation-delay")
    assert lines.index("### POL023 unused-definition") < lines.index(
        "## Live checks (`pdlint drift`)")
    section = page.split("### EP103 escalation-delay\n", 1)[1].split("\n<a id=", 1)[0]
    assert section.strip().splitlines() == [
        "**Escalation delays match the documented times**",
        "",
        "- Severity: error",
        "- Mode: drift",
        "- SOC 2 criterion: CC7.4",
        "",
        "Why escalation-delay matters.",
    ]


def test_every_link_in_the_summary_table_reaches_its_rule_by_id() -> None:
    page = render_catalogue(RULES, "markdown")
    links = re.findall(r"\[(\S+) [^]]+\]\(#([^)]+)\)", page)
    assert len(links) == len(RULES)
    for rule_id, anchor in links:
        assert anchor == rule_id.lower()
        assert f'<a id="{anchor}"></a>\n\n### {rule_id} ' in page


def test_an_unknown_catalogue_format_is_a_clear_error() -> None:
    with pytest.raises(PdlintError, match="unknown catalogue format 'html'; choose one of text,"
                                          " markdown"):
        render_catalogue(RULES, "html")
