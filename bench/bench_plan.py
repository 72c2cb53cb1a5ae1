"""Load + validate + expand a generated 3,000-task plan for one year; print the time.

    python bench/bench_plan.py [--tasks 3000] [--runs 7] [--year 2026]

The plan has 30 owners, 6 categories and cycles through every `when` form the parser
documents (tracker.when.WHEN_EXAMPLES). The first run is reported on its own (empty
caches); the headline figure is the median of all runs. Target: under 200 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.loader import load_plan  # noqa: E402
from tracker.schedule import expand_plan  # noqa: E402
from tracker.when import WHEN_EXAMPLES  # noqa: E402

TARGET_MS = 200.0
OWNERS = [f"责任单位{n:02d}" for n in range(1, 31)]
CATEGORIES = ["组织领导", "宣传教育", "拥军优属", "军民共建", "优抚安置", "征兵工作"]


def _when_forms(year: int) -> list[str]:
    # WHEN_EXAMPLES names 2026 in its full dates; keep them valid for the chosen year.
    return [w.replace("2026", str(year)) for w in WHEN_EXAMPLES]


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def generate(tasks: int, year: int) -> str:
    forms = _when_forms(year)
    out = [
        f'title = {_q(f"基准测试{year}年双拥工作计划")}',
        'unit = "基准测试单位"',
        f"year = {year}",
        'workday = "previous"',
        f"owners = [{', '.join(_q(o) for o in OWNERS)}]",
        f"categories = [{', '.join(_q(c) for c in CATEGORIES)}]",
        f"default_owner = {_q(OWNERS[0])}",
        'evidence = ["活动照片", "签到表"]',
        "",
    ]
    for n in range(tasks):
        out += [
            "[[task]]",
            f'id = "task-{n:05d}"',
            f"title = {_q(f'第{n + 1}项工作：走访慰问与宣传教育')}",
            f"when = {_q(forms[n % len(forms)])}",
            f"category = {_q(CATEGORIES[n % len(CATEGORIES)])}",
            f"owner = {_q(OWNERS[n % len(OWNERS)])}",
        ]
        if n % 3 == 0:
            out.append(f"support = [{_q(OWNERS[(n + 1) % len(OWNERS)])}, {_q(OWNERS[(n + 7) % len(OWNERS)])}]")
        if n % 4 == 0:
            out.append('evidence = ["会议记录", "活动照片", "签到表"]')
        if n % 10 == 0:
            out.append("amount = 1500")
            out.append('notes = "按标准发放，留存发放记录"')
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--year", type=int, default=2026)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-plan.toml"
        path.write_text(generate(args.tasks, args.year), encoding="utf-8")
        size_kb = path.stat().st_size / 1024
        times: list[float] = []
        occurrences = 0
        for _ in range(max(1, args.runs)):
            t0 = time.perf_counter()
            plan = load_plan(path)
            occurrences = len(expand_plan(plan, args.year))
            times.append((time.perf_counter() - t0) * 1000)

        # Where the time goes: the TOML parser alone, load (parse + validate), expand.
        text = path.read_text(encoding="utf-8")
        parse_ms, load_ms, expand_ms = [], [], []
        for _ in range(max(1, args.runs)):
            t0 = time.perf_counter()
            tomllib.loads(text)
            t1 = time.perf_counter()
            plan = load_plan(path)
            t2 = time.perf_counter()
            expand_plan(plan, args.year)
            t3 = time.perf_counter()
            parse_ms.append((t1 - t0) * 1000)
            load_ms.append((t2 - t1) * 1000)
            expand_ms.append((t3 - t2) * 1000)
        t_parse, t_load, t_expand = (statistics.median(x) for x in (parse_ms, load_ms, expand_ms))

    median = statistics.median(times)
    forms = len(set(_when_forms(args.year)))
    print(f"计划：{args.tasks} 项任务，{len(OWNERS)} 个责任单位，{forms} 种时间写法，文件 {size_kb:.0f} KB，年份 {args.year}")
    print(f"occurrences: {occurrences}")
    print(f"first run (cold caches): {times[0]:.1f} ms")
    print(f"median of {len(times)} runs: {median:.1f} ms")
    print(
        f"  load_plan {t_load:.1f} ms (of which tomllib.loads alone {t_parse:.1f} ms, "
        f"validation and line numbers {t_load - t_parse:.1f} ms) + expand_plan {t_expand:.1f} ms"
    )
    print(f"target: {TARGET_MS:.0f} ms  ratio: {median / TARGET_MS:.2f}  ({'OK' if median < TARGET_MS else 'OVER TARGET'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
