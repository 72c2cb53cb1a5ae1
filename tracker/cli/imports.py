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
    help="写到这个计划文件；默认在当前文件夹生成“原文件名.toml”。",
)
@click.option("--year", type=YEAR, help="计划年份；不写则生成可逐年使用的计划。")
@click.option("--unit", help="单位名称，也用作默认责任单位（例如“××社区双拥工作领导小组”）。")
@click.pass_context
def import_command(ctx: click.Context, file: Path, output: Path | None, year: int | None, unit: str | None):
    """把现有的工作计划（.docx 或 .txt）转换成计划文件草稿（不会覆盖已有文件）。"""
    if year is None:
        # `shuangyong-tui --year 2026 import …` names the year on the group.
        root = ctx.find_root().obj
        year = getattr(root, "year_option", None)
    target = output or Path.cwd() / f"{file.stem}.toml"
    if target.exists():
        raise TrackerError(f"{target} 已存在，不会覆盖；请换一个文件名（-o）")
    from tracker.importer import import_plan, save_draft  # deferred: docx parsing is only paid here
    from tracker.importer.report import report_lines

    result = import_plan(file, year=year, unit=unit)
    save_draft(result, target)
    for line in report_lines(result, file, target):
        click.echo(line)
