"""SHACL validation of a wave graph, and a report a survey owner can act on.

The engine is pyshacl-turbo (a Rust SHACL Core + SPARQL engine with pySHACL's API and report graph): pyshacl took
~140 s per 1,000 survey rows, far from the issue-4 budget of 20 s for 10,000. The shapes are compiled once per
shapes directory (until a file changes), and the wave is validated in slices (see :func:`slices`) on a few
threads: the engine releases the GIL, so two slices use the machine's two cores.

Nothing is fetched: the data and reference triples come in as pyoxigraph triples and reach the engine as N-Quads
text wrapped in the engine's own input object (never a bare string, which the engine would take for a path or a
URL; see :func:`_validate_piece`), the shapes are parsed from local files,
and ``owl:imports`` are not followed. Each violation is mapped back to the row and column of the survey it came
from when a :class:`RowLocator` is given (statement IRIs carry the response id and the stage or technology code),
so SHACL problems read like template problems.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyshacl_turbo
import rdflib
from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, serialize
from rdflib.namespace import RDF as RDFNS
from rdflib.namespace import RDFS as RDFSNS
from rdflib.namespace import SH as SHNS

from vcgraph.survey.errors import FILE_ROW, RowError

# About 500 survey rows per slice: big enough that the engine's fixed cost per call is small, small enough that
# two slices in flight keep memory low and the engine's slightly superlinear cost in graph size stays flat.
SLICE_TRIPLES = 40_000
RDF_TYPE = NamedNode(str(RDFNS.type))
SUBCLASS_OF = NamedNode(str(RDFSNS.subClassOf))


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


@dataclass(frozen=True)
class CompiledShapes:
    """The shapes of a directory: their graph, the engine's compiled program, and how a wave may be sliced."""

    graph: rdflib.Graph
    program: pyshacl_turbo.CompiledShapes
    # Classes whose instances are focus nodes of whole-graph (SPARQL) constraints: put in every slice.
    global_classes: frozenset[NamedNode]
    # False when a shape reads other nodes' triples in ways slices cannot provide: validate in one piece then.
    sliceable: bool


_shapes_cache: dict[tuple[tuple[str, float], ...], CompiledShapes] = {}


def load_shapes(shapes_dir: Path) -> rdflib.Graph:
    """Every ``*.ttl`` of ``shapes_dir`` in one graph (cached until a file changes)."""
    return compile_shapes(shapes_dir).graph


def compile_shapes(shapes_dir: Path) -> CompiledShapes:
    """The shapes of ``shapes_dir`` parsed and compiled once (cached until a file changes)."""
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
    try:
        program = pyshacl_turbo.compile_shapes(graph, advanced=False)
    except (ValueError, pyshacl_turbo.ReportableRuntimeError) as exc:  # e.g. sh:minCount "many"
        raise ShapesError(f"the shapes in {shapes_dir} cannot be used: {exc}") from exc
    global_classes, sliceable = _slicing_plan(graph)
    compiled = CompiledShapes(graph, program, global_classes, sliceable)
    _shapes_cache.clear()
    _shapes_cache[key] = compiled
    return compiled


def _slicing_plan(shapes: rdflib.Graph) -> tuple[frozenset[NamedNode], bool]:
    """Which classes' instances every slice needs, and whether slicing is sound for these shapes at all.

    Slicing is sound for constraints that read a focus node's own triples and, through forward paths, the nodes
    they lead to (the slices hold those, see :func:`slices`). Two SHACL features read further: an inverse path
    (triples *to* the node, which may sit in another slice), and a SPARQL constraint, whose query may read the
    whole graph. A SPARQL constraint on a shape targeting classes is kept sound by putting the instances of those
    classes in every slice, so the query runs over every slice and its solutions are the union of theirs (the
    wave's personal-data check: one solution per offending triple). A query joining triples of different nodes
    would not decompose that way: such shapes must not be added without revisiting this. Anything else (inverse
    paths, SPARQL constraints reached otherwise than by a class target) validates the wave in one piece.
    """
    if next(iter(shapes.triples((None, SHNS.inversePath, None))), None) is not None:
        return frozenset(), False
    classes: set[NamedNode] = set()
    for shape in set(shapes.subjects(SHNS.sparql, None)):
        targets = list(shapes.objects(shape, SHNS.targetClass))
        other_targets = any(
            shapes.value(shape, target) is not None
            for target in (SHNS.targetNode, SHNS.targetSubjectsOf, SHNS.targetObjectsOf)
        )
        implicit_target = (shape, RDFNS.type, RDFSNS.Class) in shapes
        if not targets or other_targets or implicit_target or not all(isinstance(t, rdflib.URIRef) for t in targets):
            return frozenset(), False
        classes.update(NamedNode(str(t)) for t in targets)
    return frozenset(classes), True


