"""Embedded adapter: pyoxigraph's on-disk (RocksDB) store, the default."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    serialize,
)
from pyoxigraph import Store as _OxStore

from vcgraph.store.port import Dataset, GraphName, QueryOutcome, StoreError

STAGING = "urn:vcgraph:staging:"
# Above this many changed quads, an update request's text would cost more than staging and moving the graph.
DIFF_LIMIT = 20_000
# A new graph of at least this many triples is bulk-loaded (hidden until complete, see _load_hidden) rather than
# written in one transaction, which holds every write in memory until it commits: 800k triples (a 10,000-row
# survey) took 46 s and 1.2 GB that way, against 11 s and ~100 MB bulk-loaded in chunks (bench/RESULTS.md, Ingest).
BULK_MIN_TRIPLES = 50_000
# Triples per bulk-load call: pyoxigraph's bulk loader sorts a call's quads in memory before writing them.
BULK_CHUNK = 100_000
# The marker graph: one quad per graph being bulk-loaded, committed before its first triple and removed (in one
# transaction for all the graphs of a replace) after its last. A marked graph is hidden from graphs(), hence from
# every dataset a reader is given; one left by a crash is removed when the store is next opened for writing.
PENDING = NamedNode(STAGING + "pending")
PENDING_LOAD = NamedNode(STAGING + "loading")


def visible_graphs(store: _OxStore) -> list[NamedNode]:
    """The named graphs a reader sees, by IRI: those with content, but the hidden ones.

    pyoxigraph keeps a named graph that an update emptied; the port lists only graphs with content."""
    hidden = hidden_graphs(store)
    names = [g for g in store.named_graphs() if isinstance(g, NamedNode) and g not in hidden]
    non_empty = [g for g in names if next(iter(store.quads_for_pattern(None, None, None, g)), None)]
    return sorted(non_empty, key=lambda g: g.value)


def hidden_graphs(store: _OxStore) -> set[NamedNode]:
    """The graphs no reader may see: staging graphs, the marker graph and the graphs being bulk-loaded."""
    hidden = {q.subject for q in store.quads_for_pattern(None, PENDING_LOAD, None, PENDING)}
    hidden |= {g for g in store.named_graphs() if isinstance(g, NamedNode) and g.value.startswith(STAGING)}
    return {g for g in hidden if isinstance(g, NamedNode)}


def _has_blank_node(quad: Quad) -> bool:
    return isinstance(quad.subject, BlankNode) or isinstance(quad.object, BlankNode)


def _quad_block(quads: list[Quad]) -> str:
    """``GRAPH <g> { s p o . ... }`` blocks in N-Triples syntax (pyoxigraph's ``str()`` of each term)."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    return "".join(f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}\n" for graph, lines in by_graph.items())


class OxigraphStore:
    """The :class:`~vcgraph.store.port.Store` port over ``pyoxigraph.Store``.

    Only one process may open an on-disk store for writing (RocksDB lock); ``read_only=True`` opens a
    second, read-only handle that sees the data as it was when opened.

    :meth:`generation` counts the writes made through this object. It is exact: the one writable handle is
    this process's (RocksDB lock), an in-memory store is this object's alone, and a read-only handle never
    sees later writes. The counter moves *after* each write, success or failure (a failed update may still
    have committed part of nothing we can tell), so an answer computed before the write is never filed under
    the generation that follows it.
    """

    concurrent_branches = True  # pyoxigraph evaluates each query on its own, with the GIL released

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        try:
            if path is None:
                self._store = _OxStore()
            elif read_only:
                self._store = _OxStore.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = _OxStore(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self.path = path
        self._generation = 0
        self._generation_lock = threading.Lock()
        self._listed: tuple[int, list[NamedNode]] | None = None  # graphs() as of a generation
        # replace_graphs and discard_staging one at a time: a replace's clean-up must not remove the staging or
        # half-loaded graphs of another replace running on another thread (the HTTP writes run on a pool).
        self._replace_lock = threading.RLock()
        if not read_only:
            self.discard_staging()  # what a process killed mid-write left behind

    def generation(self) -> int | None:
        return self._generation

    def _wrote(self) -> None:
        with self._generation_lock:
            self._generation += 1

    def query(self, query: str, *, dataset: Dataset | None = None, base_iri: str | None = None) -> QueryOutcome:
        ds = dataset or Dataset()
        return self._store.query(
            query,
            base_iri=base_iri,
            use_default_graph_as_union=ds.union_default_graph and ds.default_graphs is None,
            default_graph=list(ds.default_graphs) if ds.default_graphs is not None else None,
            named_graphs=list(ds.named_graphs) if ds.named_graphs is not None else None,
        )

    def query_in_turn(self, queries: Sequence[str], *, dataset: Dataset | None = None) -> Iterator[QueryOutcome]:
        for query in queries:
            yield self.query(query, dataset=dataset)

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        # Oxigraph runs one update request, whatever number of operations it holds, in one transaction.
        try:
            self._store.update(update, base_iri=base_iri)
        finally:
            self._wrote()

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        with self._replace_lock:
            try:
                if self._loading():  # a failed clean-up left a graph hidden: a replace must not keep it so
                    self.discard_staging()
                self._replace_graphs(graphs)
            finally:
                self._wrote()

    def _loading(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, PENDING_LOAD, None, PENDING)), None) is not None

    def _replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        # Readers (snapshots) and a process killed at any moment see the old content or the new one, never a mix.
        # Every path but the first commits in ONE RocksDB transaction. The cheapest correct path is taken:
        # - nothing to remove and many triples (a new wave): bulk-loaded into the graphs, hidden until complete;
        # - nothing to remove, few triples: a single extend() of the new quads, all graphs together;
        # - a small difference (a corrected file): one update request with DELETE DATA + INSERT DATA of the diff;
        # - otherwise: stage the new content, then DROP + MOVE in one update request (copies every triple: slow).
        # Materialising the new triples first also means a failing producer raises before anything is written.
        if all(self._is_empty(graph) for graph in graphs):
            new_content = {graph: _as_sequence(triples) for graph, triples in graphs.items()}
            if sum(len(triples) for triples in new_content.values()) >= BULK_MIN_TRIPLES:
                self._load_hidden(new_content)
            else:
                self._store.extend(
                    Quad(t.subject, t.predicate, t.object, graph)
                    for graph, triples in new_content.items()
                    for t in triples
                )
            return
        new = {graph: set(triples) for graph, triples in graphs.items()}
        old = {graph: {q.triple for q in self._store.quads_for_pattern(None, None, None, graph)} for graph in new}
        removed = [Quad(t.subject, t.predicate, t.object, g) for g in new for t in old[g] - new[g]]
        added = [Quad(t.subject, t.predicate, t.object, g) for g in new for t in new[g] - old[g]]
        if not removed:
            if added:
                self._store.extend(added)
            return
        if len(removed) + len(added) <= DIFF_LIMIT and not any(_has_blank_node(q) for q in (*removed, *added)):
            # DATA blocks cannot carry blank nodes (DELETE DATA forbids them, INSERT DATA would relabel them).
            operations = []
            if removed:
                operations.append("DELETE DATA {\n" + _quad_block(removed) + "}")
            if added:
                operations.append("INSERT DATA {\n" + _quad_block(added) + "}")
            self._store.update(" ;\n".join(operations))
            return
        self._swap_through_staging(new)

    def _load_hidden(self, graphs: Mapping[NamedNode, Sequence[Triple]]) -> None:
        # Atomic for readers without a transaction over the whole write: the graphs are marked pending (one
        # transaction), bulk-loaded (no transaction: a crash leaves part of them), then unmarked all together
        # (one transaction). Until then graphs() leaves them out, so no reader's dataset holds them; a failure
        # removes what was loaded, and a crash leaves it to discard_staging() on the next writable open.
        token = Literal(uuid.uuid4().hex)
        markers = [Quad(graph, PENDING_LOAD, token, PENDING) for graph in graphs]
        self._store.extend(markers)
        try:
            for graph, triples in graphs.items():
                for chunk in _chunks(triples, BULK_CHUNK):
                    self._store.bulk_extend(Quad(t.subject, t.predicate, t.object, graph) for t in chunk)
        except BaseException:
            for graph in graphs:
                self._store.remove_graph(graph)
            self._unmark(markers)
            raise
        self._unmark(markers)  # the publication: one transaction for every graph of the replace

    def _unmark(self, markers: list[Quad]) -> None:
        self._store.update(
            "DELETE DATA { GRAPH " + str(PENDING) + " {\n"
            + "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in markers)
            + "\n} }"
        )  # fmt: skip
        if not self._loading():
            self._store.remove_graph(PENDING)  # pyoxigraph keeps a named graph an update emptied

    def _is_empty(self, graph: NamedNode) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is None

    def _swap_through_staging(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        # Stage every graph first (each extend() is one transaction), then swap all of them with one update
        # request, which Oxigraph applies atomically: a crash before the swap leaves only staging graphs
        # (removed below or by the next call, and never part of any answer), never a half-written wave.
        token = uuid.uuid4().hex
        staged: dict[NamedNode, NamedNode] = {}
        try:
            for target, triples in graphs.items():
                staging = NamedNode(f"{STAGING}{token}:{len(staged)}")
                self._store.extend(Quad(t.subject, t.predicate, t.object, staging) for t in triples)
                staged[target] = staging
            swap = " ;\n".join(
                f"DROP SILENT GRAPH {target} ;\nMOVE SILENT GRAPH {staging} TO GRAPH {target}"
                for target, staging in staged.items()
            )
            if swap:
                self._store.update(swap)
        finally:
            self.discard_staging()

    def discard_staging(self) -> None:
        """Remove staging graphs and half-loaded graphs left by an interrupted replace (never part of any
        answer), then the markers that hid the latter."""
        with self._replace_lock:
            for graph in sorted(hidden_graphs(self._store), key=lambda g: g == PENDING):  # the markers last
                try:
                    self._store.remove_graph(graph)
                finally:
                    self._wrote()

    def load(self, source: Path | bytes, format: RdfFormat, graph: GraphName | None = None) -> None:
        kwargs: dict[str, object] = {"format": format}
        if graph is not None and not format.supports_datasets:
            kwargs["to_graph"] = graph
        if isinstance(source, Path):
            kwargs["path"] = str(source)
        else:
            kwargs["input"] = source
        try:
            self._store.load(**kwargs)  # type: ignore[arg-type]
        finally:
            self._wrote()

    def dump(self, format: RdfFormat, graph: GraphName | None = None) -> bytes:
        if format.supports_datasets:
            if graph is None:
                data = self._store.dump(format=format)
            else:
                data = self._store.dump(format=format, from_graph=graph)
        else:
            data = self._store.dump(format=format, from_graph=graph or DefaultGraph())
        return data or b""

    def quads(self, graph: GraphName | None = None) -> Iterable[Quad]:
        return self._store.quads_for_pattern(None, None, None, graph)

    def graphs(self) -> list[NamedNode]:
        # Every public request lists the graphs (its dataset): kept until the next write, which the generation
        # counts exactly. A read-only handle never sees a later write, so its list never changes.
        generation = self._generation
        listed = self._listed
        if listed is None or listed[0] != generation:
            listed = self._listed = (generation, visible_graphs(self._store))
        return list(listed[1])

    def clear_graph(self, graph: GraphName) -> None:
        try:
            if isinstance(graph, DefaultGraph):
                self._store.clear_graph(graph)
            elif self._store.contains_named_graph(graph):
                self._store.remove_graph(graph)
        finally:
            self._wrote()

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        # pyoxigraph closes the store when the object is released; drop our reference now.
        self._store = None  # type: ignore[assignment]


def _as_sequence(triples: Iterable[Triple]) -> Sequence[Triple]:
    return triples if isinstance(triples, Sequence) else list(triples)


def _chunks(triples: Sequence[Triple], size: int) -> Iterator[Sequence[Triple]]:
    for start in range(0, len(triples), size):
        yield triples[start : start + size]


def serialize_triples(triples: Iterable[Triple], format: RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise triples with pyoxigraph (used for RDF answers and exports)."""
    out = serialize(triples, format=format, prefixes=prefixes)
    return out or b""
