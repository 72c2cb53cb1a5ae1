"""Read a plan file (TOML) into a Plan, naming every mistake at once.

tomllib is the parser. It reports no line numbers for values, so a small line scanner
(`_scan`) records where each top-level key, each ``[[task]]`` header and each task key
sits; the validator uses those lines in its messages. The scanner only ever supplies
line numbers: when it is confused (exotic TOML layouts) a message points at the
nearest known line instead, never at a wrong value. A clean plan needs only the task
header lines, found by one regex pass; the full scan runs when a message needs it.

Every problem is an ``errors.Problem`` printed as ``path:line: field: message``.
Fields are named ``title``, ``owners``, ``task[3].when`` (the third ``[[task]]`` in the
file, counting from 1). Warnings (unknown keys) never make a plan unusable.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable

from tracker.calendar import when as _when
from tracker.errors import PlanError, Problem, WhenError
from tracker.calendar.festivals import MAX_YEAR as _CALENDAR_MAX_YEAR
from tracker.model import WORKDAY_POLICIES, Plan, Task

__all__ = [
    "load_plan",
    "check_plan",
    "parse_plan_text",
    "TOP_KEYS",
    "TASK_KEYS",
    "ID_PATTERN",
    "MAX_PLAN_BYTES",
]

TOP_KEYS = (
    "title",
    "unit",
    "year",
    "workday",
    "owners",
    "categories",
    "default_owner",
    "evidence",
    "task",
)
TASK_KEYS = (
    "id",
    "title",
    "when",
    "category",
    "owner",
    "support",
    "evidence",
    "notes",
    "amount",
    "source",
)

_TASK_KEY_SET = frozenset(TASK_KEYS)

# Chinese words people type instead of the key names; used only to suggest the key.
_TOP_ALIASES = {
    "标题": "title",
    "名称": "title",
    "计划名称": "title",
    "单位": "unit",
    "年份": "year",
    "年度": "year",
    "年": "year",
    "工作日": "workday",
    "责任单位": "owners",
    "责任人": "owners",
    "分类": "categories",
    "类别": "categories",
    "默认责任单位": "default_owner",
    "佐证材料": "evidence",
    "佐证": "evidence",
    "任务": "task",
    "tasks": "task",
}
_TASK_ALIASES = {
    "编号": "id",
    "标题": "title",
    "名称": "title",
    "内容": "title",
    "时间": "when",
    "日期": "when",
    "时限": "when",
    "完成时限": "when",
    "分类": "category",
    "类别": "category",
    "责任单位": "owner",
    "牵头单位": "owner",
    "责任人": "owner",
    "配合单位": "support",
    "佐证材料": "evidence",
    "佐证": "evidence",
    "备注": "notes",
    "note": "notes",
    "金额": "amount",
    "来源": "source",
}

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
YEAR_MIN, YEAR_MAX = 2000, min(2100, _CALENDAR_MAX_YEAR)  # festival dates are known up to 2099
MAX_PLAN_BYTES = 20 * 1024 * 1024  # a plan is a few kB; refuse to chew on a stray archive
MESSAGE_CAP = 20  # problems of one kind listed one by one; the rest are summed up
_LINES_SHOWN = 5  # lines listed for one duplicated id
DEFAULT_CATEGORY = "未分类"
DEFAULT_OWNER = "未指定"

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
}


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def load_plan(path: Path | str, year: int | None = None) -> Plan:
    """The plan at `path`; raises PlanError listing every problem when it has errors.

    `year` is the year `when` expressions are checked against for a template (a plan
    without its own ``year``); default: the current year.
    """
    plan, problems = check_plan(path, year)
    if plan is None:
        raise PlanError(problems)
    return plan


def check_plan(path: Path | str, year: int | None = None) -> tuple[Plan | None, list[Problem]]:
    """(plan, problems): the plan is None when any problem is an error. Never raises."""
    label = str(path)
    try:
        p = Path(path)
        size = p.stat().st_size
        if size > MAX_PLAN_BYTES:
            return None, [Problem(label, 0, "文件", f"文件过大（{size // 1024} KB），不像是计划文件")]
        data = p.read_bytes()
    except FileNotFoundError:
        return None, [Problem(label, 0, "文件", "找不到计划文件")]
    except IsADirectoryError:
        return None, [Problem(label, 0, "文件", "这是一个文件夹，不是计划文件")]
    except PermissionError:
        return None, [Problem(label, 0, "文件", "没有读取权限")]
    except (OSError, ValueError) as exc:
        return None, [Problem(label, 0, "文件", f"无法读取：{exc}")]
    text, problem = _decode(data, label)
    if problem is not None:
        return None, [problem]
    return _parse(text, label, year, Path(path))


def parse_plan_text(
    text: str, label: str, year: int | None = None
) -> tuple[Plan | None, list[Problem]]:
    """Like check_plan for text already in memory; `label` stands for the path in messages."""
    return _parse(text, label, year, None)


# ---------------------------------------------------------------------------
# Decoding and TOML syntax
# ---------------------------------------------------------------------------


def _decode(data: bytes, label: str) -> tuple[str, Problem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    hint = "请用记事本或 WPS “另存为”，编码选 UTF-8 后再试"
    try:
        data.decode("gb18030")
        hint = "文件看起来是 GB18030/GBK 编码（Windows 中文系统的默认编码）；" + hint
    except UnicodeDecodeError:
        pass
    message = f"计划文件必须是 UTF-8 编码，第{line}行有无法按 UTF-8 读取的字节。{hint}"
    return "", Problem(label, line, "编码", message)


_SYNTAX_MESSAGES = {
    "Invalid value": "无法识别的值（文字要加英文双引号，例如 title = \"春节慰问\"）",
    "Invalid statement": "无法识别的语句（每行应是 键 = 值，或 [[task]] 这样的表头）",
    "Expected '=' after a key in a key/value pair": "键后面缺少“=”（每行应是 键 = 值）",
    "Invalid initial character for a key part": "键名以不允许的字符开头（键名用英文，例如 title）",
    "Unterminated string": "字符串没有结束（缺少配对的引号）",
    "Unclosed array": "列表没有结束（缺少“]”）",
    "Unclosed inline table": "内联表没有结束（缺少“}”）",
    "Expected ']' at the end of a table declaration": "表头缺少“]”",
    "Expected ']]' at the end of an array declaration": "表头缺少“]]”（任务表头写作 [[task]]）",
    "Cannot overwrite a value": "同一个键重复赋值（同一个表里每个键只能写一次）",
    "Invalid date or datetime": "日期写法有误或日期不存在",
    "Invalid hex value": "转义字符写法有误",
    "Escaped character is not a Unicode scalar value": "转义字符写法有误",
    "Unescaped '\\' in a string": "字符串中的“\\”需写成“\\\\”，或改用单引号字符串",
    "Illegal character": "含有不允许的控制字符",
    "Found invalid character": "含有不允许的字符",
    "Cannot declare": "同一个表头重复声明",
    "Cannot mutate immutable namespace": "不能给已写成内联形式的表再添加内容",
    "Cannot redefine namespace": "不能重新定义已存在的表",
    "Duplicate inline table key": "内联表中有重复的键",
    "Expected": "缺少应有的符号",
}
_COORD = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _syntax_problem(exc: Exception, text: str, label: str) -> Problem:
    raw = str(exc)
    m = _COORD.search(raw)
    if m and m.group(1):
        line = int(m.group(1))
    else:
        line = text.count("\n") + 1
    core = raw[: m.start()] if m else raw
    for prefix, chinese in _SYNTAX_MESSAGES.items():
        if core.startswith(prefix):
            message = chinese
            break
    else:
        message = f"格式有误（{core}）"
    column = f"第{m.group(2)}列" if m and m.group(2) else ""
    return Problem(label, line, "TOML", f"语法错误（{column or '文件末尾'}）：{message}")


# ---------------------------------------------------------------------------
# Line scanner
# ---------------------------------------------------------------------------

_KEY_LINE = re.compile(r"""\s*(?:"([^"\\]*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*[.=]""")
_HEADER = re.compile(r"""\s*(\[\[?)\s*([^\]#]*?)\s*(\]\]?)""")


@dataclass
class _Scan:
    top: dict[str, int] = field(default_factory=dict)
    tasks: list[int] = field(default_factory=list)
    task_keys: list[dict[str, int]] = field(default_factory=list)
    last: int = 1


_TASK_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*task[ \t]*\]\]", re.MULTILINE)


class _Lines:
    """Line numbers for messages, computed only as far as they are asked for.

    A clean plan needs only the line of each ``[[task]]`` header (Task.line), which a
    single regex pass finds; the full scan runs when a message needs a key's line.
    """

    def __init__(self, text: str):
        self._text = text
        self._full: _Scan | None = None
        self._task_lines: list[int] | None = None
        self.expected_tasks = -1  # how many tasks tomllib found; set by the validator

    @property
    def full(self) -> _Scan:
        if self._full is None:
            self._full = _scan(self._text)
        return self._full

    @property
    def last(self) -> int:
        return self._text.count("\n") + 1

    def task_lines(self) -> list[int]:
        if self._task_lines is None:
            fast: list[int] = []
            line, pos = 1, 0
            for m in _TASK_HEADER.finditer(self._text):
                line += self._text.count("\n", pos, m.start())
                pos = m.start()
                fast.append(line)
            # A header inside a multi-line string, or tasks written inline, make the
            # count disagree with the parser: then only the full scan can be trusted.
            self._task_lines = fast if len(fast) == self.expected_tasks else self.full.tasks
        return self._task_lines

    def of_top(self, key: str) -> int:
        return self.full.top.get(key, 0)

    def of_task(self, index: int) -> int:
        tasks = self.task_lines()
        if 0 <= index < len(tasks):
            return tasks[index]
        return self.of_top("task")

    def of_task_key(self, index: int, key: str) -> int:
        keys = self.full.task_keys
        if 0 <= index < len(keys) and len(keys) == len(self.task_lines()):
            line = keys[index].get(key)
            if line:
                return line
        return self.of_task(index)


def _header_first_part(name: str) -> tuple[str, bool]:
    """First dotted part of a table header name and whether more parts follow."""
    name = name.strip()
    if name[:1] in "\"'":
        quote = name[0]
        end = name.find(quote, 1)
        first = name[1:end] if end > 0 else name[1:]
        rest = name[end + 1 :] if end > 0 else ""
        return first, "." in rest
    first, dot, _ = name.partition(".")
    return first.strip(), bool(dot)


def _scan(text: str) -> _Scan:
    """Where the keys and task headers are; see the module docstring."""
    lines = _Scan()
    section: dict[str, int] | None = lines.top  # where key lines currently go
    open_string: str | None = None  # delimiter of a multi-line string being skipped
    number = 0
    # Split on "\n" only: tomllib counts lines that way (str.splitlines also splits
    # on U+2028 and friends, which may sit inside strings).
    for number, raw in enumerate(text.split("\n"), start=1):
        if open_string is not None:
            if raw.count(open_string) % 2 == 1:
                open_string = None
            continue
        stripped = raw.lstrip()
        if not stripped or stripped[0] == "#":
            continue
        if stripped[0] == "[":
            m = _HEADER.match(stripped)
            if m is None:
                section = None
                continue
            is_array = m.group(1) == "[["
            first, nested = _header_first_part(m.group(2))
            if first == "task" and is_array and not nested:
                lines.tasks.append(number)
                section = {}
                lines.task_keys.append(section)
            elif first == "task" and nested and lines.task_keys:
                sub, _ = _header_first_part(m.group(2).split(".", 1)[1])
                lines.task_keys[-1].setdefault(sub, number)
                section = None
            else:
                lines.top.setdefault(first, number)
                section = None
            continue
        m = _KEY_LINE.match(stripped)
        if m is not None and section is not None:
            key = m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None else m.group(3)
            section.setdefault(key, number)
        for delim in ('"""', "'''"):
            if delim in stripped and stripped.count(delim) % 2 == 1:
                open_string = delim
                break
    lines.last = max(number, 1)
    return lines


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


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
                    f"……另有 {count} 处同类问题（{label}）未逐条列出，请先改正上面列出的问题",
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
        text = text[:30] + "…"
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


def _parse(text: str, label: str, year: int | None, path: Path | None) -> tuple[Plan | None, list[Problem]]:
    if not isinstance(text, str):
        return None, [Problem(label, 0, "文件", "内容不是文字")]
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(exc, text, label)]
    except RecursionError:
        return None, [Problem(label, 0, "TOML", "语法错误：列表或表格嵌套层次过深，无法读取")]
    except Exception as exc:  # noqa: BLE001 - a third-party parser must not end in a traceback
        return None, [Problem(label, 0, "TOML", f"语法错误：无法读取（{type(exc).__name__}）")]
    lines = _Lines(text)
    out = _Collector(label)
    try:
        plan = _validate(data, lines, out, year, path)
    except RecursionError:
        out.add("internal", 0, "TOML", "列表或表格嵌套层次过深，无法检查")
        plan = None
    except Exception as exc:  # noqa: BLE001 - a defect here must still reach the user as a message
        out.add("internal", 0, "文件", f"无法检查这个计划（{type(exc).__name__}: {exc}），请把文件发给维护人员")
        plan = None
    problems = out.result()
    if out.has_errors:
        return None, problems
    return plan, problems


