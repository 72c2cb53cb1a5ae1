"""The commands at county scale beside Taskwarrior doing the same job, and the small plan.

bench/run.py calls `measure(work, listing, runs)` after it has built the county workload and
written `list --json` once (the rows Taskwarrior is loaded with: same titles, due dates, owners
as projects, statuses, and each item's evidence as annotations).

Each pair runs alternately (ours, theirs, ours, …) after one warm-up of each; the figure is the
median wall time, with the median CPU time (user + system, from wait4) and the peak RSS of the
process beside it, and the ratio ours / Taskwarrior. Taskwarrior is used when `task` is on the
PATH (Debian: `apt-get install taskwarrior`; `python bench/run.py --install-taskwarrior` runs
that when it can); otherwise its rows say it was skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

SMALL_TARGET_MS = 80.0
NAMESPACE = uuid.UUID("5b0c2f4e-3a51-4f7a-9d5e-2f2c1e6a9b10")


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float


# Children are started by a small launcher process, not by this one: on Linux a child's peak
# RSS (ru_maxrss) starts from the memory of the process that spawned it, and this benchmark
# holds the whole workload. The launcher stays near 10 MB, the floor of every RSS figure.
LAUNCHER = """
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    out = os.open(os.devnull, os.O_WRONLY)
    err_path = job["err"]
    err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    started = time.perf_counter()
    pid = os.posix_spawnp(job["args"][0], job["args"], job["env"],
                          file_actions=[(os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2),
                                        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    os.close(out); os.close(err)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss,
                      "code": os.waitstatus_to_exitcode(status)}), flush=True)
"""
_launcher: subprocess.Popen | None = None


def _launch() -> subprocess.Popen:
    global _launcher
    if _launcher is None or _launcher.poll() is not None:
        _launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
    return _launcher


def run_once(args: list[str], cwd: Path, env: dict[str, str]) -> Run:
    launcher = _launch()
    err = cwd / ".bench-stderr"
    # The launcher's working folder is this process's: run the command in `cwd` through sh.
    job = {"args": ["/bin/sh", "-c", 'cd "$0" && exec "$@"', str(cwd), *args], "env": env, "err": str(err)}
    launcher.stdin.write(json.dumps(job) + "\n")
    launcher.stdin.flush()
    got = json.loads(launcher.stdout.readline())
    if got["code"] != 0:
        raise SystemExit(f"{' '.join(args)} 退出码 {got['code']}：\n{err.read_text(errors='replace')}")
    rss = got["rss"] / 1024 if sys.platform != "darwin" else got["rss"] / 1e6
    return Run(got["wall"], got["cpu"], rss)


def medians(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               max(r.rss_mb for r in runs))


# ---------------------------------------------------------------------------------------------
# Taskwarrior loaded with the same work
# ---------------------------------------------------------------------------------------------


def taskwarrior() -> str | None:
    return shutil.which("task")


def install_taskwarrior() -> str:
    """Try `apt-get install -y taskwarrior` (root on Debian/Ubuntu only); a line saying how it went."""
    if taskwarrior():
        return "Taskwarrior 已安装"
    if shutil.which("apt-get") is None or (hasattr(os, "geteuid") and os.geteuid() != 0):
        return "无法自动安装 Taskwarrior（需要 root 和 apt-get）"
    done = subprocess.run(["apt-get", "install", "-y", "taskwarrior"], capture_output=True,
                          env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return "已安装 Taskwarrior" if done.returncode == 0 and taskwarrior() else "apt-get install taskwarrior 失败"


def task_env(folder: Path) -> dict[str, str]:
    rc = folder / "taskrc"
    data = folder / "task"
    data.mkdir(exist_ok=True)
    rc.write_text(
        f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\nnews.version=2.6.2\n",
        encoding="utf-8",
    )
    return {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}


def _stamp(day: str) -> str:
    return day.replace("-", "") + "T000000Z"


def task_rows(rows: list[dict]) -> list[dict]:
    """Our `list --json` rows as Taskwarrior tasks, each item's evidence as two annotations."""
    out = []
    for r in rows:
        task = {
            "uuid": str(uuid.uuid5(NAMESPACE, r["id"])),
            "description": r["title"],
            "entry": "20260101T000000Z",
            "due": _stamp(r["due"]),
            "project": r["owner"],
            "status": "completed" if r["status"] == "done" else "deleted" if r["status"] == "cancelled" else "pending",
            "annotations": [
                {"entry": "20260102T000000Z", "description": f"佐证：{name}"}
                for name in (r.get("evidence_needed") or ["活动照片", "签到表"])[:2]
            ],
        }
        if task["status"] != "pending":
            task["end"] = "20260601T000000Z"
        out.append(task)
    return out


