"""The 年度双拥工作总结 as a Word document an office can send upward.

Title from the unit and year; 基本情况, 主要做法和成效 by 大项 with the counted facts, 存在的
问题, 下步打算 (tracker.outputs.narrative); the 落款 (unit, 成文日期) and 填报人/审核人 lines;
then, on landscape pages, the tables: totals by category and by owner, and every item of the
year with Chinese dates, file names (never paths) and no internal ids.
"""

from __future__ import annotations

from pathlib import Path

from tracker.model import EvidenceKind, Status
from tracker.outputs import narrative
from tracker.outputs.batch import collector_paused
from tracker.outputs.docx import DocxWriter, FontSet
from tracker.outputs.files import save_atomically
from tracker.outputs.summary import TALLY_HEADERS, Summary, TaskLine, tally_cells
from tracker.outputs.text import cn_date, cn_short, cn_span, file_name, money, numbered

SIGN_LINES = ("填报人：　　　　　　　　审核人：", "联系电话：")
ITEM_HEADERS = ("序号", "事项", "责任单位", "时间安排", "状态", "完成情况", "佐证材料", "说明")
ITEM_WIDTHS = (1.3, 5.0, 3.2, 2.6, 1.7, 3.2, 4.0, 4.6)


FILE_LABEL = EvidenceKind.FILE.label


def _evidence_cell(t: TaskLine) -> str:
    if not t.evidence:
        return "无"
    lines = []
    for e in t.evidence:
        text = file_name(e.text) if e.kind == FILE_LABEL else e.text
        label = f"（{e.label}）" if e.label else ""
        problem = f"【{e.problem}】" if e.problem else ""
        lines.append(f"{e.kind}：{text}{label}{problem}")
    return "\n".join(lines) or "无"


def _done_cell(t: TaskLine, year: int) -> str:
    parts = []
    if t.status is Status.DONE:
        parts.append(f"完成于{cn_short(t.done_on, year)}" if t.done_on else "已完成")
    if t.place:
        parts.append(f"地点：{t.place}")
    if t.people is not None:
        parts.append(f"人数：{t.people} 人")
    if t.households is not None:
        parts.append(f"户数：{t.households} 户")
    if t.amount_paid is not None:
        parts.append(f"实发：{money(t.amount_paid)} 元")
    elif t.amount is not None:
        parts.append(f"标准：{money(t.amount)} 元")
    if t.attendees:
        parts.append(f"参加：{t.attendees}")
    return "\n".join(parts)


def _remarks(t: TaskLine, year: int) -> str:
    parts = []
    if t.status is Status.POSTPONED:
        parts.append(f"延期至{cn_short(t.due, year)}（原定{cn_short(t.planned_due, year)}）：{t.reason or '未填写原因'}")
    elif t.status is Status.CANCELLED:
        parts.append(f"取消：{t.reason or '未填写原因'}")
    if t.missing:
        parts.append(f"尚缺：{'、'.join(t.missing)}")
    if t.carried_from:
        parts.append(f"延续自{t.carried_from.partition(':')[0]}年")
    if t.indicators:
        parts.append(f"考评指标：{'、'.join(t.indicators)}")
    if t.notes_text:
        parts.append(f"备注：{t.notes_text}")
    return "\n".join(parts)


def item_rows(data: Summary, remarks: dict[int, str] | None = None) -> list[tuple[str, ...]]:
    """附表3's rows; ``remarks`` (if given) keeps each task's 说明 for 附表4 to reuse."""
    rows = []
    append = rows.append
    n = 0
    year = data.year
    item_name = narrative.item_name
    keep = remarks if remarks is not None else {}
    for s in data.sections:
        for t in s.tasks:
            n += 1
            owner = f"{t.owner}\n配合：{'、'.join(t.support)}" if t.support else t.owner
            note = keep[id(t)] = _remarks(t, year)
            append((
                str(n), item_name(t, year), owner, cn_span(t.start, t.due, year), t.status_label,
                _done_cell(t, year), _evidence_cell(t), note,
            ))
    return rows


def summary_docx_bytes(data: Summary, *, fonts: FontSet | None = None, now=None) -> bytes:
    with collector_paused():
        return _summary_docx_bytes(data, fonts, now)


def _summary_docx_bytes(data: Summary, fonts: FontSet | None, now) -> bytes:
    w = DocxWriter(data.report_title, author=data.unit or data.org, fonts=fonts, subject="年度双拥工作总结", now=now)
    w.title(data.report_title)

    w.heading("一、基本情况")
    for text in narrative.basic_situation(data):
        w.para(text)

    w.heading("二、主要做法和成效")
    sections = narrative.practice_sections(data)
    if not sections:
        w.para("本年度计划中没有事项。")
    for i, (name, text) in enumerate(sections, 1):
        w.heading(f"（{numbered(i)}）{name}", 2)
        w.para(text)

    w.heading("三、存在的问题")
    for i, text in enumerate(narrative.problems(data), 1):
        w.para(f"{i}．{text}")

    w.heading("四、下步打算")
    for text in narrative.next_steps(data):
        w.para(text)

    w.signature(data.unit or data.org, cn_date(data.today), SIGN_LINES)

    w.landscape()
    w.heading("附件", indent=False)
    w.caption("附表1　各类别完成情况")
    w.table(
        ("类别", *TALLY_HEADERS),
        [(s.name, *tally_cells(s.tally)) for s in data.sections] + [("合计", *tally_cells(data.overall))],
        (3, 1, 1, 1, 1, 1, 1.3),
    )
    w.caption("附表2　各责任单位完成情况")
    w.table(("责任单位", *TALLY_HEADERS), [(t.name, *tally_cells(t)) for t in data.by_owner], (3, 1, 1, 1, 1, 1, 1.3))
    w.caption("附表3　全年工作事项清单")
    remarks: dict[int, str] = {}
    w.table(ITEM_HEADERS, item_rows(data, remarks), ITEM_WIDTHS)
    if data.carry_over:
        w.caption("附表4　下年度延续事项")
        w.table(
            ("序号", "事项", "类别", "责任单位", "截止", "状态", "说明"),
            [
                (str(i), narrative.item_name(t, data.year), t.category, t.owner, cn_short(t.due, data.year),
                 t.status_label, remarks[id(t)])
                for i, t in enumerate(data.carry_over, 1)
            ],
            (1.3, 5.0, 2.4, 3.0, 2.2, 1.7, 5.2),
        )
    return w.to_bytes()


def write_summary_docx(data: Summary, path: Path | str, *, fonts: FontSet | None = None, protect=()) -> Path:
    """The 总结 as .docx (A4, 公文 fonts, page numbers, 落款), written atomically."""
    return save_atomically(path, summary_docx_bytes(data, fonts=fonts), kind="summary-docx", protect=protect)
