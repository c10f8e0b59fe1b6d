"""The SPARQL 1.1 Protocol routes: /sparql (query, service description, editor) and /sparql/update.

Protocol reading is in :mod:`vcgraph.http.sparql_protocol`, negotiation in :mod:`vcgraph.http.negotiation`,
execution in :mod:`vcgraph.service.sparql`; this module only maps their outcomes to HTTP.
Errors are plain text here, as SPARQL clients (and the protocol's examples) expect.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import serialize
from starlette.concurrency import run_in_threadpool

from vcgraph.config import Settings
from vcgraph.http.auth import require_admin
from vcgraph.http.bodies import MAX_QUERY_BYTES, read_body
from vcgraph.http.deps import settings_of, store_of
from vcgraph.http.editor import EDITOR_CSP, editor_page, load_examples
from vcgraph.http.errors import ApiError, error_code
from vcgraph.http.negotiation import negotiate
from vcgraph.http.service_description import SD, service_description
from vcgraph.http.sparql_protocol import (
    ProtocolError,
    QueryRequest,
    parse_query_request,
    parse_update_request,
)
from vcgraph.namespaces import PREFIXES
from vcgraph.service.cache import SPARQL_ANSWERS, CacheStatus, cached
from vcgraph.service.dataset import public_graphs
from vcgraph.service.sparql import SparqlForbidden, SparqlRefused, SparqlTooLarge, answer, run_query, run_update
from vcgraph.service.update_guard import guard_update
from vcgraph.sparql.formats import GRAPH_FORMATS, content_type, offered_types
from vcgraph.store.port import QueryOutcome, Store

router = APIRouter(tags=["SPARQL 1.1"])

_HTML = "text/html"
_PROTOCOL_DOC = """
SPARQL 1.1 Protocol. Send the query as `?query=` (GET), as the `query` field of an
`application/x-www-form-urlencoded` POST, or as the body of an `application/sparql-query` POST;
`default-graph-uri` / `named-graph-uri` (repeatable) choose the dataset (a graph the store does not hold is
empty, never fetched; a restricted or staging graph is refused with 403).
SELECT/ASK answers: SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE: Turtle, N-Triples, RDF/XML, JSON-LD,
chosen by `Accept`. Without a query: the service description (RDF) or, for a browser, the YASGUI editor.
SERVICE and LOAD are refused; restricted graphs are never visible.
Answers up to 1 MiB are reused until the store is written; `X-Cache` says whether this one was (`hit`), was
computed once for identical requests that arrived together (`shared`), or was computed now (`miss`, `bypass`).
Limits: a query text over `VCGRAPH_MAX_QUERY_BYTES` is refused (413), brackets nested more than 64 deep (400);
a query still running after `VCGRAPH_QUERY_TIMEOUT` seconds is stopped (503 with `Retry-After`). An answer
longer than `VCGRAPH_MAX_ROWS` rows (or triples) is cut there and says so: header
`X-VCGRAPH-Truncated: max_rows=N` and, in SPARQL JSON results, the top-level member `"truncated": true`.
"""


def _parameter(name: str, description: str, *, repeatable: bool = False) -> dict[str, object]:
    schema: dict[str, object] = {"type": "array", "items": {"type": "string"}} if repeatable else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_DATASET_PARAMETERS = [
    _parameter("default-graph-uri", "a graph to use as (part of) the default graph", repeatable=True),
    _parameter("named-graph-uri", "a graph GRAPH may reach", repeatable=True),
]
_QUERY_GET_OPENAPI = {"parameters": [_parameter("query", "the SPARQL 1.1 query"), *_DATASET_PARAMETERS]}
_FORM_SCHEMA = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
_QUERY_POST_OPENAPI = {
    "parameters": _DATASET_PARAMETERS,
    "requestBody": {
        "required": True,
        "content": {
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA},
        },
    },
}
_UPDATE_OPENAPI = {
    "parameters": [
        _parameter("using-graph-uri", "a graph to use as the WHERE default graph", repeatable=True),
        _parameter("using-named-graph-uri", "a graph WHERE's GRAPH may reach", repeatable=True),
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/sparql-update": {"schema": {"type": "string"}},
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {"update": {"type": "string"}}, "required": ["update"]}
            },
        },
    },
}


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
    return ApiError(status, error_code(status), message, headers=headers, plain_text=True)


def _parser_message(exc: SyntaxError, limit: int = 400) -> str:
    """pyoxigraph's message ("error at 1:25: expected one of ...") without the tail of Unicode ranges it can end
    with: the position and the first expected tokens are what a person needs."""
    message = str(exc).split("\n", 1)[0]
    return message if len(message) <= limit else message[:limit].rstrip() + " ..."


def _not_acceptable(offered: list[str]) -> ApiError:
    return _plain(406, "none of the formats this answer comes in is acceptable; offered: " + ", ".join(offered))


MAX_CACHED_ANSWER_BYTES = 1024 * 1024
"""A larger answer is served but not kept: one big export-like answer must not push out the many small ones that
make a public endpoint's repeated traffic (counts, lists, YASGUI examples)."""


