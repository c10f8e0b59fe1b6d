"""The cyclic garbage collector paused while the RDF terms of a large result or wave are built and held."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_pause_lock = threading.Lock()
_pauses = 0
_collector_was_enabled = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the duration (on again when the last of concurrent callers leaves).

    Every term pyoxigraph returns is an object the collector tracks. Work that builds millions of them, and keeps
    them, makes the collector walk all of them again at each 25 % of growth to find no cycle: 13 full collections,
    2.8 s of matchmaking-needs' 15 s at 10,000 organisations (query rows), and 4.5 s of a 10,000-row ingest's
    32 s (800k triples mapped, sliced, validated and written). Those objects hold no cycles; reference counting
    still frees everything else as usual meanwhile.
    """
    global _pauses, _collector_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                gc.enable()
