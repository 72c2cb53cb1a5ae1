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
_TITLE_WORDS = re.compile(r"计划|方案|要点|安排|规划|打算")
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


@dataclass
class _Line:
    text: str
    kind: str
    numbered: bool = False
    index: int = 0


@dataclass
class _Row:
    cells: list[str]
    table: int
    index: int = 0


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

    def recognise(self, names) -> None:
        for name in names:
            if name and name not in self.recognised:
                self.recognised.append(name)

    def pop_to(self, level: int) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()


def _units(blocks: list[Block]) -> list[_Line | _Row]:
    units: list[_Line | _Row] = []
    row_key = None
    for block in blocks:
        if block.kind == "table-cell" and block.cell is not None:
            key = (block.cell[0], block.cell[1])
            if key != row_key or not units or not isinstance(units[-1], _Row):
                units.append(_Row([], block.cell[0]))
                row_key = key
            units[-1].cells.append(clean_text(block.text.replace("\n", "。").replace("。。", "。")))
            continue
        row_key = None
        for raw in block.text.splitlines() or [block.text]:
            text = clean_text(raw)
            if text:
                units.append(_Line(text, block.kind, block.numbered))
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
