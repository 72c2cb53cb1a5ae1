"""Festival and commemorative-day dates for a given year.

Lunar festivals come from borax's lunar calendar, 清明 from its solar-term table,
全民国防教育日 is the third Saturday of September (dateutil), the rest are fixed days.
Where borax disagrees with the astronomical references (sxtwl and lunar-python agree
with each other), a small correction table below takes the references' date; the
tests compare every lunar month start 1901–2100 against both libraries.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from functools import lru_cache

from borax.calendars.lunardate import LunarDate, TermUtils
from dateutil.relativedelta import SA, relativedelta

from tracker.errors import WhenError

# Range the lunar tables cover (borax: lunar years 1900–2100). A lunar festival of
# year Y is always inside solar year Y, so every name works for these years.
MIN_YEAR = 1901
MAX_YEAR = 2100

# Canonical names, in calendar order.
FESTIVALS: tuple[str, ...] = (
    "元旦",
    "春节",
    "元宵",
    "清明",
    "五一",
    "五四",
    "端午",
    "七一",
    "八一",
    "国防教育日",
    "中秋",
    "烈士纪念日",
    "国庆",
    "重阳",
)

# Other names people write for the same day -> canonical name.
ALIASES: dict[str, str] = {
    "元旦节": "元旦",
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
    "全民国防教育日": "国防教育日",
    "中秋节": "中秋",
    "烈士节": "烈士纪念日",
    "国庆节": "国庆",
    "十一": "国庆",
    "十一国庆": "国庆",
    "十一国庆节": "国庆",
    "重阳节": "重阳",
    "老人节": "重阳",
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

# Lunar days (lunar month, lunar day) of the lunar year that starts in the solar year.
_LUNAR: dict[str, tuple[int, int]] = {
    "春节": (1, 1),
    "元宵": (1, 15),
    "端午": (5, 5),
    "中秋": (8, 15),
    "重阳": (9, 9),
}

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
    """The solar date of a festival in a year; WhenError for an unknown name or year."""
    canonical = canonical_name(name)
    if canonical is None:
        raise WhenError(f"未知节日“{name}”，可用：{'、'.join(FESTIVALS)}")
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise WhenError(f"年份{year}超出支持范围（{MIN_YEAR}—{MAX_YEAR}）")
    return _festival_date(canonical, year)


@lru_cache(maxsize=4096)
def _festival_date(canonical: str, year: int) -> date:
    if canonical in _FIXED:
        month, day = _FIXED[canonical]
        return date(year, month, day)
    if canonical in _LUNAR:
        month, day = _LUNAR[canonical]
        # leap=0: the festival is in the regular month, never in a leap month of that number.
        return lunar_to_solar(year, month, day, 0)
    if canonical == "清明":
        return TermUtils.nth_term_day(year, term_name="清明")
    if canonical == "国防教育日":
        return date(year, 9, 1) + relativedelta(weekday=SA(3))
    raise AssertionError(f"festival without a rule: {canonical}")  # pragma: no cover
