"""Evidence paths inside the state file's folder are recorded relative to it, so the whole
folder (a shared folder, a USB stick) opened from another computer still finds its files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from helpers import run_cli
from tracker.evidence import resolved_path, stored_path

OCC = "regular-meeting@2026Q1"


def records(db: Path) -> list[dict]:
    lines = db.read_text(encoding="utf-8").splitlines()[1:]
    return [json.loads(line)["doc"]["new"] for line in lines if '"op":"evidence"' in line]


def test_stored_inside_relative_outside_absolute(tmp_path):
    folder = tmp_path / "共享"
    (folder / "照片").mkdir(parents=True)
    inside = folder / "照片" / "合影.jpg"
    outside = tmp_path / "桌面" / "签到表.pdf"
    assert stored_path(str(inside), folder) == "照片/合影.jpg"
    assert stored_path(str(outside), folder) == str(outside)
    assert stored_path(str(tmp_path / "共享x" / "a.jpg"), folder) == str(tmp_path / "共享x" / "a.jpg")
    assert resolved_path("照片/合影.jpg", tmp_path / "别处") == str(tmp_path / "别处" / "照片" / "合影.jpg")
    assert resolved_path(str(outside), tmp_path / "别处") == str(outside)  # absolute stays


def test_a_linked_folder_inside_is_still_inside(tmp_path):
    folder = tmp_path / "共享"
    (folder / "照片").mkdir(parents=True)
    (tmp_path / "链接").symlink_to(folder, target_is_directory=True)
    assert stored_path(str(tmp_path / "链接" / "照片" / "a.jpg"), folder) == "照片/a.jpg"


def _moved(tmp_path: Path, folder: Path) -> Path:
    target = tmp_path / "另一台电脑" / "挂载点"
    target.parent.mkdir()
    shutil.move(str(folder), str(target))
    return target


def test_cli_attach_then_move_the_folder(env):
    shared = env / "共享"
    (shared / "照片").mkdir(parents=True)
    photo = shared / "照片" / "合影.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    outside = env / "外面.pdf"
    outside.write_bytes(b"%PDF")
    db = "共享/state.jsonl"
    run_cli(env, "evidence", OCC, "--file", str(photo), "--label", "会议记录", "--archive", db=db)
    run_cli(env, "evidence", OCC, "--file", str(outside), "--label", "签到表", db=db)
    inside, out = records(shared / "state.jsonl")
    assert inside["text"] == "照片/合影.jpg" and inside["archived"] == f"档案/2026/{OCC}/合影.jpg"
    assert out["text"] == str(outside)

    moved = _moved(env, shared)
    db = "另一台电脑/挂载点/state.jsonl"
    shown = run_cli(env, "show", OCC, db=db).stdout
    assert str(moved / "照片" / "合影.jpg") in shown and "文件缺失" not in shown
    assert str(outside) in shown
    run_cli(env, "report", "ledger", "-o", "台账.xlsx", db=db)
    cells = [str(c.value) for row in openpyxl.load_workbook(env / "台账.xlsx").worksheets[0].iter_rows()
             for c in row if c.value]
    assert not any("文件缺失" in c or "文件已变更" in c for c in cells)
    assert "文件缺失" not in run_cli(env, "report", "summary", db=db).stdout

    # The 档案 copy moved with the folder: it stands in when the photo itself is gone.
    (moved / "照片" / "合影.jpg").unlink()
    assert "原文件已移走，档案中有副本" in run_cli(env, "show", OCC, db=db).stdout
    result = run_cli(env, "report", "archive", "-o", "档案.zip", db=db).stdout
    assert "复制文件 2 个" in result


def test_old_absolute_records_keep_working(env):
    shared = env / "共享"
    shared.mkdir()
    photo = shared / "合影.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    db = shared / "state.jsonl"
    run_cli(env, "evidence", OCC, "--file", str(photo), db="共享/state.jsonl")
    # As an earlier version wrote it: the absolute path.
    db.write_text(db.read_text(encoding="utf-8").replace('"text":"合影.jpg"', json.dumps({"text": str(photo)})[1:-1]),
                  encoding="utf-8")
    assert records(db)[0]["text"] == str(photo)
    shown = run_cli(env, "show", OCC, db="共享/state.jsonl").stdout
    assert str(photo) in shown and "文件缺失" not in shown


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_state_file_reached_through_a_link_records_against_its_real_folder(env):
    shared = env / "共享"
    shared.mkdir()
    photo = shared / "合影.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    run_cli(env, "show", OCC, db="共享/state.jsonl")
    (env / "state.jsonl").symlink_to(shared / "state.jsonl")
    run_cli(env, "evidence", OCC, "--file", str(photo))  # through the link in env
    assert records(shared / "state.jsonl")[0]["text"] == "合影.jpg"
    assert "文件缺失" not in run_cli(env, "show", OCC).stdout


async def test_app_evidence_dialog_attach_then_move_the_folder(tmp_path, monkeypatch):
    from textual.widgets import Input

    from test_app import SMALL_PLAN, make_app, select_row, settle
    from screens.dialogs import EvidenceDialog
    from screens.main import MainScreen

    monkeypatch.setenv("SHUANGYONG_CONFIG", str(tmp_path / "config.toml"))
    for name in ("SHUANGYONG_PLAN", "SHUANGYONG_DB", "SHUANGYONG_TODAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    shared = tmp_path / "共享"
    (shared / "照片").mkdir(parents=True)
    plan = shared / "计划.toml"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    photo = shared / "照片" / "板报.jpg"
    photo.write_bytes(b"\xff\xd8board")
    db = shared / "state.jsonl"
    app = make_app(plan, db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select_row(pilot, "markup")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EvidenceDialog)
        dialog.query_one("#evidence-text", Input).value = str(photo)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert records(db)[0]["text"] == "照片/板报.jpg"

    moved = _moved(tmp_path, shared)
    from click.testing import CliRunner

    from tracker.cli import cli

    base = ["--plan", str(moved / "计划.toml"), "--db", str(moved / "state.jsonl"), "--today", "2026-06-15"]
    shown = CliRunner().invoke(cli, [*base, "show", "markup"], catch_exceptions=False)
    assert shown.exit_code == 0, shown.output
    assert str(moved / "照片" / "板报.jpg") in shown.output and "文件缺失" not in shown.output
