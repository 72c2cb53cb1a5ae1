"""Deadlines as an iCalendar (.ics) file that phone calendars import or subscribe to.

One all-day event per occurrence. Importing a newer file must update the events already on
the phone instead of duplicating them, so every UID comes from the plan's stable key, the
year and the occurrence id where the work was first planned (never the title, never
random: a renamed plan and a carried-over item keep their UIDs). SEQUENCE grows whenever
anything a calendar shows changed since the previous export; the memory of that lives
beside the state file. Finished work is sent as cancelled, so phones drop it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from tracker.plan.key import plan_key as _plan_key
from tracker.errors import TrackerError
from tracker.model import Plan, Status, TrackedOccurrence
from tracker.regularfile import read_regular

PRODID = "-//shuangyong-tui//shuangyong-tui 0.1//ZH"
UID_DOMAIN = "shuangyong-tui"
TIMEZONE = "Asia/Shanghai"
DEFAULT_ALARM = "1d@09:00"
# A fixed namespace so the same plan, year and occurrence always give the same UID.
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "shuangyong-tui.ics")

_ALARM_RE = re.compile(r"^(\d{1,2})\s*[dD天]\s*[@＠]\s*(\d{1,2})[:：](\d{2})$")
_NO_ALARM = {"none", "off", "no", "无", "不提醒", "关闭"}
MAX_ALARM_DAYS = 30
MAX_WORKDAY_WALK = 40  # no official break is longer


def plan_key(plan: Plan) -> str:
    """The plan's key as it goes into UIDs: the one rule (tracker.plan.key), "" for none."""
    return _plan_key(plan) or ""


def occurrence_uid(key: str, year: int, occurrence_id: str) -> str:
    """The event's UID: stable for the same plan key, year and occurrence id."""
    # Parts joined by a control character no real key or id contains: ("a", "b@c") ≠ ("a b", "c").
    name = "\x1f".join((key, str(year), occurrence_id))
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@{UID_DOMAIN}"


_CARRIED_ID = re.compile(r"^(.+)~(\d{4})$")


def origin(occ) -> tuple[int, str]:
    """(year, id) where a piece of work was first planned: a carry-over keeps its origin."""
    year, oid = occ.year, occ.id
    if occ.carried_from:
        head, _, tail = occ.carried_from.partition(":")
        if head.isdigit() and tail:
            year, oid = int(head), tail
    for _ in range(50):  # carried more than once: "id~2026" seen in 2027 came from 2026
        match = _CARRIED_ID.match(oid)
        if not match or int(match.group(2)) >= year:
            break
        oid, year = match.group(1), int(match.group(2))
    return year, oid


def row_uid(key: str, row: TrackedOccurrence) -> str:
    year, oid = origin(row.occurrence)
    return occurrence_uid(key, year, oid)


def parse_alarm(text: str | None) -> timedelta | None:
    """``Nd@HH:MM`` → the trigger relative to the all-day start; ``none`` → no reminder.

    ``1d@09:00`` is 09:00 the day before the due day, i.e. 15 hours before its midnight
    start (``-PT15H``); ``0d@08:00`` is 08:00 on the day itself (``PT8H``).
    """
    if text is None:
        return None
    key = text.strip()
    if key.lower() in _NO_ALARM:
        return None
    match = _ALARM_RE.match(key)
    if match:
        days, hour, minute = (int(g) for g in match.groups())
        if days <= MAX_ALARM_DAYS and hour < 24 and minute < 60:
            return timedelta(hours=hour, minutes=minute) - timedelta(days=days)
    raise TrackerError(
        f"提醒时间“{text}”无法识别：请写成“提前天数d@时:分”，"
        f"如 1d@09:00（前一天 9 点）、0d@08:00（当天 8 点），天数 0—{MAX_ALARM_DAYS}；"
        "不要提醒请写 none"
    )


def reminder_trigger(due: date, trigger: timedelta) -> timedelta:
    """The trigger moved back so the reminder rings on a working day (调休 counted).

    ``1d@09:00`` before a Monday deadline rings on Friday at 09:00, not on Sunday.
    """
    from tracker.calendar.workdays import is_workday

    moment = datetime.combine(due, datetime.min.time()) + trigger
    day = moment.date()
    for _ in range(MAX_WORKDAY_WALK):
        if is_workday(day)[0]:
            break
        day -= timedelta(days=1)
    else:  # no working day in sight (cannot happen with real data): keep the plain trigger
        return trigger
    return trigger - (moment.date() - day)


def event_summary(row: TrackedOccurrence) -> str:
    return f"{row.title}（{row.owner}）"


