"""What the app reaches beyond one year's records: reviewing an import, the subscription feed
and the CalDAV sync."""

from __future__ import annotations

from pathlib import Path

from tracker.errors import TrackerError
from tracker.service.tracking import Tracker

# -- reviewing an import (the app's review screen) ----------------------------------------------


def document_parts(source: Path, year: int | None = None) -> tuple:
    """The plans a document holds (PartInfo: number, title, lines, tasks); one for most files."""
    from tracker.importer import list_parts

    return list_parts(source, year=year)


def import_document(source: Path, *, part: int | None = None, year: int | None = None, unit: str | None = None):
    """The import of one plan of a document, for review: an ImportResult with its candidates."""
    from tracker.importer import import_plan

    return import_plan(source, year=year, unit=unit, part=part)


def candidate_problems(result, candidate) -> dict[str, str]:
    """What the plan loader would refuse in one (edited) candidate: field → Chinese message."""
    from tracker.importer import rejected_fields

    return rejected_fields(result.header, candidate) if result.header is not None else {}


def save_reviewed(result, candidates, target: Path) -> list[str]:
    """Write the reviewed plan (kept candidates only; validated; never over an existing file) and
    return the Chinese lines saying what was written."""
    from tracker.importer import reviewed, save_draft
    from tracker.importer.report import reviewed_lines

    text = reviewed(result, candidates)
    save_draft(text, target)
    return reviewed_lines(result, candidates, Path(target).resolve())


# -- other calendars: the subscription feed and the CalDAV sync, as the app reaches them --------


def calendar_feeds(tracker: Tracker, host: str = "127.0.0.1", port: int = 8765) -> list[tuple[str, str]]:
    """(label, URL) of the plan's feed and each owner's (tokens made where missing)."""
    from tracker.sync.feed import ensure_feeds, feed_url

    return [(f.label, feed_url(host, port, f)) for f in ensure_feeds(tracker.owners())]


def last_sync(db_path: Path):
    """The last CalDAV sync recorded beside the state file (LastSync), or None."""
    from tracker.sync.record import last_sync as recorded

    return recorded(db_path)


def sync_again(tracker: Tracker, db_path: Path):
    """The last sync once more: same collection and account, the password from the environment."""
    from tracker.sync.caldav import ENV_PASSWORD, password_from_env, sync_tracker

    last = last_sync(db_path)
    if last is None:
        raise TrackerError("还没有同步过：请先在命令行运行 shuangyong-tui sync --caldav 地址 --user 用户名")
    password = password_from_env()
    if last.user and password is None:
        raise TrackerError(f"需要 {last.user} 的密码：请先设置环境变量 {ENV_PASSWORD} 再启动程序（程序不保存密码）")
    return sync_tracker(tracker, db_path=db_path, url=last.url, user=last.user or None, password=password)
