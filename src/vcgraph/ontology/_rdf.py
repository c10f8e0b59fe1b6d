"""Reading the RDF files maintainers edit (Turtle by hand, RDF/XML from Protégé) into pyoxigraph triples."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from vcgraph.namespaces import OWL, RDF

Term = NamedNode | BlankNode | Literal

_FORMATS_BY_SUFFIX = {
    ".ttl": RdfFormat.TURTLE,
    ".turtle": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".rdf": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
}
RDF_TYPE = NamedNode(RDF + "type")
OWL_ONTOLOGY = NamedNode(OWL + "Ontology")


class OntologyFileError(ValueError):
    """An ontology, vocabulary or shapes file cannot be read; the message names the file and the position."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def rdf_format(path: Path) -> RdfFormat:
    """The syntax of ``path`` from its suffix; ``.owl`` is sniffed, as Protégé saves both RDF/XML and Turtle."""
    suffix = path.suffix.lower()
    if suffix in _FORMATS_BY_SUFFIX:
        return _FORMATS_BY_SUFFIX[suffix]
    if suffix == ".owl":
        head = path.read_text(encoding="utf-8", errors="replace")[:2000].lstrip()
        return RdfFormat.RDF_XML if head.startswith(("<?xml", "<rdf:RDF")) else RdfFormat.TURTLE
    raise OntologyFileError(path, f"unknown RDF syntax for suffix {suffix!r} (use .ttl, .owl, .rdf or .nt)")


def read_triples(path: Path) -> list[Triple]:
    """Every triple of one file; a syntax error becomes an :class:`OntologyFileError` naming line and column."""
    if not path.is_file():
        raise OntologyFileError(path, "file not found")
    try:
        # pyoxigraph yields quads (in the default graph) even for triple syntaxes; the checks want triples.
        return [quad.triple for quad in parse(path=str(path), format=rdf_format(path))]
    except SyntaxError as error:
        raise OntologyFileError(path, " ".join(str(error).split())) from None
    except (OSError, UnicodeDecodeError) as error:
        raise OntologyFileError(path, str(error)) from None


def ontology_files(directory: Path) -> list[Path]:
    """The files the store loads from an ontology folder: every ``*.ttl``, in a stable order."""
    return sorted(directory.glob("*.ttl"))


def read_source(path: Path) -> list[Triple]:
    """The triples of one file, or of every ``*.ttl`` of a folder taken together."""
    if path.is_dir():
        files = ontology_files(path)
        if not files:
            raise OntologyFileError(path, "no *.ttl file in this folder")
        return [triple for file in files for triple in read_triples(file)]
    return read_triples(path)


class TripleIndex:
    """Subject -> predicate -> objects, for the many small look-ups the checks and the diff make."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self._by_subject: dict[Term, dict[NamedNode, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self._by_type: dict[NamedNode, set[Term]] = defaultdict(set)
        for triple in triples:
            objects = self._by_subject[triple.subject][triple.predicate]  # type: ignore[index]
            if triple.object not in objects:
                objects.append(triple.object)  # type: ignore[arg-type]
            if triple.predicate == RDF_TYPE and isinstance(triple.object, NamedNode):
                self._by_type[triple.object].add(triple.subject)  # type: ignore[arg-type]

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return list(self._by_subject.get(subject, {}).get(NamedNode(predicate), []))

    def has(self, subject: Term, predicate: str, obj: Term) -> bool:
        return obj in self._by_subject.get(subject, {}).get(NamedNode(predicate), [])

    def instances(self, rdf_class: str) -> set[Term]:
        return set(self._by_type.get(NamedNode(rdf_class), set()))

    def description(self, subject: Term) -> frozenset[tuple[str, str]]:
        """What a subject says about itself, as comparable (predicate, object) pairs."""
        return frozenset(
            (predicate.value, str(obj)) for predicate, objects in self._by_subject.get(subject, {}).items()
            for obj in objects
        )

    def literals(self, subject: Term, predicate: str) -> list[Literal]:
        return [obj for obj in self.objects(subject, predicate) if isinstance(obj, Literal)]
