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


def promote_survivors() -> None:
    """Move every object the collector tracks to its oldest generation, which only its full collections walk.

    For the end of a pause that built an answer meant to live (a question's whole answer, cached and paged): the
    collector's first passes after the pause would walk all of it twice, in the youngest generation and then the
    middle one, to find no cycle: 0.04 s each for matchmaking-needs' 53 MB answer at 50,000 organisations served,
    0.09 s of its 1.05 s. Nothing is kept from the collector: reference counting frees these objects as before,
    and a reference cycle among them waits for the next full collection, as any cycle that lives a while does.
    ``gc.freeze()`` then ``gc.unfreeze()`` is how CPython does it (every generation to the permanent one, then
    the permanent one to the oldest), two list splices. Objects someone else keeps frozen (a server that froze
    its heap before forking) are left so: then nothing is moved.
    """
    if gc.get_freeze_count():
        return
    gc.freeze()
    gc.unfreeze()
