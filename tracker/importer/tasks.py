"""One paragraph → draft tasks: clauses kept or skipped, their time, owner, category, evidence.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from tracker.calendar.when import parse_when, slots_for
from tracker.errors import WhenError

from .categories import (
    OTHER_CATEGORY, STANDARD_CATEGORIES, _TEXT_CATEGORY_KEYS, _is_generic, _shorten_heading,
    map_category,
)
from .reading import _plain
from .sentences import (
    _ACTION, _AMOUNT, _BOILERPLATE_PARAGRAPH, _DECLARATIVE, _EVIDENCE_HINTS, _SLOGAN,
    _EXHORTATION, _UNSCHEDULED, _core, _starts_with_time, _title, split_clauses, split_sentences,
    without_owner_phrases,
)
from .structure import _Context, _Draft, _Heading
from .times import _Time, best_time, label_time
from .units import _BY_RE, _LEAD_RE, find_owners, take_owner_notes

FALLBACK_WHEN = "年内"


def _block(ctx: _Context) -> _Heading | None:
    for heading in reversed(ctx.stack):
        if heading.time is not None:
            return heading
    return None


def _category(ctx: _Context, text: str, extra: _Heading | None) -> tuple[str, str]:
    """(category, reason if guessed)."""
    headings = [h for h in ctx.stack if h.time is None or label_time(h.text) is None]
    if extra is not None:
        headings = headings + [extra]
    for heading in reversed(headings):
        if heading.text in STANDARD_CATEGORIES:
            return heading.text, ""
        if _is_generic(heading.text):
            continue
        category = map_category(_plain(heading.text))
        if category:
            return category, ""
    for heading in reversed(headings):
        if not _is_generic(heading.text):
            short = _shorten_heading(heading.text)
            if short:
                return short, ""
    category = map_category(_plain(text), _TEXT_CATEGORY_KEYS)
    if category:
        return category, "分类按任务内容推断"
    return OTHER_CATEGORY, "原文未写分类"


# A short first sentence that names the field of the work the paragraph then describes.
_LEAD_HEADING = re.compile(
    r"^(?:大力|切实|认真|积极|广泛|深入|扎实|全面|进一步|不断|努力)+[\u4e00-\u9fff“”]{2,10}$"
)
# Work reported as done ("开展了", "举行了…活动", "纳入了"): a 总结 copied as a plan.
_DONE = re.compile(r"(?:开展|举行|举办|召开|看望|慰问|发放|组织|纳入|办理|签订|走访)了")
_CONCRETE = re.compile(r"召开|举办|举行|走访|慰问|看望|发放|参观|座谈|讲座|竞赛|比赛|演练|军训|义诊")
# Attitudes rather than work: "增强…的责任感和紧迫感", "充分认识…的重要性".
_ATTITUDE = re.compile(r"重要性|必要性|紧迫感|责任感|自觉性|使命感|荣誉感|为契机")


def _skip_reason(core: str, own: _Time | None, timed_block: bool, mode: str) -> str:
    """Why a clause is not a task, or "" when it is one."""
    if len(core) < 4:
        return "过短，不成任务"
    if _BOILERPLATE_PARAGRAPH.search(core):
        return "范文网站的说明文字"
    if own is None and _SLOGAN.search(core):
        return "口号、指导思想或引言"
    if own is None and _DECLARATIVE.search(core):
        return "说明性语句"
    if mode == "skip" and own is None:
        return "指导思想"
    if own is None and _EXHORTATION.search(core):
        return "泛泛要求，没有具体工作"
    if _ATTITUDE.search(core) and not _CONCRETE.search(core):
        return "泛泛要求，没有具体工作"
    if _ACTION.search(core) or own is not None:
        return ""
    # Inside an explicit time block the document is listing the block's work: keep
    # anything that reads like an activity phrase.
    if timed_block and len(core) >= 8 and not core.startswith(("为了", "为", "使", "让", "通过")):
        return ""
    return "没有具体工作或时间"


def _in_window(when: str, window: tuple[date, date] | None, year: int) -> bool | None:
    if window is None:
        return None
    spans = _spans(when, year)
    if spans is None:
        return None
    return bool(spans) and all(window[0] <= due <= window[1] for _, due in spans)


@lru_cache(maxsize=4096)
def _spans(when: str, year: int) -> tuple[tuple[date, date], ...] | None:
    """(start, nominal due) of each slot of `when` in `year`; None when it cannot be told."""
    try:
        return tuple((slot.start, slot.nominal_due) for slot in slots_for(parse_when(when), year))
    except WhenError:
        return None


def _window(time: _Time, year: int) -> tuple[date, date] | None:
    spans = []
    for when in time.whens:
        s = _spans(when, year)
        if not s:
            return None
        spans.extend(s)
    return min(s for s, _ in spans), max(d for _, d in spans)


def _paragraph(
    ctx: _Context,
    text: str,
    numbering: str,
    *,
    pushed: bool = False,
    para_time: _Time | None = None,
    owner_hint: str | None = None,
    support_hint: list[str] | None = None,
    extra_heading: _Heading | None = None,
    extra_notes: list[str] | None = None,
    undated_note: bool = False,
) -> None:
    if _BOILERPLATE_PARAGRAPH.search(text):
        ctx.fate("skipped", "范文网站的说明文字")
        return
    text, note_owner, note_support = take_owner_notes(text)
    if note_owner is None:
        note_owner, note_support = ctx.line_owner
    if note_owner and not owner_hint:
        owner_hint = note_owner
    if note_support:
        support_hint = [*(support_hint or []), *note_support]
    if owner_hint:
        ctx.recognise([owner_hint, *(support_hint or [])])
    year = ctx.year
    block = _block(ctx)
    block_time = para_time or (block.time if block else None)
    mode = next((h.mode for h in reversed(ctx.stack) if h.mode), "")
    path = [ctx.section] if ctx.section else []
    path += [h.numbering for h in ctx.stack if h.numbering]
    if numbering and not pushed:
        path.append(numbering)
    where = " ".join(p for p in path if p) or f"第{ctx.paragraph_no}段"

    ctx.recognise(find_owners(text).mentioned)

    window = _window(block_time, year) if block_time else None
    lead: _Time | None = None  # a time that opens the paragraph covers its later sentences
    skipped: list[str] = []
    sentences = split_sentences(text)
    for number, sentence in enumerate(sentences):
        prev: _Time | None = lead
        if (
            number == 0 and _LEAD_HEADING.match(_core(sentence)) and not best_time(sentence)
            and any(not _skip_reason(_core(s), best_time(s), block_time is not None, mode) for s in sentences[1:])
        ):
            skipped.append("段首的小标题")  # "大力加强宣传工作。学校要利用宣传栏…": the work follows
            continue
        # 由…负责 / …牵头 name the owner of the whole sentence, not of the paragraph.
        explicit_owner = find_owners(sentence).owner if (_BY_RE.search(sentence) or _LEAD_RE.search(sentence)) else None
        for index, clause in enumerate(split_clauses(sentence)):
            core = _core(clause)
            own = best_time(core)
            opens = number == 0 and index == 0 and own is not None and _starts_with_time(core)
            skip = _skip_reason(core, own, block_time is not None, mode)
            if skip:
                skipped.append(skip)
                if own is not None:
                    prev = own
                    if opens:
                        lead = own
                continue
            checks: dict[str, str] = {}
            notes = list(extra_notes or [])
            time = own
            if time is not None and block_time is not None and time is not block_time:
                if time.rank <= 1:
                    # An explicit repeat (每月, 每季度) says more than the block around it.
                    if _in_window(time.whens[0], window, year) is False:
                        checks["when"] = f"原文在「{'、'.join(block_time.whens)}」部分写「{time.phrase}」，请确认"
                else:
                    time = _fit_block(time, block_time, window, year, notes)
            if time is None and not _UNSCHEDULED.search(core):
                time = prev or block_time
            if time is not None and own is not None:
                prev = time
                if opens:
                    lead = time
            if time is None:
                whens, labels = (FALLBACK_WHEN,), ("",)
                checks["when"] = "原文未写时间，暂定年内完成"
                dated = False
                if undated_note:
                    notes.append("原文时间无法识别")
            else:
                whens, labels = time.whens, time.labels or time.whens
                dated = True
                if time.guess:
                    checks["when"] = time.guess
            if mode == "goal":
                checks["title"] = "取自「目标」部分，可能不是具体任务"
            elif not _ACTION.search(core) and own is None:
                checks["title"] = "未找到明确的工作动作，可能不是具体任务"
            elif _DONE.search(core):
                checks["title"] = "原文写的是已经做过的事（像是总结），请确认是否列为今年的任务"
            owners = find_owners(core)
            ctx.recognise(owners.mentioned)
            owner = owner_hint or owners.owner or explicit_owner
            support = [s for s in dict.fromkeys([*(support_hint or []), *owners.support]) if s != owner]
            if owner is None:
                checks["owner"] = "原文未写责任单位"
            category, why = _category(ctx, core, extra_heading)
            if why:
                checks["category"] = why
            evidence: tuple[str, ...] = ()
            for regex, names in _EVIDENCE_HINTS:
                if regex.search(core):
                    evidence = names
                    break
            amounts = _AMOUNT.findall(core)
            amount = None
            if len(amounts) == 1:
                amount = float(amounts[0][0]) * (10000 if amounts[0][1] else 1)
                if amount > 1e8:  # not a sum a 双拥 task carries: a misread number
                    amount = None
                elif amount == int(amount):
                    amount = int(amount)
            title = _title(clause)
            if owner is not None:
                # The owner has its own field: "由民政办牵头，人武部配合" need not be in the title.
                title = without_owner_phrases(title)
            if len(whens) > 1:
                notes.append(f"原文「{time.phrase}」含{len(whens)}个节日，已分为{len(whens)}项")
            for when, label in zip(whens, labels):
                item_title = title if len(whens) == 1 else f"{title}（{label}）"
                ctx.drafts.append(
                    _Draft(
                        title=item_title,
                        when=when,
                        category=category,
                        owner=owner,
                        support=list(support),
                        source=f"{where} {sentence}".strip(),
                        notes=list(notes),
                        evidence=evidence,
                        amount=amount,
                        checks=dict(checks),
                        dated=dated,
                        unit=ctx.paragraph_no - 1,
                    )
                )
    if skipped:
        ctx.fate("skipped", skipped[0])


def _fit_block(time: _Time, block_time: _Time, window, year: int, notes: list[str]) -> _Time:
    """Inside a time block, keep the clause's own time only where it falls in the block."""
    if time.guess:
        notes.append(f"原文「{time.phrase}」")
        return block_time
    inside = [(w, lbl) for w, lbl in zip(time.whens, time.labels or time.whens) if _in_window(w, window, year) is not False]
    if len(inside) == len(time.whens):
        return time
    notes.append(f"原文「{time.phrase}」，按所在时段（{'、'.join(block_time.whens)}）安排")
    if not inside:
        return block_time
    return _Time(tuple(w for w, _ in inside), time.rank, time.start, time.end, time.guess, time.phrase,
                 tuple(lbl for _, lbl in inside))
