"""The served endpoint under abuse: runaway queries stopped at the deadline, cut answers marked, overload refused
fast, oversized and deeply nested queries refused, no worker process left behind.

Each server here is the real ``vcgraph serve`` in its own process (query workers are its children), over an
on-disk store seeded with the vocabularies and a few thousand triples in a public wave graph.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from vcgraph.namespaces import RDFS, Minter
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
VCGRAPH = Path(sys.executable).with_name("vcgraph")
BASE = "https://w3id.org/vcgraph/"
MINTER = Minter(BASE)
WAVE_GRAPH = MINTER.wave_graph("2026-W1")
ADMIN_TOKEN = "limits-admin-token-0123456789"
WORKERS = 2
MAX_CONCURRENT = 6
MAX_ROWS = 5
MAX_QUERY_BYTES = 30_000
MAX_CONNECTIONS = 20
CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def workers(self) -> set[int]:
        return children(self.process.pid)

    def wait_for_full_pool(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while len(self.workers()) != WORKERS:
            assert time.monotonic() < deadline, f"pool has {len(self.workers())} workers, not {WORKERS}"
            time.sleep(0.05)


def children(pid: int) -> set[int]:
    """Live (non-zombie) child processes of ``pid``, read from /proc."""
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
        except (FileNotFoundError, ProcessLookupError):
            continue
        if parent == str(pid) and state != "Z":
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def seed_store(path: Path) -> None:
    store = OxigraphStore(path)
    for vocabulary in sorted((ROOT / "ontology").glob("vocab-*.ttl")):
        store.load(vocabulary, RdfFormat.TURTLE, MINTER.vocabularies_graph())
    label = NamedNode(RDFS + "label")
    filler = [Quad(NamedNode(f"{BASE}id/thing/{i}"), label, Literal(f"thing {i}"), WAVE_GRAPH) for i in range(3000)]
    store.load(serialize(filler, format=RdfFormat.N_QUADS) or b"", RdfFormat.N_QUADS)
    store.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(tmp_path: Path, **settings: str) -> Served:
    store = tmp_path / "store"
    if not store.exists():
        seed_store(store)
    port = free_port()
    env = {
        **os.environ,
        "VCGRAPH_QUERY_TIMEOUT": "1",
        "VCGRAPH_MAX_ROWS": str(MAX_ROWS),
        "VCGRAPH_QUESTION_MAX_ROWS": str(MAX_ROWS),
        "VCGRAPH_MAX_CONCURRENT": str(MAX_CONCURRENT),
        "VCGRAPH_QUERY_WORKERS": str(WORKERS),
        "VCGRAPH_MAX_QUERY_BYTES": str(MAX_QUERY_BYTES),
        "VCGRAPH_ADMIN_TOKEN": ADMIN_TOKEN,
        "VCGRAPH_BASE_IRI": BASE,
        **settings,
    }
    env.pop("VCGRAPH_HOME", None)
    process = subprocess.Popen(
        [str(VCGRAPH), "serve", "--store", str(store), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("ab"),  # the server's and its workers' messages, for a failure
    )
    served = Served(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, "vcgraph serve exited"
        try:
            if httpx.get(served.url("/api/questions"), timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "vcgraph serve did not start"
        time.sleep(0.1)
    served.wait_for_full_pool()
    return served


def stop(served: Served) -> None:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        try:
            served.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = start(tmp_path_factory.mktemp("limits"))
    yield served
    stop(served)


@pytest.fixture(autouse=True)
def steady(request: pytest.FixtureRequest) -> None:
    """Each test on the shared server starts with a full pool (an earlier test may have had workers killed)."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").wait_for_full_pool()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def make(**settings: str) -> Served:
        started.append(start(tmp_path, **settings))
        return started[-1]

    yield make
    for served in started:
        stop(served)


def sparql(served: Served, query: str, *, headers: dict[str, str] | None = None, timeout: float = 20) -> httpx.Response:
    return httpx.post(
        served.url("/sparql"),
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query", **(headers or SPARQL_JSON)},
        timeout=timeout,
    )


