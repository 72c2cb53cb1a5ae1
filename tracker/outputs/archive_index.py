"""The 档案's 目录 as .xlsx and .docx: one per group, per year, and the top with 对标对表 and 缺项清单."""

from __future__ import annotations

import io
from datetime import date, datetime

from tracker.outputs.docx import DocxWriter
from tracker.outputs.files import SIGNATURE
from tracker.outputs.text import cn_date

HEADERS = ("件号", "责任者", "题名", "日期", "页数/文件数", "备注")
WIDTHS = (14, 16, 44, 10, 8, 30)
CHECK_HEADERS = ("年度", "指标/大项", "名称", "事项数", "已完成", "佐证件数", "其中文件", "情况")
GAP_HEADERS = ("年度", "指标/大项", "名称", "事项数", "缺项说明")


def _rows(groups) -> list[tuple]:
    rows = []
    for g, items in groups:
        for i in items:
            day = i.day.strftime("%Y%m%d") if i.day else ""
            rows.append((i.number, i.owner, i.title, day, i.files, i.remark))
    return rows


def _book(title: str, sheets: list[tuple[str, tuple, list[tuple], tuple]], today: date, author: str = "") -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": title, "author": author or title, "keywords": SIGNATURE, "created": datetime.now()})
    base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
    cell = wb.add_format(base)
    head = wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9D9D9", "font_name": "黑体"})
    big = wb.add_format({"font_name": "黑体", "font_size": 14, "align": "center"})
    for name, headers, rows, widths in sheets:
        ws = wb.add_worksheet(name[:31])
        last = len(headers) - 1
        ws.merge_range(0, 0, 0, last, title if name == sheets[0][0] else f"{title}（{name}）", big)
        ws.set_row(0, 24)
        ws.write_row(1, 0, headers, head)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        for r, row in enumerate(rows, 2):
            for c, value in enumerate(row):
                if isinstance(value, (int, float)):
                    ws.write_number(r, c, value, cell)
                else:
                    ws.write_string(r, c, str(value), cell)
        ws.repeat_rows(1)
        ws.freeze_panes(2, 0)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 32767)
        ws.set_footer(f"&C&\"宋体\"&9第 &P 页，共 &N 页　统计截至{cn_date(today)}")
    wb.close()
    return buffer.getvalue()


def catalogue_xlsx(title: str, groups, today: date) -> bytes:
    return _book(title, [("目录", HEADERS, _rows(groups), WIDTHS)], today)


def catalogue_docx(title: str, groups, today: date, unit: str = "") -> bytes:
    w = DocxWriter(title, author=unit, subject="档案目录")
    w.landscape_only()
    w.title(title)
    w.small(f"统计截至{cn_date(today)}", center=True)
    for g, items in groups:
        if len(groups) > 1:
            w.caption(f"{g.key}　{g.name}" if g.key != g.name else g.name)
        rows = [tuple(str(c) for c in r) for r in _rows([(g, items)])]
        w.table(HEADERS, rows, (2.6, 2.6, 7.5, 1.8, 1.4, 5.0))
    return w.to_bytes()


def _year_rows(years) -> list[tuple]:
    return [(f"{y.year}年", len(y.groups), sum(g.tasks for g in y.groups), y.items,
             sum(1 for g in y.groups for i in g.items if i.files)) for y in years]


YEAR_HEADERS = ("年度", "类目数", "事项数", "件数", "其中文件")


def top_xlsx(org: str, years, table, gaps, today: date, unit: str = "") -> bytes:
    title = f"{org}双拥工作档案总目录"
    return _book(title, [
        ("总目录", YEAR_HEADERS, _year_rows(years), (10, 10, 10, 10, 10)),
        ("对标对表", CHECK_HEADERS, table, (8, 10, 44, 8, 8, 9, 9, 10)),
        ("缺项清单", GAP_HEADERS, gaps, (8, 10, 44, 8, 30)),
    ], today, unit)


def top_docx(org: str, years, table, gaps, today: date, unit: str = "") -> bytes:
    title = f"{org}双拥工作档案总目录"
    w = DocxWriter(title, author=unit, subject="档案目录")
    w.landscape_only()
    w.title(title)
    w.small(f"统计截至{cn_date(today)}", center=True)
    w.caption("一、各年度档案")
    w.table(YEAR_HEADERS, [tuple(str(c) for c in r) for r in _year_rows(years)], (2, 2, 2, 2, 2))
    w.caption("二、对标对表")
    w.table(CHECK_HEADERS, [tuple(str(c) for c in r) for r in table], (1.6, 1.8, 8, 1.4, 1.4, 1.6, 1.6, 1.6))
    w.caption("三、缺项清单")
    if gaps:
        w.table(GAP_HEADERS, [tuple(str(c) for c in r) for r in gaps], (1.6, 1.8, 8, 1.4, 6))
    else:
        w.small("各年度各项均有佐证材料。", center=True)
    return w.to_bytes()
