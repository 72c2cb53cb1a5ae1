"""Backups and the 档案 copies under hostile conditions (issue 12, items 3, 4, 11).

Backups ranked by what they hold, not by a writer's clock; the archive copy never loops
on a dangling link, never follows a symlinked folder, leaves nothing behind when it fails,
and names folders by bytes; NUL in text is a clear refusal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tracker.errors import StoreError
from tracker.model import EvidenceKind, Status
from tracker.state.store import BACKUPS_KEPT, InvalidChange, Store

Y = 2026
CST = timezone(timedelta(hours=8))
POSIX = os.name == "posix"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_a_clock_in_2150_cannot_push_out_todays_backup(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    wrong = Clock(datetime(2150, 1, 1, 9, 0, tzinfo=CST))
    s = Store(path, now=wrong)
    s.add_note(Y, "a", "第一条")
    for day in range(BACKUPS_KEPT + 1):  # a PC with a wrong clock writes on 8 "days"
        s.add_note(Y, "a", f"错误时钟第{day}天")
        wrong.now += timedelta(days=1)
    right = Store(path, now=lambda: datetime(Y, 6, 1, 9, 0, tzinfo=CST))
    right.add_note(Y, "a", "正确时钟")
    todays = s.backups_dir / f"state.jsonl.{Y}0601.bak"
    assert todays.exists(), "the backup just written was deleted"
    assert right.newest_backup() == todays  # it holds the most: the one to recommend
    assert Store(todays).revision == BACKUPS_KEPT + 2
    assert len(right.log.backups.list()) == BACKUPS_KEPT
    # every later write keeps it as well
    right.add_note(Y, "a", "再写一条")
    assert todays.exists()


def test_symlinked_backups_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "别处"
    outside.mkdir()
    folder = tmp_path / "数据"
    folder.mkdir()
    path = folder / "state.jsonl"
    clock = Clock(datetime(Y, 3, 1, 9, 0, tzinfo=CST))
    s = Store(path, now=clock)
    s.add_note(Y, "a", "x")
    (folder / "backups").symlink_to(outside)
    clock.now += timedelta(days=1)
    with pytest.raises(StoreError, match="链接"):
        s.add_note(Y, "a", "y")
    assert list(outside.iterdir()) == []
    assert Store(path).revision == 1


def test_a_plain_file_named_backups_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    clock = Clock(datetime(Y, 3, 1, 9, 0, tzinfo=CST))
    s = Store(path, now=clock)
    s.add_note(Y, "a", "x")
    assert not (tmp_path / "backups").exists()  # a new file has nothing to back up yet
    (tmp_path / "backups").write_text("不是文件夹")
    clock.now += timedelta(days=1)
    with pytest.raises(StoreError) as err:
        s.add_note(Y, "a", "y")
    assert str(tmp_path / "backups") in str(err.value) and "不是文件夹" in str(err.value)
    assert (tmp_path / "backups").read_text() == "不是文件夹"


LOOP = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tracker.model import EvidenceKind
    from tracker.state.store import Store

    s = Store(sys.argv[1])
    c = s.add_evidence(2026, "visit", EvidenceKind.FILE, sys.argv[2], archive_dir=Path(sys.argv[3]))
    print(s.state(2026, "visit").evidence[0].archived)
    """
)


@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_dangling_link_in_the_archive_does_not_loop(tmp_path: Path) -> None:
    photo = tmp_path / "签到表.jpg"
    photo.write_bytes(b"photo")
    archive = tmp_path / "档案"
    folder = archive / str(Y) / "visit"
    folder.mkdir(parents=True)
    (folder / "签到表.jpg").symlink_to(tmp_path / "不存在.jpg")
    try:
        result = subprocess.run(
            [sys.executable, "-c", LOOP, str(tmp_path / "state.jsonl"), str(photo), str(archive)],
            capture_output=True, timeout=60, env=child_env(),
        )
    except subprocess.TimeoutExpired:
        pytest.fail("archiving next to a dangling link never finished")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == str(folder / "签到表-1.jpg")
    assert (folder / "签到表.jpg").is_symlink()  # left as it was


@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_symlinked_folder_in_the_archive_is_not_followed(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    outside = tmp_path / "别处"
    outside.mkdir()
    archive = tmp_path / "档案"
    archive.mkdir()
    (archive / str(Y)).symlink_to(outside)
    s = Store(tmp_path / "state.jsonl")
    with pytest.raises(InvalidChange, match="链接"):
        s.add_evidence(Y, "visit", EvidenceKind.FILE, str(photo), archive_dir=archive)
    assert list(outside.iterdir()) == []
    assert s.revision == 0


def test_long_chinese_id_is_cut_by_bytes(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    s = Store(tmp_path / "state.jsonl")
    occ = "走访慰问烈属军属" * 15  # 120 characters, 360 bytes: too long for a folder name
    s.add_evidence(Y, occ, EvidenceKind.FILE, str(photo), archive_dir=tmp_path / "档案")
    copy = Path(s.state(Y, occ).evidence[0].archived)
    assert copy.read_bytes() == b"photo"
    assert len(copy.parent.name.encode()) <= 120


def test_dot_ids_get_folders_of_their_own(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    s = Store(tmp_path / "state.jsonl")
    archive = tmp_path / "档案"
    folders = set()
    for occ in (".", "..", "_"):
        s.add_evidence(Y, occ, EvidenceKind.FILE, str(photo), archive_dir=archive)
        copy = Path(s.state(Y, occ).evidence[0].archived)
        assert copy.parent.parent == archive / str(Y)  # never above the year's folder
        folders.add(copy.parent.name)
    assert len(folders) == 3


def test_failed_recording_leaves_no_empty_folders(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    s = Store(path)
    s.set_status(Y, "a", Status.DONE)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    path.write_bytes(path.read_bytes() + b"broken line\n")
    archive = tmp_path / "档案"
    archive.mkdir()
    with pytest.raises(StoreError):
        s.add_evidence(Y, "a", EvidenceKind.FILE, str(photo), archive_dir=archive)
    assert list(archive.iterdir()) == []  # the user's own folder stays, ours are gone


def test_nul_in_text_is_a_clear_refusal(tmp_path: Path) -> None:
    s = Store(tmp_path / "state.jsonl")
    for attempt in (
        lambda: s.add_evidence(Y, "a", EvidenceKind.FILE, "photo\0.jpg"),
        lambda: s.add_evidence(Y, "a", EvidenceKind.NOTE, "说明\0"),
        lambda: s.add_note(Y, "a", "备注\0"),
    ):
        with pytest.raises(InvalidChange, match="空字符"):
            attempt()
    assert s.revision == 0
