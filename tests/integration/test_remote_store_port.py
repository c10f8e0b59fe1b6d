"""Every Store port behaviour, run against the embedded adapter and the remote one over a real Oxigraph server.

The same assertions on both adapters are what "the layers above cannot tell them apart" means.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)

from vcgraph.store import Dataset, Store, open_store
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.remote import RemoteSettings, RemoteStore

pytestmark = pytest.mark.integration

EX = "http://example.org/"
G1 = NamedNode(EX + "g1")
G2 = NamedNode(EX + "g2")
S = NamedNode(EX + "s")
P = NamedNode(EX + "p")


def triple(value: str, subject: NamedNode = S) -> Triple:
    return Triple(subject, P, Literal(value))


def objects(store: Store, graph: NamedNode | DefaultGraph) -> set[str]:
    return {q.object.value for q in store.quads(graph)}


TEST_GRAPHS = ("http://example.org/", "urn:vcgraph:")


def every_graph(store: Store) -> list[NamedNode]:
    """Every graph the engine holds that a test could have made, staging graphs included."""
    if isinstance(store, RemoteStore):
        names = store._graph_names()
    else:
        assert isinstance(store, OxigraphStore)
        names = list(store._store.named_graphs())
    found = {g.value for g in names if isinstance(g, NamedNode) and g.value.startswith(TEST_GRAPHS)}
    found.discard("urn:vcgraph:default")  # the default graph's stand-in on Virtuoso
    return [NamedNode(g) for g in sorted(found)]


@pytest.fixture(params=["embedded", "remote-gsp", "remote-update", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The embedded store; the remote adapter on Oxigraph server writing through the Graph Store Protocol or
    SPARQL Update; the remote adapter on Virtuoso (with VCGRAPH_TEST_VIRTUOSO=1)."""
    opened: Store
    if request.param == "embedded":
        opened = open_store(str(tmp_path / "store"))
    elif request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso_server")
        opened = RemoteStore(server.remote_settings(graph_prefixes=("http://example.org/",), batch_size=2))
        for graph in [*every_graph(opened), NamedNode("urn:vcgraph:default")]:
            opened.update(f"DROP SILENT GRAPH {graph}")
    else:
        server = request.getfixturevalue("oxigraph_server")
        server.clear()
        opened = RemoteStore(
            RemoteSettings(
                query_url=server.query_url,
                update_url=server.update_url,
                gsp_url=server.gsp_url if request.param == "remote-gsp" else None,
                batch_size=2,  # tiny batches, so every write here spans several requests
                timeout=30.0,
            )
        )
    try:
        yield opened
    finally:
        opened.close()


# The port promises graphs() lists non-empty graphs only, on every adapter.
EVERY_ADAPTER_LISTS_NON_EMPTY = pytest.mark.parametrize(
    "store",
    [
        "embedded",
        "remote-gsp",
        "remote-update",
        "virtuoso",
    ],
    indirect=True,
)


def test_select_returns_query_solutions(store: Store) -> None:
    store.replace_graphs({G1: [triple("one")]})
    result = store.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, QuerySolutions)
    assert [v.value for v in result.variables] == ["o"]
    assert [row["o"] for row in result] == [Literal("one")]


def test_queries_in_turn_are_answered_in_order_on_the_dataset_given(store: Store) -> None:
    store.replace_graphs({G1: [triple("one")], G2: [triple("two")]})
    queries = [
        "SELECT ?o WHERE { ?s ?p ?o }",
        "ASK { ?s ?p 'two' }",
        "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
    ]
    answers = []
    for outcome in store.query_in_turn(queries, dataset=Dataset(default_graphs=[G1], named_graphs=[G2])):
        answers.append(bool(outcome) if isinstance(outcome, QueryBoolean) else [row[0] for row in outcome])
    assert answers == [[Literal("one")], False, [Literal("two")]]


def test_no_queries_in_turn_is_no_answer(store: Store) -> None:
    assert list(store.query_in_turn([])) == []


def test_select_keeps_typed_and_language_literals_and_unbound_variables(store: Store) -> None:
    store.update(
        'PREFIX ex: <http://example.org/> INSERT DATA { GRAPH ex:g1 { ex:s ex:p 42 , "bonjour"@fr } }'
    )
    result = store.query(
        "SELECT ?o ?missing WHERE { GRAPH ?g { ?s ?p ?o } OPTIONAL { ?o ?x ?missing } } ORDER BY STR(?o)"
    )
    rows = list(result)  # type: ignore[arg-type]
    assert [row["o"] for row in rows] == [Literal(42), Literal("bonjour", language="fr")]
    assert all(row["missing"] is None for row in rows)


