"""One run that measures everything at county scale and prints one table of figures.

    python bench/run.py [--runs 5] [--ticks 20] [--keep DIR]

In a temporary folder (or DIR) it builds:

- a plan of 3,000 tasks for 30 member units, using every `when` form the parser documents,
  with one-off and repeating work mixed so that 2026 expands to about 10,000 occurrences
  (bench/bench_plan.py `generate`);
- a state file with 20,000 evidence items (files on disk, notes, links) and 5,000 status
  changes on those occurrences, written through tracker.state.store.Store
  (bench/bench_store.py `build_events` / `write_events`).

Then it measures, each figure beside its target:

- `validate` and `list --json` as whole processes (the installed `shuangyong-tui` command),
  median of `--runs` runs after one warm-up run;
- plan load + expansion in this interpreter, after imports (target under 200 ms), and load +
  validate + expand with no plan cache (target 200 ms) and with the plan unchanged (cache
  hit, target 50 ms) (bench/bench_plan.py `measure_cache`);
- opening the state file at 1x, 2x and 4x the history (25,000 / 50,000 / 100,000 changes),
  with its checkpoint, in a fresh process: CPU, peak RSS and the 4x/1x ratio (target 1.2x);
  and an ~83 MB file (385,000 changes): the first read of the whole log, then with the
  checkpoint (targets: under 1 s and 300 MB);
- a status change, persisted (Tracker.set_status returned: the line is on disk), median and
  95th percentile of 200 (target: median under 30 ms);
- app start to its first interactive frame and, alternating in the same run, a bare Textual
  app with an empty DataTable; the ratio (target at most 1.3x); the year's rows drawn against
  the bare app's first frame (target 1.5x) and the peak memory of both (target 2x); a tick
  (space) to the redraw (target 50 ms), on the main screen and during the weekly meeting (w) —
  all with bench/bench_app.py's own measurement;
- `.ics` export and `.docx` summary (targets under 1 s) and the `.xlsx` ledger, as the
  commands run them on the loaded Tracker (bench/bench_exports.py `tracker_cases`).

It prints the machine (CPU, Python, package versions) and exits with 1 when a target is
missed. On a 2-core machine the whole run takes about two minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import bench_cli  # noqa: E402
import bench_exports  # noqa: E402
import bench_plan  # noqa: E402
import bench_store  # noqa: E402

YEAR = 2026
TODAY = date(2026, 6, 15)  # mid-year: part of the work is overdue, part still ahead
TASKS = 3000
OCCURRENCES = 10_000
EVIDENCE = 20_000
STATUS_CHANGES = 5_000
STATUS_MEASURED = 200
PACKAGES = ("textual", "icalendar", "python-docx", "openpyxl", "borax", "chinesecalendar", "click")


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: float
    unit: str  # "ms", "s", "MB" or "x"
    target: float | None = None  # value must be below (or at most, for ratios) this
    note: str = ""

    def shown(self) -> str:
        if self.unit == "x":
            return f"{self.value:.2f}×"
        if self.unit == "s":
            return f"{self.value:.2f} s"
        if self.unit == "MB":
            return f"{self.value:.0f} MB"
        return f"{self.value:.1f} ms" if self.value < 1000 else f"{self.value / 1000:.2f} s"

    def target_text(self) -> str:
        if self.target is None:
            return "—"
        if self.unit == "x":
            return f"≤ {self.target:g}×"
        return f"< {self.target:g} {self.unit}"

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.unit == "x" else self.value < self.target

    def verdict(self) -> str:
        return {None: "—", True: "达标", False: "未达标"}[self.ok]


def render(figures: list[Figure]) -> str:
    """A Markdown table, padded by display width so it also lines up in a terminal."""
    from tracker.textwidth import pad, width

    headers = ("项目", "实测", "目标", "结论", "说明")
    rows = [(f.name, f.shown(), f.target_text(), f.verdict(), f.note) for f in figures]
    widths = [max(width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    line = lambda cells: "| " + " | ".join(pad(c, widths[i]) for i, c in enumerate(cells)) + " |"  # noqa: E731
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


# ---------------------------------------------------------------------------------------------
# Machine
# ---------------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines() -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = f"，负载 {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} 未安装")
    return [
        f"日期：{datetime.now().astimezone():%Y-%m-%d %H:%M %z}",
        f"机器：{cpu_model()}，CPU {os.cpu_count()} 个（可用 {usable}）{load}",
        f"系统：{platform.platform()}",
        f"Python：{platform.python_implementation()} {platform.python_version()}（{sys.executable}）",
        "版本：" + "，".join(versions),
    ]


# ---------------------------------------------------------------------------------------------
# Workload
# ---------------------------------------------------------------------------------------------


@dataclass
class Workload:
    folder: Path
    plan: Path
    db: Path
    ids: list[str]
    plan_kb: float
    db_mb: float
    built_s: float
    files: int


def build_workload(folder: Path) -> Workload:
    from tracker.plan.loader import load_plan
    from tracker.calendar.schedule import expand_plan

    started = time.perf_counter()
    plan_path = folder / "县级双拥工作计划.toml"
    plan_path.write_text(bench_plan.generate(TASKS, YEAR, OCCURRENCES), encoding="utf-8")
    ids = [o.id for o in expand_plan(load_plan(plan_path), YEAR)]
    files = bench_store.make_evidence_files(folder / "佐证材料")
    db = folder / "state.jsonl"
    db.unlink(missing_ok=True)  # a kept folder from an earlier run: its events would clash with these
    events = bench_store.build_events(ids, YEAR, evidence=EVIDENCE, status_changes=STATUS_CHANGES, files=files)
    bench_store.write_events(db, events)
    return Workload(folder, plan_path, db, ids, plan_path.stat().st_size / 1024, db.stat().st_size / 1e6,
                    time.perf_counter() - started, len(files))


# ---------------------------------------------------------------------------------------------
# Whole processes
# ---------------------------------------------------------------------------------------------


def command() -> list[str]:
    """The installed console script beside this interpreter, else the same entry point."""
    folder = Path(sys.executable).parent
    for name in ("shuangyong-tui", "shuangyong-tui.exe"):
        if (folder / name).exists():
            return [str(folder / name)]
    return [sys.executable, "-c", "from tracker.cli import main; main()"]


def child_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGYONG_")}
    env["SHUANGYONG_CONFIG"] = str(folder / "config.toml")  # no user config leaks in
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    # An installed program runs from compiled bytecode (pip writes it); a shell that sets
    # PYTHONDONTWRITEBYTECODE would make every run recompile ~120 modules (~150 ms CPU).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes (0 where the OS does not say)."""
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_process(args: list[str], folder: Path, runs: int, stdout: Path | None = None) -> tuple[list[float], list[float]]:
    """Wall and CPU time of a whole process, `runs` times after one warm-up; exit code 0 required."""
    walls, cpus = [], []
    for n in range(runs + 1):
        out = open(stdout, "wb") if stdout else subprocess.DEVNULL
        try:
            c0, t0 = children_cpu(), time.perf_counter()
            done = subprocess.run(args, cwd=folder, env=child_env(folder), stdout=out, stderr=subprocess.PIPE)
            elapsed, cpu = time.perf_counter() - t0, children_cpu() - c0
        finally:
            if stdout:
                out.close()
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} 退出码 {done.returncode}：\n{done.stderr.decode(errors='replace')}")
        if n:
            walls.append(elapsed)
            cpus.append(cpu)
    return walls, cpus


