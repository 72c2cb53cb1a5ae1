"""A checkpoint of the folded state, so opening a long log parses only its tail.

What it holds: the state of every occurrence (not the history), the carry-overs and
relinks, and where the log was read up to: the file's (device, inode), its header line,
the byte offset and the CRC-32 of every byte before it. It is never trusted over the log:
it is used only when the file is the same inode, starts with the same header and its
first ``offset`` bytes still have that CRC (every byte is checked, through ``mmap``; an
append leaves them alone, any edit or replacement does not), and when it was written by
this version of the program for this Python. Anything else, or a checkpoint that cannot
be read, and the log is read whole, silently. History, undo and a plan other than the one
the checkpoint was folded for read the log whole too (see :class:`~tracker.state.fold.Fold`
``partial``).

Where: ``checkpoints/`` in the user's own cache folder (:func:`tracker.settings.cache_folder`;
``SHUANGYONG_CACHE=0`` turns checkpoints off with every other cache), one file per state file, named by a digest of its real path, written atomically. Not
beside the state file: that folder is often shared, and a checkpoint is a ``pickle``,
which must only ever be read from a place no one else can write.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import stat
import sys
import zlib
from pathlib import Path

from tracker.settings import ENV_CACHE, cache_folder  # noqa: F401  (ENV_CACHE: for tests and bench)
from tracker.state.backups import atomic_write
from tracker.state.fileformat import CHANGES, SeenIds
from tracker.state.fold import Fold, no_gc
from tracker.state.locking import pread

FORMAT = 4  # 2: each state's evidence pickled on its own; 3: the lines every history needs;
# 4: every byte checked as it is read (tracker.cachefile)
# What one occurrence's history needs besides its own lines: every undo and carry-over, and
# any line with an escape (an id written with \\u escapes would not be found by its text).
# Where they lie in the part a checkpoint stands for is found once, when it is written.
SHARED_NEEDLES = (b'"undo"', b'"carry"', b"\\")
MIN_BYTES = 1 << 20  # smaller logs read fast enough: no checkpoint
REFRESH_BYTES = 256 << 10  # rewrite the checkpoint once the unread tail is this long
MAX_BYTES = 1 << 30


def _version() -> tuple:
    from tracker import __version__

    return (FORMAT, __version__, sys.version_info[:2], sys.implementation.name)


def path_for(real_path: Path) -> Path | None:
    """The checkpoint file for a state file; None when caching is off."""
    folder = cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(os.fsencode(os.path.abspath(real_path))).hexdigest()[:32]
    return folder / "checkpoints" / f"{digest}.ckpt"


def prefix_crc(fd: int, size: int) -> int:
    """The CRC-32 of the file's first `size` bytes, read a megabyte at a time: a mapping of
    the whole file would count all of it in the process's memory, which would then grow with
    the history the checkpoint is there to make irrelevant."""
    crc, done = 0, 0
    while done < size:
        chunk = pread(fd, min(1 << 20, size - done), done)
        if not chunk:
            raise OSError("文件比记录的短")
        crc = zlib.crc32(chunk, crc)
        done += len(chunk)
    return crc


def _pack_seen(seen: dict) -> dict:
    out = {}
    for table, ids in seen.items():
        if isinstance(ids, SeenIds) and not ids.others:
            out[table] = ids.upto
            continue
        n = len(ids)
        out[table] = n if n and max(ids) == n and min(ids) == 1 else sorted(ids)
    return out


def _unpack_seen(packed: dict) -> dict:
    return {t: SeenIds(v) if isinstance(v, int) else set(v) for t, v in packed.items()}


def save(log, fold: Fold) -> None:
    """Write a checkpoint of `fold` at the log's read position; any failure is ignored."""
    target = path_for(log.real_path)
    if target is None or log.header is None or log.offset < MIN_BYTES:
        return
    try:
        fd = os.open(log.real_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != log.ident or st.st_size < log.offset:
            return
        with mmap.mmap(fd, log.offset, access=mmap.ACCESS_READ) as view:
            crc = zlib.crc32(view)
            shared = sorted(_line_starts(view, SHARED_NEEDLES))
    except (OSError, ValueError):
        return
    finally:
        os.close(fd)
    data = {
        "version": _version(),
        "ident": log.ident,
        "header": log.header,
        "header_bytes": log.header_bytes,
        "offset": log.offset,
        "lines": log.lines,
        "crc": crc,
        "shared": shared,
        "seen": _pack_seen(log.seen),
        "fold": fold.snapshot(),
    }
    import pickle

    from tracker import cachefile

    with contextlib.suppress(OSError, pickle.PicklingError, ValueError, TypeError, RecursionError):
        blob = cachefile.dumps(data)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(target, blob, 0o600)


def load(log, plan_key: str | None) -> Fold | None:
    """The fold from a checkpoint that matches the log exactly (and the log positioned
    after it), else None. Never raises: a checkpoint is only ever a shortcut."""
    try:
        target = path_for(log.real_path)
        if target is None:
            return None
        from tracker import cachefile

        with no_gc():
            data = cachefile.load_path(target, MAX_BYTES)  # every byte checked (a county's is 4 MB)
    except Exception:  # noqa: BLE001 - missing, unreadable or damaged: read the log
        return None
    try:
        if not isinstance(data, dict) or data.get("version") != _version():
            return None
        if not _matches(log, data):
            return None
        fold = Fold.restore(data["fold"])
        fold.prefix = (data["offset"], data["crc"], tuple(data["shared"]))
        log.resume(
            header=data["header"], header_bytes=data["header_bytes"], offset=data["offset"],
            lines=data["lines"], ident=tuple(data["ident"]), seen=_unpack_seen(data["seen"]),
        )
    except Exception:  # noqa: BLE001 - a damaged checkpoint means: read the log
        return None
    return fold


def _line_starts(raw, needles: tuple[bytes, ...]) -> set[int]:
    """Where the lines holding any of `needles` begin (after the header line)."""
    starts: set[int] = set()
    body = raw.find(b"\n") + 1
    for needle in needles:
        at = raw.find(needle, body)
        while at >= 0:
            starts.add(raw.rfind(b"\n", 0, at) + 1)
            end = raw.find(b"\n", at)  # the prefix ends with a newline (checked by its CRC)
            at = raw.find(needle, end + 1) if end >= 0 else -1
    return starts


# The logs whose prefix this process found unchanged, by the file as it was then (see
# _seen_as): (offset, CRC). No write leaves a file's size, mtime and ctime as they were (the
# ctime no program can set back), so a file still seen so needs no second reading.
_VERIFIED: dict[tuple, tuple[int, int]] = {}


def _seen_as(st: os.stat_result) -> tuple:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def prefix_events(log, prefix: tuple[int, int, tuple[int, ...]], needles: tuple[bytes, ...]) -> list[dict] | None:
    """The events among the log's first ``prefix[0]`` bytes (the part a checkpoint stands for)
    whose line contains one of `needles` or one of SHARED_NEEDLES (found when the checkpoint
    was written: ``prefix[2]``), in file order; None when those bytes are no longer the ones
    the checkpoint was made of (same inode and CRC-32, as :func:`load` checks).

    Those lines were checked when the checkpoint was written from them: only the matching
    ones are parsed, so one occurrence's history costs a scan, not a reading of the log."""
    import json

    offset, crc, shared = prefix
    try:
        fd = os.open(log.real_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != log.ident or st.st_size < offset:
            return None
        # Searched in place: a copy of a large log would cost more than the searches.
        with mmap.mmap(fd, offset, access=mmap.ACCESS_READ) as raw:
            if _VERIFIED.get(_seen_as(st)) != (offset, crc) and zlib.crc32(raw) != crc:
                return None
            starts = _line_starts(raw, needles).union(shared)
            lines = [raw[i : raw.find(b"\n", i)] for i in sorted(starts)]
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    out = []
    for item in json.loads(b"[" + b",".join(lines) + b"]") if lines else ():
        if isinstance(item, dict) and item.get("t") == CHANGES:
            out.append(item["doc"])
    return out


def _matches(log, data: dict) -> bool:
    offset, header_bytes = data["offset"], data["header_bytes"]
    try:
        fd = os.open(log.real_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != tuple(data["ident"]):
            return False
        if st.st_size < offset or offset <= len(header_bytes):
            return False
        if pread(fd, len(header_bytes), 0) != header_bytes or pread(fd, 1, offset - 1) != b"\n":
            return False
        if prefix_crc(fd, offset) != data["crc"]:
            return False
        _VERIFIED[_seen_as(st)] = (offset, data["crc"])
        return True
    except (OSError, ValueError):
        return False
    finally:
        os.close(fd)
