"""Load + validate + expand a generated 3,000-task plan for one year; print the time.

    python bench/bench_plan.py [--tasks 3000] [--occurrences 10000] [--runs 7] [--year 2026]

The plan has 30 owners, 6 categories and uses every `when` form the parser documents
(tracker.calendar.when.WHEN_EXAMPLES) at least once; the remaining tasks are one-off work and
repeating work (monthly, quarterly...) mixed so that the year expands to about
`--occurrences` occurrences, as a county office's plan would. The first run is reported on
its own (empty caches); the headline figure is the median of all runs. Target: under 200 ms.
Then the plan cache (tracker.plan.cache): cold (no cache entry, in-process caches cleared)
and unchanged (cache hit), each with CPU time beside wall time and the ratio to an anchor
run in the same round (tomllib.loads of the same text). Targets: 200 ms cold, 50 ms unchanged.

bench/run.py reuses `generate` and `measure_load_expand`.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.plan.loader import load_plan, parse_plan_text  # noqa: E402
from tracker.calendar.schedule import expand_plan  # noqa: E402
from tracker.calendar.when import WHEN_EXAMPLES  # noqa: E402

TARGET_MS = 200.0
OWNERS = [f"成员单位{n:02d}" for n in range(1, 31)]
CATEGORIES = ["组织领导", "宣传教育", "拥军优属", "军民共建", "优抚安置", "征兵工作"]
TITLES = [
    "走访慰问驻地部队官兵和重点优抚对象",
    "召开双拥工作领导小组会议，研究部署工作",
    "开展国防教育和双拥宣传进社区活动",
    "落实义务兵家庭优待金发放",
    "组织军民共建文明单位结对活动",
    "核对优抚对象信息并报送变动情况",
]


def when_forms(year: int) -> list[str]:
    """Every documented form once; the full dates in WHEN_EXAMPLES name 2026."""
    return list(dict.fromkeys(w.replace("2026", str(year)) for w in WHEN_EXAMPLES))


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


@lru_cache(maxsize=None)
def form_counts(year: int) -> dict[str, int]:
    """How many occurrences each form gives in `year` (one task per form, expanded)."""
    forms = when_forms(year)
    lines = ['title = "计数"', f"year = {year}", ""]
    for n, form in enumerate(forms):
        lines += ["[[task]]", f'id = "f{n}"', 'title = "计数"', f"when = {_q(form)}", ""]
    plan, problems = parse_plan_text("\n".join(lines), "计数", year)
    if plan is None:
        raise SystemExit("\n".join(str(p) for p in problems))
    counts = dict.fromkeys(forms, 0)
    for occ in expand_plan(plan, year):
        counts[forms[int(occ.task_id[1:])]] += 1
    return counts


def task_forms(tasks: int, year: int, occurrences: int, seed: int = 2026) -> list[str]:
    """The `when` of each task: every form once, then one-off and repeating work mixed so the
    year has about `occurrences` occurrences (weekly repeats only in the every-form part)."""
    counts = form_counts(year)
    forms = list(counts)
    chosen = forms[: min(tasks, len(forms))]
    rest = tasks - len(chosen)
    once = [f for f in forms if counts[f] == 1]
    repeating = [f for f in forms if 2 <= counts[f] <= 12]
    # Each repeating task instead of a one-off adds count - 1 occurrences.
    needed = occurrences - sum(counts[f] for f in chosen) - rest
    extra: list[str] = []
    cycle = 0
    while needed > 0 and len(extra) < rest:
        fitting = [f for f in repeating if counts[f] - 1 <= needed]
        if not fitting:
            break
        form = fitting[cycle % len(fitting)]
        extra.append(form)
        needed -= counts[form] - 1
        cycle += 1
    chosen += extra + [once[n % len(once)] for n in range(rest - len(extra))]
    random.Random(seed).shuffle(chosen)
    return chosen


def generate(tasks: int = 3000, year: int = 2026, occurrences: int = 10_000) -> str:
    """A county-scale plan as TOML text (see the module docstring)."""
    out = [
        f'title = {_q(f"基准测试县{year}年双拥工作计划")}',
        'unit = "基准测试县双拥工作领导小组"',
        f"year = {year}",
        'workday = "previous"',
        f"owners = [{', '.join(_q(o) for o in OWNERS)}]",
        f"categories = [{', '.join(_q(c) for c in CATEGORIES)}]",
        f"default_owner = {_q(OWNERS[0])}",
        'evidence = ["活动照片", "签到表"]',
        "",
    ]
    for n, form in enumerate(task_forms(tasks, year, occurrences)):
        out += [
            "[[task]]",
            f'id = "task-{n:05d}"',
            f"title = {_q(f'{TITLES[n % len(TITLES)]}（第{n + 1}项）')}",
            f"when = {_q(form)}",
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


@dataclass(frozen=True)
class LoadTimes:
    times_ms: list[float]  # load_plan + expand_plan, each run (wall clock)
    cpu_ms: list[float]  # the same runs, CPU time of this process
    occurrences: int
    parse_ms: float  # medians: the loader's TOML parser alone, load_plan, expand_plan
    load_ms: float
    expand_ms: float

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)


def measure_load_expand(path: Path, year: int, runs: int = 7) -> LoadTimes:
    """load_plan + expand_plan in this (already imported) interpreter, `runs` times."""
    times: list[float] = []
    cpu: list[float] = []
    occurrences = 0
    for _ in range(max(1, runs)):
        t0, c0 = time.perf_counter(), time.process_time()
        plan = load_plan(path)
        occurrences = len(expand_plan(plan, year))
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)

    # Where the time goes: the loader's own TOML parser alone (tomli, compiled, where it is
    # installed: the share of load_plan it stands for), load (parse + validate), expand.
    from tracker.plan.tomlread import _toml

    text = path.read_text(encoding="utf-8")
    parse_ms, load_ms, expand_ms = [], [], []
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        _toml.loads(text)
        t1 = time.perf_counter()
        plan = load_plan(path)
        t2 = time.perf_counter()
        expand_plan(plan, year)
        t3 = time.perf_counter()
        parse_ms.append((t1 - t0) * 1000)
        load_ms.append((t2 - t1) * 1000)
        expand_ms.append((t3 - t2) * 1000)
    return LoadTimes(times, cpu, occurrences, *(statistics.median(x) for x in (parse_ms, load_ms, expand_ms)))


def clear_caches() -> None:
    """Forget every in-process cache of parsed `when` texts, slots and holiday lookups."""
    from tracker.calendar import festivals, holidays, schedule, slots, when, workdays

    for fn in (when._parse_cached, slots._slots_cached, schedule._resolved, festivals._festival_date,
               holidays.day_info, workdays._adjust):
        fn.cache_clear()


def _timed(fn) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


@dataclass(frozen=True)
class CacheTimes:
    cold_wall: list[float]  # no plan cache, in-process caches cleared: load + validate + expand
    cold_cpu: list[float]
    warm_wall: list[float]  # plan cache hit, in-process caches cleared: load_plan_cached + expand_cached
    warm_cpu: list[float]
    anchor_wall: list[float]  # the anchor: tomllib.loads of the same text
    anchor_cpu: list[float]
    tomli_cpu: list[float]  # the parser the loader uses (tomli, compiled) on the same text


def measure_cache(path: Path, year: int, runs: int = 5) -> CacheTimes:
    """Cold and cached load + validate + expand, paired with an anchor in each round."""
    import os

    from tracker.plan import cache
    from tracker.plan.tomlread import _toml

    text = path.read_text(encoding="utf-8")
    out: dict[str, list[float]] = {k: [] for k in ("cw", "cc", "ww", "wc", "aw", "ac", "tc")}
    with tempfile.TemporaryDirectory() as folder:
        os.environ[cache.ENV_CACHE] = folder
        for n in range(max(1, runs)):
            w, c = _timed(lambda: tomllib.loads(text))
            out["aw"].append(w)
            out["ac"].append(c)
            out["tc"].append(_timed(lambda: _toml.loads(text))[1])
            for file in Path(folder).rglob("*.pickle"):  # the entries live in plans/ below it
                file.unlink()
            clear_caches()
            w, c = _timed(lambda: cache.expand_cached(cache.load_plan_cached(path, year), year))
            out["cw"].append(w)
            out["cc"].append(c)
            clear_caches()
            w, c = _timed(lambda: cache.expand_cached(cache.load_plan_cached(path, year), year))
            out["ww"].append(w)
            out["wc"].append(c)
        del os.environ[cache.ENV_CACHE]
    return CacheTimes(out["cw"], out["cc"], out["ww"], out["wc"], out["aw"], out["ac"], out["tc"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--occurrences", type=int, default=10_000, help="about this many for the year")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--year", type=int, default=2026)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-plan.toml"
        path.write_text(generate(args.tasks, args.year, args.occurrences), encoding="utf-8")
        size_kb = path.stat().st_size / 1024
        result = measure_load_expand(path, args.year, args.runs)
        cached = measure_cache(path, args.year, args.runs)

    median = result.median_ms
    med = statistics.median
    forms = len(when_forms(args.year))
    print(f"计划：{args.tasks} 项任务，{len(OWNERS)} 个责任单位，{forms} 种时间写法，文件 {size_kb:.0f} KB，年份 {args.year}")
    print(f"occurrences: {result.occurrences}")
    print(f"first run (cold caches): {result.times_ms[0]:.1f} ms")
    print(f"median of {len(result.times_ms)} runs: {median:.1f} ms (CPU {med(result.cpu_ms):.1f} ms)")
    print(
        f"  load_plan {result.load_ms:.1f} ms (of which the TOML parser alone {result.parse_ms:.1f} ms) "
        f"+ expand_plan {result.expand_ms:.1f} ms"
    )
    anchor = med(cached.anchor_cpu)
    print(f"anchor (tomllib.loads of the same text): wall {med(cached.anchor_wall):.1f} ms, CPU {anchor:.1f} ms")
    print(f"  the loader's parser (tomli, compiled): CPU {med(cached.tomli_cpu):.1f} ms  ratio {med(cached.tomli_cpu) / anchor:.2f}")
    cold_cpu, warm_cpu = med(cached.cold_cpu), med(cached.warm_cpu)
    print(
        f"cold (no plan cache, in-process caches cleared): wall {med(cached.cold_wall):.1f} ms, CPU {cold_cpu:.1f} ms  "
        f"ratio {cold_cpu / anchor:.2f}  target 200 ms: {'OK' if cold_cpu < 200 else 'OVER'} (CPU)"
    )
    print(
        f"unchanged (plan cache hit): wall {med(cached.warm_wall):.1f} ms, CPU {warm_cpu:.1f} ms  "
        f"ratio {warm_cpu / anchor:.2f}  target 50 ms: {'OK' if warm_cpu < 50 else 'OVER'} (CPU)"
    )
    print(f"target: {TARGET_MS:.0f} ms  ratio: {median / TARGET_MS:.2f}  ({'OK' if median < TARGET_MS else 'OVER TARGET'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
