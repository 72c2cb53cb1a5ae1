"""Ask before doing something that is listed first (an undo: what it will revert)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from .base import Dialog


class ConfirmDialog(Dialog):
    """Enter does it, Esc does not; dismissed with True when confirmed."""

    def __init__(self, title: str, text: str, *, ok_label: str = "确定", submit=None) -> None:
        super().__init__(submit)
        self.title_text = title
        self.ok_label = ok_label
        self.text = text

    def body(self) -> ComposeResult:
        yield Static(Content(self.text))

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def result(self) -> bool:
        return True
