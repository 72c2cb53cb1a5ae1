"""The state file: every status change, owner, fact, evidence item and note, never lost.

:class:`Store` is the one way in. The file is an append-only event log
(:mod:`~tracker.state.fileformat`, :mod:`~tracker.state.events`) read and appended by
:mod:`~tracker.state.logfile` under the lock of :mod:`~tracker.state.locking`, copied to
``backups/`` by :mod:`~tracker.state.backups`, and folded into states by
:mod:`~tracker.state.fold`. History and undo come for free from the log.

Writing: every change re-reads the file under the lock, validates against the fresh state,
appends, fsyncs and folds the new events; it is acknowledged when the method returns.
Ids (``seq``) are assigned under the lock as max+1, so two processes never lose each
other's updates. All events one call writes share one ``txn``; :meth:`Store.transaction`
makes several calls one ``txn`` (one command, one undo step).

Reads (``state``, ``states``, ``history``...) return what this Store has seen; call
:meth:`Store.refresh` (one ``stat`` when nothing changed) to pick up other processes'
changes. Every write refreshes first.

Refusals of a change (延期 without a reason, unknown evidence id, a bad evidence path...)
raise :class:`InvalidChange`, which is both a TrackerError and a ValueError.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tracker.errors import StoreError
from tracker.evidence import stored_path
from tracker.model import Change, EvidenceKind, OccurrenceState, Status
from tracker.state.backups import BACKUPS_KEPT
from tracker.state.events import FACT_FIELDS, FACT_LABELS, carried_id, event_problem, fact_problem, to_change
from tracker.state.values import Clock, default_user, jsonable, no_nul
from tracker.state.evidence_files import InvalidChange, discard, read_evidence_file, safe_name
from tracker.state.fileformat import CHANGES, FORMAT, SCHEMA
from tracker.state import checkpoint, history
from tracker.state.fold import Acc, Fold, evidence_new, no_gc
from tracker.state.logfile import ChangedUnderUs, LogFile

__all__ = ["FORMAT", "SCHEMA", "BACKUPS_KEPT", "CHANGES", "InvalidChange", "Store"]

LOCK_TIMEOUT = 15.0  # seconds to wait for another process's change before giving up


class Store:
    """One state file. All writes go through here; safe across processes.

    ``user`` is who changes are recorded as (default: the login name); every writing
    method takes ``by=`` to override it for one change. ``now`` returns the current aware
    datetime (for tests and for the day of the daily backup). ``plan_key``: see
    :meth:`bind_plan`.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        user: str | None = None,
        now: Callable[[], datetime] | None = None,
        lock_timeout: float = LOCK_TIMEOUT,
        plan_key: str | None = None,
    ) -> None:
        if not str(path).strip() or not Path(path).name.strip():
            raise StoreError(f"状态文件路径是空的（{str(path)!r}），请指定一个文件，例如 state.jsonl。")
        self.path = Path(path)
        self.user = (user or "").strip() or default_user()
        self._now = Clock(now)
        self._mutex = threading.RLock()
        self.log = LogFile(self.path, now=self._now, lock_timeout=lock_timeout, validator=event_problem)
        self._want_key = plan_key
        with no_gc():
            self.fold = checkpoint.load(self.log, plan_key) or Fold(plan_key)
        # Where the checkpoint in use stands (offset, plan key); None: a new one is due.
        self._ckpt: tuple[int, str | None] | None = (self.log.offset, self.fold.plan_key) if self.fold.partial else (0, None)
        # Written into every txn id, so "changes made by this program" can be told apart.
        self.session = os.urandom(4).hex()
        self._txn_count = 0
        self._txn: str | None = None
        with self._mutex:
            self._catch_up()

    # -- plumbing --------------------------------------------------------------
    @property
    def _clock(self) -> Callable[[], datetime]:
        return self._now.fn

    @_clock.setter
    def _clock(self, fn: Callable[[], datetime]) -> None:
        self._now.fn = fn

    @property
    def real_path(self) -> Path:
        """The file actually written (the target when ``path`` is a symlink)."""
        return self.log.real_path

    @property
    def evidence_folder(self) -> str:
        """The folder relative evidence paths are recorded against (tracker.evidence)."""
        return str(self.log.real_path.parent)

    @property
    def backups_dir(self) -> Path:
        return self.log.backups.folder

    def newest_backup(self) -> Path | None:
        return self.log.backups.newest()

    def close(self) -> None:
        pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _catch_up(self) -> bool:
        with no_gc():
            got = self.log.sync()
            if got is None:
                return False
            everything, new = got
            if everything is not None:
                self.fold.plan_key = self._want_key
                self.fold.rebuild(everything)
            elif self.fold.needs_history(new):
                # The checkpoint cannot serve what follows it (an undo there needs the events
                # before): every open would read the log whole until it is replaced. Due now.
                self._load_full()
                self._ckpt = None
            else:
                self.fold.add(new)
        return True

    def _load_full(self) -> None:
        """Read the log whole (the fold came from a checkpoint and the history is needed)."""
        self.fold = Fold(self._want_key)
        self.log.reset()
        self._catch_up()

    def _settle(self) -> None:
        """The fold for the plan asked for (a checkpoint may hold another plan's)."""
        if self.fold.plan_key != self._want_key:
            if self.fold.partial:
                self._load_full()
            else:
                self.fold.bind(self._want_key)

    def _complete(self) -> None:
        """The whole history at hand (for history, undo, what changed since)."""
        self._settle()
        if self.fold.partial:
            self._load_full()

    def checkpoint(self) -> None:
        """Save a checkpoint of the fold when the log has grown enough since the last one
        (or it was folded for another plan). Silent: a checkpoint is only a shortcut."""
        with self._mutex:
            offset, key = self._ckpt or (0, None)
            due = self._ckpt is None or self.log.offset - offset >= checkpoint.REFRESH_BYTES
            if due or (key != self.fold.plan_key and offset):
                if self.log.offset >= checkpoint.MIN_BYTES:
                    checkpoint.save(self.log, self.fold)
                    self._ckpt = (self.log.offset, self.fold.plan_key)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._mutex:
            self.log.acquire()
            try:
                self._catch_up()
                if self.log.repair_tail():
                    self._catch_up()
                self._settle()
                yield
            finally:
                self.log.release()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the file's lock (reentrant), the file read up to date."""
        with self._writing():
            yield

    def _next_txn(self) -> str:
        self._txn_count += 1
        return f"{self.session}.{self._txn_count}"

    @contextmanager
    def transaction(self) -> Iterator[str]:
        """Every change recorded inside shares one txn id: one command, one undo step."""
        with self._mutex:
            if self._txn is not None:
                yield self._txn
                return
            self._txn = self._next_txn()
            try:
                yield self._txn
            finally:
                self._txn = None

    def _record(self, bodies: list[dict], by: str | None) -> list[Change]:
        """Stamp and persist new events; caller holds _writing(). Returns their Changes."""
        who = (by or "").strip() or self.user
        at = self._now().isoformat(timespec="seconds")
        txn = self._txn or self._next_txn()
        plan = self.fold.plan_key
        for attempt in range(5):
            docs = []
            seq = self.fold.revision
            for body in bodies:
                seq += 1
                doc = {"seq": seq, "at": at, "by": who}
                doc.update(body)
                doc["txn"] = txn
                if plan is not None:
                    doc["plan"] = plan
                docs.append(doc)
            try:
                self.log.append(docs)
                break
            except ChangedUnderUs:
                # Someone appended without our lock: read what they wrote, then append
                # after it with the next free seqs. Never write over it.
                if attempt == 4:
                    raise
                self._catch_up()
        self.fold.add(docs)
        return [to_change(d, False) for d in docs]

    # -- the plan the records belong to --------------------------------------
    @property
    def plan_key(self) -> str | None:
        return self._want_key

    def bind_plan(self, plan_key: str | None) -> None:
        """Record and read for this plan only: events written carry the key, and events of
        another plan are left out of every state (counted by :meth:`foreign`). Saves a
        checkpoint when one is due (see :meth:`checkpoint`)."""
        with self._mutex:
            self._want_key = plan_key
            self._settle()
            self.checkpoint()

    def foreign(self, year: int | None = None) -> dict[str, int]:
        """Events recorded for other plans (key -> count), for the year or all years."""
        with self._mutex:
            self._settle()
            out: dict[str, int] = {}
            for y, per in self.fold.foreign.items():
                if year is None or y == year:
                    for key, n in per.items():
                        out[key] = out.get(key, 0) + n
            return out

    # -- reading -----------------------------------------------------------
    def refresh(self) -> bool:
        """Pick up changes other processes wrote; True when anything changed."""
        with self._mutex:
            return self._catch_up()

    @property
    def revision(self) -> int:
        """The seq of the newest change seen; grows with every change (cheap, for polling)."""
        return self.fold.revision

    def state(self, year: int, occurrence: str) -> OccurrenceState:
        with self._mutex:
            self._settle()
            y = self.fold.years.get(year)
            acc = y.get(occurrence) if y else None
            return acc.freeze(self.evidence_folder) if acc is not None else OccurrenceState()

    def states(self, year: int) -> dict[str, OccurrenceState]:
        """Every occurrence of the year with recorded state (untouched ones are absent)."""
        with self._mutex:
            self._settle()
            y = self.fold.years.get(year)
            if y is None:
                return {}
            with no_gc():  # thousands of new objects: no full collections while making them
                return y.frozen(self.evidence_folder)

    def due_overrides(self, year: int) -> dict[str, date]:
        """The occurrences of the year whose due the office moved, with the new due: what a
        month or a week chooses its rows by, without making any state."""
        with self._mutex:
            self._settle()
            y = self.fold.years.get(year)
            return y.moved_dues() if y else {}

    def years(self) -> list[int]:
        """Years with any recorded change, ascending."""
        with self._mutex:
            self._settle()
            return sorted(y for y, v in self.fold.years.items() if v.has_states() or v.carries)

    def orphans(self, year: int, known_ids: set[str] | frozenset[str]) -> list[str]:
        """Ids with recorded state that the plan no longer has (kept, never deleted)."""
        with self._mutex:
            self._settle()
            y = self.fold.years.get(year)
            return sorted(occ for occ in (y.states if y else ()) if occ not in known_ids)

    def history(
        self, *, year: int | None = None, occurrence: str | None = None, since: datetime | None = None
    ) -> list[Change]:
        """Changes oldest first, undone ones marked undone=True (see :func:`history.history`)."""
        with self._mutex:
            self._settle()
            if year is not None and occurrence is not None and self.fold.partial:
                one = self._history_of(year, occurrence)
                if one is not None:
                    return history.history(one, year=year, occurrence=occurrence, since=since)
            self._complete()
            return history.history(self.fold, year=year, occurrence=occurrence, since=since)

    def _history_of(self, year: int, occurrence: str) -> Fold | None:
        """For one occurrence's history while the fold came from a checkpoint: a fold of the
        events that can bear on it (its lines, found by their ids, plus every undo and
        carry-over, and any line with an escape: checkpoint.SHARED_NEEDLES), without reading the whole log; None
        when that cannot be done exactly (a carried item's id, a changed file)."""
        fold = self.fold
        if fold.prefix is None or "~" in occurrence:
            return None
        import json

        y = fold.years.get(year)
        ids = {occurrence, *(k for k, v in (y.alias.items() if y else ()) if v == occurrence)}
        needles = tuple(json.dumps(i, ensure_ascii=False).encode("utf-8") for i in sorted(ids))
        docs = checkpoint.prefix_events(self.log, fold.prefix, needles)  # and checkpoint.SHARED_NEEDLES
        if docs is None:
            return None
        docs += fold.events  # read after the checkpoint
        docs.sort(key=lambda d: d["seq"])
        one = Fold(fold.plan_key)
        one.events, one.by_seq = docs, {d["seq"]: d for d in docs}
        one.undone = {d["undoes"] for d in docs if d["op"] == "undo"}
        one.years = fold.years
        return one

    def changed_since(self, seq: int, *, year: int | None = None, occurrence: str | None = None) -> list[Change]:
        """Changes newer than `seq` (a :attr:`revision` read earlier), optionally of one
        occurrence: what a dialog opened at `seq` should know about before saving."""
        with self._mutex:
            self._catch_up()
            self._settle()
            if self.fold.partial and seq < self.fold.base:
                self._complete()  # some of them are in the part of the log the checkpoint stands for
            return history.changed_since(self.fold, seq, year=year, occurrence=occurrence)

    def carry_overs(self, year: int) -> list[dict]:
        """Snapshots recorded by rollover into `year` (see carry_over), oldest first.

        ``due`` comes back as a date and ``evidence`` as a tuple; ``from_year`` is set.
        """
        with self._mutex:
            self._settle()
            y = self.fold.years.get(year)
            out = []
            for doc in y.carries if y else ():
                snap = dict(doc["new"])
                if isinstance(snap.get("due"), str):
                    try:
                        snap["due"] = date.fromisoformat(snap["due"])
                    except ValueError:
                        pass
                if isinstance(snap.get("evidence"), list):
                    snap["evidence"] = tuple(snap["evidence"])
                snap.setdefault("from_year", doc.get("from_year"))
                out.append(snap)
            return out

    def carry_seqs(self, year: int) -> tuple[int, ...]:
        """The seqs of the carry-over records in effect for `year`: changes when a rollover
        is recorded or undone, whatever the count."""
        with self._mutex:
            self._settle()
            y = self.fold.years.get(year)
            return tuple(doc["seq"] for doc in y.carries) if y else ()

    # -- writing: each returns the Change it recorded ------------------------
    @staticmethod
    def _occ(occurrence: str) -> str:
        if not isinstance(occurrence, str) or not occurrence.strip():
            raise InvalidChange("事项编号不能为空。")
        no_nul(occurrence)
        return occurrence.strip()

    def _acc(self, year: int, occurrence: str) -> Acc | None:
        return self.fold.acc(year, occurrence)

    def set_status(
        self, year: int, occurrence: str, status: Status | str, *, reason: str = "",
        due: date | None = None, done_on: date | None = None, by: str | None = None,
    ) -> Change:
        """Record a status. 已延期 needs a new due date and a reason; 已取消 needs a reason.
        ``done_on``: the day the work was actually done (已完成 only; default: today)."""
        occ = self._occ(occurrence)
        if not isinstance(status, Status):
            try:
                status = Status.parse(str(status))
            except ValueError as exc:
                raise InvalidChange(str(exc)) from None
        reason = (reason or "").strip()
        no_nul(reason)
        if isinstance(due, datetime):
            due = due.date()
        if isinstance(done_on, datetime):
            done_on = done_on.date()
        if status is Status.POSTPONED and (due is None or not reason):
            raise InvalidChange("改为「已延期」需要同时给出新的完成期限和延期原因。")
        if status is Status.CANCELLED and not reason:
            raise InvalidChange("改为「已取消」需要给出取消原因。")
        if done_on is not None and status is not Status.DONE:
            raise InvalidChange("只有「已完成」的事项才能填写完成日期。")
        with self._writing():
            acc = self._acc(year, occ)
            body: dict[str, Any] = {
                "year": year, "occ": occ, "op": "status",
                "old": (acc.status if acc else Status.TODO).value, "new": status.value, "reason": reason,
            }
            if due is not None:
                body["due"] = due.isoformat()
            if done_on is not None:
                body["done_on"] = done_on.isoformat()
            return self._record([body], by)[0]

    def set_owner(self, year: int, occurrence: str, owner: str | None, *, by: str | None = None) -> Change:
        """Reassign; None (or empty) goes back to the plan's owner."""
        occ = self._occ(occurrence)
        owner = (owner or "").strip() or None
        no_nul(owner or "")
        with self._writing():
            acc = self._acc(year, occ)
            body = {"year": year, "occ": occ, "op": "owner", "old": acc.owner if acc else None, "new": owner}
            return self._record([body], by)[0]

    def set_due(
        self, year: int, occurrence: str, due: date | None, *, reason: str = "", by: str | None = None
    ) -> Change:
        """Override the due date; None goes back to the plan's date."""
        occ = self._occ(occurrence)
        if isinstance(due, datetime):
            due = due.date()
        no_nul(reason or "")
        with self._writing():
            acc = self._acc(year, occ)
            old = acc.due.isoformat() if acc and acc.due else None
            body = {
                "year": year, "occ": occ, "op": "due", "old": old,
                "new": due.isoformat() if due else None, "reason": (reason or "").strip(),
            }
            return self._record([body], by)[0]

    def add_note(self, year: int, occurrence: str, text: str, *, by: str | None = None) -> Change:
        occ = self._occ(occurrence)
        text = (text or "").strip()
        if not text:
            raise InvalidChange("备注不能为空。")
        no_nul(text)
        with self._writing():
            return self._record([{"year": year, "occ": occ, "op": "note", "new": text}], by)[0]

    def set_facts(self, year: int, occurrence: str, *, by: str | None = None, **facts: Any) -> Change | None:
        """Record what actually happened: people, households, amount_paid, place, attendees.

        Only the fields given are changed (None or "" clears one); nothing is recorded
        when every field given already has that value (returns None).
        """
        occ = self._occ(occurrence)
        clean: dict[str, Any] = {}
        for key, value in facts.items():
            if key not in FACT_LABELS:
                raise InvalidChange(f"未知的实际情况字段「{key}」，可选：{'、'.join(FACT_FIELDS)}")
            if key in ("place", "attendees"):
                value = (value or "").strip()
                no_nul(value)
            elif key == "amount_paid" and value is not None and not isinstance(value, bool):
                value = int(value) if isinstance(value, (int, float)) and float(value).is_integer() else value
            if problem := fact_problem(key, value):
                raise InvalidChange(f"{problem}（收到：{value!r}）。")
            clean[key] = value
        with self._writing():
            acc = self._acc(year, occ)
            before = acc.facts if acc else {}
            default = {"people": None, "households": None, "amount_paid": None, "place": "", "attendees": ""}
            changed = {k: v for k, v in clean.items() if before.get(k, default[k]) != v}
            if not changed:
                return None
            old = {k: before.get(k, default[k]) for k in changed}
            return self._record([{"year": year, "occ": occ, "op": "facts", "old": old, "new": changed}], by)[0]

    def add_evidence(
        self, year: int, occurrence: str, kind: EvidenceKind | str, text: str, *, label: str = "",
        archive_dir: Path | None = None, by: str | None = None, progress=None,
    ) -> Change:
        """Attach 佐证材料. For a file: its path (relative when inside the state file's folder,
        see :func:`tracker.evidence.stored_path`), size and sha256, optional archive copy.

        The archive copy goes to ``archive_dir/<year>/<occurrence>/<name>`` (``name-1.ext``
        and so on when taken). A missing, unreadable or directory path raises
        InvalidChange and records nothing. ``progress(done_bytes, total_bytes)``: see
        :func:`read_evidence_file` (the file is read before the state file is locked).
        """
        occ = self._occ(occurrence)
        try:
            kind = EvidenceKind(kind)
        except ValueError:
            raise InvalidChange(f"未知的佐证材料类型「{kind}」，可选：说明(note)、文件(file)、链接(url)") from None
        text = text or ""
        if kind is not EvidenceKind.FILE:
            text = text.strip()  # a file name may really begin or end with a space
        label = (label or "").strip()
        no_nul(text, label)
        if not text.strip():
            raise InvalidChange(f"佐证材料（{kind.label}）不能为空。")
        record: dict[str, Any] = {"kind": kind.value, "text": text, "label": label,
                                  "size": None, "sha256": None, "archived": None}
        if kind is EvidenceKind.URL and any(ch.isspace() for ch in text):
            raise InvalidChange(f"链接中不能有空格：{text}")
        archived, made = None, []
        if kind is EvidenceKind.FILE:
            root = Path(archive_dir).expanduser().absolute() if archive_dir is not None else None
            path, size, digest, archived, made = read_evidence_file(text, root, (str(year), safe_name(occ)), progress)
            folder = self.evidence_folder
            record.update(text=stored_path(path, folder), size=size, sha256=digest,
                          archived=stored_path(archived, folder) if archived else None)
        try:
            with self._writing():
                return self._record([{"year": year, "occ": occ, "op": "evidence", "new": record}], by)[0]
        except Exception:
            discard(archived, made)  # not recorded: the copy would be an orphan in the 档案
            raise
        # An interrupt (Ctrl+C) is not caught: it may land after the record was written, and
        # an unrecorded copy only costs disk space where deleting a recorded one loses evidence.

    def remove_evidence(self, year: int, occurrence: str, evidence_id: int, *, by: str | None = None) -> Change:
        occ = self._occ(occurrence)
        with self._writing():
            acc = self._acc(year, occ)
            added = acc.evidence_map().get(evidence_id) if acc else None
            if added is None:
                raise InvalidChange(f"{occ} 没有编号为 {evidence_id} 的佐证材料。")
            body = {"year": year, "occ": occ, "op": "evidence_remove", "evidence": evidence_id,
                    "old": evidence_new(added)}
            return self._record([body], by)[0]

    # -- undo ----------------------------------------------------------------
    def _undo_targets(self, who: str | None, session: str | None) -> list[dict]:
        """The newest change not yet undone (by `who`, in `session`, of this plan) and the
        rest of its txn, newest first."""
        fold = self.fold
        undone = fold.undone
        target = None
        for doc in reversed(fold.events):
            if doc["op"] == "undo" or doc["seq"] in undone or not fold.belongs(doc):
                continue
            if who is not None and doc["by"] != who:
                continue
            if session is not None and not (doc.get("txn") or "").startswith(session + "."):
                continue
            target = doc
            break
        if target is None:
            return []
        txn = target.get("txn")
        if txn is None:
            return [target]
        return [d for d in reversed(fold.events)
                if d.get("txn") == txn and d["op"] != "undo" and d["seq"] not in undone]

    def undo_preview(self, *, by: str | None = None, mine: bool = False, session: str | None = None) -> list[Change]:
        """What :meth:`undo` with the same arguments would revert, newest first."""
        with self._mutex:
            self._catch_up()
            self._complete()
            who = ((by or "").strip() or self.user) if mine else None
            return [to_change(d, False) for d in self._undo_targets(who, session)]

    def undo_all(self, *, by: str | None = None, mine: bool = False, session: str | None = None) -> list[Change]:
        """Revert the newest change not yet undone, with every change of its txn.

        ``mine``: only changes made by ``by`` (default: this store's user); ``session``:
        only changes made through a Store whose :attr:`session` is that token. Returns the
        undo changes recorded (newest target first); empty when nothing is left.
        """
        who = ((by or "").strip() or self.user) if mine else None
        with self._writing():
            self._complete()
            targets = self._undo_targets(who, session)
            if not targets:
                return []
            bodies = []
            for target in targets:
                occ = carried_id(target) if target["op"] == "carry" else target["occ"]
                bodies.append({
                    "year": target["year"], "occ": occ, "op": "undo", "undoes": target["seq"],
                    "undone_op": target["op"], "old": target.get("new"), "new": target.get("old"),
                })
            return self._record(bodies, by)

    def undo(self, *, by: str | None = None, mine: bool = False, session: str | None = None) -> Change | None:
        """Like :meth:`undo_all`; returns the undo of the newest change reverted, or None."""
        done = self.undo_all(by=by, mine=mine, session=session)
        return done[0] if done else None

    # -- moving records ------------------------------------------------------
    def relink(self, year: int, old: str, new: str, *, by: str | None = None) -> Change:
        """Move all state of `old` to `new` (a renamed task); later writes to `old` go to `new`."""
        old, new = self._occ(old), self._occ(new)
        with self._writing():
            y = self.fold.years.get(year)
            src = y.resolve(old) if y else old
            if src == new:
                raise InvalidChange(f"{old} 的记录已经在 {new} 名下。")
            if y is None or src not in y.states:
                raise InvalidChange(f"{year} 年的 {old} 没有任何记录，无需迁移。")
            if new in y.states:
                raise InvalidChange(f"{year} 年的 {new} 已经有记录，不能把 {old} 的记录迁移过去。")
            return self._record([{"year": year, "occ": old, "op": "relink", "old": old, "new": new}], by)[0]

    def carry_over(self, from_year: int, to_year: int, snapshots: list[dict], *, by: str | None = None) -> list[Change]:
        """Record unfinished occurrences carried into `to_year` (延续事项), one change each.

        A snapshot needs an ``id``; ``from_year`` defaults to `from_year`. A snapshot whose
        (id, from_year) was already carried into `to_year` is skipped, so running a rollover
        twice adds nothing. All of them are one txn (one undo step).
        """
        prepared = []
        for snap in snapshots:
            if not isinstance(snap, Mapping) or not isinstance(snap.get("id"), str) or not snap["id"].strip():
                raise InvalidChange("延续事项缺少编号（id）。")
            data = jsonable(snap)
            data["id"] = data["id"].strip()
            data.setdefault("from_year", from_year)
            prepared.append(data)
        with self._writing():
            y = self.fold.years.get(to_year)
            seen = {(d["new"]["id"], d["new"].get("from_year")) for d in y.carries} if y else set()
            bodies = []
            for data in prepared:
                key = (data["id"], data["from_year"])
                if key in seen:
                    continue
                seen.add(key)
                bodies.append({"year": to_year, "occ": data["id"], "op": "carry", "new": data,
                               "from_year": from_year})
            return self._record(bodies, by) if bodies else []
