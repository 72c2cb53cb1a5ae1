"""--today accepts the same years as plans (the plan validator's range)."""

from datetime import date

import pytest

from tracker.errors import TrackerError
from tracker.plan.validate import YEAR_MAX, YEAR_MIN
from tracker.settings import parse_day


def test_today_takes_the_plan_years():
    assert parse_day(f"{YEAR_MIN}-01-01") == date(YEAR_MIN, 1, 1)
    assert parse_day(f"{YEAR_MAX}-12-31") == date(YEAR_MAX, 12, 31)


@pytest.mark.parametrize("text", [f"{YEAR_MIN - 1}-12-31", f"{YEAR_MAX + 1}-01-01"])
def test_today_outside_the_plan_years_is_refused(text):
    with pytest.raises(TrackerError, match=f"{YEAR_MIN}-{YEAR_MAX}"):
        parse_day(text, "--today")
