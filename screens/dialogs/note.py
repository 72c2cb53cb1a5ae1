"""Add a note to an item."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Static

from tracker.model import TrackedOccurrence

from .base import Dialog, row_heading


class NoteDialog(Dialog):
    title_text = "添加备注"

    def __init__(self, row: TrackedOccurrence, submit=None) -> None:
        super().__init__(submit)
        self.row = row

    def body(self) -> ComposeResult:
        yield Static(Content(row_heading(self.row)))
        yield Input(placeholder="备注内容", id="note-text", compact=True)

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    def result(self) -> str:
        return self.query_one("#note-text", Input).value
