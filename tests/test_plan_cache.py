"""The plan cache is never trusted over its sources: every change gives a fresh result."""

from __future__ import annotations

import os
import shutil
from dataclasses import astuple
from datetime import date

import pytest

import tracker
from tracker.calendar.schedule import expand_plan
from tracker.plan import cache
from tracker.plan.bundled import template_path
from tracker.plan.loader import load_plan

NOTICE_HOLIDAYS = '[[year]]\nyear = 2027\n[[holiday]]\nname = "春节"\nstart = 2027-02-05\nend = 2027-02-13\nwork = [2027-01-31, 2027-02-20]\n'


@pytest.fixture()
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("SHUANGYONG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SHUANGYONG_HOLIDAYS", str(tmp_path / "user-holidays.toml"))
    plan = tmp_path / "plan.toml"
    shutil.copy(template_path("shequ"), plan)
    return tmp_path, plan


def _same(a, b):
    assert a == b
    # Field by field with types too (True == 1, 1.0 == 1): the cached objects are the same values.
    assert [[(type(v), v) for v in astuple(o)] for o in a] == [[(type(v), v) for v in astuple(o)] for o in b]


def fresh(plan, year):
    return expand_plan(load_plan(plan, year), year)


def cached(plan, year):
    return cache.expand_cached(cache.load_plan_cached(plan, year), year)


def test_second_load_comes_from_the_cache_and_equals_a_fresh_one(world):
    tmp, plan = world
    first = cached(plan, 2026)
    assert list((tmp / "cache" / "plans").glob("*.pickle"))
    p1 = cache.load_plan_cached(plan, 2026)
    p2 = cache.load_plan_cached(plan, 2026)
    assert p1 == p2 == load_plan(plan, 2026)
    _same(first, fresh(plan, 2026))
    _same(cached(plan, 2026), fresh(plan, 2026))


def test_editing_the_plan_is_seen_even_with_the_same_size_and_mtime(world):
    _, plan = world
    cached(plan, 2026)
    st = plan.stat()
    text = plan.read_text(encoding="utf-8")
    changed = text.replace('when = "3月5日"', 'when = "3月6日"', 1)
    assert changed != text and len(changed.encode()) == len(text.encode())
    plan.write_text(changed, encoding="utf-8")
    os.utime(plan, ns=(st.st_atime_ns, st.st_mtime_ns))
    result = cached(plan, 2026)
    _same(result, fresh(plan, 2026))
    assert next(o for o in result if o.id == "leifeng").due == date(2026, 3, 6)


def test_holidays_file_change_is_seen(world):
    tmp, plan = world
    before = {o.id: o for o in cached(plan, 2027)}
    assert before["spring-forum"].provisional
    (tmp / "user-holidays.toml").write_text(NOTICE_HOLIDAYS.replace("2027-02-05", "2027-02-04"), encoding="utf-8")
    after = {o.id: o for o in cached(plan, 2027)}
    _same(list(after.values()), fresh(plan, 2027))
    assert after["spring-forum"].due == date(2027, 2, 3) and not after["spring-forum"].provisional
    (tmp / "holidays.toml").write_text(NOTICE_HOLIDAYS, encoding="utf-8")  # beside the plan wins
    beside = {o.id: o for o in cached(plan, 2027)}
    assert beside["spring-forum"].due == date(2027, 2, 4)
    (tmp / "holidays.toml").unlink()
    (tmp / "user-holidays.toml").unlink()
    _same(cached(plan, 2027), list(before.values()))


def test_catalogue_change_is_seen(world):
    tmp, plan = world
    (tmp / "指标.toml").write_text('[[indicator]]\ncode = "3.1"\nname = "走访"\n', encoding="utf-8")
    text = plan.read_text(encoding="utf-8")
    text = text.replace('on_holiday = "previous"', 'on_holiday = "previous"\nindicator_catalogue = "指标.toml"', 1)
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(Exception):
        cache.load_plan_cached(plan, 2026)  # the plan uses codes the small catalogue lacks
    shutil.copy(template_path("shequ").with_name("indicators.toml"), tmp / "指标.toml")  # the full catalogue
    assert cache.load_plan_cached(plan, 2026).indicator_catalogue == "指标.toml"


