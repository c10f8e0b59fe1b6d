"""The analyst's web UI: one HTML page (a small single-page app in ``static/ui``) and the few routes it needs
besides the ``/api`` questions.

The page loads only files of this server and talks only to this server: its Content-Security-Policy forbids any
other origin, inline scripts and plugins, so the UI works offline and cannot leak a request elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from vcgraph.config import Settings
from vcgraph.http.deps import get_settings, get_store
from vcgraph.http.errors import error_response
from vcgraph.questions import QuestionParameterError, UnknownQuestion, get_question, run_sparql
from vcgraph.questions.binding import bind
from vcgraph.questions.params import UnknownResource, validate_parameters, waves
from vcgraph.service.dataset import public_dataset
from vcgraph.store.port import Store

router = APIRouter(tags=["web UI"], include_in_schema=False)

UI_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
"""Only this server's own files and API: no CDN, no inline code, nothing fetched from another origin."""

STATIC_UI = Path(__file__).resolve().parent.parent / "static" / "ui"
QUERIES = Path(__file__).resolve().parent / "queries"
CELL_QUERY = QUERIES / "coverage-cell.rq"
REGIONS_QUERY = QUERIES / "regions-in-use.rq"


@lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int) -> str:
    return path.read_text(encoding="utf-8")


def _text(path: Path) -> str:
    """A packaged file's text, re-read only when it changes."""
    return _read(path, path.stat().st_mtime_ns)


def _secured(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = UI_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.api_route("/", methods=["GET", "HEAD"], summary="The web UI's home page")
async def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.api_route("/ui", methods=["GET", "HEAD"], summary="The web UI")
async def ui_without_slash() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=308)


@router.api_route("/ui/", methods=["GET", "HEAD"], summary="The web UI", response_class=HTMLResponse)
async def ui_page() -> Response:
    return _secured(HTMLResponse(_text(STATIC_UI / "index.html")))


@router.get("/ui/context.json", summary="What the UI needs to draw its filters")
async def ui_context(store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> JSONResponse:
    """The loaded survey waves (oldest first), the NUTS regions where some actor has a site (with their level),
    and the base IRI, so the page can turn minted IRIs into this server's ``/id/...`` pages."""
    return JSONResponse(await run_in_threadpool(context, store, settings))


def context(store: Store, settings: Settings) -> dict[str, Any]:
    wave_ids = [wave.identifier for wave in waves(store, public_dataset(store, settings))]
    regions = run_sparql(store, settings, _text(REGIONS_QUERY), {}).to_dict()["rows"]
    return {"waves": wave_ids, "regions": regions, "base_iri": settings.base_iri}


def _params(request: Request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items() if value.strip()}


@router.get("/ui/cell-actors", summary="The actors behind one cell of the coverage heatmap")
async def cell_actors(
    request: Request, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)
) -> Response:
    """``?stage=S04&region=BE3&wave=2026-W1``: the actors offering the stage in the region, with the statement and
    response behind each (anonymous ones without a name). Parameters are validated as the questions' are."""
    params = _params(request)
    try:
        table = await run_in_threadpool(run_sparql, store, settings, _text(CELL_QUERY), params)
    except UnknownResource as exc:
        return error_response(404, "not_found", exc.to_dict())
    except QuestionParameterError as exc:
        return error_response(422, "invalid_parameter", exc.to_dict())
    items: list[dict[str, Any]] = [
        {
            "actor": {"id": row["actor"], "label": row.get("label"), "anonymous": row.get("label") is None},
            "statement": row.get("statement"),
            "response": row.get("response"),
        }
        for row in table.to_dict()["rows"]
    ]
    return JSONResponse({"parameters": params, "items": items, "count": len(items)})


def editor_query(store: Store, settings: Settings, question: str, params: dict[str, str], lang: str) -> str:
    """The question's query text with the view's parameters bound, as the service runs it.

    A list parameter (``regions=BE3,FRK``) makes the service run the query once per code; the editor gets the run
    for the first code, and a comment line says so.
    """
    info = get_question(settings, question)
    bound = validate_parameters(store, public_dataset(store, settings), info, params, lang, settings.base_iri)
    bindings = bound.bindings()
    text = bind(info.text, bindings[0])
    if len(bindings) > 1 and bound.repeat_variable is not None:
        codes = ", ".join(str(b[bound.repeat_variable].value).rsplit("/", 1)[-1] for b in bindings)
        text = (
            f"# The service runs this query once per ${bound.repeat_variable}: {codes}; shown for the first.\n" + text
        )
    return text


@router.get("/ui/sparql/{question}", summary="Open a question's query in the SPARQL editor")
async def open_in_editor(
    question: str,
    request: Request,
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Redirects to YASGUI (``/sparql``) with the query pre-filled through the URL fragment YASGUI reads."""
    params = _params(request)
    lang = params.pop("lang", "en")
    try:
        text = await run_in_threadpool(editor_query, store, settings, question, params, lang)
    except UnknownQuestion as exc:
        return error_response(404, "not_found", str(exc))
    except UnknownResource as exc:
        return error_response(404, "not_found", exc.to_dict())
    except QuestionParameterError as exc:
        return error_response(422, "invalid_parameter", exc.to_dict())
    return RedirectResponse("/sparql#query=" + quote(text, safe=""), status_code=303)


__all__ = ["UI_CSP", "editor_query", "router"]