def test_ask_returns_query_boolean(store: Store) -> None:
    store.replace_graphs({G1: [triple("one")]})
    yes = store.query('ASK { GRAPH ?g { ?s ?p "one" } }')
    no = store.query('ASK { GRAPH ?g { ?s ?p "two" } }')
    assert isinstance(yes, QueryBoolean) and bool(yes) is True
    assert isinstance(no, QueryBoolean) and bool(no) is False


def test_construct_returns_query_triples(store: Store) -> None:
    store.replace_graphs({G1: [triple("one"), triple("two")]})
    result = store.query("CONSTRUCT { ?s <http://example.org/q> ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, QueryTriples)
    assert {t.object.value for t in result} == {"one", "two"}


def test_construct_answer_serialises_like_the_embedded_one(store: Store) -> None:
    store.replace_graphs({G1: [triple("one")]})
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, QueryTriples)
    assert result.serialize(format=RdfFormat.N_TRIPLES) == b'<http://example.org/s> <http://example.org/p> "one" .\n'


def test_base_iri_resolves_relative_iris(store: Store) -> None:
    result = store.query("SELECT ?x WHERE { BIND(<thing> AS ?x) }", base_iri="http://example.org/base/")
    assert [row["x"] for row in result] == [NamedNode("http://example.org/base/thing")]  # type: ignore[union-attr]


def test_malformed_query_raises_syntax_error(store: Store) -> None:
    with pytest.raises(SyntaxError):
        store.query("SELEC ?x WHERE { }")


def test_malformed_update_raises_syntax_error_and_changes_nothing(store: Store) -> None:
    store.replace_graphs({G1: [triple("old")]})
    with pytest.raises(SyntaxError):
        store.update('PREFIX ex: <http://example.org/> INSERT DATA { GRAPH ex:g1 { ex:s ex:p "x" } } ; BOGUS')
    assert objects(store, G1) == {"old"}


def test_dataset_restricts_default_and_named_graphs(store: Store) -> None:
    store.replace_graphs({G1: [triple("one")], G2: [triple("two")]})
    result = store.query("SELECT ?o WHERE { ?s ?p ?o }", dataset=Dataset(default_graphs=[G1], named_graphs=[G1]))
    assert [r["o"].value for r in result] == ["one"]  # type: ignore[union-attr]
    named = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=Dataset(named_graphs=[G2]))
    assert [r["g"] for r in named] == [G2]  # type: ignore[union-attr]


def test_dataset_with_default_graph_and_named_graphs_as_union(store: Store) -> None:
    """The public dataset in union mode: the store's (empty) default graph plus the public named graphs."""
    store.replace_graphs({G1: [triple("one")], G2: [triple("two")]})
    result = store.query(
        "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o",
        dataset=Dataset(default_graphs=[DefaultGraph(), G1, G2], named_graphs=[G1]),
    )
    assert [r["o"].value for r in result] == ["one", "two"]  # type: ignore[union-attr]
    graphs = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        dataset=Dataset(default_graphs=[DefaultGraph(), G1, G2], named_graphs=[G1]),
    )
    assert [r["g"] for r in graphs] == [G1]  # type: ignore[union-attr]


def test_dataset_with_the_default_graph_and_some_named_graphs(store: Store) -> None:
    """The public dataset in standard mode: the store's own (empty) default graph and the listed named graphs."""
    store.replace_graphs({G1: [triple("one")], G2: [triple("two")]})
    result = store.query(
        "SELECT ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } ORDER BY ?o",
        dataset=Dataset(default_graphs=[DefaultGraph()], named_graphs=[G2]),
    )
    assert [r["o"].value for r in result] == ["two"]  # type: ignore[union-attr]


def test_empty_named_graph_list_means_no_named_graph(store: Store) -> None:
    store.replace_graphs({G1: [triple("one")]})
    result = store.query(
        "ASK { GRAPH ?g { ?s ?p ?o } }", dataset=Dataset(default_graphs=[G1], named_graphs=[])
    )
    assert bool(result) is False  # type: ignore[arg-type]


def test_union_default_graph_reads_every_graph(store: Store) -> None:
    store.replace_graphs({G1: [triple("one")], G2: [triple("two")]})
    result = store.query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", dataset=Dataset(union_default_graph=True))
    assert [r["o"].value for r in result] == ["one", "two"]  # type: ignore[union-attr]


