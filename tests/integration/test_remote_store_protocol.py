"""The remote adapter on the wire: cut and partial answers, timeouts, credentials, errors and configuration.

Misbehaving stores are played by small HTTP servers on 127.0.0.1 started here; the real Oxigraph server is used
where it can show the behaviour itself (its own query timeout).
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, QuerySolutions, RdfFormat, Triple

from vcgraph.store import Dataset, StoreError, open_store
from vcgraph.store.remote import RemoteSettings, RemoteStore, StoreTimeout, TruncatedResult

pytestmark = pytest.mark.integration

G1 = NamedNode("http://example.org/g1")
S = NamedNode("http://example.org/s")
P = NamedNode("http://example.org/p")
JSON = "application/sparql-results+json"
ONE_ROW = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}}]}}'


@dataclass
class Reply:
    status: int = 200
    body: bytes = ONE_ROW
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": JSON})
    content_length: int | None = None  # announce another length than the body's, to cut the connection


@dataclass
class Seen:
    """What the scripted store received."""

    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


class ScriptedStore:
    """An HTTP server that answers every request with ``respond(seen)`` and records what it saw."""

    def __init__(self, respond: Callable[[Seen], Reply]) -> None:
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, parse_qs(raw))
                outer.seen.append(seen)
                reply = respond(seen)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                length_header = reply.content_length if reply.content_length is not None else len(reply.body)
                self.send_header("Content-Length", str(length_header))
                if reply.content_length is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def scripted() -> Iterator[Callable[[Callable[[Seen], Reply]], ScriptedStore]]:
    started: list[ScriptedStore] = []

    def start(respond: Callable[[Seen], Reply]) -> ScriptedStore:
        store = ScriptedStore(respond)
        started.append(store)
        return store

    yield start
    for store in started:
        store.stop()


def remote(url: str, **overrides: object) -> RemoteStore:
    settings = RemoteSettings(query_url=url, update_url=url, timeout=5.0)
    return RemoteStore(RemoteSettings(**{**settings.__dict__, **overrides}))  # type: ignore[arg-type]


# ---------------------------------------------------------------- cut and partial answers


def test_json_body_cut_at_a_row_boundary_raises_truncated_result(scripted: Callable[..., ScriptedStore]) -> None:
    cut = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}},'
    server = scripted(lambda seen: Reply(body=cut))
    with pytest.raises(TruncatedResult):
        remote(server.url).query("SELECT ?x WHERE { ?s ?p ?x }")


def test_json_body_ending_in_an_error_message_raises_truncated_result(
    scripted: Callable[..., ScriptedStore],
) -> None:
    """What Oxigraph server sends when its query timeout fires while it streams the rows."""
    rows = b",".join(b'{"x":{"type":"literal","value":"%d"}}' % n for n in range(1000))
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[' + rows + b"The SPARQL operation has been cancelled"
    server = scripted(lambda seen: Reply(body=body))
    with pytest.raises(TruncatedResult, match="cut or malformed"):
        remote(server.url).query("SELECT ?x WHERE { ?s ?p ?x }")


def test_connection_closed_before_the_announced_length_raises_truncated_result(
    scripted: Callable[..., ScriptedStore],
) -> None:
    server = scripted(lambda seen: Reply(body=ONE_ROW[:40], content_length=len(ONE_ROW)))
    with pytest.raises(TruncatedResult):
        remote(server.url).query("SELECT ?x WHERE { ?s ?p ?x }")


def test_n_triples_answer_ending_in_an_error_message_raises_truncated_result(
    scripted: Callable[..., ScriptedStore],
) -> None:
    body = b'<http://example.org/s> <http://example.org/p> "1" .\nThe SPARQL operation has been cancelled'
    server = scripted(lambda seen: Reply(body=body, headers={"Content-Type": "application/n-triples"}))
    store = remote(server.url)
    with pytest.raises(TruncatedResult):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    with pytest.raises(TruncatedResult):
        list(store.quads(G1))


def test_partial_answer_with_status_206_raises_truncated_result_naming_the_sql_state(
    scripted: Callable[..., ScriptedStore],
) -> None:
    """Virtuoso's anytime answer: a well-formed body that holds only what was found before the time limit."""
    server = scripted(
        lambda seen: Reply(
            status=206,
            headers={"Content-Type": JSON, "X-SQL-State": "S1TAT", "X-SQL-Message": "Returning incomplete results"},
        )
    )
    with pytest.raises(TruncatedResult, match="S1TAT"):
        remote(server.url).query("SELECT ?x WHERE { ?s ?p ?x }")


