"""What changed between two releases of the ontology and vocabularies, for release notes and reviews."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from vcgraph.namespaces import DCTERMS, OWL, RDFS, SKOS, XSD
from vcgraph.ontology._rdf import TripleIndex, read_source

# What counts as a "term": the entities an ontology declares and the concepts and schemes of its vocabularies.
TERM_TYPES = (
    OWL + "Class",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    OWL + "NamedIndividual",
    SKOS + "Concept",
    SKOS + "ConceptScheme",
)
_TRUE = "true"


@dataclass(frozen=True)
class Term:
    iri: str
    label: str | None = None

    def __str__(self) -> str:
        return f"{self.iri} ({self.label})" if self.label else self.iri


@dataclass(frozen=True)
class DeprecatedTerm(Term):
    replaced_by: tuple[str, ...] = ()

    def __str__(self) -> str:
        replacement = f" -> replaced by {', '.join(self.replaced_by)}" if self.replaced_by else " (no replacement)"
        return super().__str__() + replacement


@dataclass
class OntologyDiff:
    """Terms added, removed, newly deprecated and otherwise changed between ``old_version`` and ``new_version``."""

    old_version: str | None = None
    new_version: str | None = None
    added: list[Term] = field(default_factory=list)
    removed: list[Term] = field(default_factory=list)
    deprecated: list[DeprecatedTerm] = field(default_factory=list)
    changed: list[Term] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.deprecated or self.changed)

    def __str__(self) -> str:
        lines = [f"ontology {self.old_version or '(unversioned)'} -> {self.new_version or '(unversioned)'}"]
        for title, mark, terms in (
            ("added", "+", self.added),
            ("removed", "-", self.removed),
            ("deprecated", "!", self.deprecated),
            ("changed", "~", self.changed),
        ):
            lines.append(f"{title} ({len(terms)})")
            lines.extend(f"  {mark} {term}" for term in terms)
        return "\n".join(lines)


def diff_ontologies(old: Path, new: Path) -> OntologyDiff:
    """Compare two releases; each side is one file (Turtle or Protégé RDF/XML) or a folder of ``*.ttl`` files.

    A term is deprecated when it carries ``owl:deprecated true`` in ``new`` and did not in ``old``; a term is
    changed when it is in both and the triples it is the subject of differ (labels, definitions, axioms...).
    """
    before, after = TripleIndex(read_source(old)), TripleIndex(read_source(new))
    old_terms, new_terms = _terms(before), _terms(after)
    diff = OntologyDiff(old_version=_version(before), new_version=_version(after))
    for iri in sorted(new_terms - old_terms):
        diff.added.append(Term(iri, _label(after, iri)))
    for iri in sorted(old_terms - new_terms):
        diff.removed.append(Term(iri, _label(before, iri)))
    for iri in sorted(new_terms):
        if _is_deprecated(after, iri) and not _is_deprecated(before, iri):
            replacements = tuple(sorted(str(o.value) for o in after.objects(NamedNode(iri), DCTERMS + "isReplacedBy")
                                        if isinstance(o, NamedNode)))
            diff.deprecated.append(DeprecatedTerm(iri, _label(after, iri), replacements))
    newly_deprecated = {term.iri for term in diff.deprecated}
    for iri in sorted(old_terms & new_terms - newly_deprecated):
        if before.description(NamedNode(iri)) != after.description(NamedNode(iri)):
            diff.changed.append(Term(iri, _label(after, iri)))
    return diff


def _terms(index: TripleIndex) -> set[str]:
    return {term.value for kind in TERM_TYPES for term in index.instances(kind) if isinstance(term, NamedNode)}


def _is_deprecated(index: TripleIndex, iri: str) -> bool:
    return any(literal.value == _TRUE and literal.datatype.value == XSD + "boolean"
               for literal in index.literals(NamedNode(iri), OWL + "deprecated"))


def _label(index: TripleIndex, iri: str) -> str | None:
    """The English label (rdfs:label or skos:prefLabel), else any label, for readable output."""
    labels = index.literals(NamedNode(iri), RDFS + "label") + index.literals(NamedNode(iri), SKOS + "prefLabel")
    english = [label.value for label in labels if label.language == "en"]
    candidates = english or [label.value for label in labels]
    return candidates[0] if candidates else None


def _version(index: TripleIndex) -> str | None:
    for ontology in sorted(index.instances(OWL + "Ontology"), key=str):
        infos = index.literals(ontology, OWL + "versionInfo")
        if infos:
            return infos[0].value
        versions = index.objects(ontology, OWL + "versionIRI")
        if versions and isinstance(versions[0], NamedNode):
            return versions[0].value
    return None
