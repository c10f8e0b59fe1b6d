"""Shared pieces of the HTML pages: languages, labels, links from IRIs to this server's pages, the page shell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from vcgraph.namespaces import BM, ONTOLOGY_IRI, PREFIXES, RDFS, SKOS, VOCAB

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"

Term = NamedNode | BlankNode | Literal | Triple

UI: dict[str, dict[str, str]] = {
    "en": {
        "statements": "Statements", "property": "Property", "value": "Value", "source": "Source graph",
        "referenced_by": "Referenced by", "subject": "Subject", "formats": "Other formats",
        "classes": "Classes", "object_properties": "Object properties", "datatype_properties": "Datatype properties",
        "annotation_properties": "Annotation properties", "schemes": "Concept schemes", "version": "Version",
        "version_iri": "Version IRI", "prior_version": "Prior version", "deprecated": "deprecated",
        "replaced_by": "replaced by", "subclass_of": "Subclass of", "domain": "Domain", "range": "Range",
        "definition": "Definition", "concepts": "concepts", "type": "Type", "iri": "IRI", "licence": "Licence",
        "language": "Language", "contents": "Contents",
    },
    "fr": {
        "statements": "Déclarations", "property": "Propriété", "value": "Valeur", "source": "Graphe source",
        "referenced_by": "Référencé par", "subject": "Sujet", "formats": "Autres formats",
        "classes": "Classes", "object_properties": "Propriétés d'objet", "datatype_properties": "Propriétés de données",
        "annotation_properties": "Propriétés d'annotation", "schemes": "Schémas de concepts", "version": "Version",
        "version_iri": "IRI de version", "prior_version": "Version précédente", "deprecated": "obsolète",
        "replaced_by": "remplacé par", "subclass_of": "Sous-classe de", "domain": "Domaine", "range": "Portée",
        "definition": "Définition", "concepts": "concepts", "type": "Type", "iri": "IRI", "licence": "Licence",
        "language": "Langue", "contents": "Sommaire",
    },
}


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it names a language we write, else the best of ``Accept-Language``, else English."""
    if requested and requested.lower()[:2] in LANGUAGES:
        return requested.lower()[:2]
    best, best_quality = DEFAULT_LANGUAGE, -1.0
    for position, element in enumerate((accept_language or "").split(",")):
        tag, _, params = element.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower()[:2]
        # Earlier elements win ties, as clients list their preferences in order.
        if primary in LANGUAGES and quality > 0 and quality - position * 1e-6 > best_quality:
            best, best_quality = primary, quality - position * 1e-6
    return best


def term_value(term: Term) -> str:
    return str(term) if isinstance(term, Triple) else term.value


class Labels:
    """Labels of the resources a page mentions, in the page's language when they have one."""

    def __init__(self, triples: Iterable[Triple], language: str) -> None:
        found: dict[str, list[Literal]] = defaultdict(list)
        for t in triples:
            if t.predicate.value in (SKOS + "prefLabel", RDFS + "label") and isinstance(t.object, Literal):
                found[term_value(t.subject)].append(t.object)
        self._labels = found
        self.language = language

    def get(self, iri: str) -> str | None:
        literals = sorted(self._labels.get(iri, []), key=lambda lit: (lit.language or "", lit.value))
        for wanted in (self.language, None, DEFAULT_LANGUAGE):
            for literal in literals:
                if literal.language == wanted:
                    return literal.value
        return literals[0].value if literals else None


def compact(iri: str) -> str:
    """``bm:Actor`` for an IRI in a known namespace, else the IRI."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and "/" not in iri[len(namespace):] and "#" not in iri[len(namespace):]:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


@dataclass(frozen=True)
class Linker:
    """Turns an IRI into the URL of its page: IRIs this service serves go to this server, others stay as they are.

    So a page served from ``http://127.0.0.1:8000`` links to ``/id/...`` even when the base IRI is
    ``https://w3id.org/vcgraph/`` (whose redirects may not point here yet).
    """

    base_iri: str
    root_path: str = ""

    def href(self, iri: str) -> str:
        if iri.startswith(self.base_iri + "id/"):
            return f"{self.root_path}/{iri[len(self.base_iri):]}"
        if iri.startswith(VOCAB):
            return f"{self.root_path}/vocab/{iri[len(VOCAB):]}"
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "/"):
            return f"{self.root_path}/ontology{iri[len(ONTOLOGY_IRI):]}"
        if iri.startswith(BM):
            return f"{self.root_path}/ontology#{iri[len(BM):]}"
        return iri


def link(iri: str, labels: Labels, linker: Linker) -> str:
    label = labels.get(iri)
    shown = f"{escape(label)} <small>{escape(compact(iri))}</small>" if label else escape(compact(iri))
    return f'<a href="{escape(linker.href(iri), quote=True)}">{shown}</a>'


def render_term(term: Term, labels: Labels, linker: Linker) -> str:
    if isinstance(term, NamedNode):
        return link(term.value, labels, linker)
    if isinstance(term, Literal):
        suffix = ""
        if term.language:
            suffix = f' <small lang="en">@{escape(term.language)}</small>'
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            suffix = f" <small>{escape(compact(term.datatype.value))}</small>"
        lang = f' lang="{escape(term.language, quote=True)}"' if term.language else ""
        return f"<span{lang}>{escape(term.value)}</span>{suffix}"
    return escape(str(term))


STYLE = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d2733;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #d5dbe1;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f2f5f8}small{color:#5b6875}code{font-size:.9em}
.deprecated{text-decoration:line-through}nav a{margin-right:.8rem}section{margin-top:2rem}
"""


def page(title: str, body: str, language: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
