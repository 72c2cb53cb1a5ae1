"""会议纪要 as a Word document: time, place, chair, attendees, recorder, and the decisions.

The decisions are the changes recorded during the meeting, grouped as in the Markdown
minutes (tracker.outputs.minutes); a change that was undone is no decision: it is listed
apart under 撤销的修改 and not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tracker.model import Change, Plan, TrackedOccurrence
from tracker.outputs.docx import DocxWriter, FontSet
from tracker.outputs.minutes import GROUPS, _aware, _group, describe, subject_title
from tracker.outputs.text import cn_date, cn_short, numbered


@dataclass(frozen=True)
class MeetingInfo:
    """Asked once for a meeting and remembered (tracker.outputs.produce keeps the last one)."""

    place: str = ""
    chair: str = ""
    attendees: str = ""
    recorder: str = ""


def _when(start: datetime, end: datetime) -> str:
    a, b = start.astimezone(), end.astimezone()
    if a.date() == b.date():
        return f"{cn_date(a.date())} {a:%H:%M}至{b:%H:%M}"
    return f"{cn_date(a.date())} {a:%H:%M}至{cn_date(b.date())} {b:%H:%M}"


def _subject(change: Change, titles: dict[tuple[int, str], str]) -> str:
    return subject_title(change, titles) or "（计划中已没有的事项）"


def minutes_docx_bytes(
    plan: Plan,
    changes: list[Change],
    titles: dict[tuple[int, str], str],
    *,
    title: str,
    since: datetime,
    until: datetime,
    info: MeetingInfo = MeetingInfo(),
    overdue: list[TrackedOccurrence] | None = None,
    upcoming: list[TrackedOccurrence] | None = None,
    today: date | None = None,
    fonts: FontSet | None = None,
) -> bytes:
    start, end = _aware(since), _aware(until)
    chosen = sorted((c for c in changes if start <= _aware(c.at) <= end), key=lambda c: (c.at, c.seq))
    by_seq = {c.seq: c for c in changes}
    decided = [c for c in chosen if not c.undone and c.op != "undo"]
    withdrawn = [c for c in chosen if c.undone or c.op == "undo"]
    year = end.astimezone().year

    w = DocxWriter(title, author=plan.unit, fonts=fonts, subject="会议纪要")
    w.title(title)
    for label, value in (("时间", _when(start, end)), ("地点", info.place), ("主持人", info.chair),
                         ("参加人员", info.attendees), ("记录人", info.recorder)):
        w.para(f"{label}：{value}", indent=False)
    tasks = {(c.year, c.occurrence) for c in decided}
    lead = f"本次会议议定修改 {len(decided)} 项，涉及 {len(tasks)} 个事项"
    if withdrawn:
        lead += f"；另有 {sum(1 for c in withdrawn if c.op != 'undo')} 项修改已撤销，不计入"
    w.para(lead + "。")

    section = 1
    w.heading(f"{numbered(section)}、会议议定事项")
    if not decided:
        w.para("本次会议没有作出修改。")
    sub = 0
    for key, heading in GROUPS:
        if key == "undo":
            continue
        group = [c for c in decided if _group(c) == key]
        if not group:
            continue
        sub += 1
        w.heading(f"（{numbered(sub)}）{heading}（{len(group)} 项）", 2)
        for n, c in enumerate(group, 1):
            who = c.by or "未署名"
            stamp = f"{cn_short(_aware(c.at).astimezone().date(), year)} {_aware(c.at).astimezone():%H:%M}"
            w.para(f"{n}．{_subject(c, titles)}：{describe(c)}（{who}，{stamp}）")

    if withdrawn:
        section += 1
        w.heading(f"{numbered(section)}、撤销的修改（不计入议定事项）")
        for n, c in enumerate(withdrawn, 1):
            if c.op == "undo":
                target = by_seq.get(c.undoes) if c.undoes is not None else None
                body = describe(target) if target else ""
                w.para(f"{n}．{_subject(target or c, titles)}：撤销了“{body}”（{c.by or '未署名'}）")
            else:
                w.para(f"{n}．{_subject(c, titles)}：{describe(c)}（已撤销）")

    day = today or end.astimezone().date()
    for heading, rows in (("仍逾期的事项", overdue), ("下阶段到期事项", upcoming)):
        if rows is None:
            continue
        section += 1
        w.heading(f"{numbered(section)}、{heading}（{len(rows)} 项）")
        if not rows:
            w.para("无。")
        for n, r in enumerate(rows, 1):
            missing = "、".join(r.missing_evidence)
            extra = f"；尚缺：{missing}" if missing else ""
            w.para(f"{n}．{r.title}：{r.owner}，{cn_short(r.due, year)}前完成，{r.status_label(day)}{extra}")

    w.signature(plan.unit, cn_date(day), ("主持人（签字）：　　　　　　　　记录人（签字）：",))
    return w.to_bytes()
