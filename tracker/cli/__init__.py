"""The `shuangyong-tui` command line.

Every command reaches the plan and the state file through one AppContext. Errors the user
can fix arrive as TrackerError and are printed in Chinese with exit code 1; no traceback.
The Textual app is imported only when the app is started, so commands stay quick.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from tracker.cli.export import export, report
from tracker.cli.holidays import holidays
from tracker.cli.imports import import_command
from tracker.cli.helptext import Context as HelpContext, localize
from tracker.cli.terminal import BROKEN_PIPE_EXIT, guarded, silence_stdout
from tracker.cli.sync import serve, sync
from tracker.cli.tui import tui
from tracker.cli.options import DAY, PATH, YEAR, NumberRange, fail, parse_status, plan_options, show_notices
from tracker.settings import AppContext
from tracker.errors import PlanError, TrackerError
from tracker.textsafe import json_safe, visible
from tracker.wording import OWNER_NOT_IN_PLAN
from tracker.wording import history_line


def usage_message(exc: click.UsageError) -> str:
    """click's usage errors, said in Chinese (its own wording is English)."""
    if isinstance(exc, click.NoSuchOption):
        hint = f"；是否想用 {'、'.join(exc.possibilities)}？" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{hint}"
    if isinstance(exc, click.MissingParameter):
        name = exc.param.human_readable_name if exc.param else ""
        return f"缺少参数 {name}".rstrip()
    if isinstance(exc, click.BadOptionUsage):
        return f"选项 {exc.option_name} 用法不对：需要一个值"
    if isinstance(exc, click.BadParameter):
        hint = exc.param_hint or (exc.param.get_error_hint(exc.ctx) if exc.param and exc.ctx else "")
        return f"{hint} 的值无效：{exc.message}" if hint else exc.message
    if exc.message.startswith("No such command"):
        return f"没有这个命令：{exc.message.split(' ', 3)[-1].rstrip('.')}"
    if exc.message.startswith("Got unexpected extra argument"):
        return f"多余的参数：{exc.message.split('(', 1)[-1].rstrip(')')}"
    return exc.message


class TrackerGroup(click.Group):
    """Turns the tool's own errors into Chinese messages and exit codes, never tracebacks;
    gives every command the Chinese help (tracker.cli.helptext)."""

    context_class = HelpContext

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        return localize(command) if command is not None else None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            with guarded():
                code = self._run(args, prog_name, complete_var, **extra)
        except BrokenPipeError:
            # The reader went away (`list | head`): what was wanted has been read. Quietly.
            silence_stdout()
            code = BROKEN_PIPE_EXIT
        sys.exit(code)

    def _run(self, args, prog_name, complete_var, **extra) -> int:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            click.echo(f"错误：{usage_message(exc)}", err=True)
            click.echo("用 shuangyong-tui --help 查看用法（每个命令也可加 --help）。", err=True)
            return exc.exit_code
        except click.ClickException as exc:
            click.echo(f"错误：{exc.format_message()}", err=True)
            return exc.exit_code
        except click.Abort:
            click.echo("已中断", err=True)
            return 130
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                return exc.code or 0
            click.echo(str(exc.code), err=True)
            return 1
        return result if isinstance(result, int) else 0

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PlanError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            errors = len(exc.errors)
            click.echo(f"计划文件有 {errors} 处错误，请修改后再试。", err=True)
            sys.exit(1)
        except TrackerError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("已中断", 130)
        except BrokenPipeError:
            # Before click's own handler, which would exit with 1.
            silence_stdout()
            sys.exit(BROKEN_PIPE_EXIT)
        except OSError as exc:
            # Anything the file system refuses that no layer below explained.
            where = f"：{exc.filename}" if getattr(exc, "filename", None) else ""
            fail(f"文件操作失败{where}（{exc.strerror or exc}）")


@click.group(cls=TrackerGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--plan", "plan", type=PATH, help="计划文件（TOML）。")
@click.option("--db", "db", type=PATH, help="状态文件；也可用环境变量 SHUANGYONG_DB。")
@click.option("--year", type=YEAR, help="年份；默认为计划中的年份或今年。")
@click.option("--today", type=DAY, help="把这一天当作今天（YYYY-MM-DD），用于演示和核对。")
@click.option("--by", "user", help="记录修改人；默认为登录名。")
@click.version_option(package_name="shuangyong-tui", prog_name="shuangyong-tui", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx, plan, db, year, today, user):
    """双拥工作年度计划跟踪：按季度、月份查看进度，记录责任人、状态和佐证材料。

    不带子命令时打开终端界面。
    """
    ctx.obj = AppContext(plan_option=plan, db_option=db, year_option=year, today_option=today, user=user)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)




# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


@cli.command()
@click.argument("plans", nargs=-1, type=PATH)
@click.pass_obj
def validate(obj: AppContext, plans):
    """检查计划文件，列出全部问题（文件:行: 字段: 说明）。"""
    from tracker.plan.loader import check_plan

    paths = list(plans) or [obj.plan_path]
    show_notices(obj)
    failed = False
    for path in paths:
        if not path.exists():
            click.echo(f"{path}: 文件不存在", err=True)
            failed = True
            continue
        if path.is_dir():
            click.echo(f"{path}: 这是一个文件夹，请给出计划文件", err=True)
            failed = True
            continue
        plan, problems = check_plan(path, year=obj.year_option)
        for problem in problems:
            click.echo(str(problem), err=True)
        errors = [p for p in problems if p.severity == "error"]
        warnings = len(problems) - len(errors)
        if errors or plan is None:
            failed = True
            click.echo(f"{path}: {len(errors)} 处错误，{warnings} 处警告", err=True)
        else:
            click.echo(f"{path}: 通过（{len(plan.tasks)} 项任务，{warnings} 处警告）")
    sys.exit(1 if failed else 0)


@cli.command()
def templates():
    """列出内置计划模板。"""
    from tracker.plan.bundled import templates as list_templates
    from tracker.textwidth import table

    rows = [(t.name, t.title, str(t.task_count), t.description) for t in list_templates()]
    click.echo(table(("名称", "标题", "任务数", "说明"), rows))


@cli.command()
@click.option("--template", "-t", "name", default="shequ", show_default=True, help="模板名称（见 templates）。")
@click.option("-o", "--output", type=PATH, help="写到这个文件；默认 计划.toml。")
def init(name, output):
    """从内置模板生成一份可编辑的计划文件（不会覆盖已有文件）。"""
    from tracker.plan.bundled import template_path, with_uid

    source = template_path(name)
    target = output or Path("计划.toml")
    if target.exists():
        fail(f"{target} 已存在，不会覆盖；请换一个文件名（-o）")
    from tracker.outputs.files import save_atomically

    save_atomically(target, with_uid(source.read_text(encoding="utf-8")), exclusive=True)
    click.echo(f"已生成 {target}（模板：{name}）。编辑后运行：shuangyong-tui validate {target}")


@cli.command()
@click.option("--plan", "plan", type=PATH, help="默认计划文件。")
@click.option("--db", "db", type=PATH, help="默认状态文件。")
@click.option("--archive", type=PATH, help="佐证材料档案文件夹。")
@click.pass_obj
def config(obj: AppContext, plan, db, archive):
    """查看或设置默认计划文件、状态文件和档案文件夹。"""
    from tracker.settings import config_path, write_config

    values = {}
    if plan:
        from tracker.plan.loader import load_plan

        load_plan(plan)  # refuse to configure a plan that does not load
        values["plan"] = str(plan.resolve())
    if db:
        values["db"] = str(db.resolve())
    if archive:
        values["archive"] = str(archive.resolve())
    if values:
        path = write_config(values)
        click.echo(f"已保存配置：{path}")
        obj._config = None
    click.echo(f"配置文件：{config_path()}")
    click.echo(f"计划文件：{obj.plan_path}{'（内置社区计划）' if obj.plan_is_default else ''}")
    click.echo(f"状态文件：{obj.db_path}")
    click.echo(f"档案文件夹：{obj.archive_dir}")
    obj.notices.clear()


# ---------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------


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
    if row.occurrence.holiday:
        marks.append("节")  # due on an official holiday (on_holiday = keep)
    return " ".join(marks)


def row_json(row, today: date, tracker) -> dict:
    o, s = row.occurrence, row.state
    satisfied, required = row.evidence_progress
    return {
        "id": o.id,
        "task_id": o.task_id,
        "year": o.year,
        "period": o.period,
        "title": o.title,
        "category": o.category,
        "owner": row.owner,
        "owner_in_plan": tracker.owner_in_plan(row.owner),
        "plan_owner": o.owner,
        "support": list(o.support),
        "start": o.start.isoformat(),
        "due": row.due.isoformat(),
        "planned_due": o.due.isoformat(),
        "nominal_due": o.nominal_due.isoformat(),
        "shifted": o.shifted,
        "provisional": o.provisional,
        "status": s.status.value,
        "status_label": row.status_label(today),
        "overdue": row.is_overdue(today),
        "reason": s.reason,
        "evidence_needed": list(o.evidence),
        "evidence_count": len(s.evidence),
        "evidence_satisfied": satisfied,
        "evidence_required": required,
        "evidence_missing": list(row.missing_evidence),
        "amount": o.amount,
        "when": o.when,
        "carried_from": o.carried_from,
        "holiday": o.holiday,
        "indicators": list(o.indicators),
    }


