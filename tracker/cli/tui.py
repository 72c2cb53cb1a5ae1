"""The CLI's app entry: the one place in tracker/ that may start the Textual app."""

from __future__ import annotations

import click

from tracker.settings import AppContext


@click.command()
@click.pass_obj
def tui(obj: AppContext):
    """打开终端界面。"""
    from screens.app import run_app  # deferred: the app's imports are only paid when it opens

    run_app(obj)


def review_import(result, source, target) -> None:
    """Open the review of an import (`import FILE --review`); print what was saved."""
    from screens.app import run_review  # deferred, as above

    lines = run_review(result, source, target)
    if lines:
        for line in lines:
            click.echo(line)
    else:
        click.echo("未保存，没有写入任何文件。")
