"""Where the plan and the state file come from, for the commands and the app alike.

One factory (`AppContext`) resolves the plan path, the state file, the year and "today";
both `main` and the tests build the app and the commands through it.
Order of precedence: command-line option > environment variable > config file > default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.errors import TrackerError

APP_NAME = "shuangyong-tui"
ENV_PLAN = "SHUANGYONG_PLAN"
ENV_DB = "SHUANGYONG_DB"
ENV_CONFIG = "SHUANGYONG_CONFIG"
ENV_TODAY = "SHUANGYONG_TODAY"
ENV_CACHE = "SHUANGYONG_CACHE"

DEFAULT_PLAN_NOTICE = (
    "未配置计划文件，正在使用内置的社区计划。"
    "用 `shuangyong-tui init -o 我的计划.toml` 生成自己的计划，"
    "再用 `shuangyong-tui config --plan 我的计划.toml` 设为默认。"
)


def config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def cache_folder() -> Path | None:
    """The one folder every cache lives in (the plan cache's ``plans/``, the checkpoints'
    ``checkpoints/``, the digests' ``digests.json``), or None when caching is off.

    ``SHUANGYONG_CACHE`` names another folder and ``0`` turns every cache off; otherwise the
    platform's cache folder for this user. Never beside the state file: that folder is often
    shared, and a cache is only ever read from a place no one else can write."""
    configured = os.environ.get(ENV_CACHE, "").strip()
    if configured == "0":
        return None
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "state.jsonl"


def default_archive_dir(db_path: Path) -> Path:
    """The 档案 folder for copied evidence files: beside the state file."""
    return db_path.parent / "档案"


def read_config() -> dict[str, str]:
    path = config_path()
    try:
        from tracker.regularfile import read_regular

        text = read_regular(path).decode("utf-8-sig")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise TrackerError(f"配置文件 {path} 不是 UTF-8 编码，请用 UTF-8 另存或删除后用 config 命令重新设置") from None
    except OSError as exc:
        from tracker.regularfile import read_reason

        raise TrackerError(f"无法读取配置文件 {path}：{read_reason(exc)}") from None
    import tomllib  # only once there is a config file to read

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TrackerError(f"配置文件 {path} 格式错误：{exc}") from None
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    for key, value in values.items():
        if "\0" in value:
            raise TrackerError(f"配置文件 {path} 中 {key} 的值含有空字符，无法作为路径使用")
    return values


def write_config(values: dict[str, str]) -> Path:
    """Write the config file (plain `key = "value"` lines; JSON string escapes are valid TOML)."""
    import json

    path = config_path()
    current = read_config()
    current.update({k: v for k, v in values.items() if v is not None})
    lines = ["# shuangyong-tui 配置：默认计划文件与状态文件"]
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in sorted(current.items())]
    from tracker.outputs.files import os_reason, save_atomically

    try:
        save_atomically(path, "\n".join(lines) + "\n")
    except TrackerError:
        raise
    except OSError as exc:
        raise TrackerError(f"无法写入配置文件 {path}：{os_reason(exc)}") from None
    return path


def parse_day(text: str, what: str = "日期") -> date:
    """An ISO date from the command line or the environment, with a Chinese error."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise TrackerError(f"{what}「{text}」无法识别，请用 YYYY-MM-DD 格式，例如 2026-03-10") from None
    from tracker.calendar import MAX_YEAR as YEAR_MAX, MIN_YEAR as YEAR_MIN  # the years plans are known for

    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise TrackerError(f"{what}「{text}」超出支持范围（{YEAR_MIN}-{YEAR_MAX} 年）")
    return day


@dataclass
class AppContext:
    """Resolved settings plus lazily loaded plan, store and tracker service."""

    plan_option: Path | None = None
    db_option: Path | None = None
    year_option: int | None = None
    today_option: date | None = None
    user: str | None = None
    notices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._plan = None
        self._store = None
        self._tracker = None
        self._config: dict[str, str] | None = None

    def fresh(self) -> "AppContext":
        """The same options with nothing loaded yet: to read a fixed plan or state file again."""
        return AppContext(
            plan_option=self.plan_option, db_option=self.db_option, year_option=self.year_option,
            today_option=self.today_option, user=self.user,
        )

    # -- settings --------------------------------------------------------------
    @property
    def config(self) -> dict[str, str]:
        if self._config is None:
            self._config = read_config()
        return self._config

    @property
    def today(self) -> date:
        if self.today_option is not None:
            return self.today_option
        env = os.environ.get(ENV_TODAY)
        return parse_day(env, ENV_TODAY) if env else date.today()

    @property
    def plan_path(self) -> Path:
        if self.plan_option is not None:
            return self.plan_option
        configured = os.environ.get(ENV_PLAN) or self.config.get("plan")
        if configured:
            return Path(configured).expanduser()
        from tracker.plan.bundled import default_plan_path

        if DEFAULT_PLAN_NOTICE not in self.notices:
            self.notices.append(DEFAULT_PLAN_NOTICE)
        return default_plan_path()

    @property
    def plan_is_default(self) -> bool:
        return self.plan_option is None and not (os.environ.get(ENV_PLAN) or self.config.get("plan"))

    @property
    def db_path(self) -> Path:
        if self.db_option is not None:
            return self.db_option
        configured = os.environ.get(ENV_DB) or self.config.get("db")
        return Path(configured).expanduser() if configured else default_db_path()

    @property
    def archive_dir(self) -> Path:
        configured = self.config.get("archive")
        return Path(configured).expanduser() if configured else default_archive_dir(self.db_path)

    @property
    def year(self) -> int:
        if self.year_option is not None:
            return self.year_option
        return self.plan().year_or(self.today)

    # -- loaded objects -----------------------------------------------------------
    def plan(self):
        if self._plan is None:
            from tracker.plan.cache import load_plan_cached as load_plan

            path = self.plan_path
            try:
                os.stat(path)
            except FileNotFoundError:  # a dangling link too
                raise TrackerError(f"计划文件不存在：{path}") from None
            except OSError as exc:  # a link loop, a folder that may not be entered ...
                from tracker.regularfile import read_reason

                raise TrackerError(f"无法读取计划文件 {path}：{read_reason(exc)}") from None
            self._plan = load_plan(path, year=self.year_option)
        return self._plan

    def store(self):
        if self._store is None:
            from tracker.state.store import Store

            self._store = Store(self.db_path, user=self.user)
        return self._store

    def tracker(self):
        if self._tracker is None:
            from tracker.service import Tracker

            self._tracker = Tracker(self.plan(), self.store(), self.year, self.today, archive_dir=self.archive_dir)
            foreign = self._tracker.foreign_message()  # records of another plan: said, never merged
            if foreign and foreign not in self.notices:
                self.notices.append(foreign)
        return self._tracker