def test_anytime_answer_with_status_200_and_an_sql_state_raises_truncated_result(
    scripted: Callable[..., ScriptedStore],
) -> None:
    """Virtuoso 7.2 also flags an interrupted query on a plain 200: only the X-SQL-State header tells."""
    server = scripted(
        lambda seen: Reply(
            headers={
                "Content-Type": JSON,
                "X-SQL-State": "S1TAT",
                "X-SQL-Message": "RC...: Returning incomplete results, query interrupted by result timeout.",
            },
        )
    )
    with pytest.raises(TruncatedResult, match="S1TAT"):
        remote(server.url).query("SELECT (COUNT(*) AS ?x) WHERE { ?s ?p ?o }")


def test_rows_cut_at_the_store_row_limit_raise_truncated_result(scripted: Callable[..., ScriptedStore]) -> None:
    """Virtuoso's ResultSetMaxRows cuts the rows of a 200 answer and says so only in X-SPARQL-MaxRows."""
    server = scripted(lambda seen: Reply(headers={"Content-Type": JSON, "X-SPARQL-MaxRows": "10000"}))
    with pytest.raises(TruncatedResult, match="10000 rows"):
        remote(server.url).query("SELECT ?x WHERE { ?s ?p ?x }")


def test_store_query_time_limit_reported_as_sql_error_raises_store_timeout(
    scripted: Callable[..., ScriptedStore],
) -> None:
    body = b"Virtuoso S1T00 Error SR171: Transaction timed out\n\nSPARQL query:\nSELECT ..."
    server = scripted(lambda seen: Reply(status=500, body=body, headers={"Content-Type": "text/plain"}))
    with pytest.raises(StoreTimeout, match="SR171"):
        remote(server.url).query("SELECT ?x WHERE { ?s ?p ?x }")


def test_complete_answer_is_returned_whole(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply())
    result = remote(server.url).query("SELECT ?x WHERE { ?s ?p ?x }")
    assert isinstance(result, QuerySolutions)
    assert [row["x"] for row in result] == [Literal("1")]


# ---------------------------------------------------------------- queries in turn


def _one_row(value: str) -> bytes:
    return json.dumps(
        {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": value}}]}}
    ).encode()


class _Busy:
    """Answers each query after a pause with the query's text as ?x, counting the queries in the store at once."""

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.lock = threading.Lock()
        self.inside = 0
        self.most_at_once = 0

    def __call__(self, seen: Seen) -> Reply:
        with self.lock:
            self.inside += 1
            self.most_at_once = max(self.most_at_once, self.inside)
        time.sleep(self.pause)
        with self.lock:
            self.inside -= 1
        return Reply(body=_one_row(seen.form["query"][0]))


def _values(outcome: object) -> list[str]:
    assert isinstance(outcome, QuerySolutions)
    return [row[0].value for row in outcome if row[0] is not None]


def test_queries_in_turn_reach_the_store_one_at_a_time_in_order(scripted: Callable[..., ScriptedStore]) -> None:
    busy = _Busy(pause=0.05)
    server = scripted(busy)
    queries = [f"SELECT ?x WHERE {{ BIND({n} AS ?x) }}" for n in range(4)]
    assert [_values(outcome) for outcome in remote(server.url).query_in_turn(queries)] == [[q] for q in queries]
    assert [seen.form["query"][0] for seen in server.seen] == queries
    assert busy.most_at_once == 1


def test_the_next_query_in_turn_is_sent_while_the_answer_before_is_read(
    scripted: Callable[..., ScriptedStore],
) -> None:
    server = scripted(_Busy(pause=0.0))
    answers = remote(server.url).query_in_turn(
        ["SELECT ?x WHERE { BIND(1 AS ?x) }", "SELECT ?x WHERE { BIND(2 AS ?x) }"]
    )
    assert _values(next(answers)) == ["SELECT ?x WHERE { BIND(1 AS ?x) }"]
    deadline = time.monotonic() + 5.0
    while len(server.seen) < 2 and time.monotonic() < deadline:  # not asked for yet: already on its way
        time.sleep(0.01)
    assert len(server.seen) == 2
    assert _values(next(answers)) == ["SELECT ?x WHERE { BIND(2 AS ?x) }"]


def test_a_cut_answer_in_turn_raises_truncated_result_when_it_is_reached(
    scripted: Callable[..., ScriptedStore],
) -> None:
    cut = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}},'
    server = scripted(lambda seen: Reply(body=cut) if "cut" in seen.form["query"][0] else Reply())
    answers = remote(server.url).query_in_turn(["SELECT ?x WHERE { ?s ?p ?x }", "SELECT ?cut WHERE { ?s ?p ?cut }"])
    assert _values(next(answers)) == ["1"]
    with pytest.raises(TruncatedResult):
        next(answers)


