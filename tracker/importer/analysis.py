"""The walk over the document: each line or table row becomes a heading, a paragraph or a row of
tasks.
"""

from __future__ import annotations

import re

from .categories import STANDARD_CATEGORIES, _is_generic, map_category
from .sentences import TITLE_LIMIT, _ACTION, _SLOGAN, line_skip_reason, split_sentences
from .structure import (
    _Context, _Heading, _Row, _closes_heading, _heading_candidate, _heading_mode, _is_title_like,
    _next_line, _numbering, _section, _split_label,
)
from .tasks import _paragraph
from .times import best_time, label_time
from .units import _UNIT_SUFFIX, _units_in_phrase, take_owner_notes


def _heading_fate(ctx: _Context, text: str) -> None:
    if _heading_mode(text) == "skip":
        ctx.fate("skipped", "指导思想")
    elif _is_framing_heading(text):
        ctx.fate("skipped", "框架性小标题")
    else:
        ctx.fate("category")


def _is_framing_heading(text: str) -> bool:
    return _is_generic(text) and not map_category(text)


# "积极宣传，营造双拥氛围。结合…": two short phrases leading an item are its heading.
_PAIRED_HEADING = re.compile(r"^[^，,、]{2,8}[，,][^，,、]{2,12}$")


def _is_signature(units: list, i: int) -> bool:
    """The unit's name under the plan: a bare unit name on one of the last lines."""
    text = units[i].text
    if len(text) > 20 or i < len(units) - 2 or i == 0:
        return False
    return _units_in_phrase(text) == [text] or bool(_UNIT_SUFFIX.match(text))


def analyse(units: list, fallback_title: str, year: int) -> _Context:
    """Tasks, headings and the fate of every line, for the units of one plan."""
    ctx = _Context(year=year)
    for i, unit in enumerate(units):
        ctx.paragraph_no = i + 1
        ctx.line_owner = (None, [])
        if isinstance(unit, _Row):
            _handle_row(ctx, unit)
            continue
        text = unit.text
        reason = line_skip_reason(text)
        if reason:
            ctx.fate("skipped", reason)
            continue
        text, owner, support = take_owner_notes(text)
        ctx.line_owner = (owner, support)
        section = _section(text)
        if section:
            ctx.stack.clear()
            ctx.section = section[0]
            ctx.fate("header", "篇目")
            if not ctx.title and section[1] and _is_title_like(section[1]):
                ctx.title = section[1]
            continue
        num = _numbering(text)
        if num is None and unit.numbered:
            num = ("", 4, text)
        # A whole paragraph styled as a heading is still a paragraph.
        styled_heading = unit.kind == "heading" and len(text) <= TITLE_LIMIT and not re.search(r"[。；;]", text)
        if num is None:
            if _SLOGAN.search(text) and not best_time(text):
                ctx.fate("skipped", "计划的引言")
                continue
            if _is_signature(units, i):
                ctx.fate("header", "落款单位")
                continue
            if styled_heading or _unnumbered_heading(text):
                if not ctx.title and not ctx.drafts and _is_title_like(text):
                    ctx.title = text
                    ctx.fate("header", "计划标题")
                    continue
                ctx.pop_to(1)
                label, body = _split_label(text)
                heading_text = label or text
                ctx.stack.append(_Heading(1, "", heading_text, label_time(heading_text), _heading_mode(heading_text)))
                if body and label:
                    _paragraph(ctx, body, "")
                _heading_fate(ctx, heading_text)
                continue
            label, body = _split_label(text)
            if label and body:
                # "5月：…" labels its own paragraph only; a numbered label opens a block.
                time = label_time(label)
                _paragraph(ctx, body, "", para_time=time, extra_heading=None if time else _Heading(7, "", label))
            else:
                _paragraph(ctx, text, "")
            continue
        numbering, level, rest = num
        nxt = _next_line(units, i)
        is_heading = styled_heading or (_heading_candidate(rest) and not _closes_heading(level, nxt))
        ctx.pop_to(level)
        label, body = _split_label(rest)
        if is_heading:
            heading_text = (label or rest).rstrip("。.；;")
            ctx.stack.append(_Heading(level, numbering, heading_text, label_time(heading_text), _heading_mode(heading_text)))
            if label and body:
                _paragraph(ctx, body, "", pushed=True)
            _heading_fate(ctx, heading_text)
            continue
        if label and body:
            ctx.stack.append(_Heading(level, numbering, label, label_time(label), _heading_mode(label)))
            _paragraph(ctx, body, "", pushed=True)
            continue
        # "一、加强领导，健全组织机构。加强对…": a short lead sentence is this item's heading.
        sentences = split_sentences(rest)
        lead = sentences[0].rstrip("。！!") if sentences else ""
        if (
            len(sentences) > 1
            and len(lead) <= 20
            and (not _ACTION.search(lead) or _PAIRED_HEADING.match(lead))
            and not best_time(lead)
        ):
            before = len(ctx.drafts)
            ctx.stack.append(_Heading(level, numbering, lead, None, _heading_mode(lead)))
            _paragraph(ctx, "".join(sentences[1:]), "", pushed=True)
            if len(ctx.drafts) > before or not _ACTION.search(lead):
                continue
            ctx.stack.pop()  # the body holds no work: the lead itself is the task
        _paragraph(ctx, rest, numbering)
    if not ctx.title:
        ctx.title = fallback_title
    return ctx


