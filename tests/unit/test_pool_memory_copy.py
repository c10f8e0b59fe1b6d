"""PooledStore with a memory copy: answers from the workers' in-memory copies, never different from the disk's."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, NamedNode, QuerySolutions

from vcgraph.config import Settings
from vcgraph.http.server import open_served_store
from vcgraph.namespaces import Minter
from vcgraph.store.pool import MemoryCopy, PooledStore
from vcgraph.store.port import Dataset

EX = "http://example.org/"
G1 = NamedNode(EX + "g1")
G2 = NamedNode(EX + "g2")
PRIVATE = NamedNode(EX + "private/w1")
EVERYTHING = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"
# the dataset a public query gets: the default graph and every copied graph, listed
PUBLIC = Dataset(default_graphs=[DefaultGraph(), G1, G2], named_graphs=[G1, G2])


def _rows(store: PooledStore, query: str = EVERYTHING, dataset: Dataset = PUBLIC) -> list[tuple[str, ...]]:
    outcome = store.query(query, dataset=dataset)
    assert isinstance(outcome, QuerySolutions)
    return [tuple(str(term) for term in solution) for solution in outcome]


def _answered_from(store: PooledStore, ask: Callable[[], object]) -> str:
    """Where the answer to ``ask()`` was evaluated."""
    before = store.answered_from()
    ask()
    after = store.answered_from()
    (source,) = [name for name in after if after[name] != before.get(name, 0)]
    return source


def _wait_for_copies(store: PooledStore) -> None:
    assert store.wait_for_copies(PUBLIC, seconds=30)


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[PooledStore]:
    store = PooledStore(
        tmp_path / "store",
        workers=2,
        query_timeout=5.0,
        memory_copy=MemoryCopy(leave_out=(EX + "private/",), max_quads=1000),
    )
    store.update(
        f'INSERT DATA {{ GRAPH <{G1.value}> {{ <{EX}a> <{EX}p> "in g1" }} '
        f'GRAPH <{G2.value}> {{ <{EX}b> <{EX}p> "in g2" }} '
        f'GRAPH <{PRIVATE.value}> {{ <{EX}a> <{EX}email> "someone@example.org" }} '
        f'<{EX}c> <{EX}p> "in the default graph" }}'
    )
    yield store
    store.close()


def test_answers_come_from_the_memory_copy_once_it_is_made(pool: PooledStore) -> None:
    _wait_for_copies(pool)
    assert _rows(pool) == [
        (f"<{EX}a>", '"in g1"'),
        (f"<{EX}b>", '"in g2"'),
        (f"<{EX}c>", '"in the default graph"'),
    ]


def test_a_dataset_of_some_copied_graphs_sees_those_graphs_only(pool: PooledStore) -> None:
    _wait_for_copies(pool)
    only_g2 = Dataset(default_graphs=[G2], named_graphs=[])
    assert _answered_from(pool, lambda: _rows(pool, dataset=only_g2)) == "memory"
    assert _rows(pool, dataset=only_g2) == [(f"<{EX}b>", '"in g2"')]


def test_graph_names_are_the_same_in_the_copy(pool: PooledStore) -> None:
    _wait_for_copies(pool)
    query = "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert _answered_from(pool, lambda: _rows(pool, query)) == "memory"
    assert _rows(pool, query) == [(f"<{G1.value}>", '"in g1"'), (f"<{G2.value}>", '"in g2"')]


def test_graphs_left_out_are_never_copied_and_still_answered_from_disk(pool: PooledStore) -> None:
    _wait_for_copies(pool)
    assert '"someone@example.org"' not in str(_rows(pool))
    private = Dataset(default_graphs=[PRIVATE], named_graphs=[])
    assert _answered_from(pool, lambda: _rows(pool, dataset=private)) == "disk"
    assert _rows(pool, dataset=private) == [(f"<{EX}a>", '"someone@example.org"')]


def test_the_union_of_the_whole_store_is_answered_from_disk(pool: PooledStore) -> None:
    # the store's union holds the graphs left out of the copy: the copy's union would lose them
    _wait_for_copies(pool)
    whole = Dataset(union_default_graph=True)
    assert _answered_from(pool, lambda: _rows(pool, dataset=whole)) == "disk"
    assert (f"<{EX}a>", '"someone@example.org"') in _rows(pool, dataset=whole)


def test_a_write_is_in_the_next_answer_not_hidden_by_an_older_copy(pool: PooledStore) -> None:
    _wait_for_copies(pool)
    pool.update(f'INSERT DATA {{ GRAPH <{G1.value}> {{ <{EX}d> <{EX}p> "written" }} }}')
    # every worker, each on its first query of the new generation
    for outcome in pool.query_each_worker(EVERYTHING, dataset=PUBLIC):
        assert isinstance(outcome, QuerySolutions)
        assert (f"<{EX}d>", '"written"') in [tuple(str(term) for term in solution) for solution in outcome]
    _wait_for_copies(pool)
    assert (f"<{EX}d>", '"written"') in _rows(pool)


def test_a_store_larger_than_the_limit_is_not_copied(tmp_path: Path) -> None:
    store = PooledStore(
        tmp_path / "store", workers=1, query_timeout=5.0, memory_copy=MemoryCopy(leave_out=(), max_quads=5)
    )
    try:
        store.update("INSERT DATA { " + " ".join(f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(10)) + " }")
        default_graph = Dataset(default_graphs=[DefaultGraph()], named_graphs=[])
        assert not store.wait_for_copies(default_graph, seconds=30)  # returns once a worker found it too large
        assert store.copy_states().get("too-large", 0) > 0
        assert len(_rows(store, dataset=default_graph)) == 10
        assert "memory" not in store.answered_from()
    finally:
        store.close()


def test_without_a_memory_copy_every_answer_comes_from_disk(tmp_path: Path) -> None:
    store = PooledStore(tmp_path / "store", workers=1, query_timeout=5.0)
    try:
        for _ in range(5):
            _rows(store)
            time.sleep(0.02)
        assert store.answered_from() == {"disk": 5}
        assert store.copy_states() == {"off": 5}
        assert not store.wait_for_copies(PUBLIC, seconds=30)
    finally:
        store.close()


def test_the_served_store_copies_every_graph_but_the_private_ones(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, store=str(tmp_path / "store"), memory_copy_quads=1234)
    store = open_served_store(settings)
    try:
        assert isinstance(store, PooledStore)
        assert store.memory_copy == MemoryCopy(leave_out=Minter(settings.base_iri).private_prefixes(), max_quads=1234)
    finally:
        store.close()


def test_the_served_store_makes_no_copy_when_the_limit_is_zero(tmp_path: Path) -> None:
    store = open_served_store(Settings(home=tmp_path, store=str(tmp_path / "store"), memory_copy_quads=0))
    try:
        assert isinstance(store, PooledStore)
        assert store.memory_copy is None
    finally:
        store.close()
