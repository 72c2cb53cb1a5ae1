"""How far a long job has come: a bar, the percentage, and what is counted (bytes, files).

One widget for every long job the app runs (a copy into the 档案, the 档案 export). The bar
is ASCII (``#`` done, ``.`` to do): block characters are drawn two cells wide in terminals
set for a Chinese locale, and the percentage is also written out, so it reads without
colour too.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tracker.service import byte_amount as amount  # noqa: F401  (bytes as the commands say them)


class JobProgress(Static):
    """``update_progress(done, total, text)``: the bar for done/total and a line of words."""

    DEFAULT_CSS = """
    JobProgress { height: 2; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.done = 0
        self.total = 0
        self.text = "正在准备"

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    @property
    def fraction(self) -> float:
        if self.total <= 0:
            return 0.0
        return min(max(self.done / self.total, 0.0), 1.0)

    def update_progress(self, done: int, total: int, text: str) -> None:
        self.done, self.total, self.text = done, total, text
        self._draw()

    def _draw(self) -> None:
        percent = f"{int(self.fraction * 100):3d}%"
        width = max((self.size.width or 40) - len(percent) - 3, 4)
        filled = int(self.fraction * width)
        bar = Content.assemble(
            "[",
            ("#" * filled, "$success"),
            ("." * (width - filled), "$text-muted"),
            "] ",
            (percent, "bold"),
        )
        self.update(Content.assemble(bar, "\n", Content(self.text)))
