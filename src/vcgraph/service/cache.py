"""Answers reused until the data changes: a bounded LRU keyed by the store's write generation.

The data behind every public answer changes only when someone writes (ingest, Graph Store, SPARQL Update), and
the embedded stores count those writes exactly (:meth:`vcgraph.store.port.Store.generation`). An answer filed
under generation *g* is therefore true for as long as the store stays at *g*: no expiry, no invalidation hooks;
a write moves the store to *g+1* and every older entry simply stops matching (and is dropped at once).

A store whose generation is None (a remote store: others may write it) is never cached, unless the deployment
opts into answers up to ``VCGRAPH_CACHE_TTL`` seconds old, in which case the "generation" is the current
TTL-long time bucket.

Concurrent identical misses are computed once (*single flight*): the first caller computes, the others wait for
its outcome and share it, value or exception, so 32 clients asking the same question run one query, not 32.
Exceptions are shared but never stored; neither is an answer the store cut at its row cap
(:func:`vcgraph.store.notes.noting_answers`).

Why not ``cachetools``: its ``LRUCache`` bounds either entries or a ``getsizeof`` total, not both; its
``cached`` decorator keys on a function's arguments, while ours are (generation, key) pairs computed by the
callers; and it would be one more dependency for ~150 lines we can test here. The values are shared objects:
callers must not mutate what they get.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Literal, TypeVar

from pyoxigraph import BlankNode, NamedNode
from pyoxigraph import Literal as RdfLiteral

from vcgraph.config import Settings
from vcgraph.store.notes import note_truncation, noting_answers
from vcgraph.store.port import Dataset, Store

V = TypeVar("V")
Key = tuple[Hashable, ...]
"""A cache key: its first member is the kind of value (:data:`ANSWERS`, :data:`LOOKUPS`...)."""

CacheStatus = Literal["hit", "shared", "miss", "bypass"]
"""How a value was obtained: from the cache, from a concurrent identical computation, computed now (and stored
if it may be), or computed without the cache (no generation, or the cache is off)."""

ANSWERS = "answer"
"""Whole question answers (before paging)."""

LOOKUPS = "lookup"
"""What a request looks up besides its question: the public dataset, waves, concepts, NUTS codes, actors."""

RENDERED = "rendered"
"""Pages of question answers as the REST routes send them (JSON or CSV bytes)."""

SPARQL_ANSWERS = "sparql"
"""Serialised answers of the public SPARQL endpoint (small ones only)."""


@dataclass
class _Flight:
    """One computation in progress, which identical requests wait for."""

    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    value: object = None
    error: BaseException | None = None


@dataclass
class _Entry:
    value: object
    size: int


MAX_ENTRY_SHARE = 4
"""One value may take at most 1/4 of ``max_bytes``; a larger one is returned but not kept. Otherwise one huge
answer (a whole matchmaking answer at 1M triples is ~150 MB) evicts dozens of small ones, among them the rendered
pages every client keeps asking for, and the cache thrashes (bench/load.py)."""


class ResultCache:
    """A thread-safe LRU of at most ``max_entries`` values and about ``max_bytes`` bytes, all of one generation.

    Either bound at 0 turns caching off (every call computes). ``ttl`` > 0 lets a store without a generation be
    cached in ``ttl``-second time buckets. A value larger than ``max_bytes / MAX_ENTRY_SHARE`` is not kept.
    """

    def __init__(self, *, max_entries: int, max_bytes: int, ttl: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._flights: dict[tuple[int, Key], _Flight] = {}
        self._generation: int | None = None
        self._bytes = 0
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.hits = 0
        self.misses = 0

    # -- configuration and inspection ---------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def configure(self, *, max_entries: int, max_bytes: int, ttl: float) -> None:
        """New bounds, applied at once (entries beyond them are evicted)."""
        with self._lock:
            self.max_entries, self.max_bytes, self.ttl = max_entries, max_bytes, ttl
            self._evict()

    @property
    def max_entry_bytes(self) -> int:
        """The largest value kept (see :data:`MAX_ENTRY_SHARE`)."""
        return self.max_bytes // MAX_ENTRY_SHARE

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        """The approximate bytes held (see :func:`approximate_size`)."""
        return self._bytes

    def clear(self, kind: str | None = None) -> None:
        """Forget every entry, or those of one ``kind`` (the first member of their key)."""
        with self._lock:
            for key in [k for k in self._entries if kind is None or k[0] == kind]:
                self._bytes -= self._entries.pop(key).size

    def generation_of(self, store: Store) -> int | None:
        """The generation answers of ``store`` are filed under now, or None: do not cache."""
        generation = store.generation()
        if generation is not None:
            return generation
        if self.ttl > 0:
            # Time buckets: an entry is reused for at most ttl seconds, by every request of its bucket.
            return int(time.monotonic() // self.ttl)
        return None

    def peek(self, generation: int | None, key: Key) -> object | None:
        """The value kept for ``key`` at ``generation``, or None; never computes and never waits for a
        computation in flight (so it may run on an event loop), and counts a hit only when it finds one."""
        if generation is None or not self.enabled:
            return None
        with self._lock:
            entry = self._entries.get(key) if generation == self._generation else None
            if entry is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.value

    # -- the one operation ----------------------------------------------------------------------------------------

    def get_or_compute(
        self,
        generation: int | None,
        key: Key,
        compute: Callable[[], V],
        *,
        cacheable: Callable[[V], bool] = lambda _: True,
        size: Callable[[V], int] | None = None,
    ) -> tuple[V, CacheStatus]:
        """The value of ``key`` at ``generation``: cached, shared with an identical computation in flight, or
        computed by ``compute`` and kept when ``cacheable(value)`` (exceptions propagate and are never kept)."""
        if generation is None or not self.enabled:
            return compute(), "bypass"
        with self._lock:
            if self._generation is None or generation > self._generation:
                # The store was written: nothing filed earlier can match again.
                self._generation = generation
                self._entries.clear()
                self._bytes = 0
            current = generation == self._generation
            entry = self._entries.get(key) if current else None
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry.value, "hit"  # type: ignore[return-value]
            flight = self._flights.get((generation, key))
            leader = flight is None
            if flight is None:
                flight = self._flights[(generation, key)] = _Flight()
            else:
                self.hits += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value, "shared"  # type: ignore[return-value]
        entry_size: int | None = None
        try:
            value = compute()
            flight.value = value
            if current and cacheable(value):
                # Sized outside the lock: a large answer takes a walk to measure. The key counts too: it may
                # hold a whole query text.
                entry_size = (size or approximate_size)(value) + approximate_size(key)
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            # Whatever happened, the waiters are released and the flight ends: none may wait forever.
            with self._lock:
                self.misses += 1
                del self._flights[(generation, key)]
                if entry_size is not None and generation == self._generation and entry_size <= self.max_entry_bytes:
                    old = self._entries.pop(key, None)
                    if old is not None:
                        self._bytes -= old.size
                    self._entries[key] = _Entry(flight.value, entry_size)
                    self._bytes += entry_size
                    self._evict()
            flight.done.set()
        return value, "miss"

    def _evict(self) -> None:
        while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
            _, entry = self._entries.popitem(last=False)
            self._bytes -= entry.size


# --- sizes ----------------------------------------------------------------------------------------------------

_TERM_OVERHEAD = 80
"""Bytes a pyoxigraph term takes besides its text (the Python object and the Rust string header)."""

SIZE_SAMPLE = 8
"""Elements of a long list or dict that :func:`approximate_size` walks; the rest are assumed alike. Walking every
element of a large answer took longer than computing it (vocabulary: 17 ms of 38 ms). Nested answers multiply the
samples level by level: at 8, sizing takes 0.1-0.3 ms for most answers (1.2 ms for matchmaking-needs at 1k
organisations, 27 MB) and stays within ~20 % of a full walk; at 16 it took 2-4 times longer."""

_SCALARS = (int, float, bool, type(None))


def approximate_size(value: object) -> int:
    """About how many bytes ``value`` holds: containers, strings, numbers, dataclasses and pyoxigraph terms, the
    elements of a long list or dict estimated from a sample of :data:`SIZE_SAMPLE` of them. An estimate for
    bounding the cache (answers are lists of alike rows), not an exact figure."""
    return int(_size(value, set()))


def _sample(elements: list[object]) -> tuple[list[object], float]:
    """At most SIZE_SAMPLE elements spread over ``elements``, and the factor from their size to the whole's."""
    if len(elements) <= SIZE_SAMPLE:
        return elements, 1.0
    step = len(elements) / SIZE_SAMPLE
    return [elements[int(i * step)] for i in range(SIZE_SAMPLE)], len(elements) / SIZE_SAMPLE