def event_description(plan: Plan, row: TrackedOccurrence, status: str) -> str:
    occ = row.occurrence
    owner = row.owner
    if occ.support:
        owner += f"（配合：{'、'.join(occ.support)}）"
    lines = [
        f"计划：{plan.title}",
        f"类别：{occ.category}",
        f"责任单位：{owner}",
        f"状态：{status}",
    ]
    if row.status is Status.POSTPONED:
        lines.append(f"延期原因：{row.state.reason or '未填写'}（原定 {occ.due.isoformat()}）")
    if occ.start != row.due:
        lines.append(f"时间：{occ.start.isoformat()} 至 {row.due.isoformat()}")
    missing = row.missing_evidence
    lines.append(f"尚缺佐证材料：{'、'.join(missing) if missing else '无'}")
    if occ.notes:
        lines.append(f"说明：{occ.notes}")
    lines.append(f"编号：{row.id}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Serialising (RFC 5545 §3.1 folding, §3.3.11 TEXT escaping)
# ---------------------------------------------------------------------------
#
# The icalendar library spends about a millisecond or more per event building and folding its
# property objects (several seconds for a county's 4,000 open occurrences); these few rules,
# applied with str methods, take microseconds. The tests read every file back with icalendar, vobject
# and recurring-ical-events, and check the bytes.

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # TEXT allows no control characters but TAB
LINE_LIMIT = 75  # octets, excluding CRLF


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma escaped; any line break becomes \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,"))
    return value.replace("\n", "\\n")


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets, never inside a character or an escape."""
    data = line.encode("utf-8")
    if len(data) <= LINE_LIMIT:
        return data
    parts = []
    start, limit = 0, LINE_LIMIT
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: step back to the character start
            cut -= 1
        slashes = 0
        while cut - 1 - slashes >= start and data[cut - 1 - slashes] == 0x5C:
            slashes += 1
        if slashes % 2:  # "\\," or "\\n" would be split: keep the escape whole on the next line
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, LINE_LIMIT - 1  # continuation lines begin with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def format_duration(delta: timedelta) -> str:
    """RFC 5545 DURATION: -PT15H, PT8H, -P1DT15H30M, -P3D."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}P{days}D" if days else f"{sign}P"
    if hours or minutes or secs:
        text += "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return text if text not in ("P", "-P") else "PT0S"


DONE_MARK = "✓ "
STALE_NOTE = "该事项已不在本年度计划中（计划已修改或事项已删除），日历中已标为取消。"


def fingerprint(*parts: str) -> str:
    """What a client shows of one item, as a short digest: a change means a new SEQUENCE."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")  # a naive time is taken as local


def _remember(memory: dict, uid: str, *, fp: str, due: date, title: str, state: str, year: int, now: str) -> dict:
    """The entry for ``uid`` after this export: SEQUENCE + 1 and a new stamp when ``fp`` changed."""
    seen = memory.get(uid)
    if seen is None:
        entry = {"seq": 0, "stamp": now}
    else:
        entry = dict(seen)
        entry.setdefault("seq", 0)
        if seen.get("fp") != fp:
            entry["seq"] = int(seen.get("seq", 0)) + 1
            entry["stamp"] = now
            entry.pop("pruned", None)
        entry.setdefault("stamp", now)
    entry.update(fp=fp, due=due.isoformat(), title=title, state=state, year=year)
    memory[uid] = entry
    return entry


def _entry_year(entry: dict) -> int | None:
    if isinstance(entry.get("year"), int):
        return entry["year"]
    try:  # written before the year was kept: the year of its date
        return date.fromisoformat(str(entry.get("due"))).year
    except ValueError:
        return None


def build_ics(
    plan: Plan,
    rows: list[TrackedOccurrence],
    *,
    year: int,
    now: datetime,
    alarm: str | None = DEFAULT_ALARM,
    include_done: bool = False,
    owner: str | None = None,
    previous: dict | None = None,
    today: date | None = None,
    carried_out: frozenset[str] | set[str] = frozenset(),
    prune: bool = False,
) -> tuple[bytes, dict]:
    """The .ics bytes and the new memory ``{uid: {"seq", "fp", "stamp", "due", "title", "state", "year"}}``.

    Open occurrences (未开始/进行中/已延期) become events. Finished ones the memory says were
    exported before come back as ``STATUS:CANCELLED`` with a higher SEQUENCE, so phones
    drop them, until ``prune`` leaves out those already sent so; with ``include_done`` a done
    one is shown instead, ✓ before its summary and without a reminder. Events of an earlier
    export the plan no longer has are cancelled the same way. ``owner`` keeps the
    occurrences that owner leads or supports; ``carried_out`` lists ids carried into a later
    year, whose events (same UID) belong to that year's export. ``previous`` is the memory
    of the last export; entries for events not in this export are kept. ``today``
    (default: ``now``'s date) only decides whether an open occurrence reads 逾期. DTSTAMP is
    when the event last changed, so an unchanged calendar gives the same bytes.
    """
    trigger = parse_alarm(alarm)
    stamp_now = _stamp(now)
    day = today or now.date()
    memory: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (previous or {}).items() if isinstance(v, dict)}
    name = escape_text(plan.title)
    key = plan_key(plan)

    lines: list[bytes] = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        fold(f"PRODID:{escape_text(PRODID)}"),
        b"CALSCALE:GREGORIAN",
        # No METHOD: a METHOD makes the file an iTIP message, which needs an ORGANIZER.
        fold(f"NAME:{name}"),
        fold(f"X-WR-CALNAME:{name}"),
        fold(f"X-WR-TIMEZONE:{TIMEZONE}"),
    ]
    add = lines.append

    def event(uid: str, entry: dict, summary: str, description: str, category: str, due: date,
              status: str, ring: bool) -> None:
        add(b"BEGIN:VEVENT")
        add(fold(f"UID:{uid}"))
        add(f"DTSTAMP:{entry['stamp']}".encode())
        add(f"SEQUENCE:{entry['seq']}".encode())
        add(f"STATUS:{status}".encode())
        summary_text = escape_text(summary)
        add(fold(f"SUMMARY:{summary_text}"))
        add(f"DTSTART;VALUE=DATE:{due:%Y%m%d}".encode())
        add(f"DTEND;VALUE=DATE:{due + timedelta(days=1):%Y%m%d}".encode())
        add(fold(f"DESCRIPTION:{escape_text(description)}"))
        if category:
            add(fold(f"CATEGORIES:{escape_text(category)}"))
        add(b"TRANSP:TRANSPARENT")
        if ring and trigger is not None:
            add(b"BEGIN:VALARM")
            add(b"ACTION:DISPLAY")
            add(fold(f"DESCRIPTION:提醒：{summary_text}"))
            add(f"TRIGGER:{format_duration(reminder_trigger(due, trigger))}".encode())
            add(b"END:VALARM")
        add(b"END:VEVENT")

    known: set[str] = set()
    for row in rows:
        uid = row_uid(key, row)
        known.add(uid)
        if row.id in carried_out:
            continue
        if owner and owner != row.owner and owner not in row.occurrence.support:
            continue
        status = row.status
        seen = memory.get(uid)
        shown = include_done and status is Status.DONE
        if status.finished and not shown:
            if seen is None or (seen.get("pruned") and seen.get("state") == status.value):
                continue  # never on a phone, or pruned after its cancellation was sent
            if prune and seen.get("state") == status.value:
                seen["pruned"] = True
                continue
        summary = (DONE_MARK if shown else "") + event_summary(row)
        description = event_description(plan, row, row.status_label(day))
        cal_status = "CANCELLED" if status.finished and not shown else "CONFIRMED"
        entry = _remember(memory, uid, fp=fingerprint(summary, description, cal_status, row.due.isoformat()),
                          due=row.due, title=summary, state=status.value if status.finished else "open",
                          year=year, now=stamp_now)
        event(uid, entry, summary, description, row.occurrence.category, row.due, cal_status,
              ring=not status.finished)

    if owner is None:  # a filtered export cannot tell "not this owner's" from "gone"
        for uid, seen in list(memory.items()):
            if uid in known or seen.get("pruned") or _entry_year(seen) != year:
                continue
            if prune and seen.get("state") == "gone":
                seen["pruned"] = True
                continue
            try:
                due = date.fromisoformat(str(seen.get("due")))
            except ValueError:
                continue
            title = str(seen.get("title", ""))
            description = f"计划：{plan.title}\n{STALE_NOTE}"
            entry = _remember(memory, uid, fp=fingerprint(title, description, "CANCELLED", due.isoformat()),
                              due=due, title=title, state="gone", year=year, now=stamp_now)
            event(uid, entry, title, description, "", due, "CANCELLED", ring=False)
    add(b"END:VCALENDAR")
    return b"\r\n".join(lines) + b"\r\n", memory


def count_events(data: bytes) -> int:
    return data.count(b"\r\nBEGIN:VEVENT\r\n")


# ---------------------------------------------------------------------------
# The sequence memory beside the state file, and one call for the command and the app
# ---------------------------------------------------------------------------

SEQUENCE_FILE = "ics-export.json"
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def sequence_path(db_path: Path) -> Path:
    """``<folder of the state file>/ics-export.json``."""
    return Path(db_path).parent / SEQUENCE_FILE


def default_filename(plan_title: str, year: int) -> str:
    """``<plan title>-<year>.ics``, with characters Windows refuses in names replaced."""
    name = _UNSAFE_FILENAME.sub("_", plan_title).strip(" ._")[:120] or "双拥工作"
    return f"{name}-{year}.ics"


def read_sequences(path: Path) -> tuple[dict, str | None]:
    """The memory of earlier exports ({uid: {"seq", "due", "title"}}) and a notice if unusable."""
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError, UnicodeDecodeError):
        return {}, f"导出记录 {path} 无法读取，本次按首次导出处理（日程仍按编号更新，不会重复）"
    if not isinstance(data, dict):
        return {}, f"导出记录 {path} 格式不对，本次按首次导出处理（日程仍按编号更新，不会重复）"
    return {k: v for k, v in data.items() if isinstance(v, dict)}, None


def write_sequences(path: Path, memory: dict) -> str | None:
    """Atomic write; a notice instead of an error on failure.

    The export itself already succeeded, so a read-only folder must not turn it into an error.
    """
    from tracker.outputs.files import save_atomically

    path = Path(path)
    try:
        save_atomically(path, json.dumps(memory, ensure_ascii=False, indent=1, sort_keys=True))
    except TrackerError as exc:
        reason = str(exc).split("：", 1)[-1]
        return f"无法保存导出记录 {path}（{reason}）；下次导出时改动过的日程可能不会在手机上更新"
    return None


@dataclass(frozen=True)
class IcsExport:
    data: bytes
    path: Path | None  # None: not written (the caller shows or sends the bytes)
    events: int
    changed: int  # events whose content changed since the previous export (SEQUENCE raised)
    notices: tuple[str, ...] = ()
    cancelled: int = 0  # events sent as cancelled (finished, or no longer in the plan)


def check_owner(tracker, rows, owner: str | None) -> None:
    if owner:
        known = dict.fromkeys(tracker.owners())
        for r in rows:
            known.update(dict.fromkeys(r.occurrence.support))
        if owner not in known:
            raise TrackerError(f"未知责任单位“{owner}”，可选：{'、'.join(known)}")


def memory_lock(db_path: Path):
    """One export at a time updates the memory (the command, the app and the feed may overlap)."""
    from filelock import FileLock

    path = sequence_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return FileLock(str(path) + ".lock", timeout=30)


def render_tracker(
    tracker,
    *,
    db_path: Path,
    owner: str | None = None,
    include_done: bool = False,
    alarm: str | None = DEFAULT_ALARM,
    now: datetime | None = None,
    prune: bool = False,
    save: Callable[[bytes], None] | None = None,
) -> IcsExport:
    """A Tracker's year as .ics bytes, with the memory read and saved under its lock.

    ``save`` (when given) writes the bytes first: the memory is saved only after that
    succeeded, so a failed write does not count as an export a phone has seen.
    """
    parse_alarm(alarm)  # a bad alarm is reported before anything is read
    rows = tracker.tracked()
    check_owner(tracker, rows, owner)
    memory_file = sequence_path(db_path)
    with memory_lock(db_path):
        previous, notice = read_sequences(memory_file)
        notices = [notice] if notice else []
        data, memory = build_ics(
            tracker.plan, rows, year=tracker.year, now=now or datetime.now(timezone.utc), alarm=alarm,
            include_done=include_done, owner=owner, previous=previous, today=tracker.today,
            carried_out=tracker.carried_forward(), prune=prune,
        )
        if save is not None:
            save(data)
        if memory != previous:
            notice = write_sequences(memory_file, memory)
            if notice:
                notices.append(notice)
    changed = sum(
        1 for uid, m in memory.items() if uid in previous and m.get("seq", 0) > int(previous[uid].get("seq", 0))
    )
    return IcsExport(data, None, count_events(data), changed, tuple(notices), data.count(b"\r\nSTATUS:CANCELLED\r\n"))


def export_tracker(
    tracker,
    *,
    db_path: Path,
    target: Path | None,
    owner: str | None = None,
    include_done: bool = False,
    alarm: str | None = DEFAULT_ALARM,
    now: datetime | None = None,
    prune: bool = False,
) -> IcsExport:
    """Export a Tracker's year to ``target`` (None: only return the bytes)."""
    def save(data: bytes) -> None:
        if target is None:
            return
        from tracker.outputs.files import save_atomically

        protect = (db_path, sequence_path(db_path), getattr(tracker.plan, "path", None))
        save_atomically(Path(target), data, kind="ics", protect=protect)

    result = render_tracker(tracker, db_path=db_path, owner=owner, include_done=include_done, alarm=alarm,
                            now=now, prune=prune, save=save)
    return dataclasses.replace(result, path=Path(target) if target is not None else None)
