"""Plan loading and validation: every message names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.errors import PlanError, Problem
from tracker.plan.loader import MESSAGE_CAP, check_plan, load_plan, parse_plan_text
from tracker.model import Plan

HEADER = """\
title = "××社区2026年双拥工作计划"
unit = "××社区双拥工作领导小组"
year = 2026
owners = ["社区党委", "社区居委会", "民政办", "驻区部队"]
categories = ["组织领导", "宣传教育", "拥军优属"]
default_owner = "社区居委会"
evidence = ["活动照片", "签到表"]
"""
# HEADER is 7 lines; a task appended after a blank line starts on line 9.

TASK = """
[[task]]
id = "{id}"
title = "春节前夕召开军民座谈会"
when = "{when}"
category = "拥军优属"
owner = "社区党委"
"""


def task(id: str = "spring-forum", when: str = "春节前夕") -> str:
    return TASK.format(id=id, when=when)


def write(tmp_path: Path, text: str, name: str = "plan.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str, **kw) -> tuple[Path, list[Problem]]:
    path = write(tmp_path, text)
    plan, problems = check_plan(path, **kw)
    if any(p.severity == "error" for p in problems):
        assert plan is None
    return path, problems


def only(problems: list[Problem], field: str) -> Problem:
    found = [p for p in problems if p.field == field]
    assert len(found) == 1, f"expected one problem for {field}, got {problems}"
    return found[0]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing needle."""
    seen = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


# ---------------------------------------------------------------------------
# A good plan
# ---------------------------------------------------------------------------


def test_valid_plan_loads_with_defaults(tmp_path):
    text = HEADER + task() + '\n[[task]]\nid = "q1-clean"\ntitle = "卫生整治"\nwhen = "1—3月"\n'
    path = write(tmp_path, text)
    plan = load_plan(path)
    assert isinstance(plan, Plan)
    assert plan.title == "××社区2026年双拥工作计划"
    assert plan.year == 2026
    assert plan.workday == "previous"
    assert plan.path == path
    first, second = plan.tasks
    assert first.id == "spring-forum" and first.owner == "社区党委" and first.line == 9
    assert first.evidence == ("活动照片", "签到表")  # plan default
    assert second.owner == "社区居委会"  # default_owner
    assert second.category == "未分类"
    assert second.line == line_of(text, 'id = "q1-clean"') - 1
    assert check_plan(path) == (plan, [])


def test_full_task_fields(tmp_path):
    text = HEADER + """
[[task]]
id = "award"
title = "奖励立三等功的现役军人"
when = "年内"
category = "拥军优属"
owner = "民政办"
support = ["社区党委", "驻区部队"]
evidence = ["发放记录"]
notes = "接到喜报后发放"
amount = 500
source = "三、4 第2句"
"""
    t = load_plan(write(tmp_path, text)).tasks[0]
    assert t.support == ("社区党委", "驻区部队")
    assert t.evidence == ("发放记录",)
    assert t.amount == 500 and t.notes == "接到喜报后发放" and t.source == "三、4 第2句"


def test_parse_plan_text_uses_label(tmp_path):
    plan, problems = parse_plan_text(HEADER + task(), "导入预览")
    assert problems == [] and plan is not None and plan.path is None
    plan, problems = parse_plan_text(task(), "导入预览")
    assert plan is None
    assert only(problems, "title").path == "导入预览"


# ---------------------------------------------------------------------------
# File and syntax
# ---------------------------------------------------------------------------


def test_toml_syntax_error_has_its_line(tmp_path):
    text = HEADER + task() + "notes = 邀请驻区部队\n"
    path, problems = problems_of(tmp_path, text)
    p = only(problems, "TOML")
    assert p.path == str(path)
    assert p.line == line_of(text, "notes = 邀请")
    assert "语法错误" in p.message and "英文双引号" in p.message
    assert str(p).startswith(f"{path}:{p.line}: TOML: 语法错误")


def test_toml_error_at_end_of_document(tmp_path):
    text = HEADER + '[[task]]\nid = "a"\nevidence = ["照片",\n'
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "TOML")
    assert p.line == text.count("\n") + 1
    assert "文件末尾" in p.message


