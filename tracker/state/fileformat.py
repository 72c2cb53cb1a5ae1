"""The state file's bytes: header line, one JSON record per line, parsed in bulk.

UTF-8 JSON Lines, Chinese kept readable (``ensure_ascii=False``)::

    {"format":"shuangyong-tui-state","schema":1,"created":"2026-01-05T09:00:00+08:00","generation":0}
    {"t":"changes","id":1,"doc":{"seq":1,"at":"...","by":"王敏","year":2026,"occ":"...","op":"status",...}}

Line 1 is the header (format name, schema version, creation time, and a generation number
that changes when the file is replaced as a whole). Every further line is one record
``{"t": table, "id": n, "doc": {...}}``; the ``changes`` table is the append-only event log
(see :mod:`tracker.state.events`). Records of other tables, written by older versions, are
checked for shape and kept out of the way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

FORMAT = "shuangyong-tui-state"
SCHEMA = 1
CHANGES = "changes"
BOM = b"\xef\xbb\xbf"


class SeenIds:
    """The record ids read so far for one table: every id from 1 to `upto`, the common case
    (and what a checkpoint keeps, as a count), plus any others. Works as the set of them for
    what the log asks (``in``, ``add``, ``update``, ``|=``, iteration) without making it: a set
    of a county's 25,000 ids costs ~3 MB and ~2 ms on every open."""

    __slots__ = ("upto", "others")

    def __init__(self, upto: int = 0, others=()) -> None:
        self.upto = upto
        self.others: set = set(others)

    def __contains__(self, i: object) -> bool:
        return (type(i) is int and 0 < i <= self.upto) or i in self.others

    def add(self, i) -> None:
        if i in self:
            return
        if type(i) is int and i == self.upto + 1:
            self.upto = i
            others = self.others
            while self.upto + 1 in others:
                others.remove(self.upto + 1)
                self.upto += 1
        else:
            self.others.add(i)

    def update(self, ids) -> None:
        for i in sorted(ids):
            self.add(i)

    def __ior__(self, ids) -> "SeenIds":
        self.update(ids)
        return self

    def __iter__(self):
        yield from range(1, self.upto + 1)
        yield from self.others

    def __len__(self) -> int:
        return self.upto + len(self.others)


class Damaged(Exception):
    """The content cannot be used; carries the line and what is wrong (Chinese)."""

    def __init__(self, line: int, what: str):
        self.line = line
        self.what = what
        super().__init__(what)


class NewerSchema(Exception):
    """The header names a schema this version does not know."""

    def __init__(self, schema: int):
        self.schema = schema
        super().__init__(schema)


def encode(obj: Any) -> bytes:
    """One line: compact JSON, readable Chinese, newline-terminated."""
    return (
        json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        + b"\n"
    )


def encode_event(doc: dict) -> bytes:
    return encode({"t": CHANGES, "id": doc["seq"], "doc": doc})


def new_header(created: str, generation: int = 0) -> dict:
    return {"format": FORMAT, "schema": SCHEMA, "created": created, "generation": generation}


def parse_header(line: bytes) -> dict:
    if line.startswith(BOM):
        line = line[len(BOM) :]
    try:
        header = json.loads(line)
    except ValueError:
        raise Damaged(1, "文件头不是有效的 JSON，这可能不是本程序的状态文件") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise Damaged(1, f"缺少文件头 format={FORMAT}，这不是本程序的状态文件")
    schema = header.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise Damaged(1, "文件头中的格式版本 schema 不对")
    if schema > SCHEMA:
        raise NewerSchema(schema)
    return header


PARSE_LINES = 4096  # lines parsed per call (see parse_body)


def parse_body(
    body: bytes,
    first_line: int,
    seen: dict[str, set[int]],
    validator: Callable[[int, dict], str | None] | None,
) -> list[dict]:
    """The ``changes`` documents of complete lines (``body`` ends with a newline).

    ``seen`` holds the ids already read per table (a repeated id is damage); it is updated
    only when the whole body is good.
    ``validator(id, doc)`` says what is wrong with an event, or None.
    """
    if not body:
        return []
    lines = body.split(b"\n")
    lines.pop()  # body ends with a newline
    items: list[Any] | None
    try:
        # One parse per few thousand lines is several times faster than one per line; not
        # one for the whole body: a single call would hold the interpreter for a second on
        # a long file, and the screen (this runs in the app's worker) would stop for that
        # long. When it fails, the per-line parse below finds the line to report.
        items = []
        for start in range(0, len(lines), PARSE_LINES):
            part = lines[start : start + PARSE_LINES]
            got = json.loads(b"[" + b",".join(part) + b"]")
            if len(got) != len(part):
                raise ValueError("a line held more than one value")
            items += got
    except ValueError:
        items = None
    if items is None:
        items = []
        for i, line in enumerate(lines):
            if not line.strip():
                items.append(None)  # a blank line (hand-edited file) carries nothing
                continue
            try:
                items.append(json.loads(line))
            except ValueError:
                raise Damaged(first_line + i, "不是有效的 JSON") from None
    docs = []
    added: dict[str, set[int]] = {}  # ids of this body; merged into `seen` only when all is well
    for i, item in enumerate(items):
        try:
            t, doc_id, doc = item["t"], item["id"], item["doc"]
        except (TypeError, KeyError):
            if item is None:
                continue
            if not isinstance(item, dict):
                raise Damaged(first_line + i, "应为一条记录（JSON 对象）") from None
            raise Damaged(first_line + i, "记录缺少 t、id 或 doc") from None
        if type(t) is not str or not t:
            raise Damaged(first_line + i, "记录的表名 t 不对")
        if type(doc_id) is not int or doc_id < 1:
            raise Damaged(first_line + i, "记录编号 id 不是正整数")
        if type(doc) is not dict:
            raise Damaged(first_line + i, "记录内容 doc 不是 JSON 对象")
        ids = added.get(t)
        if ids is None:
            ids = added[t] = set()
        if doc_id in ids or doc_id in seen.get(t, ()):
            raise Damaged(first_line + i, f"记录编号 {doc_id} 重复")
        ids.add(doc_id)
        if t != CHANGES:
            continue
        if validator is not None and (problem := validator(doc_id, doc)):
            raise Damaged(first_line + i, problem)
        docs.append(doc)
    for t, ids in added.items():
        if t in seen:
            seen[t] |= ids
        else:
            seen[t] = ids
    return docs
