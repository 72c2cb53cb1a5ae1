"""Change an item's status (postpone with a new date and a reason, cancel with a reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tracker.model import Status, TrackedOccurrence

from .base import Dialog, row_heading


@dataclass(frozen=True)
class StatusChoice:
    status: Status
    due: date | None = None
    reason: str = ""


class StatusDialog(Dialog):
    title_text = "修改状态"

    def __init__(self, row: TrackedOccurrence, submit=None) -> None:
        super().__init__(submit)
        self.row = row

    def body(self) -> ComposeResult:
        yield Static(Content(row_heading(self.row)))
        options = [Option(f"{n}  {s.label}", id=s.value) for n, s in enumerate(Status, 1)]
        yield OptionList(*options, id="status-list", compact=True)
        yield Label("新的截止日期（YYYY-MM-DD）", classes="field-label postponed-only")
        yield Input(value=self.row.due.isoformat(), placeholder="例如 2026-07-15", id="status-due", classes="postponed-only", compact=True)
        yield Label("原因", classes="field-label reason-only", id="reason-label")
        yield Input(value="", placeholder="延期或取消的原因", id="status-reason", classes="reason-only", compact=True)

    def on_mount(self) -> None:
        statuses = list(Status)
        options = self.query_one("#status-list", OptionList)
        options.highlighted = statuses.index(self.row.status)
        options.focus()
        self._show_fields(self.row.status)

    @property
    def chosen(self) -> Status:
        index = self.query_one("#status-list", OptionList).highlighted
        return list(Status)[index or 0]

    def _show_fields(self, status: Status) -> None:
        for widget in self.query(".postponed-only"):
            widget.display = status is Status.POSTPONED
        for widget in self.query(".reason-only"):
            widget.display = status in (Status.POSTPONED, Status.CANCELLED)
        label = "延期原因" if status is Status.POSTPONED else "取消原因"
        self.query_one("#reason-label", Label).update(label)

    @on(OptionList.OptionHighlighted, "#status-list")
    def _highlighted(self) -> None:
        self._show_fields(self.chosen)
        self.show_error("")

    @on(OptionList.OptionSelected, "#status-list")
    def _selected(self) -> None:
        status = self.chosen
        if status is Status.POSTPONED:
            self.query_one("#status-due", Input).focus()
        elif status is Status.CANCELLED:
            self.query_one("#status-reason", Input).focus()
        else:
            self.action_ok()

    def key_1(self) -> None:
        self._pick(0)

    def key_2(self) -> None:
        self._pick(1)

    def key_3(self) -> None:
        self._pick(2)

    def key_4(self) -> None:
        self._pick(3)

    def key_5(self) -> None:
        self._pick(4)

    def _pick(self, index: int) -> None:
        if isinstance(self.focused, Input):
            return
        options = self.query_one("#status-list", OptionList)
        options.highlighted = index
        options.action_select()

    def action_submit(self) -> None:
        # Enter on the new date goes on to the reason (both are needed), then saves.
        due, reason = self.query_one("#status-due", Input), self.query_one("#status-reason", Input)
        if self.focused is due and not reason.value.strip():
            reason.focus()
            return
        super().action_submit()

    def result(self) -> StatusChoice:
        from tracker.service import parse_day
        from tracker.errors import TrackerError

        status = self.chosen
        due = None
        if status is Status.POSTPONED:
            text = self.query_one("#status-due", Input).value
            try:
                due = parse_day(text, "新的截止日期")
            except TrackerError as exc:
                raise ValueError(str(exc)) from None
        reason = self.query_one("#status-reason", Input).value if status in (Status.POSTPONED, Status.CANCELLED) else ""
        return StatusChoice(status, due, reason)
