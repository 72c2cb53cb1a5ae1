"""The Word writer the 总结, the 会议纪要 and the 档案目录 share.

A4 with the margins of a 公文 (GB/T 9704), fonts from a named set (see :data:`FONT_SETS`),
page numbers in the footer (a PAGE field, "— 1 —"), document properties naming the unit, and
large tables spliced into the saved XML as text: building 10,000 rows through python-docx's
object API takes many seconds, so each table gets its header and grid through the API and a
placeholder comment that is replaced by the row XML when saving.

Choosing fonts: ``fonts = "公文"`` (default) or ``"宋体"`` in the config file, or the
``SHUANGYONG_FONTS`` environment variable; a custom set is three names separated by commas,
"标题,小标题,正文" (e.g. ``"方正小标宋简体,黑体,仿宋"``). Fonts missing on the reading computer
fall back through the font table (方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋 → 宋体).
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone

from tracker.errors import TrackerError
from tracker.outputs.files import SIGNATURE

LATIN_FONT = "Times New Roman"
CM = 567  # twips per centimetre
# GB/T 9704: top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm; text block 156 mm wide.
MARGINS_CM = {"top_margin": 3.7, "bottom_margin": 3.5, "left_margin": 2.8, "right_margin": 2.6}
TEXT_WIDTH = round((21.0 - 2.8 - 2.6) * CM)

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True)
class FontSet:
    title: str  # 标题 (二号)
    heading: str  # 一级标题 (三号)
    heading2: str  # 二级标题
    body: str  # 正文 and tables


FONT_SETS = {
    "公文": FontSet("方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"),
    "宋体": FontSet("宋体", "黑体", "楷体", "宋体"),
}
DEFAULT_FONTS = "公文"
# What Word and WPS use when a font is not installed (the font table's altName).
FALLBACKS = {
    "方正小标宋简体": "宋体",
    "方正小标宋_GBK": "宋体",
    "仿宋_GB2312": "仿宋",
    "楷体_GB2312": "楷体",
    "仿宋": "宋体",
    "楷体": "宋体",
    "黑体": "宋体",
}


def font_set(choice: str | None) -> FontSet:
    """A named set, or three names "标题,小标题,正文"; a clear error otherwise."""
    text = (choice or DEFAULT_FONTS).strip()
    if text in FONT_SETS:
        return FONT_SETS[text]
    parts = [p.strip() for p in re.split(r"[,，]", text) if p.strip()]
    if len(parts) == 3:
        return FontSet(parts[0], parts[1], parts[1], parts[2])
    raise TrackerError(
        f"字体设置“{choice}”无法识别：可写 公文、宋体，或“标题,小标题,正文”三个字体名（用逗号分隔）"
    )


def clean(text: object) -> str:
    """XML 1.0 cannot carry most control characters; Word would refuse the file."""
    return _XML_ILLEGAL.sub("", str(text))


def xml_text(text: object) -> str:
    return clean(text).translate(_XML_ESCAPES)


def Pt_(points: float):
    from docx.shared import Pt

    return Pt(points)


def _set_fonts(element_rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Explicit fonts; theme fonts would win over them, so they are removed."""
    from docx.oxml.ns import qn

    fonts = element_rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = element_rpr.makeelement(qn("w:rFonts"), {})
        element_rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


_ROW_SEP, _CELL_SEP = "\x1e", "\x1f"  # both illegal in XML, so never in cleaned text
_TR = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"  # a row never breaks across pages
_T_OPEN = '<w:tc><w:p><w:r><w:t xml:space="preserve">'
_T_CLOSE = "</w:t></w:r></w:p></w:tc>"
_XML_ILLEGAL_BUT_SEPARATORS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1d\ufffe\uffff]")


def rows_xml(rows: list[tuple[str, ...]]) -> bytes:
    """Table rows as WordprocessingML (UTF-8), one paragraph per line of a cell.

    There may be 80,000 cells, so the text is escaped and split in a handful of passes over
    one joined string instead of cell by cell; the markup goes in after encoding, so only the
    text is encoded and the passes run over bytes.
    """
    if not rows:
        return b""
    cell_sep = _CELL_SEP.join
    try:
        blob = _ROW_SEP.join([cell_sep(row) for row in rows])
    except TypeError:  # not every cell is text
        blob = _ROW_SEP.join([cell_sep(map(str, row)) for row in rows])
    separators = sum(map(len, rows)) - 1
    if blob.count(_ROW_SEP) + blob.count(_CELL_SEP) != separators:
        # Some text carries a separator character itself: drop it from each cell first.
        strip = str.maketrans("", "", _ROW_SEP + _CELL_SEP)
        blob = _ROW_SEP.join(_CELL_SEP.join(str(c).translate(strip) for c in row) for row in rows)
    blob = _XML_ILLEGAL_BUT_SEPARATORS.sub("", blob.replace("\r\n", "\n").replace("\r", "\n"))
    blob = blob.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")
    blob = (
        blob.replace(b"\n", b'</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">')
        .replace(_CELL_SEP.encode(), (_T_CLOSE + _T_OPEN).encode())
        .replace(_ROW_SEP.encode(), f"{_T_CLOSE}</w:tr>{_TR}{_T_OPEN}".encode())
    )
    return b"".join((f"{_TR}{_T_OPEN}".encode(), blob, f"{_T_CLOSE}</w:tr>".encode()))


