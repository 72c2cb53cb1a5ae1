"""Reading and appending the state file (format: :mod:`tracker.state.fileformat`).

Reading
-------
:meth:`LogFile.sync` stats the file; if it only grew (same inode, same header) it parses
just the new tail, and if it was replaced (other inode or header, or it shrank) it reloads
it fully. The file is opened without blocking and the opened handle is checked (a regular
file, one link), and a read takes no more than the size ``fstat`` reported, so a pipe or a
link to ``/dev/zero`` put in its place is refused instead of hanging or filling memory.
Every record is checked as it is read. A last line without ``\\n`` is a write cut short by
a crash or still in progress in another process: it was never acknowledged and readers
ignore it. The next writer, holding the lock, cuts it off, or adds the missing newline
when it is a whole valid record. Any other unreadable line, a bad header or a newer schema
raises :class:`~tracker.errors.StoreError` naming the file (and line) and the newest
backup, and the file is never written while it is in that state. An existing empty file is
a new file, unless backups of it exist (then it was emptied).

Appending
---------
Under the lock (:mod:`tracker.state.locking`): re-read, let the caller validate against the
fresh state, write with ``O_APPEND`` through the locked handle, fsync. A failed write is cut
back to the previous size, so the file is unchanged and the error is Chinese. If the file
grew by more than what we wrote (a program that ignores our lock, or a network share whose
locks are not shared), nothing is overwritten: the next read picks up both.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tracker.errors import StoreError
from tracker.regularfile import read_reason
from tracker.state.backups import NEW_FILE_MODE, Backups, fsync_dir
from tracker.state.fileformat import (
    CHANGES,
    Damaged,
    NewerSchema,
    encode,
    encode_event,
    new_header,
    parse_body,
    parse_header,
)
from tracker.state.locking import StateLock, check_regular, open_nonblocking, pread, special_file_error

_O_BINARY = getattr(os, "O_BINARY", 0)


class ChangedUnderUs(StoreError):
    """The file grew between our read and our write (a program that ignores the lock):
    nothing was written; read it again and retry."""


class LogFile:
    """One state file: its header, how far it has been read, and the lock to append."""

    def __init__(
        self,
        path: Path,
        *,
        now: Callable[[], datetime],
        lock_timeout: float,
        validator: Callable[[int, dict], str | None] | None = None,
    ) -> None:
        if "\0" in str(path):
            raise StoreError(f"状态文件路径含有不可用的空字符：{str(path)!r}")
        self.path = path
        self.validator = validator
        self._now = now
        self.lock_timeout = lock_timeout
        self.lock = StateLock(
            path, lock_timeout,
            f"状态文件 {path} 正被其他程序使用（等了 {lock_timeout:g} 秒仍未释放），请稍后再试。",
        )
        self.backups = Backups(self.real_path)
        # Hooks for the low-level calls, so a test can simulate a full disk.
        self.os_write: Callable[[int, bytes], int] = os.write
        self.os_fsync: Callable[[int], None] = os.fsync

        self.header: dict | None = None
        self.header_bytes = b""
        self.offset = 0  # bytes of complete lines consumed
        self.lines = 0  # complete lines consumed (header included)
        self.stat_key: tuple | None = None
        self.ident: tuple[int, int] | None = None  # (dev, inode) of the file read
        self.seen: dict[str, set[int]] = {}  # record ids read, per table
        self.generation = 0  # grows on every full (re)load

    @property
    def real_path(self) -> Path:
        return self.lock.real_path

    def resume(self, *, header: dict, header_bytes: bytes, offset: int, lines: int,
               ident: tuple[int, int], seen: dict[str, set[int]]) -> None:
        """Continue from a checkpoint: the file up to `offset` counts as read."""
        self.header, self.header_bytes, self.offset, self.lines = header, header_bytes, offset, lines
        self.ident, self.seen, self.stat_key = ident, seen, None
        self.generation += 1

    def reset(self) -> None:
        """Forget the reading position: the next sync reads the file whole."""
        self.header, self.header_bytes, self.offset, self.lines = None, b"", 0, 0
        self.ident, self.seen, self.stat_key = None, {}, None

    # -- messages ----------------------------------------------------------
    def damaged_error(self, line: int, what: str) -> StoreError:
        return StoreError(
            f"状态文件 {self.path} 已损坏（第 {line} 行：{what}），无法读取。"
            f"为保护已有记录，本程序不会改写这个文件。{self.backups.hint()}"
        )

    def newer_error(self, schema: int) -> StoreError:
        return StoreError(
            f"状态文件 {self.path} 由更新版本的本程序写入（格式版本 {schema}，本程序只认识 1），"
            f"请升级本程序后再打开。为保护已有记录，本程序不会改写这个文件。"
        )

    def write_error(self, exc: OSError) -> StoreError:
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

    def read_error(self, exc: OSError) -> StoreError:
        if isinstance(exc, PermissionError):
            return StoreError(f"无法读取状态文件 {self.path}：没有读取权限。")
        if exc.errno == errno.ENOTDIR:
            return StoreError(f"无法使用状态文件 {self.path}：路径中有一段是文件而不是文件夹。")
        return StoreError(f"无法读取状态文件 {self.path}：{read_reason(exc)}。")

    # -- locking -------------------------------------------------------------
    def acquire(self) -> None:
        """Take the lock (reentrant). Call :meth:`repair_tail` after reading up to date."""
        try:
            self.lock.acquire()
        except OSError as exc:
            raise self.write_error(exc) from None
        self.backups.real_path = self.real_path

    def release(self) -> None:
        self.lock.release()

    def repair_tail(self) -> bool:
        """With the lock held and the file read, settle an unfinished last line.

        Nobody else can be writing now, so bytes after the last newline were left by a
        writer that died. A complete record missing only its newline is kept (the newline
        is added: True, read it); anything else was never acknowledged and is cut off.
        """
        fd = self.lock.fd
        if fd is None or self.header is None:
            return False
        try:
            st = os.fstat(fd)
            if st.st_size == self.offset:
                return False
            tail = pread(fd, st.st_size - self.offset, self.offset)
            if b"\n" in tail:
                return True  # grew since the read: a writer that does not lock; read it
            try:
                probe = {k: frozenset(v) for k, v in self.seen.items()}  # a check, not a read
                keep = len(parse_body(tail + b"\n", self.lines + 1, probe, self.validator)) == 1
            except Damaged:
                keep = False
            if keep:
                os.write(fd, b"\n")
            else:
                os.ftruncate(fd, self.offset)
            self.os_fsync(fd)
        except OSError as exc:
            raise self.write_error(exc) from None
        return keep

    # -- reading -------------------------------------------------------------
    def _stat(self) -> os.stat_result | None:
        try:
            st = os.stat(self.real_path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self.read_error(exc) from None
        if not stat.S_ISREG(st.st_mode):
            check_regular(self.path, st)  # folder, pipe, device: a clear refusal
        return st

    @staticmethod
    def _key(st: os.stat_result) -> tuple:
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def sync(self) -> tuple[list[dict] | None, list[dict]] | None:
        """Bring the reading position up to date.

        Returns None when nothing changed, ``(None, new docs)`` after reading a tail and
        ``(all docs, [])`` after a full (re)load.
        """
        if not self.lock.held:
            real = Path(os.path.realpath(self.path))
            if real != self.lock.real_path:  # the path now leads elsewhere (a link put in place)
                self.lock.real_path = real
                self.backups.real_path = real
                self.stat_key = None
        st = self._stat()
        if st is None:
            if self.header is not None:
                raise StoreError(
                    f"状态文件 {self.path} 不见了（被移走或删除）。为避免从头开始而丢失记录，"
                    f"本程序不会新建它。{self.backups.hint()}"
                )
            self.stat_key = None
            return None
        key = self._key(st)
        if key == self.stat_key:
            return None
        if self.header is None or (st.st_dev, st.st_ino) != self.ident or st.st_size < self.offset:
            return self._load_all()
        return self._load_tail()

    def _read_from(self, offset: int) -> tuple[bytes, os.stat_result, bytes]:
        """Bytes from offset (no more than fstat reported), the fstat, and the header bytes."""
        fd = self.lock.fd if self.lock.held else None
        own = fd is None
        try:
            if own:
                fd = open_nonblocking(self.real_path, os.O_RDONLY)
            st = os.fstat(fd)
            check_regular(self.path, st)
            head = pread(fd, len(self.header_bytes), 0) if offset else b""
            size = max(0, st.st_size - offset)
            chunks, got = [], 0
            while got < size:
                chunk = pread(fd, min(size - got, 1 << 24), offset + got)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
            return b"".join(chunks), st, head
        except FileNotFoundError:
            raise StoreError(f"状态文件 {self.path} 在读取时消失了，请重试。") from None
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise special_file_error(self.path) from None
            raise self.read_error(exc) from None
        finally:
            if own and fd is not None:
                os.close(fd)

    def _load_all(self) -> tuple[list[dict], list[dict]] | None:
        raw, st, _ = self._read_from(0)
        if not raw:
            # An empty file is a new one, unless it held records before (here, or as the
            # backups show): then something emptied it and the user should restore.
            if self.header is not None or self.backups.newest() is not None:
                raise self.damaged_error(1, "文件是空的")
            self.stat_key = self._key(st)
            self.ident = (st.st_dev, st.st_ino)
            return None
        end = raw.rfind(b"\n") + 1  # bytes after the last newline: an unfinished write
        first = raw.find(b"\n")
        seen: dict[str, set[int]] = {}
        try:
            header = parse_header(raw[:first] if first >= 0 else raw)
            if first < 0:
                raise Damaged(1, "文件头不完整")
            docs = parse_body(raw[first + 1 : end], 2, seen, self.validator)
        except Damaged as bad:
            raise self.damaged_error(bad.line, bad.what) from None
        except NewerSchema as newer:
            raise self.newer_error(newer.schema) from None
        self.header = header
        self.header_bytes = raw[: first + 1]
        self.seen = seen
        self.offset = end
        self.lines = raw.count(b"\n", 0, end)
        self.stat_key = self._key(st)
        self.ident = (st.st_dev, st.st_ino)
        self.generation += 1
        return docs, []

    def _load_tail(self) -> tuple[list[dict] | None, list[dict]] | None:
        raw, st, head = self._read_from(self.offset)
        if (st.st_dev, st.st_ino) != self.ident or head != self.header_bytes:
            return self._load_all()  # replaced between stat and open, or rewritten
        end = raw.rfind(b"\n") + 1
        try:
            docs = parse_body(raw[:end], self.lines + 1, self.seen, self.validator)
        except Damaged as bad:
            raise self.damaged_error(bad.line, bad.what) from None
        self.offset += end
        self.lines += raw.count(b"\n", 0, end)
        self.stat_key = self._key(st)
        return (None, docs) if docs else None

    # -- writing -------------------------------------------------------------
    def refuse_invalid(self, docs: list[dict]) -> None:
        """Never write a record this file would then be refused for when read."""
        from tracker.errors import TrackerError

        if self.validator is None:
            return
        for doc in docs:
            if problem := self.validator(doc.get("seq"), doc):
                raise TrackerError(f"无法保存：{problem}。文件未改动。")

    def append(self, docs: list[dict]) -> None:
        """Append new events durably; the caller holds the lock and has read up to date."""
        from tracker.errors import TrackerError

        self.refuse_invalid(docs)
        try:
            payload = b"".join(encode_event(d) for d in docs)
        except (TypeError, ValueError) as exc:
            raise TrackerError(f"无法保存：记录中有不能写入文件的内容（{exc}）。") from None
        ids = self.seen.setdefault(CHANGES, set())
        for doc in docs:
            if doc["seq"] in ids:
                raise StoreError(f"状态文件 {self.path} 在写入时被其他程序改动了，本次修改没有保存，请重试。")
        if self.header is None:
            self._create(payload, len(docs))
        else:
            self._append(payload, len(docs))
        ids.update(d["seq"] for d in docs)

    def _append(self, payload: bytes, count: int) -> None:
        day = self._now().strftime("%Y%m%d")
        try:
            self.backups.make(day, self._complete_lines, write=self.os_write, fsync=self.os_fsync)
        except OSError as exc:
            raise self.write_error(exc) from None
        fd = self.lock.fd
        if fd is None:
            raise StoreError(f"状态文件 {self.path} 在写入时被其他程序改动了，本次修改没有保存，请重试。")
        try:
            st = os.fstat(fd)
        except OSError as exc:
            raise self.write_error(exc) from None
        if (st.st_dev, st.st_ino) != self.ident or st.st_size != self.offset:
            # the lock settled any unfinished line, so this is a writer that does not
            # take the lock: do not cut what it wrote; the caller reads it and retries
            self.stat_key = None
            raise ChangedUnderUs(f"状态文件 {self.path} 在写入时被其他程序改动了，本次修改没有保存，请重试。")
        try:
            view = memoryview(payload)
            while view:
                view = view[self.os_write(fd, view) :]
            self.os_fsync(fd)
            st = os.fstat(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, self.offset)
                os.fsync(fd)
            except OSError:
                pass  # what is left is an unfinished last line: ignored and cut next time
            raise self.write_error(exc) from None
        if st.st_size != self.offset + len(payload):
            self.stat_key = None  # someone else appended too: nothing overwritten; re-read
            return
        self.offset += len(payload)
        self.lines += count
        self.stat_key = self._key(st)

    def _complete_lines(self) -> bytes:
        return pread(self.lock.fd, self.offset, 0) if self.lock.fd is not None else b""

    def _create(self, payload: bytes, count: int) -> None:
        """A brand-new file (or an empty one): header and records written in one go."""
        header = new_header(self._now().isoformat(timespec="seconds"))
        head = encode(header)
        content = head + payload
        real = self.real_path
        fd = self.lock.fd
        created = fd is None
        try:
            if created:
                fd = os.open(real, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL | _O_BINARY, NEW_FILE_MODE)
            elif os.fstat(fd).st_size:
                raise StoreError(f"状态文件 {self.path} 在写入时被其他程序创建了，本次修改没有保存，请重试。")
        except FileExistsError:
            raise StoreError(f"状态文件 {self.path} 在写入时被其他程序创建了，本次修改没有保存，请重试。") from None
        except OSError as exc:
            raise self.write_error(exc) from None
        try:
            view = memoryview(content)
            while view:
                view = view[self.os_write(fd, view) :]
            self.os_fsync(fd)
            st = os.fstat(fd)
        except OSError as exc:
            try:
                if created:
                    os.close(fd)
                    os.unlink(real)
                else:
                    os.ftruncate(fd, 0)
            except OSError:
                pass
            raise self.write_error(exc) from None
        if created:
            fsync_dir(str(real.parent))
            self.lock.adopt(fd)
        self.header = header
        self.header_bytes = head
        self.offset = len(content)
        self.lines = count + 1
        self.stat_key = self._key(st)
        self.ident = (st.st_dev, st.st_ino)
        self.generation += 1
