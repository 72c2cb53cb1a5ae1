"""The state file: every status change, owner, evidence item and note, never lost.

Design
======

The state file is a TinyDB database with its own storage class (TinyDB's documented
extension point, :class:`JsonLinesStorage`) and table class (:class:`EventTable`).

File format
-----------
UTF-8 JSON Lines, Chinese kept readable (``ensure_ascii=False``, no ``\\u`` escapes)::

    {"format":"shuangyong-tui-state","schema":1,"created":"2026-01-05T09:00:00+08:00","generation":0}
    {"t":"changes","id":1,"doc":{"seq":1,"at":"...","by":"王敏","year":2026,"occ":"...","op":"status",...}}
    {"t":"changes","id":2,"doc":{...}}

Line 1 is the header (format name, schema version, creation time, and a generation number
that changes on every full rewrite so other processes notice the file was replaced). Every
further line is one TinyDB document of one table. The ``changes`` table is an append-only
event log: every change the office makes is one document, and the state of an occurrence
is a fold of its events. History and undo therefore come for free.

Why not TinyDB's JSONStorage
----------------------------
JSONStorage rewrites the whole file on every write; with 10,000 occurrences and 20,000
evidence items that is megabytes per tick. Here a change appends one line and fsyncs it,
so recording a change costs the same with an empty file or a county's year. TinyDB's own
``Table.insert`` also rebuilds the whole table dict on every insert (O(n)), so the
``changes`` table uses :class:`EventTable`, whose ``insert``/``insert_multiple`` hand the
new documents straight to the storage's append path. Any other TinyDB operation goes
through ``Storage.write(data)``, which appends when the only difference from disk is new
documents of an append-only table, and otherwise falls back to a full atomic rewrite
(temporary file in the same folder, fsync, ``os.replace``, fsync of the folder).

Reading
-------
``read()`` returns the cached tables. It stats the file first; if the file only grew
(same inode, same header) it parses just the new tail, and if it was replaced (other
inode or header, or it shrank) it reloads it fully. Every record is checked as it is
read (shape, and for ``changes`` the event's fields); nothing is written that would fail
that check. A last line without ``\\n`` is a write cut short by a crash or still in
progress in another process: it was never acknowledged and readers ignore it. The next
writer, holding the lock (so nobody is mid-write), cuts it off, or adds the missing
newline when it is a whole valid record (e.g. an editor dropped the final newline). Any
other unreadable line, a bad header, JSON of the wrong shape, an invalid event or a newer
schema raises :class:`StoreError` naming the file (and line) and the newest backup, and the
file is never written while it is in that state (every write re-reads it first). An
existing empty file is a new file, unless backups of it exist (then it was emptied).

Writing
-------
Every change runs under ``filelock.FileLock(<real path>.lock)``: re-read the file, validate
against the fresh state, append, fsync, update the in-memory fold, release. A change is
acknowledged when the method returns; at that point it is on disk. Two processes never
lose each other's updates because each re-reads under the lock and ids (``seq``) are
assigned under the lock as max+1. A failed append (disk full, permissions) is truncated
back to the previous size, so the file on disk is unchanged and the error is a Chinese
:class:`StoreError`. A rewrite that fails leaves the old file in place (the temporary file
is removed; one left by a writer that was killed is removed by the next rewrite).

Backups: before the first write of a day and before any full rewrite, a copy goes to
``backups/<name>.<YYYYMMDD>.bak`` beside the file; the newest 7 are kept. A brand-new file
is created only when the path does not exist (or is an empty file); a file that disappears
while open is an error, not a reason to start over. A symlinked state file is followed and
written through (the link stays a link); a missing parent folder is created.

Events and the fold
-------------------
An event document is ``{"seq", "at" (ISO with offset), "by", "year", "occ", "op", "old",
"new", "reason", ...op-specific keys}``. ``op`` is one of ``status`` (``new`` = status value,
optional ``due``), ``owner``, ``due``, ``note``, ``evidence`` (``new`` = kind, text, label,
size, sha256, archived), ``evidence_remove`` (``evidence`` = the seq that added it),
``relink`` (``occ`` = old id, ``new`` = new id; later events for the old id apply to the
new one), ``carry`` (``new`` = snapshot of an unfinished occurrence carried into ``year``)
and ``undo`` (``undoes`` = seq reverted). The fold is kept incrementally as events arrive
(from this process or read from the tail), so reads cost nothing; it is rebuilt after a full
reload. Each occurrence keeps the events folded into it, so an undo refolds only the
occurrence it touches (a whole refold for undoing a relink or a carry-over). Notes are kept
as one string, one note per line, newest last. :class:`~tracker.model.Evidence` objects are
made when a state is first read, then reused.

Refusals of a change (延期 without a reason, unknown evidence id, a bad evidence path...)
raise :class:`InvalidChange`, which is both a TrackerError and a ValueError.

Reads (``state``, ``states``, ``history``...) return what this Store has seen; call
:meth:`Store.refresh` (one ``stat`` when nothing changed) to pick up other processes'
changes. Every write refreshes first.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from tracker.errors import StoreError, TrackerError
from tracker.model import Change, Evidence, EvidenceKind, OccurrenceState, Status

__all__ = [
    "FORMAT",
    "SCHEMA",
    "BACKUPS_KEPT",
    "InvalidChange",
    "JsonLinesStorage",
    "EventTable",
    "StateDB",
    "Store",
    "check_evidence",
]

FORMAT = "shuangyong-tui-state"
SCHEMA = 1
BACKUPS_KEPT = 7
BACKUP_DIR = "backups"
LOCK_TIMEOUT = 15.0  # seconds to wait for another process's change before giving up
CHANGES = "changes"

OPS = ("status", "owner", "due", "note", "evidence", "evidence_remove", "relink", "carry", "undo")

_O_BINARY = getattr(os, "O_BINARY", 0)
_BOM = b"\xef\xbb\xbf"
_HASH_CHUNK = 1 << 20


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# New files get the mode an ordinary open() would give them, not mkstemp's 0600: the
# state file may live in a folder shared by the office.
_NEW_FILE_MODE = 0o666 & ~_current_umask()


class InvalidChange(TrackerError, ValueError):
    """A change the store refuses (延期 without a reason, unknown evidence id...)."""


# ---------------------------------------------------------------------------
# Storage: JSON Lines, append-mostly, reread incrementally
# ---------------------------------------------------------------------------


class _Damaged(Exception):
    """Internal: the file content cannot be used; carries the line and what is wrong."""

    def __init__(self, line: int, what: str):
        self.line = line
        self.what = what
        super().__init__(what)


def _encode(obj: Any) -> bytes:
    return (
        json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        + b"\n"
    )


def _fsync_dir(folder: str) -> None:
    """Make a rename durable. Not every platform can open a folder (Windows): skip there."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _refuse_special_file(path: Path) -> None:
    """A device, pipe or socket is never a state file: reading could hang, replacing it
    would destroy it (``--db /dev/null`` run as root)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing (a new file) or unreadable: the storage explains that itself
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise StoreError(f"{path} 不是普通文件（设备、管道或套接字），不能用作状态文件；请换一个文件路径")


class JsonLinesStorage(Storage):
    """TinyDB storage: a JSON Lines file, appended to, reread only where it grew.

    ``append_tables`` are append-only (the event log); a write that only adds documents to
    them appends lines, anything else rewrites the file atomically. Use it with
    :class:`StateDB` (whose tables append directly) and hold :meth:`locked` around a
    read-modify-write done through plain TinyDB operations.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        append_tables: Iterable[str] = (CHANGES,),
        now: Callable[[], datetime] | None = None,
        lock_timeout: float = LOCK_TIMEOUT,
        validator: Callable[[str, int, dict], str | None] | None = None,
    ) -> None:
        self.path = Path(path)
        if "\0" in str(self.path):
            raise StoreError(f"状态文件路径含有不可用的空字符：{str(self.path)!r}")
        # Checks every record read: (table, id, doc) -> what is wrong, or None. A record it
        # rejects makes the file damaged (never written), with the line in the message.
        self.validator = validator
        # Follow a symlink once: writes go to the target, the link itself stays a link.
        self.real_path = Path(os.path.realpath(self.path))
        _refuse_special_file(self.real_path)
        self.append_tables = frozenset(append_tables)
        self.lock_timeout = lock_timeout
        self._now = now or _local_now
        self._lock = self._new_lock()
        # Hooks for the low-level calls, so a test can simulate a full disk.
        self._os_write: Callable[[int, bytes], int] = os.write
        self._os_fsync: Callable[[int], None] = os.fsync

        self._data: dict[str, dict[str, dict]] = {}  # handed to TinyDB, which may mutate it
        self._prev: dict[str, dict[str, dict]] = {}  # table objects as they are on disk
        self._max_id: dict[str, int] = {}
        self._header: dict | None = None
        self._header_bytes = b""
        self._offset = 0  # bytes of complete lines consumed
        self._lines = 0  # complete lines consumed (header included)
        self._stat_key: tuple | None = None
        self._ident: tuple[int, int] | None = None  # (dev, inode) of the file read
        self._unseen: list[tuple[str, int, dict]] = []
        self._backup_day: str | None = None
        self._depth = 0  # nesting of locked()
        self.generation = 0  # grows on every full (re)load or rewrite
        self._version = 0  # grows whenever the cached content changes
        self._read_version = -1  # _version when TinyDB last read
        self.sync()

    # -- messages ----------------------------------------------------------
    @property
    def backups_dir(self) -> Path:
        return self.real_path.parent / BACKUP_DIR

    def backups(self) -> list[Path]:
        """Backups of this file, newest first."""
        pattern = re.compile(re.escape(self.real_path.name) + r"\.(\d{8})\.bak$")
        try:
            names = os.listdir(self.backups_dir)
        except OSError:
            return []
        found = sorted((m.group(1), n) for n in names if (m := pattern.match(n)))
        return [self.backups_dir / n for _, n in reversed(found)]

    def newest_backup(self) -> Path | None:
        found = self.backups()
        return found[0] if found else None

    def _backup_hint(self) -> str:
        newest = self.newest_backup()
        if newest is None:
            return f"没有找到备份（备份文件夹：{self.backups_dir}）。"
        return f"最近的备份：{newest}。可先把这个文件另存一份，再用备份替换它。"

    def _damaged_error(self, line: int, what: str) -> StoreError:
        return StoreError(
            f"状态文件 {self.path} 已损坏（第 {line} 行：{what}），无法读取。"
            f"为保护已有记录，本程序不会改写这个文件。{self._backup_hint()}"
        )

    def _write_error(self, exc: OSError) -> StoreError:
        code = exc.errno
        if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            reason = "磁盘空间不足"
        elif code in (errno.EACCES, errno.EPERM) or isinstance(exc, PermissionError):
            reason = "没有写权限（文件或所在文件夹是只读的）"
        elif code == errno.EROFS:
            reason = "所在磁盘是只读的"
        elif code == errno.EFBIG:
            reason = "文件超过了系统允许的大小"
        elif code in (errno.ENOTDIR, errno.EEXIST):
            reason = "路径中有一段是文件而不是文件夹"
        else:
            reason = exc.strerror or str(exc)
        return StoreError(f"无法保存到状态文件 {self.path}：{reason}。本次修改没有保存，文件保持原样。")

    def _read_error(self, exc: OSError) -> StoreError:
        if isinstance(exc, PermissionError):
            return StoreError(f"无法读取状态文件 {self.path}：没有读取权限。")
        if exc.errno == errno.ENOTDIR:
            return StoreError(f"无法使用状态文件 {self.path}：路径中有一段是文件而不是文件夹。")
        return StoreError(f"无法读取状态文件 {self.path}：{exc.strerror or exc}。")

    # -- TinyDB Storage interface -------------------------------------------
    def read(self) -> dict[str, dict[str, dict]]:
        self.sync()
        self._read_version = self._version
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        with self.locked():
            changed = [t for t in set(data) | set(self._prev) if data.get(t) is not self._prev.get(t)]
            try:
                if self._version != self._read_version:
                    # TinyDB computed `data` from an older read: writing it would drop what
                    # another process added since. Hold locked() around read-modify-write.
                    raise StoreError(
                        f"状态文件 {self.path} 在读取之后被其他程序改动了，本次修改没有保存，请重试。"
                    )
                appends: dict[str, dict[int, dict]] = {}
                rewrite = False
                for t in changed:
                    cur, prev = data.get(t), self._prev.get(t) or {}
                    if cur is None or t not in self.append_tables:
                        rewrite = True
                        break
                    # TinyDB builds a new dict for every table operation. Pure inserts add
                    # keys; an update keeps them (and changed a document), a remove drops some.
                    if len(cur) <= len(prev) or not prev.keys() <= cur.keys():
                        rewrite = True
                        break
                    appends[t] = {int(k): dict(cur[k]) for k in cur.keys() - prev.keys()}
                if rewrite:
                    self._rewrite({t: dict(docs) for t, docs in data.items()})
                elif appends:
                    for t in changed:
                        data[t] = self._prev.get(t, {})
                    self._append({t: dict(sorted(docs.items())) for t, docs in appends.items()})
            except BaseException:
                # TinyDB already put its result into the cache (and an update changes
                # documents in place): read the file again so the cache is what is on disk.
                for t in changed:
                    if t in self._prev:
                        data[t] = self._prev[t]
                    else:
                        data.pop(t, None)
                self._stat_key = None
                self._ident = None
                with contextlib.suppress(StoreError):
                    self.sync()
                raise

    def close(self) -> None:
        pass

    # -- locking -------------------------------------------------------------
    def _new_lock(self) -> FileLock:
        self._lock_pid = os.getpid()
        return FileLock(str(self.real_path) + ".lock", timeout=self.lock_timeout, thread_local=False)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the file lock (reentrant). Creates the parent folder if missing."""
        if self._lock_pid != os.getpid():
            # A forked child must not use its parent's lock object (filelock refuses it).
            self._lock = self._new_lock()
            self._depth = 0
        if not self._lock.is_locked:
            try:
                self.real_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise self._write_error(exc) from None
        try:
            self._lock.acquire(timeout=self.lock_timeout)
        except Timeout:
            raise StoreError(
                f"状态文件 {self.path} 正被其他程序使用（等了 {self.lock_timeout:g} 秒仍未释放），请稍后再试。"
            ) from None
        except OSError as exc:
            raise self._write_error(exc) from None
        self._depth += 1
        try:
            if self._depth == 1:
                self._repair_tail()
            yield
        finally:
            self._depth -= 1
            self._lock.release()

    def _repair_tail(self) -> None:
        """With the lock held, settle an unfinished last line before anyone appends.

        Nobody else can be writing now, so bytes after the last newline were left by a
        writer that died. A complete record missing only its newline is kept (the newline
        is added); anything else was never acknowledged and is cut off.
        """
        self.sync()
        st = self._stat()
        if st is None or self._header is None or st.st_size == self._offset:
            return
        try:
            with open(self.real_path, "r+b") as f:
                f.seek(self._offset)
                tail = f.read()
                if b"\n" in tail:
                    return  # grew since sync: a writer that does not lock; leave it to sync
                try:
                    keep = len(self._parse_body(tail + b"\n", self._lines + 1, self._prev)) == 1
                except _Damaged:
                    keep = False
                if keep:
                    f.seek(0, os.SEEK_END)
                    f.write(b"\n")
                else:
                    f.truncate(self._offset)
                f.flush()
                self._os_fsync(f.fileno())
        except OSError as exc:
            raise self._write_error(exc) from None
        self.sync()

    # -- reading -------------------------------------------------------------
    def table(self, name: str) -> dict[str, dict]:
        return self._prev.get(name, {})

    def max_id(self, name: str) -> int:
        return self._max_id.get(name, 0)

    def drain(self) -> list[tuple[str, int, dict]]:
        """Documents that arrived since the last drain (read from disk or appended here)."""
        got, self._unseen = self._unseen, []
        return got

    def _stat(self) -> os.stat_result | None:
        try:
            st = os.stat(self.real_path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._read_error(exc) from None
        if stat.S_ISDIR(st.st_mode):
            raise StoreError(f"状态文件的位置 {self.path} 是一个文件夹，请指定一个文件。")
        return st

    @staticmethod
    def _key(st: os.stat_result) -> tuple:
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def sync(self) -> bool:
        """Bring the cache up to date with the file; True when anything changed."""
        st = self._stat()
        if st is None:
            if self._header is not None:
                raise StoreError(
                    f"状态文件 {self.path} 不见了（被移走或删除）。为避免从头开始而丢失记录，"
                    f"本程序不会新建它。{self._backup_hint()}"
                )
            self._stat_key = None
            return False
        key = self._key(st)
        if key == self._stat_key:
            return False
        if (
            self._header is None
            or (st.st_dev, st.st_ino) != self._ident
            or st.st_size < self._offset
        ):
            return self._load_all()
        return self._load_tail()

    def _read_from(self, offset: int) -> tuple[bytes, os.stat_result, bytes]:
        """Bytes from offset, the fstat of what was read, and the first header-length bytes."""
        try:
            with open(self.real_path, "rb") as f:
                st = os.fstat(f.fileno())
                head = f.read(len(self._header_bytes)) if offset else b""
                f.seek(offset)
                return f.read(), st, head
        except FileNotFoundError:
            raise StoreError(f"状态文件 {self.path} 在读取时消失了，请重试。") from None
        except OSError as exc:
            raise self._read_error(exc) from None

    def _load_all(self) -> bool:
        raw, st, _ = self._read_from(0)
        if not raw:
            # An empty file is a new one, unless it held records before (here, or as the
            # backups show): then something emptied it and the user should restore.
            if self._header is not None or self.newest_backup() is not None:
                raise self._damaged_error(1, "文件是空的")
            self._stat_key = self._key(st)
            self._ident = (st.st_dev, st.st_ino)
            return False
        end = raw.rfind(b"\n") + 1  # bytes after the last newline: an unfinished write
        first = raw.find(b"\n")
        try:
            header = self._parse_header(raw[:first] if first >= 0 else raw)
            if first < 0:
                raise _Damaged(1, "文件头不完整")
            records = self._parse_body(raw[first + 1 : end], 2, {})
        except _Damaged as bad:
            raise self._damaged_error(bad.line, bad.what) from None
        tables: dict[str, dict[str, dict]] = {}
        max_id: dict[str, int] = {}
        for t, doc_id, doc in records:
            tables.setdefault(t, {})[str(doc_id)] = doc
            if doc_id > max_id.get(t, 0):
                max_id[t] = doc_id
        self._header = header
        self._header_bytes = raw[: first + 1]
        self._data = dict(tables)
        self._prev = dict(tables)
        self._max_id = max_id
        self._offset = end
        self._lines = raw.count(b"\n", 0, end)
        self._stat_key = self._key(st)
        self._ident = (st.st_dev, st.st_ino)
        self._unseen = []
        self.generation += 1
        self._version += 1
        return True

    def _load_tail(self) -> bool:
        raw, st, head = self._read_from(self._offset)
        if (st.st_dev, st.st_ino) != self._ident or head != self._header_bytes:
            return self._load_all()  # replaced between stat and open, or rewritten
        end = raw.rfind(b"\n") + 1
        try:
            records = self._parse_body(raw[:end], self._lines + 1, self._prev)
        except _Damaged as bad:
            raise self._damaged_error(bad.line, bad.what) from None
        for t, doc_id, doc in records:
            table = self._prev.get(t)
            if table is None:
                table = self._prev[t] = self._data[t] = {}
            table[str(doc_id)] = doc
            if doc_id > self._max_id.get(t, 0):
                self._max_id[t] = doc_id
        self._unseen.extend(records)
        self._offset += end
        self._lines += raw.count(b"\n", 0, end)
        self._stat_key = self._key(st)
        if records:
            self._version += 1
        return bool(records)

    def _parse_header(self, line: bytes) -> dict:
        if line.startswith(_BOM):
            line = line[len(_BOM) :]
        try:
            header = json.loads(line)
        except ValueError:
            raise _Damaged(1, "文件头不是有效的 JSON，这可能不是本程序的状态文件") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise _Damaged(1, f"缺少文件头 format={FORMAT}，这不是本程序的状态文件")
        schema = header.get("schema")
        if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
            raise _Damaged(1, "文件头中的格式版本 schema 不对")
        if schema > SCHEMA:
            raise StoreError(
                f"状态文件 {self.path} 由更新版本的本程序写入（格式版本 {schema}，本程序只认识 {SCHEMA}），"
                f"请升级本程序后再打开。为保护已有记录，本程序不会改写这个文件。"
            )
        return header

    def _parse_body(
        self, body: bytes, first_line: int, existing: Mapping[str, Mapping[str, dict]]
    ) -> list[tuple[str, int, dict]]:
        if not body:
            return []
        lines = body.split(b"\n")
        lines.pop()  # body ends with a newline
        items: list[Any] | None
        try:
            # One parse for the whole body is several times faster than one per line;
            # when it fails, the per-line parse below finds the line to report.
            items = json.loads(b"[" + b",".join(lines) + b"]")
            if len(items) != len(lines):
                items = None
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
                    raise _Damaged(first_line + i, "不是有效的 JSON") from None
        records = []
        seen: dict[str, set[int]] = {}
        validator = self.validator
        for i, item in enumerate(items):
            try:
                t, doc_id, doc = item["t"], item["id"], item["doc"]
            except (TypeError, KeyError):
                if item is None:
                    continue
                if not isinstance(item, dict):
                    raise _Damaged(first_line + i, "应为一条记录（JSON 对象）") from None
                raise _Damaged(first_line + i, "记录缺少 t、id 或 doc") from None
            if type(t) is not str or not t:
                raise _Damaged(first_line + i, "记录的表名 t 不对")
            if type(doc_id) is not int or doc_id < 1:
                raise _Damaged(first_line + i, "记录编号 id 不是正整数")
            if type(doc) is not dict:
                raise _Damaged(first_line + i, "记录内容 doc 不是 JSON 对象")
            ids = seen.get(t)
            if ids is None:
                ids = seen[t] = set()
            if doc_id in ids or (existing and str(doc_id) in existing.get(t, ())):
                raise _Damaged(first_line + i, f"记录编号 {doc_id} 重复")
            if validator is not None and (problem := validator(t, doc_id, doc)):
                raise _Damaged(first_line + i, problem)
            ids.add(doc_id)
            records.append((t, doc_id, doc))
        return records

    # -- writing -------------------------------------------------------------
    def append(self, table: str, docs: Mapping[int, dict]) -> None:
        """Append new documents (ids not yet used) of an append-only table, durably."""
        with self.locked():
            self.sync()
            existing = self._prev.get(table, {})
            for doc_id in docs:
                if str(doc_id) in existing:
                    raise ValueError(f"Document with ID {doc_id} already exists")
            self._append({table: dict(docs)})

    def _append(self, new: dict[str, dict[int, dict]]) -> None:
        """Caller holds the lock and has just synced."""
        records = [(t, doc_id, doc) for t, docs in new.items() for doc_id, doc in docs.items()]
        if not records:
            return
        self._refuse_invalid(records)
        try:
            payload = b"".join(_encode({"t": t, "id": i, "doc": d}) for t, i, d in records)
        except (TypeError, ValueError) as exc:
            raise TrackerError(f"无法保存：记录中有不能写入文件的内容（{exc}）。") from None
        if self._header is None:
            self._create(records)
            return
        self._daily_backup()
        try:
            fd = os.open(self.real_path, os.O_WRONLY | _O_BINARY)
        except OSError as exc:
            raise self._write_error(exc) from None
        try:
            try:
                st = os.fstat(fd)
                if (st.st_dev, st.st_ino) != self._ident or st.st_size != self._offset:
                    # locked() settled any unfinished line, so this is a writer that does
                    # not take the lock: do not cut what it wrote.
                    raise StoreError(f"状态文件 {self.path} 在写入时被其他程序改动了，本次修改没有保存，请重试。")
                os.lseek(fd, self._offset, os.SEEK_SET)
                view = memoryview(payload)
                while view:
                    view = view[self._os_write(fd, view) :]
                self._os_fsync(fd)
                st = os.fstat(fd)
            except OSError as exc:
                try:
                    os.ftruncate(fd, self._offset)
                    os.fsync(fd)
                except OSError:
                    pass  # what is left is an unfinished last line: ignored and cut next time
                raise self._write_error(exc) from None
        finally:
            os.close(fd)
        for t, doc_id, doc in records:
            target = self._prev.get(t)
            if target is None:
                target = self._prev[t] = self._data[t] = {}
            target[str(doc_id)] = doc
            if doc_id > self._max_id.get(t, 0):
                self._max_id[t] = doc_id
        self._unseen.extend(records)
        self._offset += len(payload)
        self._lines += len(records)
        self._stat_key = self._key(st)
        self._version += 1

    def _create(self, records: list[tuple[str, int, dict]]) -> None:
        header = {
            "format": FORMAT,
            "schema": SCHEMA,
            "created": self._now().isoformat(timespec="seconds"),
            "generation": 0,
        }
        tables: dict[str, dict[str, dict]] = {}
        for t, doc_id, doc in records:
            tables.setdefault(t, {})[str(doc_id)] = doc
        self._write_whole(header, tables)
        self._unseen.extend(records)

    def _rewrite(self, tables: dict[str, dict[str, dict]]) -> None:
        """Replace the whole file (after a non-append change); backs it up first."""
        if self._header is None:
            header = {"format": FORMAT, "schema": SCHEMA, "created": self._now().isoformat(timespec="seconds")}
        else:
            header = dict(self._header)
            self._daily_backup(force=True)
        header["generation"] = int(header.get("generation", 0)) + 1
        self._write_whole(header, tables)
        self._unseen = []

    def _refuse_invalid(self, records: Iterable[tuple[str, int, dict]]) -> None:
        """Never write a record this file would then be refused for when read."""
        if self.validator is None:
            return
        for t, doc_id, doc in records:
            if problem := self.validator(t, doc_id, doc):
                raise TrackerError(f"无法保存：{problem}。文件未改动。")

    def _write_whole(self, header: dict, tables: dict[str, dict[str, dict]]) -> None:
        ordered = {t: dict(sorted(((int(k), dict(v)) for k, v in docs.items()))) for t, docs in tables.items()}
        self._refuse_invalid((t, i, d) for t, docs in ordered.items() for i, d in docs.items())
        try:
            head = _encode(header)
            parts = [head]
            for t, docs in ordered.items():
                parts.extend(_encode({"t": t, "id": i, "doc": d}) for i, d in docs.items())
        except (TypeError, ValueError) as exc:
            raise TrackerError(f"无法保存：记录中有不能写入文件的内容（{exc}）。") from None
        content = b"".join(parts)
        st = self._stat()
        mode = stat.S_IMODE(st.st_mode) if st is not None else _NEW_FILE_MODE
        try:
            self._atomic_write(self.real_path, content, mode)
            st = os.stat(self.real_path)
        except OSError as exc:
            raise self._write_error(exc) from None
        self._header = header
        self._header_bytes = head
        self._data = {t: {str(i): d for i, d in docs.items()} for t, docs in ordered.items()}
        self._prev = dict(self._data)
        self._max_id = {t: max(docs, default=0) for t, docs in ordered.items()}
        self._offset = len(content)
        self._lines = content.count(b"\n")
        self._stat_key = self._key(st)
        self._ident = (st.st_dev, st.st_ino)
        self.generation += 1
        self._version += 1

    def _atomic_write(self, target: Path, content: bytes, mode: int) -> None:
        """Temporary file in the same folder, fsync, rename over the target, fsync the folder."""
        folder = str(target.parent)
        # Called with the lock held, so a temporary file of ours already there was left by a
        # writer that died mid-rewrite: remove it rather than let them pile up.
        prefix = f".{target.name}."
        with contextlib.suppress(OSError):
            for name in os.listdir(folder):
                if name.startswith(prefix) and name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(folder, name))
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        try:
            try:
                view = memoryview(content)
                while view:
                    view = view[self._os_write(fd, view) :]
                self._os_fsync(fd)
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, mode)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _fsync_dir(folder)

    def _daily_backup(self, *, force: bool = False) -> None:
        """Copy the file (complete lines only) to backups/ once a day and before a rewrite."""
        if self._header is None:
            return
        day = self._now().strftime("%Y%m%d")
        if self._backup_day == day and not force:
            return
        target = self.backups_dir / f"{self.real_path.name}.{day}.bak"
        try:
            if force or not target.exists():
                with open(self.real_path, "rb") as f:
                    content = f.read(self._offset)
                self.backups_dir.mkdir(exist_ok=True)
                self._atomic_write(target, content, _NEW_FILE_MODE)
                for old in self.backups()[BACKUPS_KEPT:]:
                    try:
                        old.unlink()
                    except OSError:
                        pass
        except OSError as exc:
            raise self._write_error(exc) from None
        self._backup_day = day


class EventTable(Table):
    """A TinyDB table whose inserts append to the file instead of rewriting it.

    TinyDB's own insert rebuilds the whole table (O(n)) before handing it to the storage;
    for the append-only tables of a :class:`JsonLinesStorage` the new documents go straight
    to :meth:`JsonLinesStorage.append`. Every other operation is TinyDB's own.
    """

    def insert(self, document: Mapping) -> int:
        return self.insert_multiple([document])[0]

    def insert_multiple(self, documents: Iterable[Mapping]) -> list[int]:
        storage = self._storage
        if not isinstance(storage, JsonLinesStorage) or self.name not in storage.append_tables:
            return super().insert_multiple(documents)
        docs = list(documents)
        for doc in docs:
            if not isinstance(doc, Mapping):
                raise ValueError("Document is not a Mapping")
        with storage.locked():
            storage.sync()
            next_id = storage.max_id(self.name) + 1
            batch: dict[int, dict] = {}
            for doc in docs:
                if isinstance(doc, Document):
                    doc_id = int(doc.doc_id)
                else:
                    doc_id = next_id
                if doc_id in batch:
                    raise ValueError(f"Document with ID {doc_id} already exists")
                batch[doc_id] = dict(doc)
                next_id = max(next_id, doc_id + 1)
            storage.append(self.name, batch)
        self._next_id = None
        self.clear_cache()
        return list(batch)


class StateDB(TinyDB):
    """TinyDB on a :class:`JsonLinesStorage`, with appending tables."""

    table_class = EventTable
    default_storage_class = JsonLinesStorage


# ---------------------------------------------------------------------------
# Evidence files
# ---------------------------------------------------------------------------

_digest_cache: dict[tuple, str] = {}
_SAFE_NAME = re.compile(r"[^\w.@~+\-]+")


def _file_digest(path: str) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def check_evidence(ev: Evidence) -> str:
    """"ok", "missing" (gone, or no longer a readable file) or "changed" (size or sha256).

    Notes and links are always "ok". Digests are cached by (path, size, mtime, inode), so a
    screen can ask repeatedly without rereading unchanged photos.
    """
    if ev.kind != EvidenceKind.FILE:
        return "ok"
    try:
        st = os.stat(ev.text)
    except OSError:
        return "missing"
    if not stat.S_ISREG(st.st_mode):
        return "missing"
    if ev.size is not None and st.st_size != ev.size:
        return "changed"
    if not ev.sha256:
        return "ok"
    key = (ev.text, st.st_size, st.st_mtime_ns, st.st_ino)
    digest = _digest_cache.get(key)
    if digest is None:
        try:
            _, digest = _file_digest(ev.text)
        except OSError:
            return "missing"
        if len(_digest_cache) > 50_000:  # a long-running app: keep the cache bounded
            _digest_cache.clear()
        _digest_cache[key] = digest
    return "ok" if digest == ev.sha256 else "changed"


def _safe_name(text: str) -> str:
    cleaned = _SAFE_NAME.sub("_", text).strip("._") or "_"
    return cleaned[:120]


def _unique_target(folder: Path, name: str) -> Path:
    stem, suffix = os.path.splitext(name)
    candidate = folder / name
    n = 0
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def _read_evidence_file(text: str, archive: Path | None) -> tuple[str, int, str, str | None]:
    """Absolute path, size, sha256 and the archive copy (made from the same bytes)."""
    path = os.path.abspath(os.path.expanduser(text))  # spaces may belong to the name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InvalidChange(f"佐证文件不存在：{path}") from None
    except OSError as exc:
        raise InvalidChange(f"无法读取佐证文件 {path}：{exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InvalidChange(f"{path} 是一个文件夹，不是文件；请指定其中的具体文件。")
    if not stat.S_ISREG(st.st_mode):
        raise InvalidChange(f"{path} 不是普通文件，不能作为佐证材料。")
    h = hashlib.sha256()
    size = 0
    copy_path: Path | None = None
    try:
        with open(path, "rb") as src:
            out = None
            try:
                if archive is not None:
                    archive.mkdir(parents=True, exist_ok=True)
                    while True:
                        copy_path = _unique_target(archive, os.path.basename(path))
                        try:
                            out = open(copy_path, "xb")
                            break
                        except FileExistsError:
                            continue
                while chunk := src.read(_HASH_CHUNK):
                    h.update(chunk)
                    size += len(chunk)
                    if out is not None:
                        out.write(chunk)
                if out is not None:
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                if out is not None:
                    out.close()
        if copy_path is not None:
            shutil.copystat(path, copy_path)
    except PermissionError:
        _discard(copy_path)
        raise InvalidChange(f"无法读取佐证文件 {path}：没有读取权限。") from None
    except OSError as exc:
        _discard(copy_path)
        where = f"归档到 {archive}" if archive is not None else "读取"
        raise InvalidChange(f"佐证文件 {path} {where}失败：{exc.strerror or exc}") from None
    return path, size, h.hexdigest(), str(copy_path) if copy_path is not None else None


def _discard(path: Path | str | None) -> None:
    if path is not None:
        try:
            os.unlink(path)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# The fold: state per occurrence from the events
# ---------------------------------------------------------------------------


def _local_now() -> datetime:
    return datetime.now().astimezone()


def _default_user() -> str:
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no login name at all (some containers, services)
        return "unknown"


def _iso_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class _BadEvent(Exception):
    pass


_CHANGE_KEYS = frozenset({"seq", "at", "by", "year", "occ", "op", "old", "new", "reason", "undoes"})
_STATUS_BY_VALUE = {s.value: s for s in Status}
_KIND_BY_VALUE = {k.value: k for k in EvidenceKind}


def _check_event(doc: dict, doc_id: int) -> None:
    """Raise _BadEvent (Chinese) when a stored event is not one this version writes.

    Runs for every event on load, so it sticks to cheap checks (exact types, set lookups).
    """
    try:
        seq, at, by, year, occ, op = doc["seq"], doc["at"], doc["by"], doc["year"], doc["occ"], doc["op"]
    except KeyError as missing:
        raise _BadEvent(f"缺少字段“{missing.args[0]}”") from None
    if type(seq) is not int or seq != doc_id:
        raise _BadEvent("seq 与记录编号不一致")
    if type(year) is not int or type(by) is not str or type(occ) is not str or type(at) is not str:
        raise _BadEvent("year、by、occ 或 at 的类型不对")
    try:
        datetime.fromisoformat(at)
    except ValueError:
        raise _BadEvent(f"时间“{at}”不对") from None
    new = doc.get("new")
    if op == "evidence":
        if type(new) is not dict or type(new.get("text")) is not str or new.get("kind") not in _KIND_BY_VALUE:
            raise _BadEvent("佐证材料内容不对")
    elif op == "status":
        if new not in _STATUS_BY_VALUE:
            raise _BadEvent(f"未知状态“{new}”")
        _check_date(doc.get("due"))
    elif op == "owner":
        if new is not None and type(new) is not str:
            raise _BadEvent("负责人应为文字")
    elif op == "due":
        _check_date(new)
    elif op == "note":
        if type(new) is not str:
            raise _BadEvent("备注应为文字")
    elif op == "evidence_remove":
        if type(doc.get("evidence")) is not int:
            raise _BadEvent("缺少要删除的佐证材料编号")
    elif op == "relink":
        if type(new) is not str or not new:
            raise _BadEvent("缺少新的事项编号")
    elif op == "carry":
        if type(new) is not dict or type(new.get("id")) is not str:
            raise _BadEvent("延续事项内容不对")
    elif op == "undo":
        undoes = doc.get("undoes")
        if type(undoes) is not int or not 0 < undoes < doc_id:
            raise _BadEvent("撤销的记录编号不对")
    else:
        raise _BadEvent(f"未知的操作“{op}”")


def _check_date(value: Any) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _BadEvent(f"日期“{value}”不对") from None


def _event_problem(table: str, doc_id: int, doc: dict) -> str | None:
    """The storage validator for the event log: what is wrong with a record, or None."""
    if table != CHANGES:
        return None
    try:
        _check_event(doc, doc_id)
    except _BadEvent as bad:
        return f"编号 {doc_id} 的记录{bad}"
    return None


@dataclass
class _Acc:
    """Mutable state of one occurrence while folding; frozen on demand."""

    key: str  # the occurrence id it is filed under (changes on relink)
    status: Status = Status.TODO
    owner: str | None = None
    due: date | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    evidence: dict[int, dict] = field(default_factory=dict)  # seq -> the event that added it
    built: dict[int, Evidence] = field(default_factory=dict)  # made on the first freeze
    updated_at: str = ""
    updated_by: str = ""
    frozen: OccurrenceState | None = None
    # The events folded into this state, oldest first, so undoing one of them refolds
    # this occurrence alone instead of the whole file.
    events: list[dict] = field(default_factory=list)

    def apply(self, doc: dict) -> None:
        op = doc["op"]
        new = doc.get("new")
        if op == "status":
            self.status = _STATUS_BY_VALUE[new]
            self.reason = doc.get("reason") or ""
            if doc.get("due"):
                self.due = date.fromisoformat(doc["due"])
        elif op == "owner":
            self.owner = new or None
        elif op == "due":
            self.due = _iso_date(new)
            if doc.get("reason"):
                self.reason = doc["reason"]
        elif op == "note":
            self.notes.append(new)
        elif op == "evidence":
            self.evidence[doc["seq"]] = doc
        elif op == "evidence_remove":
            self.evidence.pop(doc["evidence"], None)
        self.updated_at, self.updated_by, self.frozen = doc["at"], doc["by"], None

    def refold(self) -> bool:
        """Recompute from the remaining events; False when nothing but relinks is left."""
        events, built = self.events, self.built
        self.__init__(self.key)  # type: ignore[misc]
        self.events, self.built = events, built
        for doc in events:
            self.apply(doc)
        return any(doc["op"] != "relink" for doc in events)

    def freeze(self) -> OccurrenceState:
        if self.frozen is None:
            self.frozen = OccurrenceState(
                status=self.status,
                owner=self.owner,
                due=self.due,
                reason=self.reason,
                notes="\n".join(self.notes),
                evidence=tuple(self._evidence(doc) for doc in self.evidence.values()),
                updated_at=datetime.fromisoformat(self.updated_at) if self.updated_at else None,
                updated_by=self.updated_by,
            )
        return self.frozen

    def _evidence(self, doc: dict) -> Evidence:
        ev = self.built.get(doc["seq"])
        if ev is None:
            ev = self.built[doc["seq"]] = _evidence_from(doc)
        return ev


@dataclass
class _Year:
    states: dict[str, _Acc] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)  # relinked id -> id holding its state now
    carries: list[dict] = field(default_factory=list)

    def resolve(self, occ: str) -> str:
        return self.alias.get(occ, occ)


def _evidence_from(doc: dict) -> Evidence:
    new = doc["new"]
    return Evidence(
        id=doc["seq"],
        kind=_KIND_BY_VALUE[new["kind"]],
        text=new["text"],
        label=new.get("label") or "",
        size=new.get("size"),
        sha256=new.get("sha256"),
        archived=new.get("archived"),
        added_at=datetime.fromisoformat(doc["at"]),
        added_by=doc["by"],
    )


def _convert(op: str, value: Any) -> Any:
    if op == "status" and isinstance(value, str):
        return Status(value)
    if op == "due" and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _to_change(doc: dict, undone: bool) -> Change:
    op = doc["op"]
    effective = doc.get("undone_op", op) if op == "undo" else op
    data = {k: v for k, v in doc.items() if k not in _CHANGE_KEYS}
    if isinstance(data.get("due"), str):
        data["due"] = date.fromisoformat(data["due"])
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
    )


# ---------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------


class Store:
    """One state file. All writes go through here; safe across processes.

    ``user`` is who changes are recorded as (default: the login name); every writing
    method takes ``by=`` to override it for one change. ``now`` returns the current aware
    datetime (for tests and for the day of the daily backup).
    """

    path: Path

    def __init__(
        self,
        path: Path | str,
        *,
        user: str | None = None,
        now: Callable[[], datetime] | None = None,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.user = (user or "").strip() or _default_user()
        self._clock = now or _local_now
        self._mutex = threading.RLock()
        self._db = StateDB(
            self.path, storage=JsonLinesStorage, now=self._now, lock_timeout=lock_timeout,
            validator=_event_problem,
        )
        self._storage: JsonLinesStorage = self._db.storage  # type: ignore[assignment]
        self._table = self._db.table(CHANGES, cache_size=0)
        self._gen: int | None = None
        self._events: list[dict] = []
        self._by_seq: dict[int, dict] = {}
        self._undone: set[int] = set()
        self._years: dict[int, _Year] = {}
        self._applied: dict[int, tuple[_Year, _Acc]] = {}  # seq -> where it was folded
        self._revision = 0
        with self._mutex:
            self._catch_up()

    # -- plumbing --------------------------------------------------------------
    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.astimezone()

    @property
    def real_path(self) -> Path:
        """The file actually written (the target when ``path`` is a symlink)."""
        return self._storage.real_path

    @property
    def backups_dir(self) -> Path:
        return self._storage.backups_dir

    def newest_backup(self) -> Path | None:
        return self._storage.newest_backup()

    @property
    def storage(self) -> JsonLinesStorage:
        """The TinyDB storage; hold ``storage.locked()`` around plain TinyDB writes."""
        return self._storage

    @property
    def db(self) -> TinyDB:
        """The underlying TinyDB (its ``changes`` table is the event log)."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _all_events(self) -> list[tuple[int, dict]]:
        return sorted((int(k), d) for k, d in self._storage.table(CHANGES).items())

    def _catch_up(self) -> bool:
        storage = self._storage
        storage.sync()
        if storage.generation != self._gen:
            storage.drain()
            self._rebuild(self._all_events(), storage.generation)
            return True
        new = sorted((doc_id, doc) for t, doc_id, doc in storage.drain() if t == CHANGES)
        if not new:
            return False
        if new[0][0] <= self._revision:  # out of order (hand-edited file): fold from scratch
            self._rebuild(self._all_events(), storage.generation)
            return True
        # Every event was checked by the storage's validator when it was read or written.
        for _, doc in new:
            self._events.append(doc)
            self._by_seq[doc["seq"]] = doc
            self._revision = doc["seq"]
            if doc["op"] == "undo":
                self._undone.add(doc["undoes"])
                self._unapply(doc["undoes"])
            else:
                self._apply(doc)
        return True

    def _rebuild(self, items: list[tuple[int, dict]], generation: int) -> None:
        docs = [doc for _, doc in items]
        self._events = docs
        self._by_seq = {d["seq"]: d for d in docs}
        self._undone = {d["undoes"] for d in docs if d["op"] == "undo"}
        self._revision = docs[-1]["seq"] if docs else 0
        self._refold()
        self._gen = generation

    def _unapply(self, seq: int) -> None:
        """Take an undone event out of the fold."""
        target = self._by_seq.get(seq)
        placed = self._applied.pop(seq, None)
        if target is None or placed is None or target["op"] in ("relink", "carry"):
            self._refold()  # moves ids or carry-overs: fold everything again (rare)
            return
        y, acc = placed
        acc.events.remove(target)
        if not acc.refold() and y.states.get(acc.key) is acc:
            del y.states[acc.key]

    def _refold(self) -> None:
        self._years = {}
        self._applied = {}
        undone = self._undone
        for doc in self._events:
            if doc["op"] != "undo" and doc["seq"] not in undone:
                self._apply(doc)

    def _year(self, year: int) -> _Year:
        y = self._years.get(year)
        if y is None:
            y = self._years[year] = _Year()
        return y

    def _apply(self, doc: dict) -> None:
        op = doc["op"]
        y = self._year(doc["year"])
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
        acc = y.states.get(occ)
        if acc is None:
            acc = y.states[occ] = _Acc(occ)
        acc.events.append(doc)
        acc.apply(doc)
        self._applied[doc["seq"]] = (y, acc)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._mutex, self._storage.locked():
            self._catch_up()
            yield

    def _record(self, docs: list[dict], by: str | None) -> list[Change]:
        """Stamp and persist new events; caller holds _writing(). Returns their Changes."""
        who = (by or "").strip() or self.user
        at = self._now().isoformat(timespec="seconds")
        batch = []
        seq = self._revision
        for body in docs:
            seq += 1
            doc = {"seq": seq, "at": at, "by": who}
            doc.update(body)
            batch.append(Document(doc, doc_id=seq))
        self._table.insert_multiple(batch)
        self._catch_up()
        return [_to_change(self._by_seq[d.doc_id], False) for d in batch]

    # -- reading -----------------------------------------------------------
    def refresh(self) -> bool:
        """Pick up changes other processes wrote; True when anything changed."""
        with self._mutex:
            return self._catch_up()

    @property
    def revision(self) -> int:
        """The seq of the newest change seen; grows with every change (cheap, for polling)."""
        return self._revision

    def state(self, year: int, occurrence: str) -> OccurrenceState:
        with self._mutex:
            y = self._years.get(year)
            acc = y.states.get(occurrence) if y else None
            return acc.freeze() if acc is not None else OccurrenceState()

    def states(self, year: int) -> dict[str, OccurrenceState]:
        """Every occurrence of the year with recorded state (untouched ones are absent)."""
        with self._mutex:
            y = self._years.get(year)
            if y is None:
                return {}
            return {occ: acc.freeze() for occ, acc in y.states.items()}

    def years(self) -> list[int]:
        """Years with any recorded change, ascending."""
        with self._mutex:
            return sorted(y for y, v in self._years.items() if v.states or v.carries)

    def orphans(self, year: int, known_ids: set[str] | frozenset[str]) -> list[str]:
        """Ids with recorded state that the plan no longer has (kept, never deleted)."""
        with self._mutex:
            y = self._years.get(year)
            return sorted(occ for occ in (y.states if y else ()) if occ not in known_ids)

    def history(
        self, *, year: int | None = None, occurrence: str | None = None, since: datetime | None = None
    ) -> list[Change]:
        """Changes oldest first, undone ones marked undone=True.

        ``occurrence`` also matches the ids it was relinked from, so a renamed task keeps
        its history. ``since`` (naive means local time) keeps changes at or after it.
        """
        with self._mutex:
            ids: set[str] | None = None
            if occurrence is not None:
                ids = {occurrence}
                for y_num, y in self._years.items():
                    if year is None or y_num == year:
                        ids.update(k for k, v in y.alias.items() if v == occurrence)
            if since is not None and since.tzinfo is None:
                since = since.astimezone()
            out = []
            for doc in self._events:
                if year is not None and doc["year"] != year:
                    continue
                if ids is not None and doc["occ"] not in ids and not (
                    doc["op"] == "relink" and doc.get("new") == occurrence
                ):
                    continue
                change = _to_change(doc, doc["seq"] in self._undone)
                if since is not None and change.at < since:
                    continue
                out.append(change)
            return out

    def carry_overs(self, year: int) -> list[dict]:
        """Snapshots recorded by rollover into `year` (see carry_over), oldest first.

        ``due`` comes back as a date and ``evidence`` as a tuple; ``from_year`` is set.
        """
        with self._mutex:
            y = self._years.get(year)
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

    # -- writing: each returns the Change it recorded ------------------------
    @staticmethod
    def _occ(occurrence: str) -> str:
        if not isinstance(occurrence, str) or not occurrence.strip():
            raise InvalidChange("事项编号不能为空。")
        return occurrence.strip()

    def _acc(self, year: int, occurrence: str) -> _Acc | None:
        y = self._years.get(year)
        return y.states.get(y.resolve(occurrence)) if y else None

    def set_status(
        self, year: int, occurrence: str, status: Status | str, *, reason: str = "",
        due: date | None = None, by: str | None = None,
    ) -> Change:
        """Record a status. 已延期 needs a new due date and a reason; 已取消 needs a reason."""
        occ = self._occ(occurrence)
        if not isinstance(status, Status):
            try:
                status = Status.parse(str(status))
            except ValueError as exc:
                raise InvalidChange(str(exc)) from None
        reason = (reason or "").strip()
        if isinstance(due, datetime):
            due = due.date()
        if status is Status.POSTPONED and (due is None or not reason):
            raise InvalidChange("改为“已延期”需要同时给出新的完成期限和延期原因。")
        if status is Status.CANCELLED and not reason:
            raise InvalidChange("改为“已取消”需要给出取消原因。")
        with self._writing():
            acc = self._acc(year, occ)
            body: dict[str, Any] = {
                "year": year, "occ": occ, "op": "status",
                "old": (acc.status if acc else Status.TODO).value, "new": status.value, "reason": reason,
            }
            if due is not None:
                body["due"] = due.isoformat()
            return self._record([body], by)[0]

    def set_owner(self, year: int, occurrence: str, owner: str | None, *, by: str | None = None) -> Change:
        """Reassign; None (or empty) goes back to the plan's owner."""
        occ = self._occ(occurrence)
        owner = (owner or "").strip() or None
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
        with self._writing():
            return self._record([{"year": year, "occ": occ, "op": "note", "new": text}], by)[0]

    def add_evidence(
        self, year: int, occurrence: str, kind: EvidenceKind | str, text: str, *, label: str = "",
        archive_dir: Path | None = None, by: str | None = None,
    ) -> Change:
        """Attach 佐证材料. For a file: absolute path, size and sha256, optional archive copy.

        The archive copy goes to ``archive_dir/<year>/<occurrence>/<name>`` (``name-1.ext``
        and so on when taken). A missing, unreadable or directory path raises
        InvalidChange and records nothing.
        """
        occ = self._occ(occurrence)
        try:
            kind = EvidenceKind(kind)
        except ValueError:
            raise InvalidChange(f"未知的佐证材料类型“{kind}”，可选：说明(note)、文件(file)、链接(url)") from None
        text = text or ""
        if kind is not EvidenceKind.FILE:
            text = text.strip()  # a file name may really begin or end with a space
        label = (label or "").strip()
        if not text.strip():
            raise InvalidChange(f"佐证材料（{kind.label}）不能为空。")
        record: dict[str, Any] = {"kind": kind.value, "text": text, "label": label,
                                  "size": None, "sha256": None, "archived": None}
        if kind is EvidenceKind.URL and any(ch.isspace() for ch in text):
            raise InvalidChange(f"链接中不能有空格：{text}")
        archived = None
        if kind is EvidenceKind.FILE:
            folder = None
            if archive_dir is not None:
                folder = Path(archive_dir).expanduser().absolute() / str(year) / _safe_name(occ)
            path, size, digest, archived = _read_evidence_file(text, folder)
            record.update(text=path, size=size, sha256=digest, archived=archived)
        try:
            with self._writing():
                return self._record([{"year": year, "occ": occ, "op": "evidence", "new": record}], by)[0]
        except BaseException:
            _discard(archived)  # not recorded: the copy would be an orphan in the 档案
            raise

    def remove_evidence(self, year: int, occurrence: str, evidence_id: int, *, by: str | None = None) -> Change:
        occ = self._occ(occurrence)
        with self._writing():
            acc = self._acc(year, occ)
            added = acc.evidence.get(evidence_id) if acc else None
            if added is None:
                raise InvalidChange(f"{occ} 没有编号为 {evidence_id} 的佐证材料。")
            body = {"year": year, "occ": occ, "op": "evidence_remove", "evidence": evidence_id,
                    "old": dict(added["new"])}
            return self._record([body], by)[0]

    def undo(self, *, by: str | None = None) -> Change | None:
        """Revert the newest change (any year, any user) not yet undone; None if nothing left."""
        with self._writing():
            target = None
            for doc in reversed(self._events):
                if doc["op"] != "undo" and doc["seq"] not in self._undone:
                    target = doc
                    break
            if target is None:
                return None
            body = {
                "year": target["year"], "occ": target["occ"], "op": "undo", "undoes": target["seq"],
                "undone_op": target["op"], "old": target.get("new"), "new": target.get("old"),
            }
            return self._record([body], by)[0]

    def relink(self, year: int, old: str, new: str, *, by: str | None = None) -> Change:
        """Move all state of `old` to `new` (a renamed task); later writes to `old` go to `new`."""
        old, new = self._occ(old), self._occ(new)
        with self._writing():
            y = self._years.get(year)
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
        twice adds nothing.
        """
        prepared = []
        for snap in snapshots:
            if not isinstance(snap, Mapping) or not isinstance(snap.get("id"), str) or not snap["id"].strip():
                raise InvalidChange("延续事项缺少编号（id）。")
            data = _jsonable(snap)
            data["id"] = data["id"].strip()
            data.setdefault("from_year", from_year)
            prepared.append(data)
        with self._writing():
            y = self._years.get(to_year)
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

    # -- evidence checks ---------------------------------------------------
    @staticmethod
    def check_evidence(ev: Evidence) -> str:
        """See :func:`check_evidence`."""
        return check_evidence(ev)
