"""The draft plan as data (candidates, the fate of every source line) and as TOML text, checked
against the plan loader's own rules.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from tracker.errors import Problem, TrackerError
from tracker.plan.loader import parse_plan_text

REVIEW = "# 请核对"
SKIPPED = "# 已跳过"
DEFAULT_OWNER = "双拥办"
DEFAULT_EVIDENCE = ("活动照片", "签到表")
FALLBACK_WHEN = "年内"
LINE_KINDS = ("task", "category", "header", "skipped")
_COMMENT_TEXT = 60  # characters of a skipped line quoted in its comment


@dataclass(frozen=True)
class Candidate:
    """One proposed task, as the review shows it and the draft writes it."""

    id: str
    title: str
    when: str
    category: str
    owner: str = ""  # "" → the plan's default owner
    support: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    amount: float | int | None = None
    notes: str = ""
    source: str = ""  # the document's numbering and sentence
    line: int = 0  # line of the file (for .docx: paragraph or table row number)
    checks: tuple[tuple[str, str], ...] = ()  # (field, why it is a guess) → `# 请核对`
    keep: bool = True
    dated: bool = True

    def check(self, name: str) -> str:
        return dict(self.checks).get(name, "")

    @property
    def needs_review(self) -> bool:
        return bool(self.checks)

    def edited(self, **changes) -> Candidate:
        """The candidate with fields set by a person: their marks go, the person has looked."""
        checks = tuple((k, v) for k, v in self.checks if k not in changes)
        return replace(self, checks=checks, **changes)


@dataclass(frozen=True)
class LineFate:
    """Where one line of the source went: a task, a category, the plan header, or skipped."""

    line: int
    text: str
    kind: str  # one of LINE_KINDS
    reason: str = ""


@dataclass(frozen=True)
class DraftHeader:
    title: str
    unit: str
    unit_guess: bool
    year: int | None
    owners: tuple[str, ...]
    categories: tuple[str, ...]
    default_owner: str
    source_name: str


def toml_string(value: str) -> str:
    """A TOML basic string: JSON escapes are valid TOML; DEL is not allowed raw in TOML."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_array(values) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def _mark(reason: str | None) -> str:
    return f"  {REVIEW}：{_one_line(reason)}" if reason else ""


def _one_line(text: str, limit: int | None = None) -> str:
    text = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _skipped_comment(fate: LineFate) -> str:
    where = f"第{fate.line}行" if fate.line else ""
    return f"{SKIPPED}：{fate.reason or '未识别为任务'}：{where}“{_one_line(fate.text, _COMMENT_TEXT)}”"


def _task_lines(c: Candidate, default_owner: str) -> list[str]:
    lines = [
        "[[task]]",
        f"id = {toml_string(c.id)}",
        f"title = {toml_string(c.title)}" + _mark(c.check("title")),
        f"when = {toml_string(c.when)}" + _mark(c.check("when")),
        f"category = {toml_string(c.category)}" + _mark(c.check("category")),
        f"owner = {toml_string(c.owner or default_owner)}" + _mark(c.check("owner")),
    ]
    if c.support:
        lines.append(f"support = {_toml_array(c.support)}")
    if c.evidence:
        lines.append(f"evidence = {_toml_array(c.evidence)}")
    if c.amount is not None:
        lines.append(f"amount = {c.amount}")
    if c.notes:
        lines.append(f"notes = {toml_string(c.notes)}")
    lines.append(f"source = {toml_string(c.source)}")
    return lines


