"""Reading a file someone may have put in a file's place: a plan or a holidays file on a
shared folder, the config, a document to import, a cache.

Opened without blocking and checked through the opened handle (``fstat``): a FIFO, a device
or a socket named like the file is refused at once, never waited on (opening a FIFO to read
blocks until something writes to it).
"""

from __future__ import annotations

import errno
import os
import stat

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class NotRegular(OSError):
    """A pipe, a device or a socket where a file was expected."""

    def __init__(self, path) -> None:
        super().__init__(errno.EINVAL, "不是普通文件（是管道、设备或套接字）", str(path))


def open_regular(path) -> tuple[int, os.stat_result]:
    """(fd, stat) of a regular file opened for reading, blocking again once checked;
    IsADirectoryError for a folder, NotRegular for anything else that is not a file."""
    fd = os.open(path, _FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "是文件夹", str(path)) if stat.S_ISDIR(st.st_mode) else NotRegular(path)
        if _FLAGS & getattr(os, "O_NONBLOCK", 0) and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_regular(path) -> bytes:
    """The bytes of a regular file (see open_regular for what else is refused)."""
    fd, st = open_regular(path)
    try:
        chunks = []
        while chunk := os.read(fd, max(st.st_size, 1 << 16)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_READ_REASONS = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.EISDIR: "是文件夹",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ELOOP: "符号链接绕成了圈",
    errno.ENAMETOOLONG: "路径太长",
    errno.EIO: "读取出错（磁盘或网络故障）",
}


def read_reason(exc: OSError) -> str:
    """Why a file could not be read, in the office's words (the system's own text otherwise;
    NotRegular's is already the office's)."""
    return _READ_REASONS.get(exc.errno, exc.strerror or str(exc))
