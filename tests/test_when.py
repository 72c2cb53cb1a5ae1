"""The `when` grammar: every form of docs/plan-format.md, the errors, and random text."""

from __future__ import annotations

import calendar
from datetime import date, datetime

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import WhenError
from tracker.calendar.festivals import FESTIVALS
from tracker.calendar.when import WHEN_EXAMPLES, Slot, WhenSpec, parse_when, slots_for

D = date.fromisoformat


def one(text: str, year: int = 2026) -> Slot:
    slots = slots_for(parse_when(text), year)
    assert len(slots) == 1, slots
    assert slots[0].period is None
    return slots[0]


# (text, window start, nominal due, adjustable) in 2026
ONE_OFF_2026 = [
    # quarters
    ("Q1", "2026-01-01", "2026-03-31", True),
    ("q2", "2026-04-01", "2026-06-30", True),
    ("Q3", "2026-07-01", "2026-09-30", True),
    ("Q4", "2026-10-01", "2026-12-31", True),
    ("一季度", "2026-01-01", "2026-03-31", True),
    ("第二季度", "2026-04-01", "2026-06-30", True),
    ("二季度", "2026-04-01", "2026-06-30", True),
    ("第三季度", "2026-07-01", "2026-09-30", True),
    ("四季度", "2026-10-01", "2026-12-31", True),
    ("第4季度", "2026-10-01", "2026-12-31", True),
    ("三季度末", "2026-07-01", "2026-09-30", True),
    ("1—3月", "2026-01-01", "2026-03-31", True),
    ("1-3月", "2026-01-01", "2026-03-31", True),
    ("1～3月", "2026-01-01", "2026-03-31", True),
    ("1~3月", "2026-01-01", "2026-03-31", True),
    ("1–3月", "2026-01-01", "2026-03-31", True),
    ("4至6月", "2026-04-01", "2026-06-30", True),
    ("4到6月", "2026-04-01", "2026-06-30", True),
    ("7月—9月", "2026-07-01", "2026-09-30", True),
    ("10－12月", "2026-10-01", "2026-12-31", True),
    ("10-12月份", "2026-10-01", "2026-12-31", True),
    ("一至三月", "2026-01-01", "2026-03-31", True),
    # half years
    ("上半年", "2026-01-01", "2026-06-30", True),
    ("下半年", "2026-07-01", "2026-12-31", True),
    ("H1", "2026-01-01", "2026-06-30", True),
    ("h2", "2026-07-01", "2026-12-31", True),
    ("1-6月", "2026-01-01", "2026-06-30", True),
    # months
    ("5月", "2026-05-01", "2026-05-31", True),
    ("五月", "2026-05-01", "2026-05-31", True),
    ("5月份", "2026-05-01", "2026-05-31", True),
    ("五月份", "2026-05-01", "2026-05-31", True),
    ("十二月", "2026-12-01", "2026-12-31", True),
    ("十一月", "2026-11-01", "2026-11-30", True),
    ("2月", "2026-02-01", "2026-02-28", True),
    ("3月底前", "2026-03-01", "2026-03-31", True),
    ("6月底", "2026-06-01", "2026-06-30", True),
    ("11月末", "2026-11-01", "2026-11-30", True),
    # month range that is not a quarter
    ("3—5月", "2026-03-01", "2026-05-31", True),
    ("5-8月", "2026-05-01", "2026-08-31", True),
    # 旬 (ten-day parts of a month)
    ("3月上旬", "2026-03-01", "2026-03-10", True),
    ("3月中旬", "2026-03-11", "2026-03-20", True),
    ("2月下旬", "2026-02-21", "2026-02-28", True),
    # the year, due at its end
    ("年底", "2026-01-01", "2026-12-31", True),
    ("年底前", "2026-01-01", "2026-12-31", True),
    ("年内", "2026-01-01", "2026-12-31", True),
    ("全年", "2026-01-01", "2026-12-31", True),
    # dates
    ("3月10日", "2026-03-10", "2026-03-10", False),
    ("3月10号", "2026-03-10", "2026-03-10", False),
    ("03-10", "2026-03-10", "2026-03-10", False),
    ("3-10", "2026-03-10", "2026-03-10", False),
    ("3/10", "2026-03-10", "2026-03-10", False),
    ("2026-03-10", "2026-03-10", "2026-03-10", False),
    ("2026年3月10日", "2026-03-10", "2026-03-10", False),
    ("三月十日", "2026-03-10", "2026-03-10", False),
    ("十二月二十五日", "2026-12-25", "2026-12-25", False),
    # before a date: from Jan 1, not adjustable
    ("3月10日前", "2026-01-01", "2026-03-10", False),
    ("3月10日之前", "2026-01-01", "2026-03-10", False),
    ("2026-03-10前", "2026-01-01", "2026-03-10", False),
    # festivals (2026: 春节 02-17, 元宵 03-03, 清明 04-05, 端午 06-19, 中秋 09-25,
    # 重阳 10-18, 国防教育日 09-19)
    ("元旦", "2026-01-01", "2026-01-01", False),
    ("春节", "2026-02-17", "2026-02-17", False),
    ("元宵", "2026-03-03", "2026-03-03", False),
    ("元宵节", "2026-03-03", "2026-03-03", False),
    ("清明", "2026-04-05", "2026-04-05", False),
    ("清明节", "2026-04-05", "2026-04-05", False),
    ("五一", "2026-05-01", "2026-05-01", False),
    ("劳动节", "2026-05-01", "2026-05-01", False),
    ("五四", "2026-05-04", "2026-05-04", False),
    ("青年节", "2026-05-04", "2026-05-04", False),
    ("端午", "2026-06-19", "2026-06-19", False),
    ("端午节", "2026-06-19", "2026-06-19", False),
    ("七一", "2026-07-01", "2026-07-01", False),
    ("建党节", "2026-07-01", "2026-07-01", False),
    ("八一", "2026-08-01", "2026-08-01", False),
    ("“八一”", "2026-08-01", "2026-08-01", False),
    ("建军节", "2026-08-01", "2026-08-01", False),
    ("八一建军节", "2026-08-01", "2026-08-01", False),
    ("“八一”建军节", "2026-08-01", "2026-08-01", False),
    ("中秋", "2026-09-25", "2026-09-25", False),
    ("中秋节", "2026-09-25", "2026-09-25", False),
    ("国庆", "2026-10-01", "2026-10-01", False),
    ("国庆节", "2026-10-01", "2026-10-01", False),
    ("重阳", "2026-10-18", "2026-10-18", False),
    ("重阳节", "2026-10-18", "2026-10-18", False),
    ("国防教育日", "2026-09-19", "2026-09-19", False),
    ("全民国防教育日", "2026-09-19", "2026-09-19", False),
    ("烈士纪念日", "2026-09-30", "2026-09-30", False),
    # festival offsets
    ("春节前7天", "2026-02-10", "2026-02-10", False),
    ("春节前七天", "2026-02-10", "2026-02-10", False),
    ("八一后3天", "2026-08-04", "2026-08-04", False),
    ("国庆前2日", "2026-09-29", "2026-09-29", False),
    ("中秋节前3天", "2026-09-22", "2026-09-22", False),
    # vague windows: 前夕 [F-7, F-1], 前 [F-14, F-1], 期间 [F-3, F+3], 后 [F+1, F+14],
    # 前后 [F-7, F+7]
    ("春节前夕", "2026-02-10", "2026-02-16", False),
    ("八一前", "2026-07-18", "2026-07-31", False),
    ("春节期间", "2026-02-14", "2026-02-20", False),
    ("八一后", "2026-08-02", "2026-08-15", False),
    ("春节前后", "2026-02-10", "2026-02-24", False),
    ("“八一”前夕", "2026-07-25", "2026-07-31", False),
    ("建军节前夕", "2026-07-25", "2026-07-31", False),
    ("八一节前", "2026-07-18", "2026-07-31", False),
    ("在春节期间", "2026-02-14", "2026-02-20", False),
    ("重阳节期间", "2026-10-15", "2026-10-21", False),
    # 元旦前夕 in a plan year means the 元旦 that ends it: Dec 25..31 of the same year
    ("元旦前夕", "2026-12-25", "2026-12-31", False),
    ("元旦前", "2026-12-18", "2026-12-31", False),
    # 元旦期间 starts in the previous year; the window is cut at Jan 1
    ("元旦期间", "2026-01-01", "2026-01-04", False),
]


