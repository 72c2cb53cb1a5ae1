"""A read-only message."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class MessageDialog(ModalScreen[None]):
    """A read-only message (import report, file written) closed with any of Esc/Enter/q."""

    DEFAULT_CSS = """
    MessageDialog {
        align: center middle;
        & > #message {
            width: 76; max-width: 100%; height: auto; max-height: 90%;
            border: ascii $accent; background: $surface; padding: 0 1;
        }
        & #message-title { text-style: bold; margin-bottom: 1; }
        & #message-body { height: auto; max-height: 70vh; }
    }
    """

    BINDINGS = [Binding("escape,enter,q", "close", "关闭")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="message"):
            yield Static(Content(self.title_text), id="message-title")
            with VerticalScroll(id="message-body"):
                yield Static(Content(self.text))
            yield Static(Content("按 Esc 或回车关闭"), classes="field-label")

    def action_close(self) -> None:
        self.dismiss(None)
