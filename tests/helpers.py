"""Helpers the test files share (imported as `from helpers import …`)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tracker.cli import cli
from tracker.plan.bundled import default_plan_path

TODAY = "2026-06-15"


def run_cli(tmp_path: Path, *args: str, ok: bool = True, db: str = "state.jsonl"):
    """The CLI on the bundled plan with a state file in tmp_path, today pinned, as 小王."""
    base = ["--plan", str(default_plan_path()), "--db", str(tmp_path / db), "--today", TODAY, "--by", "小王"]
    result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result
