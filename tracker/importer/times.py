"""Time phrases in plan text → `when` expressions the calendar understands.

Festival names and numerals come from tracker.calendar; this module only finds where a
phrase is in running text and which `when` it stands for.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from tracker.calendar.festivals import canonical_name, known_festival_names
from tracker.calendar.when import read_number

from .reading import _plain


_QUARTER_WORDS = ("一季度", "二季度", "三季度", "四季度")
_WEEKDAYS = {"一": "一", "二": "二", "三": "三", "四": "四", "五": "五", "六": "六", "日": "日", "天": "日",
             "1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六", "7": "日"}
_ORDINALS = {"一": "一", "二": "二", "三": "三", "四": "四", "1": "一", "2": "二", "3": "三", "4": "四"}


@dataclass(frozen=True)
class _Time:
    whens: tuple[str, ...]  # one task per alternative (several festivals in one phrase)
    rank: int  # lower wins: specific recurrences, dates and festivals, months, years
    start: int
    end: int
    guess: str = ""  # why this is an inference (→ `# 请核对`)
    phrase: str = ""  # the words it came from
    labels: tuple[str, ...] = ()  # per alternative, for titles of split tasks


# The calendar's festival names and aliases, except those that are ordinary words in running
# text (十一 is also November's 十一月). Bare 建党/建军/建国 count only inside a list of days
# ("结合建党、建军、建国和春节"): alone they are words ("建国以来").
_NOT_IN_TEXT = frozenset({"十一"})
_BARE_FESTIVALS = {"建党": "七一", "建军": "八一", "建国": "国庆"}
_FEST_CANON = {
    **{name: canonical_name(name) for name in known_festival_names() if name not in _NOT_IN_TEXT},
    **_BARE_FESTIVALS,
}
_FEST_NAME = "|".join(re.escape(name) for name in sorted(_FEST_CANON, key=len, reverse=True))
_FEST_ONE = re.compile(rf"(?:{_FEST_NAME})")
_FEST_RE = re.compile(
    rf"((?:{_FEST_NAME})节?(?:\s*[、，,和及与/]\s*(?:{_FEST_NAME})节?)*)"
    r"(\d+周年)?(等?(?:重大|重要|传统)?(?:节日|节假日|纪念日))?"
    r"(前夕|来临之际|到来之际|之际|前后|期间|前\d+[天日]|后\d+[天日]|前(?![往进行])|后(?![勤盾备续期来]))?"
)

_RANGE_DASH = r"\s*[—–\-－~～至到]+\s*"
_CN_MONTH = r"十[一二]|[一二三四五六七八九十]"


def _month_days(month: int, day: int) -> bool:
    # Day must exist every year: 2月29日 would fail three years in four.
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2025, month)[1]


def _range_when(a: int, b: int) -> str | None:
    if not (1 <= a < b <= 12):
        return None
    if b - a == 2 and a in (1, 4, 7, 10):
        return _QUARTER_WORDS[(a - 1) // 3]
    if (a, b) == (1, 6):
        return "上半年"
    if (a, b) == (7, 12):
        return "下半年"
    return f"{a}-{b}月"


def _festival_times(plain: str) -> list[_Time]:
    found = []
    for m in _FEST_RE.finditer(plain):
        names = []
        tokens = [one.group(0) for one in _FEST_ONE.finditer(m.group(1))]
        if len(tokens) == 1 and tokens[0] in _BARE_FESTIVALS:
            continue
        for token in tokens:
            canon = _FEST_CANON[token]
            if canon not in names:
                names.append(canon)
        mod = m.group(4) or ""
        whens, labels = [], []
        guess = ""
        for name in names:
            if name == "元旦" and mod in ("前夕", "前", "之际", "来临之际", "到来之际"):
                # "元旦前" is the end of the plan's own year, not the eve of its first day.
                when, guess = "12月", "「元旦前」按当年12月安排"
            elif mod in ("前夕", "之际", "来临之际", "到来之际"):
                when = f"{name}前夕"
            elif mod in ("前后", "期间", "前", "后"):
                when = f"{name}{mod}"
            elif mod.startswith(("前", "后")):
                days = re.sub(r"\D", "", mod)
                when = f"{name}{mod[0]}{days}天"
            else:
                when = name
            if when not in whens:
                whens.append(when)
                labels.append(name)
        found.append(_Time(tuple(whens), 2, m.start(), m.end(), guess, m.group(0), tuple(labels)))
    return found


_PATTERNS: list[tuple[int, re.Pattern, object]] = []


def _pattern(rank: int, regex: str):
    def register(fn):
        _PATTERNS.append((rank, re.compile(regex), fn))
        return fn

    return register


@_pattern(0, r"每月(?:的)?第\s*([一二三四1-4])\s*个?(?:周|星期|礼拜)([一二三四五六日天1-7])")
def _nth_weekday(m):
    return f"每月第{_ORDINALS[m.group(1)]}个周{_WEEKDAYS[m.group(2)]}", ""


@_pattern(0, r"每月(?:的)?最后一个(?:周|星期|礼拜)([一二三四五六日天1-7])")
def _last_weekday(m):
    return f"每月最后一个周{_WEEKDAYS[m.group(1)]}", ""


@_pattern(0, r"每个?(?:周|星期|礼拜)(?:星期|周)?([一二三四五六日天1-7])(?![\d])")
def _weekly(m):
    return f"每周{_WEEKDAYS[m.group(1)]}", ""


@_pattern(0, r"每(?:个)?月(\d{1,2})\s*[日号](前)?")
def _monthly_day(m):
    day = int(m.group(1))
    if 1 <= day <= 28:
        return f"每月{day}日{m.group(2) or ''}", ""
    return "每月", f"原文「{m.group(0)}」并非每月都有，暂定每月"


@_pattern(1, r"每(?:个)?月(?!\d)")
def _monthly(m):
    return "每月", ""


@_pattern(1, r"每(?:个)?季度?(?![节])")
def _quarterly(m):
    return "每季度", ""


@_pattern(1, r"每半年|上下半年各|上、下半年各")
def _half_yearly(m):
    return "每半年", ""


@_pattern(1, r"年内[^，,。；;]{0,8}?[二两2]次")
def _twice_a_year(m):
    return "每半年", f"原文「{m.group(0)}」，暂定上下半年各一次"


@_pattern(1, r"每(?:个)?学期")
def _per_term(m):
    return "每半年", "原文「每学期」，暂定每半年一次"


@_pattern(2, r"(?:(?:\d{4}|20xx|20XX)\s*年)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号](前)?")
def _date(m):
    month, day = int(m.group(1)), int(m.group(2))
    if _month_days(month, day):
        return f"{month}月{day}日{m.group(3) or ''}", ""
    if 1 <= month <= 12:
        return f"{month}月", f"原文日期「{m.group(0)}」不是每年都有，暂定{month}月"
    return None


@_pattern(2, r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
def _iso_date(m):
    month, day = int(m.group(2)), int(m.group(3))
    if _month_days(month, day):
        return f"{month}月{day}日", ""
    return None


@_pattern(2, r"(?<!\d)(\d{1,2})\s*月\s*(?:底|末)(前)?")
def _month_end(m):
    month = int(m.group(1))
    return (f"{month}月底前", "") if 1 <= month <= 12 else None


@_pattern(2, r"两节(期间|前夕|前)?")
def _two_festivals(m):
    # 元旦、春节“两节”: the calendar reads it as the days before 春节.
    return f"两节{m.group(1) or '期间'}", ""


@_pattern(2, r"建党\s*\d+\s*周年")
def _party_anniversary(m):
    return "七一", "按建党纪念日（七一）安排"


@_pattern(2, r"建军\s*\d+\s*周年")
def _army_anniversary(m):
    return "八一", "按建军节（八一）安排"


@_pattern(3, rf"(?<![\d])(\d{{1,2}}){_RANGE_DASH}(\d{{1,2}})\s*月")
def _month_range(m):
    when = _range_when(int(m.group(1)), int(m.group(2)))
    return (when, "") if when else None


@_pattern(3, rf"({_CN_MONTH})\s*月?{_RANGE_DASH}({_CN_MONTH})\s*月")
def _cn_month_range(m):
    a, b = read_number(m.group(1)), read_number(m.group(2))
    when = _range_when(a or 0, b or 0)
    return (when, "") if when else None


@_pattern(3, r"(?<!每)(?:第)?([一二三四1-4])\s*季度")
def _quarter(m):
    return _QUARTER_WORDS[int(read_number(m.group(1)) or 1) - 1], ""


@_pattern(3, r"(?<![A-Za-z])[Qq]([1-4])(?![\d])")
def _quarter_ascii(m):
    return _QUARTER_WORDS[int(m.group(1)) - 1], ""


@_pattern(3, r"(?<!上)下半年|(?<![上下、])上半年")
def _half(m):
    return m.group(0)[-3:], ""


@_pattern(3, r"(?<![\d\-—–~～至到.])(\d{1,2})\s*月份?(?![\d日号底末])")
def _month(m):
    month = int(m.group(1))
    return (f"{month}月", "") if 1 <= month <= 12 else None


@_pattern(3, rf"(?<![一二三四五六七八九十每上下本个几数两])({_CN_MONTH})月份?(?![日号底末度刊报饼光亮球薪])")
def _cn_month(m):
    month = read_number(m.group(1))
    return (f"{month}月", "") if month and 1 <= month <= 12 else None


@_pattern(4, r"每(?:个)?年(?!级)")
def _yearly(m):
    return "每年", ""


@_pattern(5, r"年底|年终|年末|岁末")
def _year_end(m):
    return "年底", ""


@_pattern(5, r"年内")
def _within_year(m):
    return "年内", ""


@_pattern(6, r"年初")
def _year_start(m):
    return "1月", "原文「年初」，暂定1月"


@_pattern(6, r"暑期|暑假")
def _summer(m):
    return "7-8月", "原文「暑期」，暂定7-8月"


@_pattern(6, r"寒假")
def _winter(m):
    return "1-2月", "原文「寒假」，暂定1-2月"


def find_times(text: str) -> list[_Time]:
    """Every time phrase in the text, best first (lowest rank, then earliest)."""
    plain = _plain(text)
    taken: list[tuple[int, int]] = []
    hits: list[_Time] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    candidates: list[tuple[int, int, int, object]] = []
    for rank, regex, fn in _PATTERNS:
        for m in regex.finditer(plain):
            candidates.append((rank, m.start(), m.end(), (fn, m)))
    for t in _festival_times(plain):
        candidates.append((t.rank, t.start, t.end, t))
    # Longer, more specific phrases first so "1—3月" is not also read as "3月".
    candidates.sort(key=lambda c: (c[0] if c[0] < 2 else 2, -(c[2] - c[1]), c[1]))
    for rank, start, end, item in candidates:
        if not free(start, end):
            continue
        if isinstance(item, _Time):
            if not item.whens:
                continue
            hits.append(item)
        else:
            fn, m = item
            result = fn(m)
            if not result:
                continue
            when, guess = result
            hits.append(_Time((when,), rank, start, end, guess, m.group(0), (when,)))
        taken.append((start, end))
    hits.sort(key=lambda t: (t.rank, t.start))
    return hits


def best_time(text: str) -> _Time | None:
    hits = find_times(text)
    return hits[0] if hits else None


def label_time(label: str) -> _Time | None:
    """A label that is only a time (``20xx年 1—3 月``, ``一季度``, ``春节前夕``), else None."""
    plain = _plain(label).strip(" ：:，,。")
    hits = find_times(plain)
    if not hits:
        return None
    rest = plain
    for t in hits:
        rest = rest.replace(t.phrase, "")
    rest = re.sub(r"(?:\d{4}|20xx|20XX|xx|××)\s*年|[在于是的份起止：:，,、\s()（）]|工作|安排|期间|开展|活动", "", rest)
    return hits[0] if len(rest) <= 2 else None
