"""Two-way sync of one year with a CalDAV calendar collection (Radicale, Nextcloud, Baikal, QQ…).

Each occurrence is one VTODO under the UID of the .ics export. One run:
1. makes the collection if it is missing (MKCALENDAR);
2. lists the collection's ETags (one PROPFIND) and fetches only the objects whose ETag is not
   the one this machine last saw (calendar-multiget), so a run with nothing new sends
   nothing but that listing;
3. compares, per UID, the server's status, the local status and the status both had at
   the last sync: a side that changed alone wins (a VTODO completed on a phone becomes a
   ``done`` change recorded by the server account); both changed is a conflict: the local
   state stays, the server's is written into the history as a note;
4. writes (PUT with If-Match, or If-None-Match for new objects) only objects whose content
   differs from the server's, and deletes objects of this year the plan no longer has.
Work never pushed and already finished is not uploaded; work carried into a later year is
left to that year's sync (same UID).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from tracker.errors import TrackerError
from tracker.model import Status
from tracker.outputs.ics import DEFAULT_ALARM, parse_alarm, plan_key, row_uid
from tracker.sync.record import LastSync, collection_memory, read_record, write_record
from tracker.sync.todo import Remote, build_todo, read_todo

ENV_PASSWORD = "SHUANGYONG_CALDAV_PASSWORD"
MULTIGET_BATCH = 200
TIMEOUT = 60
PARALLEL_UPLOADS = 4

_PROPFIND_ETAGS = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>'
)
_MULTIGET = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    "<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>"
)
_MKCALENDAR = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>'
    "<d:displayname>{name}</d:displayname>"
    '<c:supported-calendar-component-set><c:comp name="VTODO"/><c:comp name="VEVENT"/>'
    "</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>"
)


class SyncError(TrackerError):
    pass


@dataclass
class Counts:
    up: int = 0
    down: int = 0
    conflicts: int = 0
    unchanged: int = 0
    messages: list[str] = field(default_factory=list)


def account_name(url: str, user: str | None) -> str:
    host = urlsplit(url).hostname or "服务器"
    return f"CalDAV:{user}@{host}" if user else f"CalDAV:{host}"


class Connection:
    """The few WebDAV requests the sync needs, over the caldav library's client."""

    def __init__(self, url: str, user: str | None, password: str | None) -> None:
        import caldav

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SyncError(f"日历地址「{url}」不对：应以 http:// 或 https:// 开头，指向一个日历（集合）")
        self.url = url if url.endswith("/") else url + "/"
        self.user, self.password = user, password
        self.path = urlsplit(self.url).path
        self.client = caldav.DAVClient(url=self.url, username=user or None, password=password or None,
                                       timeout=TIMEOUT, enable_rfc6764=False)

    def close(self) -> None:
        self.client.close()

    def _request(self, url: str, method: str, body: str | bytes = "", headers: dict | None = None):
        from caldav.lib import error

        try:
            return self.client.request(url, method, body, headers or {})
        except error.AuthorizationError:
            raise SyncError("日历服务器拒绝了用户名或密码（401）；请检查 --user 和密码") from None
        except error.DAVError as exc:
            raise SyncError(f"日历服务器出错：{exc}") from None
        except OSError as exc:
            raise SyncError(f"无法连接日历服务器 {self.url}：{exc}") from None
        except Exception as exc:  # niquests/requests connection errors are not OSError
            raise SyncError(f"无法连接日历服务器 {self.url}：{type(exc).__name__}") from None

    def _check(self, response, what: str) -> None:
        if response.status in (401, 403):
            raise SyncError(f"日历服务器拒绝访问（{response.status}）：{what}；请检查 --user、密码和地址")
        if response.status >= 400:
            raise SyncError(f"日历服务器返回 {response.status}：{what}")

    def ensure_collection(self, name: str) -> bool:
        """True when the collection had to be created."""
        response = self._request(self.url, "PROPFIND", _PROPFIND_ETAGS, {"Depth": "0", "Content-Type": "application/xml"})
        if response.status != 404:
            self._check(response, "读取日历")
            return False
        body = _MKCALENDAR.format(name=xml_escape(name))
        created = self._request(self.url, "MKCALENDAR", body, {"Content-Type": "application/xml"})
        self._check(created, "创建日历")
        return True

    def etags(self) -> dict[str, str]:
        """href (path) -> ETag of every object in the collection."""
        response = self._request(self.url, "PROPFIND", _PROPFIND_ETAGS, {"Depth": "1", "Content-Type": "application/xml"})
        self._check(response, "列出日历内容")
        out = {}
        for item in response.parse_propfind():
            path = _path(item.href)
            if path.rstrip("/") == self.path.rstrip("/") or path.endswith("/"):
                continue
            etag = item.properties.get("{DAV:}getetag")
            if item.status < 400:
                out[path] = str(etag or "")
        return out

    def fetch(self, hrefs: list[str]) -> dict[str, tuple[str, str]]:
        """href -> (ETag, calendar data), in batches."""
        out: dict[str, tuple[str, str]] = {}
        for start in range(0, len(hrefs), MULTIGET_BATCH):
            chunk = hrefs[start:start + MULTIGET_BATCH]
            body = _MULTIGET.format(hrefs="".join(f"<d:href>{xml_escape(h)}</d:href>" for h in chunk))
            response = self._request(self.url, "REPORT", body, {"Depth": "1", "Content-Type": "application/xml"})
            self._check(response, "读取日历内容")
            for item in response.parse_calendar_query():
                if item.status < 400 and item.calendar_data:
                    out[_path(item.href)] = (item.etag or "", item.calendar_data)
        return out

    def put(self, href: str, data: bytes, *, etag: str | None) -> tuple[int, str]:
        """(status, new ETag); 412 when the object changed on the server meanwhile."""
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        headers.update({"If-Match": etag} if etag else {"If-None-Match": "*"})
        response = self._request(self._url(href), "PUT", data, headers)
        if response.status == 412:
            return 412, ""
        self._check(response, f"写入 {href}")
        return response.status, str((response.headers or {}).get("ETag", "") or "")

    def put_all(self, items: list[tuple[str, bytes, str | None]]) -> list[tuple[int, str]]:
        """PUT many objects over a few parallel connections (the wait is mostly network and
        the server's storage); results in the order given. The first error stops the rest."""
        if len(items) <= 1:
            return [self.put(href, data, etag=etag) for href, data, etag in items]
        import threading
        from concurrent.futures import ThreadPoolExecutor

        local = threading.local()

        def one(item: tuple[str, bytes, str | None]) -> tuple[int, str]:
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = Connection(self.url, self.user, self.password)
                opened.append(conn)
            href, data, etag = item
            return conn.put(href, data, etag=etag)

        opened: list[Connection] = []
        try:
            with ThreadPoolExecutor(max_workers=PARALLEL_UPLOADS) as pool:
                return list(pool.map(one, items))
        finally:
            for conn in opened:
                conn.close()

    def delete(self, href: str, *, etag: str) -> int:
        response = self._request(self._url(href), "DELETE", "", {"If-Match": etag} if etag else {})
        if response.status in (404, 412):
            return response.status
        self._check(response, f"删除 {href}")
        return response.status

    def _url(self, href: str) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}{quote(href, safe='/@~:')}"