@pytest.mark.parametrize(("text", "start", "due", "adjustable"), ONE_OFF_2026)
def test_one_off_forms(text, start, due, adjustable):
    slot = one(text)
    assert (slot.start, slot.nominal_due, slot.adjustable) == (D(start), D(due), adjustable)
    assert not parse_when(text).repeats


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        # full-width digits, Chinese numerals, spaces, quotes, trailing punctuation
        ("３月１０日", "3月10日"),
        ("Ｑ１", "Q1"),
        (" 1 — 3 月 ", "1-3月"),
        ("1　―　3月", "1-3月"),
        ("1﹣3月", "1-3月"),
        ("十二月。", "12月"),
        ("春节前夕；", "春节前夕"),
        ("“春节”前夕", "春节前夕"),
        ("「端午节」", "端午"),
        ("八一后３天", "八一后3天"),
        ("春节前 7 天", "春节前7天"),
        ("每 月", "每月"),
        ("三季度", "Q3"),
        ("第３季度", "Q3"),
        ("下半年。", "H2"),
        ("\ufeff一季度", "Q1"),
    ],
)
def test_normalisation(text, same_as):
    assert slots_for(parse_when(text), 2026) == slots_for(parse_when(same_as), 2026)


def test_examples_cover_every_form_and_all_expand():
    kinds = set()
    for text in WHEN_EXAMPLES:
        spec = parse_when(text)
        kinds.add(spec.kind)
        slots = slots_for(spec, 2026)
        assert slots, text
        for slot in slots:
            assert slot.start <= slot.nominal_due
            assert slot.nominal_due.year == 2026
    assert kinds == {
        "span", "date", "before", "festival", "monthly", "quarterly", "halfyearly", "yearly",
        "weekly", "monthly_weekday", "monthly_day", "rrule", "range",
    }
    for name in FESTIVALS:
        assert any(name in text for text in WHEN_EXAMPLES), name


