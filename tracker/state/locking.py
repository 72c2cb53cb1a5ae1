"""Who may write the state file: one process at a time, whatever path it came by.

The lock belongs to the file itself, not to the path a process was given:

1. resolve the path (a symlink may have been put in place since the last write) and take
   the lock file ``<real path>.lock`` (``flock`` on POSIX, as ``filelock`` takes it; the
   ``filelock`` package where there is no ``fcntl`` or the lock file cannot be flocked);
2. resolve again: when the path now leads elsewhere, release and start over;
3. open the file itself (``O_NONBLOCK``, so a pipe swapped in cannot hang us), check the
   opened handle (``fstat``: a regular file with exactly one link), and on POSIX also take
   ``flock`` on it, which two processes share however they reached the inode;
4. check that the path still leads to the inode locked; otherwise start over.

A state file with more than one hard link is refused: two names would take two lock files
(and a program writing through the other name would not see ours).
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from tracker.errors import StoreError

try:
    import fcntl
except ImportError:  # Windows: the lock file alone
    fcntl = None  # type: ignore[assignment]

_O_BINARY = getattr(os, "O_BINARY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def pread(fd: int, size: int, offset: int) -> bytes:
    """os.pread where there is one (POSIX), else seek and read (Windows)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


def hard_link_error(path: Path, links: int) -> StoreError:
    return StoreError(
        f"状态文件 {path} 有 {links} 个硬链接（同一个文件有多个名字）。通过不同名字同时写入会互相覆盖记录，"
        f"本程序不会使用它。请只保留一个名字（删除其余的硬链接，或把文件复制一份改用复制品）。"
    )


def special_file_error(path: Path) -> StoreError:
    return StoreError(f"{path} 不是普通文件（设备、管道或套接字），不能用作状态文件；请换一个文件路径")


def check_regular(path: Path, st: os.stat_result) -> None:
    """Refuse a handle that is not one plain file (checked on the opened handle)."""
    if stat.S_ISDIR(st.st_mode):
        raise StoreError(f"状态文件的位置 {path} 是一个文件夹，请指定一个文件。")
    if not stat.S_ISREG(st.st_mode):
        raise special_file_error(path)
    if st.st_nlink > 1:
        raise hard_link_error(path, st.st_nlink)


def open_nonblocking(path: Path, flags: int) -> int:
    """Open without ever blocking (a FIFO put in place of the file) and check the handle."""
    fd = os.open(path, flags | _O_BINARY | _O_NONBLOCK)
    try:
        check_regular(path, os.fstat(fd))
        if _O_NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


class StateLock:
    """Reentrant, cross-process lock of one state file; :attr:`fd` is the file while held."""

    def __init__(self, path: Path, timeout: float, busy_message: str) -> None:
        self.path = path
        self.timeout = timeout
        self.busy_message = busy_message
        self.fd: int | None = None  # O_RDWR | O_APPEND handle of the file, when it exists
        self.real_path = Path(os.path.realpath(path))
        self._filelock = None  # the lock file's lock (_FlockFile or filelock.FileLock) while held
        self._depth = 0
        self._pid = os.getpid()

    @property
    def held(self) -> bool:
        return self._depth > 0 and self._pid == os.getpid()

    def acquire(self) -> None:
        if self._pid != os.getpid():
            # A forked child must not use its parent's lock objects (filelock refuses them).
            self._filelock, self.fd, self._depth, self._pid = None, None, 0, os.getpid()
        if self._depth:
            self._depth += 1
            return
        deadline = time.monotonic() + self.timeout
        for _ in range(20):
            real = Path(os.path.realpath(self.path))
            real.parent.mkdir(parents=True, exist_ok=True)
            lock = _lock_file_of(str(real) + ".lock", deadline, self.busy_message)
            try:
                fd = self._lock_file(real, deadline)
            except BaseException:
                lock.release()
                raise
            if fd is False:  # the path moved while we waited: start over
                lock.release()
                continue
            self._filelock, self.fd, self.real_path, self._depth = lock, fd, real, 1
            return
        raise StoreError(self.busy_message)

    def _lock_file(self, real: Path, deadline: float) -> int | None | bool:
        if Path(os.path.realpath(self.path)) != real:
            return False
        try:
            fd = open_nonblocking(real, os.O_RDWR | os.O_APPEND)
        except FileNotFoundError:
            return None  # a new file: the lock file alone guards its creation
        try:
            if fcntl is not None:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise StoreError(self.busy_message) from None
                        time.sleep(0.01)
            held = os.fstat(fd)
            try:
                now = os.stat(real)
            except FileNotFoundError:
                now = None
            if now is None or (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
                os.close(fd)  # replaced while we waited for it
                return False
        except BaseException:
            os.close(fd)
            raise
        return fd

    def adopt(self, fd: int) -> None:
        """The file was just created while holding the lock file: hold it too."""
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        self.fd = fd

    def release(self) -> None:
        if self._depth <= 0:
            return
        self._depth -= 1
        if self._depth:
            return
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)  # drops the flock
        lock, self._filelock = self._filelock, None
        if lock is not None:
            lock.release()


class _FlockFile:
    """The lock file held with ``flock``: what ``filelock.FileLock`` does on POSIX (the two
    exclude each other), without its import (~60 ms, paid by every write command)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def release(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)  # drops the flock; the file stays, so waiters share its inode


def _lock_file_of(path: str, deadline: float, busy_message: str):
    """The lock file at `path`, held: waits until `deadline`, then StoreError(busy_message)."""
    if fcntl is not None:
        # A lock file that cannot be opened (a read-only folder) is the caller's OSError.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return _FlockFile(fd)
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(busy_message) from None
                    time.sleep(0.01)
        except OSError:
            os.close(fd)  # a file system without flock: filelock knows what to do there
        except BaseException:
            os.close(fd)
            raise
    from filelock import FileLock, Timeout

    lock = FileLock(path, thread_local=False)
    try:
        lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
    except Timeout:
        raise StoreError(busy_message) from None
    return lock
