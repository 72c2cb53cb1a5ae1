"""The state file is one file whatever path reaches it (issue 12, items 2 and 6).

Hard links are refused, a symlink put in place while a program has the file open leads
every program to the same lock, a program appending without our lock is never written
over, and a pipe or device swapped in for the file is refused without hanging.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tracker.errors import StoreError
from tracker.model import Status
from tracker.state.store import Store

Y = 2026
POSIX = os.name == "posix"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_hard_linked_state_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    Store(path).set_status(Y, "a", Status.DONE)
    other = tmp_path / "共享" / "state.jsonl"
    other.parent.mkdir()
    os.link(path, other)
    before = path.read_bytes()
    for name in (path, other):
        with pytest.raises(StoreError, match="硬链接") as err:
            Store(name).add_note(Y, "a", "经由另一个名字")
        assert str(name) in str(err.value)
    assert path.read_bytes() == before


def test_hard_link_through_the_cli_is_a_clear_error(tmp_path: Path) -> None:
    from helpers import run_cli

    run_cli(tmp_path, "done", "annual-plan")
    os.link(tmp_path / "state.jsonl", tmp_path / "link.jsonl")
    result = run_cli(tmp_path, "done", "annual-plan", ok=False, db="link.jsonl")
    assert result.exit_code != 0
    assert "硬链接" in result.output and "Traceback" not in result.output


def test_append_by_a_program_without_the_lock_is_read_not_overwritten(tmp_path: Path) -> None:
    """Between our read and our write another program appends (no lock: a network share
    whose locks are not shared). We must read its record and write after it."""
    path = tmp_path / "state.jsonl"
    s = Store(path, user="甲")
    s.set_status(Y, "a", Status.DONE)
    theirs = {"seq": 2, "at": "2026-03-01T09:00:00+08:00", "by": "乙", "year": Y, "occ": "b",
              "op": "note", "new": "另一台电脑写的"}
    real_clock = s._clock
    calls = [0]

    def clock():
        calls[0] += 1
        if calls[0] == 2:  # inside our write, after our read
            with open(path, "ab") as f:
                f.write(json.dumps({"t": "changes", "id": 2, "doc": theirs}, ensure_ascii=False).encode() + b"\n")
        return real_clock()

    s._clock = clock
    mine = s.add_note(Y, "a", "本机写的")
    assert mine.seq == 3
    fresh = Store(path)
    assert [c.seq for c in fresh.history()] == [1, 2, 3]
    assert fresh.state(Y, "b").notes == "另一台电脑写的"
    assert fresh.state(Y, "a").notes == "本机写的"


WRITER = textwrap.dedent(
    """
    import sys
    from tracker.state.store import Store

    store = Store(sys.argv[1], user=sys.argv[2])
    store.refresh()
    print("ready", flush=True)
    sys.stdin.readline()
    store.refresh()
    for i in range(int(sys.argv[3])):
        store.add_note(2026, f"shared-{i % 10}", f"{sys.argv[2]} {i}")
    print("done", flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_symlink_put_in_place_while_open_shares_one_lock(tmp_path: Path) -> None:
    """A program has the file open; the file is moved into a shared folder with a link left
    behind; a second program opens it there. Both write at once: nothing is lost."""
    here = tmp_path / "state.jsonl"
    Store(here).set_status(Y, "a", Status.DONE)
    first = subprocess.Popen([sys.executable, "-c", WRITER, str(here), "甲", "300"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
    assert first.stdout.readline() == b"ready\n", first.stderr.read().decode()
    shared = tmp_path / "共享"
    shared.mkdir()
    there = shared / "state.jsonl"
    os.rename(here, there)
    here.symlink_to(there)
    second = subprocess.Popen([sys.executable, "-c", WRITER, str(there), "乙", "300"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
    try:
        assert second.stdout.readline() == b"ready\n", second.stderr.read().decode()
        for p in (first, second):
            p.stdin.write(b"go\n")
            p.stdin.flush()
        for p in (first, second):
            out, err = p.communicate(timeout=180)
            assert p.returncode == 0, err.decode()
    finally:
        for p in (first, second):
            if p.poll() is None:
                p.kill()
                p.wait()
    s = Store(there)
    assert s.revision == 601
    assert [c.seq for c in s.history()] == list(range(1, 602))
    notes = [n for j in range(10) for n in s.state(Y, f"shared-{j}").notes.splitlines()]
    assert sorted(notes) == sorted([f"甲 {i}" for i in range(300)] + [f"乙 {i}" for i in range(300)])


PROBE = textwrap.dedent(
    """
    import os, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # a runaway read fails fast
    from tracker.errors import StoreError
    from tracker.state.store import Store

    store = Store(sys.argv[1])
    os.unlink(sys.argv[1])
    if sys.argv[2] == "fifo":
        os.mkfifo(sys.argv[1])
    else:
        os.symlink("/dev/zero", sys.argv[1])
    try:
        store.refresh()
    except StoreError as exc:
        print("refused", exc)
    else:
        print("read")
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="FIFO and /dev/zero as on Linux")
@pytest.mark.parametrize("swap", ["fifo", "zero"])
def test_state_path_swapped_for_a_pipe_or_device_is_refused_fast(tmp_path: Path, swap: str) -> None:
    path = tmp_path / "state.jsonl"
    Store(path).set_status(Y, "a", Status.DONE)
    try:
        result = subprocess.run([sys.executable, "-c", PROBE, str(path), swap], capture_output=True,
                                timeout=60, env=child_env())
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading a state path swapped for {swap} hung")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert out.startswith("refused") and "不是普通文件" in out, out


def test_blank_state_path_is_a_clear_error(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from tracker.cli import cli
    from tracker.plan.bundled import default_plan_path

    monkeypatch.setenv("SHUANGYONG_DB", " ")
    result = CliRunner().invoke(cli, ["--plan", str(default_plan_path()), "--today", "2026-06-15",
                                      "done", "annual-plan"])
    assert result.exit_code != 0
    assert "状态文件路径是空的" in result.output
    assert not (env / " ").exists()
    assert json.dumps(result.output)  # printed, not raised
