"""Where each exported file goes and what it holds: shared by the export, the catalogue and the VoID."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vcgraph.config import Settings
from vcgraph.export.publishable import PublicView, value_of
from vcgraph.namespaces import BM, DCTERMS, PROV, RDF

WHOLE_DUMPS = ("vcgraph.nt.gz", "vcgraph.ttl", "vcgraph.jsonld")
CATALOG_FILE = "catalog.ttl"
VOID_FILE = "void.ttl"
EPOCH = date(1970, 1, 1)


def default_download_base(settings: Settings) -> str:
    """Where the export directory is expected to be published (the portal harvests the dumps from there)."""
    return settings.base_iri + "export/"


def sparql_endpoint(settings: Settings) -> str:
    return settings.base_iri + "sparql"


def void_document(settings: Settings) -> str:
    """The IRI of the VoID description (served at /.well-known/void); its resources are fragments of it."""
    return settings.base_iri + ".well-known/void"


def wave_dump_files(wave: str) -> tuple[str, str]:
    return (f"waves/{wave}.nt.gz", f"waves/{wave}.ttl")


@dataclass(frozen=True)
class WaveInfo:
    """A survey wave as the metadata describes it."""

    iri: str
    identifier: str
    graph: str
    started: str | None  # xsd:dateTime lexical form
    ended: str | None


def waves(view: PublicView, settings: Settings) -> list[WaveInfo]:
    """The waves with a public wave graph, sorted by identifier."""
    prefix = settings.base_iri + "graph/wave/"
    found = []
    for graph, triples in view.graphs.items():
        if not graph.startswith(prefix):
            continue
        identifier = graph[len(prefix):]
        wave_iri = f"{settings.base_iri}id/wave/{identifier}"
        started = ended = None
        for t in triples:
            if value_of(t.subject) != wave_iri:
                continue
            if t.predicate.value == PROV + "startedAtTime":
                started = value_of(t.object)
            elif t.predicate.value == PROV + "endedAtTime":
                ended = value_of(t.object)
        found.append(WaveInfo(wave_iri, identifier, graph, started, ended))
    return sorted(found, key=lambda w: w.identifier)


def data_date(view: PublicView) -> date:
    """The date the data speaks for: the end of the latest wave (else the ontology's date, else 1970-01-01).

    Taken from the data, not the clock, so exporting the same store twice gives the same bytes.
    """
    triples = view.triples()
    surveyed = {value_of(t.subject) for t in triples
                if t.predicate.value == RDF + "type" and value_of(t.object) == BM + "SurveyWave"}
    candidates = [value_of(t.object) for t in triples
                  if value_of(t.subject) in surveyed and t.predicate.value == PROV + "endedAtTime"]
    if not candidates:
        dated = (DCTERMS + "modified", DCTERMS + "issued")
        candidates = [value_of(t.object) for t in triples if t.predicate.value in dated]
    for value in sorted(candidates, reverse=True):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            continue
    return EPOCH
