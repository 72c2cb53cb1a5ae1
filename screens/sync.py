"""The `y` screen: phone calendars. The subscription addresses, the last CalDAV sync, and `s`
to run that sync again (the same collection and account; the password from the environment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker import service
from tracker.errors import TrackerError

if TYPE_CHECKING:
    from .board import Board


class SyncScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    SyncScreen {
        align: center middle;
        & > #sync {
            width: 96; max-width: 100%; height: auto; max-height: 100%;
            border: thick $accent 60%; background: $surface; padding: 0 1;
        }
        & #sync-title { text-style: bold; margin-bottom: 1; }
        & #sync-body { height: auto; max-height: 80vh; }
    }
    """

    BINDINGS = [Binding("s", "sync", "立即同步"), Binding("escape,q", "close", "关闭")]
    AUTO_FOCUS = "#sync-body"

    def __init__(self, board: Board, db_path) -> None:
        super().__init__()
        self.board = board
        self.db_path = db_path
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(id="sync"):
            yield Static(Content("手机日历（按 s 立即同步，Esc 关闭）"), id="sync-title")
            with VerticalScroll(id="sync-body"):
                yield Static(Content(self.feeds_text()), id="sync-feeds")
                yield Static(Content(self.last_text()), id="sync-last")

    def feeds_text(self) -> str:
        try:
            with self.board.lock:
                feeds = service.calendar_feeds(self.board.tracker)
        except TrackerError as exc:
            return f"订阅地址：{exc}"
        lines = ["订阅地址（运行 shuangyong-tui serve 后，在手机日历中添加订阅即可；地址即密码，请勿外传）："]
        lines += [f"  {service.visible(label)}：{url}" for label, url in feeds]
        return "\n".join(lines)

    def last_text(self) -> str:
        last = service.last_sync(self.db_path)
        if last is None:
            return "\nCalDAV 同步：尚未同步。先在命令行运行 shuangyong-tui sync --caldav 地址 --user 用户名。"
        lines = ["", "上次同步：" + service.visible(last.line())]
        lines += [f"  {service.visible(m)}" for m in last.messages[:10]]
        return "\n".join(lines)

    def action_sync(self) -> None:
        if self.running:
            return
        self.running = True
        self.query_one("#sync-last", Static).update(Content("\n正在同步，请稍候"))
        self.run_sync()

    @work(thread=True, exclusive=True)
    def run_sync(self) -> None:
        try:
            with self.board.lock:
                last = service.sync_again(self.board.tracker, self.db_path)
            message, severity = service.visible(last.line()), "information"
        except TrackerError as exc:
            message, severity = service.visible(str(exc)), "error"
        self.app.call_from_thread(self.finished, message, severity)

    def finished(self, message: str, severity: str) -> None:
        self.running = False
        self.query_one("#sync-last", Static).update(Content(self.last_text()))
        self.app.notify(message, title="日历同步", severity=severity, timeout=10, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