def render_text(header: DraftHeader, candidates, fates=()) -> str:
    """The draft plan: header, kept tasks in document order, and a `# 已跳过` comment for every
    skipped line and every candidate the review dropped."""
    lines = [
        f"# 计划草稿，由“{_one_line(header.source_name)}”导入。",
        f"# 行尾标有“{REVIEW}”的内容是根据原文推断的，请逐项核对，核对后可删去这些注释。",
        f"# 每项任务的 source 是原文的编号和句子，便于对照；“{SKIPPED}”注明原文中没有作为任务的行。",
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
    skipped = sorted((f for f in fates if f.kind == "skipped"), key=lambda f: f.line)
    k = 0
    for c in candidates:
        comments = []
        while k < len(skipped) and skipped[k].line <= c.line:
            comments.append(_skipped_comment(skipped[k]))
            k += 1
        if not c.keep:
            comments.append(f"{SKIPPED}：核对时删去：{c.id}“{_one_line(c.title, _COMMENT_TEXT)}”")
        if comments:
            lines += ["", *comments]
        if c.keep:
            lines += ["", *_task_lines(c, header.default_owner)]
    if k < len(skipped):
        lines += ["", *(_skipped_comment(f) for f in skipped[k:])]
    return "\n".join(lines) + "\n"


def loader_errors(text: str, label: str, year: int | None) -> list[Problem]:
    """Errors the plan loader finds in a text (warnings do not stop a draft)."""
    plan, problems = parse_plan_text(text, label, year)
    errors = [p for p in problems if p.severity == "error"]
    if plan is None and not errors:
        errors = [Problem(label, 0, "plan", "计划无法读取")]
    return errors


_TASK_FIELD = re.compile(r"^task\[\d+\]\.(\w+)")


def rejected_fields(header: DraftHeader, c: Candidate) -> dict[str, str]:
    """The fields of one candidate the plan loader rejects (field → message), checked alone."""
    names = [n for n in (c.owner, *c.support) if n]
    alone = replace(header, owners=tuple(dict.fromkeys([*names, header.default_owner])), categories=(c.category,))
    fields: dict[str, str] = {}
    for problem in loader_errors(render_text(alone, [replace(c, keep=True)]), "draft.toml", header.year):
        m = _TASK_FIELD.match(problem.field)
        fields.setdefault(m.group(1) if m else problem.field, problem.message)
    return fields


def fit_to_loader(header: DraftHeader, c: Candidate) -> Candidate | None:
    """The candidate brought within the loader's rules before the plan is rendered, or None."""
    bad = rejected_fields(header, c)
    if not bad:
        return c
    changes: dict = {}
    checks = dict(c.checks)
    notes = c.notes
    if "when" in bad:
        notes = "；".join(x for x in (notes, f"原文时间“{c.when}”无法识别") if x)
        changes.update(when=FALLBACK_WHEN, dated=False)
        checks["when"] = "原文时间无法识别，暂定年内完成"
    if bad.keys() & {"owner", "support"}:
        changes.update(owner="", support=())
        checks["owner"] = "原文未写责任单位"
    if "evidence" in bad:
        changes["evidence"] = ()
    if "amount" in bad:
        changes["amount"] = None
    if bad.keys() - {"when", "owner", "support", "evidence", "amount"}:
        return None
    fixed = replace(c, notes=notes, checks=tuple(checks.items()), **changes)
    return None if rejected_fields(header, fixed) else fixed


def plan_header(header: DraftHeader, candidates) -> DraftHeader:
    """The header listing every owner and category the kept candidates use."""
    kept = [c for c in candidates if c.keep]
    owners = tuple(dict.fromkeys([
        *header.owners, *(c.owner for c in kept if c.owner), *(s for c in kept for s in c.support), header.default_owner,
    ]))
    categories = tuple(dict.fromkeys(c.category for c in kept))
    return replace(header, owners=owners, categories=categories)


def reviewed_text(header: DraftHeader, candidates, fates=()) -> str:
    """The plan after review: only kept candidates, checked by the loader; TrackerError if it fails."""
    if not any(c.keep for c in candidates):
        raise TrackerError("没有保留任何任务：至少保留一项再保存")
    text = render_text(plan_header(header, candidates), candidates, fates)
    errors = loader_errors(text, "draft.toml", header.year)
    if errors:
        raise TrackerError("计划未通过检查：\n" + "\n".join(str(p) for p in errors))
    return text
