"""Linked data over real HTTP: uvicorn on 127.0.0.1 serving `create_app` over a real pyoxigraph store."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from vcgraph.config import Settings
from vcgraph.export.publishable import public_view
from vcgraph.http.app import create_app
from vcgraph.store.oxigraph import OxigraphStore

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "export" / "graph.trig"
DEFAULT_BASE = "https://w3id.org/vcgraph/"
CUSTOM_BASE = "https://data.example.org/kg/"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
ACME = "id/actor/id-be0123456789"
RDF_MEDIA_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/n-triples": RdfFormat.N_TRIPLES,
}
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_fixture(directory: Path, base: str) -> Iterator[tuple[str, OxigraphStore]]:
    store = OxigraphStore(directory / "store")
    text = FIXTURE.read_text(encoding="utf-8").replace(f"@base <{DEFAULT_BASE}>", f"@base <{base}>", 1)
    store.load(text.encode("utf-8"), RdfFormat.TRIG)
    port = free_port()
    app = create_app(Settings(store=str(directory / "store"), base_iri=base), store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, OxigraphStore]]:
    yield from serve_fixture(tmp_path_factory.mktemp("linked-data"), DEFAULT_BASE)


@pytest.fixture(scope="module")
def server(served: tuple[str, OxigraphStore]) -> str:
    return served[0]


def get(url: str, accept: str | None = None, **headers: str) -> httpx.Response:
    if accept is not None:
        headers["Accept"] = accept
    return httpx.get(url, headers=headers, timeout=30)


def triples_of(response: httpx.Response) -> set[Triple]:
    fmt = RDF_MEDIA_TYPES[response.headers["content-type"].split(";")[0]]
    return {q.triple for q in parse(response.content, format=fmt)}


@pytest.mark.parametrize("media_type", sorted(RDF_MEDIA_TYPES))
def test_a_public_actor_dereferences_in_each_rdf_media_type(server: str, media_type: str) -> None:
    response = get(f"{server}/{ACME}", media_type)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    triples = triples_of(response)
    assert Triple(NamedNode(DEFAULT_BASE + ACME), RDFS_LABEL, Literal("Acme Bio")) in triples


def test_every_rdf_media_type_carries_the_same_triples(server: str) -> None:
    answers = [triples_of(get(f"{server}/{ACME}", media_type)) for media_type in sorted(RDF_MEDIA_TYPES)]
    assert all(answer == answers[0] for answer in answers)
    assert len(answers[0]) > 10


def test_a_client_that_accepts_anything_gets_turtle(server: str) -> None:
    response = get(f"{server}/{ACME}", "*/*")
    assert response.headers["content-type"].startswith("text/turtle")


def test_a_browser_gets_a_page_with_labels_provenance_and_links(server: str) -> None:
    response = get(f"{server}/{ACME}", BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    page = response.text
    assert "<h1>Acme Bio</h1>" in page
    assert 'href="/id/actor/id-be0123456789/site/BE332"' in page  # a link to a related thing, on this server
    assert 'href="/id/wave/2026-W1">Survey wave 2026-W1' in page  # provenance: the wave that states it
    assert 'href="/id/wave/2025-W1">Survey wave 2025-W1' in page
    assert "/id/wave/2026-W1/response/R%2F001/stage/S04" in page  # referenced by its statements


def test_a_resource_page_is_in_french_when_asked(server: str) -> None:
    response = get(f"{server}/vocab/stage/S04?lang=fr", BROWSER_ACCEPT)
    assert response.headers["content-language"] == "fr"
    assert "<h1>Procédés amont</h1>" in response.text
    assert "<h2>Déclarations</h2>" in response.text


def test_the_page_escapes_labels_from_survey_data(server: str) -> None:
    page = get(f"{server}/id/actor/formula-ltd-be", BROWSER_ACCEPT).text
    assert "<h1>=HYPERLINK(&quot;https://evil.example&quot;,&quot;click&quot;)</h1>" in page


def test_a_percent_encoded_response_id_dereferences_as_minted(server: str) -> None:
    response = get(f"{server}/id/wave/2026-W1/response/R%2F001", "application/n-triples")
    assert response.status_code == 200
    assert f"<{DEFAULT_BASE}id/wave/2026-W1/response/R%2F001>" in response.text


def test_an_unknown_iri_is_not_found(server: str) -> None:
    response = get(f"{server}/id/actor/nobody-xx", "text/turtle")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "id/actor/members-co-be",
        "id/actor/members-co-be/site/BE332",
        "id/wave/2026-W1/response/R-004",
        "id/wave/2026-W1/response/R-004/technology/T05",
        "id/actor/anon-4f872e99a10c6e2a",
        "id/wave/2026-W1/response/R-005/need/1",
    ],
)
def test_members_and_anonymous_actors_and_their_statements_are_not_exposed(server: str, path: str) -> None:
    for accept in ("text/turtle", BROWSER_ACCEPT):
        response = get(f"{server}/{path}", accept)
        assert response.status_code == 404
        assert response.json() == {"error": "not_found", "detail": f"{DEFAULT_BASE}{path} is not published here"}


def test_no_page_shows_what_the_restricted_graph_holds_about_an_actor(server: str) -> None:
    for accept in (*RDF_MEDIA_TYPES, BROWSER_ACCEPT):
        text = get(f"{server}/{ACME}", accept).text
        assert "contact@acme.example" not in text
        assert "schema.org/email" not in text and "email" not in text.lower()


def test_a_cluster_does_not_list_its_withheld_members(server: str) -> None:
    for accept in ("text/turtle", BROWSER_ACCEPT):
        text = get(f"{server}/id/cluster/biowin", accept).text
        assert "id-be0123456789" in text
        assert "members-co-be" not in text
        assert "anon-" not in text


def test_a_type_nobody_writes_is_not_acceptable(server: str) -> None:
    response = get(f"{server}/{ACME}", "image/png")
    assert response.status_code == 406
    assert "text/turtle" in response.json()["detail"]


def test_the_format_parameter_overrides_accept(server: str) -> None:
    response = get(f"{server}/{ACME}?format=jsonld", BROWSER_ACCEPT)
    assert response.headers["content-type"].startswith("application/ld+json")
    assert get(f"{server}/{ACME}?format=xlsx").status_code == 400


def test_each_answer_links_to_its_other_representations(server: str) -> None:
    link = get(f"{server}/{ACME}", "text/turtle").headers["link"]
    assert f'</{ACME}?format=jsonld>; rel="alternate"; type="application/ld+json"' in link
    assert f'</{ACME}?format=html>; rel="alternate"; type="text/html"' in link


def test_head_answers_the_headers_of_get_without_a_body(server: str) -> None:
    response = httpx.head(f"{server}/{ACME}", headers={"Accept": "application/rdf+xml"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rdf+xml")
    assert response.content == b""


def test_vocabulary_concepts_dereference(server: str) -> None:
    response = get(f"{server}/vocab/stage/S04", "text/turtle")
    assert response.status_code == 200
    assert '"Procédés amont"@fr' in response.text


@pytest.mark.parametrize("media_type", sorted(RDF_MEDIA_TYPES))
def test_the_ontology_is_served_at_its_iri_in_each_rdf_media_type(
    served: tuple[str, OxigraphStore], media_type: str
) -> None:
    server, store = served
    response = get(f"{server}/ontology", media_type)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert triples_of(response) == set(public_view(store, Settings()).graphs[DEFAULT_BASE + "graph/ontology"])


def test_the_ontology_version_iri_is_served_and_other_versions_are_not(server: str) -> None:
    assert get(f"{server}/ontology/0.1.0", "text/turtle").status_code == 200
    assert get(f"{server}/ontology/9.9.9", "text/turtle").status_code == 404


def test_the_ontology_documentation_is_in_english_by_default(server: str) -> None:
    response = get(f"{server}/ontology", BROWSER_ACCEPT)
    assert response.headers["content-language"] == "en"
    page = response.text
    assert "<h1>vcgraph ontology</h1>" in page
    assert 'id="Actor"' in page and "An organisation that answered a survey." in page
    assert "Object properties" in page
    assert 'class="deprecated"' in page and "replaced by" in page


def test_the_ontology_documentation_is_in_french_by_parameter_or_accept_language(server: str) -> None:
    by_parameter = get(f"{server}/ontology?lang=fr", BROWSER_ACCEPT)
    by_header = get(f"{server}/ontology", BROWSER_ACCEPT, **{"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    for response in (by_parameter, by_header):
        assert response.headers["content-language"] == "fr"
        assert "<h1>Ontologie vcgraph</h1>" in response.text
        assert "Une organisation qui a répondu à une enquête." in response.text
        assert "Propriétés d&#x27;objet" in response.text or "Propriétés d'objet" in response.text


def test_the_void_description_is_served_at_its_well_known_path(served: tuple[str, OxigraphStore]) -> None:
    server, store = served
    response = get(f"{server}/.well-known/void")
    assert response.headers["content-type"].startswith("text/turtle")
    triples = triples_of(response)
    count = next(
        t.object.value for t in triples
        if t.subject == NamedNode(DEFAULT_BASE + ".well-known/void#dataset")
        and t.predicate == NamedNode("http://rdfs.org/ns/void#triples")
    )
    assert int(count) == len(public_view(store, Settings()).triples())


def test_a_custom_base_iri_dereferences_by_the_path_after_the_base(tmp_path: Path) -> None:
    for server, _ in serve_fixture(tmp_path, CUSTOM_BASE):
        response = get(f"{server}/id/actor/lyon-cells-fr", "application/n-triples")
        assert response.status_code == 200
        assert f"<{CUSTOM_BASE}id/actor/lyon-cells-fr>" in response.text
        assert get(f"{server}/id/actor/members-co-be", "text/turtle").status_code == 404
        page = get(f"{server}/id/actor/lyon-cells-fr", BROWSER_ACCEPT).text
        assert 'href="/id/actor/lyon-cells-fr/site/FRK26"' in page
