"""One rule for where the caches live and when they are off (tracker.settings.cache_folder):
the plan cache, the checkpoints and the digests of large evidence files all follow it, and
``SHUANGYONG_CACHE=0`` writes none of them anywhere (not into a folder named ``0``, not into
the platform's cache folder)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.plan import cache as plan_cache
from tracker.plan.bundled import template_path
from tracker.state import checkpoint, digests

CACHE_NAMES = ("plans", "checkpoints", "digests.json")


@pytest.fixture()
def world(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    for name, value in (("HOME", home), ("XDG_CACHE_HOME", home / ".cache"),
                        ("SHUANGYONG_CONFIG", tmp_path / "config.toml"),
                        ("SHUANGYONG_HOLIDAYS", tmp_path / "holidays.toml")):
        monkeypatch.setenv(name, str(value))
    for name in ("SHUANGYONG_PLAN", "SHUANGYONG_DB", "SHUANGYONG_TODAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    # Small enough here that each cache would be written: a checkpoint, a digest.
    monkeypatch.setattr(checkpoint, "MIN_BYTES", 0)
    monkeypatch.setattr(checkpoint, "REFRESH_BYTES", 1)
    monkeypatch.setattr(digests, "MIN_BYTES", 1)
    plan = tmp_path / "计划.toml"
    shutil.copy(template_path("shequ"), plan)
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"photo" * 1000)
    plan_cache._ENTRIES.clear()
    digests.forget()
    yield tmp_path, plan, photo
    plan_cache._ENTRIES.clear()
    digests.forget()


def _use(tmp: Path, plan: Path, photo: Path) -> None:
    base = ["--plan", str(plan), "--db", str(tmp / "state.jsonl"), "--today", "2026-06-15", "--by", "小王"]
    for args in (["evidence", "regular-meeting@2026Q1", "--file", str(photo), "--label", "会议记录"],
                 ["evidence", "regular-meeting@2026Q1", "--note", "记录"],
                 ["list"], ["show", "regular-meeting@2026Q1"]):
        result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        digests.forget()  # the next command reads the cache file as a new process would


def _cache_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.name in CACHE_NAMES or p.name == "0" or p.suffix in (".pickle", ".ckpt"))


def test_one_folder_holds_every_cache(world, monkeypatch):
    tmp, plan, photo = world
    monkeypatch.setenv("SHUANGYONG_CACHE", str(tmp / "cache"))
    _use(tmp, plan, photo)
    assert sorted(p.name for p in (tmp / "cache").iterdir()) == sorted(CACHE_NAMES)
    assert list((tmp / "cache" / "plans").glob("*.pickle"))
    assert list((tmp / "cache" / "checkpoints").glob("*.ckpt"))


@pytest.mark.parametrize("off", ["0", " 0 "])
def test_cache_off_writes_nothing_anywhere(world, monkeypatch, off):
    tmp, plan, photo = world
    monkeypatch.setenv("SHUANGYONG_CACHE", off)
    _use(tmp, plan, photo)
    assert _cache_files(tmp) == []
    assert not (tmp / "home" / ".cache").exists()


def test_unset_means_the_platforms_cache_folder(world, monkeypatch):
    tmp, plan, photo = world
    monkeypatch.delenv("SHUANGYONG_CACHE", raising=False)
    _use(tmp, plan, photo)
    folder = tmp / "home" / ".cache" / "shuangyong-tui"
    assert sorted(p.name for p in folder.iterdir()) == sorted(CACHE_NAMES)
