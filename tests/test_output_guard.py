"""No output ever replaces the state file, a plan, the config or someone else's file."""

from __future__ import annotations

import json
import zipfile

import pytest

from helpers import run_cli
from tracker.errors import TrackerError
from tracker.outputs.files import guard_output, save_atomically


def _state(env):
    first = json.loads(run_cli(env, "list", "--json").stdout)[0]["id"]
    run_cli(env, "done", first)
    return env / "state.jsonl"


@pytest.mark.parametrize("args", [
    ("export", "ics", "-o", "state.jsonl"),
    ("report", "summary", "-o", "state.jsonl"),
    ("report", "ledger", "-o", "state.jsonl"),
    ("report", "minutes", "--since", "2026-01-01", "-o", "state.jsonl"),
])
def test_no_output_replaces_the_state_file(env, args):
    state = _state(env)
    before = state.read_bytes()
    result = run_cli(env, *args, ok=False)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert state.read_bytes() == before
    run_cli(env, "list")  # still readable


def test_export_ics_refuses_plan_config_and_foreign_calendar(env):
    plan = env / "计划.toml"
    run_cli(env, "init", "-o", str(plan))
    text = plan.read_bytes()
    for target in (plan, env / "计划.ics"):
        if target.suffix == ".ics":
            target.write_text("BEGIN:VCALENDAR\r\nPRODID:-//Other//EN\r\nEND:VCALENDAR\r\n")
        result = run_cli(env, "export", "ics", "-o", str(target), ok=False)
        assert result.exit_code != 0
    assert plan.read_bytes() == text
    assert "Other" in (env / "计划.ics").read_text()


def test_the_config_file_is_protected_even_when_it_looks_like_an_output(env, monkeypatch):
    config = env / "设置.ics"
    config.write_text("BEGIN:VCALENDAR\r\nPRODID:-//shuangyong-tui//x//ZH\r\n")
    monkeypatch.setenv("SHUANGYONG_CONFIG", str(config))
    with pytest.raises(TrackerError, match="配置文件"):
        guard_output(config, "ics")


def test_earlier_outputs_are_replaced(env):
    _state(env)
    for args in (("export", "ics", "-o", "a.ics"), ("report", "summary", "-o", "总结.docx"),
                 ("report", "summary", "-o", "总结.md"), ("report", "ledger", "-o", "台账.xlsx"),
                 ("report", "ledger", "-o", "台账.csv"),
                 ("report", "minutes", "--since", "2026-01-01", "-o", "纪要.md")):
        run_cli(env, *args)
        run_cli(env, *args)  # the second run replaces the first without complaint
    with zipfile.ZipFile(env / "总结.docx") as z:
        assert b"shuangyong-tui" in z.read("docProps/core.xml")


def test_foreign_files_with_the_right_suffix_are_kept(env):
    _state(env)
    for name, args in (("总结.docx", ("report", "summary")), ("台账.xlsx", ("report", "ledger")),
                       ("台账.csv", ("report", "ledger")), ("总结.md", ("report", "summary"))):
        target = env / name
        target.write_text("同事自己的文件")
        result = run_cli(env, *args, "-o", name, ok=False)
        assert result.exit_code != 0 and "不是本程序生成的" in result.output
        assert target.read_text() == "同事自己的文件"


def test_save_atomically_exclusive_and_failures(tmp_path):
    target = tmp_path / "草稿.toml"
    save_atomically(target, "a = 1\n", exclusive=True)
    with pytest.raises(TrackerError, match="已存在，不会覆盖"):
        save_atomically(target, "a = 2\n", exclusive=True)
    assert target.read_text() == "a = 1\n"
    blocked = tmp_path / "file"
    blocked.write_text("x")
    with pytest.raises(TrackerError, match="无法写入"):
        save_atomically(blocked / "x.md", "text")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "草稿.toml"]
