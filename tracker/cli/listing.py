"""`list`: the year's work as a table or as JSON."""

from __future__ import annotations

import json
from datetime import date

import click

from tracker.cli.terminal import echo_checked
from tracker.cli.options import DAY, NumberRange, fail, parse_status, plan_options, show_notices
from tracker.model import NO_FACTS, Status, missing_named
from tracker.settings import AppContext
from tracker.textsafe import json_chunks, json_lines, visible
from tracker.wording import HOLIDAY_MARK, OWNER_NOT_IN_PLAN


def _marks(row, today: date, tracker) -> str:
    marks = []
    if not tracker.owner_in_plan(row.owner):
        marks.append(OWNER_NOT_IN_PLAN)
    if row.is_overdue(today):
        marks.append("逾期")
    if row.occurrence.provisional:
        marks.append("暂")  # holiday data not yet published for that year
    if row.occurrence.shifted and row.state.due is None:
        marks.append("调")  # moved to a working day
    if row.occurrence.carried_from:
        marks.append("延续")
    if row.holiday:
        marks.append(HOLIDAY_MARK)  # due on an official holiday (on_holiday = keep)
    return " ".join(marks)


def row_json(row, today: date, tracker) -> dict:
    o, s = row.occurrence, row.state
    # One matching pass for both figures (the same rule as Row.evidence_progress and
    # Row.missing_evidence: progress counts cancelled work too, the list owes nothing).
    required, items = o.evidence, s.evidence_marks
    missing = missing_named(required, items)
    satisfied = len(required) - len(missing)
    status = s.status
    if status is Status.CANCELLED:
        missing = ()
    owner = row.owner
    due = row.due
    planned = o.due.isoformat()
    # Tuples are written as JSON arrays (orjson and the standard encoder alike).
    return {
        "id": o.id,
        "task_id": o.task_id,
        "year": o.year,
        "period": o.period,
        "title": o.title,
        "category": o.category,
        "owner": owner,
        "owner_in_plan": tracker.owner_in_plan(owner),
        "plan_owner": o.owner,
        "support": o.support,
        "start": o.start.isoformat(),
        "due": planned if due is o.due else due.isoformat(),
        "planned_due": planned,
        "nominal_due": planned if o.nominal_due == o.due else o.nominal_due.isoformat(),
        "shifted": o.shifted,
        "provisional": o.provisional,
        "status": status.value,
        "status_label": row.status_label(today),
        "overdue": row.is_overdue(today),
        "reason": s.reason,
        "evidence_needed": required,
        "evidence_count": len(items),
        "evidence_satisfied": satisfied,
        "evidence_required": len(required),
        "evidence_missing": missing,
        "amount": o.amount,
        "when": o.when,
        "carried_from": o.carried_from,
        "done_on": s.done_on.isoformat() if s.done_on else None,
        "facts": _facts(s.facts),
        "holiday": row.holiday,
        "indicators": o.indicators,
    }


def _facts(facts) -> dict:
    if facts is NO_FACTS or not facts:
        return {}
    from dataclasses import asdict

    return {k: v for k, v in asdict(facts).items() if v not in (None, "")}


@click.command("list")
@plan_options
@click.option("--quarter", "-q", type=NumberRange(1, 4, "季度"), help="只看某季度（1-4）。")
@click.option("--month", "-m", type=NumberRange(1, 12, "月份"), help="只看某月（1-12）。")
@click.option("--owner", help="责任单位（牵头或配合）。")
@click.option("--category", help="工作类别。")
@click.option("--status", "status_text", help="状态：未开始/进行中/已完成/已延期/已取消 或 todo/doing/done/postponed/cancelled。")
@click.option("--overdue", is_flag=True, help="只看逾期事项。")
@click.option("--week", type=DAY, help="只看这一天所在周（周一至周日）到期的事项。")
@click.option("--search", "text", default="", help="标题包含这些字。")
@click.option("--orphans", is_flag=True, help="列出计划中已不存在、但仍有记录的事项。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（字段见 README）。")
@click.pass_obj
def list_command(obj: AppContext, quarter, month, owner, category, status_text, overdue, week, text, orphans, as_json):
    """列出全年事项（按截止日期），可按季度、月份、责任单位、状态筛选。"""
    from tracker.service import Query

    if quarter and month:
        fail("--quarter 与 --month 只能选一个")
    status = parse_status(status_text) if status_text else None
    tracker = obj.tracker()
    show_notices(obj)
    if orphans:
        ids = tracker.orphans()
        if as_json:
            echo_checked(json_list(ids))
        elif ids:
            click.echo(f"{tracker.year}年有 {len(ids)} 条记录的事项已不在计划中（记录保留；可用 relink 迁移）：")
            for i in ids:
                click.echo(f"  {i}")
        else:
            click.echo("没有孤立记录。")
        return
    key = f"Q{quarter}" if quarter else f"M{month}" if month else "year"
    if owner:  # the lists cost a pass over the year: only when there is something to check
        _check_choice(owner, tracker.owners(), "责任单位")
    if category:
        _check_choice(category, tracker.categories(), "类别")
    rows = tracker.select(Query(period=key, owner=owner, category=category, status=status, overdue=overdue, text=text, week=week))
    today = tracker.today
    if as_json:
        # Each row is made, encoded and written in turn: never the year's rows at once.
        echo_checked(json_list((row_json(r, today, tracker) for r in rows), chunks=True))
        return
    from tracker.service import evidence_cell, progress_of
    from tracker.textwidth import table_chunks

    body = [
        (f"{due.month:02d}-{due.day:02d}", r.id, r.title, r.owner, r.status.label, evidence_cell(r), _marks(r, today, tracker))
        for r in rows
        for due in (r.due,)
    ]
    echo_checked(table_chunks(("截止", "编号", "事项", "责任单位", "状态", "佐证", "标记"), body, max_widths={2: 40, 1: 28, 3: 14}))
    summary = tracker.summary(rows)
    progress = progress_of(rows)
    cancelled = f"，已取消 {progress.cancelled} 项不计" if progress.cancelled else ""
    click.echo(
        f"\n{visible(tracker.plan.title)}（{tracker.year}年）：共 {summary.total} 项，"
        f"已完成 {progress.fraction}（{progress.percent}{cancelled}），"
        f"逾期 {summary.overdue}，本周到期 {summary.due_this_week}（今天 {today.isoformat()}）"
    )
    if any(r.occurrence.provisional for r in rows):
        click.echo(f"「暂」：{tracker.year}年的法定节假日安排尚未收录，截止日期只避开了周末，请在国务院公布后核对。")


def json_list(values, *, chunks: bool = False):
    """A JSON list with one value per line, compact (no spaces after `,` and `:`);
    characters a terminal would act on are written as \\uXXXX escapes. Encoded by orjson
    (a dependency: 10,000 rows in ~20 ms, the standard library's C encoder ~110 ms), or by
    the standard encoder with the same separators where orjson is missing: the same text.
    ``chunks=True``: the same text as an iterator of pieces, made as they are written."""
    standard = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
    try:
        from orjson import dumps
    except ImportError:
        encode = standard
    else:

        def encode(value) -> str:
            try:
                return dumps(value).decode("utf-8")
            except TypeError:  # orjson refuses a lone surrogate (from a hand-edited state file)
                return standard(value)

    return json_chunks(values, encode) if chunks else json_lines(values, encode)


def _check_choice(value, choices, what):
    if value and value not in choices:
        fail(f"未知{what}「{value}」，可选：{'、'.join(choices)}")
