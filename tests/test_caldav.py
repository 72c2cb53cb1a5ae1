"""Two-way CalDAV sync against a real Radicale on 127.0.0.1, read back with a plain CalDAV client."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import caldav
import icalendar
import pytest
from click.testing import CliRunner

from radicale_server import USERS, radicale
from tracker.cli import cli
from tracker.model import Plan
from tracker.plan.bundled import default_plan_path

USER = "xiaowang"
ACCOUNT = f"CalDAV:{USER}@127.0.0.1"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with radicale(tmp_path_factory.mktemp("radicale")) as url:
        yield url


@pytest.fixture()
def box(env, server, monkeypatch, request):
    """A plan copy, a state file and an own collection on the shared server."""
    monkeypatch.setenv("SHUANGYONG_CALDAV_PASSWORD", USERS[USER])
    plan = env / "计划.toml"
    shutil.copy(default_plan_path(), plan)
    if STABLE_KEY:
        text = plan.read_text(encoding="utf-8")
        plan.write_text(re.sub(r"^(title\s*=.*)$", r'\1\nuid = "c0ffee00-test-plan"', text, count=1, flags=re.M),
                        encoding="utf-8")
    name = re.sub(r"[^a-z0-9]", "", request.node.name.lower())[-40:]
    return Box(env, plan, f"{server}{USER}/{name}/")


class Box:
    def __init__(self, folder: Path, plan: Path, url: str) -> None:
        self.folder, self.plan, self.url = folder, plan, url

    def run(self, *args, db="a", year=None, ok=True, today="2026-06-15"):
        base = ["--plan", str(self.plan), "--db", str(self.folder / db / "state.jsonl"), "--today", today, "--by", "小王"]
        if year:
            base += ["--year", str(year)]
        result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def sync(self, db="a", year=None, **kw):
        return self.run("sync", "--caldav", self.url, "--user", USER, db=db, year=year, **kw)

    def rows(self, db="a", year=None) -> dict[str, str]:
        return {r["id"]: r["status"] for r in json.loads(self.run("list", "--json", db=db, year=year).stdout)}

    def calendar(self):
        client = caldav.DAVClient(url=self.url, username=USER, password=USERS[USER])
        return client, client.calendar(url=self.url)

    def server_todos(self) -> list:
        client, cal = self.calendar()
        with client:
            found = []
            for obj in cal.todos(include_completed=True):
                found.extend(icalendar.Calendar.from_ical(obj.data).walk("VTODO"))
            return found


STABLE_KEY = "uid" in Plan.__dataclass_fields__


def rename(plan: Path) -> None:
    text = plan.read_text(encoding="utf-8")
    plan.write_text(re.sub(r"^title\s*=.*$", 'title = "幸福里社区双拥工作计划"', text, count=1, flags=re.M),
                    encoding="utf-8")


def uploaded(result) -> int:
    return int(re.search(r"上传 (\d+) 项", result.stdout).group(1))


def open_ids(rows: dict[str, str]) -> set[str]:
    return {i for i, s in rows.items() if s not in ("done", "cancelled")}


def test_push_a_year_then_changes_rename_and_rollover(box):
    first = box.sync()
    assert "已在服务器上创建日历" in first.stdout
    rows = box.rows()
    todos = box.server_todos()
    assert {str(t["X-SHUANGYONG-ID"]) for t in todos} == open_ids(rows) and len(todos) == len(rows)
    todo = next(t for t in todos if str(t["X-SHUANGYONG-ID"]) == sorted(rows)[0])
    assert todo.get("DUE") is not None and str(todo["STATUS"]) == "NEEDS-ACTION"
    assert int(todo["PERCENT-COMPLETE"]) == 0 and todo.get("CATEGORIES") is not None
    assert str(todo["X-SHUANGYONG-OWNER"]) in str(todo["DESCRIPTION"])
    assert list(todo.walk("VALARM"))
    assert uploaded(box.sync()) == 0  # nothing changed: nothing sent

    ids = sorted(open_ids(rows))
    cancelled, finished = ids[0], ids[1]
    box.run("set", cancelled, "--status", "取消", "--reason", "与上级活动合并")
    box.run("done", finished)
    if STABLE_KEY:  # without a plan uid the state file files records under the title
        rename(box.plan)
    box.run("rollover", "--to", "2027", today="2026-12-31")
    box.sync()
    box.sync(year=2027)

    todos = box.server_todos()
    uids = [str(t["UID"]) for t in todos]
    assert len(uids) == len(set(uids))  # no duplicates, after the rename and the rollover
    by_id = {(int(str(t["X-SHUANGYONG-YEAR"])), str(t["X-SHUANGYONG-ID"])): t for t in todos}
    assert len(by_id) == len(todos)
    assert str(by_id[2026, cancelled]["STATUS"]) == "CANCELLED"
    assert str(by_id[2026, finished]["STATUS"]) == "COMPLETED"
    still_open = {key for key, t in by_id.items() if str(t["STATUS"]) not in ("COMPLETED", "CANCELLED")}
    assert still_open == {(2027, i) for i in open_ids(box.rows(year=2027))}
    carried = [key for key in still_open if "~2026" in key[1]]
    assert carried and all(str(by_id[i]["DUE"].dt.year) == "2027" for i in carried)
    assert uploaded(box.sync()) == 0 and uploaded(box.sync(year=2027)) == 0
    if STABLE_KEY:
        assert all("幸福里社区双拥工作计划" in str(by_id[i]["DESCRIPTION"]) for i in carried)
    else:
        rename(box.plan)
        box.sync(year=2027)
        uids = [str(t["UID"]) for t in box.server_todos()]
        assert len(uids) == len(set(uids))


def test_a_todo_completed_on_the_server_comes_back_done(box):
    box.sync()
    target = sorted(open_ids(box.rows()))[3]
    client, cal = box.calendar()
    with client:
        obj = next(o for o in cal.todos() if f"X-SHUANGYONG-ID:{target}" in o.data)
        obj.complete()  # what a phone's task app does: STATUS:COMPLETED, COMPLETED, PERCENT-COMPLETE
    result = box.sync()
    assert "取回 1 项" in result.stdout
    assert box.rows()[target] == "done"
    history = box.run("history", target).stdout
    assert ACCOUNT in history
    assert uploaded(box.sync()) == 0


def test_two_state_copies_converge(box):
    box.sync(db="a")
    ids = sorted(open_ids(box.rows(db="a")))
    box.run("done", ids[0], db="a")
    box.sync(db="a")
    box.run("set", ids[1], "--status", "取消", "--reason", "经费调整", db="b")
    box.sync(db="b")
    box.sync(db="a")
    a, b = box.rows(db="a"), box.rows(db="b")
    assert a == b and a[ids[0]] == "done" and a[ids[1]] == "cancelled"
    assert uploaded(box.sync(db="a")) == 0 and uploaded(box.sync(db="b")) == 0


def test_both_sides_changed_is_a_conflict_kept_in_history(box):
    box.sync()
    target = sorted(open_ids(box.rows()))[2]
    client, cal = box.calendar()
    with client:
        next(o for o in cal.todos() if f"X-SHUANGYONG-ID:{target}" in o.data).complete()
    box.run("set", target, "--status", "延期", "--due", "2026-11-30", "--reason", "等上级通知")
    result = box.sync()
    assert "冲突 1 项" in result.stdout
    assert box.rows()[target] == "postponed"  # the local state stays
    assert "日历同步冲突" in box.run("history", target).stdout
    todo = next(t for t in box.server_todos() if str(t["X-SHUANGYONG-ID"]) == target)
    assert str(todo["STATUS"]) == "NEEDS-ACTION" and str(todo["X-SHUANGYONG-STATUS"]) == "postponed"


def test_wrong_password_and_bad_url_are_chinese_errors(box, monkeypatch):
    monkeypatch.setenv("SHUANGYONG_CALDAV_PASSWORD", "wrong")
    bad = box.sync(ok=False)
    assert bad.exit_code == 1 and "密码" in bad.stderr and "Traceback" not in bad.output
    odd = box.run("sync", "--caldav", "ftp://127.0.0.1/x/", ok=False)
    assert odd.exit_code == 1 and "http://" in odd.stderr
    monkeypatch.delenv("SHUANGYONG_CALDAV_PASSWORD")
    no_password = box.sync(ok=False)  # no terminal to ask on: never read from anywhere else
    assert no_password.exit_code == 1 and "SHUANGYONG_CALDAV_PASSWORD" in no_password.stderr
    assert not (box.folder / "a" / "caldav-sync.json").exists()


async def test_app_shows_feeds_and_last_sync_and_syncs_with_a_key(box, monkeypatch):
    from datetime import date

    from screens.app import build_app
    from screens.sync import SyncScreen
    from tracker.settings import AppContext

    monkeypatch.setenv("XDG_DATA_HOME", str(box.folder / "data"))
    box.sync()
    target = sorted(open_ids(box.rows()))[4]
    client, cal = box.calendar()
    with client:
        next(o for o in cal.todos() if f"X-SHUANGYONG-ID:{target}" in o.data).complete()
    ctx = AppContext(plan_option=box.plan, db_option=box.folder / "a" / "state.jsonl",
                     today_option=date(2026, 6, 15), user="小王")
    app = build_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause()
            if app.board is not None:
                break
        await pilot.press("y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        shown = str(screen.query_one("#sync-feeds").render()) + str(screen.query_one("#sync-last").render())
        assert "/ics/" in shown and "全部事项" in shown and "上传" in shown
        await pilot.press("s")
        for _ in range(300):  # the sync runs in a worker thread; bounded wait
            await pilot.pause(0.05)
            if not screen.running:
                break
        assert not screen.running
        assert "取回 1 项" in str(screen.query_one("#sync-last").render())
        await pilot.press("escape")
    assert box.rows()[target] == "done"


def test_a_member_unit_syncs_its_own_items(box):
    unit = "社区党委"
    rows = json.loads(box.run("list", "--json").stdout)
    mine = {r["id"] for r in rows if r["owner"] == unit or unit in r["support"]}
    box.run("sync", "--caldav", box.url, "--user", USER, "--owner", unit)
    found = {str(t["X-SHUANGYONG-ID"]) for t in box.server_todos()}
    assert found == mine and 0 < len(found) < len(rows)
    moved = sorted(r["id"] for r in rows if r["owner"] == unit and unit not in r["support"])[0]
    box.run("set", moved, "--owner", "社区居委会")
    box.run("sync", "--caldav", box.url, "--user", USER, "--owner", unit)
    assert {str(t["X-SHUANGYONG-ID"]) for t in box.server_todos()} == mine - {moved}
    bad = box.run("sync", "--caldav", box.url, "--user", USER, "--owner", "不存在", ok=False)
    assert bad.exit_code == 1 and "未知责任单位" in bad.stderr