def _size(item: object, seen: set[int]) -> float:
    kind = type(item)
    if kind is str or kind is bytes:
        return sys.getsizeof(item)
    if kind in _SCALARS:
        return 28
    if kind is NamedNode or kind is BlankNode:
        return _TERM_OVERHEAD + len(item.value)  # type: ignore[attr-defined]
    if kind is RdfLiteral:
        return _TERM_OVERHEAD * 2 + len(item.value)  # type: ignore[attr-defined]  # + its datatype or language
    if id(item) in seen:  # shared (or, in theory, cyclic): counted once
        return 0
    seen.add(id(item))
    own = sys.getsizeof(item)
    elements: list[object]
    if isinstance(item, dict):
        keys: list[object] = list(item)
        sampled_keys, factor = _sample(keys)
        walked = 0.0
        for key in sampled_keys:
            walked += _size(key, seen) + _size(item[key], seen)
        return own + factor * walked
    if isinstance(item, list | tuple | set | frozenset):
        elements = list(item)
    elif dataclasses.is_dataclass(item) and not isinstance(item, type):
        elements = [getattr(item, f.name) for f in dataclasses.fields(item)]
    elif hasattr(item, "__iter__") and hasattr(item, "__len__"):  # e.g. a pyoxigraph QuerySolution
        elements = list(iter(item))
    else:
        return own
    sample, factor = _sample(elements)
    return own + factor * sum(_size(element, seen) for element in sample)


