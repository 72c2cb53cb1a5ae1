"""The document's structure: numbering levels, headings, parts (篇一 …), and the working records
the analysis fills in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .categories import _heading_core
from .reading import Block, clean_text
from .sentences import TITLE_LIMIT, _ACTION, _BOILERPLATE_PARAGRAPH
from .times import _Time, best_time, label_time


_NUMBERINGS = (
    (1, re.compile(r"^(第[一二三四五六七八九十百\d]+(?:章|部分|节))[、：:\s]*")),
    (2, re.compile(r"^([一二三四五六七八九十]{1,3}\s*[、．.](?!\d))\s*")),
    (3, re.compile(r"^([（(]\s*[一二三四五六七八九十]{1,3}\s*[)）][、．.]?)\s*")),
    (3, re.compile(r"^([㈠-㈩][、．.]?)\s*")),
    (4, re.compile(r"^(\d{1,2}\s*(?:[、．]|\.(?!\d)))\s*")),
    (5, re.compile(r"^([（(]\s*\d{1,2}\s*[)）][、．.]?)\s*")),
    (5, re.compile(r"^([①-⑳][、．.]?)\s*")),
)
_SECTION_RE = re.compile(r"^(?:篇\s*([一二三四五六七八九十百\d]+)\s*[：:、.．]?(.*)|(.*?)篇\s*([一二三四五六七八九十百\d]+))$")
_TITLE_WORDS = re.compile(r"计划|方案|要点|安排|规划|打算|分解表|一览表")
_TITLE_NOISE = re.compile(r"[（(](?:优质|精选)?[\d一二三四五六七八九十]+篇[)）]|[（(]优质[^)）]*[)）]")


def _numbering(text: str) -> tuple[str, int, str] | None:
    for level, regex in _NUMBERINGS:
        m = regex.match(text)
        if m and len(text) > m.end():
            return re.sub(r"\s+", "", m.group(1)), level, text[m.end():].strip()
    return None


def _section(text: str) -> tuple[str, str] | None:
    """(marker, title) for 篇一 / 篇1：… lines that start another sample plan."""
    if len(text) > 50 or re.search(r"[。；;]", text):
        return None
    m = _SECTION_RE.match(text)
    if not m:
        return None
    if m.group(1) is not None:
        return f"篇{m.group(1)}", m.group(2).strip()
    return f"篇{m.group(4)}", (m.group(3) or "").strip()


def _is_title_like(text: str) -> bool:
    return len(text) <= TITLE_LIMIT and not re.search(r"[。；;，,]", text) and bool(_TITLE_WORDS.search(text))


@dataclass
class _Heading:
    level: int
    numbering: str
    text: str
    time: _Time | None = None
    mode: str = ""  # "skip" (指导思想: slogans) | "goal" (目标: keep, mark) | ""


@dataclass
class _Draft:
    title: str
    when: str
    category: str
    owner: str | None
    support: list[str]
    source: str
    notes: list[str] = field(default_factory=list)
    evidence: tuple[str, ...] = ()
    amount: float | None = None
    checks: dict[str, str] = field(default_factory=dict)  # field → reason for `# 请核对`
    dated: bool = True
    id: str = ""
    unit: int = 0  # index of the line or row it came from


@dataclass
class _Line:
    text: str
    kind: str
    numbered: bool = False
    index: int = 0
    line: int = 0  # line of the text file (0: a Word document)


@dataclass
class _Row:
    cells: list[str]
    table: int
    index: int = 0
    line: int = 0

    @property
    def text(self) -> str:
        return " | ".join(c for c in self.cells if c)


@dataclass
class _Context:
    drafts: list[_Draft] = field(default_factory=list)
    stack: list[_Heading] = field(default_factory=list)
    section: str = ""
    title: str = ""
    recognised: list[str] = field(default_factory=list)
    table_roles: dict[int, dict[str, int]] = field(default_factory=dict)
    paragraph_no: int = 0
    year: int = 2026  # the year festival and block checks are computed for
    fates: dict[int, tuple[str, str]] = field(default_factory=dict)  # unit index → (kind, reason)
    line_owner: tuple[str | None, list[str]] = (None, [])  # from the current line's 责任单位 note

    def fate(self, kind: str, reason: str = "") -> None:
        """What became of the current line: "header", "category" or "skipped" (tasks are counted
        from the drafts); the first word on a line stands."""
        self.fates.setdefault(self.paragraph_no - 1, (kind, reason))

    def recognise(self, names) -> None:
        for name in names:
            if name and name not in self.recognised:
                self.recognised.append(name)

    def pop_to(self, level: int) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()


def units_of(blocks: list[Block]) -> list[_Line | _Row]:
    units: list[_Line | _Row] = []
    row_key = None
    for block in blocks:
        if block.kind == "table-cell" and block.cell is not None:
            key = (block.cell[0], block.cell[1])
            if key != row_key or not units or not isinstance(units[-1], _Row):
                units.append(_Row([], block.cell[0], line=block.line))
                row_key = key
            units[-1].cells.append(clean_text(block.text.replace("\n", "。").replace("。。", "。")))
            continue
        row_key = None
        for raw in block.text.splitlines() or [block.text]:
            text = clean_text(raw)
            if text:
                units.append(_Line(text, block.kind, block.numbered, line=block.line))
    for i, unit in enumerate(units):
        unit.index = i
    return units


def _next_line(units: list, i: int) -> _Line | None:
    for unit in units[i + 1:]:
        if isinstance(unit, _Row):
            return None
        if _BOILERPLATE_PARAGRAPH.search(unit.text):
            continue
        return unit
    return None


def _heading_candidate(rest: str) -> bool:
    """A numbered line short enough, and sentence-free enough, to be a heading."""
    stripped = rest.rstrip("。.；;！!")
    if re.search(r"[。；;！？!?]", stripped) or len(stripped) > 30:
        return False
    if best_time(stripped) and not label_time(stripped.split("：")[0]):
        return False
    if stripped != rest:  # ends like a sentence: only a short phrase without an activity
        return len(stripped) <= 20 and not _ACTION.search(stripped.replace("组织领导", ""))
    return True


def _closes_heading(level: int, nxt: _Line | None) -> bool:
    """True when the next line is a sibling or higher: then this line was an item, not a heading."""
    if nxt is None:
        return True
    if nxt.kind == "heading" or _section(nxt.text):
        return True
    num = _numbering(nxt.text)
    if num is None:
        return nxt.numbered and level >= 4
    return num[1] <= level


def _split_label(text: str) -> tuple[str, str]:
    m = re.match(r"^([^，,。；;：:]{1,16})[：:](.*)$", text)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return "", text


def _heading_mode(text: str) -> str:
    if "指导思想" in text:
        return "skip"
    if re.search(r"目标(?:任务)?$|总体目标|工作目标|主要目标|目标要求", _heading_core(text)):
        return "goal"
    return ""


# ---------------------------------------------------------------------------
# Parts: several plans in one file
# ---------------------------------------------------------------------------

_PLAN_TITLE = re.compile(r"(?:工作)?(?:计划|方案|要点)$")


@dataclass(frozen=True)
class Part:
    """One plan of a file that holds several (篇一 …, or one plan title after another)."""

    number: int  # 1-based, as `--part` takes it
    title: str
    first: int  # unit indexes, inclusive
    last: int
    first_line: int  # lines of the file (for Word documents: paragraph numbers)
    last_line: int
    marker: str = ""  # 篇一 …, when the file numbers its plans


def _title_line(unit) -> bool:
    return (
        isinstance(unit, _Line) and _numbering(unit.text) is None and _is_title_like(unit.text)
        and len(unit.text) >= 6 and bool(_PLAN_TITLE.search(_TITLE_NOISE.sub("", unit.text)))
    )


def _line_no(unit) -> int:
    return unit.line or unit.index + 1


def find_parts(units: list) -> list[Part]:
    """The plans in the file, in order; one part when it holds a single plan."""
    if not units:
        return []
    starts = [u.index for u in units if isinstance(u, _Line) and _section(u.text)]
    if len(starts) < 2:
        titles = [u.index for u in units if _title_line(u)]
        # A title repeated as the head of a new plan: each must have some body under it.
        spaced = [i for k, i in enumerate(titles) if (titles[k + 1] if k + 1 < len(titles) else len(units)) - i >= 4]
        starts = spaced if len(spaced) >= 2 and spaced == titles else []
    if len(starts) < 2:
        return [Part(1, "", 0, len(units) - 1, _line_no(units[0]), _line_no(units[-1]))]
    parts = []
    for n, start in enumerate(starts, 1):
        end = starts[n] - 1 if n < len(starts) else len(units) - 1
        section = _section(units[start].text) if isinstance(units[start], _Line) else None
        parts.append(Part(n, _part_title(units, start, end), start, end, _line_no(units[start]), _line_no(units[end]),
                          section[0] if section else ""))
    return parts


def _part_title(units: list, start: int, end: int) -> str:
    head = units[start].text
    section = _section(head)
    if section is not None:
        title = section[1]
        following = units[start + 1] if start + 1 <= end else None
        if following is not None and _title_line(following):
            return following.text
        return title or section[0]
    return head
