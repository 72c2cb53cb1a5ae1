"""Small value helpers of the store: the clock, the login name, JSON-ready values, NUL."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tracker.state.evidence_files import InvalidChange


def local_now() -> datetime:
    return datetime.now().astimezone()


class Clock:
    """The current aware datetime from a replaceable function. Shared by a Store and its
    log without the log holding the Store (a cycle would leave a discarded Store, with all
    its events, to the cyclic collector: a full collection of seconds later on)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[], datetime] | None = None) -> None:
        self.fn = fn or local_now

    def __call__(self) -> datetime:
        now = self.fn()
        return now if now.tzinfo is not None else now.astimezone()


def default_user() -> str:
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no login name at all (some containers, services)
        return "unknown"


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def no_nul(*texts: str) -> None:
    for text in texts:
        if "\0" in text:
            raise InvalidChange("输入的文字中含有空字符（\\0），无法保存；请检查后重新输入。")
