"""What the screens show, cached: the year's rows and each period's progress.

Every value comes from the Tracker service (tracked, get, select, progress, summary,
week); the board only keeps them so that a tick redraws one row instead of re-reading
ten thousand. All calls into the tracker go through `lock`: the first load and reloads
run in a worker thread while edits run on the UI thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.model import TrackedOccurrence
    from tracker.service import Period, Progress, Query, Summary, Tracker, WeekView


@dataclass(frozen=True)
class Filters:
    """The main screen's selection: which period, and the optional filters."""

    period: str = "year"
    owner: str | None = None
    category: str | None = None
    status: str | None = None  # a Status value, or OVERDUE
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.owner or self.category or self.status or self.text.strip())

    def describe(self) -> str:
        from tracker.model import Status

        parts = []
        if self.owner:
            parts.append(f"责任单位：{self.owner}")
        if self.category:
            parts.append(f"分类：{self.category}")
        if self.status:
            parts.append(f"状态：{'逾期' if self.status == OVERDUE else Status(self.status).label}")
        if self.text.strip():
            parts.append(f"搜索：{self.text.strip()}")
        return "，".join(parts)


OVERDUE = "overdue"  # the status filter's 逾期: past due and not finished (derived, not recorded)


class Board:
    def __init__(self, tracker: Tracker) -> None:
        from tracker.service import periods

        self.tracker = tracker
        self.lock = threading.RLock()
        self.year = tracker.year
        self.today = tracker.today
        self.periods: tuple[Period, ...] = periods(tracker.year)
        self.labels = {p.key: p.label for p in self.periods}
        # Month number -> month period key, for days of this year (a month period holds every day of its month).
        self._month_keys = {p.start.month: p.key for p in self.periods if p.key.startswith("M")}
        self.rows: list[TrackedOccurrence] = []
        self._months: dict[str, dict[str, TrackedOccurrence]] = {}
        self._where: dict[str, str | None] = {}  # occurrence id -> month key (None: outside the year)
        self._outside: dict[str, TrackedOccurrence] = {}
        self._pos: dict[str, int] = {}
        self.seen = 0  # the store revision the rows reflect
        self._progress: dict[str, Progress] = {}
        self._indexed = True  # the month buckets and counts are those of self.rows

    # -- loading ---------------------------------------------------------------------------
    def load(self) -> None:
        """Read every row from the service (slow for big plans: call from a worker). The
        months and counts are worked out when first asked for: the rows can be drawn first."""
        with self.lock:
            self.rows = self.tracker.tracked()
            self.seen = self.tracker.store.revision
            self._indexed = False

    def _ensure_index(self) -> None:
        if not self._indexed:
            self._index(self.rows)

    @property
    def progress(self) -> dict[str, Progress]:
        """Each period's progress (key: year, Q1-Q4, M1-M12)."""
        with self.lock:
            self._ensure_index()
            return self._progress

    @property
    def stale(self) -> bool:
        """The store holds changes the rows do not show yet.

        A write first takes in what other processes wrote, so after our own change the
        store may be ahead by more than that change; poll() alone would not notice.
        """
        return self.tracker.store.revision != self.seen

    def _index(self, rows: list[TrackedOccurrence]) -> None:
        """Group the rows by the month period their due date falls in (one pass)."""
        month_keys, year = self._month_keys, self.year
        months: dict[str, dict[str, TrackedOccurrence]] = {k: {} for k in month_keys.values()}
        where: dict[str, str | None] = {}
        outside: dict[str, TrackedOccurrence] = {}
        pos: dict[str, int] = {}
        for i, r in enumerate(rows):
            rid, due = r.id, r.due
            key = month_keys[due.month] if due.year == year else None
            where[rid] = key
            pos[rid] = i
            (months[key] if key else outside)[rid] = r
        self.rows, self._months, self._where, self._outside, self._pos = rows, months, where, outside, pos
        self._recount()
        self._indexed = True

    def _quarter_rows(self, q: int) -> list[TrackedOccurrence]:
        return [r for m in range(3 * q - 2, 3 * q + 1) for r in self._months[f"M{m}"].values()]

    def _recount(self) -> None:
        """Progress of every period from the service's own counting.

        The month buckets hold exactly what select(Query(period=Mn)) returns, so counting a
        bucket is counting the period; a quarter is its three months, and the year its four
        quarters and the rows due outside the year: each row is counted once, and added up.
        """
        from tracker.service import progress_of

        progress = {key: progress_of(list(bucket.values())) for key, bucket in self._months.items()}
        year = progress_of(list(self._outside.values()))
        for q in range(1, 5):
            quarter = _added(progress[f"M{m}"] for m in range(3 * q - 2, 3 * q + 1))
            progress[f"Q{q}"] = quarter
            year = _added((year, quarter))
        progress["year"] = year
        self._progress = progress

    # -- after a change ---------------------------------------------------------------------
    def update(self, occurrence_id: str, seq: int | None = None, year: int | None = None) -> TrackedOccurrence | None:
        """Re-read one row after an edit (recorded as change `seq`); cheap when its due date
        did not move. `year`: the row's own year, when not the board's (the week across New
        Year); such a row is in none of the board's lists and counts."""
        with self.lock:
            if seq is not None and seq == self.seen + 1:
                self.seen = seq  # nothing else came in with our change
            if year is not None and year != self.year:
                return self.tracker.of_year(year).get(occurrence_id)
            self._ensure_index()
            row = self.tracker.get(occurrence_id)
            month = self._where.get(row.id, "?")
            bucket = self._months.get(month) if month else self._outside
            old = bucket.get(row.id) if bucket is not None else None
            if old is None or old.due != row.due:
                self._index(self.tracker.tracked())  # moved in time: the order changes
                return row
            from tracker.service import progress_of

            bucket[row.id] = row
            self.rows = _replaced(self.rows, self._pos.get(row.id), row)
            # Counts add up: take the old row's share out and put the new one's in, instead
            # of counting ten thousand rows again for one tick.
            keys: tuple[str, ...] = ("year",)
            if month:
                keys += (month, f"Q{(int(month[1:]) - 1) // 3 + 1}")
            before, after = progress_of([old]), progress_of([row])
            progress = dict(self._progress)
            for key in keys:
                progress[key] = shifted(progress[key], before, after)
            self._progress = progress
            return row

    def refresh(self) -> bool:
        """Ask the store for changes written elsewhere; True when the rows must be re-read."""
        with self.lock:
            return self.tracker.refresh()

    # -- reading ------------------------------------------------------------------------------
    def query(self, filters: Filters) -> Query:
        from tracker.model import Status
        from tracker.service import Query

        return Query(
            period=filters.period,
            owner=filters.owner,
            category=filters.category,
            status=Status(filters.status) if filters.status and filters.status != OVERDUE else None,
            overdue=filters.status == OVERDUE,
            text=filters.text,
        )

    def select(self, filters: Filters) -> list[TrackedOccurrence]:
        key = filters.period
        if key != "year":
            with self.lock:
                self._ensure_index()
        if key.startswith("M") and key in self._months:
            base = list(self._months[key].values())
        elif key.startswith("Q"):
            base = self._quarter_rows(int(key[1:]))
        else:
            base = self.rows
        return self.tracker.select(self.query(filters), base)

    def matches(self, filters: Filters, row: TrackedOccurrence) -> bool:
        """Whether the service's select keeps this row under these filters."""
        return bool(self.tracker.select(self.query(filters), [row]))

    def summary(self, rows: list[TrackedOccurrence]) -> Summary:
        return self.tracker.summary(rows)

    def week(self, day: date | None) -> WeekView:
        return self.tracker.week(day, self.rows)

    def get(self, occurrence_id: str, year: int | None = None) -> TrackedOccurrence:
        """One row; `year`: the row's own year when not the board's (the week across New Year)."""
        with self.lock:
            return self.tracker.of_year(year or self.year).get(occurrence_id)

    def history(self, occurrence_id: str | None = None, since=None, year: int | None = None):
        with self.lock:
            return self.tracker.of_year(year or self.year).history(occurrence_id, since=since)

    def changed_since(self, revision: int):
        """Every change recorded after `revision`, of any year, by anyone (Tracker.changed_since)."""
        with self.lock:
            return self.tracker.changed_since(revision, every_year=True)

    def names(self, changes) -> dict[tuple[int, str], str]:
        """What a list of changes calls each item, by (year, id) (Tracker.names)."""
        with self.lock:
            return self.tracker.names(changes)

    def owners(self) -> list[str]:
        """The plan's units, then any unit typed in for an item (not in the plan's list)."""
        known = self.tracker.owners()
        seen = dict.fromkeys(known)
        for r in self.rows:
            seen.setdefault(r.owner)
        return list(seen)

    def outside_plan(self) -> set[str]:
        """Units given to items that the plan does not list."""
        return {r.owner for r in self.rows if not self.tracker.owner_in_plan(r.owner)}

    def categories(self) -> list[str]:
        return self.tracker.categories()


def shifted(total, before, after):
    """A count dataclass (Progress, Summary) with one item's `before` share swapped for `after`."""
    return type(total)(
        **{f.name: getattr(total, f.name) - getattr(before, f.name) + getattr(after, f.name) for f in fields(total)}
    )


def _added(counts):
    """The sum of count dataclasses (Progress) of disjoint sets of rows."""
    counts = list(counts)
    return type(counts[0])(**{f.name: sum(getattr(c, f.name) for c in counts) for f in fields(counts[0])})


def _replaced(rows: list[TrackedOccurrence], index: int | None, row: TrackedOccurrence) -> list[TrackedOccurrence]:
    """A copy of the list with the row at index swapped (readers may hold the old list)."""
    rows = rows.copy()
    if index is not None and index < len(rows) and rows[index].id == row.id:
        rows[index] = row
    return rows
