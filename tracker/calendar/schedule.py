"""Expand a plan's tasks into the dated occurrences of one year.

A county plan has thousands of tasks but only a few dozen distinct `when`
texts, so the dated slots (after the workday policy) are cached per
(when, year, policy); what remains per occurrence is building the dataclass.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from functools import lru_cache
from operator import attrgetter

from tracker.errors import WhenError
from tracker.model import Occurrence, Plan, Task
from tracker.calendar.when import parse_when, slots_for
from tracker.calendar.workdays import adjust

# (period, start, nominal_due, due, shifted, provisional)
_Resolved = tuple[str | None, date, date, date, bool, bool]

_SET_HERE = frozenset(
    ("id", "task_id", "year", "title", "category", "owner", "start", "nominal_due", "due",
     "shifted", "provisional", "period", "support", "evidence", "notes", "amount", "when")
)
_FIELDS = dataclasses.fields(Occurrence)
# Plain defaults of the fields this module does not set (carried_from ...).
_DEFAULTS = {f.name: f.default for f in _FIELDS if f.default is not dataclasses.MISSING}
# Building a frozen dataclass through __init__ costs a guarded setattr per field;
# filling the instance dict directly is three times faster and gives an equal
# object, as long as the class has no __post_init__, no slots, and every field
# is either set here or has a plain default.
_FAST = (
    not hasattr(Occurrence, "__post_init__")
    and "__slots__" not in vars(Occurrence)
    and all(f.name in _SET_HERE or f.default is not dataclasses.MISSING for f in _FIELDS)
)


def _build(values: dict) -> Occurrence:
    if _FAST:
        occurrence = object.__new__(Occurrence)
        object.__setattr__(occurrence, "__dict__", values)
        return occurrence
    return Occurrence(**values)


@lru_cache(maxsize=16384)
def _resolved(when: str, year: int, policy: str) -> tuple[_Resolved, ...]:
    """The slots of a `when` text in a year with the workday policy applied."""
    out = []
    for slot in slots_for(parse_when(when), year):
        if slot.adjustable:
            due, shifted, provisional = adjust(slot.nominal_due, policy)
        else:
            due, shifted, provisional = slot.nominal_due, False, False
        # A due moved back before its window opened (a 上旬 ending in a holiday)
        # still needs a window that contains it.
        out.append((slot.period, min(slot.start, due), slot.nominal_due, due, shifted, provisional))
    return tuple(out)


def expand_task(task: Task, plan: Plan, year: int) -> list[Occurrence]:
    """The occurrences of one task in a year, in date order.

    WhenError names the task when its `when` cannot be read or has no date in the year.
    """
    try:
        resolved = _resolved(task.when, year, plan.workday)
    except WhenError as exc:
        where = f"（第{task.line}行）" if task.line else ""
        raise WhenError(f"任务“{task.id}”{where}的时间“{task.when}”：{exc}") from None
    base = dict(_DEFAULTS)
    base.update(
        task_id=task.id,
        year=year,
        title=task.title,
        category=task.category,
        owner=task.owner,
        support=task.support,
        evidence=task.evidence or plan.evidence,
        notes=task.notes,
        amount=task.amount,
        when=task.when,
    )
    occurrences = []
    for period, start, nominal_due, due, shifted, provisional in resolved:
        values = base.copy()
        values["id"] = task.id if period is None else f"{task.id}@{period}"
        values["start"] = start
        values["nominal_due"] = nominal_due
        values["due"] = due
        values["shifted"] = shifted
        values["provisional"] = provisional
        values["period"] = period
        occurrences.append(_build(values))
    return occurrences


def expand_plan(plan: Plan, year: int) -> list[Occurrence]:
    """Every occurrence of every task in a year, sorted by (due, id).

    WhenError lists every task whose `when` fails for this year, one per line.
    """
    occurrences: list[Occurrence] = []
    problems: list[str] = []
    for task in plan.tasks:
        try:
            occurrences.extend(expand_task(task, plan, year))
        except WhenError as exc:
            problems.append(str(exc))
    if problems:
        raise WhenError("\n".join(problems))
    # Two stable single-key sorts equal one (due, id) sort and skip building a tuple per item.
    occurrences.sort(key=attrgetter("id"))
    occurrences.sort(key=attrgetter("due"))
    return occurrences
