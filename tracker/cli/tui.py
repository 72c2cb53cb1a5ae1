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
