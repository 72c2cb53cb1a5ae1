"""The state file: operations, the fold, undo, relink, carry-over, history, evidence files.

Real files in tmp_path; several Store instances on one file stand in for
several programs (each has its own cache and reads the file itself).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from tracker.errors import StoreError, TrackerError
from tracker.model import Evidence, EvidenceKind, OccurrenceState, Status
from tracker.evidence import evidence_state
from tracker.state.store import (
    BACKUPS_KEPT,
    FORMAT,
    SCHEMA,
    InvalidChange,
    Store,
)

Y = 2026
CST = timezone(timedelta(hours=8))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.jsonl"


@pytest.fixture
def store(path: Path) -> Store:
    return Store(path, user="王敏")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


class Clock:
    """A settable clock, so backups and timestamps can be tested on chosen days."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


# ---------------------------------------------------------------------------
# the file
# ---------------------------------------------------------------------------


def test_new_store_on_missing_path_is_empty_and_creates_nothing(path: Path) -> None:
    s = Store(path)
    assert s.revision == 0
    assert s.states(Y) == {}
    assert s.history() == []
    assert not path.exists()


def test_header_and_one_line_per_change(store: Store, path: Path) -> None:
    store.set_status(Y, "meeting@2026-03", Status.DONE)
    store.add_note(Y, "meeting@2026-03", "会议记录已归档")
    header, *records = lines(path)
    assert header["format"] == FORMAT == "shuangyong-tui-state"
    assert header["schema"] == SCHEMA == 1
    assert datetime.fromisoformat(header["created"]).tzinfo is not None
    assert [r["t"] for r in records] == ["changes", "changes"]
    assert [r["id"] for r in records] == [1, 2]
    doc = records[0]["doc"]
    assert doc["seq"] == 1 and doc["by"] == "王敏" and doc["year"] == Y
    assert doc["occ"] == "meeting@2026-03" and doc["op"] == "status"
    assert doc["old"] == "todo" and doc["new"] == "done"
    assert datetime.fromisoformat(doc["at"]).utcoffset() is not None


def test_chinese_is_readable_in_the_file(store: Store, path: Path) -> None:
    store.set_owner(Y, "八一慰问", "退役军人服务站")
    store.add_note(Y, "八一慰问", "走访驻地部队，送去慰问品")
    store.add_evidence(Y, "八一慰问", EvidenceKind.NOTE, "慰问名单见附件", label="慰问名单")
    raw = path.read_bytes()
    assert b"\\u" not in raw
    text = raw.decode("utf-8")
    for word in ("八一慰问", "退役军人服务站", "走访驻地部队，送去慰问品", "慰问名单", "王敏"):
        assert word in text


def test_reopen_gives_the_same_state_and_history(store: Store, path: Path, tmp_path: Path) -> None:
    photo = tmp_path / "签到表.jpg"
    photo.write_bytes(b"\xff\xd8 photo")
    store.set_status(Y, "a", Status.DOING)
    store.set_status(Y, "b", Status.POSTPONED, due=date(Y, 6, 30), reason="场地维修")
    store.set_owner(Y, "a", "民政办")
    store.add_note(Y, "a", "第一次")
    store.add_evidence(Y, "a", EvidenceKind.FILE, str(photo), label="签到表")
    store.set_status(2025, "old", Status.CANCELLED, reason="上级取消")
    store.undo()
    again = Store(path)
    assert again.states(Y) == store.states(Y)
    assert again.states(2025) == store.states(2025)
    assert again.history() == store.history()
    assert again.revision == store.revision == 7


def test_empty_existing_file_is_treated_as_new(path: Path) -> None:
    path.write_bytes(b"")
    s = Store(path)
    assert s.revision == 0
    s.set_status(Y, "a", Status.DONE)
    assert lines(path)[0]["format"] == FORMAT
    assert Store(path).state(Y, "a").status is Status.DONE


# ---------------------------------------------------------------------------
# operations and the fold
# ---------------------------------------------------------------------------


def test_untouched_occurrence_has_default_state(store: Store) -> None:
    assert store.state(Y, "nothing") == OccurrenceState()


