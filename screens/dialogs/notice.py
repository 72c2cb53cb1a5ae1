"""The notice shown when the bundled plan is open."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class DefaultPlanNotice(ModalScreen[str]):
    """Shown at start when no plan is configured: what is open, how to make one's own."""

    DEFAULT_CSS = """
    DefaultPlanNotice {
        align: center middle;
        & > #notice {
            width: 76; max-width: 100%; height: auto; max-height: 100%;
            border: ascii $warning; background: $surface; padding: 0 1;
        }
        & #notice-title { text-style: bold; margin-bottom: 1; }
        & #notice-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        & #notice-buttons Button { margin-left: 1; }
    }
    """

    BINDINGS = [
        Binding("i", "choose('import')", "导入计划文档"),
        Binding("escape,q", "choose('close')", "知道了"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="notice"):
            yield Static(Content("正在使用内置的社区计划"), id="notice-title")
            yield Static(
                Content(
                    "还没有设置自己的计划文件，现在打开的是程序自带的社区双拥工作计划（可以先试用）。\n\n"
                    "制订自己的计划，任选一种：\n"
                    "  1. 导入单位现有的计划文档（Word .docx 或文本 .txt）：按 i 或点「导入计划文档」；\n"
                    "  2. 从模板开始：在终端运行 shuangyong-tui init -o 我的计划.toml，编辑后运行\n"
                    "    shuangyong-tui config --plan 我的计划.toml 设为默认。"
                )
            )
            with Horizontal(id="notice-buttons"):
                yield Button("导入计划文档", id="notice-import", variant="primary", compact=True)
                yield Button("知道了", id="notice-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#notice-close", Button).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(Button.Pressed, "#notice-import")
    def _import(self) -> None:
        self.dismiss("import")

    @on(Button.Pressed, "#notice-close")
    def _close(self) -> None:
        self.dismiss("close")
