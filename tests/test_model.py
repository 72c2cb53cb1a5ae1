"""The model's own rules: status names, overdue, and which evidence is still missing."""

from datetime import date

import pytest

from tracker.model import (
    Evidence,
    EvidenceKind,
    Occurrence,
    OccurrenceState,
    Status,
    TrackedOccurrence,
    missing_evidence,
)


@pytest.mark.parametrize(
    ("text", "status"),
    [("已完成", Status.DONE), ("完成", Status.DONE), ("done", Status.DONE), ("DONE", Status.DONE),
     ("未开始", Status.TODO), ("todo", Status.TODO), ("进行中", Status.DOING), ("doing", Status.DOING),
     ("已延期", Status.POSTPONED), ("延期", Status.POSTPONED), ("postponed", Status.POSTPONED),
     ("已取消", Status.CANCELLED), ("取消", Status.CANCELLED), ("cancelled", Status.CANCELLED)],
)
def test_status_names_in_chinese_and_english(text, status):
    assert Status.parse(text) is status


def test_unknown_status_lists_the_choices():
    with pytest.raises(ValueError, match="未知状态.*已完成"):
        Status.parse("差不多")


def _item(text, label="", kind=EvidenceKind.FILE):
    return Evidence(id=1, kind=kind, text=text, label=label)


def test_missing_evidence_by_label_or_by_name_in_text():
    required = ("活动照片", "签到表", "会议记录")
    items = (
        _item("/照片/IMG_0012.jpg", label="活动照片"),
        _item("/扫描/三月例会签到表.pdf"),
        _item("会议记录见OA", label="其他"),  # labelled otherwise: its text does not count
    )
    assert missing_evidence(required, items) == ("会议记录",)
    assert missing_evidence(required, ()) == required
    assert missing_evidence((), items) == ()


def test_overdue_is_past_due_and_unfinished():
    occ = Occurrence(id="a", task_id="a", year=2026, title="t", category="c", owner="o",
                     start=date(2026, 6, 1), nominal_due=date(2026, 6, 30), due=date(2026, 6, 30))
    row = TrackedOccurrence(occ)
    assert not row.is_overdue(date(2026, 6, 30))
    assert row.is_overdue(date(2026, 7, 1)) and row.status_label(date(2026, 7, 1)) == "逾期"
    done = TrackedOccurrence(occ, OccurrenceState(status=Status.DONE))
    assert not done.is_overdue(date(2026, 7, 1))
    moved = TrackedOccurrence(occ, OccurrenceState(status=Status.POSTPONED, due=date(2026, 8, 1)))
    assert moved.due == date(2026, 8, 1) and not moved.is_overdue(date(2026, 7, 1))


def test_positional_builders_make_what_the_constructor_makes():
    from datetime import date, datetime, timezone

    from tracker.model import Evidence, EvidenceKind, Facts, OccurrenceState, Status, positional_builder

    ev = Evidence(7, EvidenceKind.FILE, "照片/签到.jpg", "签到表", 12, "ab" * 32, "档案/a.jpg",
                  datetime(2026, 3, 4, 10, 0, tzinfo=timezone.utc), "王敏")
    made = positional_builder(Evidence)(7, EvidenceKind.FILE, "照片/签到.jpg", "签到表", 12, "ab" * 32, "档案/a.jpg",
                                        datetime(2026, 3, 4, 10, 0, tzinfo=timezone.utc), "王敏")
    assert made == ev and hash(made) == hash(ev) and repr(made) == repr(ev)
    values = (Status.POSTPONED, "团委", date(2026, 7, 1), "改期", "说明", (ev,), None, "王敏", None, Facts(people=3))
    state = positional_builder(OccurrenceState)(*values)
    assert state == OccurrenceState(*values)
    with pytest.raises(AttributeError):
        state.status = Status.DONE  # still frozen


def test_a_frozen_state_puts_each_value_in_its_field(tmp_path):
    from tracker.model import EvidenceKind, Status
    from tracker.state.store import Store

    s = Store(tmp_path / "s.jsonl", user="王敏")
    s.set_status(2026, "a", Status.POSTPONED, reason="改期", due=date(2026, 7, 1))
    s.set_owner(2026, "a", "团委")
    s.add_note(2026, "a", "第一条")
    s.add_evidence(2026, "a", EvidenceKind.URL, "https://example.org/1", label="信息")
    s.set_facts(2026, "a", people=3)
    state = s.state(2026, "a")
    assert (state.status, state.owner, state.due, state.reason, state.notes) == (
        Status.POSTPONED, "团委", date(2026, 7, 1), "改期", "第一条")
    assert state.updated_by == "王敏" and state.updated_at is not None and state.done_on is None
    assert state.facts.people == 3 and [e.text for e in state.evidence] == ["https://example.org/1"]
    (ev,) = state.evidence
    assert (ev.kind, ev.label, ev.added_by) == (EvidenceKind.URL, "信息", "王敏") and ev.added_at is not None
