"""Everything about one occurrence: its fields, its evidence (with files checked), its history.

Whether a file is still there and unchanged is checked in a worker thread: a 2 GB video not
yet in the digest cache takes seconds to a minute to read, and the screen stays free (Esc goes
back, which stops the reading). Until its state is known a file shows 〔核对中...〕.
"""

from __future__ import annotations

from time import monotonic

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from tracker.errors import Cancelled, TrackerError
from tracker.model import Evidence, EvidenceKind, Status, TrackedOccurrence

from .actions import RowActions
from .widgets import KeyBar
from .commands import DETAIL_COMMANDS, bindings
from .text import describe_change, long_date, stamp

CHECKING = "核对中..."
STEP_SECONDS = 0.2  # how often a long check redraws its percentage


def file_mark(item: Evidence, progress=None) -> str:
    """Whether a recorded file is still where it was and unchanged (tracker.evidence's rule);
    reads the file when its digest is not cached: call from a worker."""
    from tracker.service import evidence_label

    label = evidence_label(item, progress=progress)
    return f"〔{label}〕" if label else ""


class FileChecked(Message):
    """From the checking worker: a file's mark (done), or how far its reading has come."""

    def __init__(self, item: Evidence, mark: str | None, done: int = 0, total: int = 0) -> None:
        super().__init__()
        self.item, self.mark, self.done, self.total = item, mark, done, total


