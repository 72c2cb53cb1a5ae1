"""What the screens tell each other, as messages (no duck-typed hooks).

The app posts BoardLoaded and BoardChanged to every open screen; a screen posts OpenDetail
or OpenMeeting and the app, which knows every screen, opens it. So no screen module imports
another screen module or the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tracker.model import TrackedOccurrence


@dataclass
class BoardLoaded(Message):
    """The year's rows were read for the first time: draw everything from the board."""

    bubble = False


@dataclass
class BoardChanged(Message):
    """The board was updated: one row edited (`row`), or everything re-read (None)."""

    row: TrackedOccurrence | None = None
    bubble = False


@dataclass
class OpenDetail(Message):
    """Show everything about one occurrence (of `year`, when not the viewed one)."""

    occurrence_id: str
    year: int | None = None


@dataclass
class OpenMeeting(Message):
    """Open the weekly meeting view."""
