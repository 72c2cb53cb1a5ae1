"""The week view spans New Year: the days of the week in the next year show that year's items."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from tracker.cli import cli

PLAN = '''title = "跨年测试计划"
[[task]]
id = "newyear"
title = "元旦慰问驻区部队"
when = "1月1日"
on_holiday = "keep"
[[task]]
id = "weekly"
title = "每周走访"
when = "每周五"
'''


def _run(env, *args):
    plan = env / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    base = ["--plan", str(plan), "--db", str(env / "state.jsonl"), "--today", "2026-12-28", "--by", "小王"]
    result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_list_week_across_new_year_shows_next_years_items(env):
    out = _run(env, "list", "--week", "2026-12-28")
    assert "newyear" in out and "元旦慰问驻区部队" in out
    assert "weekly@2027-01-01" in out


def test_service_week_includes_next_year_days(env):
    from tracker.plan.loader import load_plan
    from tracker.service import Tracker
    from tracker.state.store import Store

    (env / "plan.toml").write_text(PLAN, encoding="utf-8")
    plan = load_plan(env / "plan.toml")
    with Store(env / "state.jsonl") as store:
        view = Tracker(plan, store, 2026, date(2026, 12, 28)).week()
    dues = [r.due for r in view.this_week]
    assert date(2027, 1, 1) in dues
    assert all(date(2026, 12, 28) <= d <= date(2027, 1, 3) for d in dues)
    assert not any(r.due.year == 2027 for r in view.overdue)
