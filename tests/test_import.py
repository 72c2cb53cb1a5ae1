"""Importing an office's own plan document (.txt / .docx) into a draft plan file.

The real published plans in ../shared/seeds (beside the repository) are the input when they
are there; tests/data/seeds holds plans of our own writing with the same layout (several plans
in one file, quarter blocks, festivals, owners) and is always used, so these tests never skip.
The tests check the structure found and that every draft loads and expands, not exact counts.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import click
import docx
import pytest
from borax.calendars.lunardate import LunarDate
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import TrackerGroup
from tracker.cli.imports import import_command
from tracker.errors import TrackerError
from tracker.importer import Block, ImportResult, import_plan, list_parts, read_document
from tracker.plan.loader import parse_plan_text
from tracker.calendar.schedule import expand_plan

REPO = Path(__file__).resolve().parents[1]
SHARED_SEEDS = REPO.parent / "shared" / "seeds"
OWN_SEEDS = REPO / "tests" / "data" / "seeds"
SEED_DIRS = [d for d in (SHARED_SEEDS, OWN_SEEDS) if sorted(d.glob("*.txt"))]
SEED_FILES = [f for d in SEED_DIRS for f in sorted(d.glob("*.txt"))]
SEED_IDS = [f"{'shared' if f.parent == SHARED_SEEDS else 'own'}-{f.name[:3]}" for f in SEED_FILES]
YEAR = 2026


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def load(result: ImportResult, year: int | None = YEAR):
    plan, problems = parse_plan_text(result.toml_text, "draft.toml", year)
    errors = [p for p in problems if p.severity == "error"]
    assert plan is not None and not errors, "\n".join(str(p) for p in problems)
    return plan


def task_blocks(text: str) -> list[str]:
    """The text of each [[task]] table, comments included."""
    return text.split("[[task]]")[1:]


def quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


def write_docx(text: str, path: Path) -> Path:
    """The seed as Word would hold it: Markdown headings as Word headings, other lines as
    paragraphs; the quarter blocks (``一、20xx年1—3月：…``) and numbered items (``1、…``)
    go into two-column tables, like offices lay out their schedules."""
    document = docx.Document()
    rows: list[tuple[str, str]] = []

    def flush() -> None:
        if rows:
            table = document.add_table(rows=0, cols=2)
            for left, right in rows:
                cells = table.add_row().cells
                cells[0].text = left
                cells[1].text = right
            rows.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        heading = re.match(r"^(#+)\s*(.*)$", line)
        block = re.match(r"^([一二三四]\s*、\s*20xx\s*年[^：:]*)[：:]\s*(.*)$", line)
        item = re.match(r"^(?:-\s*)?(\d{1,2}、)(.*)$", line)
        if heading:
            flush()
            document.add_heading(heading.group(2), level=min(len(heading.group(1)), 3))
        elif block:
            rows.append((block.group(1), block.group(2)))
        elif item:
            rows.append((item.group(1), item.group(2)))
        else:
            flush()
            document.add_paragraph(line)
    flush()
    document.save(str(path))
    return path


@pytest.fixture(params=["utf8", "gb18030", "docx"])
def seed_variant(request, tmp_path):
    """A function seed_path -> the same seed as UTF-8 .txt, GB18030 .txt or .docx in tmp_path."""

    def make(seed: Path) -> Path:
        text = seed.read_text(encoding="utf-8")
        target = tmp_path / f"{seed.stem}.{'docx' if request.param == 'docx' else 'txt'}"
        if request.param == "docx":
            return write_docx(text, target)
        target.write_bytes(text.encode("gb18030" if request.param == "gb18030" else "utf-8"))
        return target

    make.kind = request.param
    return make


@pytest.fixture(params=SEED_DIRS, ids=["shared" if d == SHARED_SEEDS else "own" for d in SEED_DIRS])
def seed(request):
    """A function prefix -> the seed file of that number in the shared seeds, then in our own."""

    def find(prefix: str) -> Path:
        found = sorted(request.param.glob(f"{prefix}_*.txt"))
        assert found, f"缺少样本 {prefix}_*.txt（{request.param}）"
        return found[0]

    return find


def import_part_with(path: Path, words: str, year: int | None = YEAR) -> ImportResult:
    """The import of the one plan of a file whose tasks mention `words`."""
    for part in list_parts(path, year=year):
        if part.tasks:
            result = import_plan(path, year=year, part=part.number)
            if any(words in c.source for c in result.candidates):
                return result
    raise AssertionError(f"{path.name} 中没有一份计划提到“{words}”")


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
        lambda s: s.encode("gb18030"),
        lambda s: s.encode("utf-16"),  # with BOM
    ],
    ids=["utf8", "utf8-bom", "gb18030", "utf16-bom"],
)
def test_text_encodings_read_the_same(tmp_path, encode):
    text = "××社区双拥工作计划\r\n一、拥军优属\r\n1、春节前夕走访慰问军烈属。\r\n"
    path = tmp_path / "plan.txt"
    path.write_bytes(encode(text))
    blocks = read_document(path)
    assert [b.text for b in blocks] == ["××社区双拥工作计划", "一、拥军优属", "1、春节前夕走访慰问军烈属。"]
    assert all(b.kind == "paragraph" for b in blocks)


def test_docx_keeps_document_order_and_tables(tmp_path):
    document = docx.Document()
    document.add_heading("××社区双拥工作计划", level=1)
    document.add_paragraph("一、组织领导")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "1—3月"
    table.cell(0, 1).text = "调整双拥工作领导小组"
    table.cell(1, 0).text = "4—6月"
    table.cell(1, 1).text = "召开军民座谈会"
    document.add_paragraph("二、拥军优属")
    path = tmp_path / "plan.docx"
    document.save(str(path))

    blocks = read_document(path)
    assert [b.text for b in blocks] == [
        "××社区双拥工作计划", "一、组织领导", "1—3月", "调整双拥工作领导小组", "4—6月", "召开军民座谈会", "二、拥军优属",
    ]
    assert blocks[0].kind == "heading" and blocks[0].style == "Heading 1"
    assert [b.kind for b in blocks[2:6]] == ["table-cell"] * 4
    assert blocks[3].cell == (0, 0, 1) and blocks[5].cell == (0, 1, 1)
    assert isinstance(blocks[1], Block) and blocks[1].kind == "paragraph"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("plan.pdf", b"%PDF-1.4", "不支持"),
        ("plan.doc", b"\xd0\xcf\x11\xe0", ".docx"),
        ("plan.docx", b"not a zip file", "无法打开"),
        ("plan.txt", b"\xff\xfe\xfd"[1:] + b"\xff\x80\xff", "编码"),
        ("plan.txt", b"", "没有文字"),
    ],
)
def test_unreadable_files_are_explained(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TrackerError) as info:
        import_plan(path)
    assert words in str(info.value)


def test_missing_file_is_explained(tmp_path):
    with pytest.raises(TrackerError, match="不存在"):
        import_plan(tmp_path / "nope.txt")


def test_text_without_tasks_is_refused(tmp_path):
    path = tmp_path / "slogans.txt"
    path.write_text("双拥工作是我们党的优良传统。\n以科学发展观为指导，不断开创新局面。\n", encoding="utf-8")
    with pytest.raises(TrackerError, match="没有.*任务"):
        import_plan(path)


# ---------------------------------------------------------------------------
# The real plans
# ---------------------------------------------------------------------------


def test_seeds_are_there():
    assert OWN_SEEDS in SEED_DIRS and len(SEED_FILES) >= 3


@pytest.mark.parametrize("seed_path", SEED_FILES, ids=SEED_IDS)
def test_every_seed_gives_a_valid_consistent_draft(seed_path, seed_variant):
    path = seed_variant(seed_path)
    parts = list_parts(path, year=YEAR)
    for part in parts:
        if part.tasks:
            check_seed_part(import_plan(path, year=YEAR, part=part.number))


def check_seed_part(result: ImportResult) -> None:
    plan = load(result)
    report = result.report
    data = tomllib.loads(result.toml_text)
    blocks = task_blocks(result.toml_text)

    # The report matches the file.
    assert report.tasks == len(plan.tasks) == len(blocks) > 0
    assert report.dated + report.undated == report.tasks
    undated = [b for b in blocks if re.search(r'^when = "年内"\s+# 请核对', b, re.M)]
    assert len(undated) == report.undated
    assert report.review == sum(1 for b in blocks if "# 请核对" in b)
    assert report.categories == data["categories"]
    assert set(report.owners_recognised) <= set(data["owners"])
    assert data["default_owner"] in data["owners"]
    assert report.dropped == 0
    # Every line of the part is a task, a category, the header or a `# 已跳过` comment.
    assert report.task_lines + report.category_lines + report.header_lines + report.skipped_lines == report.lines
    assert len(re.findall(r"^# 已跳过：", result.toml_text, re.M)) == report.skipped_lines

    # Every task keeps where it came from; titles are short, ids unique slugs.
    ids = [t.id for t in plan.tasks]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"t\d{3,}", i) for i in ids)
    for task in plan.tasks:
        assert task.source and task.title
        assert len(task.title) <= 45
        assert "小编" not in task.source and "范文" not in task.source

    # The draft is a working plan: it expands for several years.
    for year in (2025, YEAR, 2027):
        occurrences = expand_plan(plan, year)
        assert {o.task_id for o in occurrences} == set(ids)


def test_seed_004_quarter_blocks_land_in_their_quarters(seed, seed_variant):
    result = import_part_with(seed_variant(seed("004")), "军民座谈会")
    plan = load(result)
    occurrences = expand_plan(plan, YEAR)

    def dues(words: str) -> list[date]:
        found = [o.nominal_due for o in occurrences if words in o.title]
        assert found, f"没有找到“{words}”任务"
        return found

    spring = LunarDate(YEAR, 1, 1).to_solar_date()
    forum = [t for t in plan.tasks if "军民座谈会" in t.title and "春节" in t.when]
    assert forum, "春节前夕召开军民座谈会 没有成为任务"
    assert all(d < spring for d in dues("军民座谈会") if d.month <= 3)
    forum_dues = [o.nominal_due for o in occurrences if o.task_id == forum[0].id]
    assert forum_dues and all(quarter(d) == 1 and d < spring for d in forum_dues)

    for words, q in [
        ("公开信", 1), ("卫生整治", 1),
        ("出板", 2), ("免费义诊", 2),
        ("文明劝导", 3), ("军民联谊", 3),
        ("知识竞赛", 4), ("大清扫", 4),
    ]:
        quarters = {quarter(d) for d in dues(words)}
        if words == "卫生整治":  # Q1 and Q2 both hold a 卫生整治: each in its own block
            assert quarters == {1, 2}, (words, quarters)
        else:
            assert quarters == {q}, (words, quarters)


def test_seed_000_recognises_owners(seed, seed_variant):
    result = import_part_with(seed_variant(seed("000")), "涉军纠纷")
    plan = load(result)
    assert {"人武部", "司法所"} <= set(result.report.owners_recognised)
    assert {"人武部", "司法所"} <= set(plan.owners)
    # "各基层司法所对涉军纠纷做到优先受理": the subject owns the task.
    assert any(t.owner == "司法所" and "涉军纠纷" in t.title for t in plan.tasks)
    # The 指导思想 slogans are not tasks.
    assert not any("邓小平理论" in t.title for t in plan.tasks)


def test_seed_003_recurrences_and_festivals(seed):
    path = seed("003")
    plans = [load(import_plan(path, year=YEAR, part=p.number)) for p in list_parts(path, year=YEAR) if p.tasks]
    whens = {t.when for plan in plans for t in plan.tasks}
    assert {"每季度", "每周一", "每月第一个周四", "清明"} <= whens
    # "在“八一”、元旦、春节期间…走访慰问": one task per festival, same activity.
    visits = [t for plan in plans for t in plan.tasks if t.source.endswith("走访慰问各类优抚对象代表。")]
    assert sorted(t.when for t in visits) == ["元旦期间", "八一期间", "春节期间"]


def test_year_is_optional(seed):
    result = import_plan(seed("004"), part=1)
    assert "year" not in tomllib.loads(result.toml_text)
    load(result, year=None)


# ---------------------------------------------------------------------------
# Structure on small documents
# ---------------------------------------------------------------------------

SMALL_PLAN = """\
××社区2026年双拥工作计划

