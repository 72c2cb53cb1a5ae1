"""The command palette, in Chinese to the last line."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

NO_MATCHES = "没有找到相符的命令"


class Palette(CommandPalette):
    """Textual's palette with its one English line ("No matches found") said in Chinese."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual has no setting for this text; this is its countdown with our words.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
