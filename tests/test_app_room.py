"""The app as it is used in the room: a cursor row one can see, a view that opens at today,
a tick redrawn with its counts, chrome that stays one cell wide in a Chinese-locale terminal."""

from __future__ import annotations

import ast
import unicodedata
from datetime import date
from pathlib import Path

from test_app import (  # noqa: F401 (fixtures)
    TODAY,
    app,
    db,
    home,
    make_app,
    open_meeting,
    screen_text,
    select_row,
    settle,
    shequ_app,
    small_plan,
    table,
)
from tracker.model import Status

import screens
import tracker

SCREENS_DIR = Path(screens.__file__).parent
TRACKER_DIR = Path(tracker.__file__).parent

# What tracker/ writes into files, not onto a terminal: Word, Excel, Markdown, calendar and
# archive contents keep the typographic “” and —— an office document is written with.
DOCUMENT_WRITERS = {
    "outputs/docx.py", "outputs/minutes.py", "outputs/minutes_docx.py", "outputs/narrative.py",
    "outputs/summary.py", "outputs/ics.py", "outputs/archive.py", "outputs/ledger.py", "outputs/text.py",
    "importer/render.py",  # the TOML draft's comments
}
# What the parsers recognise in what people type or paste (“八一”, 1—3月, full-width dashes,
# bullets, invisible characters) is matched, never shown: these constants, regular
# expressions (raw strings, as every pattern here is written), and what input is cleaned of
# (the first argument of replace, strip, startswith, maketrans ...).
INPUT_FORMS = {"WHEN_EXAMPLES", "_QUOTES", "_INVISIBLE", "_CLOSERS"}
CLEANING = {"replace", "strip", "lstrip", "rstrip", "startswith", "endswith", "maketrans", "translate"}


def _strings(path: Path) -> list[tuple[int, str]]:
    """A module's string literals except docstrings and input forms (INPUT_FORMS, CLEANING)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    skipped = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id in INPUT_FORMS for t in targets):
            skipped |= {id(n) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            segment = ast.get_source_segment(source, node) or ""
            if segment[:1] in ("r", "R"):
                skipped.add(id(node))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CLEANING and node.args:
            skipped.add(id(node.args[-1] if node.func.attr == "maketrans" else node.args[0]))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
    ]


def app_strings() -> list[tuple[str, int, str]]:
    """Every string literal in screens/ except docstrings: what the app may put on screen."""
    return [(path.name, line, text) for path in sorted(SCREENS_DIR.rglob("*.py")) for line, text in _strings(path)]


def tracker_strings() -> list[tuple[str, int, str]]:
    """Every string literal of tracker/ that reaches a terminal: the wording of changes, the
    service's messages and labels, the plan checker's problems, the commands' output. One
    rule for the app and the command line: both run in the same Chinese-locale terminals."""
    found = []
    for path in sorted(TRACKER_DIR.rglob("*.py")):
        name = path.relative_to(TRACKER_DIR).as_posix()
        if name not in DOCUMENT_WRITERS:
            found += [(name, line, text) for line, text in _strings(path)]
    return found


def _ambiguous(strings) -> list[str]:
    return [
        f"{name}:{line}: {''.join(sorted({c for c in text if ord(c) > 127 and unicodedata.east_asian_width(c) not in 'WF'}))}"
        for name, line, text in strings
        if any(ord(c) > 127 and unicodedata.east_asian_width(c) not in "WF" for c in text)
    ]


def test_chrome_has_no_ambiguous_width_characters():
    # Terminals set for a Chinese locale draw East Asian "ambiguous" characters two cells
    # wide; drawn with a CJK font, even neutral symbols (░ ✓ ↷) come out wide. So the app's
    # own text is ASCII or full-width: nothing in between.
    assert _ambiguous(app_strings()) == []


def test_what_tracker_says_on_a_terminal_has_no_ambiguous_width_characters():
    # The app shows tracker's words too (a change's wording in the meeting and the detail,
    # the service's and the plan checker's messages, the period labels), and the commands
    # print them: quotes are 「」, ranges 1-3月, a change 未开始改为已完成.
    assert _ambiguous(tracker_strings()) == []


def test_the_scan_sees_the_app_strings():
    texts = [text for _, _, text in app_strings()]
    assert "按键与命令（上下键滚动，按 Esc 关闭）" in texts
    assert unicodedata.east_asian_width("…") == "A" and unicodedata.east_asian_width("“") == "A"
    tracker_texts = {text for _, _, text in tracker_strings()}
    assert any(t.startswith("找不到事项") for t in tracker_texts)  # the service's messages
    assert any(name.startswith("cli/") for name, _, _ in tracker_strings())  # the commands' output
    # The parser's input forms are left out of the scan, and only they.
    assert "“八一”" not in {t for _, t in _strings(TRACKER_DIR / "calendar/when.py")}


def test_a_change_and_a_period_are_worded_in_definite_widths():
    from datetime import datetime

    from tracker.model import Change, Status
    from tracker.service import describe_change, periods

    change = Change(seq=1, at=datetime(2026, 12, 28, 9, 0), by="小王", year=2027, occurrence="newyear", op="status",
                    old=Status.TODO, new=Status.DONE)
    shown = describe_change(change) + "".join(p.label for p in periods(2026))
    assert "未开始改为已完成" in shown and "一季度（1-3月）" in shown
    assert all(unicodedata.east_asian_width(c) in ("W", "F") or ord(c) < 128 for c in shown), shown


def cursor_line(app) -> tuple[int, object]:
    """The screen line of the table's cursor row and its strip, as composed on screen."""
    tbl = table(app)
    index = tbl._rows_at[tbl.cursor]
    y = tbl.region.y + index + 1 - round(tbl.scroll_y)
    return y, app.screen._compositor.render_strips()[y]