def _execute(store: Store, settings: Settings, request: QueryRequest, accept: str | None, base_iri: str) -> Response:
    # Keyed on the request as sent (the Accept header, not the negotiated type, which needs the answer).
    key = (SPARQL_ANSWERS, settings, request, base_iri, accept)
    (body, media_type), status = cached(
        store,
        key,
        lambda: _answer_body(store, settings, request, accept, base_iri),
        settings=settings,
        size=lambda answer: len(answer[0]) + len(answer[1]),
        cacheable=lambda answer: len(answer[0]) <= MAX_CACHED_ANSWER_BYTES,
    )
    return Response(body, media_type=content_type(media_type), headers=_answer_headers(status))


def _answer_headers(status: CacheStatus) -> dict[str, str]:
    return {"Vary": "Accept", "X-Cache": status}


def _answer_body(
    store: Store, settings: Settings, request: QueryRequest, accept: str | None, base_iri: str
) -> tuple[bytes, str]:
    """The answer serialised in the negotiated type, and that type; errors raise the protocol's HTTP errors."""
    outcome: QueryOutcome | None = None
    try:
        outcome = run_query(
            store,
            settings,
            request.query,
            default_graph_uris=request.default_graph_uris,
            named_graph_uris=request.named_graph_uris,
            base_iri=base_iri,
        )
        offered = offered_types(outcome)
        media_type = negotiate(accept, offered)
        if media_type is None:
            raise _not_acceptable(offered)
        body = answer(outcome, media_type)
    except SyntaxError as exc:
        # pyoxigraph's message carries the position: "error at 1:25: expected ..."
        raise _plain(400, f"malformed query: {_parser_message(exc)}") from None
    except SparqlForbidden as exc:  # a restricted/staging graph named explicitly: understood, but not allowed
        raise _plain(403, exc.message) from None
    except SparqlTooLarge as exc:
        raise _plain(413, exc.message) from None
    except SparqlRefused as exc:
        raise _plain(400, exc.message) from None
    finally:
        # pyoxigraph results may only be dropped on the thread that made them; an error raised here carries this
        # frame (and its locals) to the event loop's thread, so let go of them before leaving.
        outcome = None
    return body, media_type


