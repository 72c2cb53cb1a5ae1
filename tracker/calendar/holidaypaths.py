"""Where the office's holidays files are (tracker.calendar.holidayfile reads them): on its
own, so that checking whether a cached plan is still current does not import the reader."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOLIDAYS = "SHUANGYONG_HOLIDAYS"
FILE_NAME = "holidays.toml"


def user_holidays_path() -> Path:
    env = os.environ.get(ENV_HOLIDAYS)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("shuangyong-tui", appauthor=False) / FILE_NAME


def holiday_paths(plan_path: Path | None) -> list[Path]:
    """The holidays files that apply to a plan, least specific first (existing or not)."""
    paths = [user_holidays_path()]
    if plan_path is not None:
        beside = Path(plan_path).parent / FILE_NAME
        if beside not in paths:
            paths.append(beside)
    return paths
