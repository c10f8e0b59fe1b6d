"""SPARQL 1.1 Graph Store HTTP Protocol at /sparql/store, indirect identification (``?default``, ``?graph=``).

Reads (GET, HEAD) are public and see public graphs only, with the limits of a public query (deadline, row cap with
the truncation marker, answer size); writes (PUT, POST, DELETE) need the admin token.
Uploads are capped at ``VCGRAPH_MAX_UPLOAD_BYTES`` and parsed by :mod:`vcgraph.rdf.safe_parse` only (nothing in
them is fetched or expanded); ``DELETE ?default`` is refused unless ``VCGRAPH_ALLOW_DESTRUCTIVE``.
``?default`` is the store's own default graph (where an RDF file without graph names lands), whatever
``VCGRAPH_DEFAULT_GRAPH`` says about the default graph of queries.
"""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from collections.abc import Iterable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import DefaultGraph, NamedNode, Triple
from starlette.concurrency import run_in_threadpool

from vcgraph.http.auth import require_admin
from vcgraph.http.bodies import read_body
from vcgraph.http.deps import settings_of, store_of
from vcgraph.http.errors import ApiError, error_code
from vcgraph.http.negotiation import negotiate
from vcgraph.http.sparql_protocol import media_type_and_charset
from vcgraph.namespaces import Minter
from vcgraph.rdf.safe_parse import RdfUploadError, parse_rdf_upload
from vcgraph.service.sparql import ANSWER_SECONDS, MAX_ANSWER_BYTES
from vcgraph.service.update_guard import default_graph_delete_refusal
from vcgraph.sparql.formats import GRAPH_FORMATS, AnswerLimitExceeded, content_type, serialize_outcome
from vcgraph.store.port import Dataset, GraphName, Store

router = APIRouter(tags=["SPARQL 1.1"])

_DOC = (
    "Graph Store Protocol, indirect identification: `?default` or `?graph=<IRI>`. GET/HEAD return a public "
    "graph (Turtle, N-Triples, RDF/XML, JSON-LD); PUT replaces, POST merges, DELETE removes (admin token). "
    "POST without a graph creates a new graph and returns its IRI in `Location`."
)


def _target(request: Request, *, allow_none: bool = False) -> GraphName | None:
    parameters = request.query_params.multi_items()
    graphs = [value for key, value in parameters if key == "graph"]
    default = any(key == "default" for key, _ in parameters)
    if default and graphs:
        raise ApiError(400, "bad_request", "give either ?default or ?graph=<IRI>, not both")
    if len(graphs) > 1:
        raise ApiError(400, "bad_request", f"?graph is given {len(graphs)} times; name one graph")
    if default:
        return DefaultGraph()
    if not graphs:
        if allow_none:
            return None
        raise ApiError(400, "bad_request", "name the graph: ?default or ?graph=<IRI>")
    try:
        return NamedNode(graphs[0])
    except ValueError:
        raise ApiError(400, "bad_request", f"graph: {graphs[0]!r} is not an absolute IRI") from None


def _exists(store: Store, graph: GraphName) -> bool:
    """Whether the store holds ``graph``, empty or not: GSP makes an empty PUT create a graph a GET then finds
    (5.3), whereas ``Store.graphs()`` lists only graphs with content. ``GRAPH <g> {}`` matches exactly when ``g``
    is one of the dataset's named graphs, whatever it holds."""
    if isinstance(graph, DefaultGraph):
        return True
    return bool(store.query(f"ASK {{ GRAPH {graph} {{ }} }}"))


_DEFAULT_GRAPH_CONTENT = "CONSTRUCT WHERE { ?s ?p ?o }"
"""Every triple of the query's default graph, which :func:`graph_store_read` sets to the store's own."""


def _describe_graph(graph: GraphName) -> str:
    return "the default graph" if isinstance(graph, DefaultGraph) else f"graph <{graph.value}>"


def _parse_rdf(body: bytes, media_type: str | None, base_iri: str, max_bytes: int) -> list[Triple]:
    """Triples of one uploaded document, through the guarded parser (no fetching, no entities, sniffed)."""
    if media_type is not None and media_type.startswith("multipart/"):
        raise ApiError(415, "unsupported_media_type", "nested multipart bodies are not accepted")
    try:
        return parse_rdf_upload(body, media_type, base_iri=base_iri, max_bytes=max_bytes)
    except RdfUploadError as exc:
        raise ApiError(exc.status, error_code(exc.status), exc.reason) from None


def _read_upload(content_type_header: str | None, body: bytes, base_iri: str, max_bytes: int) -> list[Triple]:
    media_type, _ = media_type_and_charset(content_type_header)
    if media_type != "multipart/form-data":
        return _parse_rdf(body, media_type, base_iri, max_bytes)
    # A multipart body (GSP 5.5): each part is an RDF document with its own Content-Type.
    header = f"Content-Type: {content_type_header}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise ApiError(400, "bad_request", "the multipart body has no parts (check the boundary)")
    triples: list[Triple] = []
    for index, part in enumerate(message.iter_parts(), start=1):
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            raise ApiError(400, "bad_request", f"multipart part {index} has no content")
        part_type = part.get_content_type() if part.get("Content-Type") else None
        try:
            triples += _parse_rdf(payload, part_type, base_iri, max_bytes)
        except ApiError as exc:
            raise ApiError(exc.status, exc.code, f"multipart part {index}: {exc.detail}") from None
    return triples


