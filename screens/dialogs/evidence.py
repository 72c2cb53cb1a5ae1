"""Add evidence to an item: a note, a link or a file, said which required item it stands for.

A file is picked in one step: the picker opens in the folder the last file came from, typing
filters it, Enter picks the file, and the required item still missing is already chosen (a
digit chooses another), so Enter again records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Static

from tracker.model import EvidenceKind, TrackedOccurrence

from ..widgets.file_picker import FilePicker
from ..widgets.toggles import Choice, Tick
from .base import Dialog, row_heading

NO_LABEL = "不指定"


@dataclass(frozen=True)
class EvidenceChoice:
    kind: EvidenceKind
    text: str
    label: str = ""
    archive: bool = False


def as_path(text: str) -> Path | None:
    """The file a typed or pasted text names, when there is one."""
    cleaned = text.strip().strip('"').strip("'")
    if not cleaned or "\n" in cleaned:
        return None
    try:
        path = Path(cleaned).expanduser()
        return path.absolute() if path.is_file() else None
    except (OSError, ValueError):
        return None


class EvidenceDialog(Dialog):
    title_text = "添加佐证材料"

    DEFAULT_CSS = """
    EvidenceDialog {
        & > #dialog { width: 84; }
        & .field-label { margin-top: 0; }
        & #evidence-label { margin-bottom: 1; }
        & #evidence-archive { margin-top: 0; }
    }
    """

    def __init__(self, row: TrackedOccurrence, submit=None, *, folder: Path | None = None, picker: bool = False) -> None:
        super().__init__(submit)
        self.row = row
        self.folder = folder if folder is not None and folder.is_dir() else Path.cwd()
        self.start_in_picker = picker  # the user has picked files before: start there
        required = list(dict.fromkeys(row.occurrence.evidence))
        self.labels = required + [NO_LABEL]
        missing = row.missing_evidence
        self.default_label = next((n for n in required if n in missing), NO_LABEL)

    def body(self) -> ComposeResult:
        row = self.row
        missing = set(row.missing_evidence)
        yield Static(Content(row_heading(row)))
        yield Label(f"对应哪一项（按数字 1-{len(self.labels)} 选择）", classes="field-label")
        with RadioSet(id="evidence-label", classes="-row"):
            for n, name in enumerate(self.labels, 1):
                mark = "（缺）" if name in missing else ""
                yield Choice(f"{n} {name}{mark}", value=name == self.default_label, id=f"label-{n}")
        with RadioSet(id="evidence-kind", classes="-row"):
            for kind in EvidenceKind:
                yield Choice(kind.label, value=kind is EvidenceKind.NOTE, id=f"kind-{kind.value}")
        yield Input(placeholder="文字说明、网址，或文件路径（已存在的文件按文件记录）", id="evidence-text", compact=True)
        yield Label(self._picker_label("", self.folder), id="picker-label", classes="field-label")
        yield FilePicker(self.folder, id="evidence-picker")
        yield Tick("复制一份到档案文件夹（仅文件）", value=False, id="evidence-archive")

    def on_mount(self) -> None:
        if self.start_in_picker:
            self.query_one(FilePicker).focus()
        else:
            self.query_one("#evidence-text", Input).focus()

    @staticmethod
    def _picker_label(text: str, folder: Path) -> str:
        try:
            shown = folder.resolve().relative_to(Path.cwd().resolve()) or folder
        except (OSError, ValueError):
            shown = folder
        typed = f"，筛选「{text}」" if text else ""
        return f"选择文件：{shown}{typed}（打字筛选，退格删字或回上级，回车选定）"

    @on(FilePicker.Filtered)
    def _filtered(self, event: FilePicker.Filtered) -> None:
        self.query_one("#picker-label", Label).update(Content(self._picker_label(event.text, event.folder)))

    @on(FilePicker.FileSelected)
    def _file_picked(self, event: FilePicker.FileSelected) -> None:
        event.stop()
        self.query_one("#evidence-text", Input).value = str(event.path)
        self.set_kind(EvidenceKind.FILE)
        self.query_one("#evidence-label", RadioSet).focus()  # next: which requirement, then Enter

    def on_key(self, event: events.Key) -> None:
        # A digit chooses the requirement, except while typing text or filtering files.
        if isinstance(self.focused, (Input, FilePicker)) or not (event.character or "").isdigit():
            return
        n = int(event.character)
        if 1 <= n <= len(self.labels):
            event.stop()
            self.query_one(f"#label-{n}", RadioButton).value = True

    # -- values ----------------------------------------------------------------------------
    @property
    def kind(self) -> EvidenceKind:
        pressed = self.query_one("#evidence-kind", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return EvidenceKind.NOTE
        return EvidenceKind(pressed.id.removeprefix("kind-"))

    def set_kind(self, kind: EvidenceKind) -> None:
        self.query_one(f"#kind-{kind.value}", RadioButton).value = True

    @property
    def label(self) -> str:
        pressed = self.query_one("#evidence-label", RadioSet).pressed_button
        name = self.labels[int(pressed.id.removeprefix("label-")) - 1] if pressed is not None and pressed.id else NO_LABEL
        return "" if name == NO_LABEL else name

    def set_label(self, name: str) -> None:
        self.query_one(f"#label-{self.labels.index(name or NO_LABEL) + 1}", RadioButton).value = True

    def result(self) -> EvidenceChoice:
        text = self.query_one("#evidence-text", Input).value
        archive = self.query_one("#evidence-archive", Checkbox).value
        kind = self.kind
        path = as_path(text)
        if kind is EvidenceKind.NOTE and path is not None:
            kind = EvidenceKind.FILE  # a path that exists is a file, whatever the radio says
        if kind is EvidenceKind.NOTE and text.strip().lower().startswith(("http://", "https://")):
            kind = EvidenceKind.URL
        if kind is EvidenceKind.FILE:
            text = str(path or Path(text.strip().strip('"').strip("'")).expanduser().absolute()) if text.strip() else ""
        return EvidenceChoice(kind, text, self.label, archive and kind is EvidenceKind.FILE)
