"""The app's own widgets: a virtual task table and the period navigator.

The task table draws only the rows on screen (Line API), so a year of ten thousand
occurrences costs no more to show than a week's worth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Union

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


from .text import date_mark, evidence_cell, fit, row_mark, short_date

if TYPE_CHECKING:
    from tracker.model import TrackedOccurrence
    from tracker.service import Progress


@dataclass(frozen=True)
class Section:
    """A heading line inside the table (the meeting screen's 逾期 / 本周 / 下周)."""

    title: str


Item = Union["TrackedOccurrence", Section]


class TaskTable(ScrollView, can_focus=True):
    """Rows of TrackedOccurrence with a cursor; a fixed header line on top."""

    DEFAULT_CSS = """
    TaskTable {
        overflow-x: hidden;
        overflow-y: auto;
        height: 1fr;
        background: $surface;
        & > .task-table--header { text-style: bold; background: $panel; color: $text-muted; }
        & > .task-table--cursor { background: $block-cursor-blurred-background; }
        & > .task-table--section { text-style: bold; color: $accent; }
        & > .task-table--overdue { color: $error; }
        & > .task-table--finished { color: $text-muted; }
        & > .task-table--done-mark { color: $success; }
        & > .task-table--dim { color: $text-muted; }
        & > .task-table--postponed { color: $warning; }
        &:focus > .task-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
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

    def __init__(self, *, today: date, placeholder: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.today = today
        self.items: list[Item] = []
        self.placeholder = placeholder
        self._rows_at: list[int] = []  # item indexes that are rows (the cursor skips sections)
        self._index_of: dict[str, int] = {}
        self._paint: dict[str, Style] | None = None

    # -- data ------------------------------------------------------------------------------
    def set_items(self, items: list[Item], *, keep: str | None = None) -> None:
        """Show these items; keep the cursor on the row with id `keep` when present."""
        current = keep if keep is not None else (self.current.id if self.current else None)
        self.items = items
        self._rows_at = [i for i, it in enumerate(items) if not isinstance(it, Section)]
        self._index_of = {items[i].id: i for i in self._rows_at}  # type: ignore[union-attr]
        position = 0
        if current is not None:
            for n, i in enumerate(self._rows_at):
                if items[i].id == current:  # type: ignore[union-attr]
                    position = n
                    break
            else:
                position = min(self.cursor, max(len(self._rows_at) - 1, 0))
        self.set_reactive(TaskTable.cursor, position)
        self.virtual_size = Size(self.scrollable_content_region.width, len(items) + 1)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def find(self, occurrence_id: str) -> TrackedOccurrence | None:
        i = self._index_of.get(occurrence_id)
        return None if i is None else self.items[i]  # type: ignore[return-value]

    def replace_row(self, row: TrackedOccurrence) -> bool:
        """Swap in a re-read row without touching the order (a tick); False if not shown."""
        i = self._index_of.get(row.id)
        if i is None:
            return False
        self.items[i] = row
        self.refresh_line_of(i)
        if self.current is not None and self.current.id == row.id:
            self.post_message(self.Highlighted(self, row))
        return True

    def refresh_line_of(self, item_index: int) -> None:
        y = item_index + 1 - round(self.scroll_y)
        if 0 < y < self.size.height:
            self.refresh_line(y)

    @property
    def rows(self) -> list[TrackedOccurrence]:
        return [self.items[i] for i in self._rows_at]  # type: ignore[misc]

    @property
    def current(self) -> TrackedOccurrence | None:
        if not self._rows_at:
            return None
        position = min(self.cursor, len(self._rows_at) - 1)
        return self.items[self._rows_at[position]]  # type: ignore[return-value]

    def move_to(self, occurrence_id: str) -> bool:
        i = self._index_of.get(occurrence_id)
        if i is None:
            return False
        self.cursor = self._rows_at.index(i)
        return True

    # -- cursor ------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        if self._rows_at:
            for position in (old, new):
                if 0 <= position < len(self._rows_at):
                    self.refresh_line_of(self._rows_at[position])
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self, self.current))

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows_at) - 1)) if self._rows_at else 0

    def _scroll_cursor_into_view(self) -> None:
        if not self._rows_at:
            return
        index = self._rows_at[min(self.cursor, len(self._rows_at) - 1)]
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = round(self.scroll_y)
        # Keep a section heading just above the first row of its section in view.
        want_top = index - 1 if index > 0 and isinstance(self.items[index - 1], Section) else index
        if want_top < top:
            self.scroll_to(y=want_top, animate=False, immediate=True)
        elif index >= top + visible:
            self.scroll_to(y=index - visible + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(self.scrollable_content_region.height - 2, 1)

    def action_edge(self, end: int) -> None:
        self.cursor = len(self._rows_at) - 1 if end else 0

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
            self._paint = paint
        return self._paint

    def _refresh_cursor_line(self) -> None:
        if self._rows_at:
            self.refresh_line_of(self._rows_at[min(self.cursor, len(self._rows_at) - 1)])

    # -- drawing ------------------------------------------------------------------------------
    def _columns(self, width: int) -> tuple[int, int, int, int]:
        """Cell widths of owner, status, evidence and category (0: hidden); the title takes the rest."""
        owner = 14 if width >= 110 else 10 if width >= 70 else 8
        category = 10 if width >= 130 else 0
        return owner, 6, 7, category

    def render_line(self, y: int) -> Strip:
        width = self.size.width
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
            return Strip([Segment(fit(" " + item.title, width), paint["section"])], width)
        is_cursor = bool(self._rows_at) and self._rows_at[min(self.cursor, len(self._rows_at) - 1)] == index
        return self._row(item, width, base, is_cursor)

    def _header(self, width: int, base: Style) -> Strip:
        owner, status, evidence, category = self._columns(width)
        title = max(width - 2 - 7 - owner - status - evidence - category - (1 if category else 0) - 3, 4)
        parts = ["  ", fit("截止", 7), fit("事项", title), " ", fit("责任单位", owner), " ", fit("状态", status)]
        parts += [" ", fit("佐证", evidence)]
        if category:
            parts += [" ", fit("分类", category)]
        return Strip([Segment(fit("".join(parts), width), self._styles()["header"])], width)

    def _row(self, row: TrackedOccurrence, width: int, base: Style, is_cursor: bool) -> Strip:
        owner_w, status_w, evidence_w, category_w = self._columns(width)
        title_w = max(width - 2 - 7 - owner_w - status_w - evidence_w - category_w - (1 if category_w else 0) - 3, 4)
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
        mark_style = paint["done-mark"] if mark == "✓" else state_style
        dim = paint["dim"]
        segments = [
            Segment(" " + mark, mark_style),
            Segment(short_date(row.due) + date_mark(row) + " ", state_style if overdue else base),
            Segment(fit(row.title, title_w), state_style if row.status.finished else base),
            Segment(" " + fit(row.owner, owner_w), base),
            Segment(" " + fit(row.status_label(self.today), status_w), state_style),
            Segment(" " + fit(evidence_cell(row), evidence_w), base if row.state.evidence else dim),
        ]
        if category_w:
            segments.append(Segment(" " + fit(row.occurrence.category, category_w), dim))
        strip = Strip(segments).adjust_cell_length(width, base)
        if is_cursor:
            strip = strip.apply_style(paint["cursor"])
        return strip


class PeriodNavigator(Widget, can_focus=True):
    """全年, the quarters and the months, each with done/total; click or arrow keys to choose.

    Wide: a column on the left. Narrow (the screen has class -narrow, or this widget -strip):
    three lines across the top. Drawn with the Line API from lines kept until something changes.
    """

    DEFAULT_CSS = """
    PeriodNavigator {
        width: 32;
        height: 1fr;
        padding: 0 1;
        background: $surface;
        & > .period-navigator--selected { background: $accent 40%; text-style: bold; }
        & > .period-navigator--bar-done { color: $success; }
        & > .period-navigator--bar-todo { color: $text-disabled; }
        & > .period-navigator--dim { color: $text-muted; }
        &:focus > .period-navigator--selected { background: $accent; color: $text; }
        &.-strip { width: 1fr; height: 3; padding: 0; }
    }
    """

    COMPONENT_CLASSES = {
        "period-navigator--selected",
        "period-navigator--bar-done",
        "period-navigator--bar-todo",
        "period-navigator--dim",
    }

    BINDINGS = [
        Binding("up", "step(-1)", show=False),
        Binding("down", "step(1)", show=False),
        Binding("left", "step(-1)", show=False),
        Binding("right", "step(1)", show=False),
    ]

    ORDER = ("year", "Q1", "Q2", "Q3", "Q4") + tuple(f"M{m}" for m in range(1, 13))
    SHORT = {"year": "全年", "Q1": "一季度", "Q2": "二季度", "Q3": "三季度", "Q4": "四季度"}

    selected: reactive[str] = reactive("year")

    class Selected(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.labels: dict[str, str] = {}
        self.progress: dict[str, Progress] = {}
        self._regions: list[tuple[int, int, int, str]] = []  # (y, x0, x1, key)
        self._lines: list[Strip] | None = None
        self._drawn_for: tuple | None = None

    def set_data(self, labels: dict[str, str], progress: dict[str, Progress]) -> None:
        self.labels = labels
        self.progress = progress
        self._invalidate()

    def _invalidate(self) -> None:
        self._lines = None
        self.refresh()

    def action_step(self, step: int) -> None:
        i = self.ORDER.index(self.selected) if self.selected in self.ORDER else 0
        key = self.ORDER[(i + step) % len(self.ORDER)]
        self.post_message(self.Selected(key))

    def watch_selected(self) -> None:
        self._invalidate()

    def on_resize(self) -> None:
        self._invalidate()

    def on_focus(self) -> None:
        self._invalidate()

    def on_blur(self) -> None:
        self._invalidate()

    def notify_style_update(self) -> None:
        self._lines = None
        super().notify_style_update()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self._ensure_lines()
        for y, x0, x1, key in self._regions:
            if offset.y == y and x0 <= offset.x < x1:
                self.post_message(self.Selected(key))
                return

    @property
    def strip(self) -> bool:
        """Drawn as a strip across the top: asked for, or the screen is narrow."""
        if self.has_class("-strip"):
            return True
        try:
            return self.screen.has_class("-narrow")
        except Exception:  # not mounted yet
            return False

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 3 if self.strip else 5 * 2 + 1 + 6

    # -- drawing ------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        lines = self._ensure_lines()
        if y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def _ensure_lines(self) -> list[Strip]:
        key = (self.size.width, self.strip)
        if self._lines is None or self._drawn_for != key:
            self._lines = self._draw()
            self._drawn_for = key
        return self._lines

    def _draw(self) -> list[Strip]:
        width = self.size.width or 30
        base = self.rich_style
        part = {
            name.removeprefix("period-navigator--"): self.get_component_rich_style(name, partial=True)
            for name in self.COMPONENT_CLASSES
        }
        self._regions = []
        rows = self._strip_rows(width, part) if self.strip else self._column_rows(width, part)
        return [
            Strip([Segment(text, base + style) for text, style in row]).adjust_cell_length(width, base)
            for row in rows
        ]

    def _count(self, key: str) -> str:
        p = self.progress.get(key)
        return f"{p.done}/{p.total}" if p else "…"

    def _bar(self, key: str, width: int, part: dict[str, Style]) -> list[tuple[str, Style]]:
        p = self.progress.get(key)
        filled = int(round((p.rate if p and p.total else 0.0) * width))
        return [("█" * filled, part["bar-done"]), ("░" * (width - filled), part["bar-todo"])]

    def _percent(self, key: str) -> str:
        p = self.progress.get(key)
        return f"{int(p.rate * 100):3d}%" if p and p.total else "  —"

    def _pick(self, key: str, part: dict[str, Style]) -> Style:
        return part["selected"] if key == self.selected else Style()

    def _column_rows(self, width: int, part: dict[str, Style]) -> list[list[tuple[str, Style]]]:
        rows: list[list[tuple[str, Style]]] = []
        for key in ("year", "Q1", "Q2", "Q3", "Q4"):
            count = self._count(key)
            label = self.labels.get(key, self.SHORT[key])
            self._regions.append((len(rows), 0, width, key))
            rows.append([(fit(label, width - len(count) - 1) + " " + count, self._pick(key, part))])
            self._regions.append((len(rows), 0, width, key))
            rows.append(self._bar(key, max(width - 5, 1), part) + [(self._percent(key).rjust(5), part["dim"])])
        rule = "── 月份 "
        rows.append([(rule + "─" * max(width - cell_len(rule), 0), part["dim"])])
        half = (width - 1) // 2
        for m in range(1, 7):
            row: list[tuple[str, Style]] = []
            for column, month in enumerate((m, m + 6)):
                key = f"M{month}"
                x0 = column * (half + 1)
                if column:
                    row.append((" ", Style()))
                row.append((fit(fit(f"{month}月", 5) + self._count(key), half), self._pick(key, part)))
                self._regions.append((len(rows), x0, x0 + half, key))
            rows.append(row)
        return rows

    def _strip_rows(self, width: int, part: dict[str, Style]) -> list[list[tuple[str, Style]]]:
        top: list[tuple[str, Style]] = []
        bars: list[tuple[str, Style]] = []
        months: list[tuple[str, Style]] = []
        keys = ("year", "Q1", "Q2", "Q3", "Q4")
        cell = width // len(keys)
        for n, key in enumerate(keys):
            w = cell if n < len(keys) - 1 else width - cell * (len(keys) - 1)
            top.append((fit(f" {self.SHORT[key]} {self._count(key)}", w), self._pick(key, part)))
            bar_width = max(w - 6, 1)
            bars.append((" ", Style()))
            bars += self._bar(key, bar_width, part)
            bars.append((fit(self._percent(key), w - bar_width - 1), part["dim"]))
            self._regions.append((0, n * cell, n * cell + w, key))
            self._regions.append((1, n * cell, n * cell + w, key))
        mcell = width // 12
        for m in range(1, 13):
            key = f"M{m}"
            w = mcell if m < 12 else width - mcell * 11
            text = f"{m}月 {self._count(key)}" if mcell >= 10 else f"{m}月"
            p = self.progress.get(key)
            style = self._pick(key, part)
            if key != self.selected and p and p.total and p.rate >= 1.0:
                style = part["bar-done"]
            months.append((fit(" " + text, w), style))
            self._regions.append((2, (m - 1) * mcell, (m - 1) * mcell + w, key))
        return [top, bars, months]


class KeyBar(Widget):
    """The bottom of a screen: optional information lines, then the screen's keys; click a
    key to run it.

    One Line-API widget instead of Textual's Footer plus a Static: the Footer rebuilds a
    widget per key whenever the focus moves, and every extra widget costs start-up time.
    """

    DEFAULT_CSS = """
    KeyBar {
        height: auto;
        dock: bottom;
        background: $panel;
        & > .key-bar--key { text-style: bold; color: $accent; }
        & > .key-bar--info { color: $foreground; }
    }
    """

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--info"}

    def __init__(self, commands, *, info_lines: int = 0, id: str | None = None) -> None:
        super().__init__(id=id)
        self.commands = [c for c in commands if c.show]
        self.info: list[Text] = [Text() for _ in range(info_lines)]
        self._regions: list[tuple[int, int, str]] = []
        self._lines: list[Strip] | None = None

    def set_info(self, lines: list[Text]) -> None:
        """Replace the information lines (each cut to the width, never wrapped)."""
        self.info = lines + [Text() for _ in range(len(self.info) - len(lines))]
        self._lines = None
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.info) + 1

    def on_resize(self) -> None:
        self._lines = None

    def notify_style_update(self) -> None:
        self._lines = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        if self._lines is None:
            self._lines = self._draw()
        return self._lines[y] if y < len(self._lines) else Strip.blank(self.size.width, self.rich_style)

    def _draw(self) -> list[Strip]:
        width = self.size.width or 80
        base = self.rich_style
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        console = self.app.console
        strips = []
        for line in self.info:
            text = Text(" ") + line
            text.truncate(width, overflow="ellipsis")
            strips.append(Strip(text.render(console)).apply_style(base).adjust_cell_length(width, base))
        tail = [("^p", key_style), (" 命令 ", Style())]
        room = width - sum(cell_len(t) for t, _ in tail)
        pieces: list[tuple[str, Style]] = []
        used = 0
        self._regions = []
        for c in self.commands:
            part = [(f" {c.key_display}", key_style), (f" {c.label} ", Style())]
            size = sum(cell_len(t) for t, _ in part)
            if used + size > room:
                break
            self._regions.append((used, used + size, c.action))
            pieces += part
            used += size
        pieces.append((" " * max(room - used, 0), Style()))
        self._regions.append((max(room, used), width, "app.command_palette"))
        pieces += tail
        strips.append(Strip([Segment(t, base + st) for t, st in pieces]).adjust_cell_length(width, base))
        return strips

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y != len(self.info):
            return
        for x0, x1, action in self._regions:
            if x0 <= offset.x < x1:
                await self.screen.run_action(action)
                return
