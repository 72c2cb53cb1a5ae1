"""Read the State Council's holiday notice (国务院办公厅关于20XX年部分节假日安排的通知).

The notice is published each November in a fixed style, one item per holiday::

    二、春节：2月5日（农历腊月二十九、周五）至13日（农历正月初七、周六）放假调休，共9天。
    1月31日（周日）、2月20日（周六）上班。

``parse_notice(text, year)`` turns it into HolidayEntry items (days off and 调休 working
days) and a list of remarks (things to check: a day count that does not match, a make-up
day that is not a weekend, a statutory day the notice leaves out). Text is untrusted:
nothing here raises on odd input except NoticeError with a Chinese message.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tracker.calendar.holidayfile import MAX_SPAN_DAYS, HolidayEntry
from tracker.calendar.holidays import statutory_days
from tracker.errors import TrackerError
from tracker.regularfile import read_reason, read_regular

MAX_NOTICE_BYTES = 5 * 1024 * 1024
WEEKDAYS = "一二三四五六日"


class NoticeError(TrackerError):
    """The text is not a holiday notice we can read."""


@dataclass(frozen=True)
class Notice:
    year: int
    title: str
    entries: tuple[HolidayEntry, ...]
    remarks: tuple[str, ...]

    def days(self) -> list[tuple[date, str, str]]:
        """(day, 放假 | 上班, holiday name), in date order: what was understood."""
        rows = [(d, "放假", e.name) for e in self.entries for d in e.days]
        rows += [(d, "上班", e.name) for e in self.entries for d in e.work]
        return sorted(rows)


_ITEM = re.compile(r"(?:^|\n|。)\s*([一二三四五六七八九十]{1,3})、([^：:\n]{1,20})[：:]")
_PAREN = re.compile(r"[（(][^）)]{0,40}[）)]")
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日")
_YEAR = re.compile(r"(\d{4})年(?:部分)?节假日")
_COUNT = re.compile(r"共(\d{1,2}|[一二三四五六七八九十]{1,3})天")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + _CN.get(token[1:], 0)
    if "十" in token:
        tens, _, units = token.partition("十")
        return _CN.get(tens, 0) * 10 + _CN.get(units, 0)
    return _CN.get(token, 0)


def read_notice_file(path: Path) -> str:
    """The text of a notice saved as .txt (UTF-8 or GB18030) or .docx."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise NoticeError(f"找不到文件：{path}") from None
    except OSError as exc:
        raise NoticeError(f"无法读取 {path}：{read_reason(exc)}") from None
    if size > MAX_NOTICE_BYTES:
        raise NoticeError(f"{path} 过大（{size // 1024} KB），不像是放假通知")
    if path.suffix.lower() == ".doc":
        raise NoticeError("不支持旧版 .doc 文件：请在 Word/WPS 中另存为 .docx 或 .txt")
    try:
        data = read_regular(path)  # a pipe named like the notice is refused, not waited on
    except OSError as exc:
        raise NoticeError(f"无法读取 {path}：{read_reason(exc)}") from None
    if path.suffix.lower() == ".docx":
        try:
            import docx

            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - a damaged .docx must end in a message
            raise NoticeError(f"无法读取 Word 文件 {path}（{type(exc).__name__}），请另存为 .docx 或 .txt 再试") from None
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append("".join(cell.text for cell in row.cells))
        return "\n".join(lines)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeError(f"{path} 既不是 UTF-8 也不是 GB18030 编码的文字")


def notice_year(text: str) -> int | None:
    m = _YEAR.search(unicodedata.normalize("NFKC", text))
    return int(m[1]) if m else None


def parse_notice(text: str, year: int | None = None) -> Notice:
    """The holidays of a notice; NoticeError when no holiday item can be read."""
    text = unicodedata.normalize("NFKC", text).replace("\r", "")
    text = "".join(ch for ch in text if ch == "\n" or (ch.isprintable() and ch not in " \t\u3000"))
    year = year or notice_year(text)
    if year is None:
        raise NoticeError("看不出通知是哪一年的：请用 --year 指定，例如 --year 2027")
    if not 1901 <= year <= 2100:
        raise NoticeError(f"年份 {year} 超出支持范围（1901-2100）")
    title = next((line for line in text.split("\n") if "节假日安排" in line), f"{year}年部分节假日安排")
    items = list(_ITEM.finditer(text))
    if not items:
        raise NoticeError("没有找到「一、元旦：...放假」这样的条目：请确认这是国务院办公厅的节假日安排通知")
    entries: list[HolidayEntry] = []
    remarks: list[str] = []
    for i, m in enumerate(items):
        name = m[2].strip()
        end = items[i + 1].start() if i + 1 < len(items) else len(text)
        body = text[m.end():end]
        entry = _parse_item(name, body, year, remarks)
        if entry is not None:
            entries.append(entry)
    if not entries:
        raise NoticeError("通知里没有读出任何放假日期，请检查文字是否完整")
    off = {d for e in entries for d in e.days}
    for day, name in sorted(statutory_days(year).items()):
        if day not in off:
            remarks.append(f"法定节假日 {day.isoformat()}（{name}）不在通知的放假日期中，请核对")
    return Notice(year, title.strip()[:80], tuple(entries), tuple(remarks))


def _dates(sentence: str, year: int, month: int | None) -> list[date]:
    out: list[date] = []
    for m in _DATE.finditer(sentence):
        y = int(m[1]) if m[1] else year
        month = int(m[2]) if m[2] else month
        if month is None:
            continue
        try:
            out.append(date(y, month, int(m[3])))
        except ValueError:
            continue
    return out


def _parse_item(name: str, body: str, year: int, remarks: list[str]) -> HolidayEntry | None:
    clean = _PAREN.sub("", body)
    start = end = None
    work: list[date] = []
    month: int | None = None
    for sentence in re.split(r"[。；;\n]", clean):
        if not sentence:
            continue
        days = _dates(sentence, year, month)
        if days:
            month = days[-1].month
        if "放假" in sentence and start is None and days:
            start, end = days[0], days[1] if len(days) > 1 and "至" in sentence else days[0]
            if end.year == start.year and end < start and end.month == start.month:
                end = None
            count = _COUNT.search(sentence)
            if count and end is not None:
                n = _cn_number(count[1])
                span = (end - start).days + 1
                if len(days) == 1 and n > 1:
                    end = start + timedelta(days=n - 1)  # 1月1日放假，与周末连休，共3天
                elif n != span:
                    remarks.append(f"{name}：通知写「共{n}天」，但 {start}-{end} 是 {span} 天，请核对")
        elif "上班" in sentence:
            work.extend(days)
    if start is None or end is None:
        remarks.append(f"{name}：没有读出放假日期，已跳过")
        return None
    if end < start or (end - start).days > MAX_SPAN_DAYS:
        remarks.append(f"{name}：放假日期 {start}-{end} 不合理，已跳过")
        return None
    for day in work:
        if day.weekday() < 5:
            remarks.append(f"{name}：调休上班日 {day}（周{WEEKDAYS[day.weekday()]}）不是周末，请核对")
    return HolidayEntry(name, start, end, tuple(sorted(set(work))))
