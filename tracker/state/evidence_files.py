"""Evidence files: reading one to record it (size, sha256) and copying it into the 档案.
Whether a recorded file is still there is :mod:`tracker.evidence`'s one rule.

Files are opened without blocking and the opened handle is checked (``fstat``), so a pipe
or device swapped in for a photo is refused instead of hanging. The archive copy goes to
``<archive>/<year>/<occurrence>/<name>`` (``name-1.ext`` and so on when taken); folders
under the archive root that are symlinks are never followed, folders made for a copy that
then failed are removed again, and a name already taken by anything (a dangling link
too) is skipped, never waited on.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

from tracker.errors import TrackerError
from tracker.regularfile import NotRegular, open_regular, read_reason
from tracker.state import digests

_HASH_CHUNK = 1 << 20
_SAFE_NAME = re.compile(r"[^\w.@~+\-]+")
NAME_BYTES = 120  # most file systems allow 255 bytes per name; leave room for "-n.ext"
_MAX_TRIES = 10_000


class InvalidChange(TrackerError, ValueError):
    """A change the store refuses (延期 without a reason, unknown evidence id...)."""


def safe_name(text: str) -> str:
    """A folder name for an occurrence id: readable and at most NAME_BYTES bytes. An id
    left with nothing readable (``.``, ``..``) or cut short gets a short digest of the
    whole id, so two such ids never share a folder."""
    cleaned = _SAFE_NAME.sub("_", text).strip("._")
    if cleaned and len(cleaned.encode("utf-8")) <= NAME_BYTES:
        return cleaned
    tag = "-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return _cut_bytes(cleaned or "_", NAME_BYTES - len(tag)) + tag


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def _unique_target(folder: Path, name: str, taken: set[str]) -> Path:
    stem, suffix = os.path.splitext(name)
    candidate = folder / name
    n = 0
    while os.path.lexists(candidate) or candidate.name in taken:  # a dangling link is taken too
        n += 1
        if n > _MAX_TRIES:
            raise InvalidChange(f"档案文件夹 {folder} 中同名文件太多，无法归档 {name}。")
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def _archive_folder(root: Path, parts: tuple[str, ...], made: list[Path]) -> Path:
    """root/parts..., made as needed (appended to `made`), never through a symlink."""
    folder = root
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        made.append(folder)
    for part in parts:
        folder = folder / part
        if folder.is_symlink():
            raise InvalidChange(f"档案中的文件夹 {folder} 是一个链接，为免把文件复制到档案之外，本程序不会跟随它。")
        if not folder.is_dir():
            folder.mkdir()
            made.append(folder)
    return folder


def read_evidence_file(
    text: str, archive: Path | None, parts: tuple[str, ...] = (), progress=None
) -> tuple[str, int, str, str | None, list[Path]]:
    """Absolute path, size, sha256, the archive copy in archive/parts (made from the same
    bytes) and the folders made for it (for :func:`discard` when it is not recorded).

    ``progress(done_bytes, total_bytes)`` hears about every chunk; whatever it raises (e.g.
    :class:`~tracker.errors.Cancelled`) stops the read and removes the partial copy."""
    if "\0" in text:
        raise InvalidChange("佐证文件路径中含有空字符（\\0），请检查后重新输入。")
    path = os.path.abspath(os.path.expanduser(text))  # spaces may belong to the name
    try:
        fd, st = open_regular(path)
    except FileNotFoundError:
        raise InvalidChange(f"佐证文件不存在：{path}") from None
    except IsADirectoryError:
        raise InvalidChange(f"{path} 是一个文件夹，不是文件；请指定其中的具体文件。") from None
    except NotRegular:
        raise InvalidChange(f"{path} 不是普通文件，不能作为佐证材料。") from None
    except PermissionError:
        raise InvalidChange(f"无法读取佐证文件 {path}：没有读取权限。") from None
    except OSError as exc:
        raise InvalidChange(f"无法读取佐证文件 {path}：{read_reason(exc)}") from None
    h = hashlib.sha256()
    size = 0
    copy_path: Path | None = None
    made: list[Path] = []
    try:
        with os.fdopen(fd, "rb") as src:
            out = None
            try:
                if archive is not None:
                    folder = _archive_folder(archive, parts, made)
                    taken: set[str] = set()
                    while True:
                        copy_path = _unique_target(folder, os.path.basename(path), taken)
                        try:
                            out = open(copy_path, "xb")
                            break
                        except FileExistsError:
                            taken.add(copy_path.name)
                            copy_path = None
                while chunk := src.read(_HASH_CHUNK):
                    h.update(chunk)
                    size += len(chunk)
                    if out is not None:
                        out.write(chunk)
                    if progress is not None:
                        progress(size, max(st.st_size, size))
                if out is not None:
                    out.flush()
                    os.fsync(out.fileno())
                digests.remember(st, os.fstat(src.fileno()), h.hexdigest())
            finally:
                if out is not None:
                    out.close()
        if copy_path is not None:
            import shutil

            shutil.copystat(path, copy_path)
    except InvalidChange:
        discard(copy_path, made)
        raise
    except PermissionError:
        discard(copy_path, made)
        raise InvalidChange(f"无法读取佐证文件 {path}：没有读取权限。") from None
    except OSError as exc:
        discard(copy_path, made)
        where = f"归档到 {archive}" if archive is not None else "读取"
        raise InvalidChange(f"佐证文件 {path} {where}失败：{exc.strerror or exc}") from None
    except BaseException:  # cancelled, interrupted: no partial copy left in the 档案
        discard(copy_path, made)
        raise
    return path, size, h.hexdigest(), str(copy_path) if copy_path is not None else None, made


def discard(path: Path | str | None, made: list[Path] | tuple = ()) -> None:
    """Remove a copy not recorded, and the folders made for it when left empty."""
    if path is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
