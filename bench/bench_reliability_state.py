"""The state file's reliability figures: nothing lost, nothing hangs.

Prints:

- SIGKILL rounds survived: a writer process killed at a random moment, again and again;
  after every kill a fresh Store must hold every change the writer acknowledged;
- concurrent writers x changes kept: two processes writing at once, through the same path,
  through a symlink put in place while the first had the file open, and through a hard
  link (refused: a state file with two names is not used);
- hangs tried with their time bound: the state path swapped for a FIFO and for a link to
  /dev/zero while a program has it open; a dangling link where an archive copy goes.

Run: python bench/bench_reliability_state.py [--kills 50] [--changes 300]
POSIX only (fork, SIGKILL, FIFOs).
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.errors import StoreError  # noqa: E402
from tracker.model import EvidenceKind, Status  # noqa: E402
from tracker.state.store import Store  # noqa: E402

Y = 2026


def _writer(path: Path, tag: str, acks: int) -> None:  # pragma: no cover - child
    store = Store(path, user="测试员")
    i = 0
    while True:
        c = store.set_status(Y, f"{tag}-{i}", Status.DONE) if i % 3 else store.add_note(Y, f"{tag}-{i}", f"第{i}条")
        if i % 7 == 6:
            c = store.undo()
        os.write(acks, f"{c.seq} {c.op}\n".encode())
        i += 1


def kills(folder: Path, rounds: int) -> tuple[int, int, int]:
    path = folder / "kill.jsonl"
    rnd = random.Random(20261201)
    acked: dict[int, str] = {}
    survived = 0
    for n in range(rounds):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            os.close(r)
            try:
                _writer(path, f"k{n}", w)
            finally:
                os._exit(0)
        os.close(w)
        time.sleep(rnd.uniform(0.01, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        for line in data.decode("utf-8", "replace").splitlines(keepends=True):
            if line.endswith("\n"):
                seq, op = line.split()
                acked[int(seq)] = op
        recorded = {c.seq: c.op for c in Store(path).history()}
        survived += all(recorded.get(seq) == op for seq, op in acked.items())
    lost = sum(1 for seq, op in acked.items() if {c.seq: c.op for c in Store(path).history()}.get(seq) != op)
    return survived, len(acked), lost


WRITER = textwrap.dedent(
    """
    import sys
    from tracker.state.store import Store
    from tracker.errors import StoreError

    try:
        store = Store(sys.argv[1], user=sys.argv[2])
    except StoreError as exc:
        store, refused = None, exc
    print("ready", flush=True)
    sys.stdin.readline()
    done = 0
    try:
        if store is None:
            raise refused
        for i in range(int(sys.argv[3])):
            store.add_note(2026, f"shared-{i % 10}", f"{sys.argv[2]} {i}")
            done += 1
    except StoreError as exc:
        print("refused", exc, flush=True)
    print("acked", done, flush=True)
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _start(path: Path, name: str, changes: int) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(changes)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert p.stdout.readline() == b"ready\n", p.stderr.read().decode()
    return p


def concurrent(folder: Path, how: str, changes: int) -> tuple[int, int, str]:
    """(changes acknowledged, changes found in the file, what the second writer was told)."""
    case = folder / how
    case.mkdir()
    first_path = case / "state.jsonl"
    Store(first_path).set_status(Y, "start", Status.DONE)
    first = _start(first_path, "甲", changes)
    second_path = first_path
    if how == "symlink":
        moved = case / "共享" / "state.jsonl"
        moved.parent.mkdir()
        os.rename(first_path, moved)
        first_path.symlink_to(moved)
        second_path = moved
    elif how == "hardlink":
        second_path = case / "另一个名字.jsonl"
        os.link(first_path, second_path)
    second = _start(second_path, "乙", changes)
    acked, told = 0, ""
    for p in (first, second):
        p.stdin.write(b"go\n")
        p.stdin.flush()
    for p in (first, second):
        out, _ = p.communicate(timeout=300)
        for line in out.decode().splitlines():
            if line.startswith("acked"):
                acked += int(line.split()[1])
            elif line.startswith("refused"):
                told = line[len("refused "):]
    try:
        s = Store(second_path if how != "hardlink" else first_path)
        kept = s.revision - 1
    except StoreError as exc:  # hard link still in place: the file is refused, by design
        os.unlink(second_path)
        kept = Store(first_path).revision - 1
        told = told or str(exc)
    return acked, kept, told


