"""CalDAV sync of a county year (≈10,000 occurrences) to a local Radicale on 127.0.0.1.

Prints, with CPU time (this process, including the in-process server's threads) beside
wall time and each figure as a ratio of an anchor measured in the same process (building
every VTODO text, no network):

- first push (the collection is created, every open occurrence uploaded);
- a re-sync with nothing changed (must upload nothing: one PROPFIND);
- a re-sync after one item was finished locally (uploads 1).

Run: python bench/bench_sync.py [--occurrences 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "tests"))

import bench_plan  # noqa: E402
from radicale_server import USERS, radicale  # noqa: E402

YEAR = 2026
TODAY = date(2026, 6, 15)
USER = "xiaowang"


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def seed(url: str, todos) -> None:
    """The whole collection in one PUT (Radicale's own bulk upload), as another machine left it."""
    import caldav
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    parts = [t.text(now).split(b"BEGIN:VTODO", 1)[1].rsplit(b"END:VTODO", 1)[0] for t in todos]
    body = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//ZH\r\n"
            + b"".join(b"BEGIN:VTODO" + p + b"END:VTODO\r\n" for p in parts) + b"END:VCALENDAR\r\n")
    client = caldav.DAVClient(url=url, username=USER, password=USERS[USER], timeout=600)
    with client:
        response = client.request(url, "PUT", body, {"Content-Type": "text/calendar; charset=utf-8"})
        if response.status >= 300:
            raise RuntimeError(f"seeding failed: {response.status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--occurrences", type=int, default=10_000)
    parser.add_argument("--push-limit", type=int, default=1000,
                        help="first push measured on at most this many objects (Radicale is O(N²) there)")
    parser.add_argument("--keep", type=Path, help="keep the plan, state file and server storage here")
    args = parser.parse_args(argv)

    from tracker.model import Status
    from tracker.outputs.ics import parse_alarm, plan_key, row_uid
    from tracker.settings import AppContext
    from tracker.sync.caldav import sync_tracker
    from tracker.sync.todo import build_todo

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-sync-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        plan_path = folder / "县级双拥工作计划.toml"
        tasks = max(1, args.occurrences * 3 // 10)
        plan_path.write_text(bench_plan.generate(tasks, YEAR, args.occurrences), encoding="utf-8")
        ctx = AppContext(plan_option=plan_path, db_option=folder / "state.jsonl", year_option=YEAR,
                         today_option=TODAY, user="小王")
        tracker = ctx.tracker()
        rows = tracker.tracked()
        trigger = parse_alarm("1d@09:00")
        key = plan_key(tracker.plan)

        def render_all():
            return [build_todo(tracker.plan, r, row_uid(key, r), today=TODAY, trigger=trigger) for r in rows]

        _, anchor_wall, anchor_cpu = timed(render_all)
        print(f"事项 {len(rows)} 个（{tasks} 项任务）；基准：生成全部待办文本 {anchor_wall:.2f} s（CPU {anchor_cpu:.2f} s）")

        with radicale(folder / "radicale") as base:
            url = f"{base}{USER}/county/"

            def sync(target=url):
                return sync_tracker(tracker, db_path=ctx.db_path, url=target, user=USER, password=USERS[USER])

            results = []
            if len(rows) <= args.push_limit:
                first, wall, cpu = timed(sync)
                results.append(("首次上传", first, wall, cpu))
            else:
                # Radicale checks every new object's UID against the whole collection (CalDAV's
                # no-uid-conflict), so a first push of N objects costs it O(N²): measured on a
                # slice, and the full collection is seeded in one request instead.
                part = AppContext(plan_option=plan_path, db_option=folder / "part" / "state.jsonl",
                                  year_option=YEAR, today_option=TODAY, user="小王").tracker()
                part_rows = part.tracked()[: args.push_limit]
                part.tracked = lambda: part_rows  # the slice only
                part_sync = lambda: sync_tracker(part, db_path=folder / "part" / "state.jsonl",  # noqa: E731
                                                 url=f"{base}{USER}/slice/", user=USER, password=USERS[USER])
                first, wall, cpu = timed(part_sync)
                results.append((f"首次上传 {len(part_rows)} 项", first, wall, cpu))
                seed(url, render_all())
                seeded, wall, cpu = timed(sync)
                results.append(("已有数据首次同步", seeded, wall, cpu))
            again, wall, cpu = timed(sync)
            results.append(("无变化再同步", again, wall, cpu))
            tracker.set_status(rows[0].id, Status.DONE, by="小王")
            one, wall, cpu = timed(sync)
            results.append(("改一项后再同步", one, wall, cpu))

        print(f"{'':<14}{'上传':>8}{'未变化':>8}{'墙钟 s':>10}{'CPU s':>10}{'÷基准':>8}")
        for name, result, wall, cpu in results:
            print(f"{name:<14}{result.up:>8}{result.unchanged:>8}{wall:>10.2f}{cpu:>10.2f}{wall / anchor_wall:>8.1f}")
        ok = again.up == 0 and one.up == 1
        print("再同步不上传：" + ("是" if again.up == 0 else f"否（上传了 {again.up} 项）"))
        return 0 if ok else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
