"""The domain model: a plan, its tasks, their dated occurrences, and the tracked state.

Everything here is a frozen dataclass or a pure function. Anything that depends on
"today" takes it as a parameter, so tests can freeze the date.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the calendar package is imported only where dates are computed
    from tracker.calendar.holidays import Holidays

from tracker.textsafe import has_unsafe, visible  # noqa: F401  (for the screens: user text on a terminal)


def positional_builder(cls):
    """A function taking every field of the slotted frozen dataclass `cls` positionally, in
    field order, and returning the same object `cls(...)` would: half the cost of the
    generated ``__init__`` (whose frozen guard routes each field through object.__setattr__),
    for the year's thousands of occurrences, states and evidence items. Only for a class without
    ``__post_init__``, where every field is set (checked here)."""
    import dataclasses

    names = [f.name for f in dataclasses.fields(cls)]
    assert tuple(names) == cls.__slots__ and not hasattr(cls, "__post_init__"), cls
    scope = {f"_set{i}": cls.__dict__[name].__set__ for i, name in enumerate(names)}
    scope.update(_new=object.__new__, _cls=cls)
    params = ", ".join(f"v{i}" for i in range(len(names)))
    body = "".join(f"    _set{i}(o, v{i})\n" for i in range(len(names)))
    exec(f"def build({params}):\n    o = _new(_cls)\n{body}    return o\n", scope)  # noqa: S102 - our own field names only
    build = scope["build"]
    build.__doc__ = f"{cls.__name__}({', '.join(names)}), every field given in this order."
    return build


# ---------------------------------------------------------------------------
# Plan and tasks (what the user writes)
# ---------------------------------------------------------------------------

WORKDAY_POLICIES = ("previous", "next", "none")
# What a fixed-day item (每周一, 每月第一个周四, 3月10日, a festival day, RRULE) does when
# its day is an official holiday: keep (stay, flagged), skip (no occurrence that time),
# next / previous (the nearest working day), next_week (same weekday a week later).
HOLIDAY_RULES = ("keep", "skip", "next", "previous", "next_week")


@dataclass(frozen=True, slots=True)  # a county's plan has thousands: read from the plan cache on every command
class Task:
    """One line of the plan: what must be done, by whom, when."""

    id: str
    title: str
    when: str
    category: str = "未分类"
    owner: str = "未指定"
    support: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    notes: str = ""
    amount: float | None = None
    source: str = ""  # where an imported task came from (numbering, sentence)
    line: int = 0  # line of the task's table in the plan file, for messages
    indicators: tuple[str, ...] = ()  # 考评 indicator codes the task serves, e.g. ("2.3",)
    on_holiday: str | None = None  # one of HOLIDAY_RULES; None: the plan's rule

    def __reduce__(self):  # pickled by value, as Occurrence (see there)
        return build_task, _task_values(self)


@dataclass(frozen=True)
class Plan:
    title: str
    unit: str = ""
    year: int | None = None  # None: a template reused every year
    owners: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    default_owner: str = ""
    evidence: tuple[str, ...] = ()  # default evidence for tasks that name none
    workday: str = "previous"  # one of WORKDAY_POLICIES
    tasks: tuple[Task, ...] = ()
    path: Path | None = None
    uid: str = ""  # stable plan key (calendar UIDs, sync); see docs/plan-format.md
    on_holiday: str = "keep"  # one of HOLIDAY_RULES, for tasks that name none
    holidays: "Holidays | None" = None  # the office's holidays data; None: none
    indicator_catalogue: str = ""  # the 考评 catalogue file the codes refer to ("" = bundled)

    def year_or(self, today: date) -> int:
        """The plan's own year, or the given day's year for a template."""
        return self.year if self.year is not None else today.year


# ---------------------------------------------------------------------------
# Occurrences (what the schedule engine makes of a task for one year)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)  # ten thousand for a county's year: ~3 MiB less than with a dict each
class Occurrence:
    """One dated piece of work.

    id is the task id for a one-off task and ``task-id@period`` for a repeat
    (``meeting@2026-03``, ``review@2026Q2``, ``talk@2026H1``, ``flag@2026-03-02``,
    ``yearly@2026``). A carried-over occurrence from an earlier year is
    ``old-id~2026`` (the year it came from).
    """

    id: str
    task_id: str
    year: int
    title: str
    category: str
    owner: str
    start: date
    nominal_due: date  # the due date before the workday policy
    due: date
    shifted: bool = False  # due != nominal_due because of the workday policy
    provisional: bool = False  # holiday data missing for this year: weekends only
    period: str | None = None  # "2026-03", "2026Q2", "2026H1", "2026-03-02", "2026", or None
    support: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # evidence the plan asks for
    notes: str = ""
    amount: float | None = None
    when: str = ""
    carried_from: str | None = None  # "2025:old-id" for a carry-over
    indicators: tuple[str, ...] = ()  # 考评 indicator codes of the task
    holiday: str | None = None  # the official holiday the due falls on (春节 ...), else None

    def __reduce__(self):
        # Pickled as its values in field order and rebuilt by one positional call (the plan
        # cache keeps years of them): a slotted frozen dataclass's own pickling sets each
        # field through object.__setattr__ from Python, several times slower.
        return build_occurrence, _occurrence_values(self)


def _named(build, name: str):
    """A positional builder under a module-level name, so that pickle can refer to it."""
    build.__name__ = build.__qualname__ = name
    build.__module__ = __name__
    return build


build_occurrence = _named(positional_builder(Occurrence), "build_occurrence")
_occurrence_values = operator.attrgetter(*Occurrence.__slots__)
build_task = _named(positional_builder(Task), "build_task")
_task_values = operator.attrgetter(*Task.__slots__)


# ---------------------------------------------------------------------------
# Tracked state (what the office records during the year)
# ---------------------------------------------------------------------------


class Status(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def finished(self) -> bool:
        """Nothing more is expected: done or cancelled."""
        return self in _FINISHED

    @classmethod
    def parse(cls, text: str) -> "Status":
        """Accept Chinese and English names; raise ValueError with the choices."""
        key = text.strip().lower()
        if key in _STATUS_ALIASES:
            return _STATUS_ALIASES[key]
        choices = "、".join(f"{s.label}({s.value})" for s in cls)
        raise ValueError(f"未知状态「{text}」，可选：{choices}")


_FINISHED = frozenset((Status.DONE, Status.CANCELLED))  # a set: asked of every row of the year
STATUS_LABELS = {
    Status.TODO: "未开始",
    Status.DOING: "进行中",
    Status.DONE: "已完成",
    Status.POSTPONED: "已延期",
    Status.CANCELLED: "已取消",
}
OVERDUE_LABEL = "逾期"

_STATUS_ALIASES: dict[str, Status] = {}
for _s, _label in STATUS_LABELS.items():
    _STATUS_ALIASES[_s.value] = _s
    _STATUS_ALIASES[_label] = _s
    _STATUS_ALIASES[_label.removeprefix("已").removeprefix("未")] = _s
_STATUS_ALIASES.update(
    {
        "未完成": Status.TODO,
        "not started": Status.TODO,
        "open": Status.TODO,
        "in progress": Status.DOING,
        "progress": Status.DOING,
        "finished": Status.DONE,
        "complete": Status.DONE,
        "completed": Status.DONE,
        "延期": Status.POSTPONED,
        "delayed": Status.POSTPONED,
        "postpone": Status.POSTPONED,
        "canceled": Status.CANCELLED,
        "cancel": Status.CANCELLED,
        "取消": Status.CANCELLED,
    }
)


class EvidenceKind(StrEnum):
    NOTE = "note"
    FILE = "file"
    URL = "url"

    @property
    def label(self) -> str:
        return {"note": "说明", "file": "文件", "url": "链接"}[self.value]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of 佐证材料 attached to an occurrence."""

    id: int  # the seq of the change that added it; stable identity
    kind: EvidenceKind
    text: str  # the note, the file's absolute path on this computer, or the URL
    label: str = ""  # which required evidence it stands for, e.g. "签到表"
    size: int | None = None  # files: size when recorded
    sha256: str | None = None  # files: digest when recorded
    archived: str | None = None  # files: absolute path of the copy in the 档案 folder
    added_at: datetime | None = None
    added_by: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """What actually happened, as recorded after the work (all optional)."""

    people: int | None = None  # 人数
    households: int | None = None  # 户数
    amount_paid: float | None = None  # 实发金额 (the plan's amount is a standard per person)
    place: str = ""  # 地点
    attendees: str = ""  # 参加人员

    def __bool__(self) -> bool:
        return self != _NO_FACTS


