"""The 总结's prose, counted from the record: 基本情况, 主要做法和成效, 存在问题, 下步打算.

Every sentence is built from the Summary's facts (counts, 户数, 人数, 实发金额, dates), so the
text an office sends up says exactly what the state file says. The office edits the wording
in Word afterwards; the numbers stay right.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from tracker.model import Status
from tracker.outputs.summary import Summary, TaskLine
from tracker.outputs.text import cn_date, cn_short, money

# What a task is, read from its title: the counts a 总结 states ("慰问 N 次、会议 N 次").
ACTIVITIES = (
    ("会议", "召开会议", "次", ("会议", "例会", "座谈", "联席", "议军")),
    ("慰问", "走访慰问", "次", ("慰问", "走访", "看望", "探望", "拜年")),
    ("宣传", "开展宣传", "期", ("宣传", "板报", "信息", "简报", "报道", "展板", "横幅", "征文")),
    ("教育", "开展教育培训", "场", ("教育", "讲座", "培训", "授课", "知识测试", "国防课")),
    ("优抚", "落实优抚政策", "项", ("优待金", "抚恤", "优抚", "安置", "补助", "发放")),
    ("共建", "开展军民共建", "次", ("共建", "联建", "结对")),
)
LIST_LIMIT = 5  # items named in a sentence before "等 N 项"

PERIOD_WORDS = {"Q1": "一季度", "Q2": "二季度", "Q3": "三季度", "Q4": "四季度", "H1": "上半年", "H2": "下半年"}


_PATTERNS = tuple((key, re.compile("|".join(map(re.escape, words)))) for key, _, _, words in ACTIVITIES)


@lru_cache(maxsize=4096)  # a repeated task's occurrences share a title
def activity(title: str) -> str | None:
    """The first kind whose words the title contains (one regex search per kind)."""
    for key, pattern in _PATTERNS:
        if pattern.search(title):
            return key
    return None


def period_text(t: TaskLine, year: int) -> str:
    """一季度 / 3月 / 上半年 for a repeat; "" for a one-off."""
    p = t.period or ""
    if not p or p == str(t.due.year):
        return ""
    tail = p[4:]
    if tail in PERIOD_WORDS:
        return PERIOD_WORDS[tail]
    if len(p) == 7 and p[4] == "-":
        return f"{int(p[5:])}月"
    if len(p) == 10:
        from datetime import date

        try:
            return cn_short(date.fromisoformat(p), year)
        except ValueError:
            return ""
    return ""


def item_name(t: TaskLine, year: int, extra: str = "") -> str:
    """The title, told apart from its siblings by its period (never by an id)."""
    period = period_text(t, year) if t.period else ""
    inside = f"{period}，{extra}" if period and extra else period or extra
    return f"{t.title}（{inside}）" if inside else t.title


def _names(tasks: list[TaskLine], year: int, detail=None) -> str:
    shown = []
    for t in tasks[:LIST_LIMIT]:
        shown.append(item_name(t, year, detail(t) if detail else ""))
    text = "、".join(shown)
    if len(tasks) > LIST_LIMIT:
        text += f"等 {len(tasks)} 项"
    return text


@dataclass(frozen=True)
class Amounts:
    households: int = 0
    people: int = 0
    paid: float = 0.0
    paid_items: int = 0  # done items with a 实发金额
    unpaid_items: int = 0  # done items the plan gives an amount for but no 实发金额 recorded


def amounts(tasks: list[TaskLine]) -> Amounts:
    households = people = paid_items = unpaid = 0
    paid = 0.0
    for t in tasks:
        if t.status is not Status.DONE:
            continue
        households += t.households or 0
        people += t.people or 0
        if t.amount_paid is not None:
            paid += t.amount_paid
            paid_items += 1
        elif t.amount is not None:
            unpaid += 1
    return Amounts(households, people, paid, paid_items, unpaid)


def facts_sentence(tasks: list[TaskLine]) -> str:
    """开展慰问 3 次、召开会议 4 次，走访 25 户、惠及 60 人，发放资金 30,000 元。 ("" if nothing)."""
    kinds = Counter(activity(t.title) for t in tasks if t.status is Status.DONE)
    parts = [f"{verb} {kinds[key]} {unit}" for key, verb, unit, _ in ACTIVITIES if kinds.get(key)]
    a = amounts(tasks)
    reach = []
    if a.households:
        reach.append(f"走访 {a.households} 户")
    if a.people:
        reach.append(f"惠及 {a.people} 人次")
    if a.paid_items:
        reach.append(f"发放资金 {money(a.paid)} 元")
    text = "、".join(parts)
    if reach:
        text = (text + "，" if text else "") + "、".join(reach)
    return text + "。" if text else ""


def basic_situation(data: Summary) -> list[str]:
    o = data.overall
    done, lacking, lacking_items = data.done_lacking
    first = (
        f"{data.year}年，{data.org}按照年度双拥工作计划，全年安排工作 {o.total} 项，截至{cn_date(data.today)}"
        f"已完成 {o.done} 项，完成率 {o.rate_text}（已取消的 {o.cancelled} 项不计）；"
        f"未完成 {o.open} 项，其中逾期 {o.overdue} 项。"
    )
    whole = facts_sentence([t for s in data.sections for t in s.tasks])
    if whole:
        first += f"全年{whole}"
    second = f"佐证材料方面，已完成的 {done} 项中，{lacking} 项尚缺佐证材料 {lacking_items} 份"
    overdue, not_due = data.open_lacking
    if not_due or overdue:
        second += f"；另有尚未完成的 {overdue + not_due} 项（其中未到期 {not_due} 项）完成后需同步收集佐证材料"
    return [first, second + "。"]


def practice_sections(data: Summary) -> list[tuple[str, str]]:
    """(category, paragraph) per 大项: the counts, the facts, the work done with its dates."""
    out = []
    for s in data.sections:
        tasks = list(s.tasks)
        done = [t for t in tasks if t.status is Status.DONE]
        text = f"全年安排 {s.tally.total} 项，完成 {s.tally.done} 项，完成率 {s.tally.rate_text}。"
        facts = facts_sentence(tasks)
        if facts:
            text += facts
        if done:
            def when(t: TaskLine) -> str:
                return f"{cn_short(t.done_on, data.year)}完成" if t.done_on else ""

            text += f"主要完成了{_names(done, data.year, when)}。"
        out.append((s.name, text))
    return out


def problems(data: Summary) -> list[str]:
    tasks = [t for s in data.sections for t in s.tasks]
    year = data.year
    found = []
    overdue = [t for t in data.carry_over if t.overdue]
    if overdue:
        found.append(
            f"部分工作未按期完成。{len(overdue)} 项工作逾期："
            f"{_names(overdue, year, lambda t: f'应于{cn_short(t.due, year)}前完成，{t.owner}')}。"
        )
    cancelled = [t for t in tasks if t.status is Status.CANCELLED]
    if cancelled:
        found.append(
            f"{len(cancelled)} 项工作取消："
            f"{_names(cancelled, year, lambda t: t.reason or '未说明原因')}。"
        )
    done, lacking, items = data.done_lacking
    if lacking:
        names = Counter(name for t in data.done_tasks() for name in t.missing)
        what = "、".join(f"{name} {n} 份" for name, n in names.most_common(6))
        found.append(f"佐证材料不够齐全。已完成的 {done} 项中，{lacking} 项尚缺佐证材料 {items} 份（{what}）。")
    if data.file_problems:
        found.append(f"{data.file_problems} 个佐证文件已缺失或被改动，需找回原件重新归档。")
    unpaid = amounts(tasks).unpaid_items
    if unpaid:
        found.append(f"{unpaid} 项涉及资金的已完成工作未登记实发金额，台账不完整。")
    if not found:
        found.append("全年工作均按计划推进，未发现逾期或缺少佐证材料的情况。")
    return found


def next_steps(data: Summary) -> list[str]:
    steps = []
    year = data.year
    if data.carry_over:
        overdue = [t for t in data.carry_over if t.overdue]
        text = f"将尚未完成的 {len(data.carry_over)} 项工作列入{year + 1}年度计划"
        if overdue:
            text += f"，优先完成逾期的{_names(overdue, year)}"
        steps.append(text + "。")
    if data.done_lacking[1] or data.file_problems:
        steps.append("补齐佐证材料，做到每项活动有记录、有照片、有签到，按年度整理归档。")
    steps.append(
        f"按照“年有计划、季有安排、月有任务、节有走访”的要求，制订{year + 1}年度双拥工作计划，"
        "落实责任单位和完成时限。"
    )
    ordinals = "一二三四五六七八九十"
    return [f"{ordinals[i]}是{text}" for i, text in enumerate(steps)]
