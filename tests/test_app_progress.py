"""Large copies in the app run in a worker under one progress dialog: the copy of a file into
the 档案 (`e` with 复制到档案) and the 档案 export (`r` → 档案). The screen stays free, Esc
cancels and leaves nothing half-copied, q cancels and quits."""

from __future__ import annotations

import os
import zipfile

from test_app import app, db, home, select_row, settle, small_plan, stored  # noqa: F401 (fixtures)
from textual.widgets import Checkbox, Input, RadioButton

from screens.dialogs import EvidenceDialog, PathDialog, ProgressDialog
from screens.main import MainScreen
from screens.widgets import JobProgress

GB = 1 << 30


def sparse(path, size: int):
    """A file of `size` bytes that takes no disk space and is made at once."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


async def until(pilot, condition, tries: int = 600) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never met")


def type_key(app, key: str, char: str | None = None) -> None:
    """A key as the terminal driver delivers it, without pilot.press's wait for the process
    to go idle: that wait lasts as long as a worker keeps a CPU busy (up to a second), long
    enough for a fast machine to finish the whole job the test means to interrupt."""
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


def files_under(folder) -> list[str]:
    return sorted(os.path.join(d, f) for d, _, names in os.walk(folder) for f in names)


async def open_evidence_with_archive(pilot, path) -> EvidenceDialog:
    await select_row(pilot, "markup")
    await pilot.press("e")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, EvidenceDialog)
    dialog.query_one("#evidence-text", Input).value = str(path)
    dialog.query_one("#evidence-archive", Checkbox).value = True
    return dialog


async def test_a_copy_into_the_archive_shows_progress_and_is_recorded(app, db, home):
    video = sparse(home / "活动视频.mp4", 48 << 20)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await open_evidence_with_archive(pilot, video)
        # The copy may end before the key press returns (a sparse file, a fast disk): what was
        # shown is seen through the screens pushed, not the one on top afterwards.
        pushed = []
        push = app.push_screen
        app.push_screen = lambda screen, *args, **kwargs: (pushed.append(screen), push(screen, *args, **kwargs))[1]
        await pilot.press("enter")
        assert any(isinstance(screen, ProgressDialog) for screen in pushed), pushed
        # (the evidence dialog's file picker leaves a cancelled worker: wait for the screen instead)
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        (item,) = stored(db, "markup").evidence
        assert item.size == 48 << 20 and item.archived and os.path.getsize(item.archived) == 48 << 20
        await pilot.pause()
        assert any("已添加佐证材料" in n.message for n in app._notifications), [n.message for n in app._notifications]


async def test_esc_cancels_a_large_copy_and_leaves_nothing_in_the_archive(app, db, home):
    video = sparse(home / "活动视频.mp4", 2 * GB)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        dialog = await open_evidence_with_archive(pilot, video)
        await pilot.press("enter")
        await pilot.pause()
        progress = app.screen
        assert isinstance(progress, ProgressDialog)
        bar = progress.query_one(JobProgress)
        await until(pilot, lambda: bar.done > 0)  # copying, and the screen redraws meanwhile
        assert 0 < bar.done < 2 * GB and bar.total == 2 * GB and "已复制" in bar.text
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is dialog)  # back in the evidence dialog ...
        await pilot.pause()
        assert "已取消" in str(dialog.query_one("#dialog-error").render())
        assert dialog.query_one("#evidence-text", Input).value == str(video)  # ... with what was typed
        assert files_under(home / "档案") == [] and stored(db, "markup").evidence == ()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_q_during_a_copy_cancels_it_then_quits(app, db, home):
    video = sparse(home / "活动视频.mp4", 2 * GB)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await open_evidence_with_archive(pilot, video)
        await pilot.press("enter")
        await pilot.pause()
        bar = app.screen.query_one(JobProgress)
        await until(pilot, lambda: bar.done > 0)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None, tries=1000)  # q quit the app
    assert files_under(home / "档案") == [] and stored(db, "markup").evidence == ()


async def open_archive_export(pilot, target) -> PathDialog:
    await pilot.press("r")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, PathDialog)
    dialog.query_one("#opt-archive-zip", RadioButton).value = True
    await pilot.pause()
    dialog.query_one("#path-input", Input).value = str(target)
    return dialog


async def test_the_archive_export_shows_files_copied_of_all(app, db, home, monkeypatch):
    from tracker.state.store import Store

    for n in range(3):
        photo = home / f"照片{n}.jpg"
        photo.write_bytes(b"\xff\xd8" + bytes([n]) * 1000)
        with Store(db) as store:
            store.add_evidence(2026, "markup", "file", str(photo), label="活动照片")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        shown: list[tuple[int, int, str]] = []  # what the bar was given, as it was given
        draw = JobProgress.update_progress
        monkeypatch.setattr(JobProgress, "update_progress",
                            lambda bar, *step: (shown.append(step), draw(bar, *step))[1])
        await open_archive_export(pilot, home / "档案.zip")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert shown[0] == (0, 0, "正在编排件号、生成目录")
        done, total, text = shown[-1]
        assert done == total > 0 and "已复制佐证文件 3/3 个" in text, shown
        assert any("复制文件 3 个" in n.message for n in app._notifications)
    with zipfile.ZipFile(home / "档案.zip") as zf:
        assert sum(n.endswith(".jpg") for n in zf.namelist()) == 3


async def test_esc_cancels_the_archive_export_and_leaves_no_zip(app, db, home):
    from tracker.state.store import Store

    video = sparse(home / "活动视频.mp4", GB // 2)  # recording it hashes it: half a GB is enough here
    with Store(db) as store:
        store.add_evidence(2026, "markup", "file", str(video), label="活动照片")
    before = sorted(os.listdir(home))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        dialog = await open_archive_export(pilot, home / "档案.zip")
        type_key(app, "enter")
        await until(pilot, lambda: isinstance(app.screen, ProgressDialog) and app.screen.query(JobProgress))
        bar = app.screen.query_one(JobProgress)
        await until(pilot, lambda: bar.total == GB // 2 and bar.done > 0, tries=3000)  # copying the file
        assert "已复制佐证文件 0/1 个" in bar.text
        type_key(app, "escape")
        await until(pilot, lambda: app.screen is dialog)
        await app.workers.wait_for_complete()
        assert "已取消" in str(dialog.query_one("#dialog-error").render())
    assert sorted(os.listdir(home)) == before  # no 档案.zip, no temporary file beside it
