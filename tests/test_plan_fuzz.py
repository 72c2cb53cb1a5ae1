"""Whatever a plan file holds, loading it ends in a Plan or a PlanError, never a traceback."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.errors import PlanError, Problem
from tracker.plan.loader import TASK_KEYS, TOP_KEYS, check_plan, load_plan, parse_plan_text
from tracker.model import Plan

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------------------
# A small TOML writer: enough to turn random values into documents tomllib accepts
# ---------------------------------------------------------------------------


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    bare = key and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key)
    return key if bare else toml_string(key)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_document(top: dict, tasks: list[dict], crlf: bool = False, bom: bool = False) -> str:
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in top.items()]
    for t in tasks:
        lines.append("")
        lines.append("[[task]]")
        lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in t.items()]
    text = "\n".join(lines) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    return ("\ufeff" if bom else "") + text


# Strings that look like plan values, mixed with arbitrary ones.
WHEN_LIKE = st.sampled_from(
    [
        "1—3月", "Q2", "上半年", "5月", "五月份", "3月10日", "2026-03-10", "2月30日", "3月10日前",
        "年底前", "春节前夕", "八一前", "春节前7天", "八一后", "国庆期间", "每月", "每季度", "每半年",
        "每周一", "每月第一个周四", "每月10日前", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15",
        "RRULE:FREQ=DAILY;INTERVAL=0", "春分节", "13月", "", "每年", "元宵节", "“八一”",
    ]
)
TEXT = st.one_of(st.text(max_size=20), WHEN_LIKE, st.sampled_from(["社区党委", "spring-forum", "拥军优属"]))
SCALARS = st.one_of(
    TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.times().map(lambda t: t.replace(tzinfo=None)),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
KEYS = st.one_of(st.sampled_from(TASK_KEYS + TOP_KEYS), st.text(min_size=1, max_size=8))


GOOD_WHEN = st.sampled_from(
    ["1—3月", "Q2", "上半年", "5月", "3月10日", "年底前", "春节前夕", "八一前", "每月", "每季度", "每周一",
     "每月第一个周四", "每月10日前", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15", "元宵节"]
)


def mostly(right):
    """Usually a right value, sometimes anything at all."""
    return st.one_of(right, right, right, VALUES)


def task_dicts(required: bool = False):
    """Task tables: the known keys with right or wrong values, plus stray keys.

    With required=True, id/title/when are always present and usually right, so a fair
    share of the generated plans are valid and reach Plan construction.
    """
    right = {
        "id": st.one_of(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True), TEXT),
        "title": TEXT,
        "when": st.one_of(GOOD_WHEN, WHEN_LIKE, TEXT),
        "owner": st.one_of(st.sampled_from(["社区党委", "民政办"]), TEXT),
        "category": st.one_of(st.just("拥军优属"), TEXT),
        "support": st.lists(st.one_of(st.sampled_from(["社区党委", "民政办"]), TEXT), max_size=3),
        "evidence": st.lists(TEXT, max_size=3),
        "amount": st.one_of(st.integers(-5, 20000), st.floats(allow_nan=True)),
        "notes": TEXT,
        "source": TEXT,
    }
    if required:
        must = {
            "id": st.from_regex(r"[a-z0-9][a-z0-9_-]{2,10}", fullmatch=True),
            "title": mostly(st.text(min_size=1, max_size=10)),
            "when": mostly(GOOD_WHEN),
        }
        rest = {k: mostly(v) for k, v in right.items() if k not in must}
        known = st.fixed_dictionaries(must, optional=rest)
        extra = st.dictionaries(KEYS, VALUES, max_size=1).filter(lambda d: not set(d) & set(TASK_KEYS))
        return st.tuples(known, st.one_of(st.just({}), st.just({}), extra)).map(lambda pair: {**pair[1], **pair[0]})
    known = st.fixed_dictionaries({}, optional={k: st.one_of(v, VALUES) for k, v in right.items()})
    extra = st.dictionaries(KEYS, VALUES, max_size=2)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


def top_dicts():
    right = {
        "title": TEXT,
        "year": st.one_of(st.integers(1990, 2110), st.just(2026)),
        "workday": st.sampled_from(["previous", "next", "none", "prev", ""]),
        "owners": st.lists(TEXT, max_size=4),
        "categories": st.lists(TEXT, max_size=3),
        "default_owner": TEXT,
        "evidence": st.lists(TEXT, max_size=3),
    }
    known = st.fixed_dictionaries({}, optional={k: st.one_of(v, VALUES) for k, v in right.items()})
    extra = st.dictionaries(st.text(min_size=1, max_size=8).filter(lambda k: k != "task"), VALUES, max_size=2)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


def assert_outcome(path: Path, plan: Plan | None, problems: list[Problem], text: str | None = None) -> None:
    """check_plan's contract, plus load_plan agreeing with it."""
    assert isinstance(problems, list)
    errors = [p for p in problems if p.severity == "error"]
    assert (plan is None) == bool(errors)
    max_line = (text.count("\n") + 1) if text is not None else None
    for p in problems:
        assert isinstance(p, Problem)
        assert p.severity in ("error", "warning")
        assert isinstance(p.line, int) and p.line >= 0
        if max_line is not None:
            assert p.line <= max_line + 1
        assert p.field and p.message
        str(p)
    try:
        loaded = load_plan(path)
    except PlanError as exc:
        assert errors and exc.problems
    else:
        assert not errors and isinstance(loaded, Plan)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(tmp_path, data):
    path = tmp_path / "plan.toml"
    path.write_bytes(data)
    plan, problems = check_plan(path)
    assert_outcome(path, plan, problems)


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text(tmp_path, text):
    plan, problems = parse_plan_text(text, "随机")
    assert (plan is None) == any(p.severity == "error" for p in problems)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    plan, problems = check_plan(path)
    assert_outcome(path, plan, problems)


