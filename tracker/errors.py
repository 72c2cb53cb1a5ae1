"""Errors the tool reports to its user, in Chinese, never as a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class TrackerError(Exception):
    """Base of every error the tool explains to its user; str() is the message."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan file: ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        tag = "警告：" if self.severity == "warning" else ""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {tag}{self.message}"


class PlanError(TrackerError):
    """A plan that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class WhenError(TrackerError):
    """A `when` expression that cannot be read. The message is Chinese and says why."""


class Cancelled(TrackerError):
    """The user stopped a long operation (a large copy); nothing of it was kept or recorded.

    Raised by the progress callback the caller passed in, so it leaves through the code that
    copies, which removes whatever it had written."""


class StoreError(TrackerError):
    """The state file cannot be read or written; the message names the file and the backup."""


class UnknownOccurrence(TrackerError):
    """An id that matches nothing, or more than one occurrence (then candidates is set)."""

    def __init__(self, message: str, candidates: tuple[str, ...] = ()):
        self.candidates = candidates
        super().__init__(message)


def display_path(path: Path | str) -> str:
    return str(path)