def test_status_change_returns_the_change(store: Store) -> None:
    c = store.set_status(Y, "a", Status.DONE)
    assert (c.seq, c.op, c.year, c.occurrence, c.by) == (1, "status", Y, "a", "王敏")
    assert c.old is Status.TODO and c.new is Status.DONE
    assert c.at.tzinfo is not None and not c.undone
    st = store.state(Y, "a")
    assert st.status is Status.DONE and st.updated_by == "王敏"
    assert st.updated_at == c.at
    c2 = store.set_status(Y, "a", Status.DOING)
    assert c2.old is Status.DONE and c2.seq == 2


@pytest.mark.parametrize(
    "text, expected",
    [("已完成", Status.DONE), ("进行中", Status.DOING), ("done", Status.DONE), ("未开始", Status.TODO)],
)
def test_status_accepts_chinese_and_english(store: Store, text: str, expected: Status) -> None:
    store.set_status(Y, "a", text)
    assert store.state(Y, "a").status is expected


def test_unknown_status_text_is_a_clear_error(store: Store, path: Path) -> None:
    with pytest.raises(InvalidChange, match="未知状态"):
        store.set_status(Y, "a", "差不多")
    assert not path.exists()


def test_postponed_needs_due_and_reason(store: Store) -> None:
    with pytest.raises(InvalidChange, match="延期"):
        store.set_status(Y, "a", Status.POSTPONED, reason="下雨")
    with pytest.raises(InvalidChange, match="延期"):
        store.set_status(Y, "a", Status.POSTPONED, due=date(Y, 5, 1))
    with pytest.raises(ValueError):  # also a ValueError, for callers that catch that
        store.set_status(Y, "a", Status.POSTPONED, due=date(Y, 5, 1), reason="  ")
    assert store.revision == 0
    c = store.set_status(Y, "a", Status.POSTPONED, due=date(Y, 5, 1), reason="场地维修")
    assert c.data["due"] == date(Y, 5, 1) and c.reason == "场地维修"
    st = store.state(Y, "a")
    assert (st.status, st.due, st.reason) == (Status.POSTPONED, date(Y, 5, 1), "场地维修")


def test_cancelled_needs_a_reason(store: Store) -> None:
    with pytest.raises(TrackerError, match="取消"):
        store.set_status(Y, "a", Status.CANCELLED)
    store.set_status(Y, "a", "取消", reason="上级通知取消")
    assert store.state(Y, "a").reason == "上级通知取消"
    assert store.state(Y, "a").status.finished


def test_owner_reassign_and_back_to_plan(store: Store) -> None:
    c = store.set_owner(Y, "a", "  人武部 ")
    assert c.old is None and c.new == "人武部"
    assert store.state(Y, "a").owner == "人武部"
    c = store.set_owner(Y, "a", None)
    assert c.old == "人武部" and c.new is None
    assert store.state(Y, "a").owner is None
    store.set_owner(Y, "a", "")
    assert store.state(Y, "a").owner is None


def test_due_override_and_clear(store: Store) -> None:
    c = store.set_due(Y, "a", date(Y, 9, 30), reason="配合国防教育日")
    assert c.new == date(Y, 9, 30) and c.old is None
    assert store.state(Y, "a").due == date(Y, 9, 30)
    assert store.state(Y, "a").reason == "配合国防教育日"
    c = store.set_due(Y, "a", None)
    assert c.old == date(Y, 9, 30) and c.new is None
    assert store.state(Y, "a").due is None


def test_notes_are_concatenated_newest_last(store: Store) -> None:
    store.add_note(Y, "a", "第一条")
    store.add_note(Y, "a", "第二条")
    assert store.state(Y, "a").notes == "第一条\n第二条"
    with pytest.raises(InvalidChange):
        store.add_note(Y, "a", "   ")


