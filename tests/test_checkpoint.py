"""The checkpoint of the folded state is a shortcut, never a source: whatever happens to
the log or to the checkpoint, a Store opened with it equals a Store that read the log.

Real state files and real checkpoints in tmp_path; other programs are real processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tracker.model import EvidenceKind, Status
from tracker.state import checkpoint
from tracker.state.store import Store

Y = 2026


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(checkpoint.ENV_CACHE, str(folder))
    monkeypatch.setattr(checkpoint, "MIN_BYTES", 0)  # small files get checkpoints too
    monkeypatch.setattr(checkpoint, "REFRESH_BYTES", 1)
    return folder


def view(s: Store) -> tuple:
    years = s.years()
    return (
        s.revision,
        years,
        {y: s.states(y) for y in years},
        {y: s.carry_overs(y) for y in years},
        [(c.seq, c.op, c.occurrence, c.undone) for c in s.history()],
        s.foreign(),
    )


def from_log(path: Path, monkeypatch: pytest.MonkeyPatch, plan_key: str | None = None) -> tuple:
    """What a Store that reads the whole log sees (no checkpoint anywhere)."""
    with monkeypatch.context() as m:
        m.setenv(checkpoint.ENV_CACHE, str(path.parent / "no-cache"))
        s = Store(path, plan_key=plan_key)
        assert not s.fold.partial
        return view(s)


def build(path: Path, photo: Path) -> None:
    s = Store(path, user="王敏")
    for i in range(30):
        occ = f"visit@{Y}-{i % 12 + 1:02d}"
        s.set_status(Y, occ, Status.DONE if i % 3 else Status.DOING)
        s.add_note(Y, occ, f"第{i}条")
        s.add_evidence(Y, occ, EvidenceKind.URL, f"https://example.org/{i}", label="信息")
    photo.write_bytes(b"photo")
    s.add_evidence(Y, "visit@2026-01", EvidenceKind.FILE, str(photo), label="活动照片")
    s.set_facts(Y, "visit@2026-02", people=3, amount_paid=3000.5)
    s.relink(Y, "visit@2026-03", "renamed@2026-03")
    s.carry_over(2025, Y, [{"id": "summary", "title": "年终总结"}])
    s.undo()  # the carry-over
    s.set_owner(Y, "visit@2026-04", "团委")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "state.jsonl"
    build(p, tmp_path / "p.jpg")
    Store(p).checkpoint()
    assert checkpoint.path_for(p.resolve()).exists()
    return p


def test_checkpoint_is_used_and_equals_the_log(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Store(path)
    assert s.fold.partial  # states from the checkpoint, history not read
    assert s.states(Y) == Store(path, plan_key=None).states(Y)
    assert view(s) == from_log(path, monkeypatch)


def test_changing_an_item_after_reading_the_year_from_a_checkpoint(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading the year freezes the checkpoint's rows as they are; a change made after that
    # must show, and nothing else may move.
    s = Store(path)
    before = s.states(Y)
    assert s.fold.years[Y].raw  # still rows: reading made no Acc of them
    s.set_status(Y, "visit@2026-05", Status.CANCELLED, reason="合并")
    s.add_note(Y, "visit@2026-06", "又一条")
    after = s.states(Y)
    assert after["visit@2026-05"].status is Status.CANCELLED and after["visit@2026-05"].reason == "合并"
    assert after["visit@2026-06"].notes.endswith("又一条")
    changed = {"visit@2026-05", "visit@2026-06"}
    assert {k: v for k, v in after.items() if k not in changed} == {k: v for k, v in before.items() if k not in changed}
    assert view(s) == from_log(path, monkeypatch)
    s.fold.years[Y].states  # every row made into an Acc: the same states
    assert s.states(Y) == after


CHILD = textwrap.dedent(
    """
    import sys
    from tracker.model import Status
    from tracker.state.store import Store

    s = Store(sys.argv[1], user="李军")
    s.set_status(2026, "visit@2026-05", Status.CANCELLED, reason="合并")
    s.add_note(2026, "new-item", "另一个程序")
    if sys.argv[2] == "undo":
        s.undo()
    """
)


def child_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    env[checkpoint.ENV_CACHE] = str(cache.parent / "child-cache")
    return env


@pytest.mark.parametrize("then", ["append", "undo"])
def test_appended_by_another_process(path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, then: str) -> None:
    subprocess.run([sys.executable, "-c", CHILD, str(path), then], check=True, env=child_env(cache))
    s = Store(path)
    assert view(s) == from_log(path, monkeypatch)
    assert s.state(Y, "new-item").notes == ("" if then == "undo" else "另一个程序")


DAMAGE = {
    "empty": lambda b: b"",
    "cut": lambda b: b[: len(b) // 2],
    "flipped byte": lambda b: b[:-100] + bytes([b[-100] ^ 0xFF]) + b[-99:],
    "not a pickle": lambda b: b"{}\n" * 20,
    "another pickle": lambda b: __import__("pickle").dumps({"version": None}),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_checkpoint_falls_back_to_the_log(path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    target = checkpoint.path_for(path.resolve())
    target.write_bytes(DAMAGE[damage](target.read_bytes()))
    s = Store(path)
    assert view(s) == from_log(path, monkeypatch)


def test_checkpoint_of_another_version_is_not_used(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker

    monkeypatch.setattr(tracker, "__version__", tracker.__version__ + ".1")
    s = Store(path)
    assert not s.fold.partial
    assert view(s) == from_log(path, monkeypatch)


def test_log_edited_in_place_is_not_trusted(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = path.read_bytes()
    edited = raw.replace("第1条".encode(), "第9条".encode(), 1)  # same length, same inode
    assert len(edited) == len(raw) and edited != raw
    inode = path.stat().st_ino
    with open(path, "r+b") as f:
        f.write(edited)
    assert path.stat().st_ino == inode
    s = Store(path)
    assert not s.fold.partial
    assert view(s) == from_log(path, monkeypatch)
    assert "第9条" in s.state(Y, "visit@2026-02").notes


def test_log_replaced_is_not_trusted(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.state.backups import atomic_write

    atomic_write(path, path.read_bytes(), 0o644)  # same bytes, another file (a restore, a sync tool)
    s = Store(path)
    assert not s.fold.partial
    assert view(s) == from_log(path, monkeypatch)


def test_checkpoint_of_another_plan(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyed = Store(path)
    keyed.bind_plan("plan-a")  # the next checkpoint is folded for plan-a
    keyed.add_note(Y, "only-a", "甲计划")
    keyed.checkpoint()
    for key in (None, "plan-b", "plan-a"):
        s = Store(path, plan_key=key)
        assert view(s) == from_log(path, monkeypatch, plan_key=key)
    assert Store(path, plan_key="plan-b").foreign() == {"plan-a": 1}


def test_history_and_undo_from_a_checkpoint(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Store(path)
    assert s.fold.partial
    reference = from_log(path, monkeypatch)
    assert [(c.seq, c.op, c.occurrence, c.undone) for c in s.history()] == reference[4]
    s2 = Store(path)
    change = s2.undo()
    assert change is not None and change.op == "undo"
    assert view(s2) == from_log(path, monkeypatch)


def one_history(s: Store, occ: str) -> list[tuple]:
    return [(c.seq, c.op, c.occurrence, c.old, c.new, c.undone) for c in s.history(year=Y, occurrence=occ)]


def test_one_occurrences_history_from_a_checkpoint(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `show ID` reads one item's history: found in the log by its ids, the log not read whole.
    before = Store(path, user="李军")
    before.set_status(Y, "visit@2026-05", Status.CANCELLED, reason="合并")
    before.undo()
    before.checkpoint()  # the undo inside the checkpoint's part of the log
    Store(path, user="李军").add_note(Y, "renamed@2026-03", "改名之后")  # and a tail after it
    ids = ["visit@2026-01", "visit@2026-02", "visit@2026-03", "renamed@2026-03", "visit@2026-04",
           "visit@2026-05", "summary", "no-such-item"]
    with monkeypatch.context() as m:
        m.setenv(checkpoint.ENV_CACHE, str(path.parent / "no-cache"))
        reference = Store(path)
        expected = {occ: one_history(reference, occ) for occ in ids}
    s = Store(path)
    assert s.fold.partial
    for occ in ids:
        assert one_history(s, occ) == expected[occ], occ
    assert s.fold.partial  # answered without reading the log whole
    assert expected["renamed@2026-03"] and any(u for *_, u in expected["visit@2026-05"])


def test_one_history_not_from_a_log_edited_since(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Store(path)
    assert s.fold.prefix is not None
    data = path.read_bytes()
    path.write_bytes(data.replace("第1条".encode(), "第9条".encode(), 1))  # same size, same inode
    assert checkpoint.prefix_events(s.log, s.fold.prefix, (b'"note"',)) is None


def test_removing_evidence_kept_in_a_checkpoint_records_what_was_added(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    twin = path.with_name("twin.jsonl")
    shutil.copy(path, twin)
    s = Store(path)
    assert s.fold.partial  # from the checkpoint
    ev = s.state(Y, "visit@2026-01").evidence[-1]
    removed = s.remove_evidence(Y, "visit@2026-01", ev.id)
    with monkeypatch.context() as m:
        m.setenv(checkpoint.ENV_CACHE, str(path.parent / "no-cache"))
        t = Store(twin)
        assert not t.fold.partial
        expected = t.remove_evidence(Y, "visit@2026-01", ev.id)
    assert removed.old == expected.old and removed.old["kind"] == "file"
    assert from_log(path, monkeypatch)[2] == from_log(twin, monkeypatch)[2]


def test_evidence_left_packed_survives_another_checkpoint(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A checkpoint keeps each state's evidence pickled on its own and unpickles it only when
    # needed: a state never read is written into the next checkpoint as it was.
    s = Store(path)
    assert s.fold.partial
    s.add_note(Y, "visit@2026-05", "只加说明，不读佐证")
    s.checkpoint()
    again = Store(path)
    assert again.fold.partial
    assert view(again) == from_log(path, monkeypatch)


def test_evidence_added_to_a_state_whose_evidence_is_still_packed(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Store(path)
    assert s.fold.partial
    s.add_evidence(Y, "visit@2026-06", EvidenceKind.NOTE, "签到表已收", label="签到表")
    labels = [e.label for e in s.state(Y, "visit@2026-06").evidence]
    assert labels == ["信息", "信息", "信息", "签到表"]  # the three from before the checkpoint, then the new one
    assert view(s) == from_log(path, monkeypatch)


def test_one_history_finds_a_line_whose_id_is_written_with_escapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A hand-edited line may spell the id with \u escapes: it is not found by the id's text,
    # so every line with an escape is read too (found once, when the checkpoint is written).
    p = tmp_path / "escaped.jsonl"
    s = Store(p, user="王敏")
    for i in range(20):
        s.add_note(Y, f"visit@{Y}-{i % 12 + 1:02d}", f"第{i}条")
    s.set_status(Y, "visit@2026-06", Status.DONE)
    s.close()
    text = p.read_text(encoding="utf-8")
    assert text.count('"occ":"visit@2026-06"') == 3
    p.write_text(text.replace('"occ":"visit@2026-06"', '"occ":"visit@2026-0\\u0036"', 1), encoding="utf-8")
    Store(p).checkpoint()
    Store(p, user="李军").add_note(Y, "visit@2026-06", "之后")  # and a tail after it
    with monkeypatch.context() as m:
        m.setenv(checkpoint.ENV_CACHE, str(tmp_path / "no-cache"))
        expected = one_history(Store(p), "visit@2026-06")
    fresh = Store(p)
    assert fresh.fold.partial
    assert one_history(fresh, "visit@2026-06") == expected and len(expected) == 4


@pytest.mark.parametrize("from_checkpoint", [True, False])
def test_a_states_evidence_is_what_was_recorded_when_it_was_made(path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                from_checkpoint: bool) -> None:
    # Evidence items are made when first read: a state made before a change still shows the
    # evidence it had, and equals (and hashes as) the same state made whole.
    if not from_checkpoint:
        monkeypatch.setenv(checkpoint.ENV_CACHE, str(path.parent / "no-cache"))
    s = Store(path)
    assert s.fold.partial is from_checkpoint
    before = s.state(Y, "visit@2026-06")  # its evidence not read yet
    s.add_evidence(Y, "visit@2026-06", EvidenceKind.NOTE, "签到表已收", label="签到表")
    after = s.state(Y, "visit@2026-06")
    assert [e.label for e in before.evidence] == ["信息"] * 3
    assert [e.label for e in after.evidence] == ["信息"] * 3 + ["签到表"]
    from tracker.model import OccurrenceState

    whole = OccurrenceState(*(getattr(after, f) for f in OccurrenceState.__slots__))
    assert type(whole) is OccurrenceState and whole == after and after == whole and hash(whole) == hash(after)
    assert before != after and after != before and {whole, after} == {after}


def test_seen_ids_work_as_the_set_of_them() -> None:
    import random

    from tracker.state.fileformat import SeenIds

    rng = random.Random(7)
    for _ in range(200):
        upto = rng.randint(0, 40)
        extra = {e for e in rng.sample(range(1, 100), rng.randint(0, 8)) if e > upto}
        ids, reference = SeenIds(upto, extra), set(range(1, upto + 1)) | extra
        for _ in range(25):
            x = rng.randint(-1, 110)
            assert (x in ids) == (x in reference)
            more = set(rng.sample(range(1, 110), rng.randint(0, 4)))
            ids.add(x), reference.add(x)
            ids |= more
            reference |= more
            assert set(ids) == reference and len(ids) == len(reference)
    assert checkpoint._unpack_seen(checkpoint._pack_seen({"changes": SeenIds(5, {9})}))["changes"] == {1, 2, 3, 4, 5, 9}


def test_evidence_marks_read_from_the_record_equal_the_items(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A list reads each state's (label, text) pairs without making its Evidence: from the
    # checkpoint's packed items and from the log's events alike, they must be the items'.
    s = Store(path)
    (path.parent / "照片").mkdir()
    (path.parent / "照片" / "签到表.jpg").write_bytes(b"jpg")
    s.add_evidence(Y, "visit@2026-05", EvidenceKind.FILE, str(path.parent / "照片" / "签到表.jpg"))  # kept relative
    s.add_evidence(Y, "visit@2026-05", EvidenceKind.NOTE, "会议记录已归档")
    s.add_evidence(Y, "visit@2026-06", EvidenceKind.FILE, str(path.parent / "p.jpg"), label="")
    fresh = Store(path)
    with monkeypatch.context() as m:
        m.setenv(checkpoint.ENV_CACHE, str(path.parent / "no-cache"))
        whole = Store(path)
    checked = 0
    for store in (s, fresh, whole):
        for first in (store.states(Y), store.states(Y)):  # marks before and after the items are made
            for occ, state in first.items():
                marks = state.evidence_marks
                assert marks == tuple((e.label, e.text) for e in state.evidence), occ
                checked += bool(marks)
    assert checked
    folder = str(path.parent.resolve())
    assert (("", f"{folder}/照片/签到表.jpg") in fresh.state(Y, "visit@2026-05").evidence_marks)


def test_a_byte_damaged_anywhere_in_the_checkpoint_falls_back_to_the_log(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each state's evidence is a pickle of its own, read only when that state's evidence is:
    # damage there must be caught when the checkpoint is opened, like damage anywhere else.
    target = checkpoint.path_for(path.resolve())
    good = target.read_bytes()
    expected = from_log(path, monkeypatch)
    evidence_at = good.find(b"https://example.org/")  # inside a state's own evidence pickle
    assert evidence_at > 0
    places = sorted({*range(0, len(good), max(len(good) // 40, 1)), evidence_at, evidence_at + 5, len(good) - 1})
    for at in places:
        target.write_bytes(good[:at] + bytes([good[at] ^ 0x20]) + good[at + 1:])
        s = Store(path)
        assert not s.fold.partial, at  # not used
        assert view(s) == expected, at
        for state in s.states(Y).values():
            assert all(e.text for e in state.evidence)
    target.write_bytes(good + b"\0")  # something after the checkpoint
    assert not Store(path).fold.partial
    target.write_bytes(good)
    assert Store(path).fold.partial


def test_an_undo_after_the_checkpoint_is_read_whole_once_then_checkpointed(
    path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An undo after the checkpoint needs the events before it: the log is read whole. Before,
    # the checkpoint stayed as it was (its tail short of the refresh size), so every later
    # open read the whole log again, 0.2 s at county scale, 3 s for an 83 MB file.
    monkeypatch.setattr(checkpoint, "REFRESH_BYTES", 1 << 30)  # as in use: only a long tail is due
    subprocess.run([sys.executable, "-c", CHILD, str(path), "undo"], env=child_env(cache), check=True)
    first = Store(path)
    assert not first.fold.partial
    first.bind_plan(None)  # what every command and the app do once they have opened the file
    second = Store(path)
    assert second.fold.partial  # from a new checkpoint, written after the undo
    assert view(second) == from_log(path, monkeypatch)


def test_changes_since_a_revision_read_the_log_whole_only_when_they_reach_into_the_checkpoint(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Store(path)
    assert s.fold.partial
    opened = s.revision
    s.set_status(Y, "visit@2026-05", Status.DONE)
    s.add_note(Y, "visit@2026-06", "会后补记")
    recent = s.changed_since(opened)
    assert [(c.occurrence, c.op) for c in recent] == [("visit@2026-05", "status"), ("visit@2026-06", "note")]
    assert s.fold.partial  # what the checkpoint stands for was not read
    with monkeypatch.context() as m:
        m.setenv(checkpoint.ENV_CACHE, str(path.parent / "no-cache"))
        whole = Store(path)
    for since in (opened, opened - 1, opened - 10, 0):
        expected = [(c.seq, c.occurrence, c.op, c.undone) for c in whole.changed_since(since)]
        assert [(c.seq, c.occurrence, c.op, c.undone) for c in s.changed_since(since)] == expected, since
    assert not s.fold.partial  # reaching before the checkpoint read the log whole
