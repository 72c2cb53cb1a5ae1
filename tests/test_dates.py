"""Dates that must be right: festivals, 国防教育日, holiday shifts, provisional years."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from borax.calendars.lunardate import TermUtils

from tracker.calendar import workdays
from tracker.errors import WhenError
from tracker.calendar.festivals import (
    ALIASES,
    FESTIVALS,
    canonical_name,
    festival_date,
    known_festival_names,
)
from tracker.calendar.when import parse_when, slots_for
from tracker.calendar.workdays import adjust, is_covered, is_workday

# The table of ../shared/domain.md, copied as written there.
DOMAIN_TABLE = {
    "春节": ("01-29", "02-17", "02-06"),
    "元宵": ("02-12", "03-03", "02-20"),
    "清明": ("04-04", "04-05", "04-05"),
    "端午": ("05-31", "06-19", "06-09"),
    "中秋": ("10-06", "09-25", "09-15"),
    "重阳": ("10-29", "10-18", "10-08"),
    "全民国防教育日": ("09-20", "09-19", "09-18"),
}


@pytest.mark.parametrize(
    ("name", "year", "expected"),
    [
        (name, year, date.fromisoformat(f"{year}-{md}"))
        for name, row in DOMAIN_TABLE.items()
        for year, md in zip((2025, 2026, 2027), row)
    ],
)
def test_domain_table(name, year, expected):
    assert festival_date(name, year) == expected
    # the same day through the `when` grammar, as a plan writes it
    (slot,) = slots_for(parse_when(name), year)
    assert (slot.start, slot.nominal_due, slot.adjustable) == (expected, expected, False)


# Lunar festivals are checked against sxtwl and lunar-python in test_lunar_reference.py.


@pytest.mark.parametrize("year", range(2024, 2036))
def test_qingming_against_borax(year):
    expected = TermUtils.nth_term_day(year, term_name="清明")
    assert festival_date("清明", year) == expected
    assert festival_date("清明节", year) == expected
    # 清明 is always 4 or 5 April in this century
    assert expected.month == 4 and expected.day in (4, 5)


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        # checked by hand against published calendars
        ("春节", "2024-02-10"),
        ("春节", "2028-01-26"),
        ("春节", "2029-02-13"),
        ("春节", "2030-02-03"),
        ("春节", "2031-01-23"),
        ("春节", "2033-01-31"),
        ("春节", "2034-02-19"),
        ("春节", "2035-02-08"),
        ("中秋", "2024-09-17"),
        ("中秋", "2031-10-01"),  # the year 中秋 and 国庆 fall on the same day
        ("端午", "2024-06-10"),
        ("重阳", "2024-10-11"),
        ("元宵", "2024-02-24"),
        ("清明", "2024-04-04"),
        ("清明", "2026-04-05"),
    ],
)
def test_hand_checked(name, iso):
    day = date.fromisoformat(iso)
    assert festival_date(name, day.year) == day


@pytest.mark.parametrize("year", range(2024, 2036))
def test_national_defence_day_is_third_saturday_of_september(year):
    saturdays = [date(year, 9, d) for d in range(1, 31) if date(year, 9, d).weekday() == 5]
    assert festival_date("国防教育日", year) == saturdays[2]
    assert festival_date("全民国防教育日", year) == saturdays[2]


@pytest.mark.parametrize(
    ("iso",), [("2024-09-21",), ("2025-09-20",), ("2026-09-19",), ("2027-09-18",), ("2035-09-15",)]
)
def test_national_defence_day_hand_checked(iso):
    day = date.fromisoformat(iso)
    assert festival_date("国防教育日", day.year) == day


@pytest.mark.parametrize(
    ("name", "md"),
    [("元旦", "01-01"), ("五一", "05-01"), ("劳动节", "05-01"), ("五四", "05-04"), ("青年节", "05-04"),
     ("七一", "07-01"), ("建党节", "07-01"), ("八一", "08-01"), ("建军节", "08-01"),
     ("烈士纪念日", "09-30"), ("国庆", "10-01"), ("国庆节", "10-01")],
)
def test_fixed_days(name, md):
    for year in (2025, 2026, 2027):
        assert festival_date(name, year) == date.fromisoformat(f"{year}-{md}")


def test_names_and_aliases():
    assert set(ALIASES.values()) <= set(FESTIVALS)
    names = known_festival_names()
    assert names[: len(FESTIVALS)] == FESTIVALS
    for alias, canonical in ALIASES.items():
        assert alias in names
        assert festival_date(alias, 2026) == festival_date(canonical, 2026)
    assert canonical_name("“八一”") == "八一"
    assert canonical_name(" 端午节 ") == "端午"
    assert canonical_name("春分") is None


def test_unknown_festival_lists_known_names():
    with pytest.raises(WhenError) as info:
        festival_date("春分节", 2026)
    message = str(info.value)
    assert "未知节日「春分节」" in message
    for name in FESTIVALS:
        assert name in message


def test_year_out_of_range():
    with pytest.raises(WhenError, match="超出支持范围"):
        festival_date("春节", 2200)


# ---------------------------------------------------------------------------
# Workday policy with official holidays (2025, 2026)
# ---------------------------------------------------------------------------

D = date.fromisoformat


def test_coverage_probe():
    assert is_covered(2025) and is_covered(2026)
    assert is_workday(D("2026-03-03")) == (True, False)


def test_make_up_days_are_real():
    """The 调休 days the cases below rely on, as chinese_calendar publishes them."""
    make_up_2025 = [d for d in chinese_calendar.get_workdays(D("2025-01-01"), D("2025-12-31")) if d.weekday() >= 5]
    make_up_2026 = [d for d in chinese_calendar.get_workdays(D("2026-01-01"), D("2026-12-31")) if d.weekday() >= 5]
    assert D("2025-09-28") in make_up_2025  # Sunday before 国庆/中秋 2025
    assert D("2025-10-11") in make_up_2025  # Saturday after it
    assert D("2026-02-14") in make_up_2026  # Saturday before 春节 2026
    assert D("2026-02-28") in make_up_2026  # Saturday after it, also the end of February
    for d in make_up_2025 + make_up_2026:
        assert is_workday(d) == (True, False)


@pytest.mark.parametrize(
    ("nominal", "policy", "due", "shifted"),
    [
        # 2025-05-31 Saturday and the first day of the 端午 break (05-31..06-02).
        ("2025-05-31", "previous", "2025-05-30", True),
        ("2025-05-31", "next", "2025-06-03", True),
        ("2025-05-31", "none", "2025-05-31", False),
        # 2025-01-31 Friday inside the 春节 break (01-28..02-04): back to Monday 01-27,
        # forward to Wednesday 02-05.
        ("2025-01-31", "previous", "2025-01-27", True),
        ("2025-01-31", "next", "2025-02-05", True),
        # 2025 Q3 end 09-30 is a Tuesday before the 国庆 break: a working day.
        ("2025-09-30", "previous", "2025-09-30", False),
        # 2025-08-31 plain Sunday.
        ("2025-08-31", "previous", "2025-08-29", True),
        ("2025-08-31", "next", "2025-09-01", True),
        # 2025-09-28 is a Sunday but an official make-up working day: it stays.
        ("2025-09-28", "previous", "2025-09-28", False),
        ("2025-09-28", "next", "2025-09-28", False),
        # 2025-10-12 plain Sunday; the day before, 10-11 Saturday, is a make-up working day.
        ("2025-10-12", "previous", "2025-10-11", True),
        # 2026-02-28 is Saturday and the end of February, and a make-up working day.
        ("2026-02-28", "previous", "2026-02-28", False),
        ("2026-02-28", "next", "2026-02-28", False),
        # 2026-02-16 Monday in the 春节 break (02-15..02-23): back onto the make-up
        # Saturday 02-14, forward to Tuesday 02-24.
        ("2026-02-16", "previous", "2026-02-14", True),
        ("2026-02-16", "next", "2026-02-24", True),
        # 2026 Q3 end 09-30 is a Wednesday between 中秋 (09-25..27) and 国庆: a working day.
        ("2026-09-30", "previous", "2026-09-30", False),
        # 2026-05-31 Sunday.
        ("2026-05-31", "previous", "2026-05-29", True),
        ("2026-05-31", "next", "2026-06-01", True),
        # 2026-10-31 Saturday.
        ("2026-10-31", "previous", "2026-10-30", True),
        # 2026-06-19 Friday is 端午 itself.
        ("2026-06-19", "previous", "2026-06-18", True),
        ("2026-06-19", "next", "2026-06-22", True),
    ],
)
def test_adjust_with_official_holidays(nominal, policy, due, shifted):
    assert adjust(D(nominal), policy) == (D(due), shifted, False)


def test_unknown_policy():
    with pytest.raises(WhenError, match="未知的工作日规则"):
        adjust(D("2026-05-31"), "sideways")


def _monthly_dues(year, policy):
    return [adjust(s.nominal_due, policy)[0] for s in slots_for(parse_when("每月"), year)]


def test_month_ends_2025_previous():
    # Jan 31 in 春节 → Mon 01-27; May 31 端午 → 05-30; Aug 31 Sun → 08-29; Nov 30 Sun → 11-28.
    expected = ["01-27", "02-28", "03-31", "04-30", "05-30", "06-30",
                "07-31", "08-29", "09-30", "10-31", "11-28", "12-31"]
    assert _monthly_dues(2025, "previous") == [D(f"2025-{md}") for md in expected]


def test_month_ends_2026_previous():
    # Jan 31 Sat → 01-30; Feb 28 Sat is a make-up working day → stays; May 31 Sun → 05-29;
    # Oct 31 Sat → 10-30.
    expected = ["01-30", "02-28", "03-31", "04-30", "05-29", "06-30",
                "07-31", "08-31", "09-30", "10-30", "11-30", "12-31"]
    assert _monthly_dues(2026, "previous") == [D(f"2026-{md}") for md in expected]


def test_month_ends_2026_next():
    # Jan 31 Sat → Mon 02-02; May 31 Sun → 06-01; Oct 31 Sat → 11-02.
    expected = ["02-02", "02-28", "03-31", "04-30", "06-01", "06-30",
                "07-31", "08-31", "09-30", "11-02", "11-30", "12-31"]
    assert _monthly_dues(2026, "next") == [D(f"2026-{md}") for md in expected]


def test_policy_none_keeps_every_month_end():
    for year in (2025, 2026):
        assert _monthly_dues(year, "none") == [s.nominal_due for s in slots_for(parse_when("每月"), year)]


# ---------------------------------------------------------------------------
# A year chinese_calendar does not cover: weekends only, provisional
# ---------------------------------------------------------------------------

needs_uncovered_2027 = pytest.mark.skipif(
    is_covered(2027), reason="this chinesecalendar release already has the 2027 holidays"
)


def _first_uncovered_year() -> int:
    return next(y for y in range(2026, 2100) if not is_covered(y))


def test_uncovered_year_is_weekends_and_statutory_days_and_provisional():
    from tracker.calendar.holidays import statutory_days

    year = _first_uncovered_year()
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(year, 3, 1))
    statutory = statutory_days(year)
    # 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3 (中秋 may fall on 10-01..03)
    assert 12 <= len(statutory) <= 13
    day = date(year, 1, 1)
    while day.year == year:
        assert is_workday(day) == (day.weekday() < 5 and day not in statutory, True)
        day += timedelta(days=1)


@needs_uncovered_2027
@pytest.mark.parametrize(
    ("nominal", "policy", "due", "shifted", "provisional"),
    [
        ("2027-07-31", "previous", "2027-07-30", True, True),  # Saturday → Friday
        ("2027-07-31", "next", "2027-08-02", True, True),  # Saturday → Monday
        ("2027-03-31", "previous", "2027-03-31", False, True),  # Wednesday; holidays unknown
        ("2027-01-31", "previous", "2027-01-29", True, True),  # Sunday → Friday
        ("2027-07-31", "none", "2027-07-31", False, False),  # nothing depends on holidays
    ],
)
def test_adjust_2027(nominal, policy, due, shifted, provisional):
    assert is_covered(2027) is False
    assert adjust(D(nominal), policy) == (D(due), shifted, provisional)


@needs_uncovered_2027
def test_month_ends_2027_weekends_only():
    # 2027-01-01 is a Friday. Sundays: 01-31, 02-28, 10-31; Saturday: 07-31.
    expected = ["01-29", "02-26", "03-31", "04-30", "05-31", "06-30",
                "07-30", "08-31", "09-30", "10-29", "11-30", "12-31"]
    assert _monthly_dues(2027, "previous") == [D(f"2027-{md}") for md in expected]
    assert all(adjust(s.nominal_due, "previous")[2] for s in slots_for(parse_when("每月"), 2027))


def test_workday_lookups_are_cached():
    from tracker.calendar import holidays

    holidays.day_info.cache_clear()
    is_workday(D("2026-05-31"))
    is_workday(D("2026-05-31"))
    assert holidays.day_info.cache_info().hits >= 1
    assert holidays.library_covers.cache_info().currsize >= 1