def test_note_and_url_evidence(store: Store) -> None:
    c1 = store.add_evidence(Y, "a", EvidenceKind.NOTE, "已发放优待金 86 户", label="发放记录")
    c2 = store.add_evidence(Y, "a", "url", "https://example.org/news/1", label="信息")
    evs = store.state(Y, "a").evidence
    assert [e.id for e in evs] == [c1.seq, c2.seq]
    assert evs[0].kind is EvidenceKind.NOTE and evs[0].label == "发放记录"
    assert evs[1].kind is EvidenceKind.URL and evs[1].text == "https://example.org/news/1"
    assert evs[0].added_by == "王敏" and evs[0].added_at is not None
    assert evidence_state(evs[0]) == "present" and evidence_state(evs[1]) == "present"
    with pytest.raises(InvalidChange):
        store.add_evidence(Y, "a", EvidenceKind.URL, "not a link")
    with pytest.raises(InvalidChange):
        store.add_evidence(Y, "a", EvidenceKind.NOTE, "")
    with pytest.raises(InvalidChange, match="类型"):
        store.add_evidence(Y, "a", "photo", "x")


def test_remove_evidence(store: Store) -> None:
    keep = store.add_evidence(Y, "a", EvidenceKind.NOTE, "保留")
    gone = store.add_evidence(Y, "a", EvidenceKind.NOTE, "删除")
    c = store.remove_evidence(Y, "a", gone.seq)
    assert c.op == "evidence_remove" and c.data["evidence"] == gone.seq and c.old["text"] == "删除"
    assert [e.id for e in store.state(Y, "a").evidence] == [keep.seq]
    with pytest.raises(InvalidChange, match=str(gone.seq)):
        store.remove_evidence(Y, "a", gone.seq)
    with pytest.raises(InvalidChange):
        store.remove_evidence(Y, "b", keep.seq)


def test_states_lists_only_touched_occurrences_of_the_year(store: Store) -> None:
    store.set_status(Y, "a", Status.DONE)
    store.add_note(Y, "b", "x")
    store.set_status(Y - 1, "c", Status.DONE)
    assert set(store.states(Y)) == {"a", "b"}
    assert set(store.states(Y - 1)) == {"c"}
    assert store.states(Y + 1) == {}
    assert store.years() == [Y - 1, Y]


def test_orphans_are_reported_never_deleted(store: Store) -> None:
    for occ in ("a", "b", "gone@2026-03"):
        store.set_status(Y, occ, Status.DONE)
    assert store.orphans(Y, {"a", "b", "c"}) == ["gone@2026-03"]
    assert store.orphans(Y, set()) == ["a", "b", "gone@2026-03"]
    assert "gone@2026-03" in store.states(Y)


def test_user_defaults_to_login_name_and_by_overrides(path: Path) -> None:
    s = Store(path)
    try:
        expected = getpass.getuser()
    except Exception:
        expected = "unknown"
    assert s.user == expected
    assert s.set_status(Y, "a", Status.DONE).by == expected
    assert s.set_status(Y, "a", Status.DOING, by="李军").by == "李军"
    assert s.state(Y, "a").updated_by == "李军"


def test_empty_occurrence_id_is_refused(store: Store) -> None:
    with pytest.raises(InvalidChange):
        store.set_status(Y, " ", Status.DONE)


# ---------------------------------------------------------------------------
# undo
# ---------------------------------------------------------------------------


def test_undo_is_repeatable_and_recorded(store: Store, path: Path) -> None:
    store.set_status(Y, "a", Status.DOING)
    store.set_status(Y, "a", Status.DONE)
    store.add_note(Y, "a", "备注")
    u1 = store.undo(by="李军")
    assert (u1.op, u1.undoes, u1.occurrence, u1.by) == ("undo", 3, "a", "李军")
    assert store.state(Y, "a").notes == ""
    u2 = store.undo()
    assert u2.undoes == 2 and u2.old is Status.DONE and u2.new is Status.DOING
    assert store.state(Y, "a").status is Status.DOING
    u3 = store.undo()
    assert u3.undoes == 1
    assert "a" not in store.states(Y)  # back to untouched
    assert store.undo() is None
    assert store.revision == 6  # three changes, three undos, nothing for the last call
    hist = store.history()
    assert [c.undone for c in hist] == [True, True, True, False, False, False]
    assert [c.op for c in hist] == ["status", "status", "note", "undo", "undo", "undo"]
    # the undos are in the file and survive a reopen
    assert [r["doc"]["op"] for r in lines(path)[1:]].count("undo") == 3
    assert Store(path).states(Y) == {}


