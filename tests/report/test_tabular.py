"""The one table and escaping toolkit: a value from the account or the policy can neither break
a table nor inject markup, in Markdown, HTML or CSV."""

from __future__ import annotations

import csv
import enum
import io
from datetime import date
from html import escape

import pytest

from pdlint.findings import Location
from pdlint.report.tabular import (
    csv_cell,
    csv_text,
    html_table,
    html_text,
    markdown_cell,
    markdown_code,
    markdown_table,
)


@pytest.mark.parametrize(("value", "cell"), [
    (None, ""),
    (180, "180"),
    ("Checkout down", "Checkout down"),
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1 555", "'+1 555"),
    ("@admin", "'@admin"),
    (["Alice", "Ben"], "Alice; Ben"),
])
def test_csv_cells_never_run_as_formulas(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


class Tier(str, enum.Enum):
    GOLD = "=gold"


CELL_VALUES = [None, 0, 180, -3, 2.5, float("nan"), True, False, "", "plain", "=1+1", "-2",
               "\tx", "a, \"b\"\nc", "a,b", 'say "hi"', "two\nlines", "a\rb", ["=a", "b"],
               ["a", "b,c"], [], Tier.GOLD, date(2026, 12, 7),
               Location("policy/services.yaml", 3, 5)]


@pytest.mark.parametrize("value", CELL_VALUES, ids=repr)
def test_a_csv_file_writes_every_cell_as_csv_cell_makes_it(value: object) -> None:
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerows([("v", "w"), (csv_cell(value), "x")])
    assert csv_text(("v", "w"), [(value, "x")]) == stream.getvalue()


@pytest.mark.parametrize("rows", [
    pytest.param([("",), ("x",), ("a,b",)], id="one-cell"),
    pytest.param([(), ("x",)], id="no-cell"),
    pytest.param([("", ""), (None, None)], id="empty-cells"),
], ids=repr)
def test_a_csv_file_of_rows_the_writer_writes_its_own_way(rows: list[tuple[object, ...]]) -> None:
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerows(
        [("v",), *([csv_cell(value) for value in row] for row in rows)])
    assert csv_text(("v",), rows) == stream.getvalue()


def test_a_csv_file_quotes_what_it_must() -> None:
    assert csv_text(("name", "count"), [("a, b", 2), ("=1+1", None)]) == (
        'name,count\n"a, b",2\n\'=1+1,\n')


@pytest.mark.parametrize(("value", "cell"), [
    ("Checkout API", "Checkout API"),
    ("a | b", "a \\| b"),
    ("[click](http://evil)", "\\[click\\](http://evil)"),
    ("<img src=x>", "\\<img src=x\\>"),
    ("*bold* _it_ `code` #1 ~x~ &amp;", "\\*bold\\* \\_it\\_ \\`code\\` \\#1 \\~x\\~ \\&amp;"),
    ("two\nlines\r\nthree", "two<br>lines<br>three"),
    (7, "7"),
])
def test_markdown_cells_escape_punctuation_and_keep_line_breaks(value: object, cell: str) -> None:
    assert markdown_cell(value) == cell


@pytest.mark.parametrize(("text", "span"), [
    ("30m", "`30m`"),
    ("a|b", "`a\\|b`"),
    ("one ` tick", "``one ` tick``"),
    ("`edge", "`` `edge ``"),
])
def test_markdown_code_spans_fence_longer_than_the_text(text: str, span: str) -> None:
    assert markdown_code(text) == span


def test_a_markdown_table_has_a_header_rule_and_a_line_a_row() -> None:
    assert markdown_table(("a", "b"), [("1", "2"), ("3", "4")]) == [
        "| a | b |", "|---|---|", "| 1 | 2 |", "| 3 | 4 |"]


def test_html_escapes_text_and_attributes() -> None:
    assert html_text('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;"
    assert html_table(("<h>",), [("1",)], numeric=(0,), element_id='t"1') == (
        '<table id="t&quot;1"><thead><tr><th>&lt;h&gt;</th></tr></thead>'
        '<tbody><tr><td class="n">1</td></tr></tbody></table>')


@pytest.mark.parametrize("value", ["plain", "", "a & b", "<b>", "x > y", 'say "hi"', "it's",
                                   "—", 42, None, Tier.GOLD, Location("p.yaml", 1)], ids=repr)
def test_html_text_escapes_as_the_standard_library_does(value: object) -> None:
    assert html_text(value) == escape(str(value), quote=True)


@pytest.mark.parametrize(("rows", "body"), [
    pytest.param([("a", "1")], '<tr><td>a</td><td class="n">1</td></tr>', id="as-long"),
    pytest.param([("a",)], "<tr><td>a</td></tr>", id="shorter"),
    pytest.param([("a", "1", "2")], '<tr><td>a</td><td class="n">1</td><td class="n">2</td></tr>',
                 id="longer"),
    pytest.param([("{0}", "{}")], '<tr><td>{0}</td><td class="n">{}</td></tr>', id="braces"),
])
def test_an_html_row_has_a_cell_a_value_numeric_columns_right_aligned(
        rows: list[tuple[str, ...]], body: str) -> None:
    assert html_table(("name", "count"), rows, numeric=range(1, 3)) == (
        "<table><thead><tr><th>name</th><th>count</th></tr></thead>"
        f"<tbody>{body}</tbody></table>")


@pytest.mark.parametrize(("row", "line"), [
    pytest.param(("a\0b", "c"), "a\0b,c\n", id="nothing-to-quote"),
    pytest.param(("a\0b", 'c"d'), 'a\0b,"c""d"\n', id="beside-a-quote"),
    pytest.param(("a\0,b",), '"a\0,b"\n', id="in-a-quoted-cell"),
    pytest.param(("\ue000\0", "x,y"), '\ue000\0,"x,y"\n', id="beside-the-first-stand-in"),
])
def test_a_nul_is_written_as_it_is_on_every_python(row: tuple[str, ...], line: str) -> None:
    """Text PagerDuty returns may hold a NUL: written as Python 3.11's writer writes it, never
    the 3.10 writer's "need to escape" error."""
    assert csv_text(("v",) * len(row), [row]) == ",".join(("v",) * len(row)) + "\n" + line