def test_a_runaway_query_is_stopped_at_the_deadline_while_other_requests_keep_succeeding(server: Served) -> None:
    statuses: list[int] = []
    stop_stream = threading.Event()

    def stream() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop_stream.is_set():
                response = client.get(server.url("/sparql"), params={"query": "ASK { ?s ?p ?o }"}, headers=SPARQL_JSON)
                statuses.append(response.status_code)
                time.sleep(0.02)  # a steady stream, not a CPU hog on this side

    streamer = threading.Thread(target=stream)
    streamer.start()
    try:
        time.sleep(0.2)
        started = time.monotonic()
        response = sparql(server, CARTESIAN)
        elapsed = time.monotonic() - started
        time.sleep(0.3)
    finally:
        stop_stream.set()
        streamer.join()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["content-type"].startswith("text/plain")
    assert "stopped after 1 s" in response.text
    assert 1.0 <= elapsed < 2.0, f"stopped after {elapsed:.2f} s"
    assert len(statuses) > 5
    assert set(statuses) == {200}


def test_after_a_stopped_query_no_worker_is_left_beyond_the_pool(server: Served) -> None:
    before = server.workers()
    assert sparql(server, CARTESIAN).status_code == 503
    server.wait_for_full_pool()
    after = server.workers()
    assert len(after) == WORKERS
    assert len(before - after) == 1  # the one that ran the query, killed and replaced
    assert not any(alive(pid) for pid in before - after)


def test_a_sparql_answer_cut_at_max_rows_says_so_in_header_and_json(server: Served) -> None:
    response = sparql(server, "SELECT ?s { ?s ?p ?o }")
    assert response.status_code == 200
    assert response.headers["X-VCGRAPH-Truncated"] == f"max_rows={MAX_ROWS}"
    document = response.json()
    assert document["truncated"] is True
    assert len(document["results"]["bindings"]) == MAX_ROWS


