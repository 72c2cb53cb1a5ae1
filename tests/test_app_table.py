"""The task table's own drawing: the header line, the scrollbar, the marks and their legend,
a resize, and rows of next year inside the week view."""

from __future__ import annotations

from datetime import date

import pytest
from rich.cells import cell_len

from test_app import (  # noqa: F401 (fixtures)
    db,
    home,
    open_meeting,
    settle,
    shequ_app,
    table,
)


async def test_scrollbar_thumb_never_covers_the_header(shequ_app):
    async with shequ_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tbl = table(shequ_app)
        assert tbl.virtual_size.height > tbl.size.height  # the list scrolls
        await pilot.press("home")
        await pilot.pause()
        assert round(tbl.scroll_y) == 0
        bar = tbl.vertical_scrollbar
        assert bar.region.y == tbl.region.y + 1 and bar.region.bottom == tbl.region.bottom
        strips = shequ_app.screen._compositor.render_strips()
        header = strips[tbl.region.y]
        header_bg = {seg.style.bgcolor for seg in header if seg.text.strip()}
        last_cell = header.crop(tbl.region.right - 1, tbl.region.right)
        assert "佐证" in header.text
        assert {seg.style.bgcolor for seg in last_cell} == header_bg
        assert not any(seg.style.reverse for seg in last_cell)
        # The thumb is at the top of the rows, right under the header; at the end, at the bottom.
        def bar_cell(y):
            cell = shequ_app.screen._compositor.render_strips()[y].crop(tbl.region.right - 1, tbl.region.right)
            return [(seg.style.color, seg.style.bgcolor, seg.style.reverse) for seg in cell]

        thumb = bar_cell(tbl.region.y + 1)
        track = bar_cell(tbl.region.bottom - 1)
        assert thumb != track
        await pilot.press("end")
        await pilot.pause()
        assert bar_cell(tbl.region.bottom - 1) == thumb and bar_cell(tbl.region.y + 1) == track
        header = shequ_app.screen._compositor.render_strips()[tbl.region.y]
        assert {seg.style.bgcolor for seg in header.crop(tbl.region.right - 1, tbl.region.right)} == header_bg


HOLIDAY_PLAN = """\
title = "节假日测试计划"
year = 2026
owners = ["社区党委", "社区居委会"]
default_owner = "社区居委会"
on_holiday = "keep"

[[task]]
id = "national"
title = "国庆节当天升旗"
when = "10月1日"

[[task]]
id = "after"
title = "节后走访"
when = "10月9日"
"""


def holiday_app(home, db, today: date = date(2026, 9, 28)):
    from screens.app import build_app
    from tracker.settings import AppContext

    plan = home / "节假日.toml"
    plan.write_text(HOLIDAY_PLAN, encoding="utf-8")
    return build_app(AppContext(plan_option=plan, db_option=db, today_option=today, user="测试员"))


def line_of(app, occurrence_id: str) -> str:
    tbl = table(app)
    index = next(i for i in tbl._rows_at if tbl.items[i].id == occurrence_id)
    return app.screen._compositor.render_strips()[tbl.region.y + index + 1 - round(tbl.scroll_y)].text


