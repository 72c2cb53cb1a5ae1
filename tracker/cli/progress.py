"""A copy's progress on the terminal (`evidence --file … --archive`, `done … --file …
--archive`): one line on stderr, rewritten in place with ``\\r`` (已复制 x / y（p%）), and
nothing at all when stderr is not a terminal, so a script's log stays clean.

The callback is the one the app's progress dialog gives the same copy routine
(:meth:`Tracker.add_evidence` → :func:`tracker.state.evidence_files.read_evidence_file`):
``progress(done_bytes, total_bytes)``, in the same words (:func:`tracker.wording.copied_text`).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from time import monotonic

from tracker.textsafe import Checked
from tracker.textwidth import width
from tracker.wording import copied_text

EVERY_SECONDS = 0.1  # at most ten rewrites a second, whatever the chunk size


def progress_line(done: int, total: int) -> str:
    percent = min(done * 100 // total, 100) if total > 0 else 100
    return f"{copied_text(done, total)}（{percent}%）"


class LineProgress:
    """``progress(done, total)`` rewriting one line of `stream`; :meth:`end` ends the line."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = 0  # columns the line takes on screen

    def __call__(self, done: int, total: int) -> None:
        now = monotonic()
        if now - self.last < EVERY_SECONDS and done < total:
            return
        self.last = now
        text = progress_line(done, total)
        columns, before = width(text), self.shown
        # Counted before writing: a Ctrl+C landing right after the write must still end the line.
        self.shown = columns
        # Our own text (numbers and fixed words): written as it is, the \r included.
        self.stream.write(Checked("\r" + text + " " * max(before - columns, 0)))
        self.stream.flush()

    def end(self) -> None:
        if self.shown:
            self.stream.write(Checked("\n"))
            self.stream.flush()
            self.shown = 0


@contextlib.contextmanager
def copy_progress(wanted: bool) -> Iterator[LineProgress | None]:
    """The progress callback for a copy (None when not `wanted` or stderr is no terminal);
    the line is ended however the copy ends, before any message that follows."""
    stream = sys.stderr
    if not wanted or not stream.isatty():
        yield None
        return
    line = LineProgress(stream)
    try:
        yield line
    finally:
        with contextlib.suppress(OSError):
            line.end()
