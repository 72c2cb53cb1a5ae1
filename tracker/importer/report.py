"""The Chinese summary shown after an import, and the list of plans in a file, for the command
and the app alike."""

from __future__ import annotations

import shlex
from pathlib import Path


def _shown(path: Path) -> str:
    """The path as the user would type it in the next command."""
    text = str(path)
    return text if text == shlex.quote(text) else f'"{text}"'


def line_counts(result) -> str:
    """Where every line of the source went, in one sentence."""
    r = result.report
    return (
        f"原文 {r.lines} 行：{r.task_lines} 行成为任务，{r.category_lines} 行是分类标题，"
        f"{r.header_lines} 行是计划标题或篇目，{r.skipped_lines} 行已跳过（草稿中以「# 已跳过」注明原因）"
    )


def report_lines(result, source: Path, target: Path) -> list[str]:
    """The Chinese summary printed after an import (also usable by the app)."""
    r = result.report
    which = ""
    if result.part is not None and result.parts > 1:
        which = f"第 {result.part.number} 份计划（{result.part.marker or result.part.title}）"
    lines = [f"已从 {source.name}{which} 导入 {r.tasks} 项任务，写入 {target}。"]
    lines.append("  " + line_counts(result))
    lines.append(f"  有明确时间：{r.dated} 项")
    lines.append(f"  未写时间（暂定「年内」，待核对）：{r.undated} 项")
    if r.owners_recognised:
        lines.append(f"  识别到的责任单位（{len(r.owners_recognised)} 个）：{'、'.join(r.owners_recognised)}")
    else:
        lines.append("  未识别到责任单位：任务暂时都归默认责任单位")
    lines.append(f"  分类（{len(r.categories)} 个）：{'、'.join(r.categories)}")
    lines.append(f"  需要核对的任务（标有「# 请核对」）：{r.review} 项")
    if r.dropped:
        lines.append(f"  有 {r.dropped} 句无法整理成任务，已略去，请对照原文补上")
    lines.append("")
    lines.append(f"下一步：用文本编辑器打开 {target}，逐项核对标有「# 请核对」的行，然后运行")
    lines.append(f"  shuangyong-tui validate {_shown(target)}")
    lines.append("（也可以加 --review，在终端界面中逐项核对后再保存）")
    return lines


def parts_lines(parts, source: Path, *, header: bool = True) -> list[str]:
    """The plans in a file, one line each, and how to import one of them."""
    lines = [f"{source.name} 中有 {len(parts)} 份计划："] if header else []
    for p in parts:
        where = f"第{p.first_line}-{p.last_line}行" if p.first_line != p.last_line else f"第{p.first_line}行"
        marker = f"{p.marker} " if p.marker else ""
        lines.append(f"  {p.number}. {marker}{p.title}（{where}，共{p.lines}行，约{p.tasks}项任务）")
    if len(parts) > 1:
        lines.append(f"用 --part 编号 导入其中一份，例如：shuangyong-tui import {_shown(source)} --part {parts[0].number}")
    return lines


def reviewed_lines(result, candidates, target: Path) -> list[str]:
    """What a review saved: kept and dropped tasks, and how to use the plan."""
    kept = sum(1 for c in candidates if c.keep)
    marked = sum(1 for c in candidates if c.keep and c.needs_review)
    lines = [f"已保存 {target}：保留 {kept} 项任务，删去 {len(candidates) - kept} 项。"]
    lines.append("  " + line_counts(result))
    if marked:
        lines.append(f"  仍有 {marked} 项标有「# 请核对」，可以以后再看。")
    lines.append(f"计划已通过检查。设为默认计划：shuangyong-tui config --plan {_shown(target)}")
    return lines
