"""CSV tables for spreadsheet users: actors, statements, needs, and aggregates over every actor.

Only publishable triples feed the first three tables; the aggregates count every actor of the public graphs
(``members`` and ``anonymous`` ones included: that is the one place they may appear), never the restricted graphs.
Cells are neutralised against formula injection: a spreadsheet would run ``=HYPERLINK(...)`` typed into a survey.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, Triple

from vcgraph.export.publishable import Withheld, value_of
from vcgraph.namespaces import BM, DCTERMS, ORG, PROV, RDF, RDFS, SCHEMA, SKOS

# A leading = + - @ (or a tab / carriage return, which some spreadsheets skip before one) makes a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix a cell a spreadsheet would read as a formula with an apostrophe (OWASP's advice), else keep it."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """RFC 4180 CSV (CRLF, quotes when needed) in UTF-8 with a BOM, so spreadsheets read accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class Index:
    """subject -> predicate -> objects, over a set of triples, with the lookups the tables need."""

    def __init__(self, triples: Iterable[Triple | Quad]) -> None:
        self._by_subject: dict[str, dict[str, set[NamedNode | Literal]]] = defaultdict(lambda: defaultdict(set))
        for triple in triples:
            if isinstance(triple.object, NamedNode | Literal):
                self._by_subject[value_of(triple.subject)][triple.predicate.value].add(triple.object)

    def values(self, subject: str, predicate: str) -> list[str]:
        return sorted(term.value for term in self._by_subject.get(subject, {}).get(predicate, ()))

    def first(self, subject: str, predicate: str) -> str:
        found = self.values(subject, predicate)
        return found[0] if found else ""

    def label(self, subject: str, language: str = "en") -> str:
        """skos:prefLabel or rdfs:label in ``language``, else one without language, else any; '' if none."""
        for predicate in (SKOS + "prefLabel", RDFS + "label"):
            terms = self._by_subject.get(subject, {}).get(predicate, set())
            literals = sorted((t for t in terms if isinstance(t, Literal)), key=lambda t: (t.language or "", t.value))
            for wanted in (language, None):
                for literal in literals:
                    if literal.language == wanted:
                        return literal.value
            if literals:
                return literals[0].value
        return ""

    def subjects_of_type(self, cls: str) -> list[str]:
        return sorted(
            s for s, props in self._by_subject.items() if any(t.value == cls for t in props.get(RDF + "type", ()))
        )

    def has_type(self, subject: str, cls: str) -> bool:
        return any(t.value == cls for t in self._by_subject.get(subject, {}).get(RDF + "type", ()))


@dataclass(frozen=True)
class Table:
    name: str
    header: tuple[str, ...]
    rows: list[list[str]]

    def to_csv(self) -> bytes:
        return csv_bytes(self.header, self.rows)


