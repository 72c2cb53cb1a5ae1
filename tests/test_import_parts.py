"""Importing plans the way offices find them: several plans on one web page, page chrome and
framing around the work, owners in 责任单位 notes, a Word table of tasks.

The texts in tests/data are of our own writing. Every draft must pass the plan loader, and
every line of the source must end up in exactly one place: a task, a category, the plan
header, or a `# 已跳过` comment.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import docx
import pytest
from click.testing import CliRunner

from tracker.cli import TrackerGroup
from tracker.cli.imports import import_command
from tracker.importer import MultiplePlans, import_plan, list_parts
from tracker.plan.loader import parse_plan_text

DATA = Path(__file__).resolve().parent / "data"
YEAR = 2026


def load(text: str, year: int | None = YEAR):
    plan, problems = parse_plan_text(text, "draft.toml", year)
    errors = [p for p in problems if p.severity == "error"]
    assert plan is not None and not errors, "\n".join(str(p) for p in problems)
    return plan


def nonblank_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_accounting(result, lines: list[str]) -> None:
    """Every source line once, in one of the four places, and the draft says so."""
    fates = result.lines
    assert [f.line for f in fates] == sorted({f.line for f in fates})
    assert {f.kind for f in fates} <= {"task", "category", "header", "skipped"}
    r = result.report
    assert r.lines == len(fates) == len(lines)
    assert r.task_lines + r.category_lines + r.header_lines + r.skipped_lines == r.lines
    skipped = [f for f in fates if f.kind == "skipped"]
    comments = re.findall(r"^# 已跳过：(.+)$", result.toml_text, re.M)
    assert len(comments) == len(skipped)
    assert all(f.reason for f in skipped)
    task_lines = {c.line for c in result.candidates}
    assert task_lines == {f.line for f in fates if f.kind == "task"}


@pytest.fixture
def run():
    @click.group(cls=TrackerGroup)
    def root():
        pass

    root.add_command(import_command, "import")
    runner = CliRunner()
    return lambda *args: runner.invoke(root, list(args))


# ---------------------------------------------------------------------------
# Parts
# ---------------------------------------------------------------------------


def test_a_page_of_three_plans_is_three_parts():
    parts = list_parts(DATA / "multi_part.txt", year=YEAR)
    assert [p.marker for p in parts] == ["篇1", "篇2", "篇3"]
    assert [p.title for p in parts] == ["青石镇2026年双拥工作计划", "白河乡2026年双拥工作计划", "红岭街道2026年双拥工作计划"]
    assert all(p.tasks > 0 for p in parts)
    assert [p.first_line for p in parts] == [5, 15, 21]


def test_several_plans_are_never_merged():
    with pytest.raises(MultiplePlans) as info:
        import_plan(DATA / "multi_part.txt", year=YEAR)
    assert len(info.value.parts) == 3
    assert "不会合并" in str(info.value)


def test_each_part_imports_alone():
    path = DATA / "multi_part.txt"
    lines = nonblank_lines(path)
    for part in list_parts(path, year=YEAR):
        result = import_plan(path, year=YEAR, part=part.number)
        plan = load(result.toml_text)
        assert plan.title == part.title
        assert len(plan.tasks) == result.report.tasks == part.tasks
        check_accounting(result, lines[part.first_line - 1: part.last_line])


def test_repeated_plan_titles_make_parts(tmp_path):
    path = tmp_path / "two.txt"
    path.write_text(
        "东港社区2026年双拥工作计划\n1、春节前夕走访慰问军属。\n2、每季度召开一次例会。\n3、八一前组织座谈。\n"
        "西港社区2026年双拥工作计划\n1、清明节组织祭扫烈士墓。\n2、6月开展国防教育宣传。\n3、重阳节看望老兵。\n",
        encoding="utf-8",
    )
    parts = list_parts(path, year=YEAR)
    assert [p.title for p in parts] == ["东港社区2026年双拥工作计划", "西港社区2026年双拥工作计划"]
    second = import_plan(path, year=YEAR, part=2)
    assert [c.when for c in second.candidates] == ["清明", "6月", "重阳"]


def test_a_single_plan_is_one_part():
    parts = list_parts(DATA / "single_plan.txt", year=YEAR)
    assert len(parts) == 1 and parts[0].title == "柳岸社区2026年双拥工作计划"


def test_command_lists_parts_and_says_how_to_choose(run, tmp_path):
    path = DATA / "multi_part.txt"
    listed = run("import", str(path), "--list-parts", "--year", str(YEAR))
    assert listed.exit_code == 0, listed.output
    assert "3 份计划" in listed.output and "篇2 白河乡2026年双拥工作计划" in listed.output
    assert "--part" in listed.output

    target = tmp_path / "merged.toml"
    refused = run("import", str(path), "-o", str(target), "--year", str(YEAR))
    assert refused.exit_code == 1
    assert "不会合并" in refused.output and "--part" in refused.output and "篇3" in refused.output
    assert not target.exists()

    chosen = run("import", str(path), "-o", str(target), "--year", str(YEAR), "--part", "2")
    assert chosen.exit_code == 0, chosen.output
    assert "第 2 份计划" in chosen.output
    assert re.search(r"原文 \d+ 行：\d+ 行成为任务，\d+ 行是分类标题，\d+ 行是计划标题或篇目，\d+ 行已跳过", chosen.output)
    assert load(target.read_text(encoding="utf-8")).title == "白河乡2026年双拥工作计划"

    beyond = run("import", str(path), "-o", str(tmp_path / "x.toml"), "--part", "9")
    assert beyond.exit_code == 1 and "没有第 9 份" in beyond.output


# ---------------------------------------------------------------------------
# Real tasks only
# ---------------------------------------------------------------------------


def test_chrome_framing_and_exhortations_are_skipped_with_reasons():
    path = DATA / "multi_part.txt"
    first = import_plan(path, year=YEAR, part=1)
    titles = [c.title for c in first.candidates]
    assert not any("特制定本计划" in t or "加强组织领导" in t or "议事日程" in t or "强军目标" in t for t in titles)
    reasons = {f.text: f.reason for f in first.lines if f.kind == "skipped"}
    assert reasons["1、加强组织领导。"].startswith("泛泛要求")
    assert "指导思想" in reasons["一、指导思想"]
    assert all(f.kind != "task" or f.line in {c.line for c in first.candidates} for f in first.lines)

    # The page's own lines (site name, time stamp, the sample site's preamble) are not in any
    # plan: no part holds them, so no task comes from them and no date from the stamp.
    for part in list_parts(path, year=YEAR):
        result = import_plan(path, year=YEAR, part=part.number)
        assert not any("内容页" in c.source or "00:45" in c.source or "3月22日" in c.when for c in result.candidates)
        assert not any("相关推荐" in c.source for c in result.candidates)


def test_chrome_lines_inside_a_plan_are_skipped(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(
        "文案大全实用文档工作计划内容页\n2024-03-22 00:00:45\n××镇2026年双拥工作计划\n"
        "1、三月份组织学雷锋志愿服务。\n2、建军节前走访慰问驻镇部队。\n发布时间：2024-03-22\n",
        encoding="utf-8",
    )
    result = import_plan(path, year=YEAR)
    assert [c.title for c in result.candidates] == ["三月份组织学雷锋志愿服务", "建军节前走访慰问驻镇部队"]
    assert [c.when for c in result.candidates] == ["3月", "八一前"]
    fates = {f.text: (f.kind, f.reason) for f in result.lines}
    assert fates["文案大全实用文档工作计划内容页"] == ("skipped", "网页标题或导航")
    assert fates["2024-03-22 00:00:45"] == ("skipped", "网页时间戳")
    assert fates["××镇2026年双拥工作计划"][0] == "header"
    check_accounting(result, nonblank_lines(path))


def test_single_plan_headings_become_categories_and_signature_is_header():
    path = DATA / "single_plan.txt"
    result = import_plan(path, year=YEAR)
    plan = load(result.toml_text)
    assert {"组织领导", "拥军优属", "宣传教育"} <= set(plan.categories)
    fates = {f.text: f.kind for f in result.lines}
    assert fates["三、拥军优属"] == "category"
    assert fates["柳岸社区居委会"] == "header" and fates["2026年1月8日"] == "skipped"
    assert fates["为做好今年的双拥工作，现结合社区实际制定计划如下："] == "skipped"
    assert fates["各单位要高度重视，切实加强领导。"] == "skipped"
    assert not any("1月8日" in c.when for c in result.candidates)
    check_accounting(result, nonblank_lines(path))


# ---------------------------------------------------------------------------
# Owners and dates from the text
# ---------------------------------------------------------------------------


def test_duty_notes_set_owner_and_support_and_leave_the_title_clean():
    path = DATA / "duty_list.txt"
    result = import_plan(path, year=YEAR)
    plan = load(result.toml_text)
    assert len(plan.tasks) == 5  # no line lost
    got = [(t.title, t.owner, t.support) for t in plan.tasks]
    assert got == [
        ("走访慰问驻地部队", "党政办", ()),
        ("召开军地联席会议", "人武部", ()),
        ("按时发放优抚对象优待金", "民政办", ("财政所",)),
        ("组织双拥知识竞赛", "李明", ()),
        ("八一前夕开展军民联欢活动", "文化站", ("团委", "妇联")),
    ]
    assert "驻地部队" not in plan.owners  # the object of 走访慰问, not a unit doing the work
    assert "驻地部队" not in result.report.owners_recognised
    check_accounting(result, nonblank_lines(path))


def test_owner_phrases_leave_titles():
    result = import_plan(DATA / "multi_part.txt", year=YEAR, part=1)
    got = {c.title: (c.owner, c.support) for c in result.candidates}
    assert got["每季度召开一次双拥领导小组会议"] == ("党政办", ())
    assert got["建军节前邀请驻地部队官兵座谈"] == ("人武部", ("团委",))
    assert got["春节前夕，走访慰问辖区现役军人家属和烈属"] == ("民政办", ())


@pytest.mark.parametrize(
    ("sentence", "when"),
    [
        ("每季度召开一次双拥工作例会。", "每季度"),
        ("六月份组织国防教育宣传。", "6月"),
        ("建军节前走访慰问驻地部队。", "八一前"),
        ("上下半年各召开一次专题会。", "每半年"),
        ("年内召开二次双拥工作推进会。", "每半年"),
        ("“两节”期间走访慰问困难军属。", "两节期间"),
    ],
)
def test_times_in_the_text_become_when(tmp_path, sentence, when):
    path = tmp_path / "one.txt"
    path.write_text(f"1、{sentence}\n", encoding="utf-8")
    result = import_plan(path, year=YEAR)
    assert [c.when for c in result.candidates] == [when]
    load(result.toml_text)


def test_docx_table_of_tasks(tmp_path):
    document = docx.Document()
    document.add_paragraph("南湖街道2026年双拥工作任务分解表")
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ["序号", "工作任务", "完成时间", "责任单位"]):
        cell.text = text
    rows = [
        ("1", "调整街道双拥工作领导小组", "一季度", "党工委"),
        ("2", "走访慰问驻街部队官兵", "春节前夕", "民政办、人武部"),
        ("3", "举办国防教育专题讲座", "6月", "人武部"),
        ("4", "开展拥军优属政策宣传", "全年", "宣传部"),
    ]
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    path = tmp_path / "分解表.docx"
    document.save(str(path))

    result = import_plan(path, year=YEAR)
    plan = load(result.toml_text)
    got = [(t.title, t.when, t.owner, t.support) for t in plan.tasks]
    assert got == [
        ("调整街道双拥工作领导小组", "一季度", "党工委", ()),
        ("走访慰问驻街部队官兵", "春节前夕", "民政办", ("人武部",)),
        ("举办国防教育专题讲座", "6月", "人武部", ()),
        ("开展拥军优属政策宣传", "年内", "宣传部", ()),
    ]
    kinds = [f.kind for f in result.lines]
    assert kinds == ["header", "header", "task", "task", "task", "task"]
    assert result.report.lines == 6


@pytest.mark.parametrize("name", ["multi_part.txt", "single_plan.txt", "duty_list.txt"])
def test_every_draft_validates_with_and_without_a_year(name):
    path = DATA / name
    for part in list_parts(path):
        for year in (None, YEAR):
            result = import_plan(path, year=year, part=part.number)
            plan = load(result.toml_text, year)
            data = tomllib.loads(result.toml_text)
            assert len(data["task"]) == len(plan.tasks) == result.report.tasks


def test_work_reported_as_done_is_marked(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text("1、社区于2月22日举行了元宵节猜灯谜活动。\n2、每季度召开一次例会。\n", encoding="utf-8")
    result = import_plan(path, year=YEAR)
    done, planned = result.candidates
    assert "已经做过" in done.check("title") and not planned.check("title")
