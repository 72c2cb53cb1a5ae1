"""The year-end 总结 checklist: every task, its status, its evidence, what is missing.

`summary_data` turns the tracked rows into plain dataclasses; `summary_markdown` and
`write_summary_docx` only lay those out, so both formats always say the same thing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.errors import TrackerError
from tracker.model import Evidence, EvidenceKind, Plan, Status, TrackedOccurrence

CHINESE_NUMERALS = "一二三四五六七八九十"

# ---------------------------------------------------------------------------
# Evidence files: still there, unchanged?
# ---------------------------------------------------------------------------

FILE_PROBLEM_LABELS = {"missing": "文件缺失", "changed": "文件已变更"}
_HASH_LIMIT = 256 * 1024 * 1024  # beyond this, a size check is all the report pays for


_digests: dict[tuple, str | None] = {}


def file_state(item: Evidence) -> str:
    """"ok", "missing" or "changed" for a file item (other kinds are always "ok").

    The copy in the 档案 folder counts: a photo moved off the desktop after archiving is
    not lost.
    """
    if item.kind is not EvidenceKind.FILE:
        return "ok"
    for candidate in (item.archived, item.text):
        if not candidate:
            continue
        try:
            st = os.stat(candidate)
        except OSError:
            continue
        if item.size is not None and st.st_size != item.size:
            return "changed"
        if item.sha256 and st.st_size <= _HASH_LIMIT:
            # One read per version of a file, however often the same photo is cited.
            key = (candidate, st.st_size, st.st_mtime_ns, st.st_ino)
            if key not in _digests:
                _digests[key] = _sha256(candidate)
            if _digests[key] != item.sha256:
                return "changed"
        return "ok"
    return "missing"


def _sha256(path: str) -> str | None:
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def evidence_checker(store) -> Callable[[Evidence], str]:
    """The store's file check (cached digests), where an intact 档案 copy also counts."""
    from dataclasses import replace

    check = getattr(store, "check_evidence", None)
    if check is None:
        return file_state

    def checked(item: Evidence) -> str:
        result = check(item)
        if result != "ok" and item.archived and check(replace(item, text=item.archived)) == "ok":
            return "ok"
        return result

    return checked


# ---------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLine:
    kind: str  # 说明 / 文件 / 链接
    text: str
    label: str = ""  # the required evidence it stands for
    problem: str = ""  # 文件缺失 / 文件已变更, or ""

    def __str__(self) -> str:
        label = f"（{self.label}）" if self.label else ""
        problem = f"【{self.problem}】" if self.problem else ""
        return f"{self.kind}：{self.text}{label}{problem}"


@dataclass(frozen=True)
class TaskLine:
    id: str
    title: str
    category: str
    owner: str
    support: tuple[str, ...]
    status: Status
    status_label: str  # 逾期 when past due and unfinished
    overdue: bool
    start: date
    due: date  # effective (after 延期)
    planned_due: date
    when: str
    required: tuple[str, ...]
    evidence: tuple[EvidenceLine, ...]
    missing: tuple[str, ...]
    reason: str
    notes: str
    amount: float | None
    carried_from: str | None

    @property
    def span(self) -> str:
        if self.start == self.due:
            return self.due.isoformat()
        return f"{self.start.isoformat()} 至 {self.due.isoformat()}"

    @property
    def origin(self) -> str:
        """延续自2025年（old-id） for work carried over from an earlier year."""
        if not self.carried_from:
            return ""
        year, _, old_id = self.carried_from.partition(":")
        return f"延续自{year}年（{old_id}）" if old_id else f"延续自{year}"

    @property
    def notes_text(self) -> str:
        """The recorded notes (one per line) on one line."""
        return "；".join(line.strip() for line in self.notes.splitlines() if line.strip())

    @property
    def reason_text(self) -> str:
        """延期/取消 reason with the original date, as the 总结 states it."""
        if self.status is Status.POSTPONED:
            return f"延期至 {self.due.isoformat()}（原定 {self.planned_due.isoformat()}）：{self.reason or '未填写原因'}"
        if self.status is Status.CANCELLED:
            return f"取消：{self.reason or '未填写原因'}"
        return ""


