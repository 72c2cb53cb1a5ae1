"""Categories of tasks: from headings first, else from the task's own words.
"""

from __future__ import annotations

import re

from .reading import _plain

OTHER_CATEGORY = "其他"
STANDARD_CATEGORIES = ("组织领导", "宣传教育", "拥军优属", "军民共建", "优抚安置", "国防教育", "拥政爱民")


_CATEGORY_KEYS = (
    ("拥政爱民", ("拥政爱民", "爱民", "学雷锋", "抢险救灾")),
    ("国防教育", ("国防教育", "国防知识", "国防观念", "国防意识", "国防双拥", "军训", "征兵", "兵役")),
    ("优抚安置", ("优抚", "安置", "优待", "抚恤", "军转", "退役", "退伍", "政策", "再就业", "维权", "权益")),
    ("军民共建", ("共建", "联建", "联谊", "联欢", "军警民", "科技拥军", "智力拥军", "文化拥军")),
    ("拥军优属", ("拥军", "优属", "慰问", "走访", "部队", "烈属", "军属", "官兵")),
    ("宣传教育", ("宣传", "教育", "氛围", "舆论", "报道", "讲座")),
    ("组织领导", ("领导", "组织", "机构", "机制", "制度", "计划", "责任", "档案", "台帐", "台账", "建档", "资料",
                  "会议", "考核", "总结")),
)
_GENERIC_HEADING = re.compile(
    r"^[\u4e00-\u9fff]{0,6}?(?:工作)?(?:任务|要求|措施|安排|目标|计划|内容|重点|思想|方案|打算|意见|办法)$"
)
_LEADING_ADVERBS = re.compile(r"^(?:进一步|大力|切实|认真|积极|广泛|深入|全面|继续|努力|不断|扎实|着力|坚持|要)+")


# A task's own words, when no heading says: activities first (组织 is a verb here, not 组织领导).
_TEXT_CATEGORY_KEYS = (
    ("拥政爱民", ("拥政爱民", "爱民", "学雷锋", "抢险救灾")),
    ("拥军优属", ("慰问", "走访", "看望", "探望", "烈属", "军属", "烈士", "扫墓", "拥军粽")),
    ("国防教育", ("国防", "军训", "征兵", "兵役", "升国旗", "国旗")),
    ("优抚安置", ("优抚", "安置", "优待金", "抚恤", "军转", "退役", "退伍", "再就业", "低保")),
    ("军民共建", ("共建", "联建", "联谊", "联欢", "军民", "军警民", "座谈")),
    ("宣传教育", ("宣传", "教育", "板报", "标语", "报道", "讲座")),
    ("组织领导", ("领导小组", "机构", "机制", "制度", "计划", "档案", "台帐", "台账", "会议", "例会", "考核", "总结")),
    ("拥军优属", ("拥军", "部队", "官兵")),
)


def map_category(text: str, table=_CATEGORY_KEYS) -> str | None:
    """The standard category whose words appear in the text (headings by default)."""
    for category, words in table:
        if any(word in text for word in words):
            return category
    return None


def _heading_core(text: str) -> str:
    text = re.sub(r"(?:\d{4}|20xx|20XX|xx|××)\s*年(?:度)?", "", _plain(text))
    return re.sub(r"[，,。.：:；;！!、\s]", "", text)


def _is_generic(text: str) -> bool:
    core = _heading_core(text)
    return not core or (len(core) <= 10 and bool(_GENERIC_HEADING.match(core)))


def _shorten_heading(text: str) -> str:
    first = re.split(r"[，,。：:；;！!、（(]", _plain(text).strip())[0]
    bare = _LEADING_ADVERBS.sub("", first)
    return (bare if len(bare) >= 3 else first)[:10]