def test_undo_crosses_years_and_skips_undone_changes(store: Store) -> None:
    store.set_status(Y, "a", Status.DONE)
    store.set_status(Y - 1, "b", Status.DONE)
    assert store.undo().year == Y - 1
    assert store.undo().year == Y
    store.set_status(Y, "c", Status.DONE)
    assert store.undo().occurrence == "c"
    assert store.undo() is None


def test_undo_of_remove_brings_evidence_back(store: Store) -> None:
    ev = store.add_evidence(Y, "a", EvidenceKind.NOTE, "签到表已收")
    store.remove_evidence(Y, "a", ev.seq)
    assert store.state(Y, "a").evidence == ()
    store.undo()
    assert [e.id for e in store.state(Y, "a").evidence] == [ev.seq]


def test_undo_seen_by_another_store(store: Store, path: Path) -> None:
    other = Store(path)
    store.set_status(Y, "a", Status.DONE)
    store.set_owner(Y, "a", "团委")
    other.refresh()
    assert other.state(Y, "a").owner == "团委"
    store.undo()
    assert other.refresh()
    assert other.state(Y, "a").owner is None
    assert other.state(Y, "a").status is Status.DONE
    # undo from the other store takes the newest change not undone, wherever it was made
    other.undo()
    store.refresh()
    assert store.states(Y) == other.states(Y) == {}


# ---------------------------------------------------------------------------
# relink and carry-over
# ---------------------------------------------------------------------------


def test_relink_moves_state_and_later_events(store: Store) -> None:
    store.set_status(Y, "old-talk@2026H1", Status.DONE)
    store.add_evidence(Y, "old-talk@2026H1", EvidenceKind.NOTE, "讲座照片")
    c = store.relink(Y, "old-talk@2026H1", "talk@2026H1")
    assert (c.op, c.old, c.new, c.occurrence) == ("relink", "old-talk@2026H1", "talk@2026H1", "old-talk@2026H1")
    states = store.states(Y)
    assert "old-talk@2026H1" not in states
    assert states["talk@2026H1"].status is Status.DONE
    assert len(states["talk@2026H1"].evidence) == 1
    # a program that still knows the old id writes to the new one
    store.add_note(Y, "old-talk@2026H1", "补充说明")
    assert store.state(Y, "talk@2026H1").notes == "补充说明"
    assert store.orphans(Y, {"talk@2026H1"}) == []
    # the history of the new id includes what was recorded under the old one
    ops = [ch.op for ch in store.history(occurrence="talk@2026H1")]
    assert ops == ["status", "evidence", "relink", "note"]


def test_relink_refusals(store: Store) -> None:
    store.set_status(Y, "a", Status.DONE)
    store.set_status(Y, "b", Status.DOING)
    with pytest.raises(InvalidChange, match="已经有记录"):
        store.relink(Y, "a", "b")
    with pytest.raises(InvalidChange, match="没有任何记录"):
        store.relink(Y, "nothing", "c")
    with pytest.raises(InvalidChange, match="没有任何记录"):
        store.relink(Y + 1, "a", "c")
    with pytest.raises(InvalidChange):
        store.relink(Y, "a", "a")
    assert store.revision == 2


def test_relink_back_and_chain(store: Store, path: Path) -> None:
    store.set_status(Y, "a", Status.DONE)
    store.relink(Y, "a", "b")
    store.relink(Y, "b", "c")
    assert set(store.states(Y)) == {"c"}
    store.add_note(Y, "a", "写到最早的编号")
    assert store.state(Y, "c").notes == "写到最早的编号"
    store.relink(Y, "c", "a")
    assert set(store.states(Y)) == {"a"}
    store.add_note(Y, "a", "又一条")
    assert store.state(Y, "a").notes == "写到最早的编号\n又一条"
    assert Store(path).states(Y) == store.states(Y)


def test_undo_relink(store: Store) -> None:
    store.set_status(Y, "a", Status.DONE)
    store.relink(Y, "a", "b")
    store.undo()
    assert set(store.states(Y)) == {"a"}
    store.add_note(Y, "a", "x")
    assert store.state(Y, "a").notes == "x"


