"""Reading the log back as :class:`~tracker.model.Change` objects: history and what changed
since a revision, with a carry-over record filed under the carried item (``id~year``)."""

from __future__ import annotations

from datetime import datetime

from tracker.model import Change
from tracker.state.events import carried_id, to_change
from tracker.state.fold import Fold


def occ_of(fold: Fold, doc: dict) -> str:
    """The occurrence an event is about: a carry is about the carried item (``id~year``)."""
    op = doc["op"]
    if op == "carry":
        return carried_id(doc)
    if op == "undo":
        target = fold.by_seq.get(doc["undoes"])
        if target is not None and target["op"] == "carry":
            return carried_id(target)
    return doc["occ"]


def history(
    fold: Fold, *, year: int | None = None, occurrence: str | None = None, since: datetime | None = None
) -> list[Change]:
    """Changes oldest first, undone ones marked undone=True.

    ``occurrence`` also matches the ids it was relinked from, so a renamed task keeps its
    history; a carry-over record belongs to the carried item (``id~year``), not to the
    new year's own item of the same id. ``since`` (naive means local time) keeps changes
    at or after it. Records of another plan are left out.
    """
    ids: set[str] | None = None
    if occurrence is not None:
        ids = {occurrence}
        for y_num, y in fold.years.items():
            if year is None or y_num == year:
                ids.update(k for k, v in y.alias.items() if v == occurrence)
    if since is not None and since.tzinfo is None:
        since = since.astimezone()
    out = []
    for doc in fold.events:
        if year is not None and doc["year"] != year:
            continue
        if ids is not None and occ_of(fold, doc) not in ids and not (
            doc["op"] == "relink" and doc.get("new") == occurrence
        ):
            continue
        if not fold.belongs(doc):
            continue
        change = to_change(doc, doc["seq"] in fold.undone)
        if since is not None and change.at < since:
            continue
        out.append(change)
    return out


def changed_since(fold: Fold, seq: int, *, year: int | None = None, occurrence: str | None = None) -> list[Change]:
    """Changes newer than `seq`, oldest first, of one occurrence when given (an undo
    counts for the occurrence whose change it reverted)."""
    out = []
    for doc in reversed(fold.events):
        if doc["seq"] <= seq:
            break
        if year is not None and doc["year"] != year:
            continue
        if not fold.belongs(doc):
            continue
        if occurrence is not None:
            y = fold.years.get(doc["year"])
            occ = occ_of(fold, doc)
            if occ != occurrence and (y is None or y.resolve(occ) != occurrence):
                continue
        out.append(to_change(doc, doc["seq"] in fold.undone))
    return out[::-1]
