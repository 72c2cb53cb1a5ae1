"""Read a plan file (TOML) into a Plan, naming every mistake at once.

The jobs live in their own modules: tracker.plan.tomlread (decoding, TOML syntax
errors, the lines of keys for messages), tracker.plan.validate (top-level keys),
tracker.plan.tasks (task tables and the check that each `when` has dates in the
year), tracker.plan.problems (collecting and wording problems). This module is the
public entry: load_plan, check_plan, parse_plan_text.

Every problem is an ``errors.Problem`` printed as ``path:line: field: message``.
"""

from __future__ import annotations

import gc
from pathlib import Path

from tracker.calendar.holidayfile import holiday_paths, load_holidays
from tracker.calendar.holidays import NO_HOLIDAYS, Holidays
from tracker.errors import PlanError, Problem
from tracker.model import Plan
from tracker.plan.problems import MESSAGE_CAP, _Collector
from tracker.plan.tasks import ID_PATTERN, TASK_KEYS
from tracker.plan.tomlread import _decode, _Lines, read_toml
from tracker.plan.validate import MAX_PLAN_BYTES, TOP_KEYS, _validate
from tracker.regularfile import NotRegular, read_reason, read_regular

__all__ = [
    "load_plan",
    "check_plan",
    "parse_plan_text",
    "TOP_KEYS",
    "TASK_KEYS",
    "ID_PATTERN",
    "MAX_PLAN_BYTES",
    "MESSAGE_CAP",
]


def load_plan(path: Path | str, year: int | None = None, holidays: Holidays | None = None) -> Plan:
    """The plan at `path`; raises PlanError listing every problem when it has errors.

    `year` is the year `when` expressions are checked against for a template (a plan
    without its own ``year``); default: the current year.
    """
    plan, problems = check_plan(path, year, holidays)
    if plan is None:
        raise PlanError(problems)
    return plan


def check_plan(
    path: Path | str, year: int | None = None, holidays: Holidays | None = None
) -> tuple[Plan | None, list[Problem]]:
    """(plan, problems): the plan is None when any problem is an error. Never raises.

    `holidays`: the office's holidays data; default: the holidays files that apply to
    this plan (the user's data folder, then holidays.toml beside the plan).
    """
    label = str(path)
    try:
        p = Path(path)
        size = p.stat().st_size
        if size > MAX_PLAN_BYTES:
            return None, [Problem(label, 0, "文件", f"文件过大（{size // 1024} KB），不像是计划文件")]
        data = read_regular(p)
    except FileNotFoundError:
        return None, [Problem(label, 0, "文件", "找不到计划文件")]
    except IsADirectoryError:
        return None, [Problem(label, 0, "文件", "这是一个文件夹，不是计划文件")]
    except NotRegular:
        return None, [Problem(label, 0, "文件", "这不是普通文件（是管道、设备或套接字），不是计划文件")]
    except PermissionError:
        return None, [Problem(label, 0, "文件", "没有读取权限")]
    except OSError as exc:
        return None, [Problem(label, 0, "文件", f"无法读取：{read_reason(exc)}")]
    except ValueError as exc:
        return None, [Problem(label, 0, "文件", f"无法读取：{exc}")]
    text, problem = _decode(data, label)
    if problem is not None:
        return None, [problem]
    extra: list[Problem] = []
    if holidays is None:
        holidays, extra = load_holidays(holiday_paths(Path(path)))
        if any(p.severity == "error" for p in extra):
            return None, extra
    plan, problems = _parse(text, label, year, Path(path), holidays)
    return plan, extra + problems


def parse_plan_text(
    text: str, label: str, year: int | None = None, holidays: Holidays | None = None
) -> tuple[Plan | None, list[Problem]]:
    """Like check_plan for text already in memory; `label` stands for the path in messages."""
    return _parse(text, label, year, None, holidays or NO_HOLIDAYS)


def _parse(
    text: str, label: str, year: int | None, path: Path | None, holidays: Holidays = NO_HOLIDAYS
) -> tuple[Plan | None, list[Problem]]:
    # A large plan creates tens of thousands of small objects and no cycles: the cyclic
    # GC's full passes during the load are pure cost.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_text(text, label, year, path, holidays)
    finally:
        if enabled:
            gc.enable()


def _parse_text(
    text: str, label: str, year: int | None, path: Path | None, holidays: Holidays
) -> tuple[Plan | None, list[Problem]]:
    if not isinstance(text, str):
        return None, [Problem(label, 0, "文件", "内容不是文字")]
    if text.startswith("\ufeff"):
        text = text[1:]
    data, syntax = read_toml(text, label)
    if syntax is not None:
        return None, [syntax]
    lines = _Lines(text)
    out = _Collector(label)
    try:
        plan = _validate(data, lines, out, year, path, holidays)
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
