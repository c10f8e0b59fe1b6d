"""Nothing the public sends makes the server fetch a URL, and restricted graphs stay unreadable."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pyoxigraph import QueryResultsFormat, QuerySolutions, Store, parse_query_results

if TYPE_CHECKING:  # conftest is a pytest plugin, not an importable module
    from conftest import ConnectionRecorder, LiveServer

pytestmark = pytest.mark.e2e

RESTRICTED = "https://w3id.org/vcgraph/graph/restricted/2026-W1"  # the seeded restricted graph


def test_the_recorder_sees_pyoxigraph_connect_for_service_without_our_guard(recorder: ConnectionRecorder) -> None:
    # The control: the engine itself does open a connection, so a zero count below means the guard held.
    with pytest.raises(OSError):
        solutions = Store().query(f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}")
        assert isinstance(solutions, QuerySolutions)
        list(solutions)
    assert recorder.settle() >= 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_400_and_opens_no_connection(server: LiveServer, recorder: ConnectionRecorder, query: str) -> None:
    response = server.client.post(server.url("/sparql"), data={"query": query.format(url=recorder.url)})
    assert response.status_code == 400
    assert "federation is disabled" in response.text
    assert recorder.settle() == 0


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "PREFIX r: <http://127.0.0.1:{port}/> SELECT * FROM r:sparql WHERE {{ ?s ?p ?o }}",
    ],
)
def test_a_from_graph_the_store_does_not_hold_is_empty_and_never_fetched(
    server: LiveServer, recorder: ConnectionRecorder, query: str
) -> None:
    text = query.format(url=recorder.url, port=recorder.port)
    response = server.client.post(server.url("/sparql"), data={"query": text})
    assert response.status_code == 200
    solutions = parse_query_results(response.content, format=QueryResultsFormat.JSON)
    assert isinstance(solutions, QuerySolutions)
    assert list(solutions) == []
    assert recorder.settle() == 0


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_a_protocol_graph_the_store_does_not_hold_is_empty_and_never_fetched(
    server: LiveServer, recorder: ConnectionRecorder, parameter: str
) -> None:
    query = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    response = server.client.get(server.url("/sparql"), params={"query": query, parameter: recorder.url})
    assert response.status_code == 200
    assert bool(parse_query_results(response.content, format=QueryResultsFormat.JSON)) is False
    assert recorder.settle() == 0


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{url}>",
        "LOAD SILENT <{url}> INTO GRAPH <http://example.org/g>",
        "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_updates_that_would_fetch_are_400_even_for_the_admin_and_open_no_connection(
    server: LiveServer, recorder: ConnectionRecorder, update: str
) -> None:
    response = server.client.post(
        server.url("/sparql/update"), data={"update": update.format(url=recorder.url)}, headers=server.admin
    )
    assert response.status_code == 400
    assert recorder.settle() == 0


def test_graph_variable_never_binds_a_restricted_graph(server: LiveServer) -> None:
    query = f'SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p "{server.secret_email}" }} }}'
    response = server.client.get(server.url("/sparql"), params={"query": query})
    solutions = parse_query_results(response.content, format=QueryResultsFormat.JSON)
    assert isinstance(solutions, QuerySolutions)
    assert list(solutions) == []


def test_union_default_graph_does_not_include_restricted_graphs(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": f'ASK {{ ?s ?p "{server.secret_email}" }}'})
    assert bool(parse_query_results(response.content, format=QueryResultsFormat.JSON)) is False


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * FROM <{RESTRICTED}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{RESTRICTED}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "PREFIX r: <https://w3id.org/vcgraph/graph/restricted/> SELECT * FROM r:2026-W1 WHERE { ?s ?p ?o }",
        "BASE <https://w3id.org/vcgraph/graph/> SELECT * FROM <restricted/2026-W1> WHERE { ?s ?p ?o }",
    ],
)
def test_naming_a_restricted_graph_in_the_query_is_403(server: LiveServer, query: str) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": query})
    assert response.status_code == 403
    assert "never readable" in response.text
    assert server.secret_email not in response.text


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_naming_a_restricted_graph_in_the_protocol_is_403(server: LiveServer, parameter: str) -> None:
    response = server.client.get(
        server.url("/sparql"), params={"query": "SELECT * { ?s ?p ?o }", parameter: server.restricted_graph.value}
    )
    assert response.status_code == 403
    assert server.secret_email not in response.text


def test_graph_store_never_serves_a_restricted_graph(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql/store"), params={"graph": server.restricted_graph.value})
    assert response.status_code == 403
    assert server.secret_email not in response.text
