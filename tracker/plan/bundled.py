"""The plans shipped inside the package (the ``plans`` folder), ready to copy and edit.

They are found through importlib.resources, so the same code works from a checkout
(``pip install -e .``) and from an installed wheel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tracker.errors import TrackerError

__all__ = ["Template", "templates", "template_path", "default_plan_path", "TEMPLATE_NAMES", "new_uid", "with_uid",
           "bundled_catalogue_path"]


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    task_count: int
    path: Path
    description: str


# name -> (Chinese short name, description); the order is the order `templates` lists.
_CATALOGUE: dict[str, tuple[str, str]] = {
    "shequ": ("社区", "社区：按季度安排（1-3月...10-12月）、节日走访慰问、每季度例会、上下半年专题会"),
    "xiangzhen": ("乡镇", "乡镇：每月主题活动、每月两篇信息、春秋两季征兵、优待金发放"),
    "juguan": ("局机关", "局机关：法律援助与涉军纠纷调解、八一和春节走访、领导小组调整"),
    "xuexiao": ("学校", "学校：每月第一个周四国防教育课、每周一升旗、军训、八一演出、老兵退伍欢送"),
}
TEMPLATE_NAMES = tuple(_CATALOGUE)
DEFAULT_TEMPLATE = "shequ"


def _folder() -> Path:
    # A wheel or a checkout installs the package as real files: the folder of its
    # __init__ (what importlib.resources.files gives there, without its ~5 ms import).
    import plans

    return Path(plans.__file__).parent


def bundled_catalogue_path() -> Path:
    """The 考评 indicator catalogue shipped with the program."""
    return _folder() / "indicators.toml"


def template_path(name: str) -> Path:
    """The file of a bundled plan by name (shequ, xiangzhen, juguan, xuexiao) or Chinese name."""
    key = name.strip().lower()
    for template_name, (chinese, _) in _CATALOGUE.items():
        if key in (template_name, chinese):
            key = template_name
            break
    if key not in _CATALOGUE:
        choices = "、".join(f"{n}（{c}）" for n, (c, _) in _CATALOGUE.items())
        raise TrackerError(f"没有名为「{name}」的模板；可选：{choices}")
    path = _folder() / f"{key}.toml"
    if not path.is_file():
        raise TrackerError(f"内置模板文件缺失：{path}（安装不完整，请重新安装 shuangyong-tui）")
    return path


def new_uid() -> str:
    """A fresh stable plan key, e.g. ``plan-3f9c2a7d41b0``."""
    import secrets

    return f"plan-{secrets.token_hex(6)}"


_TITLE_LINE = re.compile(r"^title\s*=.*$", re.MULTILINE)
_UID_LINE = re.compile(r"^uid\s*=", re.MULTILINE)


def with_uid(text: str, uid: str | None = None) -> str:
    """The plan text with a ``uid = "..."`` line after its title (unchanged if it has one)."""
    if _UID_LINE.search(text):
        return text
    line = f'uid = "{uid or new_uid()}"   # 计划的固定编号：日历、同步和进度记录靠它对应，不要修改'
    m = _TITLE_LINE.search(text)
    if m is None:
        return line + "\n" + text
    return text[: m.end()] + "\n" + line + text[m.end():]


def default_plan_path() -> Path:
    """The plan used when none is configured: the 社区 plan."""
    return template_path(DEFAULT_TEMPLATE)


@lru_cache(maxsize=None)
def _summary(path: Path, mtime_ns: int) -> tuple[str, int]:
    import tomllib  # only for the list of templates: not on every command's path

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "（无法读取）", 0
    title = data.get("title")
    tasks = data.get("task")
    return (title if isinstance(title, str) else "（无标题）", len(tasks) if isinstance(tasks, list) else 0)


def templates() -> list[Template]:
    """Every bundled plan with its title and task count, in catalogue order."""
    result = []
    for name, (_, description) in _CATALOGUE.items():
        try:
            path = template_path(name)
        except TrackerError:
            continue
        title, count = _summary(path, path.stat().st_mtime_ns)
        result.append(Template(name, title, count, path, description))
    return result