@dataclass(frozen=True)
class Tally:
    name: str
    total: int = 0
    done: int = 0
    cancelled: int = 0
    overdue: int = 0
    open: int = 0  # not finished (including overdue)

    @property
    def counted(self) -> int:
        """Cancelled work is not owed, so it does not count against the rate."""
        return self.total - self.cancelled

    @property
    def rate(self) -> float | None:
        return self.done / self.counted if self.counted else None

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


@dataclass(frozen=True)
class CategorySection:
    name: str
    tasks: tuple[TaskLine, ...]
    tally: Tally


@dataclass(frozen=True)
class Summary:
    plan_title: str
    unit: str
    year: int
    today: date
    sections: tuple[CategorySection, ...]
    by_owner: tuple[Tally, ...]
    overall: Tally
    carry_over: tuple[TaskLine, ...]  # 下年度延续事项: overdue first, then other unfinished
    missing_total: int  # named evidence items still missing, over all unfinished and done tasks
    file_problems: int  # file evidence missing or changed on disk


def _tally(name: str, tasks: list[TaskLine]) -> Tally:
    done = cancelled = overdue = 0
    for t in tasks:
        if t.status is Status.DONE:
            done += 1
        elif t.status is Status.CANCELLED:
            cancelled += 1
        elif t.overdue:
            overdue += 1
    return Tally(name, len(tasks), done, cancelled, overdue, len(tasks) - done - cancelled)


def _ordered(preferred: tuple[str, ...], seen: list[str]) -> list[str]:
    order = dict.fromkeys(p for p in preferred if p in seen)
    order.update(dict.fromkeys(seen))
    return list(order)


def summary_data(
    plan: Plan,
    rows: list[TrackedOccurrence],
    year: int,
    today: date,
    *,
    check: Callable[[Evidence], str | None] | None = None,
) -> Summary:
    """Group the year's rows by category with totals, per-owner rates and the carry-over list.

    ``check`` says whether a file item is still intact ("ok"/"missing"/"changed"); the
    command passes the store's check, the default looks at the file system.
    """
    check = check or file_state
    tasks: list[TaskLine] = []
    file_kind = EvidenceKind.FILE
    for row in rows:
        occ, state = row.occurrence, row.state
        status = state.status
        due = state.due or occ.due
        overdue = not status.finished and due < today
        lines = tuple(
            EvidenceLine(
                item.kind.label,
                item.text,
                item.label,
                FILE_PROBLEM_LABELS.get(check(item) or "ok", "") if item.kind is file_kind else "",
            )
            for item in state.evidence
        )
        tasks.append(
            TaskLine(
                id=occ.id,
                title=occ.title,
                category=occ.category,
                owner=state.owner or occ.owner,
                support=occ.support,
                status=status,
                status_label=row.status_label(today) if overdue else status.label,
                overdue=overdue,
                start=occ.start,
                due=due,
                planned_due=occ.due,
                when=occ.when,
                required=occ.evidence,
                evidence=lines,
                missing=row.missing_evidence if occ.evidence and status is not Status.CANCELLED else (),
                reason=state.reason,
                notes=state.notes,
                amount=occ.amount,
                carried_from=occ.carried_from,
            )
        )

    by_category: dict[str, list[TaskLine]] = {}
    by_owner: dict[str, list[TaskLine]] = {}
    for t in tasks:
        by_category.setdefault(t.category, []).append(t)
        by_owner.setdefault(t.owner, []).append(t)
    sections = tuple(
        CategorySection(name, tuple(by_category[name]), _tally(name, by_category[name]))
        for name in _ordered(plan.categories, list(by_category))
    )
    owners = tuple(_tally(name, by_owner[name]) for name in _ordered(plan.owners, list(by_owner)))
    unfinished = [t for t in tasks if not t.status.finished]
    carry = tuple(sorted(unfinished, key=lambda t: (not t.overdue, t.due, t.id)))
    return Summary(
        plan_title=plan.title,
        unit=plan.unit,
        year=year,
        today=today,
        sections=sections,
        by_owner=owners,
        overall=_tally("合计", tasks),
        carry_over=carry,
        missing_total=sum(len(t.missing) for t in tasks),
        file_problems=sum(1 for t in tasks for e in t.evidence if e.problem),
    )


