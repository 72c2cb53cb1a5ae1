"""Recording what happened from the command line: the day it was done, the facts, and undo
that reverts your own last command as one step, with `history` saying who undid what."""

from __future__ import annotations

import json

import pytest

from helpers import TODAY, run_cli


def rows(folder) -> dict[str, dict]:
    return {r["id"]: r for r in json.loads(run_cli(folder, "list", "--json").stdout)}


def test_done_on_a_day_is_recorded_and_shown(env) -> None:
    run_cli(env, "done", "newyear-visit", "--on", "2026-01-02")
    assert rows(env)["newyear-visit"]["done_on"] == "2026-01-02"
    shown = run_cli(env, "show", "newyear-visit").stdout
    assert "完成日期：2026-01-02" in shown and "完成于 2026-01-02" in shown


def test_done_on_a_day_after_today_is_refused(env) -> None:
    result = run_cli(env, "done", "newyear-visit", "--on", "2026-06-16", ok=False)
    assert result.exit_code == 1 and "晚于今天" in result.stderr
    assert rows(env)["newyear-visit"]["status"] == "todo"


def test_set_records_facts(env) -> None:
    out = run_cli(env, "set", "spring-visit", "--people", "15", "--households", "12", "--paid", "1500",
                  "--place", "社区活动室", "--attendees", "社区书记、民兵连长").stdout
    assert "人数 15 人" in out and "实发金额 1500 元" in out
    facts = rows(env)["spring-visit"]["facts"]
    assert facts == {"people": 15, "households": 12, "amount_paid": 1500, "place": "社区活动室",
                     "attendees": "社区书记、民兵连长"}
    assert "实际情况：人数 15 人" in run_cli(env, "show", "spring-visit").stdout
    assert "实际情况" in run_cli(env, "history").stdout
    bad = run_cli(env, "set", "spring-visit", "--paid", "很多", ok=False)
    assert bad.exit_code == 2 and "不是金额" in bad.stderr


def test_undo_reverts_your_own_last_command_as_one_step(env) -> None:
    run_cli(env, "--by", "小王", "done", "newyear-visit", "--note", "已走访12户")
    run_cli(env, "--by", "小李", "done", "spring-visit")
    out = run_cli(env, "--by", "小王", "undo").stdout
    assert out.count("已撤销：") == 2 and "newyear-visit" in out and "spring-visit" not in out
    after = rows(env)
    assert after["newyear-visit"]["status"] == "todo" and after["newyear-visit"]["evidence_count"] == 0
    assert after["spring-visit"]["status"] == "done"  # 小李's change is not 小王's to undo
    again = run_cli(env, "--by", "小王", "undo").stdout
    assert "没有「小王」做的、可以撤销的修改" in again
    history = run_cli(env, "history").stdout
    assert "小王" in history and "撤销 #" in history and "（小王 " in history


def test_undo_anyone_takes_the_last_change_whoever_made_it(env) -> None:
    run_cli(env, "--by", "小王", "done", "newyear-visit")
    run_cli(env, "--by", "小李", "done", "spring-visit")
    out = run_cli(env, "--by", "小王", "undo", "--anyone").stdout
    assert "spring-visit" in out and "小李" in out
    assert rows(env)["spring-visit"]["status"] == "todo"


def test_evidence_column_and_percentages_agree(env) -> None:
    run_cli(env, "done", "newyear-visit", "--note", "慰问名单已报", "--label", "慰问名单")
    run_cli(env, "set", "spring-visit", "--status", "取消", "--reason", "合并到春节慰问")
    data = rows(env)
    assert (data["newyear-visit"]["evidence_satisfied"], data["newyear-visit"]["evidence_required"]) == (1, 2)
    assert data["spring-visit"]["evidence_missing"] == []  # cancelled work owes nothing
    listing = run_cli(env, "list").stdout
    line = next(l for l in listing.splitlines() if "newyear-visit" in l)
    assert " 1/2 " in line
    total = len(data)
    assert f"已完成 1/{total - 1}（{round(100 / (total - 1))}%，已取消 1 项不计）" in listing


def test_owner_outside_the_plan_is_accepted_and_marked(env) -> None:
    run_cli(env, "set", "newyear-visit", "--owner", "街道武装部")
    listing = run_cli(env, "list", "--owner", "街道武装部").stdout
    assert "newyear-visit" in listing and "不在计划中" in listing
    assert rows(env)["newyear-visit"]["owner_in_plan"] is False
    assert "（不在计划中）" in run_cli(env, "show", "newyear-visit").stdout


