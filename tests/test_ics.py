"""The .ics export: parsed back by three independent readers, and checked byte by byte."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest
import recurring_ical_events
import vobject

from helpers import run_cli
from tracker.errors import TrackerError
from tracker.outputs.ics import build_ics, occurrence_uid, parse_alarm
from tracker.model import Evidence, EvidenceKind, Occurrence, OccurrenceState, Plan, Status, TrackedOccurrence

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=timezone(timedelta(hours=8)))
TODAY = date(2026, 6, 15)


def occ(oid: str, title: str, due: date, *, owner="社区居委会", category="拥军优属", evidence=("活动照片", "签到表"),
        support=(), start: date | None = None) -> Occurrence:
    return Occurrence(
        id=oid, task_id=oid.split("@")[0], year=2026, title=title, category=category, owner=owner,
        start=start or due, nominal_due=due, due=due, support=support, evidence=evidence,
    )


def plan(title="幸福社区2026年双拥工作计划") -> Plan:
    return Plan(title=title, year=2026)


def sample_rows() -> list[TrackedOccurrence]:
    photo = Evidence(1, EvidenceKind.FILE, "/data/照片.jpg", label="活动照片")
    return [
        TrackedOccurrence(occ("spring-forum", "春节前夕召开军民座谈会", date(2026, 2, 16), support=("驻区部队",))),
        TrackedOccurrence(occ("meeting@2026Q1", "召开双拥领导小组会议", date(2026, 3, 31), owner="社区党委"),
                          OccurrenceState(status=Status.DOING, evidence=(photo,))),
        TrackedOccurrence(occ("meeting@2026Q2", "召开双拥领导小组会议", date(2026, 6, 30), owner="社区党委"),
                          OccurrenceState(status=Status.DONE, evidence=(photo,))),
        TrackedOccurrence(occ("bayi", "八一慰问驻区部队", date(2026, 7, 31)),
                          OccurrenceState(status=Status.POSTPONED, due=date(2026, 8, 10), reason="部队演训，改期")),
        TrackedOccurrence(occ("poster", "双拥板报比赛", date(2026, 7, 31), owner="民政办"),
                          OccurrenceState(status=Status.CANCELLED, reason="与国防教育月合并")),
        TrackedOccurrence(occ("yearend", "年终总结上报", date(2026, 12, 31), owner="民政办")),
    ]


def export(rows=None, **kw):
    kw.setdefault("year", 2026)
    kw.setdefault("now", NOW)
    return build_ics(kw.pop("plan", plan()), sample_rows() if rows is None else rows, **kw)


def events(data: bytes) -> list:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def unfolded_lines(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


# -- content ---------------------------------------------------------------------


def test_open_occurrences_only_and_include_done():
    data, _ = export()
    summaries = [str(e["SUMMARY"]) for e in events(data)]
    assert summaries == [
        "春节前夕召开军民座谈会（社区居委会）",
        "召开双拥领导小组会议（社区党委）",
        "八一慰问驻区部队（社区居委会）",
        "年终总结上报（民政办）",
    ]
    data, _ = export(include_done=True)
    summaries = [str(e["SUMMARY"]) for e in events(data)]
    # Never exported before: the cancelled one stays out; the done one is marked and silent.
    assert len(summaries) == 5 and not any("板报" in s for s in summaries)
    done = next(e for e in events(data) if "✓" in str(e["SUMMARY"]))
    assert str(done["SUMMARY"]) == "✓ 召开双拥领导小组会议（社区党委）"
    assert not list(done.walk("VALARM")) and str(done["STATUS"]) == "CONFIRMED"


def test_finished_work_is_sent_cancelled_until_pruned():
    rows = [TrackedOccurrence(r.occurrence) for r in sample_rows()]  # all open at first
    first, memory = export(rows)
    assert len(events(first)) == 6 and {str(e["STATUS"]) for e in events(first)} == {"CONFIRMED"}
    finished = sample_rows()
    second, memory = export(finished, previous=memory)
    assert len(events(second)) == 6  # nothing silently vanishes: phones must be told
    cancelled = [e for e in events(second) if str(e["STATUS"]) == "CANCELLED"]
    assert sorted(str(e["DESCRIPTION"]).split("状态：")[1].split("\n")[0] for e in cancelled) == ["已取消", "已完成"]
    assert all(int(e["SEQUENCE"]) == 1 and not list(e.walk("VALARM")) for e in cancelled)
    # Exported again: the same cancellations, same SEQUENCE, same bytes.
    third, memory = export(finished, previous=memory, now=NOW + timedelta(days=1))
    assert third == second
    # Pruned: the cancellations already sent are left out and stay out.
    fourth, memory = export(finished, previous=memory, prune=True)
    assert len(events(fourth)) == 4
    fifth, memory = export(finished, previous=memory)
    assert len(events(fifth)) == 4
    # Reopened after a prune: back, with a higher SEQUENCE.
    sixth, _ = export(rows, previous=memory)
    assert len(events(sixth)) == 6
    assert max(int(e["SEQUENCE"]) for e in events(sixth)) == 2


def test_events_no_longer_in_the_plan_are_cancelled():
    rows = sample_rows()
    _, memory = export(rows)
    data, memory = export(rows[:-1], previous=memory)
    gone = [e for e in events(data) if "年终总结" in str(e["SUMMARY"])]
    assert len(gone) == 1 and str(gone[0]["STATUS"]) == "CANCELLED" and int(gone[0]["SEQUENCE"]) == 1
    assert gone[0]["DTSTART"].dt == date(2026, 12, 31)
    # Not by an export filtered to one owner, nor by another year's export.
    assert not [e for e in events(export(rows[:-1], owner="社区党委")[0]) if "年终" in str(e["SUMMARY"])]
    assert "年终" not in export(rows[:-1], previous=memory, year=2027)[0].decode()


def test_owner_filter_includes_supporting_units():
    data, _ = export(owner="驻区部队")
    assert [str(e["SUMMARY"]) for e in events(data)] == ["春节前夕召开军民座谈会（社区居委会）"]
    data, _ = export(owner="社区党委")
    assert len(events(data)) == 1


def test_all_day_dates_and_postponed_due():
    data, _ = export()
    for ev in events(data):
        start, end = ev["DTSTART"].dt, ev["DTEND"].dt
        assert type(start) is date and end - start == timedelta(days=1)
        assert ev["DTSTART"].params.get("VALUE") == "DATE" or b"DTSTART;VALUE=DATE:" in data
    bayi = next(e for e in events(data) if "八一" in str(e["SUMMARY"]))
    assert bayi["DTSTART"].dt == date(2026, 8, 10)
    assert data.count(b"DTSTART;VALUE=DATE:") == 4
    assert data.count(b"DTEND;VALUE=DATE:") == 4


def test_description_fields():
    data, _ = export(today=TODAY)
    by_title = {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in events(data)}
    forum = by_title["春节前夕召开军民座谈会（社区居委会）"]
    assert "计划：幸福社区2026年双拥工作计划" in forum
    assert "类别：拥军优属" in forum
    assert "责任单位：社区居委会（配合：驻区部队）" in forum
    assert "状态：逾期" in forum
    assert "尚缺佐证材料：活动照片、签到表" in forum
    meeting = by_title["召开双拥领导小组会议（社区党委）"]
    assert "尚缺佐证材料：签到表" in meeting
    bayi = by_title["八一慰问驻区部队（社区居委会）"]
    assert "状态：已延期" in bayi and "延期原因：部队演训，改期" in bayi


def test_calendar_properties_and_no_people():
    data, _ = export()
    cal = icalendar.Calendar.from_ical(data)
    assert "METHOD" not in cal  # a METHOD would make it an iTIP message, which needs an ORGANIZER
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert str(cal["PRODID"]) == "-//shuangyong-tui//shuangyong-tui 0.1//ZH"
    assert str(cal["PRODID"]).isascii()
    lines = unfolded_lines(data)
    assert "NAME:幸福社区2026年双拥工作计划" in lines
    assert "X-WR-CALNAME:幸福社区2026年双拥工作计划" in lines
    assert b"ORGANIZER" not in data and b"ATTENDEE" not in data
    for ev in events(data):
        assert str(ev["TRANSP"]) == "TRANSPARENT"
        stamp = ev["DTSTAMP"].dt
        assert stamp == NOW and stamp.utcoffset() == timedelta(0)
    assert "DTSTAMP:20260615T023000Z" in lines


def test_default_alarm_is_nine_the_working_day_before():
    data, _ = export()
    triggers = {}
    for ev in events(data):
        alarms = list(ev.walk("VALARM"))
        assert len(alarms) == 1
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
        triggers[ev["DTSTART"].dt] = alarms[0]["TRIGGER"].dt
    assert triggers[date(2026, 3, 31)] == timedelta(hours=-15)  # Tuesday: Monday 09:00
    # Monday 2026-08-10: Friday 09:00, not Sunday.
    assert triggers[date(2026, 8, 10)] == -timedelta(days=2, hours=15)
    # 2026-02-16 (春节 break): the Saturday 2026-02-14 is a 调休 working day.
    assert triggers[date(2026, 2, 16)] == -timedelta(days=1, hours=15)
    assert "TRIGGER:-PT15H" in unfolded_lines(data)


def test_reminder_trigger_skips_days_off():
    from tracker.outputs.ics import reminder_trigger

    assert reminder_trigger(date(2026, 6, 8), timedelta(hours=-15)) == -timedelta(days=2, hours=15)  # Monday
    assert reminder_trigger(date(2026, 6, 9), timedelta(hours=-15)) == timedelta(hours=-15)
    assert reminder_trigger(date(2026, 6, 9), timedelta(hours=8)) == timedelta(hours=8)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1d@09:00", timedelta(hours=-15)),
        ("2d@08:30", -timedelta(hours=39, minutes=30)),
        ("0d@08:00", timedelta(hours=8)),
        ("3d@00:00", timedelta(days=-3)),
        (" 1天@9:00 ", timedelta(hours=-15)),
    ],
)
def test_alarm_forms(text, expected):
    assert parse_alarm(text) == expected
    data, _ = export(alarm=text)
    meeting = next(e for e in events(data) if e["DTSTART"].dt == date(2026, 12, 31))  # a week of working days
    trigger = next(iter(meeting.walk("VALARM")))["TRIGGER"].dt
    assert trigger == expected


def test_alarm_triggers_in_bytes():
    assert "TRIGGER:PT8H" in unfolded_lines(export(alarm="0d@08:00")[0])
    assert "TRIGGER:-P1DT15H30M" in unfolded_lines(export(alarm="2d@08:30")[0])


def test_no_alarm():
    data, _ = export(alarm="none")
    assert b"VALARM" not in data
    data, _ = export(alarm=None)
    assert b"VALARM" not in data


@pytest.mark.parametrize("text", ["", "9点", "1d", "1d@25:00", "1d@09:60", "99d@09:00", "-1d@09:00", "d@09:00"])
def test_bad_alarm_is_a_chinese_error(text):
    with pytest.raises(TrackerError, match="提醒时间"):
        export(alarm=text)


# -- identity and sequence ----------------------------------------------------------


def test_uids_are_stable_and_distinct():
    first, memory = export()
    second, _ = export(now=NOW + timedelta(days=3), previous=memory)
    uids1 = [str(e["UID"]) for e in events(first)]
    uids2 = [str(e["UID"]) for e in events(second)]
    assert uids1 == uids2 and len(set(uids1)) == len(uids1)
    assert all(u.endswith("@shuangyong-tui") for u in uids1)
    renamed, _ = export(plan=plan("幸福里社区2026年双拥工作计划"), previous=memory)
    assert [str(e["UID"]) for e in events(renamed)] == uids1  # the title is not part of the UID
    assert all(int(e["SEQUENCE"]) == 1 for e in events(renamed))  # the description names the plan
    assert occurrence_uid("甲", 2026, "a") != occurrence_uid("甲", 2027, "a")
    assert occurrence_uid("甲", 2026, "a") != occurrence_uid("乙", 2026, "a")
    assert occurrence_uid("甲", 2026, "a") == occurrence_uid("甲", 2026, "a")


def test_sequence_bumped_on_any_visible_change():
    rows = sample_rows()
    first, memory = export(rows)
    assert {int(e["SEQUENCE"]) for e in events(first)} == {0}
    # Unchanged: same sequence.
    second, memory = export(rows, previous=memory)
    assert {int(e["SEQUENCE"]) for e in events(second)} == {0}
    # Postpone the first one: only its sequence grows.
    moved = TrackedOccurrence(rows[0].occurrence, OccurrenceState(status=Status.POSTPONED, due=date(2026, 2, 20), reason="改期"))
    third, memory = export([moved, *rows[1:]], previous=memory)
    seqs = {str(e["SUMMARY"]): int(e["SEQUENCE"]) for e in events(third)}
    assert seqs.pop("春节前夕召开军民座谈会（社区居委会）") == 1
    assert set(seqs.values()) == {0}
    # Exported again unchanged: stays at 1.
    fourth, memory = export([moved, *rows[1:]], previous=memory)
    assert int(events(fourth)[0]["SEQUENCE"]) == 1
    uid = str(events(fourth)[0]["UID"])
    assert {k: memory[uid][k] for k in ("seq", "due", "title", "state", "year")} == {
        "seq": 1, "due": "2026-02-20", "title": "春节前夕召开军民座谈会（社区居委会）", "state": "open", "year": 2026}
    # A status change alone (the description says it) raises SEQUENCE too.
    doing = TrackedOccurrence(rows[0].occurrence, OccurrenceState(status=Status.DOING))
    fifth, memory = export([doing, *rows[1:]], previous=memory, today=date(2026, 2, 1))
    assert int(events(fifth)[0]["SEQUENCE"]) == 2
    # ... and so does 逾期 appearing when the day passes the due date.
    later, _ = export([doing, *rows[1:]], previous=memory, today=date(2026, 3, 1))
    assert int(events(later)[0]["SEQUENCE"]) == 3


def test_sequence_bumped_on_title_or_owner_change_and_kept_when_filtered_out():
    rows = sample_rows()
    _, memory = export(rows)
    reassigned = TrackedOccurrence(rows[-1].occurrence, OccurrenceState(owner="社区党委"))
    data, memory2 = export([*rows[:-1], reassigned], previous=memory)
    assert int(events(data)[-1]["SEQUENCE"]) == 1
    # An export filtered to one owner keeps the memory of the others.
    _, memory3 = export(rows, owner="驻区部队", previous=memory2)
    assert memory3.keys() == memory2.keys()


# -- bytes ---------------------------------------------------------------------------


def long_rows():
    title = "组织开展“双拥模范社区”创建宣传周活动，走访慰问辖区内重点优抚对象、困难退役军人家庭并发放慰问金和慰问品"
    return [TrackedOccurrence(occ("long", title, date(2026, 5, 20), evidence=("活动照片", "慰问名单", "发放记录")))]


def test_bytes_crlf_utf8_and_folding():
    data, _ = export(long_rows(), plan=plan("幸福社区" * 30))
    data.decode("utf-8")  # valid UTF-8 or raises
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"\r\n")
    raw_lines = data.split(b"\r\n")
    assert max(len(line) for line in raw_lines) <= 75
    for line in raw_lines:
        line.decode("utf-8")  # a fold never splits a character
    assert sum(1 for line in raw_lines if line.startswith(b" ")) > 5  # long lines really were folded
    assert "SUMMARY:" + long_rows()[0].title + "（社区居委会）" in unfolded_lines(data)


def test_prodid_ascii():
    data, _ = export()
    line = next(line for line in data.split(b"\r\n") if line.startswith(b"PRODID:"))
    assert line == b"PRODID:-//shuangyong-tui//shuangyong-tui 0.1//ZH"


HOSTILE = "讨论,分工;落实\\检查\n第二行"


def test_hostile_title_round_trips_through_all_parsers():
    rows = [TrackedOccurrence(occ("hostile", HOSTILE, date(2026, 4, 1), owner="居委会,二组"))]
    data, _ = export(rows, plan=plan("幸福社区,一;二\\三"))
    expected = f"{HOSTILE}（居委会,二组）"
    lines = unfolded_lines(data)
    assert "SUMMARY:讨论\\,分工\\;落实\\\\检查\\n第二行（居委会\\,二组）" in lines
    # icalendar
    assert str(events(data)[0]["SUMMARY"]) == expected
    # vobject
    vcal = vobject.readOne(data.decode("utf-8"))
    assert vcal.vevent.summary.value == expected
    assert "计划：幸福社区,一;二\\三" in vcal.vevent.description.value
    # recurring_ical_events
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(date(2026, 1, 1), date(2027, 1, 1))
    assert [str(e["SUMMARY"]) for e in found] == [expected]


def test_calendar_name_escaped():
    data, _ = export(plan=plan("幸福社区,一;二\\三"))
    lines = unfolded_lines(data)
    assert "NAME:幸福社区\\,一\\;二\\\\三" in lines
    assert "X-WR-CALNAME:幸福社区\\,一\\;二\\\\三" in lines
    vcal = vobject.readOne(data.decode("utf-8"))
    assert vcal.contents["x-wr-calname"][0].value == "幸福社区,一;二\\三"
    assert vcal.contents["name"][0].value == "幸福社区,一;二\\三"
    # icalendar keeps these two properties as raw (still escaped) text when reading.
    assert str(icalendar.Calendar.from_ical(data)["X-WR-CALNAME"]) == "幸福社区\\,一\\;二\\\\三"


def test_recurring_ical_events_counts_the_year():
    rows = [
        TrackedOccurrence(occ(f"m@2026-{m:02d}", "每月报送双拥信息", date(2026, m, 28))) for m in range(1, 13)
    ]
    rows.append(TrackedOccurrence(occ("next", "延续事项", date(2027, 1, 15))))
    data, _ = export(rows)
    cal = icalendar.Calendar.from_ical(data)
    assert len(recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2027, 1, 1))) == 12
    assert len(recurring_ical_events.of(cal).between(date(2026, 4, 1), date(2026, 7, 1))) == 3
    assert len(list(vobject.readComponents(data.decode("utf-8")))[0].vevent_list) == 13


def test_empty_export_is_still_a_calendar():
    data, memory = export([])
    cal = icalendar.Calendar.from_ical(data)
    assert list(cal.walk("VEVENT")) == [] and memory == {}
    vobject.readOne(data.decode("utf-8"))


# -- the serialiser ---------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tracker.outputs.ics import escape_text, fold, format_duration  # noqa: E402


def test_fold_never_splits_characters_or_escapes():
    for text in ("\\" * 200, "a" + "\\," * 100, "😀" * 60, "双" * 100, "x" * 74 + "双" * 3, "a" * 300):
        line = "SUMMARY:" + escape_text(text)
        folded = fold(line)
        parts = folded.split(b"\r\n")
        assert all(len(p) <= 75 for p in parts)
        assert all(p.startswith(b" ") for p in parts[1:])
        for p in parts:
            p.decode("utf-8")
        unfolded = folded.replace(b"\r\n ", b"").decode("utf-8")
        assert unfolded == line
        # No part ends inside an escape: an odd run of backslashes at the end of a part.
        for p in parts[:-1]:
            run = len(p) - len(p.rstrip(b"\\"))
            assert run % 2 == 0


def test_escape_text():
    assert escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert escape_text("响铃\x07\x00\t制表") == "响铃\t制表"


@pytest.mark.parametrize("delta, text", [
    (timedelta(hours=-15), "-PT15H"), (timedelta(hours=8), "PT8H"), (-timedelta(hours=39, minutes=30), "-P1DT15H30M"),
    (timedelta(days=-3), "-P3D"), (timedelta(0), "PT0S"), (timedelta(days=-30, hours=23, minutes=59), "-P29DT1M"),
])
def test_format_duration(delta, text):
    assert format_duration(delta) == text
    assert icalendar.vDuration.from_ical(text) == delta


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120))
def test_any_title_round_trips(title):
    rows = [TrackedOccurrence(occ("t", title, date(2026, 4, 1), owner="社区,党委;一"))]
    data, _ = export(rows, plan=plan(title))
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")
    clean = re.sub("[\x00-\x08\x0b-\x1f\x7f]", "", title.replace("\r\n", "\n").replace("\r", "\n"))
    expected = f"{clean}（社区,党委;一）"
    assert str(events(data)[0]["SUMMARY"]) == expected
    vcal = vobject.readOne(data.decode("utf-8"))
    assert vcal.vevent.summary.value == expected
    assert vcal.contents["x-wr-calname"][0].value == clean


# -- the command ------------------------------------------------------------------------

import json  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from tracker.plan.bundled import default_plan_path  # noqa: E402
from tracker.cli import cli  # noqa: E402
from tracker.cli.export import export as export_group  # noqa: E402
from tracker.cli.export import report as report_group  # noqa: E402

for _group in (export_group, report_group):
    if _group.name not in cli.commands:
        cli.add_command(_group)


def run(tmp_path, *args, ok=True):
    return run_cli(tmp_path, *args, ok=ok, db="db/state.jsonl")


def open_ids(tmp_path) -> list[str]:
    rows = json.loads(run(tmp_path, "list", "--json").stdout)
    return [r["id"] for r in rows if r["status"] not in ("done", "cancelled")]


def test_cli_export_writes_default_file_and_sidecar(env):
    result = run(env, "export", "ics")
    files = list(env.glob("*.ics"))
    assert len(files) == 1 and files[0].name.endswith("-2026.ics")
    assert str(files[0].name) in result.stdout
    data = files[0].read_bytes()
    expected = open_ids(env)
    assert len(events(data)) == len(expected) > 20
    assert f"已导出 {len(expected)} 个日程" in result.stdout
    sidecar = env / "db" / "ics-export.json"
    memory = json.loads(sidecar.read_text(encoding="utf-8"))  # keyed by UID
    assert set(memory) == {str(e["UID"]) for e in events(data)}
    assert not list((env / "db").glob("*.tmp"))


def test_cli_sequence_after_postponing(env):
    run(env, "export", "ics", "-o", "a.ics")
    first = events((env / "a.ics").read_bytes())
    target = open_ids(env)[-1]
    run(env, "set", target, "--status", "延期", "--due", "2026-12-30", "--reason", "配合上级安排")
    result = run(env, "export", "ics", "-o", "b.ics")
    assert "其中 1 个内容有变化" in result.stdout
    second = events((env / "b.ics").read_bytes())
    assert sorted(str(e["UID"]) for e in first) == sorted(str(e["UID"]) for e in second)
    seqs = {str(e["UID"]): int(e["SEQUENCE"]) for e in second}
    bumped = [uid for uid, seq in seqs.items() if seq == 1]
    assert len(bumped) == 1 and set(seqs.values()) == {0, 1}
    moved = next(e for e in second if str(e["UID"]) == bumped[0])
    assert moved["DTSTART"].dt == date(2026, 12, 30)
    assert f"编号：{target}" in str(moved["DESCRIPTION"])


def test_cli_done_drops_out_and_include_done_brings_back(env):
    ids = open_ids(env)
    run(env, "done", ids[0])
    plain = run(env, "export", "ics", "-o", "-")
    assert len(events(plain.stdout_bytes)) == len(ids) - 1
    assert "已导出" in plain.stderr  # stdout holds only the calendar
    assert plain.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    with_done = run(env, "export", "ics", "-o", "-", "--include-done")
    assert len(events(with_done.stdout_bytes)) == len(ids)


def test_cli_owner_alarm_and_errors(env):
    result = run(env, "export", "ics", "-o", "-", "--owner", "驻区部队", "--alarm", "none")
    found = events(result.stdout_bytes)
    assert found and b"VALARM" not in result.stdout_bytes
    assert all("驻区部队" in str(e["DESCRIPTION"]) for e in found)
    bad = run(env, "export", "ics", "--alarm", "明天", ok=False)
    assert bad.exit_code == 1 and "提醒时间“明天”无法识别" in bad.stderr and "Traceback" not in bad.output
    unknown = run(env, "export", "ics", "--owner", "不存在的单位", ok=False)
    assert unknown.exit_code == 1 and "未知责任单位" in unknown.stderr
    assert not list(env.glob("*.ics"))


def test_cli_broken_sidecar_is_set_aside(env):
    (env / "db").mkdir()
    (env / "db" / "ics-export.json").write_text("{not json", encoding="utf-8")
    result = run(env, "export", "ics", "-o", "x.ics")
    assert "无法读取" in result.stderr
    assert json.loads((env / "db" / "ics-export.json").read_text(encoding="utf-8"))


def test_default_filename_and_sequence_file(tmp_path):
    from tracker.outputs.ics import default_filename, read_sequences, sequence_path, write_sequences

    assert default_filename("幸福社区2026年双拥工作计划", 2026) == "幸福社区2026年双拥工作计划-2026.ics"
    assert default_filename('a/b\\c:d*e?"f<g>h|', 2026) == "a_b_c_d_e_f_g_h-2026.ics"
    assert default_filename("...", 2026) == "双拥工作-2026.ics"
    path = sequence_path(tmp_path / "数据" / "state.jsonl")
    assert path == tmp_path / "数据" / "ics-export.json"
    assert read_sequences(path) == ({}, None)
    memory = {"u1@shuangyong-tui": {"seq": 2, "due": "2026-03-31", "title": "会议（党委）"}}
    assert write_sequences(path, memory) is None
    assert read_sequences(path) == (memory, None)
    assert json.loads(path.read_text(encoding="utf-8")) == memory
    path.write_text("[1, 2]", encoding="utf-8")
    assert read_sequences(path)[0] == {} and "格式不对" in read_sequences(path)[1]
    blocked = tmp_path / "file"
    blocked.write_text("x")
    notice = write_sequences(blocked / "ics-export.json", memory)  # its folder is a file
    assert notice and "无法保存导出记录" in notice


# -- libical's own checks (RFC 5545 restrictions), when libical is installed ------------------

import ctypes  # noqa: E402
import ctypes.util  # noqa: E402


def libical():
    name = ctypes.util.find_library("ical")
    if not name:
        pytest.skip("libical is not installed here (apt-get install libical3)")
    lib = ctypes.CDLL(name)
    lib.icalparser_parse_string.restype = ctypes.c_void_p
    lib.icalparser_parse_string.argtypes = [ctypes.c_char_p]
    lib.icalrestriction_check.argtypes = [ctypes.c_void_p]
    lib.icalcomponent_count_errors.argtypes = [ctypes.c_void_p]
    lib.icalcomponent_free.argtypes = [ctypes.c_void_p]
    return lib


def libical_problems(data: bytes) -> tuple[int, int]:
    """(restrictions passed, error count) as libical sees the calendar."""
    lib = libical()
    comp = lib.icalparser_parse_string(data)
    assert comp, "libical could not parse the calendar"
    try:
        return lib.icalrestriction_check(comp), lib.icalcomponent_count_errors(comp)
    finally:
        lib.icalcomponent_free(comp)


def test_libical_accepts_open_done_and_cancelled_events():
    rows = [TrackedOccurrence(r.occurrence) for r in sample_rows()]
    _, memory = export(rows)
    data, _ = export(sample_rows(), previous=memory)
    assert b"STATUS:CANCELLED" in data
    assert libical_problems(data) == (1, 0)
    assert libical_problems(export(include_done=True)[0]) == (1, 0)


def test_cli_rename_and_rollover_keep_uids(env):
    import shutil

    plan_file = env / "计划.toml"
    shutil.copy(default_plan_path(), plan_file)

    def cli_run(*args, year=None):
        base = ["--plan", str(plan_file), "--db", str(env / "db" / "state.jsonl"), "--today", "2026-12-20", "--by", "小王"]
        if year:
            base += ["--year", str(year)]
        result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    first = events(cli_run("export", "ics", "-o", "-").stdout_bytes)
    rows = json.loads(cli_run("list", "--json").stdout)
    open_rows = [r for r in rows if r["status"] not in ("done", "cancelled")]
    moved = open_rows[-1]["id"]
    cli_run("set", moved, "--status", "延期", "--due", "2027-01-15", "--reason", "等上级通知")
    postponed = events(cli_run("export", "ics", "-o", "-").stdout_bytes)
    assert sorted(str(e["UID"]) for e in postponed) == sorted(str(e["UID"]) for e in first)
    cli_run("rollover", "--to", "2027")
    moved_uid = next(str(e["UID"]) for e in postponed if f"编号：{moved}" in str(e["DESCRIPTION"]))
    next_year = events(cli_run("export", "ics", "-o", "-", year=2027).stdout_bytes)
    carried = [e for e in next_year if str(e["UID"]) == moved_uid]
    assert len(carried) == 1 and carried[0]["DTSTART"].dt == date(2027, 1, 15)  # its postponed date
    old_uids = {str(e["UID"]) for e in postponed}
    assert len([e for e in next_year if str(e["UID"]) in old_uids]) == len(open_rows)
    # The old year's export leaves the carried work to the new year's calendar.
    again = events(cli_run("export", "ics", "-o", "-").stdout_bytes)
    assert not [e for e in again if str(e["STATUS"]) == "CONFIRMED"]
    # A new title: the same UIDs, the new name in every description.
    text = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(re.sub(r"^title\s*=.*$", 'title = "幸福里社区双拥工作计划"', text, count=1, flags=re.M),
                         encoding="utf-8")
    renamed = events(cli_run("export", "ics", "-o", "-").stdout_bytes)
    assert {str(e["UID"]) for e in renamed} <= old_uids
    assert all("幸福里社区双拥工作计划" in str(e["DESCRIPTION"]) for e in renamed)
