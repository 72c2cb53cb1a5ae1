"""`--help` in Chinese, with columns that line up when the text is Chinese.

click writes its help framing in English (`Usage:`, `Options:`, `Show this message and exit.`,
metavars such as `TEXT`, `[default: …]`) and measures columns in characters, so a Chinese
placeholder puts the help column two cells out of line. This module uses click's own hooks:
every command gets a Context class (`Command.context_class`, tracker.cli.HelpContext) whose
formatter is this HelpFormatter, which says the framing in Chinese and measures and wraps by
terminal cells. It is imported only when help is shown.
"""

from __future__ import annotations

import re

import click

HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}

USAGE_WORDS = {"OPTIONS": "选项", "COMMAND": "命令", "ARGS": "参数"}
_USAGE_WORD = re.compile(r"\b(" + "|".join(USAGE_WORDS) + r")\b")
CLOSING = set("）)]」』》。，、；：！？")

# Phrases click writes into the help rows, and what they say here.
PHRASES = (
    ("Show this message and exit.", "显示本帮助并退出。"),
    ("Show the version and exit.", "显示版本号并退出。"),
    ("[default: ", "[默认："),
    ("[required]", "[必填]"),
    ("[env var: ", "[环境变量："),
)

METAVARS = {
    "TEXT": "文字",
    "INTEGER": "整数",
    "FLOAT": "数值",
    "BOOLEAN": "是/否",
    "FILENAME": "文件",
    "FILE": "文件",
    "PATH": "路径",
    "DIRECTORY": "文件夹",
    "UUID": "编号",
    "DATETIME": "时间",
}
_METAVAR = re.compile(r"\b(" + "|".join(METAVARS) + r")\b")


def _width(text: str) -> int:
    from tracker.textwidth import width

    return width(text)


def translate(text: str) -> str:
    for english, chinese in PHRASES:
        text = text.replace(english, chinese)
    return text


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` cells. Chinese breaks between any two characters; a run of
    Latin letters and digits is kept whole when it fits on a line."""
    from tracker.textwidth import width as cells

    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0
        for token in re.findall(r"\[[^\]]{0,24}\]|[A-Za-z0-9_./:@%+\-—]+ ?|\s|.", paragraph):
            size = cells(token)
            # Closing punctuation never starts a line: it may stick out by a cell or two.
            if used + size > columns and line.strip() and token not in CLOSING:
                lines.append(line.rstrip())
                line, used = "", 0
                token = token.lstrip()
                size = cells(token)
            while size > columns:  # a token longer than a whole line
                lines.append(token[:columns])
                token = token[columns:]
                size = cells(token)
            line += token
            used += size
        lines.append(line.rstrip())
    return lines


class HelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = _USAGE_WORD.sub(lambda m: USAGE_WORDS[m.group()], args)
        args = _METAVAR.sub(lambda m: METAVARS[m.group()], args)
        self.write(f"{' ' * self.current_indent}用法：{prog} {args}".rstrip() + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{' ' * self.current_indent}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        """Paragraphs kept, each line wrapped by cells (Chinese lines are not joined with
        spaces, as click's re-flowing would)."""
        indent = " " * self.current_indent
        columns = max(self.width - self.current_indent, 20)
        out = []
        for paragraph in text.replace("\b", "").split("\n\n"):
            if out:
                out.append("")
            for source in paragraph.strip("\n").splitlines():
                out.extend(wrap(source.strip(), columns))
        self.write("".join(f"{indent}{line}\n" if line else "\n" for line in out))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(_METAVAR.sub(lambda m: METAVARS[m.group()], term), translate(text)) for term, text in rows]
        if not rows:
            return
        first = min(max(_width(term) for term, _ in rows), col_max)
        start = self.current_indent + first + col_spacing
        columns = max(self.width - start, 10)
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            if not text:
                self.write("\n")
                continue
            if _width(term) <= first:
                self.write(" " * (first - _width(term) + col_spacing))
            else:
                self.write("\n" + " " * start)
            lines = wrap(text, columns)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * start + line + "\n")


class Context(click.Context):
    formatter_class = HelpFormatter
