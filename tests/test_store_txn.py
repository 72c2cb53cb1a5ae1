"""One command, one undo step; undo that is yours; facts and the day work was done;
what changed since a dialog opened. Real state files in tmp_path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.model import Facts, Plan, Status, Task
from tracker.service import Tracker
from tracker.state.store import InvalidChange, Store

Y = 2026
TODAY = date(2026, 6, 15)


def make_plan() -> Plan:
    return Plan(title="本社区", owners=("双拥办",), tasks=(
        Task(id="visit", title="八一走访", when="8月1日前", owner="双拥办"),
        Task(id="forum", title="座谈会", when="7月1日前", owner="双拥办"),
    ))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.jsonl"


def test_changes_of_one_command_are_one_undo_step(path: Path) -> None:
    t = Tracker(make_plan(), Store(path, user="王敏"), Y, TODAY)
    with t.transaction():
        t.toggle_done("visit")
        t.add_note("visit", "走访了 12 户")
    preview = t.undo_preview()
    assert [c.op for c in preview] == ["note", "status"]
    assert len({c.txn for c in preview}) == 1 and preview[0].txn
    undone = t.undo_all()
    assert [c.undoes for c in undone] == [2, 1]
    state = t.get("visit").state
    assert state.status is Status.TODO and state.notes == ""
    assert t.undo_preview() == []


def test_undo_is_yours(path: Path) -> None:
    mine = Tracker(make_plan(), Store(path, user="甲"), Y, TODAY)
    theirs = Tracker(make_plan(), Store(path, user="乙"), Y, TODAY)
    mine.toggle_done("visit")
    theirs.toggle_done("forum")  # the newest change is someone else's
    change = mine.undo()
    assert change is not None and change.undoes == 1 and change.by == "甲"
    assert mine.get("forum").status is Status.DONE
    assert mine.get("visit").status is Status.TODO
    assert mine.undo() is None  # nothing of 甲's is left
    assert theirs.undo(anyone=True).undoes == 2


def test_undo_limited_to_this_session(path: Path) -> None:
    earlier = Tracker(make_plan(), Store(path, user="甲"), Y, TODAY)
    earlier.toggle_done("visit")
    now = Tracker(make_plan(), Store(path, user="甲"), Y, TODAY)
    assert now.undo_preview(session=now.store.session) == []
    now.toggle_done("forum")
    assert [c.occurrence for c in now.undo_preview(session=now.store.session)] == ["forum"]
    assert now.undo(session=now.store.session).undoes == 2
    assert now.undo(session=now.store.session) is None
    assert now.get("visit").status is Status.DONE


def test_rollover_is_one_undo_step(path: Path) -> None:
    t = Tracker(make_plan(), Store(path), Y, date(2026, 12, 20))
    carried = t.rollover(2027)
    assert len(carried) == 2 and len({c.txn for c in carried}) == 1
    assert len(t.undo_all()) == 2
    assert t.store.carry_overs(2027) == []


def test_done_on_and_facts(path: Path) -> None:
    t = Tracker(make_plan(), Store(path), Y, TODAY)
    t.toggle_done("visit", on=date(2026, 7, 30))
    assert t.get("visit").state.done_on == date(2026, 7, 30)
    t.set_facts("visit", people=3, households=3, amount_paid=30000, place="社区活动室", attendees="王敏、李军")
    t.set_facts("visit", place="退役军人服务站")
    fresh = Tracker(make_plan(), Store(path), Y, TODAY).get("visit").state
    assert fresh.facts == Facts(people=3, households=3, amount_paid=30000, place="退役军人服务站",
                                attendees="王敏、李军")
    assert fresh.done_on == date(2026, 7, 30)
    assert t.set_facts("visit", people=3) is None  # nothing changed: nothing recorded
    t.undo()
    assert t.get("visit").state.facts.place == "社区活动室"
    t.toggle_done("visit")  # back to 未开始: no completion day
    assert t.get("visit").state.done_on is None
    t.toggle_done("forum")  # no day given: the tracker's today (pinned by --today, else the clock)
    assert t.get("forum").state.done_on == t.today


@pytest.mark.parametrize("facts", [{"people": -1}, {"people": "三"}, {"amount_paid": float("nan")},
                                   {"households": True}, {"colour": "红"}, {"place": "a\0b"}])
def test_bad_facts_are_refused(path: Path, facts: dict) -> None:
    s = Store(path)
    with pytest.raises(InvalidChange):
        s.set_facts(Y, "visit", **facts)
    assert s.revision == 0


def test_done_on_only_for_done(path: Path) -> None:
    with pytest.raises(InvalidChange):
        Store(path).set_status(Y, "visit", Status.DOING, done_on=date(2026, 7, 1))


def test_changed_since_tells_a_dialog_what_happened_meanwhile(path: Path) -> None:
    dialog = Tracker(make_plan(), Store(path, user="甲"), Y, TODAY)
    opened = dialog.revision
    other = Tracker(make_plan(), Store(path, user="乙"), Y, TODAY)
    other.set_owner("visit", "退役军人服务站")
    other.toggle_done("forum")
    changes = dialog.changed_since(opened, "visit")
    assert [(c.op, c.by) for c in changes] == [("owner", "乙")]
    assert dialog.changed_since(opened, "forum")[0].op == "status"
    assert len(dialog.changed_since(opened)) == 2