def load_taskwarrior(folder: Path, rows: list[dict]) -> tuple[dict[str, str], float, int]:
    env = task_env(folder)
    tasks = task_rows(rows)
    source = folder / "task-import.json"
    source.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([taskwarrior(), "import", str(source)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    annotations = sum(len(t["annotations"]) for t in tasks)
    return env, time.perf_counter() - started, annotations


# ---------------------------------------------------------------------------------------------
# The pairs
# ---------------------------------------------------------------------------------------------


def measure(work, listing: Path, runs: int, cli: list[str], env: dict[str, str], figure, today: str) -> list:
    """Figures for run.py's table. `figure(name, value, unit, target=None, note="")` builds one."""
    rows = json.loads(listing.read_text(encoding="utf-8"))
    base = [*cli, "--plan", str(work.plan), "--db", str(work.db), "--today", today]
    open_ids = [r["id"] for r in rows if r["status"] not in ("done", "cancelled")]
    shown = open_ids[len(open_ids) // 2]
    tw = taskwarrior()
    figures = []
    theirs_env = None
    if tw:
        theirs_env, load_s, annotations = load_taskwarrior(work.folder, rows)
        figures.append(figure("Taskwarrior 载入同样的事项（参照）", load_s, "s",
                              note=f"{len(rows)} 项、{annotations} 条注释，task import"))
    pairs = [
        ("list --json", "task export", ["list", "--json"], lambda i: ["export"]),
        ("list", "task list", ["list"], lambda i: ["list"]),
        ("list --month 6", "task list due.after… due.before…", ["list", "--month", "6"],
         lambda i: ["list", "due.after:2026-05-31", "due.before:2026-07-01"]),
        ("list --week", "task next", ["list", "--week", today], lambda i: ["next"]),
        ("show ID", "task UUID info", ["show", shown], lambda i: [str(uuid.uuid5(NAMESPACE, shown)), "info"]),
    ]
    for label, theirs_label, ours, theirs in pairs:
        figures += _pair(label, theirs_label, lambda i, a=ours: [*base, *a], theirs, runs, work.folder, env,
                         theirs_env, tw, figure)
    # Each `done` marks another item (a second done of the same item writes nothing).
    picks = open_ids[::7][: runs + 1]
    figures += _pair("done ID", "task UUID done", lambda i: [*base, "done", picks[i]],
                     lambda i: [str(uuid.uuid5(NAMESPACE, picks[i])), "done"], runs, work.folder, env, theirs_env,
                     tw, figure)
    figures += small_plan(work.folder, runs, cli, env, figure, today)
    return figures


def _pair(label, theirs_label, ours, theirs, runs, folder, env, theirs_env, tw, figure) -> list:
    mine, other = [], []
    for i in range(runs + 1):
        got = run_once(ours(i), folder, env)
        if i:
            mine.append(got)
        if tw:
            got = run_once([tw, *theirs(i)], folder, theirs_env)
            if i:
                other.append(got)
    m = medians(mine)
    note = f"CPU {m.cpu * 1000:.0f} ms；峰值内存 {m.rss_mb:.0f} MB；中位数 {runs} 次"
    if not tw:
        return [figure(f"{label}（县级规模）", m.wall * 1000, "ms", note=note + "；未安装 Taskwarrior，未对比")]
    t = medians(other)
    return [
        figure(f"{label}（县级规模）", m.wall * 1000, "ms", note=note),
        figure(f"  {theirs_label}（Taskwarrior）", t.wall * 1000, "ms",
               note=f"CPU {t.cpu * 1000:.0f} ms；峰值内存 {t.rss_mb:.0f} MB"),
        figure(f"  比值 {label} / Taskwarrior", m.wall / t.wall, "x", 1.0,
               note=f"CPU 比值 {m.cpu / t.cpu:.2f}×" if t.cpu else ""),
    ]


def small_plan(folder: Path, runs: int, cli: list[str], env: dict[str, str], figure, today: str) -> list:
    """The bundled 社区 plan (56 items): list, show, done, each under 80 ms."""
    from tracker.plan.bundled import default_plan_path

    small = folder / "small"
    small.mkdir(exist_ok=True)
    base = [*cli, "--plan", str(default_plan_path()), "--db", str(small / "state.jsonl"), "--today", today]
    listed = subprocess.run([*base, "list", "--json"], cwd=small, env=env, capture_output=True, check=True)
    ids = [r["id"] for r in json.loads(listed.stdout)]
    figures = []
    for label, args in [("list", lambda i: ["list"]), ("show ID", lambda i: ["show", ids[0]]),
                        ("done ID", lambda i: ["done", ids[i % len(ids)]])]:
        got = [run_once([*base, *args(i)], small, env) for i in range(runs + 1)][1:]
        m = medians(got)
        figures.append(figure(f"小计划（56 项）{label}", m.wall * 1000, "ms", SMALL_TARGET_MS,
                              note=f"CPU {m.cpu * 1000:.0f} ms；峰值内存 {m.rss_mb:.0f} MB；中位数 {runs} 次"))
    return figures