def test_update_applies_every_operation(store: Store) -> None:
    store.update(
        'INSERT DATA { GRAPH <http://example.org/g1> { <http://example.org/s> <http://example.org/p> "a" } } ;'
        'INSERT DATA { GRAPH <http://example.org/g2> { <http://example.org/s> <http://example.org/p> "b" } }'
    )
    assert objects(store, G1) == {"a"}
    assert objects(store, G2) == {"b"}


def test_replace_graphs_swaps_content_of_every_graph(store: Store) -> None:
    store.replace_graphs({G1: [triple("old")], G2: [triple("old2")]})
    store.replace_graphs({G1: [triple("new"), triple("new", NamedNode(EX + "s2")), triple("newer")]})
    assert objects(store, G1) == {"new", "newer"}
    assert objects(store, G2) == {"old2"}
    assert store.graphs() == [G1, G2]


@EVERY_ADAPTER_LISTS_NON_EMPTY
def test_replace_graphs_with_no_triples_empties_the_graph(store: Store) -> None:
    store.replace_graphs({G1: [triple("old")], G2: [triple("keep")]})
    store.replace_graphs({G1: []})
    assert objects(store, G1) == set()
    assert store.graphs() == [G2]


def test_replace_graphs_leaves_no_staging_graph(store: Store) -> None:
    store.replace_graphs({G1: [triple(str(n)) for n in range(5)]})
    assert store.graphs() == [G1]
    assert every_graph(store) == [G1]


def test_failed_replace_keeps_the_old_content_and_no_staging(store: Store) -> None:
    store.replace_graphs({G1: [triple("old")]})

    def broken() -> Iterator[Triple]:
        for n in range(5):  # past the batch size: some batches reached the store before the failure
            yield triple(f"half{n}")
        raise RuntimeError("reader died")

    with pytest.raises(RuntimeError):
        store.replace_graphs({G1: broken(), G2: [triple("never")]})
    assert objects(store, G1) == {"old"}
    assert store.graphs() == [G1]
    assert every_graph(store) == [G1]


def test_replace_graphs_keeps_blank_nodes_whole_across_batches(store: Store) -> None:
    node = BlankNode()
    triples = [Triple(S, P, node), *[triple(str(n)) for n in range(5)], Triple(node, P, Literal("inner"))]
    store.replace_graphs({G1: triples})
    result = store.query(
        'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <http://example.org/s> ?p ?b . ?b ?q "inner" } }'
    )
    assert [r["n"].value for r in result] == ["1"]  # type: ignore[union-attr]


def test_load_triples_into_a_graph(store: Store) -> None:
    data = "".join(f'<http://example.org/s> <http://example.org/p> "{n}" .\n' for n in range(5)).encode()
    store.load(data, RdfFormat.N_TRIPLES, G1)
    assert objects(store, G1) == {str(n) for n in range(5)}


def test_load_adds_to_what_the_graph_holds(store: Store) -> None:
    store.replace_graphs({G1: [triple("before")]})
    store.load(b'<http://example.org/s> <http://example.org/p> "after" .', RdfFormat.N_TRIPLES, G1)
    assert objects(store, G1) == {"before", "after"}


def test_load_quads_into_their_graphs(store: Store) -> None:
    data = (
        b'<http://example.org/s> <http://example.org/p> "a" <http://example.org/g1> .\n'
        b'<http://example.org/s> <http://example.org/p> "b" <http://example.org/g2> .\n'
        b'<http://example.org/s> <http://example.org/p> "d" .\n'
    )
    store.load(data, RdfFormat.N_QUADS)
    assert objects(store, G1) == {"a"}
    assert objects(store, G2) == {"b"}
    assert objects(store, DefaultGraph()) == {"d"}


