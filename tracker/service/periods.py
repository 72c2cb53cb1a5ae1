"""Periods (the year, its quarters and months), the query over a year's occurrences and the
progress and summary figures the commands and the app show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.errors import TrackerError
from tracker.model import Status, TrackedOccurrence

# ---------------------------------------------------------------------------
# Periods: the year, its quarters and months
# ---------------------------------------------------------------------------

QUARTER_NAMES = ("一季度", "二季度", "三季度", "四季度")


@dataclass(frozen=True)
class Period:
    key: str  # "year", "Q1".."Q4", "M1".."M12"
    label: str  # 全年, 一季度（1—3月）, 3月
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def periods(year: int) -> tuple[Period, ...]:
    """全年, the four quarters, then the twelve months."""
    result = [Period("year", "全年", date(year, 1, 1), date(year, 12, 31))]
    for q in range(1, 5):
        first = 3 * q - 2
        result.append(
            Period(f"Q{q}", f"{QUARTER_NAMES[q - 1]}（{first}-{first + 2}月）", date(year, first, 1), _month_end(year, first + 2))
        )
    for m in range(1, 13):
        result.append(Period(f"M{m}", f"{m}月", date(year, m, 1), _month_end(year, m)))
    return tuple(result)


def period(year: int, key: str) -> Period:
    for p in periods(year):
        if p.key == key:
            return p
    raise TrackerError(f"未知时段「{key}」，可选：year、Q1-Q4、M1-M12")


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week containing day."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


# ---------------------------------------------------------------------------
# Queries and summaries
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A filter over the year's occurrences; every field optional."""

    period: str = "year"
    owner: str | None = None
    category: str | None = None
    status: Status | None = None
    overdue: bool = False
    text: str = ""  # substring of title (case-insensitive), or of the id
    week: date | None = None  # due in the Monday–Sunday week containing this day


@dataclass(frozen=True)
class Progress:
    done: int
    cancelled: int
    total: int

    @property
    def counted(self) -> int:
        """Cancelled work is not owed, so it does not count against the rate."""
        return self.total - self.cancelled

    @property
    def rate(self) -> float:
        return self.done / self.counted if self.counted else 1.0

    @property
    def fraction(self) -> str:
        """`done/counted`: the counts the percentage is made of, shown beside it."""
        return f"{self.done}/{self.counted}"

    @property
    def percent(self) -> str:
        return f"{round(self.rate * 100)}%"


@dataclass(frozen=True)
class Summary:
    overdue: int
    due_this_week: int
    done: int
    total: int
    cancelled: int = 0  # not owed: out of the "done of" count, as in Progress


@dataclass(frozen=True)
class WeekView:
    monday: date
    overdue: tuple[TrackedOccurrence, ...]  # due before this Monday, not finished
    this_week: tuple[TrackedOccurrence, ...]
    next_week: tuple[TrackedOccurrence, ...]


def evidence_cell(row: TrackedOccurrence) -> str:
    """The evidence column, one meaning in the commands and the app: required items
    satisfied, `1/2`; with none named by the plan, how many items are recorded (or `-`)."""
    have, need = row.evidence_progress
    if need:
        return f"{have}/{need}"
    return str(len(row.state.evidence)) if row.state.evidence else "-"


def progress_of(rows: list[TrackedOccurrence]) -> Progress:
    """Done out of the work owed: cancelled items are out of both the count and the rate, so
    a percentage always sits beside the two numbers it is made of (Progress.fraction)."""
    done = sum(1 for r in rows if r.status is Status.DONE)
    cancelled = sum(1 for r in rows if r.status is Status.CANCELLED)
    return Progress(done, cancelled, len(rows))

