"""The Textual app driven by a pilot, on real plan and state files in tmp_path.

Every test builds the app through the same factory as `main` (screens.app.build_app) and
checks what the user would see and what ends up in the state file (re-opened from disk).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList, Select

from screens.app import ShuangyongApp, build_app
from screens.detail import DetailScreen
from screens.dialogs import (DefaultPlanNotice, EvidenceDialog, FilterDialog, MeetingInfoDialog, OwnerDialog, PathDialog,
                             StatusDialog)
from screens.help import HelpScreen
from screens.main import MainScreen
from screens.meeting import MeetingScreen
from screens.problems import ErrorScreen
from screens.widgets import KeyBar, PeriodNavigator, TaskTable
from tracker.plan.bundled import default_plan_path
from tracker.settings import AppContext
from tracker.model import EvidenceKind, Status
from tracker.state.store import Store

TODAY = date(2026, 6, 15)  # a Monday
YEAR = 2026

SMALL_PLAN = """\
title = "测试社区[2026]双拥工作计划"
unit = "测试社区"
year = 2026
owners = ["社区党委", "社区居委会", "退役军人服务站"]
categories = ["组织领导", "拥军优属"]
default_owner = "社区居委会"
evidence = ["活动照片"]

[[task]]
id = "markup"
title = "[bold]不是粗体[/bold] 走访军属"
when = "6月16日"
category = "拥军优属"
owner = "社区党委"
evidence = ["签到表", "活动照片"]

[[task]]
id = "monthly"
title = "核对优抚对象变动情况"
when = "每月10日"
category = "拥军优属"
owner = "退役军人服务站"

[[task]]
id = "meeting"
title = "召开双拥工作例会"
when = "每季度"
category = "组织领导"
owner = "社区党委"
support = ["社区居委会"]
"""


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """An isolated user: own config file, no configured plan, working folder tmp_path."""
    monkeypatch.setenv("SHUANGYONG_CONFIG", str(tmp_path / "config.toml"))
    for name in ("SHUANGYONG_PLAN", "SHUANGYONG_DB", "SHUANGYONG_TODAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture()
def small_plan(home) -> Path:
    path = home / "计划.toml"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    return path


@pytest.fixture()
def db(home) -> Path:
    return home / "state.jsonl"


def make_app(plan: Path | None, db: Path, **options) -> ShuangyongApp:
    ctx = AppContext(plan_option=plan, db_option=db, today_option=TODAY, user="测试员")
    return build_app(ctx, **options)


@pytest.fixture()
def app(small_plan, db) -> ShuangyongApp:
    return make_app(small_plan, db)


@pytest.fixture()
def shequ_app(home, db) -> ShuangyongApp:
    plan = home / "shequ.toml"
    shutil.copy(default_plan_path(), plan)
    return make_app(plan, db)


async def settle(pilot) -> None:
    """Wait for the loading worker, then for the screen to lay out what it delivered."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def screen_text(app) -> str:
    """The plain text of the current screen, line by line, as the terminal shows it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def main_screen(app) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), type(screen)
    return screen


def table(app) -> TaskTable:
    return app.screen.query_one(TaskTable)


def stored(db: Path, occurrence: str):
    """The state as another process would read it from the file."""
    store = Store(db)
    try:
        return store.state(YEAR, occurrence)
    finally:
        store.close()


async def select_row(pilot, occurrence_id: str, year: int | None = None) -> None:
    """Put the cursor on a row by id; of the table's own year unless `year` is given."""
    tbl = table(pilot.app)
    assert tbl.move_to((year or tbl.year, occurrence_id)), occurrence_id
    await pilot.pause()


async def open_meeting(pilot) -> MeetingScreen:
    """Press w; the meeting asks for its 地点/主持人/…: Esc keeps the last ones, the view stays."""
    await pilot.press("w")
    await pilot.pause()
    assert isinstance(pilot.app.screen, MeetingInfoDialog)
    await pilot.press("escape")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, MeetingScreen)
    return screen


