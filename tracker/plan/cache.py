"""A cache of the validated plan and its expanded years, never trusted over the sources.

Loading, validating and expanding a county plan (3,000 tasks) costs ~150 ms; reading
the result back from a pickle costs a few. An entry is used only when everything the
result depends on is exactly as it was when the entry was written:

- the plan file (resolved path, size, mtime in ns),
- every holidays file that applies (user data folder, beside the plan; absent counts),
- the indicator catalogue the plan names (or the bundled one),
- the year asked for, and for a template the current year it is checked against,
- the package version and the size and mtime of the source files that compute dates,
  plus the chinesecalendar version (its holiday data).

Anything else (a damaged or foreign file, a pickle error, a different Python) means a
fresh load; the cache is written atomically beside nothing the user owns: in ``plans/`` of
the user's cache folder (:func:`tracker.settings.cache_folder`: ``SHUANGYONG_CACHE`` names
another folder, ``0`` turns every cache off).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tracker.model import Occurrence, Plan, Task
from tracker.settings import ENV_CACHE, cache_folder

FORMAT = 5  # 3: occurrences pickled by value (tracker.model.Occurrence.__reduce__); 4: tasks too;
# 5: every byte checked as it is read (tracker.cachefile)

__all__ = ["load_plan_cached", "expand_cached", "expand_task_cached", "expand_between_cached", "cache_dir", "ENV_CACHE"]

# Expansions of plans loaded through this module, by the plan object's identity.
_ENTRIES: dict[int, tuple[Plan, Path, dict]] = {}


def cache_dir() -> Path | None:
    """Where the plan cache's files go; None when caching is off."""
    folder = cache_folder()
    return folder / "plans" if folder is not None else None


