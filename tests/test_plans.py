"""The bundled plans: they load cleanly, expand for any year, and say what the issue asks."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest

from tracker.plan.bundled import TEMPLATE_NAMES, default_plan_path, template_path, templates
from tracker.errors import TrackerError
from tracker.plan.loader import check_plan, load_plan
from tracker.calendar.schedule import expand_plan
from tracker.calendar.when import parse_when
from tracker.calendar.workdays import is_covered

NAMES = ["shequ", "xiangzhen", "juguan", "xuexiao"]
YEARS = [2025, 2026, 2027]
ROOT = Path(__file__).resolve().parents[1]


def specs(name: str):
    return {t.id: parse_when(t.when) for t in load_plan(template_path(name)).tasks}


def titles(name: str) -> str:
    return "\n".join(t.title for t in load_plan(template_path(name)).tasks)


# ---------------------------------------------------------------------------
# Finding them
# ---------------------------------------------------------------------------


def test_template_names_and_order():
    assert list(TEMPLATE_NAMES) == NAMES
    listed = templates()
    assert [t.name for t in listed] == NAMES
    for t in listed:
        plan = load_plan(t.path)
        assert t.title == plan.title
        assert t.task_count == len(plan.tasks)
        assert t.description
        assert t.path == template_path(t.name)


def test_paths_come_from_the_plans_package():
    folder = Path(str(files("plans")))
    for name in NAMES:
        path = template_path(name)
        assert path == folder / f"{name}.toml"
        assert path.is_file()
    assert default_plan_path() == template_path("shequ")


def test_chinese_names_accepted():
    assert template_path("社区") == template_path("shequ")
    assert template_path("学校") == template_path("xuexiao")
    assert template_path(" Juguan ") == template_path("juguan")


def test_unknown_template_lists_names():
    with pytest.raises(TrackerError) as info:
        template_path("county")
    message = str(info.value)
    assert "county" in message
    assert all(name in message for name in NAMES)
    assert "社区" in message


def test_templates_ship_in_the_wheel_and_are_found_there(tmp_path):
    pytest.importorskip("hatchling")
    build = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "dist")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert {f"plans/{n}.toml" for n in NAMES} <= set(names)
        archive.extractall(site)
    code = (
        "import tracker, tracker.plan.bundled as b, tracker.plan.loader as l;"
        "print(tracker.__file__);"
        "print(b.default_plan_path());"
        "print(sum(len(l.load_plan(t.path).tasks) for t in b.templates()))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    module, default, count = run.stdout.split("\n")[:3]
    assert module.startswith(str(site))  # the wheel's copy, not the checkout
    assert default == str(site / "plans" / "shequ.toml")
    assert int(count) == sum(t.task_count for t in templates())


# ---------------------------------------------------------------------------
# Loading and expanding
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("year", [None, *YEARS])
def test_bundled_plan_has_no_problems(name, year):
    plan, problems = check_plan(template_path(name), year=year)
    assert problems == []
    assert plan is not None


@pytest.mark.parametrize("name", NAMES)
def test_bundled_plan_shape(name):
    path = template_path(name)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "year" not in raw  # a template for every year
    plan = load_plan(path)
    assert plan.year is None
    assert 20 <= len(plan.tasks) <= 60
    assert len(plan.owners) >= 5 and plan.categories and plan.evidence
    for t in plan.tasks:
        assert t.owner in plan.owners
        assert t.category in plan.categories
        assert t.evidence
    assert len({t.owner for t in plan.tasks}) >= 4
    # Comments tell the keeper how to edit, in Chinese.
    assert "怎样修改" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("year", YEARS)
def test_bundled_plan_expands(name, year):
    plan = load_plan(template_path(name), year=year)
    occurrences = expand_plan(plan, year)
    assert len(occurrences) >= len(plan.tasks)
    ids = [o.id for o in occurrences]
    assert len(ids) == len(set(ids))
    assert {o.task_id for o in occurrences} == {t.id for t in plan.tasks}
    for o in occurrences:
        assert o.start.year == year and o.due.year == year
        assert o.start <= o.due
    # Holiday data reaches 2026 in the pinned chinesecalendar; later years are provisional.
    assert any(o.provisional for o in occurrences) == (not is_covered(year))


def test_when_forms_vary_across_plans():
    texts = {t.when for name in NAMES for t in load_plan(template_path(name)).tasks}
    kinds = {parse_when(w).kind for w in texts}
    assert len(texts) >= 60
    assert kinds >= {
        "span", "date", "before", "festival", "monthly", "quarterly", "halfyearly", "yearly",
        "weekly", "monthly_weekday", "monthly_day", "rrule",
    }


# ---------------------------------------------------------------------------
# What each plan must contain (issue 2 §4)
# ---------------------------------------------------------------------------


def test_shequ_quarters_festivals_meetings():
    s = specs("shequ")
    whens = {t.when for t in load_plan(template_path("shequ")).tasks}
    assert {"1—3月", "4—6月", "7—9月", "10—12月"} <= whens
    assert {spec.months for spec in s.values() if spec.kind == "span"} >= {(1, 3), (4, 6), (7, 9), (10, 12)}
    festivals = {spec.festival for spec in s.values() if spec.kind == "festival"}
    assert {"春节", "元宵", "清明", "端午", "八一", "中秋", "重阳", "国庆"} <= festivals
    assert s["spring-forum"].offsets == (-7, -1)  # 春节前夕
    assert s["bayi-party"].offsets == (-14, -1)  # 八一前
    assert s["regular-meeting"].kind == "quarterly"
    assert s["topic-meeting"].kind == "halfyearly"
    amounts = {t.amount for t in load_plan(template_path("shequ")).tasks if t.amount}
    assert {100, 500, 800, 1500, 10000, 15000} <= amounts


def test_xiangzhen_monthly_themes_news_draft_allowance():
    s = specs("xiangzhen")
    text = titles("xiangzhen")
    for month, word in [(5, "民族团结"), (6, "国防教育"), (7, "板报"), (8, "慰问")]:
        plan = load_plan(template_path("xiangzhen"))
        assert any(
            word in t.title and s[t.id].kind == "span" and s[t.id].months == (month, month) for t in plan.tasks
        ), (month, word)
    assert s["news-report"].kind == "monthly" and "2篇" in text
    drafts = [i for i in s if "draft" in i]
    assert len(drafts) == 2 and "征兵" in text
    assert "优待金" in text


def test_juguan_legal_support_visits_group():
    s = specs("juguan")
    text = titles("juguan")
    assert "法律援助" in text and "涉军纠纷" in text and "领导小组" in text
    festivals = {spec.festival for spec in s.values() if spec.kind == "festival"}
    assert {"八一", "春节"} <= festivals


def test_xuexiao_class_flag_training_show_farewell():
    s = specs("xuexiao")
    text = titles("xuexiao")
    assert (s["defense-class"].kind, s["defense-class"].nth, s["defense-class"].weekday) == ("monthly_weekday", 1, 3)
    assert (s["flag"].kind, s["flag"].weekday) == ("weekly", 0)
    assert "军训" in text and "退伍" in text
    assert s["bayi-show"].festival == "八一"
    assert s["defense-day"].festival == "国防教育日"


def test_xuexiao_defense_class_dates_2026():
    plan = load_plan(template_path("xuexiao"), year=2026)
    days = [o.due for o in expand_plan(plan, 2026) if o.task_id == "defense-class"]
    assert len(days) == 12
    assert all(d.weekday() == 3 and d.day <= 14 for d in days)
    # on_holiday = "next_week": 01-01 (元旦) and 10-01 (国庆) move a week later
    assert days[0].isoformat() == "2026-01-08"
    assert days[9].isoformat() == "2026-10-08"


@pytest.mark.parametrize("name", NAMES)
def test_bundled_plan_stays_inside_each_year(name):
    plan = load_plan(template_path(name))
    for year in range(2024, 2036):
        for o in expand_plan(plan, year):
            assert o.start.year == year and o.due.year == year, (year, o.id, o.due)
