"""One function per output, called by the commands and by the app alike.

Each takes the Tracker (plan, store, year, today) and a target path, checks the target
(:func:`tracker.outputs.files.guard_output`: never the state file, a plan, the config or a
file that is not an earlier output of the same kind), writes it atomically and returns what
was written in words the caller shows as they are.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tracker.errors import TrackerError


@dataclass(frozen=True)
class Written:
    path: Path
    message: str  # 已写入 …：N 项 …
    notes: tuple[str, ...] = ()  # further lines (注意：…)


@dataclass(frozen=True)
class OutputChoice:
    """One entry of the app's 生成报告 list."""

    key: str
    label: str
    default_name: str  # with {year}


OUTPUTS = (
    OutputChoice("summary-docx", "年终总结（Word .docx）", "年终总结-{year}.docx"),
    OutputChoice("summary-md", "年终总结（Markdown .md）", "年终总结-{year}.md"),
    OutputChoice("ledger-xlsx", "台账（Excel .xlsx）", "台账-{year}.xlsx"),
    OutputChoice("ledger-csv", "台账（.csv）", "台账-{year}.csv"),
    OutputChoice("minutes-docx", "会议纪要：近 7 天的修改（Word .docx）", "会议纪要-{year}.docx"),
    OutputChoice("archive-zip", "档案：佐证材料按件号编排，含目录和对标对表（.zip）", "双拥档案-{year}.zip"),
)
MINUTES_DAYS = 7


def write_output(tracker, key: str, path: Path | str, *, progress=None, lock=None) -> Written:
    """The output named by an OUTPUTS key: what the app's 生成报告 list runs.

    ``lock``: held while the Tracker is read (the whole output, except the 档案's file
    copies, which run without it so a caller's screen is not held up by them)."""
    if key == "archive-zip":
        return write_archive(tracker, path, progress=progress, lock=lock)
    with lock if lock is not None else nullcontext():
        return _write_output(tracker, key, path)


def _write_output(tracker, key: str, path: Path | str) -> Written:
    if key.startswith("summary"):
        return write_summary(tracker, path)
    if key.startswith("ledger"):
        return write_ledger(tracker, path)
    if key == "minutes-docx":
        from datetime import datetime, timedelta

        since = datetime.now().astimezone() - timedelta(days=MINUTES_DAYS)
        return write_minutes(tracker, path, since=since)
    raise TrackerError(f"未知的输出「{key}」")


def protected(tracker) -> tuple[Path, ...]:
    """The files this Tracker reads and writes, which no output may replace."""
    found = []
    store = getattr(tracker, "store", None)
    for path in (getattr(store, "path", None), getattr(getattr(tracker, "plan", None), "path", None)):
        if path:
            found.append(Path(path))
    if store is not None and getattr(store, "path", None):
        from tracker.outputs.ics import sequence_path

        found.append(sequence_path(Path(store.path)))
    return tuple(found)


def _fonts(fonts: str | None):
    from tracker.outputs.docx import font_set

    if fonts is None:
        import os

        fonts = os.environ.get("SHUANGYONG_FONTS")
        if fonts is None:
            try:
                from tracker.settings import read_config

                fonts = read_config().get("fonts")
            except TrackerError:
                fonts = None
    return font_set(fonts)


def summary_of(tracker):
    """The 总结's facts for the Tracker's year (the same for .md and .docx)."""
    from tracker.outputs.summary import summary_data

    return summary_data(tracker.plan, tracker.tracked(), tracker.year, tracker.today)


def write_summary(tracker, path: Path | str, *, fonts: str | None = None) -> Written:
    """年终总结 as .docx, or as Markdown for .md/.markdown/.txt."""
    path = Path(path)
    suffix = path.suffix.lower()
    kind = "summary-docx" if suffix == ".docx" else "summary-md"
    from tracker.outputs.files import KINDS, guard_output, save_atomically

    if suffix not in KINDS["summary-docx"].suffixes + KINDS["summary-md"].suffixes:
        raise TrackerError(f"不支持的格式「{path.suffix or path.name}」：总结可写成 .md 或 .docx")
    guard_output(path, kind, protected(tracker))  # before the work, so a refusal is quick
    data = summary_of(tracker)
    if kind == "summary-docx":
        from tracker.outputs.summary_docx import write_summary_docx

        write_summary_docx(data, path, fonts=_fonts(fonts), protect=protected(tracker))
    else:
        from tracker.outputs.summary import summary_markdown

        save_atomically(path, summary_markdown(data), kind=kind, protect=protected(tracker))
    o = data.overall
    message = (
        f"已写入 {path}：{len(data.sections)} 个类别、{o.total} 项事项，完成率 {o.rate_text}，"
        f"下年度延续事项 {len(data.carry_over)} 项，尚缺佐证材料 {data.missing_total} 份。"
    )
    notes = ()
    if data.file_problems:
        notes = (f"注意：{data.file_problems} 个佐证文件缺失或已被修改，已在总结中标出。",)
    return Written(path, message, notes)


def write_ledger(tracker, path: Path | str) -> Written:
    """台账 as .xlsx, or as .csv."""
    from tracker.outputs import ledger
    from tracker.outputs.files import guard_output

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise TrackerError(f"不支持的格式「{path.suffix or path.name}」：台账可写成 .xlsx 或 .csv")
    kind = "ledger-csv" if suffix == ".csv" else "ledger-xlsx"
    guard_output(path, kind, protected(tracker))
    rows = tracker.tracked()
    ledger.write_ledger(tracker.plan, rows, tracker.year, tracker.today, path, protect=protected(tracker))
    evidence = sum(len(r.state.evidence) for r in rows)
    return Written(path, f"已写入 {path}：{len(rows)} 行事项，{evidence} 份佐证材料。")


