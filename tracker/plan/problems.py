"""Collecting a plan's problems and wording them: counts per kind, types, suggestions.

Every problem is an ``errors.Problem`` printed as ``path:line: field: message``.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime, time
from typing import Any, Callable

from tracker.errors import Problem

MESSAGE_CAP = 20  # problems of one kind listed one by one; the rest are summed up

_KIND_LABELS = {
    "syntax": "TOML 语法",
    "type": "类型错误",
    "missing": "缺少必填项",
    "empty": "内容为空",
    "range": "取值不合规",
    "id": "任务编号不合规",
    "dup": "任务编号重复",
    "owner": "未列出的责任单位",
    "category": "未列出的分类",
    "when": "时间表达",
    "unknown": "未知的键",
    "dupitem": "列表项重复",
    "internal": "无法检查",
    "holiday": "落在法定节假日",
    "indicator": "未知的考评指标",
}



class _Collector:
    """Problems in file order, at most MESSAGE_CAP of each kind, the rest summed up."""

    def __init__(self, label: str):
        self.label = label
        self.items: list[Problem] = []
        self.counts: dict[str, int] = {}
        self.omitted: dict[str, list] = {}  # kind -> [count, first line, first field, severity]

    def add(
        self, kind: str, line: int | Callable[[], int], field_name: str, message: str, severity: str = "error"
    ) -> None:
        """Record a problem; `line` may be a callable, asked only when the line is shown."""
        n = self.counts.get(kind, 0) + 1
        self.counts[kind] = n
        if callable(line) and (n <= MESSAGE_CAP or kind not in self.omitted):
            line = line()
        if n <= MESSAGE_CAP:
            self.items.append(Problem(self.label, line, field_name, message, severity))
            return
        entry = self.omitted.get(kind)
        if entry is None:
            self.omitted[kind] = [1, line, field_name, severity]
        else:
            entry[0] += 1
            if severity == "error":
                entry[3] = "error"

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.items) or any(
            e[3] == "error" for e in self.omitted.values()
        )

    def result(self) -> list[Problem]:
        problems = sorted(self.items, key=lambda p: p.line)
        for kind, (count, line, field_name, severity) in self.omitted.items():
            label = _KIND_LABELS.get(kind, kind)
            problems.append(
                Problem(
                    self.label,
                    line,
                    field_name,
                    f"...另有 {count} 处同类问题（{label}）未逐条列出，请先改正上面列出的问题",
                    severity,
                )
            )
        return problems


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "真假值"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "小数"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "表格"
    if isinstance(value, datetime):
        return "日期时间"
    if isinstance(value, date):
        return "日期"
    if isinstance(value, time):
        return "时刻"
    return type(value).__name__


def _show(value: Any) -> str:
    """A short rendering of a scalar; containers are described, never dumped."""
    if isinstance(value, (list, dict)):
        return f"（{len(value)}项）"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if len(text) > 30:
        text = text[:30] + "..."
    return text


def _wrong_type(expected: str, value: Any, hint: str = "") -> str:
    message = f"应为{expected}，实际是{_type_name(value)} {_show(value)}"
    if isinstance(value, (date, time)) and not isinstance(value, bool):
        hint = hint or f"请加上英文双引号，写成 \"{value}\""
    return message + (f"；{hint}" if hint else "")


def _suggest(word: str, choices: tuple[str, ...] | list[str], aliases: dict[str, str] | None = None) -> str:
    """'；是否是 `x`？' for the closest choice, or ''."""
    if aliases and word in aliases and aliases[word] in choices:
        return f"；是否是 `{aliases[word]}`？"
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close and word.lower() != word:
        close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f"；是否是 `{close[0]}`？" if close else ""


def _listing(choices: tuple[str, ...], limit: int = 12) -> str:
    shown = "、".join(choices[:limit])
    if len(choices) > limit:
        shown += f" 等{len(choices)}项"
    return shown



def _text_list(
    raw: dict[str, Any], key: str, line: int | Callable[[], int], field_name: str, out: _Collector
) -> tuple[str, ...] | None:
    value = raw[key]
    if not isinstance(value, list):
        hint = f"例如 {key} = [\"{_show(value)}\"]" if isinstance(value, str) else ""
        out.add("type", line, field_name, _wrong_type("文字列表", value, hint))
        return None
    items: list[str] = []
    ok = True
    for n, item in enumerate(value, start=1):
        if not isinstance(item, str):
            out.add("type", line, field_name, f"第{n}项" + _wrong_type("文字", item))
            ok = False
        elif not item.strip():
            out.add("empty", line, field_name, f"第{n}项是空文字")
            ok = False
        else:
            items.append(item.strip())
    return tuple(items) if ok else None