# --- one cache per store ---------------------------------------------------------------------------------------

_caches: weakref.WeakKeyDictionary[Store, ResultCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(store: Store, settings: Settings | None = None) -> ResultCache | None:
    """The cache of ``store`` (it lives as long as the store object does).

    With ``settings`` it is created if needed and given their bounds; without, the existing one or None, so a
    lookup made outside any served request (a test, a script) never creates a cache with bounds nobody chose.
    """
    with _caches_lock:
        cache = _caches.get(store)
        if settings is None:
            return cache
        if cache is None:
            cache = _caches[store] = ResultCache(
                max_entries=settings.cache_entries, max_bytes=settings.cache_bytes, ttl=settings.cache_ttl
            )
            return cache
    if (cache.max_entries, cache.max_bytes, cache.ttl) != (
        settings.cache_entries,
        settings.cache_bytes,
        settings.cache_ttl,
    ):
        cache.configure(max_entries=settings.cache_entries, max_bytes=settings.cache_bytes, ttl=settings.cache_ttl)
    return cache


def cached(
    store: Store,
    key: Key,
    compute: Callable[[], V],
    *,
    settings: Settings | None = None,
    size: Callable[[V], int] | None = None,
    cacheable: Callable[[V], bool] = lambda _: True,
) -> tuple[V, CacheStatus]:
    """``compute()``, reused while ``store`` stays at the same generation (see :func:`cache_for` for
    ``settings``) and when ``cacheable`` says so. An answer the store cut at its row cap is passed on (the
    caller's answer notes record the cut, whether it computed the value or shared it) but never stored."""
    cache = cache_for(store, settings)
    if cache is None:
        return compute(), "bypass"
    generation = cache.generation_of(store)
    if generation is None or not cache.enabled:
        return compute(), "bypass"

    def noted() -> tuple[V, int | None]:
        with noting_answers() as notes:
            value = compute()
        return value, notes.truncated_at

    (value, truncated_at), status = cache.get_or_compute(
        generation,
        key,
        noted,
        cacheable=lambda pair: pair[1] is None and cacheable(pair[0]),
        size=None if size is None else lambda pair: size(pair[0]),
    )
    if truncated_at is not None:
        note_truncation(truncated_at)
    return value, status


def kept(store: Store, key: Key, settings: Settings | None = None) -> object | None:
    """What :func:`cached` keeps for ``key`` now, or None (not kept, or the cache is off): a look that never
    computes nor waits, for a caller on an event loop that would otherwise hand the request to a thread only to
    find the answer ready. The value is the one ``cached`` returned for that key."""
    cache = cache_for(store, settings)
    if cache is None:
        return None
    found = cache.peek(cache.generation_of(store), key)
    # ``cached`` files a value with its truncation note; only uncut answers are kept, so that note is None.
    return found[0] if isinstance(found, tuple) else None


def dataset_key(dataset: Dataset) -> Key:
    """A hashable stand-in for ``dataset`` (its graph lists are lists)."""
    return (
        None if dataset.default_graphs is None else tuple(dataset.default_graphs),
        None if dataset.named_graphs is None else tuple(dataset.named_graphs),
        dataset.union_default_graph,
    )


# --- telling the HTTP layer how an answer was obtained ---------------------------------------------------------


@dataclass
class CacheNotes:
    """How the main answer of one request was obtained (None: no cached operation ran)."""

    status: CacheStatus | None = None


_notes: contextvars.ContextVar[CacheNotes | None] = contextvars.ContextVar("vcgraph_cache_notes", default=None)


@contextlib.contextmanager
def noting_cache() -> Iterator[CacheNotes]:
    """Collect the cache status of the answer computed inside (threads started from here share the notes, as
    Starlette's ``run_in_threadpool`` copies the context)."""
    notes = CacheNotes()
    token = _notes.set(notes)
    try:
        yield notes
    finally:
        _notes.reset(token)


def note_cache_status(status: CacheStatus) -> None:
    """Record how the request's main answer was obtained, for whoever opened :func:`noting_cache`."""
    notes = _notes.get()
    if notes is not None:
        notes.status = status
