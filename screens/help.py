"""The `?` screen: every key of the screen it was opened from, and where else to find them."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from .commands import Command
from .text import legend_marks

GENERAL = (
    ("Ctrl+P", "命令面板：输入汉字即可查找下面所有命令"),
    ("Tab", "在时段导航和事项列表之间切换"),
    ("鼠标", "点击时段切换；点击事项选中，双击查看详情"),
    ("Ctrl+Q", "立即退出"),
)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > #help {
            width: 84; max-width: 100%; height: auto; max-height: 100%;
            border: ascii $accent; background: $surface; padding: 0 1;
        }
        & #help-title { text-style: bold; margin-bottom: 1; }
        /* Scrolls at 80x24: arrows, PageUp/PageDown and the mouse reach every line. */
        & #help-body { height: auto; max-height: 80vh; }
    }
    """

    BINDINGS = [Binding("escape,q,question_mark", "close", "关闭")]
    AUTO_FOCUS = "#help-body"

    def __init__(self, commands: tuple[Command, ...]) -> None:
        super().__init__()
        self.commands = commands

    def compose(self) -> ComposeResult:
        # A grid: a long explanation wraps inside its own column, under itself.
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        for command in self.commands:
            table.add_row(command.key_display, command.label, command.help)
        table.add_row("", "", "")
        for key, what in GENERAL:
            table.add_row(key, "", what)
        table.add_row("", "", "")
        # The marks of the task table, one a line: a mark never wraps away from its meaning.
        for n, (mark, meaning, _) in enumerate(legend_marks()):
            table.add_row("标记" if n == 0 else "", mark, meaning)
        notes = Text("\n在输入框里打字时，单键命令不起作用；按 Esc 或回车离开输入框。")
        text = Group(table, notes)
        with Vertical(id="help"):
            yield Static(Content("按键与命令（上下键滚动，按 Esc 关闭）"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
