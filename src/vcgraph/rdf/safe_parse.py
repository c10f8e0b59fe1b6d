"""The one place an uploaded RDF document is parsed: nothing in it may make the server fetch, read or inflate.

Every Graph Store upload goes through :func:`parse_rdf_upload`, which refuses, before any parser sees the bytes:

* a body over the size cap (413), a missing or non-RDF ``Content-Type`` (415);
* a body that is not what its ``Content-Type`` says (422): binary data (a zip, a PDF, NUL bytes), text that is not
  UTF-8, RDF/XML sent as Turtle, Turtle sent as JSON-LD...: the content is sniffed, the header is not trusted;
* in RDF/XML, any ``<!DOCTYPE`` or ``<!ENTITY`` (422): pyoxigraph 0.5.13 expands internal entities (a 1 KiB
  "billion laughs" file becomes a 1 GB string) and external entities name URLs and ``file:`` paths. RDF/XML
  needs no DTD, so refusing every declaration loses nothing;
* in JSON-LD, a remote ``@context`` (a string, in a list or not) and ``@import`` (422): a JSON-LD processor
  would fetch them (rdflib does, and reads ``file:`` URLs too);
* any ``owl:imports`` statement (422): an OWL tool reading the graph later (owlready2, Protégé) would fetch
  the imported ontology; an upload carries its axioms inline instead.

Syntax errors are 400 with the parser's position, as before this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from vcgraph.sparql.formats import GRAPH_UPLOAD_FORMATS

OWL_IMPORTS = NamedNode("http://www.w3.org/2002/07/owl#imports")

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive (XLSX, ODS, ...)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office (OLE2) file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 (and UTF-32 LE, which starts the same)

# XML markup that only a document type declaration can introduce; refused anywhere in the text (a literal
# "<!DOCTYPE" in character data is written "&lt;!DOCTYPE", so no valid RDF/XML value is lost).
_DTD_MARKUP = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# How an XML document starts (declaration, comment, DTD, or the usual rdf:RDF root). Only these count as
# "this is XML": a Turtle document may start with "<" too (an IRI).
_XML_START = re.compile(r"<\?xml[\s?]|<!--|<!DOCTYPE|<rdf:RDF[\s>/]", re.IGNORECASE)


class RdfUploadError(ValueError):
    """An upload refused before or while parsing: ``status`` is the HTTP status, ``reason`` says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _binary_kind(body: bytes) -> str | None:
    """What binary thing ``body`` is, if it is one."""
    for magic, kind in _BINARY_MAGIC:
        if body.startswith(magic):
            return kind
    if body.startswith(_WIDE_BOMS):
        return "UTF-16/UTF-32 text (send UTF-8)"
    if b"\x00" in body[:4096]:
        return "binary data (it contains NUL bytes)"
    return None


