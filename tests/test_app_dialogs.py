"""Dialogs a keyboard user flies through: Enter submits from any field, pre-filled text is
edited rather than wiped, everything fits at 80x24, and evidence goes in one step."""

from __future__ import annotations

from test_app import (  # noqa: F401 (fixtures)
    app,
    db,
    home,
    make_app,
    screen_text,
    select_row,
    settle,
    small_plan,
    stored,
    table,
)
from textual.widgets import Button, Checkbox, Input

from screens.dialogs import EvidenceDialog, PathDialog, StatusDialog
from screens.help import HelpScreen
from screens.main import MainScreen
from tracker.model import EvidenceKind, Status
from tracker.state.store import Store


async def test_enter_on_a_checkbox_submits(app, home):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        box = dialog.query_one("#path-flag", Checkbox)
        box.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, PathDialog)  # submitted, not toggled
        assert box.value is False
        assert list(home.glob("*.ics"))


async def test_prefilled_date_is_edited_not_replaced(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("4")  # 已延期: focus goes to the date
        await pilot.pause()
        dialog = app.screen
        due = dialog.query_one("#status-due", Input)
        assert dialog.focused is due
        assert due.selection.is_empty and due.cursor_position == len(due.value)
        await pilot.press("backspace", "9")
        assert due.value == "2026-06-19"


async def test_report_dialog_starts_on_the_kind_of_report(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        assert dialog.focused is dialog.query_one("#path-option")


async def until(pilot, condition, tries: int = 100) -> None:
    """Wait for the file picker's loader (a worker that never completes, so not waited for)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition()


def inside(widget, size) -> bool:
    region = widget.region
    return region.height > 0 and region.bottom <= size[1] and region.right <= size[0]


async def test_every_dialog_keeps_its_buttons_on_an_80x24_screen(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        for key in ("s", "o", "e", "f", "x", "r"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.pause()
            dialog = app.screen
            assert not isinstance(dialog, MainScreen), key
            assert inside(dialog.query_one("#ok", Button), (80, 24)), key
            assert inside(dialog.query_one("#cancel", Button), (80, 24)), key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen), key


async def test_help_scrolls_to_its_last_line_at_80x24(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "Ctrl+Q" in text and "标记" in text


async def test_palette_says_no_match_in_chinese(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "zzzz":
            await pilot.press(ch)
        await pilot.pause(1.0)
        text = screen_text(app)
        assert "No matches" not in text
        assert "没有找到相符的命令" in text


async def test_a_dialog_says_when_its_item_changed_meanwhile(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("s")
        await pilot.pause()
        other = Store(db, user="另一位同事")
        other.set_status(2026, "markup", Status.DOING)
        await pilot.press("2")  # 进行中 picked here too... but first told what changed
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StatusDialog)
        assert "另一位同事" in str(dialog.query_one("#dialog-error").content)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert stored(db, "markup").status is Status.DOING


async def test_tick_and_attach_a_photo_to_its_requirement_in_four_keys(app, db, home):
    photos = home / "照片"
    photos.mkdir()
    (photos / "签到表扫描.pdf").write_bytes(b"%PDF")
    photo = photos / "合影.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    (home / "config.toml").write_text(f'evidence_dir = "{photos}"\n', encoding="utf-8")  # set once
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        keys = ["space", "e"]
        await pilot.press(*keys)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EvidenceDialog)
        picker = dialog.query_one("#evidence-picker")
        assert dialog.focused is picker  # a folder was set once: the picker is where one starts
        await until(pilot, lambda: len(picker.root.children) == 2)
        # Choosing the file: type to filter, move onto it, Enter.
        await pilot.press("合")
        await until(pilot, lambda: len(picker.root.children) == 1)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert dialog.query_one("#evidence-text", Input).value == str(photo)
        more = ["2", "enter"]  # the requirement 活动照片, then record it
        await pilot.press(*more)
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        keys += more
        assert len(keys) <= 6
        state = stored(db, "markup")
        assert state.status is Status.DONE
        (item,) = state.evidence
        assert item.kind is EvidenceKind.FILE and item.label == "活动照片" and item.text == str(photo)
        assert table(app).current.missing_evidence == ("签到表",)


async def test_an_existing_path_typed_as_a_note_is_a_file(app, db, home):
    photo = home / "板报.jpg"
    photo.write_bytes(b"\xff\xd8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#evidence-text", Input).value = str(photo)
        await pilot.press("enter")
        await pilot.pause()
        (item,) = stored(db, "markup").evidence
        assert item.kind is EvidenceKind.FILE and item.label == "签到表"  # the first one missing


async def test_undo_is_yours_and_says_what_it_reverts_first(app, db):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("space")
        await pilot.pause()
        # Someone else ticks another item afterwards, in another program.
        Store(db, user="另一位同事").set_status(2026, "monthly@2026-07", Status.DONE)
        await pilot.press("u")
        await settle(pilot)  # what it would revert is read in a worker
        from screens.dialogs import ConfirmDialog

        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "不是粗体" in screen_text(app)  # names our change, not the colleague's
        await pilot.press("enter")
        await settle(pilot)
        assert stored(db, "markup").status is Status.TODO
        assert stored(db, "monthly@2026-07").status is Status.DONE  # theirs stays
        # Nothing of ours is left: u says so and touches nothing.
        await pilot.press("u")
        await settle(pilot)  # what it would revert is read in a worker
        assert isinstance(app.screen, MainScreen)
        assert stored(db, "monthly@2026-07").status is Status.DONE
