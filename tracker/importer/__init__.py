"""Turn an office's existing plan document (.docx or .txt) into a draft plan file.

Offices already have their year's plan as a Word document or plain text. The draft this
module writes is a starting point, not a finished plan: every guess carries a trailing
``# 请核对`` comment, each task keeps the document's numbering and sentence in ``source``,
and the text always passes the plan loader, so the office can open, correct and use it.

How the document is read (heuristics; conservative: when unsure, keep the task and mark it):

- Text: .txt is UTF-8 (with or without BOM), UTF-16/32 with BOM, else GB18030; .docx
  paragraphs and tables in document order. Markdown ``#`` lines and Word heading styles
  are headings; Markdown and Word tables are read row by row.
- Structure. Lines starting with 一、 / （一）(一) ㈠ / 1、1．1. / (1) ① are numbered. A short
  numbered line with text under it is a heading; a numbered line followed by its siblings
  is an item. ``篇一`` / ``篇1：`` markers (several sample plans in one file) start a new
  section; 第一章/第一部分 are top headings. ``标签：正文`` gives the body its label: a time
  label (``20xx年1—3月：``) on a numbered line or heading opens a time block that also covers
  the paragraphs after it, up to the next heading of the same level.
- Categories come from the nearest heading: well-known words map to the standard
  categories (组织领导 宣传教育 拥军优属 军民共建 优抚安置 国防教育 拥政爱民); otherwise the
  heading text, shortened. Generic headings (工作任务, 工作要求 …) give none; then the task's
  own words decide, marked for review.
- Tasks are sentences (。！？) and ；-clauses; a comma clause that opens a new time phrase
  after a complete activity (``清明节组织扫墓，“八一”、春节期间召开座谈会``) starts another
  task. A sentence is kept when it has an action verb (开展 组织 召开 走访 慰问 发放 …) or its
  own time; slogans (``…为指导``), statements (``…是…的重要保证``), the preambles of web
  samples (``以下是小编…``) and 指导思想 sections are skipped. Sentences under a 目标 heading
  are kept but marked.
- ``when``: recurrences (每月第一个周四, 每周一, 每月10日, 每月, 每季度, 每半年 / 上下半年各一次,
  每年), dates (3月10日, 3月底前), festivals with their modifier (春节前夕, 八一期间, 国庆前后,
  清明, 国防教育日 …), quarters and month ranges (1—3月 → 一季度), halves, months (五月份),
  年底 / 年内; inferred ones are marked (年初 → 1月, 暑期 → 7—8月, 每学期 → 每半年,
  建党92周年 → 七一, 元旦前 → 12月: the end of the plan's own year, not the eve of its first
  day). A clause without its own time takes the one before it in the same sentence, then
  the time that opens its paragraph, then its label, then its time block. Inside a time
  block a date or festival that does not fall in the block (``10—12月：在元旦、春节前…``)
  gives way to the block; an explicit repeat (每月) stays but is marked.
- Several festivals in one phrase (``“八一”、春节期间走访慰问``) become one task per festival:
  each visit is its own piece of work with its own date and evidence. No time at all →
  ``年内`` (due at year end), marked for review.
- Owners: known unit names (民政办, 人武部, 司法所, 社区居委会, 团委, 妇联, 消防中队 …) and
  ``由…负责 / …牵头`` phrases name the owner (a unit at the start of the sentence is its
  subject, hence its owner); units after 与/联合/邀请 and before 配合 are support. Everything
  recognised goes into ``owners``; tasks without an owner get the default owner (the unit
  given, else 双拥办), marked for review. A table's 责任单位 / 配合单位 columns are taken as is.
- Ids are ``t001``, ``t002`` … in document order; titles are the activity in at most 40
  characters; evidence is suggested from the activity (会议 → 会议记录, 慰问 → 慰问名单 …).
"""

from __future__ import annotations

import calendar
import codecs
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.errors import Problem, TrackerError
from tracker.plan.loader import parse_plan_text
from tracker.model import Plan, Task
from tracker.calendar.schedule import expand_plan
from tracker.calendar.when import parse_when

REVIEW = "# 请核对"
DEFAULT_OWNER = "双拥办"
DEFAULT_EVIDENCE = ("活动照片", "签到表")
FALLBACK_WHEN = "年内"
OTHER_CATEGORY = "其他"
STANDARD_CATEGORIES = ("组织领导", "宣传教育", "拥军优属", "军民共建", "优抚安置", "国防教育", "拥政爱民")
TEXT_SUFFIXES = (".txt", ".text", ".md")
MAX_BYTES = 20 * 1024 * 1024
TITLE_LIMIT = 40


# ---------------------------------------------------------------------------
# Public data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One piece of text of the document, in document order."""

    text: str
    kind: str = "paragraph"  # "paragraph" | "table-cell" | "heading"
    style: str | None = None  # the Word style name, if any
    numbered: bool = False  # Word automatic list numbering: the number is not in the text
    cell: tuple[int, int, int] | None = None  # (table, row, column) for table cells


@dataclass(frozen=True)
class ImportReport:
    tasks: int
    dated: int
    undated: int
    owners_recognised: list[str]
    categories: list[str]
    review: int  # tasks with at least one `# 请核对` mark
    dropped: int = 0  # tasks left out because no valid form was found (expected 0)


@dataclass(frozen=True)
class ImportResult:
    toml_text: str
    report: ImportReport
    title: str = ""


# ---------------------------------------------------------------------------
# Reading documents
# ---------------------------------------------------------------------------