def relevant_reference(data: list[Triple], reference: Iterable[Triple]) -> list[Triple]:
    """The reference triples about the things the data points to.

    Every shape looks one hop into the reference data (the ``skos:inScheme`` of a concept, the ``bm:nutsLevel`` of
    a region), so the rest of the vocabularies and of NUTS is left out: it cannot change the outcome, and
    validating 60 rows stays well under a second instead of dragging 10,000 NUTS triples through the engine.
    """
    targets = {value for t in data if isinstance(value := t.object, NamedNode)}
    return [t for t in reference if t.subject in targets]


Node = NamedNode | BlankNode


def slices(
    triples: list[Triple], global_classes: frozenset[NamedNode], size: int = SLICE_TRIPLES
) -> Iterator[list[Triple]]:
    """Cut a graph into slices of about ``size`` triples that validate exactly like the whole graph.

    Every subject is the "own" node of one slice, taken in the graph's order (the mapping writes a row's nodes
    together, so a slice is a run of rows). A slice holds every triple of its own nodes and, transitively, every
    triple of every node they point to (the row's actor, site, response, the wave, the clusters, the concepts),
    and of every instance of ``global_classes``. So each node a slice validates is there with all its triples and
    all it leads to: its verdict is the one the whole graph gives, and every node is validated in some slice.
    A node validated in several slices gives the same results each time; :func:`validate_graph` merges them.
    """
    # One pass over the triples (reading a pyoxigraph term builds a Python object: each read counts at 800k).
    descriptions: dict[Node, list[Triple]] = {}
    links: dict[Node, list[Node]] = {}  # a node -> the nodes its triples point to
    typed: list[tuple[Node, Node]] = []  # (instance, class) of every rdf:type
    subclasses: list[tuple[Node, Node]] = []
    for triple in triples:
        subject, predicate, value = triple.subject, triple.predicate, triple.object
        if not isinstance(subject, NamedNode | BlankNode):  # a quoted triple: nothing the ingest writes
            raise ValueError(f"cannot slice a graph with a triple term as subject: {triple}")
        if subject in descriptions:
            descriptions[subject].append(triple)
        else:
            descriptions[subject] = [triple]
            links[subject] = []
        if isinstance(value, NamedNode | BlankNode):
            links[subject].append(value)
            if predicate == RDF_TYPE:
                typed.append((subject, value))
            elif predicate == SUBCLASS_OF:
                subclasses.append((subject, value))
    classes: set[Node] = set(global_classes)
    while True:  # the instances of subclasses are targeted too (sh:targetClass follows rdfs:subClassOf)
        more = {sub for sub, sup in subclasses if sup in classes} - classes
        if not more:
            break
        classes |= more
    shared: list[Node] = [instance for instance, cls in typed if cls in classes]

    def closure(own: list[Node]) -> list[Triple]:
        included: set[Node] = set()
        pending: list[Node] = [*own, *shared]
        out: list[Triple] = []
        while pending:
            node = pending.pop()
            if node in included:
                continue
            included.add(node)
            out.extend(descriptions[node])
            pending.extend(linked for linked in links[node] if linked in descriptions and linked not in included)
        return out

    own: list[Node] = []
    count = 0
    for subject, description in descriptions.items():
        own.append(subject)
        count += len(description)
        if count >= size:
            yield closure(own)
            own, count = [], 0
    if own:
        yield closure(own)


def validate_graph(
    data: list[Triple],
    reference: list[Triple],
    shapes_dir: Path,
    *,
    locator: RowLocator | None = None,
    workers: int | None = None,
    slice_triples: int = SLICE_TRIPLES,
) -> ValidationReport:
    """Validate a wave graph (``data``) with the reference graphs it points into against ``shapes_dir``.

    The graph is validated in slices of about ``slice_triples`` triples, ``workers`` at a time (default: one per
    core, at most 4); the report is the one the whole graph would give.
    """
    shapes = compile_shapes(shapes_dir)
    graph = [*data, *relevant_reference(data, reference)]
    pieces: Iterable[list[Triple]] = (
        slices(graph, shapes.global_classes, slice_triples) if shapes.sliceable else [graph]
    )
    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda piece: _validate_piece(shapes, piece, shapes_dir), pieces))
    conforms = all(conforming for conforming, _ in outcomes)
    report = _merge_reports([results for _, results in outcomes], conforms)
    violations = _violations(report)
    errors: list[RowError] = []
    if violations:
        users: dict[str, list[tuple[str, str]]] = {}  # a value -> the (subject, property) pairs that use it
        for t in data:
            if isinstance(t.object, NamedNode) and isinstance(t.subject, NamedNode):
                users.setdefault(t.object.value, []).append((t.subject.value, t.predicate.value))
        errors = [e for v in violations if v.severity == "Violation" for e in _locate(v, locator, users)]
    return ValidationReport(
        conforms=conforms,
        errors=errors,
        violations=violations,
        report_turtle=report.serialize(format="turtle"),
    )


