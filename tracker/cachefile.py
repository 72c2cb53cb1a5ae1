"""The files this program keeps for itself in the user's cache folder (the plan cache, the
state file's checkpoints): a pickle after a mark, its CRC-32 and its length.

Every byte is checked as the file is read, so that damage anywhere means "not cached", never a
wrong value read back: a flipped bit in a pickled date is still a date, and a state's evidence
or a task's occurrences, pickled inside on their own and read only when needed, would
otherwise pass the load and fail, or mislead, later.
"""

from __future__ import annotations

import os
import pickle
import struct
import zlib

MARK = b"SYCACHE\n"
_HEAD = struct.Struct("<8sIQ")


def dumps(value) -> bytes:
    """The file's bytes for `value`."""
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEAD.pack(MARK, zlib.crc32(blob), len(blob)) + blob


def load(f):
    """The value of a file dumps() wrote, unpickled from the binary file `f` as it is read (its
    bytes are never held whole beside what they make). Raises ValueError when the file is not
    one, or any byte differs from what was written; whatever pickle raises on damage, too."""
    head = f.read(_HEAD.size)
    if len(head) != _HEAD.size:
        raise ValueError("too short")
    mark, crc, length = _HEAD.unpack(head)
    if mark != MARK:
        raise ValueError("not a cache file")
    reader = _Counted(f)
    value = pickle.load(reader)
    if reader.count != length or reader.crc != crc or f.read(1):
        raise ValueError("damaged")
    return value


def load_path(path, max_bytes: int | None = None):
    """load() of the file at `path`, opened as tracker.regularfile opens a file (a FIFO or a
    device put in a cache file's place is refused, never waited on); ValueError for a file
    larger than `max_bytes`."""
    from tracker.regularfile import open_regular

    fd, st = open_regular(path)
    with os.fdopen(fd, "rb") as f:
        if max_bytes is not None and st.st_size > max_bytes:
            raise ValueError("larger than a cache file")
        return load(f)


class _Counted:
    """A binary file as pickle reads it, with the count and CRC-32 of the bytes read so far."""

    def __init__(self, f) -> None:
        self.f, self.count, self.crc = f, 0, 0

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.count += len(data)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def readinto(self, buffer) -> int:
        n = self.f.readinto(buffer)
        self.count += n
        self.crc = zlib.crc32(memoryview(buffer)[:n], self.crc)
        return n

    def readline(self) -> bytes:
        data = self.f.readline()
        self.count += len(data)
        self.crc = zlib.crc32(data, self.crc)
        return data