def test_key_written_twice_is_a_syntax_error(tmp_path):
    text = HEADER + task() + 'owner = "民政办"\n'
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "TOML")
    assert p.line == line_of(text, 'owner = "民政办"')
    assert "重复赋值" in p.message


def test_gbk_file_asks_for_utf8(tmp_path):
    text = HEADER + task()
    path = tmp_path / "plan.toml"
    path.write_bytes(text.encode("gb18030"))
    plan, problems = check_plan(path)
    assert plan is None
    p = only(problems, "编码")
    assert p.line == 1  # the title on line 1 is the first Chinese text
    assert "UTF-8" in p.message and "GB18030" in p.message
    with pytest.raises(PlanError):
        load_plan(path)


def test_invalid_bytes_line_is_counted(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_bytes((HEADER + task()).encode("utf-8") + b'notes = "\xff\xfe"\n')
    _, problems = check_plan(path)
    assert only(problems, "编码").line == (HEADER + task()).count("\n") + 1


def test_missing_file(tmp_path):
    plan, problems = check_plan(tmp_path / "nope.toml")
    assert plan is None and "找不到" in only(problems, "文件").message
    with pytest.raises(PlanError, match="找不到"):
        load_plan(tmp_path / "nope.toml")


def test_directory_is_not_a_plan(tmp_path):
    plan, problems = check_plan(tmp_path)
    assert plan is None and "文件夹" in only(problems, "文件").message


def test_bom_and_crlf_accepted(tmp_path):
    text = HEADER + task()
    path = tmp_path / "plan.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    plan = load_plan(path)
    assert plan.title == "××社区2026年双拥工作计划"
    assert plan.tasks[0].title == "春节前夕召开军民座谈会"  # no stray \r
    assert plan.tasks[0].line == 9


def test_crlf_keeps_line_numbers(tmp_path):
    text = HEADER + task() + task(id="spring-forum")
    path = tmp_path / "plan.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    _, problems = check_plan(path)
    p = only(problems, "task[2].id")
    assert p.line == line_of(text, 'id = "spring-forum"', 2)


def test_bom_in_text(tmp_path):
    plan, problems = parse_plan_text("\ufeff" + HEADER + task(), "x")
    assert problems == [] and plan is not None


def test_deep_nesting_is_a_plan_error(tmp_path):
    text = "title = " + "[" * 5000 + "]" * 5000 + "\n"
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert info.value.problems


# ---------------------------------------------------------------------------
# Plan header
# ---------------------------------------------------------------------------


def test_missing_title(tmp_path):
    text = HEADER.replace('title = "××社区2026年双拥工作计划"\n', "") + task()
    path, problems = problems_of(tmp_path, text)
    p = only(problems, "title")
    assert (p.path, p.line) == (str(path), 1)
    assert "缺少计划标题" in p.message


def test_title_must_be_text(tmp_path):
    text = HEADER.replace('title = "××社区2026年双拥工作计划"', "title = 2026") + task()
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "title")
    assert p.line == 1 and "应为文字" in p.message and "整数" in p.message


def test_empty_title(tmp_path):
    text = HEADER.replace('title = "××社区2026年双拥工作计划"', 'title = "  "') + task()
    _, problems = problems_of(tmp_path, text)
    assert "不能为空" in only(problems, "title").message


@pytest.mark.parametrize(
    "value, fragment",
    [('"2026"', "应为整数"), ("1900", "超出范围"), ("2101", "超出范围"), ("2200", "超出范围"), ("true", "应为整数"), ("2026.0", "应为整数")],
)
def test_year_must_be_a_sensible_integer(tmp_path, value, fragment):
    text = HEADER.replace("year = 2026", f"year = {value}") + task()
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "year")
    assert p.line == 3 and fragment in p.message


def test_workday_choices(tmp_path):
    text = HEADER + 'workday = "prev"\n' + task()
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "workday")
    assert p.line == 8
    assert "previous" in p.message and "next" in p.message and "none" in p.message
    assert "是否是 `previous`" in p.message


def test_workday_accepted(tmp_path):
    plan = load_plan(write(tmp_path, HEADER + 'workday = "next"\n' + task()))
    assert plan.workday == "next"


def test_owners_must_be_a_list_of_text(tmp_path):
    text = HEADER.replace('owners = ["社区党委", "社区居委会", "民政办", "驻区部队"]', 'owners = "社区党委"') + task()
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "owners")
    assert p.line == 4 and "文字列表" in p.message and '["社区党委"]' in p.message


