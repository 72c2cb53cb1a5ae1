"""The Chinese summary shown after an import, for the command and the app alike."""

from __future__ import annotations

import shlex
from pathlib import Path


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