class TableBuilder:
    """Builds the tables from the publishable triples (``published``) and every public quad (``everything``)."""

    def __init__(self, published: Iterable[Triple], everything: Iterable[Quad], withheld: Withheld) -> None:
        self.data = Index(published)
        self.all = Index(everything)
        self.withheld = withheld

    def _notation(self, concept: str) -> str:
        return self.data.first(concept, SKOS + "notation") or concept

    def _notations(self, concepts: Iterable[str]) -> str:
        return ";".join(sorted(self._notation(c) for c in concepts))

    def _wave_id(self, index: Index, thing: str) -> str:
        wave = index.first(thing, PROV + "wasGeneratedBy")
        return index.first(wave, DCTERMS + "identifier") or wave

    def actors(self) -> Table:
        header = (
            "actor", "name", "organisation_id", "website", "country", "actor_type", "size", "sectors",
            "product_classes", "gmp_status", "consent_contact", "clusters", "regions", "waves",
        )
        responses: dict[str, set[str]] = defaultdict(set)
        for response in self.data.subjects_of_type(BM + "SurveyResponse"):
            for actor in self.data.values(response, PROV + "wasAttributedTo"):
                responses[actor].add(response)
        rows = []
        for actor in self.data.subjects_of_type(BM + "Actor"):
            d = self.data
            regions = [d.first(site, BM + "inRegion") for site in d.values(actor, ORG + "hasSite")]
            rows.append([
                actor,
                d.label(actor),
                ";".join(d.values(actor, DCTERMS + "identifier")),
                ";".join(d.values(actor, SCHEMA + "url")),
                ";".join(d.values(actor, SCHEMA + "addressCountry")),
                self._notations(d.values(actor, ORG + "classification")),
                self._notations(d.values(actor, BM + "sizeClass")),
                self._notations(d.values(actor, BM + "sector")),
                self._notations(d.values(actor, BM + "productClass")),
                self._notations(d.values(actor, BM + "gmpStatus")),
                ";".join(d.values(actor, BM + "consentContact")),
                ";".join(sorted(d.label(c) or c for c in d.values(actor, ORG + "memberOf"))),
                self._notations(r for r in regions if r),
                ";".join(sorted({self._wave_id(d, r) for r in responses[actor]})),
            ])
        return Table("actors", header, rows)

    def _statement_columns(self, statement: str) -> list[str]:
        d = self.data
        actor = d.first(statement, BM + "actor")
        response = d.first(statement, PROV + "wasDerivedFrom")
        return [statement, self._wave_id(d, statement), response, actor, d.label(actor)]

    def _concept_columns(self, statement: str, predicate: str) -> list[str]:
        concepts = self.data.values(statement, predicate)
        return [self._notations(concepts), ";".join(sorted(self.data.label(c) for c in concepts))]

    def statements(self) -> Table:
        header = (
            "statement", "wave", "response", "actor", "actor_name", "kind", "stage", "stage_label", "technology",
            "technology_label", "skill", "skill_label", "mode", "trl",
        )
        rows = []
        for kind in ("CapabilityStatement", "SkillStatement"):
            for statement in self.data.subjects_of_type(BM + kind):
                if self.data.has_type(statement, BM + "Need"):
                    continue  # needs have their own table
                rows.append([
                    *self._statement_columns(statement), kind,
                    *self._concept_columns(statement, BM + "stage"),
                    *self._concept_columns(statement, BM + "technology"),
                    *self._concept_columns(statement, BM + "skill"),
                    self._notations(self.data.values(statement, BM + "mode")),
                    ";".join(self.data.values(statement, BM + "trl")),
                ])
        rows.sort()
        return Table("statements", header, rows)

    def needs(self) -> Table:
        header = (
            "need", "wave", "response", "actor", "actor_name", "stage", "stage_label", "technology",
            "technology_label", "product_class", "product_class_label", "min_trl", "urgency", "comment",
        )
        rows = []
        for need in self.data.subjects_of_type(BM + "Need"):
            rows.append([
                *self._statement_columns(need),
                *self._concept_columns(need, BM + "stage"),
                *self._concept_columns(need, BM + "technology"),
                *self._concept_columns(need, BM + "productClass"),
                ";".join(self.data.values(need, BM + "minTrl")),
                self._notations(self.data.values(need, BM + "urgency")),
                " ".join(self.data.values(need, RDFS + "comment")),
            ])
        return Table("needs", header, rows)

    def aggregates(self) -> Table:
        """Distinct actors per wave x (stage | technology | skill) x mode, and per wave x country, all visibilities.

        ``public_actors`` is the part of ``actors`` listed by name in the other tables; the rest are ``members``
        and ``anonymous`` actors, counted here and nowhere else.
        """
        header = ("wave", "dimension", "code", "label", "mode", "actors", "public_actors")
        counts: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
        a = self.all
        for kind in ("CapabilityStatement", "SkillStatement", "Need"):
            for statement in a.subjects_of_type(BM + kind):
                actor = a.first(statement, BM + "actor")
                wave = self._wave_id(a, statement)
                modes = a.values(statement, BM + "mode") or [""]
                for dimension in ("stage", "technology", "skill"):
                    for concept in a.values(statement, BM + dimension):
                        for mode in modes:
                            counts[(wave, dimension, concept, mode)].add(actor)
        for response in a.subjects_of_type(BM + "SurveyResponse"):
            wave = self._wave_id(a, response)
            for actor in a.values(response, PROV + "wasAttributedTo"):
                for country in a.values(actor, SCHEMA + "addressCountry"):
                    counts[(wave, "country", country, "")].add(actor)
        rows = []
        for (wave, dimension, code, mode), actors in sorted(counts.items()):
            public = {x for x in actors if x not in self.withheld}
            label = "" if dimension == "country" else self.data.label(code)
            notation = code if dimension == "country" else self._notation(code)
            rows.append([wave, dimension, notation, label, self._notation(mode) if mode else "",
                         str(len(actors)), str(len(public))])
        return Table("aggregates", header, rows)

    def tables(self) -> list[Table]:
        return [self.actors(), self.statements(), self.needs(), self.aggregates()]
