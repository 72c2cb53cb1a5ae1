"""The 档案 an inspector opens: year → 大项 (or 考评 indicator) → numbered 件, with 目录 at each level.

In the spirit of DA/T 22-2015 (归档文件整理规则): the unit is the 件 (one evidence item), grouped
by 年度 and then by 问题 (the indicator it serves, or the plan's 大项), numbered in order of
the work's date (件号 ``2026-02-0003``: year, group, item). Every evidence file is copied and
renamed by its 件号 (its bytes checked against the recorded sha256 on the way), notes and
links are listed as 件 without a file. Each level has a 目录 as .xlsx and .docx (件号, 责任者,
题名, 日期, 页数/文件数, 备注); the top level adds the 对标对表 sheet (every indicator with its
items and evidence, year by year) and the 缺项清单 (indicators or 大项 with no evidence in a year).

:func:`build_archive` writes into a folder or a .zip; a progress callback hears about every
chunk and every file copied so large copies can be shown, and what it raises (e.g.
:class:`~tracker.errors.Cancelled`) stops the export with nothing left behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.errors import TrackerError
from tracker.evidence import ARCHIVED, PRESENT, evidence_label, evidence_state, usable_path
from tracker.model import EvidenceKind, Plan, Status, TrackedOccurrence
from tracker.outputs.files import ARCHIVE_MARKER, discard, os_reason
from tracker.outputs.text import cn_date

CATALOGUE_HEADERS = ("件号", "责任者", "题名", "日期", "页数/文件数", "备注")
CHECK_HEADERS = ("年度", "指标/大项", "名称", "事项数", "已完成", "佐证件数", "其中文件", "情况")
_UNSAFE = re.compile(r'[\x00-\x1f\\/:*?"<>|]+')
NAME_BYTES = 150


@dataclass(frozen=True)
class Item:
    """One 件."""

    number: str  # 件号
    owner: str  # 责任者
    title: str  # 题名
    day: date | None
    files: int  # 页数/文件数 (a copied file counts 1; a note or link 0)
    remark: str  # 备注
    source: str | None = None  # the intact bytes to copy (original or 档案 copy)
    sha256: str | None = None
    name: str = ""  # the copy's file name inside its group folder


@dataclass
class Group:
    key: str  # indicator code or 大项
    name: str
    folder: str
    items: list[Item] = field(default_factory=list)
    tasks: int = 0
    done: int = 0
    number: int = 0


@dataclass
class Year:
    year: int
    groups: list[Group]

    @property
    def items(self) -> int:
        return sum(len(g.items) for g in self.groups)


def _safe(text: str, limit: int = NAME_BYTES) -> str:
    text = _UNSAFE.sub("_", text).strip(" ._") or "_"
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore").rstrip(" ._") or "_"


def catalogue_of(plan: Plan):
    """The plan's 考评 catalogue, or None when the plan names none and none is bundled."""
    try:
        from tracker.plan.indicators import catalogue_for_plan, load_catalogue
    except ImportError:
        return None
    value = getattr(plan, "indicator_catalogue", "") or ""
    try:
        return load_catalogue(catalogue_for_plan(value, plan.path) if value else None)
    except Exception:  # an unreadable catalogue: the archive groups by 大项 instead
        return None


def _day(r: TrackedOccurrence, fallback) -> date | None:
    done_on = r.state.done_on
    if done_on:
        return done_on
    return fallback or r.due


