"""The task table: rows of occurrences with a cursor, drawn with the Line API so a year of
ten thousand occurrences costs no more to show than a week's worth."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Iterable, Union

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..text import CARRIED, CURSOR, MARK_DONE, date_mark, day_label, evidence_cell, fit, holiday_mark, row_mark

if TYPE_CHECKING:
    from textual.widget import Widget

    from tracker.model import TrackedOccurrence


@dataclass(frozen=True)
class Section:
    """A heading line inside the table (the meeting screen's 逾期 / 本周 / 下周), or a quieter
    line under one (dim: a unit's name, 无, a change made in the meeting)."""

    title: str
    dim: bool = False


Item = Union["TrackedOccurrence", Section]


class TaskTable(ScrollView, can_focus=True):
    """Rows of TrackedOccurrence with a cursor; a fixed header line on top."""

    DEFAULT_CSS = """
    TaskTable {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        height: 1fr;
        background: $surface;
        & > .task-table--header { text-style: bold; background: $panel; color: $text-muted; }
        /* The cursor row: a solid bar in every theme (and a > mark for NO_COLOR). */
        & > .task-table--cursor { background: $accent 45%; color: $foreground; text-style: bold; }
        & > .task-table--section { text-style: bold; color: $accent; }
        & > .task-table--overdue { color: $error; }
        & > .task-table--finished { color: $text-muted; }
        & > .task-table--done-mark { color: $success; }
        & > .task-table--dim { color: $text-muted; }
        & > .task-table--postponed { color: $warning; }
        & > .task-table--holiday { color: $warning; }
        &:focus > .task-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    }
    """

    COMPONENT_CLASSES = {
        "task-table--header",
        "task-table--cursor",
        "task-table--section",
        "task-table--overdue",
        "task-table--finished",
        "task-table--done-mark",
        "task-table--dim",
        "task-table--postponed",
        "task-table--holiday",
    }

    BINDINGS = [
        Binding("up", "cursor(-1)", "上一行", show=False),
        Binding("down", "cursor(1)", "下一行", show=False),
        Binding("k", "cursor(-1)", show=False),
        Binding("j", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
    ]

    cursor: reactive[int] = reactive(0, repaint=False)

    class Highlighted(Message):
        def __init__(self, table: "TaskTable", row: TrackedOccurrence | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

    class Activated(Message):
        """A row was double-clicked (the keyboard uses the screen's enter binding)."""

        def __init__(self, table: "TaskTable", row: TrackedOccurrence) -> None:
            super().__init__()
            self.table = table
            self.row = row

    def __init__(
        self, *, today: date, year: int | None = None, placeholder: str = "", id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.today = today
        self.year = year if year is not None else today.year  # dates in other years show their year
        self._date_width = 5
        self._holiday = ""  # the mark of a due on an official holiday, when a shown row has one
        self._owner_need = 8
        self._category_need = 4
        self.items: list[Item] = []
        self.placeholder = placeholder
        self._rows_at: list[int] = []  # item indexes that are rows (the cursor skips sections)
        self._index_of: dict[tuple[int, str], int] = {}  # row key (year, id) -> item index
        self._paint: dict[str, Style] | None = None

    # -- data ------------------------------------------------------------------------------
    def set_items(self, items: list[Item], *, keep: tuple[int, str] | None = None) -> None:
        """Show these items; keep the cursor on the row whose key (year, id) is `keep`, else
        on the row it was on, when present."""
        current = keep if keep is not None else (self.current.key if self.current else None)
        self.items = items
        self._rows_at = [i for i, it in enumerate(items) if not isinstance(it, Section)]
        self._index_of = {items[i].key: i for i in self._rows_at}  # type: ignore[union-attr]
        position = 0
        if current is not None:
            i = self._index_of.get(current)
            position = bisect_left(self._rows_at, i) if i is not None else min(self.cursor, max(len(self._rows_at) - 1, 0))
        self.set_reactive(TaskTable.cursor, position)
        rows = self.rows
        self._date_width = 8 if any(r.due.year != self.year for r in rows) else 5
        self._holiday = holiday_mark() if any(r.holiday for r in rows) else ""
        # Widths of the distinct names (a few dozen), not of ten thousand cells.
        self._owner_need = max(map(cell_len, {r.owner for r in rows}), default=8)
        self._category_need = max(map(cell_len, {r.occurrence.category for r in rows}), default=4)
        # A table that did not scroll until now (empty while loading, or a short list) opens
        # at the cursor with a few rows above it for context, in the first frame with the rows.
        opening = not self.allow_vertical_scroll
        self.virtual_size = Size(self.scrollable_content_region.width, len(items) + 1)
        self._scroll_cursor_into_view(opening)
        # The new virtual size takes effect with the next layout; scroll again after it, so
        # the view never shows January while the cursor sits on today.
        self.call_after_refresh(self._scroll_cursor_into_view, True)
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def find(self, key: tuple[int, str]) -> TrackedOccurrence | None:
        """The row shown with this key (year, id), if any."""
        i = self._index_of.get(key)
        return None if i is None else self.items[i]  # type: ignore[return-value]

    def replace_row(self, row: TrackedOccurrence) -> bool:
        """Swap in a re-read row without touching the order (a tick); False if not shown."""
        i = self._index_of.get(row.key)
        if i is None:
            return False
        self.items[i] = row
        self.refresh_line_of(i)
        if self.current is not None and self.current.key == row.key:
            self.post_message(self.Highlighted(self, row))
        return True

    def refresh_line_of(self, item_index: int) -> None:
        # Item i is content line i + 1 (the header is line 0); refresh_line takes the content
        # line and subtracts the scroll offset itself.
        y = item_index + 1 - round(self.scroll_y)
        if 0 < y < self.size.height:
            self.refresh_line(item_index + 1)

    @property
    def rows(self) -> list[TrackedOccurrence]:
        return [self.items[i] for i in self._rows_at]  # type: ignore[misc]

    @property
    def current(self) -> TrackedOccurrence | None:
        if not self._rows_at:
            return None
        position = min(self.cursor, len(self._rows_at) - 1)
        return self.items[self._rows_at[position]]  # type: ignore[return-value]

    def show_section(self, start: int, starts: list[int]) -> None:
        """Put the section heading at item `start` at the top; the cursor on its first row, if
        it has one."""
        end = min((s for s in starts if s > start), default=len(self.items))
        rows = [n for n, i in enumerate(self._rows_at) if start < i < end]
        if rows:
            self.cursor = rows[0]
        self.scroll_to(y=start, animate=False, immediate=True)

    def move_to(self, key: tuple[int, str]) -> bool:
        """Put the cursor on the row with this key (year, id); False if not shown."""
        i = self._index_of.get(key)
        if i is None:
            return False
        self.cursor = bisect_left(self._rows_at, i)  # the row indexes are in order
        return True

    # -- cursor ------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        if self._rows_at:
            for position in (old, new):
                if 0 <= position < len(self._rows_at):
                    self.refresh_line_of(self._rows_at[position])
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self, self.current))

    def cursor_in_view(self) -> bool:
        """Whether the cursor row is inside the view as laid out now (or there is no row)."""
        if not self._rows_at:
            return True
        index = self._rows_at[min(self.cursor, len(self._rows_at) - 1)]
        top = round(self.scroll_y)
        return top <= index < top + max(self.scrollable_content_region.height - 1, 1)

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows_at) - 1)) if self._rows_at else 0

    def _scroll_cursor_into_view(self, settle: bool = False) -> None:
        if not self._rows_at:
            return
        index = self._rows_at[min(self.cursor, len(self._rows_at) - 1)]
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = round(self.scroll_y)
        # Keep a section heading just above the first row of its section in view.
        want_top = index - 1 if index > 0 and isinstance(self.items[index - 1], Section) else index
        # force: a table that was empty has no scrollbar yet until the next layout, and without
        # force Textual ignores the scroll; the first frame with rows must already show today's.
        if want_top < top:
            self.scroll_to(y=want_top, animate=False, immediate=True, force=True)
        elif index >= top + visible:
            # Jumping far (a fresh list at today): show a few rows above the cursor for context.
            context = min(visible // 3, 4) if settle or index >= top + 2 * visible else 0
            y = max(index - visible + 1, index - context if context else index - visible + 1)
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(self.scrollable_content_region.height - 2, 1)

    def action_edge(self, end: int) -> None:
        self.cursor = len(self._rows_at) - 1 if end else 0

    def _arrange_scrollbars(self, region: Region) -> Iterable[tuple[Widget, Region]]:
        """The vertical scrollbar runs beside the rows only: the header line stays whole."""
        for bar, place in super()._arrange_scrollbars(region):
            if bar is self.vertical_scrollbar and place.height > 1:
                place = Region(place.x, place.y + 1, place.width, place.height - 1)
                bar.window_virtual_size = max(self.virtual_size.height - 1, 0)
                bar.window_size = max(bar.window_size - 1, 0)
                # A list that opened scrolled (to today) before its bar was shown: the thumb
                # where the view is (Textual moves it only on scrolls made while shown).
                bar.position = self.scroll_y
            yield bar, place

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.items) + 1)
        self._scroll_cursor_into_view()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self.items) and index in self._rows_at:
            position = self._rows_at.index(index)
            self.focus()
            if position == self.cursor and event.chain >= 2:
                self.post_message(self.Activated(self, self.items[index]))  # type: ignore[arg-type]
            self.cursor = position

    def on_focus(self) -> None:
        self._paint = None
        self._refresh_cursor_line()

    def on_blur(self) -> None:
        self._paint = None
        self._refresh_cursor_line()

    def notify_style_update(self) -> None:
        self._paint = None
        super().notify_style_update()

    def _styles(self) -> dict[str, Style]:
        """The base style and each component's, worked out once per style change (a line is
        drawn for every visible row on every refresh; walking the DOM each time costs more
        than drawing)."""
        if self._paint is None:
            base = self.rich_style
            paint = {"": base}
            for name in self.COMPONENT_CLASSES:
                paint[name.removeprefix("task-table--")] = self.get_component_rich_style(name)
            if getattr(self.app, "no_color", False):  # no colours: the cursor row is drawn reversed
                paint["cursor"] += Style(reverse=True, bold=True)
            self._paint = paint
        return self._paint

    def _refresh_cursor_line(self) -> None:
        if self._rows_at:
            self.refresh_line_of(self._rows_at[min(self.cursor, len(self._rows_at) - 1)])

    # -- drawing ------------------------------------------------------------------------------
    STATUS_W = 6
    EVIDENCE_W = 5

    def _columns(self, width: int) -> tuple[int, int, int]:
        """Cell widths of title, owner and category (0: hidden), sized to the width and to the
        longest owner shown: the owner is not cut while the title has room to spare."""
        fixed = 2 + self._date_width + cell_len(self._holiday) + 2 + 1 + self.STATUS_W + 1 + self.EVIDENCE_W + 1
        owner = max(6, min(self._owner_need, (width - fixed) // 3))
        category = min(self._category_need, 12) if width >= 130 else 0
        title = max(width - fixed - owner - (category + 1 if category else 0), 4)
        return title, owner, category

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width  # without the scrollbar
        paint = self._styles()
        base = paint[""]
        if y == 0:
            return self._header(width, base)
        index = round(self.scroll_y) + y - 1
        if not self.items:
            if y == 1 and self.placeholder:
                return Strip([Segment(fit("  " + self.placeholder, width), paint["dim"])], width)
            return Strip.blank(width, base)
        if index >= len(self.items):
            return Strip.blank(width, base)
        item = self.items[index]
        if isinstance(item, Section):
            return Strip([Segment(fit(" " + item.title, width), paint["dim" if item.dim else "section"])], width)
        is_cursor = bool(self._rows_at) and self._rows_at[min(self.cursor, len(self._rows_at) - 1)] == index
        return self._row(item, width, base, is_cursor)

    def _header(self, width: int, base: Style) -> Strip:
        title, owner, category = self._columns(width)
        parts = ["  ", fit("截止", self._date_width + cell_len(self._holiday) + 2), fit("事项", title), " ", fit("责任单位", owner)]
        parts += [" ", fit("状态", self.STATUS_W), " ", fit("佐证", self.EVIDENCE_W)]
        if category:
            parts += [" ", fit("分类", category)]
        # Drawn across the scrollbar's column too: the scrollbar starts below the header.
        full = max(self.size.width, width)
        return Strip([Segment(fit("".join(parts), full), self._styles()["header"])], full)

    def _row(self, row: TrackedOccurrence, width: int, base: Style, is_cursor: bool) -> Strip:
        title_w, owner_w, category_w = self._columns(width)
        paint = self._styles()
        overdue = row.is_overdue(self.today)
        if overdue:
            state_style = paint["overdue"]
        elif row.status.finished:
            state_style = paint["finished"]
        elif row.status.value == "postponed":
            state_style = paint["postponed"]
        else:
            state_style = base
        mark = row_mark(row, self.today)
        mark_style = paint["done-mark"] if mark == MARK_DONE else state_style
        dim = paint["dim"]
        title = (CARRIED + row.title) if row.occurrence.carried_from else row.title
        day = fit(day_label(row.due, self.year), self._date_width)
        segments = [
            Segment(CURSOR if is_cursor else " ", base),
            Segment(mark, mark_style),
            Segment(day + date_mark(row), state_style if overdue else base),
            Segment(fit(self._holiday if row.holiday else "", cell_len(self._holiday)) + " ", paint["holiday"]),
            Segment(fit(title, title_w), state_style if row.status.finished else base),
            Segment(" " + fit(row.owner, owner_w), base),
            Segment(" " + fit(row.status_label(self.today), self.STATUS_W), state_style),
            Segment(" " + fit(evidence_cell(row), self.EVIDENCE_W), base if row.state.evidence else dim),
        ]
        if category_w:
            segments.append(Segment(" " + fit(row.occurrence.category, category_w), dim))
        strip = Strip(segments).adjust_cell_length(width, base)
        if is_cursor:
            # Over the row's own colours (post_style), or the cursor would be painted under them.
            strip = Strip(list(Segment.apply_style(strip, post_style=paint["cursor"])), width)
        return strip