def test_carry_over(store: Store, path: Path) -> None:
    snaps = [
        {"id": "visit@2025-12~2025", "title": "元旦走访", "category": "走访慰问", "owner": "民政办",
         "evidence": ("慰问名单", "活动照片"), "from_year": 2025, "from_id": "visit@2025-12",
         "due": date(2025, 12, 31)},
        {"id": "summary~2025", "title": "年终总结", "category": "综合", "owner": "双拥办",
         "evidence": (), "from_year": 2025, "from_id": "summary", "due": date(2025, 12, 20)},
    ]
    changes = store.carry_over(2025, 2026, snaps)
    assert [c.op for c in changes] == ["carry", "carry"]
    assert [c.occurrence for c in changes] == ["visit@2025-12~2025", "summary~2025"]
    assert all(c.year == 2026 for c in changes)
    got = store.carry_overs(2026)
    assert got == snaps
    assert store.carry_overs(2025) == []
    # running rollover again adds nothing
    assert store.carry_over(2025, 2026, snaps) == []
    assert Store(path).carry_overs(2026) == snaps
    undone = store.undo_all()  # one rollover, one undo step
    assert [c.undoes for c in undone] == [changes[1].seq, changes[0].seq]
    assert store.carry_overs(2026) == []
    with pytest.raises(InvalidChange):
        store.carry_over(2025, 2026, [{"title": "没有编号"}])


# ---------------------------------------------------------------------------
# history
# ---------------------------------------------------------------------------


def test_history_filters(path: Path) -> None:
    clock = Clock(datetime(Y, 3, 1, 9, 0, tzinfo=CST))
    s = Store(path, user="王敏", now=clock)
    s.set_status(Y, "a", Status.DONE)
    clock.now += timedelta(days=1)
    s.set_status(Y - 1, "a", Status.DONE)
    clock.now += timedelta(days=1)
    s.add_note(Y, "b", "x")
    s.undo()
    assert [c.seq for c in s.history()] == [1, 2, 3, 4]
    assert [c.seq for c in s.history(year=Y)] == [1, 3, 4]
    assert [c.seq for c in s.history(occurrence="a")] == [1, 2]
    assert [c.seq for c in s.history(year=Y, occurrence="b")] == [3, 4]
    assert [c.seq for c in s.history(since=datetime(Y, 3, 2, 9, 0, tzinfo=CST))] == [2, 3, 4]
    naive = datetime(Y, 3, 3, 9, 0, tzinfo=CST).astimezone().replace(tzinfo=None)
    assert [c.seq for c in s.history(since=naive)] == [3, 4]
    h = s.history(occurrence="b")
    assert h[0].undone and not h[1].undone and h[1].undoes == 3
    assert s.history()[0].at == datetime(Y, 3, 1, 9, 0, tzinfo=CST)


# ---------------------------------------------------------------------------
# evidence files
# ---------------------------------------------------------------------------


def test_file_evidence_records_size_and_sha256(store: Store, tmp_path: Path, monkeypatch) -> None:
    photo = tmp_path / "photos" / "八一慰问.jpg"
    photo.parent.mkdir()
    data = os.urandom(3 * (1 << 20) + 17)  # more than one hashing chunk
    photo.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    c = store.add_evidence(Y, "a", EvidenceKind.FILE, "photos/八一慰问.jpg", label="活动照片")
    ev = store.state(Y, "a").evidence[0]
    assert ev.id == c.seq and ev.kind is EvidenceKind.FILE
    assert ev.text == str(photo) and os.path.isabs(ev.text)
    assert ev.size == len(data)
    assert ev.sha256 == hashlib.sha256(data).hexdigest()
    assert ev.archived is None
    assert evidence_state(ev) == "present"


