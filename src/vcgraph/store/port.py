"""The Store port: what every layer above the store may ask of it, whatever engine sits behind.

Terms and results use pyoxigraph's RDF model (``NamedNode``, ``Literal``, ``QuerySolutions``...), as Oxigraph's
own model crate is used by its parsers and engine: it is a model, not a binding to the embedded engine. A remote
adapter parses the remote answers into the same classes (``pyoxigraph.parse_query_results``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)

Term = NamedNode | BlankNode | Literal
QueryOutcome = QuerySolutions | QueryBoolean | QueryTriples
GraphName = NamedNode | DefaultGraph


class StoreError(Exception):
    """The store could not do what was asked (locked, unreachable, corrupt): our failure, not the user's."""


class QueryTimeout(StoreError):
    """The query was still running at the deployment's deadline and was stopped (HTTP 503 with Retry-After)."""


class QueryAborted(StoreError):
    """The engine died while evaluating the query (e.g. its parser overflowed its stack); the process that ran
    it was replaced, the server stays up (HTTP 503)."""


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs against.

    ``default_graphs`` None means the store's own default graph; ``named_graphs`` None means every named graph.
    Both override FROM / FROM NAMED in the query text, as the SPARQL protocol's default-graph-uri does.
    """

    default_graphs: Sequence[GraphName] | None = None
    named_graphs: Sequence[NamedNode] | None = None
    union_default_graph: bool = False


@runtime_checkable
class Store(Protocol):
    """A quad store that speaks SPARQL 1.1. Adapters: :mod:`vcgraph.store.oxigraph` (embedded, default)."""

    # Whether the pieces of one query may be sent to the store at once and be answered as they are one by one: the
    # service then runs the independent branches of a question's query side by side, otherwise one after the other
    # (vcgraph.questions.service.execute_table). True where vcgraph's own pyoxigraph evaluates them.
    concurrent_branches: bool

    def query(
        self, query: str, *, dataset: Dataset | None = None, base_iri: str | None = None
    ) -> QueryOutcome:
        """Evaluate a SPARQL 1.1 query. Raises ``SyntaxError`` (with position) on a malformed query."""
        ...

    def query_in_turn(self, queries: Sequence[str], *, dataset: Dataset | None = None) -> Iterator[QueryOutcome]:
        """Evaluate ``queries`` one after the other, each outcome yielded in order: the store evaluates a query only
        once it has answered the one before. Read each outcome before asking for the next (an adapter may free or
        reuse it). An adapter may ask for the next query while the caller reads an answer (the remote one does)."""
        ...

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Execute a SPARQL 1.1 update, all of it or nothing."""
        ...

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        """Replace the content of each graph with the given triples, all graphs at once.

        Readers see the old content or the new one, never a mix; a crash leaves the old content.
        """
        ...

    def load(self, source: Path | bytes, format: RdfFormat, graph: GraphName | None = None) -> None:
        """Add the triples/quads of a file (for triple formats, into ``graph``) in one transaction."""
        ...

    def dump(self, format: RdfFormat, graph: GraphName | None = None) -> bytes:
        """Serialise one graph (triple formats) or the whole dataset (quad formats)."""
        ...

    def quads(self, graph: GraphName | None = None) -> Iterable[Quad]:
        """Every quad, or those of one graph."""
        ...

    def graphs(self) -> list[NamedNode]:
        """Names of the non-empty named graphs, sorted."""
        ...

    def clear_graph(self, graph: GraphName) -> None:
        """Remove a graph and its content; no error if it does not exist."""
        ...

    def generation(self) -> int | None:
        """A number that changes whenever data is written through this adapter, or None when writes by others
        cannot be seen (a remote store). Answers computed at one generation stay true until it changes, which
        is what :mod:`vcgraph.service.cache` relies on; None means "never reuse an answer"."""
        ...

    def close(self) -> None: ...


def open_store(location: str, *, read_only: bool = False) -> Store:
    """The adapter for ``location``: a path is an embedded on-disk store, ``:memory:`` an in-memory one, an
    ``http(s)://`` URL the query endpoint of a remote SPARQL 1.1 store (its update/Graph Store endpoints,
    credentials, timeout and batch size come from ``VCGRAPH_*`` variables, see
    :meth:`vcgraph.store.remote.RemoteSettings.from_environment`).
    """
    if location.startswith(("http://", "https://")):
        from vcgraph.store.remote import RemoteSettings, RemoteStore

        return RemoteStore(RemoteSettings.from_environment(location), read_only=read_only)
    from vcgraph.store.oxigraph import OxigraphStore

    if location == ":memory:":
        return OxigraphStore(None)
    return OxigraphStore(Path(location), read_only=read_only)
