"""From a document to a draft plan: parts, analysis, candidates within the loader's rules, the
report; and saving it (never over an existing file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from tracker.errors import TrackerError

from .analysis import analyse
from .reading import Block, read_document
from .render import (
    DEFAULT_OWNER, Candidate, DraftHeader, LineFate, fit_to_loader, loader_errors, plan_header, render_text,
    reviewed_text,
)
from .structure import _TITLE_NOISE, Part, _line_no, find_parts, units_of


@dataclass(frozen=True)
class ImportReport:
    tasks: int
    dated: int
    undated: int
    owners_recognised: list[str]
    categories: list[str]
    review: int  # tasks with at least one `# 请核对` mark
    dropped: int = 0  # drafts the loader's rules refused (expected 0)
    lines: int = 0  # source lines of the imported plan, each in exactly one of the four below
    task_lines: int = 0
    category_lines: int = 0
    header_lines: int = 0
    skipped_lines: int = 0


@dataclass(frozen=True)
class PartInfo:
    number: int
    title: str
    first_line: int
    last_line: int
    lines: int
    tasks: int  # how many tasks importing this part would give
    marker: str = ""  # 篇一 …, as the file numbers it


@dataclass(frozen=True)
class ImportResult:
    toml_text: str
    report: ImportReport
    title: str = ""
    header: DraftHeader | None = None
    candidates: tuple[Candidate, ...] = ()
    lines: tuple[LineFate, ...] = ()
    part: PartInfo | None = None
    parts: int = 1  # how many plans the file holds


class MultiplePlans(TrackerError):
    """The file holds several plans and none was chosen: they are never merged."""

    def __init__(self, name: str, parts: tuple[PartInfo, ...]):
        self.name = name
        self.parts = parts
        super().__init__(f"{name} 中有 {len(parts)} 份计划，不会合并成一份；请选择其中一份导入")


def _check_year(year: int | None) -> int:
    if year is not None and not (2000 <= year <= 2099):
        raise TrackerError(f"年份{year}超出范围，应在 2000-2099 之间")
    # Festival-in-block checks need some year; without one, this year's calendar serves.
    return year or date.today().year


def _read(path: Path) -> list[Block]:
    blocks = read_document(Path(path))
    if not any(b.text.strip() for b in blocks):
        raise TrackerError(f"{Path(path).name} 里没有文字内容")
    return blocks


def _part_info(part: Part, units: list, year: int) -> PartInfo:
    ctx = analyse(units[part.first: part.last + 1], part.title or "计划", year)
    return PartInfo(part.number, part.title or ctx.title, part.first_line, part.last_line,
                    part.last - part.first + 1, len(ctx.drafts), part.marker)


def list_parts(path: Path, *, year: int | None = None) -> tuple[PartInfo, ...]:
    """The plans a file holds (one for an ordinary plan), with the tasks each would give."""
    return parts_of_blocks(_read(path), year=year)


def parts_of_blocks(blocks: list[Block], *, year: int | None = None) -> tuple[PartInfo, ...]:
    units = units_of(blocks)
    check_year = _check_year(year)
    return tuple(_part_info(p, units, check_year) for p in find_parts(units))


def import_plan(
    path: Path, *, year: int | None = None, unit: str | None = None, part: int | None = None,
) -> ImportResult:
    """Read the document and make a draft plan (TOML text) that passes validation."""
    path = Path(path)
    return import_blocks(_read(path), name=path.name, fallback_title=path.stem, year=year, unit=unit, part=part)


def _guess_unit(title: str) -> str:
    m = re.match(r"^(.*?)(?:\d{4}|20xx|20XX|xx|××)?年?度?(?:的)?双拥", title)
    if not m:
        return ""
    unit = re.sub(r"(?:\d{4}|20xx|20XX|xx|××)年?度?$", "", m.group(1)).strip(" ：:")
    return unit if 2 <= len(unit) <= 20 else ""


def import_blocks(
    blocks: list[Block], *, name: str = "文档", fallback_title: str = "双拥工作计划",
    year: int | None = None, unit: str | None = None, part: int | None = None,
) -> ImportResult:
    """The draft for blocks already read (import_plan without the file)."""
    check_year = _check_year(year)
    units = units_of(blocks)
    parts = find_parts(units)
    if not parts:
        raise TrackerError(f"{name} 里没有文字内容")
    if part is None and len(parts) > 1:
        raise MultiplePlans(name, tuple(_part_info(p, units, check_year) for p in parts))
    if part is not None and not 1 <= part <= len(parts):
        raise TrackerError(f"{name} 中只有 {len(parts)} 份计划，没有第 {part} 份")
    chosen = parts[(part or 1) - 1]
    own = units[chosen.first: chosen.last + 1]
    ctx = analyse(own, chosen.title or fallback_title, check_year)
    if not ctx.drafts:
        raise TrackerError(f"没有在 {name} 中找到可以识别的工作任务（需要有「开展、组织、召开、走访慰问」等具体工作或时间）")

    unit = (unit or "").strip()
    unit_guess = False
    title = _TITLE_NOISE.sub("", ctx.title).strip() or fallback_title or "双拥工作计划"
    if not unit:
        unit = _guess_unit(title)
        unit_guess = bool(unit)
    default_owner = unit if unit and not unit_guess else DEFAULT_OWNER
    probe = DraftHeader(title, unit, unit_guess, year, (), (), default_owner, name)

    candidates: list[Candidate] = []
    units_with_tasks: set[int] = set()
    dropped = 0
    for draft in ctx.drafts:
        c = fit_to_loader(probe, Candidate(
            id=f"t{len(candidates) + 1:03d}",
            title=draft.title,
            when=draft.when,
            category=draft.category,
            owner=draft.owner or "",
            support=tuple(draft.support),
            evidence=draft.evidence,
            amount=draft.amount,
            notes="；".join(dict.fromkeys(draft.notes)),
            source=draft.source,
            line=_line_no(own[draft.unit]),
            checks=tuple(draft.checks.items()),
            dated=draft.dated,
        ))
        if c is None:
            dropped += 1
            continue
        candidates.append(c)
        units_with_tasks.add(draft.unit)
    if not candidates:
        raise TrackerError(f"没有在 {name} 中找到可以识别的工作任务")

    fates = []
    for index, u in enumerate(own):
        if index in units_with_tasks:
            kind, reason = "task", ""
        elif any(d.unit == index for d in ctx.drafts):
            kind, reason = "skipped", "无法整理成有效任务"
        else:
            kind, reason = ctx.fates.get(index, ("skipped", "未识别为任务"))
        fates.append(LineFate(_line_no(u), u.text, kind, reason))

    header = plan_header(replace(probe, owners=tuple(ctx.recognised)), candidates)
    text = render_text(header, candidates, fates)
    errors = loader_errors(text, f"{fallback_title}.toml", year)
    if errors:  # each candidate passed alone, so this is a defect here, not in the document
        raise TrackerError("导入结果未通过检查：\n" + "\n".join(str(p) for p in errors))

    counts = {kind: sum(1 for f in fates if f.kind == kind) for kind in ("task", "category", "header", "skipped")}
    dated = sum(1 for c in candidates if c.dated)
    report = ImportReport(
        tasks=len(candidates),
        dated=dated,
        undated=len(candidates) - dated,
        owners_recognised=[o for o in header.owners if o in ctx.recognised],
        categories=list(header.categories),
        review=sum(1 for c in candidates if c.needs_review),
        dropped=dropped,
        lines=len(fates),
        task_lines=counts["task"],
        category_lines=counts["category"],
        header_lines=counts["header"],
        skipped_lines=counts["skipped"],
    )
    info = PartInfo(chosen.number, chosen.title or title, chosen.first_line, chosen.last_line, len(own), len(candidates),
                    chosen.marker)
    return ImportResult(text, report, title, header, tuple(candidates), tuple(fates), info, len(parts))


def reviewed(result: ImportResult, candidates) -> str:
    """The plan text after a review of `result`'s candidates (kept ones only), validated."""
    if result.header is None:
        raise TrackerError("没有可核对的导入结果")
    return reviewed_text(result.header, tuple(candidates), result.lines)


def save_draft(result: ImportResult | str, target: Path) -> Path:
    """Write the draft (a result, or reviewed text) atomically with a new plan uid, as init does;
    never over an existing file."""
    from tracker.outputs.files import save_atomically
    from tracker.plan.bundled import with_uid

    text = result if isinstance(result, str) else result.toml_text
    return save_atomically(Path(target), with_uid(text), exclusive=True)
