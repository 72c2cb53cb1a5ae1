"""The office's holidays file: days off and 调休 working days the office controls.

A UTF-8 TOML file, usually written by ``shuangyong-tui holidays import 通知.txt``::

    [[year]]                       # a year whose whole notice is entered: not provisional
    year = 2027
    notice = "国务院办公厅关于2027年部分节假日安排的通知"

    [[holiday]]                    # one holiday of the notice
    name = "春节"
    start = 2027-02-05             # first day off
    end = 2027-02-13               # last day off (omit for one day)
    work = [2027-01-31, 2027-02-20]  # 调休 working days (weekends worked)

Two places are read, and merged in this order (a later file wins for the same day, and
a year it declares with ``[[year]]`` replaces that year of the earlier file):
the user's data folder (platformdirs; ``SHUANGYONG_HOLIDAYS`` names another file) and
``holidays.toml`` beside the plan. Problems name the file, line and field.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Where the files are is its own light module (the plan cache's check needs only that).
from tracker.calendar.holidaypaths import ENV_HOLIDAYS, holiday_paths, user_holidays_path  # noqa: F401
from tracker.errors import Problem
from tracker.regularfile import read_reason, read_regular

if TYPE_CHECKING:  # imported where used
    from tracker.calendar.holidays import Holidays

MAX_BYTES = 1024 * 1024
MAX_SPAN_DAYS = 40  # no official break is longer

__all__ = ["HolidayEntry", "user_holidays_path", "holiday_paths", "load_holidays", "read_entries", "render", "ENV_HOLIDAYS"]


@dataclass(frozen=True)
class HolidayEntry:
    """One holiday of one year: its days off and make-up working days."""

    name: str
    start: date
    end: date
    work: tuple[date, ...] = ()

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*(year|holiday)[ \t]*\]\]", re.MULTILINE)


def _header_lines(text: str, kind: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text) if m[1] == kind]


def _day(value: Any) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def read_entries(path: Path) -> tuple[dict[int, str], list[HolidayEntry], list[Problem]]:
    """(years with their notice, holiday entries, problems) of one file; a missing file is empty."""
    from tracker.plan.tomlread import read_toml

    label = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}, [], [Problem(label, 0, "文件", "节假日文件过大，不像是节假日数据")]
        raw = read_regular(path)
    except FileNotFoundError:
        return {}, [], []
    except OSError as exc:
        # An unreadable file (or folder) is reported, and the dates are computed without it.
        message = f"无法读取节假日文件（{read_reason(exc)}），按没有这个文件计算"
        return {}, [], [Problem(label, 0, "文件", message, "warning")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, [], [Problem(label, 1, "编码", "节假日文件必须是 UTF-8 编码，请另存为 UTF-8 后再试")]
    data, syntax = read_toml(text, label)
    if syntax is not None:
        return {}, [], [syntax]
    assert data is not None
    problems: list[Problem] = []
    years: dict[int, str] = {}
    year_lines = _header_lines(text, "year")
    for i, item in enumerate(_tables(data, "year", label, problems)):
        line = year_lines[i] if i < len(year_lines) else 0
        year = item.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 1901 <= year <= 2100:
            problems.append(Problem(label, line, f"year[{i + 1}].year", "应为 1901-2100 的年份，例如 year = 2027"))
            continue
        notice = item.get("notice", "")
        years[year] = notice if isinstance(notice, str) else ""
    entries: list[HolidayEntry] = []
    lines = _header_lines(text, "holiday")
    for i, item in enumerate(_tables(data, "holiday", label, problems)):
        line = lines[i] if i < len(lines) else 0
        where = f"holiday[{i + 1}]"
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            from tracker.calendar.holidays import HOLIDAY_NAMES

            problems.append(Problem(label, line, f"{where}.name", f"缺少节日名称，例如 name = \"春节\"（可用：{'、'.join(HOLIDAY_NAMES)} 或其他名称）"))
            continue
        start = _day(item.get("start"))
        end = _day(item.get("end", item.get("start")))
        if start is None or end is None:
            problems.append(Problem(label, line, f"{where}.start", "放假日期应写成 2027-02-05 这样的日期（start 必填，end 可省略）"))
            continue
        if end < start or (end - start).days > MAX_SPAN_DAYS:
            problems.append(Problem(label, line, f"{where}.end", f"放假结束日 {end} 应在开始日 {start} 之后、{MAX_SPAN_DAYS} 天以内"))
            continue
        work_raw = item.get("work", [])
        work = [_day(v) for v in work_raw] if isinstance(work_raw, list) else [None]
        if any(d is None for d in work):
            problems.append(Problem(label, line, f"{where}.work", "调休上班日应是日期列表，例如 work = [2027-01-31, 2027-02-20]"))
            continue
        entries.append(HolidayEntry(name.strip(), start, end, tuple(d for d in work if d is not None)))
    for key in data:
        if key not in ("year", "holiday"):
            problems.append(Problem(label, 0, key, f"未知的键「{key}」，将被忽略（可用：[[year]]、[[holiday]]）", "warning"))
    return years, entries, problems


def _tables(data: dict, key: str, label: str, problems: list[Problem]) -> list[dict]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append(Problem(label, 0, key, f"应写成 [[{key}]] 表格"))
        return []
    return value


def load_holidays(paths: list[Path]) -> tuple[Holidays, list[Problem]]:
    """The merged holidays data of these files (later files win per day), and problems."""
    from tracker.calendar.holidays import NO_HOLIDAYS, Holidays

    off: dict[date, str] = {}
    work: dict[date, str] = {}
    years: set[int] = set()
    sources: list[Path] = []
    problems: list[Problem] = []
    digest = hashlib.sha256()
    for path in paths:
        file_years, entries, file_problems = read_entries(path)
        problems.extend(file_problems)
        if not file_years and not entries:
            continue
        sources.append(path)
        # A later file with a whole year's notice replaces that year of the earlier ones.
        for table in (off, work):
            for day in [d for d in table if d.year in file_years]:
                del table[day]
        years.update(file_years)
        for entry in entries:
            for day in entry.days:
                off[day] = entry.name
                work.pop(day, None)
            for day in entry.work:
                work[day] = entry.name
                off.pop(day, None)
    if not sources:
        return NO_HOLIDAYS, problems
    for day in sorted(off):
        digest.update(f"o{day}{off[day]}".encode())
    for day in sorted(work):
        digest.update(f"w{day}{work[day]}".encode())
    digest.update(repr(sorted(years)).encode())
    return (
        Holidays(off, work, frozenset(years), tuple(sources), digest.hexdigest()[:16]),
        problems,
    )


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def render(years: dict[int, str], entries: list[HolidayEntry]) -> str:
    """The holidays file text for these years and entries (sorted by date)."""
    out = ["# shuangyong-tui 节假日数据：国务院办公厅节假日安排通知（可手工修改）", ""]
    for year in sorted(years):
        out += ["[[year]]", f"year = {year}"]
        if years[year]:
            out.append(f"notice = {_toml_string(years[year])}")
        out.append("")
    for entry in sorted(entries, key=lambda e: e.start):
        out += ["[[holiday]]", f"name = {_toml_string(entry.name)}", f"start = {entry.start.isoformat()}"]
        if entry.end != entry.start:
            out.append(f"end = {entry.end.isoformat()}")
        if entry.work:
            out.append("work = [" + ", ".join(d.isoformat() for d in sorted(entry.work)) + "]")
        out.append("")
    return "\n".join(out)
