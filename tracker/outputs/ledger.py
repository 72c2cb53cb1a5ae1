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
from tracker.outputs.batch import collector_paused
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
NON_TEXT_COLUMNS = {"序号"} | DATE_COLUMNS | NUMBER_COLUMNS | MONEY_COLUMNS  # every other cell holds text
SUM_COLUMNS = ("人数", "户数", "实发金额（元）")
MIN_WIDTH, MAX_WIDTH = 5, 22
# Twenty columns share one landscape A4 width; printed at about two thirds of full size, 10-point
# text stays legible only if the columns are this narrow at most (longer texts wrap).
COLUMN_MAX = {"类别": 8, "责任单位": 12, "配合单位": 12, "时间安排": 8, "地点": 8, "尚缺佐证": 12,
              "考评指标": 6, "编号": 10}
CELL_LIMIT = 32_767  # Excel's most characters in one cell
SHEET_TITLE_LIMIT = 31  # Excel's limit on sheet names


_FILE = EvidenceKind.FILE
_KIND_LABELS = {kind: kind.label for kind in EvidenceKind}


def evidence_text(row: TrackedOccurrence) -> tuple[str, bool]:
    """Every item on its own line, files by name with their state; and whether any is a problem."""
    evidence = row.state.evidence
    if not evidence:
        return "", False
    items = []
    problem = False
    for item in evidence:
        label = f"（{item.label}）" if item.label else ""
        if item.kind is _FILE:
            state = evidence_state(item)
            problem |= is_problem(state)
            mark = evidence_label(item, state)
            items.append(f"{_KIND_LABELS[_FILE]}：{file_name(item.text)}{label}" + (f"【{mark}】" if mark else ""))
        else:
            items.append(f"{_KIND_LABELS[item.kind]}：{item.text}{label}")
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


def _stamp(updated, by: str) -> str:
    """最后更新: "2026-06-01 09:30 王敏" in local time (spreadsheets have no time zones)."""
    if not updated:
        return by
    if isinstance(updated, datetime):
        if updated.tzinfo is not None:
            updated = updated.astimezone()
        when = updated.isoformat(" ", "minutes")[:16]  # as strftime would, at a fraction of the cost
    else:
        when = f"{updated:%Y-%m-%d %H:%M}"
    return f"{when} {by}".rstrip()