def test_file_evidence_is_archived_without_overwriting(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "档案"
    photo = tmp_path / "签到表.jpg"
    photo.write_bytes(b"first")
    occ = "visit/慰问:2026"  # characters that cannot be in a folder name on every system
    store.add_evidence(Y, occ, EvidenceKind.FILE, str(photo), archive_dir=archive)
    photo.write_bytes(b"second version")
    store.add_evidence(Y, occ, EvidenceKind.FILE, str(photo), archive_dir=archive)
    first, second = store.state(Y, occ).evidence
    folder = archive / str(Y) / "visit_慰问_2026"
    assert Path(first.archived) == folder / "签到表.jpg"
    assert Path(second.archived) == folder / "签到表-1.jpg"
    assert Path(first.archived).read_bytes() == b"first"
    assert Path(second.archived).read_bytes() == b"second version"
    assert hashlib.sha256(b"second version").hexdigest() == second.sha256


def test_evidence_state_detects_missing_and_changed(store: Store, tmp_path: Path) -> None:
    doc = tmp_path / "会议记录.docx"
    doc.write_bytes(b"AAAA")
    store.add_evidence(Y, "a", EvidenceKind.FILE, str(doc))
    ev = store.state(Y, "a").evidence[0]
    assert evidence_state(ev) == "present"
    doc.write_bytes(b"BBBB")  # same size, other content
    assert evidence_state(ev) == "changed"
    doc.write_bytes(b"AAAAA")
    assert evidence_state(ev) == "changed"
    doc.write_bytes(b"AAAA")
    assert evidence_state(ev) == "present"
    doc.unlink()
    assert evidence_state(ev) == "missing"
    doc.mkdir()
    assert evidence_state(ev) == "missing"
    lone = Evidence(id=1, kind=EvidenceKind.FILE, text=str(tmp_path / "nowhere.jpg"))
    assert evidence_state(lone) == "missing"


def test_bad_evidence_paths_record_nothing(store: Store, tmp_path: Path, path: Path) -> None:
    archive = tmp_path / "档案"
    with pytest.raises(InvalidChange, match="不存在"):
        store.add_evidence(Y, "a", EvidenceKind.FILE, str(tmp_path / "nope.jpg"), archive_dir=archive)
    folder = tmp_path / "照片"
    folder.mkdir()
    with pytest.raises(InvalidChange, match="文件夹"):
        store.add_evidence(Y, "a", EvidenceKind.FILE, str(folder), archive_dir=archive)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        with pytest.raises(InvalidChange, match="普通文件"):
            store.add_evidence(Y, "a", EvidenceKind.FILE, str(fifo))
    assert store.revision == 0
    assert not path.exists()
    assert not archive.exists() or not [p for p in archive.rglob("*") if p.is_file()]


def test_archive_copy_removed_when_recording_fails(store: Store, tmp_path: Path, path: Path) -> None:
    store.set_status(Y, "a", Status.DONE)
    archive = tmp_path / "档案"
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    path.write_bytes(path.read_bytes() + b"broken line\n")
    with pytest.raises(StoreError):
        store.add_evidence(Y, "a", EvidenceKind.FILE, str(photo), archive_dir=archive)
    assert not archive.exists()  # neither the copy nor the folders made for it are left


# ---------------------------------------------------------------------------
# several stores on one file, a replaced file, torn tails, backups
# ---------------------------------------------------------------------------


def test_refresh_reads_only_the_new_tail(store: Store, path: Path) -> None:
    other = Store(path, user="李军")
    store.set_status(Y, "a", Status.DONE)
    assert other.revision == 0 and other.states(Y) == {}
    assert other.refresh() is True  # the file did not exist: loaded whole
    assert other.state(Y, "a").status is Status.DONE
    assert other.refresh() is False
    generation = other.log.generation
    store.add_note(Y, "a", "x")
    other.refresh()
    assert other.log.generation == generation  # appended lines were read, no reload
    assert other.revision == store.revision == 2
    # a write from the stale store first catches up, so seq never collides
    other2 = Store(path)
    store.add_note(Y, "a", "y")
    c = other2.set_owner(Y, "a", "团委")
    assert c.seq == 4
    store.refresh()
    assert store.state(Y, "a").notes == "x\ny" and store.state(Y, "a").owner == "团委"


def test_replaced_file_is_reloaded(store: Store, path: Path) -> None:
    """Another program replaces the file (a backup restored, a sync tool): read it whole."""
    from tracker.state.backups import atomic_write

    store.set_status(Y, "a", Status.DONE)
    store.add_note(Y, "a", "原文")
    other = Store(path)
    generation = other.log.generation
    inode = path.stat().st_ino
    raw = path.read_bytes().splitlines(keepends=True)
    edited = json.loads(raw[2])
    edited["doc"]["new"] = "改过的备注"
    atomic_write(path, b"".join(raw[:2]) + json.dumps(edited, ensure_ascii=False).encode() + b"\n", 0o644)
    assert path.stat().st_ino != inode
    assert other.refresh() is True
    assert other.log.generation == generation + 1
    assert other.state(Y, "a").notes == "改过的备注"
    assert store.add_note(Y, "a", "之后").seq == 3  # the stale store re-reads before writing
    assert Store(path).state(Y, "a").notes == "改过的备注\n之后"
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_records_of_other_tables_are_kept_out_of_the_way(store: Store, path: Path) -> None:
    store.set_status(Y, "a", Status.DONE)
    with path.open("ab") as f:
        f.write('{"t":"meta","id":1,"doc":{"unit":"某某社区"}}\n'.encode())
    s = Store(path)
    assert s.revision == 1
    s.add_note(Y, "a", "x")
    assert Store(path).revision == 2
    assert lines(path)[2]["t"] == "meta"


def test_torn_tail_is_ignored_then_cut(store: Store, path: Path) -> None:
    store.set_status(Y, "a", Status.DONE)
    good = path.read_bytes()
    path.write_bytes(good + b'{"t":"changes","id":2,"doc":{"seq":2,"at":"20')
    s = Store(path)
    assert s.revision == 1  # the unfinished line is not there for readers
    s.set_status(Y, "b", Status.DONE)
    raw = path.read_bytes()
    assert raw.startswith(good) and raw.endswith(b"\n")
    assert [r["id"] for r in lines(path)[1:]] == [1, 2]
    assert Store(path).state(Y, "b").status is Status.DONE


def test_complete_last_record_without_newline_is_kept(store: Store, path: Path) -> None:
    store.set_status(Y, "a", Status.DONE)
    store.add_note(Y, "a", "最后一条")
    raw = path.read_bytes()
    path.write_bytes(raw[:-1])  # an editor dropped the final newline
    s = Store(path)
    assert s.revision == 1  # readers wait for the newline
    s.set_owner(Y, "a", "团委")
    s2 = Store(path)
    assert s2.revision == 3
    assert s2.state(Y, "a").notes == "最后一条" and s2.state(Y, "a").owner == "团委"


def test_daily_backups_rotate(path: Path) -> None:
    clock = Clock(datetime(Y, 3, 1, 9, 0, tzinfo=CST))
    s = Store(path, now=clock)
    for day in range(10):
        s.add_note(Y, "a", f"第{day + 1}天")
        s.add_note(Y, "a", "同一天第二次")
        clock.now += timedelta(days=1)
    backups = s.log.backups.list()
    assert len(backups) == BACKUPS_KEPT
    assert [b.name for b in backups] == [f"state.jsonl.{Y}03{d:02d}.bak" for d in range(10, 3, -1)]
    assert s.newest_backup() == path.parent / "backups" / f"state.jsonl.{Y}0310.bak"
    # a backup is the file as it was before that day's first change
    restored = Store(backups[0])
    assert restored.revision == 18
    assert Store(backups[-1]).revision == 6


def test_store_error_names_the_file_for_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "state.jsonl"
    folder.mkdir()
    with pytest.raises(StoreError, match="文件夹") as err:
        Store(folder)
    assert str(folder) in str(err.value)


def test_invalid_event_is_never_written(store: Store, path: Path) -> None:
    store.set_status(Y, "a", Status.DONE)
    before = path.read_bytes()
    bad = {"seq": 2, "at": "2026-03-01T09:00:00+08:00", "by": "x", "year": Y, "occ": "a", "op": "explode"}
    with pytest.raises(TrackerError, match="无法保存"):
        with store.locked():
            store.log.append([bad])
    with pytest.raises(TrackerError, match="无法保存"):
        with store.locked():
            store.log.append([dict(bad, op="status", new="finished-ish")])
    assert path.read_bytes() == before
    assert Store(path).state(Y, "a").status is Status.DONE


def test_carry_over_same_id_from_two_years(store: Store) -> None:
    store.carry_over(2024, 2026, [{"id": "summary", "title": "年终总结"}])
    changes = store.carry_over(2025, 2026, [{"id": "summary", "title": "年终总结"}])
    assert len(changes) == 1
    assert [(s["id"], s["from_year"]) for s in store.carry_overs(2026)] == [("summary", 2024), ("summary", 2025)]
