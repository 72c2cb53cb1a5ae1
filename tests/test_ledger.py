"""The 台账: .xlsx read back with openpyxl, .csv read back with the csv module."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest

from helpers import run_cli
from tracker.outputs.ledger import COLUMNS, display_width, write_ledger, write_ledger_csv, write_ledger_xlsx
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


def test_xlsx_reads_back(tmp_path):
    path = write_ledger_xlsx(PLAN, ROWS, 2026, TODAY, tmp_path / "台账.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws.title == "2026年台账"
    header = [c.value for c in ws[1]]
    assert header == list(COLUMNS)
    assert header[:3] == ["编号", "事项", "类别"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:V{len(ROWS) + 1}"
    assert ws.max_row == len(ROWS) + 1
    assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("305496")

    values = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    spring = values["spring"]
    assert spring[col("事项")] == "春节前夕走访慰问军属"
    assert spring[col("配合单位")] == "民政办、驻区部队"
    assert spring[col("时间安排")] == "春节前夕"
    assert spring[col("开始日期")].date() == date(2026, 2, 10)
    assert spring[col("截止日期")].date() == date(2026, 2, 13)
    assert spring[col("状态")] == "已完成"
    assert spring[col("是否逾期")] == "否"
    assert spring[col("佐证数量")] == 2
    assert spring[col("佐证材料")] == "文件：/档案/2026/签到表.jpg（签到表）【文件缺失】；链接：https://example.org/a"
    assert spring[col("尚缺佐证")] == "活动照片"
    assert spring[col("金额（元）")] == 1500
    assert spring[col("计划说明")] == "慰问金每户500元"
    assert spring[col("工作备注")] == "已全部走访"
    assert spring[col("最后更新")] == datetime(2026, 6, 10, 9, 30) + (UPDATED.astimezone().utcoffset() - timedelta(hours=8))
    assert spring[col("更新人")] == "张三"
    assert ws.cell(row=2, column=col("截止日期") + 1).number_format == "yyyy-mm-dd"

    bayi = values["bayi"]
    assert bayi[col("责任单位")] == "社区党委"
    assert bayi[col("截止日期")].date() == date(2026, 8, 10)
    assert bayi[col("原定截止")].date() == date(2026, 7, 31)
    assert bayi[col("状态")] == "已延期"
    assert bayi[col("延期/取消原因")] == "部队演训，改期"

    meet = values["meet@2026Q1"]
    assert meet[col("状态")] == "逾期" and meet[col("是否逾期")] == "是"
    assert meet[col("尚缺佐证")] == "活动照片、签到表"

    poster = values["poster"]
    assert poster[col("事项")] == "=HYPERLINK(\"http://x\")板报比赛"  # text, not a formula
    assert poster[col("尚缺佐证")] is None  # cancelled work owes no evidence


def test_xlsx_widths_fit_chinese(tmp_path):
    path = write_ledger_xlsx(PLAN, ROWS, 2026, TODAY, tmp_path / "台账.xlsx")
    ws = openpyxl.load_workbook(path).active
    width = lambda letter: ws.column_dimensions[letter].width  # noqa: E731
    assert width("B") >= display_width(LONG_TITLE)  # the longest title fits
    assert width("B") < display_width(LONG_TITLE) + 6
    assert width("A") >= len("meet@2026Q1") and width("A") < 20
    assert width("C") >= display_width("组织领导")
    assert width("N") <= 60  # long evidence lists are capped


def test_csv_has_bom_and_parses(tmp_path):
    path = write_ledger_csv(PLAN, ROWS, 2026, TODAY, tmp_path / "台账.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(COLUMNS)
    assert len(table) == len(ROWS) + 1
    spring = next(r for r in table if r[0] == "spring")
    assert spring[col("开始日期")] == "2026-02-10"
    assert spring[col("金额（元）")] == "1500"
    assert spring[col("佐证材料")] == "文件：/档案/2026/签到表.jpg（签到表）【文件缺失】；链接：https://example.org/a"
    assert spring[col("最后更新")].startswith("2026-06-10")
    poster = next(r for r in table if r[0] == "poster")
    assert poster[col("事项")] == "'=HYPERLINK(\"http://x\")板报比赛"  # Excel must not run it
    assert poster[col("状态")] == "已取消"


def test_write_ledger_picks_format_by_extension(tmp_path):
    csv_path = write_ledger(PLAN, ROWS, 2026, TODAY, tmp_path / "a.CSV")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    xlsx_path = write_ledger(PLAN, ROWS, 2026, TODAY, tmp_path / "a.xlsx")
    assert openpyxl.load_workbook(xlsx_path).active.max_row == len(ROWS) + 1


def test_empty_ledger(tmp_path):
    ws = openpyxl.load_workbook(write_ledger_xlsx(PLAN, [], 2026, TODAY, tmp_path / "空.xlsx")).active
    assert [c.value for c in ws[1]] == list(COLUMNS) and ws.max_row == 1


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
    ws = openpyxl.load_workbook(env / "台账-2026.xlsx").active
    assert ws.max_row == len(rows) + 1 and ws.freeze_panes == "A2"
    values = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(values) == {r["id"] for r in rows}
    done = values[first]
    assert done[col("状态")] == "已完成"
    assert done[col("佐证材料")] == "说明：已走访三户（慰问名单）"
    assert done[col("更新人")] == "小王" and done[col("最后更新")] is not None


def test_cli_ledger_csv_and_errors(env):
    run(env, "report", "ledger", "-o", "台账.csv")
    with open(env / "台账.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(COLUMNS) and len(table) > 20
    bad = run(env, "report", "ledger", "-o", "台账.docx", ok=False)
    assert bad.exit_code == 1 and "不支持的格式" in bad.stderr
    bad = run(env, "report", "ledger", "-o", "-", ok=False)
    assert bad.exit_code == 1 and "请用 -o 指定" in bad.stderr
