"""The 总结 as a Word document: the same facts as the Markdown, laid out for printing."""

from __future__ import annotations

from pathlib import Path

from tracker.outputs.docx import DocxWriter, FontSet
from tracker.outputs.files import save_atomically
from tracker.outputs.summary import (
    TALLY_HEADERS,
    Summary,
    heading_title,
    overall_sentence,
    subtitle,
    tally_cells,
)
from tracker.outputs.text import numbered


def summary_docx_bytes(data: Summary, *, fonts: FontSet | None = None) -> bytes:
    w = DocxWriter(f"{data.plan_title} {heading_title(data)}", author=data.unit, fonts=fonts)
    w.title(data.plan_title)
    w.para(heading_title(data), center=True)
    w.small(subtitle(data), center=True)

    section = 1
    w.heading(f"{numbered(section)}、总体完成情况")
    w.para(overall_sentence(data))
    w.table(
        ("类别", *TALLY_HEADERS),
        [(s.name, *tally_cells(s.tally)) for s in data.sections] + [("合计", *tally_cells(data.overall))],
        (3, 1, 1, 1, 1, 1, 1.3),
    )
    section += 1
    w.heading(f"{numbered(section)}、各责任单位完成情况")
    w.table(("责任单位", *TALLY_HEADERS), [(t.name, *tally_cells(t)) for t in data.by_owner], (3, 1, 1, 1, 1, 1, 1.3))

    section += 1
    w.heading(f"{numbered(section)}、分类事项清单")
    if not data.sections:
        w.para("（本年度没有事项）")
    for i, s in enumerate(data.sections, 1):
        w.heading(f"（{numbered(i)}）{s.name}（完成 {s.tally.done}/{s.tally.counted}，{s.tally.rate_text}）", 2)
        rows = []
        for n, t in enumerate(s.tasks, 1):
            owner = t.owner + (f"\n配合：{'、'.join(t.support)}" if t.support else "")
            evidence = "\n".join(str(e) for e in t.evidence) or "无"
            remarks = "\n".join(x for x in (t.reason_text, t.origin, f"备注：{t.notes_text}" if t.notes_text else "") if x)
            rows.append(
                (str(n), f"{t.title}\n{t.id}", owner, t.span.replace(" 至 ", "\n至 "), t.status_label,
                 evidence, "、".join(t.missing) or "—", remarks)
            )
        w.table(("序号", "事项", "责任单位", "时间", "状态", "佐证材料", "尚缺", "说明"), rows,
                (1.1, 3.5, 2.1, 2.4, 1.4, 3.1, 1.8, 1.6))

    section += 1
    w.heading(f"{numbered(section)}、下年度延续事项")
    if data.carry_over:
        w.para(f"以下 {len(data.carry_over)} 项尚未完成（逾期的在前），建议列入下年度计划：")
        w.table(
            ("序号", "事项", "类别", "责任单位", "截止", "状态", "说明"),
            [
                (str(i), f"{t.title}\n{t.id}", t.category, t.owner, t.due.isoformat(), t.status_label, t.reason_text)
                for i, t in enumerate(data.carry_over, 1)
            ],
            (1.1, 4.3, 1.9, 2.2, 2.1, 1.4, 4.0),
        )
    else:
        w.para("全部事项均已完成或取消，没有需要延续的事项。")
    return w.to_bytes()


def write_summary_docx(data: Summary, path: Path | str, *, fonts: FontSet | None = None, protect=()) -> Path:
    """A Word document (A4, 公文 fonts, page numbers) that opens the same in Word and WPS."""
    return save_atomically(path, summary_docx_bytes(data, fonts=fonts), kind="summary-docx", protect=protect)