def plan_year(plan: Plan, rows: list[TrackedOccurrence], year: int, catalogue=None) -> Year:
    """The year's 件 by group (indicator when the plan uses them, else 大项), numbered."""
    by_indicator = any(r.occurrence.indicators for r in rows)
    groups: dict[str, Group] = {}

    def group_for(r: TrackedOccurrence) -> Group:
        if by_indicator:
            codes = r.occurrence.indicators
            key = codes[0] if codes else "未对应指标"
            found = catalogue.get(key) if catalogue is not None and codes else None
            name = found.name if found is not None else ("未对应考评指标" if not codes else key)
        else:
            key = name = r.occurrence.category
        if key not in groups:
            groups[key] = Group(key, name, "")
        return groups[key]

    ordered = sorted(rows, key=lambda r: (_day(r, None) or r.due, r.id))
    for r in ordered:
        group_for(r)
    # Group order: indicator codes in natural order, or the plan's categories.
    if by_indicator:
        def code_key(k: str):
            return [int(p) if p.isdigit() else p for p in re.split(r"[.]", k)] if k != "未对应指标" else [10**6]

        keys = sorted(groups, key=code_key)
    else:
        keys = [c for c in plan.categories if c in groups] + [k for k in groups if k not in plan.categories]
    for gi, key in enumerate(keys, 1):
        g = groups[key]
        g.folder = _safe(f"{gi:02d} {key}" if key == g.name else f"{gi:02d} {key} {g.name}", 120)
        g.number = gi

    for r in ordered:
        g = group_for(r)
        g.tasks += 1
        g.done += r.state.status is Status.DONE
        if r.state.status is Status.CANCELLED:
            continue
        for ev in r.state.evidence:
            n = len(g.items) + 1
            number = f"{year}-{g.number:02d}-{n:04d}"
            label = ev.label or ev.kind.label
            title = f"{r.title}——{label}"
            added = ev.added_at.date() if getattr(ev, "added_at", None) else None
            day = _day(r, added)
            if ev.kind is EvidenceKind.FILE:
                state = evidence_state(ev)
                source = usable_path(ev, state)
                ext = os.path.splitext(ev.text)[1][:16]
                name = _safe(f"{number} {r.title} {label}", NAME_BYTES - len(ext.encode())) + ext
                if source is None:
                    remark = f"{evidence_label(ev, state)}，未能复制（原路径：{os.path.basename(ev.text)}）"
                    g.items.append(Item(number, r.owner, title, day, 0, remark))
                else:
                    remark = "取自档案副本" if state == ARCHIVED else ""
                    g.items.append(Item(number, r.owner, title, day, 1, remark, source, ev.sha256, name))
            else:
                what = "链接" if ev.kind is EvidenceKind.URL else "文字说明"
                g.items.append(Item(number, r.owner, title, day, 0, f"{what}：{ev.text}"))
    return Year(year, [groups[k] for k in keys])


def check_rows(years: list[Year], catalogue=None) -> tuple[list[tuple], list[tuple]]:
    """(对标对表 rows, 缺项清单 rows) over all years."""
    table, gaps = [], []
    for y in years:
        seen = {g.key: g for g in y.groups}
        keys = list(seen)
        if catalogue is not None and any(k not in ("未对应指标",) and catalogue.get(k) for k in keys):
            # Every indicator of the catalogue, used or not: an inspector goes down the list.
            parents = {i.parent for i in catalogue.indicators if i.parent}
            leaves = [i.code for i in catalogue.indicators if i.code not in parents]
            keys = leaves + [k for k in keys if not catalogue.get(k)]
        for key in keys:
            g = seen.get(key)
            name = g.name if g else (catalogue.get(key).name if catalogue and catalogue.get(key) else key)
            items = len(g.items) if g else 0
            copied = sum(1 for i in g.items if i.files) if g else 0
            state = "有佐证" if items else "缺佐证"
            table.append((f"{y.year}年", key, name, g.tasks if g else 0, g.done if g else 0, items, copied, state))
            if not items:
                gaps.append((f"{y.year}年", key, name, g.tasks if g else 0,
                             "本年度没有对应的工作事项" if not g else "有工作事项，但没有任何佐证材料"))
    return table, gaps


@dataclass(frozen=True)
class ArchiveResult:
    path: Path
    years: tuple[int, ...]
    items: int
    files: int
    bytes: int
    gaps: int
    problems: tuple[str, ...] = ()


Progress = Callable[[int, int, int, int], None]  # files done, files total, bytes done, bytes total


