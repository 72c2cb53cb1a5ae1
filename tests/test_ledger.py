"""The 台账: .xlsx read back with openpyxl, .csv read back with the csv module."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta, timezone

import openpyxl
from openpyxl.utils import get_column_letter
import pytest

from helpers import run_cli
from tracker.outputs.ledger import COLUMNS, MAX_WIDTH, display_width, write_ledger, write_ledger_csv, write_ledger_xlsx
from tracker.model import Evidence, EvidenceKind, Occurrence, OccurrenceState, Plan, Status, TrackedOccurrence

TODAY = date(2026, 6, 15)
PLAN = Plan(title="幸福社区2026年双拥工作计划", year=2026)
UPDATED = datetime(2026, 6, 10, 9, 30, tzinfo=timezone(timedelta(hours=8)))
LONG_TITLE = "组织开展“双拥模范社区”创建宣传周活动并走访慰问重点优抚对象"


def occ(oid, title, due, **kw):
    kw.setdefault("category", "拥军优属")
    kw.setdefault("owner", "社区居委会")
    kw.setdefault("evidence", ("活动照片", "签到表"))
    return Occurrence(id=oid, task_id=oid.split("@")[0], year=2026, title=title, start=kw.pop("start", due),
                      nominal_due=due, due=due, **kw)


ROWS = [
    TrackedOccurrence(
        occ("spring", "春节前夕走访慰问军属", date(2026, 2, 13), support=("民政办", "驻区部队"), when="春节前夕",
            amount=1500.0, notes="慰问金每户500元", start=date(2026, 2, 10)),
        OccurrenceState(
            status=Status.DONE,
            notes="已全部走访",
            evidence=(
                Evidence(1, EvidenceKind.FILE, "/档案/2026/签到表.jpg", label="签到表"),
                Evidence(2, EvidenceKind.URL, "https://example.org/a"),
            ),
            updated_at=UPDATED,
            updated_by="张三",
        ),
    ),
    TrackedOccurrence(
        occ("bayi", "八一慰问驻区部队", date(2026, 7, 31), owner="民政办"),
        OccurrenceState(status=Status.POSTPONED, due=date(2026, 8, 10), reason="部队演训，改期", owner="社区党委"),
    ),
    TrackedOccurrence(occ("meet@2026Q1", LONG_TITLE, date(2026, 3, 31), category="组织领导")),
    TrackedOccurrence(
        occ("poster", "=HYPERLINK(\"http://x\")板报比赛", date(2026, 5, 31), category="宣传教育"),
        OccurrenceState(status=Status.CANCELLED, reason="与国防教育月合并"),
    ),
]


def col(name: str) -> int:
    return COLUMNS.index(name)


def test_display_width():
    assert display_width("abc") == 3
    assert display_width("双拥abc") == 7
    assert display_width("（全角）") == 8


HEADER_ROW = 3  # title, unit line, then the header


def _sheet(path):
    ws = openpyxl.load_workbook(path).active
    values = {r[col("编号")]: r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[col("编号")]}
    return ws, values


def test_xlsx_reads_back(tmp_path):
    from tracker.model import Facts

    rows = [*ROWS, TrackedOccurrence(
        occ("visit", "元旦走访慰问优抚对象", date(2026, 1, 20), amount=10000.0),
        OccurrenceState(status=Status.DONE, done_on=date(2026, 1, 18),
                        facts=Facts(people=3, households=3, amount_paid=30000, place="社区活动室")),
    )]
    path = write_ledger_xlsx(PLAN, rows, 2026, TODAY, tmp_path / "台账.xlsx")
    ws, values = _sheet(path)
    assert ws.title == "2026年台账"
    assert ws["A1"].value == "幸福社区2026年度双拥工作台账"
    assert "统计截至：2026年6月15日" in ws["A2"].value and "共 5 项" in ws["A2"].value
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == list(COLUMNS)
    assert ws.freeze_panes == "C4" and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (None, 1, "1") and int(ws.page_setup.fitToHeight) > 1000
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.cell(row=HEADER_ROW + 1, column=1).border.left.style == "thin"
    assert ws.cell(row=HEADER_ROW + 1, column=col("事项") + 1).alignment.wrap_text

    spring = values["spring"]
    assert spring[col("事项")] == "春节前夕走访慰问军属"
    assert spring[col("配合单位")] == "民政办、驻区部队"
    assert spring[col("时间安排")] == "春节前夕"
    assert spring[col("截止日期")].date() == date(2026, 2, 13)
    assert spring[col("状态")] == "已完成"
    assert spring[col("佐证材料")] == "文件：签到表.jpg（签到表）【文件缺失】\n链接：https://example.org/a"
    assert spring[col("尚缺佐证")] == "活动照片"
    assert spring[col("金额标准（元）")] == 1500
    assert spring[col("说明")] == "计划说明：慰问金每户500元\n工作备注：已全部走访"
    stamp = (UPDATED.astimezone().replace(tzinfo=None)).strftime("%Y-%m-%d %H:%M")
    assert spring[col("最后更新")] == f"{stamp} 张三"
    date_cell = ws.cell(row=HEADER_ROW + 1, column=col("截止日期") + 1)
    assert "年" in date_cell.number_format and date_cell.is_date
    flagged = next(r for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[col("编号")].value == "spring")
    assert flagged[col("佐证材料")].font.color.rgb.endswith("C00000")  # a file problem shows in red

    bayi = values["bayi"]
    assert bayi[col("责任单位")] == "社区党委"
    assert bayi[col("截止日期")].date() == date(2026, 8, 10)
    assert bayi[col("状态")] == "已延期"
    assert bayi[col("说明")] == "延期（原定 2026年7月31日）：部队演训，改期"

    meet = values["meet@2026Q1"]
    assert meet[col("状态")] == "逾期" and meet[col("尚缺佐证")] == "活动照片、签到表"
    poster = values["poster"]
    assert poster[col("事项")] == "=HYPERLINK(\"http://x\")板报比赛"  # text, not a formula
    assert poster[col("尚缺佐证")] is None  # cancelled work owes no evidence

    visit = values["visit"]
    assert visit[col("完成日期")].date() == date(2026, 1, 18)
    assert (visit[col("人数")], visit[col("户数")], visit[col("实发金额（元）")]) == (3, 3, 30000)
    assert visit[col("地点")] == "社区活动室"

    total = [c.value for c in ws[ws.max_row]]
    assert total[0] == "合计" and total[1] == "5 项"
    assert total[col("实发金额（元）")].startswith("=SUM(") and total[col("人数")].startswith("=SUM(")
    fmt = ws.cell(row=ws.max_row, column=col("实发金额（元）") + 1).number_format
    assert fmt == "#,##0.00"


def test_xlsx_sums_are_right_after_recalculation(tmp_path):
    """The 合计 formulas carry their value, so a reader without recalculation sees it too."""
    import zipfile

    from tracker.model import Facts

    rows = [TrackedOccurrence(occ(f"v{i}", "走访", date(2026, 3, 1)),
                              OccurrenceState(status=Status.DONE, facts=Facts(people=i, amount_paid=100.5 * i)))
            for i in range(1, 5)]
    path = write_ledger_xlsx(PLAN, rows, 2026, TODAY, tmp_path / "台账.xlsx")
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>1005.0</v>" in xml and "<v>10</v>" in xml


def test_long_text_continues_instead_of_being_cut(tmp_path):
    note = "甲" * 40_000 + "乙" * 10
    rows = [TrackedOccurrence(occ("long", "长备注", date(2026, 3, 1)), OccurrenceState(notes=note))]
    ws, _ = _sheet(write_ledger_xlsx(PLAN, rows, 2026, TODAY, tmp_path / "台账.xlsx"))
    data = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))[:-1]
    assert len(data) == 2 and data[1][col("事项")] == "（续1）长备注"
    joined = "".join(r[col("说明")] for r in data)
    assert joined == "工作备注：" + note  # every character, in order


def test_xlsx_widths_fit_chinese(tmp_path):
    path = write_ledger_xlsx(PLAN, ROWS, 2026, TODAY, tmp_path / "台账.xlsx")
    ws = openpyxl.load_workbook(path).active
    width = lambda letter: ws.column_dimensions[letter].width  # noqa: E731
    assert width("B") >= MAX_WIDTH - 1  # the longest title is capped at the widest column
    assert width("C") >= display_width("组织领导")
    assert width("O") <= MAX_WIDTH + 1  # long evidence lists wrap instead of widening the sheet
    # Twenty columns on one landscape A4 width, printed at a legible two thirds of full size.
    assert sum(ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(COLUMNS) + 1)) < 260


def test_csv_has_bom_and_parses(tmp_path):
    path = write_ledger_csv(PLAN, ROWS, 2026, TODAY, tmp_path / "台账.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(COLUMNS)
    assert len(table) == len(ROWS) + 1
    spring = next(r for r in table if r[col("编号")] == "spring")
    assert spring[col("截止日期")] == "2026-02-13"
    assert spring[col("金额标准（元）")] == "1500"
    assert spring[col("佐证材料")] == "文件：签到表.jpg（签到表）【文件缺失】\n链接：https://example.org/a"
    poster = next(r for r in table if r[col("编号")] == "poster")
    assert poster[col("事项")] == "'=HYPERLINK(\"http://x\")板报比赛"  # Excel must not run it
    assert poster[col("状态")] == "已取消"


@pytest.mark.parametrize("text, shown", [
    ("+86 138 0000 0000", "+86 138 0000 0000"),
    ("-5 户困难家庭", "-5 户困难家庭"),
    ("@张三", "@张三"),
    ("-12.5", "-12.5"),
    ("=1+1", "'=1+1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|x", "'-2+3+cmd|x"),
    ("@SUM(A1:A3)", "'@SUM(A1:A3)"),
    ("+A1", "'+A1"),
    ("\t=1", "'\t=1"),
    ("普通文字", "普通文字"),
])
def test_csv_formula_guard_touches_only_formulas(text, shown):
    from tracker.outputs.ledger import csv_safe

    assert csv_safe(text) == shown


def test_write_ledger_picks_format_by_extension(tmp_path):
    csv_path = write_ledger(PLAN, ROWS, 2026, TODAY, tmp_path / "a.CSV")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    xlsx_path = write_ledger(PLAN, ROWS, 2026, TODAY, tmp_path / "a.xlsx")
    assert openpyxl.load_workbook(xlsx_path).active.max_row == HEADER_ROW + len(ROWS) + 1


def test_empty_ledger(tmp_path):
    ws = openpyxl.load_workbook(write_ledger_xlsx(PLAN, [], 2026, TODAY, tmp_path / "空.xlsx")).active
    assert [c.value for c in ws[HEADER_ROW]] == list(COLUMNS) and ws.max_row == HEADER_ROW + 1


@pytest.mark.parametrize("name", ["台账.xlsx", "台账.csv"])
def test_unwritable_target_is_a_chinese_error(tmp_path, name):
    from tracker.errors import TrackerError

    target = tmp_path / name
    target.mkdir()  # a folder where the file should go
    with pytest.raises(TrackerError, match="无法写入"):
        write_ledger(PLAN, ROWS, 2026, TODAY, target)


# -- the command ------------------------------------------------------------------------

import json  # noqa: E402

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


def test_cli_ledger_xlsx_default_name(env):
    rows = json.loads(run(env, "list", "--json").stdout)
    first = rows[0]["id"]
    run(env, "done", first, "--note", "已走访三户", "--label", "慰问名单")
    result = run(env, "report", "ledger")
    assert f"已写入 台账-2026.xlsx：{len(rows)} 行事项，1 份佐证材料" in result.stdout
    ws, values = _sheet(env / "台账-2026.xlsx")
    assert ws.max_row == HEADER_ROW + len(rows) + 1
    assert set(values) == {r["id"] for r in rows}
    done = values[first]
    assert done[col("状态")] == "已完成"
    assert done[col("佐证材料")] == "说明：已走访三户（慰问名单）"
    assert done[col("最后更新")].endswith(" 小王")


def test_cli_ledger_csv_and_errors(env):
    run(env, "report", "ledger", "-o", "台账.csv")
    with open(env / "台账.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(COLUMNS) and len(table) > 20
    bad = run(env, "report", "ledger", "-o", "台账.docx", ok=False)
    assert bad.exit_code == 1 and "不支持的格式" in bad.stderr
    bad = run(env, "report", "ledger", "-o", "-", ok=False)
    assert bad.exit_code == 1 and "请用 -o 指定" in bad.stderr
