"""Owners and supporting units named in a sentence (责任单位, 由…负责, …牵头, …配合).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT_NAMES = (
    "社区党工委", "社区党委", "社区居委会", "社区医院", "街道办事处", "退役军人事务站", "退役军人服务站",
    "退役军人事务局", "劳动人事部门", "民政部门", "党工委", "党支部", "居委会", "村委会", "民政办",
    "民政局", "民政所", "人武部", "武装部", "司法所", "司法局", "共青团", "团委", "团支部", "妇联",
    "消防中队", "消防大队", "消防支队", "武警中队", "军分区", "教育局", "学生科", "派出所", "卫生院",
    "政府办", "党政办", "双拥办", "少先队", "文化站", "人社局", "宣传部", "财政所", "财政局", "党委",
)
_UNIT_RE = re.compile(
    "|".join(re.escape(n) for n in sorted(_UNIT_NAMES, key=len, reverse=True))
    + r"|(?<![职员])工会(?!议)|驻[\u4e00-\u9fff]部队|双拥办公室"
)
_UNIT_ALIASES = {"双拥办公室": "双拥办"}
_UNIT_SUFFIX = re.compile(
    r"^[\u4e00-\u9fffA-Za-z0-9]{1,10}(?:科|办|所|部|局|委|会|站|队|院|中心|办公室|领导小组|支部|中队|大队|支队)$"
)
_NOT_UNIT = re.compile(r"(?:领导|负责人|成员|主任|书记|组长|部长|局长|校长|干部|班子|人员|我们|大家)$")
_SUPPORT_BEFORE = re.compile(r"(?:与|和|同|联合|会同|协同|配合|邀请|请|携手)[^，。；、]{0,8}$")
_SUBJECT_BEFORE = re.compile(r"^(?:由|各|县|区|市|镇|乡|街道|社区|基层|全|辖区|本|我|镇属|机关|医院|学校|\d|、|\s)*$")
_BY_RE = re.compile(r"由([^，。；由]{2,24}?)(?:牵头负责|具体负责|负责(?!人)|牵头|带队|组织|主持|召集|承办)")
_LEAD_RE = re.compile(r"牵头")
_HELP_RE = re.compile(r"配合|协助|协办")
_OBJECT_BEFORE = re.compile(
    r"(?:走访|慰问|看望|探望|拜访|问候|为|向|给|到|赴|深入|走进|帮助|服务于|支持|关心|联系|邀请|请)"
    r"(?:全县|全区|全镇|辖区|各|县|区|镇|乡)?$"
)

# Notes that name who does the work: "（责任单位：党政办）", "（牵头单位：民政办；配合单位：人武部）",
# "责任人：张明" at the end of an item.
_NOTE_ROLE = r"(?:责任单位|牵头单位|负责单位|主办单位|承办单位|责任部门|牵头部门|责任人|负责人|配合单位|协办单位|配合部门)"
_NOTE = re.compile(rf"[（(]\s*({_NOTE_ROLE}\s*[：:][^（()）]*)[)）]")
_TRAILING_NOTE = re.compile(rf"[，,；;\s]*({_NOTE_ROLE}\s*[：:][^。；;（(]+?)[。；;]?$")
_NOTE_PIECE = re.compile(rf"({_NOTE_ROLE})\s*[：:]\s*([^；;]*?)(?=[；;，,]?\s*{_NOTE_ROLE}\s*[：:]|$)")


def take_owner_notes(text: str) -> tuple[str, str | None, list[str]]:
    """(text without its 责任单位/责任人 notes, owner, supporting units)."""
    owner: str | None = None
    support: list[str] = []

    def take(note: str) -> None:
        nonlocal owner
        for m in _NOTE_PIECE.finditer(note):
            names = [n for n in re.split(r"[、，,/和及\s]+", m.group(2).strip(" 。.")) if n and len(n) <= 20]
            if not names:
                continue
            if m.group(1) in ("配合单位", "协办单位", "配合部门"):
                support.extend(names)
            elif owner is None:
                owner = names[0]
                support.extend(names[1:])
            else:
                support.extend(names)

    def cut(m: re.Match) -> str:
        take(m.group(1))
        return ""

    cleaned = _NOTE.sub(cut, text)
    cleaned = _TRAILING_NOTE.sub(cut, cleaned)
    if cleaned == text:
        return text, None, []
    support = [s for s in dict.fromkeys(support) if s != owner]
    return cleaned.strip(" ，,；;"), owner, support


def _window_before(text: str, pos: int, width: int = 14) -> str:
    """The words just before `pos`, back to the previous punctuation."""
    return re.split(r"[，。；,;：:！？]", text[max(0, pos - width):pos])[-1]


def _unit_name(match_text: str) -> str:
    return _UNIT_ALIASES.get(match_text, match_text)


def find_units(text: str) -> list[str]:
    """Unit names mentioned in the text, in order, without repeats."""
    names: list[str] = []
    for m in _UNIT_RE.finditer(text):
        name = _unit_name(m.group(0))
        if name not in names:
            names.append(name)
    return names


def _units_in_phrase(phrase: str) -> list[str]:
    """Units named by a 由X、Y负责 / X牵头 phrase: known names, or names with a unit suffix."""
    names: list[str] = []
    for part in re.split(r"[、和与及/]", phrase):
        part = re.sub(r"^(?:县|区|市|镇|乡|街道|局|各|全)", "", part.strip())
        known = find_units(part)
        if known:
            names.extend(n for n in known if n not in names)
        elif _UNIT_SUFFIX.match(part) and not _NOT_UNIT.search(part) and part not in names:
            names.append(part)
    return names


@dataclass(frozen=True)
class _Owners:
    owner: str | None
    support: tuple[str, ...]
    mentioned: tuple[str, ...]  # everything recognised (goes into the plan's owners)


def find_owners(text: str) -> _Owners:
    owner: str | None = None
    support: list[str] = []
    mentioned: list[str] = []
    for m in _BY_RE.finditer(text):
        names = _units_in_phrase(m.group(1))
        if names:
            owner = owner or names[0]
            support.extend(names[1:])
            mentioned.extend(names)
    if owner is None:
        for m in _LEAD_RE.finditer(text):
            names = _units_in_phrase(_window_before(text, m.start()).removeprefix("由"))
            if names:
                owner = names[0]
                support.extend(names[1:])
                mentioned.extend(names)
                break
    for m in _HELP_RE.finditer(text):
        names = _units_in_phrase(_window_before(text, m.start()))
        support.extend(names)
        mentioned.extend(names)
    for m in _UNIT_RE.finditer(text):
        name = _unit_name(m.group(0))
        before = text[: m.start()]
        if _OBJECT_BEFORE.search(before):
            continue  # 走访慰问驻地部队: the unit is what the work is done for, not who does it
        mentioned.append(name)
        if owner is None and _SUBJECT_BEFORE.match(before):
            owner = name
        elif _SUPPORT_BEFORE.search(before):
            support.append(name)
    support = [s for s in dict.fromkeys(support) if s != owner]
    return _Owners(owner, tuple(support), tuple(dict.fromkeys(mentioned)))
