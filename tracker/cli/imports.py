"""`shuangyong-tui import FILE`: a draft plan file from the office's own plan document."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.options import PATH, YEAR
from tracker.errors import TrackerError


@click.command("import")
@click.argument("file", type=PATH)
@click.option(
    "-o", "--output", type=PATH,
    help="写到这个计划文件；默认在当前文件夹生成「原文件名.toml」。",
)
@click.option("--year", type=YEAR, help="计划年份；不写则生成可逐年使用的计划。")
@click.option("--unit", help="单位名称，也用作默认责任单位（例如「幸福社区双拥工作领导小组」）。")
@click.option("--list-parts", is_flag=True, help="只列出文件中的各份计划（篇一、篇二...），不导入。")
@click.option("--part", type=click.IntRange(min=1), help="文件中有多份计划时，导入第几份（见 --list-parts）。")
@click.option("--review", is_flag=True, help="导入后在终端界面中逐项核对，保存时才写入计划文件。")
@click.pass_context
def import_command(
    ctx: click.Context, file: Path, output: Path | None, year: int | None, unit: str | None,
    list_parts: bool, part: int | None, review: bool,
):
    """把现有的工作计划（.docx 或 .txt）转换成计划文件草稿（不会覆盖已有文件）。"""
    from tracker.importer import MultiplePlans, import_plan, save_draft  # deferred: docx parsing is only paid here
    from tracker.importer import list_parts as parts_of
    from tracker.importer.report import parts_lines, report_lines

    root = ctx.find_root().obj
    if year is None:
        # `shuangyong-tui --year 2026 import …` names the year on the group.
        year = getattr(root, "year_option", None)
    if list_parts:
        for line in parts_lines(parts_of(file, year=year), file):
            click.echo(line)
        return
    target = output or Path.cwd() / f"{file.stem}.toml"
    if target.exists():
        raise TrackerError(f"{target} 已存在，不会覆盖；请换一个文件名（-o）")
    try:
        result = import_plan(file, year=year, unit=unit, part=part)
    except MultiplePlans as exc:
        lines = [str(exc) + "：", *parts_lines(exc.parts, file, header=False)]
        raise TrackerError("\n".join(lines)) from None
    if review:
        from tracker.cli.tui import review_import

        review_import(result, file, target)
        return
    save_draft(result, target)
    for line in report_lines(result, file, target):
        click.echo(line)
