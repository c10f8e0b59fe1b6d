"""/sparql over real HTTP: the three ways to send a query, every answer format, negotiation, errors, datasets."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from pyoxigraph import QueryResultsFormat, QuerySolutions, RdfFormat, parse, parse_query_results

if TYPE_CHECKING:  # conftest is a pytest plugin, not an importable module
    from conftest import LiveServer

pytestmark = pytest.mark.e2e

LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def subjects(body: bytes, fmt: QueryResultsFormat = QueryResultsFormat.JSON) -> set[str]:
    if fmt == QueryResultsFormat.CSV:  # lossy by design (no term types): pyoxigraph does not read it back
        return {row["s"] for row in csv.DictReader(io.StringIO(body.decode("utf-8")))}
    solutions = parse_query_results(body, format=fmt)
    assert isinstance(solutions, QuerySolutions)
    return {solution["s"].value for solution in solutions}


def test_query_by_get_answers_sparql_json_when_the_client_accepts_anything(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": LABELS})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    assert subjects(response.content) == {server.actor.value, server.default_graph_subject.value}


def test_query_by_form_post_is_answered(server: LiveServer) -> None:
    response = server.client.post(server.url("/sparql"), data={"query": LABELS})
    assert response.status_code == 200
    assert server.actor.value in subjects(response.content)


def test_query_by_direct_post_is_answered(server: LiveServer) -> None:
    response = server.client.post(
        server.url("/sparql"), content=LABELS.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 200
    assert server.actor.value in subjects(response.content)


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("application/sparql-results+json", QueryResultsFormat.JSON),
        ("application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/csv", QueryResultsFormat.CSV),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
    ],
)
def test_select_answers_come_in_the_requested_results_format(
    server: LiveServer, media_type: str, fmt: QueryResultsFormat
) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": LABELS}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert server.actor.value in subjects(response.content, fmt)


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/rdf+xml", RdfFormat.RDF_XML),
        ("application/ld+json", RdfFormat.JSON_LD),
    ],
)
def test_construct_answers_come_in_the_requested_rdf_format(
    server: LiveServer, media_type: str, fmt: RdfFormat
) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert server.actor in {quad.subject for quad in parse(response.content, format=fmt)}


def test_ask_answers_a_boolean(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": f"ASK {{ {server.actor} ?p ?o }}"})
    assert response.status_code == 200
    assert bool(parse_query_results(response.content, format=QueryResultsFormat.JSON)) is True


def test_the_highest_q_value_wins_whatever_the_order(server: LiveServer) -> None:
    accept = "application/sparql-results+xml;q=0.5, text/csv;q=0.9, application/sparql-results+json;q=0.1"
    response = server.client.get(server.url("/sparql"), params={"query": LABELS}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/csv")


def test_a_more_specific_range_overrides_a_wildcard(server: LiveServer) -> None:
    accept = "text/*;q=0.9, text/csv;q=0.1, */*;q=0.2"
    response = server.client.get(server.url("/sparql"), params={"query": LABELS}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/tab-separated-values")


def test_no_acceptable_format_is_406(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": LABELS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text


def test_ask_has_no_csv_form_so_csv_only_is_406(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert response.status_code == 406


def test_malformed_query_is_400_with_the_parser_position(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": "SELECT * WHERE { ?s ?p "})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "1:24" in response.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("query", "ASK {}"), ("query", "ASK {}")], "2 times"),
        ([("update", "CLEAR ALL")], "/sparql/update"),
        ([("default-graph-uri", "https://w3id.org/vcgraph/graph/wave/2026-W1")], "missing 'query'"),
    ],
)
def test_protocol_violations_in_the_url_are_400(
    server: LiveServer, params: list[tuple[str, str]], expected: str
) -> None:
    response = server.client.get(server.url("/sparql"), params=tuple(params))
    assert response.status_code == 400
    assert expected in response.text


def test_a_post_that_is_neither_form_nor_query_is_415(server: LiveServer) -> None:
    response = server.client.post(server.url("/sparql"), content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_a_form_post_without_query_is_400(server: LiveServer) -> None:
    response = server.client.post(server.url("/sparql"), data={"default-graph-uri": server.wave_graph.value})
    assert response.status_code == 400
    assert "missing 'query'" in response.text


def test_union_mode_default_graph_holds_the_public_named_graphs(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": LABELS})
    assert subjects(response.content) == {server.actor.value, server.default_graph_subject.value}


def test_standard_mode_default_graph_is_only_the_store_default_graph(
    start_server: Callable[..., LiveServer],
) -> None:
    standard = start_server(default_graph="standard")
    response = standard.client.get(standard.url("/sparql"), params={"query": LABELS})
    assert subjects(response.content) == {standard.default_graph_subject.value}


def test_from_a_public_graph_makes_it_the_default_graph(server: LiveServer) -> None:
    query = f"SELECT ?s ?label FROM {server.wave_graph} WHERE {{ ?s {LABEL} ?label }}"
    response = server.client.get(server.url("/sparql"), params={"query": query})
    assert response.status_code == 200
    assert subjects(response.content) == {server.actor.value}


def test_default_graph_uri_parameter_overrides_the_query_from(server: LiveServer) -> None:
    query = f"SELECT ?s ?label FROM {server.wave_graph} WHERE {{ ?s {LABEL} ?label }}"
    response = server.client.get(
        server.url("/sparql"), params={"query": query, "default-graph-uri": server.wave_graph.value}
    )
    assert subjects(response.content) == {server.actor.value}
    response = server.client.get(
        server.url("/sparql"), params={"query": query, "named-graph-uri": server.wave_graph.value}
    )
    assert subjects(response.content) == set()  # only named graphs given: the default graph is empty


def test_graph_variable_ranges_over_public_named_graphs(server: LiveServer) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = server.client.get(server.url("/sparql"), params={"query": query})
    solutions = parse_query_results(response.content, format=QueryResultsFormat.JSON)
    assert isinstance(solutions, QuerySolutions)
    assert [solution["g"] for solution in solutions] == [server.wave_graph]


def test_relative_iris_of_a_query_without_base_resolve_against_the_endpoint(server: LiveServer) -> None:
    response = server.client.post(
        server.url("/sparql"),
        content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert response.status_code == 200
    endpoint = server.url("/sparql")
    assert response.text.strip() == (
        f'<{endpoint[: endpoint.rindex("/") + 1]}s> <{endpoint[: endpoint.rindex("/") + 1]}p> '
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    )
