"""convergence-co-occurrence pairs the technologies of each actor from the query's rows (holdings, families,
labels), counts support and lift, and never pairs a technology with a family of it at any level; shaped from
hand-made query rows."""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode

from vcgraph.questions.answer import Row
from vcgraph.questions.params import BoundParameters
from vcgraph.questions.service import ShapeContext, _registry
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset

ACTOR = "https://w3id.org/vcgraph/id/actor/"
TECHNOLOGY = "https://w3id.org/vcgraph/vocab/technology/"


def holding(actor: str, technology: str) -> Row:
    return {"holder": NamedNode(ACTOR + actor), "technology": NamedNode(TECHNOLOGY + technology)}


def family(technology: str, broader: str) -> Row:
    return {"technology": NamedNode(TECHNOLOGY + technology), "family": NamedNode(TECHNOLOGY + broader)}


def labels(technology: str) -> Row:
    return {
        "technology": NamedNode(TECHNOLOGY + technology),
        "technology_notation": Literal(technology),
        "technology_label": Literal(f"Technology {technology}"),
    }


def pairs(rows: list[Row], min_support: int) -> list[tuple[str, str, int, int, int, int, float]]:
    store = OxigraphStore(None)
    context = ShapeContext(store, Dataset(), BoundParameters(echo={"min_support": min_support}), {})
    items, _ = _registry()["convergence-co-occurrence"].shape(rows, context)
    store.close()
    return [
        (
            item["a"]["notation"],
            item["b"]["notation"],
            item["support"],
            item["actors_with_a"],
            item["actors_with_b"],
            item["actors"],
            item["lift"],
        )
        for item in items
    ]


# T04 > T04.02 > T04.02.1 (three levels); x holds T01, T04, T04.02.1; y holds T01, T04.02.1; z holds T01 and T09.
ROWS: list[Row] = [
    family("T04.02", "T04"),
    family("T04.02.1", "T04.02"),
    *(labels(t) for t in ("T01", "T04", "T04.02", "T04.02.1", "T09")),
    holding("x", "T01"),
    holding("x", "T04"),
    holding("x", "T04.02.1"),
    holding("y", "T01"),
    holding("y", "T04.02.1"),
    holding("z", "T01"),
    holding("z", "T09"),
]


def test_pairs_count_the_actors_having_both_and_their_lift() -> None:
    # T01 + T04.02.1: x and y (support 2); 3 actors, T01 held by 3, T04.02.1 by 2: lift 2 * 3 / (3 * 2) = 1
    assert pairs(ROWS, 2) == [("T01", "T04.02.1", 2, 3, 2, 3, 1.0)]


def test_a_technology_is_never_paired_with_a_family_of_it_two_levels_up() -> None:
    found = {(a, b) for a, b, *_ in pairs(ROWS, 1)}
    # x holds T04 and T04.02.1, but T04 is the family of T04.02.1's family
    assert ("T04", "T04.02.1") not in found
    assert found == {("T01", "T04.02.1"), ("T01", "T04"), ("T01", "T09")}


def test_lift_is_rounded_to_three_decimals() -> None:
    by_pair: dict[tuple[str, str], Any] = {(a, b): lift for a, b, *_, lift in pairs(ROWS, 1)}
    # T01 + T09: z only; 3 actors, T01 held by 3, T09 by 1: 1 * 3 / 3 = 1; T01 + T04: 1 * 3 / (3 * 1) = 1
    assert by_pair[("T01", "T09")] == 1.0
    extra = [*ROWS, holding("w", "T04.02.1"), holding("w", "T09")]
    lifts = {(a, b): lift for a, b, *_, lift in pairs(extra, 1)}
    # 4 actors; T04.02.1 held by x, y, w (3) and T09 by z, w (2); both by w: 1 * 4 / (3 * 2) = 0.667
    assert lifts[("T04.02.1", "T09")] == 0.667


def test_a_technology_labelled_twice_is_shown_with_the_same_label_whatever_the_row_order() -> None:
    twice = [{**labels("T01"), "technology_label": Literal(label)} for label in ("Zeta", "Alpha")]
    rows = [holding("x", "T01"), holding("x", "T09"), holding("y", "T01"), holding("y", "T09"), labels("T09")]
    shown = []
    for order in (twice, twice[::-1]):
        store = OxigraphStore(None)
        context = ShapeContext(store, Dataset(), BoundParameters(echo={"min_support": 1}), {})
        items, _ = _registry()["convergence-co-occurrence"].shape([*rows, *order], context)
        store.close()
        shown.append(items[0]["a"]["label"])
    assert shown == ["Alpha", "Alpha"]