def test_load_from_a_file(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "data.ttl"
    path.write_text('@prefix ex: <http://example.org/> . ex:s ex:p "from file" .\n', encoding="utf-8")
    store.load(path, RdfFormat.TURTLE, G1)
    assert objects(store, G1) == {"from file"}


def test_malformed_load_adds_nothing(store: Store) -> None:
    data = b'<http://example.org/s> <http://example.org/p> "ok" .\n<http://example.org/s> <broken'
    with pytest.raises(SyntaxError):
        store.load(data, RdfFormat.N_TRIPLES, G1)
    assert objects(store, G1) == set()
    assert store.graphs() == []


def test_dump_one_graph_as_n_triples(store: Store) -> None:
    store.load(b'<http://example.org/s> <http://example.org/p> "x" .', RdfFormat.N_TRIPLES, G1)
    assert store.dump(RdfFormat.N_TRIPLES, G1) == b'<http://example.org/s> <http://example.org/p> "x" .\n'


def test_dump_the_dataset_as_n_quads(store: Store) -> None:
    store.replace_graphs({G1: [triple("a")], G2: [triple("b")]})
    lines = sorted(store.dump(RdfFormat.N_QUADS).decode().splitlines())
    assert lines == [
        '<http://example.org/s> <http://example.org/p> "a" <http://example.org/g1> .',
        '<http://example.org/s> <http://example.org/p> "b" <http://example.org/g2> .',
    ]


def test_dump_of_an_empty_graph_is_empty(store: Store) -> None:
    assert store.dump(RdfFormat.N_TRIPLES, G1) == b""


def test_quads_of_one_graph_and_of_all(store: Store) -> None:
    store.replace_graphs({G1: [triple("a")], G2: [triple("b")]})
    assert set(store.quads(G1)) == {Quad(S, P, Literal("a"), G1)}
    assert set(store.quads()) == {Quad(S, P, Literal("a"), G1), Quad(S, P, Literal("b"), G2)}


@EVERY_ADAPTER_LISTS_NON_EMPTY
def test_graphs_lists_non_empty_named_graphs_sorted(store: Store) -> None:
    store.replace_graphs({G2: [triple("b")], G1: [triple("a")]})
    store.update("CREATE SILENT GRAPH <http://example.org/empty>")
    assert store.graphs() == [G1, G2]


@EVERY_ADAPTER_LISTS_NON_EMPTY
def test_graphs_checks_emptiness_in_batches(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vcgraph.store.remote._NON_EMPTY_BATCH", 2)  # three graphs: two queries on Virtuoso
    third = NamedNode(EX + "g3")
    store.replace_graphs({G2: [triple("b")], G1: [triple("a")], third: [triple("c")]})
    store.update("CREATE SILENT GRAPH <http://example.org/empty>")
    assert store.graphs() == [G1, G2, third]


def test_clear_graph_removes_one_graph(store: Store) -> None:
    store.replace_graphs({G1: [triple("a")], G2: [triple("b")]})
    store.clear_graph(G1)
    assert store.graphs() == [G2]
    assert objects(store, G1) == set()


def test_clear_graph_of_a_missing_graph_is_no_error(store: Store) -> None:
    store.clear_graph(NamedNode(EX + "never"))
    assert store.graphs() == []


def test_clear_default_graph_keeps_named_graphs(store: Store) -> None:
    store.replace_graphs({G1: [triple("a")]})
    store.load(b'<http://example.org/s> <http://example.org/p> "d" .', RdfFormat.N_TRIPLES)
    store.clear_graph(DefaultGraph())
    assert objects(store, DefaultGraph()) == set()
    assert objects(store, G1) == {"a"}


@contextmanager
def _with_default_batches(store: Store) -> Iterator[Store]:
    """``store`` as an operator gets it: the remote adapter with its default batch size, not the tests' tiny one."""
    if not isinstance(store, RemoteStore):
        yield store
        return
    default = RemoteSettings.__dataclass_fields__["batch_size"].default
    written = RemoteStore(replace(store.settings, batch_size=default))
    try:
        yield written
    finally:
        written.close()


def _count(store: Store) -> list[str]:
    return [r["n"].value for r in store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")]  # type: ignore[union-attr]


def test_a_replace_of_thousands_of_triples_lands_whole(store: Store) -> None:
    # a wave of the demo survey holds thousands of triples; Virtuoso refuses them in one update request
    with _with_default_batches(store) as written:
        written.replace_graphs({G1: [triple(f"value {n}", NamedNode(f"{EX}s{n}")) for n in range(5_000)]})
        assert _count(written) == ["5000"]
        assert written.graphs() == [G1]


def test_a_load_of_thousands_of_triples_lands_whole(store: Store) -> None:
    document = "".join(f'<{EX}s{n}> <{EX}p> "value {n}" .\n' for n in range(5_000)).encode()
    with _with_default_batches(store) as written:
        written.load(document, RdfFormat.N_TRIPLES, G1)
        assert _count(written) == ["5000"]
