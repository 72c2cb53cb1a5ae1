"""Fixtures shared by the test files: an isolated user and the CLI run on the bundled plan."""

from __future__ import annotations

import os
import tempfile

import pytest

# Tests never read the machine user's holidays file or write to their plan cache.
_SCRATCH = tempfile.mkdtemp(prefix="shuangyong-tests-")
os.environ.setdefault("SHUANGYONG_HOLIDAYS", os.path.join(_SCRATCH, "holidays.toml"))
os.environ.setdefault("SHUANGYONG_CACHE", os.path.join(_SCRATCH, "cache"))


@pytest.fixture()
def env(tmp_path, monkeypatch):
    """An isolated user: own config file, no configured plan or state file, cwd in tmp_path."""
    monkeypatch.setenv("SHUANGYONG_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("SHUANGYONG_HOLIDAYS", str(tmp_path / "holidays.toml"))
    monkeypatch.setenv("SHUANGYONG_CACHE", str(tmp_path / "cache"))
    for name in ("SHUANGYONG_PLAN", "SHUANGYONG_DB", "SHUANGYONG_TODAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path