def _header_xml(headers: tuple[str, ...]) -> str:
    cell = (
        '<w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/></w:tcPr>'
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>{}</w:t></w:r></w:p></w:tc>'
    )
    return "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" + "".join(
        cell.format(xml_text(h)) for h in headers
    ) + "</w:tr>"


def _app_xml() -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{SIGNATURE}</Application><DocSecurity>0</DocSecurity></Properties>"
    ).encode()


def _font_entry(name: str) -> str:
    alt = FALLBACKS.get(name)
    alt_xml = f'<w:altName w:val="{xml_text(alt)}"/>' if alt else ""
    # charset 86 (GB2312) tells Word to substitute a Chinese font, not a Latin one.
    return (
        f'<w:font w:name="{xml_text(name)}">{alt_xml}<w:charset w:val="86"/>'
        '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
    )


class DocxWriter:
    """One Word document: headings, paragraphs, fast tables, footer page numbers, 落款."""

    def __init__(self, title: str, *, author: str = "", fonts: FontSet | None = None, subject: str = "",
                 now: datetime | None = None) -> None:
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt, RGBColor

        self.fonts = fonts or FONT_SETS[DEFAULT_FONTS]
        self.text_width = TEXT_WIDTH
        self.rows: dict[str, bytes] = {}
        self._style_ids: dict[tuple[str, str], str | None] = {}
        self._tag = secrets.token_hex(8)
        self.doc = doc = Document()
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        for side, cm in MARGINS_CM.items():
            setattr(section, side, Cm(cm))
        section.footer_distance = Cm(2.5)

        styles = doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
        if rpr is not None:
            _set_fonts(rpr, self.fonts.body)
            lang = rpr.find(qn("w:lang"))
            if lang is not None:
                lang.set(qn("w:eastAsia"), "zh-CN")
            # Table text size (五号) as the document default: a size on Normal would override
            # the table style inside every cell.
            for tag in ("w:sz", "w:szCs"):
                size = rpr.find(qn(tag))
                if size is not None:
                    size.set(qn("w:val"), "21")

        black = RGBColor(0, 0, 0)
        normal = styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), self.fonts.body)
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing = 1.0

        # 正文: 三号仿宋, fixed 28-point lines, first line indented two characters.
        body = styles.add_style("正文", 1)
        body.base_style = normal
        body.font.size = Pt(16)
        body.paragraph_format.line_spacing = Pt(28)
        body.paragraph_format.first_line_indent = Pt(32)
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

        for name, font, size, bold in (
            ("Title", self.fonts.title, 22, False),
            ("Heading 1", self.fonts.heading, 16, False),
            ("Heading 2", self.fonts.heading2, 16, False),
            ("Heading 3", self.fonts.body, 16, True),
        ):
            style = styles[name]
            _set_fonts(style.element.get_or_add_rPr(), font)
            style.font.size = Pt(size)
            style.font.color.rgb = black
            style.font.bold = bold
            style.font.italic = False
            fmt = style.paragraph_format
            fmt.space_before = Pt(0 if name == "Title" else 6)
            fmt.space_after = Pt(12 if name == "Title" else 0)
            fmt.line_spacing = Pt(36 if name == "Title" else 28)
            fmt.keep_with_next = True
            if name != "Title":
                fmt.first_line_indent = Pt(32)
        title_style = styles["Title"]
        title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        ppr = title_style.element.get_or_add_pPr()
        border = ppr.find(qn("w:pBdr"))
        if border is not None:  # the default Title has a blue rule under it
            ppr.remove(border)
        grid = styles["Table Grid"]
        _set_fonts(grid.element.get_or_add_rPr(), self.fonts.body)
        grid.font.size = Pt(10.5)

        self._footer()
        props = doc.core_properties
        moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)
        props.title = clean(title)
        props.subject = clean(subject)
        props.author = clean(author)
        props.last_modified_by = clean(author)
        props.keywords = SIGNATURE
        props.comments = ""
        props.created = moment
        props.modified = moment
        props.revision = 1

    def _footer(self) -> None:
        """"— 1 —" centred at the foot of every page: a PAGE field Word and WPS fill in."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from lxml import etree

        footer = self.doc.sections[0].footer
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run_pr = '<w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr>'
        xml = (
            f'<w:r xmlns:w="{_W_NS}">{run_pr}<w:t xml:space="preserve">— </w:t></w:r>'
            f'<w:fldSimple xmlns:w="{_W_NS}" w:instr=" PAGE "><w:r>{run_pr}<w:t>1</w:t></w:r></w:fldSimple>'
            f'<w:r xmlns:w="{_W_NS}">{run_pr}<w:t xml:space="preserve"> —</w:t></w:r>'
        )
        for element in etree.fromstring(f'<x xmlns:w="{_W_NS}">{xml}</x>'):
            paragraph._p.append(element)

    # -- content ---------------------------------------------------------------------------
    def _paragraph(self, text: str, style: str):
        """A paragraph in a named style. python-docx looks a style name up through every style
        (about 2 ms a paragraph); the id is looked up once per name here."""
        style_id = self._style_id(style, "PARAGRAPH")
        p = self.doc.add_paragraph(clean(text))
        if style_id is not None:
            p._p.get_or_add_pPr().style = style_id
        return p

    def _style_id(self, name: str, kind: str) -> str | None:
        key = (name, kind)
        if key not in self._style_ids:
            from docx.enum.style import WD_STYLE_TYPE

            self._style_ids[key] = self.doc.part.get_style_id(name, getattr(WD_STYLE_TYPE, kind))
        return self._style_ids[key]

    def title(self, text: str) -> None:
        self._paragraph(text, "Title")

    def heading(self, text: str, level: int = 1, *, indent: bool = True) -> None:
        p = self._paragraph(text, f"Heading {level}")
        if not indent:
            p.paragraph_format.first_line_indent = 0

    def para(self, text: str, *, center: bool = False, right: bool = False, indent: bool = True):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self._paragraph(text, "正文")
        if center or right:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.RIGHT
        if not indent or center or right:
            p.paragraph_format.first_line_indent = 0
        return p

    def small(self, text: str, *, center: bool = False):
        """A line in table size (五号), e.g. a table's caption or a note under it."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph(clean(text))
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    def caption(self, text: str) -> None:
        """A table's title: bold, centred, kept with the table."""
        p = self.small(text, center=True)
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt_(6)
        for run in p.runs:
            run.bold = True

    def landscape(self) -> None:
        """Start a landscape section (wide tables); the page numbers run on."""
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Cm

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        section.footer_distance = Cm(1.2)
        self.text_width = round((29.7 - 2.8 - 2.6) * CM)

    def landscape_only(self) -> None:
        """Make the first (only) section landscape: a document that is all tables."""
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm

        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        section.footer_distance = Cm(1.2)
        self.text_width = round((29.7 - 2.8 - 2.6) * CM)

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def signature(self, unit: str, day_text: str, lines: tuple[str, ...] = ()) -> None:
        """落款: the unit and the date, right-aligned, after a blank line; then e.g. 填报人 lines."""
        self.para("")
        if unit:
            self.para(unit, right=True)
        self.para(day_text, right=True)
        for line in lines:
            self.para(line, indent=False)

    def table(self, headers: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[float, ...]) -> None:
        from lxml import etree

        total = sum(widths)
        twips = [round(self.text_width * w / total) for w in widths]
        table = self.doc.add_table(rows=0, cols=len(headers))
        table._tbl.tblPr.style = self._style_id("Table Grid", "TABLE")
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
            self.rows[f"<!--{token}-->"] = rows_xml(rows)
        self.doc.add_paragraph()  # Word merges two tables that touch

    # -- saving -------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        fonts = {self.fonts.title, self.fonts.heading, self.fonts.heading2, self.fonts.body}
        fonts |= {FALLBACKS[f] for f in list(fonts) if f in FALLBACKS}
        buffer = io.BytesIO()
        self.doc.save(buffer)
        buffer.seek(0)
        out_buffer = io.BytesIO()
        with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out_buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                if info.filename == "docProps/thumbnail.jpeg":
                    continue
                data = source.read(info.filename)
                if info.filename == "word/document.xml" and self.rows:
                    # One pass: the saved XML cut at the placeholders, the rows put between.
                    parts = re.split(b"(<!--rows-" + self._tag.encode() + rb"-\d+-->)", data)
                    found = parts[1::2]
                    if sorted(found) != sorted(t.encode() for t in self.rows):
                        raise RuntimeError("table placeholders lost")
                    parts[1::2] = [self.rows[t.decode()] for t in found]
                    data = b"".join(parts)
                elif info.filename == "docProps/app.xml":
                    data = _app_xml()
                elif info.filename == "word/fontTable.xml":
                    entries = "".join(_font_entry(f) for f in sorted(fonts))
                    data = data.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")
                elif info.filename in ("[Content_Types].xml", "_rels/.rels"):
                    data = re.sub(rb"<(Override|Relationship)[^>]*thumbnail[^>]*/>", b"", data)
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        return out_buffer.getvalue()
