"""How fast the app opens and redraws a tick on a big plan. Prints figures; asserts nothing.

    python bench/bench_app.py [--tasks 3000] [--runs 5]

1. Writes a plan of N tasks (monthly, quarterly and one-off: about 10,000 occurrences for
   3,000 tasks) and a full state file (status, owner and evidence changes through the Store)
   into a temporary folder.
2. Start-up, each run in a fresh interpreter, alternating: a bare Textual app showing an
   empty DataTable, and the app on that plan. Both are timed the same way: from the start of
   the script (before Textual is imported) to the end of the first screen refresh (a
   `call_after_refresh` callback queued in `on_mount`), run headless through
   `App.run_test()`. The app is also timed until the year's rows have been drawn (it reads
   the plan and the state file in a worker after its first frame). Medians, and the ratio.
3. A tick: space on a row in the middle of the year, timed until that row, as composed on
   screen, shows its new status (the counts are redrawn by the same handler); beside it the
   same measure on a bare DataTable of as many rows (the anchor, same process), the CPU time,
   the handler alone, and with --busy N the same while N processes burn CPU.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before any import below: a child measures from here

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# How often a start-up run checks whether the app has drawn its rows. The marks are the
# apps' own (taken in their callbacks), so this does not move them; checking every
# millisecond took ~50 ms of CPU from the thread that reads the plan and the state file,
# which no terminal does.
CHECK_SECONDS = 0.02
TODAY = date(2026, 6, 15)
SIZE = (120, 40)

OWNERS = [f"成员单位{n:02d}" for n in range(1, 21)]
CATEGORIES = ["组织领导", "宣传教育", "拥军优属", "军民共建", "优抚安置"]


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def plan_text(tasks: int) -> str:
    lines = [
        'title = "压力测试双拥工作计划"',
        'unit = "测试街道双拥工作领导小组"',
        "year = 2026",
        "owners = [" + ", ".join(f'"{o}"' for o in OWNERS) + "]",
        "categories = [" + ", ".join(f'"{c}"' for c in CATEGORIES) + "]",
        f'default_owner = "{OWNERS[0]}"',
        'evidence = ["活动照片", "签到表"]',
        "",
    ]
    for i in range(tasks):
        kind = i % 6
        if kind == 0:
            when = "每月"
        elif kind == 1:
            when = "每季度"
        else:
            when = f"{i % 12 + 1}月{i % 28 + 1}日"
        lines += [
            "[[task]]",
            f'id = "t{i:05d}"',
            f'title = "第{i}项工作：走访慰问、座谈交流和宣传[{i % 9}]"',
            f'when = "{when}"',
            f'category = "{CATEGORIES[i % len(CATEGORIES)]}"',
            f'owner = "{OWNERS[i % len(OWNERS)]}"',
            "",
        ]
    return "\n".join(lines)


def make_data(folder: Path, tasks: int) -> tuple[Path, Path, int, int]:
    from tracker.plan.loader import load_plan
    from tracker.model import EvidenceKind, Status
    from tracker.calendar.schedule import expand_plan
    from tracker.state.store import Store

    plan_path = folder / "plan.toml"
    plan_path.write_text(plan_text(tasks), encoding="utf-8")
    occurrences = expand_plan(load_plan(plan_path), 2026)
    db = folder / "state.jsonl"
    store = Store(db, user="基准")
    changes = 0
    for n, occ in enumerate(occurrences):
        if n % 2 == 0:
            store.set_status(2026, occ.id, Status.DONE)
            changes += 1
        elif n % 3 == 0:
            store.set_status(2026, occ.id, Status.DOING)
            changes += 1
        if n % 5 == 0:
            store.add_evidence(2026, occ.id, EvidenceKind.NOTE, f"活动已开展，记录{n}", label="签到表")
            changes += 1
        if n % 7 == 0:
            store.set_owner(2026, occ.id, OWNERS[(n + 3) % len(OWNERS)])
            changes += 1
    store.close()
    return plan_path, db, len(occurrences), changes


# ---------------------------------------------------------------------------------------------
# One start-up, in a child interpreter
# ---------------------------------------------------------------------------------------------


async def child_bare() -> dict:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App):
        first_frame = 0.0
        first_cpu = 0.0

        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            self.call_after_refresh(self._mark)

        def _mark(self) -> None:
            self.first_frame = time.perf_counter()
            self.first_cpu = time.process_time()

    built = time.perf_counter()
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        while not app.first_frame:
            await pilot.pause(CHECK_SECONDS)
    return {"first_frame": app.first_frame - T0, "from_build": app.first_frame - built,
            "first_frame_cpu": app.first_cpu, "rss_mib": peak_rss_mib()}


async def child_app(plan: Path, db: Path) -> dict:
    from screens.app import build_app
    from screens.widgets import TaskTable
    from tracker.settings import AppContext

    built = time.perf_counter()
    ctx = AppContext(plan_option=plan, db_option=db, today_option=TODAY)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        while "rows_shown" not in app.timings:
            if app.load_error is not None:
                raise SystemExit(f"load failed: {app.load_error}")
            await pilot.pause(CHECK_SECONDS)
        count = len(app.screen.query_one(TaskTable).items)
    t = app.timings
    return {
        "first_frame": t["first_frame"] - T0,
        "from_build": t["first_frame"] - built,
        "rows_visible": t["rows_shown"] - T0,
        # CPU of the whole process, as the app noted it with each mark.
        "first_frame_cpu": t["first_frame_cpu"],
        "rows_visible_cpu": t["rows_shown_cpu"],
        # Where the time between the two marks went: reading the plan and the state file, the
        # year's rows, drawing them (see ShuangyongApp.timings).
        "read": t["read"] - t["first_frame"],
        "rows_made": t["rows_made"] - t["read"],
        "drawn": t["rows_shown"] - t["rows_made"],
        "rss_mib": peak_rss_mib(),
        "rows": count,
    }


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, plan: Path, db: Path) -> dict:
    """One start of the bare app or of this app, in a fresh interpreter started by bench_cli's
    small launcher (a child forked from a process that holds a workload would report that
    process's memory as its own peak); its figures come back through a file."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_cli

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = plan.parent / f".bench-app-{kind}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--plan", str(plan), "--db", str(db),
           "--out", str(result)]
    bench_cli.run_once(cmd, plan.parent, env)
    return json.loads(result.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# A tick, in this interpreter
# ---------------------------------------------------------------------------------------------


def cursor_line_text(app) -> str:
    """The cursor row as the screen shows it now (composed, as a terminal would receive it)."""
    from screens.widgets import TaskTable

    table = app.screen.query_one(TaskTable)
    index = table._rows_at[table.cursor]
    y = table.region.y + index + 1 - round(table.scroll_y)
    return app.screen._compositor.render_strips()[y].text


async def wait_for_row(app, label: str, start: float) -> float:
    """Seconds from `start` until the cursor row on screen shows `label`."""
    while True:
        drawn = asyncio.Event()
        app.screen.call_after_refresh(drawn.set)
        await drawn.wait()
        if label in cursor_line_text(app):
            return time.perf_counter() - start
        if time.perf_counter() - start > 10:
            raise SystemExit("勾选 10 秒后这一行仍未重绘，停止测量")
        await asyncio.sleep(0.002)


async def measure_ticks(plan: Path, db: Path, count: int) -> tuple[list[float], list[float], list[float]]:
    """Key to row redrawn: the space key is posted to the app as the terminal driver would,
    and the clock stops when the cursor row, as composed on screen, shows the new status (the
    counts are redrawn in the same handler). (Pilot.press is not used for timing: it sleeps at
    least 20 ms per call waiting for the CPU to idle.) Returns wall times, CPU times of this
    process, and the handler alone."""
    from textual import events

    from screens.app import build_app
    from screens.widgets import TaskTable
    from tracker.settings import AppContext

    ctx = AppContext(plan_option=plan, db_option=db, today_option=TODAY)
    app = build_app(ctx, poll_seconds=3600)
    redraw: list[float] = []
    cpu: list[float] = []
    handler: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        while "rows_shown" not in app.timings:
            await pilot.pause(0.01)
        table = app.screen.query_one(TaskTable)
        table.cursor = len(table.items) // 2  # far from the top: the row is drawn scrolled
        await pilot.pause()
        for _ in range(count):
            label = "未开始" if table.current.status.value == "done" else "已完成"
            start, start_cpu = time.perf_counter(), time.process_time()
            app.post_message(events.Key("space", " "))
            redraw.append(await wait_for_row(app, label, start))
            cpu.append(time.process_time() - start_cpu)
            await pilot.pause()
        # The handler alone: write the change, update the board, post the redraw.
        screen = app.screen
        for _ in range(count):
            start = time.perf_counter()
            screen.action_toggle_done()
            handler.append(time.perf_counter() - start)
            await pilot.pause()
    return redraw, cpu, handler


async def measure_meeting_ticks(plan: Path, db: Path, count: int) -> tuple[list[float], list[float]]:
    """The same during the weekly meeting (w): space on the cursor row, until the screen says
    one more change was recorded since the meeting opened (the view redraws its sections and
    the list of this meeting's changes in the same handler). Returns wall and CPU times."""
    from textual import events

    from screens.app import build_app
    from screens.meeting import MeetingScreen
    from tracker.settings import AppContext

    ctx = AppContext(plan_option=plan, db_option=db, today_option=TODAY)
    app = build_app(ctx, poll_seconds=3600)
    redraw: list[float] = []
    cpu: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        while "rows_shown" not in app.timings:
            await pilot.pause(0.01)
        await pilot.press("w")
        while not isinstance(app.screen, MeetingScreen):
            await pilot.press("escape")  # the meeting's details dialog: keep the last ones
            await pilot.pause()
        await pilot.pause()
        for n in range(1, count + 1):
            start, start_cpu = time.perf_counter(), time.process_time()
            app.post_message(events.Key("space", " "))
            while True:
                drawn = asyncio.Event()
                app.screen.call_after_refresh(drawn.set)
                await drawn.wait()
                if any(f"记录了 {n} 项修改" in strip.text for strip in app.screen._compositor.render_strips()):
                    break
                if time.perf_counter() - start > 10:
                    raise SystemExit("例会中勾选 10 秒后仍未重绘，停止测量")
                await asyncio.sleep(0.002)
            redraw.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            await pilot.pause()
    return redraw, cpu


async def measure_bare_ticks(count: int, rows: int) -> list[float]:
    """The anchor: a bare Textual DataTable of as many rows, one cell changed per key, timed
    the same way (key posted, until the composed cursor row shows the new text)."""
    from textual import events
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("截止", "事项", "状态")
            table.add_rows([(f"{n % 12 + 1:02d}-10", f"第{n}项工作", "未开始") for n in range(rows)])
            table.move_cursor(row=rows // 2)
            table.focus()

        def on_key(self, event: events.Key) -> None:
            if event.key == "space":
                table = self.query_one(DataTable)
                row = table.cursor_row
                old = table.get_cell_at((row, 2))
                table.update_cell_at((row, 2), "已完成" if old == "未开始" else "未开始")

    app = Bare()
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        for _ in range(count):
            label = "已完成" if table.get_cell_at((table.cursor_row, 2)) == "未开始" else "未开始"
            y = table.region.y + 1 + table.cursor_row - round(table.scroll_y)
            start = time.perf_counter()
            app.post_message(events.Key("space", " "))
            while True:
                drawn = asyncio.Event()
                app.screen.call_after_refresh(drawn.set)
                await drawn.wait()
                if label in app.screen._compositor.render_strips()[y].text:
                    break
                await asyncio.sleep(0.002)
            times.append(time.perf_counter() - start)
            await pilot.pause()
    return times


def burn(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ticks", type=int, default=20)
    parser.add_argument("--busy", type=int, default=0, help="also time ticks while this many processes burn CPU")
    parser.add_argument("--data", type=Path, help="keep the generated plan and state file in this folder and reuse them")
    parser.add_argument("--child", choices=("bare", "app"))
    parser.add_argument("--plan", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--out", type=Path, help="(child) write the figures to this file, not to stdout")
    args = parser.parse_args()

    if args.child:
        result = asyncio.run(child_bare() if args.child == "bare" else child_app(args.plan, args.db))
        if args.out:
            args.out.write_text(json.dumps(result), encoding="utf-8")
        else:
            print(json.dumps(result))
        return

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        folder = args.data or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / f"made-{args.tasks}.json"
        if marker.exists():
            plan, db = folder / "plan.toml", folder / "state.jsonl"
            occurrences, changes = json.loads(marker.read_text())
            print(f"数据（沿用 {folder}）：{args.tasks} 项任务，{occurrences} 个事项，状态文件 {changes} 条修改")
        else:
            for old in folder.glob("made-*.json"):
                old.unlink()
            for old in (folder / "plan.toml", folder / "state.jsonl"):
                old.unlink(missing_ok=True)
            started = time.perf_counter()
            plan, db, occurrences, changes = make_data(folder, args.tasks)
            marker.write_text(json.dumps([occurrences, changes]))
            print(f"数据：{args.tasks} 项任务，{occurrences} 个事项，状态文件 {changes} 条修改，"
                  f"{db.stat().st_size / 1024:.0f} KB（生成用时 {time.perf_counter() - started:.1f} s）")

        bare, app = [], []
        run_child("bare", plan, db)  # warm the file cache for both
        run_child("app", plan, db)
        for _ in range(args.runs):
            bare.append(run_child("bare", plan, db))
            app.append(run_child("app", plan, db))
        def med(runs: list[dict], key: str) -> float:
            return statistics.median(r[key] for r in runs)

        bare_first, app_first = med(bare, "first_frame"), med(app, "first_frame")
        bare_build, app_build = med(bare, "from_build"), med(app, "from_build")
        app_rows = med(app, "rows_visible")
        print(f"启动到首帧（中位数，各 {args.runs} 次，交替运行，{SIZE[0]}×{SIZE[1]}，无界面模式）：")
        print("                                   从进程启动（含 import）   从创建 App 起")
        print(f"  空 DataTable 的 Textual 应用       {bare_first * 1000:8.1f} ms           {bare_build * 1000:8.1f} ms")
        print(f"  本应用首帧（可操作）               {app_first * 1000:8.1f} ms           {app_build * 1000:8.1f} ms")
        print(f"  比值（目标 ≤ 1.3）                 {app_first / bare_first:8.2f}              {app_build / bare_build:8.2f}")
        print(f"  本应用全年 {app[0]['rows']} 行画出          {app_rows * 1000:8.1f} ms（比值 {app_rows / bare_first:.2f}，目标 ≤ 1.5；"
              "计划和状态文件在首帧之后由后台线程读取）")
        bare_cpu, app_rows_cpu = med(bare, "first_frame_cpu"), med(app, "rows_visible_cpu")
        print(f"  CPU：空应用首帧 {bare_cpu * 1000:.1f} ms，本应用首帧 {med(app, 'first_frame_cpu') * 1000:.1f} ms，"
              f"行画出 {app_rows_cpu * 1000:.1f} ms（比值 {app_rows_cpu / bare_cpu:.2f}）")
        print(f"  首帧之后：读计划和状态文件 {med(app, 'read') * 1000:.1f} ms，得出全年各行 "
              f"{med(app, 'rows_made') * 1000:.1f} ms，画出 {med(app, 'drawn') * 1000:.1f} ms")
        bare_rss, app_rss = med(bare, "rss_mib"), med(app, "rss_mib")
        print(f"  内存峰值（RSS）：空应用 {bare_rss:.1f} MiB，本应用 {app_rss:.1f} MiB（比值 {app_rss / bare_rss:.2f}，目标 ≤ 2）")

        anchor = asyncio.run(measure_bare_ticks(args.ticks, app[0]["rows"]))
        redraw, cpu, handler = asyncio.run(measure_ticks(plan, db, args.ticks))
        print(f"勾选一项（空格）到这一行在屏幕上重绘（中位数，{len(redraw)} 次，光标在列表中部）：")
        print(f"  本应用       {statistics.median(redraw) * 1000:7.1f} ms（CPU {statistics.median(cpu) * 1000:.1f} ms，"
              f"最慢 {max(redraw) * 1000:.1f} ms，目标 < 50 ms）")
        print(f"  空 DataTable 改一格（同一进程，同样计时）{statistics.median(anchor) * 1000:7.1f} ms；"
              f"比值 {statistics.median(redraw) / statistics.median(anchor):.2f}")
        print(f"  其中处理函数本身（写入状态文件、更新列表和计数）：{statistics.median(handler) * 1000:.1f} ms")
        if args.busy:
            import multiprocessing

            burners = [multiprocessing.Process(target=burn, args=(120.0,), daemon=True) for _ in range(args.busy)]
            for b in burners:
                b.start()
            try:
                busy, busy_cpu, _ = asyncio.run(measure_ticks(plan, db, args.ticks))
            finally:
                for b in burners:
                    b.terminate()
            print(f"  另有 {args.busy} 个进程占满 CPU 时：{statistics.median(busy) * 1000:.1f} ms"
                  f"（CPU {statistics.median(busy_cpu) * 1000:.1f} ms，最慢 {max(busy) * 1000:.1f} ms）")


if __name__ == "__main__":
    main()