def _stat(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
        return str(path), st.st_size, st.st_mtime_ns
    except OSError:
        return str(path), -1, 0


def _code_state() -> tuple:
    """What the computation itself depends on: versions and the date-computing sources."""
    import tracker

    here = Path(tracker.__file__).parent
    files = sorted((here / "calendar").glob("*.py")) + sorted((here / "plan").glob("*.py")) + [here / "model.py"]
    return (FORMAT, tracker.__version__, sys.version_info[:2], _library_state(), tuple(_stat(f) for f in files))


def _library_state() -> tuple:
    """chinesecalendar's holiday data, by its files (importing it or importlib.metadata would
    cost 10-30 ms on a cache hit that never needs it): an upgrade changes them."""
    from importlib.util import find_spec

    spec = find_spec("chinese_calendar")
    if spec is None or not spec.origin:
        return ("?",)
    folder = Path(spec.origin).parent
    return tuple(_stat(folder / name) for name in ("__init__.py", "constants.py"))


def _content(path: Path) -> tuple[str, int, str]:
    """A file by its content (a same-size edit within one mtime tick is still seen)."""
    from tracker.regularfile import read_regular  # a pipe in a holidays file's place: unreadable, not waited on

    try:
        data = read_regular(path)
    except OSError:
        return str(path), -1, ""
    return str(path), len(data), hashlib.sha256(data).hexdigest()


def _dependencies(path: Path, plan: Plan | None) -> tuple:
    from tracker.calendar.holidaypaths import holiday_paths
    from tracker.plan.bundled import bundled_catalogue_path

    deps = [_content(path)] + [_content(p) for p in holiday_paths(path)]
    if plan is not None:
        if plan.indicator_catalogue:
            from tracker.plan.indicators import catalogue_for_plan

            catalogue = catalogue_for_plan(plan.indicator_catalogue, path)
        else:
            catalogue = bundled_catalogue_path()
        deps.append(_content(catalogue))
    return tuple(deps)


def _entry_file(folder: Path, path: Path, year: int | None) -> Path:
    check_year = year if year is not None else date.today().year
    name = hashlib.sha256(f"{path}\0{year}\0{check_year}".encode()).hexdigest()[:24]
    return folder / f"{name}.pickle"


def _read(file: Path) -> dict | None:
    import gc

    from tracker import cachefile

    # Thousands of small objects: the cyclic GC would run several full passes while
    # they are created, for nothing (none of them forms a cycle).
    enabled = gc.isenabled()
    gc.disable()
    try:
        entry = cachefile.load_path(file)  # every byte checked: damage anywhere means a miss
    except Exception:  # noqa: BLE001 - missing, not a regular file or damaged: not cached
        return None
    finally:
        if enabled:
            gc.enable()
    return entry if isinstance(entry, dict) and entry.get("format") == FORMAT else None


def _write(file: Path, entry: dict) -> None:
    from tracker import cachefile

    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(cachefile.dumps(entry))
        os.replace(tmp, file)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no error
        try:
            tmp.unlink()
        except OSError:
            pass


def _year_file(file: Path, year: int) -> Path:
    """Where one year's expansion is kept: a file of its own, read only by what needs the
    whole year (`done ID` and `show ID` expand their one task)."""
    return file.with_name(f"{file.stem}.{year}.pickle")


def load_plan_cached(path: Path | str, year: int | None = None) -> Plan:
    """Like tracker.plan.loader.load_plan, from the cache when nothing it depends on changed."""
    folder = cache_dir()
    resolved = Path(path).resolve()
    if folder is None:
        from tracker.plan.loader import load_plan

        return load_plan(path, year)
    file = _entry_file(folder, resolved, year)
    code = _code_state()
    entry = _read(file)
    if entry is not None and entry.get("code") == code:
        plan = entry.get("plan")
        if isinstance(plan, Plan) and entry.get("deps") == _dependencies(resolved, plan):
            _remember(plan, file, entry)
            return plan
    # Fresh: the dependencies are taken before reading, so an edit during the load
    # makes the entry stale rather than wrong.
    from tracker.plan.loader import load_plan  # only now: its imports cost more than a hit

    before = _dependencies(resolved, None)
    plan = load_plan(path, year)
    deps = _dependencies(resolved, plan)
    if deps[: len(before)] == before:
        entry = {"format": FORMAT, "code": code, "deps": deps, "plan": plan}
        _write(file, entry)
        _remember(plan, file, entry)
    return plan


def _remember(plan: Plan, file: Path, entry: dict) -> None:
    if len(_ENTRIES) > 16:
        _ENTRIES.clear()
    _ENTRIES[id(plan)] = (plan, file, entry)


def _year_stamp(entry: dict, year: int) -> dict:
    """What a year's files must carry: they are valid only for the plan entry they were expanded from."""
    return {"format": FORMAT, "code": entry["code"], "deps": entry["deps"], "year": year}


def _stamped(stored: dict | None, stamp: dict, key: str, kind: type) -> Any:
    if stored is not None and isinstance(stored.get(key), kind) and all(stored.get(k) == v for k, v in stamp.items()):
        return stored[key]
    return None


def _task_file(file: Path, year: int) -> Path:
    """The same year's occurrences by task, each task's list pickled on its own: `done ID`
    and `show ID` unpickle one task's, without the year or the date-computing code."""
    return file.with_name(f"{file.stem}.{year}.tasks.pickle")


def expand_cached(plan: Plan, year: int) -> list[Occurrence]:
    """expand_plan(plan, year), kept with the cached plan when the plan came from the cache."""
    known = _ENTRIES.get(id(plan))
    stamp: dict[str, Any] = {}
    if known is not None and known[0] is plan:
        _, file, entry = known
        years: dict[int, Any] = entry.setdefault("years", {})  # in this process
        occurrences = years.get(year)
        if isinstance(occurrences, list):
            return list(occurrences)
        stamp = _year_stamp(entry, year)
        stored = _stamped(_read(_year_file(file, year)), stamp, "occurrences", list)
        if stored is not None:
            years[year] = stored
            return list(stored)
    from tracker.calendar.schedule import expand_plan  # only now: its imports cost more than a hit

    occurrences = expand_plan(plan, year)
    if stamp:
        years[year] = occurrences
        _write(_year_file(file, year), {**stamp, "occurrences": occurrences})
        _write_indexes(plan, file, stamp, occurrences)
        entry.setdefault("indexed", set()).add(year)  # in this process
    return list(occurrences)


def _write_indexes(plan: Plan, file: Path, stamp: dict, occurrences: list[Occurrence]) -> None:
    """The year's occurrences kept again by task and by month (see _task_file, _month_file)."""
    year = stamp["year"]
    by_task: dict[str, list[Occurrence]] = {}
    by_month: dict[tuple[int, int], list[Occurrence]] = {}
    for occ in occurrences:
        by_task.setdefault(occ.task_id, []).append(occ)
        by_month.setdefault((occ.due.year, occ.due.month), []).append(occ)
    dumps = pickle.dumps
    tasks = {t.id: dumps(by_task.get(t.id, []), protocol=pickle.HIGHEST_PROTOCOL) for t in plan.tasks}
    _write(_task_file(file, year), {**stamp, "tasks": tasks})
    months = {key: dumps(found, protocol=pickle.HIGHEST_PROTOCOL) for key, found in by_month.items()}
    _write(_month_file(file, year), {**stamp, "months": months})


def _year_indexed(plan: Plan, file: Path, entry: dict, year: int) -> list[Occurrence]:
    """The whole year, for a caller whose index file was missing or stale: its files are
    written again from it, so the next command about one item or one month finds them."""
    occurrences = expand_cached(plan, year)
    indexed = entry.setdefault("indexed", set())  # in this process
    if year not in indexed:
        indexed.add(year)
        _write_indexes(plan, file, _year_stamp(entry, year), occurrences)
    return occurrences


def _month_file(file: Path, year: int) -> Path:
    """The same year's occurrences by the month of their due, each month's list pickled on its
    own: a month's or a week's list unpickles those months, not the year."""
    return file.with_name(f"{file.stem}.{year}.months.pickle")


def expand_between_cached(plan: Plan, year: int, first: date, last: date) -> list[Occurrence] | None:
    """The occurrences of expand_plan(plan, year) due from `first` to `last` (the plan's due),
    in the order expand_plan gives them within each month, from the year's cache (the year is
    expanded and kept when it is not); None when the plan did not come from the cache or a
    month's list is not what was kept (the caller expands the year)."""
    known = _ENTRIES.get(id(plan))
    if known is None or known[0] is not plan:
        return None
    _, file, entry = known
    occurrences = entry.get("years", {}).get(year)
    if isinstance(occurrences, list):
        return [o for o in occurrences if first <= o.due <= last]
    months = _stamped(_read(_month_file(file, year)), _year_stamp(entry, year), "months", dict)
    if months is None:
        return [o for o in _year_indexed(plan, file, entry, year) if first <= o.due <= last]
    found: list[Occurrence] = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        blob = months.get((y, m))
        if blob is not None:
            try:
                got = pickle.loads(blob) if isinstance(blob, bytes) else None
            except Exception:  # noqa: BLE001 - damage means: not cached
                got = None
            if not (isinstance(got, list) and all(isinstance(o, Occurrence) for o in got)):
                return None
            found += [o for o in got if first <= o.due <= last]
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return found


def expand_task_cached(plan: Plan, task: Task, year: int) -> list[Occurrence]:
    """The occurrences of expand_task(task, plan, year), from the year's cache when the plan
    came from the cache and that year has been expanded and kept; else computed."""
    known = _ENTRIES.get(id(plan))
    if known is not None and known[0] is plan:
        _, file, entry = known
        occurrences = entry.get("years", {}).get(year)
        if isinstance(occurrences, list):
            return [o for o in occurrences if o.task_id == task.id]
        kept: dict[int, Any] = entry.setdefault("task_files", {})  # in this process
        tasks = kept.get(year)
        if tasks is None:
            tasks = kept[year] = _stamped(_read(_task_file(file, year)), _year_stamp(entry, year), "tasks", dict)
        blob = tasks.get(task.id) if tasks is not None else None
        if isinstance(blob, bytes):
            try:
                got = pickle.loads(blob)
            except Exception:  # noqa: BLE001 - damage means: not cached
                got = None
            if isinstance(got, list) and all(isinstance(o, Occurrence) and o.task_id == task.id for o in got):
                return got
        elif tasks is None:
            # The year's files are not kept (a plan or program changed since): expand it once
            # and keep it, so the next command about one item finds it, instead of each one
            # computing its task with the date code's imports until something expands the year.
            return [o for o in _year_indexed(plan, file, entry, year) if o.task_id == task.id]
    from tracker.calendar.schedule import expand_task  # only now: its imports cost more than a hit

    return expand_task(task, plan, year)
