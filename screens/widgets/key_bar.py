"""The bottom of a screen: information lines and the screen's keys."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget


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
        self.info: list[Text | tuple[Text, ...]] = [Text() for _ in range(info_lines)]
        self._regions: list[tuple[int, int, str]] = []
        self._lines: list[Strip] | None = None

    def set_info(self, lines: list[Text | tuple[Text, ...]]) -> None:
        """Replace the information lines (each cut to the width, never wrapped). A line given
        as several wordings, longest first, shows the first that fits the width."""
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
            if isinstance(line, tuple):  # the first wording that fits, else the last one
                line = next((t for t in line if t.cell_len < width), line[-1])
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