PROBE = textwrap.dedent(
    """
    import os, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from tracker.errors import StoreError
    from tracker.state.store import Store
    store = Store(sys.argv[1])
    os.unlink(sys.argv[1])
    if sys.argv[2] == "fifo":
        os.mkfifo(sys.argv[1])
    else:
        os.symlink("/dev/zero", sys.argv[1])
    t0 = time.perf_counter()
    try:
        store.refresh()
        print("read", time.perf_counter() - t0)
    except StoreError:
        print("refused", time.perf_counter() - t0)
    """
)


def hang(folder: Path, swap: str, bound: float) -> tuple[str, float]:
    path = folder / f"{swap}.jsonl"
    Store(path).set_status(Y, "a", Status.DONE)
    t0 = time.perf_counter()
    try:
        r = subprocess.run([sys.executable, "-c", PROBE, str(path), swap], capture_output=True, timeout=bound,
                           env=_env())
    except subprocess.TimeoutExpired:
        return "HUNG", time.perf_counter() - t0
    word, seconds = (r.stdout.decode().split() + ["error", "0"])[:2]
    return word, float(seconds)


def dangling(folder: Path, bound: float) -> tuple[str, float]:
    photo = folder / "签到表.jpg"
    photo.write_bytes(b"photo")
    target = folder / "档案" / str(Y) / "visit"
    target.mkdir(parents=True)
    (target / "签到表.jpg").symlink_to(folder / "不存在.jpg")
    code = ("import sys; from pathlib import Path; from tracker.state.store import Store; "
            "Store(sys.argv[1]).add_evidence(2026, 'visit', 'file', sys.argv[2], archive_dir=Path(sys.argv[3]))")
    t0 = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", code, str(folder / "d.jsonl"), str(photo), str(folder / "档案")],
                       check=True, capture_output=True, timeout=bound, env=_env())
    except subprocess.TimeoutExpired:
        return "HUNG", time.perf_counter() - t0
    return "archived", time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--changes", type=int, default=300)
    args = parser.parse_args(argv)
    if os.name != "posix":
        print("POSIX only (fork, SIGKILL, FIFOs)")
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-reliability-"))
    ok = True
    try:
        c0 = time.process_time()
        t0 = time.perf_counter()
        survived, acked, lost = kills(folder, args.kills)
        ok &= survived == args.kills and lost == 0
        print(f"SIGKILL: {survived}/{args.kills} rounds survived, {acked} acknowledged changes, {lost} lost "
              f"({time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU here)")
        for how in ("same path", "symlink", "hardlink"):
            acked_n, kept, told = concurrent(folder, how.replace(" ", "-"), args.changes)
            note = f"; second writer told: {told[:60]}…" if told else ""
            ok &= kept == acked_n
            print(f"2 writers x {args.changes} changes, {how}: {acked_n} acknowledged, {kept} kept{note}")
        for swap in ("fifo", "zero"):
            word, seconds = hang(folder, swap, 30.0)
            ok &= word == "refused"
            print(f"state path swapped for {'a FIFO' if swap == 'fifo' else 'a link to /dev/zero'}: {word} "
                  f"in {seconds * 1000:.1f} ms (bound 30 s)")
        word, seconds = dangling(folder, 30.0)
        ok &= word == "archived"
        print(f"archive copy beside a dangling link: {word} in {seconds:.2f} s (bound 30 s, process start included)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("result:", "OK" if ok else "PROBLEM")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
