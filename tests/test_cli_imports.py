"""What the quick commands import. With the plan cache warm, `list`, `show ID` and `done ID`
read the plan and its year from the cache: none of them loads the date-computing code (the
time-phrase parser compiles ~60 regexes), the lunar and holiday libraries, dateutil's RRULE,
filelock (the state file's lock is taken with flock) or the app. Not a timing test: it
looks at sys.modules in a real process after the command ran."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.plan.bundled import template_path

HEAVY = ("tracker.calendar.when", "tracker.calendar.schedule", "tracker.calendar.festivals", "tracker.plan.loader",
         "dateutil", "borax", "chinese_calendar", "filelock", "wcwidth", "textual", "docx", "openpyxl", "tomli")

RUN = """
import json, sys
from tracker.cli import main
try:
    main()
finally:
    heavy = sorted({m for m in sys.modules for h in HEAVY if m == h or m.startswith(h + ".")})
    with open(OUT, "w") as out:
        json.dump(heavy, out)
"""


@pytest.fixture()
def world(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    plan = tmp_path / "plan.toml"
    shutil.copy(template_path("shequ"), plan)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGYONG_")}
    env.update(SHUANGYONG_CONFIG=str(tmp_path / "config.toml"), SHUANGYONG_CACHE=str(tmp_path / "cache"),
               SHUANGYONG_HOLIDAYS=str(tmp_path / "holidays.toml"))
    return plan, env


def run(plan: Path, env: dict[str, str], *args: str) -> tuple[str, list[str]]:
    out = plan.with_name("modules.json")
    code = f"HEAVY = {HEAVY!r}; OUT = {str(out)!r}\n{RUN}"
    base = ["--plan", str(plan), "--db", str(plan.with_name("state.jsonl")), "--today", "2026-03-10"]
    done = subprocess.run([sys.executable, "-c", code, *base, *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=plan.parent)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(out.read_text())


def test_list_show_done_with_a_warm_cache_load_nothing_heavy(world):
    plan, env = world
    listed, cold = run(plan, env, "list", "--json")  # the first run fills the cache
    assert "tracker.calendar.schedule" in cold  # (so the list below means something)
    first = json.loads(listed)[0]["id"]
    for args in (["list"], ["list", "--json"], ["show", first], ["done", first], ["show", first]):
        output, heavy = run(plan, env, *args)
        assert heavy == [], f"{' '.join(args)} imported {heavy}"
    assert "已完成" in output  # the done was recorded and shown
