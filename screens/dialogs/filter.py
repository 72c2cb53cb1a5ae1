"""The main screen's filter: owner, category, status."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Button, Label, Select

from tracker.model import Status

from ..board import OVERDUE, Filters
from .base import Dialog


class FilterDialog(Dialog):
    title_text = "筛选"
    ok_label = "应用"

    def __init__(self, filters: Filters, owners: list[str], categories: list[str], outside: set[str] = frozenset()) -> None:
        super().__init__(None)
        self.filters = filters
        self.owners = owners
        self.outside = outside  # owners the plan does not list
        self.categories = categories

    def body(self) -> ComposeResult:
        f = self.filters
        yield Label("责任单位（含配合）", classes="field-label")
        yield Select([(Content(o + ("（不在计划中）" if o in self.outside else "")), o) for o in self.owners], prompt="（全部）", value=f.owner if f.owner in self.owners else Select.NULL, id="filter-owner", compact=True)
        yield Label("分类", classes="field-label")
        yield Select([(Content(c), c) for c in self.categories], prompt="（全部）", value=f.category if f.category in self.categories else Select.NULL, id="filter-category", compact=True)
        yield Label("状态", classes="field-label")
        statuses = [(s.label, s.value) for s in Status] + [("逾期（已过截止日期未完成）", OVERDUE)]
        yield Select(statuses, prompt="（全部）", value=f.status if f.status else Select.NULL, id="filter-status", compact=True)
        yield Button("清除全部条件", id="filter-clear", compact=True)

    def on_mount(self) -> None:
        self.query_one("#filter-owner", Select).focus()

    @on(Button.Pressed, "#filter-clear")
    def _clear(self) -> None:
        for select in self.query(Select):
            select.clear()

    def result(self) -> Filters:
        def value(selector: str) -> str | None:
            v = self.query_one(selector, Select).value
            return None if v is Select.NULL else str(v)

        return Filters(
            period=self.filters.period,
            owner=value("#filter-owner"),
            category=value("#filter-category"),
            status=value("#filter-status"),
            text=self.filters.text,
        )
