"""Ask for the meeting's 地点, 主持人, 参加人员 and 记录人 (pre-filled with the last ones)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, Static

from tracker.outputs.minutes_docx import MeetingInfo

from .base import Dialog

FIELDS = (("place", "地点"), ("chair", "主持人"), ("attendees", "参加人员"), ("recorder", "记录人"))


class MeetingInfoDialog(Dialog):
    """Returns the MeetingInfo typed; Esc (None) keeps the previous one."""

    title_text = "本次例会"
    DEFAULT_CSS = """
    MeetingInfoDialog {
        & .meeting-field { height: 1; margin-top: 1; }
        & .meeting-field Label { width: 10; color: $text-muted; }
    }
    """

    def __init__(self, info: MeetingInfo, submit=None) -> None:
        super().__init__(submit)
        self.info = info

    def body(self) -> ComposeResult:
        yield Static(Content("写入会议纪要（Word）。回车确定；Esc 沿用上次的内容。"))
        for name, label in FIELDS:
            with Horizontal(classes="meeting-field"):
                yield Label(label)
                yield Input(value=getattr(self.info, name), id=f"meeting-{name}", compact=True)

    def on_mount(self) -> None:
        self.query_one("#meeting-place", Input).focus()

    def result(self) -> MeetingInfo:
        return MeetingInfo(**{name: self.query_one(f"#meeting-{name}", Input).value.strip() for name, _ in FIELDS})