_NO_FACTS = Facts()
NO_FACTS = _NO_FACTS  # the one empty Facts every untouched state shares (an `is` test is enough)


@dataclass(frozen=True, slots=True)
class OccurrenceState:
    """What the office recorded for one occurrence; the default is untouched."""

    status: Status = Status.TODO
    owner: str | None = None  # reassigned owner; None means the plan's owner
    due: date | None = None  # new due date when postponed
    reason: str = ""  # reason for 延期 / 取消
    notes: str = ""
    evidence: tuple[Evidence, ...] = ()
    updated_at: datetime | None = None
    updated_by: str = ""
    done_on: date | None = None  # when the work was actually done (status 已完成 only)
    facts: Facts = _NO_FACTS

    @property
    def evidence_marks(self) -> tuple[tuple[str, str], ...]:
        """(label, text) of each evidence item, in order: all that matching the plan's named
        evidence reads (see missing_named)."""
        return tuple((item.label, item.text) for item in self.evidence)


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change: the history the store keeps, and what undo reverts."""

    seq: int
    at: datetime
    by: str
    year: int
    occurrence: str
    op: str  # status | owner | due | note | facts | evidence | evidence_remove | relink | carry | undo
    old: Any = None
    new: Any = None
    reason: str = ""
    undoes: int | None = None  # for op == "undo": the seq reverted
    undone: bool = False  # reverted by a later undo
    data: dict[str, Any] = field(default_factory=dict)  # op-specific extras
    txn: str | None = None  # shared by every change one command made; undo reverts a whole txn


# ---------------------------------------------------------------------------
# The view the app, the commands and the exports work with
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)  # ten thousand of them for a county's year
class TrackedOccurrence:
    occurrence: Occurrence
    state: OccurrenceState = OccurrenceState()

    @property
    def id(self) -> str:
        return self.occurrence.id

    @property
    def key(self) -> tuple[int, str]:
        """(year, id): what tells one occurrence from another. The id alone does not once two
        years are shown together: the week across New Year lists 2026's and 2027's one-off
        元旦 item, both ``newyear``."""
        return (self.occurrence.year, self.occurrence.id)

    @property
    def title(self) -> str:
        return self.occurrence.title

    @property
    def owner(self) -> str:
        return self.state.owner or self.occurrence.owner

    @property
    def due(self) -> date:
        return self.state.due or self.occurrence.due

    @property
    def status(self) -> Status:
        return self.state.status

    @property
    def holiday(self) -> str | None:
        """The official holiday the due falls on (国庆节 ...), or None; None too once the office
        moved the due (the holiday belongs to the plan's date)."""
        if self.state.due is not None and self.state.due != self.occurrence.due:
            return None
        return self.occurrence.holiday

    def is_overdue(self, today: date) -> bool:
        state = self.state
        return state.status not in _FINISHED and (state.due or self.occurrence.due) < today

    def status_label(self, today: date) -> str:
        """The status as the office says it; 逾期 when past due and not finished (to do, in
        progress or postponed: every status but the finished ones)."""
        return OVERDUE_LABEL if self.is_overdue(today) else STATUS_LABELS[self.state.status]

    @property
    def missing_evidence(self) -> tuple[str, ...]:
        """Named evidence the plan asks for that no recorded item stands for yet.

        Cancelled work owes no evidence: every surface (list --json, show, 总结, 台账) says none.
        """
        if self.state.status is Status.CANCELLED:
            return ()
        return missing_named(self.occurrence.evidence, self.state.evidence_marks)

    @property
    def evidence_progress(self) -> tuple[int, int]:
        """(required items satisfied, required items): what the evidence column shows, as
        `1/2`, everywhere. Items beyond the requirements do not count."""
        required = self.occurrence.evidence
        return len(required) - len(missing_named(required, self.state.evidence_marks)), len(required)


build_tracked = _named(positional_builder(TrackedOccurrence), "build_tracked")  # the year's rows


def missing_evidence(required: tuple[str, ...], items: tuple[Evidence, ...]) -> tuple[str, ...]:
    """The names in `required` no item stands for (see missing_named)."""
    return missing_named(required, tuple((item.label, item.text) for item in items))


def missing_named(required: tuple[str, ...], marks: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The names in `required` no item, given as its (label, text), stands for.

    An item covers a name when labelled with it, or when the name appears in its text.
    Items with no label and no matching text cover nothing in particular: a photo path
    called ``IMG_0012.jpg`` does not prove a 签到表.
    """
    if not required:
        return ()
    if not marks:
        return tuple(required)
    labels = {label for label, _ in marks if label}
    unlabelled = [text for label, text in marks if not label]
    if not unlabelled:
        return tuple(name for name in required if name not in labels)
    # One search of the texts joined by NUL instead of one per text: a name without NUL
    # found in the joined text lies inside one of them.
    joined = "\0".join(unlabelled)

    def in_text(name: str) -> bool:
        return name in joined if "\0" not in name else any(name in text for text in unlabelled)

    return tuple(name for name in required if name not in labels and not in_text(name))
