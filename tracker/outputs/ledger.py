"""The 工作台账 (ledger): one row per occurrence with every recorded fact and its evidence.

Inspections check the 台账 item by item, so nothing recorded is left out and the sheet prints:
a title row (unit, year, 统计截至), borders, wrapped text, all columns fitted to one landscape
page width, the header repeated on every page, page numbers in the footer, amounts as numbers
with a 合计 row, and evidence files flagged by tracker.evidence's rule. A text longer than a
cell can hold (32,767 characters) continues on the rows below, marked （续）, never cut.

The .xlsx is written with XlsxWriter (styles, page setup, title and 合计 rows), the data rows
spliced in as sheet XML (see bench/bench_exports.py for the figures); `.csv` is UTF-8 with a BOM so that Excel and WPS
open the Chinese correctly, with the same columns.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from tracker.evidence import evidence_label, evidence_state, is_problem
from tracker.model import EvidenceKind, Plan, Status, TrackedOccurrence
from tracker.outputs.files import SIGNATURE, save_atomically
from tracker.outputs.text import cn_date, file_name

COLUMNS = (
    "序号",
    "事项",
    "类别",
    "责任单位",
    "配合单位",
    "时间安排",
    "截止日期",
    "状态",
    "完成日期",
    "地点",
    "人数",
    "户数",
    "金额标准（元）",
    "实发金额（元）",
    "佐证材料",
    "尚缺佐证",
    "说明",
    "考评指标",
    "编号",
    "最后更新",
)
DATE_COLUMNS = {"截止日期", "完成日期"}
NUMBER_COLUMNS = {"人数", "户数"}
MONEY_COLUMNS = {"金额标准（元）", "实发金额（元）"}
SUM_COLUMNS = ("人数", "户数", "实发金额（元）")
MIN_WIDTH, MAX_WIDTH = 5, 30
CELL_LIMIT = 32_767  # Excel's most characters in one cell
SHEET_TITLE_LIMIT = 31  # Excel's limit on sheet names


def evidence_text(row: TrackedOccurrence) -> tuple[str, bool]:
    """Every item on its own line, files by name with their state; and whether any is a problem."""
    items = []
    problem = False
    for item in row.state.evidence:
        label = f"（{item.label}）" if item.label else ""
        if item.kind is EvidenceKind.FILE:
            state = evidence_state(item)
            problem |= is_problem(state)
            mark = evidence_label(item, state)
            items.append(f"{item.kind.label}：{file_name(item.text)}{label}" + (f"【{mark}】" if mark else ""))
        else:
            items.append(f"{item.kind.label}：{item.text}{label}")
    return "\n".join(items), problem


def _remarks(r: TrackedOccurrence) -> str:
    occ, state = r.occurrence, r.state
    parts = []
    if state.status is Status.POSTPONED:
        parts.append(f"延期（原定 {cn_date(occ.due)}）：{state.reason or '未填写原因'}")
    elif state.status is Status.CANCELLED:
        parts.append(f"取消：{state.reason or '未填写原因'}")
    if occ.carried_from:
        parts.append(f"延续自{occ.carried_from.partition(':')[0]}年")
    attendees = state.facts.attendees
    if attendees:
        parts.append(f"参加人员：{attendees}")
    if occ.notes:
        parts.append(f"计划说明：{occ.notes}")
    if state.notes:
        parts.append(f"工作备注：{state.notes}")
    return "\n".join(parts)


def ledger_rows(rows: list[TrackedOccurrence], today: date) -> list[tuple[list, bool]]:
    """Cell values per occurrence (dates as dates, numbers as numbers) and an evidence-problem flag."""
    out = []
    for n, r in enumerate(rows, 1):
        occ, state = r.occurrence, r.state
        facts = state.facts
        updated = state.updated_at
        if isinstance(updated, datetime) and updated.tzinfo is not None:
            updated = updated.astimezone().replace(tzinfo=None)  # spreadsheets have no time zones
        stamp = f"{updated:%Y-%m-%d %H:%M} {state.updated_by}".strip() if updated else state.updated_by
        evidence, problem = evidence_text(r)
        done_on = state.done_on if state.status is Status.DONE else None
        out.append((
            [
                n,
                occ.title,
                occ.category,
                r.owner,
                "、".join(occ.support),
                occ.when,
                r.due,
                r.status_label(today),
                done_on,
                getattr(facts, "place", "") or "",
                getattr(facts, "people", None),
                getattr(facts, "households", None),
                occ.amount,
                getattr(facts, "amount_paid", None),
                evidence,
                "、".join(r.missing_evidence),
                _remarks(r),
                "、".join(occ.indicators),
                occ.id,
                stamp,
            ],
            problem,
        ))
    return out


def display_width(text: str) -> int:
    """Columns a spreadsheet needs: East Asian wide and full-width characters count twice.

    Counted from the UTF-8 length (a CJK or full-width character takes 3 bytes, Latin 1–2):
    the same figure as a per-character width lookup for Chinese text, at C speed.
    """
    if text.isascii():
        return len(text)
    n = len(text)
    wide = (len(text.encode("utf-8", "surrogatepass")) - n) // 2
    return n + wide if wide * 2 <= n * 2 else n * 2


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


FIXED_WIDTHS = {"序号": 5, "截止日期": 15, "完成日期": 15, "人数": 6, "户数": 6, "状态": 8,
                "金额标准（元）": 10, "实发金额（元）": 10, "最后更新": 17}


def column_widths(values: list[list]) -> list[int]:
    """Widths that fit the longest line of each column, within [MIN_WIDTH, MAX_WIDTH]."""
    widths = [display_width(h) for h in COLUMNS]
    fixed = {i for i, name in enumerate(COLUMNS) if name in FIXED_WIDTHS}
    for i in fixed:
        widths[i] = FIXED_WIDTHS[COLUMNS[i]]
    for row in values:
        for i, value in enumerate(row):
            if i in fixed or not isinstance(value, str) or not value:
                continue
            if 2 * len(value) <= widths[i]:
                continue  # a text is at most twice as wide as it is long
            for line in value.split("\n"):
                line = line[: MAX_WIDTH + 1]
                if 2 * len(line) > widths[i]:
                    w = len(line) if line.isascii() else display_width(line)
                    if w > widths[i]:
                        widths[i] = w
    return [w if i in fixed else min(max(w + 1, MIN_WIDTH), MAX_WIDTH) for i, w in enumerate(widths)]


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _split_long(cells: list) -> list[list]:
    """The row, then continuation rows for any text beyond CELL_LIMIT (nothing is cut)."""
    parts: dict[int, list[str]] = {}
    for i, value in enumerate(cells):
        if isinstance(value, str) and len(value) > CELL_LIMIT:
            parts[i] = [value[k : k + CELL_LIMIT] for k in range(0, len(value), CELL_LIMIT)]
    if not parts:
        return [cells]
    extra = max(len(p) for p in parts.values()) - 1
    first = list(cells)
    for i, chunks in parts.items():
        first[i] = chunks[0]
    rows = [first]
    title_col = COLUMNS.index("事项")
    for k in range(1, extra + 1):
        more: list = [None] * len(cells)
        more[0] = cells[0]
        more[title_col] = f"（续{k}）{cells[title_col]}"[:CELL_LIMIT]
        for i, chunks in parts.items():
            if k < len(chunks):
                more[i] = chunks[k]
        rows.append(more)
    return rows


def short_title(plan: Plan, year: int) -> str:
    from tracker.outputs.summary import short_unit

    return f"{short_unit(plan.unit, plan.title)}{year}年度双拥工作台账"


def ledger_xlsx_bytes(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date) -> bytes:
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name

    values = ledger_rows(rows, today)
    widths = column_widths([v for v, _ in values])
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    title = short_title(plan, year)
    wb.set_properties({
        "title": title, "subject": "双拥工作台账", "author": plan.unit or title, "keywords": SIGNATURE,
        "created": datetime.now(), "comments": f"统计截至{cn_date(today)}",
    })
    ws = wb.add_worksheet(_sheet_title(f"{year}年台账"))
    base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
    text = wb.add_format(base)
    flagged = wb.add_format({**base, "font_color": "#C00000"})
    center = wb.add_format({**base, "align": "center"})
    day = wb.add_format({**base, "num_format": 'yyyy"年"m"月"d"日"', "align": "center"})
    number = wb.add_format({**base, "num_format": "#,##0"})
    amount = wb.add_format({**base, "num_format": "#,##0.00"})
    header = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#D9D9D9",
                            "font_name": "黑体"})
    heading = wb.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"})
    sub = wb.add_format({"font_name": "宋体", "font_size": 10, "align": "left", "valign": "vcenter"})
    total = wb.add_format({**base, "bold": True})
    total_amount = wb.add_format({**base, "bold": True, "num_format": "#,##0.00"})
    total_number = wb.add_format({**base, "bold": True, "num_format": "#,##0"})

    by_name = {name: i for i, name in enumerate(COLUMNS)}
    formats = []
    for name in COLUMNS:
        if name in DATE_COLUMNS:
            formats.append(day)
        elif name in NUMBER_COLUMNS:
            formats.append(number)
        elif name in MONEY_COLUMNS:
            formats.append(amount)
        elif name in ("序号", "状态"):
            formats.append(center)
        else:
            formats.append(text)
    evidence_col, status_col = by_name["佐证材料"], by_name["状态"]
    last_col = len(COLUMNS) - 1

    ws.merge_range(0, 0, 0, last_col, title, heading)
    ws.set_row(0, 30)
    line = "　　".join(x for x in (f"单位：{plan.unit}" if plan.unit else "", f"年度：{year}年",
                                  f"统计截至：{cn_date(today)}", f"共 {len(rows)} 项") if x)
    ws.merge_range(1, 0, 1, last_col, line, sub)
    ws.write_row(2, 0, COLUMNS, header)
    ws.set_row(2, 2 * LINE_POINTS + 4)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)

    # The data rows are made here as sheet XML and spliced in after XlsxWriter has written the
    # rest (title, header, 合计, page setup): 10,000 rows through its cell API take about 1.5 s
    # of CPU, the XML text a fraction of that.
    styles = [f._get_xf_index() for f in formats]
    flagged_style = flagged._get_xf_index()
    data_xml, r = _data_rows_xml(values, widths, styles, flagged_style, evidence_col, status_col, first_row=3)

    # 合计: the count of items and the sums of 人数, 户数 and 实发金额 (formulas, with their values).
    ws.write_string(r, 0, "合计", total)
    ws.write_string(r, 1, f"{len(rows)} 项", total)
    for i in range(2, last_col + 1):
        ws.write_blank(r, i, None, total)
    for name in SUM_COLUMNS:
        i = by_name[name]
        letter = xl_col_to_name(i)
        figure = sum(v[i] for v, _ in values if isinstance(v[i], (int, float)))
        fmt = total_amount if name in MONEY_COLUMNS else total_number
        ws.write_formula(r, i, f"=SUM({letter}4:{letter}{r})", fmt, figure)

    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, max(r - 1, 2), last_col)
    ws.repeat_rows(2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    # Every column on one page width, as many pages down as needed ("0 pages tall" would be
    # the usual way, but LibreOffice reads it as one page tall).
    ws.fit_to_pages(1, 32767)
    ws.set_margins(left=MARGIN_IN, right=MARGIN_IN, top=0.6, bottom=0.6)
    ws.set_header(f"&L&\"宋体\"&9{_footer_text(title)}&R&\"宋体\"&9统计截至{cn_date(today)}")
    ws.set_footer("&C&\"宋体\"&9第 &P 页，共 &N 页")
    wb.close()
    return _splice_rows(buffer.getvalue(), data_xml, total_row=r)


def _splice_rows(book: bytes, rows_xml: str, total_row: int) -> bytes:
    """Put the data rows into sheet1.xml, just before the 合计 row XlsxWriter wrote."""
    if not rows_xml:
        return book
    source = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                mark = f'<row r="{total_row + 1}"'
                at = text.find(mark)
                if at < 0:
                    raise RuntimeError("合计 row not found in the sheet")
                data = (text[:at] + rows_xml + text[at:]).encode("utf-8")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _data_rows_xml(values, widths, styles, flagged_style, evidence_col, status_col, *, first_row: int):
    """(XML of the data rows, index of the row after them); long texts continue on extra rows."""
    from xlsxwriter.utility import xl_col_to_name

    letters = [xl_col_to_name(i) for i in range(len(COLUMNS))]
    text_cols = [i for i, name in enumerate(COLUMNS) if name not in DATE_COLUMNS | NUMBER_COLUMNS | MONEY_COLUMNS]
    out: list[str] = []
    r = first_row
    span = f"1:{len(COLUMNS)}"
    for cells, problem in values:
        for part in _split_long(cells):
            n = r + 1
            # Row heights set here: LibreOffice does not grow rows for wrapped text on opening.
            lines = max((lines_needed(part[i], widths[i]) for i in text_cols if isinstance(part[i], str) and part[i]),
                        default=1)
            if lines > 1:
                out.append(f'<row r="{n}" spans="{span}" ht="{min(409, lines * LINE_POINTS + 2)}" customHeight="1">')
            else:
                out.append(f'<row r="{n}" spans="{span}">')
            for i, value in enumerate(part):
                ref = f"{letters[i]}{n}"
                if value is None or value == "":
                    out.append(f'<c r="{ref}" s="{styles[i]}"/>')  # the border still shows
                elif isinstance(value, str):
                    if not value.isprintable():
                        value = _XML_ILLEGAL.sub("", value)
                    style = styles[i]
                    if (i == evidence_col and problem) or (i == status_col and value == "逾期"):
                        style = flagged_style
                    if "&" in value or "<" in value or ">" in value:
                        value = value.translate(_ESCAPES)
                    out.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                               f"{value}</t></is></c>")
                elif isinstance(value, bool):
                    out.append(f'<c r="{ref}" s="{styles[i]}"><v>{int(value)}</v></c>')
                elif isinstance(value, date):
                    out.append(f'<c r="{ref}" s="{styles[i]}"><v>{(value - EXCEL_EPOCH).days}</v></c>')
                else:
                    out.append(f'<c r="{ref}" s="{styles[i]}"><v>{value}</v></c>')
            out.append("</row>")
            r += 1
    return "".join(out), r


MARGIN_IN = 0.4
PAGE_WIDTH_IN = 11.69  # A4 landscape


EXCEL_EPOCH = date(1899, 12, 30)


def lines_needed(value: str, width: int) -> int:
    """How many lines a wrapped text takes in a column ``width`` characters wide (estimate)."""
    room = max(width - 1, 1)
    if 2 * len(value) <= room and "\n" not in value:
        return 1
    total = 0
    for line in value.split("\n"):
        n = len(line)
        wide = (len(line.encode("utf-8")) - n) // 2  # a CJK character is 3 bytes
        total += max(1, -(-int(n + 0.8 * wide) // room))  # and about 1.8 characters wide
    return total


LINE_POINTS = 13.5  # one line of 10-point 宋体


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")[:100]


def write_ledger_xlsx(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date, path: Path | str,
                      *, protect=()) -> Path:
    return save_atomically(path, ledger_xlsx_bytes(plan, rows, year, today), kind="ledger-xlsx", protect=protect)


def _sheet_title(text: str) -> str:
    for ch in "[]:*?/\\":
        text = text.replace(ch, "")
    return text[:SHEET_TITLE_LIMIT] or "台账"


def write_ledger_csv(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date, path: Path | str,
                     *, protect=()) -> Path:
    values = ledger_rows(rows, today)

    def save(target: str) -> None:
        # utf-8-sig writes the BOM Excel and WPS look for; newline="" lets csv write CRLF itself.
        with open(target, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for row, _ in values:
                writer.writerow([csv_safe(_shown(v)) for v in row])

    return save_atomically(path, save, kind="ledger-csv", protect=protect)


# After a leading + - @, what makes Excel run the cell as a formula: a function call, a
# reference, an operator chain or a DDE pipe. "+86 138…" and "-5 户" stay as they are.
_FORMULA_TAIL = re.compile(r"[=(!|]|^\s*[A-Za-z]{1,3}\$?\d+|^\s*[A-Za-z_][\w.]*\s*\(|[+\-*/^&]\s*[A-Za-z=(]")


def csv_safe(text: str) -> str:
    """A leading ' only where Excel would run the text: "=…", or "+ - @" followed by a formula."""
    if not text:
        return text
    first = text[0]
    if first == "=" or first in "\t\r":
        return "'" + text
    if first in "+-@":
        rest = text[1:]
        try:
            float(text)
            return text  # a plain signed number
        except ValueError:
            pass
        if _FORMULA_TAIL.search(rest):
            return "'" + text
    return text


def write_ledger(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date, path: Path | str,
                 *, protect=()) -> Path:
    """By the file's extension: .csv, otherwise .xlsx."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return write_ledger_csv(plan, rows, year, today, path, protect=protect)
    return write_ledger_xlsx(plan, rows, year, today, path, protect=protect)
