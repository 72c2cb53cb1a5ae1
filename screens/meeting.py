"""本周例会: what is overdue, due this week and due next week; tick, add evidence, and write
the minutes of every change made while the meeting view was open."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from tracker.model import TrackedOccurrence

from .actions import RowActions
from .widgets import KeyBar
from .commands import MEETING_COMMANDS, bindings
from .text import describe_change, month_day
from .widgets import Section, TaskTable


class MeetingScreen(RowActions):
    KEY_COMMANDS = MEETING_COMMANDS
    BINDINGS = bindings(*MEETING_COMMANDS)

    DEFAULT_CSS = """
    MeetingScreen {
        & #meeting-title { height: 1; padding: 0 1; background: $primary 30%; text-style: bold; }
        & #meeting-status { height: auto; padding: 0 1; background: $panel; }
    }
    """

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self.day = day  # None: this week, as the service counts it from today
        # Whole seconds, as the store stamps changes: a change in the opening second still counts.
        self.opened_at = datetime.now().astimezone().replace(microsecond=0)
        self.opened_revision: int | None = None
        self.written: set[Path] = set()
        self.info = None  # MeetingInfo: 地点/主持人/参加人员/记录人, asked when the view opens

    def compose(self) -> ComposeResult:
        yield Static("", id="meeting-title")
        yield TaskTable(today=self.shuangyong.board.today, placeholder="", id="meeting-table")
        yield Static("", id="meeting-status")
        yield KeyBar(self.KEY_COMMANDS)

    def on_mount(self) -> None:
        board = self.shuangyong.board
        with board.lock:
            self.opened_revision = board.tracker.store.revision
        self.show()
        self.table.focus()
        self.action_details()

    @property
    def table(self) -> TaskTable:
        return self.query_one("#meeting-table", TaskTable)

    def current_row(self) -> TrackedOccurrence | None:
        return self.table.current

    def board_changed(self, row: TrackedOccurrence | None) -> None:
        self.show()

    @property
    def monday(self) -> date:
        from tracker.service import week_of

        return week_of(self.day or self.shuangyong.board.today)[0]

    by_owner = True  # rows grouped by 牵头单位 (g: by date)
    folded: bool | None = None  # 逾期 shown as a count only (None: fold when it would crowd the week out)

    def _part(self, rows) -> list:
        """One section's rows, grouped by owner (the unit with the oldest item first)."""
        if not rows:
            return [Section("    无", dim=True)]
        if not self.by_owner:
            return list(rows)
        groups: dict[str, list] = {}
        for r in rows:
            groups.setdefault(r.owner, []).append(r)
        items: list = []
        for owner, group in sorted(groups.items(), key=lambda kv: min(r.due for r in kv[1])):
            items.append(Section(f"  {owner}（{len(group)}）", dim=True))
            items += group
        return items

    def show(self) -> None:
        board = self.shuangyong.board
        view = board.week(self.day)
        monday = view.monday
        sunday = monday + timedelta(days=6)
        overdue = list(view.overdue)
        folded = self.folded
        if folded is None:  # by default folded when it would take more than a third of the table
            height = self.table.size.height or self.app.size.height - 5  # not laid out yet on mount
            folded = len(overdue) > max(height // 3, 6)
        self._folded_now = folded
        items: list = []
        self.section_starts = []
        self.section_starts.append(len(items))
        if folded and overdue:
            items.append(Section(f"逾期（{len(overdue)}）  已收起，按 z 展开"))
        else:
            items.append(Section(f"逾期（{len(overdue)}）"))
            items += self._part(overdue)
        self.section_starts.append(len(items))
        items.append(Section(f"本周 {month_day(monday)}至{month_day(sunday)}（{len(view.this_week)}）"))
        items += self._part(view.this_week)
        next_monday = monday + timedelta(days=7)
        self.section_starts.append(len(items))
        items.append(Section(f"下周 {month_day(next_monday)}至{month_day(next_monday + timedelta(days=6))}（{len(view.next_week)}）"))
        items += self._part(view.next_week)
        changes = [c for c in self.changes() if c.op != "undo" and not c.undone]
        self.section_starts.append(len(items))
        items.append(Section(f"本次例会已修改（{len(changes)}）"))
        # By year and id: the week across New Year shows next year's items too.
        names = board.names(changes[-20:])
        for c in changes[-20:]:
            title = names.get((c.year, c.occurrence), c.occurrence)
            items.append(Section(f"    {title}：{describe_change(c)}", dim=True))
        if not changes:
            items.append(Section("    无", dim=True))
        self.table.set_items(items)
        week_no = monday.isocalendar().week
        this = "（本周）" if self.day is None or self.monday == _monday(board.today) else ""
        self.query_one("#meeting-title", Static).update(
            Content(f"本周例会  {monday.year}年第{week_no}周 {month_day(monday)}至{month_day(sunday)}{this}")
        )
        self._show_status()

    def _show_status(self) -> None:
        board = self.shuangyong.board
        # Every change takes the next seq, so the revision tells how many were made since opening.
        count = board.tracker.store.revision - (self.opened_revision or 0)
        text = f"例会开始以来记录了 {count} 项修改；n 写会议纪要，i 会议信息，[ ] 切换周"
        if self.last_minutes is not None:
            text += f"\n会议纪要已保存：{self.last_minutes}"
        self.query_one("#meeting-status", Static).update(Content(text))

    def changes(self):
        """Every change recorded since the meeting view opened, by anyone."""
        board = self.shuangyong.board
        if self.opened_revision is None:
            return board.history(since=self.opened_at)
        # By seq, not by the clock: a colleague's machine may run a little behind; and only
        # the changes after opening are read, not the whole history again at every tick.
        return board.changed_since(self.opened_revision)

    # -- sections ---------------------------------------------------------------------------------
    def action_fold(self) -> None:
        self.folded = not self._folded_now
        self.show()

    def action_group(self) -> None:
        self.by_owner = not self.by_owner
        self.show()
        self.notify("按牵头单位分组" if self.by_owner else "按截止日期排列", markup=False)

    def action_section(self, step: int) -> None:
        """Jump to the next (or previous) section: its first row, or its heading when empty."""
        table = self.table
        here = table._rows_at[table.cursor] if table._rows_at else 0
        starts = self.section_starts
        if step > 0:
            later = [s for s in starts if s > here]
            target = later[0] if later else starts[0]
        else:
            current = max((s for s in starts if s <= here), default=0)
            earlier = [s for s in starts if s < current]
            target = earlier[-1] if earlier else starts[-1]
        table.show_section(target, starts)

    # -- weeks ------------------------------------------------------------------------------------
    def action_week(self, step: int) -> None:
        self.day = self.monday + timedelta(days=7 * step)
        self.show()

    def action_this_week(self) -> None:
        self.day = None
        self.show()

    # -- minutes -------------------------------------------------------------------------------------
    def action_details(self) -> None:
        """Ask for 地点/主持人/参加人员/记录人, pre-filled with the last ones used (the CLI's
        `report minutes --place …` and this dialog remember them in one place: produce.meeting_info).
        Esc keeps those and the meeting view stays open: the week is what `w` was pressed for."""
        from tracker.outputs.produce import meeting_info

        from .dialogs import MeetingInfoDialog

        def done(info) -> None:
            if info is None:
                self.info = self.info or meeting_info()
            else:
                self.info = meeting_info(place=info.place, chair=info.chair, attendees=info.attendees,
                                         recorder=info.recorder)

        self.app.push_screen(MeetingInfoDialog(self.info or meeting_info()), done)

    def action_minutes(self) -> None:
        from tracker.errors import TrackerError
        from tracker.outputs import minutes, produce

        from .dialogs import PathChoice, PathDialog

        board = self.shuangyong.board
        default = f"会议纪要-{board.today.isoformat()}.docx"

        def submit(choice: PathChoice) -> str | None:
            view = board.week(self.day)
            try:
                # .docx or .md by the name typed; the .docx carries the 地点/主持人/参加人员/记录人 asked at opening.
                produce.write_meeting(
                    board.tracker,
                    choice.path,
                    changes=self.changes(),
                    title=f"例会纪要（{board.today.year}年{board.today.month}月{board.today.day}日）",
                    since=self.opened_at,
                    until=datetime.now().astimezone(),
                    sections=minutes.week_sections(view, board.today),
                    info=self.info,
                )
            except TrackerError as exc:
                return str(exc)
            self.written.add(choice.path.resolve())
            return None

        def done(choice: PathChoice | None) -> None:
            if choice is not None:
                self.last_minutes = choice.path.resolve()
                self.notify(f"会议纪要已保存：{self.last_minutes}", timeout=10, markup=False)
                self._show_status()

        self.app.push_screen(
            PathDialog(
                "写会议纪要",
                default,
                submit,
                hint=f"记录例会开始（{self.opened_at:%H:%M}）以来的 {len(self.changes())} 项修改。",
                allow_existing=self.written,
            ),
            done,
        )

    last_minutes: Path | None = None


def _monday(day: date) -> date:
    from tracker.service import week_of

    return week_of(day)[0]