MEETING_KEYS = {"place": "meeting_place", "chair": "meeting_chair", "attendees": "meeting_attendees",
                "recorder": "meeting_recorder"}


def meeting_info(**given: str | None):
    """The meeting's 地点/主持人/参加人员/记录人: what is given, else what was given last time.

    What is given is remembered in the config file for the next meeting.
    """
    from tracker.outputs.minutes_docx import MeetingInfo
    from tracker.settings import read_config, write_config

    try:
        remembered = read_config()
    except TrackerError:
        remembered = {}
    values = {field: given.get(field) if given.get(field) is not None else remembered.get(key, "")
              for field, key in MEETING_KEYS.items()}
    changed = {MEETING_KEYS[f]: v for f, v in given.items() if v is not None and remembered.get(MEETING_KEYS[f]) != v}
    if changed:
        try:
            write_config(changed)
        except TrackerError:
            pass  # the minutes matter more than remembering who chaired
    return MeetingInfo(**{k: str(v) for k, v in values.items()})


def write_minutes(
    tracker,
    path: Path | str,
    *,
    since: datetime,
    until: datetime | None = None,
    title: str | None = None,
    week: bool = False,
    info=None,
    fonts: str | None = None,
) -> Written:
    """会议纪要 of the changes in [since, until]: .docx (with the meeting's details) or Markdown."""
    from tracker.outputs.files import guard_output, save_atomically
    from tracker.outputs.minutes import changes_between, minutes_inputs, minutes_markdown

    path = Path(path)
    kind = "minutes-docx" if path.suffix.lower() == ".docx" else "minutes-md"
    guard_output(path, kind, protected(tracker))
    if kind == "minutes-docx" and title is None and not week:
        from tracker.outputs.summary import short_unit

        title = f"{short_unit(tracker.plan.unit, tracker.plan.title)}双拥工作会议纪要"
    inputs = minutes_inputs(tracker, since=since, until=until, title=title, week=week)
    plan, changes, titles = inputs.pop("plan"), inputs.pop("changes"), inputs.pop("titles")
    if kind == "minutes-docx":
        from tracker.outputs.minutes_docx import minutes_docx_bytes

        data = minutes_docx_bytes(plan, changes, titles, info=info or meeting_info(), fonts=_fonts(fonts), **inputs)
    else:
        from tracker.textsafe import visible

        # Like the terminal: control characters in user text are shown, never acted on.
        data = visible(minutes_markdown(plan, changes, titles, **inputs), keep="\n")
    save_atomically(path, data, kind=kind, protect=protected(tracker))
    chosen = changes_between(tracker, since, until)
    undone = sum(1 for c in chosen if c.undone)
    message = f"已写入 {path}：{len(chosen)} 项修改"
    if undone:
        message += f"（其中 {undone} 项已撤销，不计入议定事项）"
    return Written(path, message + "。")


def write_meeting(tracker, path: Path | str, *, changes, title: str, since: datetime, until: datetime,
                  sections: dict | None = None, info=None, fonts: str | None = None) -> Written:
    """The weekly meeting's minutes (the app's 例会 view): the changes it saw, .docx or Markdown.

    ``info`` is the meeting's 地点/主持人/参加人员/记录人 (default: the ones remembered last).
    """
    from tracker.outputs.files import guard_output, save_atomically
    from tracker.outputs.minutes import minutes_markdown

    path = Path(path)
    kind = "minutes-docx" if path.suffix.lower() == ".docx" else "minutes-md"
    guard_output(path, kind, protected(tracker))
    titles = tracker.names(changes)  # by year and id: the week across New Year has next year's items
    extra = sections or {}
    if kind == "minutes-docx":
        from tracker.outputs.minutes_docx import minutes_docx_bytes

        data = minutes_docx_bytes(tracker.plan, changes, titles, title=title, since=since, until=until,
                                  info=info or meeting_info(), fonts=_fonts(fonts), **extra)
    else:
        data = minutes_markdown(tracker.plan, changes, titles, title=title, since=since, until=until, **extra)
    save_atomically(path, data, kind=kind, protect=protected(tracker))
    return Written(path, f"已写入 {path}：{len(changes)} 项修改。")


def write_archive(tracker, target: Path | str, *, years: list[int] | None = None, progress=None,
                  lock=None) -> Written:
    """档案 of one or more years (one state file, one plan) into a folder or a .zip; ``lock``
    is held while the Tracker is read, not while files are copied."""
    from datetime import date

    from tracker.outputs.archive import build_archive, guard_archive

    target = Path(target)
    guard_archive(target, protected(tracker), keep_dirs=(getattr(tracker, "archive_dir", None),))
    chosen = years or [tracker.year]
    inputs = []
    with lock if lock is not None else nullcontext():
        for year in chosen:
            if year == tracker.year:
                one = tracker
            else:
                one = type(tracker)(tracker.plan, tracker.store, year, tracker.today,
                                    archive_dir=getattr(tracker, "archive_dir", None))
            inputs.append((year, one.tracked(), min(tracker.today, date(year, 12, 31))))
    result = build_archive(tracker.plan, inputs, target, progress=progress)
    span = f"{chosen[0]}年" if len(chosen) == 1 else f"{chosen[0]}-{chosen[-1]}年"
    message = (f"已写入 {target}：{span}档案 {result.items} 件，复制文件 {result.files} 个"
               f"（{result.bytes / 1048576:.1f} MB），缺项 {result.gaps} 处（见 目录.xlsx 的「缺项清单」）。")
    notes = tuple(f"注意：{p}" for p in result.problems[:20])
    if len(result.problems) > 20:
        notes += (f"注意：另有 {len(result.problems) - 20} 个文件未能复制，详见目录备注。",)
    return Written(target, message, notes)
