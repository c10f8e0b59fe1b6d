"""Figures about the store's content (``vcgraph stats``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from pyoxigraph import Literal, QuerySolutions

from vcgraph.config import Settings
from vcgraph.service.dataset import public_dataset
from vcgraph.store.port import Store


def internal_query(name: str) -> str:
    """An internal SPARQL file shipped in ``vcgraph/service/sparql/``."""
    return resources.files("vcgraph.service").joinpath("sparql", name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class WaveFigures:
    wave: str
    responses: int
    actors: int
    statements: int


@dataclass
class StoreStats:
    triples_per_graph: dict[str, int] = field(default_factory=dict)
    waves: list[WaveFigures] = field(default_factory=list)
    actors: int = 0
    statements: int = 0

    @property
    def triples(self) -> int:
        return sum(self.triples_per_graph.values())

    def to_json(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "triples_per_graph": self.triples_per_graph,
            "actors": self.actors,
            "statements": self.statements,
            "waves": [w.__dict__ for w in self.waves],
        }


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, Literal) else 0


def store_stats(store: Store, settings: Settings) -> StoreStats:
    """Count triples per graph (every graph, restricted ones included: this is the operator's view) and the
    actors, statements and responses of each wave (public graphs)."""
    figures = StoreStats()
    for graph in store.graphs():
        figures.triples_per_graph[graph.value] = sum(1 for _ in store.quads(graph))
    dataset = public_dataset(store, settings)
    rows = store.query(internal_query("wave_stats.rq"), dataset=dataset)
    assert isinstance(rows, QuerySolutions)
    for row in rows:
        figures.waves.append(
            WaveFigures(
                wave=str(row["wave"].value),
                responses=_int(row["responses"]),
                actors=_int(row["actors"]),
                statements=_int(row["statements"]),
            )
        )
    totals = store.query(internal_query("actor_count.rq"), dataset=dataset)
    assert isinstance(totals, QuerySolutions)
    for row in totals:
        figures.actors = _int(row["actors"])
        figures.statements = _int(row["statements"])
    return figures
