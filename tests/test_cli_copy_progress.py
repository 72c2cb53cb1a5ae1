"""`evidence --file … --archive` and `done … --file … --archive` as real processes: on a
terminal (a pty) one progress line rewritten with \\r, 已复制 x / y（p%）; through a pipe
nothing; Ctrl+C (SIGINT) during the copy leaves no partial file, records nothing and exits 130
with a Chinese message. Files are sparse (made at once, no disk space)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import TODAY

from tracker.plan.bundled import default_plan_path
from tracker.state.store import Store

OCC = "regular-meeting@2026Q1"
GB = 1 << 30

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="ptys and SIGINT as on POSIX")


def sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def command(env: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "tracker.cli", "--plan", str(default_plan_path()), "--db",
            str(env / "state.jsonl"), "--today", TODAY, "--by", "小王", *args]


def on_a_terminal(env: Path, *args: str, interrupt_when=None) -> tuple[int, str]:
    """Run with stderr on a pty (stdout a pipe); SIGINT once `interrupt_when(output so far)`.
    Returns the exit status and everything the terminal received."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(command(env, *args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, cwd=env)
    os.close(slave)
    received = b""
    sent = False
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            received += chunk
            if interrupt_when is not None and not sent and interrupt_when(received.decode("utf-8", "replace")):
                proc.send_signal(signal.SIGINT)
                sent = True
    finally:
        os.close(master)
    proc.stdout.read()
    code = proc.wait()
    assert interrupt_when is None or sent
    return code, received.decode("utf-8", "replace")


def files_under(folder: Path) -> list[str]:
    return sorted(os.path.join(d, f) for d, _, names in os.walk(folder) for f in names)


def recorded(env: Path):
    if not (env / "state.jsonl").exists():
        return ()
    with Store(env / "state.jsonl") as store:
        return store.state(2026, OCC).evidence, store.state(2026, OCC).status


def test_a_terminal_sees_one_line_of_progress(env):
    video = sparse(env / "活动视频.mp4", 64 << 20)
    code, shown = on_a_terminal(env, "evidence", OCC, "--file", str(video), "--label", "会议记录", "--archive")
    assert code == 0, shown
    assert "\r已复制 " in shown and shown.rstrip().endswith("已复制 64.0 MB / 64.0 MB（100%）")
    assert "\x1b" not in shown and shown.count("\n") == 1  # one line, rewritten in place
    (item,) = recorded(env)[0]
    assert item.size == 64 << 20 and item.archived and os.path.getsize(item.archived) == 64 << 20


def test_a_pipe_gets_no_progress(env):
    video = sparse(env / "活动视频.mp4", 64 << 20)
    result = subprocess.run(command(env, "evidence", OCC, "--file", str(video), "--archive"),
                            capture_output=True, text=True, cwd=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and "已复制" not in result.stdout and "\r" not in result.stdout
    assert len(recorded(env)[0]) == 1


@pytest.mark.parametrize("verb", ["evidence", "done"])
def test_ctrl_c_on_a_terminal_leaves_nothing(env, verb):
    video = sparse(env / "活动视频.mp4", 2 * GB)
    before = recorded(env)

    def copying(shown: str) -> bool:
        return "已复制 " in shown and "已复制 0 KB" not in shown.rsplit("\r", 1)[-1]

    code, shown = on_a_terminal(env, verb, OCC, "--file", str(video), "--archive", interrupt_when=copying)
    assert code == 130, shown
    assert "错误：已中断：文件没有复制进档案，也没有记录。" in shown
    assert "Traceback" not in shown and "%）\r\n错误" in shown  # the progress line ended first
    assert files_under(env / "档案") == []
    assert not (env / "档案").exists() or not any((env / "档案").iterdir())  # no folder left either
    assert recorded(env) == before  # nothing recorded: no evidence, `done` did not tick it


def test_ctrl_c_through_a_pipe_leaves_nothing(env):
    video = sparse(env / "活动视频.mp4", 2 * GB)
    proc = subprocess.Popen(command(env, "evidence", OCC, "--file", str(video), "--archive"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=env)
    try:
        for _ in range(6000):  # until the copy is under way
            copies = files_under(env / "档案")
            if copies and os.path.getsize(copies[0]) > 0:
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert err.decode() == "错误：已中断：文件没有复制进档案，也没有记录。\n" and out == b""
    assert files_under(env / "档案") == []
    assert recorded(env) == ()


def test_report_archive_rewrites_its_line_on_a_terminal(env):
    photo = env / "照片.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    subprocess.run(command(env, "evidence", OCC, "--file", str(photo)), check=True, capture_output=True, cwd=env)
    code, shown = on_a_terminal(env, "report", "archive", "-o", str(env / "档案.zip"))
    assert code == 0, shown
    assert "\r正在复制佐证文件 1/1" in shown and "\\r" not in shown  # a carriage return, not its escape
