"""How fast the state file records a change at county scale.

Builds a state file with 10,000 occurrences, 20,000 evidence items and 5,000 status
changes, then measures:

- a status change, persisted (the method returned: the line is appended and fsynced),
  median and p95 over 200 changes — target: median under 30 ms;
- opening the file (parse + fold) in a fresh Store;
- picking up one change written by another Store (refresh), and reading all states.

Run: python bench/bench_store.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tinydb.table import Document

from tracker.model import Status
from tracker.store import CHANGES, StateDB, Store

YEAR = 2026
OCCURRENCES = 10_000
EVIDENCE = 20_000
STATUS_CHANGES = 5_000
MEASURED = 200
TARGET_MS = 30.0

OWNERS = ["社区党工委", "居委会", "民政办", "人武部", "司法所", "退役军人服务站", "妇联", "团委"]
LABELS = ["活动照片", "签到表", "会议记录", "慰问名单", "发放记录"]


def occurrence_ids() -> list[str]:
    return [f"走访慰问-{i // 12:04d}@{YEAR}-{i % 12 + 1:02d}" for i in range(OCCURRENCES)]


def build_events(ids: list[str]) -> list[dict]:
    """Events as the Store writes them: evidence for every occurrence, then status changes."""
    rnd = random.Random(7)
    start = datetime(YEAR, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    events = []
    for n in range(EVIDENCE):
        occ = ids[n % OCCURRENCES]
        label = LABELS[n % len(LABELS)]
        events.append({
            "year": YEAR, "occ": occ, "op": "evidence",
            "new": {
                "kind": "file",
                "text": f"D:/双拥档案/{YEAR}/{occ}/{label}-{n:05d}.jpg",
                "label": label, "size": 200_000 + n, "sha256": f"{n:064x}", "archived": None,
            },
        })
    for n in range(STATUS_CHANGES):
        occ = rnd.choice(ids)
        events.append({"year": YEAR, "occ": occ, "op": "status", "old": "todo", "new": "done", "reason": ""})
    for seq, ev in enumerate(events, 1):
        at = start + timedelta(minutes=seq)
        ev.update(seq=seq, at=at.isoformat(timespec="seconds"), by=OWNERS[seq % len(OWNERS)])
    return events


def build_file(path: Path) -> float:
    ids = occurrence_ids()
    events = build_events(ids)
    t0 = time.perf_counter()
    db = StateDB(path)
    table = db.table(CHANGES)
    chunk = 5_000
    for i in range(0, len(events), chunk):
        # Same append path the Store uses, in batches so the fixture builds in seconds.
        table.insert_multiple(Document(ev, doc_id=ev["seq"]) for ev in events[i : i + chunk])
    db.close()
    return time.perf_counter() - t0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the file in this folder and keep it")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-store-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return run(folder / "state.jsonl")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def run(path: Path) -> int:
    if path.exists():
        path.unlink()

    built = build_file(path)
    size_mb = path.stat().st_size / 1e6
    print(f"state file: {path}")
    print(f"  {OCCURRENCES} occurrences, {EVIDENCE} evidence items, {STATUS_CHANGES} status changes "
          f"-> {size_mb:.1f} MB, built in {built:.2f} s")

    loads, firsts = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        store = Store(path, user="bench")
        loads.append(time.perf_counter() - t0)
        states = store.states(YEAR)  # builds the Evidence objects on first use
        firsts.append(time.perf_counter() - t0)
        store.close()
    assert len(states) == OCCURRENCES, len(states)
    evidence = sum(len(s.evidence) for s in states.values())
    assert evidence == EVIDENCE, evidence

    store = Store(path, user="bench")
    other = Store(path, user="other")
    ids = occurrence_ids()
    rnd = random.Random(11)
    statuses = [Status.DONE, Status.DOING, Status.TODO]
    times = []
    for i in range(MEASURED):
        occ = rnd.choice(ids)
        t0 = time.perf_counter()
        store.set_status(YEAR, occ, statuses[i % len(statuses)])
        times.append(time.perf_counter() - t0)
    times.sort()
    median = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]

    t0 = time.perf_counter()
    changed = other.refresh()
    refresh = time.perf_counter() - t0
    assert changed and other.revision == store.revision
    t0 = time.perf_counter()
    other.set_status(YEAR, ids[0], Status.DONE, by="other")
    first_after = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.refresh()
    one_tail = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(10):
        store.states(YEAR)
    states_time = (time.perf_counter() - t0) / 10
    t0 = time.perf_counter()
    undo = store.undo()
    undo_time = time.perf_counter() - t0
    assert undo is not None
    t0 = time.perf_counter()
    nothing = store.refresh()
    idle_refresh = time.perf_counter() - t0
    assert not nothing
    tomorrow = datetime.now().astimezone() + timedelta(days=1)
    next_day = Store(path, user="bench", now=lambda: tomorrow)
    t0 = time.perf_counter()
    next_day.set_status(YEAR, ids[1], Status.DONE)
    first_of_day = time.perf_counter() - t0
    next_day.close()

    print(f"status change, persisted ({MEASURED} changes):")
    print(f"  median {ms(median)}   p95 {ms(p95)}   max {ms(times[-1])}   target: median < {TARGET_MS:.0f} ms")
    print(f"open/load (parse + fold, 5 runs): median {ms(statistics.median(loads))}   max {ms(max(loads))}")
    print(f"open + first states({YEAR}) (what the app does at start): median {ms(statistics.median(firsts))}")
    print(f"refresh after {MEASURED} changes by another process: {ms(refresh)}")
    print(f"refresh after 1 change: {ms(one_tail)}   refresh, nothing new: {ms(idle_refresh)}")
    print(f"first change by the other store (re-reads 1 line): {ms(first_after)}")
    print(f"states({YEAR}) for {OCCURRENCES} occurrences: {ms(states_time)}")
    print(f"undo (refolds the one occurrence it touched): {ms(undo_time)}")
    print(f"first change of a day (copies the {size_mb:.1f} MB file to backups/ first): {ms(first_of_day)}")
    verdict = "OK" if median * 1000 < TARGET_MS else "TOO SLOW"
    print(f"result: {verdict} (median {median * 1000:.2f} ms vs target {TARGET_MS:.0f} ms)")
    store.close()
    other.close()
    return 0 if median * 1000 < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
