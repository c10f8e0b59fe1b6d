"""Byte-for-byte repeatable serialisations of triples (same triples in, same bytes out)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import RdfFormat, Triple

from vcgraph.export.publishable import sort_triples
from vcgraph.namespaces import PREFIXES
from vcgraph.store.oxigraph import serialize_triples

DCAT = "http://www.w3.org/ns/dcat#"
DCATAP = "http://data.europa.eu/r5r/"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ADMS = "http://www.w3.org/ns/adms#"

# Prefixes for everything we write: the model's, plus the metadata vocabularies of the catalogue and VoID.
EXPORT_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "dcat": DCAT,
    "dcatap": DCATAP,
    "foaf": FOAF,
    "void": VOID,
    "spdx": SPDX,
    "vcard": VCARD,
    "adms": ADMS,
}


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF syntax we publish: how to write it, and what to call it on the web."""

    name: str
    format: RdfFormat
    media_type: str
    extension: str
    file_type: str  # code in the EU Publications Office file-type authority table
    w3c_format: str  # IRI of the syntax in http://www.w3.org/ns/formats/ (for void:feature)


TURTLE = RdfSyntax(
    "Turtle", RdfFormat.TURTLE, "text/turtle", "ttl", "RDF_TURTLE", "http://www.w3.org/ns/formats/Turtle"
)
NTRIPLES = RdfSyntax(
    "N-Triples",
    RdfFormat.N_TRIPLES,
    "application/n-triples",
    "nt",
    "RDF_N_TRIPLES",
    "http://www.w3.org/ns/formats/N-Triples",
)
JSON_LD = RdfSyntax(
    "JSON-LD", RdfFormat.JSON_LD, "application/ld+json", "jsonld", "JSON_LD", "http://www.w3.org/ns/formats/JSON-LD"
)
RDF_XML = RdfSyntax(
    "RDF/XML", RdfFormat.RDF_XML, "application/rdf+xml", "rdf", "RDF_XML", "http://www.w3.org/ns/formats/RDF_XML"
)
SYNTAXES: tuple[RdfSyntax, ...] = (TURTLE, JSON_LD, RDF_XML, NTRIPLES)


def serialise(triples: Iterable[Triple], syntax: RdfSyntax, *, presorted: bool = False) -> bytes:
    """Triples in ``syntax``, sorted first: pyoxigraph writes in input order, so sorted input = stable output.

    ``presorted`` says the caller already sorted them with :func:`sort_triples` (sorting is the costly part).
    """
    ordered = list(triples) if presorted else sort_triples(triples)
    prefixes = None if syntax.format == RdfFormat.N_TRIPLES else EXPORT_PREFIXES
    return serialize_triples(ordered, syntax.format, prefixes)


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no file name and mtime 0, so compressing the same bytes twice gives the same file."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(data)
    return buffer.getvalue()
