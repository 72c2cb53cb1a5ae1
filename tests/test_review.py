"""The review screen for an import, driven by keys in the real app: keep and drop with space,
edit title/time/owner with e, jump to the next 请核对 item with n, save a plan that validates."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable, Input

from screens.review import ReviewApp, ReviewScreen, start_import
from screens.review_dialogs import EditCandidateDialog, PartDialog
from tracker.importer import import_plan
from tracker.plan.loader import load_plan

DATA = Path(__file__).resolve().parent / "data"
YEAR = 2026


@pytest.fixture
def duty(tmp_path):
    source = tmp_path / "duty_list.txt"
    shutil.copy(DATA / "duty_list.txt", source)
    return source, import_plan(source, year=YEAR)


async def test_space_drops_and_keeps_and_save_writes_only_kept(duty, tmp_path):
    source, result = duty
    target = tmp_path / "计划.toml"
    app = ReviewApp(result, source, target)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 5
        await pilot.press("space")  # drop the first
        assert not screen.candidates[0].keep
        await pilot.press("space")  # and keep it again
        assert screen.candidates[0].keep
        await pilot.press("down", "space")  # drop the second
        assert [c.keep for c in screen.candidates] == [True, False, True, True, True]
        assert "保留 4 项" in str(screen.query_one("#review-title").content)
        await pilot.press("s")
        await pilot.pause()
    assert app.return_value and "保留 4 项任务，删去 1 项" in app.return_value[0]
    plan = load_plan(target, year=YEAR)
    assert [t.id for t in plan.tasks] == ["t001", "t003", "t004", "t005"]
    assert plan.uid  # a stable plan key, as init writes
    text = target.read_text(encoding="utf-8")
    assert re.search(r"^# 已跳过：核对时删去：t002", text, re.M)


async def test_e_edits_title_when_and_owner_inline(duty, tmp_path):
    source, result = duty
    target = tmp_path / "计划.toml"
    app = ReviewApp(result, source, target)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.candidates[0].check("when")  # 年内, marked for review
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditCandidateDialog)
        await pilot.press("end", *"官兵")  # the title field has the focus
        await pilot.press("tab")
        dialog.query_one("#edit-when", Input).value = ""
        await pilot.press(*"八一前夕")
        dialog.query_one("#edit-owner", Input).value = "人武部"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        edited = screen.candidates[0]
        assert (edited.title, edited.when, edited.owner) == ("走访慰问驻地部队官兵", "八一前夕", "人武部")
        assert not edited.check("when") and not edited.check("owner")
        await pilot.press("s")
        await pilot.pause()
    plan = load_plan(target, year=YEAR)
    first = plan.tasks[0]
    assert (first.title, first.when, first.owner) == ("走访慰问驻地部队官兵", "八一前夕", "人武部")
    assert "人武部" in plan.owners


async def test_a_time_the_plan_cannot_read_is_refused_in_the_dialog(duty, tmp_path):
    source, result = duty
    app = ReviewApp(result, source, tmp_path / "计划.toml")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#edit-when", Input).value = "十三月"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert "时间" in str(dialog.query_one("#dialog-error").content)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.candidates[0].when == "年内"


async def test_n_jumps_to_the_next_item_to_check(tmp_path):
    source = DATA / "single_plan.txt"
    result = import_plan(source, year=YEAR)
    marked = [i for i, c in enumerate(result.candidates) if c.needs_review]
    assert 2 <= len(marked) < len(result.candidates)
    app = ReviewApp(result, source, tmp_path / "计划.toml")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        seen = []
        for _ in marked:
            await pilot.press("n")
            seen.append(table.cursor_row)
        assert sorted(seen) == marked
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_value is None
    assert not (tmp_path / "计划.toml").exists()


async def test_save_never_overwrites_and_stays_open(duty, tmp_path):
    source, result = duty
    target = tmp_path / "计划.toml"
    target.write_text("old", encoding="utf-8")
    app = ReviewApp(result, source, target)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is screen
    assert target.read_text(encoding="utf-8") == "old"


class ImportHost(App):
    """The app's import flow (what `i` opens), on its own."""

    def __init__(self) -> None:
        super().__init__()
        self.finished: list = []

    def on_mount(self) -> None:
        start_import(self, lambda target, lines: self.finished.append((target, lines)))


async def test_app_import_asks_which_plan_then_reviews(tmp_path):
    source = tmp_path / "page.txt"
    shutil.copy(DATA / "multi_part.txt", source)
    target = tmp_path / "第二份.toml"
    app = ImportHost()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#import-source", Input).value = str(source)
        dialog.query_one("#import-target", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PartDialog)
        await pilot.press("down", "enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.result.part.number == 2
        await pilot.press("s")
        await pilot.pause()
    assert app.finished and app.finished[0][0] == target.resolve()
    assert load_plan(target, year=YEAR).title == "白河乡2026年双拥工作计划"


@pytest.mark.slow
def test_import_review_from_the_command_line(tmp_path):
    """`import FILE --review` in a real terminal: the review opens, space drops, s saves."""
    import os
    import select
    import sys
    import time

    pty = pytest.importorskip("pty")
    target = tmp_path / "计划.toml"
    args = [sys.executable, "-m", "tracker.cli", "import", str(DATA / "duty_list.txt"), "--review",
            "-o", str(target), "--year", str(YEAR)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command in a terminal of its own
        os.environ.update(TERM="xterm-256color", COLUMNS="160", LINES="40")
        os.execv(sys.executable, args)
    out = b""

    def read_until(words: bytes, patience: float = 120.0) -> None:
        nonlocal out
        deadline = time.monotonic() + patience  # a guard against a hang, not a speed test
        while words not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    return

    read_until("不保存退出".encode())
    os.write(fd, b" s")  # keys are read in order: drop the first, then save
    read_until("已保存".encode())
    read_until(b"config --plan")
    os.waitpid(pid, 0)
    assert "保留 4 项任务，删去 1 项".encode() in out
    plan = load_plan(target, year=YEAR)
    assert [t.id for t in plan.tasks] == ["t002", "t003", "t004", "t005"]
