"""The 工作台账 (ledger): one row per occurrence with every tracked field and its evidence.

Inspections check the 台账, so nothing recorded may be left out. `.xlsx` gets a styled
header, widths that fit Chinese text, a frozen header row and an autofilter; `.csv` is
UTF-8 with a BOM so that Excel and WPS open the Chinese correctly.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from pathlib import Path

from tracker.evidence import evidence_label
from tracker.model import EvidenceKind, Plan, Status, TrackedOccurrence
from tracker.outputs.files import save_atomically

COLUMNS = (
    "编号",
    "事项",
    "类别",
    "责任单位",
    "配合单位",
    "时间安排",
    "开始日期",
    "截止日期",
    "原定截止",
    "状态",
    "是否逾期",
    "延期/取消原因",
    "佐证数量",
    "佐证材料",
    "要求的佐证",
    "尚缺佐证",
    "金额（元）",
    "计划说明",
    "工作备注",
    "延续自",
    "最后更新",
    "更新人",
)
DATE_COLUMNS = {"开始日期", "截止日期", "原定截止"}
MIN_WIDTH, MAX_WIDTH = 6, 60
SHEET_TITLE_LIMIT = 31  # Excel's limit on sheet names


def evidence_text(row: TrackedOccurrence) -> str:
    """Every item; a file's state (tracker.evidence's rule) flagged as the 总结 flags it."""
    items = []
    for item in row.state.evidence:
        label = f"（{item.label}）" if item.label else ""
        mark = evidence_label(item) if item.kind is EvidenceKind.FILE else ""
        items.append(f"{item.kind.label}：{item.text}{label}" + (f"【{mark}】" if mark else ""))
    return "；".join(items)


def ledger_rows(rows: list[TrackedOccurrence], today: date) -> list[list]:
    """Cell values per occurrence, dates as dates and numbers as numbers (CSV formats them)."""
    out = []
    for r in rows:
        occ, state = r.occurrence, r.state
        reason = state.reason if state.status in (Status.POSTPONED, Status.CANCELLED) else ""
        updated = state.updated_at
        if isinstance(updated, datetime) and updated.tzinfo is not None:
            updated = updated.astimezone().replace(tzinfo=None)  # spreadsheets have no time zones
        out.append(
            [
                occ.id,
                occ.title,
                occ.category,
                r.owner,
                "、".join(occ.support),
                occ.when,
                occ.start,
                r.due,
                occ.due,
                r.status_label(today),
                "是" if r.is_overdue(today) else "否",
                reason,
                len(state.evidence),
                evidence_text(r),
                "、".join(occ.evidence),
                "、".join(r.missing_evidence),
                occ.amount,
                occ.notes,
                state.notes,
                occ.carried_from or "",
                updated,
                state.updated_by,
            ]
        )
    return out


def display_width(text: str) -> int:
    """Columns a spreadsheet needs: East Asian wide and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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


def column_widths(values: list[list]) -> list[int]:
    widths = [display_width(h) for h in COLUMNS]
    fixed = {i for i, name in enumerate(COLUMNS) if name in DATE_COLUMNS or name == "最后更新"}
    for i in fixed:
        widths[i] = max(widths[i], 16 if COLUMNS[i] == "最后更新" else 10)
    for row in values:
        for i, value in enumerate(row):
            if value is None or value == "" or i in fixed:
                continue
            text = _shown(value)[: MAX_WIDTH + 1]  # a cell is never shown wider than MAX_WIDTH
            # A text is at most twice as wide as it is long: most cells can be skipped unmeasured.
            if 2 * len(text) > widths[i]:
                w = len(text) if text.isascii() else display_width(text)
                if w > widths[i]:
                    widths[i] = w
    return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths]


def write_ledger_xlsx(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date, path: Path | str,
                      *, protect=()) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    path = Path(path)
    values = ledger_rows(rows, today)
    widths = column_widths(values)

    # Write-only mode streams rows to disk: 10,000 occurrences in a fraction of the time.
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(f"{year}年台账"))
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(values) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4

    thin = Side(style="thin", color="808080")
    header_font = Font(name="黑体", bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="305496")
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill, cell.alignment, cell.border = header_font, header_fill, header_align, header_border
        header.append(cell)
    ws.append(header)

    for row in values:
        # Empty text is left out (no cell written at all): a third fewer cells to write.
        cells = [None if value == "" else value for value in row]
        for i, value in enumerate(cells):
            if isinstance(value, str):
                # XML cannot carry most control characters (Word's vertical tab, ESC, BEL).
                cells[i] = value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if isinstance(value, str) and value.startswith("="):
                cells[i] = _text_cell(ws, value)  # openpyxl would store it as a formula
        ws.append(cells)  # openpyxl gives dates the yyyy-mm-dd format itself

    wb.properties.title = f"{plan.title} {year}年工作台账"
    wb.properties.creator = "shuangyong-tui"
    # Into memory first: a failed save to disk would leave openpyxl's row writers half
    # closed, and they complain on stderr when collected.
    buffer = io.BytesIO()
    wb.save(buffer)
    return save_atomically(path, buffer.getvalue(), kind="ledger-xlsx", protect=protect)


def _text_cell(ws, value: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _sheet_title(text: str) -> str:
    for ch in "[]:*?/\\":
        text = text.replace(ch, "")
    return text[:SHEET_TITLE_LIMIT] or "台账"


def write_ledger_csv(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date, path: Path | str,
                     *, protect=()) -> Path:
    path = Path(path)
    values = ledger_rows(rows, today)

    def save(target: str) -> None:
        # utf-8-sig writes the BOM Excel and WPS look for; newline="" lets csv write CRLF itself.
        with open(target, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for row in values:
                writer.writerow([_csv_safe(_shown(v)) for v in row])

    return save_atomically(path, save, kind="ledger-csv", protect=protect)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str) -> str:
    """Excel runs a CSV cell starting with = + - @ as a formula; a leading ' keeps it text."""
    if text.startswith(_FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def write_ledger(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date, path: Path | str,
                 *, protect=()) -> Path:
    """By the file's extension: .csv, otherwise .xlsx."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return write_ledger_csv(plan, rows, year, today, path, protect=protect)
    return write_ledger_xlsx(plan, rows, year, today, path, protect=protect)
