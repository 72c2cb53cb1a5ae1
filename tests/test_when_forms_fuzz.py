"""Hypothesis on the festival, lunar, range and window forms: every text either gives
dates inside the plan year or a Chinese WhenError, for any year 1901–2100."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from tracker.calendar.festivals import FESTIVALS, LUNAR_MONTH_NAMES, festival_date
from tracker.calendar.when import parse_when, slots_for
from tracker.errors import WhenError

SUFFIXES = ["", "当天", "前夕", "之际", "前", "期间", "后", "前后", "前一周", "前两周", "后一周",
            "前3天", "后10天", "前25天", "前100天", "后60天"]
DAYS = ["初一", "初八", "初十", "十五", "二十", "廿三", "廿九", "三十", "二十四"]
years = st.integers(1901, 2100)


def _check(text: str, year: int) -> None:
    try:
        slots = slots_for(parse_when(text), year)
    except WhenError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return
    for slot in slots:
        assert slot.start.year == slot.nominal_due.year == year, (text, year, slot)
        assert slot.start <= slot.nominal_due


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(FESTIVALS), suffix=st.sampled_from(SUFFIXES), year=years)
def test_festival_windows(name, suffix, year):
    _check(name + suffix, year)


@settings(max_examples=300, deadline=None)
@given(month=st.sampled_from(LUNAR_MONTH_NAMES), day=st.sampled_from(DAYS), suffix=st.sampled_from(SUFFIXES[:6]),
       prefix=st.sampled_from(["", "农历"]), year=years)
def test_lunar_dates(month, day, suffix, prefix, year):
    _check(f"{prefix}{month}月{day}{suffix}", year)


@settings(max_examples=200, deadline=None)
@given(m1=st.integers(1, 12), d1=st.integers(1, 31), m2=st.integers(1, 12), d2=st.integers(1, 31),
       sep=st.sampled_from(["至", "—", "-", "到", "～"]), same=st.booleans(), year=years)
def test_date_ranges(m1, d1, m2, d2, sep, same, year):
    text = f"{m1}月{d1}日{sep}{d2}日" if same else f"{m1}月{d1}日{sep}{m2}月{d2}日"
    _check(text, year)


@settings(max_examples=200, deadline=None)
@given(a=st.integers(0, 13), b=st.integers(0, 13), sep=st.sampled_from(["—", "至", "到", "-", "～"]), year=years)
def test_bare_number_pairs_are_months_or_refused(a, b, sep, year):
    text = f"{a}{sep}{b}"
    try:
        spec = parse_when(text)
    except WhenError:
        return
    if sep != "-":
        assert spec.kind == "span" and spec.months == (a, b)
    else:
        assert (a, b) not in {(1, 3), (4, 6), (7, 9), (10, 12)}
    _check(text, year)


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(["除夕", "腊八", "小年", "南方小年"]), year=years)
def test_before_spring_festivals_are_before_that_years_spring_festival(name, year):
    spring = festival_date("春节", year)
    day = festival_date(name, year)
    assert 0 < (spring - day).days <= 23
