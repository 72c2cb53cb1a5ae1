"""How the commands end (issue 12, items 7, 8 and 10): the app without a terminal, exit codes,
a reader that goes away (`list | head`), and `history` in the user's own days and years."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import run_cli
from tracker.plan.bundled import default_plan_path

TODAY = "2026-06-15"


def command(folder: Path, *args: str, tz: str | None = None, **popen) -> list[str]:
    return [sys.executable, "-m", "tracker.cli", "--plan", str(default_plan_path()),
            "--db", str(folder / "state.jsonl"), "--today", TODAY, *args]


def environment(folder: Path, tz: str | None = None) -> dict[str, str]:
    env = {**os.environ, "SHUANGYONG_CONFIG": str(folder / "config.toml")}
    if tz:
        env["TZ"] = tz
    return env


@pytest.mark.parametrize("args", [["tui"], [], ["--plan", "不存在.toml", "tui"]], ids=["tui", "no command", "missing plan"])
def test_the_app_without_a_terminal_says_so_and_stops(env, args) -> None:
    started = time.monotonic()
    # stdin from a pipe, stdout and stderr to pipes: no terminal anywhere.
    proc = subprocess.run([sys.executable, "-m", "tracker.cli", *args], input=b"", capture_output=True,
                          cwd=env, env=environment(env), timeout=120)
    assert proc.returncode == 2
    message = proc.stderr.decode()
    assert "终端界面需要在终端" in message and "Traceback" not in message
    assert time.monotonic() - started < 120  # it returned by itself (the timeout would raise)


def test_the_app_exit_status_after_its_error_screen(env) -> None:
    from screens.app import run_app  # noqa: F401  (the entry the command calls)
    import asyncio

    from screens.app import build_app
    from tracker.settings import AppContext

    broken = env / "坏计划.toml"
    broken.write_text("title = [\n", encoding="utf-8")
    app = build_app(AppContext(plan_option=broken, db_option=env / "s.jsonl", user="测试员"))

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()

    asyncio.run(drive())
    assert app.load_error is not None
    # run_app's status, from the same app state
    assert (app.return_code or (1 if app.load_error is not None else 0)) == 1


def _big_state(folder: Path) -> None:
    # Enough output that the reader closes the pipe while the command is still writing.
    for _ in range(3):
        run_cli(folder, "done", "newyear-visit", "--note", "已走访" * 200)


@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["history"]])
def test_a_reader_that_goes_away_ends_the_command_quietly(env, args) -> None:
    _big_state(env)
    for _ in range(3):
        proc = subprocess.Popen(command(env, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=env, env=environment(env))
        proc.stdout.read(10)  # like `head -c 10`
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
        assert code in (0, 141), (code, err)
        assert "Broken pipe" not in err and "错误" not in err and "Traceback" not in err and "Exception" not in err


def test_list_into_head_through_a_shell(env) -> None:
    if not Path("/bin/sh").exists():
        pytest.skip("no /bin/sh")
    _big_state(env)
    line = " ".join(f"'{a}'" for a in command(env, "list", "--json"))
    proc = subprocess.run(["/bin/sh", "-c", f"{line} | head -n 1"], capture_output=True, cwd=env,
                          env=environment(env), timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == "["
    assert "错误" not in proc.stderr.decode() and "Broken pipe" not in proc.stderr.decode()


def _shift_times(path: Path, at: str) -> None:
    """Give every recorded change the time `at` (as if made then)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        record = json.loads(line)
        if isinstance(record.get("doc"), dict) and "at" in record["doc"]:
            record["doc"]["at"] = at
        out.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_history_since_a_day_starts_at_local_midnight(env) -> None:
    run_cli(env, "done", "newyear-visit")
    # 07:30 in Beijing on 06-15 is 23:30 UTC on 06-14.
    _shift_times(env / "state.jsonl", "2026-06-14T23:30:00+00:00")
    proc = subprocess.run(command(env, "history", "--since", "2026-06-15"), capture_output=True, cwd=env,
                          env=environment(env, tz="Asia/Shanghai"), timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "newyear-visit" in proc.stdout.decode()
    proc = subprocess.run(command(env, "history", "--since", "2026-06-16"), capture_output=True, cwd=env,
                          env=environment(env, tz="Asia/Shanghai"), timeout=120)
    assert "newyear-visit" not in proc.stdout.decode()


def test_history_year_filters_by_year(env) -> None:
    run_cli(env, "done", "newyear-visit")
    run_cli(env, "--year", "2027", "done", "newyear-visit")
    both = run_cli(env, "history").stdout
    assert "2026年" in both and "2027年" in both
    only = run_cli(env, "--year", "2027", "history").stdout
    assert "2027年" in only and "2026年 newyear-visit" not in only
