"""A file picker for evidence: Textual's DirectoryTree with type-to-filter, drawn in ASCII."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.message import Message
from textual.widgets import DirectoryTree


class FilePicker(DirectoryTree):
    """Type letters to keep only the files whose names contain them; Backspace takes a letter
    back, or with nothing typed goes up one folder; Enter on a file picks it."""

    # ASCII guides and icons: box-drawing characters and emoji are drawn two cells wide in
    # terminals set for a Chinese locale.
    ICON_NODE_EXPANDED = "- "
    ICON_NODE = "+ "
    ICON_FILE = "  "
    LINES = {key: ("  ", "| ", "`-", "|-") for key in ("default", "bold", "double")}

    DEFAULT_CSS = """
    FilePicker { height: 30vh; min-height: 4; background: $boost; padding: 0; }
    """

    @dataclass
    class Filtered(Message):
        """The filter text or the folder changed."""

        picker: "FilePicker"
        text: str
        folder: Path

    def __init__(self, path: str | Path, *, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.filter_text = ""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        wanted = self.filter_text.lower()
        for path in paths:
            if path.name.startswith("."):
                continue
            if not wanted or wanted in path.name.lower() or self._safe_is_dir(path):
                yield path

    @property
    def folder(self) -> Path:
        return Path(self.path)

    def _changed(self) -> None:
        self.reload()
        self.post_message(self.Filtered(self, self.filter_text, self.folder))

    def on_key(self, event: events.Key) -> None:
        if event.key == "backspace":
            event.stop()
            event.prevent_default()
            if self.filter_text:
                self.filter_text = self.filter_text[:-1]
                self._changed()
            else:
                self.go_up()
        elif event.is_printable and event.character and event.character != " ":
            event.stop()
            event.prevent_default()
            self.filter_text += event.character
            self._changed()

    def go_up(self) -> None:
        parent = self.folder.resolve().parent
        if parent != self.folder.resolve():
            self.path = parent
            self.post_message(self.Filtered(self, self.filter_text, parent))
