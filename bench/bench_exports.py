"""Exports at county scale: 10,000 occurrences with states and evidence.

Measures, each as the median of several runs (the first run reported separately):

- `.ics` export (build_ics: every open occurrence, with reminders) — target under 1 s;
- `.docx` 总结 (summary_data + write_summary_docx) — target under 1 s;
- `.xlsx` 台账 (write_ledger_xlsx) and `.csv` 台账, Markdown 总结 — no target, for reference.

About a fifth of the evidence items are files that exist on disk, so the summary pays for
the file checks it does in real use.

Run: python bench/bench_exports.py [--occurrences 10000] [--runs 5] [--keep DIR]

bench/run.py reuses `tracker_cases` and `run_cases` on its own county-scale workload.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.outputs.ics import build_ics  # noqa: E402
from tracker.outputs.ledger import write_ledger_csv, write_ledger_xlsx  # noqa: E402
from tracker.model import (  # noqa: E402
    Evidence,
    EvidenceKind,
    Occurrence,
    OccurrenceState,
    Plan,
    Status,
    TrackedOccurrence,
)
from tracker.outputs.summary import summary_data, summary_markdown  # noqa: E402
from tracker.outputs.summary_docx import write_summary_docx  # noqa: E402

YEAR = 2026
TODAY = date(2026, 12, 10)  # the 总结 is written in December
OWNERS = [f"责任单位{n:02d}" for n in range(1, 31)]
CATEGORIES = ["组织领导", "宣传教育", "拥军优属", "军民共建", "优抚安置", "征兵工作"]
EVIDENCE = ["活动照片", "签到表", "会议记录", "慰问名单", "发放记录", "信息简报"]
TITLES = [
    "春节前夕走访慰问驻区部队官兵和重点优抚对象",
    "召开双拥工作领导小组会议，研究部署本季度工作",
    "开展“八一”建军节军民联欢和座谈活动",
    "组织全民国防教育日宣传活动，发放宣传资料",
    "核对优抚对象变动情况并报街道民政科",
    "发放义务兵家庭优待金，做到足额、按时",
]
TARGETS = {"ics": 1.0, "docx": 1.0, "xlsx": 1.0}  # judged on CPU time: the machine is shared


def synthetic(n: int, folder: Path, seed: int = 7) -> tuple[Plan, list[TrackedOccurrence]]:
    rnd = random.Random(seed)
    files = []
    for i in range(200):
        path = folder / f"照片{i:03d}.jpg"
        data = f"photo {i}".encode() * 50
        path.write_bytes(data)
        files.append((str(path), len(data), hashlib.sha256(data).hexdigest()))
    added = datetime(YEAR, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    rows = []
    statuses = [Status.DONE] * 5 + [Status.TODO] * 2 + [Status.DOING, Status.POSTPONED, Status.CANCELLED]
    for i in range(n):
        due = date(YEAR, 1, 1) + timedelta(days=rnd.randrange(365))
        task = f"task{i // 12:04d}"
        occ = Occurrence(
            id=f"{task}@{YEAR}-{i % 12 + 1:02d}",
            task_id=task,
            year=YEAR,
            title=f"{rnd.choice(TITLES)}（第{i}项）",
            category=rnd.choice(CATEGORIES),
            owner=rnd.choice(OWNERS),
            start=due - timedelta(days=rnd.choice((0, 7, 30))),
            nominal_due=due,
            due=due,
            support=tuple(rnd.sample(OWNERS, rnd.randrange(3))),
            evidence=tuple(rnd.sample(EVIDENCE, rnd.randrange(1, 4))),
            notes="邀请驻区部队领导参加" if i % 5 == 0 else "",
            amount=float(rnd.choice((100, 500, 1500))) if i % 7 == 0 else None,
            when="每月",
        )
        status = rnd.choice(statuses)
        items = []
        for j in range(rnd.randrange(4)):
            kind = rnd.choice((EvidenceKind.FILE, EvidenceKind.NOTE, EvidenceKind.URL))
            label = rnd.choice(occ.evidence + ("",))
            if kind is EvidenceKind.FILE and rnd.random() < 0.5:
                path, size, digest = rnd.choice(files)
            elif kind is EvidenceKind.FILE:
                path, size, digest = str(folder / f"不存在{i}-{j}.jpg"), 10, None
            else:
                path, size, digest = (f"https://example.org/news/{i}-{j}" if kind is EvidenceKind.URL
                                      else f"第{i}项工作已完成，参加人数{rnd.randrange(10, 90)}人"), None, None
            items.append(Evidence(i * 10 + j, kind, path, label=label, size=size, sha256=digest,
                                  added_at=added, added_by="王敏"))
        state = OccurrenceState(
            status=status,
            owner=rnd.choice(OWNERS) if rnd.random() < 0.05 else None,
            due=due + timedelta(days=20) if status is Status.POSTPONED else None,
            reason="部队演训，改期" if status is Status.POSTPONED else "与其他活动合并" if status is Status.CANCELLED else "",
            notes="已报街道" if rnd.random() < 0.2 else "",
            evidence=tuple(items),
            updated_at=added,
            updated_by="王敏",
        )
        rows.append(TrackedOccurrence(occ, state))
    rows.sort(key=lambda r: (r.due, r.id))
    plan = Plan(title=f"基准测试{YEAR}年双拥工作计划", unit="基准测试单位", year=YEAR,
                owners=tuple(OWNERS), categories=tuple(CATEGORIES))
    return plan, rows


def timed(fn, runs: int) -> tuple[float, float, float]:
    """First wall time, median wall time, median CPU time of this process."""
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return walls[0], statistics.median(walls), statistics.median(cpus)


Case = tuple[str, str, Callable[[], object]]  # key, label, what to run


def synthetic_cases(plan: Plan, rows: list[TrackedOccurrence], out: Path) -> list[Case]:
    """The exports on synthetic rows, as the library functions are called."""
    now = datetime.now(timezone.utc)
    memory = build_ics(plan, rows, year=YEAR, now=now, today=TODAY)[1]

    def ics():
        data, _ = build_ics(plan, rows, year=YEAR, now=now, previous=memory, today=TODAY)
        (out / "bench.ics").write_bytes(data)
        return data

    def docx():
        data = summary_data(plan, rows, YEAR, TODAY)
        write_summary_docx(data, out / "bench.docx")
        return data

    def markdown():
        return summary_markdown(summary_data(plan, rows, YEAR, TODAY))

    return [
        ("ics", ".ics export (build + write)", ics),
        ("docx", ".docx 总结 (data + write)", docx),
        ("md", "Markdown 总结 (data + text)", markdown),
        ("xlsx", ".xlsx 台账", lambda: write_ledger_xlsx(plan, rows, YEAR, TODAY, out / "bench.xlsx")),
        ("csv", ".csv 台账", lambda: write_ledger_csv(plan, rows, YEAR, TODAY, out / "bench.csv")),
        ("archive", "档案 .zip (every evidence item)", lambda: archive(plan, rows, out)),
    ]


def archive(plan, rows, out: Path):
    from tracker.outputs.archive import build_archive

    return build_archive(plan, [(YEAR, rows, TODAY)], out / "bench-archive.zip")


def tracker_cases(tracker, db_path: Path, out: Path) -> list[Case]:
    """The exports as the commands run them on a loaded Tracker (rows joined from the state
    file each time, the store's evidence file checks, the .ics sequence memory read and saved)."""
    from tracker.outputs.ics import export_tracker

    def ics():
        return export_tracker(tracker, db_path=db_path, target=out / "bench.ics")

    def docx():
        data = summary_data(tracker.plan, tracker.tracked(), tracker.year, tracker.today)
        return write_summary_docx(data, out / "bench.docx")

    def xlsx():
        return write_ledger_xlsx(tracker.plan, tracker.tracked(), tracker.year, tracker.today, out / "bench.xlsx")

    return [
        ("ics", ".ics 日历导出", ics),
        ("docx", ".docx 年终总结", docx),
        ("xlsx", ".xlsx 台账", xlsx),
    ]


def run_cases(cases: list[Case], runs: int) -> dict[str, tuple[float, float, float]]:
    """key -> (first wall time, median wall time, median CPU time), in seconds."""
    return {key: timed(fn, runs) for key, _, fn in cases}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--occurrences", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        evidence_dir = Path(tmp) / "evidence"
        evidence_dir.mkdir()
        plan, rows = synthetic(args.occurrences, evidence_dir)
        items = sum(len(r.state.evidence) for r in rows)
        open_rows = sum(1 for r in rows if not r.status.finished)
        print(f"{len(rows)} occurrences ({open_rows} open), {items} evidence items")
        if hasattr(os, "getloadavg"):
            # Other work on the machine inflates wall times; CPU time is shown beside them.
            print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

        cases = synthetic_cases(plan, rows, out)
        failed = False
        results = run_cases(cases, args.runs)
        for key, label, _ in cases:
            first, median, cpu = results[key]
            target = TARGETS.get(key)
            verdict = ""
            if target is not None:
                ok = cpu < target
                failed |= not ok
                # Judged on CPU (the machine is shared); the wall figure is told beside it.
                verdict = (f"  target < {target:.1f} s: cpu {'ok' if ok else 'MISSED'}, "
                           f"wall {'ok' if median < target else 'MISSED'} (x{median / target:.2f})")
            print(f"{label:<30} first {first:6.3f} s  median {median:6.3f} s  (cpu {cpu:6.3f} s){verdict}")
        sizes = {p.suffix: p.stat().st_size for p in out.glob("bench.*")}
        print("sizes: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sorted(sizes.items())))
        if args.keep:
            print(f"files kept in {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
