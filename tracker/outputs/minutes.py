"""会议纪要: what changed between two moments, from the store's history, in Markdown.

The weekly meeting in the app and `report minutes --since` both write it: every change
(which task, old → new in the office's words, who, when), grouped the way minutes are
read — finished work first, then 延期/取消, reassignments, evidence, notes — with undone
changes marked, so the record of the meeting matches the state file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker import wording
from tracker.model import Change, Plan, Status, TrackedOccurrence
from tracker.outputs.text import md, numbered

# (key, heading) in the order the minutes present them.
GROUPS = (
    ("done", "完成事项"),
    ("postponed", "延期和取消"),
    ("status", "其他状态变化"),
    ("owner", "责任单位调整"),
    ("due", "截止日期调整"),
    ("evidence", "佐证材料"),
    ("note", "工作备注"),
    ("other", "记录迁移和延续"),
    ("undo", "撤销的修改"),
)



@dataclass(frozen=True)
class _Item:
    group: str
    change: Change
    text: str


def _aware(moment: datetime) -> datetime:
    """Naive times are local time, as typed at the command line."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def describe(change: Change, **overrides) -> str:
    """What a change did, in Markdown-safe words."""
    return wording.describe(change, escape=md, **overrides)


def _group(change: Change) -> str:
    """The minutes' section for a change; an undone change is no decision: it goes with the undos."""
    if change.undone:
        return "undo"
    op = change.op
    if op == "status":
        new = change.new if isinstance(change.new, Status) else None
        if new is None:
            try:
                new = Status(str(change.new))
            except ValueError:
                return "status"
        if new is Status.DONE:
            return "done"
        if new in (Status.POSTPONED, Status.CANCELLED):
            return "postponed"
        return "status"
    if op in ("evidence", "evidence_remove"):
        return "evidence"
    if op in ("owner", "due", "note", "undo"):
        return op
    return "other"


def subject_title(change: Change, titles: dict[tuple[int, str], str]) -> str | None:
    """The name of a change's item (``titles``: by year and id, Tracker.names), or None."""
    title = titles.get((change.year, change.occurrence))
    if title is None and change.op == "carry" and isinstance(change.new, dict):
        title = change.new.get("title")
    if title is None and change.op == "relink":
        title = titles.get((change.year, str(change.new)))
    return title


def _task(change: Change, titles: dict[tuple[int, str], str]) -> str:
    occ = change.occurrence
    title = subject_title(change, titles)
    return f"**{md(title)}**（`{occ}`）" if title else f"`{occ}`"