def test_a_cut_csv_answer_says_so_in_its_header(server: Served) -> None:
    response = sparql(server, "SELECT ?s { ?s ?p ?o }", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["X-VCGRAPH-Truncated"] == f"max_rows={MAX_ROWS}"
    assert len(response.text.strip().splitlines()) == MAX_ROWS + 1


def test_a_cut_construct_answer_says_so_in_its_header(server: Served) -> None:
    response = sparql(server, "CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["X-VCGRAPH-Truncated"] == f"max_rows={MAX_ROWS}"
    assert len(response.text.strip().splitlines()) == MAX_ROWS


def test_a_graph_read_through_the_graph_store_protocol_is_cut_at_max_rows_and_says_so(server: Served) -> None:
    response = httpx.get(
        server.url("/sparql/store"),
        params={"graph": WAVE_GRAPH.value},
        headers={"Accept": "application/n-triples"},
        timeout=20,
    )
    assert response.status_code == 200
    assert response.headers["X-VCGRAPH-Truncated"] == f"max_rows={MAX_ROWS}"
    lines = response.text.strip().splitlines()
    assert len(lines) == MAX_ROWS
    assert all(line.startswith(f"<{BASE}id/thing/") for line in lines)


def test_a_rest_answer_built_from_cut_rows_says_truncated(server: Served) -> None:
    response = httpx.get(server.url("/api/vocabularies/stages"), timeout=20)
    assert response.status_code == 200
    assert response.headers["X-VCGRAPH-Truncated"] == f"max_rows={MAX_ROWS}"
    assert response.json()["truncated"] is True
    assert response.json()["question"] == "vocabulary"


def test_a_rest_answer_may_be_shaped_from_more_rows_than_a_sparql_answer_may_carry(
    fresh_server: Callable[..., Served],
) -> None:
    served = fresh_server(VCGRAPH_QUESTION_MAX_ROWS="1000")
    rest = httpx.get(served.url("/api/vocabularies/stages"), timeout=20)
    raw = sparql(served, "SELECT ?s { ?s ?p ?o }")
    assert rest.status_code == 200
    assert "X-VCGRAPH-Truncated" not in rest.headers
    assert "truncated" not in rest.json()
    assert rest.json()["count"] > MAX_ROWS
    assert raw.headers["X-VCGRAPH-Truncated"] == f"max_rows={MAX_ROWS}"


def test_an_answer_within_max_rows_carries_no_mark(server: Served) -> None:
    response = sparql(server, f"SELECT ?s {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert response.status_code == 200
    assert "X-VCGRAPH-Truncated" not in response.headers
    assert "truncated" not in response.json()


def _hold_slots(served: Served, count: int) -> list[socket.socket]:
    """``count`` requests that stay in flight: their headers promise a body that never comes."""
    port = int(served.base_url.rsplit(":", 1)[1])
    held = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000\r\n\r\n"
        )
        held.append(connection)
    return held


def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_requests_beyond_max_concurrent_get_a_fast_503(server: Served) -> None:
    held = _hold_slots(server, MAX_CONCURRENT)
    try:
        with httpx.Client(timeout=20) as client:
            _until(lambda: client.get(server.url("/api/vocabularies/stages")).status_code == 503)
            results: list[tuple[httpx.Response, float]] = []
            for _ in range(10):
                started = time.monotonic()
                response = client.get(server.url("/api/vocabularies/stages"))
                results.append((response, time.monotonic() - started))
            plain = client.post(
                server.url("/sparql"), content=b"ASK {}", headers={"Content-Type": "application/sparql-query"}
            )
    finally:
        for connection in held:
            connection.close()
    assert [response.status_code for response, _ in results] == [503] * 10
    assert all(response.json()["error"] == "overloaded" for response, _ in results)
    assert all(response.headers["Retry-After"].isdigit() for response, _ in results)
    assert max(seconds for _, seconds in results) < 0.25
    assert plain.status_code == 503
    assert plain.headers["content-type"].startswith("text/plain")


def test_the_server_answers_again_once_the_overload_is_over(server: Served) -> None:
    held = _hold_slots(server, MAX_CONCURRENT)
    with httpx.Client(timeout=20) as client:
        _until(lambda: client.get(server.url("/api/vocabularies/stages")).status_code == 503)
        for connection in held:
            connection.close()
        _until(lambda: client.get(server.url("/api/vocabularies/stages")).status_code == 200)


def test_runaway_queries_beyond_max_concurrent_are_all_answered_with_503(server: Served) -> None:
    with ThreadPoolExecutor(MAX_CONCURRENT * 2) as pool:
        responses = list(pool.map(lambda _: sparql(server, CARTESIAN), range(MAX_CONCURRENT * 2)))
    assert {response.status_code for response in responses} == {503}
    assert all(response.headers["Retry-After"].isdigit() for response in responses)


def test_a_query_text_over_max_query_bytes_is_413(server: Served) -> None:
    query = "SELECT * { ?s ?p ?o } # " + "x" * MAX_QUERY_BYTES
    response = sparql(server, query)
    assert response.status_code == 413
    assert str(MAX_QUERY_BYTES) in response.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * {" + "{" * 10_000 + "}" * 10_000 + "}",
        "SELECT * { FILTER" + "(" * 10_000 + "1" + ")" * 10_000 + " }",
    ],
    ids=["braces", "parentheses"],
)
def test_brackets_nested_ten_thousand_deep_are_400_and_the_server_stays_up(server: Served, query: str) -> None:
    response = httpx.post(server.url("/sparql"), data={"query": query}, timeout=20)
    assert response.status_code == 400
    assert "nested more than" in response.text
    assert sparql(server, "ASK {}").status_code == 200