def _validate(
    data: dict[str, Any], lines: _Lines, out: _Collector, year: int | None, path: Path | None
) -> Plan | None:
    for key in data:
        if key not in TOP_KEYS:
            out.add(
                "unknown",
                lines.of_top(key),
                key,
                f"未知的键“{_show(key)}”，将被忽略" + _suggest(key, TOP_KEYS, _TOP_ALIASES),
                "warning",
            )

    def text_field(key: str, required: bool, label: str) -> str:
        if key not in data:
            if required:
                out.add("missing", 1, key, f"缺少{label}（{key} = \"…\"）")
            return ""
        value = data[key]
        if not isinstance(value, str):
            out.add("type", lines.of_top(key), key, _wrong_type("文字（写在英文双引号里）", value))
            return ""
        if required and not value.strip():
            out.add("empty", lines.of_top(key), key, f"{label}不能为空")
        return value.strip()

    title = text_field("title", True, "计划标题")
    unit = text_field("unit", False, "单位")

    plan_year: int | None = None
    if "year" in data:
        value = data["year"]
        if isinstance(value, bool) or not isinstance(value, int):
            out.add(
                "type", lines.of_top("year"), "year", _wrong_type("整数", value, "例如 year = 2026（不加引号）")
            )
        elif not YEAR_MIN <= value <= YEAR_MAX:
            out.add("range", lines.of_top("year"), "year", f"年份 {value} 超出范围，应在 {YEAR_MIN}—{YEAR_MAX} 之间")
        else:
            plan_year = value

    workday = "previous"
    if "workday" in data:
        value = data["workday"]
        choices = "previous（提前到上一个工作日）、next（顺延到下一个工作日）、none（不调整）"
        if not isinstance(value, str):
            out.add("type", lines.of_top("workday"), "workday", _wrong_type("文字", value, f"可选：{choices}"))
        elif value.strip().lower() not in WORKDAY_POLICIES:
            out.add(
                "range",
                lines.of_top("workday"),
                "workday",
                f"无效的取值“{_show(value)}”，可选：{choices}" + _suggest(value.strip().lower(), WORKDAY_POLICIES),
            )
        else:
            workday = value.strip().lower()

    def top_list(key: str) -> tuple[str, ...]:
        if key not in data:
            return ()
        result = _text_list(data, key, lambda: lines.of_top(key), key, out)
        if result is None:
            return ()
        seen: set[str] = set()
        for item in result:
            if item in seen:
                out.add("dupitem", lines.of_top(key), key, f"“{_show(item)}”重复出现", "warning")
            seen.add(item)
        return tuple(dict.fromkeys(result))

    owners = top_list("owners")
    categories = top_list("categories")
    default_evidence = top_list("evidence")

    default_owner = text_field("default_owner", False, "默认责任单位")
    if default_owner and owners and default_owner not in owners:
        out.add(
            "owner",
            lines.of_top("default_owner"),
            "default_owner",
            f"“{_show(default_owner)}”不在 owners 中；可选：{_listing(owners)}" + _suggest(default_owner, owners),
        )

    # `when` is checked against the plan's own year, else the caller's, else this year.
    check_year: int | None = plan_year
    if check_year is None:
        check_year = year if year is not None else date.today().year
        if isinstance(check_year, bool) or not isinstance(check_year, int) or not YEAR_MIN <= check_year <= YEAR_MAX:
            out.add("range", 0, "year", f"检查用的年份{check_year}超出范围，应在 {YEAR_MIN}—{YEAR_MAX} 之间")
            check_year = None
    tasks = _validate_tasks(data, lines, out, owners, categories, default_owner, default_evidence, check_year)

    if out.has_errors:
        return None
    return Plan(
        title=title,
        unit=unit,
        year=plan_year,
        owners=owners,
        categories=categories,
        default_owner=default_owner,
        evidence=default_evidence,
        workday=workday,
        tasks=tuple(tasks),
        path=path,
    )


