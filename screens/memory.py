"""What the app remembers between runs (in the user's config file): the folder evidence files
come from, and that the welcome notice was read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.service import AppContext

EVIDENCE_FOLDER = "evidence_dir"  # where the evidence file picker opens
NOTICE_SEEN = "notice_seen"  # the bundled-plan notice was shown once


def recall(ctx: AppContext, key: str) -> str | None:
    try:
        return ctx.config.get(key)
    except Exception:  # an unreadable config file is reported where it matters
        return None


def remember(ctx: AppContext, key: str, value: str) -> None:
    """Only a convenience: when the config file cannot be written, nothing else is lost."""
    from tracker.errors import TrackerError
    from tracker.service import write_config

    if recall(ctx, key) == value:
        return
    try:
        write_config({key: value})
        ctx.config[key] = value
    except (TrackerError, OSError):
        pass


def evidence_folder(ctx: AppContext) -> Path | None:
    """The folder the last evidence file came from (set once, by picking a file)."""
    value = recall(ctx, EVIDENCE_FOLDER)
    path = Path(value).expanduser() if value else None
    return path if path is not None and path.is_dir() else None
