"""`export ics` and `report summary|ledger|minutes`.

The heavy libraries (python-docx, openpyxl) and the export modules are imported only inside
the command that needs them, so `shuangyong-tui --help` and every other command start fast.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import click

from tracker.cli.options import plan_options, show_notices
from tracker.settings import AppContext
from tracker.errors import TrackerError

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _target(output: str | None, default: str) -> Path | None:
    """None for stdout ("-"); a folder gets the default name inside it."""
    if output == "-":
        return None
    if not output:
        return Path(default)
    path = Path(output).expanduser()
    if path.is_dir():
        return path / default
    return path


class DateTimeParam(click.ParamType):
    """2026-06-08, 2026-06-08 09:00, 2026-06-08T09:00:00+08:00; naive means local time."""

    name = "时间"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        text = str(value).strip().replace("/", "-")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"时间“{value}”无法识别，请写成 YYYY-MM-DD 或 “YYYY-MM-DD HH:MM”，例如 2026-06-08 或 “2026-06-08 09:00”",
                param,
                ctx,
            )
        if not 2000 <= moment.year <= 2100:
            self.fail(f"时间“{value}”超出支持范围（2000—2100 年）", param, ctx)
        # Remember whether only a day was given: --until 2026-06-15 means the whole day.
        if len(text) <= 10:
            return _DayOnly(moment.year, moment.month, moment.day)
        return moment


class _DayOnly(datetime):
    """A datetime typed as a bare date (so --until can take the end of that day)."""


DATETIME = DateTimeParam()


def _local(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.astimezone()


def _write_text(path: Path, text: str) -> None:
    from tracker.outputs.summary import save_atomically

    def save(target: str) -> None:
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    save_atomically(save, path)


def _alarm_words(alarm: str) -> str:
    from tracker.outputs.ics import parse_alarm

    trigger = parse_alarm(alarm)
    if trigger is None:
        return "不提醒"
    minutes = int(trigger.total_seconds() // 60)
    days_before = -(minutes // (24 * 60)) if minutes < 0 else 0
    clock = minutes % (24 * 60)
    when = "当天" if days_before == 0 else "前一天" if days_before == 1 else f"提前 {days_before} 天"
    return f"{when} {clock // 60:02d}:{clock % 60:02d} 提醒"


# ---------------------------------------------------------------------------
# export ics
# ---------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def export():
    """导出截止日期到手机日历（.ics）。"""


@export.command("ics")
@plan_options
@click.option("-o", "--output", help="输出文件；默认 <计划标题>-<年份>.ics；写 - 输出到屏幕。")
@click.option("--owner", help="只导出这个责任单位牵头或配合的事项。")
@click.option("--include-done", is_flag=True, help="已完成的事项照常显示（标题前加 ✓，不提醒）；默认以“已取消”发给手机，使其从日历上消失。")
@click.option("--prune", is_flag=True, help="不再包含已经以“已取消”导出过的事项（手机已导入过取消后使用）。")
@click.option("--alarm", default="1d@09:00", show_default=True,
              help="提醒：提前天数d@时:分，如 1d@09:00（前一天 9 点）、0d@08:00（当天 8 点）；none 不提醒。")
@click.pass_obj
def export_ics(obj: AppContext, output, owner, include_done, alarm, prune):
    """导出 .ics 日历文件：每个未完成事项一个全天日程，重复导入会更新而不会重复。

    已完成、已取消的事项以“已取消”发出，导入后从手机日历上消失；改计划标题、延续到下一年都不会产生重复日程。
    """
    from tracker.outputs.ics import default_filename, export_tracker, parse_alarm

    parse_alarm(alarm)  # a bad --alarm is reported before anything is read
    tracker = obj.tracker()
    show_notices(obj)
    target = _target(output, default_filename(tracker.plan.title, tracker.year))
    result = export_tracker(tracker, db_path=obj.db_path, target=target, owner=owner,
                            include_done=include_done, alarm=alarm, prune=prune)
    if target is None:
        click.echo(result.data, nl=False)  # bytes go to the binary stdout untouched (CRLF kept)
    for notice in result.notices:
        click.echo(f"提示：{notice}", err=True)
    where = "标准输出" if target is None else str(target)
    scope = f"（{owner}）" if owner else ""
    message = f"已导出 {result.events} 个日程{scope}到 {where}，{_alarm_words(alarm)}"
    if result.changed:
        message += f"；其中 {result.changed} 个内容有变化，导入后手机日历会更新"
    if result.cancelled:
        message += f"；{result.cancelled} 个已完成、已取消或已删除的事项标为取消，导入后从手机日历上消失"
    click.echo(message + "。", err=target is None)
    if target is not None and result.events:
        click.echo("把文件发到手机上打开即可导入；以后重新导出再导入，会更新原有日程，不会重复。")


# ---------------------------------------------------------------------------
# report summary | ledger | minutes
# ---------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def report():
    """年终总结清单、工作台账和会议纪要。"""


MARKDOWN_SUFFIXES = {".md", ".markdown", ".txt"}


@report.command("summary")
@plan_options
@click.option("-o", "--output", help="写到文件：.md（Markdown）或 .docx（Word）；默认在屏幕上输出 Markdown。")
@click.pass_obj
def report_summary(obj: AppContext, output):
    """年终总结清单：按类别列出每项工作的状态、佐证材料、尚缺材料和下年度延续事项。"""
    from tracker.outputs.summary import evidence_checker, summary_data, summary_markdown

    target = _target(output, f"年终总结-{obj.year}.docx") if output else None
    if target is not None and target.suffix.lower() not in MARKDOWN_SUFFIXES | {".docx"}:
        raise TrackerError(f"不支持的格式“{target.suffix or target.name}”：总结可写成 .md 或 .docx")
    tracker = obj.tracker()
    show_notices(obj)
    data = summary_data(tracker.plan, tracker.tracked(), tracker.year, tracker.today,
                        check=evidence_checker(tracker.store))
    if target is None:
        click.echo(summary_markdown(data))
        return
    if target.suffix.lower() == ".docx":
        from tracker.outputs.summary import write_summary_docx

        write_summary_docx(data, target)
    else:
        _write_text(target, summary_markdown(data))
    o = data.overall
    click.echo(
        f"已写入 {target}：{len(data.sections)} 个类别、{o.total} 项事项，完成率 {o.rate_text}，"
        f"下年度延续事项 {len(data.carry_over)} 项，尚缺佐证材料 {data.missing_total} 份。"
    )
    if data.file_problems:
        click.echo(f"注意：{data.file_problems} 个佐证文件缺失或已被修改，已在总结中标出。")


@report.command("ledger")
@plan_options
@click.option("-o", "--output", help="输出文件：.xlsx 或 .csv；默认 台帐-<年份>.xlsx。")
@click.pass_obj
def report_ledger(obj: AppContext, output):
    """工作台账：每个事项一行，含全部跟踪字段和佐证材料（.xlsx 或 .csv）。"""
    from tracker.outputs.ledger import write_ledger

    target = _target(output, f"台帐-{obj.year}.xlsx")
    if target is None:
        raise TrackerError("台帐是表格文件，请用 -o 指定 .xlsx 或 .csv 文件名")
    if target.suffix.lower() not in (".xlsx", ".csv"):
        raise TrackerError(f"不支持的格式“{target.suffix or target.name}”：台帐可写成 .xlsx 或 .csv")
    tracker = obj.tracker()
    show_notices(obj)
    rows = tracker.tracked()
    write_ledger(tracker.plan, rows, tracker.year, tracker.today, target)
    evidence = sum(len(r.state.evidence) for r in rows)
    click.echo(f"已写入 {target}：{len(rows)} 行事项，{evidence} 份佐证材料。")


@report.command("minutes")
@plan_options
@click.option("--since", type=DATETIME, required=True, help="从这个时间起（YYYY-MM-DD 或 “YYYY-MM-DD HH:MM”）。")
@click.option("--until", type=DATETIME, help="到这个时间为止；只写日期表示到当天结束；默认现在。")
@click.option("-o", "--output", help="写到 .md 文件；默认在屏幕上输出。")
@click.pass_obj
def report_minutes(obj: AppContext, since, until, output):
    """会议纪要：列出一段时间内的全部修改（哪项工作、改了什么、谁、何时）。"""
    from tracker.outputs.minutes import tracker_minutes

    start = _local(since)
    if until is None:
        end = datetime.now().astimezone()
    elif isinstance(until, _DayOnly):
        end = _local(datetime.combine(until.date(), time.max))
    else:
        end = _local(until)
    if start > end:
        raise TrackerError(f"开始时间 {start:%Y-%m-%d %H:%M} 晚于结束时间 {end:%Y-%m-%d %H:%M}")
    target = _target(output, f"会议纪要-{start:%Y%m%d}.md") if output else None
    if target is not None and target.suffix.lower() not in MARKDOWN_SUFFIXES:
        raise TrackerError(f"不支持的格式“{target.suffix or target.name}”：会议纪要写成 .md 文件")
    tracker = obj.tracker()
    show_notices(obj)
    text = tracker_minutes(tracker, since=start, until=end)
    if target is None:
        click.echo(text)
        return
    _write_text(target, text)
    count = sum(1 for c in tracker.store.history(since=start) if start <= _local(c.at) <= end)
    click.echo(f"已写入 {target}：{count} 项修改。")
