"""The year-end 总结 checklist: every task, its status, its evidence, what is missing.

`summary_data` turns the tracked rows into plain dataclasses; `summary_markdown` and
`write_summary_docx` only lay those out, so both formats always say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from datetime import date

from tracker.evidence import evidence_label, evidence_state, is_problem
from tracker.model import Evidence, EvidenceKind, Plan, Status, TrackedOccurrence
from tracker.outputs.batch import collector_paused
from tracker.outputs.text import LINE_BREAKS, md, numbered

__all__ = ["md", "numbered", "summary_data", "summary_markdown"]

# ---------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLine:
    kind: str  # 说明 / 文件 / 链接
    text: str
    label: str = ""  # the required evidence it stands for
    problem: str = ""  # 文件缺失 / 文件已变更 / 原文件已移走，档案中有副本, or ""
    state: str = "present"  # tracker.evidence's word for a file item

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
    period: str | None = None
    done_on: date | None = None  # when the work actually happened (recorded), if known
    people: int | None = None  # 人数 reached
    households: int | None = None  # 户数
    amount_paid: float | None = None  # 实发金额
    place: str = ""
    attendees: str = ""
    indicators: tuple[str, ...] = ()  # 考评 indicator codes the task serves

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
        notes = self.notes
        if not notes:
            return ""
        if "\n" not in notes and "\r" not in notes:
            return notes.strip()
        return "；".join(line.strip() for line in notes.splitlines() if line.strip())

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

    @property
    def org(self) -> str:
        """The unit's short name for the title: 幸福社区, not 幸福社区双拥工作领导小组."""
        return short_unit(self.unit, self.plan_title)

    @property
    def report_title(self) -> str:
        return f"{self.org}{self.year}年度双拥工作总结"

    def done_tasks(self) -> list[TaskLine]:
        return [t for s in self.sections for t in s.tasks if t.status is Status.DONE]

    @cached_property  # the prose asks several times; a Summary never changes
    def done_lacking(self) -> tuple[int, int, int]:
        """(done items, of which lack named evidence, evidence items they lack)."""
        done = self.done_tasks()
        lacking = [t for t in done if t.missing]
        return len(done), len(lacking), sum(len(t.missing) for t in lacking)

    @cached_property
    def open_lacking(self) -> tuple[int, int]:
        """(overdue items lacking evidence, not-yet-due items lacking evidence): owed later."""
        overdue = not_due = 0
        for s in self.sections:
            for t in s.tasks:
                if t.missing and not t.status.finished:
                    if t.overdue:
                        overdue += 1
                    else:
                        not_due += 1
        return overdue, not_due


_UNIT_SUFFIXES = ("双拥工作领导小组办公室", "双拥工作领导小组", "双拥领导小组", "双拥工作办公室", "双拥办公室", "双拥办")


def short_unit(unit: str, plan_title: str = "") -> str:
    """The unit without its 领导小组/双拥办 tail; from the plan's title when there is no unit."""
    text = (unit or "").strip()
    for suffix in _UNIT_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    if text:
        return text
    title = (plan_title or "").strip()
    cut = re.split(r"\d{4}\s*年", title, maxsplit=1)[0].strip()
    if cut and cut != title:
        return cut
    return re.sub(r"(双拥)?工作计划.*$", "", title).strip()


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
    check: Callable[[Evidence], str] | None = None,
) -> Summary:
    """Group the year's rows by category with totals, per-owner rates and the carry-over list.

    ``check`` gives a file item's state (tracker.evidence's rule unless a test passes another).
    """
    with collector_paused():
        return _summary_data(plan, rows, year, today, check or evidence_state)


def _summary_data(plan: Plan, rows: list[TrackedOccurrence], year: int, today: date, check) -> Summary:
    tasks: list[TaskLine] = []
    append = tasks.append
    file_kind = EvidenceKind.FILE
    kind_labels = {kind: kind.label for kind in EvidenceKind}
    done, cancelled = Status.DONE, Status.CANCELLED
    labels = {status: status.label for status in Status}
    # 10,000 rows at year end: the loop looks things up once, not per row (bench/bench_exports.py).
    for row in rows:
        occ, state = row.occurrence, row.state
        status = state.status
        due = state.due or occ.due
        overdue = status is not done and status is not cancelled and due < today
        facts = state.facts
        items = state.evidence
        if items:
            lines = []
            for item in items:
                if item.kind is file_kind:
                    found = check(item)
                    lines.append(EvidenceLine(kind_labels[file_kind], item.text, item.label, evidence_label(item, found),
                                              found))
                else:
                    lines.append(EvidenceLine(kind_labels[item.kind], item.text, item.label))
            lines = tuple(lines)
        else:
            lines = ()
        append(
            TaskLine(  # in field order: positional arguments make 10,000 of these noticeably quicker
                occ.id,
                occ.title,
                occ.category,
                state.owner or occ.owner,
                occ.support,
                status,
                row.status_label(today) if overdue else labels[status],
                overdue,
                occ.start,
                due,
                occ.due,
                occ.when,
                occ.evidence,
                lines,
                row.missing_evidence if occ.evidence else (),
                state.reason,
                state.notes,
                occ.amount,
                occ.carried_from,
                occ.period,
                state.done_on if status is done else None,
                facts.people,
                facts.households,
                facts.amount_paid,
                facts.place or "",
                facts.attendees or "",
                tuple(occ.indicators),
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
        file_problems=sum(1 for t in tasks for e in t.evidence if is_problem(e.state)),
    )


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

def md_evidence(item: EvidenceLine) -> str:
    """File paths as code (no escaping to read around), links as autolinks, notes as text."""
    text = LINE_BREAKS.sub(" ", item.text).strip()
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