def _path(href: str) -> str:
    return unquote(urlsplit(href).path)


def sync_tracker(
    tracker,
    *,
    db_path: Path,
    url: str,
    user: str | None = None,
    password: str | None = None,
    alarm: str | None = DEFAULT_ALARM,
    now: datetime | None = None,
    connection: Connection | None = None,
    owner: str | None = None,
) -> LastSync:
    """Sync the Tracker's year with the collection at ``url``; the record is saved beside the state file.

    ``owner``: only the work that unit leads or supports (its own collection); an item moved to
    another unit leaves that collection.
    """
    trigger = parse_alarm(alarm)
    if owner:
        from tracker.outputs.ics import check_owner

        check_owner(tracker, tracker.tracked(), owner)
    conn = connection or Connection(url, user, password)
    url = conn.url
    account = account_name(url, user)
    counts = Counts()
    try:
        created = conn.ensure_collection(tracker.plan.title)
        memory = collection_memory(read_record(db_path), url)
        with tracker.store.transaction():
            memory = _run(tracker, conn, memory, counts, account=account, trigger=trigger, owner=owner)
    finally:
        if connection is None:
            conn.close()
    moment = (now or datetime.now(timezone.utc)).astimezone()
    last = LastSync(at=moment.isoformat(timespec="seconds"), url=url, account=account, year=tracker.year,
                    up=counts.up, down=counts.down, conflicts=counts.conflicts, unchanged=counts.unchanged,
                    created_collection=created, messages=tuple(counts.messages), user=user or "")
    write_record(db_path, url, memory, last)
    return last


