"""The draft plan: drafts checked against the plan loader's rules, then the TOML text and the report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from tracker.errors import Problem, TrackerError
from tracker.plan.loader import parse_plan_text

from .analysis import _analyse
from .reading import Block, read_document
from .structure import _Draft, _TITLE_NOISE
from .tasks import FALLBACK_WHEN

REVIEW = "# 请核对"
DEFAULT_OWNER = "双拥办"
DEFAULT_EVIDENCE = ("活动照片", "签到表")


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


def _loader_errors(text: str, label: str, year: int | None) -> list[Problem]:
    """Errors the plan loader finds in a text (warnings do not stop a draft)."""
    plan, problems = parse_plan_text(text, label, year)
    errors = [p for p in problems if p.severity == "error"]
    if plan is None and not errors:
        errors = [Problem(label, 0, "plan", "计划无法读取")]
    return errors


_TASK_FIELD = re.compile(r"^task\[\d+\]\.(\w+)")


def _rejected_fields(header: _Header, draft: _Draft, year: int | None) -> set[str]:
    """The fields of one draft that the plan loader rejects, checked on the draft alone."""
    names = [n for n in (draft.owner, *draft.support) if n]
    alone = replace(header, owners=tuple(dict.fromkeys([*names, header.default_owner])), categories=(draft.category,))
    text, _ = _render(alone, [draft])
    fields = set()
    for problem in _loader_errors(text, "draft.toml", year):
        m = _TASK_FIELD.match(problem.field)
        fields.add(m.group(1) if m else problem.field)
    return fields


def _fit_to_loader(header: _Header, draft: _Draft, year: int | None) -> bool:
    """Bring a draft within the loader's rules before the plan is rendered; False if it cannot be."""
    bad = _rejected_fields(header, draft, year)
    if not bad:
        return True
    if "when" in bad:
        draft.notes.append(f"原文时间“{draft.when}”无法识别")
        draft.when = FALLBACK_WHEN
        draft.checks["when"] = "原文时间无法识别，暂定年内完成"
        draft.dated = False
    if bad & {"owner", "support"}:
        draft.owner, draft.support = None, []
        draft.checks["owner"] = "原文未写责任单位"
    if "evidence" in bad:
        draft.evidence = ()
    if "amount" in bad:
        draft.amount = None
    return not (bad - {"when", "owner", "support", "evidence", "amount"}) and not _rejected_fields(header, draft, year)


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

    for n, draft in enumerate(drafts, 1):
        draft.id = f"t{n:03d}"
    probe = _Header(title, unit, unit_guess, year, (), (), default_owner, name)
    kept = [d for d in drafts if _fit_to_loader(probe, d, year)]
    dropped = len(drafts) - len(kept)
    drafts = kept
    if not drafts:
        raise TrackerError(f"没有在 {name} 中找到可以识别的工作任务")
    owners = tuple(dict.fromkeys([
        *analysed.recognised, *(d.owner for d in drafts if d.owner), *(s for d in drafts for s in d.support), default_owner,
    ]))
    categories = tuple(dict.fromkeys(d.category for d in drafts))
    header = _Header(title, unit, unit_guess, year, owners, categories, default_owner, name)
    text, _ = _render(header, drafts)
    errors = _loader_errors(text, f"{fallback_title}.toml", year)
    if errors:  # each task passed alone, so this is a defect here, not in the document
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


def save_draft(result: ImportResult, target: Path) -> Path:
    """Write the draft; never overwrite an existing file."""
    from tracker.outputs.files import save_atomically

    return save_atomically(Path(target), result.toml_text, exclusive=True)
