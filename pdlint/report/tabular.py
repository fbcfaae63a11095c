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
from typing import Any

from pdlint.report.wording import printable

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|#~&])")
_BACKTICK_RUN = re.compile(r"`+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def markdown_cell(value: object) -> str:
    """Text safe in a Markdown table cell or line: punctuation escaped, line breaks as ``<br>``,
    other control characters as escapes (``printable``)."""
    return "<br>".join(_MARKDOWN_PUNCTUATION.sub(r"\\\1", printable(line))
                       for line in _LINE_BREAK.split(str(value)))


def markdown_code(text: str) -> str:
    """A code span in a table cell: no escapes work inside one except the table's ``\\|``, so
    the fence is made longer than any run of backticks in the text."""
    text = printable(text.replace("\r", " ").replace("\n", " ")).replace("|", "\\|")
    fence = "`" * (1 + max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0))
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


_WRITTEN_AS_THEY_ARE = frozenset((int, float, bool, type(None)))
"""The cells ``csv_cell`` would give as ``str`` gives them (None as nothing), which is how the
CSV writer writes them itself."""


def csv_cells(row: Iterable[Any]) -> list[Any]:
    """A row's cells for the CSV writer, as ``csv_cell`` makes them: the text and numbers of a
    large table (the register, 10^5 rows) tested here, without a call each."""
    return [("'" + value if value.startswith(_FORMULA_PREFIXES) else value) if type(value) is str
            else value if type(value) in _WRITTEN_AS_THEY_ARE else csv_cell(value)
            for value in row]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV file: the header, then each row's cells (``csv_cells``)."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(map(csv_cells, rows))
    return stream.getvalue()