def test_a_due_moved_off_the_holiday_no_longer_names_it():
    from tracker.model import Occurrence, OccurrenceState, TrackedOccurrence

    day = date(2026, 10, 1)
    occ = Occurrence("a", "a", 2026, "升旗", "x", "甲", day, day, day, holiday="国庆节")
    assert TrackedOccurrence(occ).holiday == "国庆节"
    assert TrackedOccurrence(occ, OccurrenceState(due=day)).holiday == "国庆节"
    assert TrackedOccurrence(occ, OccurrenceState(due=date(2026, 10, 9))).holiday is None


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_due_on_an_official_holiday_is_marked_as_list_marks_it(home, db, size):
    from screens.detail import DetailScreen
    from screens.widgets import KeyBar
    from tracker.wording import HOLIDAY_MARK, HOLIDAY_MEANING, HOLIDAY_MEANING_SHORT

    app = holiday_app(home, db)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        national = line_of(app, "national")
        assert f"10-01 {HOLIDAY_MARK} 国庆节当天升旗" in national, national
        assert HOLIDAY_MARK not in line_of(app, "after").split("节后")[0]
        # The header's 截止 spans the mark: the titles start under 事项.
        header = app.screen._compositor.render_strips()[table(app).region.y].text
        assert cell_len(header[: header.index("事项")]) == cell_len(national[: national.index("国庆节当天")])
        # The legend says what the mark means, whole, on one line at both sizes.
        keys = app.screen.query_one("#keys", KeyBar)
        legend = [s.text for s in keys._lines if HOLIDAY_MARK + " " in s.text][0]
        meaning = HOLIDAY_MEANING if size[0] >= 100 else HOLIDAY_MEANING_SHORT
        assert f"{HOLIDAY_MARK} {meaning}" in legend and legend.rstrip().endswith("〔延续〕上年未完成"), legend
        # The detail screen names the holiday.
        assert table(app).move_to((2026, "national"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        text = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert f"{HOLIDAY_MEANING}：国庆节" in text


async def test_the_mark_follows_the_due_moved_off_the_holiday(home, db):
    from tracker.model import Status

    app = holiday_app(home, db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.edit("national", lambda t: t.set_status("national", Status.POSTPONED, due=date(2026, 10, 8), reason="放假")) is None
        await settle(pilot)
        line = line_of(app, "national")
        assert "10-08+" in line and "节" not in line.split("国庆")[0], line


def test_list_and_show_say_the_holiday_by_the_same_rule(env):
    import json

    from helpers import run_cli

    def qingming() -> dict:
        return {r["id"]: r for r in json.loads(run_cli(env, "list", "--json").stdout)}["qingming"]

    assert qingming()["holiday"] == "清明节"
    line = [l for l in run_cli(env, "list").stdout.splitlines() if "qingming" in l][0]
    assert line.rstrip().endswith("节"), line
    assert "截止日落在法定节假日：清明节" in run_cli(env, "show", "qingming").stdout
    run_cli(env, "set", "qingming", "--status", "postponed", "--due", "2026-04-08", "--reason", "雨天")
    assert qingming()["holiday"] is None
    assert "法定节假日" not in run_cli(env, "show", "qingming").stdout


async def test_after_a_resize_every_row_is_drawn_at_the_new_width(shequ_app):
    async with shequ_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        await pilot.pause()
        tbl = table(shequ_app)
        strips = shequ_app.screen._compositor.render_strips()
        assert "分类" in strips[tbl.region.y].text  # the wide layout's extra column
        rows = [strips[y] for y in range(tbl.region.y + 1, tbl.region.bottom)]
        filled = [s for s in rows if s.text.strip()]
        assert len(filled) == min(len(tbl.items), tbl.region.height - 1)
        categories = {r.occurrence.category for r in tbl.rows}
        # Each row carries its last column: drawn whole, not the 80-column line left over.
        assert all(any(s.text.rstrip().endswith(c) for c in categories) for s in filled)


WEEK_PLAN = """\
title = "跨年测试计划"
owners = ["社区党委", "社区居委会"]
default_owner = "社区居委会"
on_holiday = "keep"

[[task]]
id = "newyear"
title = "元旦慰问驻区部队"
when = "1月1日"
evidence = ["慰问照片"]

[[task]]
id = "weekly"
title = "每周走访"
when = "每周五"
"""


async def test_week_view_acts_on_next_years_rows_in_next_years_records(home, db):
    """Today 2026-12-28: the week view shows 2027-01-01 items; a tick, a status and evidence
    given to them are recorded against the 2027 occurrences, not the 2026 ones of the same id."""
    from screens.app import build_app
    from screens.dialogs import EvidenceDialog, StatusDialog
    from textual.widgets import Input
    from tracker.model import Status
    from tracker.settings import AppContext
    from tracker.state.store import Store

    plan = home / "跨年.toml"
    plan.write_text(WEEK_PLAN, encoding="utf-8")
    photo = home / "慰问.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    app = build_app(AppContext(plan_option=plan, db_option=db, today_option=date(2026, 12, 28), user="测试员"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_meeting(pilot)
        tbl = screen.table

        async def select(occurrence_id: str, year: int) -> None:
            for n, row in enumerate(tbl.rows):
                if row.id == occurrence_id and row.occurrence.year == year:
                    tbl.cursor = n
                    await pilot.pause()
                    assert screen.current_row().occurrence.year == year
                    return
            raise AssertionError(f"{occurrence_id} of {year} not in the week view")

        if "已收起" in "\n".join(s.text for s in app.screen._compositor.render_strips()):
            await pilot.press("z")  # 逾期 unfolded: this year's 元旦 item is listed too, same id
            await pilot.pause()
        assert {(r.occurrence.year, r.id) for r in tbl.rows} >= {(2026, "newyear"), (2027, "newyear")}
        await select("newyear", 2027)
        await pilot.press("space")
        await pilot.pause()
        # The cursor stays on the row just ticked, not on this year's item of the same id.
        assert screen.current_row().occurrence.year == 2027 and screen.current_row().status is Status.DONE
        await pilot.press("enter")
        await pilot.pause()
        detail = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "截止：2027年1月1日" in detail and "已完成" in detail, detail
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await select("weekly@2027-01-01", 2027)
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StatusDialog), dialog
        await pilot.press("2")  # 进行中: a number key chooses and saves
        await pilot.pause()
        assert app.screen is screen, [n.message for n in app._notifications]
        await select("newyear", 2027)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EvidenceDialog), dialog
        box = dialog.query_one("#evidence-text", Input)
        box.focus()
        box.value = str(photo)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen, app.screen
        messages = [n.message for n in app._notifications]
        assert not any("未能" in m or "找不到" in m for m in messages), messages
        # What the week view shows now, re-read: the 2027 rows carry the changes.
        shown = {(r.occurrence.year, r.id): r for r in tbl.rows}
        assert shown[(2027, "newyear")].status is Status.DONE
        assert shown[(2027, "weekly@2027-01-01")].status is Status.DOING
        assert len(shown[(2027, "newyear")].state.evidence) == 1
        # The changes made in this meeting are listed under the items' titles.
        from screens.widgets.task_table import Section

        listed = [it.title.strip() for it in tbl.items if isinstance(it, Section)]
        assert "每周走访（2027年1月1日）：未开始改为进行中" in listed and not any(t.startswith("weekly@") for t in listed), listed

    store = Store(db)
    try:
        assert store.state(2027, "newyear").status is Status.DONE
        assert store.state(2027, "newyear").evidence and store.state(2027, "newyear").evidence[0].kind.value == "file"
        assert store.state(2027, "weekly@2027-01-01").status is Status.DOING
        # Nothing landed on this year's occurrence of the same id.
        assert store.state(2026, "newyear").status is Status.TODO and not store.state(2026, "newyear").evidence
        assert "weekly@2027-01-01" not in store.states(2026)
    finally:
        store.close()


async def test_help_lists_every_mark_beside_its_meaning_at_80x24(shequ_app):
    from screens.help import HelpScreen
    from screens.text import legend_marks

    async with shequ_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(shequ_app.screen, HelpScreen)
        body = shequ_app.screen.query_one("#help-body")
        body.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        lines = [s.text for s in shequ_app.screen._compositor.render_strips()]
        for mark, meaning, _ in legend_marks():
            assert any(mark in line and meaning in line for line in lines), (mark, meaning)


async def test_rows_of_one_id_in_two_years_are_never_confused(home, db):
    """Today 2026-12-28: the week view lists 2026's 元旦 item (overdue) and 2027's (this week),
    both `newyear`. Ticking one redraws that row only, on every screen, and the cursor stays
    where it was; the list of changes and the messages tell the two apart."""
    from screens.app import build_app
    from screens.detail import DetailScreen
    from screens.main import MainScreen
    from screens.widgets.task_table import Section
    from tracker.model import Status
    from tracker.settings import AppContext

    plan = home / "跨年.toml"
    plan.write_text(WEEK_PLAN, encoding="utf-8")
    app = build_app(AppContext(plan_option=plan, db_option=db, today_option=date(2026, 12, 28), user="测试员"))
    old, new = (2026, "newyear"), (2027, "newyear")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        main_items = main.table.items
        screen = await open_meeting(pilot)
        tbl = screen.table
        if screen._folded_now:
            await pilot.press("z")
            await pilot.pause()
        assert tbl.find(old).occurrence.year == 2026 and tbl.find(new).occurrence.year == 2027

        assert tbl.move_to(new)
        await pilot.press("space")
        await pilot.pause()
        assert screen.current_row().key == new and screen.current_row().status is Status.DONE
        assert tbl.find(old).status is Status.TODO
        # The main screen lists this year only: its row of the same id is untouched, its list
        # not even re-read.
        assert main.table.items is main_items and main.table.find(old).status is Status.TODO
        messages = [n.message for n in app._notifications]
        assert any("已完成：元旦慰问驻区部队（2027年1月1日）" in m for m in messages), messages

        # Enter opens next year's item; a tick there is next year's; back on the same row.
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.row.key == new
        await pilot.press("space")
        await pilot.pause()
        assert detail.row.key == new and detail.row.status is Status.TODO
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.current_row().key == new
        assert tbl.find(old).status is Status.TODO and main.table.items is main_items

        assert tbl.move_to(old)
        await pilot.press("space")
        await pilot.pause()
        # Done work leaves 逾期 (the cursor goes on to the next row there), next year's stays as it was.
        assert tbl.find(old) is None and screen.current_row().key == (2026, "weekly@2026-01-02")
        assert tbl.find(new).status is Status.DONE
        # On the main screen that one row is redrawn in place.
        assert main.table.items is main_items and main.table.find(old).status is Status.DONE
        listed = [it.title.strip() for it in tbl.items if isinstance(it, Section)]
        assert sum(t.startswith("元旦慰问驻区部队（2027年1月1日）：") for t in listed) == 3, listed
        assert sum(t.startswith("元旦慰问驻区部队：") for t in listed) == 1, listed

        # Back on the main screen the cursor stays on the row acted on.
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main
        assert main.table.move_to(old)
        await pilot.press("space")
        await pilot.pause()
        assert main.table.current.key == old and main.table.current.status is Status.TODO
        assert main.table.items is main_items


async def test_minutes_of_a_meeting_across_new_year_name_next_years_items_with_their_date(home, db):
    """A meeting on 2026-12-28 ticks 2027's and 2026's 元旦 item (both `newyear`) and 2027's
    first weekly visit: the .docx names each by title, next year's with its full date."""
    import docx

    from screens.app import build_app
    from tracker.settings import AppContext

    plan = home / "跨年.toml"
    plan.write_text(WEEK_PLAN, encoding="utf-8")
    app = build_app(AppContext(plan_option=plan, db_option=db, today_option=date(2026, 12, 28), user="测试员"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_meeting(pilot)
        tbl = screen.table
        if screen._folded_now:
            await pilot.press("z")
            await pilot.pause()
        for key in ((2027, "newyear"), (2027, "weekly@2027-01-01"), (2026, "newyear")):
            assert tbl.move_to(key), key
            await pilot.press("space")
            await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen, [n.message for n in app._notifications]
    paragraphs = [p.text for p in docx.Document(str(home / "会议纪要-2026-12-28.docx")).paragraphs]
    done = [p for p in paragraphs if "未开始改为" in p]
    assert len(done) == 3, paragraphs
    assert done[0].startswith("1．元旦慰问驻区部队（2027年1月1日）：")
    assert done[1].startswith("2．每周走访（2027年1月1日）：")
    assert done[2].startswith("3．元旦慰问驻区部队：")
    assert "本次会议议定修改 3 项，涉及 3 个事项。" in paragraphs
    # What falls due next names next year's days with their year.
    assert any(p.startswith("每周走访：") and "2027年1月8日前完成" in p for p in paragraphs) or any(
        "每周走访" in p and "2027年1月8日" in p for p in paragraphs), paragraphs
