"""The 考评 indicator catalogue: what a 双拥模范城（县） inspection scores, item by item.

The bundled catalogue (plans/indicators.toml) follows the structure of the national
standard in our own words: 一级指标 ``"1"`` … ``"8"`` with scored items ``"1.2"`` and the
evidence an inspector asks for. A province's own catalogue is a file in the same
format, named by the plan key ``indicator_catalogue``. Tasks name the codes they serve.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tracker.errors import PlanError, Problem
from tracker.plan.bundled import bundled_catalogue_path
from tracker.regularfile import read_reason, read_regular

MAX_BYTES = 2 * 1024 * 1024
CODE_PATTERN = re.compile(r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+){0,4}")

__all__ = ["Indicator", "Catalogue", "load_catalogue", "bundled_catalogue_path", "catalogue_for_plan"]


@dataclass(frozen=True)
class Indicator:
    code: str  # "2.3"
    name: str
    parent: str = ""  # "" for a 一级指标
    points: float | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    title: str
    indicators: tuple[Indicator, ...]
    path: Path | None = None

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(i.code for i in self.indicators)

    def get(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def top_level(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if not i.parent)

    def children(self, code: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.parent == code)


def catalogue_for_plan(value: str, plan_path: Path | None) -> Path:
    """The file a plan's ``indicator_catalogue`` names (relative to the plan's folder)."""
    path = Path(value).expanduser()
    if not path.is_absolute() and plan_path is not None:
        path = Path(plan_path).parent / path
    return path


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """The catalogue at `path` (default: the bundled one); PlanError naming file/line/field."""
    p = Path(path) if path is not None else bundled_catalogue_path()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise PlanError([Problem(str(p), 0, "文件", "找不到考评指标文件")]) from None
    except OSError as exc:
        raise PlanError([Problem(str(p), 0, "文件", f"无法读取考评指标文件：{read_reason(exc)}")]) from None
    catalogue, problems = _load(str(p), st.st_size, st.st_mtime_ns)
    if catalogue is None:
        raise PlanError(list(problems))
    return catalogue


@lru_cache(maxsize=16)
def _load(path: str, size: int, mtime_ns: int) -> tuple[Catalogue | None, tuple[Problem, ...]]:
    from tracker.plan.tomlread import read_toml

    label = path
    if size > MAX_BYTES:
        return None, (Problem(label, 0, "文件", "考评指标文件过大"),)
    try:
        text = read_regular(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, (Problem(label, 1, "编码", "考评指标文件必须是 UTF-8 编码"),)
    except OSError as exc:
        return None, (Problem(label, 0, "文件", f"无法读取考评指标文件：{read_reason(exc)}"),)
    data, syntax = read_toml(text, label)
    if syntax is not None:
        return None, (syntax,)
    assert data is not None
    header_lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"^[ \t]*\[\[[ \t]*indicator[ \t]*\]\]", text, re.M)]
    problems: list[Problem] = []
    raw = data.get("indicator")
    if not isinstance(raw, list) or not raw or not all(isinstance(item, dict) for item in raw):
        return None, (Problem(label, 1, "indicator", "没有任何指标：每个指标以一行 [[indicator]] 开头"),)
    items: list[Indicator] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(raw):
        line = header_lines[n] if n < len(header_lines) else 0
        where = f"indicator[{n + 1}]"
        code, name = item.get("code"), item.get("name")
        if not isinstance(code, str) or CODE_PATTERN.fullmatch(code.strip()) is None:
            problems.append(Problem(label, line, f"{where}.code", "指标编号应是 \"2\" 或 \"2.3\" 这样的文字（加英文双引号）"))
            continue
        code = code.strip()
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(label, line, f"{where}.name", "缺少指标名称（name = \"...\"）"))
            continue
        if code in seen:
            problems.append(Problem(label, line, f"{where}.code", f"指标编号「{code}」重复（第{seen[code]}行已有）"))
            continue
        seen[code] = line
        parent = item.get("parent", "")
        points = item.get("points")
        if points is not None and (isinstance(points, bool) or not isinstance(points, (int, float)) or not math.isfinite(points) or points < 0):
            problems.append(Problem(label, line, f"{where}.points", "分值应为不小于 0 的数字"))
            points = None
        evidence = item.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(e, str) and e.strip() for e in evidence):
            problems.append(Problem(label, line, f"{where}.evidence", "佐证材料应是文字列表，例如 [\"会议记录\", \"签到表\"]"))
            evidence = []
        items.append(Indicator(code, name.strip(), parent.strip() if isinstance(parent, str) else "", points,
                               tuple(e.strip() for e in evidence)))
    codes = {i.code for i in items}
    for n, indicator in enumerate(items):
        if indicator.parent and indicator.parent not in codes:
            line = seen.get(indicator.code, 0)
            problems.append(Problem(label, line, "parent", f"指标「{indicator.code}」的上级「{indicator.parent}」不在目录中"))
    if problems:
        return None, tuple(problems)
    title = data.get("title") if isinstance(data.get("title"), str) else "考评指标"
    return Catalogue(title, tuple(items), Path(path)), ()
