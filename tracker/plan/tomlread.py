"""Reading a plan file's TOML: decoding, syntax errors with their place, key lines.

tomli (compiled; tomllib if absent) is the parser. It reports no line numbers for values, so a small line scanner
(`_scan`) records where each top-level key, each ``[[task]]`` header and each task key
sits; the validator uses those lines in its messages. The scanner only ever supplies
line numbers: when it is confused (exotic TOML layouts) a message points at the
nearest known line instead, never at a wrong value. A clean plan needs only the task
header lines, found by one regex pass; the full scan runs when a message needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import Problem

try:  # the compiled tomli parses the same TOML about three times faster, same messages
    import tomli as _toml
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib is the fallback
    import tomllib as _toml

def _decode(data: bytes, label: str) -> tuple[str, Problem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    hint = "请用记事本或 WPS 「另存为」，编码选 UTF-8 后再试"
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
    "Expected '=' after a key in a key/value pair": "键后面缺少「=」（每行应是 键 = 值）",
    "Invalid initial character for a key part": "键名以不允许的字符开头（键名用英文，例如 title）",
    "Unterminated string": "字符串没有结束（缺少配对的引号）",
    "Unclosed array": "列表没有结束（缺少「]」）",
    "Unclosed inline table": "内联表没有结束（缺少「}」）",
    "Expected ']' at the end of a table declaration": "表头缺少「]」",
    "Expected ']]' at the end of an array declaration": "表头缺少「]]」（任务表头写作 [[task]]）",
    "Cannot overwrite a value": "同一个键重复赋值（同一个表里每个键只能写一次）",
    "Invalid date or datetime": "日期写法有误或日期不存在",
    "Invalid hex value": "转义字符写法有误",
    "Escaped character is not a Unicode scalar value": "转义字符写法有误",
    "Unescaped '\\' in a string": "字符串中的「\\」需写成「\\\\」，或改用单引号字符串",
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



def read_toml(text: str, label: str) -> tuple[dict[str, Any] | None, Problem | None]:
    """(data, None) or (None, the syntax problem with its line). Never raises."""
    try:
        return _toml.loads(text), None
    except _toml.TOMLDecodeError as exc:
        return None, _syntax_problem(exc, text, label)
    except RecursionError:
        return None, Problem(label, 0, "TOML", "语法错误：列表或表格嵌套层次过深，无法读取")
    except Exception as exc:  # noqa: BLE001 - a third-party parser must not end in a traceback
        return None, Problem(label, 0, "TOML", f"语法错误：无法读取（{type(exc).__name__}）")


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
