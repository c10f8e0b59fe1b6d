"""Which graphs the public may read, and the dataset a public query runs against."""

from __future__ import annotations

from pyoxigraph import DefaultGraph, NamedNode

from vcgraph.config import Settings
from vcgraph.namespaces import Minter
from vcgraph.service.cache import LOOKUPS, cached
from vcgraph.store.port import Dataset, Store


def public_graphs(store: Store, settings: Settings) -> list[NamedNode]:
    """Every named graph except the restricted (personal data) and staging ones."""
    minter = Minter(settings.base_iri)
    return [g for g in store.graphs() if minter.is_public_graph(g.value)]


def public_dataset(store: Store, settings: Settings) -> Dataset:
    """The dataset of the public endpoint and of every question.

    In ``union`` mode (default, as Virtuoso does) the default graph is the union of the store's default graph
    and the public named graphs; in
    ``standard`` mode it is the store's own default graph, as Oxigraph server and Fuseki serve it. In both
    modes, GRAPH can reach only public graphs, whatever FROM NAMED says.

    Every public request asks for it first, and the graph list only changes when the store is written, so it is
    reused until then (:mod:`vcgraph.service.cache`; this call also sets the store's cache bounds from
    ``settings``). The dataset returned is shared: do not mutate its lists.
    """
    key = (LOOKUPS, "public-dataset", settings.base_iri, settings.default_graph)
    dataset, _ = cached(store, key, lambda: _public_dataset(store, settings), settings=settings)
    return dataset


def _public_dataset(store: Store, settings: Settings) -> Dataset:
    graphs = public_graphs(store, settings)
    if settings.default_graph == "union":
        return Dataset(default_graphs=[DefaultGraph(), *graphs], named_graphs=graphs)
    return Dataset(default_graphs=[DefaultGraph()], named_graphs=graphs)
