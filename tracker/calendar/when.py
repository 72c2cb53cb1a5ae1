"""The `when` expressions of a plan: parse them, and expand them for a year.

``parse_when(text)`` reads what the plan keeper wrote (``一季度``, ``春节前夕``,
``每月第一个周四``, ``RRULE:...``) into a WhenSpec; ``slots_for(spec, year)`` turns a
spec into the year's slots (period, window start, nominal due, adjustable); the
expansion itself lives in tracker.calendar.slots.
Only WhenError ever leaves this module, with a Chinese message that says why.
The grammar is documented in docs/plan-format.md; WHEN_EXAMPLES covers every form.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from tracker.calendar.rrules import normalise_rrule
from tracker.errors import WhenError
from tracker.calendar.festivals import (
    ALIASES,
    FESTIVALS,
    LUNAR_MONTH_NAMES,
    MAX_YEAR,
    MIN_YEAR,
    canonical_name,
    festival_label,
    lunar_key,
    margins,
)

MAX_OFFSET_DAYS = 100  # 春节前7天 ... a festival offset beyond this is a typo
MAX_TEXT = 200

# Every form the parser accepts, for the docs and the tests. Full dates name 2026.
WHEN_EXAMPLES: tuple[str, ...] = (
    # quarters
    "Q1", "q2", "一季度", "第二季度", "二季度", "第4季度", "三季度末",
    "1—3月", "1-3月", "1～3月", "4至6月", "7月—9月", "10-12月份",
    # half years
    "上半年", "下半年", "H1", "h2", "上半年底前",
    # months and month ranges
    "5月", "五月", "5月份", "五月份", "十二月", "3月底前", "6月底", "11月末", "3—5月",
    "3月上旬", "3月中旬", "3月下旬", "3月初", "3月中",
    # the whole year, due at its end
    "年底", "年底前", "年内", "全年", "年终", "年初",
    # dates
    "3月10日", "3月10号", "03-10", "3-10", "3/10", "2026-03-10", "2026年3月10日",
    "３月１０日", "三月十日",
    # before a date
    "3月10日前", "3月10日之前", "2026-03-10前",
    # date ranges
    "3月10日至20日", "3月10日—4月5日", "3月10日-20日",
    # festivals and commemorative days
    "元旦", "春节", "元宵", "元宵节", "清明", "清明节", "五一", "劳动节", "五四", "青年节",
    "端午", "端午节", "七一", "建党节", "八一", "“八一”", "建军节", "八一建军节", "中秋",
    "中秋节", "国庆", "国庆节", "重阳", "重阳节", "国防教育日", "全民国防教育日",
    "烈士纪念日", "除夕", "大年三十", "腊八", "腊八节", "小年", "北方小年", "南方小年", "冬至",
    "七夕", "母亲节", "父亲节",
    # lunar dates
    "腊月二十三", "腊月廿三", "正月十五", "农历八月十五", "八月初一",
    # two festivals together: 元旦 to 春节
    "两节", "两节期间", "元旦春节期间", "元旦、春节期间",
    # festival offsets and vague windows
    "春节前7天", "八一后3天", "国庆前2日", "春节前七天", "春节前夕", "“八一”前夕", "八一前",
    "春节期间", "在春节期间", "八一后", "春节前后", "建军节之际", "元旦前夕", "春节前一周",
    "中秋前两周", "国庆后一周",
    # recurrences
    "每月", "每月一次", "每季度", "每季度一次", "每半年", "上下半年各一次", "每年", "每年一次",
    "每周一", "每周星期一", "每星期五", "每周日",
    "每月第一个周四", "每月第1个星期四", "每月第二个周二", "每月最后一个周五",
    "每月10日", "每月10日前", "每月10号", "每月上旬", "每月初", "每月中旬", "每月下旬",
    # RRULE (dateutil rrulestr; dtstart = Jan 1 of the year)
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=15",
    "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
    "RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=6",
)

# A few forms quoted in the "cannot read" message.
_HINT = "例如：一季度、1-3月、5月、上半年、3月10日、春节前夕、八一前、每月、每周一、每月第一个周四"


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

KINDS = (
    "span",  # months m1..m2 (or a 旬 of one month); due at the end; adjustable
    "date",  # one day
    "before",  # Jan 1 .. a day
    "festival",  # a window around a festival day
    "monthly",
    "quarterly",
    "halfyearly",
    "yearly",
    "weekly",  # every given weekday
    "monthly_weekday",  # the n-th (or last) given weekday of each month
    "monthly_day",  # month start .. day n of each month
    "rrule",
    "range",  # one date to another (3月10日至20日); due at the end; adjustable
)
REPEAT_KINDS = frozenset(KINDS[4:12])


@dataclass(frozen=True)
class WhenSpec:
    """A parsed `when` expression; year-independent (except a full date)."""

    kind: str
    text: str  # as written
    months: tuple[int, int] = (0, 0)  # span: first and last month
    days: tuple[int, int] = (0, 0)  # span of one month: day range of a 旬; (0, 0) = whole months
    year: int | None = None  # a full date names its year
    month: int = 0  # date / before
    day: int = 0  # date / before / monthly_day
    festival: str = ""  # canonical festival name
    offsets: tuple[int, int] = (0, 0)  # festival: start and due relative to the festival day
    eve: bool = False  # festival: the window ends before the festival's days off
    weekday: int = -1  # weekly / monthly_weekday: 0 = Monday
    nth: int = 0  # monthly_weekday: 1..5, or -1 for the last
    rule: str = ""  # rrule: the RRULE text, normalised

    @property
    def repeats(self) -> bool:
        """True when the expression makes one occurrence per period (ids task@period)."""
        return self.kind in REPEAT_KINDS


@dataclass(frozen=True)
class Slot:
    """One occurrence of an expression in a year, before the workday policy."""

    period: str | None  # None for a one-off; else "2026-03", "2026Q2", "2026H1", "2026-03-02", "2026"
    start: date
    nominal_due: date
    adjustable: bool  # the due is a period end: the workday policy applies
    # a festival window that must end by the last working day before the festival's
    # days off: the festival day (前夕, 前, 期间, 两节 ...); None otherwise
    eve: date | None = None


# ---------------------------------------------------------------------------
# Normalisation and numbers
# ---------------------------------------------------------------------------

_QUOTES = "“”‘’\"'「」『』〝〞《》〈〉"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_DASHES = re.compile(r"[-‐‑‒–—―−﹘﹣~〜～至到]+")
_TRAILING = "。；;，,、.．！!？?"

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_WEEKDAY_NAMES = "一二三四五六日"

N = r"([0-9]+|[〇零一二两三四五六七八九十]+)"  # a number, Arabic or Chinese
W = r"([一二三四五六日天七1-7])"  # a weekday
WEEK = r"(?:周|星期|礼拜)"


def _compact(text: str) -> str:
    """Full-width forms folded; spaces, quotes and trailing punctuation dropped."""
    s = unicodedata.normalize("NFKC", text)
    s = "".join(ch for ch in s if not ch.isspace() and ch not in _QUOTES and ch not in _INVISIBLE)
    return s.rstrip(_TRAILING)


def _number(token: str) -> int | None:
    """An Arabic or Chinese number (一 .. 九十九); None if it is not one."""
    if token.isascii() and token.isdigit():
        return int(token) if len(token) <= 6 else 10**6
    if "十" not in token:
        # One digit only: 一二月 means January and February, not December.
        return _CN_DIGITS[token] if len(token) == 1 and token in _CN_DIGITS else None
    tens, _, units = token.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return None
    t = 1 if tens == "" else _CN_DIGITS.get(tens)
    u = 0 if units == "" else _CN_DIGITS.get(units)
    if t is None or u is None or t == 0 or (units and u == 0):
        return None
    return t * 10 + u


def read_number(token: str) -> int | None:
    """An Arabic or Chinese number as plans write it (5, 十二, 两); None if it is not one."""
    return _number(token)


def _num(token: str, text: str) -> int:
    value = _number(token)
    if value is None:
        raise WhenError(f"无法识别的数字「{token}」：{text}")
    return value


def _check_month(month: int, shown: str | None = None) -> int:
    if not 1 <= month <= 12:
        raise WhenError(f"月份不存在：{shown or month}月（应为1-12月）")
    return month


def _check_day(month: int, day: int, year: int | None = None) -> None:
    _check_month(month)
    check_year = year if year is not None else 2000  # a leap year: 2月29日 is a real date
    if day < 1 or day > calendar.monthrange(check_year, month)[1]:
        prefix = f"{year}年" if year is not None else ""
        raise WhenError(f"日期不存在：{prefix}{month}月{day}日")


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_PERIOD_END = r"(?:末前|底前|末|底|内|中)?"

_RE = {
    "quarter_q": re.compile(r"^Q([0-9]+)" + _PERIOD_END + r"$"),
    "quarter_cn": re.compile(r"^第?" + N + r"季度?" + _PERIOD_END + r"$"),
    "half_cn": re.compile(r"^([上下])半年度?" + _PERIOD_END + r"$"),
    "half_h": re.compile(r"^H([0-9]+)" + _PERIOD_END + r"$"),
    "year": re.compile(r"^(?:年底前?|年末前?|年终前?|年内|全年|本年度?|年度内)$"),
    "month_range": re.compile(r"^" + N + r"月?-" + N + r"月份?" + _PERIOD_END + r"$"),
    "month": re.compile(r"^" + N + r"月份?(?:底前|末前|底|末|内)?$"),
    "xun": re.compile(r"^" + N + r"月份?([上中下]旬|初|中)$"),
    "year_start": re.compile(r"^年初前?$"),
    "every_xun": re.compile(r"^每个?月([上中下]旬|初|中)$"),
    "date_range": re.compile(r"^" + N + r"月" + N + r"[日号]?-(?:" + N + r"月)?" + N + r"[日号]$"),
    "bare_pair": re.compile(r"^([0-9]{1,2}|[一二三四五六七八九十]{1,3})(-|/)([0-9]{1,2}|[一二三四五六七八九十]{1,3})$"),
    "lunar": re.compile(
        r"^(农历)?(正|一|二|三|四|五|六|七|八|九|十|十一|十二|冬|腊)月"
        r"(初[一二三四五六七八九十]|十[一二三四五六七八九]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]|三十)"
    ),
    "two_festivals": re.compile(r"^(?:两节|元旦[、,和与及]?春节)(期间|前夕|前|之际|来临之际)?$"),
    "date_cn": re.compile(r"^(?:([0-9]{4})年)?" + N + r"月" + N + r"[日号](前|之前|以前)?$"),
    "date_num": re.compile(r"^(?:([0-9]{4})[-/])?([0-9]{1,2})[-/]([0-9]{1,2})(前|之前|以前)?$"),
    "every_month": re.compile(r"^每个?月(?:一次|1次)?$"),
    "every_quarter": re.compile(r"^每个?季度?(?:一次|1次)?$"),
    "every_half": re.compile(r"^(?:每半年度?(?:一次|1次)?|上下半年各一次|上下半年各1次)$"),
    "every_year": re.compile(r"^每年度?(?:一次|1次)?$"),
    "every_week": re.compile(r"^每个?" + WEEK + WEEK + r"?" + W + r"$"),
    "nth_weekday": re.compile(r"^每个?月第" + N + r"个?" + WEEK + W + r"$"),
    "last_weekday": re.compile(r"^每个?月(?:最后|倒数第一|倒数第1)一?个?" + WEEK + W + r"$"),
    "monthly_day": re.compile(r"^每个?月" + N + r"[日号](前|之前|以前)?$"),
    # something that looks like a festival name, for the "unknown festival" message
    "festival_like": re.compile(r"^([^0-9\-/]{1,10}?(?:节|纪念日))(?:当天|当日|前夕|前后|期间|之际|前|后|[前后]" + N + r"[天日])?$"),
}

# Festival suffix -> (start offset, due offset) in days from the festival day.
_FESTIVAL_WINDOWS: dict[str, tuple[int, int]] = {
    "": (0, 0),
    "当天": (0, 0),
    "当日": (0, 0),
    "前夕": (-7, -1),
    "之际": (-7, -1),
    "来临之际": (-7, -1),
    "前": (-14, -1),
    "之前": (-14, -1),
    "以前": (-14, -1),
    "期间": (-3, 3),
    "后": (1, 14),
    "之后": (1, 14),
    "以后": (1, 14),
    "前后": (-7, 7),
    "前一周": (-7, -1),
    "前1周": (-7, -1),
    "前两周": (-14, -1),
    "前2周": (-14, -1),
    "后一周": (1, 7),
    "后1周": (1, 7),
    "后两周": (1, 14),
    "后2周": (1, 14),
}
# Windows that end by the last working day before the festival's days off.
_EVE_WINDOWS = frozenset(("前夕", "之际", "来临之际", "前", "之前", "以前", "期间", "前一周", "前1周", "前两周", "前2周"))
_XUN_DAYS = {"上旬": (1, 10), "初": (1, 10), "中旬": (11, 20), "中": (11, 20), "下旬": (21, 31)}
_LUNAR_MONTHS = {name: n for n, name in enumerate(LUNAR_MONTH_NAMES, start=1)}
_LUNAR_MONTHS.update({"一": 1, "十一": 11, "十二": 12})
_FESTIVAL_OFFSET = re.compile(r"^([前后])" + N + r"[天日]$")

# Longest names first so that 八一建军节 wins over 八一.
_FESTIVAL_NAMES = tuple(sorted(set(FESTIVALS) | set(ALIASES), key=len, reverse=True))


def parse_when(text: str) -> WhenSpec:
    """Read a `when` expression; WhenError (Chinese message) when it cannot be read."""
    if not isinstance(text, str):
        raise WhenError(f"时间表达应为文字，而不是{type(text).__name__}")
    return _parse_cached(text)


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> WhenSpec:
    if not text.strip():
        raise WhenError("时间表达为空，请填写，例如：一季度、春节前夕、每月")
    if len(text) > MAX_TEXT:
        raise WhenError(f"时间表达过长（{len(text)}字），请写简短的时间，{_HINT}")
    compact = _compact(text)
    if compact[:6].upper() == "RRULE:":
        return WhenSpec(kind="rrule", text=text, rule=normalise_rrule(text, compact))
    # 至 joins a range (3月10日至20日) except inside the name 冬至.
    s = _DASHES.sub("-", compact.replace("冬至", "\0")).replace("\0", "冬至").upper()
    if s.startswith(("在", "于")) and len(s) > 1:
        s = s[1:]
    if not s:
        raise WhenError(f"无法识别的时间表达「{text}」，{_HINT}")
    spec = _parse_bare_pair(text, compact)
    if spec is None:
        spec = _parse_plain(text, s)
    if spec is None:
        spec = _parse_lunar(text, s)
    if spec is None:
        spec = _parse_festival(text, s)
    if spec is None:
        raise WhenError(f"无法识别的时间表达「{text.strip()}」，{_HINT}")
    return spec


def _span(text: str, first: int, last: int, days: tuple[int, int] = (0, 0)) -> WhenSpec:
    return WhenSpec(kind="span", text=text, months=(first, last), days=days)


def _quarter(text: str, q: int, shown: str) -> WhenSpec:
    if not 1 <= q <= 4:
        raise WhenError(f"季度不存在：{shown}（应为第一至第四季度）")
    return _span(text, 3 * q - 2, 3 * q)


def _parse_plain(text: str, s: str) -> WhenSpec | None:
    """Every form except festivals; None when nothing matches."""
    if m := _RE["quarter_q"].match(s):
        return _quarter(text, _num(m[1], text), s)
    if m := _RE["quarter_cn"].match(s):
        return _quarter(text, _num(m[1], text), s)
    if m := _RE["half_cn"].match(s):
        return _span(text, 1, 6) if m[1] == "上" else _span(text, 7, 12)
    if m := _RE["half_h"].match(s):
        h = _num(m[1], text)
        if h not in (1, 2):
            raise WhenError(f"半年只有H1和H2：{s}")
        return _span(text, 1, 6) if h == 1 else _span(text, 7, 12)
    if _RE["year"].match(s):
        return _span(text, 1, 12)
    if m := _RE["month_range"].match(s):
        first = _check_month(_num(m[1], text), m[1])
        last = _check_month(_num(m[2], text), m[2])
        if first > last:
            raise WhenError(f"月份范围无效：{first}月至{last}月（起始月份应不晚于结束月份）")
        return _span(text, first, last)
    if m := _RE["month"].match(s):
        if m[1] == "两":
            raise WhenError(f"「{text.strip()}」看不出是哪个月：2月请写「2月」或「二月」，每两个月一次请分别写出月份")
        month = _check_month(_num(m[1], text), m[1])
        return _span(text, month, month)
    if m := _RE["xun"].match(s):
        month = _check_month(_num(m[1], text), m[1])
        return _span(text, month, month, _XUN_DAYS[m[2]])
    if _RE["year_start"].match(s):
        return _span(text, 1, 1)
    if m := _RE["every_xun"].match(s):
        return WhenSpec(kind="monthly", text=text, days=_XUN_DAYS[m[1]])
    if m := _RE["date_range"].match(s):
        first_month = _check_month(_num(m[1], text), m[1])
        first_day = _num(m[2], text)
        last_month = _check_month(_num(m[3], text), m[3]) if m[3] else first_month
        last_day = _num(m[4], text)
        _check_day(first_month, first_day)
        _check_day(last_month, last_day)
        if (first_month, first_day) >= (last_month, last_day):
            raise WhenError(f"日期范围无效：{first_month}月{first_day}日至{last_month}月{last_day}日（起始日应早于结束日）")
        return WhenSpec(kind="range", text=text, months=(first_month, last_month), days=(first_day, last_day))
    if m := _RE["date_cn"].match(s) or _RE["date_num"].match(s):
        year = int(m[1]) if m[1] else None
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise WhenError(f"年份{year}超出支持范围（{MIN_YEAR}-{MAX_YEAR}）")
        month = _check_month(_num(m[2], text), m[2])
        day = _num(m[3], text)
        _check_day(month, day, year)
        kind = "before" if m[4] else "date"
        return WhenSpec(kind=kind, text=text, year=year, month=month, day=day)
    if _RE["every_month"].match(s):
        return WhenSpec(kind="monthly", text=text)
    if _RE["every_quarter"].match(s):
        return WhenSpec(kind="quarterly", text=text)
    if _RE["every_half"].match(s):
        return WhenSpec(kind="halfyearly", text=text)
    if _RE["every_year"].match(s):
        return WhenSpec(kind="yearly", text=text)
    if m := _RE["every_week"].match(s):
        return WhenSpec(kind="weekly", text=text, weekday=_WEEKDAYS[m[1]])
    if m := _RE["nth_weekday"].match(s):
        nth = _num(m[1], text)
        if not 1 <= nth <= 5:
            raise WhenError(f"每月只有第1至第5个星期{_WEEKDAY_NAMES[_WEEKDAYS[m[2]]]}：{s}")
        return WhenSpec(kind="monthly_weekday", text=text, weekday=_WEEKDAYS[m[2]], nth=nth)
    if m := _RE["last_weekday"].match(s):
        return WhenSpec(kind="monthly_weekday", text=text, weekday=_WEEKDAYS[m[1]], nth=-1)
    if m := _RE["monthly_day"].match(s):
        day = _num(m[1], text)
        if not 1 <= day <= 31:
            raise WhenError(f"日期不存在：每月{day}日（应为1-31日）")
        return WhenSpec(kind="monthly_day", text=text, day=day)
    return None


_QUARTER_PAIRS = {(1, 3), (4, 6), (7, 9), (10, 12)}
_RANGE_WORDS = re.compile(r"^([0-9]{1,2}|[一二三四五六七八九十]{1,3})([‐‑‒–—―−﹘﹣~〜～至到]+)([0-9]{1,2}|[一二三四五六七八九十]{1,3})$")


def _parse_bare_pair(text: str, compact: str) -> WhenSpec | None:
    """Two numbers without 月 (1—3, 1至3, 10-12): months, or refused with a suggestion."""
    m = _RANGE_WORDS.match(compact)
    if m is not None and m[2] not in "-/":
        first, last = _number(m[1]), _number(m[3])
        if first is not None and last is not None and 1 <= first < last <= 12:
            # 至/到/— between two numbers is a range of months: nobody writes a date that way.
            return _span(text, first, last)
        raise WhenError(f"「{text.strip()}」看不出是月份还是日期：月份范围请写「{m[1]}-{m[3]}月」，日期请写「{m[1]}月{m[3]}日」")
    m = _RE["bare_pair"].match(compact)
    if m is not None and m[2] == "-":
        first, last = _number(m[1]), _number(m[3])
        if (first, last) in _QUARTER_PAIRS:
            raise WhenError(
                f"「{text.strip()}」看不出是季度还是日期：第{(last or 3) // 3}季度请写「{first}-{last}月」，"
                f"日期请写「{first}月{last}日」"
            )
    return None


def _lunar_day(token: str) -> int:
    if token.startswith("初"):
        return 10 if token == "初十" else _CN_DIGITS[token[1]]
    if token.startswith("廿"):
        return 20 + _CN_DIGITS[token[1]]
    value = _number(token)
    assert value is not None
    return value


def _parse_lunar(text: str, s: str) -> WhenSpec | None:
    """A lunar date (腊月二十三, 正月十五, 农历八月十五), optionally with a window."""
    m = _RE["lunar"].match(s)
    if m is None:
        return None
    month = _LUNAR_MONTHS[m[2]]
    day = _lunar_day(m[3])
    rest = s[m.end():]
    if rest.startswith(("日", "号")):
        return None  # 三月十日: a solar date, read by the date forms
    return _festival_spec(text, s, lunar_key(month, day), rest)


def _festival_spec(text: str, s: str, festival: str, rest: str) -> WhenSpec | None:
    """The window of a festival given what follows its name; None when rest is no window."""
    if rest in _FESTIVAL_WINDOWS:
        offsets = _FESTIVAL_WINDOWS[rest]
        spec = WhenSpec(kind="festival", text=text, festival=festival, offsets=offsets, eve=rest in _EVE_WINDOWS)
    elif m := _FESTIVAL_OFFSET.match(rest):
        days = _num(m[2], text)
        if not 1 <= days <= MAX_OFFSET_DAYS:
            raise WhenError(f"节日前后的天数应为1-{MAX_OFFSET_DAYS}天：{s}")
        offset = -days if m[1] == "前" else days
        spec = WhenSpec(kind="festival", text=text, festival=festival, offsets=(offset, offset))
    else:
        return None
    _check_window_in_year(spec)
    return spec


def _check_window_in_year(spec: WhenSpec) -> None:
    """An offset that can leave the year is refused for every year, not only some."""
    due = spec.offsets[1]
    if _anchor_shift(spec) != 0:
        return  # 元旦前…: the run-up to next year's 元旦, always inside the plan year
    before, after = margins(spec.festival)
    name = festival_label(spec.festival)
    if due < 0 and -due > before:
        raise WhenError(
            f"「{spec.text.strip()}」在有的年份会落到上一年：日期按计划年份自己的{name}计算，"
            f"{name}最早在1月{before + 1}日，提前的天数最多{before}天"
        )
    if due > 0 and due > after:
        raise WhenError(
            f"「{spec.text.strip()}」在有的年份会落到下一年：日期按计划年份自己的{name}计算，"
            f"推后的天数最多{after}天"
        )


def _anchor_shift(spec: WhenSpec) -> int:
    """Which year's festival a window uses: +1 for 元旦 windows that end before it."""
    return 1 if spec.festival == "元旦" and spec.offsets[1] < 0 else 0


