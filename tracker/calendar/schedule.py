"""Expand a plan's tasks into the dated occurrences of one year.

A county plan has thousands of tasks but only a few dozen distinct `when`
texts, so the dated slots (after the workday policy and the holiday rule) are
cached per (when, year, policy, holiday rule, holidays data); what remains per
occurrence is building the dataclass.

Three rules place a due:
- a period end (季度, 月, 每月 ...) follows the plan's workday policy;
- a festival window that ends before the festival (前夕, 前, 期间, 两节 ...) ends on
  the last working day before the festival's days off (unless the policy is none);
- a fixed day (3月10日, 每周一, 每月第一个周四, 每月10日, RRULE, a festival day) that is an
  official holiday follows the holiday rule (on_holiday): keep (flagged with the
  holiday's name), skip, next, previous, next_week.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from operator import attrgetter

from datetime import timedelta

from tracker.calendar.holidays import NO_HOLIDAYS, Holidays, day_info
from tracker.calendar.when import Slot, parse_when, slots_for
from tracker.calendar.workdays import adjust, last_workday_before
from tracker.errors import WhenError
from tracker.model import HOLIDAY_RULES, Occurrence, Plan, Task, build_occurrence

# (period, start, nominal_due, due, shifted, provisional, holiday)
_Resolved = tuple[str | None, date, date, date, bool, bool, str | None]

_MAX_WEEKS = 6  # next_week: a week later, again while that is a holiday too
# The fields expand_task sets, in field order: it builds each occurrence positionally (half
# the cost of the generated __init__); carried_from, the one it leaves, keeps its default.
_ORDER = ("id", "task_id", "year", "title", "category", "owner", "start", "nominal_due", "due", "shifted",
          "provisional", "period", "support", "evidence", "notes", "amount", "when", "carried_from",
          "indicators", "holiday")
assert _ORDER == Occurrence.__slots__ and Occurrence.__dataclass_fields__["carried_from"].default is None


def _eve_due(slot: Slot, holidays: Holidays) -> tuple[date, bool]:
    """(due, provisional) of a window that ends before the festival's days off."""
    festival = slot.eve
    assert festival is not None
    working, _, provisional = day_info(festival, holidays)
    if slot.nominal_due < festival or not working:
        due, guess = last_workday_before(festival, holidays)
    else:  # 期间 of a festival that is a working day: the window's end, on a working day
        due, _, guess = adjust(slot.nominal_due, "previous", holidays)
    if due.year != slot.nominal_due.year or due < slot.start - timedelta(days=31):
        return slot.nominal_due, provisional  # nothing sensible inside the year: as written
    return due, provisional or guess


def _on_holiday(day: date, rule: str, holidays: Holidays) -> tuple[date | None, bool]:
    """(due, provisional) of a fixed day that is an official holiday; None: skipped."""
    if rule == "skip":
        return None, False
    if rule in ("next", "previous"):
        due, _, provisional = adjust(day, rule, holidays)
        return due, provisional
    if rule == "next_week":
        later = day
        for _ in range(_MAX_WEEKS):
            later = later + timedelta(days=7)
            if later.year != day.year:
                break
            working, name, provisional = day_info(later, holidays)
            if name is None:
                return later, provisional
        due, _, provisional = adjust(day, "previous", holidays)
        return due, provisional
    raise WhenError(f"未知的节假日规则「{rule}」，可选：{'、'.join(HOLIDAY_RULES)}")


@lru_cache(maxsize=16384)
def _resolved(when: str, year: int, policy: str, rule: str = "keep", holidays: Holidays = NO_HOLIDAYS) -> tuple[_Resolved, ...]:
    """The slots of a `when` text in a year with the workday policy and holiday rule applied."""
    out = []
    for slot in slots_for(parse_when(when), year):
        provisional = False
        if slot.adjustable:
            due, shifted, provisional = adjust(slot.nominal_due, policy, holidays)
        elif slot.eve is not None and policy != "none":
            due, provisional = _eve_due(slot, holidays)
            shifted = due != slot.nominal_due
        else:
            due, shifted = slot.nominal_due, False
            if rule != "keep":
                _, name, guess = day_info(due, holidays)
                if name is not None:
                    moved, provisional = _on_holiday(due, rule, holidays)
                    if moved is None:
                        continue  # skip: no occurrence this time
                    due, shifted = moved, moved != slot.nominal_due
        holiday = day_info(due, holidays)[1]
        # A due moved back before its window opened (a 上旬 ending in a holiday)
        # still needs a window that contains it.
        out.append((slot.period, min(slot.start, due), slot.nominal_due, due, shifted, provisional, holiday))
    return tuple(out)


def expand_task(task: Task, plan: Plan, year: int) -> list[Occurrence]:
    """The occurrences of one task in a year, in date order.

    WhenError names the task when its `when` cannot be read or has no date in the year.
    """
    rule = task.on_holiday or plan.on_holiday
    try:
        resolved = _resolved(task.when, year, plan.workday, rule, plan.holidays or NO_HOLIDAYS)
    except WhenError as exc:
        where = f"（第{task.line}行）" if task.line else ""
        raise WhenError(f"任务「{task.id}」{where}的时间「{task.when}」：{exc}") from None
    task_id, title, category, owner, support = task.id, task.title, task.category, task.owner, task.support
    evidence, notes, amount, when, indicators = task.evidence or plan.evidence, task.notes, task.amount, task.when, task.indicators
    occurrences = [
        build_occurrence(
            task_id if period is None else f"{task_id}@{period}", task_id, year, title, category, owner,
            start, nominal_due, due, shifted, provisional, period, support, evidence, notes, amount, when,
            None, indicators, holiday,
        )
        for period, start, nominal_due, due, shifted, provisional, holiday in resolved
    ]
    return occurrences


def expand_plan(plan: Plan, year: int) -> list[Occurrence]:
    """Every occurrence of every task in a year, sorted by (due, id).

    WhenError lists every task whose `when` fails for this year, one per line.
    """
    import gc

    occurrences: list[Occurrence] = []
    problems: list[str] = []
    enabled = gc.isenabled()
    gc.disable()  # thousands of new objects, no cycles: skip the GC's full passes
    try:
        _expand_into(plan, year, occurrences, problems)
    finally:
        if enabled:
            gc.enable()
    if problems:
        raise WhenError("\n".join(problems))
    # Two stable single-key sorts equal one (due, id) sort and skip building a tuple per item.
    occurrences.sort(key=attrgetter("id"))
    occurrences.sort(key=attrgetter("due"))
    return occurrences


def _expand_into(plan: Plan, year: int, occurrences: list[Occurrence], problems: list[str]) -> None:
    for task in plan.tasks:
        try:
            occurrences.extend(expand_task(task, plan, year))
        except WhenError as exc:
            problems.append(str(exc))
