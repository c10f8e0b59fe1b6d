"""The convergence questions that list what they count (convergence-bridges, convergence-technologies) decide
their answers in the service from the query's rows: the region's technology statements, its actors (one row per
sector) and the vocabulary rows. Shaped here from hand-made rows."""

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
# the columns of both queries (each shaper reads the ones its query has)
BRIDGES = ("actor", "actor_label", "actor_visibility", "sector", "statement", "response",
           "technology", "concept", "concept_notation", "concept_label", "family", "typical")  # fmt: skip
TECHNOLOGIES = ("technology", "statement", "mode", "response", "actor", "actor_label", "actor_visibility",
                "sector", "concept", "concept_notation", "concept_label", "family")  # fmt: skip


def actor(key: str, sectors: list[str], *, visibility: str = "public") -> list[Row]:
    """The rows of an actor of the region (for bridges: one who answered the wave, the only ones it lists)."""
    each: list[str | None] = [*sectors] or [None]  # an actor without a sector still has its row
    rows: list[Row] = []
    for sector in each:
        row: Row = {
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
        "actor": NamedNode(ID + "actor/" + key),
        "technology": NamedNode(VOCAB + "technology/" + technology),
        "mode": NamedNode(VOCAB + "mode/" + mode),
        "statement": NamedNode(ID + f"wave/2026-W2/response/R-{key}/technology/{technology}"),
    }


def concept(path: str, *, family: str | None = None, typical: str | None = None) -> Row:
    """A vocabulary row: ``path`` (technology/T04, sector/ict...) with its notation, a one-step family or a
    typical sector."""
    row: Row = {"concept": NamedNode(VOCAB + path)}
    if family is not None:
        row["family"] = NamedNode(VOCAB + "technology/" + family)
    elif typical is not None:
        row["typical"] = NamedNode(VOCAB + "sector/" + typical)
    else:
        row["concept_notation"] = Literal(path.rsplit("/", 1)[1])
    return row


# T04 (typical: biopharma) > T04.02 > T04.02.1; T12 (typical: ict)
VOCABULARY: list[Row] = [
    *(concept("technology/" + t) for t in ("T04", "T04.02", "T04.02.1", "T12")),
    concept("technology/T04.02", family="T04"),
    concept("technology/T04.02.1", family="T04.02"),
    concept("technology/T04", typical="biopharma"),
    concept("technology/T12", typical="ict"),
    *(concept("sector/" + s) for s in ("biopharma", "engineering", "ict")),
    *(concept("mode/" + m) for m in ("develop", "pilot")),
]


def shape(question: str, columns: tuple[str, ...], rows: list[Row], **echo: Any) -> tuple[Any, Any]:
    store = OxigraphStore(None)
    context = ShapeContext(store, Dataset(), BoundParameters(echo=echo), {})
    # the vocabulary rows this query lists (technologies has no typical sectors)
    vocabulary = [row for row in VOCABULARY if set(row) <= set(columns)]
    shaped = _registry()[question].shape(Table.from_rows(columns, [*vocabulary, *rows]), context)
    store.close()
    return shaped


def shape_bridges(rows: list[Row]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    items, summary = shape("convergence-bridges", BRIDGES, rows)
    return items, summary


def shape_technologies(rows: list[Row], min_sectors: int = 2) -> list[dict[str, Any]]:
    items, _ = shape("convergence-technologies", TECHNOLOGIES, rows, min_sectors=min_sectors)
    return list(items)


def outside(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(t["technology"]["notation"], t["family"]["notation"]) for t in item["technologies_outside_typical_sector"]]


def summary(items: list[dict[str, Any]]) -> list[tuple[str, int, list[tuple[str, list[str], list[str]]]]]:
    return [
        (i["notation"], i["sector_count"], [(a["label"], a["sectors"], a["modes"]) for a in i["actors"]]) for i in items
    ]


def test_bridges_an_actor_with_two_sectors_that_answered_the_wave_is_multi_sector() -> None:
    items, _ = shape_bridges(actor("ana", ["biopharma", "ict"]))
    assert [(i["actor"]["label"], i["multi_sector"]) for i in items] == [("Ana", True)]


def test_bridges_a_family_two_levels_up_outside_the_actors_sectors_makes_a_bridge() -> None:
    items, _ = shape_bridges([*actor("bob", ["engineering"]), statement("bob", "T04.02.1")])
    assert [outside(i) for i in items] == [[("T04.02.1", "T04")]]
    assert items[0]["evidence"][0]["statement"].endswith("R-bob/technology/T04.02.1")


def test_bridges_a_family_sharing_a_sector_with_the_actor_makes_no_bridge() -> None:
    items, _ = shape_bridges([*actor("cat", ["biopharma"]), statement("cat", "T04.02.1"), statement("cat", "T12")])
    assert [outside(i) for i in items] == [[("T12", "T12")]]


def test_bridges_an_anonymous_bridging_actor_is_counted_not_listed() -> None:
    items, summary = shape_bridges([*actor("dan", ["engineering"], visibility="anonymous"), statement("dan", "T12")])
    assert items == []
    assert summary == {"anonymous_bridging_actors": 1}


def test_technologies_a_statement_counts_for_its_technology_and_its_family() -> None:
    rows = [*actor("ana", ["biopharma"]), *actor("bob", ["ict"]), statement("ana", "T04.02"), statement("bob", "T04")]
    # T04.02: ana only (1 sector); T04: bob directly and ana through T04.02 (2 sectors)
    assert summary(shape_technologies(rows)) == [
        ("T04", 2, [("Ana", ["biopharma"], ["develop"]), ("Bob", ["ict"], ["develop"])])
    ]


def test_technologies_a_statement_does_not_count_two_levels_up() -> None:
    rows = [*actor("ana", ["biopharma"]), *actor("bob", ["ict"]), statement("ana", "T04.02.1"), statement("bob", "T04")]
    assert shape_technologies(rows) == []


def test_technologies_an_actor_without_a_sector_is_not_counted() -> None:
    rows = [*actor("ana", ["biopharma"]), *actor("cat", []), statement("ana", "T04"), statement("cat", "T04")]
    assert shape_technologies(rows, min_sectors=1)[0]["actors"][0]["label"] == "Ana"
    assert len(shape_technologies(rows, min_sectors=1)[0]["actors"]) == 1


def test_technologies_an_anonymous_actor_counts_its_sectors_but_is_not_listed() -> None:
    rows = [
        *actor("ana", ["biopharma"]),
        *actor("dan", ["ict"], visibility="anonymous"),
        statement("ana", "T04"),
        statement("dan", "T04", "pilot"),
    ]
    (item,) = shape_technologies(rows)
    assert (item["sector_count"], item["anonymous_actors"], [a["label"] for a in item["actors"]]) == (2, 1, ["Ana"])
    assert [e["statement"] for e in item["evidence"]] == [ID + "wave/2026-W2/response/R-ana/technology/T04"]
