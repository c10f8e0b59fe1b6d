"""Running SPARQL for the public endpoint: the dataset it may see, the operations it refuses.

Two rules hold whatever the request says:

* nothing makes the server fetch anything: ``SERVICE`` and ``LOAD`` are refused before the engine sees the
  text (pyoxigraph would open HTTP connections for both), and every ``FROM``/``FROM NAMED`` clause or
  ``default-graph-uri``/``named-graph-uri`` parameter of a query must name a public graph already in the store
  (the engine would not fetch it either, but a clear refusal beats an empty answer for a misspelt name);
* a public query sees public graphs only: the dataset handed to the engine is always explicit, so neither
  ``FROM``/``FROM NAMED`` nor ``GRAPH ?g`` can reach a restricted or staging graph.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import NamedNode

from vcgraph.config import Settings
from vcgraph.service.dataset import public_dataset, public_graphs
from vcgraph.sparql.formats import AnswerLimitExceeded, serialize_outcome
from vcgraph.sparql.text import (
    UsingConflict,
    add_using_clauses,
    dataset_clauses,
    forbidden_operations,
    has_dataset_keyword,
    line_column,
)
from vcgraph.store.port import Dataset, QueryOutcome, Store

MAX_ANSWER_BYTES = 128 * 1024 * 1024
"""A public answer is built in memory before it is sent (so an evaluation error is a clean 400, not a cut
stream): this bounds the memory one query may take."""

ANSWER_SECONDS = 60.0
"""How long a public answer may take to produce (checked as it is written; see ``serialize_outcome``)."""


class SparqlRefused(Exception):
    """The user's query or update cannot be run (refused operation, unknown graph, evaluation error): HTTP 400."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _graph_iri(value: str, parameter: str) -> NamedNode:
    try:
        return NamedNode(value)
    except ValueError:
        raise SparqlRefused(f"{parameter} {value!r} is not an absolute IRI") from None


def _refuse_fetching(text: str, allowed_graphs: frozenset[str] | None) -> None:
    forbidden = forbidden_operations(text, allowed_graphs=allowed_graphs)
    if forbidden:
        first = forbidden[0]
        line, column = line_column(text, first.offset)
        raise SparqlRefused(f"refused at {line}:{column}: {first.reason}")


def query_dataset(
    store: Store,
    settings: Settings,
    query: str,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
) -> Dataset:
    """The dataset a public query runs against, checked against the store's public graphs.

    The protocol's ``default-graph-uri``/``named-graph-uri`` win over the query's ``FROM``/``FROM NAMED``
    (SPARQL 1.1 Protocol 2.1.4), which win over the deployment's public dataset.
    """
    public = public_graphs(store, settings)
    public_names = frozenset(graph.value for graph in public)
    _refuse_fetching(query, public_names)
    if default_graph_uris or named_graph_uris:
        for parameter, values in (("default-graph-uri", default_graph_uris), ("named-graph-uri", named_graph_uris)):
            for value in values:
                if value not in public_names:
                    raise SparqlRefused(
                        f"{parameter} <{value}> names no public graph of this store; the server never fetches graphs"
                    )
        return Dataset(
            default_graphs=[NamedNode(value) for value in default_graph_uris],
            named_graphs=[NamedNode(value) for value in named_graph_uris],
        )
    clauses = dataset_clauses(query)
    if clauses:
        # Every IRI was checked by _refuse_fetching; an unresolved one was refused there.
        return Dataset(
            default_graphs=[NamedNode(c.iri) for c in clauses if not c.named and c.iri],
            named_graphs=[NamedNode(c.iri) for c in clauses if c.named and c.iri],
        )
    return public_dataset(store, settings)


def run_query(
    store: Store,
    settings: Settings,
    query: str,
    *,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
) -> QueryOutcome:
    """Prepare a public query. Raises ``SyntaxError`` (malformed, with line:column) or :class:`SparqlRefused`.

    pyoxigraph evaluates lazily: write the answer with :func:`answer`, which reports evaluation errors the same way.
    """
    dataset = query_dataset(store, settings, query, default_graph_uris, named_graph_uris)
    try:
        return store.query(query, dataset=dataset)
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
    _refuse_fetching(update, None)
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
        store.update(update, base_iri=base_iri)
    except RuntimeError as exc:
        raise SparqlRefused(f"the update cannot be executed: {exc}") from exc
