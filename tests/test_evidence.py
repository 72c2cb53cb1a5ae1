"""tracker.evidence: one rule for an evidence file, shown the same on every surface."""

from __future__ import annotations

import hashlib
import json
import os

import openpyxl
import pytest

from helpers import run_cli
from tracker.evidence import ARCHIVED, CHANGED, MISSING, PRESENT, evidence_label, evidence_state, usable_path
from tracker.model import Evidence, EvidenceKind


def _file(tmp_path, name, data=b"minutes", **extra):
    path = tmp_path / name
    path.write_bytes(data)
    return path, Evidence(1, EvidenceKind.FILE, str(path), size=len(data), sha256=hashlib.sha256(data).hexdigest(), **extra)


def test_states(tmp_path):
    path, ev = _file(tmp_path, "会议记录.pdf")
    assert evidence_state(ev) == PRESENT and evidence_label(ev) == ""
    path.write_bytes(b"MINUTES")  # same size, other bytes
    assert evidence_state(ev) == CHANGED and evidence_label(ev) == "文件已变更"
    path.unlink()
    assert evidence_state(ev) == MISSING and evidence_label(ev) == "文件缺失"
    assert evidence_state(Evidence(2, EvidenceKind.NOTE, "座谈会已召开")) == PRESENT
    assert evidence_state(Evidence(3, EvidenceKind.URL, "https://example.org")) == PRESENT


def test_archived_copy_counts_when_the_original_went(tmp_path):
    copy, _ = _file(tmp_path, "档案副本.pdf")
    path, ev = _file(tmp_path, "会议记录.pdf", archived=str(copy))
    assert evidence_state(ev) == PRESENT and usable_path(ev) == str(path)
    path.unlink()
    assert evidence_state(ev) == ARCHIVED and usable_path(ev) == str(copy)
    assert evidence_label(ev) == "原文件已移走，档案中有副本"
    path.write_bytes(b"edited!")
    assert evidence_state(ev) == ARCHIVED and evidence_label(ev) == "原文件已变更，档案中有副本"
    copy.write_bytes(b"tamper!")
    assert evidence_state(ev) == CHANGED and usable_path(ev) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_a_photos_place_does_not_hang(tmp_path):
    path, ev = _file(tmp_path, "照片.jpg")
    path.unlink()
    os.mkfifo(path)
    assert evidence_state(ev) == MISSING


def test_archived_file_reads_the_same_in_show_summary_ledger_and_detail(env):
    from screens.detail import file_mark

    first = json.loads(run_cli(env, "list", "--json").stdout)[0]["id"]
    photo = env / "合影.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    run_cli(env, "evidence", first, "--file", str(photo), "--label", "活动照片", "--archive")
    photo.unlink()
    label = "原文件已移走，档案中有副本"

    assert label in run_cli(env, "show", first).stdout
    summary = run_cli(env, "report", "summary").stdout
    assert f"【{label}】" in summary and "文件缺失" not in summary
    run_cli(env, "report", "ledger", "-o", "台账.xlsx")
    ws = openpyxl.load_workbook(env / "台账.xlsx").worksheets[0]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any(label in c for c in cells) and not any("文件缺失" in c for c in cells)

    from tracker.state.store import Store

    ev = Store(env / "state.jsonl").state(2026, first).evidence[0]
    assert file_mark(ev) == f"〔{label}〕"
