"""The garbage collector is off only while a question's rows are read and shaped, and always on again after."""

from __future__ import annotations

import gc
import threading

import pytest

from vcgraph.collector import collector_paused


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
