"""The 档案 export read back: folders, 件号 order, copied files' hashes, 目录, 对标对表, gaps."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import date

import docx
import openpyxl
import pytest

from helpers import run_cli
from tracker.model import Evidence, EvidenceKind, Occurrence, OccurrenceState, Plan, Status, TrackedOccurrence


def _setup(env):
    rows = json.loads(run_cli(env, "list", "--json").stdout)
    photos = []
    for n in range(3):
        p = env / f"照片{n}.jpg"
        p.write_bytes(f"photo {n}".encode() * 50)
        photos.append(p)
    a, b, c, d = rows[0]["id"], rows[1]["id"], rows[2]["id"], rows[3]["id"]
    run_cli(env, "done", a, "--file", str(photos[0]), "--label", "活动照片")
    run_cli(env, "evidence", b, "--file", str(photos[1]), "--label", "签到表", "--archive")
    run_cli(env, "evidence", c, "--file", str(photos[2]), "--label", "会议记录")
    run_cli(env, "evidence", d, "--note", "座谈会已召开，参会 30 人")
    photos[1].unlink()  # archived: the 档案 copy is used
    photos[2].unlink()  # lost: listed, not copied
    return rows, photos


def _digests(paths):
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_archive_folder(env):
    rows, photos = _setup(env)
    refused = run_cli(env, "report", "archive", "-o", "档案", ok=False)  # the evidence folder itself
    assert refused.exit_code != 0 and "佐证材料的档案文件夹" in refused.output
    result = run_cli(env, "report", "archive", "-o", "档案导出")
    assert "已写入 档案导出：2026年档案 4 件，复制文件 2 个" in result.stdout
    root = env / "档案导出"
    assert (root / ".shuangyong-tui-档案").exists()
    year = root / "2026年"
    copied = sorted(p for p in year.rglob("*.jpg"))
    assert len(copied) == 2
    from tracker.state.store import Store

    store = Store(env / "state.jsonl")
    recorded = {ev.sha256 for r in rows[:3] for ev in store.state(2026, r["id"]).evidence}
    assert _digests(copied) <= recorded  # the bytes recorded, byte for byte

    # 件号: year-group-number, numbered in order within each group, file names start with it.
    ws = openpyxl.load_workbook(year / "目录.xlsx").active
    numbers = [r[0] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert len(numbers) == 4
    for group in {n.rsplit("-", 1)[0] for n in numbers}:
        seq = [int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(group + "-")]
        assert seq == list(range(1, len(seq) + 1))
    assert all(p.name.split(" ")[0] in numbers for p in copied)
    remarks = {r[0]: r[5] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert any("取自档案副本" in (v or "") for v in remarks.values())
    assert any("文件缺失，未能复制" in (v or "") for v in remarks.values())
    assert any("文字说明：座谈会已召开" in (v or "") for v in remarks.values())
    # Each group folder has its own 目录 in both formats.
    for folder in (p for p in year.iterdir() if p.is_dir()):
        assert (folder / "目录.xlsx").exists() and (folder / "目录.docx").exists()
    doc = docx.Document(str(year / "目录.docx"))
    assert "2026年度双拥工作档案目录" in doc.paragraphs[0].text
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert all(n in cells for n in numbers)

    top = openpyxl.load_workbook(root / "目录.xlsx")
    assert top.sheetnames == ["总目录", "对标对表", "缺项清单"]
    check = list(top["对标对表"].iter_rows(min_row=3, values_only=True))
    groups = {folder.name.split(" ")[1] for folder in year.iterdir() if folder.is_dir()}
    assert groups and {r[1] for r in check} >= groups and all(r[0] == "2026年" for r in check)

    # Again: an earlier 档案 is replaced; a foreign folder is not.
    run_cli(env, "report", "archive", "-o", "档案导出")
    other = env / "别的"
    other.mkdir()
    (other / "自己的.txt").write_text("keep")
    bad = run_cli(env, "report", "archive", "-o", "别的", ok=False)
    assert bad.exit_code != 0 and "不是本程序生成的档案" in bad.output
    assert (other / "自己的.txt").read_text() == "keep"


def test_archive_zip_over_years_with_gaps(env):
    _setup(env)
    result = run_cli(env, "report", "archive", "--years", "2025-2026", "-o", "档案.zip")
    assert "2025-2026年档案" in result.stdout
    with zipfile.ZipFile(env / "档案.zip") as zf:
        names = zf.namelist()
        top = names[0].split("/")[0]
        assert top.endswith("双拥工作档案2025—2026年")
        assert any(n.startswith(f"{top}/2025年/") for n in names)
        assert f"{top}/目录.xlsx" in names and f"{top}/目录.docx" in names
        jpgs = [n for n in names if n.endswith(".jpg")]
        assert len(jpgs) == 2 and all("/2026年/" in n for n in jpgs)
        import io

        book = openpyxl.load_workbook(io.BytesIO(zf.read(f"{top}/目录.xlsx")))
        gap_rows = list(book["缺项清单"].iter_rows(min_row=3, values_only=True))
        check_2025 = [r for r in book["对标对表"].iter_rows(min_row=3, values_only=True) if r[0] == "2025年"]
    gaps_2025 = [r for r in gap_rows if r[0] == "2025年"]
    assert len(gaps_2025) == len(check_2025) > 0  # 2025 has no evidence at all: every line is a gap
    assert ("2026年", "组织领导") not in {(r[0], r[1]) for r in gap_rows}
    run_cli(env, "report", "archive", "--years", "2025-2026", "-o", "档案.zip")  # replaces its own zip
    foreign = env / "别人.zip"
    with zipfile.ZipFile(foreign, "w") as zf:
        zf.writestr("a.txt", "x")
    bad = run_cli(env, "report", "archive", "-o", "别人.zip", ok=False)
    assert bad.exit_code != 0 and "不是本程序生成的" in bad.output


def test_archive_bad_input(env):
    for years in ("2026-2023", "去年", "2000-2030"):
        bad = run_cli(env, "report", "archive", "--years", years, "-o", "x.zip", ok=False)
        assert bad.exit_code != 0 and "年份范围" in bad.output and "Traceback" not in bad.output


@dataclass(frozen=True)
class _Ind:
    code: str
    name: str
    parent: str = ""


class _Catalogue:
    indicators = (_Ind("1", "组织领导"), _Ind("1.2", "领导小组会议", "1"), _Ind("2", "宣传"),
                  _Ind("2.1", "国防教育", "2"), _Ind("2.2", "双拥宣传", "2"))

    def get(self, code):
        return next((i for i in self.indicators if i.code == code), None)


def test_grouped_by_indicator_with_check_sheet_and_gaps(tmp_path):
    from tracker.outputs.archive import check_rows, plan_year

    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    ev = Evidence(1, EvidenceKind.FILE, str(photo), label="签到表", size=1, sha256=hashlib.sha256(b"x").hexdigest())

    def row(oid, due, codes, evidence=()):
        o = Occurrence(id=oid, task_id=oid, year=2026, title=oid, category="组织领导", owner="社区党委", start=due,
                       nominal_due=due, due=due, indicators=codes)
        return TrackedOccurrence(o, OccurrenceState(status=Status.DONE, evidence=evidence))

    rows = [row("会议二", date(2026, 6, 1), ("1.2",), (ev,)), row("会议一", date(2026, 3, 1), ("1.2",), (ev,)),
            row("宣传", date(2026, 5, 1), ("2.1",))]
    year = plan_year(Plan(title="t", categories=("组织领导",)), rows, 2026, _Catalogue())
    assert [g.key for g in year.groups] == ["1.2", "2.1"]
    first = year.groups[0]
    assert first.name == "领导小组会议" and first.folder == "01 1.2 领导小组会议"
    assert [i.number for i in first.items] == ["2026-01-0001", "2026-01-0002"]
    assert first.items[0].title.startswith("会议一")  # by the work's date
    table, gaps = check_rows([year], _Catalogue())
    assert [r[1] for r in table] == ["1.2", "2.1", "2.2"]  # every indicator of the catalogue
    assert [(r[1], r[4]) for r in gaps] == [("2.1", "有工作事项，但没有任何佐证材料"), ("2.2", "本年度没有对应的工作事项")]
