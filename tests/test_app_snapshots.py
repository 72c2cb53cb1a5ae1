"""Pictures of the app at a frozen date (2026-06-15), compared with accepted snapshots in
tests/__snapshots__/. Each was looked at as an image before it was accepted; after a wanted
change, run `pytest tests/test_app_snapshots.py --snapshot-update` and look again."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from screens.app import build_app
from tracker.plan.bundled import default_plan_path
from tracker.settings import AppContext

TODAY = date(2026, 6, 15)


@pytest.fixture()
def room(tmp_path, monkeypatch):
    """The bundled community plan, an empty state file, a photos folder set once."""
    monkeypatch.setenv("SHUANGYONG_CONFIG", str(tmp_path / "config.toml"))
    for name in ("SHUANGYONG_PLAN", "SHUANGYONG_DB", "SHUANGYONG_TODAY", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "社区计划.toml"
    shutil.copy(default_plan_path(), plan)
    photos = tmp_path / "照片"
    photos.mkdir()
    for name in ("端午联谊合影.jpg", "端午联谊签到表.pdf", "板报.jpg"):
        (photos / name).write_bytes(b"x")
    (tmp_path / "config.toml").write_text(f'evidence_dir = "{photos.as_posix()}"\n', encoding="utf-8")
    return plan, tmp_path / "state.jsonl"


def make(room):
    plan, db = room
    return build_app(AppContext(plan_option=plan, db_option=db, today_option=TODAY, user="测试员"), poll_seconds=3600)


async def loaded(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


def test_main_80x24_cursor_on_a_row(room, snap_compare):
    assert snap_compare(make(room), terminal_size=(80, 24), run_before=loaded)


def test_main_160x45_cursor_on_a_row(room, snap_compare):
    assert snap_compare(make(room), terminal_size=(160, 45), run_before=loaded)


def test_status_dialog(room, snap_compare):
    assert snap_compare(make(room), press=["s", "4"], terminal_size=(80, 24), run_before=loaded)


def test_evidence_dialog_with_its_picker(room, snap_compare):
    async def open_picker(pilot) -> None:
        await loaded(pilot)
        await pilot.press("e")
        picker = pilot.app.screen.query_one("#evidence-picker")
        for _ in range(100):
            if len(picker.root.children) == 3:
                break
            await pilot.pause(0.02)
        await pilot.press("down")

    assert snap_compare(make(room), terminal_size=(80, 24), run_before=open_picker)


def test_meeting_view(room, snap_compare):
    # Esc at the meeting's details dialog keeps the last ones and shows the week.
    assert snap_compare(make(room), press=["w", "escape"], terminal_size=(80, 24), run_before=loaded)


def test_meeting_details_dialog(room, snap_compare):
    config = room[1].parent / "config.toml"  # the values written last time, as the CLI or the app remembered them
    config.write_text(config.read_text(encoding="utf-8") + 'meeting_place = "社区三楼会议室"\n'
                      'meeting_chair = "张书记"\nmeeting_attendees = "王主任、李干事、退役军人服务站站长"\n'
                      'meeting_recorder = "小王"\n', encoding="utf-8")
    assert snap_compare(make(room), press=["w"], terminal_size=(80, 24), run_before=loaded)


def test_help_at_80x24(room, snap_compare):
    assert snap_compare(make(room), press=["question_mark"], terminal_size=(80, 24), run_before=loaded)


def test_detail(room, snap_compare):
    assert snap_compare(make(room), press=["enter"], terminal_size=(80, 24), run_before=loaded)