def test_evidence_items_must_be_text(tmp_path):
    text = HEADER.replace('evidence = ["活动照片", "签到表"]', 'evidence = ["活动照片", 3]') + task()
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "evidence")
    assert p.line == 7 and "第2项" in p.message and "整数" in p.message


def test_default_owner_must_be_listed(tmp_path):
    text = HEADER.replace('default_owner = "社区居委会"', 'default_owner = "居委会"') + task()
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "default_owner")
    assert p.line == 6 and "不在 owners 中" in p.message


def test_no_tasks(tmp_path):
    _, problems = problems_of(tmp_path, HEADER)
    p = only(problems, "task")
    assert p.severity == "error" and "没有任何任务" in p.message


def test_single_task_table_is_not_a_task_list(tmp_path):
    text = HEADER + '\n[task]\nid = "a"\ntitle = "x"\nwhen = "5月"\n'
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task")
    assert p.line == 9 and "[[task]]" in p.message


# ---------------------------------------------------------------------------
# Task ids
# ---------------------------------------------------------------------------


def test_missing_task_id(tmp_path):
    text = HEADER + task().replace('id = "spring-forum"\n', "")
    path, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].id")
    assert (p.path, p.line) == (str(path), 9)
    assert "缺少任务编号" in p.message


@pytest.mark.parametrize(
    "bad, example", [("Spring Forum", "spring-forum"), ("春节座谈", "spring-forum"), ("-x", "spring-forum"), ("a@b", "spring-forum")]
)
def test_invalid_task_id(tmp_path, bad, example):
    text = HEADER + task(id=bad)
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].id")
    assert p.line == 10
    assert "不合规" in p.message and example in p.message


def test_task_id_must_be_text(tmp_path):
    text = HEADER + task().replace('id = "spring-forum"', "id = 7")
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].id")
    assert p.line == 10 and "应为文字" in p.message


def test_duplicate_id_reported_once_with_every_line(tmp_path):
    text = HEADER + task() + task(id="other") + task() + task()
    path, problems = problems_of(tmp_path, text)
    dups = [p for p in problems if "重复" in p.message]
    assert len(dups) == 1
    p = dups[0]
    lines = [line_of(text, 'id = "spring-forum"', n) for n in (1, 2, 3)]
    assert p.field == "task[3].id"
    assert p.line == lines[1]
    assert all(f"第{n}行" in p.message for n in lines)
    assert "共3处" in p.message


def test_ten_thousand_duplicates_make_one_message(tmp_path):
    text = HEADER + task(id="same") * 10_000
    _, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert "共10000处" in problems[0].message
    assert problems[0].message.count("行") <= 6


def test_many_errors_of_one_kind_are_capped(tmp_path):
    text = HEADER + "".join(task(id=f"t{n}").replace('title = "春节前夕召开军民座谈会"\n', "") for n in range(500))
    _, problems = problems_of(tmp_path, text)
    missing = [p for p in problems if "缺少任务标题" in p.message]
    assert len(missing) == MESSAGE_CAP
    summary = [p for p in problems if "另有" in p.message]
    assert len(summary) == 1 and f"另有 {500 - MESSAGE_CAP} 处" in summary[0].message
    assert summary[0].severity == "error"
    assert len(problems) == MESSAGE_CAP + 1


# ---------------------------------------------------------------------------
# Task fields
# ---------------------------------------------------------------------------


def test_missing_task_title(tmp_path):
    text = HEADER + task().replace('title = "春节前夕召开军民座谈会"\n', "")
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].title")
    assert p.line == 9 and "缺少任务标题" in p.message


def test_missing_when(tmp_path):
    text = HEADER + task().replace('when = "春节前夕"\n', "")
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].when")
    assert p.line == 9 and "缺少时间" in p.message


def test_empty_when(tmp_path):
    _, problems = problems_of(tmp_path, HEADER + task(when=" "))
    p = only(problems, "task[1].when")
    assert p.line == 12 and "不能为空" in p.message


def test_unknown_owner_lists_choices_and_suggests(tmp_path):
    text = HEADER + task().replace('owner = "社区党委"', 'owner = "社区党支部"')
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].owner")
    assert p.line == 14
    assert "不在 owners 中" in p.message
    assert "社区党委、社区居委会、民政办、驻区部队" in p.message
    assert "是否是 `社区党委`" in p.message


