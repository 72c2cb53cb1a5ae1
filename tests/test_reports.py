"""The 总结 checklist: the data, its Markdown, and a Word document read back."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm

from helpers import run_cli
from tracker.model import Evidence, EvidenceKind, Occurrence, OccurrenceState, Plan, Status, TrackedOccurrence
from tracker.outputs.summary import md, summary_data, summary_markdown
from tracker.outputs.summary_docx import write_summary_docx

TODAY = date(2026, 6, 15)
PLAN = Plan(
    title="幸福社区2026年双拥工作计划",
    unit="幸福社区双拥工作领导小组",
    year=2026,
    owners=("社区党委", "社区居委会", "民政办"),
    categories=("组织领导", "拥军优属", "宣传教育", "优抚安置"),
)


def occ(oid, title, due, category, owner, evidence=("活动照片", "签到表"), support=(), start=None):
    return Occurrence(
        id=oid, task_id=oid.split("@")[0], year=2026, title=title, category=category, owner=owner,
        start=start or due, nominal_due=due, due=due, evidence=evidence, support=support,
    )


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "会议记录.pdf"
    good.write_bytes(b"minutes")
    changed = tmp_path / "照片.jpg"
    changed.write_bytes(b"edited later")
    return {
        "good": Evidence(1, EvidenceKind.FILE, str(good), label="会议记录", size=7,
                         sha256=hashlib.sha256(b"minutes").hexdigest()),
        "changed": Evidence(2, EvidenceKind.FILE, str(changed), label="活动照片", size=3),
        "missing": Evidence(3, EvidenceKind.FILE, str(tmp_path / "签到表.jpg"), label="签到表"),
        "note": Evidence(4, EvidenceKind.NOTE, "座谈会已召开，参会 30 人"),
        "url": Evidence(5, EvidenceKind.URL, "https://example.org/news/1", label="信息简报"),
    }


@pytest.fixture
def rows(files):
    return [
        TrackedOccurrence(
            occ("lead@2026Q1", "召开双拥领导小组会议", date(2026, 3, 31), "组织领导", "社区党委", ("会议记录", "签到表"),
                start=date(2026, 1, 1)),
            OccurrenceState(status=Status.DONE, evidence=(files["good"], files["note"])),
        ),
        TrackedOccurrence(occ("lead@2026Q2", "召开双拥领导小组会议", date(2026, 6, 30), "组织领导", "社区党委")),
        TrackedOccurrence(occ("spring", "春节前夕走访慰问军属", date(2026, 2, 16), "拥军优属", "社区居委会",
                              support=("民政办",))),
        TrackedOccurrence(
            occ("bayi", "八一慰问驻区部队", date(2026, 7, 31), "拥军优属", "民政办"),
            OccurrenceState(status=Status.POSTPONED, due=date(2026, 8, 10), reason="部队演训，改期"),
        ),
        TrackedOccurrence(
            occ("poster", "双拥板报比赛", date(2026, 5, 31), "宣传教育", "民政办"),
            OccurrenceState(status=Status.CANCELLED, reason="与国防教育月活动合并"),
        ),
        TrackedOccurrence(
            occ("photo", "双拥宣传进社区", date(2026, 5, 20), "宣传教育", "社区居委会", ("活动照片", "信息简报")),
            OccurrenceState(status=Status.DONE, owner="民政办", evidence=(files["changed"], files["missing"], files["url"])),
        ),
        TrackedOccurrence(
            occ("pay", "发放优待金", date(2026, 9, 30), "优抚安置", "民政办"),
            OccurrenceState(status=Status.CANCELLED, reason="上级统一发放"),
        ),
    ]


# -- data ------------------------------------------------------------------------------


def test_summary_groups_and_rates(rows):
    data = summary_data(PLAN, rows, 2026, TODAY)
    assert [s.name for s in data.sections] == ["组织领导", "拥军优属", "宣传教育", "优抚安置"]
    rates = {s.name: s.tally.rate_text for s in data.sections}
    assert rates == {"组织领导": "50.0%", "拥军优属": "0.0%", "宣传教育": "100.0%", "优抚安置": "—"}
    assert (data.overall.total, data.overall.done, data.overall.cancelled, data.overall.overdue) == (7, 2, 2, 1)
    assert data.overall.rate_text == "40.0%"
    owners = {t.name: (t.total, t.done, t.cancelled, t.rate_text) for t in data.by_owner}
    assert owners == {
        "社区党委": (2, 1, 0, "50.0%"),
        "社区居委会": (1, 0, 0, "0.0%"),  # photo was reassigned away from it
        "民政办": (4, 1, 2, "50.0%"),
    }
    assert [t.id for t in data.carry_over] == ["spring", "lead@2026Q2", "bayi"]
    assert data.carry_over[0].overdue and data.carry_over[0].status_label == "逾期"


def test_task_lines_carry_evidence_and_reasons(rows):
    data = summary_data(PLAN, rows, 2026, TODAY)
    tasks = {t.id: t for s in data.sections for t in s.tasks}
    first = tasks["lead@2026Q1"]
    assert first.missing == ("签到表",)
    assert [str(e) for e in first.evidence][1] == "说明：座谈会已召开，参会 30 人"
    assert first.span == "2026-01-01 至 2026-03-31"
    photo = tasks["photo"]
    assert [e.problem for e in photo.evidence] == ["文件已变更", "文件缺失", ""]
    assert photo.missing == ()  # both named items are covered by labelled items
    assert photo.owner == "民政办"
    assert tasks["bayi"].reason_text == "延期至 2026-08-10（原定 2026-07-31）：部队演训，改期"
    assert tasks["poster"].reason_text == "取消：与国防教育月活动合并"
    assert tasks["poster"].missing == ()  # cancelled work owes no evidence
    assert data.file_problems == 2


def test_custom_check_is_used(rows):
    data = summary_data(PLAN, rows, 2026, TODAY, check=lambda item: "missing")
    assert data.file_problems == 3


# -- Markdown -------------------------------------------------------------------------


def test_markdown_content(rows):
    text = summary_markdown(summary_data(PLAN, rows, 2026, TODAY))
    assert text.startswith("# 幸福社区2026年双拥工作计划\n")
    assert "## 2026年度工作总结清单" in text
    assert "单位：幸福社区双拥工作领导小组" in text
    for heading in ("## 一、总体完成情况", "## 二、各责任单位完成情况", "## 三、分类事项清单", "## 四、下年度延续事项"):
        assert heading in text
    assert "### （一）组织领导（完成 1/2，50.0%）" in text
    assert "### （三）宣传教育（完成 1/1，100.0%）" in text
    assert "| 合计 | 7 | 2 | 2 | 3 | 1 | 40.0% |" in text
    assert "| 民政办 | 4 | 1 | 2 | 1 | 0 | 50.0% |" in text
    assert "- [x] **召开双拥领导小组会议** `lead@2026Q1`：已完成" in text
    assert "- [ ] **春节前夕走访慰问军属** `spring`：逾期" in text
    assert "责任单位：社区居委会（配合：民政办）" in text
    assert "  - 尚缺：签到表" in text
    assert "  - 尚缺：活动照片、签到表" in text
    assert "延期至 2026-08-10（原定 2026-07-31）：部队演训，改期" in text
    assert "取消：与国防教育月活动合并" in text
    assert "【文件缺失】" in text and "【文件已变更】" in text
    assert "<https://example.org/news/1>（信息简报）" in text
    carry = text.split("## 四、下年度延续事项")[1]
    assert "以下 3 项尚未完成" in carry
    assert carry.index("春节前夕走访慰问军属") < carry.index("召开双拥领导小组会议") < carry.index("八一慰问驻区部队")
    assert "双拥板报比赛" not in carry and "双拥宣传进社区" not in carry


def test_markdown_escapes_and_empty_year():
    hostile = TrackedOccurrence(occ("x", "表格|标题*加粗*_下划线_\n第二行", date(2026, 3, 1), "组织领导", "社区党委"))
    text = summary_markdown(summary_data(PLAN, [hostile], 2026, TODAY))
    assert "表格\\|标题\\*加粗\\*\\_下划线\\_ 第二行" in text
    assert "| 1 | 表格\\|标题" in text  # the carry-over table keeps its columns
    empty = summary_markdown(summary_data(PLAN, [], 2026, TODAY))
    assert "（本年度没有事项）" in empty and "没有需要延续的事项" in empty
    assert "| 合计 | 0 | 0 | 0 | 0 | 0 | — |" in empty


def test_carried_over_work_and_notes(tmp_path):
    carried = Occurrence(
        id="visit~2025", task_id="visit", year=2026, title="走访慰问困难退役军人", category="优抚安置", owner="民政办",
        start=date(2026, 1, 1), nominal_due=date(2026, 3, 31), due=date(2026, 3, 31), carried_from="2025:visit@2025H2",
    )
    row = TrackedOccurrence(carried, OccurrenceState(status=Status.DOING, notes="已走访两户\n剩余一户春节后走访"))
    data = summary_data(PLAN, [row], 2026, TODAY)
    text = summary_markdown(data)
    assert "责任单位：民政办；延续自2025年（visit@2025H2）" in text
    assert "  - 备注：已走访两户；剩余一户春节后走访" in text
    doc = docx.Document(str(write_summary_docx(data, tmp_path / "x.docx")))
    remarks = doc.tables[2].rows[1].cells[7].text
    assert remarks == "延续自2025年\n备注：已走访两户；剩余一户春节后走访"


# -- Word ------------------------------------------------------------------------------


def _east_asia(style) -> str | None:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def _visit_with_facts():
    from tracker.model import Facts

    return TrackedOccurrence(
        occ("newyear@2026", "元旦春节走访慰问优抚对象", date(2026, 1, 25), "拥军优属", "民政办", ("慰问名单",)),
        OccurrenceState(status=Status.DONE, done_on=date(2026, 1, 20),
                        facts=Facts(people=3, households=3, amount_paid=30000, place="社区活动室"),
                        evidence=(Evidence(9, EvidenceKind.NOTE, "慰问名单已签字", label="慰问名单"),)),
    )


def test_docx_reads_back(rows, tmp_path):
    data = summary_data(PLAN, [*rows, _visit_with_facts()], 2026, TODAY)
    path = write_summary_docx(data, tmp_path / "总结.docx")
    doc = docx.Document(str(path))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert paragraphs[0] == ("Title", "幸福社区2026年度双拥工作总结")
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == ["一、基本情况", "二、主要做法和成效", "三、存在的问题", "四、下步打算", "附件"]
    sub = [text for style, text in paragraphs if style == "Heading 2"]
    assert sub == ["（一）组织领导", "（二）拥军优属", "（三）宣传教育", "（四）优抚安置"]
    text = "\n".join(t for _, t in paragraphs)
    # The counted facts: totals, 户数/人数/实发金额, the date the visit was made.
    assert "全年安排工作 8 项" in text and "已完成 3 项" in text
    assert "走访 3 户、惠及 3 人次、发放资金 30,000 元" in text
    assert "元旦春节走访慰问优抚对象（1月20日完成）" in text
    # Evidence split: done-but-missing apart from work not yet done.
    assert "已完成的 3 项中，1 项尚缺佐证材料 1 份" in text
    assert "逾期" in text.split("三、存在的问题")[1] and "春节前夕走访慰问军属" in text.split("三、存在的问题")[1]
    assert "取消" in text and "与国防教育月活动合并" in text
    # 落款: the unit and the date, then 填报人/审核人.
    unit_at = next(i for i, (_, t) in enumerate(paragraphs) if t == "幸福社区双拥工作领导小组")
    assert paragraphs[unit_at + 1][1] == "2026年6月15日"
    assert paragraphs[unit_at + 2][1].startswith("填报人：") and "审核人：" in paragraphs[unit_at + 2][1]

    totals, owners, items, carry = doc.tables
    assert [c.text for c in totals.rows[0].cells] == ["类别", "事项", "已完成", "已取消", "未完成", "其中逾期", "完成率"]
    assert [c.text for c in totals.rows[-1].cells] == ["合计", "8", "3", "2", "3", "1", "50.0%"]
    assert [c.text for c in owners.rows[3].cells][:1] == ["民政办"]
    assert len(items.rows) == 1 + 8
    first = [c.text for c in items.rows[1].cells]
    assert first[1] == "召开双拥领导小组会议" and first[3] == "1月1日至3月31日" and first[4] == "已完成"
    assert "文件：会议记录.pdf（会议记录）" in first[6] and "说明：座谈会已召开" in first[6]
    assert first[7] == "尚缺：签到表"
    visit = next([c.text for c in r.cells] for r in items.rows if r.cells[1].text.startswith("元旦春节"))
    assert visit[5] == "完成于1月20日\n地点：社区活动室\n人数：3 人\n户数：3 户\n实发：30,000 元"
    photo = next([c.text for c in r.cells] for r in items.rows if r.cells[1].text == "双拥宣传进社区")
    assert "照片.jpg（活动照片）【文件已变更】" in photo[6] and "签到表.jpg（签到表）【文件缺失】" in photo[6]
    bayi = [c.text for c in carry.rows[3].cells]
    assert bayi[1] == "八一慰问驻区部队" and bayi[6] == "延期至8月10日（原定7月31日）：部队演训，改期\n尚缺：活动照片、签到表"
    assert carry.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header repeats on every page

    # Nothing internal: no ids, no folders, no ISO dates.
    everything = _all_text(doc)
    assert "@" not in everything and "lead@2026Q1" not in everything
    assert str(tmp_path) not in everything and "/" not in everything.replace("https://example.org/news/1", "")
    assert "2026-" not in everything


def test_docx_page_numbers_properties_and_fonts(rows, tmp_path):
    path = write_summary_docx(summary_data(PLAN, rows, 2026, TODAY), tmp_path / "总结.docx")
    doc = docx.Document(str(path))
    assert _east_asia(doc.styles["Normal"]) == "仿宋_GB2312"
    expected = {"Title": "方正小标宋简体", "Heading 1": "黑体", "Heading 2": "楷体_GB2312"}
    for name, font in expected.items():
        assert _east_asia(doc.styles[name]) == font
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override it
    first, appendix = doc.sections
    assert abs(first.page_width - Cm(21)) < Cm(0.05) and abs(first.page_height - Cm(29.7)) < Cm(0.05)
    assert appendix.page_width > appendix.page_height  # the tables are on landscape pages
    props = doc.core_properties
    assert props.title == "幸福社区2026年度双拥工作总结"
    assert props.author == "幸福社区双拥工作领导小组" and props.created.year >= 2026
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        footers = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer")]
        app = z.read("docProps/app.xml").decode("utf-8")
        font_table = z.read("word/fontTable.xml").decode("utf-8")
    assert "<!--" not in xml  # every table placeholder was filled
    assert any('w:instr=" PAGE "' in f for f in footers)
    assert "Microsoft" not in app and "shuangyong-tui" in app
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in font_table


def test_docx_font_choice(rows, tmp_path):
    from tracker.outputs.docx import font_set

    path = write_summary_docx(summary_data(PLAN, rows, 2026, TODAY), tmp_path / "总结.docx", fonts=font_set("宋体"))
    assert _east_asia(docx.Document(str(path)).styles["Normal"]) == "宋体"
    custom = font_set("方正小标宋_GBK，黑体，仿宋")
    assert (custom.title, custom.heading, custom.body) == ("方正小标宋_GBK", "黑体", "仿宋")
    from tracker.errors import TrackerError

    with pytest.raises(TrackerError, match="字体设置"):
        font_set("楷体")


def test_docx_hostile_text(tmp_path):
    title = "A&B <会议> \x07控制符\u3000全角空格 \\ 末尾 "
    row = TrackedOccurrence(
        occ("x", title, date(2026, 3, 1), "组织<领导>", "社区&党委"),
        OccurrenceState(evidence=(Evidence(1, EvidenceKind.NOTE, "第一行\r\n第二行\x1e\x1f"),)),
    )
    path = write_summary_docx(summary_data(PLAN, [row], 2026, TODAY), tmp_path / "x.docx")
    doc = docx.Document(str(path))
    cells = [c.text for c in doc.tables[2].rows[1].cells]
    assert cells[1] == "A&B <会议> 控制符\u3000全角空格 \\ 末尾 "
    assert cells[2] == "社区&党委"
    assert cells[6] == "说明：第一行\n第二行"
    assert any(p.text == "（一）组织<领导>" for p in doc.paragraphs)


def test_docx_empty_year(tmp_path):
    path = write_summary_docx(summary_data(PLAN, [], 2026, TODAY), tmp_path / "空.docx")
    doc = docx.Document(str(path))
    assert any("本年度计划中没有事项" in p.text for p in doc.paragraphs)
    assert len(doc.tables) == 3


def test_docx_replaces_an_earlier_summary_only_and_leaves_no_temp(rows, tmp_path):
    from tracker.errors import TrackerError

    target = tmp_path / "总结.docx"
    target.write_text("someone else's file")
    with pytest.raises(TrackerError, match="不是本程序生成的"):
        write_summary_docx(summary_data(PLAN, rows, 2026, TODAY), target)
    assert target.read_text() == "someone else's file"
    target.unlink()
    write_summary_docx(summary_data(PLAN, [], 2026, TODAY), target)
    write_summary_docx(summary_data(PLAN, rows, 2026, TODAY), target)  # an earlier output: replaced
    assert len(docx.Document(str(target)).tables) == 4
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


OFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice (soffice/libreoffice) is not installed")
def test_docx_converts_to_pdf_with_libreoffice(rows, tmp_path):
    path = write_summary_docx(summary_data(PLAN, rows, 2026, TODAY), tmp_path / "总结.docx")
    out = tmp_path / "pdf"
    result = subprocess.run(
        [OFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to", "pdf",
         "--outdir", str(out), str(path)],
        capture_output=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    pdf = out / "总结.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 5000


# -- the command ------------------------------------------------------------------------

from click.testing import CliRunner  # noqa: E402

from tracker.plan.bundled import default_plan_path  # noqa: E402
from tracker.cli import cli  # noqa: E402
from tracker.cli.export import export as export_group  # noqa: E402
from tracker.cli.export import report as report_group  # noqa: E402

for _group in (export_group, report_group):
    if _group.name not in cli.commands:
        cli.add_command(_group)


def run(tmp_path, *args, ok=True):
    return run_cli(tmp_path, *args, ok=ok)


def _first_ids(tmp_path, n):
    import json

    return [r["id"] for r in json.loads(run(tmp_path, "list", "--json").stdout)][:n]


def test_cli_summary_markdown_on_stdout(env):
    a, b, c = _first_ids(env, 3)
    photo = env / "签到表.jpg"
    photo.write_bytes(b"sign-in sheet")
    run(env, "done", a, "--file", str(photo), "--label", "签到表")
    run(env, "set", b, "--status", "取消", "--reason", "上级统一组织")
    photo.write_bytes(b"edited")  # changed after it was recorded
    result = run(env, "report", "summary")
    text = result.stdout
    assert text.startswith("# ")
    assert "## 一、总体完成情况" in text and "## 四、下年度延续事项" in text
    assert f"`{a}`：已完成" in text and "- [x] **" in text
    assert "取消：上级统一组织" in text
    assert "【文件已变更】" in text
    carry = text.split("## 四、下年度延续事项")[1]
    assert f"| {md(c)} |" in carry
    assert a not in carry and b not in carry
    assert not list(env.glob("*.docx"))


def test_cli_summary_docx_and_md_files(env):
    result = run(env, "report", "summary", "-o", "总结.docx")
    assert "已写入 总结.docx" in result.stdout and "完成率" in result.stdout
    doc = docx.Document(str(env / "总结.docx"))
    assert doc.paragraphs[0].style.name == "Title"
    assert len(doc.tables) >= 4
    run(env, "report", "summary", "-o", "总结.md")
    assert (env / "总结.md").read_text(encoding="utf-8").startswith("# ")
    out = env / "out"
    out.mkdir()
    run(env, "report", "summary", "-o", str(out))
    assert (out / "年终总结-2026.docx").exists()


def test_cli_summary_errors(env):
    bad = run(env, "report", "summary", "-o", "总结.pdf", ok=False)
    assert bad.exit_code == 1 and "不支持的格式" in bad.stderr and "Traceback" not in bad.output
    run(env, "report", "summary", "-o", str(env / "新建" / "子目录" / "总结.docx"))
    assert (env / "新建" / "子目录" / "总结.docx").exists()  # missing folders are created
