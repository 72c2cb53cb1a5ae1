"""expand_plan / expand_task: ids, order, fields, workday flags."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tracker.errors import WhenError
from tracker.model import Occurrence, Plan, Task
from tracker.calendar.schedule import expand_plan, expand_task
from tracker.calendar.workdays import is_covered

D = date.fromisoformat

TASKS = (
    Task(id="spring-forum", title="春节前夕召开军民座谈会", when="春节前夕", category="拥军优属",
         owner="社区党委", support=("驻区部队",), evidence=("会议记录", "活动照片"), notes="邀请部队领导"),
    Task(id="meeting", title="领导小组例会", when="每季度", category="组织领导", owner="社区党委"),
    Task(id="info", title="报送双拥信息", when="每月", category="宣传教育", owner="社区居委会", amount=0),
    Task(id="flag", title="升国旗", when="每周一", category="宣传教育", owner="社区居委会"),
    Task(id="lesson", title="国防教育课", when="每月第一个周四", category="宣传教育", owner="民政办"),
    Task(id="talk", title="专题会", when="上下半年各一次", category="组织领导", owner="社区党委"),
    Task(id="summary", title="年终总结", when="每年", category="组织领导", owner="社区党委"),
    Task(id="clean", title="军民共建洁净家园", when="1—3月", category="军民共建", owner="社区居委会",
         amount=1500.0),
    Task(id="bayi", title="八一走访慰问", when="“八一”前", category="拥军优属", owner="民政办"),
    Task(id="visit15", title="走访", when="RRULE:FREQ=MONTHLY;BYMONTHDAY=15", owner="人武部"),
    Task(id="may", title="五月活动", when="5月", owner="人武部"),
)


def make_plan(workday: str = "previous", tasks=TASKS) -> Plan:
    return Plan(title="××社区2026年双拥工作计划", year=2026, workday=workday, tasks=tasks,
                evidence=("活动照片", "签到表"))


def by_id(occurrences):
    return {o.id: o for o in occurrences}


def test_expand_plan_2026():
    occurrences = expand_plan(make_plan(), 2026)
    ids = [o.id for o in occurrences]
    # 1 + 4 + 12 + 52 + 12 + 2 + 1 + 1 + 1 + 12 + 1
    assert len(occurrences) == 99
    assert len(set(ids)) == len(ids)
    assert occurrences == sorted(occurrences, key=lambda o: (o.due, o.id))
    assert all(o.year == 2026 and o.start <= o.due for o in occurrences)
    occ = by_id(occurrences)
    for expected in ("spring-forum", "meeting@2026Q1", "meeting@2026Q4", "info@2026-02", "flag@2026-01-05",
                     "flag@2026-12-28", "lesson@2026-10", "talk@2026H1", "talk@2026H2", "summary@2026",
                     "clean", "bayi", "visit15@2026-03-15", "may"):
        assert expected in occ, expected
    assert ids[0] == "flag@2026-01-05" or occurrences[0].due <= D("2026-01-05")


def test_fields_come_from_task_and_plan():
    occ = by_id(expand_plan(make_plan(), 2026))
    forum = occ["spring-forum"]
    assert (forum.task_id, forum.title, forum.category, forum.owner) == (
        "spring-forum", "春节前夕召开军民座谈会", "拥军优属", "社区党委")
    # 春节 2026 is 02-17; its days off are 02-15..02-23; 02-14 (Saturday) is a make-up working day:
    # the window ends on the last working day before the days off.
    assert (forum.start, forum.nominal_due, forum.due) == (D("2026-02-10"), D("2026-02-16"), D("2026-02-14"))
    assert forum.period is None and forum.shifted and not forum.provisional
    assert forum.support == ("驻区部队",)
    assert forum.evidence == ("会议记录", "活动照片")  # the task's own
    assert forum.notes == "邀请部队领导"
    assert forum.when == "春节前夕"
    assert forum.carried_from is None
    # a task naming no evidence takes the plan's default
    assert occ["meeting@2026Q1"].evidence == ("活动照片", "签到表")
    assert occ["clean"].amount == 1500.0
    assert occ["info@2026-01"].amount == 0
    assert occ["may"].amount is None
    assert occ["lesson@2026-01"].due == D("2026-01-01")
    assert occ["bayi"].start == D("2026-07-18") and occ["bayi"].due == D("2026-07-31")


def test_shift_flags_2026_previous():
    occ = by_id(expand_plan(make_plan("previous"), 2026))
    # 2026-05-31 is a Sunday: back to Friday 05-29
    may = occ["info@2026-05"]
    assert (may.nominal_due, may.due, may.shifted, may.provisional) == (D("2026-05-31"), D("2026-05-29"), True, False)
    assert occ["may"].due == D("2026-05-29") and occ["may"].shifted
    # 2026-02-28 is a Saturday but an official make-up working day: no shift
    feb = occ["info@2026-02"]
    assert (feb.due, feb.shifted) == (D("2026-02-28"), False)
    # Q3 end 2026-09-30 is a Wednesday working day
    assert (occ["meeting@2026Q3"].due, occ["meeting@2026Q3"].shifted) == (D("2026-09-30"), False)
    # 2026-10-31 Saturday
    assert occ["info@2026-10"].due == D("2026-10-30")
    # festival and explicit dates never move, even on a day off (2026-08-15 is a Saturday)
    assert occ["visit15@2026-08-15"].due == D("2026-08-15") and not occ["visit15@2026-08-15"].shifted
    assert not any(o.provisional for o in occ.values())


def test_shift_flags_2026_next_and_none():
    nxt = by_id(expand_plan(make_plan("next"), 2026))
    assert nxt["info@2026-05"].due == D("2026-06-01") and nxt["info@2026-05"].shifted
    assert nxt["info@2026-01"].due == D("2026-02-02")
    none = by_id(expand_plan(make_plan("none"), 2026))
    assert none["info@2026-05"].due == D("2026-05-31") and not none["info@2026-05"].shifted
    assert not any(o.shifted or o.provisional for o in none.values())


def test_shift_2025_dragon_boat_month_end():
    occ = by_id(expand_plan(make_plan(), 2025))
    # 2025-05-31 is a Saturday and the first day of the 端午 break
    assert occ["info@2025-05"].due == D("2025-05-30") and occ["info@2025-05"].shifted
    # 2025-01-31 is inside the 春节 break (01-28..02-04): Monday 01-27
    assert occ["info@2025-01"].due == D("2025-01-27")
    # 春节 2025-01-29, days off 01-28..02-04: the last working day before them is Monday 01-27
    assert occ["spring-forum"].due == D("2025-01-27")


@pytest.mark.skipif(is_covered(2027), reason="this chinesecalendar release already has the 2027 holidays")
def test_provisional_2027():
    occ = by_id(expand_plan(make_plan(), 2027))
    jul = occ["info@2027-07"]  # 2027-07-31 is a Saturday
    assert (jul.due, jul.shifted, jul.provisional) == (D("2027-07-30"), True, True)
    # every period end went through the policy on weekends only: all provisional
    for o in occ.values():
        # and so is every festival window that ends before the festival's days off
        if o.task_id in ("info", "meeting", "talk", "summary", "clean", "may", "spring-forum", "bayi"):
            assert o.provisional, o.id
        else:
            assert not o.provisional, o.id  # festivals, weekdays, RRULE dates
    # 春节 2027-02-06; 除夕 02-05 is a statutory day off even before the notice
    assert occ["spring-forum"].due == D("2027-02-04")
    assert not occ["flag@2027-01-04"].provisional


def test_template_plan_expands_for_any_year():
    template = dataclasses.replace(make_plan(), year=None)
    a = expand_plan(template, 2030)
    assert {o.year for o in a} == {2030}
    assert by_id(a)["spring-forum"].due == D("2030-02-01")  # 春节 2030-02-03, 除夕 02-02 off


def test_expand_task_alone():
    plan = make_plan()
    occurrences = expand_task(TASKS[1], plan, 2026)
    assert [o.id for o in occurrences] == ["meeting@2026Q1", "meeting@2026Q2", "meeting@2026Q3", "meeting@2026Q4"]


def test_errors_name_every_bad_task():
    tasks = TASKS + (
        Task(id="fixed", title="固定日期", when="2026-03-10", line=40),
        Task(id="leap", title="闰日", when="2月29日", line=44),
    )
    plan = dataclasses.replace(make_plan(), year=None, tasks=tasks)
    assert [o.due for o in expand_task(tasks[-1], plan, 2028)] == [D("2028-02-29")]
    with pytest.raises(WhenError) as info:
        expand_plan(plan, 2026)  # the full date fits 2026; 2026 has no 2月29日
    assert "fixed" not in str(info.value) and "任务「leap」" in str(info.value)
    with pytest.raises(WhenError) as info:
        expand_plan(plan, 2027)  # both fail: every bad task is named at once
    message = str(info.value)
    assert "任务「fixed」（第40行）" in message
    assert "日期年份2026与计划年份2027不一致" in message
    assert "任务「leap」（第44行）" in message
    assert "日期不存在：2027年2月29日" in message
    with pytest.raises(WhenError, match="无法识别的时间表达"):
        expand_task(Task(id="x", title="x", when="随便"), plan, 2026)


def test_occurrences_equal_normally_built_ones():
    """Occurrences are built fast; they must be indistinguishable from Occurrence(...)."""
    for o in expand_plan(make_plan(), 2026):
        rebuilt = Occurrence(**{f.name: getattr(o, f.name) for f in dataclasses.fields(Occurrence)})
        assert o == rebuilt and hash(o) == hash(rebuilt)
        assert dataclasses.asdict(o) == dataclasses.asdict(rebuilt)
        assert dataclasses.replace(o, due=D("2026-12-01")).due == D("2026-12-01")
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.due = D("2026-01-01")  # type: ignore[misc]


def test_empty_plan():
    assert expand_plan(Plan(title="空"), 2026) == []


def test_large_plan_ids_unique():
    tasks = tuple(
        Task(id=f"t{i}", title=f"任务{i}", when=w)
        for i, w in enumerate(["每月", "春节前夕", "每周一", "Q2", "每月第一个周四", "八一后3天"] * 50)
    )
    occurrences = expand_plan(make_plan(tasks=tasks), 2026)
    assert len({o.id for o in occurrences}) == len(occurrences) == 50 * (12 + 1 + 52 + 1 + 12 + 1)


def test_next_policy_never_moves_a_due_into_the_next_year():
    from datetime import date

    from tracker.calendar.workdays import adjust

    # 2028-12-31 is a Sunday; "next" would give 2029-01-02, outside the plan's year.
    due, shifted, _ = adjust(date(2028, 12, 31), "next")
    assert due.year == 2028 and due.weekday() < 5 and shifted
