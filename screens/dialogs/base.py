"""Modal dialogs. Each collects input and hands it to a `submit` callback that performs the
change through the Tracker; the callback returns an error message (the dialog stays open
and shows it) or None (the dialog closes). So the rules live in the service, and what the
user typed is never lost to a refused change."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, OptionList, Static

from tracker.model import TrackedOccurrence

from ..text import clip


PENDING = type("Pending", (), {"__repr__": lambda self: "PENDING"})()
"""What a submit callback returns when it has started a long job (see :meth:`Dialog.finish`)."""


class Dialog(ModalScreen[object]):
    """Common frame: a title, the body, an error line, 确定 / 取消."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        & > #dialog {
            width: 72;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: ascii $accent;
            background: $surface;
            padding: 0 1;
        }
        & #dialog-title { text-style: bold; width: 1fr; margin-bottom: 1; }
        & #dialog-error { color: $error; height: auto; }
        & #dialog-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        & #dialog-buttons Button { margin-left: 1; }
        & .field-label { margin-top: 1; color: $text-muted; }
        /* The body scrolls when the terminal is short (80x24): buttons and errors stay in view. */
        & #dialog-body { height: auto; max-height: 70vh; }
        & Input { width: 1fr; margin-top: 0; }
        /* Compact inputs have no border: a shade shows where each field is, focused or not. */
        & Input.-textual-compact { background: $panel; }
        & Input.-textual-compact:focus { background: $primary 35%; }
        & OptionList { height: auto; max-height: 10; background: $boost; }
        & Select { width: 1fr; }
        /* No focus border: a border that comes and goes moves the buttons under the mouse. */
        & RadioSet, & RadioSet:focus { width: 1fr; height: auto; border: none; padding: 0; background: transparent; }
        & RadioSet:focus { background: $boost; }
        & RadioSet.-row { layout: horizontal; }
        & RadioSet.-row > RadioButton { width: auto; margin-right: 2; }
        & Checkbox, & Checkbox:focus { border: none; padding: 0; margin-top: 1; background: transparent; }
        & Checkbox:focus { background: $boost; }
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "取消"),
        # Enter submits from any field, a checkbox or a radio list too; lists, the file picker
        # and the buttons keep their own Enter (see action_submit).
        Binding("enter", "submit", "确定", show=False, priority=True),
    ]

    title_text = ""
    ok_label = "确定"

    def __init__(self, submit: Callable[[object], str | None] | None = None) -> None:
        super().__init__()
        self._submit = submit
        self._pending: object = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.title_text), id="dialog-title")
            with VerticalScroll(id="dialog-body", can_focus=False):
                yield from self.body()
            yield Static("", id="dialog-error")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.ok_label, variant="primary", id="ok", compact=True)
                yield Button("取消", id="cancel", compact=True)

    def body(self) -> ComposeResult:
        yield from ()

    def result(self) -> object:
        """The value handed to submit and returned by dismiss; raise ValueError for a message."""
        return None

    def show_error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(Content(message))

    def action_ok(self) -> None:
        try:
            value = self.result()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        if self._submit is not None:
            try:
                error = self._submit(value)
            except Exception as exc:  # a message in the dialog, never a traceback
                error = f"操作失败：{exc}"
            if error is PENDING:  # a long job runs (in a progress dialog): it calls finish
                self._pending = value
                return
            if error:
                self.show_error(error)
                return
        self.dismiss(value)

    def finish(self, error: str | None) -> None:
        """The end of a job a submit started (it returned PENDING): close with the value it
        was given, or stay open and say what went wrong, with what the user typed kept."""
        if error:
            self.show_error(error)
        else:
            self.dismiss(self._pending)

    def action_submit(self) -> None:
        focused = self.focused
        if isinstance(focused, (Button, OptionList, DirectoryTree)):
            raise SkipAction()  # a button presses, a list picks its line, the picker opens a folder
        self.action_ok()

    @on(events.Mount)
    def _prepare_fields(self) -> None:
        # Pre-filled text is edited, not replaced: the cursor goes to its end, nothing selected
        # (a Backspace must not wipe a date).
        for field in self.query(Input):
            field.select_on_focus = False
            field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    def _ok_pressed(self) -> None:
        self.action_ok()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_ok()


def row_heading(row: TrackedOccurrence) -> str:
    return f"{row.due.isoformat()} {clip(row.title, 60)}"  # with its year: the row may be next year's