def _insert_data(graph: GraphName, triples: Iterable[Triple]) -> str:
    """An INSERT DATA update for ``triples`` (serialised by pyoxigraph, never from raw text)."""
    lines = "\n".join(f"{triple} ." for triple in triples)
    if isinstance(graph, DefaultGraph):
        return f"INSERT DATA {{\n{lines}\n}}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{lines}\n}} }}"


@router.get("/sparql/store", name="graph_store_read", summary="Graph Store: read a graph", description=_DOC)
@router.head("/sparql/store", name="graph_store_read", summary="Graph Store: headers of a graph", description=_DOC)
async def graph_store_read(request: Request) -> Response:
    store, settings = store_of(request), settings_of(request)
    graph = _target(request)
    assert graph is not None
    if isinstance(graph, NamedNode) and not Minter(settings.base_iri).is_public_graph(graph.value):
        raise ApiError(403, "forbidden", "restricted and staging graphs are not served")
    media_type = negotiate(request.headers.get("accept"), list(GRAPH_FORMATS))
    if media_type is None:
        raise ApiError(406, "not_acceptable", "acceptable formats: " + ", ".join(GRAPH_FORMATS))

    def read() -> bytes:
        if not _exists(store, graph):
            raise ApiError(404, "not_found", f"no {_describe_graph(graph)} in this store")
        # Read as a query, not a dump: a read from outside then has the limits of every public query (stopped at
        # the query deadline, cut at the row cap with the truncation marker, built within the answer's byte and
        # time bounds). Whole dumps of the public graphs are the export's job (`vcgraph export`, DCAT).
        if isinstance(graph, DefaultGraph):
            outcome = store.query(_DEFAULT_GRAPH_CONTENT, dataset=Dataset(default_graphs=[graph]))
        else:
            outcome = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        try:
            return serialize_outcome(outcome, media_type, max_bytes=MAX_ANSWER_BYTES, seconds=ANSWER_SECONDS)
        except AnswerLimitExceeded as exc:
            # The same status as an over-limit answer at /sparql (the row cap usually cuts the graph well before).
            raise ApiError(
                400, "bad_request", f"{_describe_graph(graph)}: {exc}; download the export of the public graphs instead"
            ) from exc

    body = await run_in_threadpool(read)
    headers = {"Vary": "Accept"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, media_type=content_type(media_type), headers=headers)
    return Response(body, media_type=content_type(media_type), headers=headers)


@router.put("/sparql/store", name="graph_store_write", summary="Graph Store: replace a graph (admin)", description=_DOC)
@router.post("/sparql/store", name="graph_store_write", summary="Graph Store: add to a graph (admin)", description=_DOC)
@router.delete("/sparql/store", name="graph_store_write", summary="Graph Store: drop a graph (admin)", description=_DOC)
async def graph_store_write(request: Request) -> Response:
    store, settings = store_of(request), settings_of(request)
    require_admin(request, settings)
    graph = _target(request, allow_none=request.method == "POST")
    if request.method == "DELETE":
        assert graph is not None
        refusal = default_graph_delete_refusal(settings) if isinstance(graph, DefaultGraph) else None
        if refusal is not None:
            raise ApiError(403, "forbidden", refusal)
        return await run_in_threadpool(_delete, store, graph)
    body = await read_body(request, settings.max_upload_bytes)
    created_new = graph is None
    if graph is None:
        # POST to the store itself (GSP 5.5): a fresh graph, named under the deployment's base IRI.
        graph = NamedNode(f"{settings.base_iri}graph/posted/{uuid.uuid4().hex}")
    base_iri = graph.value if isinstance(graph, NamedNode) else str(request.url_for("graph_store_read"))
    triples = await run_in_threadpool(
        _read_upload, request.headers.get("content-type"), body, base_iri, settings.max_upload_bytes
    )
    target = graph

    def write() -> Response:
        existed = _exists(store, target)
        if request.method == "PUT":
            if isinstance(target, NamedNode):
                store.replace_graphs({target: triples})
            else:
                # One update request = one transaction: readers never see the default graph half replaced.
                store.update("DROP SILENT DEFAULT ;\n" + _insert_data(target, triples))
        elif triples:
            store.update(_insert_data(target, triples))
        if isinstance(target, NamedNode) and not triples and not _exists(store, target):
            # An empty upload still creates the graph (GSP 5.3, 5.5): a later GET finds it, empty, rather than 404.
            store.update(f"CREATE SILENT GRAPH {target}")
        if created_new:
            assert isinstance(target, NamedNode)
            return Response(status_code=201, headers={"Location": target.value})
        return Response(status_code=204 if existed else 201)

    return await run_in_threadpool(write)


def _delete(store: Store, graph: GraphName) -> Response:
    if not _exists(store, graph):
        raise ApiError(404, "not_found", f"no {_describe_graph(graph)} in this store")
    store.clear_graph(graph)
    return Response(status_code=204)
