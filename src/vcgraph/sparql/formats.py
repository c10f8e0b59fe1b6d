"""The media types the SPARQL endpoint speaks, and how an answer is written in each.

Each table is in the server's order of preference: it decides the answer when the client accepts several
formats equally (``*/*``, or no ``Accept`` at all).
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, QueryTriples, RdfFormat, serialize

from vcgraph.namespaces import PREFIXES
from vcgraph.store.port import QueryOutcome

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


def serialize_outcome(outcome: QueryOutcome, media_type: str) -> bytes:
    """Write an answer in one of its :func:`offered_types`.

    This is where pyoxigraph evaluates the query (results are lazy): evaluation errors surface here.
    """
    if isinstance(outcome, QueryTriples):
        # Turtle is for people reading answers: the model's prefixes make it shorter; other formats ignore them.
        prefixes = dict(PREFIXES) if GRAPH_FORMATS[media_type] == RdfFormat.TURTLE else None
        return serialize(outcome, format=GRAPH_FORMATS[media_type], prefixes=prefixes) or b""
    if isinstance(outcome, QueryBoolean):
        return outcome.serialize(format=BOOLEAN_FORMATS[media_type]) or b""
    if isinstance(outcome, QuerySolutions):
        return outcome.serialize(format=RESULT_FORMATS[media_type]) or b""
    raise TypeError(f"not a query answer: {type(outcome).__name__}")  # pragma: no cover - Store port contract
