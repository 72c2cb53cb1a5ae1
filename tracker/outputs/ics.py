"""Deadlines as an iCalendar (.ics) file that phone calendars import.

One all-day event per open occurrence. Importing a newer file must update the events
already on the phone instead of duplicating them, so every UID is derived from the plan
title, the year and the occurrence id (never random), and SEQUENCE grows whenever the date
or the title shown changed since the previous export (the caller keeps that memory).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError
from tracker.model import Plan, Status, TrackedOccurrence

PRODID = "-//shuangyong-tui//shuangyong-tui 0.1//ZH"
UID_DOMAIN = "shuangyong-tui"
TIMEZONE = "Asia/Shanghai"
DEFAULT_ALARM = "1d@09:00"
# A fixed namespace so the same plan, year and occurrence always give the same UID.
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "shuangyong-tui.ics")

_ALARM_RE = re.compile(r"^(\d{1,2})\s*[dD天]\s*[@＠]\s*(\d{1,2})[:：](\d{2})$")
_NO_ALARM = {"none", "off", "no", "无", "不提醒", "关闭"}
MAX_ALARM_DAYS = 30


def occurrence_uid(plan_title: str, year: int, occurrence_id: str) -> str:
    """The event's UID: stable for the same plan title, year and occurrence id."""
    # Parts joined by a control character no real title or id contains: ("a", "b@c") ≠ ("a b", "c").
    name = "\x1f".join((plan_title, str(year), occurrence_id))
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@{UID_DOMAIN}"


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
) -> tuple[bytes, dict]:
    """The .ics bytes and the new sequence memory ``{uid: {"seq", "due", "title"}}``.

    Open occurrences (未开始/进行中/已延期) become events; ``include_done`` adds finished
    ones; cancelled work never appears. ``owner`` keeps the occurrences that owner leads or
    supports. ``previous`` is the memory returned by the last export; entries for events not
    in this export are kept so a filtered export does not reset their sequence.
    ``today`` (default: ``now``'s date) only decides whether an open occurrence reads 逾期.
    """
    trigger = parse_alarm(alarm)
    trigger_text = format_duration(trigger) if trigger is not None else None
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")  # a naive time is taken as local
    day = today or now.date()
    memory: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (previous or {}).items() if isinstance(v, dict)}
    name = escape_text(plan.title)

    lines: list[bytes] = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        fold(f"PRODID:{escape_text(PRODID)}"),
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
        fold(f"NAME:{name}"),
        fold(f"X-WR-CALNAME:{name}"),
        fold(f"X-WR-TIMEZONE:{TIMEZONE}"),
    ]
    add = lines.append
    for row in rows:
        status = row.status
        if status is Status.CANCELLED or (status is Status.DONE and not include_done):
            continue
        if owner and owner != row.owner and owner not in row.occurrence.support:
            continue
        uid = occurrence_uid(plan.title, year, row.id)
        summary = event_summary(row)
        due = row.due
        due_iso = due.isoformat()
        seen = memory.get(uid)
        if seen is None:
            seq = 0
        else:
            seq = int(seen.get("seq", 0))
            if seen.get("due") != due_iso or seen.get("title") != summary:
                seq += 1
        memory[uid] = {"seq": seq, "due": due_iso, "title": summary}

        summary_text = escape_text(summary)
        add(b"BEGIN:VEVENT")
        add(fold(f"UID:{uid}"))
        add(f"DTSTAMP:{stamp}".encode())
        add(f"SEQUENCE:{seq}".encode())
        add(fold(f"SUMMARY:{summary_text}"))
        add(f"DTSTART;VALUE=DATE:{due:%Y%m%d}".encode())
        add(f"DTEND;VALUE=DATE:{due + timedelta(days=1):%Y%m%d}".encode())
        add(fold(f"DESCRIPTION:{escape_text(event_description(plan, row, row.status_label(day)))}"))
        add(fold(f"CATEGORIES:{escape_text(row.occurrence.category)}"))
        add(b"TRANSP:TRANSPARENT")
        if trigger_text is not None:
            add(b"BEGIN:VALARM")
            add(b"ACTION:DISPLAY")
            add(fold(f"DESCRIPTION:提醒：{summary_text}"))
            add(f"TRIGGER:{trigger_text}".encode())
            add(b"END:VALARM")
        add(b"END:VEVENT")
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
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError, UnicodeDecodeError):
        return {}, f"导出记录 {path} 无法读取，本次按首次导出处理（日程仍按编号更新，不会重复）"
    if not isinstance(data, dict):
        return {}, f"导出记录 {path} 格式不对，本次按首次导出处理（日程仍按编号更新，不会重复）"
    return {k: v for k, v in data.items() if isinstance(v, dict)}, None


def write_sequences(path: Path, memory: dict) -> str | None:
    """Atomic write (temporary file + os.replace); a notice instead of an error on failure.

    The export itself already succeeded, so a read-only folder must not turn it into an error.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(memory, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return f"无法保存导出记录 {path}（{exc.strerror or exc}）；下次导出时改动过的日程可能不会在手机上更新"
    return None


@dataclass(frozen=True)
class IcsExport:
    data: bytes
    path: Path | None  # None: not written (the caller shows or sends the bytes)
    events: int
    changed: int  # events whose date or title changed since the previous export
    notices: tuple[str, ...] = ()


def export_tracker(
    tracker,
    *,
    db_path: Path,
    target: Path | None,
    owner: str | None = None,
    include_done: bool = False,
    alarm: str | None = DEFAULT_ALARM,
    now: datetime | None = None,
) -> IcsExport:
    """Export a Tracker's year: read the sequence memory, build, write ``target``, save the memory.

    The memory is saved only after the file was written, so a failed write does not count
    as an export the phone has seen.
    """
    parse_alarm(alarm)  # a bad alarm is reported before anything is read
    rows = tracker.tracked()
    if owner:
        known = dict.fromkeys(tracker.owners())
        for r in rows:
            known.update(dict.fromkeys(r.occurrence.support))
        if owner not in known:
            raise TrackerError(f"未知责任单位“{owner}”，可选：{'、'.join(known)}")
    memory_file = sequence_path(db_path)
    previous, notice = read_sequences(memory_file)
    notices = [notice] if notice else []
    data, memory = build_ics(
        tracker.plan, rows, year=tracker.year, now=now or datetime.now(timezone.utc), alarm=alarm,
        include_done=include_done, owner=owner, previous=previous, today=tracker.today,
    )
    if target is not None:
        from tracker.outputs.summary import save_atomically

        def save(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                fh.write(data)

        save_atomically(save, Path(target))
    notice = write_sequences(memory_file, memory)
    if notice:
        notices.append(notice)
    changed = sum(
        1 for uid, m in memory.items() if uid in previous and m.get("seq", 0) > int(previous[uid].get("seq", 0))
    )
    return IcsExport(data, Path(target) if target is not None else None, count_events(data), changed, tuple(notices))
