"""Official days off and make-up working days: which day is off, and for which holiday.

Three sources, most specific first:

1. the office's own holidays data (``Holidays``, read from holidays files by
   tracker.calendar.holidayfile; usually the State Council notice imported with
   ``shuangyong-tui holidays import``): days off and 调休 working days for any year;
2. chinese_calendar, which knows the notices published before its release;
3. for a year neither covers, the statutory days of the 全国年节及纪念日放假办法 (as revised
   in 2024): 元旦 1/1; 春节 除夕 and 正月初一—初三; 清明; 劳动节 5/1—5/2; 端午; 中秋;
   国庆 10/1—10/3. Such a year is provisional: the bridges and make-up days are unknown.

Everything here is a pure function of (day, Holidays); results are cached per pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import chinese_calendar

from tracker.calendar.festivals import MAX_YEAR, MIN_YEAR, festival_date

# chinese_calendar's names -> the names the office uses.
_LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# The official holidays in notice order (the names a notice and a holidays file use).
HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


@dataclass(frozen=True, eq=False)
class Holidays:
    """The office's holiday data: days off and 调休 working days, by date.

    `years` are the years whose whole notice is entered (no longer provisional).
    Equality and hash go by `key`, a digest of the content, so the data can key caches.
    """

    # Plain dicts (picklable, for the plan cache); never mutated after construction.
    off: Mapping[date, str] = field(default_factory=dict)
    work: Mapping[date, str] = field(default_factory=dict)
    years: frozenset[int] = frozenset()
    sources: tuple[Path, ...] = ()
    key: str = ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Holidays) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __bool__(self) -> bool:
        return bool(self.off or self.work or self.years)

    def for_year(self, year: int) -> tuple[dict[date, str], dict[date, str]]:
        """(days off, make-up working days) this data gives for one year."""
        return (
            {d: n for d, n in sorted(self.off.items()) if d.year == year},
            {d: n for d, n in sorted(self.work.items()) if d.year == year},
        )


NO_HOLIDAYS = Holidays()


@lru_cache(maxsize=None)
def library_covers(year: int) -> bool:
    """Whether chinese_calendar has the official holidays of this year."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except (NotImplementedError, ValueError):
        return False
    return True


def is_covered(year: int, holidays: Holidays = NO_HOLIDAYS) -> bool:
    """Whether the holidays of this year are known (not provisional)."""
    return year in holidays.years or library_covers(year)


@lru_cache(maxsize=None)
def statutory_days(year: int) -> Mapping[date, str]:
    """The days off fixed by law for a year (as revised in 2024), by date."""
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    if MIN_YEAR <= year <= MAX_YEAR:
        spring = festival_date("春节", year)
        for offset in range(-1, 3):  # 除夕, 初一, 初二, 初三
            day = spring + timedelta(days=offset)
            if day.year == year:
                days[day] = "春节"
        days[festival_date("清明", year)] = "清明节"
        days[festival_date("端午", year)] = "端午节"
        days[festival_date("中秋", year)] = "中秋节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    for d in (1, 2, 3):
        days[date(year, 10, d)] = "国庆节"
    return MappingProxyType(days)


@lru_cache(maxsize=65536)
def day_info(d: date, holidays: Holidays = NO_HOLIDAYS) -> tuple[bool, str | None, bool]:
    """(is a working day, name of the official holiday it is off for, provisional).

    A plain weekend is off with no name; a 调休 Saturday is a working day; a bridging
    day off (放假调休) carries its holiday's name.
    """
    if d in holidays.work:
        return True, None, False
    if d in holidays.off:
        return False, holidays.off[d], False
    year = d.year
    if year in holidays.years:
        return d.weekday() < 5, None, False
    if library_covers(year):
        off, name = chinese_calendar.get_holiday_detail(d)
        named = _LIBRARY_NAMES.get(name, name) if off and name else None
        return not off, named, False
    name = statutory_days(year).get(d)
    if name is not None:
        return False, name, True
    return d.weekday() < 5, None, True


def holiday_name(d: date, holidays: Holidays = NO_HOLIDAYS) -> str | None:
    """The official holiday a day is off for (None on a working day or a plain weekend)."""
    return day_info(d, holidays)[1]
