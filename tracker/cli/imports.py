"""`shuangyong-tui import FILE`: a draft plan file from the office's own plan document."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from tracker.cli.options import PATH, YEAR
from tracker.errors import TrackerError


def _shown(path: Path) -> str:
    """The path as the user would type it in the next command."""
    text = str(path)
    return text if text == shlex.quote(text) else f'"{text}"'


def report_lines(result, source: Path, target: Path) -> list[str]:
    """The Chinese summary printed after an import (also usable by the app)."""
    r = result.report
    lines = [f"已从 {source.name} 导入 {r.tasks} 项任务，写入 {target}。"]
    lines.append(f"  有明确时间：{r.dated} 项")
    lines.append(f"  未写时间（暂定“年内”，待核对）：{r.undated} 项")
    if r.owners_recognised:
        lines.append(f"  识别到的责任单位（{len(r.owners_recognised)} 个）：{'、'.join(r.owners_recognised)}")
    else:
        lines.append("  未识别到责任单位：任务暂时都归默认责任单位")
    lines.append(f"  分类（{len(r.categories)} 个）：{'、'.join(r.categories)}")
    lines.append(f"  需要核对的任务（标有“# 请核对”）：{r.review} 项")
    if r.dropped:
        lines.append(f"  有 {r.dropped} 句无法整理成任务，已略去，请对照原文补上")
    lines.append("")
    lines.append(f"下一步：用文本编辑器打开 {target}，逐项核对标有“# 请核对”的行，然后运行")
    lines.append(f"  shuangyong-tui validate {_shown(target)}")
    return lines


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

    result = import_plan(file, year=year, unit=unit)
    save_draft(result, target)
    for line in report_lines(result, file, target):
        click.echo(line)
