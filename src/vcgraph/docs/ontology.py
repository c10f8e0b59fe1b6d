"""Documentation of the ontology, generated from its own triples (labels, definitions, axioms), in en or fr."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape

from pyoxigraph import Literal, NamedNode, Triple

from vcgraph.docs.html import UI, Labels, Linker, compact, link, page, render_term, term_value
from vcgraph.namespaces import BM, DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS

_SECTIONS = (
    ("classes", OWL + "Class"),
    ("object_properties", OWL + "ObjectProperty"),
    ("datatype_properties", OWL + "DatatypeProperty"),
    ("annotation_properties", OWL + "AnnotationProperty"),
)


class _Facts:
    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_subject: dict[str, dict[str, list[NamedNode | Literal]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            if isinstance(t.object, NamedNode | Literal):
                self.by_subject[term_value(t.subject)][t.predicate.value].append(t.object)

    def objects(self, subject: str, predicate: str) -> list[NamedNode | Literal]:
        return sorted(self.by_subject.get(subject, {}).get(predicate, []), key=str)

    def iris(self, subject: str, predicate: str) -> list[str]:
        return [o.value for o in self.objects(subject, predicate) if isinstance(o, NamedNode)]

    def text(self, subject: str, predicates: Sequence[str], language: str) -> str | None:
        """The first of ``predicates`` with a literal in ``language`` (else untagged, else English)."""
        for predicate in predicates:
            literals = [o for o in self.objects(subject, predicate) if isinstance(o, Literal)]
            for wanted in (language, None, "en"):
                for literal in literals:
                    if literal.language == wanted:
                        return literal.value
        return None

    def of_type(self, cls: str) -> list[str]:
        return sorted(s for s, props in self.by_subject.items() if NamedNode(cls) in props.get(RDF + "type", []))


def _anchor(iri: str) -> str:
    return iri[len(BM):] if iri.startswith(BM) else compact(iri)


def render_ontology(
    ontology: Iterable[Triple], vocabularies: Iterable[Triple], language: str, linker: Linker,
    alternates: Sequence[tuple[str, str]] = (),
) -> str:
    ontology = list(ontology)
    vocabularies = list(vocabularies)
    ui = UI[language]
    facts = _Facts(ontology)
    labels = Labels([*ontology, *vocabularies], language)
    head = ONTOLOGY_IRI
    title = facts.text(head, (DCTERMS + "title", RDFS + "label"), language) or "vcgraph ontology"
    parts = [f"<h1>{escape(title)}</h1>"]
    description = facts.text(head, (DCTERMS + "description", RDFS + "comment", SKOS + "definition"), language)
    if description:
        parts.append(f"<p>{escape(description)}</p>")
    meta = [(ui["iri"], f"<code>{escape(head)}</code>")]
    for key, predicate in (("version_iri", OWL + "versionIRI"), ("prior_version", OWL + "priorVersion"),
                           ("licence", DCTERMS + "license")):
        for value in facts.objects(head, predicate):
            meta.append((ui[key], render_term(value, labels, linker)))
    for value in facts.objects(head, OWL + "versionInfo"):
        meta.append((ui["version"], escape(value.value)))
    parts.append("<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in meta) + "</table>")
    other = "fr" if language == "en" else "en"
    nav = [f'<a href="?lang={other}">{"Français" if other == "fr" else "English"}</a>']
    nav += [f'<a href="{escape(href, quote=True)}">{escape(name)}</a>' for name, href in alternates]
    parts.append("<nav>" + " ".join(nav) + "</nav>")

    toc = [f'<a href="#{key}">{ui[key]}</a>' for key, cls in _SECTIONS if facts.of_type(cls)]
    toc.append(f'<a href="#schemes">{ui["schemes"]}</a>')
    parts.append(f"<nav>{ui['contents']}: {' '.join(toc)}</nav>")

    for key, cls in _SECTIONS:
        terms = facts.of_type(cls)
        if not terms:
            continue
        parts.append(f'<section id="{key}"><h2>{ui[key]}</h2>')
        for term in sorted(terms, key=lambda t: (labels.get(t) or t).lower()):
            parts.append(_term_entry(term, facts, labels, linker, language))
        parts.append("</section>")

    parts.append(_schemes(vocabularies, labels, linker, language))
    return page(title, "\n".join(parts), language)


def _term_entry(term: str, facts: _Facts, labels: Labels, linker: Linker, language: str) -> str:
    ui = UI[language]
    deprecated = any(isinstance(o, Literal) and o.value in ("true", "1")
                     for o in facts.objects(term, OWL + "deprecated"))
    label = labels.get(term) or compact(term)
    heading = f'<h3 id="{escape(_anchor(term), quote=True)}"' + (' class="deprecated"' if deprecated else "") + ">"
    heading += escape(label) + (f" <small>({ui['deprecated']})</small>" if deprecated else "") + "</h3>"
    rows = [(ui["iri"], f"<code>{escape(term)}</code>")]
    definition = facts.text(term, (SKOS + "definition", RDFS + "comment"), language)
    if definition:
        rows.append((ui["definition"], escape(definition)))
    for key, predicate in (("subclass_of", RDFS + "subClassOf"), ("domain", RDFS + "domain"),
                           ("range", RDFS + "range"), ("replaced_by", DCTERMS + "isReplacedBy")):
        values = facts.iris(term, predicate)
        if values:
            rows.append((ui[key], ", ".join(link(v, labels, linker) for v in values)))
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"{heading}<table>{table}</table>"


def _schemes(vocabularies: list[Triple], labels: Labels, linker: Linker, language: str) -> str:
    ui = UI[language]
    facts = _Facts(vocabularies)
    members: dict[str, int] = defaultdict(int)
    for t in vocabularies:
        if t.predicate.value == SKOS + "inScheme" and isinstance(t.object, NamedNode):
            members[t.object.value] += 1
    rows = []
    for scheme in facts.of_type(SKOS + "ConceptScheme"):
        title = facts.text(scheme, (DCTERMS + "title", SKOS + "prefLabel", RDFS + "label"), language) or scheme
        href = escape(linker.href(scheme), quote=True)
        rows.append(f'<tr><td><a href="{href}">{escape(title)}</a></td><td><code>{escape(scheme)}</code></td>'
                    f"<td>{members[scheme]} {ui['concepts']}</td></tr>")
    return f'<section id="schemes"><h2>{ui["schemes"]}</h2><table>{"".join(rows)}</table></section>'
