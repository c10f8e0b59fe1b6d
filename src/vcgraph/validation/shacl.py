"""SHACL validation of a wave graph with pyshacl, and a report a survey owner can act on.

Nothing is fetched: the data and reference triples come in as pyoxigraph triples, the shapes are parsed from local
files, and ``owl:imports`` are not followed. Each violation is mapped back to the row and column of the survey it
came from when a :class:`RowLocator` is given (statement IRIs carry the response id and the stage or technology
code), so SHACL problems read like template problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rdflib.namespace import RDF as RDFNS
from rdflib.namespace import SH as SHNS

from vcgraph.survey.errors import FILE_ROW, RowError


class ShapesError(ValueError):
    """The shapes cannot be loaded (no file, or a file that is not Turtle)."""


class RowLocator(Protocol):
    """Where in the survey a node (and property) of the data graph came from."""

    def locate(self, focus: str, path: str | None) -> tuple[int, str] | None: ...


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result, with IRIs as strings."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str
    shape: str | None

    def __str__(self) -> str:
        where = f"<{self.focus}>" + (f" <{self.path}>" if self.path else "")
        value = f" value {self.value!r}:" if self.value is not None else ""
        return f"{self.severity}: {where}:{value} {self.message}"


@dataclass
class ValidationReport:
    """Template errors and SHACL violations of one file or store, readable as text or as a SHACL report graph."""

    conforms: bool = True
    errors: list[RowError] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report_turtle: str = ""
    graphs: list[str] = field(default_factory=list)

    def merge(self, other: ValidationReport) -> None:
        self.conforms = self.conforms and other.conforms
        self.errors.extend(other.errors)
        self.violations.extend(other.violations)
        self.warnings.extend(other.warnings)
        self.report_turtle = "\n".join(t for t in (self.report_turtle, other.report_turtle) if t)
        self.graphs.extend(other.graphs)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the REST API (the SHACL report graph is left to :meth:`to_turtle`)."""
        return {
            "conforms": self.conforms,
            "graphs": list(self.graphs),
            "errors": [e.as_dict() for e in sorted(self.errors)],
            "violations": [vars(v) | {"message": v.message} for v in self.violations],
            "warnings": list(self.warnings),
        }

    def text(self) -> str:
        """One line per problem: template errors and located violations first, then the others."""
        if self.conforms and not self.errors:
            lines = ["valid: no template error, no SHACL violation"]
        else:
            lines = [f"invalid: {len(self.errors)} error(s)"]
            lines += [str(e) for e in sorted(self.errors)]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_turtle(self) -> str:
        """The SHACL validation report graph(s) as Turtle (empty when SHACL did not run)."""
        return self.report_turtle


def to_rdflib(triples: Iterable[Triple]) -> rdflib.Graph:
    """An rdflib graph holding the same triples (terms converted one by one, nothing parsed from text)."""
    graph = rdflib.Graph()
    add = graph.add
    for t in triples:
        add((_term(t.subject), _term(t.predicate), _term(t.object)))
    return graph


def _term(term: object) -> rdflib.term.Node:
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term of a triple: {term!r}")


_shapes_cache: dict[tuple[tuple[str, float], ...], rdflib.Graph] = {}


def load_shapes(shapes_dir: Path) -> rdflib.Graph:
    """Every ``*.ttl`` of ``shapes_dir`` in one graph (cached until a file changes)."""
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise ShapesError(f"no SHACL shapes (*.ttl) in {shapes_dir}")
    key = tuple((str(f), f.stat().st_mtime) for f in files)
    cached = _shapes_cache.get(key)
    if cached is not None:
        return cached
    graph = rdflib.Graph()
    for file in files:
        try:
            graph.parse(file, format="turtle")
        except Exception as exc:  # rdflib raises its own BadSyntax and several others
            raise ShapesError(f"cannot parse the shapes file {file}: {exc}") from exc
    _shapes_cache.clear()
    _shapes_cache[key] = graph
    return graph


def relevant_reference(data: list[Triple], reference: Iterable[Triple]) -> list[Triple]:
    """The reference triples about the things the data points to.

    Every shape looks one hop into the reference data (the ``skos:inScheme`` of a concept, the ``bm:nutsLevel`` of
    a region), so the rest of the vocabularies and of NUTS is left out: it cannot change the outcome, and
    validating 60 rows stays well under a second instead of dragging 10,000 NUTS triples through pyshacl.
    """
    targets = {t.object for t in data if isinstance(t.object, NamedNode)}
    return [t for t in reference if t.subject in targets]