def test_a_deeply_nested_update_is_400_and_the_server_stays_up(server: Served) -> None:
    update = "INSERT { <urn:a> <urn:b> <urn:c> } WHERE {" + "{" * 10_000 + "}" * 10_000 + "}"
    response = httpx.post(
        server.url("/sparql/update"),
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=20,
    )
    assert response.status_code == 400
    assert sparql(server, "ASK {}").status_code == 200


def test_a_read_after_a_write_sees_the_write(server: Served) -> None:
    marker = f"written-{time.monotonic_ns()}"
    update = f'INSERT DATA {{ GRAPH <{WAVE_GRAPH.value}> {{ <urn:vcgraph:test> <{RDFS}label> "{marker}" }} }}'
    response = httpx.post(
        server.url("/sparql/update"),
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=20,
    )
    assert response.status_code == 204
    for _ in range(WORKERS * 2):  # whichever worker answers
        answer = sparql(server, f'ASK {{ ?s <{RDFS}label> "{marker}" }}')
        assert answer.status_code == 200, answer.text
        assert answer.json()["boolean"] is True


def test_stopping_the_server_leaves_no_worker(fresh_server: Callable[..., Served]) -> None:
    served = fresh_server()
    workers = served.workers()
    assert len(workers) == WORKERS
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=20)
    time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


def test_a_killed_server_leaves_no_worker(fresh_server: Callable[..., Served]) -> None:
    served = fresh_server()
    workers = served.workers()
    served.process.kill()
    served.process.wait(timeout=20)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "workers outlived their server"
        time.sleep(0.05)


def test_a_server_killed_during_a_runaway_query_leaves_no_worker(fresh_server: Callable[..., Served]) -> None:
    served = fresh_server()
    workers = served.workers()
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(sparql, served, CARTESIAN)
        time.sleep(0.3)
        served.process.kill()
        served.process.wait(timeout=20)
        with pytest.raises(httpx.TransportError):
            pending.result()
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "a busy worker outlived its server"
        time.sleep(0.05)


@pytest.fixture
def impatient_server(tmp_path: Path) -> Iterator[Served]:
    """A server giving clients one second to send a request head and one second to send a request body, and
    refusing every request beyond ``MAX_CONNECTIONS`` open connections."""
    served = start(
        tmp_path, VCGRAPH_BODY_TIMEOUT="1", VCGRAPH_HEADER_TIMEOUT="1", VCGRAPH_MAX_CONNECTIONS=str(MAX_CONNECTIONS)
    )
    yield served
    stop(served)


def _response_of(connection: socket.socket) -> bytes:
    """Everything the server sends on ``connection`` until it closes it or 15 s pass."""
    connection.settimeout(15)
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and b"did not arrive" in received and received.endswith(b"}"):
                break
    except TimeoutError:
        pass
    return received


def test_a_withheld_body_gets_408_and_frees_its_slot(impatient_server: Served) -> None:
    held = _hold_slots(impatient_server, MAX_CONCURRENT)
    try:
        answers = [_response_of(connection) for connection in held]
    finally:
        for connection in held:
            connection.close()
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), answers
    assert all(b"did not arrive within 1 s" in answer for answer in answers)
    assert httpx.get(impatient_server.url("/api/vocabularies/stages"), timeout=20).status_code == 200


def test_a_body_trickled_a_byte_at_a_time_is_stopped_at_the_deadline(impatient_server: Served) -> None:
    port = int(impatient_server.base_url.rsplit(":", 1)[1])
    connection = socket.create_connection(("127.0.0.1", port))
    stop_trickling = threading.Event()

    def trickle() -> None:
        try:
            while not stop_trickling.wait(0.2):
                connection.sendall(b" ")
        except OSError:
            pass  # the server answered and closed the connection: the point of the test

    connection.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100000\r\n\r\n"
    )
    trickler = threading.Thread(target=trickle)
    trickler.start()
    try:
        answer = _response_of(connection)
    finally:
        stop_trickling.set()
        trickler.join()
        connection.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"did not arrive within 1 s" in answer


