"""The 考评 indicator catalogue, task codes checked against it, and the plan's uid."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tracker.calendar.schedule import expand_plan
from tracker.cli import cli
from tracker.errors import PlanError
from tracker.plan.bundled import TEMPLATE_NAMES, template_path, with_uid
from tracker.plan.indicators import load_catalogue
from tracker.plan.loader import check_plan, load_plan, parse_plan_text

PLAN = 'title = "计划"\nyear = 2026\n{top}\n[[task]]\nid = "a"\ntitle = "慰问"\nwhen = "春节前夕"\nindicators = {codes}\n'


def test_bundled_catalogue_follows_the_national_structure():
    catalogue = load_catalogue()
    top = [i.name for i in catalogue.top_level()]
    assert top == ["组织领导坚强有力", "宣传教育广泛深入", "拥军优属扎实有效", "拥政爱民成果显著",
                   "军民共建富有成效", "政策法规落到实处", "双拥活动坚持经常", "军政军民关系融洽"]
    for indicator in catalogue.indicators:
        if indicator.parent:
            assert catalogue.get(indicator.parent) is not None
            assert indicator.evidence, indicator.code  # what the inspector asks for
    assert all(catalogue.children(i.code) for i in catalogue.top_level())
    assert catalogue.get("3.4").name.startswith("优待金")


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_bundled_plans_use_known_codes(name):
    plan = load_plan(template_path(name), 2026)
    codes = load_catalogue().codes
    assert all(task.indicators for task in plan.tasks)
    assert all(set(task.indicators) <= codes for task in plan.tasks)
    occurrences = expand_plan(plan, 2026)
    assert all(o.indicators == next(t for t in plan.tasks if t.id == o.task_id).indicators for o in occurrences)


def test_unknown_code_is_an_error_naming_line_and_field():
    plan, problems = parse_plan_text(PLAN.format(top="", codes='["3.1", "9.9"]'), "plan.toml")
    assert plan is None
    (problem,) = problems
    assert (problem.line, problem.field) == (8, "task[1].indicators")
    assert "9.9" in problem.message


def test_codes_must_be_a_list_of_text():
    plan, problems = parse_plan_text(PLAN.format(top="", codes="2.3"), "plan.toml")
    assert plan is None and problems[0].field == "task[1].indicators"


def test_province_catalogue_beside_the_plan(tmp_path):
    (tmp_path / "本省指标.toml").write_text(
        'title = "某省考评细则"\n[[indicator]]\ncode = "A"\nname = "组织领导"\n'
        '[[indicator]]\ncode = "A.1"\nparent = "A"\nname = "领导小组"\nevidence = ["会议记录"]\n',
        encoding="utf-8",
    )
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(PLAN.format(top='indicator_catalogue = "本省指标.toml"', codes='["A.1"]'), encoding="utf-8")
    plan = load_plan(plan_file)
    assert plan.tasks[0].indicators == ("A.1",) and plan.indicator_catalogue == "本省指标.toml"
    plan_file.write_text(PLAN.format(top='indicator_catalogue = "本省指标.toml"', codes='["3.1"]'), encoding="utf-8")
    result, problems = check_plan(plan_file)
    assert result is None and "3.1" in problems[0].message


def test_broken_catalogue_is_named(tmp_path):
    bad = tmp_path / "指标.toml"
    bad.write_text('[[indicator]]\ncode = "1"\nname = "x"\n[[indicator]]\ncode = "1"\nname = "y"\n', encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_catalogue(bad)
    (problem,) = info.value.problems
    assert (problem.path, problem.line, problem.field) == (str(bad), 4, "indicator[2].code")
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(PLAN.format(top='indicator_catalogue = "指标.toml"', codes='["1"]'), encoding="utf-8")
    result, problems = check_plan(plan_file)
    assert result is None and problems[0].field == "indicator_catalogue" and "重复" in problems[0].message


def test_catalogue_edit_is_seen(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[[indicator]]\ncode = "1"\nname = "x"\n', encoding="utf-8")
    assert load_catalogue(path).codes == {"1"}
    path.write_text('[[indicator]]\ncode = "1"\nname = "x"\n[[indicator]]\ncode = "2"\nname = "yy"\n', encoding="utf-8")
    assert load_catalogue(path).codes == {"1", "2"}


def test_list_json_carries_codes(env):
    plan = env / "plan.toml"
    plan.write_text(PLAN.format(top="", codes='["3.1"]'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--plan", str(plan), "--db", str(env / "s.jsonl"), "--today", "2026-01-10",
                                      "list", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["indicators"] == ["3.1"]


# ---------------------------------------------------------------------------
# uid
# ---------------------------------------------------------------------------


def test_init_writes_a_uid_and_the_loader_reads_it(env):
    result = CliRunner().invoke(cli, ["init", "-o", str(env / "a.toml")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    CliRunner().invoke(cli, ["init", "-o", str(env / "b.toml")], catch_exceptions=False)
    a, b = load_plan(env / "a.toml"), load_plan(env / "b.toml")
    assert a.uid.startswith("plan-") and b.uid.startswith("plan-") and a.uid != b.uid
    # renaming the title keeps the key
    text = (env / "a.toml").read_text(encoding="utf-8").replace('title = "××社区双拥工作计划"', 'title = "幸福里社区双拥工作计划"')
    (env / "a.toml").write_text(text, encoding="utf-8")
    assert load_plan(env / "a.toml").uid == a.uid


def test_with_uid_keeps_an_existing_one():
    text = 'title = "x"\nuid = "mine"\n'
    assert with_uid(text) == text
    assert 'uid = "k1"' in with_uid('# c\ntitle = "x"\n', "k1").split("\n")[2]


def test_plan_without_uid_has_an_empty_key():
    plan, _ = parse_plan_text('title = "x"\n[[task]]\nid = "a"\ntitle = "t"\nwhen = "每月"\n', "p", 2026)
    assert plan.uid == ""


@pytest.mark.parametrize("uid", ["", "含中文", "a b", "x" * 81])
def test_bad_uid(uid):
    plan, problems = parse_plan_text(f'title = "x"\nuid = "{uid}"\n[[task]]\nid = "a"\ntitle = "t"\nwhen = "每月"\n', "p", 2026)
    if uid == "":
        assert plan is not None and plan.uid == ""
    else:
        assert plan is None and problems[0].field == "uid" and problems[0].line == 2
