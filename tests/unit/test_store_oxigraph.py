"""The embedded adapter of the Store port."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, RdfFormat, Triple

from vcgraph.store import Dataset, StoreError, open_store
from vcgraph.store import oxigraph as adapter
from vcgraph.store.oxigraph import OxigraphStore

G1 = NamedNode("http://example.org/g1")
G2 = NamedNode("http://example.org/g2")
S = NamedNode("http://example.org/s")
P = NamedNode("http://example.org/p")


def text(term: object) -> str:
    assert isinstance(term, Literal)
    return term.value


def triple(value: str) -> Triple:
    return Triple(S, P, Literal(value))


def test_replace_graphs_swaps_content_of_every_graph(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    store.replace_graphs({G1: [triple("old")], G2: [triple("old2")]})
    store.replace_graphs({G1: [triple("new")]})
    assert {text(q.object) for q in store.quads(G1)} == {"new"}
    assert {text(q.object) for q in store.quads(G2)} == {"old2"}
    assert store.graphs() == [G1, G2]


def test_replace_graphs_leaves_no_staging_graph(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    store.replace_graphs({G1: [triple("a")]})
    assert store.graphs() == [G1]


def test_failed_replace_keeps_the_old_content(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    store.replace_graphs({G1: [triple("old")]})

    def broken() -> object:
        yield triple("half")
        raise RuntimeError("reader died")

    with pytest.raises(RuntimeError):
        store.replace_graphs({G1: broken()})  # type: ignore[dict-item]
    assert {text(q.object) for q in store.quads(G1)} == {"old"}
    assert store.graphs() == [G1]


def test_dataset_restricts_default_and_named_graphs(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    store.replace_graphs({G1: [triple("one")], G2: [triple("two")]})
    result = store.query("SELECT ?o WHERE { ?s ?p ?o }", dataset=Dataset(default_graphs=[G1], named_graphs=[G1]))
    assert isinstance(result, QuerySolutions)
    assert [r["o"].value for r in result] == ["one"]
    named = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=Dataset(named_graphs=[G2]))
    assert [r["g"] for r in named] == [G2]  # type: ignore[union-attr]


def test_load_and_dump_round_trip(tmp_path: Path) -> None:
    store = open_store(":memory:")
    store.load(b'<http://example.org/s> <http://example.org/p> "x" .', RdfFormat.N_TRIPLES, G1)
    assert store.dump(RdfFormat.N_TRIPLES, G1) == b'<http://example.org/s> <http://example.org/p> "x" .\n'


def test_second_writer_on_the_same_directory_is_refused(tmp_path: Path) -> None:
    first = OxigraphStore(tmp_path / "store")
    with pytest.raises(StoreError):
        OxigraphStore(tmp_path / "store")
    first.close()


def values(store: OxigraphStore, graph: NamedNode) -> set[str]:
    return {text(q.object) for q in store.quads(graph)}


def test_small_change_is_applied_as_a_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graphs({G1: [triple(str(i)) for i in range(100)]})
    monkeypatch.setattr(store, "_swap_through_staging", lambda graphs: pytest.fail("should not stage"))
    store.replace_graphs({G1: [triple(str(i)) for i in range(1, 101)]})
    assert values(store, G1) == {str(i) for i in range(1, 101)}


def test_large_change_goes_through_staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adapter, "DIFF_LIMIT", 10)
    store = OxigraphStore(tmp_path / "store")
    store.replace_graphs({G1: [triple(str(i)) for i in range(50)], G2: [triple("kept")]})
    store.replace_graphs({G1: [triple(f"n{i}") for i in range(50)]})
    assert values(store, G1) == {f"n{i}" for i in range(50)}
    assert values(store, G2) == {"kept"}
    assert store.graphs() == [G1, G2]


def test_blank_nodes_survive_a_replacement(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    node = BlankNode("b1")
    store.replace_graphs({G1: [Triple(node, P, Literal("x"))]})
    store.replace_graphs({G1: [Triple(node, P, Literal("y"))]})
    assert [text(q.object) for q in store.quads(G1)] == ["y"]


def test_replacing_with_the_same_content_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graphs({G1: [triple("a")]})

    class ReadOnlyProxy:
        """Forwards reads to the real pyoxigraph store; any write fails the test."""

        def __init__(self, inner: object) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            if name in ("extend", "update", "add", "remove", "remove_graph", "bulk_extend", "load"):
                pytest.fail(f"no write expected, got {name}")
            return getattr(self.inner, name)

    monkeypatch.setattr(store, "_store", ReadOnlyProxy(store._store))
    store.replace_graphs({G1: [triple("a")]})
    assert values(store, G1) == {"a"}


def test_failing_producer_writes_nothing_into_a_new_graph(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")

    def broken() -> object:
        yield triple("half")
        raise RuntimeError("reader died")

    with pytest.raises(RuntimeError):
        store.replace_graphs({G1: broken(), G2: [triple("other")]})  # type: ignore[dict-item]
    assert store.graphs() == []


def many(prefix: str, count: int) -> list[Triple]:
    return [triple(f"{prefix}{i}") for i in range(count)]


@pytest.fixture
def bulk_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulk-load new graphs from 10 triples on, in chunks of 7: every chunk boundary is exercised."""
    monkeypatch.setattr(adapter, "BULK_MIN_TRIPLES", 10)
    monkeypatch.setattr(adapter, "BULK_CHUNK", 7)