def test_spec_is_frozen_and_hashable():
    spec = parse_when("春节前夕")
    assert isinstance(spec, WhenSpec)
    assert spec == parse_when("春节前夕")
    assert hash(spec) == hash(parse_when("春节前夕"))
    with pytest.raises(AttributeError):
        spec.kind = "date"  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Recurrences
# ---------------------------------------------------------------------------


def periods(text, year=2026):
    return [s.period for s in slots_for(parse_when(text), year)]


def test_every_month():
    slots = slots_for(parse_when("每月"), 2026)
    assert [s.period for s in slots] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert all(s.adjustable for s in slots)
    assert slots[1] == Slot("2026-02", D("2026-02-01"), D("2026-02-28"), True)
    assert slots_for(parse_when("每月"), 2024)[1].nominal_due == D("2024-02-29")
    assert parse_when("每月").repeats
    assert periods("每月一次") == periods("每月")


def test_every_quarter_half_year():
    q = slots_for(parse_when("每季度"), 2026)
    assert [s.period for s in q] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [(s.start, s.nominal_due) for s in q] == [
        (D("2026-01-01"), D("2026-03-31")), (D("2026-04-01"), D("2026-06-30")),
        (D("2026-07-01"), D("2026-09-30")), (D("2026-10-01"), D("2026-12-31")),
    ]
    h = slots_for(parse_when("每半年"), 2026)
    assert h == [
        Slot("2026H1", D("2026-01-01"), D("2026-06-30"), True),
        Slot("2026H2", D("2026-07-01"), D("2026-12-31"), True),
    ]
    assert slots_for(parse_when("上下半年各一次"), 2026) == h
    assert slots_for(parse_when("每年"), 2026) == [Slot("2026", D("2026-01-01"), D("2026-12-31"), True)]


def test_every_monday():
    slots = slots_for(parse_when("每周一"), 2026)
    assert len(slots) == 52
    assert slots[0] == Slot("2026-01-05", D("2026-01-05"), D("2026-01-05"), False)
    assert slots[-1].period == "2026-12-28"
    assert all(s.start.weekday() == 0 and s.start == s.nominal_due for s in slots)
    # 2024 starts on a Monday and is a leap year: 53 Mondays
    assert len(slots_for(parse_when("每周一"), 2024)) == 53
    assert periods("每周星期一") == periods("每周一")
    assert periods("每星期一") == periods("每周一")


@pytest.mark.parametrize(("text", "weekday"), [("每周二", 1), ("每周五", 4), ("每周六", 5), ("每周日", 6), ("每周天", 6)])
def test_every_weekday(text, weekday):
    slots = slots_for(parse_when(text), 2026)
    assert all(s.start.weekday() == weekday for s in slots)
    assert len(slots) in (52, 53)