def test_a_reader_that_stops_early_does_not_wait_for_the_query_in_flight(
    scripted: Callable[..., ScriptedStore],
) -> None:
    release = threading.Event()

    def respond(seen: Seen) -> Reply:
        if "BIND(2" in seen.form["query"][0]:
            release.wait(10)  # the second query stays in flight until the test lets it go
        return Reply(body=_one_row(seen.form["query"][0]))

    server = scripted(respond)
    store = remote(server.url)
    answers = store.query_in_turn(["SELECT ?x WHERE { BIND(1 AS ?x) }", "SELECT ?x WHERE { BIND(2 AS ?x) }"])
    next(answers)
    closing = threading.Thread(target=answers.close)
    closing.start()
    closing.join(5)
    stuck = closing.is_alive()  # closing waited for the query in flight
    release.set()
    closing.join(5)
    assert not stuck
    assert _values(store.query("SELECT ?x WHERE { BIND(9 AS ?x) }")) == ["SELECT ?x WHERE { BIND(9 AS ?x) }"]


def test_real_oxigraph_server_timeout_is_a_truncated_result(start_oxigraph: Callable[..., Any]) -> None:
    """Oxigraph server with --timeout-s answers 200 and cuts the rows: the adapter must not return them."""
    server = start_oxigraph("--timeout-s", "1")
    store = RemoteStore(RemoteSettings(query_url=server.query_url, update_url=server.update_url, timeout=30.0))
    store.replace_graphs({G1: [Triple(NamedNode(f"http://example.org/s{n}"), P, Literal(n)) for n in range(20_000)]})
    with pytest.raises(TruncatedResult):
        store.query("SELECT ?a ?b WHERE { GRAPH ?g { ?a ?p ?x . ?b ?q ?y } }")
    store.close()


# ------------------------------------------------------------------------ timeouts and failures


def test_store_that_never_answers_raises_store_timeout_in_time() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections are queued by the kernel but never accepted nor answered
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        started = time.monotonic()
        with pytest.raises(StoreTimeout, match="did not answer"):
            remote(url, timeout=0.5).query("ASK {}")
        assert time.monotonic() - started < 5


def test_writes_time_out_too() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        with pytest.raises(StoreTimeout):
            remote(url, timeout=0.5).update("CLEAR DEFAULT")


def test_unreachable_store_raises_store_error_naming_the_url() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/sparql"
    with pytest.raises(StoreError, match="cannot reach the store"):
        remote(url).query("ASK {}")


def test_server_error_raises_store_error_with_the_status(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply(status=500, body=b"disk full", headers={"Content-Type": "text/plain"}))
    with pytest.raises(StoreError, match=r"HTTP 500.*disk full"):
        remote(server.url).query("ASK {}")


def test_gateway_timeout_from_a_proxy_raises_store_timeout(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply(status=504, body=b"upstream timed out", headers={}))
    with pytest.raises(StoreTimeout):
        remote(server.url).query("ASK {}")