def _validate_piece(shapes: CompiledShapes, triples: list[Triple], shapes_dir: Path) -> tuple[bool, rdflib.Graph]:
    """One engine run over ``triples``, handed over as the N-Quads text the engine parses natively.

    That text is what pyshacl-turbo itself makes of a pyoxigraph ``Store`` (its ``validate`` dumps the store into
    an ``Input`` of format ``oxigraph-nquads``); building it from the triples directly skips loading a store per
    slice and dumping it again, ~20 % of a slice's CPU. Plain text or bytes would go through rdflib instead (4x
    slower). The engine is pinned (pyproject.toml), and the validation tests would fail on a change of this form.
    """
    text = (serialize(triples, format=RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    data = pyshacl_turbo.Input(text, "oxigraph-nquads", None, {}, preserve_ids=True)
    try:
        conforms, results, _ = shapes.program.validate(data, inference="none", allow_warnings=True)
    except (pyshacl_turbo.ValidationFailure, pyshacl_turbo.ReportableRuntimeError) as exc:
        # A shape the engine cannot run: the deployment's fault, said plainly.
        raise ShapesError(f"the shapes in {shapes_dir} cannot be used: {exc}") from exc
    if not isinstance(results, rdflib.Graph):
        raise ShapesError(f"the shapes in {shapes_dir} cannot be used: {results}")
    return bool(conforms), results


def _merge_reports(reports: list[rdflib.Graph], conforms: bool) -> rdflib.Graph:
    """One SHACL validation report holding the results of every slice's report, each result once.

    A node in several slices is reported by each of them with the same words: results are told apart by what
    they say (focus, path, value, message, severity, shape, constraint component), so a result the engine gives
    twice (a property shape shared by two node shapes that target the same node) is kept once too.
    """
    if len(reports) == 1:
        return reports[0]
    merged = rdflib.Graph()
    for report in reports:
        for prefix, namespace in report.namespaces():
            merged.bind(prefix, namespace, override=False)
    node = rdflib.BNode()
    merged.add((node, RDFNS.type, SHNS.ValidationReport))
    merged.add((node, SHNS.conforms, rdflib.Literal(conforms)))
    seen: set[tuple[Violation, rdflib.term.Node | None]] = set()
    for report in reports:
        for parent in report.subjects(RDFNS.type, SHNS.ValidationReport):
            for result in report.objects(parent, SHNS.result):
                key = (_violation(report, result), report.value(result, SHNS.sourceConstraintComponent))
                if key in seen:
                    continue
                seen.add(key)
                merged.add((node, SHNS.result, result))
                _copy_description(report, result, merged)
    return merged


def _copy_description(source: rdflib.Graph, node: rdflib.term.Node, target: rdflib.Graph) -> None:
    """The triples of ``node`` and, recursively, of the blank nodes they lead to (a result, its details, paths)."""
    pending = [node]
    done: set[rdflib.term.Node] = set()
    while pending:
        current = pending.pop()
        if current in done:
            continue
        done.add(current)
        for _, predicate, value in source.triples((current, None, None)):
            target.add((current, predicate, value))
            if isinstance(value, rdflib.BNode):
                pending.append(value)


def _violations(results: rdflib.Graph) -> list[Violation]:
    """The top-level results of a report graph, each once, sorted by focus node."""
    out = {
        _violation(results, result)
        for report in results.subjects(RDFNS.type, SHNS.ValidationReport)
        for result in results.objects(report, SHNS.result)
    }
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))


def _violation(results: rdflib.Graph, result: rdflib.term.Node) -> Violation:
    """One result; a result that only says "see details" takes its details' words.

    The engine types the nested ``sh:detail`` results as ``sh:ValidationResult`` too: they are about the
    reference node (the concept, the region), not about the survey data, so they are folded into their parent.
    """
    messages = sorted(str(m) for m in results.objects(result, SHNS.resultMessage))
    details = sorted(
        str(m) for detail in results.objects(result, SHNS.detail) for m in results.objects(detail, SHNS.resultMessage)
    )
    focus = results.value(result, SHNS.focusNode)
    path = results.value(result, SHNS.resultPath)
    if isinstance(path, rdflib.BNode):  # a sequence path (bm:stage skos:inScheme): its data property
        path = results.value(path, RDFNS.first)
    value = results.value(result, SHNS.value)
    severity = results.value(result, SHNS.resultSeverity)
    shape = results.value(result, SHNS.sourceShape)
    return Violation(
        focus=str(focus),
        path=str(path) if isinstance(path, rdflib.URIRef) else None,
        value=str(value) if value is not None else None,
        message="; ".join(details or messages) or "violates a shape",
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
    )


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
