"""/sparql/update and the Graph Store Protocol at /sparql/store: admin-only writes, public reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, parse, parse_query_results

if TYPE_CHECKING:  # conftest is a pytest plugin, not an importable module
    from conftest import LiveServer

pytestmark = pytest.mark.e2e

GRAPH = "http://example.org/graph/people"
INSERT = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://example.org/alice> <http://example.org/name> "Alice" }} }}'


def ask(server: LiveServer, pattern: str) -> bool:
    response = server.client.get(server.url("/sparql"), params={"query": f"ASK {{ {pattern} }}"})
    assert response.status_code == 200, response.text
    return bool(parse_query_results(response.content, format=QueryResultsFormat.JSON))


def test_update_without_credentials_is_401_with_a_bearer_challenge(server: LiveServer) -> None:
    response = server.client.post(server.url("/sparql/update"), data={"update": INSERT})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert not ask(server, '?s ?p "Alice"')


def test_update_with_a_wrong_token_is_403(server: LiveServer) -> None:
    response = server.client.post(
        server.url("/sparql/update"), data={"update": INSERT}, headers={"Authorization": "Bearer not-the-token"}
    )
    assert response.status_code == 403
    assert not ask(server, '?s ?p "Alice"')


def test_update_with_basic_credentials_is_401(server: LiveServer) -> None:
    response = server.client.post(
        server.url("/sparql/update"), data={"update": INSERT}, headers={"Authorization": f"Basic {server.admin_token}"}
    )
    assert response.status_code == 401


def test_update_by_form_with_the_admin_token_is_applied(server: LiveServer) -> None:
    response = server.client.post(server.url("/sparql/update"), data={"update": INSERT}, headers=server.admin)
    assert response.status_code == 204
    assert ask(server, '?s ?p "Alice"')


def test_update_by_direct_post_with_the_admin_token_is_applied(server: LiveServer) -> None:
    response = server.client.post(
        server.url("/sparql/update"),
        content=INSERT.encode(),
        headers={**server.admin, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204
    assert ask(server, '?s ?p "Alice"')


def test_writes_are_refused_when_no_admin_token_is_configured(start_server: Callable[..., LiveServer]) -> None:
    read_only = start_server(admin_token=None)
    response = read_only.client.post(read_only.url("/sparql/update"), data={"update": INSERT}, headers=read_only.admin)
    assert response.status_code == 403
    assert "disabled" in response.text
    put = read_only.client.put(
        read_only.url("/sparql/store"), params={"graph": GRAPH}, content=b"", headers=read_only.admin
    )
    assert put.status_code == 403


def test_malformed_update_is_400_with_the_parser_position(server: LiveServer) -> None:
    response = server.client.post(
        server.url("/sparql/update"), data={"update": "INSERT DATA { <http://e/s> "}, headers=server.admin
    )
    assert response.status_code == 400
    assert "1:" in response.text


def test_update_by_get_is_405(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql/update"), params={"update": "CLEAR ALL"}, headers=server.admin)
    assert response.status_code == 405


def test_using_graph_uri_parameter_is_the_where_default_graph(server: LiveServer) -> None:
    update = f"INSERT {{ GRAPH <{GRAPH}> {{ ?s a <http://example.org/Copied> }} }} WHERE {{ ?s a ?type }}"
    response = server.client.post(
        server.url("/sparql/update"),
        params={"using-graph-uri": server.wave_graph.value},
        content=update.encode(),
        headers={**server.admin, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204, response.text
    copied = server.client.get(
        server.url("/sparql"),
        params={"query": f"SELECT ?s FROM <{GRAPH}> WHERE {{ ?s a <http://example.org/Copied> }}"},
    )
    rows = list(parse_query_results(copied.content, format=QueryResultsFormat.JSON))  # type: ignore[arg-type]
    assert len(rows) == 1  # only the actor of the wave graph; the default graph's subject has no rdf:type


def test_using_graph_uri_with_a_with_clause_is_400(server: LiveServer) -> None:
    update = f"WITH <{GRAPH}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    response = server.client.post(
        server.url("/sparql/update"),
        params={"using-named-graph-uri": server.wave_graph.value},
        content=update.encode(),
        headers={**server.admin, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 400


TURTLE = b'@prefix ex: <http://example.org/> . ex:bob ex:name "Bob" .'
MORE = b'@prefix ex: <http://example.org/> . ex:carol ex:name "Carol" .'


def test_graph_store_round_trip_put_get_post_delete(server: LiveServer) -> None:
    store_url = server.url("/sparql/store")
    turtle = {**server.admin, "Content-Type": "text/turtle"}
    assert server.client.put(store_url, params={"graph": GRAPH}, content=TURTLE, headers=turtle).status_code == 201
    assert server.client.put(store_url, params={"graph": GRAPH}, content=TURTLE, headers=turtle).status_code == 204
    assert server.client.post(store_url, params={"graph": GRAPH}, content=MORE, headers=turtle).status_code == 204
    got = server.client.get(store_url, params={"graph": GRAPH}, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200
    names = {quad.object.value for quad in parse(got.content, format=RdfFormat.N_TRIPLES)}
    assert names == {"Bob", "Carol"}
    assert server.client.delete(store_url, params={"graph": GRAPH}, headers=server.admin).status_code == 204
    assert server.client.get(store_url, params={"graph": GRAPH}).status_code == 404


def test_graph_store_put_on_the_default_graph_replaces_it(server: LiveServer) -> None:
    store_url = server.url("/sparql/store")
    put = server.client.put(
        store_url, params={"default": ""}, content=TURTLE, headers={**server.admin, "Content-Type": "text/turtle"}
    )
    assert put.status_code == 204
    got = server.client.get(store_url, params={"default": ""}, headers={"Accept": "application/n-triples"})
    assert [quad.subject for quad in parse(got.content, format=RdfFormat.N_TRIPLES)] == [
        NamedNode("http://example.org/bob")
    ]


def test_graph_store_post_without_a_graph_creates_one_and_says_where(server: LiveServer) -> None:
    response = server.client.post(
        server.url("/sparql/store"), content=TURTLE, headers={**server.admin, "Content-Type": "text/turtle"}
    )
    assert response.status_code == 201
    created = response.headers["location"]
    assert server.client.get(server.url("/sparql/store"), params={"graph": created}).status_code == 200


def test_graph_store_head_has_the_headers_of_get_and_no_body(server: LiveServer) -> None:
    response = server.client.head(server.url("/sparql/store"), params={"graph": server.wave_graph.value})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [("PUT", {}, 401), ("DELETE", {}, 401), ("POST", {"Authorization": "Bearer wrong"}, 403)],
)
def test_graph_store_writes_need_the_admin_token(
    server: LiveServer, method: str, headers: dict[str, str], status: int
) -> None:
    response = server.client.request(
        method,
        server.url("/sparql/store"),
        params={"graph": server.wave_graph.value},
        content=TURTLE,
        headers={**headers, "Content-Type": "text/turtle"},
    )
    assert response.status_code == status
    assert ask(server, "?s a <https://w3id.org/vcgraph/ontology#Actor>")


def test_graph_store_invalid_turtle_is_400_with_the_position(server: LiveServer) -> None:
    response = server.client.put(
        server.url("/sparql/store"),
        params={"graph": GRAPH},
        content=b"<http://e/s> <http://e/p> .",
        headers={**server.admin, "Content-Type": "text/turtle"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert "line 1 column 27" in response.json()["detail"]


@pytest.mark.parametrize(
    "params", [{"default": "", "graph": GRAPH}, {}, {"graph": "not an iri"}], ids=["both", "neither", "relative"]
)
def test_graph_store_needs_exactly_one_valid_graph_name(server: LiveServer, params: dict[str, str]) -> None:
    response = server.client.get(server.url("/sparql/store"), params=params)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_graph_store_upload_in_an_unknown_format_is_415(server: LiveServer) -> None:
    response = server.client.put(
        server.url("/sparql/store"),
        params={"graph": GRAPH},
        content=b"a,b",
        headers={**server.admin, "Content-Type": "text/csv"},
    )
    assert response.status_code == 415


def test_graph_store_put_of_an_empty_document_creates_an_empty_graph(server: LiveServer) -> None:
    put = server.client.put(
        server.url("/sparql/store"),
        params={"graph": GRAPH},
        content=b"",
        headers={**server.admin, "Content-Type": "text/turtle"},
    )
    assert put.status_code == 201
    got = server.client.get(
        server.url("/sparql/store"), params={"graph": GRAPH}, headers={"Accept": "application/n-triples"}
    )
    assert got.status_code == 200
    assert got.content.strip() == b""


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/rdf+xml", RdfFormat.RDF_XML),
        ("application/ld+json", RdfFormat.JSON_LD),
    ],
)
def test_graph_store_reads_come_in_the_requested_rdf_format(
    server: LiveServer, media_type: str, fmt: RdfFormat
) -> None:
    response = server.client.get(
        server.url("/sparql/store"), params={"graph": server.wave_graph.value}, headers={"Accept": media_type}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert server.actor in {quad.subject for quad in parse(response.content, format=fmt)}


def test_graph_store_read_in_an_unknown_format_is_406(server: LiveServer) -> None:
    response = server.client.get(
        server.url("/sparql/store"), params={"graph": server.wave_graph.value}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406


def test_graph_store_multipart_post_merges_every_part(server: LiveServer) -> None:
    boundary = "vcgraph-boundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=a; filename=a.ttl\r\nContent-Type: text/turtle\r\n\r\n"
        + TURTLE.decode()
        + f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=b; filename=b.nt\r\n"
        + "Content-Type: application/n-triples\r\n\r\n"
        + '<http://example.org/carol> <http://example.org/name> "Carol" .\r\n'
        + f"--{boundary}--\r\n"
    ).encode()
    response = server.client.post(
        server.url("/sparql/store"),
        params={"graph": GRAPH},
        content=body,
        headers={**server.admin, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 201
    assert ask(server, f'GRAPH <{GRAPH}> {{ ?b ?p "Bob" . ?c ?q "Carol" }}')
