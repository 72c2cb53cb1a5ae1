"""The event schema: what one line of the log says, checked on every read and write.

An event document is ``{"seq", "at" (ISO with offset), "by", "year", "occ", "op", "old",
"new", "reason", ...}`` plus, when known, ``"txn"`` (one id shared by every event one
command wrote; its prefix before the dot is the writing process) and ``"plan"`` (the key
of the plan the record was made for). ``op`` is one of:

- ``status``: ``new`` = status value, optional ``due`` (postponed) and ``done_on``
  (the day the work was actually done, when told);
- ``owner``, ``due``, ``note``;
- ``facts``: ``new`` = the facts set by this change (people, households, amount_paid,
  place, attendees), ``old`` = their values before;
- ``evidence`` (``new`` = kind, text, label, size, sha256, archived) and
  ``evidence_remove`` (``evidence`` = the seq that added it);
- ``relink`` (``occ`` = old id, ``new`` = new id; later events for the old id apply to the
  new one);
- ``carry`` (``new`` = snapshot of an unfinished occurrence carried into ``year``);
- ``undo`` (``undoes`` = seq reverted).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from tracker.model import Change, EvidenceKind, Status

OPS = ("status", "owner", "due", "note", "facts", "evidence", "evidence_remove", "relink", "carry", "undo")
FACT_FIELDS = ("people", "households", "amount_paid", "place", "attendees")

# Keys every event has or that Change carries as attributes; the rest go to Change.data.
CHANGE_KEYS = frozenset({"seq", "at", "by", "year", "occ", "op", "old", "new", "reason", "undoes", "txn", "plan"})
STATUS_BY_VALUE = {s.value: s for s in Status}
KIND_BY_VALUE = {k.value: k for k in EvidenceKind}


class BadEvent(Exception):
    pass


def check_event(doc: dict, doc_id: int) -> None:
    """Raise BadEvent (Chinese) when a stored event is not one this version writes.

    Runs for every event on load, so it sticks to cheap checks (exact types, set lookups).
    """
    try:
        seq, at, by, year, occ, op = doc["seq"], doc["at"], doc["by"], doc["year"], doc["occ"], doc["op"]
    except KeyError as missing:
        raise BadEvent(f"缺少字段「{missing.args[0]}」") from None
    if type(seq) is not int or seq != doc_id:
        raise BadEvent("seq 与记录编号不一致")
    if type(year) is not int or type(by) is not str or type(occ) is not str or type(at) is not str:
        raise BadEvent("year、by、occ 或 at 的类型不对")
    try:
        datetime.fromisoformat(at)
    except ValueError:
        raise BadEvent(f"时间「{at}」不对") from None
    for key in ("txn", "plan"):
        value = doc.get(key)
        if value is not None and type(value) is not str:
            raise BadEvent(f"{key} 应为文字")
    new = doc.get("new")
    if op == "evidence":
        if type(new) is not dict or type(new.get("text")) is not str or new.get("kind") not in KIND_BY_VALUE:
            raise BadEvent("佐证材料内容不对")
    elif op == "status":
        if new not in STATUS_BY_VALUE:
            raise BadEvent(f"未知状态「{new}」")
        _check_date(doc.get("due"))
        _check_date(doc.get("done_on"))
    elif op == "owner":
        if new is not None and type(new) is not str:
            raise BadEvent("负责人应为文字")
    elif op == "due":
        _check_date(new)
    elif op == "note":
        if type(new) is not str:
            raise BadEvent("备注应为文字")
    elif op == "facts":
        if type(new) is not dict or not new:
            raise BadEvent("实际情况内容不对")
        for key, value in new.items():
            if problem := fact_problem(key, value):
                raise BadEvent(problem)
    elif op == "evidence_remove":
        if type(doc.get("evidence")) is not int:
            raise BadEvent("缺少要删除的佐证材料编号")
    elif op == "relink":
        if type(new) is not str or not new:
            raise BadEvent("缺少新的事项编号")
    elif op == "carry":
        if type(new) is not dict or type(new.get("id")) is not str:
            raise BadEvent("延续事项内容不对")
    elif op == "undo":
        undoes = doc.get("undoes")
        if type(undoes) is not int or not 0 < undoes < doc_id:
            raise BadEvent("撤销的记录编号不对")
    else:
        raise BadEvent(f"未知的操作「{op}」")


FACT_LABELS = {"people": "人数", "households": "户数", "amount_paid": "实发金额", "place": "地点", "attendees": "参加人员"}


def fact_problem(key: str, value: Any) -> str | None:
    """What is wrong with one fact's stored value, or None."""
    if key not in FACT_LABELS:
        return f"未知的实际情况字段「{key}」"
    if value is None:
        return None
    label = FACT_LABELS[key]
    if key in ("people", "households"):
        if type(value) is not int or value < 0:
            return f"{label}应为不小于 0 的整数"
    elif key == "amount_paid":
        if type(value) not in (int, float) or not math.isfinite(value) or value < 0:
            return f"{label}应为不小于 0 的数"
    elif type(value) is not str:
        return f"{label}应为文字"
    return None


def _check_date(value: Any) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadEvent(f"日期「{value}」不对") from None


def event_problem(doc_id: int, doc: dict) -> str | None:
    """The log's validator: what is wrong with an event record, or None."""
    try:
        check_event(doc, doc_id)
    except BadEvent as bad:
        return f"编号 {doc_id} 的记录{bad}"
    return None


def _convert(op: str, value: Any) -> Any:
    if op == "status" and isinstance(value, str):
        return Status(value)
    if op == "due" and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def to_change(doc: dict, undone: bool) -> Change:
    op = doc["op"]
    effective = doc.get("undone_op", op) if op == "undo" else op
    data = {k: v for k, v in doc.items() if k not in CHANGE_KEYS}
    for key in ("due", "done_on"):
        if isinstance(data.get(key), str):
            data[key] = date.fromisoformat(data[key])
    return Change(
        seq=doc["seq"],
        at=datetime.fromisoformat(doc["at"]),
        by=doc["by"],
        year=doc["year"],
        occurrence=doc["occ"],
        op=op,
        old=_convert(effective, doc.get("old")),
        new=_convert(effective, doc.get("new")),
        reason=doc.get("reason") or "",
        undoes=doc.get("undoes"),
        undone=undone,
        data=data,
        txn=doc.get("txn"),
    )


def carried_id(doc: dict) -> str:
    """The id a carry event's occurrence has in its new year: ``old-id~from_year``."""
    snap = doc["new"]
    from_year = snap.get("from_year", doc.get("from_year"))
    return f"{snap.get('from_id') or snap['id']}~{from_year}"
