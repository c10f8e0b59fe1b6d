"""convergence-technologies counts, from the query's rows (the region's technology statements, its actors, the
vocabularies), the sectors of the actors behind each technology and its family; shaped from hand-made rows."""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode

from vcgraph.questions.answer import Row
from vcgraph.questions.params import BoundParameters
from vcgraph.questions.service import ShapeContext, Table, _registry
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset

ID = "https://w3id.org/vcgraph/id/"
VOCAB = "https://w3id.org/vcgraph/vocab/"
# the query's columns
COLUMNS = (
    "reason",
    "actor",
    "actor_label",
    "actor_visibility",
    "sector",
    "statement",
    "technology",
    "mode",
    "response",
    "concept",
    "concept_notation",
    "concept_label",
    "family",
)


def actor(key: str, sectors: list[str], visibility: str = "public") -> list[Row]:
    each: list[str | None] = [*sectors] or [None]  # an actor without a sector still has its row
    rows: list[Row] = []
    for sector in each:
        row: Row = {
            "reason": Literal("actor"),
            "actor": NamedNode(ID + "actor/" + key),
            "actor_label": Literal(key.title()),
            "actor_visibility": NamedNode(VOCAB + "visibility/" + visibility),
        }
        if sector is not None:
            row["sector"] = NamedNode(VOCAB + "sector/" + sector)
        rows.append(row)
    return rows


def statement(key: str, technology: str, mode: str = "develop") -> Row:
    return {
        "reason": Literal("technology"),
        "actor": NamedNode(ID + "actor/" + key),
        "technology": NamedNode(VOCAB + "technology/" + technology),
        "mode": NamedNode(VOCAB + "mode/" + mode),
        "statement": NamedNode(ID + f"wave/2026-W2/response/R-{key}/technology/{technology}"),
    }


def concept(path: str, notation: str, family: str | None = None) -> Row:
    row: Row = {"concept": NamedNode(VOCAB + path)}
    if family is not None:
        row["family"] = NamedNode(VOCAB + "technology/" + family)
    else:
        row["concept_notation"] = Literal(notation)
    return row


# T04 > T04.02 > T04.02.1 (a third level, which the question does not climb)
VOCABULARY: list[Row] = [
    *(concept("technology/" + t, t) for t in ("T04", "T04.02", "T04.02.1")),
    concept("technology/T04.02", "T04.02", family="T04"),
    concept("technology/T04.02.1", "T04.02.1", family="T04.02"),
    *(concept("mode/" + m, m) for m in ("develop", "pilot")),
]


SECTORS: list[Row] = [
    {"concept": NamedNode(VOCAB + "sector/" + sector), "concept_notation": Literal(sector)}
    for sector in ("biopharma", "engineering", "ict")
]


def shape(rows: list[Row], min_sectors: int = 2) -> list[dict[str, Any]]:
    store = OxigraphStore(None)
    context = ShapeContext(store, Dataset(), BoundParameters(echo={"min_sectors": min_sectors}), {})
    items, _ = _registry()["convergence-technologies"].shape(
        Table.from_rows(COLUMNS, [*VOCABULARY, *SECTORS, *rows]), context
    )
    store.close()
    return items


def summary(items: list[dict[str, Any]]) -> list[tuple[str, int, list[tuple[str, list[str], list[str]]]]]:
    return [
        (i["notation"], i["sector_count"], [(a["label"], a["sectors"], a["modes"]) for a in i["actors"]]) for i in items
    ]


def test_a_statement_counts_for_its_technology_and_its_family() -> None:
    rows = [*actor("ana", ["biopharma"]), *actor("bob", ["ict"]), statement("ana", "T04.02"), statement("bob", "T04")]
    # T04.02: ana only (1 sector); T04: bob directly and ana through T04.02 (2 sectors)
    assert summary(shape(rows)) == [("T04", 2, [("Ana", ["biopharma"], ["develop"]), ("Bob", ["ict"], ["develop"])])]


def test_a_statement_does_not_count_two_levels_up() -> None:
    rows = [*actor("ana", ["biopharma"]), *actor("bob", ["ict"]), statement("ana", "T04.02.1"), statement("bob", "T04")]
    assert shape(rows) == []


def test_an_actor_without_a_sector_is_not_counted() -> None:
    rows = [*actor("ana", ["biopharma"]), *actor("cat", []), statement("ana", "T04"), statement("cat", "T04")]
    assert shape(rows, min_sectors=1)[0]["actors"][0]["label"] == "Ana"
    assert len(shape(rows, min_sectors=1)[0]["actors"]) == 1


def test_an_anonymous_actor_counts_its_sectors_but_is_not_listed() -> None:
    rows = [
        *actor("ana", ["biopharma"]),
        *actor("dan", ["ict"], visibility="anonymous"),
        statement("ana", "T04"),
        statement("dan", "T04", "pilot"),
    ]
    (item,) = shape(rows)
    assert (item["sector_count"], item["anonymous_actors"], [a["label"] for a in item["actors"]]) == (2, 1, ["Ana"])
    assert [e["statement"] for e in item["evidence"]] == [ID + "wave/2026-W2/response/R-ana/technology/T04"]
