"""Reassign an item to another unit."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tracker.model import TrackedOccurrence

from .base import Dialog, row_heading


class OwnerDialog(Dialog):
    title_text = "改派责任单位"

    def __init__(self, row: TrackedOccurrence, owners: list[str], submit=None) -> None:
        super().__init__(submit)
        self.row = row
        self.owners = owners

    def body(self) -> ComposeResult:
        yield Static(Content(f"{row_heading(self.row)}\n当前：{self.row.owner}（计划中：{self.row.occurrence.owner}）"))
        yield Label("从计划中的单位选择，或在下面直接输入", classes="field-label")
        yield OptionList(*[Option(Content(name)) for name in self.owners], id="owner-list", compact=True)
        yield Input(value="", placeholder="输入单位名称后按回车", id="owner-input", compact=True)

    def on_mount(self) -> None:
        options = self.query_one("#owner-list", OptionList)
        if self.row.owner in self.owners:
            options.highlighted = self.owners.index(self.row.owner)
        options.focus()

    @on(OptionList.OptionSelected, "#owner-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#owner-input", Input).value = self.owners[event.option_index]
        self.action_ok()

    def result(self) -> str:
        typed = self.query_one("#owner-input", Input).value.strip()
        if typed:
            return typed
        index = self.query_one("#owner-list", OptionList).highlighted
        if index is None:
            raise ValueError("请选择或输入责任单位")
        return self.owners[index]
