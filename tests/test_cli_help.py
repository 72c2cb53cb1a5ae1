"""`--help` of every command: Chinese framing, and help columns aligned by terminal cells."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

from tracker.cli import cli
from tracker.cli.helptext import wrap

ENGLISH = ("Usage:", "Options:", "Commands:", "Arguments:", "Show this message", "Show the version",
           "[default:", "[required]", "[env var:")
METAVARS = re.compile(r"\b(TEXT|INTEGER|FLOAT|BOOLEAN|FILENAME|PATH|DIRECTORY|OPTIONS|COMMAND|ARGS)\b")


def every_command(group: click.Group = cli, path: tuple[str, ...] = ()):
    yield path
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name)


COMMANDS = list(every_command())


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "shuangyong-tui" for p in COMMANDS])
def test_help_is_chinese_and_aligned(env, path) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="shuangyong-tui", terminal_width=80,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("用法：shuangyong-tui")
    for english in ENGLISH:
        assert english not in text, english
    assert METAVARS.search(text) is None, METAVARS.search(text)
    assert "选项：" in text and "显示本帮助并退出。" in text
    # In each section, every help text that sits beside its term starts in the same cell.
    for section in re.split(r"\n(?=\S)", text):
        starts = set()
        for line in section.splitlines()[1:]:
            match = re.match(r"^(  \S.*?\S)( {2,})(\S.*)$", line)
            if match and not line.startswith("   "):
                starts.add(wcswidth(match.group(1) + match.group(2)))
        assert len(starts) <= 1, (section, starts)
    for line in text.splitlines():
        assert wcswidth(line) <= 84, line  # wrapped by cells (closing marks may stick out)


def test_wrap_counts_cells() -> None:
    lines = wrap("只看这一天所在周（周一至周日）到期的事项，以及 todo/doing 状态。", 20)
    assert all(wcswidth(line) <= 22 for line in lines)  # one closing mark may stick out
    assert "".join(lines).replace(" ", "") == "只看这一天所在周（周一至周日）到期的事项，以及todo/doing状态。"
    assert not any(line.startswith(("）", "，", "。")) for line in lines)
