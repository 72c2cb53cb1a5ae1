"""The commands a user types, run through click with real plan and state files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.plan.bundled import default_plan_path
from tracker.cli import cli
from tracker.state.store import Store

TODAY = "2026-06-15"


def run(args, *, ok=True):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def base(tmp_path: Path) -> list[str]:
    return ["--db", str(tmp_path / "state.jsonl"), "--today", TODAY, "--by", "小王"]


def list_json(tmp_path, *extra) -> list[dict]:
    result = run([*base(tmp_path), "list", "--json", *extra])
    return json.loads(result.stdout)


def test_list_without_plan_uses_bundled_plan_and_says_so(env):
    result = run([*base(env), "list"])
    assert "内置的社区计划" in result.stderr
    assert "截止" in result.stdout and "责任单位" in result.stdout
    assert "2026年" in result.stdout


def test_list_json_fields_and_filters(env):
    rows = list_json(env)
    assert rows, "the bundled plan has occurrences"
    required = {"id", "task_id", "title", "category", "owner", "start", "due", "shifted", "provisional",
                "status", "overdue", "evidence_count"}
    assert required <= set(rows[0])
    dues = [r["due"] for r in rows]
    assert dues == sorted(dues)
    q2 = list_json(env, "--quarter", "2")
    assert q2 and all("2026-04-01" <= r["due"] <= "2026-06-30" for r in q2)
    may = list_json(env, "--month", "5")
    assert all(r["due"].startswith("2026-05") for r in may)
    overdue = list_json(env, "--overdue")
    assert overdue and all(r["due"] < TODAY and r["overdue"] for r in overdue)
    owner = rows[0]["owner"]
    assert all(owner == r["owner"] or owner in r["support"] for r in list_json(env, "--owner", owner))


def test_list_week_filter(env):
    rows = list_json(env, "--week", "2026-06-17")
    assert all("2026-06-15" <= r["due"] <= "2026-06-21" for r in rows)


def test_unknown_owner_is_a_clear_error(env):
    result = run([*base(env), "list", "--owner", "不存在的单位"], ok=False)
    assert result.exit_code == 1
    assert "未知责任单位" in result.stderr
    assert "Traceback" not in result.output


def test_done_set_show_history_undo(env):
    rows = list_json(env)
    target = rows[0]["id"]
    photo = env / "签到表.jpg"
    photo.write_bytes(b"fake image bytes")
    run([*base(env), "done", target, "--file", str(photo), "--note", "已走访12户"])
    after = {r["id"]: r for r in list_json(env)}
    assert after[target]["status"] == "done"
    assert after[target]["evidence_count"] == 2

    # The state file is real and readable by a fresh Store.
    store = Store(env / "state.jsonl")
    state = store.state(2026, target)
    assert state.status.value == "done"
    assert {e.kind.value for e in state.evidence} == {"file", "note"}
    assert all(c.by == "小王" for c in store.history())

    shown = run([*base(env), "show", target]).stdout
    assert "已完成" in shown and "签到表.jpg" in shown and "修改记录" in shown

    second = rows[1]["id"]
    run([*base(env), "set", second, "--due", "2026-07-20", "--reason", "部队外出驻训"])
    row = {r["id"]: r for r in list_json(env)}[second]
    assert row["status"] == "postponed" and row["due"] == "2026-07-20" and row["reason"] == "部队外出驻训"

    hist = run([*base(env), "history"]).stdout
    assert "部队外出驻训" in hist

    run([*base(env), "undo"])
    row = {r["id"]: r for r in list_json(env)}[second]
    assert row["status"] == "todo" and row["due"] == rows[1]["due"]
    assert "撤销" in run([*base(env), "history"]).stdout


def test_status_accepts_chinese_and_english(env):
    target = list_json(env)[2]["id"]
    run([*base(env), "set", target, "--status", "进行中"])
    assert {r["id"]: r for r in list_json(env)}[target]["status"] == "doing"
    run([*base(env), "set", target, "--status", "done"])
    assert {r["id"]: r for r in list_json(env)}[target]["status_label"] == "已完成"
    result = run([*base(env), "set", target, "--status", "取消"], ok=False)
    assert result.exit_code == 1 and "原因" in result.stderr
    result = run([*base(env), "set", target, "--status", "差不多"], ok=False)
    assert "未知状态" in result.stderr


def test_prefix_ids(env):
    rows = list_json(env)
    repeat = next(r for r in rows if "@" in r["id"])
    task_id = repeat["task_id"]
    result = run([*base(env), "show", task_id + "@"], ok=False)
    assert result.exit_code == 1 and "不唯一" in result.stderr and repeat["id"] in result.stderr
    result = run([*base(env), "show", "no-such-task"], ok=False)
    assert "没有编号" in result.stderr
    unique = repeat["id"][:-1]
    candidates = [r["id"] for r in rows if r["id"].startswith(unique)]
    if len(candidates) == 1:
        assert repeat["id"] in run([*base(env), "show", unique]).stdout


def test_evidence_file_missing_records_nothing(env):
    target = list_json(env)[0]["id"]
    result = run([*base(env), "evidence", target, "--file", str(env / "nope.jpg")], ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert {r["id"]: r for r in list_json(env)}[target]["evidence_count"] == 0


def test_rollover_carries_unfinished(env):
    rows = list_json(env)
    run([*base(env), "done", rows[0]["id"]])
    run([*base(env), "--year", "2026", "rollover", "--to", "2027"])
    next_year = run(["--db", str(env / "state.jsonl"), "--today", "2027-01-10", "--year", "2027", "list", "--json"])
    carried = [r for r in json.loads(next_year.stdout) if r["carried_from"]]
    carried_ids = {r["carried_from"].split(":", 1)[1] for r in carried}
    assert rows[0]["id"] not in carried_ids
    assert rows[1]["id"] in carried_ids
    # Running it again adds nothing twice.
    again = run([*base(env), "--year", "2026", "rollover", "--to", "2027"])
    assert "没有需要延续" in again.stdout


def test_templates_and_init(env):
    listing = run(["templates"]).stdout
    for name in ("shequ", "xiangzhen", "juguan", "xuexiao"):
        assert name in listing
    run(["init", "--template", "xuexiao", "-o", "学校计划.toml"])
    written = env / "学校计划.toml"
    assert written.read_text(encoding="utf-8").startswith(
        Path(default_plan_path()).with_name("xuexiao.toml").read_text(encoding="utf-8")[:20]
    )
    before = written.read_bytes()
    result = run(["init", "--template", "shequ", "-o", "学校计划.toml"], ok=False)
    assert result.exit_code == 1 and "不会覆盖" in result.stderr
    assert written.read_bytes() == before
    assert run(["validate", str(written)]).exit_code == 0


def test_validate_reports_every_problem(env):
    bad = env / "bad.toml"
    bad.write_text(
        'titel = "x"\n\n[[task]]\nid = "a"\ntitle = "甲"\nwhen = "2月30日"\n\n[[task]]\nid = "a"\ntitle = "乙"\nwhen = "春分节"\n',
        encoding="utf-8",
    )
    result = run(["validate", str(bad)], ok=False)
    assert result.exit_code == 1
    err = result.stderr
    assert f"{bad}:" in err
    assert "title" in err  # missing title
    assert ":6:" in err  # the impossible date's line
    assert "a" in err and "重复" in err
    assert "Traceback" not in result.output


def test_config_sets_default_plan(env):
    run(["init", "-o", "我的计划.toml"])
    run(["config", "--plan", "我的计划.toml", "--db", str(env / "my.jsonl")])
    result = run(["--today", TODAY, "list"])
    assert "内置" not in result.stderr
    out = run(["config"]).stdout
    assert "我的计划.toml" in out and "my.jsonl" in out


def test_broken_plan_never_shows_traceback(env):
    bad = env / "broken.toml"
    bad.write_bytes(b"title = \xff\xfe [[[")
    result = run(["--plan", str(bad), "list"], ok=False)
    assert result.exit_code == 1
    assert str(bad) in result.stderr
    assert "Traceback" not in result.output


def test_list_json_is_the_same_text_with_or_without_orjson(monkeypatch):
    import builtins

    from tracker.cli.listing import json_list

    rows = [
        {"id": "a@2026-01", "title": "走访\x1b]52;c;x\x07慰问\u202e", "amount": 1500.5, "n": 3, "ok": True,
         "none": None, "list": ["签到表", "照片\n说明"], "facts": {"place": "社区\u3000活动室"}},
        {"id": "b", "owner": "团委\ud800", "reason": "引号\"与\\反斜杠", "big": 10**15, "small": 0.1},
    ]
    with_orjson = json_list(rows)
    real_import = builtins.__import__

    def no_orjson(name, *args, **kwargs):
        if name == "orjson":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_orjson)
    without = json_list(rows)
    assert with_orjson == without
    assert "\x1b" not in with_orjson and "\u202e" not in with_orjson and "\ud800" not in with_orjson
    assert json.loads(with_orjson)[0]["title"] == rows[0]["title"]
    assert with_orjson.splitlines()[1].startswith('{"id":"a@2026-01","title":')


@pytest.mark.parametrize("n", [0, 1, 255, 256, 257, 511, 512, 513, 1025])
def test_lists_written_in_pieces_are_the_same_text_as_whole(n):
    # `list` and `list --json` write a large year piece by piece: the same text, at every
    # boundary between pieces.
    from tracker.cli.listing import json_list
    from tracker.textwidth import table, table_chunks

    values = [{"id": f"a{i}", "title": "走访\x1b]0;x\x07慰问" if i % 7 == 0 else f"事项{i}", "n": (i, None)} for i in range(n)]
    whole = json_list(values)
    assert "".join(json_list(iter(values), chunks=True)) == whole
    assert json.loads(whole) == [{**v, "n": list(v["n"])} for v in values] and "\x1b" not in whole
    rows = [(f"{i:05d}", "走访\x1b慰问" if i % 7 == 0 else "慰问", None, i) for i in range(n)]
    text = table(("编号", "事项", "空", "数"), rows, max_widths={1: 6})
    pieces = list(table_chunks(("编号", "事项", "空", "数"), rows, max_widths={1: 6}))
    assert "".join(pieces) == text and text.count("\n") == n and "\x1b" not in text
    assert all(type(p).__name__ == "Checked" for p in pieces)
