"""Radio buttons and checkboxes drawn in ASCII: Textual's half blocks and bullet (▐ ● ▌) are
East Asian ambiguous-width characters, drawn two cells wide in a Chinese-locale terminal."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class Choice(RadioButton):
    BUTTON_LEFT = "("
    BUTTON_INNER = "*"
    BUTTON_RIGHT = ")"


class Tick(Checkbox):
    BUTTON_LEFT = "["
    BUTTON_INNER = "x"
    BUTTON_RIGHT = "]"
