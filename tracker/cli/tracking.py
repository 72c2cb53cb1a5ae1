"""Commands that record and show the work on one item: done, set, evidence, show, history,
undo, relink, rollover."""

from __future__ import annotations

import click

from tracker.cli.options import AMOUNT, COUNT, DAY, PATH, YEAR, fail, parse_status, plan_options, show_notices
from tracker.settings import AppContext
from tracker.textsafe import visible
from tracker.wording import OWNER_NOT_IN_PLAN, history_line, holiday_note



def _evidence_options(func):
    for option in reversed(
        [
            click.option("--note", help="文字说明作为佐证。"),
            click.option("--file", "file", type=PATH, help="佐证文件（照片、签到表等）的路径。"),
            click.option("--url", help="新闻报道、简报等链接。"),
            click.option("--label", default="", help="这份材料对应计划要求的哪一项，如「签到表」。"),
            click.option("--archive", is_flag=True, help="把文件复制到档案文件夹（按年份和事项归档）。"),
        ]
    ):
        func = option(func)
    return func


def _attach(tracker, row_id, note, file, url, label, archive) -> list[str]:
    from tracker.model import EvidenceKind

    done = []
    if file is not None:
        from tracker.cli.progress import copy_progress

        try:
            with copy_progress(archive) as progress:  # a copy may be gigabytes: its progress shown
                tracker.add_evidence(row_id, EvidenceKind.FILE, str(file), label=label, archive=archive,
                                     progress=progress)
        except KeyboardInterrupt:  # the partial copy is already removed (read_evidence_file)
            fail("已中断：文件没有复制进档案，也没有记录。" if archive else "已中断：没有记录。", 130)
        done.append(f"文件 {file}")
    if url:
        tracker.add_evidence(row_id, EvidenceKind.URL, url, label=label)
        done.append(f"链接 {url}")
    if note:
        tracker.add_evidence(row_id, EvidenceKind.NOTE, note, label=label)
        done.append(f"说明「{note}」")
    return done


@click.command()
@plan_options
@click.argument("occurrence_id", metavar="ID")
@click.option("--on", "on", type=DAY, help="实际完成的日期（默认今天），如活动在上周五举行。")
@_evidence_options
@click.pass_obj
def done(obj: AppContext, occurrence_id, on, note, file, url, label, archive):
    """标记事项已完成，可同时附上佐证材料。ID 可写前几位。"""
    from tracker.model import Status

    tracker = obj.tracker()
    show_notices(obj)
    row = tracker.resolve(occurrence_id)
    if on is not None and on > tracker.today:
        fail(f"完成日期 {on.isoformat()} 晚于今天（{tracker.today.isoformat()}）")
    # One command, one undo step. Evidence first: if a file is missing, nothing is recorded
    # and the task stays open.
    with tracker.store.transaction():
        attached = _attach(tracker, row.id, note, file, url, label, archive)
        if row.status is not Status.DONE or on is not None:
            tracker.set_status(row.id, Status.DONE, on=on)
    extra = f"；佐证：{'，'.join(attached)}" if attached else ""
    when = f"（完成于 {on.isoformat()}）" if on is not None else ""
    click.echo(visible(f"已完成：{row.id} {row.title}{when}{extra}"))
    missing = tracker.get(row.id).missing_evidence
    if missing:
        click.echo(visible(f"还缺佐证材料：{'、'.join(missing)}"))


FACT_OPTIONS = ("people", "households", "amount_paid", "place", "attendees")