# ---------------------------------------------------------------------------------------------
# The app (bench/bench_app.py's measurement)
# ---------------------------------------------------------------------------------------------


def load_bench_app():
    path = BENCH / "bench_app.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("bench_app", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure_app(work: Workload, runs: int, ticks: int) -> list[Figure]:
    app_bench = load_bench_app()
    if app_bench is None:
        raise SystemExit("bench/bench_app.py 不存在：无法测量界面")
    # The children inherit this process's environment: keep the user's config out of it.
    os.environ["SHUANGYONG_CONFIG"] = str(work.folder / "config.toml")
    app_bench.run_child("bare", work.plan, work.db)  # warm the file cache for both
    app_bench.run_child("app", work.plan, work.db)
    bare, app = [], []
    for _ in range(runs):
        bare.append(app_bench.run_child("bare", work.plan, work.db))
        app.append(app_bench.run_child("app", work.plan, work.db))
    med = lambda runs_, key: statistics.median(r[key] for r in runs_) * 1000  # noqa: E731
    bare_ms, app_ms, rows_ms = med(bare, "first_frame"), med(app, "first_frame"), med(app, "rows_visible")
    bare_cpu, rows_cpu = med(bare, "first_frame_cpu"), med(app, "rows_visible_cpu")
    bare_mb = statistics.median(r["rss_mib"] for r in bare)
    app_mb = statistics.median(r["rss_mib"] for r in app)
    redraw, cpu, handler = asyncio.run(app_bench.measure_ticks(work.plan, work.db, ticks))
    meeting, meeting_cpu = asyncio.run(app_bench.measure_meeting_ticks(work.plan, work.db, ticks))
    size = f"{app_bench.SIZE[0]}×{app_bench.SIZE[1]}"
    return [
        Figure("空 DataTable 的 Textual 应用：启动到首帧", bare_ms, "ms",
               note=f"进程启动起算，含 import；无界面模式 {size}；中位数 {runs} 次"),
        Figure("本应用：启动到首帧（可操作）", app_ms, "ms", note="同上，与空应用交替运行"),
        Figure("启动比值（本应用 / 空应用）", app_ms / bare_ms, "x", 1.3),
        Figure(f"本应用：全年 {app[0]['rows']} 行画出", rows_ms, "ms",
               note="计划和状态文件在首帧之后由后台线程读取"),
        Figure("行画出比值（本应用行画出 / 空应用首帧）", rows_ms / bare_ms, "x", 1.5,
               note=f"CPU {rows_cpu:.0f} / {bare_cpu:.0f} ms，CPU 比值 {rows_cpu / bare_cpu:.2f}×"),
        Figure("内存比值（本应用 / 空应用，峰值 RSS）", app_mb / bare_mb, "x", 2.0,
               note=f"{app_mb:.0f} MiB / {bare_mb:.0f} MiB（行画出时）"),
        Figure("勾选一项（空格）到重绘完成", median_ms(redraw), "ms", 50,
               note=f"中位数 {len(redraw)} 次，最慢 {max(redraw) * 1000:.1f} ms；"
                    f"其中处理函数 {median_ms(handler):.1f} ms；CPU {median_ms(cpu):.1f} ms"),
        Figure("例会中勾选一项到重绘完成", median_ms(meeting), "ms", 50,
               note=f"按 w 进入本周例会；中位数 {len(meeting)} 次，最慢 {max(meeting) * 1000:.1f} ms；"
                    f"CPU {median_ms(meeting_cpu):.1f} ms"),
    ]


