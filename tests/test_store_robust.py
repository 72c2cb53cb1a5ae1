"""The state file under hostile conditions: killed writers, concurrent writers, damaged
files, read-only folders, a full disk, symlinks and folders in the way.

Writers are real processes: the SIGKILL loop forks a new writer for every kill (each opens
the file itself); the concurrency test starts fresh interpreters.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

import pytest

from tracker.errors import StoreError
from tracker.model import EvidenceKind, Status
from tracker.state.store import FORMAT, InvalidChange, Store

Y = 2026
POSIX = os.name == "posix"

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def run_in_child(fn: Callable[[], object], *, unprivileged: bool = False) -> str:
    """Run fn in a forked process; "OK:<result>" or "<ExceptionName>:<message>".

    unprivileged: when running as root, the child drops to nobody first, because root
    ignores file permissions and a read-only folder would not be read-only to it.
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(r)
            if unprivileged and os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            out = f"OK:{fn()}"
        except BaseException as exc:  # report everything to the parent
            out = f"{type(exc).__name__}:{exc}"
        finally:
            try:
                os.write(w, out.encode("utf-8"))
            finally:
                os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8")


@contextlib.contextmanager
def shared_tmp() -> Iterator[Path]:
    """A temporary folder an unprivileged child can reach (pytest's tmp_path is 0700)."""
    base = Path(tempfile.mkdtemp(prefix="store-robust-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for p in [base, *base.rglob("*")]:
            with contextlib.suppress(OSError):
                if not p.is_symlink():
                    p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(base, ignore_errors=True)


def make_store_file(path: Path, n: int = 5) -> Store:
    s = Store(path, user="王敏")
    for i in range(n):
        s.set_status(Y, f"task-{i}", Status.DONE)
        s.add_note(Y, f"task-{i}", f"第{i}条备注")
    return s


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (lock files aside) with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


# ---------------------------------------------------------------------------
# (a) a writer killed with SIGKILL, again and again
# ---------------------------------------------------------------------------

KILLS = 100


def _writer(path: Path, tag: str, go: int, acks: int) -> None:  # pragma: no cover - child
    """A writer process: appends as fast as it can, acknowledging each change on `acks`."""
    from tracker.state.backups import atomic_write

    store = Store(path, user="测试员")
    os.write(acks, b"ready\n")
    os.read(go, 1)
    i = 0
    while True:
        occ = f"{tag}-{i}"
        k = i % 6
        if k == 0:
            c = store.set_status(Y, occ, Status.DONE)
        elif k == 1:
            c = store.add_note(Y, occ, f"第{i}条：走访慰问已完成")
        elif k == 2:
            c = store.add_evidence(Y, occ, EvidenceKind.URL, f"https://example.org/{tag}/{i}", label="信息")
        elif k == 3:
            c = store.set_owner(Y, occ, "退役军人服务站")
        elif k == 4:
            c = store.undo()
        else:
            # the file replaced as a whole (a restore, a sync tool): temporary file + rename
            with store.locked():
                atomic_write(path, path.read_bytes(), 0o644)
            store.refresh()
            i += 1
            continue
        # written only after the method returned: this change is acknowledged
        os.write(acks, f"{c.seq} {c.op} {c.occurrence}\n".encode())
        i += 1


def _start_writer(path: Path, tag: str) -> tuple[int, int, int]:
    """Fork a writer; returns (pid, go fd, acks fd) once it has opened the file."""
    go_r, go_w = os.pipe()
    ack_r, ack_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.close(go_w)
            os.close(ack_r)
            _writer(path, tag, go_r, ack_w)
        except BaseException as exc:
            os.write(2, f"writer failed: {exc!r}\n".encode())
            os._exit(3)
        os._exit(0)
    os.close(go_r)
    os.close(ack_w)
    ready = b""
    while not ready.endswith(b"\n"):
        chunk = os.read(ack_r, 1)
        assert chunk, "writer died before it was ready"
        ready += chunk
    assert ready == b"ready\n"
    return pid, go_w, ack_r


@pytest.mark.slow
@needs_fork
@pytest.mark.skipif(not POSIX, reason="SIGKILL")
def test_killed_writer_never_loses_acknowledged_changes(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    rnd = random.Random(20260801)
    acked: dict[int, tuple[str, str]] = {}
    unfinished = 0
    for n in range(KILLS):
        pid, go, acks = _start_writer(path, f"k{n}")
        os.write(go, b"g")
        time.sleep(rnd.uniform(0.005, 0.05))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL  # killed, not crashed
        chunks = []
        while chunk := os.read(acks, 65536):
            chunks.append(chunk)
        os.close(acks)
        os.close(go)
        for line in b"".join(chunks).decode("utf-8", "replace").splitlines(keepends=True):
            if not line.endswith("\n"):
                continue  # the kill cut the acknowledgement itself short: unknown, not lost
            seq, op, occ = line.split()
            acked[int(seq)] = (op, occ)
        # the first kill may land before anything was written: no file yet is fine
        unfinished += path.exists() and not path.read_bytes().endswith(b"\n")

        # after every kill the file loads and holds every acknowledged change
        fresh = Store(path)
        recorded = {c.seq: c for c in fresh.history()}
        for seq, (op, occ) in acked.items():
            assert seq in recorded, f"acknowledged change {seq} lost after kill {n}"
            assert (recorded[seq].op, recorded[seq].occurrence) == (op, occ)
        assert fresh.revision >= max(acked, default=0)
        assert sorted(recorded) == list(range(1, fresh.revision + 1))
        # a kill during a rewrite may leave its temporary file; the next rewrite removes it
        assert len([p for p in path.parent.iterdir() if p.name.endswith(".tmp")]) <= 1

    assert len(acked) > KILLS  # the writers did get work done between kills
    final = Store(path)
    states = final.states(Y)
    undone = {c.undoes for c in final.history() if c.op == "undo"}
    for seq, (op, occ) in acked.items():
        if op == "status" and seq not in undone:
            assert states[occ].status is Status.DONE
    assert json.loads(path.read_bytes().splitlines()[0])["format"] == FORMAT
    print(f"{KILLS} kills, {len(acked)} acknowledged changes, {unfinished} unfinished last lines")


# ---------------------------------------------------------------------------
# (b) two processes at the same time
# ---------------------------------------------------------------------------

TICKER = textwrap.dedent(
    """
    import sys
    from tracker.model import Status
    from tracker.state.store import Store

    store = Store(sys.argv[1], user=sys.argv[2])
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(int(sys.argv[3])):
        store.set_status(2026, f"{sys.argv[2]}-{i:03d}", Status.DONE)
        store.add_note(2026, f"shared-{i % 20:02d}", f"{sys.argv[2]} 第{i}次")
    print("done", flush=True)
    """
)


@pytest.mark.slow
def test_two_processes_never_lose_each_others_updates(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    watcher = Store(path)  # a third program with the file open, e.g. the app
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", TICKER, str(path), name, "200"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(),
        )
        for name in ("甲", "乙")
    ]
    try:
        for p in procs:
            assert p.stdout.readline() == b"ready\n", p.stderr.read().decode()
        for p in procs:  # start both together
            p.stdin.write(b"go\n")
            p.stdin.flush()
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
            assert out == b"done\n"
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert watcher.refresh()
    for s in (watcher, Store(path)):
        states = s.states(Y)
        ticked = {k for k, v in states.items() if not k.startswith("shared") and v.status is Status.DONE}
        assert len(ticked) == 400
        assert ticked == {f"{n}-{i:03d}" for n in ("甲", "乙") for i in range(200)}
        for j in range(20):  # both processes' notes on the same occurrences are all there
            notes = states[f"shared-{j:02d}"].notes.splitlines()
            assert len(notes) == 20
            assert sum(n.startswith("甲") for n in notes) == 10
        assert s.revision == 800
        assert [c.seq for c in s.history()] == list(range(1, 801))
    # the watcher can write on top without losing anything
    c = watcher.set_status(Y, "甲-000", Status.DOING)
    assert c.seq == 801


def test_busy_lock_is_a_clear_error(tmp_path: Path) -> None:
    from filelock import FileLock

    path = tmp_path / "state.jsonl"
    s = make_store_file(path, 1)
    s2 = Store(path, lock_timeout=0.2)
    before = path.read_bytes()
    holder = FileLock(str(path) + ".lock", thread_local=False)
    with holder:
        with pytest.raises(StoreError, match="正被其他程序使用"):
            s2.set_status(Y, "x", Status.DONE)
    assert path.read_bytes() == before
    s2.set_status(Y, "x", Status.DONE)


# ---------------------------------------------------------------------------
# (c) damaged files: a clear error, and the file is never written
# ---------------------------------------------------------------------------


def _garbage_middle(raw: bytes) -> bytes:
    lines = raw.splitlines(keepends=True)
    return b"".join(lines[:4] + [b"%%% garbage {{{\n"] + lines[4:])


def _record(doc: dict, id_: object = 99, t: object = "changes") -> bytes:
    return json.dumps({"t": t, "id": id_, "doc": doc}, ensure_ascii=False).encode() + b"\n"


DAMAGE = {
    "garbage in the middle": _garbage_middle,
    "truncated header": lambda raw: raw[:25],
    "header cut, body kept": lambda raw: raw[:25] + b"\n" + raw.split(b"\n", 1)[1],
    "random bytes": lambda raw: random.Random(3).randbytes(4000),
    "tinydb json file": lambda raw: b'{"_default": {"1": {"status": "done"}}}',
    "json list": lambda raw: b"[1, 2, 3]\n",
    "record of wrong shape": lambda raw: raw + b'{"t": "changes", "id": "x", "doc": 5}\n',
    "record without doc": lambda raw: raw + b'{"t": "changes", "id": 11}\n',
    "event of wrong shape": lambda raw: raw + _record({"foo": 1}, 11),
    "unknown operation": lambda raw: raw + _record(
        {"seq": 11, "at": "2026-03-01T09:00:00+08:00", "by": "x", "year": 2026, "occ": "a", "op": "explode"}, 11),
    "unknown status": lambda raw: raw + _record(
        {"seq": 11, "at": "2026-03-01T09:00:00+08:00", "by": "x", "year": 2026, "occ": "a", "op": "status",
         "new": "finished-ish"}, 11),
    "bad event and an unfinished last line": lambda raw: raw + _record({"foo": 1}, 11)
    + b'{"t":"changes","id":12,"doc":{"se',
    "duplicate id": lambda raw: raw + raw.splitlines(keepends=True)[1],
    "bad last line with newline": lambda raw: raw + b"not json at all\n",
    "invalid utf-8": lambda raw: raw.replace("备注".encode(), b"\xff\xfe", 1),
    "emptied, with backups beside it": lambda raw: b"",
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_damaged_file_is_refused_and_never_written(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "state.jsonl"
    s = make_store_file(path)
    backup = s.newest_backup()
    assert backup is not None and backup.exists()
    bad = DAMAGE[damage](path.read_bytes())
    path.write_bytes(bad)
    before = snapshot(tmp_path)

    with pytest.raises(StoreError) as err:
        Store(path)
    message = str(err.value)
    assert str(path) in message
    if damage.startswith(("event", "unknown", "bad event", "garbage")):
        assert "第 12 行" in message or "第 5 行" in message, message
    assert str(backup) in message, message
    assert "不会改写" in message

    # a program that had the file open before the damage cannot write either
    for attempt in (
        lambda: s.set_status(Y, "task-0", Status.TODO),
        lambda: s.add_note(Y, "new", "x"),
        lambda: s.undo(),
        lambda: s.refresh(),
    ):
        with pytest.raises(StoreError):
            attempt()
    assert snapshot(tmp_path) == before
    assert path.read_bytes() == bad


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    s = make_store_file(path, 1)
    raw = path.read_bytes()
    header, body = raw.split(b"\n", 1)
    newer = json.dumps({"format": FORMAT, "schema": 2, "created": "2027-01-01T00:00:00+08:00"}).encode()
    path.write_bytes(newer + b"\n" + body)
    before = snapshot(tmp_path)
    with pytest.raises(StoreError, match="更新版本") as err:
        Store(path)
    assert str(path) in str(err.value)
    with pytest.raises(StoreError):
        s.set_status(Y, "x", Status.DONE)
    assert snapshot(tmp_path) == before


def test_repaired_file_is_usable_again(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    s = make_store_file(path, 2)
    good = path.read_bytes()
    path.write_bytes(_garbage_middle(good))
    with pytest.raises(StoreError):
        s.add_note(Y, "x", "y")
    shutil.copyfile(s.newest_backup(), path)  # what the message tells the user to do
    restored = Store(path)
    assert restored.revision == 1  # the backup was taken before the day's first change
    path.write_bytes(good)
    s.add_note(Y, "x", "y")
    assert Store(path).revision == 5


def test_file_removed_while_open_is_not_silently_recreated(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    s = make_store_file(path, 1)
    path.unlink()
    with pytest.raises(StoreError, match="不见了"):
        s.set_status(Y, "x", Status.DONE)
    assert not path.exists()


# ---------------------------------------------------------------------------
# (d) read-only folder and file
# ---------------------------------------------------------------------------


@needs_fork
def test_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    with shared_tmp() as base:
        folder = base / "只读"
        folder.mkdir()
        path = folder / "state.jsonl"
        make_store_file(path, 2)
        folder.chmod(0o555)
        before = snapshot(base)

        def attempt() -> str:
            s = Store(path, user="x")  # reading still works
            loaded = s.revision
            try:
                s.set_status(Y, "task-0", Status.TODO)
            except StoreError as exc:
                return f"{loaded}|{exc}"
            return "written"

        result = run_in_child(attempt, unprivileged=True)
        assert result.startswith("OK:4|"), result
        assert "没有写权限" in result and str(path) in result
        assert snapshot(base) == before


@needs_fork
def test_read_only_file_in_writable_folder(tmp_path: Path) -> None:
    with shared_tmp() as base:
        folder = base / "共享"
        folder.mkdir()
        path = folder / "state.jsonl"
        make_store_file(path, 2)
        folder.chmod(0o777)
        path.chmod(0o444)
        before = snapshot(base)

        def attempt() -> str:
            s = Store(path, user="x")
            try:
                s.add_note(Y, "task-0", "写不进去")
            except StoreError as exc:
                return str(exc)
            return "written"

        result = run_in_child(attempt, unprivileged=True)
        assert result.startswith("OK:") and "没有写权限" in result, result
        assert snapshot(base) == before


@needs_fork
def test_unreadable_evidence_file_records_nothing(tmp_path: Path) -> None:
    with shared_tmp() as base:
        photo = base / "secret.jpg"
        photo.write_bytes(b"x")
        photo.chmod(0o000)
        folder = base / "state"
        folder.mkdir()
        folder.chmod(0o777)

        def attempt() -> str:
            s = Store(folder / "state.jsonl", user="x")
            try:
                s.add_evidence(Y, "a", EvidenceKind.FILE, str(photo))
            except InvalidChange as exc:
                return f"refused {exc} rev={s.revision}"
            return "recorded"

        result = run_in_child(attempt, unprivileged=True)
        assert result.startswith("OK:refused"), result
        assert "没有读取权限" in result and "rev=0" in result
        assert not (folder / "state.jsonl").exists()


# ---------------------------------------------------------------------------
# (e) disk full
# ---------------------------------------------------------------------------


def _full_after(limit: int, real: Callable[[int, bytes], int]) -> Callable[[int, bytes], int]:
    """os.write as on a disk with `limit` bytes left: a short write, then ENOSPC."""
    left = [limit]

    def write(fd: int, data: bytes) -> int:
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real(fd, bytes(data[: left[0]]))
        left[0] -= n
        return n

    return write


@pytest.mark.parametrize("limit", [0, 7, 60])
def test_disk_full_during_append(tmp_path: Path, limit: int) -> None:
    path = tmp_path / "state.jsonl"
    s = make_store_file(path, 3)
    before = snapshot(tmp_path)
    state_before = s.states(Y)
    s.log.os_write = _full_after(limit, os.write)
    with pytest.raises(StoreError, match="磁盘空间不足") as err:
        s.add_note(Y, "task-0", "这一条写不下" * 20)
    assert str(path) in str(err.value) and "没有保存" in str(err.value)
    assert snapshot(tmp_path) == before  # cut back to the previous size
    assert s.states(Y) == state_before and s.revision == 6
    assert Store(path).revision == 6
    s.log.os_write = os.write  # space again
    assert s.add_note(Y, "task-0", "有空间了").seq == 7
    assert Store(path).state(Y, "task-0").notes.endswith("有空间了")


def test_disk_full_at_fsync(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    s = make_store_file(path, 1)
    before = path.read_bytes()

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    s.log.os_fsync = fsync
    with pytest.raises(StoreError, match="磁盘空间不足"):
        s.set_status(Y, "x", Status.DONE)
    assert path.read_bytes() == before
    assert Store(path).revision == 2


def test_disk_full_during_the_daily_backup(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    clock = [datetime(Y, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))]
    s = Store(path, now=lambda: clock[0])
    for i in range(3):
        s.add_note(Y, "a", f"第{i}条")
    clock[0] += timedelta(days=1)  # the next change copies the file to backups/ first
    before = path.read_bytes()
    s.log.os_write = _full_after(100, os.write)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        s.add_note(Y, "a", "写不下")
    assert path.read_bytes() == before
    assert not [p for p in path.parent.rglob("*") if p.name.endswith(".tmp")]
    assert Store(path).revision == 3
    s.log.os_write = os.write
    assert s.add_note(Y, "a", "有空间了").seq == 4


def test_disk_full_when_creating_the_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "state.jsonl"
    s = Store(path)
    s.log.os_write = _full_after(10, os.write)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        s.set_status(Y, "x", Status.DONE)
    assert not path.exists()
    assert [p.name for p in path.parent.iterdir()] == ["state.jsonl.lock"]
    s.log.os_write = os.write
    s.set_status(Y, "x", Status.DONE)
    assert Store(path).revision == 1


@needs_fork
@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE behaviour checked on Linux")
def test_real_short_write_from_the_kernel(tmp_path: Path) -> None:
    """Not a simulation: the kernel refuses to grow the file past a size limit mid-write."""
    import resource

    path = tmp_path / "state.jsonl"
    s = make_store_file(path, 3)
    before = snapshot(tmp_path)

    def attempt() -> str:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size + 40, hard))
        try:
            s.add_note(Y, "task-1", "很长的一条备注" * 50)
        except StoreError as exc:
            return str(exc)
        return "written"

    result = run_in_child(attempt)
    assert result.startswith("OK:") and "超过了系统允许的大小" in result, result
    assert snapshot(tmp_path) == before
    assert Store(path).revision == 6


# ---------------------------------------------------------------------------
# (f) symlinks, folders in the way, missing folders
# ---------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_symlinked_file_is_written_through(tmp_path: Path) -> None:
    real_dir = tmp_path / "网盘"
    real_dir.mkdir()
    target = real_dir / "state.jsonl"
    link = tmp_path / "state.jsonl"
    link.symlink_to(target)  # dangling until the first write
    s = Store(link)
    s.set_status(Y, "a", Status.DONE)
    s.add_note(Y, "a", "经由链接写入")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.is_file() and Store(target).revision == 2
    assert (real_dir / "state.jsonl.lock").exists()
    assert (real_dir / "backups").is_dir()
    assert Store(link).state(Y, "a").notes == "经由链接写入"
    assert s.real_path == target


def test_folder_where_the_file_should_be(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.mkdir()
    (path / "keep.txt").write_text("别删")
    with pytest.raises(StoreError, match="文件夹") as err:
        Store(path)
    assert str(path) in str(err.value)
    assert (path / "keep.txt").read_text() == "别删"


def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "数据" / "双拥" / "state.jsonl"
    s = Store(path)
    assert not path.parent.exists()  # nothing is created until something is recorded
    s.set_status(Y, "a", Status.DONE)
    assert Store(path).state(Y, "a").status is Status.DONE


def test_parent_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "数据"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="不是文件夹") as err:
        Store(blocker / "state.jsonl")
    assert str(blocker / "state.jsonl") in str(err.value)
    assert blocker.read_text() == "not a folder"