def validate_graph(
    data: list[Triple],
    reference: list[Triple],
    shapes_dir: Path,
    *,
    locator: RowLocator | None = None,
) -> ValidationReport:
    """Validate a wave graph (``data``) with the reference graphs it points into against ``shapes_dir``."""
    from pyshacl import validate
    from pyshacl.errors import ReportableRuntimeError

    shapes = load_shapes(shapes_dir)
    graph = to_rdflib([*data, *relevant_reference(data, reference)])
    try:
        conforms, results, _ = validate(
            graph,
            shacl_graph=shapes,
            inference="none",
            abort_on_first=False,
            allow_warnings=True,
            do_owl_imports=False,
            advanced=False,
        )
    except ReportableRuntimeError as exc:  # a shape pyshacl cannot load or run: the deployment's fault, said plainly
        raise ShapesError(f"the shapes in {shapes_dir} cannot be used: {exc}") from exc
    if not isinstance(results, rdflib.Graph):  # pyshacl's verdict on the shapes themselves, e.g. a bad constraint
        raise ShapesError(f"the shapes in {shapes_dir} cannot be used: {results}")
    violations = _violations(results)
    users: dict[str, list[tuple[str, str]]] = {}  # a value -> the (subject, property) pairs that use it
    for t in data:
        if isinstance(t.object, NamedNode) and isinstance(t.subject, NamedNode):
            users.setdefault(t.object.value, []).append((t.subject.value, t.predicate.value))
    errors = [e for v in violations if v.severity == "Violation" for e in _locate(v, locator, users)]
    return ValidationReport(
        conforms=bool(conforms),
        errors=errors,
        violations=violations,
        report_turtle=results.serialize(format="turtle"),
    )


def _violations(results: rdflib.Graph) -> list[Violation]:
    """The top-level results of a report graph; a result that only says "see details" takes its details' words.

    pyshacl types the nested ``sh:detail`` results as ``sh:ValidationResult`` too: they are about the reference
    node (the concept, the region), not about the survey data, so they are folded into their parent.
    """
    out: set[Violation] = set()
    for report in results.subjects(RDFNS.type, SHNS.ValidationReport):
        for result in results.objects(report, SHNS.result):
            messages = sorted(str(m) for m in results.objects(result, SHNS.resultMessage))
            details = sorted(
                str(m)
                for detail in results.objects(result, SHNS.detail)
                for m in results.objects(detail, SHNS.resultMessage)
            )
            focus = results.value(result, SHNS.focusNode)
            path = results.value(result, SHNS.resultPath)
            if isinstance(path, rdflib.BNode):  # a sequence path (bm:stage skos:inScheme): its data property
                path = results.value(path, RDFNS.first)
            value = results.value(result, SHNS.value)
            severity = results.value(result, SHNS.resultSeverity)
            shape = results.value(result, SHNS.sourceShape)
            out.add(
                Violation(
                    focus=str(focus),
                    path=str(path) if isinstance(path, rdflib.URIRef) else None,
                    value=str(value) if value is not None else None,
                    message="; ".join(details or messages) or "violates a shape",
                    severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                    shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
                )
            )
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))


def _locate(
    violation: Violation, locator: RowLocator | None, users: dict[str, list[tuple[str, str]]]
) -> list[RowError]:
    """The cells a violation is about: its focus node's, or, for a bad value (a concept, a region), every cell
    that uses the value; the whole file when no cell explains it."""
    reason = f"SHACL: {violation.message}"
    if locator is not None:
        place = locator.locate(violation.focus, violation.path)
        if place is not None:
            return [RowError(place[0], place[1], violation.value or "", reason)]
        places = sorted(
            {p for subject, predicate in users.get(violation.focus, []) if (p := locator.locate(subject, predicate))}
        )
        if places:
            return [RowError(row, column, violation.focus, reason) for row, column in places]
    where = f"<{violation.focus}>" + (f" <{violation.path}>" if violation.path else "")
    return [RowError(FILE_ROW, "", violation.value or "", f"{reason} (at {where})")]
