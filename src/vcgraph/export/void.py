"""The VoID description of the published graph (``void.ttl``, also served at ``/.well-known/void``).

Every figure is computed from the publishable triples, so it describes exactly what the dumps hold.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from pyoxigraph import NamedNode, Triple

from vcgraph.config import Settings
from vcgraph.export.layout import (
    WHOLE_DUMPS,
    default_download_base,
    sparql_endpoint,
    void_document,
    wave_dump_files,
    waves,
)
from vcgraph.export.publishable import PublicView, value_of
from vcgraph.export.rdfbuild import Triples, day, integer, text
from vcgraph.export.serialize import FOAF, SYNTAXES, VOID
from vcgraph.namespaces import BM, DCTERMS, NUTS, PROV, RDF, slug

LICENCE = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"

# The external datasets the graph links to: (key, title, IRI namespace, homepage).
LINK_TARGETS: tuple[tuple[str, str, str, str], ...] = (
    ("nuts", "NUTS 2021 regions (Eurostat)", NUTS, "https://ec.europa.eu/eurostat/web/nuts"),
    (
        "nace",
        "NACE Rev. 2 (Eurostat)",
        "http://data.europa.eu/ux2/nace2/",
        "https://showvoc.op.europa.eu/#/datasets/ESTAT_Statistical_Classification_of_Economic_Activities_in_the_European_Community_Rev._2/data",
    ),
    ("esco", "ESCO skills (European Commission)", "http://data.europa.eu/esco/", "https://esco.ec.europa.eu/"),
)


def namespace_of(iri: str) -> str:
    """The vocabulary namespace of a term: its IRI up to the last '#' or '/'."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def void_triples(
    view: PublicView, settings: Settings, *, generated: date, download_base: str | None = None
) -> set[Triple]:
    download = download_base or default_download_base(settings)
    document = void_document(settings)
    dataset = document + "#dataset"
    triples = view.triples()
    out = Triples()

    out.add(document, RDF + "type", VOID + "DatasetDescription")
    out.add(document, DCTERMS + "title", text("VoID description of the vcgraph knowledge graph", "en"))
    out.add(document, FOAF + "primaryTopic", dataset)

    out.add(dataset, RDF + "type", VOID + "Dataset")
    out.add(dataset, DCTERMS + "title", text("vcgraph: European healthcare biomanufacturing value chain", "en"))
    out.add(
        dataset, DCTERMS + "title", text("vcgraph : chaîne de valeur européenne de la bioproduction en santé", "fr")
    )
    out.add(
        dataset,
        DCTERMS + "description",
        text(
            "Who can do what, where, at which maturity along the healthcare biomanufacturing value chain, as declared "
            "in cluster surveys. Actors that asked not to be named appear only in aggregates.",
            "en",
        ),
    )
    out.add(dataset, DCTERMS + "license", LICENCE)
    out.add(dataset, DCTERMS + "modified", day(generated))
    out.add(dataset, FOAF + "homepage", settings.base_iri)
    out.add(dataset, VOID + "sparqlEndpoint", sparql_endpoint(settings))
    out.add(dataset, VOID + "uriSpace", text(settings.base_iri + "id/"))
    for name in WHOLE_DUMPS:
        out.add(dataset, VOID + "dataDump", download + name)
    for syntax in SYNTAXES:
        out.add(dataset, VOID + "feature", syntax.w3c_format)

    subjects = {value_of(t.subject) for t in triples}
    objects = {str(t.object) for t in triples}
    classes = Counter(value_of(t.object) for t in triples if t.predicate.value == RDF + "type")
    typed_subjects: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate.value == RDF + "type":
            typed_subjects.setdefault(value_of(t.object), set()).add(value_of(t.subject))
    properties = Counter(t.predicate.value for t in triples)
    minted = sorted(s for s in subjects if s.startswith(settings.base_iri + "id/"))
    out.add(dataset, VOID + "triples", integer(len(triples)))
    out.add(dataset, VOID + "entities", integer(len(minted)))
    out.add(dataset, VOID + "classes", integer(len(classes)))
    out.add(dataset, VOID + "properties", integer(len(properties)))
    out.add(dataset, VOID + "distinctSubjects", integer(len(subjects)))
    out.add(dataset, VOID + "distinctObjects", integer(len(objects)))
    for vocabulary in sorted({namespace_of(p) for p in properties} | {namespace_of(c) for c in classes}):
        out.add(dataset, VOID + "vocabulary", vocabulary)
    actors = sorted(typed_subjects.get(BM + "Actor", set()))
    if actors:
        out.add(dataset, VOID + "exampleResource", actors[0])

    for cls in sorted(classes):
        partition = f"{document}#class/{slug(cls, 200)}"
        out.add(dataset, VOID + "classPartition", partition)
        out.add(partition, VOID + "class", cls)
        out.add(partition, VOID + "entities", integer(len(typed_subjects[cls])))
    for prop, count in sorted(properties.items()):
        partition = f"{document}#property/{slug(prop, 200)}"
        out.add(dataset, VOID + "propertyPartition", partition)
        out.add(partition, VOID + "property", prop)
        out.add(partition, VOID + "triples", integer(count))

    graph_prefix = settings.base_iri + "graph/"
    wave_by_graph = {w.graph: w for w in waves(view, settings)}
    for graph, graph_triples in view.graphs.items():
        subset = f"{document}#graph/{graph.removeprefix(graph_prefix)}"
        out.add(dataset, VOID + "subset", subset)
        out.add(subset, RDF + "type", VOID + "Dataset")
        out.add(subset, VOID + "triples", integer(len(graph_triples)))
        out.add(subset, DCTERMS + "source", graph)
        wave = wave_by_graph.get(graph)
        if wave is not None:
            out.add(subset, DCTERMS + "title", text(f"Survey wave {wave.identifier}", "en"))
            out.add(subset, PROV + "wasGeneratedBy", wave.iri)
            for name in wave_dump_files(wave.identifier):
                out.add(subset, VOID + "dataDump", download + name)

    links: dict[str, list[Triple]] = {key: [] for key, *_ in LINK_TARGETS}
    for t in triples:  # one pass: a link is a triple from outside a target's namespace to inside it
        if not isinstance(t.object, NamedNode):
            continue
        for key, _title, namespace, _homepage in LINK_TARGETS:
            if t.object.value.startswith(namespace) and not value_of(t.subject).startswith(namespace):
                links[key].append(t)
    for key, title, namespace, homepage in LINK_TARGETS:
        target = f"{document}#target/{key}"
        linkset = f"{document}#linkset/{key}"
        out.add(target, RDF + "type", VOID + "Dataset")
        out.add(target, DCTERMS + "title", text(title, "en"))
        out.add(target, VOID + "uriSpace", text(namespace))
        out.add(target, FOAF + "homepage", homepage)
        out.add(dataset, VOID + "subset", linkset)
        out.add(linkset, RDF + "type", VOID + "Linkset")
        out.add(linkset, VOID + "subjectsTarget", dataset)
        out.add(linkset, VOID + "objectsTarget", target)
        out.add(linkset, VOID + "triples", integer(len(links[key])))
        for predicate in sorted({t.predicate.value for t in links[key]}):
            out.add(linkset, VOID + "linkPredicate", predicate)
    return out.triples
