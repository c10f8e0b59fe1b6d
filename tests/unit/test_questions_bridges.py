"""convergence-bridges decides from the query's rows (the region's actors, their technology statements, the
technology vocabulary) which actors bridge sectors; shaped from hand-made query rows."""

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
    "answer",
    "actor_label",
    "actor_visibility",
    "sector",
    "statement",
    "response",
    "technology",
    "concept",
    "concept_notation",
    "concept_label",
    "family",
    "typical",
)
ANSWERED = NamedNode(ID + "wave/2026-W2/response/R")


def actor(key: str, sectors: list[str], *, answered: bool = True, visibility: str = "public") -> list[Row]:
    rows: list[Row] = []
    each: list[str | None] = [*sectors] or [None]  # an actor without a sector still has its row
    for sector in each:
        row: Row = {
            "reason": Literal("actor"),
            "actor": NamedNode(ID + "actor/" + key),
            "actor_label": Literal(key.title()),
            "actor_visibility": NamedNode(VOCAB + "visibility/" + visibility),
        }
        if answered:
            row["answer"] = ANSWERED
        if sector is not None:
            row["sector"] = NamedNode(VOCAB + "sector/" + sector)
        rows.append(row)
    return rows


def statement(key: str, technology: str) -> Row:
    return {
        "reason": Literal("technology"),
        "actor": NamedNode(ID + "actor/" + key),
        "technology": NamedNode(VOCAB + "technology/" + technology),
        "statement": NamedNode(ID + f"wave/2026-W2/response/R-{key}/technology/{technology}"),
    }


def concept(notation: str, *, family: str | None = None, typical: str | None = None) -> Row:
    row: Row = {"concept": NamedNode(VOCAB + "technology/" + notation)}
    if family is not None:
        row["family"] = NamedNode(VOCAB + "technology/" + family)
    elif typical is not None:
        row["typical"] = NamedNode(VOCAB + "sector/" + typical)
    else:
        row["concept_notation"] = Literal(notation)
    return row


# T04 (typical: biopharma) > T04.02 > T04.02.1; T12 (typical: ict)
VOCABULARY: list[Row] = [
    *(concept(t) for t in ("T04", "T04.02", "T04.02.1", "T12")),
    concept("T04.02", family="T04"),
    concept("T04.02.1", family="T04.02"),
    concept("T04", typical="biopharma"),
    concept("T12", typical="ict"),
]


SECTORS: list[Row] = [
    {"concept": NamedNode(VOCAB + "sector/" + sector), "concept_notation": Literal(sector)}
    for sector in ("biopharma", "engineering", "ict")
]


def shape(rows: list[Row]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    store = OxigraphStore(None)
    context = ShapeContext(store, Dataset(), BoundParameters(), {})
    items, summary = _registry()["convergence-bridges"].shape(
        Table.from_rows(COLUMNS, [*VOCABULARY, *SECTORS, *rows]), context
    )
    store.close()
    return items, summary


def outside(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(t["technology"]["notation"], t["family"]["notation"]) for t in item["technologies_outside_typical_sector"]]


def test_an_actor_with_two_sectors_that_answered_the_wave_is_multi_sector() -> None:
    items, _ = shape(actor("ana", ["biopharma", "ict"]))
    assert [(i["actor"]["label"], i["multi_sector"]) for i in items] == [("Ana", True)]


def test_an_actor_with_two_sectors_that_did_not_answer_the_wave_is_not_listed() -> None:
    items, _ = shape(actor("ana", ["biopharma", "ict"], answered=False))
    assert items == []


def test_a_family_two_levels_up_outside_the_actors_sectors_makes_a_bridge() -> None:
    items, _ = shape([*actor("bob", ["engineering"]), statement("bob", "T04.02.1")])
    assert [outside(i) for i in items] == [[("T04.02.1", "T04")]]
    assert items[0]["evidence"][0]["statement"].endswith("R-bob/technology/T04.02.1")


def test_a_family_sharing_a_sector_with_the_actor_makes_no_bridge() -> None:
    items, _ = shape([*actor("cat", ["biopharma"]), statement("cat", "T04.02.1"), statement("cat", "T12")])
    assert [outside(i) for i in items] == [[("T12", "T12")]]


def test_an_anonymous_bridging_actor_is_counted_not_listed() -> None:
    items, summary = shape([*actor("dan", ["engineering"], visibility="anonymous"), statement("dan", "T12")])
    assert items == []
    assert summary == {"anonymous_bridging_actors": 1}