def numbered(index: int) -> str:
    """一、二、… for section headings (十一 and beyond for long lists)."""
    if index <= 10:
        return CHINESE_NUMERALS[index - 1]
    tens, ones = divmod(index, 10)
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def heading_title(data: Summary) -> str:
    return f"{data.year}年度工作总结清单"


def subtitle(data: Summary) -> str:
    parts = [f"计划：{data.plan_title}"]
    if data.unit:
        parts.append(f"单位：{data.unit}")
    parts.append(f"统计截至：{data.today.isoformat()}")
    return "　".join(parts)


def overall_sentence(data: Summary) -> str:
    o = data.overall
    text = (
        f"全年共 {o.total} 项，已完成 {o.done} 项，已取消 {o.cancelled} 项，未完成 {o.open} 项"
        f"（其中逾期 {o.overdue} 项），完成率 {o.rate_text}（已完成 ÷ 应完成，已取消的不计）。"
    )
    text += f"尚缺佐证材料 {data.missing_total} 份"
    if data.file_problems:
        text += f"，{data.file_problems} 个佐证文件缺失或已变更"
    return text + "。"


TALLY_HEADERS = ("事项", "已完成", "已取消", "未完成", "其中逾期", "完成率")


def tally_cells(t: Tally) -> tuple[str, ...]:
    return (str(t.total), str(t.done), str(t.cancelled), str(t.open), str(t.overdue), t.rate_text)


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------

_MD_ESCAPES = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>|#~"})
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def md(text: str) -> str:
    """Plain text safe inside Markdown: specials escaped, line breaks folded to spaces."""
    text = str(text)
    if "\n" in text or "\r" in text:
        text = _LINE_BREAKS.sub(" ", text)
    return text.strip().translate(_MD_ESCAPES)


def md_evidence(item: EvidenceLine) -> str:
    """File paths as code (no escaping to read around), links as autolinks, notes as text."""
    text = _LINE_BREAKS.sub(" ", item.text).strip()
    if item.kind == EvidenceKind.FILE.label and "`" not in text:
        shown = f"`{text}`"
    elif item.kind == EvidenceKind.URL.label and re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>]+", text):
        shown = f"<{text}>"
    else:
        shown = md(text)
    label = f"（{md(item.label)}）" if item.label else ""
    problem = f"【{item.problem}】" if item.problem else ""
    return f"{item.kind}：{shown}{label}{problem}"


def _md_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return lines


