"""One occurrence as a CalDAV VTODO, and what a server's VTODO says back.

The text is written with the same escaping and folding as the .ics export (one serializer),
and carries in X- properties what the next sync needs to tell a change on a phone from a
change written by another machine: the status the writer meant (``X-SHUANGYONG-STATUS``)
and a digest of everything it wrote (``X-SHUANGYONG-HASH``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from tracker.model import Plan, Status, TrackedOccurrence
from tracker.outputs.ics import (
    PRODID,
    escape_text,
    event_description,
    event_summary,
    fold,
    format_duration,
    reminder_trigger,
)

X_OWNER = "X-SHUANGYONG-OWNER"
X_ID = "X-SHUANGYONG-ID"
X_YEAR = "X-SHUANGYONG-YEAR"
X_STATUS = "X-SHUANGYONG-STATUS"
X_REASON = "X-SHUANGYONG-REASON"
X_HASH = "X-SHUANGYONG-HASH"

# Our statuses as RFC 5545 VTODO statuses, with a PERCENT-COMPLETE a task app shows.
TODO_STATUS = {
    Status.TODO: ("NEEDS-ACTION", 0),
    Status.DOING: ("IN-PROCESS", 50),
    Status.POSTPONED: ("NEEDS-ACTION", 0),
    Status.DONE: ("COMPLETED", 100),
    Status.CANCELLED: ("CANCELLED", 0),
}
_FROM_TODO = {"NEEDS-ACTION": Status.TODO, "IN-PROCESS": Status.DOING, "COMPLETED": Status.DONE,
              "CANCELLED": Status.CANCELLED}


@dataclass(frozen=True)
class Todo:
    uid: str
    body: list[bytes]  # the VTODO's lines without DTSTAMP
    digest: str
    status: Status

    def text(self, now: datetime) -> bytes:
        stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        lines = [
            b"BEGIN:VCALENDAR", b"VERSION:2.0", fold(f"PRODID:{escape_text(PRODID)}"),
            b"BEGIN:VTODO", fold(f"UID:{self.uid}"), f"DTSTAMP:{stamp}".encode(),
            *self.body,
            fold(f"{X_HASH}:{self.digest}"),
            b"END:VTODO", b"END:VCALENDAR",
        ]
        return b"\r\n".join(lines) + b"\r\n"


def build_todo(plan: Plan, row: TrackedOccurrence, uid: str, *, today: date,
               trigger: timedelta | None) -> Todo:
    status = row.status
    name, percent = TODO_STATUS[status]
    summary = escape_text(event_summary(row))
    body = [
        fold(f"SUMMARY:{summary}"),
        fold(f"DESCRIPTION:{escape_text(event_description(plan, row, row.status_label(today)))}"),
        f"DUE;VALUE=DATE:{row.due:%Y%m%d}".encode(),
        f"STATUS:{name}".encode(),
        f"PERCENT-COMPLETE:{percent}".encode(),
    ]
    if status is Status.DONE:
        day = row.state.done_on or (row.state.updated_at.date() if row.state.updated_at else row.due)
        moment = datetime.combine(day, time(12), timezone(timedelta(hours=8)))
        body.append(f"COMPLETED:{moment.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}".encode())
    if row.occurrence.category:
        body.append(fold(f"CATEGORIES:{escape_text(row.occurrence.category)}"))
    body += [
        fold(f"{X_OWNER}:{escape_text(row.owner)}"),
        fold(f"{X_ID}:{escape_text(row.id)}"),
        f"{X_YEAR}:{row.occurrence.year}".encode(),
        f"{X_STATUS}:{status.value}".encode(),
    ]
    if row.state.reason:
        body.append(fold(f"{X_REASON}:{escape_text(row.state.reason)}"))
    if trigger is not None and not status.finished:
        body += [
            b"BEGIN:VALARM", b"ACTION:DISPLAY", fold(f"DESCRIPTION:提醒：{summary}"),
            f"TRIGGER;RELATED=END:{format_duration(reminder_trigger(row.due, trigger))}".encode(),
            b"END:VALARM",
        ]
    digest = hashlib.sha256(b"\n".join(body)).hexdigest()[:24]
    return Todo(uid, body, digest, status)


@dataclass(frozen=True)
class Remote:
    """What a server's VTODO says, read from untrusted text."""

    uid: str
    status: Status | None  # what it means now (a phone's edit wins over what was written)
    digest: str  # X-SHUANGYONG-HASH as found ("" when none)
    written: str  # X-SHUANGYONG-STATUS as found
    due: date | None
    completed: date | None
    reason: str


def read_todo(data: str) -> Remote | None:
    """The first VTODO of a calendar object; None when there is none or it cannot be read."""
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception:  # the server's text is untrusted: unreadable means "not ours"
        return None
    for todo in cal.walk("VTODO"):
        uid = str(todo.get("UID", "")).strip()
        if not uid:
            return None
        written = str(todo.get(X_STATUS, "")).strip()
        server = str(todo.get("STATUS", "")).strip().upper()
        try:
            percent = int(str(todo.get("PERCENT-COMPLETE", "0")))
        except ValueError:
            percent = 0
        meant = _FROM_TODO.get(server)
        if todo.get("COMPLETED") is not None or percent >= 100:
            meant = Status.DONE
        try:
            mine = Status(written) if written else None
        except ValueError:
            mine = None
        # The writer's precise status stands while the server's STATUS still says the same.
        if mine is not None and meant in (None, _FROM_TODO[TODO_STATUS[mine][0]]):
            meant = mine
        return Remote(uid, meant, str(todo.get(X_HASH, "")).strip(), written, _day(todo.get("DUE")),
                      _day(todo.get("COMPLETED")), str(todo.get(X_REASON, "")).strip())
    return None


def _day(prop) -> date | None:
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone(timedelta(hours=8)))
        return value.date()
    return value if isinstance(value, date) else None
