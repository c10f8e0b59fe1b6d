"""A remote store that cuts its answer or does not answer in time is a gateway failure, told apart from ours:
502 for a cut answer (never served short), 504 for no answer in time; neither is a 500 nor a traceback."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Triple

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.store.remote import RemoteSettings, RemoteStore

pytestmark = [
    pytest.mark.integration,
    # A pyoxigraph result may only be freed on the thread that made it; one kept alive by a failure's traceback
    # was freed on the event loop's thread instead (PyO3 then leaks it and reports it as unraisable).
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
GRAPH = NamedNode("https://w3id.org/vcgraph/graph/wave/2026-W1")
P = NamedNode("http://example.org/p")
CROSS_PRODUCT = "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y }"
"""20,000 x 20,000 rows: far more than a one-second timeout lets Oxigraph server stream."""


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections (the kernel queues them) but never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        yield f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"


def client_over(store: RemoteStore) -> TestClient:
    return TestClient(create_app(Settings(home=ROOT), store), raise_server_exceptions=False)


def test_an_answer_cut_by_the_store_time_limit_is_a_502(start_oxigraph: Callable[..., Any]) -> None:
    server = start_oxigraph("--timeout-s", "1")
    store = RemoteStore(RemoteSettings(query_url=server.query_url, update_url=server.update_url, timeout=30.0))
    store.replace_graphs({GRAPH: [Triple(NamedNode(f"http://example.org/s{n}"), P, Literal(n)) for n in range(20_000)]})
    try:
        response = client_over(store).post(
            "/sparql",
            content=CROSS_PRODUCT.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
    finally:
        store.close()
    assert response.status_code == 502, response.text
    assert "cut its answer" in response.text


def test_a_question_whose_store_does_not_answer_in_time_is_a_504_with_retry_after(silent_url: str) -> None:
    store = RemoteStore(RemoteSettings(query_url=silent_url, update_url=silent_url, timeout=0.5))
    try:
        response = client_over(store).get("/api/vocabularies/stages")
    finally:
        store.close()
    assert response.status_code == 504, response.text
    assert response.json()["error"] == "store_timeout"
    assert response.headers["Retry-After"]


def test_the_sparql_endpoint_reports_a_store_timeout_as_plain_text(silent_url: str) -> None:
    store = RemoteStore(RemoteSettings(query_url=silent_url, update_url=silent_url, timeout=0.5))
    try:
        response = client_over(store).get("/sparql", params={"query": "ASK {}"})
    finally:
        store.close()
    assert response.status_code == 504, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "did not answer in time" in response.text
