"""The rule of matchmaking-mutual, decided by the service from the rows its query lists, and the answer it keeps:
pairs counted and ordered once, each item built when it is read. Shaped from hand-made rows (each region's
actors, their needs and offers, the vocabulary)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode

from vcgraph.questions.answer import Row
from vcgraph.questions.params import BoundParameters
from vcgraph.questions.service import ShapeContext, Table, _registry
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset

ID = "https://w3id.org/vcgraph/id/"
VOCAB = "https://w3id.org/vcgraph/vocab/"
COLUMNS = (
    *("side", "actor", "actor_label", "actor_visibility", "need", "offer", "stage", "technology"),
    *("concept", "concept_notation", "concept_label", "family"),
)
# T04 is a family with two narrower technologies
VOCABULARY: list[Row] = []
for _technology in ("T04", "T04.01", "T04.02"):
    VOCABULARY.append(
        {"concept": NamedNode(f"{VOCAB}technology/{_technology}"), "concept_notation": Literal(_technology)}
    )
    if _technology != "T04":
        VOCABULARY.append(
            {"concept": NamedNode(f"{VOCAB}technology/{_technology}"), "family": NamedNode(VOCAB + "technology/T04")}
        )
for _stage in ("S01", "S05"):
    VOCABULARY.append(
        {
            "concept": NamedNode(f"{VOCAB}stage/{_stage}"),
            "concept_notation": Literal(_stage),
            "concept_label": Literal(_stage),
        }
    )


def actor(side: str, name: str, label: str | None = None, *, anonymous: bool = False) -> Row:
    row: Row = {"side": Literal(side), "actor": NamedNode(ID + "actor/" + name)}
    if label is not None:
        row["actor_label"] = Literal(label)
    row["actor_visibility"] = NamedNode(VOCAB + "visibility/" + ("anonymous" if anonymous else "public"))
    return row


def _thing(name: str) -> tuple[str, NamedNode]:
    if name.startswith("S"):
        return "stage", NamedNode(VOCAB + "stage/" + name)
    return "technology", NamedNode(VOCAB + "technology/" + name)


def needs(name: str, thing: str) -> Row:
    column, term = _thing(thing)
    return {"actor": NamedNode(ID + "actor/" + name), "need": NamedNode(f"{ID}{name}/need/{thing}"), column: term}


def offers(name: str, thing: str) -> Row:
    """An offer of a stage, or the development of a technology."""
    column, term = _thing(thing)
    return {"actor": NamedNode(ID + "actor/" + name), "offer": NamedNode(f"{ID}{name}/offer/{thing}"), column: term}


def shaped(*rows: Row) -> tuple[Sequence[dict[str, Any]], dict[str, Any] | None]:
    store = OxigraphStore(None)
    try:
        context = ShapeContext(store, Dataset(), BoundParameters(echo={}), {})
        return _registry()["matchmaking-mutual"].shape(Table.from_rows(COLUMNS, [*rows, *VOCABULARY]), context)
    finally:
        store.close()


def pairs(*rows: Row) -> list[tuple[str, str]]:
    items, _ = shaped(*rows)
    return [(item["a"]["label"], item["b"]["label"]) for item in items]


def test_a_pair_is_mutual_when_each_offers_what_the_other_needs() -> None:
    items, summary = shaped(
        actor("a", "alpha", "Alpha"),
        actor("b", "beta", "Beta"),
        needs("beta", "S01"),
        offers("alpha", "S01"),
        needs("alpha", "S05"),
        offers("beta", "S05"),
    )
    assert list(items) == [
        {
            "a": {"id": ID + "actor/alpha", "label": "Alpha", "anonymous": False},
            "b": {"id": ID + "actor/beta", "label": "Beta", "anonymous": False},
            "a_serves_b": [
                {
                    "need": ID + "beta/need/S01",
                    "offer": ID + "alpha/offer/S01",
                    "what": {"id": VOCAB + "stage/S01", "notation": "S01", "label": "S01"},
                }
            ],
            "b_serves_a": [
                {
                    "need": ID + "alpha/need/S05",
                    "offer": ID + "beta/offer/S05",
                    "what": {"id": VOCAB + "stage/S05", "notation": "S05", "label": "S05"},
                }
            ],
            "evidence": {"wave": None},
        }
    ]
    assert summary == {"pairs_with_anonymous_actors": 0}


def test_serving_one_way_only_is_no_pair() -> None:
    one_way = (actor("a", "alpha", "Alpha"), actor("b", "beta", "Beta"), needs("beta", "S01"), offers("alpha", "S01"))
    assert pairs(*one_way) == []


def test_a_narrower_technology_developed_serves_the_need_for_its_family() -> None:
    rows = (actor("a", "alpha", "Alpha"), actor("b", "beta", "Beta"), needs("alpha", "S05"), offers("beta", "S05"))
    assert pairs(*rows, needs("beta", "T04"), offers("alpha", "T04.01")) == [("Alpha", "Beta")]


def test_a_family_developed_does_not_serve_the_need_for_a_narrower_technology() -> None:
    rows = (actor("a", "alpha", "Alpha"), actor("b", "beta", "Beta"), needs("alpha", "S05"), offers("beta", "S05"))
    assert pairs(*rows, needs("beta", "T04.01"), offers("alpha", "T04")) == []
    assert pairs(*rows, needs("beta", "T04.01"), offers("alpha", "T04.02")) == []


def test_an_actor_of_both_regions_is_not_its_own_partner() -> None:
    both = (actor("a", "gamma", "Gamma"), actor("b", "gamma", "Gamma"))
    statements = (needs("gamma", "S01"), offers("gamma", "S01"), needs("gamma", "S05"), offers("gamma", "S05"))
    assert pairs(*both, *statements) == []


def test_a_pair_with_an_anonymous_actor_is_counted_never_named() -> None:
    items, summary = shaped(
        actor("a", "alpha", "Alpha"),
        actor("b", "beta", anonymous=True),
        needs("beta", "S01"),
        offers("alpha", "S01"),
        needs("alpha", "S05"),
        offers("beta", "S05"),
    )
    assert list(items) == []
    assert summary == {"pairs_with_anonymous_actors": 1}


def _many() -> list[Row]:
    """Two a's with the same label and three b's, every a and b mutual: six pairs."""
    rows = [actor("a", "a2", "Same"), actor("a", "a1", "Same"), actor("b", "bz", "Zed"), actor("b", "by", "Bee")]
    rows += [actor("b", "bx", "Bee")]
    for name in ("a1", "a2"):
        rows += [needs(name, "S05"), offers(name, "S01")]
    for name in ("bx", "by", "bz"):
        rows += [needs(name, "S01"), offers(name, "S05")]
    return rows


def test_pairs_are_ordered_by_a_label_b_label_a_then_b() -> None:
    items, _ = shaped(*_many())
    assert [(item["a"]["id"][len(ID) + 6 :], item["b"]["id"][len(ID) + 6 :]) for item in items] == [
        ("a1", "bx"),
        ("a1", "by"),
        ("a2", "bx"),
        ("a2", "by"),
        ("a1", "bz"),
        ("a2", "bz"),
    ]


@pytest.mark.parametrize("start", range(0, 8))
@pytest.mark.parametrize("length", [0, 1, 2, 5, 10])
def test_a_page_read_from_any_offset_is_that_slice_of_the_whole_answer(start: int, length: int) -> None:
    items, _ = shaped(*_many())
    whole = list(items)
    assert len(items) == len(whole) == 6
    assert items[start : start + length] == whole[start : start + length]


def test_an_item_read_by_index_is_the_one_in_the_whole_answer() -> None:
    items, _ = shaped(*_many())
    whole = list(items)
    assert [items[i] for i in range(-6, 6)] == whole + whole
    with pytest.raises(IndexError):
        items[6]
    assert items[::2] == whole[::2]
