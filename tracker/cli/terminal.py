"""The command line's side of the terminal: nothing raw reaches it, a closed pipe ends quietly,
and the app starts only on a real terminal.

Every command writes through click.echo to sys.stdout and sys.stderr. While a command runs,
both are a `GuardedStream` that passes each piece of text through `textsafe.visible` (keeping
newlines and tabs, which the layout uses): one rule at the exit, whatever module printed the
text and whichever user-sourced string it carries. Text of type `textsafe.Checked` (made safe
by textsafe itself, e.g. a 10,000-row JSON list) is written without a second scan. Bytes (an .ics written to stdout) go to the
binary stream untouched: they are a file's content, not terminal text.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterable, Iterator

from tracker.textsafe import Checked, visible

KEEP = "\n\t"

# The exit status after the reader of a pipe went away (`list | head`): 128 + SIGPIPE, what the
# shell reports for `ls`, `cat` or `git log` in the same place, so a script under
# `set -o pipefail` sees the same thing it sees for them, and can tell the output was cut.
BROKEN_PIPE_EXIT = 141


class GuardedStream(io.TextIOBase):
    """A text stream that shows control characters as visible escapes."""

    def __init__(self, inner) -> None:
        self._inner = inner
        # An ASCII locale (LANG=C on an old system) cannot carry Chinese: write UTF-8 bytes,
        # as click itself would.
        self._binary = getattr(inner, "buffer", None) if _is_ascii(inner) else None

    def write(self, text: str) -> int:
        safe = text if type(text) is Checked else visible(text, KEEP)
        if self._binary is not None:
            self._inner.flush()
            self._binary.write(safe.encode("utf-8", "replace"))
        else:
            self._inner.write(safe)
        return len(text)

    def flush(self) -> None:
        self._inner.flush()
        if self._binary is not None:
            self._binary.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    @property
    def encoding(self):  # type: ignore[override]
        return "utf-8" if self._binary is not None else self._inner.encoding

    @property
    def errors(self):  # type: ignore[override]
        return "replace" if self._binary is not None else self._inner.errors

    @property
    def buffer(self):
        return self._inner.buffer

    @property
    def inner(self):
        return self._inner


def echo_checked(text: Checked | Iterable[Checked]) -> None:
    """click.echo for text tracker.textsafe has already made safe (a large JSON list, whole
    or as pieces made while they are written): writes the guard passes through, then the
    newline."""
    stream = sys.stdout
    if stream is None:
        return
    for piece in (text,) if isinstance(text, str) else text:
        stream.write(piece)
    stream.write("\n")
    stream.flush()


def _is_ascii(stream) -> bool:
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "ascii"
    except LookupError:
        return False


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """sys.stdout and sys.stderr guarded for the duration of a command."""
    saved = sys.stdout, sys.stderr
    if isinstance(sys.stdout, GuardedStream) or sys.stdout is None or sys.stderr is None:
        yield
        return
    sys.stdout = GuardedStream(sys.stdout)
    sys.stderr = GuardedStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@contextlib.contextmanager
def unguarded() -> Iterator[None]:
    """The real streams back, for the app (it draws its own screen)."""
    saved = sys.stdout, sys.stderr
    if isinstance(sys.stdout, GuardedStream):
        sys.stdout = sys.stdout.inner
    if isinstance(sys.stderr, GuardedStream):
        sys.stderr = sys.stderr.inner
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def silence_stdout() -> None:
    """After a broken pipe: point stdout at the null device so the interpreter's last flush at
    exit does not complain (the advice of Python's signal module documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass


def is_terminal(stream) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, OSError):
        return False


NO_TERMINAL = (
    "终端界面需要在终端（命令行窗口）中运行，当前的输入或输出不是终端（例如来自管道、重定向或定时任务）。"
    "在脚本中请使用 list、show、done 等命令；要打开界面，请直接在终端中运行 shuangyong-tui。"
)
