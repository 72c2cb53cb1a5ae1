"""Festival and commemorative-day dates for a given year.

Lunar festivals come from borax's lunar calendar, 清明 from its solar-term table,
全民国防教育日 is the third Saturday of September (dateutil), the rest are fixed days.
Where borax disagrees with the astronomical references (sxtwl and lunar-python agree
with each other), a small correction table below takes the references' date; the
tests compare every lunar month start 1901–2100 against both libraries.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache

from borax.calendars.lunardate import LunarDate, TermUtils
from dateutil.relativedelta import relativedelta, weekday as rd_weekday

from tracker.calendar import MAX_YEAR, MIN_YEAR  # noqa: F401  (named here for the calendar modules)
from tracker.errors import WhenError

# Canonical names, in calendar order. 腊八, 小年 and 除夕 are the ones before the
# year's own 春节 (in January or February; 腊八 falls in late December of the year
# before in a few years, and is then not in that year).
FESTIVALS: tuple[str, ...] = (
    "元旦",
    "腊八",
    "小年",
    "南方小年",
    "除夕",
    "春节",
    "元宵",
    "清明",
    "五一",
    "五四",
    "母亲节",
    "端午",
    "父亲节",
    "七一",
    "八一",
    "七夕",
    "国防教育日",
    "中秋",
    "烈士纪念日",
    "国庆",
    "重阳",
    "冬至",
)

# Other names people write for the same day -> canonical name.
ALIASES: dict[str, str] = {
    "元旦节": "元旦",
    "腊八节": "腊八",
    "北方小年": "小年",
    "北小年": "小年",
    "南小年": "南方小年",
    "大年三十": "除夕",
    "年三十": "除夕",
    "除夕夜": "除夕",
    "大年夜": "除夕",
    "农历新年": "春节",
    "元宵节": "元宵",
    "清明节": "清明",
    "劳动节": "五一",
    "五一节": "五一",
    "五一劳动节": "五一",
    "国际劳动节": "五一",
    "五一国际劳动节": "五一",
    "青年节": "五四",
    "五四节": "五四",
    "五四青年节": "五四",
    "端午节": "端午",
    "端阳节": "端午",
    "建党节": "七一",
    "七一节": "七一",
    "七一建党节": "七一",
    "建军节": "八一",
    "八一节": "八一",
    "八一建军节": "八一",
    "七夕节": "七夕",
    "乞巧节": "七夕",
    "全民国防教育日": "国防教育日",
    "中秋节": "中秋",
    "烈士节": "烈士纪念日",
    "国庆节": "国庆",
    "十一": "国庆",
    "十一国庆": "国庆",
    "十一国庆节": "国庆",
    "重阳节": "重阳",
    "老人节": "重阳",
    "冬至节": "冬至",
}

# Fixed solar days (month, day).
_FIXED: dict[str, tuple[int, int]] = {
    "元旦": (1, 1),
    "五一": (5, 1),
    "五四": (5, 4),
    "七一": (7, 1),
    "八一": (8, 1),
    "烈士纪念日": (9, 30),
    "国庆": (10, 1),
}

# Lunar days (lunar month, lunar day) of the lunar year that starts in the solar year;
# 腊月 (month 12) days are those of the lunar year before: the 腊月 before 春节.
_LUNAR: dict[str, tuple[int, int]] = {
    "腊八": (12, 8),
    "小年": (12, 23),
    "南方小年": (12, 24),
    "春节": (1, 1),
    "元宵": (1, 15),
    "端午": (5, 5),
    "七夕": (7, 7),
    "中秋": (8, 15),
    "重阳": (9, 9),
}

# n-th weekday of a month: (month, weekday 0 = Monday, n) - dateutil relativedelta.
_NTH_WEEKDAY: dict[str, tuple[int, int, int]] = {
    "母亲节": (5, 6, 2),  # second Sunday of May
    "父亲节": (6, 6, 3),  # third Sunday of June
    "国防教育日": (9, 5, 3),  # third Saturday of September
}

_TERMS = ("清明", "冬至")

# An arbitrary lunar date (腊月二十三, 正月十五) is kept under this key: 农历<month>月<day>.
_LUNAR_KEY = re.compile(r"^农历([0-9]{1,2})月([0-9]{1,2})$")
LUNAR_MONTH_NAMES = ("正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊")
_LUNAR_DAY_NAMES = tuple(
    ["初" + d for d in "一二三四五六七八九十"]
    + ["十" + d for d in "一二三四五六七八九"]
    + ["二十"]
    + ["廿" + d for d in "一二三四五六七八九"]
    + ["三十"]
)


def lunar_key(month: int, day: int) -> str:
    """The festival key of a lunar date, e.g. lunar_key(12, 23) == "农历12月23"."""
    return f"农历{month}月{day}"


def lunar_label(month: int, day: int) -> str:
    """A lunar date as written: 腊月廿三, 正月十五."""
    return f"{LUNAR_MONTH_NAMES[month - 1]}月{_LUNAR_DAY_NAMES[day - 1]}"


_QUOTES = "“”‘’\"'「」『』〝〞《》〈〉"

# Lunar months whose first day borax puts one day late: the new moon falls within
# minutes of midnight (Beijing time) and borax's table rounds it to the next day.
# sxtwl and lunar-python (and lunardate, cnlunar) start these months a day earlier,
# e.g. 中秋 2089 is 2089-09-18, not borax's 09-19. (lunar year, month, leap) -> days.
# 重阳 2057 (九月 2057 starts on 09-28 in sxtwl, 09-29 in borax and lunar-python) is
# left as borax has it: the references disagree; see docs/plan-format.md.
LUNAR_CORRECTIONS: dict[tuple[int, int, int], int] = {
    (2089, 8, 0): -1,  # 八月初一 2089-09-04 (borax 09-05); 中秋 2089-09-18
    (2097, 7, 0): -1,  # 七月初一 2097-08-07 (borax 08-08); 七夕 2097-08-13
}


def lunar_to_solar(year: int, month: int, day: int, leap: int = 0) -> date:
    """The solar date of a lunar date (borax, with the corrections above)."""
    solar = LunarDate(year, month, day, leap).to_solar_date()
    shift = LUNAR_CORRECTIONS.get((year, month, leap))
    return solar + timedelta(days=shift) if shift else solar


def known_festival_names() -> tuple[str, ...]:
    """Every name `when` accepts for a festival: canonical names first, then aliases."""
    return FESTIVALS + tuple(a for a in ALIASES if a not in FESTIVALS)


def canonical_name(name: str) -> str | None:
    """The canonical festival for a name as written (quotes, spaces, width ignored)."""
    key = unicodedata.normalize("NFKC", name)
    key = "".join(ch for ch in key if not ch.isspace() and ch not in _QUOTES)
    if key in FESTIVALS:
        return key
    return ALIASES.get(key)


def festival_date(name: str, year: int) -> date:
    """The solar date of a festival (or a lunar-date key) in a year; WhenError when unknown."""
    canonical = canonical_name(name)
    if canonical is None and _LUNAR_KEY.match(name) is None:
        raise WhenError(f"未知节日「{name}」，可用：{'、'.join(FESTIVALS)}")
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise WhenError(f"年份{year}超出支持范围（{MIN_YEAR}-{MAX_YEAR}）")
    return _festival_date(canonical or name, year)


def festival_label(key: str) -> str:
    """How a festival key is shown: the canonical name, or the lunar date as written."""
    m = _LUNAR_KEY.match(key)
    return f"农历{lunar_label(int(m[1]), int(m[2]))}" if m else key


@lru_cache(maxsize=8192)
def _festival_date(canonical: str, year: int) -> date:
    if canonical in _FIXED:
        month, day = _FIXED[canonical]
        return date(year, month, day)
    if canonical == "除夕":
        # The eve of the year's 春节: 腊月三十, or 廿九 when 腊月 is short.
        return _festival_date("春节", year) - timedelta(days=1)
    m = _LUNAR_KEY.match(canonical)
    if m or canonical in _LUNAR:
        month, day = (int(m[1]), int(m[2])) if m else _LUNAR[canonical]
        lunar_year = year - 1 if month == 12 else year
        try:
            # leap=0: the regular month, never a leap month of that number.
            return lunar_to_solar(lunar_year, month, day, 0)
        except ValueError:
            raise WhenError(f"农历{lunar_year}年{LUNAR_MONTH_NAMES[month - 1]}月没有{_LUNAR_DAY_NAMES[day - 1]}（小月只有29天）") from None
    if canonical in _TERMS:
        return TermUtils.nth_term_day(year, term_name=canonical)
    if canonical in _NTH_WEEKDAY:
        month, weekday, nth = _NTH_WEEKDAY[canonical]
        return date(year, month, 1) + relativedelta(weekday=rd_weekday(weekday, nth))
    raise AssertionError(f"festival without a rule: {canonical}")  # pragma: no cover


@lru_cache(maxsize=None)
def margins(key: str) -> tuple[int, int]:
    """(fewest days from Jan 1 to the festival, fewest days from it to Dec 31), 1901–2100.

    Only years in which the festival falls inside the year count. An offset of more
    days than this leaves the year in some year: such an offset is refused for all.
    """
    before = after = 366
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        try:
            day = _festival_date(key, year)
        except WhenError:
            continue
        if day.year != year:
            continue
        before = min(before, (day - date(year, 1, 1)).days)
        after = min(after, (date(year, 12, 31) - day).days)
    return before, after
