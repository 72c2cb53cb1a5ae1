"""Daily copies of the state file in ``backups/`` beside it, and atomic whole-file writes.

Before the first write of a day a copy of the file (complete lines only) goes to
``backups/<name>.<YYYYMMDD>.bak``. The state file only ever grows, so a backup's size says
how much it holds: backups are ranked by content (then by the day in their name), not by
the writer's clock alone. A PC whose clock says 2150 therefore cannot push today's backup
out: rotation keeps the :data:`BACKUPS_KEPT` that hold the most, never deletes the one
just written, and "the newest backup" a message recommends is the one holding most.

``backups`` must be a real folder inside the state file's folder: a symlink there is never
followed (a copy would land outside the tree) and a plain file of that name is named in
the error.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from tracker.errors import StoreError

BACKUPS_KEPT = 7
BACKUP_DIR = "backups"


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# New files get the mode an ordinary open() would give them, not mkstemp's 0600: the
# state file may live in a folder shared by the office.
NEW_FILE_MODE = 0o666 & ~_current_umask()

Writer = Callable[[int, bytes], int]


def fsync_dir(folder: str) -> None:
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


def atomic_write(
    target: Path, content: bytes, mode: int, *, write: Writer = os.write, fsync: Callable[[int], None] = os.fsync
) -> None:
    """Temporary file in the same folder, fsync, rename over the target, fsync the folder."""
    folder = str(target.parent)
    # Called with the state lock held, so a temporary file of ours already there was left
    # by a writer that died mid-write: remove it rather than let them pile up.
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
                view = view[write(fd, view) :]
            fsync(fd)
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(folder)


class Backups:
    """The backups of one state file."""

    def __init__(self, real_path: Path) -> None:
        self.real_path = real_path
        self.written_day: str | None = None  # the day this process last made sure of a backup

    @property
    def folder(self) -> Path:
        return self.real_path.parent / BACKUP_DIR

    def _entries(self) -> list[tuple[int, str, Path]]:
        pattern = re.compile(re.escape(self.real_path.name) + r"\.(\d{8})\.bak$")
        folder = self.folder
        if folder.is_symlink():
            return []
        try:
            names = os.listdir(folder)
        except OSError:
            return []
        found = []
        for name in names:
            m = pattern.match(name)
            if not m:
                continue
            try:
                st = os.lstat(folder / name)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found.append((st.st_size, m.group(1), folder / name))
        return found

    def list(self) -> list[Path]:
        """Backups of this file, the one holding most first (ties: later day first)."""
        return [p for _, _, p in sorted(self._entries(), key=lambda e: (e[0], e[1]), reverse=True)]

    def newest(self) -> Path | None:
        found = self.list()
        return found[0] if found else None

    def hint(self) -> str:
        newest = self.newest()
        if newest is None:
            return f"没有找到备份（备份文件夹：{self.folder}）。"
        return f"最近的备份：{newest}。可先把这个文件另存一份，再用备份替换它。"

    def _check_folder(self) -> None:
        folder = self.folder
        if folder.is_symlink():
            raise StoreError(
                f"备份文件夹 {folder} 是一个链接，为免把备份写到别处，本程序不会跟随它。"
                f"请把它换成普通文件夹。本次修改没有保存。"
            )
        if folder.exists() and not folder.is_dir():
            raise StoreError(
                f"无法建立备份：{folder} 是一个文件，不是文件夹。请把它移走或改名后重试。本次修改没有保存。"
            )

    def make(self, day: str, content: Callable[[], bytes], *, write: Writer = os.write,
             fsync: Callable[[int], None] = os.fsync) -> None:
        """Make sure today's backup exists (once per process and day), then rotate."""
        if self.written_day == day:
            return
        self._check_folder()
        target = self.folder / f"{self.real_path.name}.{day}.bak"
        if not os.path.lexists(target):
            self.folder.mkdir(exist_ok=True)
            self._check_folder()
            atomic_write(target, content(), NEW_FILE_MODE, write=write, fsync=fsync)
            self.rotate(keep=target)
        self.written_day = day

    def rotate(self, keep: Path) -> None:
        """Keep the BACKUPS_KEPT holding most, always including `keep` (just written)."""
        ranked = [p for p in self.list() if p != keep]
        for old in ranked[BACKUPS_KEPT - 1 :]:
            with contextlib.suppress(OSError):
                old.unlink()
