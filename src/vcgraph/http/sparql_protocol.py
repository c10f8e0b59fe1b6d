"""SPARQL 1.1 Protocol: what a request asks for, read from GET, form POST or direct POST.

Pure functions over the parts of a request (method, URL parameters, Content-Type, body), so every case of
the protocol is tested without a server. Execution lives in :mod:`vcgraph.service.sparql`; the routes in
:mod:`vcgraph.http.sparql` glue both together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

FORM = "application/x-www-form-urlencoded"
QUERY_MEDIA_TYPE = "application/sparql-query"
UPDATE_MEDIA_TYPE = "application/sparql-update"

Parameters = Sequence[tuple[str, str]]


class ProtocolError(Exception):
    """A request the protocol does not allow; ``status`` is the HTTP status to answer with (4xx)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateRequest:
    update: str
    using_graph_uris: tuple[str, ...] = ()
    using_named_graph_uris: tuple[str, ...] = ()


def media_type_and_charset(content_type: str | None) -> tuple[str | None, str]:
    """``("application/sparql-query", "utf-8")`` from ``application/sparql-query; charset=UTF-8``."""
    if content_type is None or not content_type.strip():
        return None, "utf-8"
    media, *parameters = content_type.split(";")
    charset = "utf-8"
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _decode(body: bytes, charset: str, what: str) -> str:
    # SPARQL 1.1 Protocol 2.1.3 / 2.2.2: query and update strings are UTF-8, whatever else a client declares.
    if charset.replace("-", "").replace("_", "") != "utf8":
        raise ProtocolError(415, f"the {what} must be UTF-8, not {charset}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            400, f"the {what} is not valid UTF-8 (byte {exc.start})"
        ) from None


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """The fields of an ``application/x-www-form-urlencoded`` body (percent-encoded UTF-8)."""
    try:
        return parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the form body is not valid URL-encoded UTF-8") from None


def _values(parameters: Parameters, name: str) -> list[str]:
    return [value for key, value in parameters if key == name]


def _single(parameters: Parameters, name: str) -> str | None:
    values = _values(parameters, name)
    if len(values) > 1:
        raise ProtocolError(400, f"the '{name}' parameter is given {len(values)} times; send exactly one")
    return values[0] if values else None


def parse_query_request(
    method: str, url_parameters: Parameters, content_type: str | None, body: bytes
) -> QueryRequest | None:
    """The query of a request to the query endpoint; None for a plain GET (the service description).

    Raises :class:`ProtocolError` for every request the SPARQL 1.1 Protocol rules out.
    """
    method = method.upper()
    if method in ("GET", "HEAD"):
        parameters = list(url_parameters)
        if _values(parameters, "update"):
            raise ProtocolError(400, "updates are not accepted here: POST them to /sparql/update")
        query = _single(parameters, "query")
        if query is None:
            if _values(parameters, "default-graph-uri") or _values(parameters, "named-graph-uri"):
                raise ProtocolError(400, "missing 'query' parameter (default-graph-uri/named-graph-uri given)")
            return None
    elif method == "POST":
        media, charset = media_type_and_charset(content_type)
        if media == FORM:
            parameters = [*url_parameters, *parse_form(body)]
            if _values(parameters, "update"):
                raise ProtocolError(400, "updates are not accepted here: POST them to /sparql/update")
            query = _single(parameters, "query")
            if query is None:
                raise ProtocolError(400, "missing 'query' field in the form")
        elif media == QUERY_MEDIA_TYPE:
            parameters = list(url_parameters)
            if _values(parameters, "query"):
                raise ProtocolError(400, "the query is in the body: do not also send a 'query' URL parameter")
            query = _decode(body, charset, "query")
        elif media is None:
            raise ProtocolError(
                415, f"missing Content-Type: send the query as {QUERY_MEDIA_TYPE} or as a {FORM} form"
            )
        else:
            raise ProtocolError(
                415, f"Content-Type {media} is not a query: send {QUERY_MEDIA_TYPE} or a {FORM} form"
            )
    else:
        raise ProtocolError(405, f"method {method} is not allowed: use GET or POST")
    return QueryRequest(
        query,
        tuple(_values(parameters, "default-graph-uri")),
        tuple(_values(parameters, "named-graph-uri")),
    )


def parse_update_request(
    method: str, url_parameters: Parameters, content_type: str | None, body: bytes
) -> UpdateRequest:
    """The update of a request to the update endpoint (only POST carries updates)."""
    if method.upper() != "POST":
        raise ProtocolError(405, "updates are sent by POST only (form field 'update' or application/sparql-update)")
    media, charset = media_type_and_charset(content_type)
    if media == FORM:
        parameters = [*url_parameters, *parse_form(body)]
        if _values(parameters, "query"):
            raise ProtocolError(400, "queries are not accepted here: send them to /sparql")
        update = _single(parameters, "update")
        if update is None:
            raise ProtocolError(400, "missing 'update' field in the form")
    elif media == UPDATE_MEDIA_TYPE:
        parameters = list(url_parameters)
        if _values(parameters, "update"):
            raise ProtocolError(400, "the update is in the body: do not also send an 'update' URL parameter")
        update = _decode(body, charset, "update")
    elif media is None:
        raise ProtocolError(415, f"missing Content-Type: send the update as {UPDATE_MEDIA_TYPE} or as a {FORM} form")
    else:
        raise ProtocolError(415, f"Content-Type {media} is not an update: send {UPDATE_MEDIA_TYPE} or a {FORM} form")
    return UpdateRequest(
        update,
        tuple(_values(parameters, "using-graph-uri")),
        tuple(_values(parameters, "using-named-graph-uri")),
    )
