"""PooledStore: queries in killable worker processes, answers as the embedded adapter gives them."""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)

from vcgraph.store.notes import noting_answers, rows_allowed
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.pool import PooledStore, _IdleWorkers, _Worker
from vcgraph.store.port import Dataset, QueryAborted, QueryTimeout, Store, StoreError

EX = "http://example.org/"
P = NamedNode(EX + "p")
G1 = NamedNode(EX + "g1")
G2 = NamedNode(EX + "g2")
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_for(condition: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[PooledStore]:
    store = PooledStore(tmp_path / "store", workers=2, query_timeout=1.0, max_rows=1000)
    yield store
    store.close()


def _insert_many(store: Store, count: int) -> None:
    body = " ".join(f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(count))
    store.update(f"INSERT DATA {{ {body} }}")


def test_the_pool_is_a_store(pool: PooledStore) -> None:
    assert isinstance(pool, Store)


def test_select_terms_come_back_as_the_embedded_store_gives_them(pool: PooledStore, tmp_path: Path) -> None:
    awkward = Literal('tab\there, newline\nthere, "quotes" and \\ backslash, é, \u0001')
    pool.update(
        f'INSERT DATA {{ <{EX}a> <{EX}p> {awkward} . _:b <{EX}p> "un"@fr . '
        f"<{EX}a> <{EX}n> 42 . <{EX}a> <{EX}q> <{EX}c> }}"
    )
    query = f"SELECT ?s ?o ?missing {{ ?s ?p ?o OPTIONAL {{ ?s <{EX}none> ?missing }} }} ORDER BY ?s ?o"

    outcome = pool.query(query)

    assert isinstance(outcome, QuerySolutions)
    assert [v.value for v in outcome.variables] == ["s", "o", "missing"]
    rows = [list(solution) for solution in outcome]
    assert [row[1] for row in rows if isinstance(row[1], Literal) and row[1].value.startswith("tab")] == [awkward]
    assert Literal("42", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")) in [row[1] for row in rows]
    assert Literal("un", language="fr") in [row[1] for row in rows]
    assert any(isinstance(row[0], BlankNode) for row in rows)
    assert all(row[2] is None for row in rows)
    assert len(rows) == 4


def test_ask_comes_back_as_a_boolean(pool: PooledStore) -> None:
    _insert_many(pool, 1)
    outcome = pool.query("ASK { ?s ?p ?o }")
    assert isinstance(outcome, QueryBoolean)
    assert bool(outcome) is True
    assert bool(pool.query(f"ASK {{ ?s <{EX}absent> ?o }}")) is False


def test_construct_comes_back_as_triples(pool: PooledStore) -> None:
    _insert_many(pool, 3)
    outcome = pool.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(outcome, QueryTriples)
    assert {t.object for t in outcome if isinstance(t, Triple)} == {Literal("0"), Literal("1"), Literal("2")}


def test_a_malformed_query_is_a_syntax_error_with_the_engines_message(pool: PooledStore) -> None:
    query = "SELECT * { ?s ?p }"
    with pytest.raises(SyntaxError) as embedded:
        OxigraphStore(None).query(query)
    with pytest.raises(SyntaxError) as pooled:
        pool.query(query)
    assert str(pooled.value) == str(embedded.value)
    assert "1:" in str(pooled.value)


def test_the_dataset_decides_which_graphs_a_query_sees(pool: PooledStore) -> None:
    pool.update(
        f'INSERT DATA {{ GRAPH <{G1.value}> {{ <{EX}a> <{EX}p> "one" }} '
        f'GRAPH <{G2.value}> {{ <{EX}a> <{EX}p> "two" }} }}'
    )
    pool.update(f'INSERT DATA {{ <{EX}a> <{EX}p> "default" }}')
    query = "SELECT ?o { ?s ?p ?o }"

    def values(dataset: Dataset) -> set[str]:
        outcome = pool.query(query, dataset=dataset)
        assert isinstance(outcome, QuerySolutions)
        return {solution["o"].value for solution in outcome}  # type: ignore[union-attr]

    assert values(Dataset()) == {"default"}
    assert values(Dataset(default_graphs=[G1])) == {"one"}
    assert values(Dataset(default_graphs=[DefaultGraph(), G2])) == {"default", "two"}
    assert values(Dataset(union_default_graph=True)) == {"default", "one", "two"}
    named = pool.query("SELECT ?g { GRAPH ?g { ?s ?p ?o } }", dataset=Dataset(named_graphs=[G2]))
    assert [solution["g"] for solution in named] == [G2]  # type: ignore[union-attr]


def test_a_query_sees_every_write_committed_before_it(pool: PooledStore) -> None:
    count = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"

    def triples() -> int:
        outcome = pool.query(count)
        return int(next(iter(outcome))["n"].value)  # type: ignore[arg-type,index,union-attr]

    assert triples() == 0
    pool.update(f"INSERT DATA {{ GRAPH <{G1.value}> {{ <{EX}a> <{EX}p> 1 }} }}")
    assert triples() == 1
    pool.load(f'<{EX}b> <{EX}p> "2" .\n'.encode(), RdfFormat.N_TRIPLES, G1)
    assert triples() == 2
    pool.replace_graphs({G1: [Triple(NamedNode(EX + "c"), P, Literal("3"))]})
    assert triples() == 1
    pool.clear_graph(G1)
    assert triples() == 0


def test_every_worker_sees_the_write_not_only_the_next_one(pool: PooledStore) -> None:
    pool.query_each_worker("ASK {}")  # both workers have answered at generation 0
    _insert_many(pool, 1)
    # one client's queries all go to the worker that answered last: ask each worker
    assert [bool(answer) for answer in pool.query_each_worker("ASK { ?s ?p ?o }")] == [True, True]


def test_an_answer_longer_than_max_rows_is_cut_and_noted(pool: PooledStore) -> None:
    _insert_many(pool, 1500)
    with noting_answers() as notes:
        outcome = pool.query("SELECT * { ?s ?p ?o }")
        rows = list(outcome)
    assert len(rows) == 1000
    assert notes.truncated_at == 1000


def test_a_construct_longer_than_max_rows_is_cut_and_noted(pool: PooledStore) -> None:
    _insert_many(pool, 1500)
    with noting_answers() as notes:
        triples = list(pool.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    assert len(triples) == 1000
    assert notes.truncated_at == 1000


def test_an_answer_of_exactly_max_rows_is_not_noted(pool: PooledStore) -> None:
    _insert_many(pool, 1000)
    with noting_answers() as notes:
        rows = list(pool.query("SELECT * { ?s ?p ?o }"))
    assert len(rows) == 1000
    assert notes.truncated_at is None


def test_the_service_may_allow_its_own_queries_more_rows_than_max_rows(pool: PooledStore) -> None:
    _insert_many(pool, 1500)
    with noting_answers() as notes, rows_allowed(2000):
        rows = list(pool.query("SELECT * { ?s ?p ?o }"))
    assert len(rows) == 1500
    assert notes.truncated_at is None


def test_an_answer_past_the_allowance_is_cut_and_noted_at_the_allowance(pool: PooledStore) -> None:
    _insert_many(pool, 1500)
    with noting_answers() as notes, rows_allowed(1200):
        rows = list(pool.query("SELECT * { ?s ?p ?o }"))
    assert len(rows) == 1200
    assert notes.truncated_at == 1200


def test_the_allowance_ends_with_its_block(pool: PooledStore) -> None:
    _insert_many(pool, 1500)
    with rows_allowed(2000):
        pass
    with noting_answers() as notes:
        rows = list(pool.query("SELECT * { ?s ?p ?o }"))
    assert len(rows) == 1000
    assert notes.truncated_at == 1000


def test_a_runaway_query_is_stopped_at_the_deadline_and_its_worker_killed(pool: PooledStore) -> None:
    _insert_many(pool, 2000)
    before = pool.worker_pids()
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        pool.query(CARTESIAN_COUNT)
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 1.8
    killed = set(before) - set(pool.worker_pids())
    assert len(killed) == 1
    assert not any(_alive(pid) for pid in killed)


def test_a_killed_worker_is_replaced_and_the_pool_keeps_answering(pool: PooledStore) -> None:
    _insert_many(pool, 2000)
    with pytest.raises(QueryTimeout):
        pool.query(CARTESIAN_COUNT)
    assert bool(pool.query("ASK { ?s ?p ?o }"))
    _wait_for(lambda: len(pool.worker_pids()) == 2)


def test_a_worker_crash_is_reported_and_the_pool_recovers(pool: PooledStore) -> None:
    # pyoxigraph's recursive-descent parser overflows its stack on this (SIGSEGV): the worker dies, not us
    nested = "SELECT * {" + "{" * 100_000 + "}" * 100_000 + "}"
    with pytest.raises(QueryAborted, match="killed by SIGSEGV"):
        pool.query(nested)
    assert bool(pool.query("ASK {}"))
    _wait_for(lambda: len(pool.worker_pids()) == 2)


def test_close_leaves_no_worker_behind(tmp_path: Path) -> None:
    store = PooledStore(tmp_path / "store", workers=3, query_timeout=5.0)
    pids = store.worker_pids()
    assert len(pids) == 3
    assert all(_alive(pid) for pid in pids)
    store.close()
    assert not any(_alive(pid) for pid in pids)


def test_a_store_held_by_another_writer_cannot_be_pooled(tmp_path: Path) -> None:
    holder = OxigraphStore(tmp_path / "store")
    try:
        with pytest.raises(StoreError):
            PooledStore(tmp_path / "store", workers=1, query_timeout=5.0)
    finally:
        holder.close()


def test_no_worker_process_is_started_when_the_store_cannot_be_opened(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    children_before = _children()
    with pytest.raises(StoreError):
        PooledStore(blocked, workers=2, query_timeout=5.0)
    assert _children() == children_before


def _children() -> set[int]:
    me = str(os.getpid())
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            if fields[1] == me and fields[0] != "Z":
                found.add(int(entry))
    return found


def _back(idle: _IdleWorkers, *answers: str) -> None:
    """Workers named 0, 1, ... come back in that order, each having answered from ``answers[i]``."""
    for name, source in enumerate(answers):
        idle.put(cast(_Worker, SimpleNamespace(name=name, answered_from=source)))


def _next(idle: _IdleWorkers) -> int:
    return cast(int, cast(SimpleNamespace, idle.get(timeout=0)).name)


def test_the_next_query_goes_to_the_worker_that_answered_last_from_its_copy() -> None:
    idle = _IdleWorkers(copying=True)
    _back(idle, "memory", "disk", "memory", "disk")
    assert [_next(idle) for _ in range(2)] == [2, 0]


def test_while_no_worker_answers_from_its_copy_the_one_idle_longest_is_asked() -> None:
    # after a write, while every worker copies again: the queries of one client reach each in turn
    idle = _IdleWorkers(copying=True)
    _back(idle, "disk", "disk", "disk")
    assert [_next(idle) for _ in range(3)] == [0, 1, 2]


def test_without_memory_copies_the_worker_that_answered_last_is_asked() -> None:
    idle = _IdleWorkers(copying=False)
    _back(idle, "disk", "disk", "disk")
    assert [_next(idle) for _ in range(3)] == [2, 1, 0]


def test_no_worker_back_within_the_wait_is_an_empty_queue() -> None:
    with pytest.raises(queue.Empty):
        _IdleWorkers(copying=True).get(timeout=0.05)
