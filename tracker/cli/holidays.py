"""`shuangyong-tui holidays`: the office's holiday data (import the notice, list a year)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import click

from tracker.cli.options import PATH, YEAR
from tracker.errors import TrackerError
from tracker.textsafe import visible

WEEKDAYS = "一二三四五六日"


def _day(d: date) -> str:
    return f"{d.isoformat()}（周{WEEKDAYS[d.weekday()]}）"


@click.group("holidays", invoke_without_command=False)
def holidays() -> None:
    """节假日安排：导入国务院办公厅的放假通知，查看某一年的放假和调休上班日。"""


@holidays.command("import")
@click.argument("file", type=PATH)
@click.option("--year", type=YEAR, help="通知的年份；不写则从通知标题读出。")
@click.option("-o", "--output", type=PATH, help="保存到这个节假日文件；默认是用户数据文件夹中的 holidays.toml。")
@click.option("--dry-run", is_flag=True, help="只显示读出的内容，不保存。")
@click.pass_context
def import_notice(ctx: click.Context, file: Path, year: int | None, output: Path | None, dry_run: bool) -> None:
    """读取放假通知（.txt 或 .docx），逐日列出读到的放假和上班日期，并保存。"""
    from tracker.calendar.holidayfile import read_entries, render, user_holidays_path
    from tracker.calendar.notice import parse_notice, read_notice_file

    if year is None:
        year = getattr(ctx.find_root().obj, "year_option", None)
    notice = parse_notice(read_notice_file(file), year)
    click.echo(f"读取：{visible(notice.title)}（{notice.year}年）")
    for entry in notice.entries:
        span = f"{_day(entry.start)}至{_day(entry.end)}" if entry.end != entry.start else _day(entry.start)
        count = (entry.end - entry.start).days + 1
        click.echo(f"  {visible(entry.name)}：{span} 放假，共{count}天")
        for day in entry.work:
            click.echo(f"    调休上班 {_day(day)}")
    click.echo("逐日：")
    for day, kind, name in notice.days():
        click.echo(f"  {_day(day)} {kind} {visible(name)}")
    for remark in notice.remarks:
        click.echo(f"注意：{visible(remark)}")
    if dry_run:
        click.echo("（--dry-run：未保存）")
        return
    target = output or user_holidays_path()
    years, entries, problems = read_entries(target)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise TrackerError("已有的节假日文件有错误，未保存：\n" + "\n".join(str(p) for p in errors))
    kept = [e for e in entries if e.start.year != notice.year and e.end.year != notice.year]
    years = {y: n for y, n in years.items() if y != notice.year}
    years[notice.year] = notice.title
    _save(target, render(years, kept + list(notice.entries)))
    click.echo(f"已保存到 {target}：{notice.year}年的日期按通知计算，不再是「暂定」。")


def _save(path: Path, text: str) -> None:
    import secrets

    tmp = path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TrackerError(f"无法写入节假日文件 {path}：{exc.strerror or exc}") from None


@holidays.command("list")
@click.option("--year", type=YEAR, help="年份；默认今年。")
@click.pass_context
def list_holidays(ctx: click.Context, year: int | None) -> None:
    """列出某一年的放假日和调休上班日，并说明数据来源。"""
    from tracker.calendar.holidayfile import holiday_paths, load_holidays
    from tracker.calendar.holidays import day_info, is_covered, library_covers

    root = ctx.find_root().obj
    year = year or getattr(root, "year_option", None) or root.today.year
    plan_path = None
    try:
        plan_path = root.plan_path
    except TrackerError:
        pass
    holidays_data, problems = load_holidays(holiday_paths(plan_path))
    for problem in problems:
        click.echo(str(problem))
    if any(p.severity == "error" for p in problems):
        raise TrackerError("节假日文件有错误，请先改正")
    if year in holidays_data.years:
        source = "节假日文件（" + "、".join(str(p) for p in holidays_data.sources) + "）"
    elif library_covers(year):
        source = "chinesecalendar 自带数据" + ("，并按节假日文件调整" if holidays_data.for_year(year) != ({}, {}) else "")
    else:
        source = "暂定：只按法定节假日（全国年节及纪念日放假办法）和周末计算，调休未知"
    click.echo(f"{year}年节假日（{source}）")
    day = date(year, 1, 1)
    while day.year == year:
        working, name, _ = day_info(day, holidays_data)
        if name is not None:
            click.echo(f"  {_day(day)} 放假 {visible(name)}")
        elif working and day.weekday() >= 5:
            click.echo(f"  {_day(day)} 上班（调休）")
        day += timedelta(days=1)
    if not is_covered(year, holidays_data):
        click.echo("提示：国务院公布放假安排后，用 `shuangyong-tui holidays import 通知.txt` 导入。")
