"""Reading a plan document: .docx paragraphs and tables, or text in any of the encodings offices use,
into Blocks; and the clean-up every line goes through before it is matched.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import TrackerError
from tracker.regularfile import read_reason, read_regular

TEXT_SUFFIXES = (".txt", ".text", ".md")
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Block:
    """One piece of text of the document, in document order."""

    text: str
    kind: str = "paragraph"  # "paragraph" | "table-cell" | "heading"
    style: str | None = None  # the Word style name, if any
    numbered: bool = False  # Word automatic list numbering: the number is not in the text
    cell: tuple[int, int, int] | None = None  # (table, row, column) for table cells
    line: int = 0  # the line of a text file it starts on (1-based); 0 for Word documents



def read_document(path: Path) -> list[Block]:
    """The document's text blocks in order; .docx (paragraphs and tables) or plain text."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".docx", *TEXT_SUFFIXES):
        if suffix in (".doc", ".wps", ".rtf"):
            raise TrackerError(f"不支持 {suffix} 格式：请在 Word/WPS 中另存为 .docx 或 .txt 后再导入（{path.name}）")
        raise TrackerError(f"不支持的文件类型「{suffix or '无扩展名'}」：只能导入 .docx 或 .txt 文件（{path.name}）")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise TrackerError(f"文件不存在：{path}") from None
    except OSError as exc:
        raise TrackerError(f"无法读取 {path}：{read_reason(exc)}") from None
    if path.is_dir():
        raise TrackerError(f"{path} 是一个文件夹，请给出计划文档")
    if size > MAX_BYTES:
        raise TrackerError(f"{path.name} 太大（{size // 1024 // 1024} MB），不像是一份工作计划")
    try:
        raw = read_regular(path)  # a pipe named like a document is refused, not waited on
    except OSError as exc:
        raise TrackerError(f"无法读取 {path}：{read_reason(exc)}") from None
    if suffix == ".docx":
        return _read_docx(raw, path)
    return _text_blocks(decode_text(raw, path.name))


def decode_text(raw: bytes, name: str = "文件") -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with BOM, else GB18030 (common in Chinese offices)."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            # The BOM names the encoding; a stray bad byte should not lose the whole file.
            return raw.decode(codec, errors="replace")
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    raise TrackerError(f"无法识别 {name} 的文字编码：请用记事本或 WPS 另存为 UTF-8 编码的 .txt 后再导入")


_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def _text_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    table = -1
    row = 0
    in_table = False
    for number, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.strip()
        if not line:
            in_table = False
            continue
        if line.startswith("|") and line.endswith("|") and len(line) > 2:
            # A Markdown table: one block per cell, like a Word table.
            if _MD_TABLE_RULE.match(line):
                continue
            if not in_table:
                table, row, in_table = table + 1, 0, True
            for col, cell in enumerate(line.strip("|").split("|")):
                blocks.append(Block(cell.strip(), "table-cell", None, False, (table, row, col), number))
            row += 1
            continue
        in_table = False
        heading = re.match(r"^#{1,6}\s*(.*?)\s*#*$", line)
        if heading:
            blocks.append(Block(heading.group(1), "heading", None, line=number))
        else:
            blocks.append(Block(line, "paragraph", None, line=number))
    return blocks


def _read_docx(raw: bytes, path: Path) -> list[Block]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises zip, XML and key errors for damaged files
        raise TrackerError(f"无法打开 Word 文档 {path.name}：文件可能已损坏或不是 .docx（{type(exc).__name__}）") from None

    blocks: list[Block] = []
    tables = 0

    def paragraph_block(par: Paragraph) -> Block | None:
        text = par.text
        if not text.strip():
            return None
        style = None
        try:
            style = par.style.name if par.style is not None else None
        except (KeyError, ValueError, AttributeError):
            style = None
        lowered = (style or "").lower()
        kind = "heading" if lowered.startswith(("heading", "title", "标题")) else "paragraph"
        ppr = par._p.pPr
        # Word list numbering lives in the paragraph or in its list style; the number
        # itself is not part of the text.
        numbered = (ppr is not None and ppr.numPr is not None) or lowered.startswith(("list number", "list bullet"))
        return Block(text, kind, style, numbered)

    def walk_table(table: Table) -> None:
        nonlocal tables
        index = tables
        tables += 1
        for r, row in enumerate(table.rows):
            seen = set()
            col = 0
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat in row.cells
                    continue
                seen.add(id(cell._tc))
                parts = []
                for item in cell.iter_inner_content():
                    if isinstance(item, Paragraph):
                        if item.text.strip():
                            parts.append(item.text)
                    else:
                        walk_table(item)
                blocks.append(Block("\n".join(parts), "table-cell", None, False, (index, r, col)))
                col += 1

    try:
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                block = paragraph_block(item)
                if block is not None:
                    blocks.append(block)
            else:
                walk_table(item)
    except TrackerError:
        raise
    except Exception as exc:  # malformed XML inside an otherwise valid package
        raise TrackerError(f"无法读取 Word 文档 {path.name} 的内容（{type(exc).__name__}）") from None
    return blocks


# ---------------------------------------------------------------------------
# Text clean-up
# ---------------------------------------------------------------------------

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff\ufffe\uffff]")
_SPACE_NEAR_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def clean_text(text: str) -> str:
    """One line of document text, normalised for matching (and kept as the source)."""
    text = _CONTROL.sub("", text.translate(_FULLWIDTH))
    text = re.sub(r"\\([*_#`\-\[\]()])", r"\1", text)  # Markdown escapes: \*\*社区 → **社区
    text = _SPACE_NEAR_CJK.sub("", text.replace("\u3000", " ").replace("\xa0", " "))
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"^(?:[-*+•·●◆■□▪]\s+|>\s*)", "", text.strip())
    return text.strip()


_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』《》〈〉")


def _plain(text: str) -> str:
    """Text for time matching: quotes do not matter (“八一”建军节 = 八一建军节)."""
    return text.translate(_QUOTES)