def read_document(path: Path) -> list[Block]:
    """The document's text blocks in order; .docx (paragraphs and tables) or plain text."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".docx", *TEXT_SUFFIXES):
        if suffix in (".doc", ".wps", ".rtf"):
            raise TrackerError(f"不支持 {suffix} 格式：请在 Word/WPS 中另存为 .docx 或 .txt 后再导入（{path.name}）")
        raise TrackerError(f"不支持的文件类型“{suffix or '无扩展名'}”：只能导入 .docx 或 .txt 文件（{path.name}）")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise TrackerError(f"文件不存在：{path}") from None
    except OSError as exc:
        raise TrackerError(f"无法读取 {path}：{exc.strerror or exc}") from None
    if path.is_dir():
        raise TrackerError(f"{path} 是一个文件夹，请给出计划文档")
    if size > MAX_BYTES:
        raise TrackerError(f"{path.name} 太大（{size // 1024 // 1024} MB），不像是一份工作计划")
    if suffix == ".docx":
        return _read_docx(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TrackerError(f"无法读取 {path}：{exc.strerror or exc}") from None
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
    for raw_line in text.splitlines():
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
                blocks.append(Block(cell.strip(), "table-cell", None, False, (table, row, col)))
            row += 1
            continue
        in_table = False
        heading = re.match(r"^#{1,6}\s*(.*?)\s*#*$", line)
        if heading:
            blocks.append(Block(heading.group(1), "heading", None))
        else:
            blocks.append(Block(line, "paragraph", None))
    return blocks


def _read_docx(path: Path) -> list[Block]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
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
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ufffe\uffff]")
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


# ---------------------------------------------------------------------------
# Times → `when`
# ---------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_QUARTER_WORDS = ("一季度", "二季度", "三季度", "四季度")
_WEEKDAYS = {"一": "一", "二": "二", "三": "三", "四": "四", "五": "五", "六": "六", "日": "日", "天": "日",
             "1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六", "7": "日"}
_ORDINALS = {"一": "一", "二": "二", "三": "三", "四": "四", "1": "一", "2": "二", "3": "三", "4": "四"}


def _cn_number(text: str) -> int | None:
    """一..十二 or digits."""
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_DIGITS.get(text[1], 100)
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


@dataclass(frozen=True)
class _Time:
    whens: tuple[str, ...]  # one task per alternative (several festivals in one phrase)
    rank: int  # lower wins: specific recurrences, dates and festivals, months, years
    start: int
    end: int
    guess: str = ""  # why this is an inference (→ `# 请核对`)
    phrase: str = ""  # the words it came from
    labels: tuple[str, ...] = ()  # per alternative, for titles of split tasks


_FESTIVALS = [
    ("全民国防教育日", "国防教育日"), ("国防教育日", "国防教育日"), ("烈士纪念日", "烈士纪念日"),
    ("五一国际劳动节", "五一"), ("国际劳动节", "五一"), ("五一劳动节", "五一"), ("劳动节", "五一"),
    ("五四青年节", "五四"), ("青年节", "五四"), ("八一建军节", "八一"), ("建军节", "八一"),
    ("七一建党节", "七一"), ("建党节", "七一"), ("元宵节", "元宵"), ("元宵", "元宵"), ("清明节", "清明"),
    ("清明", "清明"), ("端午节", "端午"), ("端午", "端午"), ("中秋节", "中秋"), ("中秋", "中秋"),
    ("重阳节", "重阳"), ("重阳", "重阳"), ("国庆节", "国庆"), ("国庆", "国庆"), ("春节", "春节"),
    ("元旦", "元旦"), ("八一", "八一"), ("七一", "七一"), ("五一", "五一"), ("五四", "五四"),
    # Bare 建党/建军/建国 count only inside a list of days ("结合建党、建军、建国和春节"):
    # alone they are words ("建国以来").
    ("建党", "七一"), ("建军", "八一"), ("建国", "国庆"),
]
_BARE_FESTIVALS = frozenset({"建党", "建军", "建国"})
_FEST_CANON = dict(_FESTIVALS)
_FEST_NAME = "|".join(re.escape(name) for name, _ in sorted(_FESTIVALS, key=lambda f: -len(f[0])))
_FEST_ONE = re.compile(rf"(?:{_FEST_NAME})")
_FEST_RE = re.compile(
    rf"((?:{_FEST_NAME})节?(?:\s*[、，,和及与/]\s*(?:{_FEST_NAME})节?)*)"
    r"(\d+周年)?(等?(?:重大|重要|传统)?(?:节日|节假日|纪念日))?"
    r"(前夕|来临之际|到来之际|之际|前后|期间|前\d+[天日]|后\d+[天日]|前(?![往进行])|后(?![勤盾备续期来]))?"
)

_RANGE_DASH = r"\s*[—–\-－~～至到]+\s*"
_CN_MONTH = r"十[一二]|[一二三四五六七八九十]"


def _month_days(month: int, day: int) -> bool:
    # Day must exist every year: 2月29日 would fail three years in four.
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2025, month)[1]


def _range_when(a: int, b: int) -> str | None:
    if not (1 <= a < b <= 12):
        return None
    if b - a == 2 and a in (1, 4, 7, 10):
        return _QUARTER_WORDS[(a - 1) // 3]
    if (a, b) == (1, 6):
        return "上半年"
    if (a, b) == (7, 12):
        return "下半年"
    return f"{a}—{b}月"


def _festival_times(plain: str) -> list[_Time]:
    found = []
    for m in _FEST_RE.finditer(plain):
        names = []
        tokens = [one.group(0) for one in _FEST_ONE.finditer(m.group(1))]
        if len(tokens) == 1 and tokens[0] in _BARE_FESTIVALS:
            continue
        for token in tokens:
            canon = _FEST_CANON[token]
            if canon not in names:
                names.append(canon)
        mod = m.group(4) or ""
        whens, labels = [], []
        guess = ""
        for name in names:
            if name == "元旦" and mod in ("前夕", "前", "之际", "来临之际", "到来之际"):
                # "元旦前" is the end of the plan's own year, not the eve of its first day.
                when, guess = "12月", "“元旦前”按当年12月安排"
            elif mod in ("前夕", "之际", "来临之际", "到来之际"):
                when = f"{name}前夕"
            elif mod in ("前后", "期间", "前", "后"):
                when = f"{name}{mod}"
            elif mod.startswith(("前", "后")):
                days = re.sub(r"\D", "", mod)
                when = f"{name}{mod[0]}{days}天"
            else:
                when = name
            if when not in whens:
                whens.append(when)
                labels.append(name)
        found.append(_Time(tuple(whens), 2, m.start(), m.end(), guess, m.group(0), tuple(labels)))
    return found


_PATTERNS: list[tuple[int, re.Pattern, object]] = []


def _pattern(rank: int, regex: str):
    def register(fn):
        _PATTERNS.append((rank, re.compile(regex), fn))
        return fn

    return register


@_pattern(0, r"每月(?:的)?第\s*([一二三四1-4])\s*个?(?:周|星期|礼拜)([一二三四五六日天1-7])")
def _nth_weekday(m):
    return f"每月第{_ORDINALS[m.group(1)]}个周{_WEEKDAYS[m.group(2)]}", ""


@_pattern(0, r"每月(?:的)?最后一个(?:周|星期|礼拜)([一二三四五六日天1-7])")
def _last_weekday(m):
    return f"每月最后一个周{_WEEKDAYS[m.group(1)]}", ""


@_pattern(0, r"每个?(?:周|星期|礼拜)(?:星期|周)?([一二三四五六日天1-7])(?![\d])")
def _weekly(m):
    return f"每周{_WEEKDAYS[m.group(1)]}", ""


@_pattern(0, r"每(?:个)?月(\d{1,2})\s*[日号](前)?")
def _monthly_day(m):
    day = int(m.group(1))
    if 1 <= day <= 28:
        return f"每月{day}日{m.group(2) or ''}", ""
    return "每月", f"原文“{m.group(0)}”并非每月都有，暂定每月"


@_pattern(1, r"每(?:个)?月(?!\d)")
def _monthly(m):
    return "每月", ""


@_pattern(1, r"每(?:个)?季度?(?![节])")
def _quarterly(m):
    return "每季度", ""


@_pattern(1, r"每半年|上下半年各|上、下半年各")
def _half_yearly(m):
    return "每半年", ""


@_pattern(1, r"每(?:个)?学期")
def _per_term(m):
    return "每半年", "原文“每学期”，暂定每半年一次"


@_pattern(2, r"(?:(?:\d{4}|20xx|20XX)\s*年)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号](前)?")
def _date(m):
    month, day = int(m.group(1)), int(m.group(2))
    if _month_days(month, day):
        return f"{month}月{day}日{m.group(3) or ''}", ""
    if 1 <= month <= 12:
        return f"{month}月", f"原文日期“{m.group(0)}”不是每年都有，暂定{month}月"
    return None


@_pattern(2, r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
def _iso_date(m):
    month, day = int(m.group(2)), int(m.group(3))
    if _month_days(month, day):
        return f"{month}月{day}日", ""
    return None


@_pattern(2, r"(?<!\d)(\d{1,2})\s*月\s*(?:底|末)(前)?")
def _month_end(m):
    month = int(m.group(1))
    return (f"{month}月底前", "") if 1 <= month <= 12 else None


@_pattern(2, r"建党\s*\d+\s*周年")
def _party_anniversary(m):
    return "七一", "按建党纪念日（七一）安排"


@_pattern(2, r"建军\s*\d+\s*周年")
def _army_anniversary(m):
    return "八一", "按建军节（八一）安排"


@_pattern(3, rf"(?<![\d])(\d{{1,2}}){_RANGE_DASH}(\d{{1,2}})\s*月")
def _month_range(m):
    when = _range_when(int(m.group(1)), int(m.group(2)))
    return (when, "") if when else None


@_pattern(3, rf"({_CN_MONTH})\s*月?{_RANGE_DASH}({_CN_MONTH})\s*月")
def _cn_month_range(m):
    a, b = _cn_number(m.group(1)), _cn_number(m.group(2))
    when = _range_when(a or 0, b or 0)
    return (when, "") if when else None


@_pattern(3, r"(?<!每)(?:第)?([一二三四1-4])\s*季度")
def _quarter(m):
    return _QUARTER_WORDS[int(_cn_number(m.group(1)) or 1) - 1], ""


@_pattern(3, r"(?<![A-Za-z])[Qq]([1-4])(?![\d])")
def _quarter_ascii(m):
    return _QUARTER_WORDS[int(m.group(1)) - 1], ""


@_pattern(3, r"(?<!上)下半年|(?<![上下、])上半年")
def _half(m):
    return m.group(0)[-3:], ""


@_pattern(3, r"(?<![\d\-—–~～至到.])(\d{1,2})\s*月份?(?![\d日号底末])")
def _month(m):
    month = int(m.group(1))
    return (f"{month}月", "") if 1 <= month <= 12 else None


@_pattern(3, rf"(?<![一二三四五六七八九十每上下本个几数两])({_CN_MONTH})月份?(?![日号底末度刊报饼光亮球薪])")
def _cn_month(m):
    month = _cn_number(m.group(1))
    return (f"{month}月", "") if month and 1 <= month <= 12 else None


@_pattern(4, r"每(?:个)?年(?!级)")
def _yearly(m):
    return "每年", ""


@_pattern(5, r"年底|年终|年末|岁末")
def _year_end(m):
    return "年底", ""


@_pattern(5, r"年内")
def _within_year(m):
    return "年内", ""


@_pattern(6, r"年初")
def _year_start(m):
    return "1月", "原文“年初”，暂定1月"


@_pattern(6, r"暑期|暑假")
def _summer(m):
    return "7—8月", "原文“暑期”，暂定7—8月"


@_pattern(6, r"寒假")
def _winter(m):
    return "1—2月", "原文“寒假”，暂定1—2月"


def find_times(text: str) -> list[_Time]:
    """Every time phrase in the text, best first (lowest rank, then earliest)."""
    plain = _plain(text)
    taken: list[tuple[int, int]] = []
    hits: list[_Time] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    candidates: list[tuple[int, int, int, object]] = []
    for rank, regex, fn in _PATTERNS:
        for m in regex.finditer(plain):
            candidates.append((rank, m.start(), m.end(), (fn, m)))
    for t in _festival_times(plain):
        candidates.append((t.rank, t.start, t.end, t))
    # Longer, more specific phrases first so "1—3月" is not also read as "3月".
    candidates.sort(key=lambda c: (c[0] if c[0] < 2 else 2, -(c[2] - c[1]), c[1]))
    for rank, start, end, item in candidates:
        if not free(start, end):
            continue
        if isinstance(item, _Time):
            if not item.whens:
                continue
            hits.append(item)
        else:
            fn, m = item
            result = fn(m)
            if not result:
                continue
            when, guess = result
            hits.append(_Time((when,), rank, start, end, guess, m.group(0), (when,)))
        taken.append((start, end))
    hits.sort(key=lambda t: (t.rank, t.start))
    return hits


def best_time(text: str) -> _Time | None:
    hits = find_times(text)
    return hits[0] if hits else None


def label_time(label: str) -> _Time | None:
    """A label that is only a time (``20xx年 1—3 月``, ``一季度``, ``春节前夕``), else None."""
    plain = _plain(label).strip(" ：:，,。")
    hits = find_times(plain)
    if not hits:
        return None
    rest = plain
    for t in hits:
        rest = rest.replace(t.phrase, "")
    rest = re.sub(r"(?:\d{4}|20xx|20XX|xx|××)\s*年|[在于是的份起止：:，,、\s()（）]|工作|安排|期间|开展|活动", "", rest)
    return hits[0] if len(rest) <= 2 else None


# ---------------------------------------------------------------------------
# Owners
# ---------------------------------------------------------------------------

_UNIT_NAMES = (
    "社区党工委", "社区党委", "社区居委会", "社区医院", "街道办事处", "退役军人事务站", "退役军人服务站",
    "退役军人事务局", "劳动人事部门", "民政部门", "党工委", "党支部", "居委会", "村委会", "民政办",
    "民政局", "民政所", "人武部", "武装部", "司法所", "司法局", "共青团", "团委", "团支部", "妇联",
    "消防中队", "消防大队", "消防支队", "武警中队", "军分区", "教育局", "学生科", "派出所", "卫生院",
    "政府办", "党政办", "双拥办", "少先队", "文化站", "人社局", "宣传部", "财政所", "财政局", "党委",
)
_UNIT_RE = re.compile(
    "|".join(re.escape(n) for n in sorted(_UNIT_NAMES, key=len, reverse=True))
    + r"|(?<![职员])工会(?!议)|驻[\u4e00-\u9fff]部队|双拥办公室"
)
_UNIT_ALIASES = {"双拥办公室": "双拥办"}
_UNIT_SUFFIX = re.compile(
    r"^[\u4e00-\u9fffA-Za-z0-9]{1,10}(?:科|办|所|部|局|委|会|站|队|院|中心|办公室|领导小组|支部|中队|大队|支队)$"
)
_NOT_UNIT = re.compile(r"(?:领导|负责人|成员|主任|书记|组长|部长|局长|校长|干部|班子|人员|我们|大家)$")
_SUPPORT_BEFORE = re.compile(r"(?:与|和|同|联合|会同|协同|配合|邀请|请|携手)[^，。；、]{0,8}$")
_SUBJECT_BEFORE = re.compile(r"^(?:由|各|县|区|市|镇|乡|街道|社区|基层|全|辖区|本|我|镇属|机关|医院|学校|\d|、|\s)*$")
_BY_RE = re.compile(r"由([^，。；由]{2,24}?)(?:牵头负责|具体负责|负责(?!人)|牵头|带队|组织|主持|召集|承办)")
_LEAD_RE = re.compile(r"牵头")
_HELP_RE = re.compile(r"配合|协助|协办")


def _window_before(text: str, pos: int, width: int = 14) -> str:
    """The words just before `pos`, back to the previous punctuation."""
    return re.split(r"[，。；,;：:！？]", text[max(0, pos - width):pos])[-1]


def _unit_name(match_text: str) -> str:
    return _UNIT_ALIASES.get(match_text, match_text)


def find_units(text: str) -> list[str]:
    """Unit names mentioned in the text, in order, without repeats."""
    names: list[str] = []
    for m in _UNIT_RE.finditer(text):
        name = _unit_name(m.group(0))
        if name not in names:
            names.append(name)
    return names


def _units_in_phrase(phrase: str) -> list[str]:
    """Units named by a 由X、Y负责 / X牵头 phrase: known names, or names with a unit suffix."""
    names: list[str] = []
    for part in re.split(r"[、和与及/]", phrase):
        part = re.sub(r"^(?:县|区|市|镇|乡|街道|局|各|全)", "", part.strip())
        known = find_units(part)
        if known:
            names.extend(n for n in known if n not in names)
        elif _UNIT_SUFFIX.match(part) and not _NOT_UNIT.search(part) and part not in names:
            names.append(part)
    return names


@dataclass(frozen=True)
class _Owners:
    owner: str | None
    support: tuple[str, ...]
    mentioned: tuple[str, ...]  # everything recognised (goes into the plan's owners)


def find_owners(text: str) -> _Owners:
    owner: str | None = None
    support: list[str] = []
    mentioned: list[str] = []
    for m in _BY_RE.finditer(text):
        names = _units_in_phrase(m.group(1))
        if names:
            owner = owner or names[0]
            support.extend(names[1:])
            mentioned.extend(names)
    if owner is None:
        for m in _LEAD_RE.finditer(text):
            names = _units_in_phrase(_window_before(text, m.start()).removeprefix("由"))
            if names:
                owner = names[0]
                support.extend(names[1:])
                mentioned.extend(names)
                break
    for m in _HELP_RE.finditer(text):
        names = _units_in_phrase(_window_before(text, m.start()))
        support.extend(names)
        mentioned.extend(names)
    for m in _UNIT_RE.finditer(text):
        name = _unit_name(m.group(0))
        mentioned.append(name)
        before = text[: m.start()]
        if owner is None and _SUBJECT_BEFORE.match(before):
            owner = name
        elif _SUPPORT_BEFORE.search(before):
            support.append(name)
    support = [s for s in dict.fromkeys(support) if s != owner]
    return _Owners(owner, tuple(support), tuple(dict.fromkeys(mentioned)))


# ---------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------

_CATEGORY_KEYS = (
    ("拥政爱民", ("拥政爱民", "爱民", "学雷锋", "抢险救灾")),
    ("国防教育", ("国防教育", "国防知识", "国防观念", "国防意识", "国防双拥", "军训", "征兵", "兵役")),
    ("优抚安置", ("优抚", "安置", "优待", "抚恤", "军转", "退役", "退伍", "政策", "再就业", "维权", "权益")),
    ("军民共建", ("共建", "联建", "联谊", "联欢", "军警民", "科技拥军", "智力拥军", "文化拥军")),
    ("拥军优属", ("拥军", "优属", "慰问", "走访", "部队", "烈属", "军属", "官兵")),
    ("宣传教育", ("宣传", "教育", "氛围", "舆论", "报道", "讲座")),
    ("组织领导", ("领导", "组织", "机构", "机制", "制度", "计划", "责任", "档案", "台帐", "台账", "建档", "资料",
                  "会议", "考核", "总结")),
)
_GENERIC_HEADING = re.compile(
    r"^[\u4e00-\u9fff]{0,6}?(?:工作)?(?:任务|要求|措施|安排|目标|计划|内容|重点|思想|方案|打算|意见|办法)$"
)
_LEADING_ADVERBS = re.compile(r"^(?:进一步|大力|切实|认真|积极|广泛|深入|全面|继续|努力|不断|扎实|着力|坚持|要)+")


# A task's own words, when no heading says: activities first (组织 is a verb here, not 组织领导).
_TEXT_CATEGORY_KEYS = (
    ("拥政爱民", ("拥政爱民", "爱民", "学雷锋", "抢险救灾")),
    ("拥军优属", ("慰问", "走访", "看望", "探望", "烈属", "军属", "烈士", "扫墓", "拥军粽")),
    ("国防教育", ("国防", "军训", "征兵", "兵役", "升国旗", "国旗")),
    ("优抚安置", ("优抚", "安置", "优待金", "抚恤", "军转", "退役", "退伍", "再就业", "低保")),
    ("军民共建", ("共建", "联建", "联谊", "联欢", "军民", "军警民", "座谈")),
    ("宣传教育", ("宣传", "教育", "板报", "标语", "报道", "讲座")),
    ("组织领导", ("领导小组", "机构", "机制", "制度", "计划", "档案", "台帐", "台账", "会议", "例会", "考核", "总结")),
    ("拥军优属", ("拥军", "部队", "官兵")),
)


def map_category(text: str, table=_CATEGORY_KEYS) -> str | None:
    """The standard category whose words appear in the text (headings by default)."""
    for category, words in table:
        if any(word in text for word in words):
            return category
    return None


def _heading_core(text: str) -> str:
    text = re.sub(r"(?:\d{4}|20xx|20XX|xx|××)\s*年(?:度)?", "", _plain(text))
    return re.sub(r"[，,。.：:；;！!、\s]", "", text)


def _is_generic(text: str) -> bool:
    core = _heading_core(text)
    return not core or (len(core) <= 10 and bool(_GENERIC_HEADING.match(core)))


def _shorten_heading(text: str) -> str:
    first = re.split(r"[，,。：:；;！!、（(]", _plain(text).strip())[0]
    bare = _LEADING_ADVERBS.sub("", first)
    return (bare if len(bare) >= 3 else first)[:10]


# ---------------------------------------------------------------------------
# Sentences, verbs, boilerplate
# ---------------------------------------------------------------------------

# Words that make a sentence an activity. Nouns that are also activities (比赛, 演出, 讲座,
# 座谈) are left out: a plan says 举办比赛 / 召开座谈会, a report says 整场演出内容丰富.
# "的建立" / "的宣传" are nouns too, hence the look-behind.
_ACTION = re.compile(
    "(?<!的)(?:开展|组织|召开|举办|举行|走访|慰问|看望|探望|发放|送去|送上|赠送|建立|成立|调整|充实|落实|宣传|"
    "制定|制订|修订|参加|参观|参与|邀请|聘请|表彰|奖励|评比|签订|签约|张贴|出板|出刊|办理|上报|报送|授课|扫墓|"
    "祭扫|升国旗|清扫|整治|开设|打造|开辟|开放|安置|帮扶|结对|走进|检查|考核|督查|调查|摸底|登记|建档|归档|"
    "更换|配齐|补助|资助|帮耕|帮种|帮工|排演|接待|部署|传达|召集|做好|抓好|搞好|办好|完成|执行|学习|纳入|列入|"
    "实施|推行|提供|维护|解决|帮助|发布|报道|播放|访问|布置|维修|换届|进行|年终总结|总结评比|"
    "请.{1,24}讲|发.{0,3}(?:公开信|慰问金|慰问品|纪念品))"
)
_BOILERPLATE_PARAGRAPH = re.compile(
    r"小编|范文|仅供参考|欢迎阅读|欢迎大家|希望对大家有所帮助|有所帮助|计划是一种|方案属于|"
    r"方案应该怎么|下面是.{0,10}整理|以下是.{0,10}整理"
)
_SLOGAN = re.compile(r"为指导|指导思想|为统领|为主线，|高举.{0,20}旗帜|指导下|领导下|如下[：:。]?$")
_DECLARATIVE = re.compile(
    r"是[^，。；]{0,30}(?:保证|保障|内容|载体|途径|方针|传统|基础|力量|结合点|连接点|优势|特色|关键|根本|之年|一年|大事|举措|体现)"
)
_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]是(?:要)?|首先|其次|再次|最后|同时|另外|此外|另一方面|一方面|第[一二三四五六七八九十]+|并且|并)[，,、：:]?"
)
_UNSCHEDULED = re.compile(r"视需要|根据需要|不定期|随时|适时")
_TERMINATORS = "。！？!?"
_CLOSERS = "”’」』）)"


def _split_on(text: str, marks: str) -> list[str]:
    parts, current = [], []
    i = 0
    while i < len(text):
        ch = text[i]
        current.append(ch)
        if ch in marks:
            while i + 1 < len(text) and text[i + 1] in _CLOSERS:
                i += 1
                current.append(text[i])
            parts.append("".join(current))
            current = []
        i += 1
    if current:
        parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"[：:](?=(?:[一二三四五六七八九十]是|[（(]?\d{1,2}[)）、．]|首先))", "：\n", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff])\.\s+", "。", text)  # "加强检查. 做到…"
    sentences = []
    for line in text.split("\n"):
        sentences.extend(_split_on(line, _TERMINATORS))
    return sentences


def _starts_with_time(part: str) -> bool:
    core = re.sub(r"^(?:在|于|利用|结合|每逢|逢|趁|借|围绕|以)", "", _plain(part))
    hit = best_time(core)
    return hit is not None and hit.start <= 2


def split_clauses(sentence: str) -> list[str]:
    """；-clauses, and comma clauses that open a new time phrase after a complete activity."""
    clauses = []
    for piece in _split_on(sentence, "；;"):
        parts = [p for p in re.split(r"(?<=[，,])", piece) if p]
        group = ""
        for part in parts:
            if (
                group
                and _starts_with_time(part)
                and _ACTION.search(group)
                and (best_time(group) or len(group.strip("，, ")) >= 10)
            ):
                clauses.append(group)
                group = part
            else:
                group += part
        if group:
            clauses.append(group)
    return [c.strip() for c in clauses if c.strip()]


def _core(text: str) -> str:
    """The clause without enumerators and end punctuation."""
    text = text.strip()
    for _ in range(3):
        new = _ENUMERATOR.sub("", text).strip()
        new = re.sub(r"^要(?=[\u4e00-\u9fff]{2})", "", new)
        if new == text:
            break
        text = new
    return text.strip(" ，,。；;：:！!？?、")


_OWNER_LEAD = re.compile(r"^(?:由[^，,。]{2,20}?(?:牵头负责|具体负责|负责|牵头)[，,]|[^，,。]{2,12}?(?:牵头|配合|协助)[，,])+")
_PURPOSE = ("为了", "为进一步", "为确保", "为更好", "为隆重", "为庆祝", "为迎接", "为密切", "通过")


def _title(text: str) -> str:
    """The activity in at most TITLE_LIMIT characters: whole comma parts, starting at the
    first part that names an activity or a time (not at a purpose clause)."""
    text = _core(text)
    if len(text) <= TITLE_LIMIT:
        return text
    parts = [p for p in re.split(r"(?<=[，,])", text) if p.strip("，, ")]
    if not parts:
        return text[: TITLE_LIMIT - 1] + "…"

    def useful(part: str) -> bool:
        return bool(_ACTION.search(part) or best_time(part)) and not part.startswith(_PURPOSE)

    start = next((i for i, p in enumerate(parts) if useful(p)), 0)
    title = ""
    for part in parts[start:]:
        if len(title) + len(part.rstrip("，,")) > TITLE_LIMIT:
            break
        title += part
    if not _ACTION.search(title):
        act = next((p for p in parts[start:] if _ACTION.search(p)), None)
        if act is not None and act not in title:
            title = title + act if len(title) + len(act.rstrip("，,")) <= TITLE_LIMIT else act
    title = (title or parts[start]).strip("，, ")
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"
    return title


_EVIDENCE_HINTS = (
    (re.compile(r"座谈会|例会|会议|专题会|小组长会|联席会"), ("会议记录", "签到表")),
    (re.compile(r"走访|慰问|看望|探望"), ("慰问名单", "活动照片")),
    (re.compile(r"发放|补助|资助|安置费|优待金|奖励金"), ("发放记录",)),
    (re.compile(r"协议|签约|签订"), ("共建协议书", "活动照片")),
    (re.compile(r"板报|黑板报|宣传栏|标语|专栏|墙报|宣传牌"), ("宣传板报", "活动照片")),
)
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万)?元")


# ---------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------

_NUMBERINGS = (
    (1, re.compile(r"^(第[一二三四五六七八九十百\d]+(?:章|部分|节))[、：:\s]*")),
    (2, re.compile(r"^([一二三四五六七八九十]{1,3}\s*[、．.](?!\d))\s*")),
    (3, re.compile(r"^([（(]\s*[一二三四五六七八九十]{1,3}\s*[)）][、．.]?)\s*")),
    (3, re.compile(r"^([㈠-㈩][、．.]?)\s*")),
    (4, re.compile(r"^(\d{1,2}\s*(?:[、．]|\.(?!\d)))\s*")),
    (5, re.compile(r"^([（(]\s*\d{1,2}\s*[)）][、．.]?)\s*")),
    (5, re.compile(r"^([①-⑳][、．.]?)\s*")),
)
_SECTION_RE = re.compile(r"^(?:篇\s*([一二三四五六七八九十百\d]+)\s*[：:、.．]?(.*)|(.*?)篇\s*([一二三四五六七八九十百\d]+))$")
_TITLE_WORDS = re.compile(r"计划|方案|要点|安排|规划|打算")
_TITLE_NOISE = re.compile(r"[（(](?:优质|精选)?[\d一二三四五六七八九十]+篇[)）]|[（(]优质[^)）]*[)）]")


def _numbering(text: str) -> tuple[str, int, str] | None:
    for level, regex in _NUMBERINGS:
        m = regex.match(text)
        if m and len(text) > m.end():
            return re.sub(r"\s+", "", m.group(1)), level, text[m.end():].strip()
    return None


def _section(text: str) -> tuple[str, str] | None:
    """(marker, title) for 篇一 / 篇1：… lines that start another sample plan."""
    if len(text) > 50 or re.search(r"[。；;]", text):
        return None
    m = _SECTION_RE.match(text)
    if not m:
        return None
    if m.group(1) is not None:
        return f"篇{m.group(1)}", m.group(2).strip()
    return f"篇{m.group(4)}", (m.group(3) or "").strip()


def _is_title_like(text: str) -> bool:
    return len(text) <= TITLE_LIMIT and not re.search(r"[。；;，,]", text) and bool(_TITLE_WORDS.search(text))


@dataclass
class _Heading:
    level: int
    numbering: str
    text: str
    time: _Time | None = None
    mode: str = ""  # "skip" (指导思想: slogans) | "goal" (目标: keep, mark) | ""


@dataclass
class _Draft:
    title: str
    when: str
    category: str
    owner: str | None
    support: list[str]
    source: str
    notes: list[str] = field(default_factory=list)
    evidence: tuple[str, ...] = ()
    amount: float | None = None
    checks: dict[str, str] = field(default_factory=dict)  # field → reason for `# 请核对`
    dated: bool = True
    id: str = ""


@dataclass
class _Line:
    text: str
    kind: str
    numbered: bool = False
    index: int = 0


@dataclass
class _Row:
    cells: list[str]
    table: int
    index: int = 0


@dataclass
class _Context:
    drafts: list[_Draft] = field(default_factory=list)
    stack: list[_Heading] = field(default_factory=list)
    section: str = ""
    title: str = ""
    recognised: list[str] = field(default_factory=list)
    table_roles: dict[int, dict[str, int]] = field(default_factory=dict)
    paragraph_no: int = 0
    year: int = 2026  # the year festival and block checks are computed for

    def recognise(self, names) -> None:
        for name in names:
            if name and name not in self.recognised:
                self.recognised.append(name)

    def pop_to(self, level: int) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()


def _units(blocks: list[Block]) -> list[_Line | _Row]:
    units: list[_Line | _Row] = []
    row_key = None
    for block in blocks:
        if block.kind == "table-cell" and block.cell is not None:
            key = (block.cell[0], block.cell[1])
            if key != row_key or not units or not isinstance(units[-1], _Row):
                units.append(_Row([], block.cell[0]))
                row_key = key
            units[-1].cells.append(clean_text(block.text.replace("\n", "。").replace("。。", "。")))
            continue
        row_key = None
        for raw in block.text.splitlines() or [block.text]:
            text = clean_text(raw)
            if text:
                units.append(_Line(text, block.kind, block.numbered))
    for i, unit in enumerate(units):
        unit.index = i
    return units


def _next_line(units: list, i: int) -> _Line | None:
    for unit in units[i + 1:]:
        if isinstance(unit, _Row):
            return None
        if _BOILERPLATE_PARAGRAPH.search(unit.text):
            continue
        return unit
    return None


def _heading_candidate(rest: str) -> bool:
    """A numbered line short enough, and sentence-free enough, to be a heading."""
    stripped = rest.rstrip("。.；;！!")
    if re.search(r"[。；;！？!?]", stripped) or len(stripped) > 30:
        return False
    if best_time(stripped) and not label_time(stripped.split("：")[0]):
        return False
    if stripped != rest:  # ends like a sentence: only a short phrase without an activity
        return len(stripped) <= 20 and not _ACTION.search(stripped.replace("组织领导", ""))
    return True


def _closes_heading(level: int, nxt: _Line | None) -> bool:
    """True when the next line is a sibling or higher: then this line was an item, not a heading."""
    if nxt is None:
        return True
    if nxt.kind == "heading" or _section(nxt.text):
        return True
    num = _numbering(nxt.text)
    if num is None:
        return nxt.numbered and level >= 4
    return num[1] <= level


def _split_label(text: str) -> tuple[str, str]:
    m = re.match(r"^([^，,。；;：:]{1,16})[：:](.*)$", text)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return "", text


def _heading_mode(text: str) -> str:
    if "指导思想" in text:
        return "skip"
    if re.search(r"目标(?:任务)?$|总体目标|工作目标|主要目标|目标要求", _heading_core(text)):
        return "goal"
    return ""


def _analyse(blocks: list[Block], fallback_title: str, year: int) -> _Context:
    ctx = _Context(year=year)
    units = _units(blocks)
    for i, unit in enumerate(units):
        ctx.paragraph_no = i + 1
        if isinstance(unit, _Row):
            _handle_row(ctx, unit)
            continue
        text = unit.text
        if _BOILERPLATE_PARAGRAPH.search(text):
            continue
        section = _section(text)
        if section:
            ctx.stack.clear()
            ctx.section = section[0]
            if not ctx.title and section[1] and _is_title_like(section[1]):
                ctx.title = section[1]
            continue
        num = _numbering(text)
        if num is None and unit.numbered:
            num = ("", 4, text)
        # A whole paragraph styled as a heading is still a paragraph.
        styled_heading = unit.kind == "heading" and len(text) <= TITLE_LIMIT and not re.search(r"[。；;]", text)
        if num is None:
            if styled_heading or _unnumbered_heading(text):
                if not ctx.title and not ctx.drafts and _is_title_like(text):
                    ctx.title = text
                    continue
                ctx.pop_to(1)
                label, body = _split_label(text)
                heading_text = label or text
                ctx.stack.append(_Heading(1, "", heading_text, label_time(heading_text), _heading_mode(heading_text)))
                if body and label:
                    _paragraph(ctx, body, "")
                continue
            label, body = _split_label(text)
            if label and body:
                # "5月：…" labels its own paragraph only; a numbered label opens a block.
                time = label_time(label)
                _paragraph(ctx, body, "", para_time=time, extra_heading=None if time else _Heading(7, "", label))
            else:
                _paragraph(ctx, text, "")
            continue
        numbering, level, rest = num
        nxt = _next_line(units, i)
        is_heading = styled_heading or (_heading_candidate(rest) and not _closes_heading(level, nxt))
        ctx.pop_to(level)
        label, body = _split_label(rest)
        if is_heading:
            heading_text = (label or rest).rstrip("。.；;")
            ctx.stack.append(_Heading(level, numbering, heading_text, label_time(heading_text), _heading_mode(heading_text)))
            if label and body:
                _paragraph(ctx, body, "", pushed=True)
            continue
        if label and body:
            ctx.stack.append(_Heading(level, numbering, label, label_time(label), _heading_mode(label)))
            _paragraph(ctx, body, "", pushed=True)
            continue
        # "一、加强领导，健全组织机构。加强对…": a short lead sentence is this item's heading.
        sentences = split_sentences(rest)
        lead = sentences[0].rstrip("。！!") if sentences else ""
        if (
            len(sentences) > 1
            and len(lead) <= 20
            and not _ACTION.search(lead)
            and not best_time(lead)
        ):
            ctx.stack.append(_Heading(level, numbering, lead, None, _heading_mode(lead)))
            _paragraph(ctx, "".join(sentences[1:]), "", pushed=True)
            continue
        _paragraph(ctx, rest, numbering)
    if not ctx.title:
        ctx.title = fallback_title
    return ctx


def _unnumbered_heading(text: str) -> bool:
    if len(text) > 25 or re.search(r"[。；;，,！!？?]", text):
        return False
    if _ACTION.search(text):
        return False
    label, body = _split_label(text)
    return not (label and body)


_HEADER_ROLES = (
    ("seq", re.compile(r"^(?:序号|编号|序)$")),
    ("time", re.compile(r"时间|日期|时限|月份|季度|时段|期限")),
    ("support", re.compile(r"配合|协办|协助")),
    ("owner", re.compile(r"责任|负责|牵头|主办|承办|单位|部门|责任人")),
    ("category", re.compile(r"类别|分类|类型|板块|项目类")),
    ("notes", re.compile(r"备注|说明")),
    ("content", re.compile(r"内容|任务|事项|措施|活动|项目|工作")),
)


def _header_roles(cells: list[str]) -> dict[str, int] | None:
    if not cells or any(len(c) > 10 for c in cells):
        return None
    roles: dict[str, int] = {}
    for col, cell in enumerate(cells):
        for role, regex in _HEADER_ROLES:
            if regex.search(cell) and role not in roles:
                roles[role] = col
                break
    return roles if "content" in roles and len(roles) >= 2 else None


def _is_unit_list(text: str) -> bool:
    """A cell that only names units ("民政办、人武部"), as in a 责任单位 column."""
    if len(text) > 30:
        return False
    parts = [p for p in re.split(r"[、，,/；;\s和及]+", text) if p]
    return bool(parts) and all(_units_in_phrase(p) == [re.sub(r"^(?:县|区|市|镇|乡|街道|局|各|全)", "", p)]
                               or _units_in_phrase(p) == [p] for p in parts)


def _handle_row(ctx: _Context, row: _Row) -> None:
    cells = [c for c in row.cells]
    distinct = [c for c in dict.fromkeys(cells) if c]
    if not distinct:
        return
    if len(distinct) == 1:
        # A row with one text (merged across): a heading or a paragraph, like any line.
        _analyse_line_in_row(ctx, distinct[0])
        return
    roles = ctx.table_roles.get(row.table)
    header = _header_roles(cells)
    if header is not None and roles is None:
        ctx.table_roles[row.table] = header
        return
    time_text = owner_text = support_text = category_text = notes_text = seq_text = ""
    content = ""
    if roles:
        def cell(role: str) -> str:
            col = roles.get(role)
            return cells[col] if col is not None and col < len(cells) else ""

        time_text, owner_text, support_text = cell("time"), cell("owner"), cell("support")
        category_text, notes_text, seq_text, content = cell("category"), cell("notes"), cell("seq"), cell("content")
        used = set(roles.values())
        extra = [c for col, c in enumerate(cells) if col not in used and c and c != content]
        if extra:
            content = "。".join([content, *extra]) if content else "。".join(extra)
    else:
        rest = []
        for c in cells:
            if not c or c in rest:
                continue
            if re.fullmatch(r"[\d一二三四五六七八九十（）()、.．]+", c) and not seq_text:
                seq_text = c
            elif not time_text and len(c) <= 16 and label_time(c):
                time_text = c
            elif not owner_text and _is_unit_list(c):
                owner_text = c
            elif not category_text and c in STANDARD_CATEGORIES:
                category_text = c
            else:
                rest.append(c)
        if not rest:
            return
        longest = max(rest, key=len)
        content = "。".join([longest] + [c for c in rest if c is not longest])
    if not content:
        return
    para_time = label_time(time_text) if time_text else None
    notes = []
    if time_text and para_time is None:
        notes.append(f"原文时间：{time_text}")
    if notes_text:
        notes.append(notes_text)
    owners = [p.strip() for p in re.split(r"[、，,/；;\s]+", owner_text) if p.strip()] if owner_text else []
    owners = [o for o in owners if len(o) <= 20]
    supports = [p.strip() for p in re.split(r"[、，,/；;\s]+", support_text) if p.strip()] if support_text else []
    supports = [s for s in supports if len(s) <= 20]
    if len(owners) > 1:
        supports = owners[1:] + supports
    ctx.recognise(owners + supports)
    heading = None
    if category_text:
        heading = _Heading(7, "", category_text)
    _paragraph(
        ctx, content, seq_text.rstrip("、.．") + ("、" if seq_text else ""),
        para_time=para_time,
        owner_hint=owners[0] if owners else None,
        support_hint=supports,
        extra_heading=heading,
        extra_notes=notes,
        undated_note=bool(time_text and para_time is None),
    )


def _analyse_line_in_row(ctx: _Context, text: str) -> None:
    """A one-text row: treated like a free line (heading when short, tasks otherwise)."""
    num = _numbering(text)
    rest = num[2] if num else text
    if _heading_candidate(rest) and not re.search(r"[。；;]", rest) and not _ACTION.search(rest):
        level = num[1] if num else 1
        ctx.pop_to(level)
        ctx.stack.append(_Heading(level, num[0] if num else "", rest, label_time(rest), _heading_mode(rest)))
        return
    _paragraph(ctx, rest, num[0] if num else "")


# ---------------------------------------------------------------------------
# Paragraph → tasks
# ---------------------------------------------------------------------------


def _block(ctx: _Context) -> _Heading | None:
    for heading in reversed(ctx.stack):
        if heading.time is not None:
            return heading
    return None


def _category(ctx: _Context, text: str, extra: _Heading | None) -> tuple[str, str]:
    """(category, reason if guessed)."""
    headings = [h for h in ctx.stack if h.time is None or label_time(h.text) is None]
    if extra is not None:
        headings = headings + [extra]
    for heading in reversed(headings):
        if heading.text in STANDARD_CATEGORIES:
            return heading.text, ""
        if _is_generic(heading.text):
            continue
        category = map_category(_plain(heading.text))
        if category:
            return category, ""
    for heading in reversed(headings):
        if not _is_generic(heading.text):
            short = _shorten_heading(heading.text)
            if short:
                return short, ""
    category = map_category(_plain(text), _TEXT_CATEGORY_KEYS)
    if category:
        return category, "分类按任务内容推断"
    return OTHER_CATEGORY, "原文未写分类"


def _skip_clause(core: str, own: _Time | None, timed_block: bool, mode: str) -> bool:
    if len(core) < 4:
        return True
    if _BOILERPLATE_PARAGRAPH.search(core):
        return True
    if own is None and (_SLOGAN.search(core) or _DECLARATIVE.search(core)):
        return True
    if mode == "skip" and own is None:
        return True
    if _ACTION.search(core) or own is not None:
        return False
    # Inside an explicit time block the document is listing the block's work: keep
    # anything that reads like an activity phrase.
    return not (timed_block and len(core) >= 8 and not core.startswith(("为了", "为", "使", "让", "通过")))


def _in_window(when: str, window: tuple[date, date] | None, year: int) -> bool | None:
    if window is None:
        return None
    spans = _spans(when, year)
    if spans is None:
        return None
    return bool(spans) and all(window[0] <= due <= window[1] for _, due in spans)


_SPAN_CACHE: dict[tuple[str, int], list[tuple[date, date]] | None] = {}


def _spans(when: str, year: int) -> list[tuple[date, date]] | None:
    """(start, nominal due) of each slot of `when` in `year`; None when it cannot be told."""
    key = (when, year)
    if key in _SPAN_CACHE:
        return _SPAN_CACHE[key]
    probe = Plan(title="probe", year=year, workday="none", tasks=(Task(id="probe", title="probe", when=when),))
    try:
        result = [(o.start, o.nominal_due) for o in expand_plan(probe, year)]
    except (TrackerError, ValueError):
        result = None
    _SPAN_CACHE[key] = result
    return result


def _window(time: _Time, year: int) -> tuple[date, date] | None:
    spans = []
    for when in time.whens:
        s = _spans(when, year)
        if not s:
            return None
        spans.extend(s)
    return min(s for s, _ in spans), max(d for _, d in spans)


def _paragraph(
    ctx: _Context,
    text: str,
    numbering: str,
    *,
    pushed: bool = False,
    para_time: _Time | None = None,
    owner_hint: str | None = None,
    support_hint: list[str] | None = None,
    extra_heading: _Heading | None = None,
    extra_notes: list[str] | None = None,
    undated_note: bool = False,
) -> None:
    if _BOILERPLATE_PARAGRAPH.search(text):
        return
    year = ctx.year
    block = _block(ctx)
    block_time = para_time or (block.time if block else None)
    mode = next((h.mode for h in reversed(ctx.stack) if h.mode), "")
    path = [ctx.section] if ctx.section else []
    path += [h.numbering for h in ctx.stack if h.numbering]
    if numbering and not pushed:
        path.append(numbering)
    where = " ".join(p for p in path if p) or f"第{ctx.paragraph_no}段"

    ctx.recognise(find_owners(text).mentioned)

    window = _window(block_time, year) if block_time else None
    lead: _Time | None = None  # a time that opens the paragraph covers its later sentences
    for number, sentence in enumerate(split_sentences(text)):
        prev: _Time | None = lead
        # 由…负责 / …牵头 name the owner of the whole sentence, not of the paragraph.
        explicit_owner = find_owners(sentence).owner if (_BY_RE.search(sentence) or _LEAD_RE.search(sentence)) else None
        for index, clause in enumerate(split_clauses(sentence)):
            core = _core(clause)
            own = best_time(core)
            opens = number == 0 and index == 0 and own is not None and _starts_with_time(core)
            if _skip_clause(core, own, block_time is not None, mode):
                if own is not None:
                    prev = own
                    if opens:
                        lead = own
                continue
            checks: dict[str, str] = {}
            notes = list(extra_notes or [])
            time = own
            if time is not None and block_time is not None and time is not block_time:
                if time.rank <= 1:
                    # An explicit repeat (每月, 每季度) says more than the block around it.
                    if _in_window(time.whens[0], window, year) is False:
                        checks["when"] = f"原文在“{'、'.join(block_time.whens)}”部分写“{time.phrase}”，请确认"
                else:
                    time = _fit_block(time, block_time, window, year, notes)
            if time is None and not _UNSCHEDULED.search(core):
                time = prev or block_time
            if time is not None and own is not None:
                prev = time
                if opens:
                    lead = time
            if time is None:
                whens, labels = (FALLBACK_WHEN,), ("",)
                checks["when"] = "原文未写时间，暂定年内完成"
                dated = False
                if undated_note:
                    notes.append("原文时间无法识别")
            else:
                whens, labels = time.whens, time.labels or time.whens
                dated = True
                if time.guess:
                    checks["when"] = time.guess
            if mode == "goal":
                checks["title"] = "取自“目标”部分，可能不是具体任务"
            elif not _ACTION.search(core) and own is None:
                checks["title"] = "未找到明确的工作动作，可能不是具体任务"
            owners = find_owners(core)
            ctx.recognise(owners.mentioned)
            owner = owner_hint or owners.owner or explicit_owner
            support = [s for s in dict.fromkeys([*(support_hint or []), *owners.support]) if s != owner]
            if owner is None:
                checks["owner"] = "原文未写责任单位"
            category, why = _category(ctx, core, extra_heading)
            if why:
                checks["category"] = why
            evidence: tuple[str, ...] = ()
            for regex, names in _EVIDENCE_HINTS:
                if regex.search(core):
                    evidence = names
                    break
            amounts = _AMOUNT.findall(core)
            amount = None
            if len(amounts) == 1:
                amount = float(amounts[0][0]) * (10000 if amounts[0][1] else 1)
                if amount > 1e8:  # not a sum a 双拥 task carries: a misread number
                    amount = None
                elif amount == int(amount):
                    amount = int(amount)
            title = _title(clause)
            if owner is not None and not owner_hint:
                # The owner has its own field: "由民政办牵头，人武部配合，" need not open the title.
                title = _OWNER_LEAD.sub("", title) or title
            if len(whens) > 1:
                notes.append(f"原文“{time.phrase}”含{len(whens)}个节日，已分为{len(whens)}项")
            for when, label in zip(whens, labels):
                item_title = title if len(whens) == 1 else f"{title}（{label}）"
                ctx.drafts.append(
                    _Draft(
                        title=item_title,
                        when=when,
                        category=category,
                        owner=owner,
                        support=list(support),
                        source=f"{where} {sentence}".strip(),
                        notes=list(notes),
                        evidence=evidence,
                        amount=amount,
                        checks=dict(checks),
                        dated=dated,
                    )
                )


def _fit_block(time: _Time, block_time: _Time, window, year: int, notes: list[str]) -> _Time:
    """Inside a time block, keep the clause's own time only where it falls in the block."""
    if time.guess:
        notes.append(f"原文“{time.phrase}”")
        return block_time
    inside = [(w, lbl) for w, lbl in zip(time.whens, time.labels or time.whens) if _in_window(w, window, year) is not False]
    if len(inside) == len(time.whens):
        return time
    notes.append(f"原文“{time.phrase}”，按所在时段（{'、'.join(block_time.whens)}）安排")
    if not inside:
        return block_time
    return _Time(tuple(w for w, _ in inside), time.rank, time.start, time.end, time.guess, time.phrase,
                 tuple(lbl for _, lbl in inside))


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def toml_string(value: str) -> str:
    """A TOML basic string: JSON escapes are valid TOML; DEL is not allowed raw in TOML."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_array(values) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def _mark(reason: str | None) -> str:
    return f"  {REVIEW}：{reason}" if reason else ""


@dataclass(frozen=True)
class _Header:
    title: str
    unit: str
    unit_guess: bool
    year: int | None
    owners: tuple[str, ...]
    categories: tuple[str, ...]
    default_owner: str
    source_name: str


def _render(header: _Header, drafts: list[_Draft]) -> tuple[str, list[tuple[int, int]]]:
    lines = [
        f"# 计划草稿，由“{header.source_name}”导入。",
        f"# 行尾标有“{REVIEW}”的内容是根据原文推断的，请逐项核对，核对后可删去这些注释。",
        "# 每项任务的 source 是原文的编号和句子，便于对照。",
        "",
        f"title = {toml_string(header.title)}",
    ]
    if header.unit:
        lines.append(f"unit = {toml_string(header.unit)}" + _mark("单位名称取自标题" if header.unit_guess else None))
    if header.year is not None:
        lines.append(f"year = {header.year}")
    lines += [
        'workday = "previous"',
        f"owners = {_toml_array(header.owners)}",
        f"categories = {_toml_array(header.categories)}",
        f"default_owner = {toml_string(header.default_owner)}",
        f"evidence = {_toml_array(DEFAULT_EVIDENCE)}",
    ]
    spans = []
    for draft in drafts:
        lines.append("")
        start = len(lines) + 1
        lines.append("[[task]]")
        lines.append(f"id = {toml_string(draft.id)}")
        lines.append(f"title = {toml_string(draft.title)}" + _mark(draft.checks.get("title")))
        lines.append(f"when = {toml_string(draft.when)}" + _mark(draft.checks.get("when")))
        lines.append(f"category = {toml_string(draft.category)}" + _mark(draft.checks.get("category")))
        owner = draft.owner or header.default_owner
        lines.append(f"owner = {toml_string(owner)}" + _mark(draft.checks.get("owner")))
        if draft.support:
            lines.append(f"support = {_toml_array(draft.support)}")
        if draft.evidence:
            lines.append(f"evidence = {_toml_array(draft.evidence)}")
        if draft.amount is not None:
            lines.append(f"amount = {draft.amount}")
        if draft.notes:
            lines.append(f"notes = {toml_string('；'.join(dict.fromkeys(draft.notes)))}")
        lines.append(f"source = {toml_string(draft.source)}")
        spans.append((start, len(lines)))
    return "\n".join(lines) + "\n", spans


def _validate(text: str, label: str, year: int | None) -> list[Problem]:
    """Errors the plan loader finds in the draft (warnings do not stop a draft)."""
    plan, problems = parse_plan_text(text, label, year)
    errors = [p for p in problems if p.severity == "error"]
    if plan is None and not errors:
        errors = [Problem(label, 0, "plan", "计划无法读取")]
    return errors


def _when_ok(when: str, year: int) -> bool:
    try:
        parse_when(when)
    except TrackerError:
        return False
    return _spans(when, year) is not None


def _guess_unit(title: str) -> str:
    m = re.match(r"^(.*?)(?:\d{4}|20xx|20XX|xx|××)?年?度?(?:的)?双拥", title)
    if not m:
        return ""
    unit = re.sub(r"(?:\d{4}|20xx|20XX|xx|××)年?度?$", "", m.group(1)).strip(" ：:")
    return unit if 2 <= len(unit) <= 20 else ""


def import_plan(path: Path, *, year: int | None = None, unit: str | None = None) -> ImportResult:
    """Read the document and write a draft plan (TOML text) that always passes validation."""
    path = Path(path)
    blocks = read_document(path)
    if not any(b.text.strip() for b in blocks):
        raise TrackerError(f"{path.name} 里没有文字内容")
    return import_blocks(blocks, name=path.name, fallback_title=path.stem, year=year, unit=unit)


def import_blocks(
    blocks: list[Block], *, name: str = "文档", fallback_title: str = "双拥工作计划",
    year: int | None = None, unit: str | None = None,
) -> ImportResult:
    """The draft for blocks already read (import_plan without the file)."""
    if year is not None and not (2000 <= year <= 2099):
        raise TrackerError(f"年份{year}超出范围，应在 2000—2099 之间")
    # Festival-in-block checks need some year; without one, this year's calendar serves.
    check_year = year or date.today().year
    analysed = _analyse(blocks, fallback_title, check_year)
    drafts = analysed.drafts
    if not drafts:
        raise TrackerError(f"没有在 {name} 中找到可以识别的工作任务（需要有“开展、组织、召开、走访慰问”等具体工作或时间）")

    unit = (unit or "").strip()
    unit_guess = False
    title = _TITLE_NOISE.sub("", analysed.title).strip() or fallback_title or "双拥工作计划"
    if not unit:
        unit = _guess_unit(title)
        unit_guess = bool(unit)
    default_owner = unit if unit and not unit_guess else DEFAULT_OWNER

    for draft in drafts:
        if not _when_ok(draft.when, check_year):
            draft.notes.append(f"原文时间“{draft.when}”无法识别")
            draft.when = FALLBACK_WHEN
            draft.checks["when"] = "原文时间无法识别，暂定年内完成"
            draft.dated = False
    for n, draft in enumerate(drafts, 1):
        draft.id = f"t{n:03d}"

    dropped = 0
    label = f"{fallback_title}.toml"
    for attempt in range(4):
        owners = tuple(dict.fromkeys([*analysed.recognised, *(d.owner for d in drafts if d.owner), *(s for d in drafts for s in d.support), default_owner]))
        categories = tuple(dict.fromkeys(d.category for d in drafts))
        header = _Header(title, unit, unit_guess, year, owners, categories, default_owner, name)
        text, spans = _render(header, drafts)
        errors = _validate(text, label, year)
        if not errors:
            break
        bad: set[int] = set()
        for problem in errors:
            hit = [k for k, (start, end) in enumerate(spans) if start <= problem.line <= end]
            if not hit:
                hit = _task_from_problem(problem, drafts)
            if not hit:
                raise TrackerError("导入结果未通过检查：\n" + "\n".join(str(p) for p in errors))
            bad.update(hit)
        for k in sorted(bad, reverse=True):
            draft = drafts[k]
            if attempt == 0:
                draft.notes.append(f"原文时间“{draft.when}”无法识别")
                draft.when = FALLBACK_WHEN
                draft.checks["when"] = "原文时间无法识别，暂定年内完成"
                draft.dated = False
            elif attempt == 1:
                draft.owner, draft.support, draft.evidence, draft.amount = None, [], (), None
                draft.checks["owner"] = "原文未写责任单位"
            else:
                del drafts[k]
                dropped += 1
        if not drafts:
            raise TrackerError("导入结果未通过检查：\n" + "\n".join(str(p) for p in errors))
    else:
        raise TrackerError("导入结果未通过检查：\n" + "\n".join(str(p) for p in errors))

    dated = sum(1 for d in drafts if d.dated)
    report = ImportReport(
        tasks=len(drafts),
        dated=dated,
        undated=len(drafts) - dated,
        owners_recognised=[o for o in owners if o in analysed.recognised],
        categories=list(categories),
        review=sum(1 for d in drafts if d.checks),
        dropped=dropped,
    )
    return ImportResult(text, report, title)


def _task_from_problem(problem: Problem, drafts: list[_Draft]) -> list[int]:
    """Fallback when a problem carries no usable line: find the task id in its text."""
    found = re.findall(r"\bt\d{3,}\b", f"{problem.field} {problem.message}")
    ids = {d.id: k for k, d in enumerate(drafts)}
    return [ids[i] for i in found if i in ids]


def save_draft(result: ImportResult, target: Path) -> Path:
    """Write the draft; never overwrite an existing file."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(result.toml_text)
    except FileExistsError:
        raise TrackerError(f"{target} 已存在，不会覆盖；请换一个文件名（-o）") from None
    except OSError as exc:
        raise TrackerError(f"无法写入 {target}：{exc.strerror or exc}") from None
    return target