def ledger_rows(rows: list[TrackedOccurrence], today: date) -> list[tuple[list, bool]]:
    """Cell values per occurrence (dates as dates, numbers as numbers) and an evidence-problem flag."""
    out = []
    append = out.append
    done = Status.DONE
    stamps: dict[tuple, str] = {}
    for n, r in enumerate(rows, 1):
        occ, state = r.occurrence, r.state
        facts = state.facts
        key = (state.updated_at, state.updated_by)
        stamp = stamps.get(key)
        if stamp is None:  # one command's changes share a moment: each is formatted once
            stamp = stamps[key] = _stamp(*key)
        evidence, problem = evidence_text(r)
        append((
            [
                n,
                occ.title,
                occ.category,
                state.owner or occ.owner,
                "、".join(occ.support),
                occ.when,
                state.due or occ.due,
                r.status_label(today),
                state.done_on if state.status is done else None,
                facts.place or "",
                facts.people,
                facts.households,
                occ.amount,
                facts.amount_paid,
                evidence,
                "、".join(r.missing_evidence) if occ.evidence else "",
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


FIXED_WIDTHS = {"序号": 5, "截止日期": 15, "完成日期": 15, "人数": 5, "户数": 5, "状态": 7,
                "金额标准（元）": 10, "实发金额（元）": 10, "最后更新": 11}


def column_widths(columns: list[tuple]) -> list[int]:
    """Widths that fit the longest line of each column (the cells a column at a time), within
    [MIN_WIDTH, MAX_WIDTH]: a column stops being measured once it reaches the most."""
    widths = [display_width(h) for h in COLUMNS]
    for i, name in enumerate(COLUMNS):
        if name in FIXED_WIDTHS:
            widths[i] = FIXED_WIDTHS[name]
            continue
        if i >= len(columns):
            continue
        w, most = widths[i], COLUMN_MAX.get(name, MAX_WIDTH)
        for value in columns[i]:
            if not isinstance(value, str) or 2 * len(value) <= w:
                continue  # a text is at most twice as wide as it is long
            for line in value.split("\n"):
                line = line[: most + 1]
                if 2 * len(line) > w:
                    lw = len(line) if line.isascii() else display_width(line)
                    if lw > w:
                        w = lw
            if w + 1 >= most:
                break  # as wide as this column gets
        widths[i] = min(max(w + 1, MIN_WIDTH), most)
    return widths


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
    with collector_paused():
        return _ledger_xlsx_bytes(plan, rows, year, today)


def _ledger_xlsx_bytes(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date) -> bytes:
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name

    values = ledger_rows(rows, today)
    columns = list(zip(*(v for v, _ in values)))
    widths = column_widths(columns)
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
    data_xml, r = _data_rows_xml(values, widths, styles, flagged_style, evidence_col, status_col, first_row=3,
                                 columns=columns)

    # 合计: the count of items and the sums of 人数, 户数 and 实发金额 (formulas, with their values).
    ws.write_string(r, 0, "合计", total)
    ws.write_string(r, 1, f"{len(rows)} 项", total)
    for i in range(2, last_col + 1):
        ws.write_blank(r, i, None, total)
    for name in SUM_COLUMNS:
        i = by_name[name]
        letter = xl_col_to_name(i)
        figure = sum(v for v in columns[i] if isinstance(v, (int, float))) if columns else 0
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
                at = data.find(f'<row r="{total_row + 1}"'.encode())
                if at < 0:
                    raise RuntimeError("合计 row not found in the sheet")
                data = b"".join((data[:at], rows_xml.encode("utf-8"), data[at:]))
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _data_rows_xml(values, widths, styles, flagged_style, evidence_col, status_col, *, first_row: int,
                   columns: list[tuple] | None = None):
    """(XML of the data rows, index of the row after them); long texts continue on extra rows.

    Built a column at a time (10,000 rows x 20 columns): each column's text is escaped in one
    pass over the joined column, each cell made by a comprehension of the column's own kind.
    """
    from xlsxwriter.utility import xl_col_to_name

    text_cols = {i for i, name in enumerate(COLUMNS) if name not in NON_TEXT_COLUMNS}
    table = [cells for cells, _ in values]
    problems = [problem for _, problem in values]
    if columns is None:
        columns = list(zip(*table))
    if table and any(max(map(len, columns[i])) > CELL_LIMIT for i in text_cols):
        table, problems = [], []
        for cells, problem in values:  # rare: a text beyond a cell's limit continues below
            for part in _split_long(cells):
                table.append(part)
                problems.append(problem)
        columns = list(zip(*table))
    if not table:
        return "", first_row
    # Cells are made without their row number (a placeholder stands for it, filled in once per
    # row), so a column's repeated values (a unit, a status, an empty cell) are made once.
    made: list[list[str]] = []
    lines_of: list[list[int]] = []
    for i, column in enumerate(columns):
        letter, style = xl_col_to_name(i), styles[i]
        ref = f'<c r="{letter}{_ROW}"'
        if i in text_cols:
            # Row heights set here: LibreOffice does not grow rows for wrapped text on opening.
            lines = _lines_column(column, widths[i])
            if lines is not None:
                lines_of.append(lines)
            texts = _escaped_column(column)
            if i == evidence_col:
                styles_here = [flagged_style if p else style for p in problems]
            elif i == status_col:
                styles_here = [flagged_style if v == "逾期" else style for v in column]
            else:
                styles_here = None
            if styles_here is None:
                empty = f'{ref} s="{style}"/>'
                made.append([f'{ref} s="{style}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'
                             if v else empty for v in texts])
            else:
                made.append([f'{ref} s="{st}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'
                             if v else f'{ref} s="{st}"/>' for v, st in zip(texts, styles_here)])
        elif COLUMNS[i] in DATE_COLUMNS:  # Excel's serial day numbers
            empty = f'{ref} s="{style}"/>'
            made.append([empty if v is None else f'{ref} s="{style}"><v>{v.toordinal() - _EPOCH_DAY}</v></c>'
                         for v in column])
        else:
            empty = f'{ref} s="{style}"/>'
            made.append([empty if v is None or v == "" else f'{ref} s="{style}"><v>{_number(v)}</v></c>'
                         for v in column])
    span = f"1:{len(COLUMNS)}"
    numbers = range(first_row + 1, first_row + 1 + len(table))
    heights = map(max, zip(*lines_of)) if lines_of else (1 for _ in numbers)
    opens = [f'<row r="{n}" spans="{span}" ht="{min(409, k * LINE_POINTS + 2)}" customHeight="1">' if k > 1
             else f'<row r="{n}" spans="{span}">' for n, k in zip(numbers, heights)]
    rows = [("".join(parts) + "</row>").replace(_ROW, str(n)) for n, parts in zip(numbers, zip(opens, *made))]
    return "".join(rows), first_row + len(table)


_ROW = "\x00"  # stands for the row number; never in a text (XML cannot carry it, so it is removed)


def _number(value) -> str:
    """A number cell's value: dates as Excel serial days, booleans as 0/1."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, date):
        return str((value - EXCEL_EPOCH).days)
    return str(value)


_COLUMN_SEP = "\x1f"  # removed from the text with the other characters XML cannot carry


def _escaped_column(column) -> list[str]:
    """Each text with XML's illegal characters removed and & < > escaped, in one pass."""
    texts = ["" if v is None else v for v in column]
    blob = _COLUMN_SEP.join(texts)
    if blob.count(_COLUMN_SEP) != len(texts) - 1:  # a text carries the separator itself
        blob = _COLUMN_SEP.join(_XML_ILLEGAL.sub("", v) for v in texts)
    elif not blob.isprintable():
        blob = _XML_ILLEGAL_BUT_SEP.sub("", blob)
    if "&" in blob or "<" in blob or ">" in blob:
        blob = blob.translate(_ESCAPES)
    return blob.split(_COLUMN_SEP)


_XML_ILLEGAL_BUT_SEP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1e\ufffe\uffff]")


MARGIN_IN = 0.4
PAGE_WIDTH_IN = 11.69  # A4 landscape


EXCEL_EPOCH = date(1899, 12, 30)
_EPOCH_DAY = EXCEL_EPOCH.toordinal()


def lines_needed(value: str, width: int) -> int:
    """How many lines a wrapped text takes in a column ``width`` characters wide (estimate)."""
    room = max(width - 1, 1)
    if "\n" not in value:
        n = len(value)
        if 2 * n <= room:
            return 1
        wide = 0 if value.isascii() else (len(value.encode("utf-8")) - n) // 2
        return max(1, -(-int(n + 0.8 * wide) // room))
    total = 0
    for line in value.split("\n"):
        n = len(line)
        wide = (len(line.encode("utf-8")) - n) // 2  # a CJK character is 3 bytes
        total += max(1, -(-int(n + 0.8 * wide) // room))  # and about 1.8 characters wide
    return total


def _lines_column(column, width: int) -> list[int] | None:
    """lines_needed for every text of a column (None: every one fits on a line); a text met
    before (a unit, a status) is not measured again."""
    room = max(width - 1, 1)
    texts = list(filter(None, column))
    if 2 * max(map(len, texts), default=0) <= room and "\n" not in "".join(texts):
        return None
    seen: dict[str, int] = {}
    out = []
    append = out.append
    for v in column:
        if not v or (2 * len(v) <= room and "\n" not in v):
            append(1)
            continue
        k = seen.get(v)
        if k is None:
            k = seen[v] = lines_needed(v, width)
        append(k)
    return out


LINE_POINTS = 14.5  # one line of 10-point 宋体 (13.5) with room for the taller lines of the CJK fonts LibreOffice falls back to


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
