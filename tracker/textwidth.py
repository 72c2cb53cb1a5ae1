"""Plain-text tables whose columns line up with Chinese (double-width) characters.

Widths come from the Unicode data built into Python (East Asian Width; combining and format
characters take no cell): the same answer as wcwidth for the text this tool prints, without
its import cost on every command.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate, repeat

from tracker.textsafe import Checked, visible


def _measure(ch: str) -> int:
    if ch.isascii():
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class _Widths(dict):
    """Cells by character, measured on first sight: a table's thousands of cells are measured
    by C loops over dict lookups. Kept to a few thousand characters (text from a file could
    bring any number)."""

    def __missing__(self, ch: str) -> int:
        w = _measure(ch)
        if len(self) < 8192:
            self[ch] = w
        return w


_WIDTHS = _Widths()
_cells = _WIDTHS.__getitem__


def char_width(ch: str) -> int:
    """Cells one character takes on a terminal: 2 for wide and full-width, 0 for combining
    marks and format characters, 1 otherwise (a control character counts as one)."""
    return _cells(ch)


def width(text: str) -> int:
    """Terminal columns the text takes; control characters count as one."""
    if text.isascii():
        return len(text)
    return sum(map(_cells, text))


def fit(text: str, columns: int) -> str:
    """Cut text to at most `columns` cells, marking the cut with ... (not …: a Chinese-locale
    terminal draws that two cells wide). What is kept is the longest start whose characters,
    each counted as at least one cell, fit beside the mark."""
    if width(text) <= columns:
        return text
    mark = "..." if columns > 3 else ""
    ends = list(accumulate(map(max, map(_cells, text), repeat(1))))  # running cell counts
    return text[: bisect_right(ends, columns - len(mark))] + mark


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


_HEADER = object()  # the header line's key in each column's cells (no row holds it)


def table(headers: tuple[str, ...], rows: list[tuple[str, ...]], *, max_widths: dict[int, int] | None = None) -> str:
    """Left-aligned columns separated by two spaces; long cells cut to max_widths. A cell is one
    line: runs of white space become one space, control and bidi characters visible escapes."""
    return "".join(table_chunks(headers, rows, max_widths=max_widths))


def table_chunks(
    headers: tuple[str, ...], rows, *, max_widths: dict[int, int] | None = None, per: int = 512
) -> Iterator[Checked]:
    """table() in pieces of `per` lines, each already safe for a terminal (every cell went
    through `visible`): written as they are made, a 10,000-row table is never held whole."""
    max_widths = max_widths or {}
    headers = tuple(visible(" ".join(h.split())) for h in headers)
    rows = rows if isinstance(rows, list) else list(rows)
    # Column by column, each distinct cell is cleaned, measured and padded once (owners,
    # states and titles repeat down a county's 10,000 rows); a line is then a join of
    # ready-made cells.
    padded: list[dict] = []
    for i, header in enumerate(headers):
        shown_of: dict = {}
        for cell in {row[i] for row in rows}:
            shown = visible(" ".join((cell if type(cell) is str else str(cell)).split()))
            if i in max_widths and not (shown.isascii() and len(shown) <= max_widths[i]):
                shown = fit(shown, max_widths[i])
            shown_of[cell] = (shown, width(shown))
        column = max([width(header), *(w for _, w in shown_of.values())])
        padded.append({cell: shown + " " * (column - w) for cell, (shown, w) in shown_of.items()})
        padded[i][_HEADER] = pad(header, column)
    lines = ["  ".join(column[_HEADER] for column in padded).rstrip()]
    lead = ""  # the newline before each piece after the first
    for row in rows:
        lines.append("  ".join([column[cell] for column, cell in zip(padded, row)]).rstrip())
        if len(lines) == per:
            yield Checked(lead + "\n".join(lines))
            lead, lines = "\n", []
    if lines:
        yield Checked(lead + "\n".join(lines))
