"""Writing files: the one `save_atomically`, and the guard every output goes through.

Every file the program writes (except the state file, which the store writes itself) goes
through :func:`save_atomically`: the data is written beside the target, flushed, and renamed
over it, so a crash never leaves half a file. Outputs (the 总结, 台账, 会议纪要, 档案 and .ics)
name their ``kind``; before anything is written, :func:`guard_output` checks that

- the file name ends the way that kind of output does (.docx, .xlsx, .ics …);
- the target is not the state file, a plan, the config file or anything else the program
  keeps (given as ``protect``);
- an existing file there is an earlier output of the same kind (recognised by its content),
  so overwriting last week's 台账 is fine, and a colleague's own document never goes.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import TrackerError
from tracker.state.backups import fsync_dir

# Written into every .docx and .xlsx (document property 关键词) and .zip archive we make:
# how a later run recognises its own earlier output.
SIGNATURE = "shuangyong-tui"
ARCHIVE_MARKER = ".shuangyong-tui-档案"

Data = bytes | str | Callable[[str], object]


@dataclass(frozen=True)
class OutputKind:
    key: str
    label: str  # how messages name it
    suffixes: tuple[str, ...]


KINDS = {
    k.key: k
    for k in (
        OutputKind("summary-md", "年终总结（Markdown）", (".md", ".markdown", ".txt")),
        OutputKind("summary-docx", "年终总结（Word）", (".docx",)),
        OutputKind("ledger-xlsx", "台账（Excel）", (".xlsx",)),
        OutputKind("ledger-csv", "台账（CSV）", (".csv",)),
        OutputKind("minutes-md", "会议纪要（Markdown）", (".md", ".markdown", ".txt")),
        OutputKind("minutes-docx", "会议纪要（Word）", (".docx",)),
        OutputKind("archive-zip", "档案（.zip）", (".zip",)),
        OutputKind("archive-docx", "档案目录（Word）", (".docx",)),
        OutputKind("archive-xlsx", "档案目录（Excel）", (".xlsx",)),
        OutputKind("ics", "日历文件（.ics）", (".ics",)),
    )
}


def _head(path: Path, size: int = 4096) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def _zip_has(path: Path, member: str) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if member not in names:
                return False
            if "docProps/core.xml" in names:
                core = zf.read("docProps/core.xml")
                # Earlier versions wrote no keyword but named the program as creator or the
                # document as a 总结清单.
                return SIGNATURE.encode() in core or "工作总结清单".encode() in core
            return False
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError):
        return False


def _text_head(path: Path) -> str:
    try:
        return _head(path).decode("utf-8-sig", errors="ignore")
    except OSError:
        return ""


def is_output(path: Path, kind: str) -> bool:
    """Whether the existing regular file at ``path`` is an earlier output of this kind."""
    if kind in ("summary-docx", "minutes-docx", "archive-docx"):
        return _zip_has(path, "word/document.xml")
    if kind in ("ledger-xlsx", "archive-xlsx"):
        return _zip_has(path, "xl/workbook.xml")
    if kind == "archive-zip":
        try:
            with zipfile.ZipFile(path) as zf:
                return any(n.rstrip("/").endswith(ARCHIVE_MARKER) for n in zf.namelist())
        except (OSError, zipfile.BadZipFile):
            return False
    text = _text_head(path)
    if "\x00" in text:
        return False
    if kind == "ics":
        return text.startswith("BEGIN:VCALENDAR") and "PRODID:-//shuangyong-tui" in text
    if kind == "ledger-csv":
        return text.startswith(("序号,事项", "编号,事项"))  # this version, and earlier ones
    if kind == "summary-md":
        return text.startswith("# ") and "工作总结" in text
    if kind == "minutes-md":
        return text.startswith("# ") and "纪要" in text and "时间范围" in text
    return False


def _same_file(a: Path, b: Path | str | None) -> bool:
    if b is None:
        return False
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _protected_paths(protect: Iterable[Path | str | None]) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for item in protect:
        if item:
            found.append((Path(item), "本程序使用的文件"))
    try:
        from tracker.settings import config_path

        found.append((config_path(), "配置文件"))
    except Exception:  # no config location: nothing to protect there
        pass
    return found


def guard_output(path: Path | str, kind: str, protect: Iterable[Path | str | None] = ()) -> Path:
    """Refuse a target this kind of output must not be written to; return it as a Path."""
    path = Path(path)
    spec = KINDS[kind]
    suffix = path.suffix.lower()
    if suffix not in spec.suffixes:
        allowed = "、".join(spec.suffixes)
        raise TrackerError(f"不支持的格式「{path.suffix or path.name}」：{spec.label}请保存为 {allowed} 文件")
    for kept, what in _protected_paths(protect):
        if _same_file(path, kept):
            raise TrackerError(f"{path} 是{what}，导出不会覆盖它；请换一个文件名")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise TrackerError(f"无法写入 {path}：{os_reason(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise TrackerError(f"无法写入 {path}：同名文件夹已存在")
    if not stat.S_ISREG(st.st_mode):
        raise TrackerError(f"{path} 不是普通文件，导出不会覆盖它；请换一个文件名")
    if st.st_nlink > 1:
        raise TrackerError(f"{path} 还有别的名字（硬链接），导出不会覆盖它；请换一个文件名")
    if not is_output(path, kind):
        raise TrackerError(f"{path} 已存在，且不是本程序生成的{spec.label}，不会覆盖；请换一个文件名")
    return path


def save_atomically(
    path: Path | str,
    data: Data,
    *,
    kind: str | None = None,
    protect: Iterable[Path | str | None] = (),
    exclusive: bool = False,
    encoding: str = "utf-8",
) -> Path:
    """Write ``data`` (bytes, text, or a function that writes a given path) to ``path``.

    ``kind`` names an output (see :data:`KINDS`) and checks the target first;
    ``exclusive`` refuses to replace any existing file (plan drafts, new plans).
    """
    path = Path(path)
    if kind is not None:
        guard_output(path, kind, protect)
    target = path
    if not exclusive and path.is_symlink():
        target = Path(os.path.realpath(path))  # replace what the link points at, keep the link
    # A plain new file (not mkstemp) so the result gets the user's usual permissions.
    tmp = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if callable(data):
            data(str(tmp))
        else:
            payload = data.encode(encoding) if isinstance(data, str) else data
            with open(tmp, "xb") as fh:
                fh.write(payload)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if exclusive:
            try:
                _link_new(tmp, target)
            except FileExistsError:
                raise _Exists from None
        else:
            os.replace(tmp, target)
        fsync_dir(str(target.parent))
    except _Exists:
        discard(tmp)
        raise TrackerError(f"{path} 已存在，不会覆盖；请换一个文件名（-o）") from None
    except OSError as exc:
        discard(tmp)
        raise TrackerError(f"无法写入 {path}：{os_reason(exc)}") from None
    except BaseException:
        discard(tmp)
        raise
    return path


class _Exists(Exception):
    """The target of an exclusive write appeared."""


def _link_new(tmp: Path, target: Path) -> None:
    """Put tmp at target only if nothing is there (a hard link fails on an existing name)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # A file system without hard links (some USB sticks, network shares).
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)




def os_reason(exc: OSError) -> str:
    """An OSError in the office's words."""
    reasons = {
        errno.EACCES: "没有写入权限（若文件正在 Word、WPS 或 Excel 中打开，请关闭后再试）",
        errno.EPERM: "没有写入权限",
        errno.ENOENT: "文件夹不存在或无法在此创建文件",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "磁盘是只读的",
        errno.EISDIR: "同名文件夹已存在",
        errno.ENOTDIR: "路径中有一段不是文件夹",
        errno.EEXIST: "路径中有一段是文件而不是文件夹",
    }
    return reasons.get(exc.errno, exc.strerror or str(exc))


def discard(path: Path | str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
