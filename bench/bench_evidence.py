"""`show` on an item with a large evidence file: the first run reads and hashes it, the next
runs find its digest in the user's cache (tracker.state.digests) and only stat it.

    python bench/bench_evidence.py [--mb 200] [--runs 3]

Each round removes the digest cache, runs `show` once (cold: hashes the file) and once more
(warm: the cache); the figures are medians of wall time with the CPU time (user + system,
from wait4) beside it, and the ratio cold / warm. The file is written once with random bytes,
so it is in the page cache for every run: the cold figure is hashing, not the disk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OCC = "regular-meeting@2026Q1"


def run(args: list[str], env: dict) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "SHUANGYONG_CACHE": str(root / "cache"), "SHUANGYONG_CONFIG": str(root / "config.toml"),
               "SHUANGYONG_HOLIDAYS": str(root / "holidays.toml")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for name in ("SHUANGYONG_PLAN", "SHUANGYONG_DB", "SHUANGYONG_TODAY"):
            env.pop(name, None)
        video = root / "活动视频.mp4"
        with open(video, "wb") as f:
            for _ in range(opts.mb):
                f.write(os.urandom(1 << 20))
        cli = [sys.executable, "-m", "tracker.cli", "--db", str(root / "state.jsonl"), "--today", "2026-06-15"]
        run([*cli, "evidence", OCC, "--file", str(video), "--label", "会议记录"], env)
        cache = root / "cache" / "digests.json"
        show = [*cli, "show", OCC]
        run(show, env)  # warm-up: imports compiled, plan cache filled
        cold, warm = [], []
        for _ in range(opts.runs):
            cache.unlink(missing_ok=True)
            cold.append(run(show, env))
            warm.append(run(show, env))
            if not cache.exists():
                raise SystemExit("the digest cache was not written")

    def med(runs, i):
        return statistics.median(r[i] for r in runs) * 1000

    print(f"show on an item with a {opts.mb} MB evidence file, {opts.runs} rounds (median ms)")
    print(f"{'':24}{'wall':>10}{'CPU':>10}")
    print(f"{'first run (hashes)':24}{med(cold, 0):>10.0f}{med(cold, 1):>10.0f}")
    print(f"{'second run (cache)':24}{med(warm, 0):>10.0f}{med(warm, 1):>10.0f}")
    print(f"{'hashing (first - second)':24}{med(cold, 0) - med(warm, 0):>10.0f}{med(cold, 1) - med(warm, 1):>10.0f}")
    print(f"{'ratio first / second':24}{med(cold, 0) / med(warm, 0):>10.1f}{med(cold, 1) / med(warm, 1):>10.1f}")


if __name__ == "__main__":
    main()
