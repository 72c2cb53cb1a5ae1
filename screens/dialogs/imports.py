"""Import an existing plan document as a draft plan file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, Static

from .base import Dialog


@dataclass(frozen=True)
class ImportChoice:
    source: Path
    target: Path


class ImportDialog(Dialog):
    title_text = "从现有计划文档导入"
    ok_label = "导入"

    def __init__(self, submit=None) -> None:
        super().__init__(submit)

    def body(self) -> ComposeResult:
        yield Static(
            Content(
                "把单位已有的年度双拥工作计划（Word .docx 或文本 .txt）转换成计划文件草稿。"
                "生成后请逐条核对标有「请核对」的地方，再用 shuangyong-tui validate 检查。"
            )
        )
        yield Label("计划文档路径", classes="field-label")
        yield Input(placeholder="例如 2026年双拥工作计划.docx", id="import-source", compact=True)
        yield Label("草稿保存为（不会覆盖已有文件）", classes="field-label")
        yield Input(value="我的计划.toml", id="import-target", compact=True)

    def on_mount(self) -> None:
        self.query_one("#import-source", Input).focus()

    def result(self) -> ImportChoice:
        source = self.query_one("#import-source", Input).value.strip().strip('"').strip("'")
        target = self.query_one("#import-target", Input).value.strip().strip('"').strip("'")
        if not source:
            raise ValueError("请填写计划文档的路径")
        if not target:
            raise ValueError("请填写草稿的保存路径")
        source_path = Path(source).expanduser()
        target_path = Path(target).expanduser()
        if not source_path.is_file():
            raise ValueError(f"找不到文件：{source_path}")
        if target_path.exists():
            raise ValueError(f"{target_path} 已存在，不会覆盖；请换一个文件名")
        return ImportChoice(source_path, target_path)
