"""The task table's own drawing: the header line, the scrollbar, the marks and their legend,
a resize, and rows of next year inside the week view."""

from __future__ import annotations

from datetime import date

import pytest
from rich.cells import cell_len

from test_app import (  # noqa: F401 (fixtures)
    db,
    home,
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
    index = tbl._index_of[occurrence_id]
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
        assert table(app).move_to("national")
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
