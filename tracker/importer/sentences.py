"""Sentences and clauses: splitting, activity verbs, boilerplate and slogans, titles, evidence hints.
"""

from __future__ import annotations

import re

from .reading import _plain
from .times import best_time

TITLE_LIMIT = 40


# Words that make a sentence an activity. Nouns that are also activities (比赛, 演出, 讲座,
# 座谈) are left out: a plan says 举办比赛 / 召开座谈会, a report says 整场演出内容丰富.
# "的建立" / "的宣传" are nouns too, hence the look-behind.
_ACTION = re.compile(
    "(?<!的)(?:开展|组织|召开|举办|举行|走访|慰问|看望|探望|发放|送去|送上|赠送|建立|成立|调整|充实|落实|宣传|"
    "制定|制订|修订|参加|参观|参与|邀请|聘请|表彰|奖励|评比|签订|签约|张贴|出板|出刊|办理|上报|报送|授课|扫墓|"
    "祭扫|升国旗|清扫|整治|开设|打造|开辟|开放|安置|帮扶|结对|走进|检查|考核|督查|调查|摸底|登记|建档|归档|"
    "更换|配齐|补助|资助|帮耕|帮种|帮工|排演|接待|部署|传达|召集|做好|抓好|搞好|办好|完成|执行|学习|纳入|列入|"
    "实施|推行|提供|维护|解决|帮助|发布|报道|播放|访问|布置|维修|换届|进行|年终总结|总结评比|"
    "请.{1,24}讲|发.{0,3}(?:公开信|慰问金|慰问品|纪念品))"
)
_BOILERPLATE_PARAGRAPH = re.compile(
    r"小编|范文|仅供参考|欢迎阅读|欢迎大家|希望对大家有所帮助|有所帮助|计划是一种|方案属于|"
    r"方案应该怎么|下面是.{0,10}整理|以下是.{0,10}整理"
)
_SLOGAN = re.compile(
    r"为指导|指导思想|为统领|为主线，|高举.{0,20}旗帜|指导下|领导下|如下[：:。]?$|特制定本(?:计划|方案)|"
    r"现将.{0,30}(?:通知|安排|计划|方案)如下|总体要求"
)
# Exhortations with no work in them: "加强组织领导", "把双拥工作纳入重点议事日程".
_EXHORTATION = re.compile(
    r"^(?:我们|各单位|各部门|各级)?(?:要|必须|务必|应当)?(?:进一步|始终)?(?:切实|认真)?"
    r"(?:加强|强化|提高|增强|深化|注重|狠抓|重视)[\u4e00-\u9fff]{1,8}$|议事日程|重要位置|突出位置|摆上.{0,6}位置"
)
# The chrome of web pages plans are copied from: site names, page stamps, navigation.
_TIMESTAMP = re.compile(r"(?<!\d)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*\d{1,2}:\d{2}(?::\d{2})?")
_CHROME = re.compile(
    r"内容页|面试网|文案大全|实用文档|范文网|文库|上一篇|下一篇|相关推荐|相关文章|猜你喜欢|扫码|版权所有|"
    r"Copyright|www\.|https?://|发布时间|发布日期|浏览次数|阅读次数|责任编辑|打印本页|关闭窗口|分享到"
)
_SIGNATURE_DATE = re.compile(r"^(?:\d{4}|二[〇○零一二三四五六七八九]{3})年\d{1,2}月\d{1,2}日$|^(?:\d{4}|二[〇○零一二三四五六七八九]{3})年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日$")


def line_skip_reason(text: str) -> str:
    """Why a whole line is not part of the plan (web page chrome, sample-site preambles), or ""."""
    if _TIMESTAMP.search(text):
        return "网页时间戳"
    if _CHROME.search(text) and len(text) <= 60:
        return "网页标题或导航"
    if _BOILERPLATE_PARAGRAPH.search(text):
        return "范文网站的说明文字"
    if _SIGNATURE_DATE.match(text):
        return "落款日期"
    return ""

_DECLARATIVE = re.compile(
    r"是[^，。；]{0,30}(?:保证|保障|内容|载体|途径|方针|传统|基础|力量|结合点|连接点|优势|特色|关键|根本|之年|一年|大事|举措|体现)"
)
_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]是(?:要)?|首先|其次|再次|最后|同时|另外|此外|另一方面|一方面|第[一二三四五六七八九十]+|并且|并)[，,、：:]?"
)
_UNSCHEDULED = re.compile(r"视需要|根据需要|不定期|随时|适时")
_TERMINATORS = "。！？!?"
_CLOSERS = "”’」』）)"


