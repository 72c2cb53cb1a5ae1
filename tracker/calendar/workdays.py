"""Working days: official holidays and 调休 make-up days, per chinese_calendar.

The State Council publishes next year's holidays each November, so the library
does not know every year. For a year it does not cover, only weekends count as
days off and the answer is marked provisional; holidays are never guessed.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from tracker.errors import WhenError
from tracker.model import WORKDAY_POLICIES

# No official break is longer than this; a guard against an endless walk.
_MAX_STEPS = 40


@lru_cache(maxsize=None)
def is_covered(year: int) -> bool:
    """Whether chinese_calendar has the official holidays of this year."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=None)
def is_workday(d: date) -> tuple[bool, bool]:
    """(is a working day, provisional). 调休 weekend days count as working days."""
    if is_covered(d.year):
        return chinese_calendar.is_workday(d), False
    return d.weekday() < 5, True


def adjust(d: date, policy: str) -> tuple[date, bool, bool]:
    """Apply a workday policy to a due date: (due, shifted, provisional).

    previous: a day off moves back to the last working day; next: forward;
    none: the date stays and nothing depends on holiday data, so it is never
    provisional. No policy moves a due into another year.
    """
    return _adjust(d, policy)


@lru_cache(maxsize=65536)
def _adjust(d: date, policy: str) -> tuple[date, bool, bool]:
    if policy == "none":
        return d, False, False
    if policy not in WORKDAY_POLICIES:
        raise WhenError(f"未知的工作日规则“{policy}”，可选：previous、next、none")
    step = timedelta(days=-1 if policy == "previous" else 1)
    day = d
    provisional = False
    for _ in range(_MAX_STEPS):
        working, guess = is_workday(day)
        provisional = provisional or guess
        if working:
            if day.year != d.year:
                # The year's work must close inside the year: a year-end due that
                # "next" would push into January goes back to the last working day.
                return _adjust(d, "previous")
            return day, day != d, provisional
        try:
            day = day + step
        except OverflowError:
            break
    raise WhenError(f"{d.isoformat()} 前后{_MAX_STEPS}天内没有工作日")  # pragma: no cover