def test_first_thursday_of_every_month():
    expected = ["01-01", "02-05", "03-05", "04-02", "05-07", "06-04",
                "07-02", "08-06", "09-03", "10-01", "11-05", "12-03"]
    slots = slots_for(parse_when("每月第一个周四"), 2026)
    assert [s.nominal_due for s in slots] == [D(f"2026-{md}") for md in expected]
    assert [s.period for s in slots] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert all(s.start == s.nominal_due and not s.adjustable for s in slots)
    assert slots_for(parse_when("每月第1个星期四"), 2026) == slots


def test_last_friday_and_fifth_weekday():
    slots = slots_for(parse_when("每月最后一个周五"), 2026)
    assert [s.nominal_due.day for s in slots] == [30, 27, 27, 24, 29, 26, 31, 28, 25, 30, 27, 25]
    # a fifth Friday exists only in some months: 2026 has it in Jan, May, Jul, Oct
    fifth = slots_for(parse_when("每月第五个周五"), 2026)
    assert [s.period for s in fifth] == ["2026-01", "2026-05", "2026-07", "2026-10"]


def test_monthly_day():
    slots = slots_for(parse_when("每月10日"), 2026)
    assert len(slots) == 12
    assert slots[2] == Slot("2026-03", D("2026-03-01"), D("2026-03-10"), False)
    assert slots_for(parse_when("每月10日前"), 2026) == slots
    # 每月31日 in a short month is its last day
    assert slots_for(parse_when("每月31日"), 2026)[1].nominal_due == D("2026-02-28")


def test_rrule_monthly_15th():
    slots = slots_for(parse_when("RRULE:FREQ=MONTHLY;BYMONTHDAY=15"), 2026)
    assert [s.period for s in slots] == [f"2026-{m:02d}-15" for m in range(1, 13)]
    assert all(s.start == s.nominal_due and not s.adjustable for s in slots)


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=15",
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        "RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=6",
        "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "RRULE:FREQ=YEARLY;BYWEEKNO=1,26,53;BYDAY=MO",
        "RRULE:FREQ=DAILY;INTERVAL=10",
        "RRULE:FREQ=YEARLY;BYYEARDAY=1,100,-1",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=29",
        "RRULE:FREQ=DAILY;UNTIL=20260310",
        "RRULE:FREQ=WEEKLY;BYDAY=SA,SU;WKST=SU;INTERVAL=3",
    ],
)
@pytest.mark.parametrize("year", [2024, 2026, 2027, 2028])
def test_rrule_matches_dateutil(rule, year):
    """Only dates inside the year, dtstart = Jan 1, COUNT and UNTIL respected."""
    expected = []
    for moment in rrulestr(rule, dtstart=datetime(year, 1, 1)):
        if moment.year != year:
            break
        expected.append(moment.date())
    spec = parse_when(rule)
    if not expected:
        with pytest.raises(WhenError, match="没有产生任何日期"):
            slots_for(spec, year)
        return
    slots = slots_for(spec, year)
    assert [s.nominal_due for s in slots] == expected
    assert [s.period for s in slots] == [d.isoformat() for d in expected]


