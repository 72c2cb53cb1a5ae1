"""Small text helpers every output shares: Chinese numbering, dates, Markdown escaping."""

from __future__ import annotations

import os
import re
from datetime import date
from functools import lru_cache

CHINESE_NUMERALS = "一二三四五六七八九十"


def numbered(index: int) -> str:
    """一、二、… for section headings (十一 and beyond for long lists)."""
    if index <= 10:
        return CHINESE_NUMERALS[index - 1]
    tens, ones = divmod(index, 10)
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def cn_date(day: date) -> str:
    """2026年1月20日, as dates are written in an office document."""
    return f"{day.year}年{day.month}月{day.day}日"


@lru_cache(maxsize=4096)  # a 总结 of 10,000 items writes the same few hundred days over and over
def cn_short(day: date, year: int | None = None) -> str:
    """1月20日 inside the year being reported, 2025年12月3日 outside it."""
    if year is not None and day.year == year:
        return f"{day.month}月{day.day}日"
    return cn_date(day)


def cn_span(start: date, end: date, year: int | None = None) -> str:
    if start == end:
        return cn_short(end, year)
    return f"{cn_short(start, year)}至{cn_short(end, year)}"


def money(amount: float) -> str:
    """12,500 or 12,500.50 (元 is the caller's)."""
    if abs(amount - round(amount)) < 0.005:
        return f"{round(amount):,}"
    return f"{amount:,.2f}"


def file_name(text: str) -> str:
    """The last part of a recorded path: reports name files, never show where they lie."""
    text = str(text).replace("\\", "/").rstrip("/")
    return os.path.basename(text) or text


_MD_ESCAPES = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>|#~"})
LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def md(text: str) -> str:
    """Plain text safe inside Markdown: specials escaped, line breaks folded to spaces."""
    text = str(text)
    if "\n" in text or "\r" in text:
        text = LINE_BREAKS.sub(" ", text)
    return text.strip().translate(_MD_ESCAPES)
