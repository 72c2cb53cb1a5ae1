"""The tracker proper: one plan's year joined with its recorded state; every change goes
through the store."""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from tracker.errors import TrackerError, UnknownOccurrence
from tracker.model import (
    Change,
    EvidenceKind,
    Occurrence,
    OccurrenceState,
    Plan,
    Status,
    TrackedOccurrence,
    build_tracked,
)
from tracker.service.periods import Progress, Query, Summary, WeekView, _month_end, period, progress_of, week_of
from tracker.plan.key import plan_key
from tracker.state.store import Store
from tracker.wording import item_name

CARRY_DUE_MONTH = 3  # carried-over work is due by the end of the new year's first quarter


def _by_due(row: TrackedOccurrence) -> tuple[date, str]:
    return (row.due, row.id)


class Tracker:
    """One plan's year, joined with its recorded state."""

    def __init__(
        self, plan: Plan, store: Store, year: int, today: date, *, archive_dir: Path | None = None
    ) -> None:
        self.plan = plan
        self.store = store
        self.year = year
        self.today = today
        self.archive_dir = archive_dir
        self._occurrences: list[Occurrence] | None = None
        self._by_id: dict[str, Occurrence] = {}
        self._carried: tuple[int, ...] = ()  # seqs of the carry-overs in _occurrences
        store.bind_plan(plan_key(plan))
        self._seen_revision = store.revision
        self._years: dict[int, Tracker] = {}  # the plan's other years, as met (see of_year)

    def of_year(self, year: int) -> "Tracker":
        """The same plan and state file for another year (this one for its own year): the
        week across New Year shows next year's items, and a change to one of them is that
        year's record. Raises like the constructor and expansion when the plan has no such
        year."""
        if year == self.year:
            return self
        other = self._years.get(year)
        if other is None:
            other = self._years[year] = Tracker(self.plan, self.store, year, self.today, archive_dir=self.archive_dir)
        else:
            other.today = self.today  # the clock moves on for both
            other._forget_carry_overs_if_changed()  # a rollover into that year since
        return other

    # -- occurrences -------------------------------------------------------------
    @property
    def occurrences(self) -> list[Occurrence]:
        """The plan's occurrences for the year plus work carried over into it."""
        if self._occurrences is None:
            from tracker.plan.cache import expand_cached as expand_plan

            self._carried = self.store.carry_seqs(self.year)
            carried = self._carried_over()
            occurrences = expand_plan(self.plan, self.year) + carried
            occurrences.sort(key=lambda o: (o.due, o.id))
            self._occurrences = occurrences
            self._by_id = {o.id: o for o in occurrences}
        return self._occurrences

    def _carried_over(self) -> list[Occurrence]:
        snaps = self.store.carry_overs(self.year)
        if not snaps:
            return []  # nothing carried in: the holiday data for the carried due date is not needed
        from tracker.calendar.holidays import NO_HOLIDAYS
        from tracker.calendar.workdays import adjust

        result = []
        nominal = _month_end(self.year, CARRY_DUE_MONTH)
        due, shifted, provisional = adjust(nominal, self.plan.workday, self.plan.holidays or NO_HOLIDAYS)
        for snap in snaps:
            from_year = int(snap.get("from_year", self.year - 1))
            from_id = str(snap.get("from_id") or snap.get("id"))
            kept = snap.get("due")
            # Work postponed into this year keeps the date it was postponed to.
            own = isinstance(kept, date) and kept.year == self.year and snap.get("status") == Status.POSTPONED.value
            result.append(
                Occurrence(
                    id=f"{from_id}~{from_year}",
                    task_id=str(snap.get("task_id") or from_id.split("@")[0]),
                    year=self.year,
                    title=str(snap.get("title", from_id)),
                    category=str(snap.get("category", "未分类")),
                    owner=str(snap.get("owner", "未指定")),
                    start=date(self.year, 1, 1),
                    nominal_due=kept if own else nominal,
                    due=kept if own else due,
                    shifted=False if own else shifted,
                    provisional=False if own else provisional,
                    period=None,
                    evidence=tuple(snap.get("evidence", ())),
                    notes=f"延续自{from_year}年（原截止 {snap.get('due', '')}）",
                    when="延续事项",
                    carried_from=f"{from_year}:{from_id}",
                )
            )
        return result

    def carried_forward(self) -> frozenset[str]:
        """Ids of this year's occurrences a rollover carried into a later year."""
        out: set[str] = set()
        for later in self.store.years():
            if later > self.year:
                for snap in self.store.carry_overs(later):
                    if str(snap.get("from_year")) == str(self.year):
                        out.add(str(snap.get("from_id") or snap.get("id")))
        return frozenset(out)

    def tracked(self) -> list[TrackedOccurrence]:
        """Every occurrence of the year with its state, sorted by effective due date."""
        states = self.store.states(self.year)
        default = OccurrenceState()
        get = states.get
        rows = [build_tracked(o, get(o.id, default)) for o in self.occurrences]
        # The occurrences are sorted by (due, id) already: only the rows whose due the office
        # moved are out of place. Taking those out and inserting each at its place gives the
        # order a full sort gives (the ids are unique), without sorting ten thousand rows.
        moved = [i for i, r in enumerate(rows) if r.state.due is not None and r.state.due != r.occurrence.due]
        if len(moved) * 8 > len(rows):
            rows.sort(key=_by_due)
        elif moved:
            out = [rows[i] for i in moved]
            for i in reversed(moved):
                del rows[i]
            for r in out:
                insort(rows, r, key=_by_due)
        return rows

    def _one(self, occurrence_id: str) -> Occurrence | None:
        """One occurrence by its exact id. Before the year has been expanded, only its task is
        (a single-item command need not expand 3,000 tasks); the same rule, the same result."""
        if self._occurrences is None and "~" not in occurrence_id:
            task_id = occurrence_id.split("@", 1)[0]
            task = next((t for t in self.plan.tasks if t.id == task_id), None)
            if task is not None:
                from tracker.plan.cache import expand_task_cached

                for occ in expand_task_cached(self.plan, task, self.year):
                    if occ.id == occurrence_id:
                        return occ
        self.occurrences
        return self._by_id.get(occurrence_id)

    def get(self, occurrence_id: str) -> TrackedOccurrence:
        occ = self._one(occurrence_id)
        if occ is None:
            raise UnknownOccurrence(f"找不到事项「{occurrence_id}」")
        return TrackedOccurrence(occ, self.store.state(self.year, occ.id))

    def resolve(self, text: str) -> TrackedOccurrence:
        """An exact id, else a unique id prefix; a clear error listing candidates otherwise."""
        key = text.strip()
        occ = self._one(key) if key else None
        if occ is not None:
            return TrackedOccurrence(occ, self.store.state(self.year, occ.id))
        self.occurrences
        if key in self._by_id:
            return self.get(key)
        matches = sorted(i for i in self._by_id if i.startswith(key)) if key else []
        if len(matches) == 1:
            return self.get(matches[0])
        if not matches:
            near = sorted(i for i in self._by_id if key and key.split("@")[0] in i)[:10]
            hint = f"；相近的编号：{'、'.join(near)}" if near else "；用 `shuangyong-tui list` 查看编号"
            raise UnknownOccurrence(f"{self.year}年没有编号为「{key}」的事项{hint}", tuple(near))
        shown = "、".join(matches[:12]) + (f" 等 {len(matches)} 个" if len(matches) > 12 else "")
        raise UnknownOccurrence(f"编号「{key}」不唯一，可能是：{shown}", tuple(matches))

    # -- queries -----------------------------------------------------------------
    def select(self, query: Query = Query(), rows: list[TrackedOccurrence] | None = None) -> list[TrackedOccurrence]:
        week = week_of(query.week) if query.week else None
        span = period(self.year, query.period) if query.period != "year" else None
        if rows is None:
            rows = self._within(*((span.start, span.end) if span else week)) if span or week else self.tracked()
            if week:
                rows += self.neighbour_rows(*week)
        text = query.text.strip().lower()
        result = []
        for r in rows:
            if span and not span.contains(r.due):
                continue
            if week and not week[0] <= r.due <= week[1]:
                continue
            if query.owner and query.owner != r.owner and query.owner not in r.occurrence.support:
                continue
            if query.category and query.category != r.occurrence.category:
                continue
            if query.status is not None and r.status is not query.status:
                continue
            if query.overdue and not r.is_overdue(self.today):
                continue
            if text and text not in r.title.lower() and text not in r.id.lower():
                continue
            result.append(r)
        return result

    def _within(self, first: date, last: date) -> list[TrackedOccurrence]:
        """The year's rows due from `first` to `last`, as tracked() has them, sorted the same way: the
        rows are chosen by their due (the office's where it moved one, TrackedOccurrence.due's
        rule), so only the states of those few are made."""
        moved = self.store.due_overrides(self.year)
        state = self.store.state
        rows = [
            TrackedOccurrence(o, state(self.year, o.id))
            for o in self._candidates(first, last, moved)
            if first <= (moved.get(o.id) or o.due) <= last
        ]
        rows.sort(key=lambda r: (r.due, r.id))
        return rows

    def _candidates(self, first: date, last: date, moved: dict[str, date]) -> list[Occurrence]:
        """Occurrences among which every row due from `first` to `last` is: the year's, or,
        before the year has been expanded, those the plan has due then (its cache keeps the
        year by month), those the office moved into those days, and the carried-over work."""
        if self._occurrences is not None:
            return self._occurrences
        from tracker.plan.cache import expand_between_cached

        planned = expand_between_cached(self.plan, self.year, first, last)
        if planned is None:
            return self.occurrences
        seen = {o.id for o in planned}
        for occurrence_id, due in moved.items():
            if first <= due <= last and occurrence_id not in seen and "~" not in occurrence_id:
                occurrence = self._one(occurrence_id)
                if occurrence is not None:
                    planned.append(occurrence)
                if self._occurrences is not None:  # _one expanded the year: use it whole
                    return self._occurrences
        return planned + self._carried_over()

    def progress(self, key: str = "year", rows: list[TrackedOccurrence] | None = None) -> Progress:
        return progress_of(self.select(Query(period=key), rows))

    def summary(self, rows: list[TrackedOccurrence]) -> Summary:
        monday, sunday = week_of(self.today)
        return Summary(
            overdue=sum(1 for r in rows if r.is_overdue(self.today)),
            due_this_week=sum(1 for r in rows if monday <= r.due <= sunday and not r.status.finished),
            done=sum(1 for r in rows if r.status is Status.DONE),
            total=len(rows),
            cancelled=sum(1 for r in rows if r.status is Status.CANCELLED),
        )

    def week(self, day: date | None = None, rows: list[TrackedOccurrence] | None = None) -> WeekView:
        """The weekly meeting: what is overdue, due this week and due next week."""
        monday, sunday = week_of(day or self.today)
        next_sunday = sunday + timedelta(days=7)
        rows = (self.tracked() if rows is None else rows) + self.neighbour_rows(monday, next_sunday)
        # Overdue: due before this week and not finished; this week's items are listed below.
        overdue = tuple(r for r in rows if not r.status.finished and r.due < monday)
        this_week = tuple(r for r in rows if monday <= r.due <= sunday)
        next_week = tuple(r for r in rows if sunday < r.due <= next_sunday)
        return WeekView(monday, overdue, this_week, next_week)

    def neighbour_rows(self, first: date, last: date) -> list[TrackedOccurrence]:
        """Items of the years next to this one due between first and last (a week across
        New Year), from the plan expanded for that year; none when it cannot be expanded."""
        rows: list[TrackedOccurrence] = []
        for year in sorted({first.year, last.year} - {self.year}):
            try:
                rows += self.of_year(year)._within(first, last)
            except (TrackerError, ValueError, OverflowError):
                continue
        return rows

    def names(self, changes: list[Change]) -> dict[tuple[int, str], str]:
        """What a list of changes calls each item, by (year, id): this year's by title, another
        year's (the week across New Year) by title and full due date, so that 2026's and
        2027's 元旦 item, both ``newyear``, are told apart. An item no plan year has is left out."""
        wanted = {(c.year, c.occurrence) for c in changes}
        wanted |= {(c.year, str(c.new)) for c in changes if c.op == "relink"}  # the record's new id
        names = {}
        for year, occurrence_id in sorted(wanted):
            try:
                row = self.of_year(year).get(occurrence_id)
            except (TrackerError, ValueError, OverflowError):
                continue
            names[(year, occurrence_id)] = item_name(row, self.year)
        return names

    def orphans(self) -> list[str]:
        """Ids with recorded state that the plan no longer produces (kept, never deleted)."""
        known = {o.id for o in self.occurrences}
        return sorted(i for i in self.store.states(self.year) if i not in known)

    def owners(self) -> list[str]:
        """The plan's owners, then any other owner of the year's work: named by a task, or
        recorded by a reassignment (`set --owner`, the app's `o`), which may be outside the
        plan's list; every surface accepts them (see owner_in_plan)."""
        seen = dict.fromkeys(self.plan.owners)
        for o in self.occurrences:
            seen.setdefault(o.owner)
            for name in o.support:
                seen.setdefault(name)
        for state in self.store.states(self.year).values():
            if state.owner:
                seen.setdefault(state.owner)
        return list(seen)

    def owner_in_plan(self, owner: str) -> bool:
        """Whether the plan lists this owner (a plan that lists none accepts every name)."""
        cached = self.__dict__.get("_plan_owners")
        if cached is None or cached[0] is not self.plan:  # per plan object: a reload re-reads
            cached = self.__dict__["_plan_owners"] = (self.plan, frozenset(self.plan.owners))
        return not cached[1] or owner in cached[1]

    def categories(self) -> list[str]:
        seen = dict.fromkeys(self.plan.categories)
        for o in self.occurrences:
            seen.setdefault(o.category)
        return list(seen)

    # -- changes -----------------------------------------------------------------
    def refresh(self) -> bool:
        """Pick up changes written by another process; True when anything changed since the
        last call, including changes a write of ours took in along the way."""
        self.store.refresh()
        if self.store.revision == self._seen_revision:
            return False
        self._seen_revision = self.store.revision
        self._forget_carry_overs_if_changed()
        return True

    def _forget_carry_overs_if_changed(self) -> None:
        # Expanding the plan again costs far more than a state change; only a rollover or
        # an undone one changes the list of occurrences. Compared by the records' seqs:
        # undoing one carry-over and adding another keeps the count, not the seqs.
        if self._occurrences is not None and self.store.carry_seqs(self.year) != self._carried:
            self._occurrences = None

    @property
    def revision(self) -> int:
        """The newest change seen (read it when a dialog opens; see :meth:`changed_since`)."""
        return self.store.revision

    def changed_since(self, revision: int, occurrence_id: str | None = None, *, every_year: bool = False) -> list[Change]:
        """Changes recorded after `revision` (by anyone), of one occurrence when given; of this
        year, or of every year (the week across New Year holds next year's items too)."""
        return self.store.changed_since(revision, year=None if every_year else self.year, occurrence=occurrence_id)

    def foreign_records(self) -> dict[str, int]:
        """Records of this year made for another plan (plan key -> count); never merged."""
        return self.store.foreign(self.year)

    def foreign_message(self) -> str:
        """A Chinese sentence saying records of another plan were left out, or ""."""
        found = self.foreign_records()
        if not found:
            return ""
        total = sum(found.values())
        return (
            f"状态文件 {self.store.path} 中有 {total} 条{self.year}年的记录属于另一个计划"
            f"（{'、'.join(sorted(found))}），未计入当前计划「{self.plan.title}」。"
            f"如需使用这些记录，请换回原来的计划，或为当前计划另用一个状态文件。"
        )

    @contextmanager
    def transaction(self) -> Iterator[str]:
        """Changes made inside are one undo step (e.g. ``done --note``)."""
        with self.store.transaction() as txn:
            yield txn

    def toggle_done(self, occurrence_id: str, *, on: date | None = None, by: str | None = None) -> Change:
        """已完成 <-> 未开始; `on` is the day the work was actually done (default: today)."""
        row = self.get(occurrence_id)
        if row.status is Status.DONE and on is None:
            return self.store.set_status(self.year, row.id, Status.TODO, by=by)
        # The tracker's today, so `--today` (a pinned day) is also the day the work was done.
        return self.store.set_status(self.year, row.id, Status.DONE, done_on=on or self.today, by=by)

    def set_facts(self, occurrence_id: str, *, by: str | None = None, **facts) -> Change | None:
        """people, households, amount_paid, place, attendees (only those given change)."""
        row = self.get(occurrence_id)
        return self.store.set_facts(self.year, row.id, by=by, **facts)

    def set_status(
        self, occurrence_id: str, status: Status, *, reason: str = "", due: date | None = None,
        on: date | None = None, by: str | None = None,
    ) -> Change:
        row = self.get(occurrence_id)
        if status is Status.POSTPONED:
            if due is None:
                raise TrackerError("改为「已延期」需要新的截止日期")
            if not reason.strip():
                raise TrackerError("改为「已延期」需要填写延期原因")
        if status is Status.CANCELLED and not reason.strip():
            raise TrackerError("改为「已取消」需要填写取消原因")
        return self.store.set_status(
            self.year, row.id, status, reason=reason.strip(), due=due, done_on=(on or self.today) if status is Status.DONE else None,
            by=by,
        )

    def set_owner(self, occurrence_id: str, owner: str | None, *, by: str | None = None) -> Change:
        row = self.get(occurrence_id)
        owner = (owner or "").strip() or None
        if owner == row.occurrence.owner:
            owner = None  # back to the plan's owner
        return self.store.set_owner(self.year, row.id, owner, by=by)

    def add_note(self, occurrence_id: str, text: str, *, by: str | None = None) -> Change:
        row = self.get(occurrence_id)
        if not text.strip():
            raise TrackerError("备注不能为空")
        return self.store.add_note(self.year, row.id, text.strip(), by=by)

    def add_evidence(
        self,
        occurrence_id: str,
        kind: EvidenceKind,
        text: str,
        *,
        label: str = "",
        archive: bool = False,
        by: str | None = None,
        progress=None,
    ) -> Change:
        """``progress(done_bytes, total_bytes)`` hears how far a file's reading (and copying
        into the 档案) has come; what it raises stops it, nothing recorded or left behind.
        Before the copy this only reads the plan and the store (which has its own lock), so
        a caller may run it without holding its own lock on this Tracker."""
        row = self.get(occurrence_id)
        if kind is not EvidenceKind.FILE:
            text = text.strip()  # a file name may really begin or end with a space
        if not text.strip():
            raise TrackerError("佐证材料内容不能为空")
        if kind is EvidenceKind.URL and "://" not in text:
            raise TrackerError(f"链接「{text}」不完整，请以 http:// 或 https:// 开头")
        return self.store.add_evidence(
            self.year, row.id, kind, text, label=label.strip(),
            archive_dir=self.archive_dir if archive else None, by=by, progress=progress,
        )

    def undo(self, *, by: str | None = None, session: str | None = None, anyone: bool = False) -> Change | None:
        """Undo the last change made by `by` (default: the store's user), with every change
        of the same command. `session`: only changes made through that session token (e.g.
        ``tracker.store.session`` for this program). `anyone`: whoever made it."""
        changes = self.undo_all(by=by, session=session, anyone=anyone)
        return changes[0] if changes else None

    def undo_all(self, *, by: str | None = None, session: str | None = None, anyone: bool = False) -> list[Change]:
        """Like :meth:`undo`; every undo change recorded (empty when nothing is left)."""
        changes = self.store.undo_all(by=by, mine=not anyone, session=session)
        self._forget_carry_overs_if_changed()
        return changes

    def undo_preview(self, *, by: str | None = None, session: str | None = None, anyone: bool = False) -> list[Change]:
        """The changes :meth:`undo` with the same arguments would revert, newest first."""
        return self.store.undo_preview(by=by, mine=not anyone, session=session)

    def history(self, occurrence_id: str | None = None, since=None) -> list[Change]:
        return self.store.history(year=self.year if occurrence_id else None, occurrence=occurrence_id, since=since)

    def relink(self, old: str, new: str, *, by: str | None = None) -> Change:
        target = self.resolve(new)
        if old not in self.store.states(self.year):
            raise UnknownOccurrence(f"{self.year}年没有编号为「{old}」的记录可以迁移")
        return self.store.relink(self.year, old, target.id, by=by)

    def rollover(self, to_year: int, *, by: str | None = None) -> list[Change]:
        """Carry every unfinished occurrence of this year into to_year as 延续事项."""
        if to_year <= self.year:
            raise TrackerError(f"延续的目标年份应晚于 {self.year} 年")
        already = {str(s.get("from_id")) for s in self.store.carry_overs(to_year) if int(s.get("from_year", 0)) == self.year}
        snapshots = []
        for r in self.tracked():
            if r.status.finished or r.id in already:
                continue
            o = r.occurrence
            snapshots.append(
                {
                    "id": o.id,
                    "from_id": o.id,
                    "from_year": self.year,
                    "task_id": o.task_id,
                    "title": o.title,
                    "category": o.category,
                    "owner": r.owner,
                    "evidence": list(o.evidence),
                    "due": r.due.isoformat(),
                    "status": r.status.value,
                }
            )
        if not snapshots:
            return []
        return self.store.carry_over(self.year, to_year, snapshots, by=by)