def _split_on(text: str, marks: str) -> list[str]:
    parts, current = [], []
    i = 0
    while i < len(text):
        ch = text[i]
        current.append(ch)
        if ch in marks:
            while i + 1 < len(text) and text[i + 1] in _CLOSERS:
                i += 1
                current.append(text[i])
            parts.append("".join(current))
            current = []
        i += 1
    if current:
        parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"[：:](?=(?:[一二三四五六七八九十]是|[（(]?\d{1,2}[)）、．]|首先))", "：\n", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff])\.\s+", "。", text)  # "加强检查. 做到…"
    sentences = []
    for line in text.split("\n"):
        sentences.extend(_split_on(line, _TERMINATORS))
    return sentences


def _starts_with_time(part: str) -> bool:
    core = re.sub(r"^(?:在|于|利用|结合|每逢|逢|趁|借|围绕|以)", "", _plain(part))
    hit = best_time(core)
    return hit is not None and hit.start <= 2


def split_clauses(sentence: str) -> list[str]:
    """；-clauses, and comma clauses that open a new time phrase after a complete activity."""
    clauses = []
    for piece in _split_on(sentence, "；;"):
        parts = [p for p in re.split(r"(?<=[，,])", piece) if p]
        group = ""
        for part in parts:
            if (
                group
                and _starts_with_time(part)
                and _ACTION.search(group)
                and (best_time(group) or len(group.strip("，, ")) >= 10)
            ):
                clauses.append(group)
                group = part
            else:
                group += part
        if group:
            clauses.append(group)
    return [c.strip() for c in clauses if c.strip()]


def _core(text: str) -> str:
    """The clause without enumerators and end punctuation."""
    text = text.strip()
    for _ in range(3):
        new = _ENUMERATOR.sub("", text).strip()
        new = re.sub(r"^要(?=[\u4e00-\u9fff]{2})", "", new)
        if new == text:
            break
        text = new
    return text.strip(" ，,。；;：:！!？?、")


_OWNER_LEAD = re.compile(r"^(?:由[^，,。]{2,20}?(?:牵头负责|具体负责|负责|牵头)[，,]|[^，,。]{2,12}?(?:牵头|配合|协助)[，,])+")
# The same phrases after the activity: "召开例会，由党政办负责" / "…座谈，人武部牵头，团委配合".
_OWNER_TAIL = re.compile(
    r"(?:[，,]\s*(?:由[^，,。]{2,20}?(?:牵头负责|具体负责|负责|牵头)|[^，,。]{2,12}?(?:牵头负责|牵头|配合|协助)))+[。.]?$"
)


def without_owner_phrases(title: str) -> str:
    """A title without the 由…负责 / …牵头 / …配合 phrases its owner fields already say."""
    return _OWNER_TAIL.sub("", _OWNER_LEAD.sub("", title)).strip("，, ") or title
_PURPOSE = ("为了", "为进一步", "为确保", "为更好", "为隆重", "为庆祝", "为迎接", "为密切", "通过")


def _title(text: str) -> str:
    """The activity in at most TITLE_LIMIT characters: whole comma parts, starting at the
    first part that names an activity or a time (not at a purpose clause)."""
    text = _core(text)
    if len(text) <= TITLE_LIMIT:
        return text
    parts = [p for p in re.split(r"(?<=[，,])", text) if p.strip("，, ")]
    if not parts:
        return text[: TITLE_LIMIT - 3] + "..."

    def useful(part: str) -> bool:
        return bool(_ACTION.search(part) or best_time(part)) and not part.startswith(_PURPOSE)

    start = next((i for i, p in enumerate(parts) if useful(p)), 0)
    title = ""
    for part in parts[start:]:
        if len(title) + len(part.rstrip("，,")) > TITLE_LIMIT:
            break
        title += part
    if not _ACTION.search(title):
        act = next((p for p in parts[start:] if _ACTION.search(p)), None)
        if act is not None and act not in title:
            title = title + act if len(title) + len(act.rstrip("，,")) <= TITLE_LIMIT else act
    title = (title or parts[start]).strip("，, ")
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 3] + "..."
    return title


_EVIDENCE_HINTS = (
    (re.compile(r"座谈会|例会|会议|专题会|小组长会|联席会"), ("会议记录", "签到表")),
    (re.compile(r"走访|慰问|看望|探望"), ("慰问名单", "活动照片")),
    (re.compile(r"发放|补助|资助|安置费|优待金|奖励金"), ("发放记录",)),
    (re.compile(r"协议|签约|签订"), ("共建协议书", "活动照片")),
    (re.compile(r"板报|黑板报|宣传栏|标语|专栏|墙报|宣传牌"), ("宣传板报", "活动照片")),
)
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万)?元")
