"""The screen shown instead of a traceback: a broken plan, a damaged state file."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static


class ErrorScreen(Screen[None]):
    DEFAULT_CSS = """
    ErrorScreen {
        padding: 1 2;
        & #error-title { text-style: bold; color: $error; margin-bottom: 1; }
        & #error-body { height: 1fr; }
        & #error-hint { color: $text-muted; margin-top: 1; }
    }
    """

    BINDINGS = [
        Binding("r", "retry", "重新载入"),
        Binding("q,escape", "quit", "退出"),
    ]

    def __init__(self, title: str, lines: list[str], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield Static(Content(self.title_text), id="error-title")
        with VerticalScroll(id="error-body"):
            yield Static(Content("\n".join(self.lines)), id="error-lines")
        yield Static(Content(self.hint or "修改后按 r 重新载入，按 q 退出。"), id="error-hint")
        yield Footer()

    @property
    def text(self) -> str:
        return "\n".join([self.title_text, *self.lines, self.hint])

    def action_retry(self) -> None:
        self.app.retry_load()  # type: ignore[attr-defined]

    async def action_quit(self) -> None:
        self.app.exit()


def describe_failure(exc: BaseException) -> tuple[str, list[str], str]:
    """Title, lines and hint in Chinese for an error met while opening the plan or the state file."""
    from tracker.errors import PlanError, StoreError, TrackerError

    if isinstance(exc, PlanError):
        errors = exc.errors
        lines = [str(p) for p in exc.problems]
        path = exc.problems[0].path if exc.problems else ""
        return (
            f"计划文件有 {len(errors) or len(lines)} 处错误，无法打开",
            lines,
            f"请修改计划文件后按 r 重新载入（也可运行 shuangyong-tui validate {path} 逐条查看），按 q 退出。",
        )
    if isinstance(exc, StoreError):
        return ("状态文件无法读取或写入", [str(exc)], "请检查文件后按 r 重新载入，按 q 退出。")
    if isinstance(exc, TrackerError):
        return ("无法打开", [str(exc)], "")
    if isinstance(exc, OSError):
        where = f"：{exc.filename}" if getattr(exc, "filename", None) else ""
        return ("文件操作失败", [f"文件操作失败{where}（{exc.strerror or exc}）"], "")
    return ("程序内部错误", [f"{type(exc).__name__}: {exc}"], "请把这条信息告诉维护人员。按 r 重试，按 q 退出。")


def failure_text(exc: BaseException) -> str:
    """One line in Chinese for a change that failed (shown in its dialog or a message)."""
    from tracker.errors import TrackerError

    if isinstance(exc, TrackerError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"：{exc.filename}" if getattr(exc, "filename", None) else ""
        return f"文件操作失败{where}（{exc.strerror or exc}）"
    return f"操作失败：{exc}"
