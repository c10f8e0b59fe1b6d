"""REST routes of the questions: one GET route per ``queries/*.rq``, built from the file's header.

The header (route, title, question, parameters, example) is the one description of a question, so the routes,
their OpenAPI documentation, the CLI and YASGUI all agree on it. Routes are registered when this module is
imported, from the queries of the installed project (``VCGRAPH_HOME``); answers run the file of the app's
settings. Parameters arrive as text and are validated by the question service: a bad value is a 422 naming the
parameter and the allowed values.

Answers are reused until the store is written (:mod:`vcgraph.service.cache`); the ``X-Cache`` header says how
this one was obtained.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from vcgraph.config import Settings
from vcgraph.http.deps import get_settings, get_store
from vcgraph.http.errors import ApiError, error_response
from vcgraph.http.negotiation import negotiate
from vcgraph.questions import (
    QuestionAnswer,
    QuestionInfo,
    QuestionParameterError,
    UnknownQuestion,
    list_questions,
    run_question,
)
from vcgraph.questions.answer import to_csv
from vcgraph.questions.catalog import ParamSpec
from vcgraph.questions.params import UnknownResource
from vcgraph.questions.service import DEFAULT_LIMIT, MAX_LIMIT, example_item
from vcgraph.service.cache import RENDERED, CacheStatus, Key, cached, kept, noting_cache
from vcgraph.store.port import Store

router = APIRouter(tags=["questions"])

JSON = "application/json"
CSV = "text/csv"
_OFFERED = [JSON, CSV]
_NUTS_HINT = "any NUTS 2021 code of level 0-3 loaded in the store (e.g. BE3, FRK, FRK26)"
CACHE_HEADER = "X-Cache"
_CACHE_HEADER_DOC = {
    "description": "How the answer was obtained: `hit` (reused: the store was not written since it was computed), "
    "`shared` (computed once for identical requests that arrived together), `miss` (computed now and kept), "
    "`bypass` (computed, not kept: a store whose writes the service cannot see, or the cache is off)",
    "schema": {"type": "string", "enum": ["hit", "shared", "miss", "bypass"]},
}
_LANGUAGE_RANGE = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([01](?:\.\d{0,3})?))?\s*$")


def preferred_language(header: str | None) -> str:
    """``fr`` when ``Accept-Language`` prefers French to English, ``en`` otherwise (the labels we have)."""
    best, best_quality = "en", 0.0
    for part in (header or "").split(","):
        match = _LANGUAGE_RANGE.match(part)
        if not match:
            continue
        language = match.group(1).lower()
        quality = float(match.group(2)) if match.group(2) else 1.0
        if language in ("en", "fr") and quality > best_quality:
            best, best_quality = language, quality
    return best


def _describe(spec: ParamSpec) -> str:
    default = {
        "required": "required",
        "optional": "optional",
        "latest": "default: the latest wave",
        "previous": "default: the wave before the latest",
    }.get(spec.default, f"default: {spec.default}")
    return f"{spec.description} ({spec.type_label}; {default})"


def _example_answer(info: QuestionInfo) -> dict[str, Any]:
    return {
        "question": info.id,
        "parameters": info.example,
        "items": [example_item(info.id)],
        "count": 1,
        "limit": DEFAULT_LIMIT,
        "offset": 0,
    }


def _render(answer: QuestionAnswer, media_type: str) -> tuple[bytes, str]:
    """The response body and its content type. Rendered in a worker thread and cached: a JSON page of a large
    answer takes milliseconds to write, which would otherwise hold the event loop on every request."""
    if media_type == CSV:
        return answer.to_csv().encode("utf-8"), "text/csv; charset=utf-8"
    return bytes(JSONResponse(answer.to_json()).body), JSON


def _rendered_key(
    settings: Settings, info: QuestionInfo, params: dict[str, str], page: tuple[int, int], lang: str, media_type: str
) -> Key:
    limit, offset = page
    return (RENDERED, settings, info.id, tuple(sorted(params.items())), lang, limit, offset, media_type)


def _answer_body(
    store: Store,
    settings: Settings,
    info: QuestionInfo,
    params: dict[str, str],
    page: tuple[int, int],
    lang: str,
    media_type: str,
) -> tuple[tuple[bytes, str], CacheStatus]:
    """The rendered page, reused until the store is written, and how it was obtained: when this page was not
    rendered yet, how the answer behind it was (the question service's own cache may still have had it)."""
    key = _rendered_key(settings, info, params, page, lang, media_type)
    limit, offset = page
    with noting_cache() as answer_cache:
        rendered, status = cached(
            store,
            key,
            lambda: _render(
                run_question(store, settings, info.id, params, limit=limit, offset=offset, lang=lang), media_type
            ),
            settings=settings,
            size=lambda body: len(body[0]) + len(body[1]),
        )
    if status == "miss" and answer_cache.status is not None:
        status = answer_cache.status
    return rendered, status


def _path_names(route: str) -> set[str]:
    return set(re.findall(r"{([a-z_][a-z0-9_]*)}", route))


def _endpoint(info: QuestionInfo) -> Callable[..., Awaitable[Response]]:
    """A route function whose signature declares the question's parameters (FastAPI reads ``__signature__``)."""
    in_path = _path_names(info.route)
    names = {f"p_{spec.name}": spec.name for spec in info.params}

    async def endpoint(request: Request, **kwargs: Any) -> Response:
        store: Store = kwargs.pop("store")
        settings: Settings = kwargs.pop("settings")
        limit: int = kwargs.pop("limit")
        offset: int = kwargs.pop("offset")
        params = {names[key]: value for key, value in kwargs.items() if value is not None}
        media_type = negotiate(request.headers.get("accept"), _OFFERED)
        if media_type is None:
            raise ApiError(406, "not_acceptable", "this answer comes as " + " or ".join(_OFFERED))
        lang = preferred_language(request.headers.get("accept-language"))
        # A page already rendered is sent from here; only one still to compute goes to a worker thread.
        ready = kept(store, _rendered_key(settings, info, params, (limit, offset), lang, media_type), settings)
        try:
            if ready is not None:
                (body, content_type), status = cast(tuple[bytes, str], ready), "hit"
            else:
                (body, content_type), status = await run_in_threadpool(
                    _answer_body, store, settings, info, params, (limit, offset), lang, media_type
                )
        except UnknownResource as exc:
            return error_response(404, "not_found", exc.to_dict())
        except QuestionParameterError as exc:
            return error_response(422, "invalid_parameter", exc.to_dict())
        except UnknownQuestion as exc:
            raise ApiError(404, "not_found", str(exc)) from exc
        headers = {"Content-Language": lang, "Vary": "Accept, Accept-Language", CACHE_HEADER: status}
        return Response(body, media_type=content_type, headers=headers)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("store", inspect.Parameter.KEYWORD_ONLY, default=Depends(get_store), annotation=Any),
        inspect.Parameter("settings", inspect.Parameter.KEYWORD_ONLY, default=Depends(get_settings), annotation=Any),
    ]
    for spec in info.params:
        example = info.example.get(spec.name)
        if spec.name in in_path:
            default: Any = Path(alias=spec.name, description=_describe(spec), examples=[example] if example else None)
            annotation: Any = str
        else:
            default = Query(None, alias=spec.name, description=_describe(spec), examples=[example] if example else None)
            annotation = str | None
        parameters.append(
            inspect.Parameter(f"p_{spec.name}", inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        )
    parameters.append(
        inspect.Parameter(
            "limit",
            inspect.Parameter.KEYWORD_ONLY,
            default=Query(DEFAULT_LIMIT, ge=0, le=MAX_LIMIT, description="at most this many items"),
            annotation=int,
        )
    )
    parameters.append(
        inspect.Parameter(
            "offset",
            inspect.Parameter.KEYWORD_ONLY,
            default=Query(0, ge=0, description="skip this many items"),
            annotation=int,
        )
    )
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = "question_" + info.id.replace("-", "_")
    return endpoint


def _register(info: QuestionInfo) -> None:
    example = _example_answer(info)
    router.add_api_route(
        info.route,
        _endpoint(info),
        methods=["GET"],
        summary=info.title,
        description=(
            f"{info.question}\n\nQuery file: `queries/{info.path.name}` (the same file `vcgraph query {info.id}` "
            "runs and that can be pasted into YASGUI with `$parameters` bound).\n\n"
            "`Accept: text/csv` gives the same items as CSV; `Accept-Language: fr` gives French labels. "
            "Anonymous actors are counted but never named."
        ),
        response_class=JSONResponse,
        responses={
            200: {
                "description": "The answer",
                "headers": {CACHE_HEADER: _CACHE_HEADER_DOC},
                "content": {JSON: {"example": example}, CSV: {"example": to_csv(example["items"])}},
            },
            422: {
                "description": "A parameter is unknown or invalid; the detail names it and the allowed values",
                "content": {
                    JSON: {
                        "example": {
                            "error": "invalid_parameter",
                            "detail": {
                                "parameter": "region",
                                "message": "parameter 'region': unknown NUTS code 'ZZ9'; allowed: any NUTS 2021 "
                                "code of level 0-3 loaded in the store (e.g. BE3, FRK, FRK26)",
                                "allowed": [
                                    "any NUTS 2021 code of level 0-3 loaded in the store (e.g. BE3, FRK, FRK26)"
                                ],
                            },
                        }
                    }
                },
            },
        },
        name=info.id,
    )


def _catalog_entry(info: QuestionInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "route": info.route,
        "title": info.title,
        "question": info.question,
        "query": f"queries/{info.path.name}",
        "parameters": [
            {"name": p.name, "type": p.type_label, "default": p.default, "description": p.description}
            for p in info.params
        ],
        "example": info.example,
    }


@router.get(
    "/api/questions",
    summary="The questions this service answers",
    description="Every question with its route, parameters (type, default) and an example; one `.rq` file each.",
)
async def questions_catalog(settings: Settings = Depends(get_settings)) -> JSONResponse:
    return JSONResponse([_catalog_entry(info) for info in list_questions(settings)])


def _register_all() -> None:
    # The routes are fixed when the app is built; the installed project's queries decide which exist.
    for info in sorted(list_questions(Settings()), key=lambda i: i.route):
        _register(info)


_register_all()

__all__ = ["preferred_language", "router"]