def summary_markdown(data: Summary) -> str:
    out = [f"# {md(data.plan_title)}", "", f"## {heading_title(data)}", "", md(subtitle(data)), ""]
    section = 0

    section += 1
    out += [f"## {numbered(section)}、总体完成情况", "", md(overall_sentence(data)), ""]
    out += _md_table(
        ("类别", *TALLY_HEADERS),
        [(s.name, *tally_cells(s.tally)) for s in data.sections] + [("合计", *tally_cells(data.overall))],
    )
    out.append("")

    section += 1
    out += [f"## {numbered(section)}、各责任单位完成情况", ""]
    out += _md_table(("责任单位", *TALLY_HEADERS), [(t.name, *tally_cells(t)) for t in data.by_owner])
    out.append("")

    section += 1
    out += [f"## {numbered(section)}、分类事项清单", ""]
    if not data.sections:
        out += ["（本年度没有事项）", ""]
    for i, s in enumerate(data.sections, 1):
        out += [f"### （{numbered(i)}）{md(s.name)}（完成 {s.tally.done}/{s.tally.counted}，{s.tally.rate_text}）", ""]
        for t in s.tasks:
            box = "x" if t.status is Status.DONE else " "
            out.append(f"- [{box}] **{md(t.title)}** `{t.id}`：{t.status_label}")
            owner = md(t.owner) + (f"（配合：{md('、'.join(t.support))}）" if t.support else "")
            origin = f"；{md(t.origin)}" if t.origin else ""
            out.append(f"  - 时间：{t.span}；责任单位：{owner}{origin}")
            if t.reason_text:
                out.append(f"  - {md(t.reason_text)}")
            if t.evidence:
                out.append(f"  - 佐证材料（{len(t.evidence)}）：")
                out += [f"    - {md_evidence(e)}" for e in t.evidence]
            else:
                out.append("  - 佐证材料：无")
            if t.missing:
                out.append(f"  - 尚缺：{md('、'.join(t.missing))}")
            if t.notes_text:
                out.append(f"  - 备注：{md(t.notes_text)}")
        out.append("")

    section += 1
    out += [f"## {numbered(section)}、下年度延续事项", ""]
    if data.carry_over:
        out.append(f"以下 {len(data.carry_over)} 项尚未完成（逾期的在前），建议列入下年度计划：")
        out.append("")
        out += _md_table(
            ("序号", "事项", "编号", "类别", "责任单位", "截止", "状态", "说明"),
            [
                (str(i), t.title, t.id, t.category, t.owner, t.due.isoformat(), t.status_label, t.reason_text)
                for i, t in enumerate(data.carry_over, 1)
            ],
        )
    else:
        out.append("全部事项均已完成或取消，没有需要延续的事项。")
    out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Word (.docx)
# ---------------------------------------------------------------------------

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
CM = 567  # twips per centimetre
PAGE_MARGIN_CM = 2.0
TEXT_WIDTH = round((21.0 - 2 * PAGE_MARGIN_CM) * CM)  # A4 portrait

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters; Word would refuse the file."""
    return _XML_ILLEGAL.sub("", str(text))


def _set_fonts(style, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Explicit fonts on a style; theme fonts would win over them, so they are removed."""
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _setup_document(title: str):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(PAGE_MARGIN_CM))

    # Document defaults: anything without its own font (table styles, lists) still prints in 宋体.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(attr), None)
            fonts.set(qn("w:ascii"), LATIN_FONT)
            fonts.set(qn("w:hAnsi"), LATIN_FONT)
            fonts.set(qn("w:eastAsia"), BODY_FONT)
        lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
        # Body size (五号) as the document default rather than on Normal: a size on Normal would
        # override the table style's smaller one (小五) inside every table cell.
        for tag in ("w:sz", "w:szCs"):
            size = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn(tag)}")
            if size is not None:
                size.set(qn("w:val"), "21")

    normal = doc.styles["Normal"]
    _set_fonts(normal, BODY_FONT)
    # No spacing in Normal: table cells use it, and tens of thousands of them must stay small.
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    black = RGBColor(0, 0, 0)
    for name, size in (("Title", 18), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12)):
        style = doc.styles[name]
        _set_fonts(style, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = black
        style.font.bold = name != "Title"
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(6)
    grid = doc.styles["Table Grid"]
    _set_fonts(grid, BODY_FONT)
    grid.font.size = Pt(9)  # 小五 in tables

    title_style = doc.styles["Title"]
    title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The default Title has a blue rule under it; an official document has none.
    ppr = title_style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)

    doc.core_properties.title = _clean(title)
    doc.core_properties.author = ""
    doc.core_properties.comments = ""
    return doc


_ROW_SEP, _CELL_SEP = "\x1e", "\x1f"  # both illegal in XML, so never in cleaned text
_TR = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"  # a task's row never breaks across pages
_T_OPEN = '<w:tc><w:p><w:r><w:t xml:space="preserve">'
_T_CLOSE = "</w:t></w:r></w:p></w:tc>"
_XML_ILLEGAL_BUT_SEPARATORS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1d\ufffe\uffff]")