def minutes_markdown(
    plan: Plan,
    changes: list[Change],
    titles: dict[tuple[int, str], str],
    *,
    title: str,
    since: datetime,
    until: datetime,
    overdue: list[TrackedOccurrence] | None = None,
    upcoming: list[TrackedOccurrence] | None = None,
    today: date | None = None,
) -> str:
    """The minutes for the changes made in [since, until].

    ``titles`` names the items by (year, id) (Tracker.names: next year's with their date). The weekly meeting may also pass what is still
    overdue and what is due next (``overdue``/``upcoming``, with ``today``) to list them
    after the changes.
    """
    start, end = _aware(since), _aware(until)
    chosen = sorted((c for c in changes if start <= _aware(c.at) <= end), key=lambda c: (c.at, c.seq))
    by_seq = {c.seq: c for c in changes}
    same_year = start.astimezone().year == end.astimezone().year
    stamp_format = "%m-%d %H:%M" if same_year else "%Y-%m-%d %H:%M"

    items: list[_Item] = []
    for c in chosen:
        who = md(c.by or "未署名")
        when = _aware(c.at).astimezone().strftime(stamp_format)
        if c.op == "undo":
            target = by_seq.get(c.undoes) if c.undoes is not None else None
            op = c.data.get("undone_op") or (target.op if target else "")
            # The undo's old/new are the reverted change's new/old.
            body = describe(target) if target else describe(c, op=op, old=c.new, new=c.old) if op else ""
            subject = _task(target or c, titles)
            text = f"{subject}：撤销第 {c.undoes} 号修改" + (f"（{body}）" if body else "") + f" —— {who}，{when}"
        else:
            body = f"{_task(c, titles)}：{describe(c)}"
            if c.undone:
                body = f"~~{body}~~（已撤销）"
            text = f"{body} —— {who}，{when}"
        items.append(_Item(_group(c), c, text))

    fmt = "%Y-%m-%d %H:%M"
    out = [f"# {md(title)}", ""]
    out.append(f"- 计划：{md(plan.title)}")
    if plan.unit:
        out.append(f"- 单位：{md(plan.unit)}")
    out.append(f"- 时间范围：{start.astimezone().strftime(fmt)} 至 {end.astimezone().strftime(fmt)}")
    tasks = {(c.year, c.occurrence) for c in chosen}  # 2026's and 2027's `newyear` are two items
    undone = sum(1 for c in chosen if c.undone)
    summary = f"- 本时段共记录 {len(chosen)} 项修改，涉及 {len(tasks)} 个事项"
    if undone:
        summary += f"，其中 {undone} 项已撤销"
    out += [summary + "。", ""]

    section = 0
    if not items:
        out += ["本时段内没有修改记录。", ""]
    for key, heading in GROUPS:
        group = [i for i in items if i.group == key]
        if not group:
            continue
        section += 1
        out += [f"## {numbered(section)}、{heading}（{len(group)}）", ""]
        out += [f"{n}. {i.text}" for n, i in enumerate(group, 1)]
        out.append("")

    day = today or end.astimezone().date()
    for heading, rows in (("仍逾期的事项", overdue), ("下阶段到期事项", upcoming)):
        if rows is None:
            continue
        section += 1
        out += [f"## {numbered(section)}、{heading}（{len(rows)}）", ""]
        if not rows:
            out += ["无。", ""]
            continue
        for n, r in enumerate(rows, 1):
            missing = r.missing_evidence
            extra = f"；尚缺：{md('、'.join(missing))}" if missing else ""
            out.append(
                f"{n}. **{md(r.title)}**（`{r.id}`）：{md(r.owner)}，截止 {r.due.isoformat()}，"
                f"{r.status_label(day)}{extra}"
            )
        out.append("")
    return "\n".join(out)


def default_title(since: datetime, until: datetime) -> str:
    return f"会议纪要（{_aware(since).astimezone():%Y-%m-%d} 至 {_aware(until).astimezone():%Y-%m-%d}）"


def week_sections(view, today) -> dict[str, Any]:
    """The weekly meeting's extra sections: still overdue, and open work due this or next week."""
    return {
        "overdue": list(view.overdue),
        "upcoming": [r for r in (*view.this_week, *view.next_week) if not r.status.finished],
        "today": today,
    }


def minutes_inputs(
    tracker,
    *,
    since: datetime,
    until: datetime | None = None,
    title: str | None = None,
    week: bool = False,
) -> dict[str, Any]:
    """What the minutes of a Tracker's plan are made from, for the Markdown and the .docx alike.

    ``week=True`` is the weekly meeting: what is still overdue and what falls due this week
    and next week follow the changes.
    """
    end = _aware(until) if until is not None else datetime.now().astimezone()
    changes = tracker.store.history(since=_aware(since))
    titles = tracker.names(changes)
    extra: dict[str, Any] = {}
    if week:
        view = tracker.week()
        extra = week_sections(view, tracker.today)
        title = title or f"{tracker.plan.unit or tracker.plan.title}例会纪要（{view.monday:%Y-%m-%d} 当周）"
    return dict(plan=tracker.plan, changes=changes, titles=titles, title=title or default_title(since, end),
                since=since, until=end, **extra)


def tracker_minutes(
    tracker,
    *,
    since: datetime,
    until: datetime | None = None,
    title: str | None = None,
    week: bool = False,
) -> str:
    """The minutes for a Tracker's plan: its changes in [since, until] (default: until now)."""
    inputs = minutes_inputs(tracker, since=since, until=until, title=title, week=week)
    plan, changes, titles = inputs.pop("plan"), inputs.pop("changes"), inputs.pop("titles")
    return minutes_markdown(plan, changes, titles, **inputs)


def changes_between(tracker, since: datetime, until: datetime | None = None) -> list[Change]:
    """The recorded changes in [since, until] (default: until now)."""
    start = _aware(since)
    end = _aware(until) if until is not None else datetime.now().astimezone()
    return [c for c in tracker.store.history(since=start) if start <= _aware(c.at) <= end]