class _Sink:
    """Where the archive goes: a folder being built, or a zip file being written."""

    def __init__(self, root: Path | None, zf: zipfile.ZipFile | None, top: str) -> None:
        self.root, self.zf, self.top = root, zf, top

    def _info(self, rel: str, moment: float | None = None) -> zipfile.ZipInfo:
        import time

        info = zipfile.ZipInfo(f"{self.top}/{rel}", time.localtime(moment)[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def write_bytes(self, rel: str, data: bytes) -> None:
        if self.zf is not None:
            self.zf.writestr(self._info(rel), data)
        else:
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def copy(self, rel: str, source: str, sha256: str | None, step: Callable[[int], None]) -> str | None:
        """Copy and check; returns a problem text or None."""
        h = hashlib.sha256()
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(source, flags)
        except OSError as exc:
            return f"无法读取：{os_reason(exc)}"
        try:
            with os.fdopen(fd, "rb") as src:
                if self.zf is not None:
                    out = self.zf.open(self._info(rel, os.fstat(src.fileno()).st_mtime), "w", force_zip64=True)
                else:
                    target = self.root / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    out = open(target, "xb")
                with out:
                    while chunk := src.read(1 << 20):
                        h.update(chunk)
                        out.write(chunk)
                        step(len(chunk))
        except OSError as exc:
            return f"复制失败：{os_reason(exc)}"
        if sha256 and h.hexdigest() != sha256:
            return "复制时内容与登记时不一致"
        return None


def build_archive(
    plan: Plan,
    years: list[tuple[int, list[TrackedOccurrence], date]],
    target: Path | str,
    *,
    unit: str = "",
    progress: Progress | None = None,
) -> ArchiveResult:
    """Write the 档案 of ``years`` ((year, rows, 统计截至) each) to a folder or a .zip."""
    from tracker.outputs.archive_index import catalogue_docx, catalogue_xlsx, top_docx, top_xlsx
    from tracker.outputs.summary import short_unit

    target = Path(target)
    catalogue = catalogue_of(plan)
    built = [plan_year(plan, rows, y, catalogue) for y, rows, _ in years]
    org = short_unit(unit or plan.unit, plan.title)
    first, last = built[0].year, built[-1].year
    span = f"{first}" if first == last else f"{first}—{last}"
    top = _safe(f"{org}双拥工作档案{span}年", 120)
    today = years[-1][2]
    table, gaps = check_rows(built, catalogue)

    copies = [(y, g, i) for y in built for g in y.groups for i in g.items if i.source]
    total_bytes = 0
    for _, _, i in copies:
        try:
            total_bytes += os.stat(i.source).st_size
        except OSError:
            pass
    done_files = done_bytes = 0

    def step(n: int) -> None:
        nonlocal done_bytes
        done_bytes += n
        if progress is not None:  # within a file too: a 2 GB video is one file
            progress(done_files, len(copies), done_bytes, total_bytes)

    is_zip = target.suffix.lower() == ".zip"
    work = target.parent / f".{target.name}.{os.getpid()}.tmp"
    problems: list[str] = []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if is_zip:
            zf = zipfile.ZipFile(work, "x", zipfile.ZIP_DEFLATED, compresslevel=1)
            sink = _Sink(None, zf, top)
        else:
            zf = None
            work.mkdir()
            sink = _Sink(work, None, top)
        try:
            sink.write_bytes(ARCHIVE_MARKER, "本文件夹（压缩包）由 shuangyong-tui 生成，重新导出时会整体替换。\n".encode())
            sink.write_bytes("目录.xlsx", top_xlsx(org, built, table, gaps, today, plan.unit))
            sink.write_bytes("目录.docx", top_docx(org, built, table, gaps, today, plan.unit))
            for y in built:
                ydir = f"{y.year}年"
                sink.write_bytes(f"{ydir}/目录.xlsx", catalogue_xlsx(f"{org}{y.year}年度双拥工作档案目录",
                                                                 [(g, g.items) for g in y.groups], today))
                sink.write_bytes(f"{ydir}/目录.docx", catalogue_docx(f"{org}{y.year}年度双拥工作档案目录",
                                                                 [(g, g.items) for g in y.groups], today, plan.unit))
                for g in y.groups:
                    gdir = f"{ydir}/{g.folder}"
                    title = f"{org}{y.year}年度双拥工作档案目录（{g.name}）"
                    sink.write_bytes(f"{gdir}/目录.xlsx", catalogue_xlsx(title, [(g, g.items)], today))
                    sink.write_bytes(f"{gdir}/目录.docx", catalogue_docx(title, [(g, g.items)], today, plan.unit))
            for y, g, item in copies:
                problem = sink.copy(f"{y.year}年/{g.folder}/{item.name}", item.source, item.sha256, step)
                if problem:
                    problems.append(f"{item.number} {item.title}：{problem}")
                done_files += 1
                if progress is not None:
                    progress(done_files, len(copies), done_bytes, total_bytes)
        finally:
            if zf is not None:
                zf.close()
        _put_in_place(work, target, is_zip)
    except OSError as exc:
        _remove(work)
        raise TrackerError(f"无法写入档案 {target}：{os_reason(exc)}") from None
    except BaseException:
        _remove(work)
        raise
    return ArchiveResult(target, tuple(y.year for y in built), sum(y.items for y in built), len(copies),
                         done_bytes, len(gaps), tuple(problems))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        discard(path)


def _put_in_place(work: Path, target: Path, is_zip: bool) -> None:
    if is_zip:
        os.replace(work, target)
        return
    if target.exists():
        old = target.parent / f".{target.name}.{os.getpid()}.old"
        os.rename(target, old)
        try:
            os.rename(work, target)
        except OSError:
            os.rename(old, target)
            raise
        _remove(old)
    else:
        os.rename(work, target)


def guard_archive(target: Path, protect=(), keep_dirs=()) -> None:
    """A .zip goes through the output guard; a folder must be new, empty, or an earlier 档案."""
    from tracker.outputs.files import guard_output

    for folder in keep_dirs:
        if not folder:
            continue
        try:
            a, b = Path(os.path.abspath(target)), Path(os.path.abspath(folder))
        except (OSError, ValueError):
            continue
        if a == b or a.is_relative_to(b) or b.is_relative_to(a):
            raise TrackerError(f"{target} 是（或包含）佐证材料的档案文件夹 {folder}，导出的档案请另选位置")
    if target.suffix.lower() == ".zip":
        guard_output(target, "archive-zip", protect)
        return
    if target.is_symlink():
        raise TrackerError(f"{target} 是一个链接，档案不会写到链接里；请换一个文件夹")
    if target.exists():
        if not target.is_dir():
            raise TrackerError(f"{target} 是一个文件，不是文件夹；档案请写到新文件夹或 .zip 文件")
        for kept in protect:
            if kept and Path(kept).exists():
                try:
                    if Path(kept).resolve().is_relative_to(target.resolve()):
                        raise TrackerError(f"{target} 里有本程序使用的文件（{Path(kept).name}），不会被档案替换")
                except OSError:
                    pass
        if any(target.iterdir()) and not (target / ARCHIVE_MARKER).exists():
            raise TrackerError(f"{target} 已存在且不是本程序生成的档案，不会替换；请换一个文件夹名")


def year_range(text: str) -> list[int]:
    """2023-2026 / 2023—2026 / 2026 → the years, with a Chinese error."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-—–~至到]\s*(\d{4}))?\s*", text or "")
    if not m:
        raise TrackerError(f"年份范围“{text}”无法识别，请写成 2023-2026")
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    if a > b:
        raise TrackerError(f"年份范围“{text}”的起始年份晚于结束年份")
    if b - a > 20:
        raise TrackerError(f"年份范围“{text}”太长（最多 20 年）")
    return list(range(a, b + 1))


__all__ = ["build_archive", "guard_archive", "year_range", "plan_year", "check_rows", "ArchiveResult", "cn_date"]
