"""Tables in Markdown, HTML and CSV, and the escaping each needs: the one toolkit of the Markdown
report, the evidence package's ``summary.md``, its HTML report and its CSV files.

Every piece of text from the account or the policy is escaped for where it lands, so a value
cannot break a table, inject markup, or run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from html import escape
from itertools import chain
from typing import Any

from pdlint.report.wording import printable

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|#~&])")
_BACKTICK_RUN = re.compile(r"`+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def markdown_cell(value: object) -> str:
    """Text safe in a Markdown table cell or line: punctuation escaped, line breaks as ``<br>``,
    other control characters as escapes (``printable``). Text without a line break, nearly
    all of it (a year's drift report writes megabytes of findings), is not searched for one."""
    text = str(value)
    lines = _LINE_BREAK.split(text) if "\n" in text or "\r" in text else (text,)
    return "<br>".join(_MARKDOWN_PUNCTUATION.sub(r"\\\1", printable(line)) for line in lines)


def markdown_code(text: str) -> str:
    """A code span in a table cell: no escapes work inside one except the table's ``\\|``, so
    the fence is made longer than any run of backticks in the text (searched for only in text
    that has one: a year's drift report writes megabytes of values)."""
    text = printable(text.replace("\r", " ").replace("\n", " ")).replace("|", "\\|")
    runs = _BACKTICK_RUN.findall(text) if "`" in text else ()
    fence = "`" * (1 + max(map(len, runs), default=0))
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """The lines of a Markdown table of cells already made safe (``markdown_cell``,
    ``markdown_code``)."""
    lines = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return lines


def html_text(value: object) -> str:
    """Text safe in HTML content and in a quoted attribute. Most text written has nothing to
    escape (times, names, figures) and is given back as it is, with no call of ``escape``."""
    text = value if type(value) is str else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text, quote=True)
    return text


def html_table(header: Sequence[str], rows: Iterable[Sequence[str]], *,
               numeric: Sequence[int] = (), element_id: str | None = None) -> str:
    """A table of cells already made safe (``html_text``, or markup built from it); ``numeric``
    columns are right-aligned."""
    head = "".join(f"<th>{html_text(name)}</th>" for name in header)
    cells = ['<td class="n">{}</td>' if index in numeric else "<td>{}</td>"
             for index in range(len(header))]
    row_of_header = ("<tr>" + "".join(cells) + "</tr>").format  # a row as long as the header
    body = "".join(
        row_of_header(*row) if len(row) == len(cells) else
        "<tr>" + "".join(f'<td class="n">{cell}</td>' if index in numeric else f"<td>{cell}</td>"
                         for index, cell in enumerate(row)) + "</tr>"
        for row in rows)
    attribute = f' id="{html_text(element_id)}"' if element_id else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def csv_cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
    return str(value)


_WRITTEN_BY_STR = frozenset((int, float, bool))
"""The cells ``csv_cell`` gives as ``str`` gives them, tested here without a call each."""


def csv_rows(rows: Iterable[Iterable[Any]]) -> str:
    """The lines ``csv.writer`` (``lineterminator="\\n"``) writes for ``rows``, each cell as
    ``csv_cell`` makes it. A row with nothing to quote, nearly every row of a large table (the
    register, 10^5 rows), is joined here, without the writer's copy of every character; a row
    with a comma, a quote or a line break in a cell, or a single cell, is the writer's."""
    return "".join(map(_csv_line, rows))


def _csv_line(row: Iterable[Any]) -> str:
    cells = [("'" + value if value.startswith(_FORMULA_PREFIXES) else value) if type(value) is str
             else "" if value is None
             else str(value) if type(value) in _WRITTEN_BY_STR else csv_cell(value)
             for value in row]
    line = ",".join(cells)
    if (len(cells) > 1 and line.count(",") == len(cells) - 1 and '"' not in line
            and "\n" not in line and "\r" not in line):
        return line + "\n"
    if "\0" not in line:
        return _written(cells)
    # Python 3.10's writer refuses a NUL ("need to escape"); 3.11 on write it as it is, quoting
    # decided by the other characters. Each NUL goes through as a character no cell holds.
    stand_in = next(chr(code) for code in range(0xE000, 0x110000) if chr(code) not in line)
    return _written([cell.replace("\0", stand_in) for cell in cells]).replace(stand_in, "\0")


def _written(cells: list[str]) -> str:
    """The line ``csv.writer`` writes for ``cells``."""
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerow(cells)
    return stream.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV file: the header, then each row's cells (``csv_rows``)."""
    return csv_rows(chain((header,), rows))
