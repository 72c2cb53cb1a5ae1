"""The task table's own drawing: the header line, the scrollbar, the marks and their legend,
a resize, and rows of next year inside the week view."""

from __future__ import annotations

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
