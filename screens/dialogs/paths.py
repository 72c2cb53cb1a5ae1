"""Ask where to write an output file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, RadioSet, Static

from ..widgets.toggles import Choice, Tick
from .base import Dialog


@dataclass(frozen=True)
class PathChoice:
    path: Path
    option: str | None = None
    overwrite: bool = False
    flag: bool = False


class PathDialog(Dialog):
    """Ask where to write a file; optional choice of kind and one extra checkbox."""

    def __init__(
        self,
        title: str,
        default: str,
        submit=None,
        *,
        hint: str = "",
        options: list[tuple[str, str]] | None = None,
        flag: str | None = None,
        ok_label: str = "保存",
        allow_existing: set[Path] | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        super().__init__(submit)
        self.names = names
        self.allow_existing = allow_existing if allow_existing is not None else set()
        self.title_text = title
        self.ok_label = ok_label
        self.default = default
        self.hint = hint
        self.options = options or []
        self.flag = flag

    def body(self) -> ComposeResult:
        if self.hint:
            yield Static(Content(self.hint))
        if self.options:
            with RadioSet(id="path-option"):
                for n, (label, value) in enumerate(self.options):
                    yield Choice(label, value=n == 0, id=f"opt-{value}")
        yield Label("保存到（文件路径）", classes="field-label")
        yield Input(value=self.default, id="path-input", compact=True)
        if self.flag:
            yield Tick(self.flag, value=False, id="path-flag")
        yield Tick("文件已存在时覆盖", value=False, id="path-overwrite")

    def on_mount(self) -> None:
        # What is usually changed: the kind of report when there is a choice, else the name.
        if self.options:
            self.query_one("#path-option", RadioSet).focus()
        else:
            self.query_one("#path-input", Input).focus()

    @on(RadioSet.Changed, "#path-option")
    def _option_changed(self, event: RadioSet.Changed) -> None:
        # Keep the file name's suffix in step with the chosen kind.
        value = self.option
        field = self.query_one("#path-input", Input)
        names = self.names or {"summary-md": "年终总结{}.md", "summary-docx": "年终总结{}.docx",
                               "ledger-xlsx": "台账{}.xlsx", "ledger-csv": "台账{}.csv"}
        pattern = names.get(value or "")
        if pattern and field.value:
            # Follow the kind in the default name; keep a folder the user typed.
            current = Path(field.value)
            if current.stem.startswith(tuple(p.split("{}")[0] for p in names.values())):
                year = "".join(ch for ch in current.stem if ch.isdigit() or ch == "-")
                field.value = str(current.with_name(pattern.format(year)))
            else:
                field.value = str(current.with_suffix(Path(pattern).suffix))

    @property
    def option(self) -> str | None:
        if not self.options:
            return None
        pressed = self.query_one("#path-option", RadioSet).pressed_button
        return pressed.id.removeprefix("opt-") if pressed is not None and pressed.id else self.options[0][1]

    def result(self) -> PathChoice:
        text = self.query_one("#path-input", Input).value.strip().strip('"').strip("'")
        if not text:
            raise ValueError("请填写文件路径")
        path = Path(text).expanduser()
        overwrite = self.query_one("#path-overwrite", Checkbox).value
        if path.is_dir():
            raise ValueError(f"{path} 是一个文件夹，请写上文件名")
        if path.exists() and not overwrite and path.resolve() not in self.allow_existing:
            raise ValueError(f"{path} 已存在；换一个文件名，或勾选「文件已存在时覆盖」")
        flag = self.query_one("#path-flag", Checkbox).value if self.flag else False
        return PathChoice(path, self.option, overwrite, flag)