class FailingBulkLoad:
    """Forwards to the real pyoxigraph store; ``bulk_extend`` runs ``on_call(n)`` before its n-th call (from 1)."""

    def __init__(self, inner: object, on_call: object) -> None:
        self.inner, self.on_call, self.calls = inner, on_call, 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def bulk_extend(self, quads: object) -> None:
        self.calls += 1
        self.on_call(self.calls)  # type: ignore[operator]
        self.inner.bulk_extend(quads)  # type: ignore[attr-defined]


def test_a_large_new_graph_is_bulk_loaded_whole_and_leaves_no_marker(tmp_path: Path, bulk_sizes: None) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graphs({G1: many("a", 30), G2: many("b", 12)})
    assert values(store, G1) == {f"a{i}" for i in range(30)}
    assert values(store, G2) == {f"b{i}" for i in range(12)}
    assert store.graphs() == [G1, G2]
    assert adapter.hidden_graphs(store._store) == set()
    assert list(store._store.named_graphs()) != [] and adapter.PENDING not in set(store._store.named_graphs())


def test_a_graph_being_bulk_loaded_is_listed_only_once_complete(
    tmp_path: Path, bulk_sizes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graphs({G2: [triple("already there")]})
    listed_while_loading: list[list[NamedNode]] = []
    proxy = FailingBulkLoad(store._store, lambda call: listed_while_loading.append(store.graphs()))
    monkeypatch.setattr(store, "_store", proxy)
    store.replace_graphs({G1: many("a", 30)})
    assert proxy.calls == 5  # 30 triples in chunks of 7
    assert listed_while_loading == [[G2]] * 5  # G1 half-written from the second call on, and never listed
    assert store.graphs() == [G1, G2]


def test_a_bulk_load_that_fails_midway_leaves_nothing_behind(
    tmp_path: Path, bulk_sizes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = OxigraphStore(tmp_path / "store")

    def fail_on_third(call: int) -> None:
        if call == 3:
            raise OSError("disk full")

    monkeypatch.setattr(store, "_store", FailingBulkLoad(store._store, fail_on_third))
    with pytest.raises(OSError, match="disk full"):
        store.replace_graphs({G1: many("a", 30)})
    assert store.graphs() == []
    assert list(store.quads(G1)) == []
    assert adapter.hidden_graphs(store._store.inner) == set()  # type: ignore[attr-defined]


def test_a_half_loaded_graph_left_by_a_crash_is_hidden_then_removed_on_the_next_writable_open(tmp_path: Path) -> None:
    import pyoxigraph

    path = tmp_path / "store"
    raw = pyoxigraph.Store(str(path))
    raw.add(pyoxigraph.Quad(S, P, Literal("kept"), G2))
    raw.add(pyoxigraph.Quad(G1, adapter.PENDING_LOAD, Literal("token"), adapter.PENDING))  # marked, then killed
    raw.bulk_extend([pyoxigraph.Quad(S, P, Literal("half"), G1)])
    raw.flush()
    del raw
    reader = OxigraphStore(path, read_only=True)
    assert reader.graphs() == [G2]  # a reader opened before the clean-up does not list it either
    reader.close()
    del reader
    store = OxigraphStore(path)
    assert list(store.quads(G1)) == []
    assert set(store._store.named_graphs()) == {G2}


def test_blank_nodes_keep_their_identity_across_bulk_chunks(tmp_path: Path, bulk_sizes: None) -> None:
    store = OxigraphStore(tmp_path / "store")
    node = BlankNode("shared")
    store.replace_graphs({G1: [Triple(node, P, Literal(str(i))) for i in range(30)]})
    assert len({q.subject for q in store.quads(G1)}) == 1


def test_the_graph_list_follows_every_write(tmp_path: Path) -> None:
    # graphs() is kept between writes: each kind of write must show in the next list
    store = OxigraphStore(tmp_path / "store")
    assert store.graphs() == []
    store.update(f'INSERT DATA {{ GRAPH <{G1.value}> {{ <{G1.value}> <{G1.value}> "x" }} }}')
    assert store.graphs() == [G1]
    store.load(f'<{G2.value}> <{G2.value}> "y" .'.encode(), RdfFormat.N_TRIPLES, G2)
    assert store.graphs() == [G1, G2]
    store.clear_graph(G1)
    assert store.graphs() == [G2]
    store.replace_graphs({G1: [triple("z")]})
    listed = store.graphs()
    listed.clear()  # a caller's copy: the next call is not affected
    assert store.graphs() == [G1, G2]
