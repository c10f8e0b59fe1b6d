"""The answer cache itself (vcgraph.service.cache.ResultCache): generations, bounds, single flight, errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from vcgraph.questions.service import ItemsOnRead
from vcgraph.service.cache import ResultCache, approximate_size


def counting(value: str) -> tuple[list[int], Callable[[], str]]:
    """A compute function that records each call."""
    calls: list[int] = []

    def compute() -> str:
        calls.append(1)
        return value

    return calls, compute


def test_a_value_is_computed_once_per_generation() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    calls, compute = counting("answer")
    assert cache.get_or_compute(1, ("k",), compute) == ("answer", "miss")
    assert cache.get_or_compute(1, ("k",), compute) == ("answer", "hit")
    assert len(calls) == 1


def test_a_new_generation_recomputes_and_drops_the_older_entries() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    calls, compute = counting("answer")
    cache.get_or_compute(1, ("k",), compute)
    cache.get_or_compute(1, ("other",), compute)
    assert cache.get_or_compute(2, ("k",), compute) == ("answer", "miss")
    assert len(calls) == 3
    assert len(cache) == 1


def test_a_request_of_an_older_generation_is_computed_but_not_kept() -> None:
    # It read the generation before a write that another request has already seen: its answer may be stale.
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    cache.get_or_compute(2, ("k",), lambda: "new")
    assert cache.get_or_compute(1, ("k",), lambda: "old") == ("old", "miss")
    assert cache.get_or_compute(2, ("k",), lambda: "recomputed") == ("new", "hit")


def test_no_generation_means_no_caching() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    calls, compute = counting("answer")
    assert cache.get_or_compute(None, ("k",), compute) == ("answer", "bypass")
    assert cache.get_or_compute(None, ("k",), compute) == ("answer", "bypass")
    assert len(calls) == 2
    assert len(cache) == 0


@pytest.mark.parametrize(("entries", "size"), [(0, 1_000_000), (10, 0)])
def test_a_zero_bound_turns_the_cache_off(entries: int, size: int) -> None:
    cache = ResultCache(max_entries=entries, max_bytes=size)
    calls, compute = counting("answer")
    cache.get_or_compute(1, ("k",), compute)
    assert cache.get_or_compute(1, ("k",), compute)[1] == "bypass"
    assert len(calls) == 2


def test_the_least_recently_used_entry_goes_first_beyond_max_entries() -> None:
    cache = ResultCache(max_entries=2, max_bytes=1_000_000)
    cache.get_or_compute(1, ("a",), lambda: "A")
    cache.get_or_compute(1, ("b",), lambda: "B")
    cache.get_or_compute(1, ("a",), lambda: "A")  # a is now the most recently used
    cache.get_or_compute(1, ("c",), lambda: "C")
    assert len(cache) == 2
    assert cache.get_or_compute(1, ("a",), lambda: "A again")[1] == "hit"
    assert cache.get_or_compute(1, ("b",), lambda: "B again") == ("B again", "miss")


def test_entries_are_evicted_beyond_max_bytes() -> None:
    cache = ResultCache(max_entries=100, max_bytes=6_000)  # a value of 1,000 characters is ~1,100 bytes
    for index in range(10):
        cache.get_or_compute(1, (index,), lambda: "x" * 1_000)
    assert cache.size_bytes <= 6_000
    assert 1 <= len(cache) <= 5
    assert cache.get_or_compute(1, (9,), lambda: "recomputed")[1] == "hit"  # the newest stayed


def test_a_value_larger_than_a_quarter_of_max_bytes_is_returned_but_not_kept() -> None:
    # ~1,100 bytes: a third of the cache, which it would otherwise share with two values at most
    cache = ResultCache(max_entries=100, max_bytes=3_300)
    cache.get_or_compute(1, ("small",), lambda: "x")
    value = "x" * 1_000
    assert cache.get_or_compute(1, ("third",), lambda: value) == (value, "miss")
    assert cache.get_or_compute(1, ("third",), lambda: value) == (value, "miss")
    assert cache.get_or_compute(1, ("small",), lambda: "recomputed") == ("x", "hit")


def test_a_value_larger_than_max_bytes_is_returned_but_not_kept() -> None:
    cache = ResultCache(max_entries=100, max_bytes=500)
    big = "x" * 10_000
    assert cache.get_or_compute(1, ("big",), lambda: big) == (big, "miss")
    assert len(cache) == 0


def test_an_error_is_raised_and_not_kept() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)

    def fail() -> str:
        raise TimeoutError("the store gave up")

    with pytest.raises(TimeoutError):
        cache.get_or_compute(1, ("k",), fail)
    assert cache.get_or_compute(1, ("k",), lambda: "answer") == ("answer", "miss")


def test_a_value_refused_by_cacheable_is_returned_but_not_kept() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    assert cache.get_or_compute(1, ("k",), lambda: "cut", cacheable=lambda v: v != "cut") == ("cut", "miss")
    assert cache.get_or_compute(1, ("k",), lambda: "whole") == ("whole", "miss")


def test_concurrent_identical_misses_compute_once_and_share_the_value() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    calls: list[int] = []
    started = threading.Event()

    def slow() -> str:
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return "answer"

    results: list[tuple[str, str]] = []

    def ask() -> None:
        results.append(cache.get_or_compute(1, ("k",), slow))

    first = threading.Thread(target=ask)
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=ask) for _ in range(15)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(10)
    assert len(calls) == 1
    assert sorted(status for _, status in results) == ["miss"] + ["shared"] * 15
    assert {value for value, _ in results} == {"answer"}


def test_concurrent_identical_misses_share_the_error_and_the_next_call_computes_again() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    started = threading.Event()

    def slow_failure() -> str:
        started.set()
        time.sleep(0.3)
        raise TimeoutError("the store gave up")

    errors: list[BaseException] = []

    def ask() -> None:
        try:
            cache.get_or_compute(1, ("k",), slow_failure)
        except TimeoutError as exc:
            errors.append(exc)

    first = threading.Thread(target=ask)
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=ask)
    second.start()
    first.join(10)
    second.join(10)
    assert len(errors) == 2
    assert cache.get_or_compute(1, ("k",), lambda: "answer") == ("answer", "miss")


def test_clear_by_kind_forgets_only_that_kind() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    cache.get_or_compute(1, ("answer", 1), lambda: "A")
    cache.get_or_compute(1, ("lookup", 1), lambda: "L")
    cache.clear("answer")
    assert cache.get_or_compute(1, ("answer", 1), lambda: "A2") == ("A2", "miss")
    assert cache.get_or_compute(1, ("lookup", 1), lambda: "L2") == ("L", "hit")


def test_approximate_size_grows_with_the_content() -> None:
    small = approximate_size({"items": [{"label": "x"}]})
    large = approximate_size({"items": [{"label": "x" * 100}] * 1 + [{"label": str(i)} for i in range(100)]})
    assert 0 < small < large


def test_approximate_size_of_a_long_list_of_alike_rows_is_estimated_from_a_sample() -> None:
    row_size = approximate_size({"label": "x" * 50, "count": 7})
    rows = [{"label": "y" * 50, "count": index} for index in range(1_000)]
    assert approximate_size(rows) == pytest.approx(1_000 * row_size, rel=0.05)


def test_peek_finds_only_what_is_kept_at_that_generation_and_never_computes() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    assert cache.peek(1, ("k",)) is None
    cache.get_or_compute(1, ("k",), lambda: "answer")
    assert cache.peek(1, ("k",)) == "answer"
    assert cache.peek(2, ("k",)) is None  # a write since: the kept answer may be stale
    assert cache.peek(None, ("k",)) is None


def test_peek_does_not_wait_for_a_computation_in_flight() -> None:
    cache = ResultCache(max_entries=10, max_bytes=1_000_000)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "answer"

    computing = threading.Thread(target=cache.get_or_compute, args=(1, ("k",), slow))
    computing.start()
    started.wait(10)
    began = time.monotonic()
    assert cache.peek(1, ("k",)) is None
    assert time.monotonic() - began < 1
    release.set()
    computing.join()
    assert cache.peek(1, ("k",)) == "answer"


def test_items_built_on_read_are_sized_by_what_they_hold_without_being_built() -> None:
    def never(start: int, stop: int) -> list[dict[str, Any]]:
        raise AssertionError("sizing built items")

    held = [{"need": "n" * 80, "keys": list(range(20))} for _ in range(1000)]
    small, large = ItemsOnRead(10**6, never, held=held[:10]), ItemsOnRead(10**6, never, held=held)
    assert approximate_size(held[:10]) < approximate_size(small) < approximate_size(large)
    assert approximate_size(large) >= approximate_size(held)
