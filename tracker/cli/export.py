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
from tracker.plan.validate import YEAR_MAX, YEAR_MIN

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
                f"时间「{value}」无法识别，请写成 YYYY-MM-DD 或 「YYYY-MM-DD HH:MM」，例如 2026-06-08 或 「2026-06-08 09:00」",
                param,
                ctx,
            )
        if not YEAR_MIN <= moment.year <= YEAR_MAX:
            self.fail(f"时间「{value}」超出支持范围（{YEAR_MIN}-{YEAR_MAX} 年）", param, ctx)
        # Remember whether only a day was given: --until 2026-06-15 means the whole day.
        if len(text) <= 10:
            return _DayOnly(moment.year, moment.month, moment.day)
        return moment


class _DayOnly(datetime):
    """A datetime typed as a bare date (so --until can take the end of that day)."""


DATETIME = DateTimeParam()


def _local(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.astimezone()


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
@click.option("--include-done", is_flag=True, help="已完成的事项照常显示（标题前加对勾，不提醒）；默认以「已取消」发给手机，使其从日历上消失。")
@click.option("--prune", is_flag=True, help="不再包含已经以「已取消」导出过的事项（手机已导入过取消后使用）。")
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
    """年度工作总结、工作台账、会议纪要和档案。"""


MARKDOWN_SUFFIXES = {".md", ".markdown", ".txt"}


@report.command("summary")
@plan_options
@click.option("-o", "--output", help="写到文件：.docx（Word）或 .md（Markdown）；默认在屏幕上输出 Markdown。")
@click.option("--fonts", help="Word 字体：公文（默认）、宋体，或「标题,小标题,正文」三个字体名。")
@click.pass_obj
def report_summary(obj: AppContext, output, fonts):
    """年度工作总结：完成情况、主要做法、存在问题、下步打算，附全部事项清单。"""
    target = _target(output, f"年终总结-{obj.year}.docx") if output else None
    if target is not None and target.suffix.lower() not in MARKDOWN_SUFFIXES | {".docx"}:
        raise TrackerError(f"不支持的格式「{target.suffix or target.name}」：总结可写成 .md 或 .docx")
    tracker = obj.tracker()
    show_notices(obj)
    if target is None:
        from tracker.outputs.produce import summary_of
        from tracker.outputs.summary import summary_markdown

        click.echo(summary_markdown(summary_of(tracker)))
        return
    from tracker.outputs.produce import write_summary

    _say(write_summary(tracker, target, fonts=fonts))


def _say(written) -> None:
    click.echo(written.message)
    for line in written.notes:
        click.echo(line)


@report.command("ledger")
@plan_options
@click.option("-o", "--output", help="输出文件：.xlsx 或 .csv；默认 台账-<年份>.xlsx。")
@click.pass_obj
def report_ledger(obj: AppContext, output):
    """工作台账：每个事项一行，含全部跟踪字段和佐证材料（.xlsx 或 .csv）。"""
    target = _target(output, f"台账-{obj.year}.xlsx")
    if target is None:
        raise TrackerError("台账是表格文件，请用 -o 指定 .xlsx 或 .csv 文件名")
    if target.suffix.lower() not in (".xlsx", ".csv"):
        raise TrackerError(f"不支持的格式「{target.suffix or target.name}」：台账可写成 .xlsx 或 .csv")
    tracker = obj.tracker()
    show_notices(obj)
    from tracker.outputs.produce import write_ledger

    _say(write_ledger(tracker, target))


@report.command("minutes")
@plan_options
@click.option("--since", type=DATETIME, required=True, help="从这个时间起（YYYY-MM-DD 或 「YYYY-MM-DD HH:MM」）。")
@click.option("--until", type=DATETIME, help="到这个时间为止；只写日期表示到当天结束；默认现在。")
@click.option("-o", "--output", help="写到 .docx（Word）或 .md 文件；默认在屏幕上输出 Markdown。")
@click.option("--place", help="会议地点（记住，下次默认沿用）。")
@click.option("--chair", help="主持人（记住，下次默认沿用）。")
@click.option("--attendees", help="参加人员（记住，下次默认沿用）。")
@click.option("--recorder", help="记录人（记住，下次默认沿用）。")
@click.option("--fonts", help="Word 字体：公文（默认）、宋体，或「标题,小标题,正文」三个字体名。")
@click.pass_obj
def report_minutes(obj: AppContext, since, until, output, place, chair, attendees, recorder, fonts):
    """会议纪要：一段时间内的全部修改（哪项工作、改了什么、谁、何时）；撤销的不计入。"""
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
    target = _target(output, f"会议纪要-{start:%Y%m%d}.docx") if output else None
    if target is not None and target.suffix.lower() not in MARKDOWN_SUFFIXES | {".docx"}:
        raise TrackerError(f"不支持的格式「{target.suffix or target.name}」：会议纪要可写成 .docx 或 .md 文件")
    tracker = obj.tracker()
    show_notices(obj)
    if target is None:
        click.echo(tracker_minutes(tracker, since=start, until=end))
        return
    from tracker.outputs.produce import meeting_info, write_minutes

    info = meeting_info(place=place, chair=chair, attendees=attendees, recorder=recorder)
    _say(write_minutes(tracker, target, since=start, until=end, info=info, fonts=fonts))


@report.command("archive")
@plan_options
@click.option("--years", help="多个年份，如 2023-2026（考评看四年）；默认 --year 或当年。")
@click.option("-o", "--output", help="输出文件夹或 .zip 文件；默认 双拥档案-<年份>.zip。")
@click.pass_obj
def report_archive(obj: AppContext, years, output):
    """档案：年度 → 大项/考评指标 → 按件号编排的佐证材料，每级附目录，含对标对表和缺项清单。"""
    import sys
    import time as clock

    from tracker.outputs.archive import year_range
    from tracker.outputs.produce import write_archive
    from tracker.textsafe import Checked

    chosen = year_range(years) if years else [obj.year]
    span = str(chosen[0]) if len(chosen) == 1 else f"{chosen[0]}-{chosen[-1]}"
    if output == "-":
        raise TrackerError("档案是文件夹或 .zip 文件，请用 -o 指定")
    target = Path(output).expanduser() if output else Path(f"双拥档案-{span}.zip")  # a folder is the archive itself
    tracker = obj.tracker()
    show_notices(obj)
    last = [0.0]

    def progress(done: int, total: int, done_bytes: int, total_bytes: int) -> None:
        now = clock.monotonic()
        if done == total or now - last[0] >= 1.0:
            last[0] = now
            end = "\n" if done == total else ""
            prefix = "\r" if sys.stderr.isatty() else ""
            # Our own words and numbers: Checked, so the \r reaches the terminal as itself.
            sys.stderr.write(Checked(f"{prefix}正在复制佐证文件 {done}/{total}（{done_bytes / 1048576:.1f}/"
                                     f"{total_bytes / 1048576:.1f} MB）" + (end if prefix else "\n")))
            sys.stderr.flush()

    _say(write_archive(tracker, target, years=chosen, progress=progress))
