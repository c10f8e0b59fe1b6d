"""The embedded adapter of the Store port."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, QuerySolutions, RdfFormat, Triple

from vcgraph.store import Dataset, StoreError, open_store
from vcgraph.store.oxigraph import OxigraphStore

G1 = NamedNode("http://example.org/g1")
G2 = NamedNode("http://example.org/g2")
S = NamedNode("http://example.org/s")
P = NamedNode("http://example.org/p")


def triple(value: str) -> Triple:
    return Triple(S, P, Literal(value))


def test_replace_graphs_swaps_content_of_every_graph(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    store.replace_graphs({G1: [triple("old")], G2: [triple("old2")]})
    store.replace_graphs({G1: [triple("new")]})
    assert {q.object.value for q in store.quads(G1)} == {"new"}
    assert {q.object.value for q in store.quads(G2)} == {"old2"}
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
    assert {q.object.value for q in store.quads(G1)} == {"old"}
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


def test_remote_locations_are_refused_clearly() -> None:
    with pytest.raises(StoreError, match="remote"):
        open_store("http://127.0.0.1:7878/query")
