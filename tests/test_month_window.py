"""A month's or a week's rows read from the plan cache's months equal the year's rows filtered.

`list --month`, `list --week` and the week view read only the months they need from the plan
cache (tracker/plan/cache.py, expand_between_cached). Each case here compares that with the
whole year joined and filtered, on a real state file: items the office moved into the window
from another month, moved out of it, carried over from last year, and a plan edited since.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest

from tracker.model import Status
from tracker.plan import cache
from tracker.plan.bundled import template_path
from tracker.service import Query, Tracker
from tracker.state.store import Store

TODAY = date(2026, 6, 15)


@pytest.fixture()
def world(env):
    plan = env / "plan.toml"
    shutil.copy(template_path("shequ"), plan)
    return env, plan, env / "state.jsonl"


def _tracker(plan, db, year=2026):
    return Tracker(cache.load_plan_cached(plan, year), Store(db), year, TODAY)


def _windows():
    for month in range(1, 13):
        start = date(2026, month, 1)
        end = (date(2026, month + 1, 1) if month < 12 else date(2027, 1, 1)) - timedelta(days=1)
        yield f"M{month}", (start, end)
    for q in range(1, 5):
        yield f"Q{q}", None
    for day in (date(2026, 1, 1), date(2026, 3, 5), date(2026, 6, 15), date(2026, 12, 28)):
        yield "week", day


def _both(plan, db):
    """Each window's rows as a fresh Tracker selects them (months from the cache) and as the
    year joined whole and filtered by the same query."""
    for key, window in _windows():
        query = Query(week=window) if key == "week" else Query(period=key)
        cache._ENTRIES.clear()  # a fresh process: only the cache files are kept
        quick = _tracker(plan, db)
        assert quick._occurrences is None
        got = quick.select(query)
        whole = _tracker(plan, db)
        expected = whole.select(query, whole.tracked() + (whole.neighbour_rows(*_week(window)) if key == "week" else []))
        yield key, window, got, expected, quick


def _week(day):
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _assert_all_equal(plan, db):
    seen = 0
    for key, window, got, expected, quick in _both(plan, db):
        assert [(r.id, r.due, r.state) for r in got] == [(r.id, r.due, r.state) for r in expected], (key, window)
        assert quick._occurrences is None, (key, window)  # the year was not expanded for it
        seen += len(got)
    assert seen


def test_months_and_weeks_from_the_cache_equal_the_year_filtered(world):
    _, plan, db = world
    _tracker(plan, db).tracked()  # expands the year once and keeps it, by month too
    assert list((world[0] / "cache" / "plans").glob("*.2026.months.pickle"))
    _assert_all_equal(plan, db)
    cache._ENTRIES.clear()
    loaded = cache.load_plan_cached(plan, 2026)
    whole = cache.expand_cached(cache.load_plan_cached(plan, 2026), 2026)
    for first, last in ((date(2026, 6, 10), date(2026, 6, 20)), (date(2026, 2, 27), date(2026, 3, 2)),
                        (date(2026, 12, 28), date(2027, 1, 3)), (date(2026, 1, 1), date(2026, 12, 31))):
        within = [o for o in whole if first <= o.due <= last]
        assert sorted(cache.expand_between_cached(loaded, 2026, first, last), key=lambda o: o.id) == sorted(
            within, key=lambda o: o.id), (first, last)


def test_moved_and_carried_items_are_in_the_window_they_are_due_in(world):
    _, plan, db = world
    prior = _tracker(plan, db, 2025)
    unfinished = [r for r in prior.tracked() if r.due.month == 11][:2]
    assert unfinished
    prior.rollover(2026)  # carried into 2026, due by the end of March (or as postponed)
    prior.store.close()
    t = _tracker(plan, db)
    rows = t.tracked()
    march = [r for r in rows if r.due.month == 3 and "@" in r.id]
    june = [r for r in rows if r.due.month == 6]
    into_june = march[0]
    t.set_status(into_june.id, Status.POSTPONED, reason="改期", due=date(2026, 6, 16))
    t.set_status(june[0].id, Status.POSTPONED, reason="改期", due=date(2026, 9, 1))
    t.set_status(june[1].id, Status.POSTPONED, reason="改期", due=date(2027, 1, 8))
    carried = [r for r in rows if r.occurrence.carried_from]
    assert carried
    t.set_status(carried[0].id, Status.POSTPONED, reason="改期", due=date(2026, 6, 20))
    t.set_status(march[1].id, Status.DONE)
    t.store.close()
    _assert_all_equal(plan, db)
    cache._ENTRIES.clear()
    june_rows = _tracker(plan, db).select(Query(period="M6"))
    ids = {r.id for r in june_rows}
    assert into_june.id in ids and carried[0].id in ids
    assert june[0].id not in ids and june[1].id not in ids


def test_a_damaged_or_missing_months_file_falls_back_and_is_written_again(world):
    tmp, plan, db = world
    _tracker(plan, db).tracked()
    (months,) = (tmp / "cache" / "plans").glob("*.2026.months.pickle")
    kept = months.read_bytes()
    months.write_bytes(kept[: len(kept) // 2])
    _assert_all_equal(plan, db)
    assert months.read_bytes() == kept  # written again from the year's expansion
    months.unlink()
    _assert_all_equal(plan, db)
    assert months.read_bytes() == kept


def test_months_of_a_plan_before_its_edit_are_never_used(world):
    tmp, plan, db = world
    _tracker(plan, db).tracked()
    (months,) = (tmp / "cache" / "plans").glob("*.2026.months.pickle")
    old = months.read_bytes()
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace('when = "3月5日"', 'when = "6月9日"', 1), encoding="utf-8")
    cache._ENTRIES.clear()
    _tracker(plan, db).tracked()
    months.write_bytes(old)  # the months of the plan before the edit, put back
    _assert_all_equal(plan, db)
    cache._ENTRIES.clear()
    assert "leifeng" in {r.id for r in _tracker(plan, db).select(Query(period="M6"))}
