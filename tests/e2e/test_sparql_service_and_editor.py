"""/sparql without a query: the service description for RDF clients, the YASGUI editor for browsers;
and the application's error contract (request ids, JSON errors, 500s)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

if TYPE_CHECKING:  # conftest is a pytest plugin, not an importable module
    from conftest import LiveServer

pytestmark = pytest.mark.e2e

SD = "http://www.w3.org/ns/sparql-service-description#"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def description(server: LiveServer) -> list[tuple[str, str, str]]:
    response = server.client.get(server.url("/sparql"), headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    quads = parse(response.content, format=RdfFormat.TURTLE)
    return [(q.subject.value, q.predicate.value, q.object.value) for q in quads]


def test_service_description_names_the_endpoint_and_its_language(server: LiveServer) -> None:
    triples = description(server)
    assert (server.url("/sparql") + "#service", SD + "endpoint", server.url("/sparql")) in triples
    assert any(p == SD + "supportedLanguage" and o == SD + "SPARQL11Query" for _, p, o in triples)
    assert any(p == SD + "resultFormat" and o.endswith("SPARQL_Results_JSON") for _, p, o in triples)


def test_service_description_lists_public_graphs_only(server: LiveServer) -> None:
    names = {o for _, p, o in description(server) if p == SD + "name"}
    assert names == {server.wave_graph.value}
    assert server.restricted_graph.value not in names


def test_service_description_declares_the_union_default_graph_only_in_union_mode(
    start_server: Callable[..., LiveServer],
) -> None:
    union_features = {o for _, p, o in description(start_server()) if p == SD + "feature"}
    standard_features = {o for _, p, o in description(start_server(default_graph="standard")) if p == SD + "feature"}
    assert SD + "UnionDefaultGraph" in union_features
    assert SD + "UnionDefaultGraph" not in standard_features


def test_service_description_in_json_ld(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), headers={"Accept": "application/ld+json"})
    graph = list(parse(response.content, format=RdfFormat.JSON_LD))
    assert any(quad.object == NamedNode(SD + "Service") for quad in graph)


def editor_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / "queries").mkdir(parents=True)
    (home / "queries" / "gap-stages.rq").write_text(
        "# Stages nobody offers </script>\n# second line\nSELECT ?stage WHERE { ?stage a ?t }\n", encoding="utf-8"
    )
    return home


def test_a_browser_gets_the_yasgui_editor_with_the_example_queries(
    start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = start_server(home=editor_home(tmp_path))
    response = server.client.get(server.url("/sparql"), headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/static/yasgui/yasgui.min.js" in response.text
    assert "Stages nobody offers" in response.text
    assert "</script>\\n" not in response.text  # the title cannot close the config's <script> element
    assert "SELECT ?stage WHERE" in response.text


def test_the_editor_page_loads_nothing_from_another_host(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), headers={"Accept": BROWSER_ACCEPT})
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", response.text)
    assert not re.search(r"cdn|unpkg|jsdelivr|googleapis", response.text)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/static/yasgui/yasgui.min.js", "javascript"), ("/static/yasgui/yasgui.min.css", "text/css"),
     ("/static/yasgui/editor.js", "javascript")],
)
def test_the_editor_assets_are_served_from_the_package(server: LiveServer, path: str, media_type: str) -> None:
    response = server.client.get(server.url(path))
    assert response.status_code == 200
    assert media_type in response.headers["content-type"]


def test_every_response_carries_a_request_id(server: LiveServer) -> None:
    ok = server.client.get(server.url("/sparql"), params={"query": "ASK {}"})
    refused = server.client.get(server.url("/sparql"), params={"query": "ASK {"})
    assert re.fullmatch(r"[0-9a-f]{32}", ok.headers["x-request-id"])
    assert refused.headers["x-request-id"] != ok.headers["x-request-id"]


def test_a_sane_client_request_id_is_kept(server: LiveServer) -> None:
    response = server.client.get(server.url("/sparql"), params={"query": "ASK {}"}, headers={"X-Request-ID": "abc-1"})
    assert response.headers["x-request-id"] == "abc-1"


def test_unknown_paths_are_json_404(server: LiveServer) -> None:
    response = server.client.get(server.url("/no/such/page"))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_failure_of_ours_is_a_logged_500_naming_the_request_id(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.store.close()  # the store is gone under the running app: our failure, not the user's
    response = server.client.get(server.url("/sparql"), params={"query": "ASK {}"})
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    assert response.json() == {
        "error": "internal_error",
        "detail": f"internal error; quote request id {request_id} to the operators",
    }
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


def test_openapi_docs_describe_the_sparql_routes(server: LiveServer) -> None:
    schema = server.client.get(server.url("/openapi.json")).json()
    assert schema["info"]["title"] == "vcgraph"
    assert {"/sparql", "/sparql/update", "/sparql/store"} <= set(schema["paths"])


def test_any_web_page_may_read_the_endpoint_cross_origin(server: LiveServer) -> None:
    response = server.client.get(
        server.url("/sparql"), params={"query": "ASK {}"}, headers={"Origin": "https://elsewhere.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_a_page_elsewhere_cannot_send_the_admin_authorization_header(server: LiveServer) -> None:
    preflight = server.client.options(
        server.url("/sparql/update"),
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 400
    assert "authorization" not in preflight.headers.get("access-control-allow-headers", "").lower()


def test_openapi_documents_the_protocol_parameters(server: LiveServer) -> None:
    schema = server.client.get(server.url("/openapi.json")).json()
    get_parameters = {p["name"] for p in schema["paths"]["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= get_parameters
    assert "application/sparql-query" in schema["paths"]["/sparql"]["post"]["requestBody"]["content"]
