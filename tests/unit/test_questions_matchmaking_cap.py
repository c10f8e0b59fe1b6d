"""matchmaking-needs keeps the best `candidates` candidates of each need by fit, in the order of the full ranking
(score, then label, then IRI), and says how many there are in all; shaped from hand-made query rows."""

from __future__ import annotations

import re
from pathlib import Path
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
NEED = NamedNode(ID + "wave/2026-W2/response/R-need/stage/S05")


def provider(key: str, label: str | None, gmp: str | None, visibility: str = "public") -> Row:
    row: Row = {
        "provider": NamedNode(ID + "actor/" + key),
        "provider_visibility": NamedNode(VOCAB + "visibility/" + visibility),
    }
    if label is not None:
        row["provider_label"] = Literal(label)
    if gmp is not None:
        row["provider_gmp_notation"] = Literal(gmp)
    return row


def match(key: str) -> Row:
    return {
        "need": NEED,
        "provider": NamedNode(ID + "actor/" + key),
        "match": Literal("stage"),
        "offer": NamedNode(ID + f"wave/2026-W2/response/R-{key}/stage/S05"),
    }


# A need for stage S05 only: a candidate offering it scores 1 for the stage plus its GMP score (1, 0.5 or 0).
ROWS: list[Row] = [
    {
        "need": NEED,
        "actor": NamedNode(ID + "actor/needing"),
        "actor_label": Literal("Needing Bio"),
        "actor_visibility": NamedNode(VOCAB + "visibility/public"),
        "stage": NamedNode(VOCAB + "stage/S05"),
        "stage_notation": Literal("S05"),
        "stage_label": Literal("Downstream processing"),
    },
    provider("p5", "Omega", None),
    provider("p4", "Alpha", "gmp-ready"),
    provider("p3", "Beta", "gmp-ready"),
    provider("p2", "Alpha", "gmp-ready"),
    provider("p1", "Zeta", "gmp-certified"),
    provider("anon-6", None, "gmp-certified", visibility="anonymous"),
    *(match(key) for key in ("p5", "p4", "p3", "p2", "p1", "anon-6")),
]
# The columns of queries/matchmaking-needs.rq, in its order: the variables of its first SELECT clause.
QUERY = (Path(__file__).resolve().parents[2] / "queries" / "matchmaking-needs.rq").read_text()
COLUMNS = re.findall(r"\?(\w+)", re.search(r"^SELECT(.*?)^WHERE", QUERY, re.M | re.S)[1])  # type: ignore[index]
FULL_ORDER = [
    ("Zeta", 2.0, "p1"),
    ("Alpha", 1.5, "p2"),
    ("Alpha", 1.5, "p4"),
    ("Beta", 1.5, "p3"),
    ("Omega", 1.0, "p5"),
]


def shape(candidates: int) -> dict[str, Any]:
    store = OxigraphStore(None)
    context = ShapeContext(store, Dataset(), BoundParameters(echo={"candidates": candidates}), {})
    items, _ = _registry()["matchmaking-needs"].shape(Table.from_rows(COLUMNS, ROWS), context)
    store.close()
    assert len(items) == 1
    return items[0]


def ranking(need: dict[str, Any]) -> list[tuple[str, float, str]]:
    return [(c["actor"]["label"], c["score"], c["actor"]["id"].rpartition("/")[2]) for c in need["candidates"]]


@pytest.mark.parametrize("cap", [1, 3, 4])
def test_the_cap_keeps_the_best_candidates_in_ranking_order_and_counts_them_all(cap: int) -> None:
    need = shape(cap)
    assert ranking(need) == FULL_ORDER[:cap]  # ties by label, then IRI: p2 before p4
    assert need["candidates"] == shape(1000)["candidates"][:cap]
    assert need["candidate_count"] == 5
    assert need["anonymous_candidates"] == 1  # counted apart, never proposed nor in candidate_count


def test_a_cap_above_the_number_of_candidates_keeps_them_all() -> None:
    need = shape(20)
    assert ranking(need) == FULL_ORDER
    assert need["candidate_count"] == len(need["candidates"]) == 5
    assert list(need)[-3:] == ["candidates", "candidate_count", "anonymous_candidates"]
    assert need["candidates"][0]["breakdown"] == {
        "stage": 1.0,
        "technology": None,
        "trl": None,
        "product_class": None,
        "gmp": 1.0,
    }


def technology_match(offer: str, trl: int | None) -> Row:
    row: Row = {
        "need": TECHNOLOGY_NEED,
        "provider": NamedNode(ID + "actor/p1"),
        "match": Literal("technology"),
        "offer": NamedNode(ID + f"wave/2026-W2/response/R-p1/technology/{offer}"),
    }
    if trl is not None:
        row["offer_trl"] = Literal(str(trl), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return row


TECHNOLOGY_NEED = NamedNode(ID + "wave/2026-W2/response/R-need/need/1")


def test_a_candidate_matching_by_several_offers_is_ranked_by_its_best_trl_with_every_offer_as_evidence() -> None:
    # One candidate, three match rows (the query gives one per matching offer): a narrower technology at TRL 8,
    # the needed one at TRL 4, and the family; the best TRL (8) meets the minimum (6), whatever the row order.
    rows: list[Row] = [
        {
            "need": TECHNOLOGY_NEED,
            "actor": NamedNode(ID + "actor/needing"),
            "actor_label": Literal("Needing Bio"),
            "actor_visibility": NamedNode(VOCAB + "visibility/public"),
            "technology": NamedNode(VOCAB + "technology/T04"),
            "technology_notation": Literal("T04"),
            "min_trl": Literal("6", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        },
        provider("p1", "Zeta", "gmp-ready"),
        technology_match("T04.02", 8),
        technology_match("T04", 4),
        {**technology_match("T04.01", None), "match": Literal("technology-family")},
    ]
    store = OxigraphStore(None)
    context = ShapeContext(store, Dataset(), BoundParameters(echo={"candidates": 20}), {})
    for order in (rows, [*rows[:2], *reversed(rows[2:])]):
        items, _ = _registry()["matchmaking-needs"].shape(Table.from_rows(COLUMNS, order), context)
        (candidate,) = items[0]["candidates"]
        assert candidate["best_trl"] == 8
        assert candidate["breakdown"] == {
            "stage": None,
            "technology": 1.0,
            "trl": 1.0,
            "product_class": None,
            "gmp": 0.5,
        }
        assert candidate["score"] == 2.5
        assert candidate["meets_need"] is True
        assert candidate["evidence"] == [
            ID + f"wave/2026-W2/response/R-p1/technology/{t}" for t in ("T04", "T04.01", "T04.02")
        ]
    store.close()
