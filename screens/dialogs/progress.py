"""A long job (a large copy into the 档案, the 档案 export) run in a worker thread, with its
progress shown and the screen free: Esc cancels, q cancels and then quits.

The job is a function taking ``report(done, total, text)``; it runs in a thread worker and
calls report as it goes. Once cancelled, the next report raises
:class:`~tracker.errors.Cancelled`, which the tracker code lets through after removing what
it had written; the dialog closes only when the job has stopped, so nothing half-copied
remains when the dialog is gone (or the app has quit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from ..widgets.progress import JobProgress

Report = Callable[[int, int, str], None]

REPORT_SECONDS = 0.05  # at most 20 redraws a second, whatever the chunk size


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: BaseException | None = None
    cancelled: bool = False


class ProgressDialog(ModalScreen[Outcome]):
    DEFAULT_CSS = """
    ProgressDialog {
        align: center middle;
        & > #dialog {
            width: 72; max-width: 100%; height: auto; max-height: 100%;
            border: ascii $accent; background: $surface; padding: 0 1;
        }
        & #dialog-title { text-style: bold; width: 1fr; margin-bottom: 1; }
        & #progress-hint { color: $text-muted; margin-top: 1; }
    }
    """

    BINDINGS = [
        Binding("escape", "stop", "取消"),
        Binding("q", "stop_and_quit", "取消并退出"),
    ]

    class Step(Message):
        def __init__(self, done: int, total: int, text: str) -> None:
            super().__init__()
            self.done, self.total, self.text = done, total, text

    def __init__(self, title: str, job: Callable[[Report], Any], *, first: str = "正在准备") -> None:
        super().__init__()
        self.title_text = title
        self.job = job
        self.first = first
        self.stopping = threading.Event()
        self.quit_after = False
        self._last = 0.0

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.title_text), id="dialog-title")
            yield JobProgress(id="progress")
            yield Static(Content("Esc 取消（已复制的部分会删除）  q 取消并退出"), id="progress-hint")

    def on_mount(self) -> None:
        self.query_one(JobProgress).update_progress(0, 0, self.first)
        self._run()

    # -- the worker ----------------------------------------------------------------------------
    def _report(self, done: int, total: int, text: str) -> None:
        """Called from the worker thread."""
        from tracker.errors import Cancelled

        if self.stopping.is_set():
            raise Cancelled("已取消")
        now = monotonic()
        if now - self._last >= REPORT_SECONDS or (total and done >= total):
            self._last = now
            self.post_message(self.Step(done, total, text))  # thread-safe, does not wait

    @work(thread=True, exclusive=True, group="progress")
    def _run(self) -> Outcome:
        from tracker.errors import Cancelled

        try:
            return Outcome(value=self.job(self._report))
        except Cancelled:
            return Outcome(cancelled=True)
        except BaseException as exc:  # shown by the caller, never as a traceback
            return Outcome(error=exc)

    def on_progress_dialog_step(self, message: Step) -> None:
        if not self.stopping.is_set():
            self.query_one(JobProgress).update_progress(message.done, message.total, message.text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Closed once the worker has finished, never while it still writes.
        if event.worker.group != "progress" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        outcome = event.worker.result if event.state is WorkerState.SUCCESS else Outcome(error=event.worker.error)
        self.dismiss(outcome)
        if self.quit_after:
            self.app.exit()

    # -- keys ----------------------------------------------------------------------------------
    def action_stop(self) -> None:
        if not self.stopping.is_set():
            self.stopping.set()
            bar = self.query_one(JobProgress)
            bar.update_progress(bar.done, bar.total, "正在取消，删除已复制的部分")

    def action_stop_and_quit(self) -> None:
        self.quit_after = True
        self.action_stop()
