"""How a recorded change is said in Chinese: one wording for the commands, the app and the
meeting minutes. Only characters of a definite width (ASCII or full-width; no → or “”): a
terminal set for a Chinese locale draws the ambiguous ones two cells wide."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from tracker.model import Change, EvidenceKind, Status, TrackedOccurrence
from tracker.state.events import FACT_LABELS
from tracker.textsafe import visible

OWNER_NOT_IN_PLAN = "不在计划中"  # an owner recorded outside the plan's owners list

# A due that falls on an official holiday (the plan keeps it there: on_holiday = keep): the
# mark `list` and the app's table show, and what it means (the short form for a narrow legend).
HOLIDAY_MARK = "节"
HOLIDAY_MEANING = "落在法定节假日"
HOLIDAY_MEANING_SHORT = "落在节假日"


def byte_amount(n: int) -> str:
    """Bytes in the unit people read: 512 KB, 3.4 MB, 1.82 GB."""
    if n >= 1 << 30:
        return f"{n / (1 << 30):.2f} GB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    return f"{max(n, 0) / 1024:.0f} KB"


def copied_text(done: int, total: int) -> str:
    """How far a copy into the 档案 has come: the app's progress dialog and the command line
    (which adds the percentage the dialog's bar shows)."""
    return f"已复制 {byte_amount(done)} / {byte_amount(total)}"


def holiday_note(name: str) -> str:
    """`落在法定节假日：国庆节`: said beside a due in `show` and the app's detail screen."""
    return f"{HOLIDAY_MEANING}：{name}"

def item_name(row: TrackedOccurrence, year: int) -> str:
    """An item as a message or a list of changes names it, seen from `year`: by title; an item
    of another year (the week across New Year) by title and full due date, so that 2026's and
    2027's 元旦 item, both ``newyear``, are told apart."""
    if row.occurrence.year == year:
        return row.title
    return f"{row.title}（{row.due.year}年{row.due.month}月{row.due.day}日）"


OP_LABELS = {
    "status": "状态",
    "owner": "责任单位",
    "due": "截止日期",
    "note": "备注",
    "evidence": "添加佐证",
    "evidence_remove": "删除佐证",
    "relink": "迁移记录",
    "carry": "列为延续事项",
    "undo": "撤销",
}


def status_label(value: Any) -> str:
    if isinstance(value, Status):
        return value.label
    try:
        return Status(str(value)).label
    except ValueError:
        return str(value) if value else Status.TODO.label


def day_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if value else ""


def evidence_text(value: Any, escape: Callable[[str], str] = visible) -> str:
    if not isinstance(value, dict):
        return escape(str(value or ""))
    try:
        kind = EvidenceKind(value.get("kind", "note")).label
    except ValueError:
        kind = escape(str(value.get("kind")))
    label = f"（{escape(value['label'])}）" if value.get("label") else ""
    return f"{kind}：{escape(str(value.get('text', '')))}{label}"


def describe(
    change: Change, *, escape: Callable[[str], str] = visible, op: str | None = None, old: Any = None, new: Any = None
) -> str:
    """What a change did (without who, when and which task). `escape` protects user text for
    the target format (by default for a terminal: tracker.textsafe.visible); op/old/new
    override the change's own (to word a reversal)."""
    op = op or change.op
    old = change.old if old is None else old
    new = change.new if new is None else new
    reason = f"（原因：{escape(change.reason)}）" if change.reason else ""
    if op == "status":
        text = f"{escape(status_label(old))}改为{escape(status_label(new))}"
        due = change.data.get("due")
        if due:
            text += f"，新截止日期 {escape(day_text(due))}"
        done_on = change.data.get("done_on")
        if done_on:
            text += f"，完成于 {escape(day_text(done_on))}"
        return text + reason
    if op == "owner":
        return f"责任单位由 {escape(old or '计划责任单位')} 改为 {escape(new or '计划责任单位')}"
    if op == "due":
        return f"截止日期由 {escape(day_text(old) or '计划日期')} 改为 {escape(day_text(new) or '计划日期')}{reason}"
    if op == "note":
        return f"备注：{escape(str(new or ''))}"
    if op == "evidence":
        return f"添加 {evidence_text(new, escape)}"
    if op == "evidence_remove":
        return f"删除 {evidence_text(old, escape)}"
    if op == "relink":
        return f"记录由 `{escape(str(old))}` 迁移到 `{escape(str(new))}`"
    if op == "carry":
        snap = new if isinstance(new, dict) else {}
        origin = snap.get("from_year") or change.data.get("from_year") or ""
        return f"从 {escape(str(origin))} 年延续到 {change.year} 年（原截止 {escape(day_text(snap.get('due')))}）"
    if op == "facts":
        return f"实际情况：{facts_text(new, escape)}"
    if op == "undo":
        return f"撤销第 {change.undoes} 号修改"
    return f"{escape(OP_LABELS.get(op, str(op)))}由 {escape(str(old))} 改为 {escape(str(new))}{reason}"


FACT_UNITS = {"people": " 人", "households": " 户", "amount_paid": " 元"}


def facts_text(values: Any, escape: Callable[[str], str] = visible) -> str:
    """`人数 15 人，地点 社区活动室`; a cleared field says 清除."""
    if not isinstance(values, dict):
        return escape(str(values or ""))
    parts = []
    for key, value in values.items():
        label = FACT_LABELS.get(key, escape(str(key)))
        if value is None or value == "":
            parts.append(f"{label} 清除")
        else:
            amount = f"{value:g}" if isinstance(value, float) else str(value)
            parts.append(f"{label} {escape(amount)}{FACT_UNITS.get(key, '')}")
    return "，".join(parts)


def history_line(change: Change, undone: Mapping[int, Change] | None = None) -> str:
    """One line of `history`: number, time, who, which occurrence, what. For an undo,
    `undone` (seq -> change) lets it say whose change it reverted and what that was."""
    at = change.at.strftime("%Y-%m-%d %H:%M")
    mark = "（已撤销）" if change.undone else ""
    who, occurrence = visible(change.by), visible(change.occurrence)
    what = describe(change)
    target = undone.get(change.undoes) if undone and change.undoes is not None else None
    if target is not None:
        what = f"撤销 #{target.seq}（{visible(target.by)} {target.at:%m-%d %H:%M}：{describe(target)}）"
    return f"#{change.seq} {at} {who} {change.year}年 {occurrence}：{what}{mark}"
