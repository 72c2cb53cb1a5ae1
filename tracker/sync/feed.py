"""A subscription feed for phones on the office LAN (内网): ``/ics/<token>.ics``.

One calendar for the whole plan and one per owner (责任单位), each at an unguessable token
kept in the user's data folder (``feeds.json``, readable by the user only) and revocable.
The server is the standard library's ThreadingHTTPServer: GET and HEAD of a known token's
path, ETag / Last-Modified with 304s, one log line per request, 404 for anything else (no
file is ever read from a request's path). The calendar is built by the .ics export itself,
without reminders unless asked (subscribed feeds mostly drop them anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from tracker.errors import TrackerError
from tracker.regularfile import read_regular

FEEDS_FILE = "feeds.json"
PLAN_SCOPE = ""  # the token of the whole plan has no owner
_PATH = re.compile(r"^/ics/([A-Za-z0-9_-]{20,64})\.ics$")
_STAMP = re.compile(rb"\r\nDTSTAMP:(\d{8}T\d{6}Z)\r\n")


def feeds_path() -> Path:
    from platformdirs import user_data_path

    from tracker.settings import APP_NAME

    return user_data_path(APP_NAME, appauthor=False) / FEEDS_FILE


@dataclass(frozen=True)
class Feed:
    token: str
    owner: str  # PLAN_SCOPE for the whole plan

    @property
    def path(self) -> str:
        return f"/ics/{self.token}.ics"

    @property
    def label(self) -> str:
        return self.owner or "全部事项"


def read_feeds(path: Path | None = None) -> list[Feed]:
    path = path or feeds_path()
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise TrackerError(f"订阅记录 {path} 无法读取（{exc}）；可删除该文件后重新生成订阅地址") from None
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(tokens, dict):
        return []
    return [Feed(t, str(v.get("owner", ""))) for t, v in tokens.items()
            if isinstance(v, dict) and _PATH.match(f"/ics/{t}.ics")]


def write_feeds(feeds: list[Feed], path: Path | None = None) -> None:
    from tracker.outputs.files import save_atomically

    path = path or feeds_path()
    text = json.dumps({"tokens": {f.token: {"owner": f.owner} for f in feeds}}, ensure_ascii=False, indent=1)

    def save(tmp: str) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # tokens are secrets
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)

    save_atomically(path, save)


def ensure_feeds(owners: list[str], path: Path | None = None) -> list[Feed]:
    """The plan's feed and one per owner, making tokens for those that have none."""
    feeds = read_feeds(path)
    have = {f.owner for f in feeds}
    missing = [o for o in [PLAN_SCOPE, *owners] if o not in have]
    if missing:
        feeds += [Feed(secrets.token_urlsafe(24), o) for o in missing]
        write_feeds(feeds, path)
    order = {o: i for i, o in enumerate([PLAN_SCOPE, *owners])}
    return sorted(feeds, key=lambda f: (order.get(f.owner, len(order)), f.owner))


def revoke(what: str, path: Path | None = None) -> list[Feed]:
    """Drop the feed with this token, or of this owner (全部/all: every feed); returns those dropped."""
    feeds = read_feeds(path)
    key = what.strip()
    if key in ("all", "全部"):
        gone = feeds
    else:
        gone = [f for f in feeds if f.token == key or f.owner == key or (key in ("plan", "计划") and not f.owner)]
    if not gone:
        raise TrackerError(f"没有「{what}」的订阅地址；用 serve --show-urls 查看")
    write_feeds([f for f in feeds if f not in gone], path)
    return gone


def feed_url(host: str, port: int, feed: Feed) -> str:
    if host in ("0.0.0.0", "::", ""):
        import socket

        try:
            host = socket.gethostbyname(socket.gethostname())
        except OSError:
            host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{feed.path}"


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    modified: datetime
    events: int


