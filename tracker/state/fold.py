"""The fold: the state of every occurrence, computed from the events.

The fold is kept incrementally as events arrive (written here or read from the tail of
the file), so reads cost nothing; it is rebuilt after a full reload. Each occurrence keeps
the events folded into it, so an undo refolds only the occurrence it touches (a whole
refold for undoing a relink or a carry-over). Notes are one string, one note per line,
newest last. :class:`~tracker.model.Evidence` objects are made when a state is first read,
then reused.

Records belong to a plan: when the fold is bound to a plan key, events recorded for
another plan are left out of every state and counted in :attr:`Fold.foreign`, so the
caller can say so. Events without a key (older files) belong to any plan.
"""

from __future__ import annotations

import gc
import operator
import pickle
from contextlib import contextmanager
from datetime import date, datetime
from typing import Iterator

from tracker.evidence import resolved_path
from tracker.model import NO_FACTS as _NO_FACTS
from tracker.model import Evidence, EvidenceKind, Facts, OccurrenceState, Status, positional_builder
from tracker.state.events import KIND_BY_VALUE, STATUS_BY_VALUE

# The year's states and their evidence are made by the thousand: half the cost of __init__.
_make_state = positional_builder(OccurrenceState)
_make_evidence = positional_builder(Evidence)



@contextmanager
def no_gc() -> Iterator[None]:
    """Keep the cyclic collector out of a bulk load: it would walk every new dict again
    and again (2, 4, 8 full passes for 1x, 2x, 4x the history)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Acc:
    """Mutable state of one occurrence while folding; frozen on demand."""

    __slots__ = ("key", "status", "owner", "due", "reason", "notes", "evidence", "built",
                 "updated_at", "updated_by", "done_on", "done_at", "facts", "frozen", "events")

    def __init__(self, key: str) -> None:
        self.key = key  # the occurrence id it is filed under (changes on relink)
        self.built: dict[int, Evidence] = {}  # made on the first freeze, kept across refolds
        # The events folded into this state, oldest first, so undoing one of them refolds
        # this occurrence alone instead of the whole file.
        self.events: list[dict] = []
        self._reset()

    def _reset(self) -> None:
        self.status = Status.TODO
        self.owner: str | None = None
        self.due: date | None = None
        self.reason = ""
        self.notes: list[str] = []
        # seq -> the event that added it (a tuple when restored from a checkpoint: _compact);
        # from a checkpoint, first the pickled dict itself (see evidence_map)
        self.evidence: dict[int, dict | tuple] | bytes = {}
        self.updated_at = ""
        self.updated_by = ""
        self.done_on: str | None = None
        self.done_at = ""
        self.facts: dict = {}
        self.frozen: OccurrenceState | None = None

    def apply(self, doc: dict) -> None:
        op = doc["op"]
        new = doc.get("new")
        if op == "status":
            self.status = STATUS_BY_VALUE[new]
            self.reason = doc.get("reason") or ""
            if doc.get("due"):
                self.due = date.fromisoformat(doc["due"])
            if self.status is Status.DONE:
                self.done_on, self.done_at = doc.get("done_on"), doc["at"]
            else:
                self.done_on, self.done_at = None, ""
        elif op == "owner":
            self.owner = new or None
        elif op == "due":
            self.due = date.fromisoformat(new) if new else None
            if doc.get("reason"):
                self.reason = doc["reason"]
        elif op == "note":
            self.notes.append(new)
        elif op == "facts":
            self.facts = {**self.facts, **new}
        elif op == "evidence":
            self.evidence_map(change=True)[doc["seq"]] = doc
        elif op == "evidence_remove":
            self.evidence_map(change=True).pop(doc["evidence"], None)
        self.updated_at, self.updated_by, self.frozen = doc["at"], doc["by"], None

    def refold(self) -> bool:
        """Recompute from the remaining events; False when nothing but relinks is left."""
        self._reset()
        for doc in self.events:
            self.apply(doc)
        return any(doc["op"] != "relink" for doc in self.events)

    def evidence_map(self, *, change: bool = False) -> dict[int, dict | tuple]:
        """The evidence by seq. A checkpoint keeps each state's evidence pickled on its own
        (evidence is ~85% of a checkpoint's bytes): it is unpickled when needed, so a command
        about one item, a month or a week does not load the whole year's. Only a change keeps
        it unpickled: to read it, the Evidence made from it is enough (and a pickled state
        takes a fraction of the memory, and is written into the next checkpoint as it is)."""
        evidence = self.evidence
        if type(evidence) is bytes:
            unpacked = pickle.loads(evidence)
            if change:
                self.evidence = unpacked
            return unpacked
        return evidence

    def freeze(self, folder: str | None = None) -> OccurrenceState:
        """The state; relative evidence paths are read inside `folder` (the state file's)."""
        if self.frozen is None:
            self.frozen = _frozen(self.status, self.owner, self.due, self.reason, self.notes, self.evidence,
                                  self.built, self.updated_at, self.updated_by, self.done_on, self.done_at,
                                  self.facts, folder)
        return self.frozen


def _frozen(status: Status, owner, due, reason, notes, evidence, built, updated_at, updated_by, done_on, done_at,
            facts, folder) -> OccurrenceState:
    """The OccurrenceState of an Acc's values, or of a checkpoint's row (the same fields)."""
    if status is Status.DONE:
        if done_on:
            done_on = date.fromisoformat(done_on)
        elif done_at:
            done_on = datetime.fromisoformat(done_at).date()
        else:
            done_on = None
    else:
        done_on = None
    # In field order: status, owner, due, reason, notes, evidence, updated_at, updated_by,
    # done_on, facts. The evidence items are made when first read (PendingEvidenceState),
    # from what is recorded now: the pickle as the checkpoint keeps it, or a copy of the dict
    # (a later change to this state must not show through).
    return (_make_pending if evidence else _make_state)(
        status,
        owner,
        due,
        reason,
        "\n".join(notes),
        (built, evidence if type(evidence) is bytes else tuple(evidence.items()), folder) if evidence else (),
        datetime.fromisoformat(updated_at) if updated_at else None,
        updated_by,
        done_on,
        Facts(**facts) if facts else _NO_FACTS,
    )


def _evidence_items(built: dict[int, Evidence], recorded: bytes | tuple, folder: str | None) -> tuple[Evidence, ...]:
    """The Evidence of a state's recorded evidence (pickled, or (seq, event) pairs), each
    made once per state and kept in `built` (shared by every freeze of that state)."""
    items = []
    for seq, doc in pickle.loads(recorded).items() if type(recorded) is bytes else recorded:
        ev = built.get(seq)
        if ev is None:
            ev = built[seq] = evidence_from(doc, folder)
        items.append(ev)
    return tuple(items)


_UNMADE = object()
_MARKS = OccurrenceState.evidence_marks.fget  # from the items, once made
_EVIDENCE = OccurrenceState.__dict__["evidence"]  # the slot, under the property below
_STATE_SLOTS = [OccurrenceState.__dict__[name].__set__ for name in OccurrenceState.__slots__]
_VALUES = operator.attrgetter(*OccurrenceState.__slots__)


class PendingEvidenceState(OccurrenceState):
    """An OccurrenceState whose evidence items are made when first read. Opening a year makes
    thousands of states and most of their evidence is never looked at (the app draws a
    screenful, a month's list reads a month's): making it all up front was most of the cost.
    Equal to, and hashed as, the OccurrenceState of the same values."""

    __slots__ = ("_source",)

    @property
    def evidence(self) -> tuple[Evidence, ...]:  # type: ignore[override]
        items = _EVIDENCE.__get__(self)
        if items is _UNMADE:
            items = _evidence_items(*self._source)
            _SET_EVIDENCE(self, items)  # the same items whichever thread makes them
        return items

    @property
    def evidence_marks(self) -> tuple[tuple[str, str], ...]:  # type: ignore[override]
        # Read from what is recorded while the items are not made: a list's evidence column
        # needs labels and texts, not ten thousand states' Evidence with their timestamps.
        if _EVIDENCE.__get__(self) is not _UNMADE:
            return _MARKS(self)
        _, recorded, folder = self._source
        inside = _INSIDE_VALUES if folder else ()
        marks = []
        for doc in pickle.loads(recorded).values() if type(recorded) is bytes else (doc for _, doc in recorded):
            if type(doc) is tuple:  # as a checkpoint keeps it (see _compact)
                kind, text, label = doc[3], doc[4], doc[5]
            else:
                new = doc["new"]
                kind, text, label = new["kind"], new["text"], new.get("label")
            marks.append((label or "", resolved_path(text, folder) if kind in inside else text))
        return tuple(marks)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OccurrenceState):
            return _VALUES(self) == _VALUES(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(_VALUES(self))


_PENDING_SOURCE = PendingEvidenceState.__dict__["_source"].__set__
(_SET_STATUS, _SET_OWNER, _SET_DUE, _SET_REASON, _SET_NOTES, _SET_EVIDENCE,
 _SET_UPDATED_AT, _SET_UPDATED_BY, _SET_DONE_ON, _SET_FACTS) = _STATE_SLOTS


def _make_pending(status, owner, due, reason, notes, source, updated_at, updated_by, done_on, facts):
    """PendingEvidenceState of every field in order, with (built, recorded, folder) in place of
    the evidence (see _evidence_items)."""
    state = object.__new__(PendingEvidenceState)
    _SET_STATUS(state, status)
    _SET_OWNER(state, owner)
    _SET_DUE(state, due)
    _SET_REASON(state, reason)
    _SET_NOTES(state, notes)
    _SET_EVIDENCE(state, _UNMADE)
    _SET_UPDATED_AT(state, updated_at)
    _SET_UPDATED_BY(state, updated_by)
    _SET_DONE_ON(state, done_on)
    _SET_FACTS(state, facts)
    _PENDING_SOURCE(state, source)
    return state


class Year:
    __slots__ = ("_states", "raw", "alias", "carries", "_raw_frozen")

    def __init__(self) -> None:
        self._states: dict[str, Acc] = {}
        # From a checkpoint: the states not made into an Acc yet, as the checkpoint keeps them
        # (see Fold.snapshot). A command about one item makes that one (`get`); whatever
        # reads them all makes the rest, in the checkpoint's order.
        self.raw: dict[str, tuple] | None = None
        self.alias: dict[str, str] = {}  # relinked id -> id holding its state now
        self.carries: list[dict] = []
        self._raw_frozen: dict[str, OccurrenceState] = {}  # of rows still in `raw` (see frozen)

    @property
    def states(self) -> dict[str, Acc]:
        """Every state of the year by occurrence id."""
        raw = self.raw
        if raw is not None:
            self.raw = None
            made = self._states
            with no_gc():
                states = {key: made.pop(key, None) or _acc_from(row) for key, row in raw.items()}
            states.update(made)  # made since the checkpoint
            self._states = states
            self._raw_frozen = {}
        return self._states

    def frozen(self, folder: str | None) -> dict[str, OccurrenceState]:
        """Every state of the year, frozen, by occurrence id (in the order of `states`). The
        rows of a checkpoint are frozen as they are, not made into an Acc first: reading the
        year (a list, the app's table) changes none of them, and an Acc is a fifth of the cost."""
        made, raw = self._states, self.raw
        if raw is None:
            return {occ: acc.freeze(folder) for occ, acc in made.items()}
        done = self._raw_frozen
        with no_gc():
            out = {}
            for key, row in raw.items():
                acc = made.get(key)
                if acc is not None:
                    out[key] = acc.freeze(folder)
                    continue
                state = done.get(key)
                if state is None:
                    (_, status, owner, due, reason, notes, evidence, updated_at, updated_by, done_on, done_at,
                     facts) = row
                    state = done[key] = _frozen(STATUS_BY_VALUE[status], owner, due, reason, notes, evidence, {},
                                                updated_at, updated_by, done_on, done_at, facts, folder)
                out[key] = state
            for key, acc in made.items():
                if key not in out:
                    out[key] = acc.freeze(folder)
        return out

    def get(self, occ: str) -> Acc | None:
        """The state of one occurrence (by its id as filed), without making the others."""
        acc = self._states.get(occ)
        if acc is None and self.raw is not None:
            row = self.raw.pop(occ, None)
            if row is not None:
                acc = self._states[occ] = _acc_from(row)
        return acc

    def moved_dues(self) -> dict[str, date]:
        """The states with a due of their own (a postponed item's), without making the rest."""
        out = {occ: acc.due for occ, acc in self._states.items() if acc.due is not None}
        if self.raw:
            out.update((occ, row[3]) for occ, row in self.raw.items() if row[3] is not None)  # row[3]: due
        return out

    def has_states(self) -> bool:
        return bool(self._states or self.raw)

    def resolve(self, occ: str) -> str:
        return self.alias.get(occ, occ)


def _acc_from(row: tuple) -> Acc:
    """An Acc from a checkpoint's row (see Fold.snapshot)."""
    (key, status, owner, due, reason, notes, evidence, updated_at, updated_by, done_on, done_at, facts) = row
    a = Acc.__new__(Acc)
    a.key, a.status, a.owner, a.due, a.reason = key, STATUS_BY_VALUE[status], owner, due, reason
    a.notes, a.evidence, a.updated_at, a.updated_by = notes, evidence, updated_at, updated_by
    a.done_on, a.done_at, a.facts = done_on, done_at, facts
    a.built, a.events, a.frozen = {}, [], None
    return a


def evidence_from(doc: dict | tuple, folder: str | None = None) -> Evidence:
    if type(doc) is tuple:  # as a checkpoint keeps it (see _compact)
        seq, at, by, kind, text, label, size, sha256, archived, _ = doc
    else:
        seq, at, by, new = doc["seq"], doc["at"], doc["by"], doc["new"]
        kind, text, label, archived = new["kind"], new["text"], new.get("label"), new.get("archived")
        size, sha256 = new.get("size"), new.get("sha256")
    kind = KIND_BY_VALUE[kind]
    if _inside(kind, folder):
        text, archived = resolved_path(text, folder), resolved_path(archived, folder)
    # In field order: id, kind, text, label, size, sha256, archived, added_at, added_by.
    return _make_evidence(seq, kind, text, label or "", size, sha256, archived, datetime.fromisoformat(at), by)


def _inside(kind: EvidenceKind, folder: str | None) -> bool:
    """Whether an item's recorded paths are read inside `folder` (the state file's): a file's."""
    return kind is EvidenceKind.FILE and bool(folder)


# The same rule by the kinds' recorded values, for a pass over every state's evidence.
_INSIDE_VALUES = frozenset(kind.value for kind in EvidenceKind if _inside(kind, "."))


_NEW_FIELDS = ("kind", "text", "label", "size", "sha256", "archived")


def _compact(doc: dict | tuple, keys: dict[tuple, tuple]) -> dict | tuple:
    """An evidence event as a checkpoint keeps it: (seq, at, by, the six fields of its
    ``new``, the keys its ``new`` had, one shared tuple), a third of the cost of its two
    dicts to load. A ``new`` with any other key stays a dict (evidence_new gives it back
    exactly either way)."""
    if type(doc) is tuple:
        return doc
    new = doc["new"]
    k = tuple(new)
    if not set(k) <= set(_NEW_FIELDS):
        return doc
    get = new.get
    return (doc["seq"], doc["at"], doc["by"], *(get(f) for f in _NEW_FIELDS), keys.setdefault(k, k))


def _packed(evidence: dict | bytes, keys: dict[tuple, tuple]) -> dict | bytes:
    """A state's evidence as a checkpoint keeps it: its own pickle (see Acc.evidence_map);
    still packed when it was never needed since the last checkpoint."""
    if type(evidence) is bytes or not evidence:
        return evidence or {}
    return pickle.dumps({seq: _compact(doc, keys) for seq, doc in evidence.items()}, protocol=pickle.HIGHEST_PROTOCOL)


def evidence_new(doc: dict | tuple) -> dict:
    """The ``new`` of an evidence event, as recorded, whichever form the fold holds it in."""
    if type(doc) is tuple:
        values = dict(zip(_NEW_FIELDS, doc[3:9]))
        return {k: values[k] for k in doc[9]}
    return dict(doc["new"])


class Fold:
    """Every event seen, the undone set, and the state per year and occurrence.

    A fold restored from a checkpoint is ``partial``: it has the states but only the events
    read after the checkpoint, so whatever needs the history (undo, history, a different
    plan key) must read the log whole first (the Store does).
    """

    def __init__(self, plan_key: str | None = None) -> None:
        self.partial = False
        # partial: (bytes, CRC-32) of the log it stands for, and where its undo, carry and
        # escaped lines begin (checkpoint.SHARED_NEEDLES)
        self.prefix: tuple[int, int, tuple[int, ...]] | None = None
        self.plan_key = plan_key
        self.events: list[dict] = []
        self.by_seq: dict[int, dict] = {}
        self.undone: set[int] = set()
        self.years: dict[int, Year] = {}
        self.applied: dict[int, tuple[Year, Acc]] = {}  # seq -> where it was folded
        self.foreign: dict[int, dict[str, int]] = {}  # year -> other plan's key -> events
        self.revision = 0
        self.base = 0  # partial: the revision of the checkpoint; `events` are the ones after it

    def belongs(self, doc: dict) -> bool:
        key = doc.get("plan")
        return key is None or self.plan_key is None or key == self.plan_key

    def bind(self, plan_key: str | None) -> None:
        if plan_key != self.plan_key:
            assert not self.partial, "a partial fold cannot refold"
            self.plan_key = plan_key
            self.refold()

    def needs_history(self, docs: list[dict]) -> bool:
        """True when folding `docs` into a partial fold would need the events before them."""
        if not self.partial or not docs:
            return False
        return docs[0]["seq"] <= self.revision or any(
            d["op"] == "undo" or (i and d["seq"] <= docs[i - 1]["seq"]) for i, d in enumerate(docs)
        )

    # -- checkpoint ----------------------------------------------------------
    def snapshot(self) -> dict:
        """The states (not the history) as plain data, for a checkpoint."""
        years = {}
        keys: dict[tuple, tuple] = {}  # one tuple per set of keys: the pickle holds it once
        # Equal strings as one object (a unit's name, a timestamp of a batch of changes
        # recur across thousands of states): the pickle holds each once, and reading it back
        # makes each once, a quarter less time and fewer objects in memory. Strings only:
        # lists and dicts of a state are changed in place when it is next changed.
        strings: dict[str, str] = {}

        def same(value):
            return strings.setdefault(value, value) if type(value) is str else value

        for num, y in self.years.items():
            accs = [
                (a.key, a.status.value, same(a.owner), a.due, same(a.reason), a.notes, _packed(a.evidence, keys),
                 same(a.updated_at), same(a.updated_by), a.done_on, same(a.done_at), a.facts)
                for a in y._states.values()
            ]
            if y.raw:
                accs += y.raw.values()  # never made: written again as they were read
            years[num] = (accs, y.alias, y.carries)
        return {"plan_key": self.plan_key, "revision": self.revision, "years": years, "foreign": self.foreign}

    @classmethod
    def restore(cls, data: dict) -> "Fold":
        fold = cls(data["plan_key"])
        fold.partial = True
        fold.revision = fold.base = data["revision"]
        fold.foreign = data["foreign"]
        for num, (accs, alias, carries) in data["years"].items():
            y = fold.years[num] = Year()
            y.alias, y.carries = alias, carries
            y.raw = {row[0]: row for row in accs}  # made into Accs when needed (Year.get, Year.states)
        return fold

    def add(self, docs: list[dict]) -> None:
        """Fold events newer than any seen (read from the tail or just written)."""
        if not docs:
            return
        if docs[0]["seq"] <= self.revision or any(
            b["seq"] <= a["seq"] for a, b in zip(docs, docs[1:])
        ):  # out of order (hand-edited file): fold from scratch
            self.rebuild(sorted([*self.events, *docs], key=lambda d: d["seq"]))
            return
        for doc in docs:
            self.events.append(doc)
            self.by_seq[doc["seq"]] = doc
            if doc["op"] == "undo":
                self.undone.add(doc["undoes"])
                self.unapply(doc["undoes"])
            else:
                self.apply(doc)
        self.revision = docs[-1]["seq"]

    def rebuild(self, docs: list[dict]) -> None:
        self.partial = False
        with no_gc():
            if any(b["seq"] <= a["seq"] for a, b in zip(docs, docs[1:])):
                docs = sorted(docs, key=lambda d: d["seq"])
            self.events = docs
            self.by_seq = {d["seq"]: d for d in docs}
            self.undone = {d["undoes"] for d in docs if d["op"] == "undo"}
            self.revision = docs[-1]["seq"] if docs else 0
            self.refold()

    def unapply(self, seq: int) -> None:
        """Take an undone event out of the fold."""
        target = self.by_seq.get(seq)
        placed = self.applied.pop(seq, None)
        if target is None or target["op"] in ("relink", "carry") or (placed is None and self.belongs(target)):
            self.refold()  # moves ids or carry-overs: fold everything again (rare)
            return
        if placed is None:
            self._count_foreign(target, -1)
            return
        y, acc = placed
        acc.events.remove(target)
        if not acc.refold() and y.states.get(acc.key) is acc:
            del y.states[acc.key]

    def refold(self) -> None:
        with no_gc():
            self.years = {}
            self.applied = {}
            self.foreign = {}
            undone = self.undone
            for doc in self.events:
                if doc["op"] != "undo" and doc["seq"] not in undone:
                    self.apply(doc)

    def year(self, year: int) -> Year:
        y = self.years.get(year)
        if y is None:
            y = self.years[year] = Year()
        return y

    def _count_foreign(self, doc: dict, n: int) -> None:
        per = self.foreign.setdefault(doc["year"], {})
        per[doc["plan"]] = per.get(doc["plan"], 0) + n
        if per[doc["plan"]] <= 0:
            del per[doc["plan"]]

    def apply(self, doc: dict) -> None:
        if not self.belongs(doc):
            self._count_foreign(doc, 1)
            return
        op = doc["op"]
        y = self.year(doc["year"])
        if op == "carry":
            y.carries.append(doc)
            return
        if op == "relink":
            src, dst = y.resolve(doc["occ"]), doc["new"]
            acc = y.states.pop(src, None)
            if acc is not None:
                y.states[dst] = acc
                acc.key = dst
                acc.events.append(doc)
                acc.apply(doc)
            for k, v in list(y.alias.items()):
                if v == src:
                    y.alias[k] = dst
            y.alias[src] = dst
            y.alias[doc["occ"]] = dst
            y.alias.pop(dst, None)
            return
        occ = y.resolve(doc["occ"])
        acc = y.get(occ)
        if acc is None:
            acc = y._states[occ] = Acc(occ)
        acc.events.append(doc)
        acc.apply(doc)
        self.applied[doc["seq"]] = (y, acc)

    def acc(self, year: int, occurrence: str) -> Acc | None:
        y = self.years.get(year)
        return y.get(y.resolve(occurrence)) if y else None