def _rows_xml(rows: list[tuple[str, ...]]) -> str:
    """Table rows as WordprocessingML, one paragraph per line of a cell.

    There may be 80,000 cells, so the text is escaped and split in a handful of passes over
    one joined string instead of cell by cell.
    """
    if not rows:
        return ""
    blob = _ROW_SEP.join(_CELL_SEP.join(str(c) for c in row) for row in rows)
    separators = len(rows) - 1 + sum(len(row) - 1 for row in rows)
    if blob.count(_ROW_SEP) + blob.count(_CELL_SEP) != separators:
        # Some text carries a separator character itself: drop it from each cell first.
        strip = str.maketrans("", "", _ROW_SEP + _CELL_SEP)
        blob = _ROW_SEP.join(_CELL_SEP.join(str(c).translate(strip) for c in row) for row in rows)
    blob = _XML_ILLEGAL_BUT_SEPARATORS.sub("", blob.replace("\r\n", "\n").replace("\r", "\n"))
    blob = blob.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    blob = (
        blob.replace("\n", '</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">')
        .replace(_CELL_SEP, _T_CLOSE + _T_OPEN)
        .replace(_ROW_SEP, f"{_T_CLOSE}</w:tr>{_TR}{_T_OPEN}")
    )
    return f"{_TR}{_T_OPEN}{blob}{_T_CLOSE}</w:tr>"


def _header_xml(headers: tuple[str, ...]) -> str:
    cell = (
        '<w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/></w:tcPr>'
        "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{}</w:t></w:r></w:p></w:tc>"
    )
    return "<w:tr><w:trPr><w:tblHeader/></w:trPr>" + "".join(cell.format(_xml_text(h)) for h in headers) + "</w:tr>"


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _xml_text(text: str) -> str:
    return _clean(text).translate(_XML_ESCAPES)