def rendered(data: bytes, events: int) -> Rendered:
    stamps = _STAMP.findall(data)
    if stamps:
        modified = datetime.strptime(max(stamps).decode(), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    else:
        modified = datetime(2000, 1, 1, tzinfo=timezone.utc)
    return Rendered(data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"', modified, events)


class FeedServer(ThreadingHTTPServer):
    """Serves the feeds; ``render(owner)`` builds one calendar (owner "" = the whole plan)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], render: Callable[[str], Rendered],
                 feeds: Callable[[], list[Feed]], log: Callable[[str], None]) -> None:
        self.render = render
        self.feeds = feeds
        self.log = log
        super().__init__(address, FeedHandler)


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "shuangyong-tui"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _find(self) -> Feed | None:
        match = _PATH.match(self.path.split("?", 1)[0])
        if not match:
            return None
        token = match.group(1)
        found = None
        for feed in self.server.feeds():
            if hmac.compare_digest(feed.token.encode(), token.encode()):
                found = feed
        return found

    def _answer(self, *, body: bool) -> None:
        try:
            feed = self._find()
        except TrackerError as exc:
            self._plain(500, "订阅记录无法读取", body, str(exc))
            return
        if feed is None:
            self._plain(404, "没有这个订阅地址（可能已被撤销）", body)
            return
        try:
            result = self.server.render(feed.owner)
        except TrackerError as exc:
            self._plain(503, "暂时无法生成日历", body, str(exc))
            return
        last_modified = format_datetime(result.modified, usegmt=True)
        if self._not_modified(result):
            self._send(304, [("ETag", result.etag), ("Last-Modified", last_modified)])
            self._log(304, feed, result.events, 0)
            return
        headers = [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Length", str(len(result.body))),
            ("ETag", result.etag),
            ("Last-Modified", last_modified),
            ("Cache-Control", "no-cache"),
        ]
        self._send(200, headers)
        if body:
            self.wfile.write(result.body)
        self._log(200, feed, result.events, len(result.body))

    def _not_modified(self, result: Rendered) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return any(tag.strip() in (result.etag, "*", "W/" + result.etag) for tag in match.split(","))
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return result.modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, code: int, headers: list[tuple[str, str]]) -> None:
        self.send_response_only(code)
        self.send_header("Date", self.date_time_string())
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def _plain(self, code: int, text: str, body: bool, detail: str = "") -> None:
        data = (text + "\n").encode("utf-8")
        self._send(code, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))])
        if body:
            self.wfile.write(data)
        where = self.path if len(self.path) <= 80 else self.path[:80] + "..."
        self.server.log(f"{self._who()} {self.command} {where!r} -> {code} {text}{'：' + detail if detail else ''}")

    def _log(self, code: int, feed: Feed, events: int, size: int) -> None:
        shown = f"/ics/{feed.token[:4]}....ics"  # the token is a secret: never whole in a log
        what = f"{events} 个日程，{size / 1024:.1f} KB" if code == 200 else "未变化"
        self.server.log(f"{self._who()} {self.command} {shown} -> {code}（{feed.label}，{what}）")

    def _who(self) -> str:
        return f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S} {self.client_address[0]}"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 — silence the default log
        pass


class TrackerFeeds:
    """Renders a plan's calendars from the state file, taking up changes between requests."""

    def __init__(self, ctx, *, alarm: str | None = None, today: date | None = None) -> None:
        self.ctx = ctx
        self.alarm = alarm
        self.fixed_today = today
        self._lock = threading.Lock()
        self._tracker = None
        self._plan_mtime: float | None = None

    def tracker(self):
        mtime = _mtime(self.ctx.plan_path)
        if self._tracker is None or mtime != self._plan_mtime:
            fresh = self.ctx.fresh()
            self._tracker = fresh.tracker()  # a plan edited while serving is read again
            self.ctx = fresh
            self._plan_mtime = mtime
        tracker = self._tracker
        tracker.refresh()
        tracker.today = self.fixed_today or date.today()
        return tracker

    def owners(self) -> list[str]:
        with self._lock:
            return self.tracker().owners()

    def render(self, owner: str) -> Rendered:
        from tracker.outputs.ics import render_tracker

        with self._lock:
            tracker = self.tracker()
            result = render_tracker(tracker, db_path=self.ctx.db_path, owner=owner or None, alarm=self.alarm)
        return rendered(result.data, result.events)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
