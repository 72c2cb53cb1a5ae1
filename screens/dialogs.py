"""Modal dialogs. Each collects input and hands it to a `submit` callback that performs the
change through the Tracker; the callback returns an error message (the dialog stays open
and shows it) or None (the dialog closes). So the rules live in the service, and what the
user typed is never lost to a refused change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, RadioButton, RadioSet, Select, Static
from textual.widgets.option_list import Option

from tracker.model import EvidenceKind, Status, TrackedOccurrence

from .board import Filters
from .text import clip, short_date

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
            border: thick $accent 60%;
            background: $surface;
            padding: 0 1;
        }
        & #dialog-title { text-style: bold; width: 1fr; margin-bottom: 1; }
        & #dialog-error { color: $error; height: auto; }
        & #dialog-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        & #dialog-buttons Button { margin-left: 1; }
        & .field-label { margin-top: 1; color: $text-muted; }
        & #dialog-body { height: auto; }
        & Input { width: 1fr; margin-top: 0; }
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

    BINDINGS = [Binding("escape", "cancel", "取消")]

    title_text = ""
    ok_label = "确定"

    def __init__(self, submit: Callable[[object], str | None] | None = None) -> None:
        super().__init__()
        self._submit = submit

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.title_text), id="dialog-title")
            with VerticalScroll(id="dialog-body") if self.scrolls else Vertical(id="dialog-body"):
                yield from self.body()
            yield Static("", id="dialog-error")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.ok_label, variant="primary", id="ok", compact=True)
                yield Button("取消", id="cancel", compact=True)

    scrolls = False

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
            if error:
                self.show_error(error)
                return
        self.dismiss(value)

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


def _row_heading(row: TrackedOccurrence) -> str:
    return f"{short_date(row.due)} {clip(row.title, 60)}"


# ---------------------------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------------------------


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
        yield Static(Content(_row_heading(self.row)))
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

    def result(self) -> StatusChoice:
        from tracker.settings import parse_day
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


# ---------------------------------------------------------------------------------------------
# Owner
# ---------------------------------------------------------------------------------------------


class OwnerDialog(Dialog):
    title_text = "改派责任单位"

    def __init__(self, row: TrackedOccurrence, owners: list[str], submit=None) -> None:
        super().__init__(submit)
        self.row = row
        self.owners = owners

    def body(self) -> ComposeResult:
        yield Static(Content(f"{_row_heading(self.row)}\n当前：{self.row.owner}（计划中：{self.row.occurrence.owner}）"))
        yield Label("从计划中的单位选择，或在下面直接输入", classes="field-label")
        yield OptionList(*[Option(Content(name)) for name in self.owners], id="owner-list", compact=True)
        yield Input(value="", placeholder="输入单位名称后按回车", id="owner-input", compact=True)

    def on_mount(self) -> None:
        options = self.query_one("#owner-list", OptionList)
        if self.row.owner in self.owners:
            options.highlighted = self.owners.index(self.row.owner)
        options.focus()

    @on(OptionList.OptionSelected, "#owner-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#owner-input", Input).value = self.owners[event.option_index]
        self.action_ok()

    def result(self) -> str:
        typed = self.query_one("#owner-input", Input).value.strip()
        if typed:
            return typed
        index = self.query_one("#owner-list", OptionList).highlighted
        if index is None:
            raise ValueError("请选择或输入责任单位")
        return self.owners[index]


# ---------------------------------------------------------------------------------------------
# Evidence and notes
# ---------------------------------------------------------------------------------------------


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
        yield Static(Content(f"{_row_heading(row)}\n{note}"))
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


class NoteDialog(Dialog):
    title_text = "添加备注"

    def __init__(self, row: TrackedOccurrence, submit=None) -> None:
        super().__init__(submit)
        self.row = row

    def body(self) -> ComposeResult:
        yield Static(Content(_row_heading(self.row)))
        yield Input(placeholder="备注内容", id="note-text", compact=True)

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    def result(self) -> str:
        return self.query_one("#note-text", Input).value


# ---------------------------------------------------------------------------------------------
# Filter
# ---------------------------------------------------------------------------------------------


class FilterDialog(Dialog):
    title_text = "筛选"
    ok_label = "应用"

    def __init__(self, filters: Filters, owners: list[str], categories: list[str]) -> None:
        super().__init__(None)
        self.filters = filters
        self.owners = owners
        self.categories = categories

    def body(self) -> ComposeResult:
        f = self.filters
        yield Label("责任单位（含配合）", classes="field-label")
        yield Select([(Content(o), o) for o in self.owners], prompt="（全部）", value=f.owner if f.owner in self.owners else Select.NULL, id="filter-owner", compact=True)
        yield Label("分类", classes="field-label")
        yield Select([(Content(c), c) for c in self.categories], prompt="（全部）", value=f.category if f.category in self.categories else Select.NULL, id="filter-category", compact=True)
        yield Label("状态", classes="field-label")
        statuses = [(s.label, s.value) for s in Status]
        yield Select(statuses, prompt="（全部）", value=f.status if f.status else Select.NULL, id="filter-status", compact=True)
        yield Button("清除全部条件", id="filter-clear", compact=True)

    def on_mount(self) -> None:
        self.query_one("#filter-owner", Select).focus()

    @on(Button.Pressed, "#filter-clear")
    def _clear(self) -> None:
        for select in self.query(Select):
            select.clear()

    def result(self) -> Filters:
        def value(selector: str) -> str | None:
            v = self.query_one(selector, Select).value
            return None if v is Select.NULL else str(v)

        return Filters(
            period=self.filters.period,
            owner=value("#filter-owner"),
            category=value("#filter-category"),
            status=value("#filter-status"),
            text=self.filters.text,
        )


# ---------------------------------------------------------------------------------------------
# Output files and import
# ---------------------------------------------------------------------------------------------


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
    ) -> None:
        super().__init__(submit)
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
                    yield RadioButton(label, value=n == 0, id=f"opt-{value}")
        yield Label("保存到（文件路径）", classes="field-label")
        yield Input(value=self.default, id="path-input", compact=True)
        if self.flag:
            yield Checkbox(self.flag, value=False, id="path-flag")
        yield Checkbox("文件已存在时覆盖", value=False, id="path-overwrite")

    def on_mount(self) -> None:
        self.query_one("#path-input", Input).focus()

    @on(RadioSet.Changed, "#path-option")
    def _option_changed(self, event: RadioSet.Changed) -> None:
        # Keep the file name's suffix in step with the chosen kind.
        value = self.option
        field = self.query_one("#path-input", Input)
        names = {"summary-md": "年终总结{}.md", "summary-docx": "年终总结{}.docx", "ledger-xlsx": "台帐{}.xlsx", "ledger-csv": "台帐{}.csv"}
        pattern = names.get(value or "")
        if pattern and field.value:
            # Follow the kind in the default name; keep a folder the user typed.
            current = Path(field.value)
            if current.stem.startswith(("年终总结", "台帐")):
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
            raise ValueError(f"{path} 已存在；换一个文件名，或勾选“文件已存在时覆盖”")
        flag = self.query_one("#path-flag", Checkbox).value if self.flag else False
        return PathChoice(path, self.option, overwrite, flag)


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
                "生成后请逐条核对标有“请核对”的地方，再用 shuangyong-tui validate 检查。"
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


class MessageDialog(ModalScreen[None]):
    """A read-only message (import report, file written) closed with any of Esc/Enter/q."""

    DEFAULT_CSS = """
    MessageDialog {
        align: center middle;
        & > #message {
            width: 76; max-width: 100%; height: auto; max-height: 90%;
            border: thick $accent 60%; background: $surface; padding: 0 1;
        }
        & #message-title { text-style: bold; margin-bottom: 1; }
        & #message-body { height: auto; max-height: 30; }
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


