"""matchmaking-needs keeps the best `candidates` candidates of each need by fit, in the order of the full ranking
(score, then label, then IRI), and says how many there are in all; shaped from hand-made query rows (the need,
the partner region's providers and offers, the vocabulary)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode

from vcgraph.questions.answer import Row
from vcgraph.questions.params import BoundParameters
from vcgraph.questions.service import ShapeContext, Table, _registry
from vcgraph.questions.shapers import _need_item, _need_row_sort_key, _need_sort_key
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset

ID = "https://w3id.org/vcgraph/id/"
VOCAB = "https://w3id.org/vcgraph/vocab/"
NEED = NamedNode(ID + "wave/2026-W2/response/R-need/stage/S05")


INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
FAMILY = NamedNode(VOCAB + "technology/family-of-T04")


def concept(scheme: str, name: str, *, top: bool = False) -> Row:
    row: Row = {
        "concept": NamedNode(f"{VOCAB}{scheme}/{name}"),
        "concept_scheme": NamedNode(VOCAB + scheme),
        "concept_notation": Literal(name),
    }
    if top:
        row["top_concept"] = NamedNode(VOCAB + scheme)
    return row


def narrower(name: str, family: NamedNode) -> Row:
    return {"concept": NamedNode(f"{VOCAB}technology/{name}"), "family": family}


# Stages S01-S16; GMP statuses; technologies: T04 and T04.01 of the family, T04.02 narrower than T04.
VOCABULARY: list[Row] = [
    *(concept("stage", f"S{number:02}") for number in range(1, 17)),
    *(concept("gmp-status", status) for status in ("gmp-certified", "gmp-ready")),
    concept("technology", "family-of-T04", top=True),
    *(concept("technology", name) for name in ("T04", "T04.01", "T04.02")),
    narrower("T04", FAMILY),
    narrower("T04.01", FAMILY),
    narrower("T04.02", NamedNode(VOCAB + "technology/T04")),
]


def provider(key: str, label: str | None, gmp: str | None, visibility: str = "public") -> Row:
    row: Row = {
        "provider": NamedNode(ID + "actor/" + key),
        "provider_visibility": NamedNode(VOCAB + "visibility/" + visibility),
    }
    if label is not None:
        row["provider_label"] = Literal(label)
    if gmp is not None:
        row["provider_gmp"] = NamedNode(VOCAB + "gmp-status/" + gmp)
    return row


def match(key: str, stage: str = "S05", offer: str | None = None) -> Row:
    """An offer of ``stage`` (the query gives the partner region's offers, not pairs)."""
    return {
        "provider": NamedNode(ID + "actor/" + key),
        "offered_stage": NamedNode(VOCAB + "stage/" + stage),
        "offer": NamedNode(offer or ID + f"wave/2026-W2/response/R-{key}/stage/{stage}"),
    }


# A need for stage S05 only: a candidate offering it scores 1 for the stage plus its GMP score (1, 0.5 or 0).
ROWS: list[Row] = [
    {
        "need": NEED,
        "actor": NamedNode(ID + "actor/needing"),
        "actor_label": Literal("Needing Bio"),
        "actor_visibility": NamedNode(VOCAB + "visibility/public"),
        "stage": NamedNode(VOCAB + "stage/S05"),
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


def shaped(candidates: int, rows: list[Row]) -> list[dict[str, Any]]:
    """The items of the answer shaped from ``rows`` and the vocabulary."""
    store = OxigraphStore(None)
    context = ShapeContext(store, Dataset(), BoundParameters(echo={"candidates": candidates}), {})
    items, _ = _registry()["matchmaking-needs"].shape(Table.from_rows(COLUMNS, [*rows, *VOCABULARY]), context)
    store.close()
    return list(items)


def shape(candidates: int, rows: list[Row] = ROWS) -> dict[str, Any]:
    items = shaped(candidates, rows)
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


def technology_match(technology: str, trl: int | None) -> Row:
    """An offer of p1 developing ``technology``."""
    row: Row = {
        "provider": NamedNode(ID + "actor/p1"),
        "offered_technology": NamedNode(VOCAB + "technology/" + technology),
        "offer": NamedNode(ID + f"wave/2026-W2/response/R-p1/technology/{technology}"),
    }
    if trl is not None:
        row["offer_trl"] = Literal(str(trl), datatype=INTEGER)
    return row


TECHNOLOGY_NEED = NamedNode(ID + "wave/2026-W2/response/R-need/need/1")


def test_a_candidate_matching_by_several_offers_is_ranked_by_its_best_trl_with_every_offer_as_evidence() -> None:
    # One candidate, three offers: a narrower technology at TRL 8, the needed one at TRL 4, and another of the
    # family; the best TRL (8) meets the minimum (6), whatever the row order.
    rows: list[Row] = [
        {
            "need": TECHNOLOGY_NEED,
            "actor": NamedNode(ID + "actor/needing"),
            "actor_label": Literal("Needing Bio"),
            "actor_visibility": NamedNode(VOCAB + "visibility/public"),
            "technology": NamedNode(VOCAB + "technology/T04"),
            "min_trl": Literal("6", datatype=INTEGER),
        },
        provider("p1", "Zeta", "gmp-ready"),
        technology_match("T04.02", 8),
        technology_match("T04", 4),
        technology_match("T04.01", None),
    ]
    for order in (rows, [*rows[:2], *reversed(rows[2:])]):
        (candidate,) = shaped(20, order)[0]["candidates"]
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


def test_the_actor_who_declared_a_need_is_never_its_own_candidate() -> None:
    # the needing actor also offers S05 in the partner region (a region inside its own, or anywhere)
    rows = [*ROWS, provider("needing", "Needing Bio", "gmp-certified"), match("needing")]
    need = shape(20, rows)
    assert ranking(need) == FULL_ORDER
    assert need["candidate_count"] == 5


def test_candidates_of_equal_score_reached_by_different_criteria_are_ordered_by_label() -> None:
    # A need for S05 and product class P01: "Iota" has the stage and the class (1 + 1 + GMP 0), "Kappa" the stage
    # and GMP certification (1 + 0 + 1): both score 2.0 and Iota comes first by label, whatever the criteria.
    need_row = {**ROWS[0], "product_class": NamedNode(VOCAB + "product-class/P01")}
    rows = [
        need_row,
        # the query gives a provider's details on each of its product class rows
        {**provider("i", "Iota", None), "provider_class": NamedNode(VOCAB + "product-class/P01")},
        provider("k", "Kappa", "gmp-certified"),
        provider("z", "Zeta", None),
        *(match(key) for key in ("k", "i", "z")),
    ]
    assert ranking(shape(1, rows)) == [("Iota", 2.0, "i")]
    assert ranking(shape(20, rows)) == [("Iota", 2.0, "i"), ("Kappa", 2.0, "k"), ("Zeta", 1.0, "z")]


def test_a_need_with_two_stages_has_the_providers_of_either_as_candidates() -> None:
    other = match("p1", "S06", ID + "offer/p1/S06")
    # the engine gives a need with two stages two detail rows, one per stage
    second_stage = {**ROWS[0], "stage": NamedNode(VOCAB + "stage/S06")}
    rows = [
        ROWS[0],
        second_stage,
        *ROWS[1:6],
        provider("p7", "Eta", None),
        {**other, "provider": NamedNode(ID + "actor/p7")},
    ]
    rows += [match(key) for key in ("p5", "p4", "p3", "p2", "p1")] + [other]
    need = shape(20, rows)
    assert need["candidate_count"] == 6  # p1..p5 by S05, p7 by S06 (p1 by both)
    (p1,) = [c for c in need["candidates"] if c["actor"]["label"] == "Zeta"]
    assert p1["evidence"] == sorted([ID + "offer/p1/S06", ID + "wave/2026-W2/response/R-p1/stage/S05"])


def test_a_provider_candidate_of_two_needs_shows_for_each_the_offers_that_match_it() -> None:
    # p1 offers S05 and S06; one need asks for S05, another for S06: same score, different evidence
    other_need = {**ROWS[0], "need": NamedNode(ID + "wave/2026-W2/response/R-need/stage/S06")}
    other_need |= {"stage": NamedNode(VOCAB + "stage/S06")}
    s06 = match("p1", "S06", ID + "offer/p1/S06")
    rows = [ROWS[0], other_need, provider("p1", "Zeta", "gmp-certified"), match("p1"), s06]
    evidence = {item["stage"]["notation"]: item["candidates"][0]["evidence"] for item in shaped(20, rows)}
    assert evidence == {"S05": [ID + "wave/2026-W2/response/R-p1/stage/S05"], "S06": [ID + "offer/p1/S06"]}


def test_a_technology_match_and_a_stage_match_of_equal_score_are_ordered_by_label() -> None:
    # A need for S05 and T04: "Zeta" develops T04 only (technology 1), "Alpha" offers S05 only (stage 1), no GMP
    # either: both score 1.0, and with room for one the stage match comes first by label.
    need_row = {**ROWS[0], "technology": NamedNode(VOCAB + "technology/T04")}
    rows = [need_row, provider("p1", "Zeta", None), provider("p2", "Alpha", None), technology_match("T04", None)]
    rows.append(match("p2"))
    assert ranking(shape(1, rows)) == [("Alpha", 1.0, "p2")]
    assert ranking(shape(2, rows)) == [("Alpha", 1.0, "p2"), ("Zeta", 1.0, "p1")]


def test_needs_with_several_stages_each_show_the_offers_of_their_own_stages() -> None:
    # p1 offers S01..S16; eight needs ask for two stages each: the same provider and score for all, each
    # need with its own two offers as evidence
    def need(name: str, stage: str) -> Row:
        return {**ROWS[0], "need": NamedNode(ID + "need/" + name), "stage": NamedNode(VOCAB + "stage/" + stage)}

    def offer(stage: str) -> Row:
        return match("p1", stage, ID + "o/" + stage)

    stages = {f"n{i}": (f"S{2 * i + 1:02}", f"S{2 * i + 2:02}") for i in range(8)}
    rows = [need(name, stage) for name, pair in stages.items() for stage in pair]
    rows += [provider("p1", "Zeta", None), *(offer(stage) for pair in stages.values() for stage in pair)]
    evidence = {item["id"]: item["candidates"][0]["evidence"] for item in shaped(20, rows)}
    assert evidence == {ID + "need/" + name: [ID + "o/" + stage for stage in pair] for name, pair in stages.items()}


def test_a_family_developed_is_the_weaker_match_of_a_need_for_a_narrower_technology() -> None:
    need_row = {**ROWS[0], "technology": NamedNode(VOCAB + "technology/T04.01")}
    del need_row["stage"]
    family_offer = {**technology_match("T04", None), "offered_technology": FAMILY}
    (candidate,) = shape(20, [need_row, provider("p1", "Zeta", None), family_offer])["candidates"]
    assert candidate["breakdown"]["technology"] == 0.5


def test_a_narrower_technology_developed_does_not_meet_a_need_for_a_sibling() -> None:
    need_row = {**ROWS[0], "technology": NamedNode(VOCAB + "technology/T04")}
    del need_row["stage"]
    # T04.02 is narrower than T04: a full match; T04.01 is T04's sibling in the family: the weaker one
    full, weaker = (
        shape(20, [need_row, provider("p1", "Zeta", None), technology_match(t, None)]) for t in ("T04.02", "T04.01")
    )
    assert [c["breakdown"]["technology"] for c in (*full["candidates"], *weaker["candidates"])] == [1.0, 0.5]


def test_a_provider_anonymous_in_one_of_its_rows_is_counted_never_proposed() -> None:
    rows = [ROWS[0], provider("p1", "Zeta", None), provider("p1", "Zeta", None, visibility="anonymous"), match("p1")]
    for order in (rows, list(reversed(rows))):
        need = shape(20, order)
        assert (need["candidates"], need["candidate_count"], need["anonymous_candidates"]) == ([], 0, 1)


def test_a_need_given_in_two_detail_rows_is_shown_the_same_whatever_their_order() -> None:
    second_stage = {**ROWS[0], "stage": NamedNode(VOCAB + "stage/S06")}
    rows = [ROWS[0], second_stage, *ROWS[1:]]
    assert shape(20, rows) == shape(20, [second_stage, ROWS[0], *ROWS[1:]])


def test_a_page_read_from_any_offset_is_that_slice_of_the_whole_answer() -> None:
    # needs of three stages, two of them by anonymous actors tied on the order (ranked when the answer is made,
    # the others when read)
    def need(name: str, stage: str, visibility: str = "public") -> Row:
        return {
            **ROWS[0],
            "need": NamedNode(ID + "need/" + name),
            "actor": NamedNode(ID + "actor/" + name),
            "actor_visibility": NamedNode(VOCAB + "visibility/" + visibility),
            "stage": NamedNode(VOCAB + "stage/" + stage),
        }

    needs = [need("n1", "S01"), need("n2", "S02"), need("n3", "S01", "anonymous"), need("n4", "S01", "anonymous")]
    needs[3]["min_trl"] = Literal("5", datatype=INTEGER)
    rows = [*needs, *ROWS[1:6], match("p1", "S01"), match("p2", "S02"), match("p3", "S01")]
    store = OxigraphStore(None)
    context = ShapeContext(store, Dataset(), BoundParameters(echo={"candidates": 20}), {})
    items, _ = _registry()["matchmaking-needs"].shape(Table.from_rows(COLUMNS, [*rows, *VOCABULARY]), context)
    store.close()
    whole = list(items)
    assert [item["stage"]["notation"] for item in whole] == ["S01", "S01", "S01", "S02"]
    assert all(
        items[start : start + length] == whole[start : start + length] for start in range(5) for length in range(5)
    )
    assert [items[i] for i in range(-4, 4)] == whole + whole


def _anonymous_need(name: str, **details: Any) -> Row:
    return {
        **ROWS[0],
        "need": NamedNode(ID + "need/" + name),
        "actor": NamedNode(ID + "actor/" + name),
        "actor_visibility": NamedNode(VOCAB + "visibility/anonymous"),
        **details,
    }


def test_anonymous_needs_tied_on_the_order_are_ordered_by_their_details_whatever_the_row_order() -> None:
    later = _anonymous_need("n1", min_trl=Literal("7", datatype=INTEGER))
    earlier = _anonymous_need("n2", min_trl=Literal("5", datatype=INTEGER))
    for needs in ([later, earlier], [earlier, later]):
        items = shaped(20, [*needs, *ROWS[1:]])
        assert [item["min_trl"] for item in items] == [5, 7]


def test_needs_alike_in_every_detail_are_ordered_by_their_candidates() -> None:
    # two anonymous needs for S05 with the same details; n1's actor offers S05 itself, so it has one candidate less
    needs = [_anonymous_need("n1"), _anonymous_need("n2")]
    rows = [*needs, *ROWS[1:], provider("n1", None, None, visibility="anonymous"), match("n1")]
    for order in (rows, [needs[1], needs[0], *rows[2:]]):
        items = shaped(20, order)
        assert [(item["candidate_count"], item["anonymous_candidates"]) for item in items] == [(5, 1), (5, 2)]


@pytest.mark.parametrize(
    "row",
    [
        {**ROWS[0], "stage_notation": Literal("S05")},
        {**ROWS[0], "technology": NamedNode(VOCAB + "technology/T04"), "technology_notation": Literal("T04")},
        {key: term for key, term in ROWS[0].items() if key not in ("stage", "actor_label")},
        {**_anonymous_need("n1"), "stage_notation": Literal("S10")},
    ],
    ids=["stage", "stage-and-technology", "no-stage-no-label", "anonymous"],
)
def test_a_need_row_sorts_as_the_item_made_of_it(row: Row) -> None:
    assert _need_row_sort_key(row) == _need_sort_key(_need_item(row, "2026-W2"))