def test_rrule_case_and_utc_until():
    a = slots_for(parse_when("rrule:freq=weekly;byday=mo;until=20260301T000000Z"), 2026)
    assert [s.nominal_due for s in a] == [D("2026-01-05"), D("2026-01-12"), D("2026-01-19"),
                                          D("2026-01-26"), D("2026-02-02"), D("2026-02-09"),
                                          D("2026-02-16"), D("2026-02-23")]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "时间表达为空"),
        ("   ", "时间表达为空"),
        ("。", "无法识别的时间表达"),
        ("春分节", "未知节日「春分节」"),
        ("植树节前夕", "未知节日「植树节」"),
        ("2月30日", "日期不存在：2月30日"),
        ("4月31日", "日期不存在：4月31日"),
        ("3月0日", "日期不存在：3月0日"),
        ("2025-02-29", "日期不存在：2025年2月29日"),
        ("13月", "月份不存在：13月"),
        ("十三月", "月份不存在：十三月"),
        ("13月5日", "月份不存在"),
        ("1-13月", "月份不存在：13月"),
        ("5-3月", "月份范围无效"),
        ("Q5", "季度不存在"),
        ("第五季度", "季度不存在"),
        ("H3", "半年只有H1和H2"),
        ("每月第六个周一", "每月只有第1至第5个"),
        ("每月32日", "日期不存在：每月32日"),
        ("春节前200天", "天数应为1-100天"),
        ("0300-01-01", "超出支持范围"),
        ("尽快", "无法识别的时间表达"),
        ("下周", "无法识别的时间表达"),
        ("每周八", "无法识别的时间表达"),
        ("春节前夕和八一", "无法识别的时间表达"),
        ("x" * 300, "时间表达过长"),
        ("RRULE:", "RRULE 无法解析"),
        ("RRULE:GARBAGE", "RRULE 无法解析"),
        ("RRULE:FREQ=HOURLY", "只支持按日、周、月、年"),
        ("RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", "只能写一条规则"),
        ("RRULE:FREQ=DAILY;BYEASTER=0", "BYEASTER"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(WhenError) as info:
        parse_when(text)
    assert message in str(info.value)


def test_unknown_festival_lists_names():
    with pytest.raises(WhenError) as info:
        parse_when("春分节")
    for name in FESTIVALS:
        assert name in str(info.value)


def test_unparseable_gives_examples():
    with pytest.raises(WhenError, match="例如：一季度"):
        parse_when("随时")


def test_not_a_string():
    with pytest.raises(WhenError, match="应为文字"):
        parse_when(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "year", "message"),
    [
        ("2025-03-10", 2026, "日期年份2025与计划年份2026不一致"),
        ("2025年3月10日", 2026, "日期年份2025与计划年份2026不一致"),
        ("2026-03-10前", 2027, "日期年份2026与计划年份2027不一致"),
        ("2月29日", 2026, "日期不存在：2026年2月29日"),
        ("腊八", 2023, "2023年的腊八在2022年12月30日"),  # 春节 2023 is 01-22
        ("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", 2026, "没有产生任何日期"),
        ("RRULE:FREQ=DAILY;UNTIL=20250301", 2026, "没有产生任何日期"),
        ("RRULE:FREQ=DAILY;BYHOUR=0,12", 2026, "超过400个"),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=40", 2026, "没有产生任何日期"),
        ("每月", 1800, "超出支持范围"),
        ("每月", 2200, "超出支持范围"),
    ],
)
def test_slot_errors(text, year, message):
    spec = parse_when(text)
    with pytest.raises(WhenError) as info:
        slots_for(spec, year)
    assert message in str(info.value)


def test_leap_day_in_leap_year():
    assert one("2月29日", 2028).nominal_due == D("2028-02-29")


def test_full_date_in_its_own_year():
    assert one("2025-03-10", 2025).nominal_due == D("2025-03-10")


# ---------------------------------------------------------------------------
# Property: any text is either read or refused with WhenError
# ---------------------------------------------------------------------------

FRAGMENTS = [
    "每", "月", "周", "星期", "季度", "第", "个", "最后", "半年", "上", "下", "年", "底", "前", "后",
    "夕", "期间", "天", "日", "号", "旬", "中", "节", "Q", "H", "RRULE:", "FREQ=", "DAILY", "MONTHLY",
    ";", "BYDAY=", "MO", "-1", "COUNT=", "UNTIL=", "20260101", "0", "1", "2", "3", "9", "12", "13",
    "31", "99999999999", "一", "二", "十", "十二", "两", "〇", "—", "-", "～", "至", "/", "“", "”",
    "。", "；", " ", "春节", "八一", "元旦", "中秋", "国防教育日", "十一", "在", "２", "２０２６",
]


def _check_any(text: str) -> None:
    try:
        spec = parse_when(text)
    except WhenError as exc:
        assert str(exc)
        return
    assert isinstance(spec, WhenSpec)
    for year in (2024, 2026, 2027):
        try:
            slots = slots_for(spec, year)
        except WhenError as exc:
            assert str(exc)
            continue
        assert slots
        assert len({s.period for s in slots}) == len(slots)
        for slot in slots:
            assert slot.start <= slot.nominal_due
            assert slot.start.year == year and slot.nominal_due.year == year


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_random_text_is_read_or_refused(text):
    _check_any(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=7).map("".join))
def test_random_grammar_fragments_are_read_or_refused(text):
    _check_any(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=31))
def test_any_month_day(month, day):
    text = f"{month}月{day}日"
    if day > calendar.monthrange(2024, month)[1]:
        with pytest.raises(WhenError, match="日期不存在"):
            parse_when(text)
    else:
        assert one(text, 2024).nominal_due == date(2024, month, day)
