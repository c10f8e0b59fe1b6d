"""Canonical Turtle for reviews and diffs: the same triples always written the same way."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from vcgraph.namespaces import PREFIXES, VOCAB
from vcgraph.ontology._rdf import OntologyFileError, rdf_format

# One prefix per namespace, whatever the input file (or Protégé) called it, so two normalised files only
# differ where their triples do.
STABLE_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": "http://purl.org/vocab/vann/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "nace": "http://data.europa.eu/ux2/nace2/",
    **{
        scheme: f"{VOCAB}{scheme}/"
        for scheme in ("stage", "technology", "product-class", "actor-type", "sector", "trl", "gmp-status",
                       "mode", "size", "visibility", "urgency", "skill")
    },
}

_RDFLIB_FORMAT = {"Turtle": "turtle", "N-Triples": "nt", "RDF/XML": "xml"}


def normalise(path_in: Path, path_out: Path) -> None:
    """Write the triples of ``path_in`` (Turtle, N-Triples or Protégé RDF/XML) to ``path_out`` as canonical Turtle.

    Subjects sorted by IRI, predicates sorted (``rdf:type`` first), one object per line, blank nodes
    relabelled canonically, the prefixes of :data:`STABLE_PREFIXES` (and the input's other ones): the same
    triples give the same bytes, and the triples are exactly those of the input. Comments are not triples and
    are not kept, so normalise a copy for review rather than overwriting a commented source file.
    """
    source_format = _RDFLIB_FORMAT[rdf_format(path_in).name]
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(path_in, format=source_format)
    except Exception as error:  # rdflib raises parser-specific types; all mean "this file is not valid RDF"
        raise OntologyFileError(path_in, " ".join(str(error).split())[:500]) from None
    output = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(STABLE_PREFIXES.items()):
        output.bind(prefix, namespace, override=True, replace=True)
    taken = set(STABLE_PREFIXES) | {""}
    known = set(STABLE_PREFIXES.values())
    for prefix, namespace in sorted(graph.namespaces()):
        if prefix not in taken and str(namespace) not in known:
            output.bind(prefix, namespace)
            taken.add(prefix)
            known.add(str(namespace))
    for triple in graph:
        output.add(triple)
    text = output.serialize(format="longturtle", canon=True)
    path_out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