async def test_cursor_row_is_drawn_unlike_any_other_row(shequ_app):
    async with shequ_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        y, strip = cursor_line(shequ_app)
        assert strip.text.startswith(">"), strip.text
        strips = shequ_app.screen._compositor.render_strips()
        tbl = table(shequ_app)

        def backgrounds(s) -> set:
            return {seg.style.bgcolor for seg in s if seg.style and seg.text.strip()}

        cursor_bg = backgrounds(strip)
        others = [strips[row] for row in range(tbl.region.y + 1, tbl.region.bottom) if row != y]
        assert cursor_bg and all(not (backgrounds(o) & cursor_bg) for o in others if o.text.strip())


async def test_opens_scrolled_to_today_with_the_cursor_on_the_next_item_due(shequ_app):
    async with shequ_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first_due = min(r.due for r in table(shequ_app).rows if r.due >= TODAY)
        # The scroll to today follows the first layout; on a busy machine that takes a few frames.
        for _ in range(40):
            await pilot.pause(0.05)
            _, strip = cursor_line(shequ_app)
            if f"{first_due:%m-%d}" in strip.text:
                break
        row = table(shequ_app).current
        assert row.due == first_due
        _, strip = cursor_line(shequ_app)
        assert f"{row.due:%m-%d}" in strip.text  # on screen, not scrolled away
        assert 0 <= table(shequ_app)._rows_at[table(shequ_app).cursor] - round(table(shequ_app).scroll_y) < 20


async def test_tick_redraws_the_row_and_the_counts_together(shequ_app, db):
    async with shequ_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tbl = table(shequ_app)
        rows = tbl.rows
        far = rows[-3]  # scrolled well down the list
        await select_row(pilot, far.id)
        assert round(tbl.scroll_y) > 10
        await pilot.press("space")
        await pilot.pause()
        _, strip = cursor_line(shequ_app)
        assert "已完成" in strip.text, strip.text
        assert "已完成 1/" in screen_text(shequ_app)
        assert tbl.current.status is Status.DONE


async def test_every_change_names_the_item_and_how_to_undo(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("space")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("[bold]不是粗体[/bold] 走访军属" in m and "u 撤销" in m and m.startswith("已完成") for m in messages)


async def test_status_filter_offers_overdue(app):
    from screens.board import OVERDUE, Filters

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.filters = Filters(status=OVERDUE)
        await pilot.pause()
        rows = table(app).rows
        assert rows and all(r.is_overdue(TODAY) for r in rows)
        assert "状态：逾期" in screen_text(app)


async def test_owner_outside_the_plan_is_offered_and_marked(app, db):
    from screens.dialogs import FilterDialog

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.edit("markup", lambda t: t.set_owner("markup", "街道武装部")) is None
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        assert "街道武装部" in dialog.owners and "街道武装部" in dialog.outside


def test_dates_outside_the_viewed_year_show_their_year():
    from screens.text import day_label

    assert day_label(date(2026, 3, 5), 2026) == "03-05"
    assert day_label(date(2027, 1, 15), 2026) == "27-01-15"


async def test_welcome_notice_is_shown_once(home, db):
    from screens.dialogs import DefaultPlanNotice
    from screens.main import MainScreen

    app = make_app(None, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DefaultPlanNotice)
        await pilot.press("escape")
        await pilot.pause()
    again = make_app(None, db)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, MainScreen)
        # The view is at today, not at January, with the cursor on what is due next.
        assert again.screen.table.current.due >= TODAY


async def test_today_follows_the_clock_past_midnight(app):
    from datetime import timedelta

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "今天 2026年6月15日" in screen_text(app)
        app.ctx.today_option = TODAY + timedelta(days=2)  # what the clock says two midnights on
        app.follow_clock()
        await settle(pilot)
        text = screen_text(app)
        assert "今天 2026年6月17日" in text
        assert app.board.today == TODAY + timedelta(days=2) == table(app).today
        # The visit due on the 16th is now overdue: one more in the count.
        assert "逾期 8" in text


async def test_meeting_at_80x24_folds_overdue_groups_by_unit_and_lists_changes(shequ_app):
    async with shequ_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_meeting(pilot)
        text = screen_text(shequ_app)
        assert "逾期（18）  已收起，按 z 展开" in text
        assert "本周 6月15日至6月21日" in text and "下周 6月22日至6月28日" in text  # in view at once
        assert "社区居委会（1）" in text  # this week's item under its unit
        row = screen.current_row()
        assert row.due >= TODAY
        await pilot.press("space")
        await pilot.pause()
        assert "本次例会已修改（1）" in screen_text(shequ_app)
        await pilot.press("tab", "tab")
        await pilot.pause()
        assert "本次例会已修改（1）" in screen_text(shequ_app)
        await pilot.press("z")
        await pilot.pause()
        assert "已收起" not in screen_text(shequ_app)
        await pilot.press("g")
        await pilot.pause()
        assert "社区居委会（1）" not in screen_text(shequ_app)


async def test_cursor_row_shows_without_colours(home, db, monkeypatch):
    import shutil

    from tracker.plan.bundled import default_plan_path

    monkeypatch.setenv("NO_COLOR", "1")
    plan = home / "shequ.toml"
    shutil.copy(default_plan_path(), plan)
    app = make_app(plan, db)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _, strip = cursor_line(app)
        assert strip.text.startswith(">")
        assert all(seg.style.reverse for seg in strip if seg.text.strip())
