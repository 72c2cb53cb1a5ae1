"""What a screen may ask of the app it runs in, as a protocol: the screens use the app
through this and never import it (the app imports the screens)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tracker.service import AppContext, Tracker

    from .board import Board
    from .dialogs.progress import Report


class Host(Protocol):
    ctx: AppContext
    board: Board | None
    timings: dict[str, float]  # perf_counter() of the first frame and of the rows drawn

    @property
    def ctx_today(self) -> date: ...

    def edit(self, occurrence_id: str, change: Callable[[Tracker], object], year: int | None = None) -> str | None: ...

    def edit_slow(
        self, occurrence_id: str, change: Callable[[Tracker, Report], object], year: int | None = None, *,
        title: str, finished: Callable[[str | None], None],
    ) -> None: ...

    def undo(self) -> None: ...

    def export_ics(self, owner: str | None = None) -> None: ...

    def reports(self) -> None: ...

    def import_plan(self) -> None: ...
