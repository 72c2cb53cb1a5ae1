"""核对导入的计划: the candidates an import found, each beside its source sentence; keep or drop
with space, edit title/when/owner with e, jump to the next 请核对 item with n, save with s.

Opened from the app (i: choose the document, then the plan when the file holds several) and
from the command line (`import FILE --review`, through ReviewApp). Nothing is written until
save, and save writes only a plan the loader accepts, never over an existing file.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tracker.errors import TrackerError
from tracker.service import candidate_problems, document_parts, import_document, save_reviewed

from .review_dialogs import EditCandidateDialog, PartDialog
from .text import clip

COLUMNS = (("keep", "保留", 4), ("check", "核对", 6), ("title", "任务", 34), ("when", "时间", 12),
           ("owner", "责任单位", 12), ("source", "原文", 60))
FIELD_NAMES = {"title": "标题", "when": "时间", "owner": "责任单位", "category": "分类"}


class ReviewScreen(Screen[list[str] | None]):
    """The review of one import; dismissed with the lines saying what was saved, or None."""

    BINDINGS = [
        Binding("space", "toggle", "保留/删去"),
        Binding("e", "edit", "修改"),
        Binding("n", "next_check", "下一项请核对"),
        Binding("s", "save", "保存"),
        Binding("escape", "close", "不保存退出"),
    ]

    DEFAULT_CSS = """
    ReviewScreen {
        & #review-title { height: auto; padding: 0 1; background: $primary 30%; text-style: bold; }
        & #review-table { height: 1fr; }
        & #review-source { height: auto; max-height: 8; padding: 0 1; background: $panel; }
        & #review-keys { height: 1; padding: 0 1; color: $text-muted; }
    }
    """

    def __init__(self, result, source: Path, target: Path) -> None:
        super().__init__()
        self.result = result
        self.source = Path(source)
        self.target = Path(target)
        self.candidates = list(result.candidates)

    def compose(self) -> ComposeResult:
        yield Static("", id="review-title")
        yield DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="review-source")
        yield Static(Content("空格 保留/删去　e 修改标题/时间/责任单位　n 下一项请核对　s 保存　Esc 不保存退出"),
                     id="review-keys")

    def on_mount(self) -> None:
        table = self.table
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        for c in self.candidates:
            table.add_row(*self._cells(c), key=c.id)
        self._show_status()
        self._show_source()
        table.focus()

    @property
    def table(self) -> DataTable:
        return self.query_one("#review-table", DataTable)

    # -- display ------------------------------------------------------------------------------
    def _cells(self, c) -> list[Text]:
        mark = Text("留" if c.keep else "删", style="green" if c.keep else "red")
        check = Text("请核对" if c.needs_review else "", style="yellow")
        title = Text(clip(c.title, 34), style="" if c.keep else "strike dim")
        return [mark, check, title, Text(c.when), Text(clip(c.owner or "（默认）", 12)), Text(clip(c.source, 60))]

    def _refresh_row(self, index: int) -> None:
        c = self.candidates[index]
        for (key, _, _), value in zip(COLUMNS, self._cells(c)):
            self.table.update_cell(c.id, key, value)
        self._show_status()
        self._show_source()

    def _show_status(self) -> None:
        kept = sum(1 for c in self.candidates if c.keep)
        marked = sum(1 for c in self.candidates if c.keep and c.needs_review)
        r = self.result.report
        text = (
            f"核对导入：{self.source.name}，保存为 {self.target}　共 {len(self.candidates)} 项，保留 {kept} 项，"
            f"其中请核对 {marked} 项　（原文 {r.lines} 行：任务 {r.task_lines}、分类 {r.category_lines}、"
            f"标题 {r.header_lines}、跳过 {r.skipped_lines}）"
        )
        self.query_one("#review-title", Static).update(Content(text))

    def _show_source(self) -> None:
        c = self.current
        if c is None:
            return
        lines = [f"原文（第{c.line}行）：{c.source}"]
        for name, why in c.checks:
            lines.append(f"请核对{FIELD_NAMES.get(name, name)}：{why}")
        if c.support:
            lines.append(f"配合单位：{'、'.join(c.support)}")
        self.query_one("#review-source", Static).update(Content("\n".join(lines)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_source()

    @property
    def index(self) -> int:
        return self.table.cursor_row

    @property
    def current(self):
        if not self.candidates or not 0 <= self.index < len(self.candidates):
            return None
        return self.candidates[self.index]

    # -- actions --------------------------------------------------------------------------------
    def action_toggle(self) -> None:
        c = self.current
        if c is None:
            return
        self.candidates[self.index] = c.edited(keep=not c.keep)
        self._refresh_row(self.index)

    def action_next_check(self) -> None:
        n = len(self.candidates)
        for step in range(1, n + 1):
            k = (self.index + step) % n
            if self.candidates[k].keep and self.candidates[k].needs_review:
                self.table.move_cursor(row=k)
                self._show_source()
                return
        self.notify("没有待核对的任务了", timeout=3)

    def action_edit(self) -> None:
        c = self.current
        if c is None:
            return
        index = self.index

        def check(edited) -> str | None:
            problems = candidate_problems(self.result, edited)
            if problems:
                return "；".join(f"{FIELD_NAMES.get(k, k)}：{v}" for k, v in problems.items())
            return None

        def done(edited) -> None:
            if edited is not None:
                self.candidates[index] = edited
                self._refresh_row(index)

        self.app.push_screen(EditCandidateDialog(c, check), done)

    def action_save(self) -> None:
        try:
            lines = save_reviewed(self.result, self.candidates, self.target)
        except TrackerError as exc:
            self.notify(str(exc), severity="error", timeout=10, markup=False)
            return
        self.dismiss(lines)

    def action_close(self) -> None:
        self.notify("未保存，没有写入任何文件", timeout=3)
        self.dismiss(None)


def open_review(app: App, source: Path, target: Path, part: int | None, done) -> None:
    """Import one plan of the document and show its review; `done(lines | None)` after."""
    try:
        result = import_document(source, part=part)
    except TrackerError as exc:
        app.notify(str(exc), severity="error", timeout=10, markup=False)
        return
    app.push_screen(ReviewScreen(result, source, target), done)


def start_import(app: App, finished) -> None:
    """The app's import: the document and target (ImportDialog), the plan when the file holds
    several (PartDialog), then the review; `finished(target, lines)` once saved."""
    from .dialogs import ImportChoice, ImportDialog

    found: dict[str, tuple] = {}

    def submit(choice: ImportChoice) -> str | None:
        try:
            found["parts"] = document_parts(choice.source)
        except TrackerError as exc:
            return str(exc)
        except OSError as exc:
            return f"文件操作失败：{exc.filename or ''}（{exc.strerror or exc}）"
        return None

    def chosen(choice: ImportChoice | None) -> None:
        if choice is None:
            return

        def saved(lines: list[str] | None) -> None:
            if lines:
                finished(choice.target.resolve(), lines)

        parts = found.get("parts", ())
        if len(parts) > 1:
            def picked(number: int | None) -> None:
                if number is not None:
                    open_review(app, choice.source, choice.target, number, saved)

            app.push_screen(PartDialog(choice.source.name, parts), picked)
        else:
            open_review(app, choice.source, choice.target, None, saved)

    app.push_screen(ImportDialog(submit), chosen)


class ReviewApp(App[list[str] | None]):
    """`import FILE --review`: the review alone, without the year's plan and state."""

    TITLE = "核对导入的计划"

    def __init__(self, result, source: Path, target: Path) -> None:
        super().__init__()
        self.review = ReviewScreen(result, source, target)

    def on_mount(self) -> None:
        self.push_screen(self.review, self.exit)
