"""Turn an office's existing plan document (.docx or .txt) into a draft plan file.

Offices already have their year's plan as a Word document or plain text. The draft this
module writes is a starting point, not a finished plan: every guess carries a trailing
``# 请核对`` comment, each task keeps the document's numbering and sentence in ``source``,
and the text always passes the plan loader, so the office can open, correct and use it.

How the document is read (heuristics; conservative: when unsure, keep the task and mark it):

- Text: .txt is UTF-8 (with or without BOM), UTF-16/32 with BOM, else GB18030; .docx
  paragraphs and tables in document order. Markdown ``#`` lines and Word heading styles
  are headings; Markdown and Word tables are read row by row.
- Structure. Lines starting with 一、 / （一）(一) ㈠ / 1、1．1. / (1) ① are numbered. A short
  numbered line with text under it is a heading; a numbered line followed by its siblings
  is an item. ``篇一`` / ``篇1：`` markers (several sample plans in one file) start a new
  section; 第一章/第一部分 are top headings. ``标签：正文`` gives the body its label: a time
  label (``20xx年1—3月：``) on a numbered line or heading opens a time block that also covers
  the paragraphs after it, up to the next heading of the same level.
- Categories come from the nearest heading: well-known words map to the standard
  categories (组织领导 宣传教育 拥军优属 军民共建 优抚安置 国防教育 拥政爱民); otherwise the
  heading text, shortened. Generic headings (工作任务, 工作要求 …) give none; then the task's
  own words decide, marked for review.
- Tasks are sentences (。！？) and ；-clauses; a comma clause that opens a new time phrase
  after a complete activity (``清明节组织扫墓，“八一”、春节期间召开座谈会``) starts another
  task. A sentence is kept when it has an action verb (开展 组织 召开 走访 慰问 发放 …) or its
  own time; slogans (``…为指导``), statements (``…是…的重要保证``), the preambles of web
  samples (``以下是小编…``) and 指导思想 sections are skipped. Sentences under a 目标 heading
  are kept but marked.
- ``when``: recurrences (每月第一个周四, 每周一, 每月10日, 每月, 每季度, 每半年 / 上下半年各一次,
  每年), dates (3月10日, 3月底前), festivals with their modifier (春节前夕, 八一期间, 国庆前后,
  清明, 国防教育日 …), quarters and month ranges (1—3月 → 一季度), halves, months (五月份),
  年底 / 年内; inferred ones are marked (年初 → 1月, 暑期 → 7—8月, 每学期 → 每半年,
  建党92周年 → 七一, 元旦前 → 12月: the end of the plan's own year, not the eve of its first
  day). A clause without its own time takes the one before it in the same sentence, then
  the time that opens its paragraph, then its label, then its time block. Inside a time
  block a date or festival that does not fall in the block (``10—12月：在元旦、春节前…``)
  gives way to the block; an explicit repeat (每月) stays but is marked.
- Several festivals in one phrase (``“八一”、春节期间走访慰问``) become one task per festival:
  each visit is its own piece of work with its own date and evidence. No time at all →
  ``年内`` (due at year end), marked for review.
- Owners: known unit names (民政办, 人武部, 司法所, 社区居委会, 团委, 妇联, 消防中队 …) and
  ``由…负责 / …牵头`` phrases name the owner (a unit at the start of the sentence is its
  subject, hence its owner); units after 与/联合/邀请 and before 配合 are support. Everything
  recognised goes into ``owners``; tasks without an owner get the default owner (the unit
  given, else 双拥办), marked for review. A table's 责任单位 / 配合单位 columns are taken as is.
- Ids are ``t001``, ``t002`` … in document order; titles are the activity in at most 40
  characters; evidence is suggested from the activity (会议 → 会议记录, 慰问 → 慰问名单 …).

Modules, one job each: ``reading`` (files, encodings, clean-up), ``times`` (time phrases →
``when``), ``units`` (owners and supporting units), ``categories``, ``sentences`` (splitting,
activity verbs, boilerplate, titles), ``structure`` (numbering, headings, parts),
``analysis`` (the walk over the document), ``tasks`` (a paragraph → draft tasks) and
``render`` (candidates, line fates, the TOML text, the loader's rules) and ``draft`` (the
pipeline: parts, candidates, report, saving); ``report`` words the summary for people.
"""

from __future__ import annotations

from .draft import (
    ImportReport, ImportResult, MultiplePlans, PartInfo, import_blocks, import_plan, list_parts, parts_of_blocks,
    reviewed, save_draft,
)
from .reading import Block, clean_text, decode_text, read_document
from .render import Candidate, LineFate, rejected_fields, toml_string

__all__ = [
    "Block", "Candidate", "ImportReport", "ImportResult", "LineFate", "MultiplePlans", "PartInfo", "clean_text",
    "decode_text", "import_blocks", "import_plan", "list_parts", "parts_of_blocks", "rejected_fields", "reviewed",
    "save_draft", "toml_string",
]