def _validate_tasks(
    data: dict[str, Any],
    lines: _Lines,
    out: _Collector,
    owners: tuple[str, ...],
    categories: tuple[str, ...],
    default_owner: str,
    default_evidence: tuple[str, ...],
    check_year: int | None,
) -> list[Task]:
    raw_tasks = data.get("task")
    if raw_tasks is None:
        out.add("missing", lines.last if data else 1, "task", "计划中没有任何任务：每个任务以一行 [[task]] 开头")
        return []
    if not isinstance(raw_tasks, list):
        out.add(
            "type",
            lines.of_top("task"),
            "task",
            _wrong_type("任务列表", raw_tasks, "每个任务以一行 [[task]]（两层方括号）开头"),
        )
        return []
    if not raw_tasks:
        out.add("missing", lines.of_top("task"), "task", "计划中没有任何任务：每个任务以一行 [[task]] 开头")
        return []

    lines.expected_tasks = len(raw_tasks)
    reader = _TaskReader(lines, out, owners, categories, default_owner, default_evidence, check_year)
    tasks = [task for index, raw in enumerate(raw_tasks) if (task := reader.read(index, raw)) is not None]
    reader.report_duplicates()
    return tasks


class _TaskReader:
    """Checks one task table after another; shared lookups live here, not per task."""

    def __init__(
        self,
        lines: _Lines,
        out: _Collector,
        owners: tuple[str, ...],
        categories: tuple[str, ...],
        default_owner: str,
        default_evidence: tuple[str, ...],
        check_year: int | None,
    ):
        self.lines = lines
        self.out = out
        self.owners = owners
        self.owner_set = frozenset(owners)
        self.categories = categories
        self.category_set = frozenset(categories)
        self.default_owner = default_owner or DEFAULT_OWNER
        self.default_evidence = default_evidence
        self.check_year = check_year
        self.when_checked: dict[str, str | None] = {}  # when text -> error message (None: fine)
        self.id_places: dict[str, list[int]] = {}  # id -> indexes of the tasks using it
        self.ok = True
        self.task_lines = lines.task_lines()

    def line_of_task(self, index: int) -> int:
        return self.task_lines[index] if index < len(self.task_lines) else self.lines.of_task(index)

    def fail(self, index: int, kind: str, key: str, message: str, line: int | None = None) -> None:
        self.ok = False
        if line is None:
            line = self.lines.of_task_key(index, key)
        self.out.add(kind, line, f"task[{index + 1}].{key}", message)

    def text(self, index: int, raw: dict[str, Any], key: str, required: bool, label: str) -> str:
        value = raw.get(key)
        if value is None:
            if required:
                self.fail(index, "missing", key, f"缺少{label}（{key} = \"…\"）", self.line_of_task(index))
            return ""
        if type(value) is not str:
            self.fail(index, "type", key, _wrong_type("文字（写在英文双引号里）", value))
            return ""
        value = value.strip()
        if required and not value:
            self.fail(index, "empty", key, f"{label}不能为空")
        return value

    def text_list(self, index: int, raw: dict[str, Any], key: str) -> tuple[str, ...] | None:
        value = raw[key]
        field_name = f"task[{index + 1}].{key}"
        if type(value) is list and all(type(item) is str and item.strip() for item in value):
            return tuple(dict.fromkeys(item.strip() for item in value))
        self.ok = False
        _text_list(raw, key, self.lines.of_task_key(index, key), field_name, self.out)
        return None

    def read(self, index: int, raw: Any) -> Task | None:
        if type(raw) is not dict:
            where = f"task[{index + 1}]"
            self.out.add("type", self.lines.of_task(index), where, _wrong_type("表格（以 [[task]] 开头的一组键）", raw))
            return None
        self.ok = True
        for key in raw:
            if key not in _TASK_KEY_SET:
                self.out.add(
                    "unknown",
                    self.lines.of_task_key(index, key),
                    f"task[{index + 1}].{key}",
                    f"未知的键“{_show(key)}”，将被忽略" + _suggest(key, TASK_KEYS, _TASK_ALIASES),
                    "warning",
                )

        task_id = self.text(index, raw, "id", True, "任务编号")
        if task_id:
            if ID_PATTERN.fullmatch(task_id) is None:
                lowered = task_id.lower().replace(" ", "-")
                example = lowered if ID_PATTERN.fullmatch(lowered) else "spring-forum"
                self.fail(
                    index,
                    "id",
                    "id",
                    f"任务编号“{_show(task_id)}”不合规：只能用小写英文字母、数字、“-”和“_”，"
                    f"以字母或数字开头，例如 {example}",
                )
            else:
                self.id_places.setdefault(task_id, []).append(index)

        title = self.text(index, raw, "title", True, "任务标题")
        when_text = self.text(index, raw, "when", True, "时间（when）")
        if when_text:
            message = self.when_checked.get(when_text, "")
            if message == "":
                message = self.when_checked[when_text] = _check_when(when_text, self.check_year)
            if message is not None:
                self.fail(index, "when", "when", message)

        category = self.text(index, raw, "category", False, "分类")
        if category and self.category_set and category not in self.category_set:
            self.fail(
                index,
                "category",
                "category",
                f"分类“{_show(category)}”不在 categories 中；可选：{_listing(self.categories)}"
                + _suggest(category, self.categories),
            )

        owner = self.text(index, raw, "owner", False, "责任单位")
        if owner and self.owner_set and owner not in self.owner_set:
            self.fail(
                index,
                "owner",
                "owner",
                f"责任单位“{_show(owner)}”不在 owners 中；可选：{_listing(self.owners)}"
                + _suggest(owner, self.owners),
            )

        support: tuple[str, ...] = ()
        if "support" in raw:
            support = self.text_list(index, raw, "support") or ()
            if self.owner_set:
                for name in support:
                    if name not in self.owner_set:
                        self.fail(
                            index,
                            "owner",
                            "support",
                            f"配合单位“{_show(name)}”不在 owners 中；可选：{_listing(self.owners)}"
                            + _suggest(name, self.owners),
                        )

        evidence = self.default_evidence
        if "evidence" in raw:
            evidence = self.text_list(index, raw, "evidence") or ()
            if not evidence:
                evidence = self.default_evidence  # an empty list means: the plan's default

        notes = self.text(index, raw, "notes", False, "备注")
        source = self.text(index, raw, "source", False, "来源")

        amount: float | None = None
        if "amount" in raw:
            value = raw["amount"]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                hint = "金额写数字，不加引号和“元”，例如 amount = 1500" if isinstance(value, str) else ""
                self.fail(index, "type", "amount", _wrong_type("数字（元）", value, hint))
            elif not math.isfinite(value) or value < 0:
                self.fail(index, "range", "amount", f"金额应为不小于 0 的数字（元），实际是 {_show(value)}")
            else:
                amount = value

        if not self.ok:
            return None
        return Task(
            id=task_id,
            title=title,
            when=when_text,
            category=category or DEFAULT_CATEGORY,
            owner=owner or self.default_owner,
            support=support,
            evidence=evidence,
            notes=notes,
            amount=amount,
            source=source,
            line=self.line_of_task(index),
        )

    def report_duplicates(self) -> None:
        lines = self.lines
        for task_id, indexes in self.id_places.items():
            if len(indexes) < 2:
                continue
            shown = "、".join(f"第{lines.of_task_key(i, 'id')}行" for i in indexes[:_LINES_SHOWN])
            if len(indexes) > _LINES_SHOWN:
                shown += " 等"
            second = indexes[1]
            self.out.add(
                "dup",
                lines.of_task_key(second, "id"),
                f"task[{second + 1}].id",
                f"任务编号“{task_id}”重复（共{len(indexes)}处：{shown}）；每个任务的编号必须唯一",
            )


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


def _check_when(text: str, year: int | None) -> str | None:
    """None when `text` parses and yields slots for `year`, else the Chinese reason."""
    try:
        spec = _when.parse_when(text)
        if year is not None:
            _when.slots_for(spec, year)
    except WhenError as exc:
        return str(exc) or f"无法识别的时间表达“{_show(text)}”"
    except RecursionError:
        return f"无法识别的时间表达“{_show(text)}”"
    except Exception as exc:  # noqa: BLE001 - a user's text must never end in a traceback
        return f"无法识别的时间表达“{_show(text)}”（{type(exc).__name__}）"
    return None