def test_list_json_is_one_object_per_line(env) -> None:
    text = run_cli(env, "list", "--json").stdout
    lines = text.strip().splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert all(json.loads(line.rstrip(",")) for line in lines[1:-1])
    assert TODAY


def test_one_item_lookup_equals_the_whole_year(env) -> None:
    """`done ID` and `show ID` expand only the item's task: the same occurrence as the year."""
    from datetime import date

    from tracker.plan.bundled import TEMPLATE_NAMES, template_path
    from tracker.settings import AppContext

    for name in TEMPLATE_NAMES:
        ctx = AppContext(plan_option=template_path(name), db_option=env / f"{name}.jsonl", today_option=date(2026, 6, 15))
        whole = ctx.tracker().occurrences
        for occ in whole:
            single = ctx.fresh().tracker()
            assert single.get(occ.id).occurrence == occ
            assert single._occurrences is None  # the year was not expanded for it
        ctx.store().close()


def test_a_month_or_week_is_the_years_rows_that_fall_in_it(env) -> None:
    """A month or a week chooses its rows by their due (the office's where it moved one) and
    makes only those states: the rows it gives are the whole year's, evidence and all."""
    from datetime import date

    from tracker.model import EvidenceKind, Status
    from tracker.plan.bundled import template_path
    from tracker.service import Query
    from tracker.settings import AppContext

    ctx = AppContext(plan_option=template_path("xiangzhen"), db_option=env / "s.jsonl", today_option=date(2026, 6, 15))
    tracker = ctx.tracker()
    for i, row in enumerate(tracker.tracked()[::3]):
        tracker.add_evidence(row.id, EvidenceKind.NOTE, f"说明{i}", label="照片")
        if i % 2:
            tracker.set_status(row.id, Status.DONE)
    rows = tracker.tracked()
    # Moved into June from elsewhere, out of June, and within June.
    outside = [r for r in rows if r.due.month not in (6, 7)][::5]
    inside = [r for r in rows if r.due.month == 6][::4]
    for r, due in [*((r, date(2026, 6, 16)) for r in outside), *((r, date(2026, 9, 1)) for r in inside[::2]),
                   *((r, date(2026, 6, 30)) for r in inside[1::2])]:
        tracker.set_status(r.id, Status.POSTPONED, reason="改期", due=due)
    tracker = ctx.fresh().tracker()
    year = tracker.select(Query())
    shown = []
    for query in (Query(period="M6"), Query(period="Q3"), Query(week=date(2026, 6, 15)),
                  Query(period="M6", status=Status.DONE)):
        chosen = tracker.select(query)
        assert chosen == tracker.select(query, rows=year)
        shown += chosen
    assert any(r.state.evidence for r in shown)  # (so the comparison means something)
    june = tracker.select(Query(period="M6"))
    assert {r.id for r in outside} <= {r.id for r in june} and not {r.id for r in inside[::2]} & {r.id for r in june}


@pytest.mark.parametrize("every", [12, 3])  # a few rows moved, then so many the year is sorted again
def test_the_years_rows_are_in_due_order_with_each_moved_row_at_its_new_due(env, every) -> None:
    """tracked() inserts only the rows the office moved; the order must be the full sort's,
    moves earlier, later, onto another row's day and back onto the plan's own due alike."""
    from datetime import date, timedelta

    from tracker.model import Status
    from tracker.plan.bundled import template_path
    from tracker.settings import AppContext

    ctx = AppContext(plan_option=template_path("xiangzhen"), db_option=env / "s.jsonl", today_option=date(2026, 6, 15))
    tracker = ctx.tracker()
    rows = tracker.tracked()
    moved = {}
    for i, row in enumerate(rows[::every]):
        due = [row.due - timedelta(days=40), row.due + timedelta(days=75), rows[-1 - i].due, row.occurrence.due][i % 4]
        if date(2026, 1, 1) <= due <= date(2026, 12, 31):
            tracker.set_status(row.id, Status.POSTPONED, reason="改期", due=due)
            moved[row.id] = due
    assert len(moved) > 3
    for fresh in (tracker, ctx.fresh().tracker()):
        got = fresh.tracked()
        assert [r.id for r in got] == [r.id for r in sorted(got, key=lambda r: (r.due, r.id))]
        assert {r.id for r in got} == {r.id for r in rows}
        by_id = {r.id: r for r in got}
        assert all(by_id[i].due == due for i, due in moved.items())
