"""The subscription feed over real HTTP on 127.0.0.1, read back by icalendar and vobject."""

from __future__ import annotations

import http.client
import json
import re
import stat
import threading
from datetime import date

import icalendar
import pytest
import vobject

from helpers import run_cli
from tracker.plan.bundled import default_plan_path
from tracker.settings import AppContext
from tracker.sync import feed


@pytest.fixture()
def data_home(env, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(env / "data"))
    return env / "data"


@pytest.fixture()
def served(env, data_home):
    ctx = AppContext(plan_option=default_plan_path(), db_option=env / "state.jsonl",
                     today_option=date(2026, 6, 15), user="小王")
    source = feed.TrackerFeeds(ctx, today=date(2026, 6, 15))
    feeds = feed.ensure_feeds(source.owners())
    lines: list[str] = []
    server = feed.FeedServer(("127.0.0.1", 0), source.render, feed.read_feeds, lines.append)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], feeds, lines
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def get(port: int, path: str, headers: dict | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def open_rows(env) -> list[dict]:
    rows = json.loads(run_cli(env, "list", "--json").stdout)
    return [r for r in rows if r["status"] not in ("done", "cancelled")]


def test_good_token_gives_the_calendar_and_304_after(env, served):
    port, feeds, lines = served
    plan_feed = feeds[0]
    assert plan_feed.owner == ""
    status, headers, body = get(port, plan_feed.path)
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    events = list(icalendar.Calendar.from_ical(body).walk("VEVENT"))
    assert len(events) == len(open_rows(env)) > 20
    assert len(vobject.readOne(body.decode("utf-8")).vevent_list) == len(events)
    assert b"VALARM" not in body  # no reminders in a feed by default
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, headers, body2 = get(port, plan_feed.path, {"If-None-Match": etag})
    assert status == 304 and body2 == b"" and headers["ETag"] == etag
    assert get(port, plan_feed.path, {"If-Modified-Since": modified})[0] == 304
    assert get(port, plan_feed.path, method="HEAD")[0] == 200
    # A change in the state file: a new ETag, and the finished item cancelled for phones.
    target = open_rows(env)[0]["id"]
    run_cli(env, "done", target)
    status, headers, body3 = get(port, plan_feed.path, {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag
    cancelled = [e for e in icalendar.Calendar.from_ical(body3).walk("VEVENT") if str(e["STATUS"]) == "CANCELLED"]
    assert len(cancelled) == 1 and f"编号：{target}" in str(cancelled[0]["DESCRIPTION"])
    # One log line per request, never the whole token.
    assert len(lines) == 5 and all(plan_feed.token not in line for line in lines)
    assert "-> 200" in lines[0] and "-> 304" in lines[1]


def test_owner_feed_holds_that_owners_work(env, served):
    port, feeds, _ = served
    owner_feed = next(f for f in feeds if f.owner == "驻区部队")
    status, _, body = get(port, owner_feed.path)
    events = list(icalendar.Calendar.from_ical(body).walk("VEVENT"))
    assert status == 200 and events
    assert all("驻区部队" in str(e["DESCRIPTION"]) for e in events)
    assert len(events) < len(open_rows(env))


@pytest.mark.parametrize("path", [
    "/ics/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", "/ics/../feeds.json", "/ics/..%2f..%2fstate.jsonl",
    "/../../etc/passwd", "/", "/ics/", "/feeds.json", "/state.jsonl",
])
def test_bad_tokens_and_traversal_are_404(served, path):
    port, feeds, lines = served
    status, _, body = get(port, path)
    assert status == 404 and "没有这个订阅地址" in body.decode("utf-8")
    token = feeds[0].token
    assert get(port, f"/ics/{token}.ics/../x")[0] == 404
    assert get(port, f"/ics/{token[:-1]}.ics")[0] == 404
    assert all("-> 404" in line for line in lines)


def test_show_urls_revoke_and_private_token_file(env, data_home):
    shown = run_cli(env, "serve", "--show-urls", "--port", "9000").stdout
    urls = re.findall(r"http://127\.0\.0\.1:9000/ics/([A-Za-z0-9_-]+)\.ics", shown)
    assert len(urls) == len(set(urls)) > 3 and "全部事项" in shown and "驻区部队" in shown
    path = data_home / "shuangyong-tui" / "feeds.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = run_cli(env, "serve", "--show-urls", "--port", "9000").stdout
    assert again == shown  # tokens are kept, not made anew
    revoked = run_cli(env, "serve", "--revoke", "驻区部队").stdout
    assert "已撤销 驻区部队" in revoked
    after = run_cli(env, "serve", "--show-urls", "--port", "9000").stdout
    new = re.findall(r"/ics/([A-Za-z0-9_-]+)\.ics", after)
    assert len(set(new) - set(urls)) == 1  # a new address for that owner, the others kept
    bad = run_cli(env, "serve", "--revoke", "不存在", ok=False)
    assert bad.exit_code == 1 and "没有「不存在」的订阅地址" in bad.stderr