def _run(tracker, conn: Connection, memory: dict[str, dict], counts: Counts, *, account: str, trigger,
         owner: str | None) -> dict:
    key = plan_key(tracker.plan)
    year = tracker.year
    by_href = {m["href"]: uid for uid, m in memory.items() if isinstance(m.get("href"), str)}
    listing = conn.etags()
    remote: dict[str, tuple[str, str, Remote | None]] = {}  # uid -> (href, etag, parsed or None if unchanged)
    unknown = []
    for href, etag in listing.items():
        uid = by_href.get(href)
        if uid is not None and etag and memory[uid].get("etag") == etag:
            remote[uid] = (href, etag, None)
        else:
            unknown.append(href)
    for href, (etag, data) in conn.fetch(unknown).items():
        parsed = read_todo(data)
        if parsed is not None:
            remote[parsed.uid] = (href, etag, parsed)

    carried = tracker.carried_forward()
    rows = {}
    for row in tracker.tracked():
        if row.id in carried or (owner and owner != row.owner and owner not in row.occurrence.support):
            continue  # a unit's own collection holds the work it leads or supports
        rows[row_uid(key, row)] = row
    new_memory = {uid: m for uid, m in memory.items() if m.get("year") != year}  # other years: untouched
    stamp = datetime.now(timezone.utc)
    uploads: list[tuple] = []

    for uid, row in rows.items():
        seen = memory.get(uid)
        href, etag, parsed = remote.get(uid, (None, "", None))
        if href is None and seen is None and row.status.finished:
            continue  # finished before it was ever sent: nothing for the phones to drop
        server_status = parsed.status if parsed is not None else (
            Status(seen["status"]) if href is not None and seen and seen.get("status") in Status._value2member_map_ else None)
        server_digest = parsed.digest if parsed is not None else (seen.get("digest", "") if seen else "")
        base = Status(seen["status"]) if seen and seen.get("status") in Status._value2member_map_ else None
        local = row.status
        if href is not None and server_status is not None and server_status is not local:
            if (base is not None and local is base) or (base is None and server_status.finished and not local.finished):
                if _pull(tracker, row, parsed, server_status, account, counts):
                    row = tracker.get(row.id)
                    local = row.status
            elif base is not None and server_status is not base:
                counts.conflicts += 1
                tracker.add_note(
                    row.id, f"日历同步冲突：服务器上为「{server_status.label}」，本机为「{local.label}」，保留本机状态",
                    by=account,
                )
        todo = build_todo(tracker.plan, row, uid, today=tracker.today, trigger=trigger)
        entry = {"year": year, "occ": row.id, "status": todo.status.value, "digest": todo.digest}
        if href is not None and server_digest == todo.digest and server_status is todo.status:
            counts.unchanged += 1
            new_memory[uid] = {**entry, "href": href, "etag": etag}
            continue
        target = href or f"{conn.path}{uid.split('@')[0]}.ics"
        uploads.append((uid, row.id, target, todo.text(stamp), etag if href is not None else None, entry, seen))

    for (uid, occ, target, _, _, entry, seen), (status, new_etag) in zip(uploads, conn.put_all(
            [(target, data, etag) for _, _, target, data, etag, _, _ in uploads])):
        if status == 412:
            counts.conflicts += 1
            counts.messages.append(f"{occ}：服务器上的内容在同步时被修改，下次同步再处理")
            if seen is not None:
                new_memory[uid] = seen
            continue
        counts.up += 1
        new_memory[uid] = {**entry, "href": target, "etag": new_etag}

    for uid, seen in memory.items():  # ours, of this year, no longer in the plan
        if seen.get("year") != year or uid in rows or seen.get("occ") in carried:
            continue
        href, etag, _ = remote.get(uid, (None, "", None))
        if href is not None:
            conn.delete(href, etag=etag)
            counts.up += 1
        new_memory.pop(uid, None)
    return new_memory


def _pull(tracker, row, parsed: Remote | None, status: Status, account: str, counts: Counts) -> bool:
    """Record the server's status locally; False (and a message) when it cannot be recorded."""
    reason = (parsed.reason if parsed else "") or ""
    try:
        if status is Status.DONE:
            day = parsed.completed if parsed else None
            tracker.set_status(row.id, Status.DONE, on=day if day and day <= tracker.today else None, by=account)
        elif status is Status.CANCELLED:
            tracker.set_status(row.id, Status.CANCELLED, reason=reason or "在日历服务器上取消", by=account)
        elif status is Status.POSTPONED:
            due = parsed.due if parsed else None
            if due is None:
                raise TrackerError("服务器上的延期事项没有截止日期")
            tracker.set_status(row.id, Status.POSTPONED, due=due, reason=reason or "在日历服务器上延期", by=account)
        else:
            tracker.set_status(row.id, status, by=account)
    except TrackerError as exc:
        counts.messages.append(f"{row.id}：无法采用服务器上的状态（{exc}）")
        return False
    counts.down += 1
    return True


def password_from_env() -> str | None:
    import os

    return os.environ.get(ENV_PASSWORD) or None