一、指导思想
以科学发展观为指导，巩固和发展军政军民团结。

二、拥军优属
1、春节前夕，走访慰问辖区军烈属；召开军民座谈会；发放慰问品和慰问金。
2、每季度：召开一次双拥领导小组会议；开展一次国防教育宣传；向街道双拥办报送工作信息。
3、由民政办牵头，人武部配合，八一前组织退役军人座谈。
4、“八一”、春节期间走访慰问驻区部队。
6、元宵节前夕组织猜灯谜活动。邀请部队官兵参加联欢。评选优秀灯谜作品。
5、做好优抚对象帮扶工作。

三、国防教育
1、每月第一个周四开设国防教育课。
2、坚持每周一举行升国旗仪式。
3、上下半年各召开一次专题会。
4、五月份开展民族团结教育月活动。
5、6月组织国防教育讲座。
6、清明节组织烈士家属扫墓。
7、元宵节举办猜灯谜活动。
8、端午节前向部队赠送拥军粽。
9、重阳节看望老军人。
10、国防教育日开展宣传活动。
11、二季度组织社区医院开展义诊。
12、年终总结评比双拥工作。
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "社区计划.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    return path


def test_small_plan_structure(small):
    result = import_plan(small, year=YEAR)
    plan = load(result)
    assert plan.title == "××社区2026年双拥工作计划"
    by_title = {t.title: t for t in plan.tasks}

    # Headings became categories; the 指导思想 paragraph gave no task.
    assert {"拥军优属", "国防教育"} <= set(plan.categories)
    assert not any("科学发展观" in t.title for t in plan.tasks)

    # One paragraph, several ；-activities, one shared `when`.
    spring = [t for t in plan.tasks if t.source.startswith("二、 1、")]
    assert len(spring) == 3 and {t.when for t in spring} == {"春节前夕"}
    assert {t.category for t in spring} == {"拥军优属"}
    quarterly = [t for t in plan.tasks if t.source.startswith("二、 2、")]
    assert len(quarterly) == 3 and {t.when for t in quarterly} == {"每季度"}

    # 由…牵头 / …配合 name owner and support.
    veterans = next(t for t in plan.tasks if "退役军人座谈" in t.title)
    assert veterans.owner == "民政办" and veterans.support == ("人武部",) and veterans.when == "八一前"
    assert {"民政办", "人武部"} <= set(result.report.owners_recognised)

    # Two festivals in one phrase: one task each.
    visits = sorted(t.when for t in plan.tasks if "驻区部队" in t.title)
    assert visits == ["八一期间", "春节期间"]

    # No time at all: 年内, marked for review, counted as undated.
    care = by_title["做好优抚对象帮扶工作"]
    assert care.when == "年内"
    block = next(b for b in task_blocks(result.toml_text) if '"做好优抚对象帮扶工作"' in b)
    assert re.search(r'^when = "年内"\s+# 请核对', block, re.M)
    assert re.search(r'^owner = .*# 请核对', block, re.M)
    assert result.report.undated >= 1

    expected = {
        "每月第一个周四开设国防教育课": "每月第一个周四",
        "坚持每周一举行升国旗仪式": "每周一",
        "上下半年各召开一次专题会": "每半年",
        "五月份开展民族团结教育月活动": "5月",
        "6月组织国防教育讲座": "6月",
        "清明节组织烈士家属扫墓": "清明",
        "元宵节举办猜灯谜活动": "元宵",
        "端午节前向部队赠送拥军粽": "端午前",
        "重阳节看望老军人": "重阳",
        "国防教育日开展宣传活动": "国防教育日",
        "二季度组织社区医院开展义诊": "二季度",
        "年终总结评比双拥工作": "年底",
    }
    assert {title: by_title[title].when for title in expected} == expected
    assert "社区医院" in result.report.owners_recognised