@cli.command("list")
@plan_options
@click.option("--quarter", "-q", type=NumberRange(1, 4, "季度"), help="只看某季度（1—4）。")
@click.option("--month", "-m", type=NumberRange(1, 12, "月份"), help="只看某月（1—12）。")
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
            click.echo(json_list(ids))
        elif ids:
            click.echo(f"{tracker.year}年有 {len(ids)} 条记录的事项已不在计划中（记录保留；可用 relink 迁移）：")
            for i in ids:
                click.echo(f"  {i}")
        else:
            click.echo("没有孤立记录。")
        return
    key = f"Q{quarter}" if quarter else f"M{month}" if month else "year"
    _check_choice(owner, tracker.owners(), "责任单位")
    _check_choice(category, tracker.categories(), "类别")
    rows = tracker.select(Query(period=key, owner=owner, category=category, status=status, overdue=overdue, text=text, week=week))
    today = tracker.today
    if as_json:
        click.echo(json_list([row_json(r, today, tracker) for r in rows]))
        return
    from tracker.service import evidence_cell, progress_of
    from tracker.textwidth import table

    body = [
        (r.due.strftime("%m-%d"), r.id, r.title, r.owner, r.status.label, evidence_cell(r), _marks(r, today, tracker))
        for r in rows
    ]
    click.echo(table(("截止", "编号", "事项", "责任单位", "状态", "佐证", "标记"), body, max_widths={2: 40, 1: 28, 3: 14}))
    summary = tracker.summary(rows)
    progress = progress_of(rows)
    cancelled = f"，已取消 {progress.cancelled} 项不计" if progress.cancelled else ""
    click.echo(
        f"\n{visible(tracker.plan.title)}（{tracker.year}年）：共 {summary.total} 项，"
        f"已完成 {progress.fraction}（{progress.percent}{cancelled}），"
        f"逾期 {summary.overdue}，本周到期 {summary.due_this_week}（今天 {today.isoformat()}）"
    )
    if any(r.occurrence.provisional for r in rows):
        click.echo(f"“暂”：{tracker.year}年的法定节假日安排尚未收录，截止日期只避开了周末，请在国务院公布后核对。")


def json_list(values: list) -> str:
    """A JSON list with one value per line, through the C encoder (an indent would force the
    pure-Python one); characters a terminal would act on are written as \\uXXXX escapes."""
    if not values:
        return "[]"
    encode = json.JSONEncoder(ensure_ascii=False).encode
    return json_safe("[\n" + ",\n".join(map(encode, values)) + "\n]")


def _check_choice(value, choices, what):
    if value and value not in choices:
        fail(f"未知{what}“{value}”，可选：{'、'.join(choices)}")


# ---------------------------------------------------------------------------
# Tracking
# ---------------------------------------------------------------------------


def _evidence_options(func):
    for option in reversed(
        [
            click.option("--note", help="文字说明作为佐证。"),
            click.option("--file", "file", type=PATH, help="佐证文件（照片、签到表等）的路径。"),
            click.option("--url", help="新闻报道、简报等链接。"),
            click.option("--label", default="", help="这份材料对应计划要求的哪一项，如“签到表”。"),
            click.option("--archive", is_flag=True, help="把文件复制到档案文件夹（按年份和事项归档）。"),
        ]
    ):
        func = option(func)
    return func


def _attach(tracker, row_id, note, file, url, label, archive) -> list[str]:
    from tracker.model import EvidenceKind

    done = []
    if file is not None:
        tracker.add_evidence(row_id, EvidenceKind.FILE, str(file), label=label, archive=archive)
        done.append(f"文件 {file}")
    if url:
        tracker.add_evidence(row_id, EvidenceKind.URL, url, label=label)
        done.append(f"链接 {url}")
    if note:
        tracker.add_evidence(row_id, EvidenceKind.NOTE, note, label=label)
        done.append(f"说明“{note}”")
    return done


