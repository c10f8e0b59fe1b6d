"""A real vcgraph server for end-to-end tests: uvicorn on a free 127.0.0.1 port, over an on-disk store in tmp_path.

``start_server(default_graph=..., admin_token=...)`` gives a :class:`LiveServer` preloaded with a small dataset
(a public wave graph, a restricted graph, one triple in the default graph); the server stops with the test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, serialize

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.namespaces import BM, RDF, RDFS, SCHEMA, Minter
from vcgraph.store.oxigraph import OxigraphStore

ADMIN_TOKEN = "e2e-admin-token-0123456789"
BASE = "https://w3id.org/vcgraph/"
MINTER = Minter(BASE)
WAVE_GRAPH = MINTER.wave_graph("2026-W1")
RESTRICTED_GRAPH = MINTER.restricted_graph("2026-W1")
ACTOR = MINTER.actor("acme-bio-be")
SECRET_EMAIL = "secret@acme.example"
DEFAULT_GRAPH_SUBJECT = NamedNode("http://example.org/only-in-default")


def seed(store: OxigraphStore) -> None:
    """The dataset every e2e server starts with."""
    quads = [
        Quad(ACTOR, NamedNode(RDF + "type"), NamedNode(BM + "Actor"), WAVE_GRAPH),
        Quad(ACTOR, NamedNode(RDFS + "label"), Literal("Acme Bio"), WAVE_GRAPH),
        Quad(ACTOR, NamedNode(SCHEMA + "email"), Literal(SECRET_EMAIL), RESTRICTED_GRAPH),
        Quad(DEFAULT_GRAPH_SUBJECT, NamedNode(RDFS + "label"), Literal("in the default graph"), DefaultGraph()),
    ]
    store.load(serialize(quads, format=RdfFormat.N_QUADS) or b"", RdfFormat.N_QUADS)


@dataclass
class LiveServer:
    """A running server and what it was seeded with (test modules reach these through the fixture, since
    conftest is not importable as a module)."""

    base_url: str
    store: OxigraphStore
    settings: Settings
    client: httpx.Client = field(repr=False)
    actor: NamedNode = ACTOR
    wave_graph: NamedNode = WAVE_GRAPH
    restricted_graph: NamedNode = RESTRICTED_GRAPH
    secret_email: str = SECRET_EMAIL
    default_graph_subject: NamedNode = DEFAULT_GRAPH_SUBJECT
    admin_token: str = ADMIN_TOKEN

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    running: list[tuple[uvicorn.Server, threading.Thread, LiveServer]] = []

    def start(
        *, default_graph: str = "union", admin_token: str | None = ADMIN_TOKEN, home: Path | None = None
    ) -> LiveServer:
        store = OxigraphStore(tmp_path / f"store-{len(running)}")
        seed(store)
        settings = Settings(
            store=str(store.path),
            base_iri=BASE,
            default_graph=default_graph,  # type: ignore[arg-type]
            admin_token=admin_token,
            home=home or tmp_path,
        )
        port = free_port()
        config = uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        live = LiveServer(f"http://127.0.0.1:{port}", store, settings, httpx.Client(timeout=20))
        running.append((server, thread, live))
        return live

    yield start
    for server, thread, live in running:
        live.client.close()
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(start_server: Callable[..., LiveServer]) -> LiveServer:
    """The default deployment: union default graph, an admin token."""
    return start_server()


class ConnectionRecorder:
    """A TCP listener that counts the connections made to it (and closes each at once)."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.05)
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def settle(self) -> int:
        """The count once any connection in flight has been accepted."""
        time.sleep(0.3)
        return self.connections

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@pytest.fixture
def recorder() -> Iterator[ConnectionRecorder]:
    listener = ConnectionRecorder()
    yield listener
    listener.close()
