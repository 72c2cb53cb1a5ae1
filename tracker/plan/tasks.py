"""Validation of the ``[[task]]`` tables, and the check that each `when` has dates.

A `when` text is parsed and expanded for the year the plan is checked against;
each distinct text is checked once however many tasks share it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from tracker.calendar import when as _when
from tracker.errors import WhenError
from tracker.calendar.holidays import NO_HOLIDAYS, Holidays
from tracker.model import Task
from tracker.plan.problems import _Collector, _listing, _show, _suggest, _text_list, _wrong_type
from tracker.plan.tomlread import _Lines

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
    "indicators",
    "on_holiday",
)
_TASK_KEY_SET = frozenset(TASK_KEYS)

# Chinese words people type instead of the key names; used only to suggest the key.
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
    "指标": "indicators",
    "考评指标": "indicators",
    "indicator": "indicators",
    "节假日": "on_holiday",
    "holiday": "on_holiday",
}

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
_LINES_SHOWN = 5  # lines listed for one duplicated id
DEFAULT_CATEGORY = "未分类"
DEFAULT_OWNER = "未指定"


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
        workday: str = "previous",
        rule: str = "keep",
        rule_chosen: bool = False,
        holidays: Holidays = NO_HOLIDAYS,
        catalogue: frozenset[str] | None = None,
    ):
        self.workday = workday
        self.rule = rule
        self.rule_chosen = rule_chosen
        self.holidays = holidays
        self.catalogue = catalogue
        self.holiday_checked: dict[tuple[str, str], str | None] = {}
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
                self.fail(index, "missing", key, f"缺少{label}（{key} = \"...\"）", self.line_of_task(index))
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
                    f"未知的键「{_show(key)}」，将被忽略" + _suggest(key, TASK_KEYS, _TASK_ALIASES),
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
                    f"任务编号「{_show(task_id)}」不合规：只能用小写英文字母、数字、「-」和「_」，"
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

        task_rule: str | None = None
        if "on_holiday" in raw:
            from tracker.plan.validate import holiday_rule

            task_rule = holiday_rule(raw["on_holiday"], f"task[{index + 1}].on_holiday", self.lines.of_task_key(index, "on_holiday"), self.out)
            if task_rule is None:
                self.ok = False
        if when_text and message is None and self.check_year is not None and "on_holiday" not in raw and not self.rule_chosen:
            self.warn_holidays(index, when_text)

        indicators: tuple[str, ...] = ()
        if "indicators" in raw:
            indicators = self.text_list(index, raw, "indicators") or ()
            if self.catalogue is not None:
                for code in indicators:
                    if code not in self.catalogue:
                        self.fail(
                            index, "indicator", "indicators",
                            f"考评指标「{_show(code)}」不在指标目录中" + _suggest(code, sorted(self.catalogue))
                            + "；指标编号见 plans/indicators.toml 或计划的 indicator_catalogue 文件",
                        )

        category = self.text(index, raw, "category", False, "分类")
        if category and self.category_set and category not in self.category_set:
            self.fail(
                index,
                "category",
                "category",
                f"分类「{_show(category)}」不在 categories 中；可选：{_listing(self.categories)}"
                + _suggest(category, self.categories),
            )

        owner = self.text(index, raw, "owner", False, "责任单位")
        if owner and self.owner_set and owner not in self.owner_set:
            self.fail(
                index,
                "owner",
                "owner",
                f"责任单位「{_show(owner)}」不在 owners 中；可选：{_listing(self.owners)}"
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
                            f"配合单位「{_show(name)}」不在 owners 中；可选：{_listing(self.owners)}"
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
                hint = "金额写数字，不加引号和「元」，例如 amount = 1500" if isinstance(value, str) else ""
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
            indicators=indicators,
            on_holiday=task_rule,
        )

    def warn_holidays(self, index: int, when_text: str) -> None:
        """A warning when a fixed-day item falls on official holidays and no rule was chosen."""
        key = (when_text, self.workday)
        if key not in self.holiday_checked:
            self.holiday_checked[key] = _holiday_warning(when_text, self.check_year, self.workday, self.holidays)
        message = self.holiday_checked[key]
        if message is not None:
            self.out.add("holiday", lambda: self.lines.of_task_key(index, "when"), f"task[{index + 1}].when", message, "warning")

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
                f"任务编号「{task_id}」重复（共{len(indexes)}处：{shown}）；每个任务的编号必须唯一",
            )



def _check_when(text: str, year: int | None) -> str | None:
    """None when `text` parses and yields slots for `year`, else the Chinese reason."""
    try:
        spec = _when.parse_when(text)
        if year is not None:
            _when.slots_for(spec, year)
    except WhenError as exc:
        return str(exc) or f"无法识别的时间表达「{_show(text)}」"
    except RecursionError:
        return f"无法识别的时间表达「{_show(text)}」"
    except Exception as exc:  # noqa: BLE001 - a user's text must never end in a traceback
        return f"无法识别的时间表达「{_show(text)}」（{type(exc).__name__}）"
    return None


def _holiday_warning(text: str, year: int, workday: str, holidays: Holidays) -> str | None:
    """'2026年有2次落在法定节假日（…）…' for a when whose dues fall on holidays, else None."""
    from tracker.calendar.schedule import _resolved

    try:
        resolved = _resolved(text, year, workday, "keep", holidays)
    except Exception:  # noqa: BLE001 - the when check reports real problems
        return None
    hits = [(due, holiday) for (_, _, _, due, _, _, holiday) in resolved if holiday]
    if not hits:
        return None
    shown = "、".join(f"{due.month}月{due.day}日 {name}" for due, name in hits[:4])
    more = f" 等{len(hits)}次" if len(hits) > 4 else ""
    return (
        f"{year}年有{len(hits)}次落在法定节假日（{shown}{more}），按默认照常保留；"
        "可写 on_holiday = \"next_week\"（推后一周）、\"next\"（顺延）、\"previous\"（提前）、\"skip\"（这次不做）"
        "或 \"keep\"（确认照常）"
    )
