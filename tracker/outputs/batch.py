"""Building a large output in one go.

A year-end 总结 or 台账 makes a few hundred thousand small objects (rows, cells, strings in
tuples) and drops none of them until it is written. Python's cycle collector would meanwhile
walk the whole heap (the state, the plan, the rows) again and again for garbage that is not
there: about a fifth of the time at 10,000 items (bench/bench_exports.py). While an output is
built the collector waits; reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (nested blocks: the outermost one resumes it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