# ---------------------------------------------------------------------------------------------
# Open time by history length (bench/bench_store.py's files), and a very long history
# ---------------------------------------------------------------------------------------------

LARGE_EVENTS = 385_000  # an ~83 MB state file (these events are a little shorter than the 305k)

OPEN_CHILD = """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from tracker.state.store import Store
store = Store(sys.argv[1])
states = store.states(int(sys.argv[2]))
took = {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "partial": store.fold.partial}
if sys.argv[4] == "write":
    store.checkpoint()  # what the commands and the app do once they have read the file
with open(sys.argv[3], "w") as out:
    json.dump(took, out)
"""


def open_in_child(path: Path, cache: Path, *, write: bool = False) -> dict:
    """Open a state file and make the year's states in a fresh interpreter: wall and CPU of
    that (imports not timed) and the peak RSS of the process (started by bench_cli's small
    launcher: a child forked from this process would start from its memory)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SHUANGYONG_CACHE": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    result = path.with_suffix(".open.json")
    run = bench_cli.run_once([sys.executable, "-c", OPEN_CHILD, str(path), str(YEAR), str(result),
                              "write" if write else "read"], path.parent, env)
    return {**json.loads(result.read_text()), "rss": run.rss_mb}


WRITE_HISTORY = """
import sys
from pathlib import Path
sys.path[:0] = sys.argv[3:5]
import bench_store
bench_store.write_events(Path(sys.argv[1]), bench_store.build_events(bench_store.occurrence_ids(),
                                                                      status_changes=int(sys.argv[2])))