def _unnumbered_heading(text: str) -> bool:
    if len(text) > 25 or re.search(r"[。；;，,！!？?]", text):
        return False
    if _ACTION.search(text):
        return False
    label, body = _split_label(text)
    return not (label and body)


_HEADER_ROLES = (
    ("seq", re.compile(r"^(?:序号|编号|序)$")),
    ("time", re.compile(r"时间|日期|时限|月份|季度|时段|期限")),
    ("support", re.compile(r"配合|协办|协助")),
    ("owner", re.compile(r"责任|负责|牵头|主办|承办|单位|部门|责任人")),
    ("category", re.compile(r"类别|分类|类型|板块|项目类")),
    ("notes", re.compile(r"备注|说明")),
    ("content", re.compile(r"内容|任务|事项|措施|活动|项目|工作")),
)


def _header_roles(cells: list[str]) -> dict[str, int] | None:
    if not cells or any(len(c) > 10 for c in cells):
        return None
    roles: dict[str, int] = {}
    for col, cell in enumerate(cells):
        for role, regex in _HEADER_ROLES:
            if regex.search(cell) and role not in roles:
                roles[role] = col
                break
    return roles if "content" in roles and len(roles) >= 2 else None


def _is_unit_list(text: str) -> bool:
    """A cell that only names units ("民政办、人武部"), as in a 责任单位 column."""
    if len(text) > 30:
        return False
    parts = [p for p in re.split(r"[、，,/；;\s和及]+", text) if p]
    return bool(parts) and all(_units_in_phrase(p) == [re.sub(r"^(?:县|区|市|镇|乡|街道|局|各|全)", "", p)]
                               or _units_in_phrase(p) == [p] for p in parts)


def _handle_row(ctx: _Context, row: _Row) -> None:
    cells = [c for c in row.cells]
    distinct = [c for c in dict.fromkeys(cells) if c]
    if not distinct:
        ctx.fate("skipped", "空行")
        return
    if len(distinct) == 1:
        # A row with one text (merged across): a heading or a paragraph, like any line.
        _analyse_line_in_row(ctx, distinct[0])
        return
    roles = ctx.table_roles.get(row.table)
    header = _header_roles(cells)
    if header is not None and roles is None:
        ctx.table_roles[row.table] = header
        ctx.fate("header", "表头")
        return
    time_text = owner_text = support_text = category_text = notes_text = seq_text = ""
    content = ""
    if roles:
        def cell(role: str) -> str:
            col = roles.get(role)
            return cells[col] if col is not None and col < len(cells) else ""

        time_text, owner_text, support_text = cell("time"), cell("owner"), cell("support")
        category_text, notes_text, seq_text, content = cell("category"), cell("notes"), cell("seq"), cell("content")
        used = set(roles.values())
        extra = [c for col, c in enumerate(cells) if col not in used and c and c != content]
        if extra:
            content = "。".join([content, *extra]) if content else "。".join(extra)
    else:
        rest = []
        for c in cells:
            if not c or c in rest:
                continue
            if re.fullmatch(r"[\d一二三四五六七八九十（）()、.．]+", c) and not seq_text:
                seq_text = c
            elif not time_text and len(c) <= 16 and label_time(c):
                time_text = c
            elif not owner_text and _is_unit_list(c):
                owner_text = c
            elif not category_text and c in STANDARD_CATEGORIES:
                category_text = c
            else:
                rest.append(c)
        if not rest:
            ctx.fate("skipped", "没有工作内容")
            return
        longest = max(rest, key=len)
        content = "。".join([longest] + [c for c in rest if c is not longest])
    if not content:
        ctx.fate("skipped", "没有工作内容")
        return
    para_time = label_time(time_text) if time_text else None
    notes = []
    if time_text and para_time is None:
        notes.append(f"原文时间：{time_text}")
    if notes_text:
        notes.append(notes_text)
    owners = [p.strip() for p in re.split(r"[、，,/；;\s]+", owner_text) if p.strip()] if owner_text else []
    owners = [o for o in owners if len(o) <= 20]
    supports = [p.strip() for p in re.split(r"[、，,/；;\s]+", support_text) if p.strip()] if support_text else []
    supports = [s for s in supports if len(s) <= 20]
    if len(owners) > 1:
        supports = owners[1:] + supports
    ctx.recognise(owners + supports)
    heading = None
    if category_text:
        heading = _Heading(7, "", category_text)
    _paragraph(
        ctx, content, seq_text.rstrip("、.．") + ("、" if seq_text else ""),
        para_time=para_time,
        owner_hint=owners[0] if owners else None,
        support_hint=supports,
        extra_heading=heading,
        extra_notes=notes,
        undated_note=bool(time_text and para_time is None),
    )


def _analyse_line_in_row(ctx: _Context, text: str) -> None:
    """A one-text row: treated like a free line (heading when short, tasks otherwise)."""
    num = _numbering(text)
    rest = num[2] if num else text
    if _heading_candidate(rest) and not re.search(r"[。；;]", rest) and not _ACTION.search(rest):
        level = num[1] if num else 1
        ctx.pop_to(level)
        ctx.stack.append(_Heading(level, num[0] if num else "", rest, label_time(rest), _heading_mode(rest)))
        return
    _paragraph(ctx, rest, num[0] if num else "")
