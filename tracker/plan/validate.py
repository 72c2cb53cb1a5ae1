"""Validation of a plan's top-level keys, turning the TOML data into a Plan.

Fields are named ``title``, ``owners``, ``task[3].when`` (the third ``[[task]]`` in the
file, counting from 1). Warnings (unknown keys) never make a plan unusable. The task
tables are checked by tracker.plan.tasks.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from tracker.calendar.festivals import MAX_YEAR as _CALENDAR_MAX_YEAR, MIN_YEAR as _CALENDAR_MIN_YEAR
from tracker.calendar.holidays import NO_HOLIDAYS, Holidays
from tracker.model import HOLIDAY_RULES, WORKDAY_POLICIES, Plan, Task
from tracker.plan.problems import _Collector, _listing, _show, _suggest, _text_list, _wrong_type
from tracker.plan.tasks import _TaskReader
from tracker.plan.tomlread import _Lines

TOP_KEYS = (
    "title",
    "unit",
    "year",
    "workday",
    "owners",
    "categories",
    "default_owner",
    "evidence",
    "uid",
    "on_holiday",
    "indicator_catalogue",
    "task",
)

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
    "id": "uid",
    "plan_id": "uid",
    "节假日": "on_holiday",
    "holiday": "on_holiday",
    "指标": "indicator_catalogue",
}
UID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,79}")
YEAR_MIN, YEAR_MAX = _CALENDAR_MIN_YEAR, _CALENDAR_MAX_YEAR  # the range festival dates are known for
MAX_PLAN_BYTES = 20 * 1024 * 1024  # a plan is a few kB; refuse to chew on a stray archive


def holiday_rule(value: Any, where: str, line, out: _Collector) -> str | None:
    """A valid on_holiday value, or None after recording the problem."""
    choices = "keep（照常，标出节假日）、skip（这次不做）、next（顺延到下一个工作日）、previous（提前到上一个工作日）、next_week（推后一周）"
    if not isinstance(value, str):
        out.add("type", line, where, _wrong_type("文字", value, f"可选：{choices}"))
        return None
    key = value.strip().lower()
    if key not in HOLIDAY_RULES:
        out.add("range", line, where, f"无效的取值「{_show(value)}」，可选：{choices}" + _suggest(key, HOLIDAY_RULES))
        return None
    return key


def _catalogue_codes(value: str, path: Path | None, lines: _Lines, out: _Collector) -> frozenset[str] | None:
    """The codes of the plan's indicator catalogue (bundled by default); None when unreadable."""
    from tracker.errors import PlanError
    from tracker.plan.indicators import catalogue_for_plan, load_catalogue

    try:
        catalogue = load_catalogue(catalogue_for_plan(value, path) if value else None)
    except PlanError as exc:
        for problem in exc.problems:
            out.add("indicator", lines.of_top("indicator_catalogue") or 1, "indicator_catalogue",
                    f"{problem.path}:{problem.line}: {problem.field}: {problem.message}")
        return None
    return catalogue.codes


def _validate(
    data: dict[str, Any],
    lines: _Lines,
    out: _Collector,
    year: int | None,
    path: Path | None,
    holidays: Holidays = NO_HOLIDAYS,
    catalogue: frozenset[str] | None = None,
) -> Plan | None:
    for key in data:
        if key not in TOP_KEYS:
            out.add(
                "unknown",
                lines.of_top(key),
                key,
                f"未知的键「{_show(key)}」，将被忽略" + _suggest(key, TOP_KEYS, _TOP_ALIASES),
                "warning",
            )

    def text_field(key: str, required: bool, label: str) -> str:
        if key not in data:
            if required:
                out.add("missing", 1, key, f"缺少{label}（{key} = \"...\"）")
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
            out.add("range", lines.of_top("year"), "year", f"年份 {value} 超出范围，应在 {YEAR_MIN}-{YEAR_MAX} 之间")
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
                f"无效的取值「{_show(value)}」，可选：{choices}" + _suggest(value.strip().lower(), WORKDAY_POLICIES),
            )
        else:
            workday = value.strip().lower()

    uid = text_field("uid", False, "计划编号")
    if uid and UID_PATTERN.fullmatch(uid) is None:
        out.add("range", lines.of_top("uid"), "uid", f"计划编号「{_show(uid)}」不合规：用英文字母、数字和 . _ : -，不超过80个字符（init 会自动生成）")
        uid = ""

    rule = "keep"
    rule_chosen = "on_holiday" in data
    if rule_chosen:
        rule = holiday_rule(data["on_holiday"], "on_holiday", lines.of_top("on_holiday"), out) or "keep"

    indicator_catalogue = text_field("indicator_catalogue", False, "考评指标文件")

    def top_list(key: str) -> tuple[str, ...]:
        if key not in data:
            return ()
        result = _text_list(data, key, lambda: lines.of_top(key), key, out)
        if result is None:
            return ()
        seen: set[str] = set()
        for item in result:
            if item in seen:
                out.add("dupitem", lines.of_top(key), key, f"「{_show(item)}」重复出现", "warning")
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
            f"「{_show(default_owner)}」不在 owners 中；可选：{_listing(owners)}" + _suggest(default_owner, owners),
        )

    # `when` is checked against the plan's own year, else the caller's, else this year.
    check_year: int | None = plan_year
    if check_year is None:
        check_year = year if year is not None else date.today().year
        if isinstance(check_year, bool) or not isinstance(check_year, int) or not YEAR_MIN <= check_year <= YEAR_MAX:
            out.add("range", 0, "year", f"检查用的年份{check_year}超出范围，应在 {YEAR_MIN}-{YEAR_MAX} 之间")
            check_year = None
    raw_tasks = data.get("task")
    if catalogue is None and isinstance(raw_tasks, list) and any(isinstance(t, dict) and "indicators" in t for t in raw_tasks):
        catalogue = _catalogue_codes(indicator_catalogue, path, lines, out)
    tasks = _validate_tasks(
        data, lines, out, owners, categories, default_owner, default_evidence, check_year,
        workday=workday, rule=rule, rule_chosen=rule_chosen, holidays=holidays, catalogue=catalogue,
    )

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
        uid=uid,
        on_holiday=rule,
        holidays=holidays if holidays else None,
        indicator_catalogue=indicator_catalogue,
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
    **context: Any,
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
    reader = _TaskReader(lines, out, owners, categories, default_owner, default_evidence, check_year, **context)
    tasks = [task for index, raw in enumerate(raw_tasks) if (task := reader.read(index, raw)) is not None]
    reader.report_duplicates()
    return tasks

