"""Embedded adapter: pyoxigraph's on-disk (RocksDB) store, the default."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    serialize,
)
from pyoxigraph import Store as _OxStore

from vcgraph.store.port import Dataset, GraphName, QueryOutcome, StoreError

STAGING = "urn:vcgraph:staging:"


class OxigraphStore:
    """The :class:`~vcgraph.store.port.Store` port over ``pyoxigraph.Store``.

    Only one process may open an on-disk store for writing (RocksDB lock); ``read_only=True`` opens a
    second, read-only handle that sees the data as it was when opened.
    """

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

    def query(
        self, query: str, *, dataset: Dataset | None = None, base_iri: str | None = None
    ) -> QueryOutcome:
        ds = dataset or Dataset()
        return self._store.query(
            query,
            base_iri=base_iri,
            use_default_graph_as_union=ds.union_default_graph and ds.default_graphs is None,
            default_graph=list(ds.default_graphs) if ds.default_graphs is not None else None,
            named_graphs=list(ds.named_graphs) if ds.named_graphs is not None else None,
        )

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        # Oxigraph runs one update request, whatever number of operations it holds, in one transaction.
        self._store.update(update, base_iri=base_iri)

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        # Stage every graph first (each extend() is one transaction), then swap all of them with one
        # update request, which Oxigraph applies atomically: a crash before the swap leaves only staging
        # graphs (removed below or by the next call), never a half-written wave.
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
        """Remove staging graphs left by an interrupted replace (they are never part of any answer)."""
        for graph in self._store.named_graphs():
            if isinstance(graph, NamedNode) and graph.value.startswith(STAGING):
                self._store.remove_graph(graph)

    def load(self, source: Path | bytes, format: RdfFormat, graph: GraphName | None = None) -> None:
        kwargs: dict[str, object] = {"format": format}
        if graph is not None and not format.supports_datasets:
            kwargs["to_graph"] = graph
        if isinstance(source, Path):
            kwargs["path"] = str(source)
        else:
            kwargs["input"] = source
        self._store.load(**kwargs)  # type: ignore[arg-type]

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
        names = [g for g in self._store.named_graphs() if isinstance(g, NamedNode)]
        return sorted((g for g in names if not g.value.startswith(STAGING)), key=lambda g: g.value)

    def clear_graph(self, graph: GraphName) -> None:
        if isinstance(graph, DefaultGraph):
            self._store.clear_graph(graph)
        elif self._store.contains_named_graph(graph):
            self._store.remove_graph(graph)

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        # pyoxigraph closes the store when the object is released; drop our reference now.
        self._store = None  # type: ignore[assignment]


def serialize_triples(triples: Iterable[Triple], format: RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise triples with pyoxigraph (used for RDF answers and exports)."""
    out = serialize(triples, format=format, prefixes=prefixes)
    return out or b""
