"""The one rule for an evidence file: present, changed, missing, or kept in the 档案.

`show`, the detail screen, the 总结 and the 台账 all ask :func:`evidence_state` (and name the
result with :func:`evidence_label`), so a photo moved off the desktop after it was archived
reads the same everywhere.

- ``present``: the recorded file is where it was, with the recorded size and sha256;
- ``archived``: the original is gone or changed, but the copy in the 档案 folder is intact;
- ``changed``: the file is there but its size or content differs, and no intact copy;
- ``missing``: neither the file nor an intact copy can be read.

Notes and links are always ``present``. Files are opened without blocking and checked on
the opened handle, so a FIFO or a device put in a photo's place never hangs a screen.
Digests are cached by (path, size, mtime, inode): asking again costs a stat; those of large
files are also kept between runs (:mod:`tracker.state.digests`). Reading a large file that is
in neither cache takes a while (a 2 GB video, seconds to a minute): the app asks from a worker
thread, passing ``progress(done_bytes, total_bytes)``, which hears about every chunk read and
may raise (e.g. :class:`~tracker.errors.Cancelled`) to stop the reading.

Where a file is: a file inside the state file's folder (or below it) is recorded relative to
that folder (:func:`stored_path`, always with ``/``), so a shared folder opened from another
computer, under another mount point or drive letter, still finds its photos; a file elsewhere
is recorded absolute. :func:`resolved_path` turns what was recorded back into a path on this
computer; the store does it once, when it builds an :class:`Evidence`, so ``Evidence.text``
and ``Evidence.archived`` are always paths this computer can open (old absolute records too).
"""

from __future__ import annotations

import hashlib
import os
import stat

from tracker.model import Evidence, EvidenceKind

PRESENT, ARCHIVED, CHANGED, MISSING = "present", "archived", "changed", "missing"
PROBLEMS = (CHANGED, MISSING)  # states that mean the evidence can no longer be shown

_CHUNK = 1 << 20
_CACHE_LIMIT = 50_000
_digests: dict[tuple, str] = {}


def stored_path(path: str, folder: str | os.PathLike | None) -> str:
    """How an absolute file path is recorded for a state file in `folder`: relative with
    ``/`` when the file is inside the folder (links in the file's folders resolved, not the
    file's own name), absolute otherwise."""
    if not folder:
        return path
    try:
        base = os.path.realpath(folder)
        head, name = os.path.split(path)
        rel = os.path.relpath(os.path.join(os.path.realpath(head), name), base)
    except (OSError, ValueError):  # another drive (Windows), an unreadable folder
        return path
    if os.path.isabs(rel) or rel == os.curdir or rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return path
    return rel.replace(os.sep, "/")


def resolved_path(text: str | None, folder: str | os.PathLike | None) -> str | None:
    """A recorded file path as a path on this computer: absolute ones as they are, relative
    ones inside the state file's `folder`."""
    if not text or not folder or os.path.isabs(text):
        return text
    if _FAST_JOIN and type(folder) is str:
        # What normpath would leave as it is (no empty, "." or ".." part, no trailing
        # slash): the same string without it (a third of the cost of freezing a state).
        joined = f"{folder}/{text}"
        if "//" not in joined and "/." not in joined and joined[0] != "." and joined[-1] != "/":
            return joined
    return os.path.normpath(os.path.join(folder, *text.split("/")))


_FAST_JOIN = os.sep == "/" and os.altsep is None


def _digest(fd: int, total: int, progress=None) -> str:
    h = hashlib.sha256()
    done = 0
    while chunk := os.read(fd, _CHUNK):
        h.update(chunk)
        if progress is not None:
            done += len(chunk)
            progress(done, max(total, done))
    return h.hexdigest()


def file_state(path: str | None, size: int | None = None, sha256: str | None = None, progress=None) -> str:
    """PRESENT, CHANGED or MISSING for one path against the recorded size and digest.
    ``progress``: see the module docstring (called only when the file is read)."""
    if not path:
        return MISSING
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except (OSError, ValueError):
        return MISSING
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return MISSING
        if size is not None and st.st_size != size:
            return CHANGED
        if not sha256:
            return PRESENT
        key = (path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
        digest = _digests.get(key)
        if digest is None:
            from tracker.state import digests  # kept between runs for large files

            digest = digests.lookup(st)
            if digest is None:
                try:
                    digest = _digest(fd, st.st_size, progress)
                except OSError:
                    return MISSING
                digests.remember(st, os.fstat(fd), digest)
            if len(_digests) > _CACHE_LIMIT:  # a long-running app: keep the cache bounded
                _digests.clear()
            _digests[key] = digest
        return PRESENT if digest == sha256 else CHANGED
    except OSError:
        return MISSING
    finally:
        os.close(fd)


def original_state(ev: Evidence, progress=None) -> str:
    """The recorded file itself, ignoring any 档案 copy."""
    if ev.kind is not EvidenceKind.FILE:
        return PRESENT
    return file_state(ev.text, ev.size, ev.sha256, progress)


def evidence_state(ev: Evidence, progress=None) -> str:
    """PRESENT, ARCHIVED, CHANGED or MISSING (see the module docstring)."""
    if ev.kind is not EvidenceKind.FILE:
        return PRESENT
    original = file_state(ev.text, ev.size, ev.sha256, progress)
    if original == PRESENT:
        return PRESENT
    if ev.archived and file_state(ev.archived, ev.size, ev.sha256, progress) == PRESENT:
        return ARCHIVED
    return original


LABELS = {
    CHANGED: "文件已变更",
    MISSING: "文件缺失",
    ARCHIVED: "原文件已移走，档案中有副本",
}


def evidence_label(ev: Evidence, state: str | None = None, progress=None) -> str:
    """The words every surface shows after the item ("" when the file is fine)."""
    state = state or evidence_state(ev, progress)
    if state == ARCHIVED and original_state(ev, progress) == CHANGED:
        return "原文件已变更，档案中有副本"
    return LABELS.get(state, "")


def is_problem(state: str) -> bool:
    return state in PROBLEMS


def usable_path(ev: Evidence, state: str | None = None) -> str | None:
    """Where the intact bytes are: the original, else the 档案 copy, else None."""
    state = state or evidence_state(ev)
    if ev.kind is not EvidenceKind.FILE:
        return None
    if state == PRESENT:
        return ev.text
    if state == ARCHIVED:
        return ev.archived
    return None
