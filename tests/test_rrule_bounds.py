"""RRULEs that cannot produce dates, or would make dateutil loop, are refused with a reason."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from tracker.calendar.when import parse_when, slots_for
from tracker.errors import WhenError
from tracker.plan.loader import parse_plan_text

HOSTILE = [
    "RRULE:FREQ=DAILY;INTERVAL=0;BYDAY=MO",
    "RRULE:FREQ=WEEKLY;INTERVAL=0",
    "RRULE:FREQ=MONTHLY;INTERVAL=00",
    "RRULE:FREQ=YEARLY;INTERVAL=-1",
    "RRULE:FREQ=DAILY;INTERVAL=abc",
    "RRULE:FREQ=DAILY;INTERVAL=",
]


@pytest.mark.parametrize("rule", HOSTILE)
def test_bad_interval_is_refused_before_expansion(rule):
    with pytest.raises(WhenError, match="INTERVAL"):
        parse_when(rule)


@pytest.mark.parametrize("rule", HOSTILE)
def test_validate_names_the_task_and_field(rule):
    text = f'title = "计划"\nyear = 2026\n\n[[task]]\nid = "a"\ntitle = "例会"\nwhen = "{rule}"\n'
    plan, problems = parse_plan_text(text, "plan.toml")
    assert plan is None
    (problem,) = problems
    assert (problem.line, problem.field) == (7, "task[1].when")
    assert "INTERVAL" in problem.message


def test_cli_validate_returns_on_interval_zero(tmp_path):
    """The reported hang: `validate` on a plan with INTERVAL=0 ends with a message."""
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'title = "计划"\nyear = 2026\n[[task]]\nid = "a"\ntitle = "例会"\n'
        'when = "RRULE:FREQ=DAILY;INTERVAL=0;BYDAY=MO"\n',
        encoding="utf-8",
    )
    # timeout: a guard against the hang coming back, not a performance limit
    done = subprocess.run(
        [sys.executable, "-m", "tracker.cli", "--plan", str(plan), "validate"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode != 0
    assert "INTERVAL" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


_PARTS = st.lists(
    st.sampled_from([
        "INTERVAL=0", "INTERVAL=1", "INTERVAL=3", "INTERVAL=400", "COUNT=0", "COUNT=2",
        "BYDAY=MO", "BYDAY=-1FR", "BYDAY=+5SU", "BYMONTH=2", "BYMONTH=13", "BYMONTHDAY=30",
        "BYMONTHDAY=-1", "BYSETPOS=-1", "BYSETPOS=2", "BYWEEKNO=53", "BYYEARDAY=366",
        "UNTIL=20260101", "UNTIL=20000101", "BYHOUR=3",
    ]),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]), parts=_PARTS,
       year=st.sampled_from([1901, 2026, 2027, 2100]))
def test_any_rrule_yields_dates_or_a_reason(freq, parts, year):
    rule = ";".join([f"FREQ={freq}", *parts])
    try:
        slots = slots_for(parse_when("RRULE:" + rule), year)
    except WhenError as exc:
        assert str(exc)
        return
    assert 0 < len(slots) <= 400
    assert all(s.nominal_due.year == year for s in slots)