def test_a_body_sent_at_once_is_not_affected_by_the_deadline(impatient_server: Served) -> None:
    response = sparql(impatient_server, "ASK { ?s ?p ?o }")
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def _port(served: Served) -> int:
    return int(served.base_url.rsplit(":", 1)[1])


def _trickle_into(connection: socket.socket, head: bytes) -> Callable[[], None]:
    """Send ``head`` a byte every 0.2 s in a thread; the returned function stops it."""
    stop_trickling = threading.Event()

    def trickle() -> None:
        try:
            for byte in head:
                if stop_trickling.wait(0.2):
                    return
                connection.sendall(bytes([byte]))
        except OSError:
            pass  # the server answered and closed the connection: the point of the tests

    trickler = threading.Thread(target=trickle)
    trickler.start()

    def stop_it() -> None:
        stop_trickling.set()
        trickler.join()

    return stop_it


SLOW_HEAD = b"GET /api/vocabularies/stages HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"


def test_a_connection_that_sends_nothing_is_closed_at_the_header_deadline(impatient_server: Served) -> None:
    with socket.create_connection(("127.0.0.1", _port(impatient_server))) as connection:
        connection.settimeout(15)
        started = time.monotonic()
        assert connection.recv(65536) == b""
        waited = time.monotonic() - started
    assert 0.5 < waited < 5, waited


def test_request_headers_trickled_a_byte_at_a_time_get_408_at_the_deadline(impatient_server: Served) -> None:
    connection = socket.create_connection(("127.0.0.1", _port(impatient_server)))
    stop_trickling = _trickle_into(connection, SLOW_HEAD)
    try:
        started = time.monotonic()
        answer = _response_of(connection)
        waited = time.monotonic() - started
    finally:
        stop_trickling()
        connection.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b'"error": "request_timeout"' in answer
    assert b"request line and headers did not arrive within 1 s" in answer
    assert waited < 5, waited


def test_the_next_request_on_a_kept_alive_connection_has_the_same_header_deadline(impatient_server: Served) -> None:
    connection = socket.create_connection(("127.0.0.1", _port(impatient_server)))
    connection.settimeout(15)
    connection.sendall(SLOW_HEAD)
    first = b""
    while b"\r\n\r\n" not in first:
        first += connection.recv(65536)
    stop_trickling = _trickle_into(connection, SLOW_HEAD)
    try:
        answer = _response_of(connection)
    finally:
        stop_trickling()
        connection.close()
    assert first.startswith(b"HTTP/1.1 200 "), first
    assert b"HTTP/1.1 408 " in answer, answer


def test_slow_connections_beyond_uvicorns_connection_limit_do_not_lock_clients_out(impatient_server: Served) -> None:
    # uvicorn answers 503 to every request once MAX_CONNECTIONS connections are open, whatever they are doing.
    slow = [socket.create_connection(("127.0.0.1", _port(impatient_server))) for _ in range(MAX_CONNECTIONS + 6)]
    try:
        for connection in slow:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        with httpx.Client(timeout=20) as client:
            _until(lambda: client.get(impatient_server.url("/api/vocabularies/stages")).status_code == 200)
            statuses = [client.get(impatient_server.url("/api/vocabularies/stages")).status_code for _ in range(5)]
        closed_by_server = sum(_response_of(connection).startswith(b"HTTP/1.1 408 ") for connection in slow)
    finally:
        for connection in slow:
            connection.close()
    assert statuses == [200] * 5
    assert closed_by_server == len(slow)


def test_more_kept_alive_clients_than_max_concurrent_are_all_served_one_request_at_a_time(server: Served) -> None:
    # uvicorn refuses every request once its connection limit is reached, idle keep-alive connections included.
    clients = [httpx.Client(timeout=20) for _ in range(100)]
    try:
        first = [client.get(server.url("/api/vocabularies/stages")).status_code for client in clients]
        again = [client.get(server.url("/api/vocabularies/stages")).status_code for client in clients]
    finally:
        for client in clients:
            client.close()
    assert first == [200] * 100
    assert again == [200] * 100
