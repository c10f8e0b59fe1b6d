"""Dataset clauses read from SPARQL text, USING clauses added to updates, and the dataset of a public query."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, serialize

from vcgraph.config import Settings
from vcgraph.service.sparql import SparqlForbidden, SparqlRefused, answer, query_dataset, run_query, run_update
from vcgraph.sparql.text import UsingConflict, add_using_clauses, dataset_clauses
from vcgraph.store.oxigraph import OxigraphStore

BASE = "https://w3id.org/vcgraph/"
WAVE = f"{BASE}graph/wave/W1"
RESTRICTED = f"{BASE}graph/restricted/W1"


def test_from_clauses_resolve_prefixed_names_and_relative_iris() -> None:
    text = (
        "BASE <http://example.org/dir/> PREFIX g: <http://example.org/graphs/>\n"
        "SELECT * FROM g:one FROM NAMED <two> {}"
    )
    clauses = dataset_clauses(text)
    assert [(c.keyword, c.named, c.iri) for c in clauses] == [
        ("FROM", False, "http://example.org/graphs/one"),
        ("FROM", True, "http://example.org/dir/two"),
    ]


def test_an_undeclared_prefix_leaves_the_clause_unresolved() -> None:
    assert [c.iri for c in dataset_clauses("SELECT * FROM nope:g {}")] == [None]


def test_from_inside_strings_iris_and_comments_is_not_a_clause() -> None:
    text = 'SELECT * WHERE { ?s <http://e/FROM> "FROM <http://x>" } # FROM <http://y>'
    assert dataset_clauses(text) == []


def test_using_clauses_of_updates_are_read_too() -> None:
    text = "DELETE { ?s ?p ?o } USING <http://e/g> USING NAMED <http://e/h> WHERE { ?s ?p ?o }"
    assert [(c.keyword, c.named, c.iri) for c in dataset_clauses(text)] == [
        ("USING", False, "http://e/g"),
        ("USING", True, "http://e/h"),
    ]


def test_using_clauses_go_before_the_where_of_each_modify_operation() -> None:
    update = "INSERT { ?s a <http://e/C> } WHERE { ?s ?p ?o } ; DELETE { ?s ?p ?o } WHERE { { SELECT * WHERE {} } }"
    rewritten = add_using_clauses(update, "USING <http://e/g>")
    assert rewritten == (
        "INSERT { ?s a <http://e/C> } USING <http://e/g> WHERE { ?s ?p ?o } ; "
        "DELETE { ?s ?p ?o } USING <http://e/g> WHERE { { SELECT * WHERE {} } }"
    )


def test_data_operations_get_no_using_clause() -> None:
    update = 'INSERT DATA { <http://e/s> <http://e/p> "WHERE" }'
    assert add_using_clauses(update, "USING <http://e/g>") == update


def test_the_delete_where_short_form_cannot_take_using_parameters() -> None:
    with pytest.raises(UsingConflict, match="1:8"):
        add_using_clauses("DELETE WHERE { ?s ?p ?o }", "USING <http://e/g>")


@pytest.fixture
def store(tmp_path: Path) -> OxigraphStore:
    store = OxigraphStore(tmp_path / "store")
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [
        Quad(NamedNode("http://e/public"), label, Literal("public"), NamedNode(WAVE)),
        Quad(NamedNode("http://e/secret"), label, Literal("secret"), NamedNode(RESTRICTED)),
        Quad(NamedNode("http://e/default"), label, Literal("default"), DefaultGraph()),
    ]
    store.load(serialize(quads, format=RdfFormat.N_QUADS) or b"", RdfFormat.N_QUADS)
    return store


SETTINGS = Settings(base_iri=BASE, default_graph="standard")


def test_a_query_without_dataset_clauses_gets_the_public_dataset(store: OxigraphStore) -> None:
    dataset = query_dataset(store, SETTINGS, "SELECT * {}")
    assert dataset.default_graphs == [DefaultGraph()]
    assert dataset.named_graphs == [NamedNode(WAVE)]


def test_from_clauses_become_the_explicit_dataset(store: OxigraphStore) -> None:
    dataset = query_dataset(store, SETTINGS, f"SELECT * FROM NAMED <{WAVE}> {{}}")
    assert dataset.default_graphs == []  # FROM NAMED alone: an empty default graph, as SPARQL 1.1 says
    assert dataset.named_graphs == [NamedNode(WAVE)]


def test_protocol_parameters_win_over_from_clauses(store: OxigraphStore) -> None:
    dataset = query_dataset(store, SETTINGS, f"SELECT * FROM <{WAVE}> {{}}", default_graph_uris=[WAVE])
    assert dataset.default_graphs == [NamedNode(WAVE)]
    assert dataset.named_graphs == []


@pytest.mark.parametrize(
    ("query", "defaults", "named"),
    [
        (f"SELECT * FROM <{RESTRICTED}> {{}}", (), ()),
        ("PREFIX r: <https://w3id.org/vcgraph/graph/restricted/> SELECT * FROM NAMED r:W1 {}", (), ()),
        (f"SELECT * FROM <{WAVE}> {{}}", (RESTRICTED,), ()),
        ("SELECT * {}", (), (f"{BASE}graph/staging/W1",)),
        ("SELECT * {}", (f"{BASE}graph/restricted/not-in-store",), ()),
    ],
)
def test_naming_a_restricted_or_staging_graph_is_forbidden_whether_or_not_it_exists(
    store: OxigraphStore, query: str, defaults: tuple[str, ...], named: tuple[str, ...]
) -> None:
    with pytest.raises(SparqlForbidden, match="restricted or staging graph, never readable"):
        query_dataset(store, SETTINGS, query, default_graph_uris=defaults, named_graph_uris=named)


def test_a_restricted_graph_in_an_overridden_from_clause_is_still_forbidden(store: OxigraphStore) -> None:
    with pytest.raises(SparqlForbidden, match="FROM at 1:10"):
        query_dataset(store, SETTINGS, f"SELECT * FROM <{RESTRICTED}> {{}}", default_graph_uris=[WAVE])


def test_graphs_the_store_does_not_hold_become_empty_graphs_of_the_dataset(store: OxigraphStore) -> None:
    dataset = query_dataset(store, SETTINGS, "SELECT * FROM <http://e/absent> FROM NAMED <http://e/absent-too> {}")
    assert dataset.default_graphs == [NamedNode("http://e/absent")]
    assert dataset.named_graphs == [NamedNode("http://e/absent-too")]


def test_a_query_over_an_absent_graph_answers_empty(store: OxigraphStore) -> None:
    outcome = run_query(store, SETTINGS, "SELECT ?s { ?s ?p ?o }", default_graph_uris=["http://e/absent"])
    assert answer(outcome, "text/csv") == b"s\r\n"


def test_a_from_name_that_cannot_be_resolved_is_refused_with_its_position(store: OxigraphStore) -> None:
    with pytest.raises(SparqlRefused, match="FROM at 1:10: nope:g cannot be resolved"):
        query_dataset(store, SETTINGS, "SELECT * FROM nope:g {}")


def test_a_graph_parameter_that_is_not_an_iri_is_refused(store: OxigraphStore) -> None:
    with pytest.raises(SparqlRefused, match="named-graph-uri 'not an iri' is not an absolute IRI"):
        query_dataset(store, SETTINGS, "SELECT * {}", named_graph_uris=["not an iri"])


def test_group_concat_of_same_language_literals_is_a_simple_literal(store: OxigraphStore) -> None:
    query = 'ASK { { SELECT (GROUP_CONCAT(?o) AS ?g) { VALUES ?o { "1"@en "2"@en } } } FILTER(?g = "1 2") }'
    assert answer(run_query(store, SETTINGS, query), "application/sparql-results+json") == b'{"head":{},"boolean":true}'


def test_a_syntax_error_after_a_group_concat_points_into_the_text_as_written(store: OxigraphStore) -> None:
    # The rewrite puts "STR(" before the call: the parser would say 1:57, the user wrote "garbage" at 1:52.
    with pytest.raises(SyntaxError, match="error at 1:52"):
        run_query(store, SETTINGS, "SELECT (GROUP_CONCAT(?o) AS ?g) { ?s ?p ?o garbage ?x }")


def test_group_concat_in_an_update_stores_a_simple_literal(store: OxigraphStore) -> None:
    run_update(
        store,
        'INSERT { <http://e/s> <http://e/p> ?g } WHERE { SELECT (GROUP_CONCAT(?o) AS ?g) { VALUES ?o { "a"@en } } }',
    )
    outcome = run_query(store, SETTINGS, "SELECT ?g { <http://e/s> <http://e/p> ?g }")
    assert answer(outcome, "text/tab-separated-values") == b'?g\n"a"\n'


def test_service_is_refused_with_its_position(store: OxigraphStore) -> None:
    with pytest.raises(SparqlRefused, match="refused at 2:3: SERVICE"):
        run_query(store, SETTINGS, "SELECT * {\n  SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_an_unsupported_function_is_the_users_error(store: OxigraphStore) -> None:
    with pytest.raises(SparqlRefused, match="cannot be evaluated"):
        run_query(store, SETTINGS, "SELECT (<http://e/unknown-function>(1) AS ?x) {}")


def test_load_is_refused_in_updates(store: OxigraphStore) -> None:
    with pytest.raises(SparqlRefused, match="LOAD"):
        run_update(store, "load <http://127.0.0.1:9/data.ttl>")


def test_update_resolves_relative_iris_against_the_given_base(store: OxigraphStore) -> None:
    run_update(store, "INSERT DATA { <s> <p> <o> }", base_iri="http://host/sparql/update")
    assert bool(store.query("ASK { <http://host/sparql/s> <http://host/sparql/p> <http://host/sparql/o> }"))


def test_using_graph_uri_must_be_an_iri(store: OxigraphStore) -> None:
    with pytest.raises(SparqlRefused, match="not an absolute IRI"):
        run_update(store, "INSERT { ?s a <http://e/C> } WHERE { ?s ?p ?o }", using_graph_uris=["not an iri"])


def many_labels(store: OxigraphStore, count: int) -> None:
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [Quad(NamedNode(f"http://e/s{i}"), label, Literal("x" * 100), DefaultGraph()) for i in range(count)]
    store.load(serialize(quads, format=RdfFormat.N_QUADS) or b"", RdfFormat.N_QUADS)


def test_an_answer_past_the_byte_limit_is_refused_telling_how_to_page(store: OxigraphStore) -> None:
    many_labels(store, 2000)
    outcome = run_query(store, SETTINGS, "SELECT * { ?s ?p ?o }")
    with pytest.raises(SparqlRefused, match="larger than 64 KiB: narrow the query or page"):
        answer(outcome, "application/sparql-results+json", max_bytes=64 * 1024)


def test_an_answer_within_the_limit_is_whole(store: OxigraphStore) -> None:
    many_labels(store, 2000)
    outcome = run_query(store, SETTINGS, "SELECT * { ?s ?p ?o }")
    body = answer(outcome, "text/csv", max_bytes=1024 * 1024)
    assert body.count(b"\r\n") == 2000 + 1 + 1  # header, the seeded default-graph triple, the 2000 labels


def test_an_answer_still_being_written_at_the_deadline_is_refused(store: OxigraphStore) -> None:
    many_labels(store, 2000)
    outcome = run_query(store, SETTINGS, "SELECT * { ?s ?p ?o }")
    with pytest.raises(SparqlRefused, match="took longer"):
        answer(outcome, "application/sparql-results+json", seconds=0.0)


def test_a_relative_from_resolves_against_the_base_and_is_checked_there(store: OxigraphStore) -> None:
    with pytest.raises(SparqlForbidden, match=RESTRICTED):
        query_dataset(store, SETTINGS, "SELECT * FROM <restricted/W1> {}", base_iri=f"{BASE}graph/sparql")


def test_a_query_without_base_resolves_relative_iris_against_the_given_base(store: OxigraphStore) -> None:
    outcome = run_query(store, SETTINGS, "SELECT (<s> AS ?s) {}", base_iri="http://e/sparql")
    assert answer(outcome, "text/csv") == b"s\r\nhttp://e/s\r\n"