def test_unknown_category_suggests(tmp_path):
    text = HEADER + task().replace('category = "拥军优属"', 'category = "拥军优抚"')
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].category")
    assert p.line == 13
    assert "组织领导、宣传教育、拥军优属" in p.message and "是否是 `拥军优属`" in p.message


def test_unknown_support_owner(tmp_path):
    text = HEADER + task() + 'support = ["驻区部队", "消防中队"]\n'
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].support")
    assert p.line == 15 and "配合单位「消防中队」" in p.message


def test_any_owner_when_owners_empty(tmp_path):
    header = HEADER.replace('owners = ["社区党委", "社区居委会", "民政办", "驻区部队"]\n', "")
    header = header.replace('categories = ["组织领导", "宣传教育", "拥军优属"]\n', "")
    text = header + task().replace('owner = "社区党委"', 'owner = "任何单位"') + 'support = ["谁都行"]\n'
    plan = load_plan(write(tmp_path, text))
    assert plan.tasks[0].owner == "任何单位"


def test_unparseable_when(tmp_path):
    _, problems = problems_of(tmp_path, HEADER + task(when="过几天再说"))
    p = only(problems, "task[1].when")
    assert p.line == 12 and "无法识别的时间表达" in p.message


def test_unknown_festival(tmp_path):
    _, problems = problems_of(tmp_path, HEADER + task(when="春分节"))
    p = only(problems, "task[1].when")
    assert p.line == 12 and "未知节日" in p.message and "春分节" in p.message


def test_impossible_date(tmp_path):
    _, problems = problems_of(tmp_path, HEADER + task(when="2月30日"))
    p = only(problems, "task[1].when")
    assert p.line == 12 and "日期不存在" in p.message and "2月30日" in p.message


def test_month_13(tmp_path):
    _, problems = problems_of(tmp_path, HEADER + task(when="13月"))
    assert "月份不存在" in only(problems, "task[1].when").message


def test_full_date_must_match_plan_year(tmp_path):
    _, problems = problems_of(tmp_path, HEADER + task(when="2025-03-10"))
    p = only(problems, "task[1].when")
    assert p.line == 12 and "日期年份2025与计划年份2026不一致" in p.message


def test_template_checked_against_given_year(tmp_path):
    text = HEADER.replace("year = 2026\n", "") + task(when="2026-03-10")
    path = write(tmp_path, text)
    assert load_plan(path, year=2026).year is None
    _, problems = check_plan(path, year=2027)
    assert "不一致" in only(problems, "task[1].when").message


def test_feb_29_in_template_depends_on_year(tmp_path):
    text = HEADER.replace("year = 2026\n", "") + task(when="2月29日")
    path = write(tmp_path, text)
    assert load_plan(path, year=2028).tasks[0].when == "2月29日"
    _, problems = check_plan(path, year=2027)
    assert "日期不存在" in only(problems, "task[1].when").message


def test_check_year_out_of_range(tmp_path):
    path = write(tmp_path, HEADER.replace("year = 2026\n", "") + task())
    _, problems = check_plan(path, year=1800)
    assert "超出范围" in only(problems, "year").message


def test_when_written_as_toml_date(tmp_path):
    text = HEADER + task().replace('when = "春节前夕"', "when = 2026-03-10")
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].when")
    assert p.line == 12 and "日期" in p.message and "双引号" in p.message


@pytest.mark.parametrize(
    "line, fragment",
    [
        ('amount = "1500元"', "不加引号"),
        ("amount = -5", "不小于 0"),
        ("amount = nan", "不小于 0"),
        ("amount = inf", "不小于 0"),
        ("amount = true", "应为数字"),
        ("amount = [1500]", "应为数字"),
    ],
)
def test_amount_must_be_a_non_negative_number(tmp_path, line, fragment):
    text = HEADER + task() + line + "\n"
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].amount")
    assert p.line == 15 and fragment in p.message


def test_amount_float_and_zero_accepted(tmp_path):
    plan = load_plan(write(tmp_path, HEADER + task() + "amount = 0\n" + task(id="b") + "amount = 99.5\n"))
    assert [t.amount for t in plan.tasks] == [0, 99.5]


