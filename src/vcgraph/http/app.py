"""The HTTP application: SPARQL 1.1 endpoint, Graph Store, REST questions and linked data in one FastAPI app."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from vcgraph import __version__
from vcgraph.config import Settings
from vcgraph.http import graph_store, sparql, uploads
from vcgraph.http.errors import install_error_handlers
from vcgraph.http.limits import TRUNCATED_HEADER, LimitsMiddleware
from vcgraph.store.port import Store

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

OPTIONAL_ROUTERS = ("vcgraph.http.questions", "vcgraph.http.linked_data", "vcgraph.ui")
"""Routers of other parts of vcgraph, included when their module is installed."""

DESCRIPTION = """
Knowledge graph of the European healthcare biomanufacturing value chain.

* `/sparql`: SPARQL 1.1 query endpoint (GET, form POST, direct POST; content negotiation; the YASGUI editor in a
  browser; the service description without a query);
* `/sparql/update` and `/sparql/store` (Graph Store Protocol): writes, with `Authorization: Bearer <admin token>`;
* `/api/...`: gap, convergence and matchmaking questions;
* `/id/...`: linked data.

Errors are `{"error": code, "detail": ...}` (plain text on the SPARQL protocol endpoints); every response carries
`X-Request-ID`.

Limits: a query still running after `VCGRAPH_QUERY_TIMEOUT` seconds is stopped (503, `Retry-After`, error
`timeout`); beyond `VCGRAPH_MAX_CONCURRENT` requests in flight the server answers 503 `overloaded` at once; an
answer cut at `VCGRAPH_MAX_ROWS` rows (a REST question: its query at `VCGRAPH_QUESTION_MAX_ROWS`) carries
`X-VCGRAPH-Truncated: max_rows=N` and, in JSON (REST answers and SPARQL JSON results), the top-level member
`"truncated": true`.

Caching: question answers and `/sparql` answers up to 1 MiB are reused until the store is written (an embedded
store counts its writes; a remote one is not cached unless `VCGRAPH_CACHE_TTL` is set). `X-Cache` tells how an
answer was obtained: `hit`, `shared` (computed once for identical requests that arrived together), `miss` or
`bypass` (not cacheable here).
"""


def _optional_router(module_name: str) -> APIRouter | None:
    """The ``router`` of ``module_name`` when that module exists.

    Only the module's absence is tolerated: an ImportError raised *inside* an existing module is a bug and
    propagates, and so does a module without a ``router``.
    """
    if importlib.util.find_spec(module_name) is None:
        return None
    module = importlib.import_module(module_name)
    router: APIRouter = module.router
    return router


def create_app(settings: Settings, store: Store) -> FastAPI:
    """The application serving ``store`` as ``settings`` say; the caller owns the store (opens and closes it)."""
    app = FastAPI(title="vcgraph", version=__version__, description=DESCRIPTION)
    app.state.settings = settings
    app.state.store = store
    # Added first, so it runs inside the request-id and CORS middlewares: its fast 503s carry both.
    app.add_middleware(LimitsMiddleware, max_concurrent=settings.max_concurrent, body_timeout=settings.body_timeout)
    install_error_handlers(app)
    # Linked open data: any web page may read the endpoint from the browser. Only simple headers are allowed
    # cross-origin, so a page elsewhere cannot send the admin's Authorization header (writes stay same-origin
    # or non-browser).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["Accept", "Content-Type"],
        expose_headers=["X-Request-ID", TRUNCATED_HEADER, "Retry-After", "X-Cache"],
        max_age=3600,
    )
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(uploads.router)
    for module_name in OPTIONAL_ROUTERS:
        router = _optional_router(module_name)
        if router is not None:
            app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
