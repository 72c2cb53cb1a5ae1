"""Digests of large evidence files kept between runs (tracker.state.digests): used only for
exactly the same file version, ignored when damaged, never a hang."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import pytest

from helpers import run_cli
from tracker import evidence
from tracker.evidence import CHANGED, PRESENT, file_state
from tracker.state import digests

BIG = digests.MIN_BYTES + 4096


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SHUANGYONG_CACHE", str(tmp_path / "cache"))
    digests.forget()
    evidence._digests.clear()
    yield tmp_path / "cache" / "digests.json"
    digests.forget()
    evidence._digests.clear()


def big_file(path, tail: bytes = b"end"):
    """A sparse file (no disk space, fast to make) with a few real bytes at the end."""
    with open(path, "wb") as f:
        f.truncate(BIG - len(tail))
        f.seek(0, os.SEEK_END)
        f.write(tail)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def new_run() -> None:
    """What a new process starts with: nothing in memory."""
    digests.forget()
    evidence._digests.clear()


def entries(cache) -> dict:
    return json.loads(cache.read_bytes())["digests"]


def forge(cache, path, digest: str) -> None:
    """Put `digest` in the cache for the file as it is now."""
    forged = {digests.key(os.stat(path)): digest}
    data = {"format": digests.FORMAT, "crc": digests._crc(forged), "digests": forged}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(data), encoding="utf-8")
    new_run()


def test_a_large_file_is_read_once_then_known_by_its_version(tmp_path, cache):
    video = tmp_path / "视频.mp4"
    digest = big_file(video)
    assert file_state(str(video), BIG, digest) == PRESENT
    assert entries(cache) == {digests.key(os.stat(video)): digest}
    # The next run believes the cache for this exact version (shown by a forged entry) ...
    forge(cache, video, "0" * 64)
    assert file_state(str(video), BIG, digest) == CHANGED
    # ... and no longer once the mtime differs, even by a nanosecond.
    st = os.stat(video)
    os.utime(video, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    new_run()
    assert file_state(str(video), BIG, digest) == PRESENT


def test_another_inode_with_the_same_size_and_mtime_is_read_again(tmp_path, cache):
    video = tmp_path / "视频.mp4"
    digest = big_file(video)
    forge(cache, video, "0" * 64)
    st = os.stat(video)
    other = tmp_path / "换过的.mp4"
    big_file(other, b"END")  # same size, other bytes
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, video)
    assert file_state(str(video), BIG, digest) == CHANGED  # read, not believed: other bytes
    assert file_state(str(video), BIG, hashlib.sha256(b"x").hexdigest()) == CHANGED


@pytest.mark.parametrize("damage", [b"\x00garbage{", b'{"format": 1, "digests": [1, 2]}', b'{"format": 1, "digests": {"k": 5}}',
                                    b"[]", b'{"format": 99, "digests": {}}'])
def test_a_damaged_cache_is_ignored_silently_and_replaced(tmp_path, cache, damage):
    video = tmp_path / "视频.mp4"
    digest = big_file(video)
    cache.parent.mkdir(parents=True)
    cache.write_bytes(damage)
    new_run()
    assert file_state(str(video), BIG, digest) == PRESENT
    assert entries(cache) == {digests.key(os.stat(video)): digest}


def test_a_damaged_digest_is_not_believed(tmp_path, cache):
    # A byte changed on disk inside a digest: the file must be read again, not reported changed.
    video = tmp_path / "视频.mp4"
    digest = big_file(video)
    assert file_state(str(video), BIG, digest) == PRESENT
    text = cache.read_text(encoding="utf-8")
    flipped = "1" if digest[10] != "1" else "2"
    cache.write_text(text.replace(digest, digest[:10] + flipped + digest[11:]), encoding="utf-8")
    new_run()
    assert file_state(str(video), BIG, digest) == PRESENT
    assert entries(cache) == {digests.key(os.stat(video)): digest}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_the_caches_place_does_not_hang(tmp_path, cache):
    video = tmp_path / "视频.mp4"
    digest = big_file(video)
    cache.parent.mkdir(parents=True)
    os.mkfifo(cache)
    new_run()
    assert file_state(str(video), BIG, digest) == PRESENT


def test_small_files_and_a_cache_turned_off_write_nothing(tmp_path, cache, monkeypatch):
    small = tmp_path / "签到表.pdf"
    small.write_bytes(b"%PDF")
    assert file_state(str(small), 4, hashlib.sha256(b"%PDF").hexdigest()) == PRESENT
    assert not cache.exists()
    monkeypatch.setenv("SHUANGYONG_CACHE", "0")
    video = tmp_path / "视频.mp4"
    digest = big_file(video)
    assert file_state(str(video), BIG, digest) == PRESENT
    assert not cache.exists() and not (tmp_path / "0").exists()


def test_attaching_a_file_records_its_digest_for_show(env, cache):
    video = env / "视频.mp4"
    digest = big_file(video)
    occ = "regular-meeting@2026Q1"
    run_cli(env, "evidence", occ, "--file", str(video), "--label", "会议记录")
    assert entries(cache) == {digests.key(os.stat(video)): digest}
    forge(cache, video, "0" * 64)  # show believes it: it does not read the file again
    assert "文件已变更" in run_cli(env, "show", occ).stdout
    shutil.copy(video, env / "copy.mp4")  # an unrelated copy has its own identity
    assert digests.lookup(os.stat(env / "copy.mp4")) is None
