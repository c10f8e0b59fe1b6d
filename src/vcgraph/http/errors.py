"""Errors over HTTP: the user's (4xx, a clear message) kept apart from ours (5xx, logged with a request id).

Every response carries ``X-Request-ID``; a 500 says only that id, and the log line with the traceback carries
it too, so a user's report finds the cause without the response leaking internals.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcgraph.store.port import QueryAborted, QueryTimeout
from vcgraph.store.remote import StoreTimeout, TruncatedResult

log = logging.getLogger("vcgraph.http")

REQUEST_ID_HEADER = "X-Request-ID"
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ApiError(Exception):
    """A request we refuse, answered as ``{"error": code, "detail": ...}`` or, for the SPARQL protocol
    endpoints (whose clients expect it), as plain text."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        plain_text: bool = False,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.plain_text = plain_text


def error_code(status: int) -> str:
    """``not_found`` for 404 and so on: a stable machine-readable name of the status."""
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def error_response(
    status: int, code: str, detail: Any, headers: Mapping[str, str] | None = None, *, plain_text: bool = False
) -> Response:
    if plain_text:
        return PlainTextResponse(f"{detail}\n", status_code=status, headers=dict(headers or {}))
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=dict(headers or {}))


RETRY_AFTER_TIMEOUT = "5"
"""Seconds a client is asked to wait after its query was stopped: a retry of the same query will be stopped
again, but the worker it killed is back by then."""


def speaks_plain_text(path: str) -> bool:
    """True for the SPARQL protocol endpoints, whose clients expect errors as plain text."""
    return path == "/sparql" or path.startswith("/sparql/")


def request_id(request: Request) -> str:
    value: str = request.scope.get("state", {}).get("request_id", "")
    return value


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, exc.headers, plain_text=exc.plain_text)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, error_code(exc.status_code), exc.detail, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # Name each offending field by where it was ("query.limit", "body.wave") and why.
    problems = [
        {"field": ".".join(str(part) for part in error.get("loc", ())), "message": error.get("msg", "invalid")}
        for error in exc.errors()
    ]
    return error_response(400, "invalid_request", problems)


async def _query_timeout(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QueryTimeout)
    detail = f"{exc}; narrow the query (LIMIT, more specific patterns) or try again later"
    headers = {"Retry-After": RETRY_AFTER_TIMEOUT}
    return error_response(503, "timeout", detail, headers, plain_text=speaks_plain_text(request.url.path))


async def _query_aborted(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QueryAborted)
    log.error("request %s: %s", request_id(request), exc)
    headers = {"Retry-After": RETRY_AFTER_TIMEOUT}
    return error_response(503, "query_aborted", str(exc), headers, plain_text=speaks_plain_text(request.url.path))


async def _truncated_result(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TruncatedResult)
    # The remote store behind us answered, but cut: serving what came would be a wrong answer, so this is a bad
    # gateway (502), logged with the request id; the store's message may name its internals, the client's not.
    log.error("request %s: %s", request_id(request), exc)
    detail = "the store cut its answer (time or row limit); narrow the query (LIMIT, more specific patterns)"
    return error_response(502, "truncated_result", detail, plain_text=speaks_plain_text(request.url.path))


async def _store_timeout(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StoreTimeout)
    log.error("request %s: %s", request_id(request), exc)
    detail = "the store did not answer in time; narrow the query or try again later"
    headers = {"Retry-After": RETRY_AFTER_TIMEOUT}
    return error_response(504, "store_timeout", detail, headers, plain_text=speaks_plain_text(request.url.path))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(QueryTimeout, _query_timeout)
    app.add_exception_handler(TruncatedResult, _truncated_result)
    app.add_exception_handler(StoreTimeout, _store_timeout)
    app.add_exception_handler(QueryAborted, _query_aborted)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(RequestIdMiddleware)


class RequestIdMiddleware:
    """Gives each request an id (the client's ``X-Request-ID`` when it is a sane token), returns it on every
    response, and turns any exception that escaped the handlers into a logged 500 naming that id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _CLIENT_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("request %s failed: %s %s", rid, scope.get("method"), scope.get("path"))
            if started:
                raise  # the status line is gone; the server closes the connection
            body = json.dumps(
                {"error": "internal_error", "detail": f"internal error; quote request id {rid} to the operators"}
            ).encode("utf-8")
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})