def _describe(request: Request, store: Store, settings: Settings) -> Response:
    offered = [*GRAPH_FORMATS, _HTML]
    media_type = negotiate(request.headers.get("accept"), offered)
    if media_type is None:
        raise _not_acceptable(offered)
    if media_type == _HTML:
        page = editor_page(request.url.path, "/static", load_examples(settings.queries_dir))
        return HTMLResponse(page, headers={"Content-Security-Policy": EDITOR_CSP, "Vary": "Accept"})
    endpoint = str(request.url_for("sparql_query"))
    update_endpoint = str(request.url_for("sparql_update"))
    triples = service_description(endpoint, update_endpoint, public_graphs(store, settings), settings)
    prefixes = {"sd": SD, "dcterms": PREFIXES["dcterms"]}
    body = serialize(triples, format=GRAPH_FORMATS[media_type], prefixes=prefixes) or b""
    return Response(body, media_type=content_type(media_type), headers={"Vary": "Accept"})


# One route per method, so that each gets its own OpenAPI operation; both share the name url_for uses.
@router.get(
    "/sparql",
    name="sparql_query",
    summary="SPARQL 1.1 query (GET)",
    description=_PROTOCOL_DOC,
    openapi_extra=_QUERY_GET_OPENAPI,
)
@router.post(
    "/sparql",
    name="sparql_query",
    summary="SPARQL 1.1 query (POST)",
    description=_PROTOCOL_DOC,
    openapi_extra=_QUERY_POST_OPENAPI,
)
async def sparql_query(request: Request) -> Response:
    store, settings = store_of(request), settings_of(request)
    body = await read_body(request, MAX_QUERY_BYTES, plain_text=True) if request.method == "POST" else b""
    try:
        parsed = parse_query_request(
            request.method, request.query_params.multi_items(), request.headers.get("content-type"), body
        )
    except ProtocolError as exc:
        raise _plain(exc.status, exc.message) from None
    if parsed is None:
        return await run_in_threadpool(_describe, request, store, settings)
    # Relative IRIs of a query without BASE resolve against the endpoint's URL, as they do in updates.
    base_iri = str(request.url_for("sparql_query"))
    return await run_in_threadpool(_execute, store, settings, parsed, request.headers.get("accept"), base_iri)


_UPDATE_DOC = (
    "SPARQL 1.1 Update by form (`update` field) or `application/sparql-update` POST, with "
    "`using-graph-uri` / `using-named-graph-uri`. Needs `Authorization: Bearer <VCGRAPH_ADMIN_TOKEN>`. "
    "LOAD and SERVICE are refused. GET is answered 405."
)


@router.get("/sparql/update", name="sparql_update", summary="SPARQL 1.1 update (GET: refused)", description=_UPDATE_DOC)
@router.post(
    "/sparql/update",
    name="sparql_update",
    summary="SPARQL 1.1 update (admin)",
    description=_UPDATE_DOC,
    openapi_extra=_UPDATE_OPENAPI,
)
async def sparql_update(request: Request) -> Response:
    store, settings = store_of(request), settings_of(request)
    if request.method != "POST":
        # GET is declared only to answer it with the protocol's explanation rather than a bare 405.
        raise _plain(405, "updates are sent by POST only", headers={"Allow": "POST"})
    require_admin(request, settings, plain_text=True)
    body = await read_body(request, MAX_QUERY_BYTES, plain_text=True)
    try:
        parsed = parse_update_request(
            request.method, request.query_params.multi_items(), request.headers.get("content-type"), body
        )
    except ProtocolError as exc:
        raise _plain(exc.status, exc.message) from None
    guard_update(settings, parsed.update)  # DROP/CLEAR ALL|DEFAULT|NAMED: 403 unless VCGRAPH_ALLOW_DESTRUCTIVE

    base_iri = str(request.url_for("sparql_update"))

    def execute() -> None:
        try:
            run_update(
                store,
                parsed.update,
                using_graph_uris=parsed.using_graph_uris,
                using_named_graph_uris=parsed.using_named_graph_uris,
                base_iri=base_iri,
            )
        except SyntaxError as exc:
            raise _plain(400, f"malformed update: {_parser_message(exc)}") from None
        except SparqlRefused as exc:
            raise _plain(400, exc.message) from None

    await run_in_threadpool(execute)
    return Response(status_code=204)
