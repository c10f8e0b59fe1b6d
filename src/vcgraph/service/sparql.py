"""Running SPARQL for the public endpoint: the dataset it may see, the operations it refuses.

Two rules hold whatever the request says:

* nothing makes the server fetch anything: ``SERVICE`` and ``LOAD`` are refused before the engine sees the
  text (pyoxigraph would open HTTP connections for both). ``FROM``/``FROM NAMED`` clauses and
  ``default-graph-uri``/``named-graph-uri`` parameters are read from the store and never fetched: a graph the
  store does not hold is served as an empty graph (the SPARQL 1.1 Protocol leaves the choice to the service;
  this is what the W3C protocol tests expect);
* a public query sees public graphs only: the dataset handed to the engine is always explicit, so neither
  ``FROM``/``FROM NAMED`` nor ``GRAPH ?g`` can reach a restricted or staging graph, and naming one explicitly
  is refused with :class:`SparqlForbidden` (HTTP 403), whether or not the store holds it.

Queries and updates go through :func:`vcgraph.sparql.text.sparql11_group_concat` before execution, a
conformance shim for pyoxigraph 0.5.13 (GROUP_CONCAT returns a simple literal, as SPARQL 1.1 says).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from pyoxigraph import NamedNode
from pyoxigraph import Store as MemoryStore

from vcgraph.config import Settings
from vcgraph.namespaces import Minter
from vcgraph.service.dataset import public_dataset
from vcgraph.sparql.formats import AnswerLimitExceeded, serialize_outcome
from vcgraph.sparql.text import (
    DatasetClause,
    UsingConflict,
    add_using_clauses,
    dataset_clauses,
    forbidden_operations,
    has_dataset_keyword,
    line_column,
    sparql11_group_concat,
    too_deep_nesting,
)
from vcgraph.store.port import Dataset, QueryOutcome, Store

MAX_ANSWER_BYTES = 128 * 1024 * 1024
"""A public answer is built in memory before it is sent (so an evaluation error is a clean 400, not a cut
stream): this bounds the memory one query may take."""

ANSWER_SECONDS = 60.0
"""How long a public answer may take to produce (checked as it is written; see ``serialize_outcome``)."""

MAX_NESTING = 64
"""Brackets (``{``, ``(``, ``[``) a query or update may nest. Hand-written SPARQL stays far below; the engine's
parser overflows its stack (and kills the process) at a few thousand."""


class SparqlRefused(Exception):
    """The user's query or update cannot be run (refused operation, malformed graph name, evaluation error):
    HTTP 400."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SparqlTooLarge(SparqlRefused):
    """The query text is longer than the deployment accepts (``max_query_bytes``): HTTP 413."""


class SparqlForbidden(SparqlRefused):
    """The query names a restricted or staging graph: HTTP 403. The request is well formed, but that graph is
    never readable here; the answer is the same whether or not the store holds the graph, so it tells nothing
    about which restricted graphs exist."""


def _graph_iri(value: str, parameter: str) -> NamedNode:
    try:
        return NamedNode(value)
    except ValueError:
        raise SparqlRefused(f"{parameter} {value!r} is not an absolute IRI") from None


def _refuse_fetching(text: str) -> None:
    # Checked first, and on the text as sent: every later step (lexer, parser) must only see texts it survives.
    too_deep = too_deep_nesting(text, MAX_NESTING)
    if too_deep is not None:
        line, column = line_column(text, too_deep)
        raise SparqlRefused(f"refused at {line}:{column}: brackets nested more than {MAX_NESTING} deep")
    forbidden = forbidden_operations(text)
    if forbidden:
        first = forbidden[0]
        line, column = line_column(text, first.offset)
        raise SparqlRefused(f"refused at {line}:{column}: {first.reason}")


@lru_cache(maxsize=16)
def _checked(query: str, base_iri: str | None) -> tuple[str, tuple[DatasetClause, ...]]:
    """The text the engine evaluates and the text's dataset clauses, after the checks that depend on the text alone.

    Done once per text (and base): a public endpoint gets the same few texts again and again (its editor's
    examples, dashboards, harvesters), and these checks took a fifth of the server's own time per request on the
    endpoints benchmark's queries. A refused text raises each time (exceptions are not kept)."""
    _refuse_fetching(query)
    return sparql11_group_concat(query), tuple(dataset_clauses(query, base_iri))


def _public_graph_iri(value: str, where: str, minter: Minter) -> NamedNode:
    """``value`` as a graph a public query may name (held by the store or not), or why it may not."""
    graph = _graph_iri(value, where)
    if not minter.is_public_graph(graph.value):
        raise SparqlForbidden(f"{where} <{value}> is a restricted or staging graph, never readable here")
    return graph


def query_dataset(
    store: Store,
    settings: Settings,
    query: str,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    base_iri: str | None = None,
) -> Dataset:
    """The dataset a public query runs against (``base_iri`` resolves relative ``FROM`` IRIs, as the engine does).

    The protocol's ``default-graph-uri``/``named-graph-uri`` win over the query's ``FROM``/``FROM NAMED``
    (SPARQL 1.1 Protocol 2.1.4), which win over the deployment's public dataset. Graphs the store does not hold
    are empty graphs. Every graph named either way is checked, even the clauses the parameters override:
    naming a restricted graph is refused whatever wins.
    """
    _, clauses = _checked(query, base_iri)
    minter = Minter(settings.base_iri)
    clause_graphs: list[tuple[bool, NamedNode]] = []
    for clause in clauses:
        line, column = line_column(query, clause.offset)
        where = f"{clause.keyword}{' NAMED' if clause.named else ''} at {line}:{column}"
        if clause.iri is None:
            raise SparqlRefused(f"{where}: {clause.text} cannot be resolved to an absolute IRI (prefix? BASE?)")
        clause_graphs.append((clause.named, _public_graph_iri(clause.iri, where, minter)))
    defaults = [_public_graph_iri(value, "default-graph-uri", minter) for value in default_graph_uris]
    named = [_public_graph_iri(value, "named-graph-uri", minter) for value in named_graph_uris]
    if defaults or named:
        return Dataset(default_graphs=list(defaults), named_graphs=named)
    if clause_graphs:
        return Dataset(
            default_graphs=[graph for is_named, graph in clause_graphs if not is_named],
            named_graphs=[graph for is_named, graph in clause_graphs if is_named],
        )
    return public_dataset(store, settings)


def _original_syntax_error(text: str, *, update: bool, base_iri: str | None = None) -> SyntaxError | None:
    """The parser's error for the text as the user wrote it, so that its line:column point into that text and
    not into the shim's rewrite. Parsed on a throwaway in-memory store: nothing of the user's store is read or
    written, and SERVICE/LOAD were refused before."""
    try:
        if update:
            MemoryStore().update(text, base_iri=base_iri)
        else:
            MemoryStore().query(text, base_iri=base_iri)
    except SyntaxError as exc:
        return exc
    except (RuntimeError, OSError, ValueError):
        return None
    return None


def run_query(
    store: Store,
    settings: Settings,
    query: str,
    *,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    base_iri: str | None = None,
) -> QueryOutcome:
    """Prepare a public query. Raises ``SyntaxError`` (malformed, with line:column), :class:`SparqlTooLarge` (a
    text longer than ``settings.max_query_bytes``) or :class:`SparqlRefused`.

    ``base_iri`` resolves relative IRIs of a query without ``BASE``; the protocol passes the endpoint's URL, the
    URL the query was retrieved from (SPARQL 1.1 Query 4.1.1.1, RFC 3986 5.1.3).

    pyoxigraph evaluates lazily: write the answer with :func:`answer`, which reports evaluation errors the same way.
    """
    size = len(query.encode("utf-8"))
    if size > settings.max_query_bytes:
        raise SparqlTooLarge(
            f"the query is {size} bytes long; this endpoint accepts at most {settings.max_query_bytes}"
        )
    dataset = query_dataset(store, settings, query, default_graph_uris, named_graph_uris, base_iri)
    engine_text, _ = _checked(query, base_iri)
    try:
        return store.query(engine_text, dataset=dataset, base_iri=base_iri)
    except SyntaxError as exc:
        raise (_original_syntax_error(query, update=False, base_iri=base_iri) or exc) from None
    except RuntimeError as exc:  # pyoxigraph's evaluation errors (e.g. an unsupported function); OSError = ours
        raise SparqlRefused(f"the query cannot be evaluated: {exc}") from exc


def answer(
    outcome: QueryOutcome,
    media_type: str,
    *,
    max_bytes: int | None = MAX_ANSWER_BYTES,
    seconds: float | None = ANSWER_SECONDS,
) -> bytes:
    """The answer written in ``media_type`` (one of :func:`vcgraph.sparql.formats.offered_types`), refused
    with :class:`SparqlRefused` when evaluation fails or the answer passes the endpoint's limits."""
    try:
        return serialize_outcome(outcome, media_type, max_bytes=max_bytes, seconds=seconds)
    except AnswerLimitExceeded as exc:
        raise SparqlRefused(f"{exc}: narrow the query or page through it with LIMIT and OFFSET") from exc
    except RuntimeError as exc:
        raise SparqlRefused(f"the query cannot be evaluated: {exc}") from exc


def run_update(
    store: Store,
    update: str,
    *,
    using_graph_uris: Sequence[str] = (),
    using_named_graph_uris: Sequence[str] = (),
    base_iri: str | None = None,
) -> None:
    """Execute an update (callers check the admin's credentials first).

    Raises ``SyntaxError`` on a malformed update and :class:`SparqlRefused` for LOAD and SERVICE, for
    using-graph-uri parameters that are not IRIs, and for USING/WITH clauses clashing with those parameters.
    USING IRIs are not required to exist beforehand, unlike FROM in public queries: an update may create
    the graph in an earlier operation of the same request, and the engine reads USING graphs from the store
    only (it never fetches them). ``base_iri`` resolves relative IRIs (the protocol uses the endpoint's URL).
    """
    _refuse_fetching(update)
    if using_graph_uris or using_named_graph_uris:
        for parameter, values in (
            ("using-graph-uri", using_graph_uris),
            ("using-named-graph-uri", using_named_graph_uris),
        ):
            for value in values:
                _graph_iri(value, parameter)
        if dataset_clauses(update) or has_dataset_keyword(update, "WITH"):
            raise SparqlRefused(
                "using-graph-uri/using-named-graph-uri cannot be combined with USING, USING NAMED or WITH "
                "in the update (SPARQL 1.1 Protocol 2.2.3)"
            )
        clauses = " ".join(
            [f"USING {NamedNode(value)}" for value in using_graph_uris]
            + [f"USING NAMED {NamedNode(value)}" for value in using_named_graph_uris]
        )
        try:
            update = add_using_clauses(update, clauses)
        except UsingConflict as exc:
            raise SparqlRefused(str(exc)) from exc
    try:
        store.update(sparql11_group_concat(update), base_iri=base_iri)
    except SyntaxError as exc:
        raise (_original_syntax_error(update, update=True, base_iri=base_iri) or exc) from None
    except RuntimeError as exc:
        raise SparqlRefused(f"the update cannot be executed: {exc}") from exc