@cli.command()
@plan_options
@click.argument("occurrence_id", metavar="ID")
@_evidence_options
@click.pass_obj
def done(obj: AppContext, occurrence_id, note, file, url, label, archive):
    """标记事项已完成，可同时附上佐证材料。ID 可写前几位。"""
    from tracker.model import Status

    tracker = obj.tracker()
    show_notices(obj)
    row = tracker.resolve(occurrence_id)
    # Evidence first: if a file is missing, nothing is recorded and the task stays open.
    attached = _attach(tracker, row.id, note, file, url, label, archive)
    if row.status is not Status.DONE:
        tracker.set_status(row.id, Status.DONE)
    extra = f"；佐证：{'，'.join(attached)}" if attached else ""
    click.echo(f"已完成：{row.id} {row.title}{extra}")
    missing = tracker.get(row.id).missing_evidence
    if missing:
        click.echo(f"还缺佐证材料：{'、'.join(missing)}")


@cli.command("set")
@plan_options
@click.argument("occurrence_id", metavar="ID")
@click.option("--status", "status_text", help="新状态（中文或 todo/doing/done/postponed/cancelled）。")
@click.option("--owner", help="改派责任单位；写“计划”恢复计划中的责任单位。")
@click.option("--due", type=DAY, help="新的截止日期（延期时必填）。")
@click.option("--reason", default="", help="延期或取消的原因。")
@click.pass_obj
def set_command(obj: AppContext, occurrence_id, status_text, owner, due, reason):
    """修改事项的状态、责任单位或截止日期。"""
    from tracker.model import Status

    if not (status_text or owner or due):
        fail("请至少给出 --status、--owner 或 --due 之一")
    status = parse_status(status_text) if status_text else None
    if due and status is None:
        status = Status.POSTPONED
    if due and status is not Status.POSTPONED:
        fail("--due 用于延期：请同时写 --status 延期（或省略 --status）")
    tracker = obj.tracker()
    show_notices(obj)
    row = tracker.resolve(occurrence_id)
    messages = []
    if owner:
        new_owner = None if owner == "计划" else owner
        tracker.set_owner(row.id, new_owner)
        messages.append(f"责任单位 → {new_owner or row.occurrence.owner}")
    if status is not None:
        tracker.set_status(row.id, status, reason=reason, due=due)
        messages.append(f"状态 → {status.label}" + (f"（新截止 {due.isoformat()}）" if due else ""))
    click.echo(f"{row.id} {row.title}：" + "；".join(messages))


@cli.command()
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


@cli.command()
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
    if s.due:
        lines.append(f"  延期至：{s.due.isoformat()}")
    lines.append(f"  状态：{row.status_label(today)}" + (f"（原因：{s.reason}）" if s.reason else ""))
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
    return f"  ⚠ {label}" if label else ""


@cli.command()
@plan_options
@click.argument("occurrence_id", metavar="ID", required=False)
@click.option("--since", type=DAY, help="只看这一天（本地时间零点）以后的修改。")
@click.pass_obj
def history(obj: AppContext, occurrence_id, since):
    """查看修改记录（谁、何时、改了什么）；加 --year 只看那一年的事项。"""
    from datetime import datetime, time

    # The user's day starts at local midnight (a 07:30 change in Beijing is on that day).
    since_dt = datetime.combine(since, time(0)).astimezone() if since else None
    if occurrence_id:
        tracker = obj.tracker()
        show_notices(obj)
        changes = tracker.history(tracker.resolve(occurrence_id).id, since=since_dt)
    else:
        changes = obj.store().history(year=obj.year_option, since=since_dt)
    if not changes:
        click.echo("还没有修改记录。")
    for ch in changes:
        click.echo(history_line(ch))


@cli.command()
@plan_options
@click.pass_obj
def undo(obj: AppContext):
    """撤销最近一次修改（可重复；撤销本身也会记录）。"""
    change = obj.store().undo(by=obj.user)
    if change is None:
        click.echo("没有可以撤销的修改。")
        return
    target = next((c for c in obj.store().history() if c.seq == change.undoes), None)
    click.echo(f"已撤销：{history_line(target) if target else change.undoes}")


@cli.command()
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


@cli.command()
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


cli.add_command(tui)
cli.add_command(export)
cli.add_command(report)
cli.add_command(import_command, "import")
cli.add_command(holidays)
cli.add_command(serve)
cli.add_command(sync)


def main() -> None:
    cli(prog_name="shuangyong-tui")
