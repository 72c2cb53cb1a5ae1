"""The slots of a parsed `when` expression in one year (see tracker.calendar.when).

Each slot is a window (start .. nominal due) and whether the workday policy applies;
festival windows carry the festival day when they must end before its days off.
Only WhenError leaves this module.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta, weekday as rd_weekday
from dateutil.rrule import WEEKLY, rrule

from tracker.calendar.festivals import MAX_YEAR, MIN_YEAR, festival_date, festival_label
from tracker.calendar.rrules import rrule_dates
from tracker.calendar.when import Slot, WhenSpec, _anchor_shift
from tracker.errors import WhenError




def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def slots_for(spec: WhenSpec, year: int) -> list[Slot]:
    """The slots of an expression in a year, in date order; WhenError when it has none."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise WhenError(f"年份{year}超出支持范围（{MIN_YEAR}-{MAX_YEAR}）")
    return list(_slots_cached(spec, year))


@lru_cache(maxsize=16384)
def _slots_cached(spec: WhenSpec, year: int) -> tuple[Slot, ...]:
    kind = spec.kind
    if kind == "span":
        first, last = spec.months
        if spec.days != (0, 0):
            end = _month_end(year, last)
            start = date(year, first, spec.days[0])
            due = min(date(year, last, min(spec.days[1], end.day)), end)
            return (Slot(None, start, due, True),)
        return (Slot(None, date(year, first, 1), _month_end(year, last), True),)
    if kind in ("date", "before"):
        if spec.year is not None and spec.year != year:
            raise WhenError(f"日期年份{spec.year}与计划年份{year}不一致：{spec.text.strip()}")
        if spec.day > calendar.monthrange(year, spec.month)[1]:
            raise WhenError(f"日期不存在：{year}年{spec.month}月{spec.day}日（{year}年不是闰年）")
        day = date(year, spec.month, spec.day)
        start = day if kind == "date" else date(year, 1, 1)
        return (Slot(None, start, day, False),)
    if kind == "festival":
        return (_festival_slot(spec, year),)
    if kind == "monthly":
        if spec.days != (0, 0):  # 每月上旬 ...: days of each month, due at the last
            first, last = spec.days
            return tuple(
                Slot(f"{year}-{m:02d}", date(year, m, first), date(year, m, min(last, _month_end(year, m).day)), True)
                for m in range(1, 13)
            )
        return tuple(
            Slot(f"{year}-{m:02d}", date(year, m, 1), _month_end(year, m), True) for m in range(1, 13)
        )
    if kind == "range":
        (m1, m2), (d1, d2) = spec.months, spec.days
        for month, day in ((m1, d1), (m2, d2)):
            if day > calendar.monthrange(year, month)[1]:
                raise WhenError(f"日期不存在：{year}年{month}月{day}日（{year}年不是闰年）")
        return (Slot(None, date(year, m1, d1), date(year, m2, d2), True),)
    if kind == "quarterly":
        return tuple(
            Slot(f"{year}Q{q}", date(year, 3 * q - 2, 1), _month_end(year, 3 * q), True) for q in range(1, 5)
        )
    if kind == "halfyearly":
        return (
            Slot(f"{year}H1", date(year, 1, 1), date(year, 6, 30), True),
            Slot(f"{year}H2", date(year, 7, 1), date(year, 12, 31), True),
        )
    if kind == "yearly":
        return (Slot(f"{year}", date(year, 1, 1), date(year, 12, 31), True),)
    if kind == "weekly":
        days = rrule(WEEKLY, byweekday=spec.weekday, dtstart=datetime(year, 1, 1), until=datetime(year, 12, 31))
        return tuple(Slot(d.date().isoformat(), d.date(), d.date(), False) for d in days)
    if kind == "monthly_weekday":
        slots = []
        for m in range(1, 13):
            if spec.nth > 0:
                day = date(year, m, 1) + relativedelta(weekday=rd_weekday(spec.weekday, spec.nth))
            else:
                day = _month_end(year, m) + relativedelta(weekday=rd_weekday(spec.weekday, -1))
            if day.month == m:  # a fifth Thursday is not in every month
                slots.append(Slot(f"{year}-{m:02d}", day, day, False))
        return tuple(slots)
    if kind == "monthly_day":
        slots = []
        for m in range(1, 13):
            # 每月31日 in a short month means its last day.
            day = date(year, m, min(spec.day, calendar.monthrange(year, m)[1]))
            slots.append(Slot(f"{year}-{m:02d}", date(year, m, 1), day, False))
        return tuple(slots)
    if kind == "rrule":
        return tuple(Slot(d.isoformat(), d, d, False) for d in rrule_dates(spec.rule, spec.text, year))
    raise WhenError(f"无法识别的时间表达「{spec.text}」")


def _festival_slot(spec: WhenSpec, year: int) -> Slot:
    """The window of a festival in the plan year, anchored on that year's own festival.

    元旦 windows that end before 元旦 (元旦前夕) are the run-up to next year's 元旦, at the
    end of the plan year. An offset that leaves the year was refused when parsing; a
    festival that itself falls outside the year (腊八 before an early 春节) is an error
    for that year.
    """
    start_off, due_off = spec.offsets
    anchor = year + _anchor_shift(spec)
    name = festival_label(spec.festival)
    if not MIN_YEAR <= anchor <= MAX_YEAR:
        raise WhenError(f"「{spec.text.strip()}」在{year}年内没有对应日期（{anchor}年超出支持范围）")
    day = festival_date(spec.festival, anchor)
    due = day + timedelta(days=due_off)
    if due.year != year:
        when = f"{day.year}年{day.month}月{day.day}日"
        raise WhenError(f"「{spec.text.strip()}」在{year}年内没有对应日期：{year}年的{name}在{when}")
    start = min(max(day + timedelta(days=start_off), date(year, 1, 1)), due)
    return Slot(None, start, due, False, eve=day if spec.eve else None)
