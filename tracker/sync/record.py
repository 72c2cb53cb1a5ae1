"""What the sync remembers beside the state file: per collection, what each UID looked like
when both sides last agreed, and the last run (when, up/down, conflicts) the app shows.

``caldav-sync.json`` holds no password and no server text: only URLs, UIDs, ETags, digests.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tracker.regularfile import read_regular

SYNC_FILE = "caldav-sync.json"


def sync_path(db_path: Path) -> Path:
    return Path(db_path).parent / SYNC_FILE


@dataclass(frozen=True)
class LastSync:
    at: str  # ISO time of the run
    url: str
    account: str
    year: int
    up: int  # objects written to the server (created, updated, deleted)
    down: int  # changes taken from the server into the state file
    conflicts: int
    unchanged: int
    created_collection: bool = False
    user: str = ""  # the account name given (never the password)
    messages: tuple[str, ...] = field(default_factory=tuple)

    def line(self) -> str:
        text = f"{self.at[:16].replace('T', ' ')} 与 {self.url} 同步：上传 {self.up} 项，取回 {self.down} 项"
        if self.conflicts:
            text += f"，冲突 {self.conflicts} 项（已记入历史，保留本机）"
        return text


def read_record(db_path: Path) -> dict:
    try:
        data = json.loads(read_regular(sync_path(db_path)).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def collection_memory(record: dict, url: str) -> dict[str, dict]:
    items = record.get("collections", {}).get(url, {}) if isinstance(record.get("collections"), dict) else {}
    return {k: v for k, v in items.items() if isinstance(v, dict)} if isinstance(items, dict) else {}


def last_sync(db_path: Path) -> LastSync | None:
    """The last run recorded beside this state file, or None."""
    last = read_record(db_path).get("last")
    if not isinstance(last, dict):
        return None
    try:
        return LastSync(**{**last, "messages": tuple(last.get("messages", ()))})
    except TypeError:
        return None


def write_record(db_path: Path, url: str, memory: dict[str, dict], last: LastSync) -> None:
    """Atomic; OSError goes to the caller (the server is already up to date, the notice says so)."""
    from tracker.outputs.files import save_atomically

    record = read_record(db_path)
    collections = record.get("collections") if isinstance(record.get("collections"), dict) else {}
    collections[url] = memory
    record["collections"] = collections
    record["last"] = {**asdict(last), "messages": list(last.messages)}
    save_atomically(sync_path(db_path), json.dumps(record, ensure_ascii=False, indent=0, sort_keys=True))