def test_damaged_cache_falls_back_silently(world):
    tmp, plan = world
    cached(plan, 2026)
    for file in (tmp / "cache" / "plans").glob("*.pickle"):
        file.write_bytes(b"\x80\x05garbage")
    _same(cached(plan, 2026), fresh(plan, 2026))
    for file in (tmp / "cache" / "plans").glob("*.pickle"):
        file.write_bytes(b"")
    _same(cached(plan, 2026), fresh(plan, 2026))


def test_a_byte_damaged_anywhere_in_any_cache_file_is_a_miss(world):
    # A flipped bit inside a pickled date is still a date: without a check of every byte, a
    # damaged file would give a plan, a year, a task's or a month's occurrences that are wrong.
    tmp, plan = world
    cached(plan, 2026)
    files = sorted((tmp / "cache" / "plans").glob("*.pickle"))
    assert {f.name.split(".", 1)[1] for f in files} == {"pickle", "2026.pickle", "2026.tasks.pickle", "2026.months.pickle"}
    expected = fresh(plan, 2026)
    loaded = load_plan(plan, 2026)
    task = next(t for t in loaded.tasks if t.id == "leifeng")
    for file in files:
        good = file.read_bytes()
        for at in sorted({*range(0, len(good), max(len(good) // 12, 1)), len(good) - 1}):
            file.write_bytes(good[:at] + bytes([good[at] ^ 0x01]) + good[at + 1:])
            cache._ENTRIES.clear()
            got = cache.load_plan_cached(plan, 2026)
            assert got == loaded, (file.name, at)
            _same(cache.expand_task_cached(got, task, 2026), [o for o in expected if o.task_id == "leifeng"])
            cache._ENTRIES.clear()
            got = cache.load_plan_cached(plan, 2026)
            within = cache.expand_between_cached(got, 2026, date(2026, 3, 1), date(2026, 3, 31))
            _same(sorted(within, key=lambda o: o.id), sorted((o for o in expected if o.due.month == 3), key=lambda o: o.id))
            cache._ENTRIES.clear()
            _same(cached(plan, 2026), expected)
            cache._ENTRIES.clear()
        file.write_bytes(good)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_a_cache_files_place_is_a_miss_not_a_hang(world):
    tmp, plan = world
    cached(plan, 2026)
    for file in sorted((tmp / "cache" / "plans").glob("*.pickle")):
        file.unlink()
        os.mkfifo(file)  # opening it to read would wait for a writer forever
    cache._ENTRIES.clear()
    _same(cached(plan, 2026), fresh(plan, 2026))
    loaded = cache.load_plan_cached(plan, 2026)
    task = next(t for t in loaded.tasks if t.id == "leifeng")
    _same(cache.expand_task_cached(loaded, task, 2026), [o for o in fresh(plan, 2026) if o.task_id == "leifeng"])


def test_package_version_change_is_a_miss(world, monkeypatch):
    tmp, plan = world
    first = cache.load_plan_cached(plan, 2026)
    assert cache.load_plan_cached(plan, 2026) is not first  # a cache hit is a new object from disk
    monkeypatch.setattr(tracker, "__version__", "9.9.9")
    calls = []
    real = cache.__dict__.get("_write")
    monkeypatch.setattr(cache, "_write", lambda f, e: (calls.append(f), real(f, e)))
    cache.load_plan_cached(plan, 2026)
    assert calls  # written again: the old entry was not used


def test_cache_off(world, monkeypatch):
    tmp, plan = world
    monkeypatch.setenv("SHUANGYONG_CACHE", "0")
    _same(cached(plan, 2026), fresh(plan, 2026))
    assert not (tmp / "cache").exists()


def test_cli_sees_plan_edits(world, monkeypatch):
    import json

    from click.testing import CliRunner

    from tracker.cli import cli

    tmp, plan = world

    def rows():
        result = CliRunner().invoke(cli, ["--plan", str(plan), "--db", str(tmp / "s.jsonl"), "--today", "2026-06-15",
                                          "--year", "2026", "list", "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return {r["id"]: r for r in json.loads(result.output)}

    assert rows()["leifeng"]["due"] == "2026-03-05"
    plan.write_text(plan.read_text(encoding="utf-8").replace('when = "3月5日"', 'when = "3月9日"', 1), encoding="utf-8")
    assert rows()["leifeng"]["due"] == "2026-03-09"


def test_a_years_expansion_is_its_own_file_and_never_outlives_its_plan(world):
    tmp, plan = world
    cached(plan, 2026)
    year_files = list((tmp / "cache" / "plans").glob("*.2026.pickle"))
    assert len(year_files) == 1  # the plan alone is read by a command that expands one task
    old = year_files[0].read_bytes()
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('when = "3月5日"', 'when = "3月9日"', 1), encoding="utf-8")
    _same(cached(plan, 2026), fresh(plan, 2026))
    year_files[0].write_bytes(old)  # the expansion of the plan before the edit, put back
    cache._ENTRIES.clear()
    _same(cached(plan, 2026), fresh(plan, 2026))


def test_one_tasks_occurrences_come_from_the_years_cache_and_never_outlive_their_plan(world):
    from tracker.calendar.schedule import expand_task

    tmp, plan = world

    def one(task_id):
        cache._ENTRIES.clear()  # as in a new process
        loaded = cache.load_plan_cached(plan, 2026)
        task = next(t for t in loaded.tasks if t.id == task_id)
        return cache.expand_task_cached(loaded, task, 2026)

    def computed(task_id):
        loaded = load_plan(plan, 2026)
        return expand_task(next(t for t in loaded.tasks if t.id == task_id), loaded, 2026)

    cached(plan, 2026)
    task_files = list((tmp / "cache" / "plans").glob("*.2026.tasks.pickle"))
    assert len(task_files) == 1
    for task_id in ("leifeng", "newyear-visit"):
        _same(one(task_id), computed(task_id))
    old = task_files[0].read_bytes()
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('when = "3月5日"', 'when = "3月9日"', 1), encoding="utf-8")
    cache._ENTRIES.clear()
    cached(plan, 2026)
    task_files[0].write_bytes(old)  # the tasks of the plan before the edit, put back
    _same(one("leifeng"), computed("leifeng"))
    assert one("leifeng")[0].due == date(2026, 3, 9)
    task_files[0].write_bytes(old[: len(old) // 2])  # damaged: computed again, silently
    _same(one("leifeng"), computed("leifeng"))


def test_one_items_lookup_after_an_edit_keeps_the_year_for_the_next(world):
    # After the plan changes, the first command about one item expands and keeps the year:
    # the next one finds its task kept, instead of computing it again each time.
    tmp, plan = world
    cached(plan, 2026)
    (task_file,) = (tmp / "cache" / "plans").glob("*.2026.tasks.pickle")
    before = task_file.read_bytes()
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('when = "3月5日"', 'when = "3月9日"', 1), encoding="utf-8")
    cache._ENTRIES.clear()
    loaded = cache.load_plan_cached(plan, 2026)
    task = next(t for t in loaded.tasks if t.id == "leifeng")
    assert cache.expand_task_cached(loaded, task, 2026)[0].due == date(2026, 3, 9)
    after = task_file.read_bytes()
    assert after != before
    cache._ENTRIES.clear()
    loaded = cache.load_plan_cached(plan, 2026)
    task = next(t for t in loaded.tasks if t.id == "leifeng")
    assert cache.expand_task_cached(loaded, task, 2026)[0].due == date(2026, 3, 9)
    assert task_file.read_bytes() == after  # found kept: not written again
