"""The main screen: the year by quarter and month, the task table, the summary line."""

from __future__ import annotations

from dataclasses import replace
from time import perf_counter, process_time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import var
from textual.widgets import Static

from .actions import RowActions
from .board import Filters, shifted
from .commands import MAIN_COMMANDS, Command, bindings
from .memory import NOTICE_SEEN, remember
from .messages import BoardLoaded, OpenMeeting
from .text import legend_forms, long_date
from .widgets import KeyBar, PeriodNavigator, TaskTable

if TYPE_CHECKING:
    from tracker.model import TrackedOccurrence


class MainScreen(RowActions):
    KEY_COMMANDS = MAIN_COMMANDS + (
        Command("i", "import_plan", "导入计划", "把已有的计划文档（.docx/.txt）转换成计划文件", show=False),
    )
    BINDINGS = bindings(*KEY_COMMANDS)
    AUTO_FOCUS = "#table"  # focus the table straight away, not the navigator first
    NARROW = 100  # below this many columns the navigator becomes a strip across the top

    DEFAULT_CSS = """
    MainScreen {
        /* Bars dock top and bottom; the navigator and the table share the rest side by side
           (one above the other when narrow). No containers: every widget costs start-up time. */
        layout: horizontal;
        & #topbar { dock: top; height: 1; background: $primary 30%; padding: 0 1; text-style: bold; }
        & TaskTable { width: 1fr; }
        & #search { dock: bottom; height: 1; margin-bottom: 3; border: none; padding: 0 1; }
        &.-searching TaskTable { margin-bottom: 1; }
        &.-narrow { layout: vertical; }
        &.-narrow PeriodNavigator { width: 1fr; height: 3; padding: 0; }
    }
    """

    filters: var[Filters] = var(Filters, init=False)
    _summary = None  # the service's Summary of the rows shown

    def compose(self) -> ComposeResult:
        # Only what the first frame needs (each widget costs start-up time); the search field
        # is mounted on demand. The width class is set before the first styling pass.
        self.set_class(self.app.size.width < self.NARROW, "-narrow")
        yield Static(Content("正在载入计划..."), id="topbar")
        yield PeriodNavigator(id="navigator")
        yield KeyBar(self.KEY_COMMANDS, info_lines=2, id="keys")
        yield TaskTable(today=self.shuangyong.ctx_today, placeholder="正在载入...", id="table")

    # -- parts ------------------------------------------------------------------------------
    @property
    def table(self) -> TaskTable:
        return self.query_one("#table", TaskTable)

    @property
    def navigator(self) -> PeriodNavigator:
        return self.query_one("#navigator", PeriodNavigator)

    def current_row(self) -> TrackedOccurrence | None:
        return self.table.current

    # -- data ---------------------------------------------------------------------------------
    def on_board_loaded(self, message: BoardLoaded) -> None:
        """The board is loaded: header line and rows."""
        board = self.shuangyong.board
        if board is None:
            return
        self._show_topbar()
        self.table.today = board.today
        self.table.placeholder = "（没有符合条件的事项）"
        # The rows first; the counts (a pass over every row of the year) in the frame after.
        self.refresh_rows(counts=False)
        self.call_after_refresh(self._rows_shown)

    def _rows_shown(self, frames: int = 1) -> None:
        """The rows are on screen, the view at today: note it (the start-up benchmark's mark),
        then count them."""
        if not self.table.cursor_in_view() and frames < 10:
            self.call_after_refresh(self._rows_shown, frames + 1)
            return
        timings = self.shuangyong.timings
        if "rows_shown" not in timings:
            timings["rows_shown_cpu"] = process_time()
            timings["rows_shown"] = perf_counter()
        if self._summary is None:
            self._count_rows()

    def _show_topbar(self) -> None:
        board = self.shuangyong.board
        if board is None:
            return
        plan = board.tracker.plan
        wide = self.size.width >= self.NARROW
        parts = [plan.title]
        if plan.unit and wide:
            parts.append(plan.unit)
        parts.append(f"{board.year}年")
        parts.append(f"今天 {long_date(board.today) if wide else board.today.isoformat()}")
        self.query_one("#topbar", Static).update(Content(("  |  " if wide else " | ").join(parts)))

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW, "-narrow")
        self._show_topbar()

    def show_default_plan_notice(self) -> None:
        from .dialogs import DefaultPlanNotice

        def done(choice: str | None) -> None:
            remember(self.shuangyong.ctx, NOTICE_SEEN, "1")
            if choice == "import":
                self.action_import_plan()

        self.app.push_screen(DefaultPlanNotice(), done)

    def watch_filters(self) -> None:
        self.refresh_rows()

    def board_changed(self, row: TrackedOccurrence | None) -> None:
        # The row and every count change in one frame: the screen never contradicts itself.
        with self.app.batch_update():
            self._board_changed(row)

    def _board_changed(self, row: TrackedOccurrence | None) -> None:
        board = self.shuangyong.board
        if row is not None and board is not None:
            # One row changed: redraw just that row when it stays where it was.
            if row.occurrence.year != board.year:
                return  # next year's row (the week across New Year): in none of these rows or counts
            shown = self.table.find(row.key)
            matches = board.matches(self.filters, row)
            if shown is not None and matches and shown.due == row.due and self._summary is not None:
                self.table.replace_row(row)
                self._summary = shifted(self._summary, board.summary([shown]), board.summary([row]))
                self._show_counts()
                return
            if shown is None and not matches and self._summary is not None:
                self._show_counts()  # not shown here, but the period counts changed
                return
        self.refresh_rows()

    def refresh_rows(self, *, counts: bool = True) -> None:
        board = self.shuangyong.board
        if board is None:
            return
        rows = board.select(self.filters)
        if self.table.today != board.today:  # the clock passed midnight
            self.table.today = board.today
            self._show_topbar()
        current = self.table.current
        keep = None
        if current is None or not any(r.key == current.key for r in rows):
            # A fresh list opens at today: what is due next, with the overdue just above.
            keep = next((r.key for r in rows if r.due >= board.today), rows[-1].key if rows else None)
        self.table.set_items(rows, keep=keep)
        self._summary = None
        if counts:
            self._count_rows()

    def _count_rows(self) -> None:
        """The summary line and the period counts for the rows shown."""
        board = self.shuangyong.board
        if board is None:
            return
        self._summary = board.summary(self.table.rows)
        self._show_counts()

    def _show_counts(self) -> None:
        board = self.shuangyong.board
        self.navigator.set_data(board.labels, board.progress)
        self.navigator.selected = self.filters.period
        s = self._summary
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"逾期 {s.overdue}", "bold red" if s.overdue else "")
        line.append(f"  本周到期 {s.due_this_week}  已完成 {s.done}/{s.total - s.cancelled}")
        line.append(f"   {board.labels.get(self.filters.period, '')}")
        if self.filters.active:
            line.append(f"   筛选：{self.filters.describe()}（Esc 清除）", "italic")
        self.query_one("#keys", KeyBar).set_info([line, tuple(Text(form, "dim") for form in legend_forms())])

    # -- navigation ------------------------------------------------------------------------------
    @on(PeriodNavigator.Selected)
    def _period_selected(self, event: PeriodNavigator.Selected) -> None:
        self.filters = replace(self.filters, period=event.key)

    @on(TaskTable.Activated)
    def _row_activated(self) -> None:
        self.action_detail()

    def action_period(self, key: str) -> None:
        self.filters = replace(self.filters, period=key)

    async def action_search(self) -> None:
        from textual.widgets import Input

        found = self.query("#search")
        if found:
            search = found.first(Input)
        else:
            search = Input(placeholder="搜索标题（回车回到列表，Esc 清除）", id="search", compact=True)
            search.value = self.filters.text
            self.add_class("-searching")
            await self.mount(search, before="#keys")
        search.focus()

    def on_input_changed(self, event) -> None:
        if event.input.id == "search":
            self.filters = replace(self.filters, text=event.value)

    def on_input_submitted(self, event) -> None:
        if event.input.id == "search":
            self.table.focus()

    def action_filter(self) -> None:
        board = self.shuangyong.board
        if board is None:
            return
        from .dialogs import FilterDialog

        def done(filters: Filters | None) -> None:
            if filters is not None:
                self.filters = filters

        self.app.push_screen(FilterDialog(self.filters, board.owners(), board.categories(), board.outside_plan()), done)

    async def action_clear(self) -> None:
        self.table.focus()
        self.remove_class("-searching")
        await self.query("#search").remove()
        self.filters = Filters(period=self.filters.period)

    def action_meeting(self) -> None:
        self.post_message(OpenMeeting())

    def action_export_ics(self) -> None:
        self.shuangyong.export_ics(owner=self.filters.owner)

    def action_calendars(self) -> None:
        from .sync import SyncScreen

        if self.shuangyong.board is not None:
            self.app.push_screen(SyncScreen(self.shuangyong.board, self.shuangyong.ctx.db_path))

    def action_reports(self) -> None:
        self.shuangyong.reports()

    def action_import_plan(self) -> None:
        self.shuangyong.import_plan()

    async def action_quit(self) -> None:
        self.app.exit()