@click.command("set")
@plan_options
@click.argument("occurrence_id", metavar="ID")
@click.option("--status", "status_text", help="新状态（中文或 todo/doing/done/postponed/cancelled）。")
@click.option("--owner", help="改派责任单位；写「计划」恢复计划中的责任单位。")
@click.option("--due", type=DAY, help="新的截止日期（延期时必填）。")
@click.option("--reason", default="", help="延期或取消的原因。")
@click.option("--on", "on", type=DAY, help="改为已完成时：实际完成的日期。")
@click.option("--people", type=COUNT, help="实际人数（如慰问、参加的人数）。")
@click.option("--households", type=COUNT, help="实际户数（如走访的户数）。")
@click.option("--paid", "amount_paid", type=AMOUNT, help="实发金额（元）。")
@click.option("--place", help="地点。")
@click.option("--attendees", help="参加人员。")
@click.pass_obj
def set_command(obj: AppContext, occurrence_id, status_text, owner, due, reason, on, **facts):
    """修改事项的状态、责任单位、截止日期，或记录实际情况（人数、户数、金额、地点、参加人员）。"""
    from tracker.model import Status

    facts = {k: v for k, v in facts.items() if v is not None}
    if not (status_text or owner or due or on or facts):
        fail("请至少给出 --status、--owner、--due 或实际情况（--people、--households、--paid、--place、--attendees）之一")
    status = parse_status(status_text) if status_text else None
    if due and status is None:
        status = Status.POSTPONED
    if due and status is not Status.POSTPONED:
        fail("--due 用于延期：请同时写 --status 延期（或省略 --status）")
    if on and status is None:
        status = Status.DONE
    if on and status is not Status.DONE:
        fail("--on 是实际完成的日期：请同时写 --status 已完成（或省略 --status）")
    tracker = obj.tracker()
    show_notices(obj)
    row = tracker.resolve(occurrence_id)
    if on is not None and on > tracker.today:
        fail(f"完成日期 {on.isoformat()} 晚于今天（{tracker.today.isoformat()}）")
    messages = []
    with tracker.store.transaction():  # one command, one undo step
        if owner:
            new_owner = None if owner == "计划" else owner
            tracker.set_owner(row.id, new_owner)
            outside = "" if tracker.owner_in_plan(new_owner or row.occurrence.owner) else f"（{OWNER_NOT_IN_PLAN}）"
            messages.append(f"责任单位改为 {new_owner or row.occurrence.owner}{outside}")
        if status is not None:
            tracker.set_status(row.id, status, reason=reason, due=due, on=on)
            messages.append(f"状态改为{status.label}" + (f"（新截止 {due.isoformat()}）" if due else "")
                            + (f"（完成于 {on.isoformat()}）" if on else ""))
        if facts:
            from tracker.wording import facts_text

            change = tracker.set_facts(row.id, **facts)
            messages.append(f"实际情况：{facts_text(change.new) if change else '与已记录的相同，未改动'}")
    click.echo(visible(f"{row.id} {row.title}：" + "；".join(messages)))


@click.command()
@plan_options
@click.argument("occurrence_id", metavar="ID")
@_evidence_options
@click.pass_obj
def evidence(obj: AppContext, occurrence_id, note, file, url, label, archive):
    """为事项添加佐证材料（--note 说明、--file 文件、--url 链接）。"""
    if not (note or file or url):
        fail("请给出 --note、--file 或 --url 之一")
    tracker = obj.tracker()
    show_notices(obj)
    row = tracker.resolve(occurrence_id)
    attached = _attach(tracker, row.id, note, file, url, label, archive)
    click.echo(f"{row.id} {row.title}：已添加 {'，'.join(attached)}")
    missing = tracker.get(row.id).missing_evidence
    click.echo(f"还缺：{'、'.join(missing)}" if missing else "计划要求的佐证材料已齐。")


@click.command()
@plan_options
@click.argument("occurrence_id", metavar="ID")
@click.pass_obj
def show(obj: AppContext, occurrence_id):
    """显示一个事项的全部信息、佐证材料和修改记录。"""
    tracker = obj.tracker()
    show_notices(obj)
    row = tracker.resolve(occurrence_id)
    o, s, today = row.occurrence, row.state, tracker.today
    lines = [
        f"{o.title}",
        f"  编号：{o.id}（任务 {o.task_id}）",
        f"  类别：{o.category}",
        f"  责任单位：{row.owner}" + (f"（计划为 {o.owner}）" if s.owner else "")
        + ("" if tracker.owner_in_plan(row.owner) else f"（{OWNER_NOT_IN_PLAN}）"),
    ]
    if o.support:
        lines.append(f"  配合单位：{'、'.join(o.support)}")
    lines.append(f"  时间：{o.when}；{o.start.isoformat()} 至 {o.due.isoformat()}")
    if o.shifted:
        lines.append(f"  原定 {o.nominal_due.isoformat()} 为非工作日，已调整为 {o.due.isoformat()}")
    if o.provisional:
        lines.append(f"  注意：{o.year}年节假日安排尚未收录，日期只避开了周末（暂定）")
    if row.holiday:
        lines.append(f"  截止日{holiday_note(row.holiday)}")
    if s.due:
        lines.append(f"  延期至：{s.due.isoformat()}")
    lines.append(f"  状态：{row.status_label(today)}" + (f"（原因：{s.reason}）" if s.reason else ""))
    done_on = s.done_on
    if done_on:
        lines.append(f"  完成日期：{done_on.isoformat()}")
    facts = s.facts
    if facts:
        from dataclasses import asdict

        from tracker.wording import facts_text

        lines.append(f"  实际情况：{facts_text({k: v for k, v in asdict(facts).items() if v not in (None, '')})}")
    if o.amount is not None:
        lines.append(f"  金额：{o.amount:g} 元")
    if o.notes:
        lines.append(f"  说明：{o.notes}")
    if s.notes:
        lines.append(f"  备注：{s.notes}")
    lines.append(f"  计划要求佐证：{'、'.join(o.evidence) or '无'}")
    lines.append(f"  尚缺：{'、'.join(row.missing_evidence) or '无'}")
    lines.append(f"  已有佐证（{len(s.evidence)}）：")
    for ev in s.evidence:
        state = _evidence_state(tracker, ev)
        label = f"[{ev.label}] " if ev.label else ""
        when = ev.added_at.strftime("%Y-%m-%d %H:%M") if ev.added_at else ""
        lines.append(f"    - {ev.kind.label} {label}{ev.text}{state}（{ev.added_by} {when}）")
    changes = tracker.history(row.id)
    lines.append(f"  修改记录（{len(changes)}）：")
    for ch in changes:
        lines.append(f"    {history_line(ch)}")
    # Each line is one line: a newline or escape inside a title, note or file name is shown.
    click.echo("\n".join(visible(line) for line in lines))


