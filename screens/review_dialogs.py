"""The review's dialogs: edit one candidate's title, time and owner; choose one plan of a file
that holds several."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from .dialogs.base import Dialog


class EditCandidateDialog(Dialog):
    """Title, when and owner of one candidate; `check(edited)` returns the loader's complaint."""

    title_text = "修改任务（Tab 换一栏，Ctrl+U 清空光标前的文字，回车确定）"
    ok_label = "确定"

    def __init__(self, candidate, check: Callable[[object], str | None]) -> None:
        super().__init__(check)
        self.candidate = candidate

    def body(self) -> ComposeResult:
        c = self.candidate
        yield Static(Content(f"原文：{c.source}"))
        yield Label("任务标题", classes="field-label")
        yield Input(value=c.title, id="edit-title", compact=True)
        yield Label("时间（例如 一季度、春节前夕、每月、6月、年内）", classes="field-label")
        yield Input(value=c.when, id="edit-when", compact=True)
        yield Label("责任单位（留空则用计划的默认责任单位）", classes="field-label")
        yield Input(value=c.owner, id="edit-owner", compact=True)

    def on_mount(self) -> None:
        self.query_one("#edit-title", Input).focus()

    def result(self):
        title = self.query_one("#edit-title", Input).value.strip()
        when = self.query_one("#edit-when", Input).value.strip()
        owner = self.query_one("#edit-owner", Input).value.strip()
        if not title:
            raise ValueError("任务标题不能为空")
        if not when:
            raise ValueError("请填写时间，例如 一季度、春节前夕、年内")
        dated = self.candidate.dated if when == self.candidate.when else when != "年内"
        return self.candidate.edited(title=title, when=when, owner=owner, dated=dated)


class PartDialog(Dialog):
    """One plan of a file that holds several: they are never merged."""

    title_text = "这个文件里有几份计划，请选择一份导入"
    ok_label = "导入这份"
    scrolls = True

    def __init__(self, name: str, parts) -> None:
        super().__init__()
        self.file_name = name
        self.parts = tuple(parts)

    def body(self) -> ComposeResult:
        yield Static(Content(f"{self.file_name} 中有 {len(self.parts)} 份计划，不会合并成一份。"))
        options = []
        for p in self.parts:
            marker = f"{p.marker} " if p.marker else ""
            label = f"{p.number}. {marker}{p.title}（第{p.first_line}至{p.last_line}行，约{p.tasks}项任务）"
            options.append(Option(Content(label), id=str(p.number)))
        yield OptionList(*options, id="part-list")

    def on_mount(self) -> None:
        options = self.query_one("#part-list", OptionList)
        options.highlighted = 0
        options.focus()

    def result(self) -> int:
        options = self.query_one("#part-list", OptionList)
        if options.highlighted is None:
            raise ValueError("请选择一份计划")
        return self.parts[options.highlighted].number

    @on(OptionList.OptionSelected, "#part-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_ok()
