"""The bad-input battery: hostile, malformed, oversized or lying input on every door, over real HTTP on loopback
and through the CLI. Every case asserts the status (or exit code), the message, and that the store is unchanged
(quad count and per-graph checksums, :func:`vcgraph.service.backup.graph_checksums`); the outbound-fetch vectors
also assert that a local TCP listener saw no connection and that a ``file:`` probe's content appears nowhere.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import pyoxigraph
import pytest
import uvicorn

from vcgraph.config import Settings, project_root
from vcgraph.http.app import create_app
from vcgraph.service.backup import GraphChecksum, graph_checksums
from vcgraph.service.ingest import ingest_survey
from vcgraph.store.oxigraph import OxigraphStore

if TYPE_CHECKING:  # conftest is a pytest plugin, not an importable module
    from conftest import ConnectionRecorder

pytestmark = pytest.mark.e2e

ROOT = project_root()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID_CSV = (FIXTURES / "survey" / "valid.csv").read_bytes()
TOKEN = "battery-admin-token-9876543210"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
WAVE = "2026-W1"
EARLIER_WAVE = "2025-W1"
PROBE_SECRET = "probe-secret-5f1c0d2e"  # the content of the file: probe; it must never come back or be stored
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

HOSTILE = {
    "quote": 'x" } ; DROP ALL ; SELECT * { "',
    "iri-break": "> } DROP ALL ; INSERT DATA { <a:b> <a:c> <a:d> } #",
    "unicode": "é\u202eFR\u0000\U0001f600\ufeff",
    "very-long": "A" * 6000,
}


@dataclass
class Battery:
    """The server under attack, its store and what it started with."""

    base_url: str
    store: OxigraphStore
    settings: Settings
    client: httpx.Client = field(repr=False)
    probe: Path = field(default=Path())

    def url(self, path: str) -> str:
        return self.base_url + path

    def snapshot(self) -> tuple[int, dict[str, GraphChecksum]]:
        copy = pyoxigraph.Store()
        copy.extend(self.store.quads())
        return len(copy), graph_checksums(copy)


@pytest.fixture(scope="module")
def battery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Battery]:
    folder = tmp_path_factory.mktemp("battery")
    store = OxigraphStore(folder / "store")
    settings = Settings(store=str(folder / "store"), home=ROOT, admin_token=TOKEN)
    for wave in (EARLIER_WAVE, WAVE):  # two waves, so that the trend questions' from/to are valid
        report = ingest_survey(store, settings, FIXTURES / "survey" / "valid.csv", wave)
        assert report.ok, report.text()
    probe = folder / "probe.txt"
    probe.write_text(PROBE_SECRET, encoding="utf-8")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    client = httpx.Client(timeout=30)
    yield Battery(f"http://127.0.0.1:{port}", store, settings, client, probe)
    client.close()
    server.should_exit = True
    thread.join(timeout=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def unchanged(battery: Battery) -> Iterator[None]:
    """Every case leaves the store exactly as it found it."""
    before = battery.snapshot()
    yield
    assert battery.snapshot() == before, "the store changed"


def detail(response: httpx.Response) -> str:
    """The message of an error, JSON or plain text."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json().get("detail"))
    return response.text


# ---------------------------------------------------------------------------------------------------------------
# Outbound fetches: every vector refused, nothing connects, nothing is read.


def rdf_xml(doctype: str, value: str) -> bytes:
    return (
        f'<?xml version="1.0"?>{doctype}<rdf:RDF xmlns:rdf="{RDF_NS}"><rdf:Description rdf:about="http://e.org/x">'
        f"<rdf:value>{value}</rdf:value></rdf:Description></rdf:RDF>"
    ).encode()


@dataclass(frozen=True)
class Vector:
    method: str
    path: str
    status: int
    message: str
    body: Callable[[str, str], bytes | dict[str, str]]  # (listener URL, probe file URL) -> body or form
    content_type: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    admin: bool = True


