"""A FIFO (or any non-file) where a file is read: refused or skipped at once, never waited
on; and whatever makes an input unreadable is said in Chinese.

Opening a FIFO to read blocks until something writes to it; a colleague's shared folder
can hold one named like the plan, its holidays.toml or a document to import. Each case
runs the real command in a child process with a time limit: a hang fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.plan.bundled import template_path

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")

ROOT = Path(__file__).resolve().parent.parent


def run(env: Path, *args: str) -> subprocess.CompletedProcess:
    child = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGYONG_")}
    child.update(
        PYTHONPATH=str(ROOT), SHUANGYONG_CONFIG=str(env / "config.toml"), SHUANGYONG_CACHE=str(env / "cache"),
        SHUANGYONG_HOLIDAYS=str(env / "user-holidays.toml"),
    )
    try:
        return subprocess.run([sys.executable, "-c", "from tracker.cli import main; main()", *args], cwd=env,
                              env=child, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung: {args}")


@pytest.fixture()
def folder(tmp_path):
    shutil.copy(template_path("shequ"), tmp_path / "plan.toml")
    return tmp_path


def base(folder: Path) -> list[str]:
    return ["--plan", str(folder / "plan.toml"), "--db", str(folder / "state.jsonl"), "--today", "2026-03-02"]


def test_a_fifo_named_like_the_plan_is_refused(folder):
    os.mkfifo(folder / "pipe.toml")
    result = run(folder, "--plan", str(folder / "pipe.toml"), "--db", str(folder / "state.jsonl"), "list")
    assert result.returncode == 1
    assert "不是普通文件" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("which", ["holidays.toml", "user-holidays.toml"])
def test_a_fifo_holidays_file_is_skipped_with_a_warning(folder, which):
    os.mkfifo(folder / which)
    listed = run(folder, *base(folder), "list", "--month", "3")
    assert listed.returncode == 0, listed.stderr
    assert "leifeng" in listed.stdout
    checked = run(folder, "validate", str(folder / "plan.toml"))
    assert checked.returncode == 0, checked.stderr
    assert "无法读取节假日文件" in checked.stdout + checked.stderr


def test_a_fifo_config_file_is_an_error_not_a_hang(folder):
    os.mkfifo(folder / "config.toml")
    result = run(folder, "list")
    assert result.returncode == 1
    assert "配置文件" in result.stderr and "不是普通文件" in result.stderr


def test_a_fifo_indicator_catalogue_is_reported(folder):
    plan = folder / "plan.toml"
    plan.write_text('indicator_catalogue = "指标.toml"\n' + plan.read_text(encoding="utf-8"), encoding="utf-8")
    os.mkfifo(folder / "指标.toml")
    result = run(folder, "validate", str(plan))
    assert "不是普通文件" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["计划.docx", "计划.txt"])
def test_a_fifo_document_to_import_is_refused(folder, name):
    os.mkfifo(folder / name)
    result = run(folder, "import", str(folder / name), "-o", str(folder / "out.toml"))
    assert result.returncode == 1
    assert "不是普通文件" in result.stderr and not (folder / "out.toml").exists()


@pytest.mark.parametrize("name", ["通知.txt", "通知.docx"])
def test_a_fifo_holidays_notice_is_refused(folder, name):
    os.mkfifo(folder / name)
    result = run(folder, "holidays", "import", str(folder / name))
    assert result.returncode == 1
    assert "不是普通文件" in result.stderr


def test_fifos_in_every_cache_files_place_are_misses(folder):
    first = run(folder, *base(folder), "list", "--json")
    assert first.returncode == 0, first.stderr
    caches = [p for p in (folder / "cache").rglob("*") if p.is_file()]
    assert caches
    for path in caches:
        path.unlink()
        os.mkfifo(path)
    again = run(folder, *base(folder), "list", "--json")
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


def test_unreadable_inputs_are_explained_in_chinese(folder):
    (folder / "holidays.toml").symlink_to("holidays.toml")  # a link to itself
    checked = run(folder, "validate", str(folder / "plan.toml"))
    assert checked.returncode == 0, checked.stderr
    assert "无法读取节假日文件（符号链接绕成了圈）" in checked.stdout + checked.stderr
    (folder / "holidays.toml").unlink()
    (folder / "config.toml").mkdir()
    result = run(folder, "list")
    assert result.returncode == 1
    assert "无法读取配置文件" in result.stderr and "是文件夹" in result.stderr


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_plan_link_that_loops_or_dangles_is_named_for_what_it_is(folder):
    (folder / "a.toml").symlink_to(folder / "b.toml")
    (folder / "b.toml").symlink_to(folder / "a.toml")
    (folder / "gone.toml").symlink_to(folder / "没有这个.toml")
    db = ("--db", str(folder / "state.jsonl"))
    for plan, said in (("a.toml", "符号链接绕成了圈"), ("b.toml/x.toml", "符号链接绕成了圈"), ("gone.toml", "计划文件不存在")):
        for args in (("list",), ("show", "leifeng"), ("export", "ics", "-o", str(folder / "out.ics"))):
            result = run(folder, "--plan", str(folder / plan), *db, *args)
            assert result.returncode == 1, (plan, args, result.stderr)
            assert said in result.stderr and "Traceback" not in result.stderr, (plan, args, result.stderr)
    checked = run(folder, "validate", str(folder / "a.toml"), str(folder / "gone.toml"), str(folder / "不在.toml"))
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    lines = checked.stderr.splitlines()
    assert any(line.startswith(str(folder / "a.toml")) and "符号链接绕成了圈" in line for line in lines), lines
    assert any(line.startswith(str(folder / "gone.toml")) and "找不到计划文件" in line for line in lines), lines
    assert any(line.startswith(str(folder / "不在.toml")) and "文件不存在" in line for line in lines), lines
    assert not (folder / "out.ics").exists() and not (folder / "state.jsonl").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_configuring_a_state_file_through_a_link_loop_is_one_line_not_a_traceback(folder):
    (folder / "a.jsonl").symlink_to(folder / "b.jsonl")
    (folder / "b.jsonl").symlink_to(folder / "a.jsonl")
    result = run(folder, "config", "--db", str(folder / "a.jsonl"))
    assert result.returncode == 70
    assert result.stderr.strip() == f"错误：路径中的符号链接绕成了圈：'{folder / 'a.jsonl'}'"
    assert not (folder / "config.toml").exists()