"""


def write_history(path: Path, status_changes: int) -> None:
    """A state file of that many status changes (after the usual evidence), written by another
    process: this one never holds the events, so its memory, which every later child starts
    from, stays small."""
    subprocess.run([sys.executable, "-c", WRITE_HISTORY, str(path), str(status_changes), str(BENCH), str(ROOT)],
                   check=True)


def measure_history(work: Workload, runs: int) -> list[Figure]:
    base = bench_store.EVIDENCE + bench_store.STATUS_CHANGES
    cache = work.folder / "history-cache"
    figures, opened = [], {}
    for mult in (1, 2, 4):
        path = work.folder / f"history-{mult}x.jsonl"
        write_history(path, bench_store.STATUS_CHANGES + base * (mult - 1))
        open_in_child(path, cache, write=True)
        got = [open_in_child(path, cache) for _ in range(runs)]
        if not all(g["partial"] for g in got):
            raise SystemExit(f"{path.name}：检查点没有被使用")
        opened[mult] = statistics.median(g["cpu"] for g in got) * 1000
        figures.append(Figure(f"打开状态文件（{mult}× 历史，{base * mult:,} 条修改）", opened[mult], "ms",
                              note=f"CPU；{path.stat().st_size / 1e6:.1f} MB；检查点；新进程中 Store + 全年状态（不含 import）；"
                                   f"峰值内存 {statistics.median(g['rss'] for g in got):.0f} MB；中位数 {runs} 次"))
    figures.append(Figure("历史比值（4× / 1×）", opened[4] / opened[1], "x", 1.2, note="CPU"))
    large = work.folder / "history-large.jsonl"
    write_history(large, LARGE_EVENTS - bench_store.EVIDENCE)
    first = open_in_child(large, cache, write=True)  # the log read whole, once
    got = [open_in_child(large, cache) for _ in range(runs)]
    if not all(g["partial"] for g in got):
        raise SystemExit(f"{large.name}：检查点没有被使用")
    mb = large.stat().st_size / 1e6
    wall = statistics.median(g["wall"] for g in got)
    figures += [
        Figure(f"打开 {mb:.0f} MB 状态文件（{LARGE_EVENTS:,} 条修改）", wall, "s", 1.0,
               note=f"CPU {statistics.median(g['cpu'] for g in got):.2f} s；检查点；首次（整份日志）{first['wall']:.1f} s、"
                    f"{first['rss']:.0f} MB；中位数 {runs} 次"),
        Figure(f"打开 {mb:.0f} MB 状态文件：峰值内存", statistics.median(g["rss"] for g in got), "MB", 300.0,
               note="新进程（含解释器）"),
    ]
    for path in [*work.folder.glob("history-*.jsonl")]:
        path.unlink()
    return figures


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median); default 5")
    parser.add_argument("--ticks", type=int, default=20, help="ticks measured in the app; default 20")
    parser.add_argument("--keep", type=Path, help="build the workload in this folder and keep it")
    parser.add_argument("--install-taskwarrior", action="store_true",
                        help="apt-get install taskwarrior first when it is missing (root, Debian)")
    parser.add_argument("--cli-only", action="store_true",
                        help="only the whole-process command figures (with Taskwarrior), not the app and exports")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    started = time.perf_counter()

    for line in machine_lines():
        print(line)
    if args.install_taskwarrior:
        print(bench_cli.install_taskwarrior())
    tw = bench_cli.taskwarrior()
    if tw:
        version = subprocess.run([tw, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"对比：Taskwarrior {version}（{tw}）")
    else:
        print("对比：未找到 Taskwarrior（task），对比项跳过；Debian 上 apt-get install taskwarrior，或加 --install-taskwarrior")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="shuangyong-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        work = build_workload(folder)
        print(
            f"负载：{TASKS} 项任务、{len(bench_plan.OWNERS)} 个成员单位、{len(bench_plan.when_forms(YEAR))} 种时间写法，"
            f"{YEAR} 年展开为 {len(work.ids)} 个事项（计划文件 {work.plan_kb:.0f} KB）；状态文件 {STATUS_CHANGES} 次状态修改、"
            f"{EVIDENCE} 份佐证材料（{work.files} 个真实文件），{work.db_mb:.1f} MB；生成用时 {work.built_s:.1f} s"
        )
        figures = measure(work, runs, args.ticks, cli_only=args.cli_only)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)

    print()
    print(render(figures))
    missed = [f.name for f in figures if f.ok is False]
    print()
    if hasattr(os, "getloadavg"):
        # Other work on the machine inflates wall times; CPU times are in the notes.
        print(f"结束时负载 {os.getloadavg()[0]:.2f}（{os.cpu_count()} 个 CPU）")
    print(f"总用时 {time.perf_counter() - started:.0f} s；" + (f"未达标：{'、'.join(missed)}" if missed else "全部目标达标"))
    return 1 if missed else 0


def measure(work: Workload, runs: int, ticks: int, *, cli_only: bool = False) -> list[Figure]:
    from tracker.settings import AppContext

    figures: list[Figure] = []
    cli = command()
    base = ["--plan", str(work.plan), "--db", str(work.db), "--today", TODAY.isoformat()]

    # Whole processes first, on the file as built.
    python_alone, python_cpu = time_process([sys.executable, "-c", "pass"], work.folder, runs)
    validate, validate_cpu = time_process([*cli, "validate", str(work.plan)], work.folder, runs)
    listing = work.folder / "list.json"
    list_json, list_cpu = time_process([*cli, *base, "list", "--json"], work.folder, runs, stdout=listing)
    listed = len(json.loads(listing.read_text(encoding="utf-8")))
    if listed != len(work.ids):
        raise SystemExit(f"list --json 列出 {listed} 项，应为 {len(work.ids)} 项")
    how = "python -c" if cli[0] == sys.executable else Path(cli[0]).name
    figures += [
        Figure("Python 解释器空启动（参照）", median_ms(python_alone), "ms",
               note=f"CPU {median_ms(python_cpu):.0f} ms；中位数 {runs} 次"),
        Figure("validate（整个进程）", median_ms(validate), "ms",
               note=f"{how}；CPU {median_ms(validate_cpu):.0f} ms；中位数 {runs} 次"),
        Figure(f"list --json（整个进程，{listed} 项）", median_ms(list_json), "ms",
               note=f"输出 {listing.stat().st_size / 1e6:.1f} MB 到文件；CPU {median_ms(list_cpu):.0f} ms；中位数 {runs} 次"),
    ]

    # The commands beside Taskwarrior, and the small plan (bench/bench_cli.py).
    figures += bench_cli.measure(work, listing, runs, cli, child_env(work.folder), Figure, TODAY.isoformat())
    if cli_only:
        return figures

    # In this interpreter, after imports.
    loaded = bench_plan.measure_load_expand(work.plan, YEAR, runs + 2)
    figures.append(Figure(
        "计划载入 + 展开（导入之后）", loaded.median_ms, "ms", bench_plan.TARGET_MS,
        note=f"{loaded.occurrences} 个事项；CPU {statistics.median(loaded.cpu_ms):.0f} ms；其中 TOML 解析 {loaded.parse_ms:.0f} ms、"
             f"校验 {loaded.load_ms - loaded.parse_ms:.0f} ms、展开 {loaded.expand_ms:.0f} ms；中位数 {runs + 2} 次",
    ))

    cached = bench_plan.measure_cache(work.plan, YEAR, runs)
    figures += [
        Figure("计划载入 + 校验 + 展开，无缓存（冷）", statistics.median(cached.cold_cpu), "ms", 200.0,
               note=f"CPU；墙钟 {statistics.median(cached.cold_wall):.0f} ms；进程内各项缓存已清空；中位数 {runs} 次"),
        Figure("计划未变（计划缓存命中）", statistics.median(cached.warm_cpu), "ms", 50.0,
               note=f"CPU；墙钟 {statistics.median(cached.warm_wall):.0f} ms；中位数 {runs} 次"),
    ]
    figures += measure_history(work, runs)

    ctx = AppContext(plan_option=work.plan, db_option=work.db, today_option=TODAY, user="基准")
    t0 = time.perf_counter()
    tracker = ctx.tracker()
    tracker.tracked()
    opened = time.perf_counter() - t0
    figures.append(Figure("打开计划与状态文件并合并全年事项", opened * 1000, "ms",
                          note=f"Tracker.tracked()，{work.db_mb:.1f} MB 状态文件，首次"))
    changes = bench_store.time_status_changes(lambda occ, status: tracker.set_status(occ, status),
                                              work.ids, STATUS_MEASURED)
    figures += [
        Figure("状态修改落盘（中位数）", median_ms(changes), "ms", bench_store.TARGET_MS,
               note=f"Tracker.set_status 返回即已写入并 fsync；{STATUS_MEASURED} 次"),
        Figure("状态修改落盘（95% 分位）", bench_store.p95(changes) * 1000, "ms",
               note=f"最慢 {changes[-1] * 1000:.1f} ms（当天第一次修改前先备份）"),
    ]

    figures += measure_app(work, runs, ticks)

    tracker.refresh()  # the app's ticks were written by another Store
    out = work.folder / "exports"
    out.mkdir(exist_ok=True)
    cases = bench_exports.tracker_cases(tracker, work.db, out)
    results = bench_exports.run_cases(cases, runs)
    targets = bench_exports.TARGETS
    for key, label, _ in cases:
        first, median, cpu = results[key]
        size = next(out.glob(f"bench.{key}")).stat().st_size / 1024
        figures.append(Figure(f"{label}（{len(tracker.tracked())} 项）", median, "s", targets.get(key),
                              note=f"文件 {size:.0f} KiB；CPU {cpu:.2f} s；首次 {first:.2f} s；中位数 {runs} 次"))
    tracker.store.close()
    return figures


if __name__ == "__main__":
    sys.exit(main())
