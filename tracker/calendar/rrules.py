"""RRULE expressions in a plan's `when`: checked when read, expanded with every loop bounded.

dateutil's rrulestr reads the rule; dtstart is Jan 1 of the plan year. A rule that
could loop forever (INTERVAL=0) is refused before anything is expanded, a rule that
never matches again is expanded in a look-alike year near 9999 so dateutil's search
stays short, and a year yields at most MAX_RRULE_DATES dates.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from functools import lru_cache

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from tracker.errors import WhenError

MAX_RRULE_DATES = 400  # per year; more is surely a mistake (FREQ=DAILY gives 366 at most)

_ALLOWED_FREQ = {YEARLY: "YEARLY", MONTHLY: "MONTHLY", WEEKLY: "WEEKLY", DAILY: "DAILY"}
_INTERVAL = re.compile(r"(?:^|;)INTERVAL=([^;]*)")
_UNTIL_Z = re.compile(r"(UNTIL=[0-9]{8}(?:T[0-9]{6})?)Z", re.IGNORECASE)


def normalise_rrule(text: str, compact: str) -> str:
    """The RRULE text as the engine keeps it; WhenError when it is refused."""
    body = compact[6:].upper()
    if "RRULE:" in body or "DTSTART" in body or "EXDATE" in body or "RDATE" in body:
        raise WhenError("RRULE 只能写一条规则，不能包含 DTSTART/EXDATE/RDATE（起始日固定为当年1月1日）")
    if "BYEASTER" in body:
        raise WhenError("RRULE 不支持 BYEASTER")
    # Dates are local: a UTC marker on UNTIL would clash with the naive dtstart.
    rule_text = _UNTIL_Z.sub(r"\1", "RRULE:" + body)
    # dateutil loops forever on INTERVAL=0 (it never advances) and fails oddly on a
    # negative one: refuse both before anything is expanded.
    for m in _INTERVAL.finditer(body):
        if not m[1].isdigit() or int(m[1]) < 1:
            raise WhenError(f"RRULE 的 INTERVAL 应为正整数（1 表示每次都重复，2 表示隔一次），实际是「{m[1]}」：{text.strip()}")
    rule = _build_rrule(rule_text, datetime(2024, 1, 1))
    if rule._interval < 1:  # noqa: SLF001 - a second guard on what dateutil understood
        raise WhenError(f"RRULE 的 INTERVAL 应为正整数：{text.strip()}")
    if rule._freq not in _ALLOWED_FREQ:  # noqa: SLF001 - dateutil exposes no public getter
        raise WhenError("RRULE 只支持按日、周、月、年重复（FREQ=DAILY/WEEKLY/MONTHLY/YEARLY）")
    return rule_text


def _build_rrule(rule_text: str, dtstart: datetime) -> rrule:
    try:
        rule = rrulestr(rule_text, dtstart=dtstart, forceset=False)
    except Exception as exc:  # dateutil raises ValueError, TypeError, IndexError ... for bad text
        raise WhenError(f"RRULE 无法解析：{rule_text}（{exc}）") from None
    if not isinstance(rule, rrule):
        raise WhenError(f"RRULE 无法解析：{rule_text}")
    return rule


@lru_cache(maxsize=None)
def _proxy_year(year: int) -> int:
    """A year near 9999 with the same calendar (leap or not, weekday of Jan 1).

    dateutil searches up to year 9999 for a rule that never matches again
    (e.g. BYMONTH=2;BYMONTHDAY=30), which takes seconds from 2026; computing the
    year's dates in a look-alike year near the end bounds that search.
    """
    key = (calendar.isleap(year), date(year, 1, 1).weekday())
    for candidate in range(9998, 9900, -1):
        if (calendar.isleap(candidate), date(candidate, 1, 1).weekday()) == key:
            return candidate
    return year  # pragma: no cover - every pair occurs within 28 years


def rrule_dates(rule_text: str, text: str, year: int) -> list[date]:
    """The dates of a normalised RRULE in a year (at most MAX_RRULE_DATES), or WhenError."""
    proxy = _proxy_year(year)
    rule = _build_rrule(rule_text, datetime(proxy, 1, 1))
    until = rule._until  # noqa: SLF001
    seen: list[date] = []
    if until is None or until.year >= year:
        try:
            if until is not None:
                # UNTIL is written in real years; move it into the look-alike year.
                end = until.replace(year=proxy) if until.year == year else datetime(proxy, 12, 31, 23, 59, 59)
                rule = rule.replace(until=end)
            count = 0
            for moment in rule:
                if moment.year != proxy:
                    break
                count += 1
                if count > MAX_RRULE_DATES:
                    raise WhenError(
                        f"RRULE 在{year}年产生的日期超过{MAX_RRULE_DATES}个：{text.strip()}"
                    )
                day = date(year, moment.month, moment.day)
                if not seen or seen[-1] != day:  # BYHOUR etc. repeat a day
                    seen.append(day)
        except WhenError:
            raise
        except Exception as exc:  # anything dateutil raises while iterating an odd rule
            raise WhenError(f"RRULE 无法展开：{rule_text}（{exc}）") from None
    if not seen:
        raise WhenError(f"RRULE 在{year}年没有产生任何日期：{text.strip()}")
    return seen
