"""Add evidence to an item."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from tracker.model import EvidenceKind, TrackedOccurrence

from .base import Dialog, row_heading


@dataclass(frozen=True)
class EvidenceChoice:
    kind: EvidenceKind
    text: str
    label: str = ""
    archive: bool = False


class EvidenceDialog(Dialog):
    title_text = "添加佐证材料"

    def __init__(self, row: TrackedOccurrence, submit=None) -> None:
        super().__init__(submit)
        self.row = row

    def body(self) -> ComposeResult:
        row = self.row
        missing = row.missing_evidence
        need = "、".join(row.occurrence.evidence) or "（计划未列出）"
        note = f"需要：{need}" + (f"；尚缺：{'、'.join(missing)}" if missing else "")
        yield Static(Content(f"{row_heading(row)}\n{note}"))
        with RadioSet(id="evidence-kind", classes="-row"):
            for kind in EvidenceKind:
                yield RadioButton(kind.label, value=kind is EvidenceKind.NOTE, id=f"kind-{kind.value}")
        yield Label("内容：文字说明、文件路径或网址", classes="field-label")
        yield Input(placeholder="例如：6月12日走访慰问8户，发放慰问品", id="evidence-text", compact=True)
        names = list(dict.fromkeys(missing + row.occurrence.evidence))
        yield Label("对应哪一项佐证材料（可不选）", classes="field-label")
        yield Select([(Content(n), n) for n in names], prompt="（不指定）", allow_blank=True, id="evidence-label", compact=True)
        yield Checkbox("复制一份到档案文件夹（仅文件）", value=False, id="evidence-archive")

    def on_mount(self) -> None:
        self.query_one("#evidence-text", Input).focus()

    @property
    def kind(self) -> EvidenceKind:
        pressed = self.query_one("#evidence-kind", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return EvidenceKind.NOTE
        return EvidenceKind(pressed.id.removeprefix("kind-"))

    def set_kind(self, kind: EvidenceKind) -> None:
        self.query_one(f"#kind-{kind.value}", RadioButton).value = True

    def result(self) -> EvidenceChoice:
        text = self.query_one("#evidence-text", Input).value
        label = self.query_one("#evidence-label", Select).value
        archive = self.query_one("#evidence-archive", Checkbox).value
        kind = self.kind
        if kind is EvidenceKind.FILE:
            text = str(Path(text.strip().strip('"').strip("'")).expanduser().absolute()) if text.strip() else ""
        return EvidenceChoice(kind, text, "" if label is Select.NULL else str(label), archive and kind is EvidenceKind.FILE)