def _parse_festival(text: str, s: str) -> WhenSpec | None:
    if m := _RE["two_festivals"].match(s):
        # 两节 / 元旦春节期间: from 元旦 to the last working day before the 春节 days off.
        return WhenSpec(kind="festival", text=text, festival="春节", offsets=(-366, -1), eve=True)
    for name in _FESTIVAL_NAMES:
        if not s.startswith(name):
            continue
        festival = canonical_name(name)
        rest = s[len(name):]
        # 八一建军节 written as 八一 + 建军节, 八一 + 节: drop the repeated name.
        for other in _FESTIVAL_NAMES:
            if rest.startswith(other) and canonical_name(other) == festival:
                rest = rest[len(other):]
                break
        if rest.startswith("节") and not name.endswith("节"):
            rest = rest[1:]
        spec = _festival_spec(text, s, festival, rest)
        if spec is not None:
            return spec
        # 十一 is 国庆 but 十一月 is November: let other readings have their turn.
    if m := _RE["festival_like"].match(s):
        if m[1] in ("腊八节",):  # pragma: no cover - listed names are matched above
            return None
        raise WhenError(f"未知节日「{m[1]}」，可用：{'、'.join(FESTIVALS)}（也可写元宵节、建军节、全民国防教育日等）")
    return None


def slots_for(spec: WhenSpec, year: int) -> list[Slot]:
    """The slots of an expression in a year, in date order; WhenError when it has none."""
    from tracker.calendar.slots import slots_for as _slots_for  # the expansion lives there

    return _slots_for(spec, year)
