"""Plain-text tables whose columns line up with Chinese (double-width) characters.

Widths come from the Unicode data built into Python (East Asian Width; combining and format
characters take no cell): the same answer as wcwidth for the text this tool prints, without
its import cost on every command.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from tracker.textsafe import visible


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Cells one character takes on a terminal: 2 for wide and full-width, 0 for combining
    marks and format characters, 1 otherwise (a control character counts as one)."""
    if ch.isascii():
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Terminal columns the text takes; control characters count as one."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def fit(text: str, columns: int) -> str:
    """Cut text to at most `columns` cells, marking the cut with ... (not …: a Chinese-locale
    terminal draws that two cells wide)."""
    if width(text) <= columns:
        return text
    mark = "..." if columns > 3 else ""
    out, used = [], 0
    for ch in text:
        w = max(char_width(ch), 1)
        if used + w > columns - len(mark):
            break
        out.append(ch)
        used += w
    return "".join(out) + mark


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def table(headers: tuple[str, ...], rows: list[tuple[str, ...]], *, max_widths: dict[int, int] | None = None) -> str:
    """Left-aligned columns separated by two spaces; long cells cut to max_widths. A cell is one
    line: runs of white space become one space, control and bidi characters visible escapes."""
    max_widths = max_widths or {}
    widths = [width(h) for h in headers]
    # Each distinct cell of a column is cleaned and measured once (owners, states and titles
    # repeat down a county's 10,000 rows): (cell as shown, its width).
    seen: list[dict[str, tuple[str, int]]] = [{} for _ in headers]
    clean = []
    for row in rows:
        out = []
        for i, cell in enumerate(row):
            text = cell if type(cell) is str else str(cell)
            got = seen[i].get(text)
            if got is None:
                shown = visible(" ".join(text.split()))
                if i in max_widths:
                    shown = fit(shown, max_widths[i])
                got = seen[i][text] = (shown, width(shown))
                if got[1] > widths[i]:
                    widths[i] = got[1]
            out.append(got)
        clean.append(out)
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    for row in clean:
        lines.append("  ".join([shown + " " * (widths[i] - w) for i, (shown, w) in enumerate(row)]).rstrip())
    return "\n".join(lines)
