"""The year-end 总结 (.docx) and 台账 (.xlsx) as an inspector sees them: printed.

Both are written by the commands for the bundled community plan with a year of records (done
with dates and facts, evidence files present and missing, postponed, cancelled), converted to
PDF by LibreOffice and read back with poppler's pdftotext, page by page:

- a sane number of pages, the title on page 1, the page number in every page's footer;
- the 台账: every column header on every page (all columns fit one landscape page width and
  the header repeats), the 合计 row on the last page; with fit-to-width missing, the columns
  spill onto extra pages and this fails.

Slow (LibreOffice takes 10-30 s); skipped when soffice or pdftotext is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.outputs.ledger import COLUMNS
from tracker.plan.bundled import default_plan_path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: no rendering to check"),
    pytest.mark.skipif(PDFTOTEXT is None or PDFINFO is None,
                       reason="poppler-utils (pdftotext, pdfinfo) is not installed: the PDF cannot be read"),
]

TODAY = "2026-12-10"


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict:
    """The 总结 and the 台账 of a recorded year, as PDFs."""
    home = tmp_path_factory.mktemp("render")
    base = ["--plan", str(default_plan_path()), "--db", str(home / "state.jsonl"), "--today", TODAY, "--by", "王敏"]

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    photo, sheet, lost = home / "活动照片.jpg", home / "签到表.pdf", home / "会议记录.docx"
    for path in (photo, sheet, lost):
        path.write_bytes(path.name.encode() * 40)
    paid = 0
    for i, row in enumerate(json.loads(run("list", "--json"))):
        if row["due"] > TODAY:
            continue
        kind = i % 6
        if kind <= 2:
            run("done", row["id"], "--on", row["due"], "--file", str(photo), "--label", "活动照片")
            if kind == 0:
                run("evidence", row["id"], "--file", str(sheet), "--label", "签到表")
                run("set", row["id"], "--households", "12", "--people", "15", "--paid", "6000", "--place", "社区活动室")
                paid += 6000
        elif kind == 3:
            run("set", row["id"], "--due", "2026-12-30", "--reason", "部队驻训推迟，待返营后开展")
        elif kind == 4:
            run("set", row["id"], "--status", "取消", "--reason", "上级统一组织，本级不再单独开展")
        else:
            run("evidence", row["id"], "--file", str(lost), "--label", "会议记录")
            run("evidence", row["id"], "--note", "已与驻区部队联系，初定时间\n第二行：需协调场地")
    lost.unlink()  # flagged as missing in both documents
    run("report", "summary", "-o", str(home / "年终总结.docx"))
    run("report", "ledger", "-o", str(home / "台账.xlsx"))

    out = home / "pdf"
    result = subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation={(home / 'profile').as_uri()}", "--convert-to", "pdf",
         "--outdir", str(out), str(home / "年终总结.docx"), str(home / "台账.xlsx")],
        capture_output=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    pdfs = {"summary": out / "年终总结.pdf", "ledger": out / "台账.pdf"}
    for pdf in pdfs.values():
        assert pdf.exists(), result.stdout.decode(errors="replace")
    return {**pdfs, "paid": paid}


def page_count(pdf: Path) -> int:
    info = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_text(pdf: Path, page: int) -> str:
    """One page's text in drawing order, all white space removed (a wrapped cell reads whole)."""
    text = subprocess.run([PDFTOTEXT, "-raw", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def test_summary_prints_with_its_title_and_page_numbers(printed):
    pdf = printed["summary"]
    pages = page_count(pdf)
    assert 4 <= pages <= 30, pages  # a few pages of prose, then the landscape tables
    first = page_text(pdf, 1)
    assert first.startswith("××社区2026年度双拥工作总结"), first[:60]
    assert "一、基本情况" in first
    texts = [page_text(pdf, n) for n in range(1, pages + 1)]
    for n, text in enumerate(texts, 1):
        assert f"—{n}—" in text, f"page {n} has no page number"
    everything = "".join(texts)
    for heading in ("二、主要做法和成效", "三、存在的问题", "四、下步打算", "填报人：", "审核人：", "附表3全年工作事项清单"):
        assert heading in everything, heading
    assert "【文件缺失】" in everything
    assert "@2026" not in everything  # no internal ids
    assert "/" not in everything.replace("https://", "")  # file names, never paths


def test_ledger_prints_every_column_on_every_page(printed):
    pdf = printed["ledger"]
    pages = page_count(pdf)
    assert 1 <= pages <= 8, pages  # 56 items: more pages would mean the columns spilled over
    first = page_text(pdf, 1)
    assert "××社区2026年度双拥工作台账" in first
    assert "统计截至：2026年12月10日" in first
    for n in range(1, pages + 1):
        text = page_text(pdf, n)
        missing = [h for h in COLUMNS if h not in text]
        assert not missing, f"page {n} of {pages} lacks the columns {missing}: they spilled onto another page"
        assert f"第{n}页，共{pages}页" in text, f"page {n} has no page number"
    last = page_text(pdf, pages)
    assert printed["paid"] > 0 and "合计" in last and f"{printed['paid']:,.2f}" in last  # the 实发金额 summed
    assert "【文件缺失】" in "".join(page_text(pdf, n) for n in range(1, pages + 1))