def test_unexpected_content_type_raises_store_error(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply(body=b"<html></html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(StoreError, match="text/html"):
        remote(server.url).query("ASK {}")


def test_syntax_error_carries_the_store_message(oxigraph_server: Any) -> None:
    store = RemoteStore(RemoteSettings(query_url=oxigraph_server.query_url))
    with pytest.raises(SyntaxError, match="1:1"):
        store.query("SELEC ?x WHERE { }")


# ----------------------------------------------------------------------------------- credentials


def test_basic_credentials_are_sent_with_every_request(scripted: Callable[..., ScriptedStore]) -> None:
    expected = "Basic " + base64.b64encode(b"loader:s3cret").decode()

    def respond(seen: Seen) -> Reply:
        if seen.headers.get("authorization") != expected:
            return Reply(status=401, body=b"", headers={"WWW-Authenticate": 'Basic realm="store"'})
        if "update" in seen.form:
            return Reply(status=204, body=b"", headers={})
        return Reply()

    server = scripted(respond)
    store = remote(server.url, user="loader", password="s3cret")
    assert [row["x"] for row in store.query("SELECT ?x {}")] == [Literal("1")]  # type: ignore[union-attr]
    store.update("CLEAR DEFAULT")
    assert all(seen.headers.get("authorization") == expected for seen in server.seen)


def test_digest_credentials_answer_the_challenge(scripted: Callable[..., ScriptedStore]) -> None:
    def respond(seen: Seen) -> Reply:
        authorization = seen.headers.get("authorization", "")
        if not authorization.startswith("Digest ") or 'username="loader"' not in authorization:
            return Reply(
                status=401,
                body=b"",
                headers={"WWW-Authenticate": 'Digest realm="SPARQL", nonce="abc123", qop="auth", algorithm=MD5'},
            )
        return Reply()

    server = scripted(respond)
    store = remote(server.url, user="loader", password="s3cret", auth_scheme="digest")
    assert [row["x"] for row in store.query("SELECT ?x {}")] == [Literal("1")]  # type: ignore[union-attr]


def test_refused_credentials_raise_store_error(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply(status=401, body=b"", headers={}))
    with pytest.raises(StoreError, match="refused the credentials"):
        remote(server.url, user="loader", password="wrong").query("ASK {}")


# ------------------------------------------------------------------------------ store dialects


@pytest.mark.parametrize(
    ("accept", "body"),
    [
        (JSON, b'{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"bnode","value":"nodeID://b10003"}}]}}'),
        (
            "application/sparql-results+xml",
            b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="o"/></head>'
            b'<results><result><binding name="o"><bnode>nodeID://b10003</bnode></binding></result></results></sparql>',
        ),
    ],
)
def test_virtuoso_blank_node_labels_are_read_as_blank_nodes(
    scripted: Callable[..., ScriptedStore], accept: str, body: bytes
) -> None:
    server = scripted(lambda seen: Reply(body=body, headers={"Content-Type": accept}))
    result = remote(server.url).query("SELECT ?o WHERE { ?s ?p ?o }")
    assert [type(row["o"]).__name__ for row in result] == ["BlankNode"]  # type: ignore[union-attr]


def test_each_query_form_asks_for_its_own_result_format(scripted: Callable[..., ScriptedStore]) -> None:
    """Virtuoso answers a CONSTRUCT with a result set if the Accept header lets it: ask for RDF only."""

    def respond(seen: Seen) -> Reply:
        if seen.headers["accept"].startswith("application/n-triples"):
            return Reply(body=b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n",
                         headers={"Content-Type": "application/n-triples"})
        return Reply()

    server = scripted(respond)
    store = remote(server.url)
    constructed = store.query("PREFIX select: <http://example.org/> CONSTRUCT WHERE { ?s select:p ?o }")
    assert len(list(constructed)) == 1  # type: ignore[arg-type]
    assert server.seen[-1].headers["accept"].startswith("application/n-triples")
    store.query("SELECT * WHERE { ?s ?p ?o }")
    assert server.seen[-1].headers["accept"].startswith("application/sparql-results+json")


def test_graph_list_falls_back_when_the_store_cannot_enumerate_graphs_with_an_empty_pattern(
    scripted: Callable[..., ScriptedStore],
) -> None:
    """Virtuoso answers GRAPH ?g {} with one unbound row; the adapter then lists graphs with DISTINCT."""

    listed = ("http://example.org/g2", "http://example.org/g1", "http://example.org/empty", "urn:x:other")
    non_empty = ("http://example.org/g1", "http://example.org/g2")

    def rows(graphs: Sequence[str]) -> Reply:
        bindings = [{"g": {"type": "uri", "value": g}} for g in graphs]
        return Reply(body=json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": bindings}}).encode())

    def respond(seen: Seen) -> Reply:
        query = seen.form["query"][0]
        if "DISTINCT" in query:
            return rows(listed)  # Virtuoso lists created graphs, empty ones too
        if "LIMIT 1" in query:  # one triple looked for in each candidate graph
            return rows([g for g in non_empty if f"<{g}>" in query])
        return Reply(body=b'{"head":{"vars":["g"]},"results":{"bindings":[{}]}}')

    server = scripted(respond)
    store = remote(server.url, graph_prefixes=("http://example.org/",))
    assert store.graphs() == [G1, NamedNode("http://example.org/g2")]
    assert store.graphs() == [G1, NamedNode("http://example.org/g2")]
    kinds = ["DISTINCT" if "DISTINCT" in s.form["query"][0] else "LIMIT 1" if "LIMIT 1" in s.form["query"][0]
             else "GRAPH ?g {}" for s in server.seen]
    # the fallback is remembered; only our candidate graphs are checked for content
    assert kinds == ["GRAPH ?g {}", "DISTINCT", "LIMIT 1", "DISTINCT", "LIMIT 1"]
    assert "urn:x:other" not in server.seen[2].form["query"][0]


# ------------------------------------------------------------------------------- protocol dataset


def test_dataset_is_sent_as_protocol_parameters(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply())
    remote(server.url).query(
        "SELECT ?x {}", dataset=Dataset(default_graphs=[G1], named_graphs=[NamedNode("http://example.org/g2")])
    )
    assert server.seen[-1].form["default-graph-uri"] == ["http://example.org/g1"]
    assert server.seen[-1].form["named-graph-uri"] == ["http://example.org/g2"]


def test_non_empty_store_default_graph_next_to_named_graphs_is_refused(oxigraph_server: Any) -> None:
    server = oxigraph_server
    server.clear()
    store = RemoteStore(RemoteSettings(query_url=server.query_url, update_url=server.update_url))
    store.load(b'<http://example.org/s> <http://example.org/p> "d" .', RdfFormat.N_TRIPLES)
    with pytest.raises(StoreError, match="VCGRAPH_STORE_DEFAULT_GRAPH"):
        store.query("SELECT * { ?s ?p ?o }", dataset=Dataset(default_graphs=[DefaultGraph(), G1]))


def test_configured_default_graph_iri_stands_for_the_default_graph(oxigraph_server: Any) -> None:
    """For stores without a writable default graph of their own (Virtuoso)."""
    server = oxigraph_server
    server.clear()
    store = RemoteStore(
        RemoteSettings(
            query_url=server.query_url,
            update_url=server.update_url,
            default_graph_iri="urn:vcgraph:default",
        )
    )
    store.load(b'<http://example.org/s> <http://example.org/p> "d" .', RdfFormat.N_TRIPLES)
    store.replace_graphs({G1: [Triple(S, P, Literal("g"))]})
    assert store.graphs() == [G1]
    result = store.query(
        "SELECT ?o { ?s ?p ?o } ORDER BY ?o", dataset=Dataset(default_graphs=[DefaultGraph(), G1], named_graphs=[])
    )
    assert [row["o"].value for row in result] == ["d", "g"]  # type: ignore[union-attr]
    assert store.dump(RdfFormat.N_TRIPLES) == b'<http://example.org/s> <http://example.org/p> "d" .\n'
    store.clear_graph(DefaultGraph())
    assert list(store.quads(DefaultGraph())) == []


# --------------------------------------------------------------------------------- bounded writes


@pytest.mark.parametrize("through", ["gsp", "update"])
def test_writes_go_in_batches_of_at_most_the_batch_size(oxigraph_server: Any, through: str) -> None:
    server = oxigraph_server
    server.clear()
    triples_per_request: list[int] = []

    def count(request: httpx.Request) -> None:
        # A data request holds one N-Triples line per triple, in the GSP body or the INSERT DATA block.
        if request.url.path == "/store":
            text = request.content.decode()
        elif request.url.path == "/update":
            text = parse_qs(request.content.decode())["update"][0]
        else:
            return
        lines = [line for line in text.splitlines() if line.endswith(" .")]
        if lines:
            triples_per_request.append(len(lines))

    store = RemoteStore(
        RemoteSettings(
            query_url=server.query_url,
            update_url=server.update_url,
            gsp_url=server.gsp_url if through == "gsp" else None,
            batch_size=100,
        ),
        transport=httpx.HTTPTransport(),
    )
    store._client.event_hooks["request"].append(count)
    triples = [Triple(NamedNode(f"http://example.org/s{n}"), P, Literal(n)) for n in range(1000)]
    store.replace_graphs({G1: triples})
    assert len(list(store.quads(G1))) == 1000
    assert triples_per_request == [100] * 10


def test_write_that_fits_in_one_batch_is_one_update_request_without_staging(oxigraph_server: Any) -> None:
    server = oxigraph_server
    server.clear()
    requests: list[str] = []
    store = RemoteStore(
        RemoteSettings(
            query_url=server.query_url, update_url=server.update_url, gsp_url=server.gsp_url, batch_size=100
        ),
    )
    store._client.event_hooks["request"].append(lambda request: requests.append(request.url.path))
    store.replace_graphs({G1: [Triple(S, P, Literal(n)) for n in range(100)]})
    store.load(b'<http://example.org/s> <http://example.org/p> "more" .', RdfFormat.N_TRIPLES, G1)
    assert requests == ["/update", "/update"]
    assert len(list(store.quads(G1))) == 101


GRAPH_LIST = json.dumps(
    {"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": "http://example.org/g1"}}]}}
).encode()