def _decode(body: bytes, media_type: str) -> str:
    try:
        return body.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RdfUploadError(
            422, f"the body claims to be {media_type} but is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None


def sniff(text: str) -> RdfFormat | None:
    """The RDF syntax the start of ``text`` betrays (RDF/XML or JSON-LD), or None when it could be any text
    syntax (Turtle, N-Triples, N3)."""
    start = text.lstrip()
    if _XML_START.match(start):
        return RdfFormat.RDF_XML
    if start.startswith("{") or (start.startswith("[") and start[1:].lstrip().startswith(("{", "]"))):
        # "[" alone may open a Turtle blank node ("[ :p :o ] ."); JSON-LD's top-level array holds objects.
        return RdfFormat.JSON_LD
    return None


def _check_matches_claim(text: str, rdf_format: RdfFormat, media_type: str) -> None:
    looks_like = sniff(text)
    if rdf_format is RdfFormat.RDF_XML:
        if not text.lstrip().startswith("<"):
            raise RdfUploadError(422, f"the body claims to be {media_type} but does not start like XML")
        return
    if rdf_format is RdfFormat.JSON_LD:
        if not text.lstrip().startswith(("{", "[")):
            raise RdfUploadError(422, f"the body claims to be {media_type} but is not a JSON object or array")
        return
    if looks_like is RdfFormat.RDF_XML:
        raise RdfUploadError(422, f"the body claims to be {media_type} but is RDF/XML; send application/rdf+xml")
    if looks_like is RdfFormat.JSON_LD and rdf_format is not RdfFormat.N3:  # N3 formulas start with "{"
        raise RdfUploadError(422, f"the body claims to be {media_type} but is JSON; send application/ld+json")


def refuse_xml_declarations(body: bytes) -> None:
    """Refuse a DOCTYPE or ENTITY declaration anywhere in an XML body (entity expansion, external entities)."""
    match = _DTD_MARKUP.search(body)
    if match is not None:
        declaration = match.group(1).decode("ascii").upper()
        raise RdfUploadError(
            422,
            f"RDF/XML with a <!{declaration} declaration (at byte {match.start()}) is refused: entities could "
            "expand without bound or make the server read files and URLs; RDF/XML needs no DTD",
        )


def _contexts(value: object) -> Iterator[object]:
    """Every ``@context`` value and every ``@import`` in a JSON-LD document, at any depth."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                if key == "@context":
                    yield item
                elif key == "@import":
                    yield {"@import": item}
                stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)


def refuse_remote_contexts(text: str) -> None:
    """Refuse a JSON-LD document whose contexts would be fetched: a context given by reference, or ``@import``."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise RdfUploadError(422, "the JSON-LD body nests too deeply to be read") from None
    except json.JSONDecodeError as exc:
        raise RdfUploadError(
            400, f"the JSON-LD body is not valid JSON: {exc.msg} at {exc.lineno}:{exc.colno}"
        ) from None
    for context in _contexts(document):
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, str):
                raise RdfUploadError(
                    422,
                    f"JSON-LD remote context {item!r} is refused: the server never fetches contexts; "
                    "inline the context object instead",
                )
            if isinstance(item, dict) and "@import" in item:
                raise RdfUploadError(
                    422, f"JSON-LD @import {item['@import']!r} is refused: the server never fetches contexts"
                )


def parse_rdf_upload(body: bytes, media_type: str | None, *, base_iri: str, max_bytes: int) -> list[Triple]:
    """The triples of an uploaded RDF document, or :class:`RdfUploadError` saying why it is refused.

    ``media_type`` is the Content-Type without parameters (None when missing); ``base_iri`` resolves relative
    IRIs; ``max_bytes`` is the upload cap (the body is normally cut at that size while it is read already).
    """
    if media_type is None:
        raise RdfUploadError(415, "missing Content-Type: send Turtle, N-Triples, RDF/XML or JSON-LD")
    rdf_format = GRAPH_UPLOAD_FORMATS.get(media_type)
    if rdf_format is None:
        accepted = ", ".join(GRAPH_UPLOAD_FORMATS)
        raise RdfUploadError(415, f"Content-Type {media_type} is not an RDF format; send {accepted}")
    if len(body) > max_bytes:
        raise RdfUploadError(413, f"the body is larger than {max_bytes} bytes")
    binary = _binary_kind(body)
    if binary is not None:
        raise RdfUploadError(422, f"the body claims to be {media_type} but is {binary}")
    text = _decode(body, media_type)
    _check_matches_claim(text, rdf_format, media_type)
    if rdf_format is RdfFormat.RDF_XML:
        refuse_xml_declarations(body)
    elif rdf_format is RdfFormat.JSON_LD:
        refuse_remote_contexts(text)
    try:
        triples = [
            Triple(q.subject, q.predicate, q.object)
            for q in parse(body.removeprefix(_UTF8_BOM), format=rdf_format, base_iri=base_iri)
        ]
    except SyntaxError as exc:
        raise RdfUploadError(400, f"the {media_type} body is not valid: {exc}") from None
    for triple in triples:
        if triple.predicate == OWL_IMPORTS:
            raise RdfUploadError(
                422,
                f"owl:imports {triple.object} is refused: OWL tools reading this graph would fetch it; "
                "upload the imported axioms themselves",
            )
    return triples


__all__ = [
    "OWL_IMPORTS",
    "RdfUploadError",
    "parse_rdf_upload",
    "refuse_remote_contexts",
    "refuse_xml_declarations",
    "sniff",
]
