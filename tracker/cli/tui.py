"""The CLI's app entry: the one place in tracker/ that may start the Textual app."""

from __future__ import annotations

import sys

import click

from tracker.cli.terminal import NO_TERMINAL, is_terminal, unguarded
from tracker.settings import AppContext


def require_terminal() -> None:
    """Without a terminal the app has nothing to read keys from or draw on: say so and stop,
    instead of waiting for input that never comes."""
    if not all(is_terminal(stream) for stream in (sys.stdin, sys.stdout, sys.stderr)):
        click.echo(f"错误：{NO_TERMINAL}", err=True)
        sys.exit(2)


@click.command()
@click.pass_obj
def tui(obj: AppContext):
    """打开终端界面。"""
    require_terminal()
    from screens.app import run_app  # deferred: the app's imports are only paid when it opens

    with unguarded():
        code = run_app(obj)
    sys.exit(code or 0)


def review_import(result, source, target) -> None:
    """Open the review of an import (`import FILE --review`); print what was saved."""
    require_terminal()
    from screens.app import run_review  # deferred, as above

    with unguarded():
        lines = run_review(result, source, target)
    if lines:
        for line in lines:
            click.echo(line)
    else:
        click.echo("未保存，没有写入任何文件。")