class DefaultPlanNotice(ModalScreen[str]):
    """Shown at start when no plan is configured: what is open, how to make one's own."""

    DEFAULT_CSS = """
    DefaultPlanNotice {
        align: center middle;
        & > #notice {
            width: 76; max-width: 100%; height: auto; max-height: 100%;
            border: thick $warning 60%; background: $surface; padding: 0 1;
        }
        & #notice-title { text-style: bold; margin-bottom: 1; }
        & #notice-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        & #notice-buttons Button { margin-left: 1; }
    }
    """

    BINDINGS = [
        Binding("i", "choose('import')", "导入计划文档"),
        Binding("escape,q", "choose('close')", "知道了"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="notice"):
            yield Static(Content("正在使用内置的社区计划"), id="notice-title")
            yield Static(
                Content(
                    "还没有设置自己的计划文件，现在打开的是程序自带的社区双拥工作计划（可以先试用）。\n\n"
                    "制订自己的计划，任选一种：\n"
                    "  · 导入单位现有的计划文档（Word .docx 或文本 .txt）：按 i 或点“导入计划文档”；\n"
                    "  · 从模板开始：在终端运行 shuangyong-tui init -o 我的计划.toml，编辑后运行\n"
                    "    shuangyong-tui config --plan 我的计划.toml 设为默认。"
                )
            )
            with Horizontal(id="notice-buttons"):
                yield Button("导入计划文档", id="notice-import", variant="primary", compact=True)
                yield Button("知道了", id="notice-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#notice-close", Button).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(Button.Pressed, "#notice-import")
    def _import(self) -> None:
        self.dismiss("import")

    @on(Button.Pressed, "#notice-close")
    def _close(self) -> None:
        self.dismiss("close")