def test_graph_list_is_asked_on_every_call_by_default(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply(body=GRAPH_LIST))
    store = remote(server.url)
    assert store.graphs() == store.graphs() == [G1]
    assert len(server.seen) == 2


def test_graph_list_is_reused_for_graphs_ttl(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply(body=GRAPH_LIST))
    store = remote(server.url, graphs_ttl=60.0)
    assert store.graphs() == store.graphs() == [G1]
    assert len(server.seen) == 1


def test_graph_list_expires_after_graphs_ttl(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply(body=GRAPH_LIST))
    store = remote(server.url, graphs_ttl=0.05)
    store.graphs()
    time.sleep(0.1)
    store.graphs()
    assert len(server.seen) == 2


def test_own_writes_refresh_a_reused_graph_list_at_once(oxigraph_server: Any) -> None:
    server = oxigraph_server
    server.clear()
    store = RemoteStore(
        RemoteSettings(query_url=server.query_url, update_url=server.update_url, graphs_ttl=3600.0)
    )
    store.replace_graphs({G1: [Triple(S, P, Literal("a"))]})
    assert store.graphs() == [G1]
    g2 = NamedNode("http://example.org/g2")
    store.replace_graphs({g2: [Triple(S, P, Literal("b"))]})
    assert store.graphs() == [G1, g2]
    store.clear_graph(G1)
    assert store.graphs() == [g2]
    store.update("DROP GRAPH <http://example.org/g2>")
    assert store.graphs() == []