async def type_text(pilot, text: str) -> None:
    """Type character by character, the way a Chinese input method delivers committed text."""
    from textual.keys import _character_to_key

    for ch in text:
        if ch.isalnum() or ch.isascii():
            await pilot.press(ch)
        else:
            # The pilot cannot name full-width punctuation (，。：); send the key as a terminal would.
            pilot.app.screen.focused.post_message(events.Key(_character_to_key(ch), ch))
            await pilot.pause()


# ---------------------------------------------------------------------------------------------
# The main screen
# ---------------------------------------------------------------------------------------------


async def test_main_screen_shows_header_navigator_table_and_summary(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "测试社区[2026]双拥工作计划" in text  # brackets in the plan title shown literally
        assert "2026年" in text and "今天 2026年6月15日" in text
        for label in ("全年", "一季度 1-3月", "二季度 4-6月", "三季度 7-9月", "四季度 10-12月"):
            assert label in text
        assert "12月" in text
        assert "截止" in text and "责任单位" in text and "佐证" in text
        rows = table(app).rows
        assert len(rows) == 17
        assert [r.due for r in rows] == sorted(r.due for r in rows)
        # six monthly checks are past due on 15 June, plus the Q1 meeting
        assert "逾期 7  本周到期 1  已完成 0/17" in text
        assert "逾期" in text and "未开始" in text


async def test_the_year_opens_at_today_with_overdue_just_above(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = table(app).rows
        current = table(app).current
        assert current is not None and current.due >= TODAY
        earlier = [r for r in rows if r.due < TODAY]
        assert earlier and all(r.due < current.due for r in earlier)
        assert current == next(r for r in rows if r.due >= TODAY)


async def test_title_with_markup_is_shown_literally(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]不是粗体[/bold] 走访军属" in text
        await select_row(pilot, "markup")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert "[bold]不是粗体[/bold] 走访军属" in screen_text(app)


async def test_tick_is_stored_and_toggles_back(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("space")
        await pilot.pause()
        assert stored(db, "markup").status is Status.DONE
        assert table(app).current.status is Status.DONE
        assert "已完成 1/17" in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert stored(db, "markup").status is Status.TODO


async def test_status_dialog_postpone_asks_date_and_reason(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StatusDialog)
        await pilot.press("4")  # 已延期: the date field takes the focus
        await pilot.pause()
        due = app.screen.query_one("#status-due", Input)
        assert app.screen.focused is due
        due.value = ""
        await type_text(pilot, "2026-07-20")
        await pilot.press("tab")
        # Without a reason the service refuses; the dialog stays open and says why.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StatusDialog)
        assert "原因" in str(app.screen.query_one("#dialog-error").content)
        reason = app.screen.query_one("#status-reason", Input)
        reason.focus()
        await type_text(pilot, "等待部队")
        app.screen.query_one("#status-reason", Input).post_message(events.Paste("训练结束"))  # pasted Chinese
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        state = stored(db, "markup")
        assert state.status is Status.POSTPONED
        assert state.due == date(2026, 7, 20)
        assert state.reason == "等待部队训练结束"
        # The row moved to its new date and says it was moved.
        row = table(app).current
        assert row.id == "markup" and row.due == date(2026, 7, 20)
        assert "07-20+" in screen_text(app)


async def test_status_dialog_rejects_a_bad_date(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("s", "4")
        await pilot.pause()
        app.screen.query_one("#status-due", Input).value = "7月20日"
        app.screen.query_one("#status-reason", Input).value = "原因"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StatusDialog)
        assert "YYYY-MM-DD" in str(app.screen.query_one("#dialog-error").content)
        await pilot.press("escape")
        await pilot.pause()
        assert stored(db, "markup").status is Status.TODO


async def test_cancel_needs_a_reason(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("s", "5")
        await pilot.pause()
        await type_text(pilot, "活动合并")
        await pilot.press("enter")
        await pilot.pause()
        state = stored(db, "markup")
        assert state.status is Status.CANCELLED and state.reason == "活动合并"


async def test_owner_from_list_and_typed(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OwnerDialog)
        options = app.screen.query_one("#owner-list", OptionList)
        assert app.screen.focused is options
        await pilot.press("down", "enter")  # 社区党委 -> 社区居委会
        await pilot.pause()
        assert stored(db, "markup").owner == "社区居委会"
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("tab")
        await type_text(pilot, "街道武装部")
        await pilot.press("enter")
        await pilot.pause()
        assert stored(db, "markup").owner == "街道武装部"
        assert "街道武装部" in screen_text(app)


async def test_evidence_note_with_label_and_url_check(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EvidenceDialog)
        await type_text(pilot, "走访8户，签到表已存")
        dialog.set_label("签到表")
        await pilot.press("enter")
        await pilot.pause()
        state = stored(db, "markup")
        assert len(state.evidence) == 1
        item = state.evidence[0]
        assert item.kind is EvidenceKind.NOTE and item.text == "走访8户，签到表已存" and item.label == "签到表"
        assert table(app).current.missing_evidence == ("活动照片",)

        # A link without a scheme is refused by the service; the dialog keeps what was typed.
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.set_kind(EvidenceKind.URL)
        dialog.query_one("#evidence-text", Input).value = "www.example.com/news"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EvidenceDialog)
        assert "http" in str(dialog.query_one("#dialog-error").content)
        dialog.query_one("#evidence-text", Input).value = "https://www.example.com/news"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        items = stored(db, "markup").evidence
        assert [i.kind for i in items] == [EvidenceKind.NOTE, EvidenceKind.URL]


async def test_evidence_file_shows_in_detail_and_missing_file_is_marked(app, db, home):
    photo = home / "合影.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.set_kind(EvidenceKind.FILE)
        dialog.query_one("#evidence-text", Input).value = str(photo)
        dialog.set_label("活动照片")
        await pilot.press("enter")
        await pilot.pause()
        assert stored(db, "markup").evidence[0].kind is EvidenceKind.FILE
        photo.unlink()
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "合影.jpg" in text and "文件缺失" in text
        assert "佐证材料：[bold]" not in text


async def test_search_filters_titles_and_swallows_single_keys(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        search = app.screen.query_one("#search", Input)
        assert app.screen.focused is search
        await type_text(pilot, "例会")
        await pilot.pause()
        rows = table(app).rows
        assert len(rows) == 4 and all("例会" in r.title for r in rows)
        # Single-key commands are text while the input has focus.
        await pilot.press("s", "q", "1", "w", "space", "e", "u")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.is_running
        assert search.value == "例会sq1w eu"
        assert main_screen(app).filters.period == "year"
        assert table(app).rows == []
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query("#search") and len(table(app).rows) == 17
        assert main_screen(app).filters.text == ""
        assert app.screen.focused is table(app)


async def test_filter_by_owner_category_and_status(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        dialog.query_one("#filter-owner", Select).value = "社区居委会"
        await pilot.click("#ok")
        await pilot.pause()
        rows = table(app).rows
        # the meetings: 社区居委会 supports them
        assert len(rows) == 4 and all(r.task_id if False else r.occurrence.task_id == "meeting" for r in rows)
        assert "责任单位：社区居委会" in screen_text(app)

        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#filter-owner", Select).clear()
        dialog.query_one("#filter-category", Select).value = "拥军优属"
        dialog.query_one("#filter-status", Select).value = Status.DONE.value
        await pilot.click("#ok")
        await pilot.pause()
        assert table(app).rows == []
        await pilot.press("escape")
        await pilot.pause()
        assert len(table(app).rows) == 17


async def test_quarter_keys_and_navigator_clicks(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tracker = app.board.tracker
        from tracker.service import Query

        for key, period in (("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")):
            await pilot.press(key)
            await pilot.pause()
            shown = [r.id for r in table(app).rows]
            assert shown == [r.id for r in tracker.select(Query(period=period))]
            first = 3 * int(period[1]) - 2
            assert all(first <= r.due.month <= first + 2 for r in table(app).rows)
        await pilot.press("0")
        await pilot.pause()
        assert len(table(app).rows) == 17

        navigator = app.screen.query_one(PeriodNavigator)
        # Third quarter's heading line, then March in the month grid.
        y = next(y for y, _, _, key in navigator._regions if key == "Q3")
        await pilot.click(PeriodNavigator, offset=(2 + navigator.styles.padding.left, y))
        await pilot.pause()
        assert main_screen(app).filters.period == "Q3"
        y, x0, _, _ = next(r for r in navigator._regions if r[3] == "M3")
        await pilot.click(PeriodNavigator, offset=(x0 + 1 + navigator.styles.padding.left, y))
        await pilot.pause()
        assert main_screen(app).filters.period == "M3"
        assert [r.id for r in table(app).rows] == ["monthly@2026-03", "meeting@2026Q1"]


async def test_click_selects_row_and_double_click_opens_detail(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tbl = table(app)
        await pilot.click(TaskTable, offset=(10, 3))  # line 0 is the header
        await pilot.pause()
        assert tbl.cursor == 2
        await pilot.click(TaskTable, offset=(10, 3), times=2)
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.occurrence_id == tbl.rows[2].id


async def test_undo_reverts_the_last_change(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("space")
        await pilot.pause()
        assert stored(db, "markup").status is Status.DONE
        await pilot.press("u")
        await settle(pilot)  # what it would revert is read in a worker
        await pilot.press("enter")  # the undo dialog said what it reverts; Enter does it
        await settle(pilot)
        assert stored(db, "markup").status is Status.TODO
        assert table(app).current.status is Status.TODO
        assert "已完成 0/17" in screen_text(app)


async def test_detail_screen_lists_fields_and_history(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "meeting@2026Q2")
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        for expected in ("meeting@2026Q2", "组织领导", "社区党委", "配合单位：社区居委会", "每季度",
                         "已完成", "需要的佐证材料：活动照片", "修改记录（1）", "测试员", "未开始改为已完成"):
            assert expected in text, expected
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_help_screen_and_palette_offer_every_key(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for label in ("完成", "状态", "责任单位", "佐证", "详情", "搜索", "筛选", "例会", "撤销", "导出日历", "报告", "退出"):
            assert label in text
        await pilot.press("escape")
        await pilot.pause()
        names = [c.title for c in app.get_system_commands(app.screen)]
        for command in MainScreen.KEY_COMMANDS:
            assert f"{command.label}（{command.key_display}）" in names
        assert "导入计划（i）" in names and "查看3月" in names

        # Through the palette, typed in Chinese.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "例会")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, MeetingInfoDialog)  # the meeting opens by asking its details
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)


async def test_external_change_appears_and_is_not_overwritten(small_plan, db):
    app = make_app(small_plan, db, poll_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = Store(db, user="另一台电脑")
        other.set_status(YEAR, "monthly@2026-06", Status.DONE)
        other.close()
        for _ in range(100):  # the poll timer notices within a few ticks
            await pilot.pause(0.02)
            await app.workers.wait_for_complete()
            row = next(r for r in table(app).rows if r.id == "monthly@2026-06")
            if row.status is Status.DONE:
                break
        assert row.status is Status.DONE
        # Our own change afterwards keeps theirs.
        await select_row(pilot, "markup")
        await pilot.press("space")
        await pilot.pause()
        assert stored(db, "monthly@2026-06").status is Status.DONE
        assert stored(db, "markup").status is Status.DONE


async def test_focus_regained_refreshes(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = Store(db, user="另一台电脑")
        other.set_owner(YEAR, "markup", "社区居委会")
        other.close()
        app.post_message(events.AppFocus())
        await settle(pilot)
        assert next(r for r in table(app).rows if r.id == "markup").owner == "社区居委会"


# ---------------------------------------------------------------------------------------------
# The weekly meeting
# ---------------------------------------------------------------------------------------------


async def test_meeting_sections_and_week_navigation(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_meeting(pilot)
        assert screen.monday == date(2026, 6, 15)
        text = screen_text(app)
        assert "第25周 6月15日至6月21日（本周）" in text
        assert "逾期（7）" in text and "本周 6月15日至6月21日（1）" in text and "下周 6月22日至6月28日（0）" in text
        assert "[bold]不是粗体[/bold] 走访军属" in text
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.monday == date(2026, 6, 22)
        assert "下周 6月29日至7月5日（1）" in screen_text(app)  # the Q2 meeting is due 30 June
        await pilot.press("[", "[")
        await pilot.pause()
        assert screen.monday == date(2026, 6, 8)
        assert "本周 6月8日至6月14日（1）" in screen_text(app)  # monthly check on the 10th
        await pilot.press("t")
        await pilot.pause()
        assert screen.monday == date(2026, 6, 15)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_meeting_tick_evidence_and_minutes(app, db, home):
    pytest.importorskip("tracker.outputs.minutes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_meeting(pilot)
        assert screen.current_row().id == "monthly@2026-01"  # first overdue row
        await pilot.press("space")
        await pilot.pause()
        assert stored(db, "monthly@2026-01").status is Status.DONE
        # Done work is no longer overdue: it leaves the section and the cursor goes on to the next.
        assert "逾期（6）" in screen_text(app)
        assert screen.current_row().id == "monthly@2026-02"
        assert table(app).move_to((YEAR, "markup"))
        await pilot.press("e")
        await pilot.pause()
        await type_text(pilot, "已联系军属")
        await pilot.press("enter")
        await pilot.pause()
        assert stored(db, "markup").evidence[0].text == "已联系军属"
        assert "记录了 2 项修改" in screen_text(app)

        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        assert dialog.query_one("#path-input", Input).value == "会议纪要-2026-06-15.docx"
        dialog.query_one("#path-input", Input).value = "会议纪要-2026-06-15.md"  # the Markdown checklist
        await pilot.press("enter")
        await pilot.pause()
        minutes = home / "会议纪要-2026-06-15.md"
        assert minutes.exists()
        text = minutes.read_text(encoding="utf-8")
        assert "核对优抚对象变动情况" in text and "已联系军属" in text
        assert "已完成" in text
        assert "测试员" in text
        # Writing again after another change updates the same file.
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#path-input", Input).value = "会议纪要-2026-06-15.md"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        assert minutes.read_text(encoding="utf-8") != text


async def test_a_tick_during_the_meeting_reads_only_the_changes_since_it_opened(small_plan, db, home, monkeypatch):
    # The list of this meeting's changes is redrawn at every tick: it reads the changes after
    # the revision the meeting opened at, not the whole history (which, opened from a
    # checkpoint, would first read the state file whole: 0.25 s a tick at county scale).
    from tracker.state import checkpoint

    monkeypatch.setenv("SHUANGYONG_CACHE", str(home / "cache"))
    monkeypatch.setattr(checkpoint, "MIN_BYTES", 0)  # this small file gets a checkpoint too
    monkeypatch.setattr(checkpoint, "REFRESH_BYTES", 1)
    earlier = Store(db, user="另一位同事")
    earlier.set_status(YEAR, "monthly@2026-03", Status.DONE)
    earlier.checkpoint()
    app = make_app(small_plan, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        store = app.board.tracker.store
        assert store.fold.partial  # opened from the checkpoint
        await open_meeting(pilot)
        await pilot.press("space")
        await pilot.pause()
        Store(db, user="另一位同事").set_status(YEAR, "markup", Status.DOING)  # from another machine
        app.poll()
        await settle(pilot)
        text = screen_text(app)
        assert "本次例会已修改（2）" in text
        assert store.fold.partial  # the history before the meeting was never read


async def test_meeting_asks_its_details_remembers_them_and_writes_them_into_the_docx(small_plan, db, home):
    import docx
    from click.testing import CliRunner

    from tracker.cli import cli

    # Last time the minutes were written from the command line: the app offers those values.
    base = ["--plan", str(small_plan), "--db", str(db), "--today", TODAY.isoformat()]
    result = CliRunner().invoke(cli, [*base, "report", "minutes", "--since", "2026-06-01", "-o", str(home / "上次.docx"),
                                      "--place", "社区会议室", "--chair", "张书记", "--attendees", "王主任",
                                      "--recorder", "小王"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    app = make_app(small_plan, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MeetingInfoDialog)
        fields = {name: dialog.query_one(f"#meeting-{name}", Input) for name in ("place", "chair", "attendees", "recorder")}
        assert {k: f.value for k, f in fields.items()} == {
            "place": "社区会议室", "chair": "张书记", "attendees": "王主任", "recorder": "小王"}
        # At 80x24 every field and the buttons are in view.
        text = screen_text(app)
        for label in ("本次例会", "地点", "主持人", "参加人员", "记录人", "确定", "取消"):
            assert label in text, label
        # The cursor is at the end of the pre-filled text: typing adds to it.
        assert dialog.focused is fields["place"] and fields["place"].cursor_position == len("社区会议室")
        await type_text(pilot, "三楼")
        await pilot.press("tab")
        assert dialog.focused is fields["chair"] and fields["chair"].cursor_position == len("张书记")
        await pilot.press("tab")
        await type_text(pilot, "、李干事")
        await pilot.press("tab")
        await pilot.press("enter")  # Enter accepts from the last field too
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        assert screen.info.place == "社区会议室三楼" and screen.info.attendees == "王主任、李干事"

        await pilot.press("space")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#path-input", Input).value == "会议纪要-2026-06-15.docx"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        paragraphs = [p.text for p in docx.Document(str(home / "会议纪要-2026-06-15.docx")).paragraphs]
        for line in ("地点：社区会议室三楼", "主持人：张书记", "参加人员：王主任、李干事", "记录人：小王"):
            assert line in paragraphs, line
        assert "本次会议议定修改 1 项，涉及 1 个事项。" in paragraphs

        # i asks again; Esc keeps what was given and changes nothing.
        await pilot.press("i")
        await pilot.pause()
        await type_text(pilot, "不要")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen) and app.screen.info.place == "社区会议室三楼"
        await pilot.press("escape")
        await pilot.pause()
        # Opening the meeting again offers the values typed last.
        await pilot.press("w")
        await pilot.pause()
        assert app.screen.query_one("#meeting-attendees", Input).value == "王主任、李干事"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.info.place == "社区会议室三楼"
    # The command line's next minutes use them too (one place for both).
    from tracker.outputs.produce import meeting_info

    assert meeting_info().place == "社区会议室三楼"


# ---------------------------------------------------------------------------------------------
# Errors, sizes, the default plan
# ---------------------------------------------------------------------------------------------


async def test_broken_plan_shows_an_error_screen(home, db):
    broken = home / "坏计划.toml"
    broken.write_text(SMALL_PLAN.replace('when = "每季度"', 'when = "每个蓝月亮"').replace('owner = "退役军人服务站"', 'owner = "不存在的单位"'), encoding="utf-8")
    app = make_app(broken, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        text = app.screen.text
        assert "计划文件有" in text and "处错误" in text
        assert "坏计划.toml" in text and "不存在的单位" in text and "每个蓝月亮" in text
        assert "Traceback" not in screen_text(app)
        # Fix the file and reload without leaving the app.
        broken.write_text(SMALL_PLAN, encoding="utf-8")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(table(app).rows) == 17
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_damaged_state_file_shows_an_error_screen(small_plan, db):
    db.write_text("this is not a state file\n\x00\x01garbage", encoding="utf-8")
    app = make_app(small_plan, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        assert "状态文件" in app.screen.text
        assert "Traceback" not in screen_text(app)


async def test_80x24_shows_the_essentials(shequ_app):
    app = shequ_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert len(lines) == 24
        text = "\n".join(lines)
        assert "××社区双拥工作计划" in lines[0] and "2026-06-15" in lines[0]
        for label in ("全年", "一季度", "二季度", "三季度", "四季度", "1月", "12月"):
            assert label in text, label
        assert "截止" in text and "状态" in text
        assert "逾期" in lines[-3] and "本周到期" in lines[-3] and "已完成" in lines[-3]
        assert "空格 完成" in lines[-1] and "q 退出" in lines[-1]
        visible_rows = [line for line in lines if line[2:7].count("-") == 1 and line[1] in " !v-"]
        assert len(visible_rows) >= 12
        # Nothing is pushed past the right edge: every line fits 80 cells.
        from rich.cells import cell_len

        assert all(cell_len(line) <= 80 for line in lines)
        # Narrow: the quarters still show done/total.
        assert "0/14" in text


async def test_200_columns_shows_more(shequ_app):
    app = shequ_app
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "今天 2026年6月15日（周一）" in text and "××社区双拥工作领导小组" in text
        assert "分类" in text and "退役军人服务站" in text  # owner names no longer cut
        assert "12月 0/" in text


async def test_default_plan_shows_notice_and_offers_import(home, db):
    app = make_app(None, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DefaultPlanNotice)
        text = screen_text(app)
        assert "内置的社区计划" in text and "shuangyong-tui init" in text and "导入" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and len(table(app).rows) > 40
        names = [c.title for c in app.get_system_commands(app.screen)]
        assert "导入计划（i）" in names


async def test_import_from_notice_writes_plan_and_refuses_overwrite(home, db):
    importer = pytest.importorskip("tracker.importer")
    source = home / "计划.txt"
    source.write_text(
        "××社区2026年双拥工作计划\n一、组织领导\n1、每季度召开一次双拥工作领导小组会议。\n"
        "二、拥军优属\n2、春节前夕走访慰问驻区部队和优抚对象。\n",
        encoding="utf-8",
    )
    app = make_app(None, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#notice-import")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#import-source", Input).value = str(source)
        dialog.query_one("#import-target", Input).value = "草稿.toml"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("s")  # the review screen: save as found
        await settle(pilot)
        draft = home / "草稿.toml"
        assert draft.exists()
        from tracker.plan.loader import load_plan

        assert load_plan(draft).tasks
        assert "草稿已保存" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        before = draft.read_text(encoding="utf-8")
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#import-source", Input).value = str(source)
        dialog.query_one("#import-target", Input).value = "草稿.toml"
        await pilot.press("enter")
        await pilot.pause()
        assert "已存在" in str(dialog.query_one("#dialog-error").content)
        assert draft.read_text(encoding="utf-8") == before
    assert importer  # the module is the one the app called


async def test_export_ics_writes_a_calendar(app, home):
    pytest.importorskip("tracker.outputs.ics")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        dialog.query_one("#path-input", Input).value = "日历.ics"
        await pilot.press("enter")
        await pilot.pause()
        data = (home / "日历.ics").read_bytes()
        assert data.startswith(b"BEGIN:VCALENDAR")
        assert data.count(b"BEGIN:VEVENT") == 17
        # An existing file is not overwritten unless asked.
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#path-input", Input).value = "日历.ics"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        assert "已存在" in str(app.screen.query_one("#dialog-error").content)


async def test_reports_write_a_summary(app, home):
    pytest.importorskip("tracker.outputs.summary")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        dialog.query_one("#path-input", Input).value = "总结.md"
        await pilot.press("enter")
        await pilot.pause()
        text = (home / "总结.md").read_text(encoding="utf-8")
        assert "走访军属" in text

        # The ledger: choosing the kind renames the default file to match.
        await pilot.press("r")
        await pilot.pause()
        await pilot.click("#opt-ledger-xlsx", offset=(2, 0))
        await pilot.pause()
        assert app.screen.query_one("#path-input", Input).value == "台账-2026.xlsx"
        await pilot.click("#ok")
        await pilot.pause()
        from openpyxl import load_workbook

        sheet = load_workbook(home / "台账-2026.xlsx").active
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert any("走访军属" in c for c in cells)


async def test_reports_offer_every_output(app, home):
    import zipfile

    import docx

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("space")
        await pilot.pause()
        for option, name in (("minutes-docx", "会议纪要-2026.docx"), ("archive-zip", "双拥档案-2026.zip"),
                             ("summary-docx", "年终总结-2026.docx")):
            await pilot.press("r")
            await pilot.pause()
            await pilot.click(f"#opt-{option}", offset=(2, 0))
            await pilot.pause()
            assert app.screen.query_one("#path-input", Input).value == name
            await pilot.click("#ok")
            await settle(pilot)  # the 档案 runs in a worker under a progress dialog
            assert (home / name).exists(), name
        minutes = "\n".join(p.text for p in docx.Document(str(home / "会议纪要-2026.docx")).paragraphs)
        assert "会议议定事项" in minutes and "走访军属" in minutes
        with zipfile.ZipFile(home / "双拥档案-2026.zip") as zf:
            assert any(n.endswith("目录.xlsx") for n in zf.namelist())
        summary = docx.Document(str(home / "年终总结-2026.docx"))
        assert summary.paragraphs[0].text.endswith("年度双拥工作总结")


# ---------------------------------------------------------------------------------------------
# Marks, the key bar, the other screens' keys
# ---------------------------------------------------------------------------------------------

MARKS_PLAN = """\
title = "标记测试计划"
year = {year}
owners = ["社区党委"]
categories = ["组织领导"]
default_owner = "社区党委"

[[task]]
id = "month-end"
title = "月底前报送名单"
when = "1月底前"
category = "组织领导"

[[task]]
id = "quarterly"
title = "季度例会"
when = "每季度"
category = "组织领导"
"""


async def test_shifted_and_provisional_dates_are_marked(home, db):
    plan = home / "marks.toml"
    plan.write_text(MARKS_PLAN.format(year=2026), encoding="utf-8")
    app = make_app(plan, db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        row = next(r for r in table(app).rows if r.id == "month-end")
        assert row.occurrence.shifted and row.due == date(2026, 1, 30)  # 31 January 2026 is a Saturday
        text = screen_text(app)
        assert "01-30*" in text and "* 遇节假日调整" in text

    # No holiday data for 2027 yet: dates are provisional and say so.
    plan.write_text(MARKS_PLAN.format(year=2027), encoding="utf-8")
    ctx = AppContext(plan_option=plan, db_option=db, today_option=date(2027, 2, 1))
    app = build_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        provisional = [r for r in table(app).rows if r.occurrence.provisional]
        assert provisional
        assert f"{provisional[0].due:%m-%d}~" in screen_text(app)
        await select_row(pilot, provisional[0].id)
        await pilot.press("enter")
        await pilot.pause()
        assert "暂定" in screen_text(app)


async def test_key_bar_is_clickable(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        bar = app.screen.query_one(KeyBar)
        keys_line = len(bar.info)  # the information lines come first
        x0, _, _ = next(r for r in bar._regions if r[2] == "toggle_done")
        await pilot.click(KeyBar, offset=(x0 + 1, keys_line))
        await pilot.pause()
        assert stored(db, "markup").status is Status.DONE
        x0, _, _ = next(r for r in bar._regions if r[2] == "meeting")
        await pilot.click(KeyBar, offset=(x0 + 1, keys_line))
        await pilot.pause()
        assert isinstance(app.screen, MeetingInfoDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)


async def test_detail_screen_edits_and_notes(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("m")
        await pilot.pause()
        await type_text(pilot, "军属不在家，改日再访")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        state = stored(db, "markup")
        assert state.notes.endswith("军属不在家，改日再访") and state.status is Status.DONE
        text = screen_text(app)
        assert "备注：" in text and "改日再访" in text and "修改记录（2）" in text
        await pilot.press("u")
        await settle(pilot)  # what it would revert is read in a worker
        await pilot.press("enter")  # the undo dialog said what it reverts; Enter does it
        await settle(pilot)
        assert stored(db, "markup").status is Status.TODO
        assert "〔已撤销〕" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert table(app).current.status is Status.TODO


async def test_meeting_keys_in_help_and_palette(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_meeting(pilot)
        names = [c.title for c in app.get_system_commands(app.screen)]
        for label in ("会议纪要（n）", "上一周（[）", "下一周（]）", "导入计划文档"):
            assert label in names
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "会议纪要" in screen_text(app)


async def test_messages_show_user_text_literally(app):
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("u")
        await settle(pilot)  # what it would revert is read in a worker
        await pilot.press("enter")  # the undo dialog said what it reverts; Enter does it
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert "已撤销对「[bold]不是粗体[/bold] 走访军属」的最近一次修改" in messages
        assert screen_text(app).count("[bold]不是粗体[/bold]") >= 2  # the row and the toast


async def test_changes_taken_in_by_our_own_write_are_shown(small_plan, db):
    # Polling is off: the other process's change reaches us only through our own write.
    app = make_app(small_plan, db, poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = Store(db, user="另一台电脑")
        other.set_owner(YEAR, "monthly@2026-06", "社区居委会")
        other.close()
        await select_row(pilot, "markup")
        await pilot.press("space")
        await settle(pilot)
        rows = {r.id: r for r in table(app).rows}
        assert rows["markup"].status is Status.DONE
        assert rows["monthly@2026-06"].owner == "社区居委会"
        assert stored(db, "monthly@2026-06").owner == "社区居委会"