class _DocxTables:
    """Adds tables whose rows are spliced into the saved XML as text.

    Building 10,000 rows through python-docx's object API takes many seconds, and even
    parsing them into the tree and serialising them again costs most of a second; each table
    here gets its header and grid through the API and a placeholder comment that is replaced
    by the row XML in word/document.xml when saving.
    """

    def __init__(self, doc) -> None:
        import secrets

        self.doc = doc
        self.rows: dict[str, str] = {}
        self._tag = secrets.token_hex(8)

    def add(self, headers: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[float, ...]) -> None:
        from lxml import etree

        total = sum(widths)
        twips = [round(TEXT_WIDTH * w / total) for w in widths]
        table = self.doc.add_table(rows=0, cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.autofit = False  # fixed layout: Word and WPS keep the grid widths below
        tbl = table._tbl
        w = f"{{{_W_NS}}}"
        tbl_w = tbl.tblPr.find(f"{w}tblW")
        if tbl_w is not None:
            tbl_w.set(f"{w}w", str(sum(twips)))
            tbl_w.set(f"{w}type", "dxa")
        for col, width in zip(tbl.tblGrid.findall(f"{w}gridCol"), twips):
            col.set(f"{w}w", str(width))
        tbl.append(etree.fromstring(f'<w:tbl xmlns:w="{_W_NS}">{_header_xml(headers)}</w:tbl>')[0])
        if rows:
            token = f"rows-{self._tag}-{len(self.rows)}"
            tbl.append(etree.Comment(token))
            self.rows[f"<!--{token}-->"] = _rows_xml(rows)

    def save(self, target: str) -> None:
        import io
        import zipfile

        buffer = io.BytesIO()
        self.doc.save(buffer)
        buffer.seek(0)
        with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "word/document.xml" and self.rows:
                    text = data.decode("utf-8")
                    for token, xml in self.rows.items():
                        if token not in text:
                            raise RuntimeError(f"table placeholder {token} lost")
                        text = text.replace(token, xml, 1)
                    data = text.encode("utf-8")
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def write_summary_docx(data: Summary, path: Path | str) -> Path:
    """A Word document (A4, 宋体 body, 黑体 headings) that opens the same in Word and WPS."""
    path = Path(path)
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = _setup_document(f"{data.plan_title} {heading_title(data)}")
    tables = _DocxTables(doc)
    doc.add_paragraph(_clean(data.plan_title), style="Title")
    lead = doc.add_paragraph(_clean(heading_title(data)), style="Heading 2")
    lead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(_clean(subtitle(data)))

    section = 1
    doc.add_heading(f"{numbered(section)}、总体完成情况", level=1)
    doc.add_paragraph(_clean(overall_sentence(data)))
    tables.add(
        ("类别", *TALLY_HEADERS),
        [(s.name, *tally_cells(s.tally)) for s in data.sections] + [("合计", *tally_cells(data.overall))],
        (3, 1, 1, 1, 1, 1, 1.3),
    )

    section += 1
    doc.add_heading(f"{numbered(section)}、各责任单位完成情况", level=1)
    tables.add(("责任单位", *TALLY_HEADERS), [(t.name, *tally_cells(t)) for t in data.by_owner], (3, 1, 1, 1, 1, 1, 1.3))

    section += 1
    doc.add_heading(f"{numbered(section)}、分类事项清单", level=1)
    if not data.sections:
        doc.add_paragraph("（本年度没有事项）")
    for i, s in enumerate(data.sections, 1):
        doc.add_heading(_clean(f"（{numbered(i)}）{s.name}（完成 {s.tally.done}/{s.tally.counted}，{s.tally.rate_text}）"), level=2)
        rows = []
        for n, t in enumerate(s.tasks, 1):
            owner = t.owner + (f"\n配合：{'、'.join(t.support)}" if t.support else "")
            evidence = "\n".join(str(e) for e in t.evidence) or "无"
            remarks = "\n".join(x for x in (t.reason_text, t.origin, f"备注：{t.notes_text}" if t.notes_text else "") if x)
            rows.append(
                (str(n), f"{t.title}\n{t.id}", owner, t.span.replace(" 至 ", "\n至 "), t.status_label,
                 evidence, "、".join(t.missing) or "—", remarks)
            )
        tables.add(("序号", "事项", "责任单位", "时间", "状态", "佐证材料", "尚缺", "说明"), rows,
                   (1.1, 3.5, 2.1, 2.4, 1.4, 3.1, 1.8, 1.6))

    section += 1
    doc.add_heading(f"{numbered(section)}、下年度延续事项", level=1)
    if data.carry_over:
        doc.add_paragraph(f"以下 {len(data.carry_over)} 项尚未完成（逾期的在前），建议列入下年度计划：")
        tables.add(
            ("序号", "事项", "类别", "责任单位", "截止", "状态", "说明"),
            [
                (str(i), f"{t.title}\n{t.id}", t.category, t.owner, t.due.isoformat(), t.status_label, t.reason_text)
                for i, t in enumerate(data.carry_over, 1)
            ],
            (1.1, 4.3, 1.9, 2.2, 2.1, 1.4, 4.0),
        )
    else:
        doc.add_paragraph("全部事项均已完成或取消，没有需要延续的事项。")

    save_atomically(tables.save, path)
    return path


def save_atomically(save: Callable[[str], object], path: Path) -> None:
    """Write beside the target and rename, so a crash never leaves half a file behind."""
    import secrets

    # A plain new file (not mkstemp) so the result gets the user's usual permissions.
    tmp = str(path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise TrackerError(f"无法写入 {path}：{_os_reason(exc)}") from None
    except BaseException:
        _discard(tmp)
        raise


def _os_reason(exc: OSError) -> str:
    import errno

    reasons = {
        errno.EACCES: "没有写入权限（若文件正在 Word、WPS 或 Excel 中打开，请关闭后再试）",
        errno.EPERM: "没有写入权限",
        errno.ENOENT: "文件夹不存在或无法在此创建文件",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "磁盘是只读的",
        errno.EISDIR: "同名文件夹已存在",
        errno.ENOTDIR: "路径中有一段不是文件夹",
        errno.EEXIST: "路径中有一段是文件而不是文件夹",
    }
    return reasons.get(exc.errno, exc.strerror or str(exc))


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
