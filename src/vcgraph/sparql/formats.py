"""The media types the SPARQL endpoint speaks, and how an answer is written in each.

Each table is in the server's order of preference: it decides the answer when the client accepts several
formats equally (``*/*``, or no ``Accept`` at all).
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat, serialize

from vcgraph.namespaces import PREFIXES
from vcgraph.store.port import QueryOutcome

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

RESULT_FORMATS: Mapping[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    # generic names clients use for the same documents
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
    "text/xml": QueryResultsFormat.XML,
}
"""SELECT and ASK answers."""

BOOLEAN_FORMATS: Mapping[str, QueryResultsFormat] = {
    media: fmt for media, fmt in RESULT_FORMATS.items() if fmt in (QueryResultsFormat.JSON, QueryResultsFormat.XML)
}
"""ASK answers: CSV and TSV have no boolean form in the W3C specifications, so they are not offered."""

GRAPH_FORMATS: Mapping[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "text/plain": RdfFormat.N_TRIPLES,  # N-Triples' former media type, still sent by older clients
}
"""CONSTRUCT and DESCRIBE answers, service descriptions and Graph Store reads."""

GRAPH_UPLOAD_FORMATS: Mapping[str, RdfFormat] = {
    **GRAPH_FORMATS,
    "application/x-turtle": RdfFormat.TURTLE,
    "text/n3": RdfFormat.N3,
    "application/json": RdfFormat.JSON_LD,
}
"""What a Graph Store Protocol write may send (RDF formats holding triples)."""


def content_type(media_type: str) -> str:
    """The Content-Type header for an answer: every format we write is UTF-8 text."""
    return f"{media_type}; charset=utf-8"


def offered_types(outcome: QueryOutcome) -> list[str]:
    """The media types an answer of this kind can be written in, best first."""
    if isinstance(outcome, QueryTriples):
        return list(GRAPH_FORMATS)
    if isinstance(outcome, QueryBoolean):
        return list(BOOLEAN_FORMATS)
    return list(RESULT_FORMATS)


class AnswerLimitExceeded(Exception):
    """The answer grew past the byte limit, or was still being produced at the deadline."""


def _readable_size(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"


class _BoundedBuffer(io.BytesIO):
    """Where pyoxigraph writes an answer: raising from ``write`` stops the evaluation, which is lazy and runs
    as the serialiser pulls results, so a runaway query stops as soon as it produces output past a limit."""

    def __init__(self, max_bytes: int | None, deadline: float | None) -> None:
        super().__init__()
        self._max_bytes = max_bytes
        self._deadline = deadline

    def write(self, data: ReadableBuffer, /) -> int:
        if self._max_bytes is not None and self.tell() + memoryview(data).nbytes > self._max_bytes:
            raise AnswerLimitExceeded(f"the answer is larger than {_readable_size(self._max_bytes)}")
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise AnswerLimitExceeded("the answer took longer than this endpoint allows")
        return super().write(data)


def serialize_outcome(
    outcome: QueryOutcome, media_type: str, *, max_bytes: int | None = None, seconds: float | None = None
) -> bytes:
    """Write an answer in one of its :func:`offered_types`, within ``max_bytes`` and ``seconds`` if given.

    This is where pyoxigraph evaluates the query (results are lazy): evaluation errors surface here, and
    :class:`AnswerLimitExceeded` when a limit is passed. The time limit is checked as output is produced: a
    query that computes for long before its first result (a sort of everything) is stopped only then.
    """
    sink = _BoundedBuffer(max_bytes, time.monotonic() + seconds if seconds is not None else None)
    if isinstance(outcome, QueryTriples):
        # Turtle is for people reading answers: the model's prefixes make it shorter; other formats ignore them.
        prefixes = dict(PREFIXES) if GRAPH_FORMATS[media_type] == RdfFormat.TURTLE else None
        serialize(outcome, sink, format=GRAPH_FORMATS[media_type], prefixes=prefixes)
    elif isinstance(outcome, QueryBoolean):
        outcome.serialize(sink, format=BOOLEAN_FORMATS[media_type])
    elif isinstance(outcome, QuerySolutions):
        outcome.serialize(sink, format=RESULT_FORMATS[media_type])
    else:  # pragma: no cover - Store port contract
        raise TypeError(f"not a query answer: {type(outcome).__name__}")
    return sink.getvalue()
