"""The Textual app: one factory (`build_app`) for `main` and the tests alike.

The app receives an AppContext and asks it for the Tracker in a worker thread, so the first
frame appears before the plan is read and expanded. Every change goes through the Tracker;
the store is polled every couple of seconds (and when the terminal regains focus) so that
changes written by another process show up, never overwritten.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from time import perf_counter, process_time
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender

from .board import Board
from .main import MainScreen
from .memory import NOTICE_SEEN, recall
from .messages import BoardChanged, BoardLoaded, OpenDetail, OpenMeeting
from .problems import failure_text

if TYPE_CHECKING:
    from tracker.model import TrackedOccurrence
    from tracker.service import AppContext, Tracker

    from .dialogs.progress import Report

POLL_SECONDS = 2.0


class BlankScrollBarRender(ScrollBarRender):
    """Scrollbars drawn with coloured blanks only: Textual's eighth blocks (▁ ▇ ▉ ...) are
    East Asian ambiguous-width characters, two cells wide in a Chinese-locale terminal, and a
    scrollbar cell two cells wide pushes the line past the right edge."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8
CLOCK_SECONDS = 30.0  # how often "today" is compared with the clock


@contextmanager
def bulk_load() -> Iterator[None]:
    """Reading a year makes tens of thousands of objects that live until the next reload and
    form no cycles: the cyclic GC is kept out while they are made (each full pass would walk
    them, and everything Textual made, again), and afterwards they are moved out of its sight
    (gc.freeze), so a collection in the running app walks only what was made since."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class ShuangyongApp(App[None]):
    TITLE = "双拥工作计划跟踪"
    CSS_PATH = "app.tcss"
    BINDINGS = [Binding("ctrl+p", "command_palette", "命令", show=False, priority=True)]

    def __init__(self, ctx: AppContext, *, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__()
        self.ctx = ctx
        self.poll_seconds = poll_seconds
        self.board: Board | None = None
        self.load_error: BaseException | None = None
        self._reloading = False
        self._poll_error: str | None = None
        # perf_counter() when the first frame was drawn ("first_frame"), the plan and the
        # state file were read ("read"), the year's rows made ("rows_made") and drawn
        # ("rows_shown"); process_time() at the first and the last ("..._cpu").
        self.timings: dict[str, float] = {}

    # -- start ------------------------------------------------------------------------------
    @property
    def ctx_today(self) -> date:
        from tracker.errors import TrackerError

        try:
            return self.ctx.today
        except TrackerError:
            return date.today()

    def get_line_filters(self):
        from .safety import NO_RAW_CONTROLS

        # The backstop of the terminal exit: no raw control character from user text.
        return [*super().get_line_filters(), NO_RAW_CONTROLS]

    def get_default_screen(self) -> Screen:
        return MainScreen()

    def on_mount(self) -> None:
        ScrollBar.renderer = BlankScrollBarRender  # Textual's documented way to draw scrollbars
        # Start reading only after the first frame is on screen.
        self.call_after_refresh(self._first_frame)
        self.set_interval(self.poll_seconds, self.poll, name="poll")
        self.set_interval(CLOCK_SECONDS, self.follow_clock, name="clock")

    def _first_frame(self) -> None:
        if "first_frame" not in self.timings:
            self.timings["first_frame_cpu"] = process_time()
            self.timings["first_frame"] = perf_counter()
        self.load_data()

    @work(thread=True, exclusive=True, group="load")
    def load_data(self) -> None:
        try:
            with bulk_load():
                tracker = self.ctx.tracker()
                self.timings["read"] = perf_counter()
                board = Board(tracker)
                board.load()
                self.timings["rows_made"] = perf_counter()
        except BaseException as exc:  # shown as a screen, never as a traceback
            self.call_from_thread(self._load_failed, exc)
            return
        self.call_from_thread(self._loaded, board)

    def _loaded(self, board: Board) -> None:
        self.board = board
        self.load_error = None
        main = self._main_screen()
        if main is not None:
            main.post_message(BoardLoaded())
            if self.ctx.plan_is_default and not recall(self.ctx, NOTICE_SEEN):
                main.show_default_plan_notice()  # once: remembered when dismissed
        from tracker.service import DEFAULT_PLAN_NOTICE

        for notice in self.ctx.notices:
            if notice != DEFAULT_PLAN_NOTICE:  # that one has its own dialog
                self.notify(notice, title="提示", timeout=8, markup=False)
        self.ctx.notices.clear()

    def _load_failed(self, exc: BaseException) -> None:
        from .problems import ErrorScreen, describe_failure

        self.load_error = exc
        title, lines, hint = describe_failure(exc)
        if isinstance(self.screen, ErrorScreen):
            self.pop_screen()
        self.push_screen(ErrorScreen(title, lines, hint))

    def retry_load(self) -> None:
        """After the user fixed the plan or the state file: forget what was loaded, read again."""
        from .problems import ErrorScreen

        # The context caches what it loaded; a fresh one with the same options reads again.
        self.ctx = self.ctx.fresh()
        if isinstance(self.screen, ErrorScreen):
            self.pop_screen()
        self.load_data()

    def _main_screen(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    # -- changes ---------------------------------------------------------------------------------
    def edit(self, occurrence_id: str, change: Callable[["Tracker"], object], year: int | None = None) -> str | None:
        """Make one change through the Tracker of the row's year (`year`; default the viewed
        one); return an error message, or None when done."""
        board = self.board
        if board is None:
            return "数据尚未载入，请稍候"
        try:
            with board.lock:
                recorded = change(board.tracker.of_year(year or board.year))
                row = board.update(occurrence_id, getattr(recorded, "seq", None), year)
        except Exception as exc:  # shown as a message, never as a traceback
            return failure_text(exc)
        self._edited(board, row)
        return None

    def edit_slow(
        self, occurrence_id: str, change: Callable[["Tracker", Report], object], year: int | None = None, *,
        title: str, finished: Callable[[str | None], None],
    ) -> None:
        """Like :meth:`edit`, for a change that copies a large file: it runs in a worker under a
        progress dialog (Esc cancels, leaving nothing behind); `finished` hears None when it
        was recorded, else what went wrong (or that it was cancelled).

        The change runs without the board's lock, so the screen's poll and redraws go on:
        the Tracker calls it makes before the copy only read (see Tracker.add_evidence); the
        row is re-read under the lock once it is recorded."""
        from .dialogs import Outcome, ProgressDialog

        board = self.board
        if board is None:
            finished("数据尚未载入，请稍候")
            return

        def job(report: Report):
            with board.lock:
                tracker = board.tracker.of_year(year or board.year)
            recorded = change(tracker, report)
            with board.lock:
                return board.update(occurrence_id, getattr(recorded, "seq", None), year)

        def done(outcome: Outcome | None) -> None:
            if outcome is None or outcome.cancelled:
                finished("已取消：文件没有复制进档案，也没有记录。")
            elif outcome.error is not None:
                finished(failure_text(outcome.error))
            else:
                self._edited(board, outcome.value)
                finished(None)

        self.push_screen(ProgressDialog(title, job), done)

    def _edited(self, board: Board, row: TrackedOccurrence | None) -> None:
        self.broadcast(row)
        if board.stale and not self._reloading:
            self.reload()  # our write brought in changes from elsewhere: show them too

    def broadcast(self, row: TrackedOccurrence | None) -> None:
        """Tell every open screen that the board changed."""
        for screen in self.screen_stack:
            # A screen still being mounted draws from the board in its own on_mount.
            if screen.is_mounted:
                screen.post_message(BoardChanged(row))

    # -- opening screens ------------------------------------------------------------------------
    def on_open_detail(self, message: OpenDetail) -> None:
        from .detail import DetailScreen

        self.push_screen(DetailScreen(message.occurrence_id, message.year))

    def on_open_meeting(self, message: OpenMeeting) -> None:
        if self.board is not None:
            from .meeting import MeetingScreen

            self.push_screen(MeetingScreen())

    def undo(self) -> None:
        """Undo this person's last change made in this app (one command as one step), after
        saying what it will revert. Changes by others, or in another window, are left alone."""
        board = self.board
        if board is None:
            return
        worker = self._undo_preview(board)

        def still_reading() -> None:  # a very long state file: say why nothing happens yet
            if not worker.is_finished:
                self.notify("正在读取修改记录，请稍候...", timeout=3, markup=False)

        self.set_timer(0.4, still_reading)

    @work(thread=True, exclusive=True, group="undo")
    def _undo_preview(self, board: Board) -> None:
        # What an undo would revert needs the whole history: opened from a checkpoint, the
        # first time reads the state file whole (seconds for a very long one), off the screen.
        from textual.worker import get_current_worker

        from tracker.errors import TrackerError

        session = board.tracker.store.session
        try:
            with board.lock:
                board.refresh()
                preview = board.tracker.undo_preview(session=session)
                names = board.names(preview) if preview else {}  # by year and id: next year's same id is another item
        except (TrackerError, OSError) as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", title="未能撤销", markup=False)
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._confirm_undo, board, session, preview, names)

    def _confirm_undo(self, board: Board, session: str, preview: list, names: dict) -> None:
        from tracker.errors import TrackerError
        from tracker.service import describe_change

        from .dialogs import ConfirmDialog

        if board is not self.board:
            return  # reloaded meanwhile: the next u reads again
        if not preview:
            self.notify("本次打开程序后你还没有可以撤销的修改（别人或其他窗口的修改不在此撤销）", markup=False)
            return
        lines = [f"「{names.get((c.year, c.occurrence), c.occurrence)}」{describe_change(c)}" for c in preview]
        first = names.get((preview[0].year, preview[0].occurrence), preview[0].occurrence)

        def submit(_: object) -> str | None:
            try:
                with board.lock:
                    board.refresh()
                    now = board.tracker.undo_preview(session=session)
                    if [c.seq for c in now] != [c.seq for c in preview]:
                        return "要撤销的修改已经变了（刚有新的修改），请关闭后重新按 u"
                    board.tracker.undo(session=session)
            except (TrackerError, OSError) as exc:
                return str(exc)
            return None

        def done(confirmed: object) -> None:
            if confirmed:
                more = f"，共 {len(preview)} 项" if len(preview) > 1 else ""
                self.notify(f"已撤销对「{first}」的最近一次修改{more}", markup=False)
                self.reload()

        text = "将撤销你在本程序里的最近一次修改：\n" + "\n".join(f"  {line}" for line in lines[:12])
        if len(lines) > 12:
            text += f"\n  （另有 {len(lines) - 12} 项）"
        self.push_screen(ConfirmDialog("撤销", text, ok_label="撤销", submit=submit), done)

    def poll(self) -> None:
        """Pick up changes another process wrote to the state file."""
        from tracker.errors import TrackerError

        board = self.board
        if board is None or self._reloading:
            return
        try:
            board.refresh()
        except (TrackerError, OSError) as exc:
            if str(exc) != self._poll_error:  # say it once, not every two seconds
                self._poll_error = str(exc)
                self.notify(str(exc), severity="error", title="状态文件", timeout=15, markup=False)
            return
        self._poll_error = None
        # Stale, not merely changed: our own edits moved the revision too, and their rows are
        # already redrawn; re-reading the year after each would redraw every row again.
        if board.stale:
            self.reload()

    def follow_clock(self) -> None:
        """Past midnight, today moves on (unless --today pinned it): header, 逾期 marks, counts."""
        board = self.board
        today = self.ctx_today
        if board is None or today == board.today or self._reloading:
            return
        with board.lock:
            board.today = today
            board.tracker.today = today
        self.reload()

    def on_app_focus(self, event: events.AppFocus) -> None:
        self.poll()

    def reload(self) -> None:
        self._reloading = True
        self._reload()

    @work(thread=True, exclusive=True, group="reload")
    def _reload(self) -> None:
        board = self.board
        try:
            if board is not None:
                with bulk_load():
                    board.load()
        except BaseException as exc:
            self.call_from_thread(self._reload_failed, exc)
            return
        self.call_from_thread(self._reloaded)

    def _reloaded(self) -> None:
        self._reloading = False
        self.broadcast(None)

    def _reload_failed(self, exc: BaseException) -> None:
        self._reloading = False
        from .problems import describe_failure

        title, lines, _ = describe_failure(exc)
        self.notify("\n".join(lines), title=title, severity="error", timeout=15, markup=False)

    # -- files (screens/files.py) ------------------------------------------------------------------
    def export_ics(self, owner: str | None = None) -> None:
        if self.board is not None:
            from . import files

            files.export_ics(self, self.board, self.ctx, owner)

    def reports(self) -> None:
        if self.board is not None:
            from . import files

            files.reports(self, self.board)

    def import_plan(self) -> None:
        from . import files

        files.import_plan(self)

    # -- command palette ------------------------------------------------------------------------------
    def action_command_palette(self) -> None:
        from .palette import Palette

        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette(placeholder="输入要做的事（可用汉字搜索命令）", id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in getattr(screen, "KEY_COMMANDS", ()):
            if command.palette:
                yield SystemCommand(
                    f"{command.label}（{command.key_display}）",
                    command.help,
                    partial(screen.run_action, command.action),
                )
        if isinstance(screen, MainScreen) and self.board is not None:
            for p in self.board.periods:
                if p.key.startswith("M"):
                    yield SystemCommand(f"查看{p.label}", f"只看{p.label}到期的事项", partial(screen.action_period, p.key))
        if not isinstance(screen, MainScreen):
            yield SystemCommand("导入计划文档", "把已有的计划文档（.docx/.txt）转换成计划文件", self.import_plan)
        yield SystemCommand("切换主题", "更换界面配色", self.action_change_theme)
        yield SystemCommand("退出程序", "退出双拥工作计划跟踪", self.action_quit)


def build_app(ctx: AppContext, **options) -> ShuangyongApp:
    """The one factory for the command line and the tests."""
    return ShuangyongApp(ctx, **options)


def run_app(ctx: AppContext) -> int:
    """Run the app; the exit status: 1 after a crash (Textual prints the traceback) or when
    the app ended on its error screen (the plan or the state file could not be opened)."""
    app = build_app(ctx)
    app.run()
    return app.return_code or (1 if app.load_error is not None else 0)


def run_review(result, source, target) -> list[str] | None:
    """`import FILE --review`: the review screen on its own; the lines saying what was saved."""
    from .review import ReviewApp

    return ReviewApp(result, source, target).run()
