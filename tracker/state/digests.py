"""Digests of large evidence files kept between runs, so `show` reads a 2 GB video once.

An entry is keyed by the opened file's identity and version: (device, inode, size, mtime in
ns, ctime in ns). It is used only when every part is the same as when the digest was taken
(and the file was not changing while it was read); any difference and the file is read
again. Only files of :data:`MIN_BYTES` or more: a smaller file hashes faster than the cache
is read.

Where: ``digests.json`` in the user's own cache folder (:func:`tracker.settings.cache_folder`;
``SHUANGYONG_CACHE=0`` turns it off with every other cache), never
beside the state file. Written atomically; a damaged, foreign or unreadable file is ignored
silently and a failed write loses nothing but time.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import threading
from pathlib import Path

FORMAT = 2  # 2: with the CRC-32 of the digests (a damaged byte means: not cached)
MIN_BYTES = 4 << 20
MAX_ENTRIES = 4096
_MAX_FILE_BYTES = 4 << 20
_HEX = re.compile(r"[0-9a-f]{64}")
_lock = threading.Lock()
_entries: dict[str, str] | None = None  # read once per process, then kept up to date
_loaded_from: Path | None = None


def cache_file() -> Path | None:
    from tracker.settings import cache_folder

    folder = cache_folder()
    return folder / "digests.json" if folder is not None else None


def key(st: os.stat_result) -> str:
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def _read(path: Path) -> dict[str, str]:
    from tracker.regularfile import open_regular

    try:
        fd, st = open_regular(str(path))
    except OSError:
        return {}
    try:
        if st.st_size > _MAX_FILE_BYTES:
            return {}
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        data = json.loads(b"".join(chunks))
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("digests"), dict):
            return {}
        if data.get("crc") != _crc(data["digests"]):  # a damaged digest would report a file as changed
            return {}
        return {k: v for k, v in data["digests"].items()
                if isinstance(k, str) and isinstance(v, str) and _HEX.fullmatch(v)}
    except (OSError, ValueError, RecursionError):
        return {}
    finally:
        os.close(fd)


def _crc(digests: dict) -> int:
    """The CRC-32 of the digests as written (keys and values are ASCII: the same text again)."""
    import zlib

    return zlib.crc32(json.dumps(digests, separators=(",", ":")).encode())


def _current() -> tuple[Path | None, dict[str, str]]:
    global _entries, _loaded_from
    path = cache_file()
    if path is None:
        return None, {}
    if _entries is None or _loaded_from != path:
        _entries, _loaded_from = _read(path), path
    return path, _entries


def lookup(st: os.stat_result) -> str | None:
    """The digest recorded for exactly this file version, or None."""
    if st.st_size < MIN_BYTES:
        return None
    with _lock:
        return _current()[1].get(key(st))


def remember(before: os.stat_result, after: os.stat_result, digest: str) -> None:
    """Keep `digest`, taken between two fstat calls on the same handle, when the file did
    not change meanwhile. Entries written by other processes since are kept too."""
    if before.st_size < MIN_BYTES or key(before) != key(after) or not _HEX.fullmatch(digest):
        return
    global _entries
    with _lock:
        path, entries = _current()
        if path is None or entries.get(key(before)) == digest:
            return
        merged = {**_read(path), **entries}
        merged.pop(key(before), None)
        merged[key(before)] = digest  # newest last: the oldest go first when full
        while len(merged) > MAX_ENTRIES:
            del merged[next(iter(merged))]
        _entries = merged
        blob = json.dumps({"format": FORMAT, "crc": _crc(merged), "digests": merged}, separators=(",", ":")).encode()
        with contextlib.suppress(OSError):
            from tracker.state.backups import atomic_write

            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, blob, stat.S_IRUSR | stat.S_IWUSR)


def forget() -> None:
    """Read the file again on the next lookup (tests, another cache folder)."""
    global _entries, _loaded_from
    with _lock:
        _entries, _loaded_from = None, None
