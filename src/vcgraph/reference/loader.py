"""The reference graphs (ontology, vocabularies, NUTS) as triples, read from the checkout.

Blank nodes of the ontology files (OWL restrictions, RDF lists) get labels derived from the file's content and
their order of appearance, so loading the same files twice writes the very same quads: re-loading is idempotent
and a quad-set comparison of two stores tells real changes from relabelling.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from vcgraph.config import Settings
from vcgraph.reference.nuts import NUTS_CSV, NutsIndex, nuts_triples
from vcgraph.vocabulary import VocabularyError

ONTOLOGY_FILE = "vcgraph.ttl"
# Translation files of the ontology (vcgraph.fr.ttl...) belong to the ontology graph, not to the vocabularies.
ONTOLOGY_TRANSLATIONS = "vcgraph.*.ttl"


@dataclass(frozen=True)
class ReferenceData:
    """The content of ``{base}graph/ontology``, ``{base}graph/vocabularies`` and ``{base}graph/nuts``."""

    ontology: list[Triple]
    vocabularies: list[Triple]
    nuts: list[Triple]
    nuts_index: NutsIndex


def parse_turtle_file(path: Path) -> list[Triple]:
    """The triples of a Turtle file, blank nodes relabelled deterministically."""
    try:
        data = path.read_bytes()
        parsed = list(parse(input=data, format=RdfFormat.TURTLE))
    except (SyntaxError, OSError, ValueError) as exc:
        raise VocabularyError(f"cannot parse {path}: {exc}") from exc
    prefix = "r" + hashlib.sha256(data).hexdigest()[:12]
    labels: dict[BlankNode, BlankNode] = {}

    def relabel(term: NamedNode | BlankNode | Literal | Triple) -> NamedNode | BlankNode | Literal | Triple:
        if isinstance(term, BlankNode):
            if term not in labels:
                labels[term] = BlankNode(f"{prefix}x{len(labels)}")
            return labels[term]
        return term

    out: list[Triple] = []
    for t in parsed:
        subject = relabel(t.subject)
        obj = relabel(t.object)
        out.append(Triple(subject, t.predicate, obj))  # type: ignore[arg-type]
    return out


def ontology_files(directory: Path) -> tuple[list[Path], list[Path]]:
    """``vcgraph.ttl`` with its translation files (the ontology) and every other Turtle file (the SKOS schemes)."""
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise VocabularyError(f"no Turtle file (*.ttl) in the ontology directory {directory}")
    ontology = [f for f in files if f.name == ONTOLOGY_FILE or f.match(ONTOLOGY_TRANSLATIONS)]
    return ontology, [f for f in files if f not in ontology]


def load_reference_data(settings: Settings) -> ReferenceData:
    ontology_files_, scheme_files = ontology_files(settings.ontology_dir)
    ontology = [t for f in ontology_files_ for t in parse_turtle_file(f)]
    vocabularies = [t for f in scheme_files for t in parse_turtle_file(f)]
    index = NutsIndex.load(settings.data_dir / NUTS_CSV)
    return ReferenceData(ontology, vocabularies, nuts_triples(index), index)
