"""The garbage collector is off only while a question's rows are read and shaped, and always on again after; what the
pause built and keeps can go straight to the oldest generation."""

from __future__ import annotations

import gc
import threading

import pytest

from vcgraph.collector import collector_paused, promote_survivors


def test_the_collector_is_off_inside_and_on_again_after_even_on_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("shaping failed")
    assert gc.isenabled()


def test_concurrent_callers_turn_it_on_again_only_when_the_last_one_leaves() -> None:
    first_inside, release = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_inside.set()
            release.wait(5)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    assert first_inside.wait(5)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the first caller is still inside
    release.set()
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_by_someone_else_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _in_generation(target: object, generation: int) -> bool:
    return any(found is target for found in gc.get_objects(generation=generation))


def test_what_survives_a_pause_can_be_sent_to_the_oldest_generation() -> None:
    with collector_paused():
        kept = [[n] for n in range(100)]
        assert _in_generation(kept, 0)
        promote_survivors()
    assert _in_generation(kept, 2) and not _in_generation(kept, 0)
    assert gc.get_freeze_count() == 0  # moved, not frozen: the full collections still walk it


def test_objects_someone_else_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        promote_survivors()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
