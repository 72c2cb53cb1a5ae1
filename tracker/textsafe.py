"""Text from plan and state files, made safe to show on a terminal.

Plan titles, owners, notes, `--by` names, reasons, labels and evidence file names are written
by other people (a colleague on a shared folder, an imported document). Shown raw, an escape
sequence in them can set the clipboard (OSC 52), rename the terminal window (OSC 0), clear
the screen (CSI 2J), hide text (CSI 8m) or reorder a line (bidi overrides). `visible` turns
every such character into visible text, the way `ls` and git show odd file names:

- C0 controls, DEL and C1 controls become backslash escapes (`\\e`, `\\r`, `\\a`, `\\x7f`, `\\x9b`);
- bidi overrides and isolates, zero-width and other invisible format characters, line and
  paragraph separators, tag characters and lone surrogates become `<U+202E>`.

Printable text, Chinese included, is returned unchanged (the common case costs one regex
search). Both exits use it: the command line (tracker.cli) and the app's screens (through
tracker.service).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NAMED = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e"}

# Unicode general categories Cc, Cf, Zl, Zp and Cs, plus the invisible Hangul fillers.
_RANGES = (
    (0x00, 0x1F), (0x7F, 0x9F),  # C0, DEL, C1
    (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891),
    (0x8E2, 0x8E2), (0x115F, 0x1160), (0x180E, 0x180E),
    (0x200B, 0x200F),  # zero-width space and joiners, LRM, RLM
    (0x2028, 0x202E),  # line and paragraph separators, bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates, deprecated formats
    (0x3164, 0x3164), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB),
    (0xD800, 0xDFFF),  # lone surrogates (undecodable bytes in a file name)
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F),  # language tag and tag characters (hidden text)
)
_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(keep: str) -> re.Pattern[str]:
    """One character class (no lookahead: the search stays a fast scan) without `keep`."""
    pattern = _PATTERNS.get(keep)
    if pattern is None:
        kept = sorted({ord(ch) for ch in keep})
        parts = []
        for low, high in _RANGES:
            for code in kept:
                if low <= code <= high:
                    if low < code:
                        parts.append((low, code - 1))
                    low = code + 1
            if low <= high:
                parts.append((low, high))
        cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in parts)
        pattern = _PATTERNS[keep] = re.compile(f"[{cls}]")
    return pattern


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if code < 0xA0:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def visible(text: str, keep: str = "") -> str:
    """`text` with every control, bidi and invisible format character shown as a visible
    escape. Characters in `keep` (e.g. "\\n" for multi-line output) pass through."""
    if _printable(text, keep):
        return text
    return _pattern(keep).sub(_escape, text)


def _printable(text: str, keep: str) -> bool:
    # str.isprintable is a C scan and false for every character escaped here (and for a few
    # harmless ones, such as the ideographic space, which then take the exact regex path).
    for ch in keep:
        text = text.replace(ch, "")
    return text.isprintable()


def has_unsafe(text: str, keep: str = "") -> bool:
    """Whether `visible` would change the text."""
    return not _printable(text, keep) and _pattern(keep).search(text) is not None


class Checked(str):
    """Text this module has already made safe (see json_lines): the command line's exit
    (tracker.cli.terminal) writes it without scanning it a second time."""

    __slots__ = ()


def json_safe(text: str) -> str:
    """JSON text (as json.dumps writes it) with the characters `visible` escapes written as
    JSON `\\uXXXX` escapes instead: the same data for a program, nothing raw for a terminal.
    Apply only to the encoder's output, where such characters occur inside strings."""
    if _printable(text, "\n"):
        return text
    return _pattern("\n").sub(_json_escape, text)


def json_lines(values, encode) -> Checked:
    """A JSON list with one value per line, each encoded by `encode` (a JSON encoder's
    `encode`, whose output has no raw newline) and made safe as json_safe makes it."""
    return Checked("".join(json_chunks(values, encode)))


def json_chunks(values, encode, per: int = 256) -> Iterator[Checked]:
    """json_lines in pieces of `per` values, for writing as they are made: a 10,000-row list
    is then never held whole, nor its rows, nor its text (a third less memory for `list
    --json`, and less time, since the process touches less new memory). Each value is
    checked on its own, so a large list is scanned once and never copied to be scanned."""
    pattern = _pattern("")
    batch: list[str] = []
    opened = False
    for piece in map(encode, values):
        batch.append(piece if piece.isprintable() else pattern.sub(_json_escape, piece))
        if len(batch) == per:
            yield Checked((",\n" if opened else "[\n") + ",\n".join(batch))
            opened, batch = True, []
    if batch:
        yield Checked((",\n" if opened else "[\n") + ",\n".join(batch) + "\n]")
    else:
        yield Checked("\n]" if opened else "[]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