@FUZZ
@given(
    top=top_dicts(),
    tasks=st.lists(task_dicts(), max_size=5),
    crlf=st.booleans(),
    bom=st.booleans(),
    year=st.one_of(st.none(), st.integers(1990, 2110)),
)
def test_random_toml_documents(tmp_path, top, tasks, crlf, bom, year):
    text = toml_document(top, tasks, crlf=crlf, bom=bom)
    path = tmp_path / "plan.toml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    plan, problems = check_plan(path, year=year)
    assert_outcome(path, plan, problems, text)
    # The loader's own failure messages, not a generated id that happens to contain the words.
    assert not any(p.message.startswith("无法检查这个计划") or p.message.endswith("，无法检查") for p in problems)


@FUZZ
@given(tasks=st.lists(task_dicts(required=True), min_size=1, max_size=6))
def test_random_tasks_in_a_good_plan(tmp_path, tasks):
    top = {
        "title": "计划",
        "year": 2026,
        "owners": ["社区党委", "民政办"],
        "categories": ["拥军优属"],
    }
    text = toml_document(top, tasks)
    path = tmp_path / "plan.toml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    plan, problems = check_plan(path)
    assert_outcome(path, plan, problems, text)
    if plan is not None:
        assert len(plan.tasks) == len(tasks)
        assert len({t.id for t in plan.tasks}) == len(plan.tasks)
        for t in plan.tasks:
            assert isinstance(t.title, str) and t.title and isinstance(t.when, str) and t.when
            assert t.owner in ("社区党委", "民政办", "未指定")
            assert t.amount is None or (t.amount >= 0 and math.isfinite(t.amount))


@FUZZ
@given(mutation=st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=8)))
def test_corrupted_bundled_plan(tmp_path, mutation):
    """A real plan with a few bytes overwritten: the kind of damage a bad copy does."""
    from tracker.plan.bundled import default_plan_path

    data = bytearray(default_plan_path().read_bytes())
    pos, junk = mutation
    pos %= len(data)
    data[pos : pos + len(junk)] = junk
    path = tmp_path / "plan.toml"
    path.write_bytes(bytes(data))
    plan, problems = check_plan(path)
    assert_outcome(path, plan, problems)


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 3000 + "]" * 3000,
        "a = " + "{b = " * 3000 + "1" + "}" * 3000,
        "[" + "a." * 5000 + "b]\n",
        "title = \"x\"\r\n[[task]]\rid = \"a\"\n",
        "\x00\x01\x02",
        "\ufeff\ufeff",
        'title = "x"\n[[task]]\nid = "a"\ntitle = "t"\nwhen = "' + "每" * 10_000 + '"\n',
        'title = "x"\n[[task]]\nid = "a"\ntitle = "t"\nwhen = "RRULE:FREQ=DAILY;BYHOUR=1,2,3"\n',
        'title = "x"\n[[task]]\nid = "a"\ntitle = "t"\nwhen = "RRULE:FREQ=SECONDLY"\n',
        'title = "x"\ntask = [[1, 2], {}, "s"]\n',
        'title = "x"\n[[task]]\n[task.owner]\nname = "a"\n',
    ],
)
def test_hostile_inputs(tmp_path, text):
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    plan, problems = check_plan(path)
    assert_outcome(path, plan, problems)
    assert plan is None