def _evidence_state(tracker, ev) -> str:
    from tracker.evidence import evidence_label

    label = evidence_label(ev)
    return f"  !{label}" if label else ""


@click.command()
@plan_options
@click.argument("occurrence_id", metavar="ID", required=False)
@click.option("--since", type=DAY, help="只看这一天（本地时间零点）以后的修改。")
@click.pass_obj
def history(obj: AppContext, occurrence_id, since):
    """查看修改记录（谁、何时、改了什么，谁撤销了什么）；加 --year 只看那一年的事项。"""
    from datetime import datetime, time

    # The user's day starts at local midnight (a 07:30 change in Beijing is on that day).
    since_dt = datetime.combine(since, time(0)).astimezone() if since else None
    if occurrence_id:
        tracker = obj.tracker()
        show_notices(obj)
        store = tracker.store
        changes = tracker.history(tracker.resolve(occurrence_id).id, since=since_dt)
    else:
        store = obj.store()
        changes = store.history(year=obj.year_option, since=since_dt)
    if not changes:
        click.echo("还没有修改记录。")
        return
    undone = _undo_targets(store, changes)
    for ch in changes:
        click.echo(history_line(ch, undone))


def _undo_targets(store, changes) -> dict:
    """The changes the listed undos reverted, by seq (they may be older than the list)."""
    wanted = {c.undoes for c in changes if c.undoes is not None}
    if not wanted:
        return {}
    return {c.seq: c for c in store.history() if c.seq in wanted}


@click.command()
@plan_options
@click.option("--anyone", is_flag=True, help="撤销最近一次修改，不论是谁做的（慎用：可能是同事的修改）。")
@click.pass_obj
def undo(obj: AppContext, anyone: bool):
    """撤销你（--by 的名字）最近一次的修改：一条命令做的全部修改一起撤销（可重复；撤销本身也会记录）。"""
    tracker = obj.tracker()
    show_notices(obj)
    changes = tracker.undo_all(by=obj.user, anyone=anyone)
    if not changes:
        who = "" if anyone else f"「{tracker.store.user}」做的、"
        click.echo(visible(f"没有{who}可以撤销的修改。"))
        return
    targets = _undo_targets(tracker.store, changes)
    for change in changes:
        target = targets.get(change.undoes)
        click.echo(f"已撤销：{history_line(target) if target else f'#{change.undoes}'}")


@click.command()
@plan_options
@click.argument("old")
@click.argument("new")
@click.pass_obj
def relink(obj: AppContext, old, new):
    """把旧编号的记录迁移到新编号（计划中任务改名后使用）。"""
    tracker = obj.tracker()
    show_notices(obj)
    change = tracker.relink(old, new)
    click.echo(f"已把 {old} 的记录迁移到 {change.new}")


@click.command()
@plan_options
@click.option("--to", "to_year", type=YEAR, required=True, help="新的年份。")
@click.pass_obj
def rollover(obj: AppContext, to_year):
    """年终结转：把本年度未完成的事项列为新年度的延续事项。"""
    tracker = obj.tracker()
    show_notices(obj)
    changes = tracker.rollover(to_year)
    if not changes:
        click.echo(f"{tracker.year}年没有需要延续的事项（或已结转过）。")
        return
    click.echo(f"已把 {len(changes)} 项未完成事项延续到 {to_year} 年：")
    for ch in changes:
        snap = ch.new if isinstance(ch.new, dict) else ch.data
        click.echo(f"  {snap.get('from_id', ch.occurrence)}  {snap.get('title', '')}")
    click.echo(f"查看：shuangyong-tui list --year {to_year}")