# --------------------------------------------------------------------------------- configuration


def test_open_store_reads_the_remote_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCGRAPH_GSP_URL", "http://127.0.0.1:7878/store")
    monkeypatch.setenv("VCGRAPH_STORE_USER", "loader")
    monkeypatch.setenv("VCGRAPH_STORE_PASSWORD", "s3cret")
    monkeypatch.setenv("VCGRAPH_STORE_TIMEOUT", "12.5")
    monkeypatch.setenv("VCGRAPH_STORE_BATCH", "1000")
    store = open_store("http://127.0.0.1:7878/query")
    assert isinstance(store, RemoteStore)
    assert store.settings == RemoteSettings(
        query_url="http://127.0.0.1:7878/query",
        update_url="http://127.0.0.1:7878/update",
        gsp_url="http://127.0.0.1:7878/store",
        user="loader",
        password="s3cret",
        timeout=12.5,
        batch_size=1000,
    )


def test_update_url_defaults_to_the_query_url_for_a_single_endpoint_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VCGRAPH_UPDATE_URL", raising=False)
    store = open_store("http://127.0.0.1:8890/sparql")
    assert isinstance(store, RemoteStore)
    assert store.settings.update_url == "http://127.0.0.1:8890/sparql"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VCGRAPH_STORE_TIMEOUT", "soon"),
        ("VCGRAPH_STORE_TIMEOUT", "0"),
        ("VCGRAPH_STORE_BATCH", "-5"),
        ("VCGRAPH_STORE_BATCH", "1.5"),
        ("VCGRAPH_STORE_AUTH", "kerberos"),
        ("VCGRAPH_STORE_GRAPHS_TTL", "-1"),
    ],
)
def test_bad_remote_setting_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(StoreError, match=variable):
        open_store("http://127.0.0.1:7878/query")


def test_read_only_remote_store_refuses_writes(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply())
    store = open_store(server.url, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.update("CLEAR DEFAULT")
    assert server.seen == []


def test_invalid_base_iri_is_refused_before_any_request(scripted: Callable[..., ScriptedStore]) -> None:
    server = scripted(lambda seen: Reply())
    with pytest.raises(ValueError, match="base IRI"):
        remote(server.url).query("SELECT * {}", base_iri="not an iri")
    assert server.seen == []