def test_unit_becomes_default_owner(small):
    result = import_plan(small, unit="××社区双拥工作领导小组")
    data = tomllib.loads(result.toml_text)
    assert data["unit"] == data["default_owner"] == "××社区双拥工作领导小组"
    assert data["default_owner"] in data["owners"]
    load(result, year=None)


def test_quarter_block_keeps_outside_festivals_in_the_block(tmp_path):
    path = tmp_path / "blocks.txt"
    path.write_text(
        "一、20xx年10—12月：在元旦、春节前与部队开展联谊活动。组织居民开展一次国防知识竞赛。\n"
        "二、20xx年7—9月：在建军节前夕与人武部开展一次联谊活动。\n",
        encoding="utf-8",
    )
    plan = load(import_plan(path, year=YEAR))
    occurrences = expand_plan(plan, YEAR)
    by_task = {o.task_id: o for o in occurrences}
    for task in plan.tasks:
        q = 3 if "建军节" in task.title else 4
        assert quarter(by_task[task.id].nominal_due) == q, (task.title, task.when)


def test_docx_table_with_header_row(tmp_path):
    document = docx.Document()
    document.add_paragraph("××街道2026年双拥工作安排表")
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ["时间", "工作内容", "责任单位", "配合单位"]):
        cell.text = text
    for row in [
        ("1—3月", "春节前夕走访慰问驻区部队官兵", "街道党工委", "社区居委会、民政办"),
        ("6月", "组织国防教育讲座", "人武部", ""),
        ("全年", "及时发放优待金", "民政办", ""),
    ]:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    path = tmp_path / "安排表.docx"
    document.save(str(path))

    result = import_plan(path, year=YEAR)
    plan = load(result)
    tasks = {t.title: t for t in plan.tasks}
    visit = tasks["春节前夕走访慰问驻区部队官兵"]
    assert visit.when == "春节前夕"  # the sentence's own day, inside the row's quarter
    assert visit.owner == "街道党工委" and visit.support == ("社区居委会", "民政办")
    assert tasks["组织国防教育讲座"].when == "6月" and tasks["组织国防教育讲座"].owner == "人武部"
    assert tasks["及时发放优待金"].owner == "民政办"
    assert "街道党工委" in result.report.owners_recognised