GRAPH = {"graph": "http://e.org/battery"}
FETCH_VECTORS = {
    "query-service": Vector(
        "POST", "/sparql", 400, "federation is disabled",
        lambda url, _: {"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}, admin=False,
    ),
    "query-service-escaped": Vector(
        "POST", "/sparql", 400, "federation is disabled",
        lambda url, _: {"query": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}"}, admin=False,
    ),
    "update-load-url": Vector(
        "POST", "/sparql/update", 400, "LOAD would make", lambda url, _: {"update": f"LOAD <{url}>"}
    ),
    "update-load-file": Vector(
        "POST", "/sparql/update", 400, "LOAD would make",
        lambda _, probe: {"update": f"LOAD <{probe}> INTO GRAPH <a:g>"},
    ),
    "update-service": Vector(
        "POST", "/sparql/update", 400, "federation is disabled",
        lambda url, _: {"update": f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"},
    ),
    "rdfxml-external-entity-url": Vector(
        "PUT", "/sparql/store", 422, "<!DOCTYPE declaration",
        lambda url, _: rdf_xml(f'<!DOCTYPE r [<!ENTITY e SYSTEM "{url}">]>', "&e;"), "application/rdf+xml", GRAPH,
    ),
    "rdfxml-external-entity-file": Vector(
        "PUT", "/sparql/store", 422, "<!DOCTYPE declaration",
        lambda _, probe: rdf_xml(f'<!DOCTYPE r [<!ENTITY e SYSTEM "{probe}">]>', "&e;"), "application/rdf+xml", GRAPH,
    ),
    "rdfxml-external-dtd": Vector(
        "PUT", "/sparql/store", 422, "<!DOCTYPE declaration",
        lambda url, _: rdf_xml(f'<!DOCTYPE r SYSTEM "{url}">', "v"), "application/rdf+xml", GRAPH,
    ),
    "jsonld-remote-context": Vector(
        "PUT", "/sparql/store", 422, "remote context",
        lambda url, _: f'{{"@context": "{url}", "@id": "http://e.org/x", "name": "n"}}'.encode(),
        "application/ld+json", GRAPH,
    ),
    "jsonld-file-context": Vector(
        "POST", "/sparql/store", 422, "remote context",
        lambda _, probe: f'{{"@context": ["{probe}"], "@id": "http://e.org/x"}}'.encode(), "application/ld+json", GRAPH,
    ),
    "jsonld-import": Vector(
        "PUT", "/sparql/store", 422, "@import",
        lambda url, _: f'{{"@context": {{"@import": "{url}"}}, "@id": "http://e.org/x"}}'.encode(),
        "application/ld+json", GRAPH,
    ),
    "owl-imports": Vector(
        "PUT", "/sparql/store", 422, "owl:imports",
        lambda url, _: f"<http://e.org/o> <http://www.w3.org/2002/07/owl#imports> <{url}> .".encode(), "text/turtle",
        GRAPH,
    ),
}  # fmt: skip


@pytest.mark.parametrize("vector", list(FETCH_VECTORS.values()), ids=list(FETCH_VECTORS))
def test_outbound_fetch_vectors_are_refused_without_a_connection_or_a_read(
    battery: Battery, recorder: ConnectionRecorder, unchanged: None, vector: Vector
) -> None:
    probe_url = battery.probe.as_uri()
    body = vector.body(recorder.url, probe_url)
    headers = dict(ADMIN) if vector.admin else {}
    if vector.content_type:
        headers["Content-Type"] = vector.content_type
    request: dict[str, Any] = {"data": body} if isinstance(body, dict) else {"content": body}
    response = battery.client.request(
        vector.method, battery.url(vector.path), params=vector.params, headers=headers, **request
    )
    assert response.status_code == vector.status, response.text
    assert vector.message in detail(response)
    assert PROBE_SECRET not in response.text
    assert recorder.settle() == 0


# ---------------------------------------------------------------------------------------------------------------
# Writes: tokens and destructive operations.


@pytest.mark.parametrize(
    ("update", "operation"),
    [
        ("DROP ALL", "DROP ALL"),
        ("CLEAR ALL", "CLEAR ALL"),
        ("drop silent default", "DROP DEFAULT"),
        ("CLEAR NAMED", "CLEAR NAMED"),
        ("INSERT DATA { <a:x> <a:p> <a:o> } ;\n\\u0044ROP ALL", "DROP ALL"),
    ],
    ids=["drop-all", "clear-all", "drop-default", "clear-named", "escaped-after-an-insert"],
)
def test_destructive_updates_are_403_even_for_the_admin(
    battery: Battery, unchanged: None, update: str, operation: str
) -> None:
    response = battery.client.post(battery.url("/sparql/update"), data={"update": update}, headers=ADMIN)
    assert response.status_code == 403
    assert operation in response.text
    assert "VCGRAPH_ALLOW_DESTRUCTIVE=true" in response.text


def test_graph_store_delete_of_the_default_graph_is_403(battery: Battery, unchanged: None) -> None:
    response = battery.client.delete(battery.url("/sparql/store"), params={"default": ""}, headers=ADMIN)
    assert response.status_code == 403
    assert "DROP DEFAULT" in detail(response)


WRITES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "update": ("POST", "/sparql/update", {"data": {"update": "INSERT DATA { <a:x> <a:p> <a:o> }"}}),
    "gsp-put": ("PUT", "/sparql/store?graph=http://e.org/g", {"content": b"<a:x> <a:p> <a:o> ."}),
    "gsp-delete": ("DELETE", f"/sparql/store?graph=https://w3id.org/vcgraph/graph/wave/{WAVE}", {}),
    "survey-upload": ("POST", f"/api/waves/{WAVE}", {"content": VALID_CSV}),
}
CREDENTIALS = {
    "missing": ({}, 401, "Authorization: Bearer"),
    "wrong": ({"Authorization": "Bearer " + TOKEN[:-1] + "X"}, 403, "not the admin token"),
    "basic": ({"Authorization": "Basic YWRtaW46YWRtaW4="}, 401, "only Bearer"),
    "empty-bearer": ({"Authorization": "Bearer"}, 401, "only Bearer"),
}


@pytest.mark.parametrize("credentials", list(CREDENTIALS), ids=list(CREDENTIALS))
@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_writes_without_the_admin_token_are_refused(
    battery: Battery, unchanged: None, write: str, credentials: str
) -> None:
    method, path, request = WRITES[write]
    headers, status, message = CREDENTIALS[credentials]
    if write == "gsp-put":
        headers = {**headers, "Content-Type": "text/turtle"}
    response = battery.client.request(method, battery.url(path), headers=headers, **request)
    assert response.status_code == status
    assert message in detail(response)


# ---------------------------------------------------------------------------------------------------------------
# Graph Store uploads: bombs, size and type lies, malformed RDF.

LAUGHS = (
    '<!DOCTYPE r [<!ENTITY a "hahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;">]>'
)
GSP_UPLOADS = {
    "billion-laughs": (rdf_xml(LAUGHS, "&c;"), "application/rdf+xml", 422, "<!DOCTYPE declaration"),
    "xml-sent-as-turtle": (rdf_xml("", "v"), "text/turtle", 422, "is RDF/XML"),
    "json-sent-as-n-triples": (b'{"@id": "http://e.org/x"}', "application/n-triples", 422, "is JSON"),
    "zip-sent-as-turtle": (b"PK\x03\x04" + b"\x00" * 64, "text/turtle", 422, "zip archive"),
    "latin-1-turtle": (b'<http://e.org/x> <http://e.org/p> "caf\xe9" .', "text/turtle", 422, "not UTF-8"),
    "csv-content-type": (b"a,b\n1,2\n", "text/csv", 415, "not an RDF format"),
    "no-content-type": (b"<http://e.org/x> <http://e.org/p> <http://e.org/o> .", None, 415, "missing Content-Type"),
    "malformed-turtle": (b"<http://e.org/x> <http://e.org/p> .", "text/turtle", 400, "line 1 column 35"),
    "malformed-rdfxml": (
        b"<rdf:RDF xmlns:rdf='" + RDF_NS.encode() + b"'><unclosed>", "application/rdf+xml", 400, "not valid"
    ),
    "deep-json": (b"[" * 50_000 + b"]" * 50_000, "application/ld+json", 422, "nests too deeply"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(GSP_UPLOADS), ids=list(GSP_UPLOADS))
def test_graph_store_refuses_bad_uploads_with_the_reason(battery: Battery, unchanged: None, case: str) -> None:
    body, content_type, status, message = GSP_UPLOADS[case]
    headers = {**ADMIN, **({"Content-Type": content_type} if content_type else {})}
    response = battery.client.put(battery.url("/sparql/store"), params=GRAPH, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert message in detail(response)
    assert "hahahahahahahahaha" not in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [({"graph": "not an iri"}, "not an absolute IRI"), ({"graph": "http://e.org/g", "default": ""}, "not both")],
    ids=["graph-not-an-iri", "graph-and-default"],
)
def test_graph_store_refuses_a_bad_graph_name(
    battery: Battery, unchanged: None, params: dict[str, str], message: str
) -> None:
    response = battery.client.put(
        battery.url("/sparql/store"), params=params, content=b"", headers={**ADMIN, "Content-Type": "text/turtle"}
    )
    assert response.status_code == 400
    assert message in detail(response)


# ---------------------------------------------------------------------------------------------------------------
# SPARQL query endpoint.


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("SELECT * WHERE { ?s ?p }", 400, "malformed query"),
        ('SELECT * WHERE { ?s ?p "unterminated }', 400, "malformed query"),
        ("LOAD <http://e.org/x>", 400, "LOAD would make"),
        ("SELECT * FROM <https://w3id.org/vcgraph/graph/restricted/2026-W1> { ?s ?p ?o }", 403, "never readable"),
        ("\U0001f600 \u202e SELECT", 400, "malformed query"),
    ],
    ids=["syntax-error", "unterminated-string", "update-as-query", "restricted-graph", "unicode-garbage"],
)
def test_bad_queries_are_refused_with_the_reason(
    battery: Battery, unchanged: None, query: str, status: int, message: str
) -> None:
    response = battery.client.get(battery.url("/sparql"), params={"query": query})
    assert response.status_code == status
    assert message in response.text