class DetailScreen(RowActions):
    KEY_COMMANDS = DETAIL_COMMANDS
    BINDINGS = bindings(*DETAIL_COMMANDS)

    DEFAULT_CSS = """
    DetailScreen {
        & #detail-title { height: auto; padding: 0 1; background: $primary 30%; text-style: bold; }
        & #detail-body { height: 1fr; padding: 0 1; }
    }
    """

    def __init__(self, occurrence_id: str, year: int | None = None) -> None:
        super().__init__()
        self.occurrence_id = occurrence_id
        self.year = year  # the occurrence's year, when not the viewed one
        self.row: TrackedOccurrence | None = None
        self.changes: list = []
        self.marks: dict[Evidence, str] = {}  # files checked: their mark ("" when fine)
        self.checking: dict[Evidence, str] = {}  # files being checked: how far ("" or " 35%")

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static("", id="detail-fields")
        yield KeyBar(self.KEY_COMMANDS)

    def on_mount(self) -> None:
        self.show()
        self.query_one("#detail-body").focus()

    def current_row(self) -> TrackedOccurrence | None:
        return self.row

    def board_changed(self, row: TrackedOccurrence | None) -> None:
        if row is None or row.key == (self.year or self.shuangyong.board.year, self.occurrence_id):
            self.show()

    def show(self) -> None:
        board = self.shuangyong.board
        try:
            self.row = board.get(self.occurrence_id, self.year)
            self.changes = board.history(self.occurrence_id, year=self.year)
        except TrackerError as exc:
            self.row = None
            self.query_one("#detail-fields", Static).update(Content(str(exc)))
            return
        # Every file again (a stat when unchanged), except those whose check is under way;
        # a file keeps its last mark until the new one is known.
        files = [e for e in self.row.state.evidence if e.kind is EvidenceKind.FILE and e not in self.checking]
        self.checking.update(dict.fromkeys(files, ""))
        self.draw_fields()
        if files:
            self.check_files(files)

    @work(thread=True, group="evidence-check")
    def check_files(self, items: list[Evidence]) -> None:
        """Each file's mark, posted as it is known; stops when the screen closes."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        for item in items:
            last = [monotonic()]

            def progress(done: int, total: int, item: Evidence = item) -> None:
                if worker.is_cancelled:
                    raise Cancelled("已取消")
                now = monotonic()
                if now - last[0] >= STEP_SECONDS:
                    last[0] = now
                    self.post_message(FileChecked(item, None, done, total))

            try:
                mark = file_mark(item, progress)
            except Cancelled:
                return
            if worker.is_cancelled:
                return
            self.post_message(FileChecked(item, mark))

    def on_file_checked(self, message: FileChecked) -> None:
        item = message.item
        if item not in self.checking:
            return
        if message.mark is None:
            self.checking[item] = f" {message.done * 100 // message.total}%" if message.total else ""
        else:
            del self.checking[item]
            self.marks[item] = message.mark
        self.draw_fields()

    def draw_fields(self) -> None:
        row, history = self.row, self.changes
        if row is None:
            return
        today = self.shuangyong.board.today
        self.query_one("#detail-title", Static).update(Content(row.title))
        occ = row.occurrence
        text = Text()

        def field(name: str, value: str, style: str = "") -> None:
            text.append(f"{name}：", "bold")
            text.append(value + "\n", style)

        field("编号", row.id)
        field("分类", occ.category)
        owner = row.owner + (f"（计划中：{occ.owner}）" if row.owner != occ.owner else "")
        field("责任单位", owner)
        if occ.support:
            field("配合单位", "、".join(occ.support))
        field("时间要求", occ.when or "无")
        field("开始", long_date(occ.start))
        due_notes = []
        if row.state.due and row.state.due != occ.due:
            due_notes.append(f"原定 {long_date(occ.due)}，已改期")
        if occ.shifted:
            due_notes.append(f"计划日 {long_date(occ.nominal_due)} 遇节假日调整")
        if occ.provisional:
            due_notes.append("暂定：缺当年节假日安排，只避开了周末")
        if row.holiday:
            from tracker.service import holiday_note

            due_notes.append(holiday_note(row.holiday))
        field("截止", long_date(row.due) + (f"（{'；'.join(due_notes)}）" if due_notes else ""))
        label = row.status_label(today)
        status_style = "bold red" if row.is_overdue(today) else ("green" if row.status is Status.DONE else "")
        status_text = label if label == row.status.label else f"{label}（{row.status.label}）"
        field("状态", status_text + (f"，原因：{row.state.reason}" if row.state.reason else ""), status_style)
        if row.state.updated_at:
            field("最后修改", f"{stamp(row.state.updated_at)} {row.state.updated_by}".strip())
        if occ.amount is not None:
            field("金额", f"{occ.amount:g} 元")
        if occ.carried_from:
            field("延续自", occ.carried_from)
        if occ.notes:
            field("说明", occ.notes)
        if row.state.notes:
            field("备注", row.state.notes)
        need = "、".join(occ.evidence) or "（计划未列出）"
        field("需要的佐证材料", need)
        missing = row.missing_evidence
        field("尚缺", "、".join(missing) if missing else "无", "bold yellow" if missing else "green")

        text.append(f"\n佐证材料（{len(row.state.evidence)}）\n", "bold underline")
        if not row.state.evidence:
            text.append("  （还没有）\n", "dim")
        for n, item in enumerate(row.state.evidence, 1):
            text.append(f"  {n}. [{item.kind.label}] ")
            if item.label:
                text.append(f"{item.label}：", "bold")
            text.append(item.text)
            mark = self.marks.get(item)
            if mark is None and item in self.checking:
                text.append(f" 〔{CHECKING}{self.checking[item]}〕", "dim")
            elif mark:
                text.append(" " + mark, "bold red")
            meta = f"{stamp(item.added_at)} {item.added_by}".strip()
            if meta:
                text.append(f"  {meta}", "dim")
            if item.archived:
                text.append(f"\n     档案副本：{item.archived}", "dim")
            text.append("\n")

        text.append(f"\n修改记录（{len(history)}）\n", "bold underline")
        if not history:
            text.append("  （没有修改）\n", "dim")
        for change in history:
            text.append(f"  {stamp(change.at)} {change.by}  ", "dim")
            text.append(describe_change(change) + "\n", "dim strike" if change.undone else "")
        self.query_one("#detail-fields", Static).update(text)