def test_toml_escaping_survives_odd_text(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_text('1、每月召开"双拥"例会\\交流经验\x7f，记录#1与[[task]]。\n', encoding="utf-8")
    result = import_plan(path)
    plan = load(result, year=None)
    assert plan.tasks[0].when == "每月"
    assert '"双拥"' in plan.tasks[0].source and "\\" in plan.tasks[0].source


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


@pytest.fixture
def run():
    @click.group(cls=TrackerGroup)
    def root():
        pass

    root.add_command(import_command, "import")
    runner = CliRunner()
    return lambda *args: runner.invoke(root, list(args))


def test_command_writes_draft_and_report(run, small, tmp_path):
    target = tmp_path / "out" / "计划.toml"
    outcome = run("import", str(small), "-o", str(target), "--year", str(YEAR))
    assert outcome.exit_code == 0, outcome.output
    text = target.read_text(encoding="utf-8")
    plan, problems = parse_plan_text(text, str(target))
    assert plan is not None and plan.year == YEAR
    tasks = len(plan.tasks)
    assert f"导入 {tasks} 项任务" in outcome.output
    assert "有明确时间" in outcome.output and "待核对" in outcome.output
    assert "民政办" in outcome.output
    assert "shuangyong-tui validate" in outcome.output


def test_command_never_overwrites(run, small, tmp_path):
    target = tmp_path / "计划.toml"
    target.write_text("keep me", encoding="utf-8")
    outcome = run("import", str(small), "-o", str(target))
    assert outcome.exit_code == 1
    assert "已存在" in outcome.output and "Traceback" not in outcome.output
    assert target.read_text(encoding="utf-8") == "keep me"


def test_command_default_output_in_current_folder(run, small, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    outcome = run("import", str(small))
    assert outcome.exit_code == 0, outcome.output
    assert (work / "社区计划.toml").exists()


def test_command_explains_bad_input(run, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"PK")
    outcome = run("import", str(path))
    assert outcome.exit_code == 1
    assert "错误：" in outcome.output and "Traceback" not in outcome.output


# ---------------------------------------------------------------------------
# Hostile input
# ---------------------------------------------------------------------------

FRAGMENTS = [
    "一、", "（二）", "(三)", "㈠", "1、", "2．", "3.", "①", "篇三", "## ", "- ", "20xx年1—3月：", "二季度：",
    "春节前夕", "“八一”、春节期间", "元旦前", "每月第一个周四", "每周一", "每季度召开一次", "上下半年各一次",
    "每月31日", "2月30日", "2月29日", "13月", "0月", "12月", "3—5月", "Q5", "Q2", "年内", "年初", "暑期",
    "召开", "座谈会", "走访慰问", "开展", "由民政办牵头", "人武部配合", "由", "负责", "牵头", "驻区部队",
    "；", "。", "：", "，", "\n", "\n\n", '"', "\\", "\x7f", "\x00", "#", "[[task]]", "'''", "RRULE:FREQ=DAILY",
    "小编", "为指导", "建党", "建军", "国庆", "|", "| a | b |", "\t", "\u3000", "🎉", "\ufeff",
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=40),
    encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]),
    year=st.sampled_from([None, 2025, 2026, 2027]),
)
def test_random_text_never_breaks_import(tmp_path, parts, encoding, year):
    text = "".join(parts)
    path = tmp_path / "random.txt"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path.write_bytes(data)
    try:
        result = import_plan(path, year=year)
    except TrackerError as exc:
        assert str(exc)
        return
    load(result, year=year or YEAR)
    assert result.report.tasks == result.report.dated + result.report.undated


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_random_bytes_never_break_import(tmp_path, data):
    for name in ("random.txt", "random.docx"):
        path = tmp_path / name
        path.write_bytes(data)
        try:
            result = import_plan(path)
        except TrackerError:
            continue
        load(result, year=YEAR)


def test_time_headings_and_month_labels_give_their_time(tmp_path):
    path = tmp_path / "months.txt"
    path.write_text(
        "××镇双拥工作安排\n"
        "一、第一季度\n"
        "1、调整充实双拥工作领导小组。\n"
        "2、组织开展新兵入伍欢送活动。\n"
        "二、第三季度\n"
        "1、召开驻镇部队座谈会。\n"
        "5月：民族团结教育月，开展民族团结宣传活动。\n"
        "6月：全民国防教育月，邀请驻地部队作国防教育报告。\n"
        "每月向镇双拥办报送2篇信息。\n",
        encoding="utf-8",
    )
    plan = load(import_plan(path, year=YEAR))
    whens = {t.title: t.when for t in plan.tasks}

    def when_of(words: str) -> str:
        (found,) = [w for title, w in whens.items() if words in title]
        return found

    assert whens["调整充实双拥工作领导小组"] == whens["组织开展新兵入伍欢送活动"] == "一季度"
    assert whens["召开驻镇部队座谈会"] == "三季度"
    assert when_of("开展民族团结宣传活动") == "5月"
    assert when_of("邀请驻地部队作国防教育报告") == "6月"
    assert when_of("每月向镇双拥办报送2篇信息") == "每月"
