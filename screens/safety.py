"""The app's exit to the terminal: no raw control character leaves it.

Text from plan and state files can carry escape sequences (OSC 52 clipboard, window titles,
clear screen, hidden text) and bidi overrides. The screens show such text as visible escapes
(tracker.model.visible, e.g. in text.fit); this line filter is the backstop under every widget,
dialog and notification: a character that would still reach the terminal raw is blanked,
keeping the line's cell width, so nothing a screen forgets can act on the terminal.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.filter import LineFilter

from tracker.model import has_unsafe


class NoRawControls(LineFilter):
    def apply(self, segments: list[Segment], background) -> list[Segment]:  # noqa: ARG002
        result = None
        for index, segment in enumerate(segments):
            text = segment.text
            if segment.control or not has_unsafe(text):
                continue
            if result is None:
                result = list(segments)
            # Its visible escape would be wider than the cells the layout gave the raw text.
            safe = "".join("" if has_unsafe(ch) else ch for ch in text)
            safe += " " * max(cell_len(text) - cell_len(safe), 0)
            result[index] = Segment(safe, segment.style)
        return segments if result is None else result


NO_RAW_CONTROLS = NoRawControls()
