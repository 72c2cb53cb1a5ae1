"""Presentation helpers: cell-aware cutting and the short labels the screens show.

Nothing here decides anything about the work itself; it only turns the service's values
into text that fits a terminal cell grid (Chinese characters take two cells).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len

if TYPE_CHECKING:  # the model is imported when first needed: it is not on the first frame's path
    from tracker.model import Change, TrackedOccurrence

WEEKDAYS = "一二三四五六日"

# The app's own marks are plain ASCII: terminals set for a Chinese locale draw East Asian
# "ambiguous" characters (such as ≈ ↷ → ✓ … ░) two cells wide, and the rows then overlap.
# Marks beside a due date; the legend under the table explains them.
MARK_PROVISIONAL = "~"
MARK_SHIFTED = "*"
MARK_MOVED = "+"
# The leading marks of a row.
MARK_DONE = "v"
MARK_CANCELLED = "-"
MARK_OVERDUE = "!"
CURSOR = ">"  # the cursor row's first cell, seen without colours too
CARRIED = "〔延续〕"  # before the title of work carried over from last year
ELLIPSIS = ".."


def legend_marks() -> tuple[tuple[str, str, str], ...]:
    """(mark, what it means, a shorter wording) for every mark the table shows."""
    from tracker.service import HOLIDAY_MARK, HOLIDAY_MEANING, HOLIDAY_MEANING_SHORT

    return (
        (MARK_PROVISIONAL, "日期暂定", "暂定"),
        (MARK_SHIFTED, "遇节假日调整", "已调整"),
        (MARK_MOVED, "已改期", "改期"),
        (MARK_DONE, "已完成", "完成"),
        (MARK_OVERDUE, "逾期", "逾期"),
        (HOLIDAY_MARK, HOLIDAY_MEANING, HOLIDAY_MEANING_SHORT),
        (CARRIED, "上年未完成", "上年未完成"),
    )


def legend() -> str:
    """What the marks mean, in full."""
    return legend_forms()[0]


def legend_forms() -> tuple[str, str]:
    """What the marks mean, on one line: the full wording, then a short one that fits 80
    columns."""
    full, short = (
        "  ".join(mark + ("" if mark == CARRIED else " ") + meaning[form] for mark, *meaning in legend_marks())
        for form in (0, 1)
    )
    return full, short


_FLATTEN = str.maketrans(
    {
        "\n": " ", "\r": " ", "\t": " ", "\x0b": " ", "\x0c": " ",
        # Typographic punctuation in plan text is East Asian ambiguous: a Chinese-locale terminal
        # draws it two cells wide and the table's columns slip. In a row it is shown as its
        # unambiguous equivalent (the text itself is never changed).
    }
    | {
        chr(code): shown
        for code, shown in (
            (0x201C, "\u300c"), (0x201D, "\u300d"), (0x2018, "\u300e"), (0x2019, "\u300f"),  # quotes: corner brackets
            (0x2026, "..."), (0x00B7, "\u30fb"), (0x2014, "\uff0d"), (0x2013, "-"),
        )
    }
)


def fit(text: str, width: int) -> str:
    """Cut to at most `width` cells (.. marks the cut), then pad with spaces to exactly `width`."""
    if width <= 0:
        return ""
    from tracker.model import visible

    # A newline in a title must not break a table row; an escape sequence is shown, not obeyed.
    text = visible(text.translate(_FLATTEN))
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    out: list[str] = []
    used = 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - len(ELLIPSIS):
            break
        out.append(ch)
        used += w
    cut = "".join(out) + ELLIPSIS[: max(width - used, 0)]
    return cut + " " * (width - cell_len(cut))


def clip(text: str, width: int) -> str:
    """Like fit without the padding (and with the same characters shown)."""
    return fit(text, width).rstrip() if cell_len(text) > width else fit(text, cell_len(text))


def short_date(day: date) -> str:
    return f"{day.month:02d}-{day.day:02d}"


def day_label(day: date, year: int) -> str:
    """MM-DD inside the viewed year; YY-MM-DD outside it (a date postponed into next year)."""
    return short_date(day) if day.year == year else f"{day.year % 100:02d}-{short_date(day)}"


def long_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def month_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def stamp(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.strftime("%Y-%m-%d %H:%M")


def date_mark(row: TrackedOccurrence) -> str:
    """The one-cell mark beside a due date."""
    if row.state.due is not None and row.state.due != row.occurrence.due:
        return MARK_MOVED
    if row.occurrence.provisional:
        return MARK_PROVISIONAL
    if row.occurrence.shifted:
        return MARK_SHIFTED
    return " "


def holiday_mark() -> str:
    """The mark beside a due on an official holiday (the one `list` shows)."""
    from tracker.service import HOLIDAY_MARK

    return HOLIDAY_MARK


def row_mark(row: TrackedOccurrence, today: date) -> str:
    """The leading mark of a row: done, cancelled, overdue or nothing."""
    status = row.status.value
    if status == "done":
        return MARK_DONE
    if status == "cancelled":
        return MARK_CANCELLED
    if row.is_overdue(today):
        return MARK_OVERDUE
    return " "


def evidence_cell(row: TrackedOccurrence) -> str:
    """Required items satisfied / required (the one meaning everywhere); with none named by
    the plan, how many items are recorded."""
    from tracker.service import evidence_cell as cell

    return cell(row)


def describe_change(change: Change) -> str:
    """One history line: what changed, old -> new, and why."""
    from tracker.service import describe_change as describe

    return describe(change) + ("〔已撤销〕" if change.undone else "")
