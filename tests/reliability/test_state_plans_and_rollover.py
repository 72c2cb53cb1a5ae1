"""Records belong to their plan, a carry-over record to the carried item, and the list of
occurrences follows carry-overs by their records, not their count (issues 10 and 12)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from tracker.model import Plan, Status, Task
from tracker.service import Tracker
from tracker.state.store import Store

TODAY = date(2026, 12, 20)


def plan(title: str, *, uid: str = "") -> Plan:
    tasks = (
        Task(id="bayi-forum", title="八一座谈会", when="8月1日前", owner="双拥办"),
        Task(id="mothers-day", title="慰问军属母亲", when="5月10日", owner="双拥办"),
        Task(id="summary", title="年终总结", when="12月31日前", owner="双拥办"),
    )
    p = Plan(title=title, owners=("双拥办",), tasks=tasks)
    if uid and "uid" in Plan.__dataclass_fields__:
        p = replace(p, uid=uid)
    return p


def test_records_of_another_plan_are_said_not_merged(tmp_path: Path) -> None:
    """Trying the bundled plan, then one's own (init --template writes a uid into the copy)."""
    from tracker.plan.bundled import template_path
    from tracker.service import plan_key

    path = tmp_path / "state.jsonl"
    bundled = Tracker(replace(plan("社区模板"), path=template_path("shequ")), Store(path), 2026, TODAY)
    assert plan_key(bundled.plan) == "bundled:shequ"
    bundled.set_status("bayi-forum", Status.CANCELLED, reason="试用时取消")
    store = Store(path)
    store.bind_plan("0b7c2f5e-本社区")  # the uid init wrote into the user's own copy
    own = Tracker(plan("本社区2026年双拥工作计划"), store, 2026, TODAY)
    if plan_key(own.plan) is None:
        store.bind_plan("0b7c2f5e-本社区")  # a Plan without a uid field yet: bind as init would
    own.refresh()
    assert own.get("bayi-forum").status is Status.TODO
    assert all(r.status is Status.TODO for r in own.tracked())
    message = own.foreign_message()
    assert "1 条" in message and "另一个计划" in message and "bundled:shequ" in message
    assert own.history("bayi-forum") == []
    # the bundled plan still sees its own record
    again = Tracker(replace(plan("社区模板"), path=template_path("shequ")), Store(path), 2026, TODAY)
    assert again.get("bayi-forum").status is Status.CANCELLED and again.foreign_message() == ""


def test_renaming_a_plan_keeps_its_records(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    Tracker(plan("本社区计划"), Store(path), 2026, TODAY).toggle_done("bayi-forum")
    renamed = Tracker(plan("幸福里社区双拥工作计划"), Store(path), 2026, TODAY)
    assert renamed.get("bayi-forum").status is Status.DONE and renamed.foreign_message() == ""


def test_records_made_before_plan_keys_belong_to_any_plan(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    Store(path).set_status(2026, "bayi-forum", Status.DONE)  # no plan bound: an older file
    own = Tracker(plan("本社区"), Store(path), 2026, TODAY)
    assert own.get("bayi-forum").status is Status.DONE and own.foreign_message() == ""


def test_carry_record_shows_on_the_carried_item_only(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    p = plan("本社区")
    t2026 = Tracker(p, Store(path), 2026, TODAY)
    assert t2026.rollover(2027)
    t2027 = Tracker(p, Store(path), 2027, date(2027, 1, 5))
    own = t2027.get("mothers-day")
    assert own.occurrence.carried_from is None
    assert [c.op for c in t2027.history("mothers-day")] == []
    carried = t2027.get("mothers-day~2026")
    assert [c.op for c in t2027.history(carried.id)] == ["carry"]


def test_occurrences_follow_carry_overs_by_record_not_count(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    store = Store(path)
    store.carry_over(2026, 2027, [{"id": "bayi-forum", "title": "八一座谈会"}])
    app = Tracker(plan("本社区"), store, 2027, date(2027, 1, 5))
    assert "bayi-forum~2026" in {o.id for o in app.occurrences}
    other = Store(path)  # another program: undoes that carry-over and records another
    other.undo()
    other.carry_over(2026, 2027, [{"id": "summary", "title": "年终总结"}])
    assert app.refresh()
    ids = {o.id for o in app.occurrences}
    assert "summary~2026" in ids and "bayi-forum~2026" not in ids


def test_cli_says_records_belong_to_another_plan(env: Path) -> None:
    """`init --template` after trying the bundled plan: the copy has its own uid, so the
    bundled plan's 取消 is not merged into it, and every command says why."""
    from click.testing import CliRunner

    from tracker.cli import cli

    def run(*args: str):
        result = CliRunner().invoke(cli, ["--db", str(env / "state.jsonl"), "--today", "2026-06-15", *args])
        assert result.exit_code == 0, result.output
        return result

    run("set", "annual-plan", "--status", "取消", "--reason", "试用")
    run("init", "--template", "shequ", "-o", str(env / "计划.toml"))
    shown = run("--plan", str(env / "计划.toml"), "list", "--json")
    rows = {r["id"]: r for r in __import__("json").loads(shown.stdout)}
    assert rows["annual-plan"]["status"] == "todo"
    assert "另一个计划" in shown.stderr and "bundled:shequ" in shown.stderr
