"""The detail screen checks evidence files in a worker: a 2 GB video not in the digest cache
never freezes the screen. It shows 〔核对中...〕 until the state is known, Esc goes back while
the file is read (and stops the reading), and the state shows once it is known.

The files are sparse (made at once, no disk space). The one read while Esc is pressed is
64 GB, so its check is still running on any machine (sha256 reads a few GB/s at best); its
record is written with the digest of an earlier version (as when a video was edited after it
was recorded) rather than by reading 64 GB first. The check that runs to its end reads 64 MB,
recorded and changed through the real API.
"""

from __future__ import annotations

import os

import pytest
from test_app import app, db, home, screen_text, select_row, settle, small_plan  # noqa: F401 (fixtures)
from test_app_progress import GB, sparse, until
from textual.worker import WorkerState

from screens.detail import CHECKING, DetailScreen
from screens.main import MainScreen
from tracker.state import digests
from tracker.state.store import Store


def recorded_then_changed(db, video) -> None:
    """A large file recorded as evidence, then one byte changed (same size): only reading it
    all again tells that it changed, and neither cache knows this version."""
    with Store(db) as store:
        store.add_evidence(2026, "markup", "file", str(video), label="活动照片")
    with open(video, "r+b") as f:
        os.pwrite(f.fileno(), b"x", os.path.getsize(video) // 2)
    st = os.stat(video)
    os.utime(video, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))  # a new version, whatever the clock's grain
    digests.forget()


def recorded_earlier_version(db, video) -> None:
    """The record `add_evidence` wrote for an earlier version of `video` of the same size."""
    record = {"kind": "file", "text": str(video), "label": "活动照片", "size": os.path.getsize(video),
              "sha256": "0" * 64, "archived": None}
    with Store(db) as store, store._writing():
        store._record([{"year": 2026, "occ": "markup", "op": "evidence", "new": record}], None)


def open_on(path) -> bool:
    """Whether this process has `path` open (the check reads it through a descriptor)."""
    fds = "/proc/self/fd"
    found = False
    for fd in os.listdir(fds):
        try:
            found |= os.readlink(os.path.join(fds, fd)) == str(path)
        except OSError:
            continue
    return found


def check_worker(app):
    found = [w for w in app.workers if w.group == "evidence-check"]
    assert len(found) == 1, found
    return found[0]


async def open_detail(pilot) -> DetailScreen:
    await select_row(pilot, "markup")
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, DetailScreen)
    return screen


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to see the open file")
async def test_esc_goes_back_while_a_large_file_is_checked(app, db, home):
    video = sparse(home / "活动视频.mp4", 64 * GB)
    recorded_earlier_version(db, video)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        detail = await open_detail(pilot)
        worker = check_worker(app)
        assert worker.state is WorkerState.RUNNING  # still reading the 2 GB ...
        assert CHECKING in screen_text(app) and "文件已变更" not in screen_text(app)
        await pilot.press("escape")  # ... and the screen answers
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert detail.checking and not detail.marks  # it went back before the state was known
        assert worker.state is WorkerState.CANCELLED
        await until(pilot, lambda: not open_on(video))  # closing the screen stopped the reading


async def test_the_state_shows_when_the_check_is_done(app, db, home):
    video = sparse(home / "活动视频.mp4", 64 << 20)
    recorded_then_changed(db, video)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        detail = await open_detail(pilot)
        await until(pilot, lambda: "文件已变更" in screen_text(app), tries=30_000)
        assert CHECKING not in screen_text(app)
        assert list(detail.marks.values()) == ["〔文件已变更〕"]
        # Asked again (another window's change redraws the screen), it costs a stat: no 核对中.
        detail.show()
        await pilot.pause()
        assert "文件已变更" in screen_text(app)


async def test_a_small_file_that_is_fine_shows_no_mark(app, db, home):
    photo = home / "合影.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    with Store(db) as store:
        store.add_evidence(2026, "markup", "file", str(photo), label="活动照片")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        detail = await open_detail(pilot)
        await until(pilot, lambda: not detail.checking)
        await pilot.pause()
        text = screen_text(app)
        assert "合影.jpg" in text and CHECKING not in text and "文件" not in text.split("合影.jpg", 1)[1].split("\n")[0]



@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to see the open file")
async def test_a_report_checks_its_files_in_a_worker_and_esc_cancels_it(app, db, home):
    from test_app_progress import open_archive_export
    from textual.widgets import RadioButton

    from screens.dialogs import ProgressDialog
    from screens.widgets import JobProgress

    video = sparse(home / "活动视频.mp4", 64 * GB)
    recorded_earlier_version(db, video)
    before = sorted(os.listdir(home))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        dialog = await open_archive_export(pilot, home / "年终总结.md")
        dialog.query_one("#opt-summary-md", RadioButton).value = True
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProgressDialog)
        bar = app.screen.query_one(JobProgress)
        await until(pilot, lambda: bar.done > 0, tries=3000)  # reading the 64 GB, the screen redraws
        assert bar.total == 64 * GB and "正在核对佐证文件 1/1 个" in bar.text
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is dialog)
        assert "已取消" in str(dialog.query_one("#dialog-error").render())
        await until(pilot, lambda: not open_on(video))
    assert sorted(os.listdir(home)) == before  # no 总结 written
