"""Working days: official holidays and 调休 make-up days, and the workday policies.

Which day is off comes from tracker.calendar.holidays (the office's holidays file,
chinese_calendar, and the statutory days for a year neither covers). A year without
its notice is provisional: its statutory days are off, bridges and make-up days are
unknown, and every answer that depends on that says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from tracker.calendar.holidays import NO_HOLIDAYS, Holidays, day_info, is_covered as _is_covered
from tracker.errors import WhenError
from tracker.model import WORKDAY_POLICIES

# No official break is longer than this; a guard against an endless walk.
_MAX_STEPS = 40

__all__ = ["is_covered", "is_workday", "adjust", "last_workday_before", "WORKDAY_POLICIES"]


def is_covered(year: int, holidays: Holidays = NO_HOLIDAYS) -> bool:
    """Whether the official holidays of this year are known (not provisional)."""
    return _is_covered(year, holidays)


def is_workday(d: date, holidays: Holidays = NO_HOLIDAYS) -> tuple[bool, bool]:
    """(is a working day, provisional). 调休 weekend days count as working days."""
    working, _, provisional = day_info(d, holidays)
    return working, provisional


def adjust(d: date, policy: str, holidays: Holidays = NO_HOLIDAYS) -> tuple[date, bool, bool]:
    """Apply a workday policy to a due date: (due, shifted, provisional).

    previous: a day off moves back to the last working day; next: forward;
    none: the date stays and nothing depends on holiday data, so it is never
    provisional. No policy moves a due into another year: when the walk would leave
    the year (``next`` from 12-31, ``previous`` from 01-01) it goes the other way;
    a year-end or year-start due with no working day either way inside the year stays.
    """
    return _adjust(d, policy, holidays)


def _walk(d: date, step: int, holidays: Holidays) -> tuple[date | None, bool]:
    """The first working day from d in the direction of step, inside d's year."""
    day = d
    provisional = False
    for _ in range(_MAX_STEPS):
        working, guess = is_workday(day, holidays)
        provisional = provisional or guess
        if working:
            return day, provisional
        day = day + timedelta(days=step)
        if day.year != d.year:
            return None, provisional
    return None, provisional  # pragma: no cover - no break is this long


@lru_cache(maxsize=65536)
def _adjust(d: date, policy: str, holidays: Holidays) -> tuple[date, bool, bool]:
    if policy == "none":
        return d, False, False
    if policy not in WORKDAY_POLICIES:
        raise WhenError(f"未知的工作日规则「{policy}」，可选：previous、next、none")
    first = -1 if policy == "previous" else 1
    day, provisional = _walk(d, first, holidays)
    if day is None:
        day, other = _walk(d, -first, holidays)
        provisional = provisional or other
    if day is None:
        return d, False, provisional
    return day, day != d, provisional


def last_workday_before(d: date, holidays: Holidays = NO_HOLIDAYS) -> tuple[date, bool]:
    """(the last working day before d, provisional); the day before d if none in its year."""
    eve = d - timedelta(days=1)
    day, provisional = _walk(eve, -1, holidays)
    return (day if day is not None else eve), provisional
