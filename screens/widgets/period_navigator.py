"""The period navigator: 全年, the quarters and the months with their progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from ..text import fit

if TYPE_CHECKING:
    from tracker.service import Progress


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
        & > .period-navigator--bar-done { background: $success; }
        & > .period-navigator--bar-todo { background: $foreground 15%; }
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
    LONG = {"year": "全年", "Q1": "一季度 1-3月", "Q2": "二季度 4-6月", "Q3": "三季度 7-9月", "Q4": "四季度 10-12月"}

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
        # Done of the work still owed (cancelled items left out), as the percentage counts it.
        return f"{p.done}/{p.counted}" if p else ".."

    def _bar(self, key: str, width: int, part: dict[str, Style]) -> list[tuple[str, Style]]:
        p = self.progress.get(key)
        filled = int(round((p.rate if p and p.total else 0.0) * width))
        # Coloured blanks, not block characters: those are drawn two cells wide in terminals set
        # for a Chinese locale.
        return [(" " * filled, part["bar-done"]), (" " * (width - filled), part["bar-todo"])]

    def _percent(self, key: str) -> str:
        p = self.progress.get(key)
        return f"{int(p.rate * 100):3d}%" if p and p.counted else "  -"

    def _pick(self, key: str, part: dict[str, Style]) -> Style:
        return part["selected"] if key == self.selected else Style()

    def _column_rows(self, width: int, part: dict[str, Style]) -> list[list[tuple[str, Style]]]:
        rows: list[list[tuple[str, Style]]] = []
        for key in ("year", "Q1", "Q2", "Q3", "Q4"):
            count = self._count(key)
            label = self.LONG.get(key, self.SHORT[key])
            self._regions.append((len(rows), 0, width, key))
            rows.append([(fit(label, width - len(count) - 1) + " " + count, self._pick(key, part))])
            self._regions.append((len(rows), 0, width, key))
            rows.append(self._bar(key, max(width - 5, 1), part) + [(self._percent(key).rjust(5), part["dim"])])
        rule = "-- 月份 "
        rows.append([(rule + "-" * max(width - cell_len(rule), 0), part["dim"])])
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
            if key != self.selected and p and p.counted and p.rate >= 1.0:
                style = part["bar-done"]
            months.append((fit(" " + text, w), style))
            self._regions.append((2, (m - 1) * mcell, (m - 1) * mcell + w, key))
        return [top, bars, months]
