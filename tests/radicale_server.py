"""A real Radicale CalDAV server on 127.0.0.1 with a free port and temporary storage.

Runs in a thread of the calling process (so it ends with it, whatever happens) and stops
when the `with` block ends. Users come from a plain htpasswd file: real Basic auth.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

USERS = {"xiaowang": "mima-1", "lizhang": "mima-2"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def radicale(folder: Path) -> Iterator[str]:
    """Yields the server's base URL, e.g. http://127.0.0.1:40123/."""
    from radicale import config, server

    folder.mkdir(parents=True, exist_ok=True)
    users = folder / "users"
    users.write_text("".join(f"{u}:{p}\n" for u, p in USERS.items()), encoding="utf-8")
    port = free_port()
    configuration = config.load()
    configuration.update({
        "server": {"hosts": f"127.0.0.1:{port}"},
        "storage": {"filesystem_folder": str(folder / "collections"), "_filesystem_fsync": "False"},
        "auth": {"type": "htpasswd", "htpasswd_filename": str(users), "htpasswd_encryption": "plain",
                 "delay": "0"},
        "rights": {"type": "owner_only"},
        "logging": {"level": "warning", "mask_passwords": "True"},
    }, "test", privileged=True)
    logging.getLogger("radicale").setLevel(logging.WARNING)
    shutdown, keep = socket.socketpair()
    thread = threading.Thread(target=server.serve, args=(configuration, shutdown), daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for the port to answer
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("Radicale did not start")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        keep.close()
        thread.join(timeout=30)
        shutdown.close()
