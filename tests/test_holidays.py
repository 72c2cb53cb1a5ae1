"""Holidays the office controls: the notice imported, the holidays file, uncovered years,
the holiday rule for fixed-day items, and festival windows that end before the days off."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.calendar import workdays
from tracker.calendar.holidayfile import load_holidays, read_entries
from tracker.calendar.holidays import NO_HOLIDAYS, day_info, holiday_name, is_covered, statutory_days
from tracker.calendar.notice import NoticeError, parse_notice
from tracker.calendar.schedule import expand_plan
from tracker.cli import cli
from tracker.plan.bundled import template_path
from tracker.plan.loader import check_plan, load_plan, parse_plan_text

DATA = Path(__file__).parent / "data"
NOTICE_2027 = (DATA / "holiday_notice_2027.txt").read_text(encoding="utf-8")
D = date.fromisoformat

needs_uncovered_2027 = pytest.mark.skipif(is_covered(2027), reason="chinesecalendar already has 2027")


def _days(first: str, last: str) -> list[date]:
    a, b = D(first), D(last)
    return [a + timedelta(days=n) for n in range((b - a).days + 1)]


# ---------------------------------------------------------------------------
# The notice
# ---------------------------------------------------------------------------


def test_notice_is_read_day_by_day():
    notice = parse_notice(NOTICE_2027)
    assert notice.year == 2027
    assert [e.name for e in notice.entries] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    spring = notice.entries[1]
    assert (spring.start, spring.end, spring.work) == (D("2027-02-05"), D("2027-02-13"), (D("2027-01-31"), D("2027-02-20")))
    off = [d for d, kind, _ in notice.days() if kind == "放假"]
    work = [d for d, kind, _ in notice.days() if kind == "上班"]
    assert len(off) == 3 + 9 + 3 + 5 + 1 + 1 + 7
    assert work == [D(x) for x in ("2027-01-31", "2027-02-20", "2027-04-25", "2027-05-08", "2027-09-26", "2027-10-09")]
    assert notice.remarks == ()  # every statutory day is in it, every make-up day is a weekend


def test_notice_variants_single_day_with_weekend_and_cross_year():
    text = (
        "国务院办公厅关于2031年部分节假日安排的通知\n"
        "一、元旦：1月1日（周三）放假，共1天。\n"
        "二、春节：1月22日（农历腊月二十九、周三）至29日（周三）放假调休，共8天。1月19日（周日）上班。\n"
        "三、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）上班。\n"
    )
    notice = parse_notice(text)
    assert [e.name for e in notice.entries] == ["元旦", "春节", "国庆节、中秋节"]
    assert notice.entries[2].days == _days("2031-10-01", "2031-10-08")
    # statutory days the notice does not list are remarked on, not silently accepted
    assert any("清明" in r for r in notice.remarks)


def test_notice_with_weekend_extension():
    text = "2029年部分节假日安排\n一、元旦：1月1日（周一）放假，与周末连休，共3天。\n"
    (entry,) = parse_notice(text).entries
    assert entry.days == _days("2029-01-01", "2029-01-03")


@pytest.mark.parametrize("text", ["", "随便写的文字", "一、元旦：没有日期。", "关于部分节假日安排的通知\n一、元旦：1月1日放假"])
def test_not_a_notice(text):
    with pytest.raises(NoticeError):
        parse_notice(text)


def test_wrong_count_and_weekday_make_up_day_are_remarked():
    text = "2027年部分节假日安排\n一、劳动节：5月1日至5日放假调休，共6天。4月26日（周一）上班。\n"
    notice = parse_notice(text)
    assert any("共6天" in r for r in notice.remarks)
    assert any("不是周末" in r for r in notice.remarks)


# ---------------------------------------------------------------------------
# Uncovered years: statutory days, provisional
# ---------------------------------------------------------------------------


@needs_uncovered_2027
def test_2027_without_the_file_has_statutory_days_and_is_provisional():
    for day in ("2027-01-01", "2027-02-05", "2027-02-06", "2027-02-08", "2027-04-05", "2027-05-01",
                "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-03"):
        working, name, provisional = day_info(D(day))
        assert (working, provisional) == (False, True) and name, day
    assert day_info(D("2027-02-09")) == (True, None, True)  # a bridge the notice adds: unknown yet
    assert workdays.adjust(D("2027-02-05"), "previous") == (D("2027-02-04"), True, True)


def test_statutory_days_follow_the_2024_law():
    days = statutory_days(2030)
    spring = [d for d, n in days.items() if n == "春节"]
    assert spring == _days("2030-02-02", "2030-02-05")  # 除夕 02-02 and 初一—初三
    assert [d for d, n in days.items() if n == "劳动节"] == [D("2030-05-01"), D("2030-05-02")]
    assert [d for d, n in days.items() if n == "国庆节"] == _days("2030-10-01", "2030-10-03")


def test_adjust_never_recurses_at_the_year_edges():
    assert workdays.adjust(D("2026-01-01"), "previous") == (D("2026-01-04"), True, False)  # 01-04 is a make-up day
    day, shifted, _ = workdays.adjust(D("2027-12-31"), "next")
    assert day.year == 2027
    for year in (1901, 2026, 2027, 2100):
        for d in (date(year, 1, 1), date(year, 12, 31)):
            for policy in ("previous", "next"):
                assert workdays.adjust(d, policy)[0].year == year


# ---------------------------------------------------------------------------
# The holidays file
# ---------------------------------------------------------------------------


def _import(tmp_path, *extra):
    target = tmp_path / "holidays.toml"
    notice = tmp_path / "通知.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    result = CliRunner().invoke(cli, ["holidays", "import", str(notice), "-o", str(target), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return target, result.output


def test_import_prints_day_by_day_and_saves(tmp_path):
    target, output = _import(tmp_path)
    assert "2027-02-05（周五） 放假 春节" in output
    assert "2027-01-31（周日） 上班 春节" in output
    years, entries, problems = read_entries(target)
    assert problems == [] and set(years) == {2027} and len(entries) == 7
    holidays, _ = load_holidays([target])
    assert is_covered(2027, holidays)
    assert day_info(D("2027-02-09"), holidays) == (False, "春节", False)
    assert day_info(D("2027-01-31"), holidays) == (True, None, False)  # 调休 Sunday
    assert day_info(D("2027-02-15"), holidays) == (True, None, False)  # an ordinary Monday


def test_import_again_replaces_that_year_only(tmp_path):
    target, _ = _import(tmp_path)
    text = target.read_text(encoding="utf-8")
    target.write_text(text + '\n[[year]]\nyear = 2028\n\n[[holiday]]\nname = "元旦"\nstart = 2028-01-01\n', encoding="utf-8")
    _import(tmp_path)
    years, entries, _ = read_entries(target)
    assert set(years) == {2027, 2028}
    assert sum(e.start.year == 2027 for e in entries) == 7


def test_dry_run_saves_nothing(tmp_path):
    target, output = _import(tmp_path, "--dry-run")
    assert not target.exists() and "未保存" in output


def test_import_docx(tmp_path):
    import docx

    path = tmp_path / "通知.docx"
    document = docx.Document()
    for line in NOTICE_2027.split("\n"):
        document.add_paragraph(line)
    document.save(str(path))
    target = tmp_path / "h.toml"
    result = CliRunner().invoke(cli, ["holidays", "import", str(path), "-o", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(read_entries(target)[1]) == 7


def test_holidays_list(tmp_path, env, monkeypatch):
    target, _ = _import(tmp_path)
    monkeypatch.setenv("SHUANGYONG_HOLIDAYS", str(target))
    result = CliRunner().invoke(cli, ["holidays", "list", "--year", "2027"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "节假日文件" in result.output
    assert "2027-02-09（周二） 放假 春节" in result.output
    assert "2027-01-31（周日） 上班（调休）" in result.output


@needs_uncovered_2027
def test_holidays_list_provisional_year(env, monkeypatch):
    monkeypatch.setenv("SHUANGYONG_HOLIDAYS", str(env / "none.toml"))
    result = CliRunner().invoke(cli, ["holidays", "list", "--year", "2027"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "暂定" in result.output and "2027-02-05（周五） 放假 春节" in result.output


def test_bad_holidays_file_names_file_line_field(tmp_path):
    bad = tmp_path / "holidays.toml"
    bad.write_text('[[holiday]]\nname = "春节"\nstart = "二月五日"\n', encoding="utf-8")
    plan = tmp_path / "plan.toml"
    plan.write_text('title = "计划"\nyear = 2027\n[[task]]\nid = "a"\ntitle = "例会"\nwhen = "每月"\n', encoding="utf-8")
    result, problems = check_plan(plan, holidays=None)
    assert result is None
    (problem,) = problems
    assert (problem.path, problem.line, problem.field) == (str(bad), 1, "holiday[1].start")


@needs_uncovered_2027
def test_2027_plan_with_and_without_the_holidays_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SHUANGYONG_HOLIDAYS", str(tmp_path / "absent.toml"))
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(
        'title = "计划"\nyear = 2027\n[[task]]\nid = "forum"\ntitle = "座谈会"\nwhen = "春节前夕"\n'
        '[[task]]\nid = "info"\ntitle = "信息"\nwhen = "每月"\n',
        encoding="utf-8",
    )
    without = {o.id: o for o in expand_plan(load_plan(plan_file), 2027)}
    assert without["forum"].due == D("2027-02-04") and without["forum"].provisional
    assert without["info@2027-01"].provisional
    target, _ = _import(tmp_path)
    target.replace(tmp_path / "holidays.toml")  # beside the plan
    with_file = {o.id: o for o in expand_plan(load_plan(plan_file), 2027)}
    assert with_file["forum"].due == D("2027-02-04") and not with_file["forum"].provisional
    assert not any(o.provisional for o in with_file.values())
    # 2027-01-31 is a make-up working Sunday in the notice: the January due stays on it
    assert with_file["info@2027-01"].due == D("2027-01-31")
    assert without["info@2027-01"].due == D("2027-01-29")


# ---------------------------------------------------------------------------
# The holiday rule for fixed-day items
# ---------------------------------------------------------------------------


def _plan(rule_line: str = "", task_line: str = "", when: str = "每月第一个周四", year: int = 2026):
    text = (
        f'title = "计划"\nyear = {year}\n{rule_line}\n[[task]]\nid = "class"\ntitle = "国防教育课"\n'
        f'when = "{when}"\n{task_line}\n'
    )
    plan, problems = parse_plan_text(text, "plan.toml")
    assert plan is not None, problems
    return plan, problems


def test_default_keep_is_flagged_and_warned():
    plan, problems = _plan()
    occ = {o.id: o for o in expand_plan(plan, 2026)}
    assert occ["class@2026-01"].due == D("2026-01-01") and occ["class@2026-01"].holiday == "元旦"
    assert occ["class@2026-10"].holiday == "国庆节"
    assert occ["class@2026-03"].holiday is None
    (warning,) = problems
    assert warning.severity == "warning" and warning.field == "task[1].when" and "on_holiday" in warning.message


@pytest.mark.parametrize(
    ("rule", "january", "october"),
    [
        ("keep", "2026-01-01", "2026-10-01"),
        ("next_week", "2026-01-08", "2026-10-08"),
        ("next", "2026-01-04", "2026-10-08"),  # 01-04 (Sunday) and 10-08? see below
        ("previous", "2026-01-04", "2026-09-30"),  # nothing before 01-01 in the year: the other way
        ("skip", None, None),
    ],
)
def test_rules(rule, january, october):
    plan, problems = _plan(f'on_holiday = "{rule}"')
    assert problems == []  # a chosen rule is not warned about
    occ = {o.id: o for o in expand_plan(plan, 2026)}
    for key, expected in (("class@2026-01", january), ("class@2026-10", october)):
        if expected is None:
            assert key not in occ
            continue
        o = occ[key]
        if rule == "next":
            assert workdays.is_workday(o.due)[0] and o.due > o.nominal_due
        else:
            assert o.due == D(expected), (rule, key, o.due)
        assert o.shifted == (rule != "keep")
        assert (o.holiday is not None) == (rule == "keep")
    assert len(occ) == (10 if rule == "skip" else 12)


def test_task_rule_overrides_plan_rule():
    plan, problems = _plan('on_holiday = "skip"', 'on_holiday = "next_week"')
    occ = {o.id: o for o in expand_plan(plan, 2026)}
    assert occ["class@2026-01"].due == D("2026-01-08")


def test_bad_rule_names_the_field():
    text = 'title = "计划"\n[[task]]\nid = "a"\ntitle = "x"\nwhen = "每周一"\non_holiday = "nextweek"\n'
    plan, problems = parse_plan_text(text, "plan.toml", 2026)
    assert plan is None
    (problem,) = problems
    assert (problem.line, problem.field) == (6, "task[1].on_holiday") and "next_week" in problem.message


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_school_template_moves_fixed_days_off_holidays(year):
    plan = load_plan(template_path("xuexiao"), year, holidays=NO_HOLIDAYS)
    assert plan.on_holiday == "next_week"
    occurrences = expand_plan(plan, year)
    fixed = [o for o in occurrences if o.when in ("每月第一个周四", "每周一", "每周星期五")]
    assert fixed and all(o.holiday is None for o in fixed)
    for o in fixed:
        if o.shifted:
            assert o.due == o.nominal_due + timedelta(days=7 * ((o.due - o.nominal_due).days // 7))
            assert holiday_name(o.nominal_due) is not None
    if year == 2026:
        by_id = {o.id: o for o in occurrences}
        jan = next(o for o in occurrences if o.id.endswith("@2026-01") and o.when == "每月第一个周四")
        assert jan.due == D("2026-01-08")
        assert by_id[jan.id].nominal_due == D("2026-01-01")


@pytest.mark.parametrize("name", ["shequ", "xiangzhen", "juguan", "xuexiao"])
@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_bundled_plans_flag_every_holiday_due(name, year):
    plan = load_plan(template_path(name), year, holidays=NO_HOLIDAYS)
    for o in expand_plan(plan, year):
        assert o.holiday == holiday_name(o.due)
        if o.holiday:  # only what the plan keeps on purpose (清明 祭扫) stays on a holiday
            assert "祭扫" in o.title, (o.id, o.due, o.holiday)


def test_list_json_has_the_holiday_field(env):
    plan = env / "plan.toml"
    plan.write_text('title = "计划"\nyear = 2026\n[[task]]\nid = "class"\ntitle = "课"\nwhen = "每月第一个周四"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--plan", str(plan), "--db", str(env / "s.jsonl"), "--today", "2026-06-15", "list", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["class@2026-01"]["holiday"] == "元旦"
    assert rows["class@2026-03"]["holiday"] is None
    assert {"id", "due", "status", "provisional", "shifted"} <= set(rows["class@2026-03"])


# ---------------------------------------------------------------------------
# Festival windows end on the last working day before the days off
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "year", "due"),
    [
        ("春节前夕", 2026, "2026-02-14"),  # days off 02-15..23; 02-14 is a make-up Saturday
        ("春节前", 2025, "2025-01-27"),  # days off 01-28..02-04
        ("八一前", 2021, "2021-07-30"),  # 07-31 is a Saturday
        ("八一前", 2022, "2022-07-29"),  # 07-31 is a Sunday
        ("中秋期间", 2025, "2025-09-30"),  # 中秋 10-06 is inside the 国庆 break 10-01..08
        ("中秋期间", 2023, "2023-09-28"),  # 中秋 09-29 starts the break 09-29..10-06
        ("中秋期间", 2024, "2024-09-14"),  # break 09-15..17; 09-14 is a make-up Saturday
        ("两节", 2026, "2026-02-14"),
        ("元旦前夕", 2026, "2026-12-31"),
    ],
)
def test_windows_end_before_the_days_off(when, year, due):
    plan, _ = _plan(when=when, year=year)
    (o,) = expand_plan(plan, year)
    assert o.due == D(due)
    assert o.start <= o.due
    assert workdays.is_workday(o.due)[0]


def test_policy_none_keeps_the_eve():
    plan, _ = _plan('workday = "none"', when="春节前夕")
    (o,) = expand_plan(plan, 2026)
    assert o.due == D("2026-02-16") and not o.shifted
