"""会议纪要 from a list of changes: grouping, Chinese labels, who and when, undone marks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from helpers import run_cli
from tracker.outputs.minutes import minutes_markdown
from tracker.model import Change, Occurrence, OccurrenceState, Plan, Status, TrackedOccurrence

CST = timezone(timedelta(hours=8))
PLAN = Plan(title="幸福社区2026年双拥工作计划", unit="幸福社区双拥工作领导小组", year=2026)
SINCE = datetime(2026, 6, 8, 0, 0, tzinfo=CST)
UNTIL = datetime(2026, 6, 15, 18, 0, tzinfo=CST)
TITLES = {  # by year and id, as Tracker.names gives them
    (2026, "spring"): "春节前夕走访慰问军属",
    (2026, "bayi"): "八一慰问驻区部队",
    (2026, "meet@2026Q2"): "召开双拥领导小组会议",
    (2026, "poster"): "双拥板报比赛",
    (2026, "new-id"): "双拥宣传进社区",
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=CST)


def ch(seq, when, occ, op, old=None, new=None, *, by="王敏", reason="", undone=False, undoes=None, data=None):
    return Change(seq=seq, at=when, by=by, year=2026, occurrence=occ, op=op, old=old, new=new, reason=reason,
                  undone=undone, undoes=undoes, data=data or {})


CHANGES = [
    ch(1, at(1, 9), "spring", "status", Status.TODO, Status.DONE),  # before the span
    ch(2, at(8, 9, 30), "meet@2026Q2", "status", Status.DOING, Status.DONE, by="张三"),
    ch(3, at(9, 10), "bayi", "status", Status.TODO, Status.POSTPONED, reason="部队演训，改期",
       data={"due": date(2026, 8, 10)}),
    ch(4, at(9, 11), "poster", "status", Status.TODO, Status.CANCELLED, reason="与国防教育月合并"),
    ch(5, at(10, 8), "bayi", "owner", None, "民政办"),
    ch(6, at(10, 9), "meet@2026Q2", "evidence", None,
       {"kind": "file", "text": "/档案/签到表.jpg", "label": "签到表", "size": 10, "sha256": "x", "archived": None}),
    ch(7, at(11, 15), "meet@2026Q2", "note", None, "会议由张书记主持", undone=True),
    ch(8, at(11, 16), "meet@2026Q2", "undo", "会议由张书记主持", None, undoes=7, data={"undone_op": "note"}),
    ch(9, at(12, 9), "spring", "due", None, date(2026, 7, 1), reason="补报材料"),
    ch(10, at(12, 10), "old-id", "relink", "old-id", "new-id"),
    ch(11, at(13, 10), "meet@2026Q2", "evidence_remove", {"kind": "url", "text": "https://example.org/x", "label": ""},
       None, data={"evidence": 6}),
    ch(12, at(14, 9), "spring", "status", Status.DONE, Status.DOING, by=""),
    ch(13, at(16, 9), "spring", "status", Status.DOING, Status.DONE),  # after the span
]


def make(**kw) -> str:
    return minutes_markdown(PLAN, CHANGES, TITLES, title="2026年第24周双拥工作例会纪要", since=SINCE, until=UNTIL, **kw)


def test_heading_and_span():
    text = make()
    lines = text.splitlines()
    assert lines[0] == "# 2026年第24周双拥工作例会纪要"
    assert "- 计划：幸福社区2026年双拥工作计划" in lines
    assert "- 单位：幸福社区双拥工作领导小组" in lines
    local = lambda d: d.astimezone().strftime("%Y-%m-%d %H:%M")  # noqa: E731
    assert f"- 时间范围：{local(SINCE)} 至 {local(UNTIL)}" in lines
    assert "- 本时段共记录 11 项修改，涉及 5 个事项，其中 1 项已撤销。" in lines


def test_only_changes_in_the_span():
    text = make()
    stamp = lambda d: d.astimezone().strftime("%m-%d %H:%M")  # noqa: E731
    assert stamp(at(1, 9)) not in text
    assert stamp(at(16, 9)) not in text
    assert stamp(at(8, 9, 30)) in text


def test_groups_in_order_with_chinese_labels():
    text = make()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 一、完成事项（1）",
        "## 二、延期和取消（2）",
        "## 三、其他状态变化（1）",
        "## 四、责任单位调整（1）",
        "## 五、截止日期调整（1）",
        "## 六、佐证材料（2）",
        "## 七、记录迁移和延续（1）",
        "## 八、撤销的修改（2）",
    ]
    stamp = lambda d: d.astimezone().strftime("%m-%d %H:%M")  # noqa: E731
    assert f"1. **召开双拥领导小组会议**（`meet@2026Q2`）：进行中改为已完成 —— 张三，{stamp(at(8, 9, 30))}" in text
    assert "**八一慰问驻区部队**（`bayi`）：未开始改为已延期，新截止日期 2026-08-10（原因：部队演训，改期）" in text
    assert "**双拥板报比赛**（`poster`）：未开始改为已取消（原因：与国防教育月合并）" in text
    assert "**春节前夕走访慰问军属**（`spring`）：已完成改为进行中 —— 未署名" in text
    assert "责任单位由 计划责任单位 改为 民政办" in text
    assert "截止日期由 计划日期 改为 2026-07-01（原因：补报材料）" in text
    assert "添加 文件：/档案/签到表.jpg（签到表）" in text
    assert "删除 链接：https://example.org/x" in text
    assert "**双拥宣传进社区**（`old-id`）：记录由 `old-id` 迁移到 `new-id`" in text


def test_undone_changes_are_marked():
    text = make()
    note_line = next(line for line in text.splitlines() if "会议由张书记主持" in line and "撤销第" not in line)
    assert note_line.startswith("1. ~~**召开双拥领导小组会议**（`meet@2026Q2`）：备注：会议由张书记主持~~（已撤销）")
    undo_line = next(line for line in text.splitlines() if "撤销第 7 号修改" in line)
    assert "（备注：会议由张书记主持）" in undo_line


def test_undo_of_a_change_outside_the_list_still_reads():
    undo = ch(20, at(9, 9), "bayi", "undo", "done", "todo", undoes=3, data={"undone_op": "status"})
    text = minutes_markdown(PLAN, [undo], TITLES, title="纪要", since=SINCE, until=UNTIL)
    assert "**八一慰问驻区部队**（`bayi`）：撤销第 3 号修改（未开始改为已完成）" in text


def test_empty_span():
    text = minutes_markdown(PLAN, [], TITLES, title="纪要", since=SINCE, until=UNTIL)
    assert "本时段内没有修改记录。" in text
    assert "共记录 0 项修改，涉及 0 个事项" in text


def test_naive_times_are_local():
    naive_since = SINCE.astimezone().replace(tzinfo=None)
    naive_until = UNTIL.astimezone().replace(tzinfo=None)
    text = minutes_markdown(PLAN, CHANGES, TITLES, title="纪要", since=naive_since, until=naive_until)
    assert "共记录 11 项修改" in text


def test_hostile_titles_are_escaped():
    titles = {(2026, "bayi"): "八一*慰问*_部队_\n第二行"}
    text = minutes_markdown(PLAN, [CHANGES[4]], titles, title="纪要", since=SINCE, until=UNTIL)
    assert "**八一\\*慰问\\*\\_部队\\_ 第二行**" in text


def test_weekly_meeting_lists():
    due = date(2026, 6, 10)
    late = TrackedOccurrence(
        Occurrence(id="spring", task_id="spring", year=2026, title="春节前夕走访慰问军属", category="拥军优属",
                   owner="社区居委会", start=due, nominal_due=due, due=due, evidence=("签到表",)),
        OccurrenceState(status=Status.DOING),
    )
    text = make(overdue=[late], upcoming=[], today=date(2026, 6, 15))
    assert "## 九、仍逾期的事项（1）" in text
    assert "1. **春节前夕走访慰问军属**（`spring`）：社区居委会，截止 2026-06-10，逾期；尚缺：签到表" in text
    assert "## 十、下阶段到期事项（0）" in text


def test_with_changes_from_a_real_store(tmp_path):
    from tracker.state.store import Store

    store = Store(tmp_path / "state.jsonl", user="李四")
    store.set_status(2026, "bayi", Status.POSTPONED, reason="改期", due=date(2026, 8, 10))
    store.add_note(2026, "bayi", "与部队再商定")
    store.undo()
    changes = store.history()
    now = datetime.now(timezone.utc)
    text = minutes_markdown(PLAN, changes, TITLES, title="纪要", since=now - timedelta(hours=1), until=now + timedelta(hours=1))
    assert "未开始改为已延期，新截止日期 2026-08-10（原因：改期）" in text
    assert "~~**八一慰问驻区部队**（`bayi`）：备注：与部队再商定~~（已撤销） —— 李四" in text
    assert "撤销第 2 号修改（备注：与部队再商定）" in text


# -- the command ------------------------------------------------------------------------

import json  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from tracker.plan.bundled import default_plan_path  # noqa: E402
from tracker.cli import cli  # noqa: E402
from tracker.cli.export import export as export_group  # noqa: E402
from tracker.cli.export import report as report_group  # noqa: E402

for _group in (export_group, report_group):
    if _group.name not in cli.commands:
        cli.add_command(_group)


def run(tmp_path, *args, ok=True):
    return run_cli(tmp_path, *args, ok=ok)


def test_cli_minutes(env):
    rows = json.loads(run(env, "list", "--json").stdout)
    first, second = rows[0], rows[1]
    run(env, "done", first["id"])
    run(env, "set", second["id"], "--status", "延期", "--due", "2026-07-20", "--reason", "等待上级通知")
    run(env, "evidence", first["id"], "--note", "照片已归档")
    run(env, "undo")
    today = datetime.now().astimezone()
    since = (today - timedelta(days=1)).strftime("%Y-%m-%d")
    result = run(env, "report", "minutes", "--since", since)
    text = result.stdout
    assert text.startswith(f"# 会议纪要（{since} 至 ")
    # `--today` pins the day, and so the day the work was done.
    assert f"**{first['title']}**（`{first['id']}`）：未开始改为已完成，完成于 2026-06-15 —— 小王" in text
    assert "新截止日期 2026-07-20（原因：等待上级通知）" in text
    assert "~~" in text and "（已撤销）" in text and "撤销第 3 号修改" in text
    assert "共记录 4 项修改，涉及 2 个事项，其中 1 项已撤销" in text

    written = run(env, "report", "minutes", "--since", since, "-o", "纪要.md")
    assert "已写入 纪要.md：4 项修改" in written.stdout
    assert (env / "纪要.md").read_text(encoding="utf-8") + "\n" == text  # echo adds one line end

    tomorrow = (today + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    empty = run(env, "report", "minutes", "--since", tomorrow, "--until", (today + timedelta(days=2)).strftime("%Y-%m-%d"))
    assert "本时段内没有修改记录" in empty.stdout
    until_day = run(env, "report", "minutes", "--since", since, "--until", since)
    assert "本时段内没有修改记录" in until_day.stdout  # --until as a bare day ends with that day


def test_cli_minutes_errors(env):
    bad = run(env, "report", "minutes", "--since", "上周一", ok=False)
    assert bad.exit_code == 2 and "无法识别" in bad.output
    bad = run(env, "report", "minutes", "--since", "2026-06-10", "--until", "2026-06-01", ok=False)
    assert bad.exit_code == 1 and "晚于结束时间" in bad.stderr
    bad = run(env, "report", "minutes", "--since", "2026-06-10", "-o", "纪要.pdf", ok=False)
    assert bad.exit_code == 1 and "会议纪要可写成 .docx 或 .md" in bad.stderr
    missing = run(env, "report", "minutes", ok=False)
    assert missing.exit_code == 2


def test_tracker_minutes_for_the_weekly_meeting(tmp_path):
    from tracker.plan.loader import load_plan
    from tracker.outputs.minutes import tracker_minutes
    from tracker.service import Tracker
    from tracker.state.store import Store

    plan = load_plan(default_plan_path())
    tracker = Tracker(plan, Store(tmp_path / "state.jsonl", user="小李"), 2026, date(2026, 6, 15))
    rows = tracker.tracked()
    late = next(r for r in rows if r.due < date(2026, 6, 15))
    tracker.toggle_done(late.id)
    start = datetime.now().astimezone() - timedelta(minutes=5)
    text = tracker_minutes(tracker, since=start, week=True)
    assert text.startswith(f"# {plan.unit or plan.title}例会纪要（2026-06-15 当周）")
    assert f"**{late.title}**（`{late.id}`）：未开始改为已完成，完成于 2026-06-15 —— 小李" in text
    overdue = text.split("仍逾期的事项")[1].split("## ")[0]
    assert late.id not in overdue  # finished now
    still_late = [r for r in tracker.tracked() if r.is_overdue(date(2026, 6, 15))]
    assert f"仍逾期的事项（{len(still_late)}）" in text
    assert "下阶段到期事项（" in text
    plain = tracker_minutes(tracker, since=start)
    assert plain.startswith("# 会议纪要（") and "仍逾期的事项" not in plain


def test_cli_minutes_docx_with_meeting_details_remembered(env):
    import json
    import zipfile

    import docx

    rows = json.loads(run(env, "list", "--json").stdout)
    first, second = rows[0], rows[1]
    run(env, "done", first["id"])
    run(env, "done", second["id"])
    run(env, "undo")  # the second completion is withdrawn: no decision
    since = (datetime.now().astimezone() - timedelta(days=1)).strftime("%Y-%m-%d")
    written = run(env, "report", "minutes", "--since", since, "-o", "纪要.docx", "--place", "社区二楼会议室",
                  "--chair", "张书记", "--attendees", "王敏、李强、驻区部队代表", "--recorder", "小王")
    assert "已写入 纪要.docx" in written.stdout
    doc = docx.Document(str(env / "纪要.docx"))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "××社区双拥工作会议纪要"
    assert "地点：社区二楼会议室" in text and "主持人：张书记" in text and "记录人：小王" in text
    assert "参加人员：王敏、李强、驻区部队代表" in text
    assert any(t.startswith("时间：") and "年" in t for t in text)
    assert "本次会议议定修改 1 项，涉及 1 个事项；另有 1 项修改已撤销，不计入。" in text
    decided = "\n".join(text).split("撤销的修改")[0]
    assert f"{first['title']}：未开始改为已完成" in decided
    assert f"{second['title']}：未开始改为已完成" not in decided  # the undone completion is not counted
    assert any(t.startswith("主持人（签字）") for t in text)
    with zipfile.ZipFile(env / "纪要.docx") as z:
        assert any('w:instr=" PAGE "' in z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))

    # Asked once, remembered: the next minutes carry the same details without the options.
    run(env, "report", "minutes", "--since", since, "-o", "纪要2.docx")
    again = [p.text for p in docx.Document(str(env / "纪要2.docx")).paragraphs]
    assert "地点：社区二楼会议室" in again and "主持人：张书记" in again
