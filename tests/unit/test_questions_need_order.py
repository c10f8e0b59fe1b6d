"""The order of needs in an answer never depends on the engine's row order, even for anonymous actors' needs (no
id, the same label): shaped from hand-made query rows, given in every order."""

from __future__ import annotations

from itertools import permutations
from typing import Any

from pyoxigraph import Literal, NamedNode

from vcgraph.questions.answer import Row
from vcgraph.questions.params import BoundParameters
from vcgraph.questions.service import ShapeContext, Table, _registry
from vcgraph.questions.shaping import sorted_totally
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset

ID = "https://w3id.org/vcgraph/id/"
VOCAB = "https://w3id.org/vcgraph/vocab/"
BOOLEAN = NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
# the columns of queries/gaps-needs.rq
COLUMNS = (
    *("need", "structured", "actor", "actor_label", "actor_visibility", "response", "stage", "technology"),
    *("product_class", "min_trl", "urgency", "comment", "provider", "offered_stage", "offered_technology"),
    *("offer_trl", "concept", "concept_scheme", "concept_notation", "concept_label", "family"),
)


def anonymous_need(actor: str, number: int, *, structured: bool, urgency: str | None) -> Row:
    """A need of an anonymous actor at stage S15: the answer shows neither its IRI nor its actor's."""
    response = ID + f"wave/2026-W1/response/R-{actor}"
    row: Row = {
        "need": NamedNode(f"{response}/need/{number}"),
        "response": NamedNode(response),
        "actor": NamedNode(ID + "actor/" + actor),
        "actor_visibility": NamedNode(VOCAB + "visibility/anonymous"),
        "stage": NamedNode(VOCAB + "stage/S15"),
        "structured": Literal("true" if structured else "false", datatype=BOOLEAN),
    }
    if urgency is not None:
        row["urgency"] = NamedNode(VOCAB + "urgency/" + urgency)
    return row


def concept(scheme: str, notation: str) -> Row:
    """A vocabulary row of the query: the concept with its notation."""
    return {
        "concept": NamedNode(f"{VOCAB}{scheme}/{notation}"),
        "concept_scheme": NamedNode(VOCAB + scheme),
        "concept_notation": Literal(notation),
    }


NEEDS = [
    anonymous_need("anon-a", 1, structured=True, urgency="6-24m"),
    anonymous_need("anon-a", 2, structured=False, urgency=None),
    anonymous_need("anon-b", 1, structured=True, urgency="lt6m"),
]
VOCABULARY = [concept("stage", "S15"), concept("urgency", "6-24m"), concept("urgency", "lt6m")]


def shaped(rows: list[Row]) -> list[dict[str, Any]]:
    store = OxigraphStore(None)
    try:
        context = ShapeContext(store, Dataset(), BoundParameters(echo={}), {})
        table = Table.from_rows(COLUMNS, rows)
        items, _ = _registry()["gaps-needs"].shape(table, context)
        return items
    finally:
        store.close()


def test_anonymous_needs_tied_on_stage_and_label_come_in_one_order_whatever_the_row_order() -> None:
    answers = [shaped([*order, *VOCABULARY]) for order in permutations(NEEDS)]
    assert all(answer == answers[0] for answer in answers)
    assert [(item["id"], item["actor"]["label"]) for item in answers[0]] == [(None, "an anonymous actor")] * 3


def test_items_are_ordered_by_the_key_first_and_by_content_only_within_a_tie() -> None:
    items = [{"k": 2, "v": "a"}, {"k": 1, "v": "z"}, {"k": 1, "v": "b"}]
    assert sorted_totally(items, lambda item: item["k"]) == [{"k": 1, "v": "b"}, {"k": 1, "v": "z"}, {"k": 2, "v": "a"}]