@pytest.mark.parametrize(
    "line, field, fragment",
    [
        ('evidence = "活动照片"', "task[1].evidence", "文字列表"),
        ("evidence = [\"照片\", 2]", "task[1].evidence", "第2项"),
        ('evidence = ["照片", ""]', "task[1].evidence", "空文字"),
        ('support = "驻区部队"', "task[1].support", "文字列表"),
        ("notes = 3", "task[1].notes", "应为文字"),
        ("source = false", "task[1].source", "真假值"),
        ("category = []", "task[1].category", "列表"),
    ],
)
def test_wrong_types_in_tasks(tmp_path, line, field, fragment):
    text = HEADER + task().replace('category = "拥军优属"\n', "" if line.startswith("category") else 'category = "拥军优属"\n')
    text += line + "\n"
    _, problems = problems_of(tmp_path, text)
    p = only(problems, field)
    assert p.line == line_of(text, line) and fragment in p.message


def test_task_not_a_table(tmp_path):
    text = HEADER + 'task = ["春节慰问"]\n'
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1]")
    assert p.line == 8 and "表格" in p.message


def test_inline_tasks_point_at_their_key(tmp_path):
    text = HEADER + 'task = [{id = "a", title = "x", when = "五月"}, {id = "a", title = "y", when = "6月"}]\n'
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[2].id")
    assert p.line == 8 and "重复" in p.message


def test_multiline_string_does_not_confuse_lines(tmp_path):
    text = HEADER + task() + 'notes = """\n[[task]]\nowner = "假的"\n"""\nsupport = ["外单位"]\n'
    _, problems = problems_of(tmp_path, text)
    p = only(problems, "task[1].support")
    assert p.line == line_of(text, 'support = ["外单位"]')


def test_every_problem_reported_at_once(tmp_path):
    text = (
        HEADER.replace('title = "××社区2026年双拥工作计划"\n', "")
        + task(when="春分节")
        + task(id="Bad Id")
        + task().replace('owner = "社区党委"', 'owner = "无名"')
    )
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    fields = [p.field for p in info.value.problems]
    assert {"title", "task[1].when", "task[2].id", "task[3].owner", "task[3].id"} <= set(fields)
    lines = str(info.value).splitlines()
    assert len(lines) == len(info.value.problems)
    assert all(line.startswith(f"{path}:") for line in lines)
    assert [p.line for p in info.value.problems] == sorted(p.line for p in info.value.problems)


# ---------------------------------------------------------------------------
# Unknown keys are warnings
# ---------------------------------------------------------------------------


def test_unknown_top_key_is_a_warning_with_suggestion(tmp_path):
    text = HEADER + 'titel = "别名"\n' + task()
    path, problems = problems_of(tmp_path, text)
    p = only(problems, "titel")
    assert p.severity == "warning" and p.line == 8
    assert "是否是 `title`" in p.message
    assert str(p) == f"{path}:8: titel: 警告：{p.message}"
    assert load_plan(path).title  # warnings do not fail


def test_unknown_task_key_is_a_warning(tmp_path):
    text = HEADER + task() + 'ownr = "民政办"\n"备注" = "x"\n'
    path, problems = problems_of(tmp_path, text)
    assert [p.severity for p in problems] == ["warning", "warning"]
    p = only(problems, "task[1].ownr")
    assert p.line == 15 and "是否是 `owner`" in p.message
    q = only(problems, "task[1].备注")
    assert q.line == 16 and "是否是 `notes`" in q.message
    plan, _ = check_plan(path)
    assert plan is not None and plan.tasks[0].owner == "社区党委"


def test_tasks_typo_is_flagged(tmp_path):
    text = HEADER + task().replace("[[task]]", "[[tasks]]")
    _, problems = problems_of(tmp_path, text)
    assert "是否是 `task`" in only(problems, "tasks").message
    assert only(problems, "task").severity == "error"


def test_duplicate_owner_is_a_warning(tmp_path):
    text = HEADER.replace('"驻区部队"]', '"驻区部队", "民政办"]') + task()
    path, problems = problems_of(tmp_path, text)
    p = only(problems, "owners")
    assert p.severity == "warning" and "重复" in p.message
    assert load_plan(path).owners == ("社区党委", "社区居委会", "民政办", "驻区部队")