def test_an_oversized_query_body_is_413(battery: Battery, unchanged: None) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (2 * 1024 * 1024)
    response = battery.client.post(
        battery.url("/sparql"), content=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert "bytes" in response.text


def test_an_update_with_the_parser_error_is_400_and_writes_nothing(battery: Battery, unchanged: None) -> None:
    update = "INSERT DATA { <a:x> <a:p> <a:o> } ; INSERT DATA { <a:x> <a:p> }"
    response = battery.client.post(battery.url("/sparql/update"), data={"update": update}, headers=ADMIN)
    assert response.status_code == 400
    assert "malformed update" in response.text


# ---------------------------------------------------------------------------------------------------------------
# REST questions: every parameter of every route, with injection attempts.


def question_routes() -> list[tuple[str, str, str, dict[str, str]]]:
    """(route, parameter, type, example parameters) for every parameter of every question route."""
    from vcgraph.questions import list_questions

    cases = []
    for info in list_questions(Settings(home=ROOT)):
        example = {key: str(value) for key, value in (info.example or {}).items()}
        for spec in info.parameters:  # the examples name waves this store does not hold: use the battery's two
            if spec.type == "wave" and spec.name in example:
                example[spec.name] = EARLIER_WAVE if spec.name == "from" else WAVE
        for spec in info.parameters:
            cases.append((info.route, spec.name, spec.type, example))
    return cases


QUESTION_CASES = question_routes()


@pytest.mark.parametrize(
    ("route", "parameter", "kind", "example"),
    QUESTION_CASES,
    ids=[f"{route}:{parameter}" for route, parameter, _, _ in QUESTION_CASES],
)
def test_injection_through_a_rest_parameter_is_a_4xx_naming_it_or_a_harmless_search(
    battery: Battery, unchanged: None, route: str, parameter: str, kind: str, example: dict[str, str]
) -> None:
    for name, value in HOSTILE.items():
        params = {key: value for key, value in example.items()}
        path = route
        if "{" + parameter + "}" in route:
            path = route.replace("{" + parameter + "}", quote(value, safe=""))
        else:
            params[parameter] = value
        for key, example_value in example.items():
            path = path.replace("{" + key + "}", example_value)
        params = {key: item for key, item in params.items() if "{" + key + "}" not in route}
        response = battery.client.get(battery.url(path), params=params)
        if kind == "text" and name != "very-long":  # free text is bound as a literal: it only matches, or not
            assert response.status_code == 200, (name, response.text[:300])
            continue
        assert response.status_code in (404, 422), (name, response.status_code, response.text[:300])
        assert response.json()["detail"]["parameter"] == parameter, (name, response.text[:300])


# ---------------------------------------------------------------------------------------------------------------
# Survey uploads: hostile names, bombs, malformed files.


def test_hostile_names_in_a_survey_are_stored_as_plain_text_and_change_nothing_else(battery: Battery) -> None:
    hostile_name = 'Evil"> } ; DROP ALL ; <script>alert(1)</script> \u202e\U0001f600'
    lines = VALID_CSV.decode().splitlines()
    row = lines[1].replace("Bioprocess Liège SA", '"' + hostile_name.replace('"', '""') + '"')
    before_count, before = battery.snapshot()
    response = battery.client.post(
        battery.url("/api/waves/2026-HOSTILE"), content=f"{lines[0]}\n{row}\n".encode(), headers=ADMIN
    )
    assert response.status_code == 200, response.text
    _, after = battery.snapshot()
    assert {k: v for k, v in after.items() if "2026-HOSTILE" not in k} == before  # no other graph was touched
    query = (
        "SELECT ?name WHERE { GRAPH <https://w3id.org/vcgraph/graph/wave/2026-HOSTILE> "
        "{ ?a a <https://w3id.org/vcgraph/ontology#Actor> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name } }"
    )
    solutions = battery.store.query(query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [solution["name"].value for solution in solutions]
    assert names == [hostile_name]
    battery.store.replace_graphs(  # leave the store as the other cases expect it
        {
            pyoxigraph.NamedNode("https://w3id.org/vcgraph/graph/wave/2026-HOSTILE"): [],
            pyoxigraph.NamedNode("https://w3id.org/vcgraph/graph/restricted/2026-HOSTILE"): [],
        }
    )
    assert battery.snapshot()[0] == before_count


def xlsx_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


SURVEY_UPLOADS = {
    "zip-bomb": ((FIXTURES / "mappings" / "zip-bomb.xlsx").read_bytes(), None, 422, "decompression bomb"),
    "xml-bomb": (
        xlsx_zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": LAUGHS.encode() + b"<x>&c;</x>"}),
        None, 422, "declares <!DOCTYPE",
    ),
    "legacy-xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, None, 415, "legacy Excel"),
    "pdf-as-csv": (b"%PDF-1.4\n%...", "text/csv", 415, "neither CSV text nor an XLSX"),
    "image-content-type": (VALID_CSV, "image/png", 415, "not a survey file"),
    "latin-1-csv": ("response_id,organisation\nR-1,Caf\xe9\n".encode("latin-1"), "text/csv", 422, "UTF-8"),
    "unclosed-quote": (b'response_id,organisation\nR-1,"never closed\n', "text/csv", 422, "rejected"),
    "duplicate-columns": (b"response_id,response_id\nR-1,R-2\n", "text/csv", 422, "repeats column"),
    "header-only": (VALID_CSV.splitlines()[0] + b"\n", "text/csv", 422, "rejected"),
    "bad-values": (VALID_CSV.replace(b",BE332,", b",XX999,"), "text/csv", 422, "XX999"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(SURVEY_UPLOADS), ids=list(SURVEY_UPLOADS))
def test_bad_survey_uploads_are_refused_with_the_reason(battery: Battery, unchanged: None, case: str) -> None:
    body, content_type, status, message = SURVEY_UPLOADS[case]
    headers = {**ADMIN, **({"Content-Type": content_type} if content_type else {})}
    response = battery.client.post(battery.url(f"/api/waves/{WAVE}"), content=body, headers=headers)
    assert response.status_code == status, response.text
    text = response.text if case not in ("unclosed-quote", "header-only") else response.json()["error"]
    assert message in text if case not in ("unclosed-quote", "header-only") else text == "survey_rejected"
    if status == 422 and response.json().get("error") == "survey_rejected":
        assert response.json()["detail"]["errors"], "a rejected file names its errors"
    assert "hahahahahahahahaha" not in response.text


@pytest.mark.parametrize(
    ("wave", "params", "message"),
    [
        ("-leading-dash", {}, "wave: "),
        ("2026-W1", {"mapping": "../../etc/passwd"}, "not a known mapping"),
        ("2026-W1", {"mapping": str(FIXTURES / "mappings" / "mini.yaml")}, "not a known mapping"),
    ],
    ids=["bad-wave-id", "mapping-path-traversal", "mapping-absolute-path"],
)
def test_survey_upload_parameters_are_checked_before_the_file(
    battery: Battery, unchanged: None, wave: str, params: dict[str, str], message: str
) -> None:
    response = battery.client.post(battery.url(f"/api/waves/{wave}"), params=params, content=VALID_CSV, headers=ADMIN)
    assert response.status_code == 400
    assert message in detail(response)


# ---------------------------------------------------------------------------------------------------------------
# The CLI: a clear message and a non-zero exit, never a traceback, and the store unchanged.


def vcgraph(*arguments: str, store: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "VCGRAPH_HOME": str(ROOT), "VCGRAPH_STORE": str(store)}
    return subprocess.run(
        [sys.executable, "-m", "vcgraph.cli", *arguments],
        capture_output=True, text=True, timeout=120, env=environment, cwd=ROOT,
    )  # fmt: skip


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    result = vcgraph("init", store=path)
    assert result.returncode == 0, result.stderr
    return path


def store_snapshot(path: Path) -> dict[str, GraphChecksum]:
    store = pyoxigraph.Store.read_only(str(path))
    try:
        return graph_checksums(store)
    finally:
        del store


def cli_file(tmp_path: Path, name: str, content: bytes) -> str:
    target = tmp_path / name
    target.write_bytes(content)
    return str(target)


CLI_CASES: dict[str, tuple[Callable[[Path, str], list[str]], str]] = {
    "ingest-missing-file": (lambda tmp, _: ["ingest", str(tmp / "nope.csv"), "--wave", WAVE], "nope.csv"),
    "ingest-bad-wave": (lambda tmp, _: ["ingest", cli_file(tmp, "s.csv", VALID_CSV), "--wave", "../x"], "wave id"),
    "ingest-binary": (
        lambda tmp, _: ["ingest", cli_file(tmp, "s.csv", b"\x89PNG\r\n\x1a\n\x00\x00"), "--wave", WAVE],
        "neither an XLSX workbook nor UTF-8 text",
    ),
    "ingest-zip-bomb-with-mapping": (
        lambda tmp, _: ["ingest", str(FIXTURES / "mappings" / "zip-bomb.xlsx"), "--wave", WAVE, "-m", "google-forms"],
        "decompression bomb",
    ),
    "query-service": (lambda _, url: ["query", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"], "federation"),
    "query-load": (lambda _, url: ["query", f"LOAD <{url}>"], ""),
    "query-injection-param": (lambda _, __: ["query", "gaps-stages", "-p", 'region=BE3" } DROP ALL #'], "region"),
}


@pytest.mark.parametrize("case", list(CLI_CASES), ids=list(CLI_CASES))
def test_the_cli_refuses_bad_input_with_a_message_and_no_traceback(
    cli_store: Path, tmp_path: Path, recorder: ConnectionRecorder, case: str
) -> None:
    build, message = CLI_CASES[case]
    before = store_snapshot(cli_store)
    result = vcgraph(*build(tmp_path, recorder.url), store=cli_store)
    output = " ".join((result.stdout + result.stderr).split())  # rich wraps long messages at the terminal width
    assert result.returncode != 0, output
    assert message in output
    assert "Traceback" not in output
    assert recorder.settle() == 0
    assert store_snapshot(cli_store) == before
